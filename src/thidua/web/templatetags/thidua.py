"""Template helpers: translate the core's labels, write dates the Vietnamese way."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext

from thidua.core.messages import format_day
from thidua.core.phases import STATE_LABELS
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
