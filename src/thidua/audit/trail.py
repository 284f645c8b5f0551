"""The audit page's rows: who, what, on what and when, in words a secretary reads.

An entry keeps its actor as the user name of the moment and the actor's unit as its code
(both inside the entry's hash, so they never change); the page shows the person's name as
their account has it today when that account still exists, else the name the log kept, and
the unit's name read from its stable code. The demo loader's writes read "Dữ liệu mẫu";
other writes made without an account (administration commands, the checkpoints the
installation signs, and the demo data of a database loaded before the demo was named in
the log) read "Hệ thống".

No row carries an entry's before/after data: what a ballot chose is never in the log, and
nothing else of a payload is needed to say what happened. Entries that would date a
delegate's readiness to vote are not listed at all (`selectors.UNLISTED`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl import Workbook

from thidua import xlsx
from thidua.audit import clock, selectors
from thidua.audit.labels import action_label
from thidua.audit.models import AuditEntry
from thidua.audit.services import chain_of
from thidua.core.phases import PHASE_LABELS, Phase
from thidua.core.record import AuditAction
from thidua.org import selectors as org_selectors
from thidua.org.models import Cycle

SYSTEM = clock.SYSTEM  # the actor the log names for a write made without an account
DEMO = clock.DEMO  # … and for a write of the demo loader

_PHASE_ACTIONS = (AuditAction.PHASE_OPEN, AuditAction.PHASE_CLOSE, AuditAction.PHASE_REOPEN)


@dataclass(frozen=True)
class Row:
    at: datetime
    who: str
    unit: str
    what: str
    target: str
    url: str  # the object's page, "" where it has none
    hash: str


def when(moment: datetime) -> str:
    """dd/mm/yyyy HH:MM in the installation's time zone."""
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}"


def phase_name(code: str) -> str:
    try:
        return _(str(PHASE_LABELS[Phase(code)]))
    except ValueError:
        return code


def person_name(username: str, users: dict) -> str:
    if username == SYSTEM:
        return _("Hệ thống")
    if username == DEMO:
        return _("Dữ liệu mẫu")
    user = users.get(username)
    return user.display_name if user is not None else username


def unit_name(code: str, units: dict) -> str:
    unit = units.get(code)
    return unit.short_name if unit is not None else code


def rows(cycle: Cycle, entries: list[AuditEntry]) -> list[Row]:
    """The page's rows for `entries` of `cycle`'s chain: three queries whatever their number
    (the people, the units, the polls they name)."""
    entries = list(entries)
    chain = chain_of(cycle)
    usernames = {entry.actor for entry in entries}
    codes = {entry.unit for entry in entries if entry.unit}
    for entry in entries:
        usernames.add(_after(entry).get("user", ""))
        codes.update(_units_named(entry))
    users = org_selectors.users_by_username(usernames - {"", SYSTEM, DEMO})
    units = org_selectors.units_by_code(codes)
    polls = selectors.polls_by_log_id(
        chain, {entry.object_id for entry in entries if entry.object_type == "voting.poll"}
    )
    members = {unit.code for unit in org_selectors.member_units(cycle)}
    context = _Context(cycle, users, units, polls, members)
    return [
        Row(
            at=entry.at,
            who=person_name(entry.actor, users),
            unit=_actor_unit(entry, units),
            what=_what(entry),
            target=(found := _target(entry, context))[0],
            url=found[1],
            hash=entry.hash,
        )
        for entry in entries
    ]


@dataclass(frozen=True)
class _Context:
    cycle: Cycle
    users: dict
    units: dict
    polls: dict
    members: set

    def url(self, name: str, *args) -> str:
        return _url(name, self.cycle.cluster.code, self.cycle.year, *args)


def _url(name: str, *args) -> str:
    """The page's address, or "" when the log's id does not make one (a record from
    elsewhere may name objects this installation's URLs cannot)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _after(entry: AuditEntry) -> dict:
    return entry.after if isinstance(entry.after, dict) else {}


def _units_named(entry: AuditEntry) -> list[str]:
    """Unit codes in the entry's object id (a report's unit, a sheet's scorer and target)."""
    if entry.object_type == "stats.report":
        return [entry.object_id.split("/")[0]]
    if entry.object_type == "scoring.sheet":
        return entry.object_id.split("->")[:2]
    if entry.object_type == "org.unit":
        return [entry.object_id]
    return []


def _actor_unit(entry: AuditEntry, units: dict) -> str:
    if entry.actor == SYSTEM:
        return _("dữ liệu mẫu hoặc tác vụ tự động")
    return unit_name(entry.unit, units) if entry.unit else ""


def _what(entry: AuditEntry) -> str:
    label = action_label(entry.action)
    if entry.action in _PHASE_ACTIONS and _after(entry).get("phase"):
        label = f"{label}: {phase_name(_after(entry)['phase'])}"
    if isinstance(entry.origin, dict) and entry.origin.get("chain") is not None:
        # a copy of an entry another chain wrote (e.g. last year's report this year uses)
        label = _("%(what)s (chép từ nhật ký %(chain)s)") % {
            "what": label,
            "chain": entry.origin["chain"] or _("của máy"),
        }
    return label


def _target(entry: AuditEntry, context: _Context) -> tuple[str, str]:
    """(what the entry is about, in words; its page or "")."""
    kind, key = entry.object_type, entry.object_id
    cycle = context.cycle
    if kind == "stats.report":
        unit, _slash, rest = key.partition("/")
        year = rest.partition("/")[0]
        text = _("Báo cáo số liệu của %(unit)s năm %(year)s") % {
            "unit": unit_name(unit, context.units),
            "year": year,
        }
        if year == str(cycle.year) and unit in context.members:
            return text, context.url("report", unit)
        written_in = entry.origin.get("chain", "") if isinstance(entry.origin, dict) else ""
        cluster, _slash, origin_year = written_in.partition("/")
        if cluster and origin_year == year:  # a copy: the report's page in its own year
            return text, _url("report", cluster, year, unit)
        return text, ""
    if kind == "scoring.sheet":
        scorer, _arrow, target = key.partition("->")
        if scorer == target:
            text = _("Phiếu tự chấm của %(unit)s") % {"unit": unit_name(scorer, context.units)}
        else:
            text = _("Phiếu chấm của %(scorer)s cho %(target)s") % {
                "scorer": unit_name(scorer, context.units),
                "target": unit_name(target, context.units),
            }
        if {scorer, target} <= context.members:
            return text, context.url("sheet", scorer, target)
        return text, ""
    if kind == "voting.poll":
        code, title = context.polls.get(key, ("", ""))
        text = _("Cuộc bỏ phiếu “%(title)s”") % {"title": title or key}
        return text, context.url("poll", code) if code else ""
    if kind == "voting.delegate":
        username = _after(entry).get("user", "")
        text = _("Đại biểu %(name)s") % {"name": person_name(username, context.users)}
        return text, context.url("conference")
    if kind == "org.unit":
        return unit_name(key, context.units), _url("unit", key)
    simple = {
        "org.cycle": (_("Năm thi đua"), "cycle"),
        "org.handover": (_("Bàn giao cụm trưởng, cụm phó"), "cycle"),
        "scoring.agreement": (_("Giao ước thi đua"), "agreement"),
        "scoring.evidence": (_("Tài liệu minh chứng"), "facts"),
        "scoring.explanation": (_("Giải trình điểm"), "scoring"),
        "stats.publishedfigure": (_("Số liệu đã công bố của cụm"), "stats"),
        "voting.conference": (_("Hội nghị tổng kết"), "conference"),
        "voting.keyceremony": (_("Lễ tạo khóa của ban kiểm phiếu"), "conference"),
        "documents.document": (_("Văn bản"), "documents"),
        "documents.reportsection": (_("Báo cáo tổng kết"), "report_text"),
    }
    if kind in simple:
        text, name = simple[kind]
        return str(text), context.url(name)
    others = {
        "audit.chain": _("Nhật ký thao tác"),
        "org.lineageevent": _("Sáp nhập, chia tách đơn vị"),
        "org.apitoken": _("Khóa API"),
        "org.calendartoken": _("Địa chỉ lịch"),
        "org.titlerecord": _("Sổ danh hiệu thi đua"),
        "org.decision": _("Quyết định khen thưởng"),
        "record.receivedrecord": _("Bản ghi năm thi đua"),
    }
    return str(others.get(kind, kind)), ""


# --- the export ----------------------------------------------------------------------------

COLUMNS = (
    gettext_lazy("Lúc"),
    gettext_lazy("Người thực hiện"),
    gettext_lazy("Đơn vị"),
    gettext_lazy("Thao tác"),
    gettext_lazy("Đối tượng"),
    gettext_lazy("Mã băm"),
)


def workbook(cycle: Cycle, found: list[Row], unlisted: int) -> bytes:
    """The rows as an XLSX sheet (written by `thidua.xlsx.save`: a value that looks like a
    formula stays text), the same columns as the page, and the same entries left out."""
    book = Workbook()
    sheet = book.active
    title = _("Nhật ký thao tác")
    sheet.title = title[:31]
    sheet.append([f"{title} – {cycle.title} {cycle.year}"])
    sheet.append([str(column) for column in COLUMNS])
    for row in found:
        sheet.append([when(row.at), row.who, row.unit, row.what, row.target, row.hash])
    if unlisted:
        sheet.append([])
        sheet.append([unlisted_note(unlisted)])
    for letter, width in zip("ABCDEF", (18, 28, 28, 48, 48, 66), strict=True):
        sheet.column_dimensions[letter].width = width
    return xlsx.save(book)


def unlisted_note(count: int) -> str:
    return ngettext(
        "%(count)d lượt điểm danh hoặc cấp lại mã của đại biểu không liệt kê từng người, để "
        "không ai đối chiếu được lúc đại biểu sẵn sàng bỏ phiếu với thứ tự các lá phiếu.",
        "%(count)d lượt điểm danh hoặc cấp lại mã của đại biểu không liệt kê từng người, để "
        "không ai đối chiếu được lúc đại biểu sẵn sàng bỏ phiếu với thứ tự các lá phiếu.",
        count,
    ) % {"count": count}
