"""The scoring page's long lists, a row per member unit (`thidua.rows` says why in Python).

The two lists without a form (my unit's sheets, every scorer's progress) are HTML rows; the
one scorer's sheets shown on request carry the leader's forms, so stay a template loop over
rows whose links and states are worked out here.
"""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from thidua.org.models import Cycle, Unit
from thidua.rows import SLUG, html_row, html_rows, row_links
from thidua.scoring.models import ScoreSheet
from thidua.scoring.selectors import ScorerProgress, SheetSlot

_MY_SHEET = (
    '<li><a href="{url}">{label}</a>\n'
    '      <span class="status status-{status}">{state}</span>{mark}</li>'
)
_PROGRESS = (
    "<tr{current}><td>{scorer}</td><td>{submitted}/{expected}</td><td>{waiting}</td>"
    '<td><a href="?scorer={code}">{see}</a></td></tr>'
)
_ENTER = '<a href="{url}" title="{title}">{name}</a>'
_ON_BEHALF = ' <span class="mark-on-behalf small" title="{reason}">{mark}{who}</span>'


class SheetLinks:
    """The links to a sheet of the cycle, each reversed once for the page."""

    def __init__(self, cycle: Cycle):
        fixed = (cycle.cluster.code, cycle.year, SLUG, SLUG)
        self.sheet = row_links("sheet", *fixed)
        self.on_behalf = row_links("sheet_on_behalf", *fixed)
        self.reopen = row_links("sheet_reopen", *fixed)


def _states() -> dict[str, str]:
    """Each sheet state in words: the sheet's own states' labels, and a sheet not begun."""
    return {status.value: str(status.label) for status in ScoreSheet.Status} | {
        "missing": _("Chưa chấm")
    }


def on_behalf_mark(sheet: ScoreSheet | None) -> SafeString | str:
    """Beside a sheet the leader's secretary entered for its scorer: "nhập thay", by whom,
    and the reason on hover; nothing for any other sheet."""
    if sheet is None or not sheet.on_behalf:
        return ""
    by = sheet.on_behalf_by
    who = f" ({by.get_full_name() or by.username})" if by else ""
    return html_row(_ON_BEHALF, reason=sheet.on_behalf_reason, mark=_("nhập thay"), who=who)


def my_sheets(slots: list[SheetSlot], links: SheetLinks) -> SafeString:
    """My unit's sheets, as the list's items: each linked, with its state."""
    states = _states()
    own, score = _("Tự chấm"), _("Chấm")
    return html_rows(
        html_row(
            _MY_SHEET,
            url=links.sheet(slot.scorer.code, slot.target.code),
            label=own if slot.kind == ScoreSheet.Kind.SELF else f"{score} {slot.target.name}",
            status=slot.status,
            state=states[slot.status],
            mark=on_behalf_mark(slot.sheet),
        )
        for slot in slots
    )


def progress(
    cycle: Cycle,
    lines: list[ScorerProgress],
    chosen: Unit | None,
    leader_tools: bool,
    links: SheetLinks,
) -> SafeString:
    """Each scorer unit's line of the progress table: its count, and each sheet it has not
    submitted named by its target; for the leader's secretary (`leader_tools`) linked to
    entering it on the scorer's behalf, never for the leader unit's own sheets nor a
    self-assessment."""
    suffixes = {"draft": _("bản nháp"), "awaiting": _("nhập thay, chờ xác nhận")}
    own, enter, see = _("tự chấm"), _("Nhập thay"), _("Xem từng phiếu")
    rows = []
    for line in lines:
        scorer = line.scorer
        may_enter = leader_tools and scorer.pk != cycle.leader_id
        waiting = []
        for target, state in line.waiting:
            name = own if target == scorer else target.short_name
            if may_enter and target != scorer:
                url = links.on_behalf(scorer.code, target.code)
                name = html_row(_ENTER, url=url, title=enter, name=name)
            suffix = suffixes.get(state)
            waiting.append(
                html_row("{name} ({suffix})" if suffix else "{name}", name=name, suffix=suffix)
            )
        rows.append(
            html_row(
                _PROGRESS,
                current=mark_safe(' aria-current="true"') if scorer == chosen else "",
                scorer=scorer.short_name,
                submitted=line.submitted,
                expected=line.expected,
                waiting=html_rows(waiting, "; ") if waiting else "—",
                code=scorer.code,
                see=see,
            )
        )
    return html_rows(rows, "\n      ")


def sheet_slots(
    cycle: Cycle, slots: list[SheetSlot], links: SheetLinks, *, leader_tools: bool
) -> list[dict]:
    """One scorer unit's sheets for the table under the progress (shown on request, with the
    leader's forms, so still a template loop): each one's link, state in words and on-behalf
    mark, and for the leader's secretary what may be done to it: entered on the scorer's
    behalf (never the leader unit's own, nor a submitted one) or reopened once submitted."""
    states = _states()
    rows = []
    for slot in slots:
        status = slot.status
        codes = (slot.scorer.code, slot.target.code)
        self = slot.kind == ScoreSheet.Kind.SELF
        may_enter = (
            leader_tools
            and not self
            and slot.scorer.pk != cycle.leader_id
            and status != "submitted"
        )
        rows.append(
            {
                "target": slot.target,
                "self": self,
                "url": links.sheet(*codes),
                "status": status,
                "state": states[status],
                "mark": on_behalf_mark(slot.sheet),
                "on_behalf_url": links.on_behalf(*codes) if may_enter else "",
                "reopen_url": links.reopen(*codes)
                if leader_tools and status == "submitted"
                else "",
            }
        )
    return rows
