"""Template helpers: translate the core's labels, write dates the Vietnamese way."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from thidua.core import signing
from thidua.core.indicators import shown
from thidua.core.messages import format_day
from thidua.core.numbers import format_number
from thidua.core.phases import STATE_LABELS
from thidua.core.scoring import describe_tie_break
from thidua.org.forms import unit_label

register = template.Library()


@register.filter
def tr(label) -> str:
    """Translate a label marked in the pure core (`gettext_noop`)."""
    return gettext(str(label)) if label else ""


@register.filter
def state_label(code: str) -> str:
    return gettext(STATE_LABELS.get(code, code))


@register.filter
def deadline_note(deadline) -> str:
    """ "còn 5 ngày", "hết hạn hôm nay", "quá hạn 3 ngày", "đã hoàn thành đúng hạn"…"""
    standing, days = str(deadline.standing), deadline.days_left
    if standing == "met":
        return gettext("đã hoàn thành đúng hạn")
    if standing == "late":
        return gettext("đã hoàn thành, quá hạn")
    if standing == "overdue":
        return ngettext("quá hạn %(days)s ngày", "quá hạn %(days)s ngày", -days) % {
            "days": format_number(-days)  # 2.209, as Vietnamese write it
        }
    if days == 0:
        return gettext("hết hạn hôm nay")
    return ngettext("còn %(days)s ngày", "còn %(days)s ngày", days) % {"days": format_number(days)}


@register.filter
def vn_date(value) -> str:
    """01/07/2025, and 01/07/2025 08:30 for a moment in time (in the local time zone)."""
    if not value:
        return ""
    if hasattr(value, "hour"):
        local = timezone.localtime(value)
        return f"{format_day(local.date())} {local:%H:%M}"
    return format_day(value)


@register.filter
def unit_with_period(unit) -> str:
    return unit_label(unit) if unit else "—"


@register.filter
def vn_number(value, decimals=0) -> str:
    """2.156, 19,6 — the Vietnamese way; an empty cell for a missing figure."""
    if value is None or value == "":
        return "—"
    return format_number(value, int(decimals))


@register.filter
def phrase(message) -> str:
    """Render a core `Phrase` or `Problem` in the active language."""
    return message.render(gettext) if message is not None else ""


@register.filter
def tie_break(rule: str) -> str:
    """A stored tie-break ("section:II") in words, in the active language."""
    return describe_tie_break(rule).render(gettext)


@register.filter
def figure(value, indicator) -> str:
    """A figure as the statistics table shows it: 2.156, 12,5 or 98,6%."""
    return shown(value, indicator.kind, indicator.decimals)


@register.filter
def get(mapping, key):
    """`mapping[key]` in a template (None when missing)."""
    return mapping.get(key) if mapping else None


@register.filter
def fingerprint(value: str) -> str:
    """A key's fingerprint or a checkpoint's hash as people compare it: 8 groups of 4."""
    return signing.grouped(value or "")


@register.inclusion_tag("web/tour.html")
def demo_tour():
    """The demo's guided tour, on an installation the demo loader wrote to (else nothing)."""
    from thidua.org.demo import DEMO_PASSWORD
    from thidua.web import tour

    if not tour.tour_applies():
        return {"steps": ()}
    return {"steps": tour.TOUR, "password": DEMO_PASSWORD}
