"""A cycle's audit trail, for its leader secretary and the ministry admins: readable rows
(who, what, on what, when), filters, pages of `PER_PAGE`, and the filtered list as XLSX."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from thidua import xlsx
from thidua.audit import selectors, trail
from thidua.audit.forms import TrailFilter
from thidua.audit.labels import action_label
from thidua.audit.services import chain_of
from thidua.core.policy import Action
from thidua.core.text import collation_key
from thidua.org import selectors as org_selectors
from thidua.org.lookups import cycle_view
from thidua.org.models import Cycle

PER_PAGE = 50


def _by_label(pair: tuple[str, str]) -> str:
    return collation_key(pair[1])


def _filters(request, cycle: Cycle) -> tuple[TrailFilter, dict[str, str]]:
    """The filter form for the request's GET parameters, and the filters it gives."""
    people, units, actions = selectors.filter_choices(chain_of(cycle))
    users = org_selectors.users_by_username(people)
    names = org_selectors.units_by_code(units)
    unit_choices = {unit.code: unit.short_name for unit in org_selectors.member_units(cycle)}
    unit_choices |= {code: trail.unit_name(code, names) for code in units}
    form = TrailFilter(
        request.GET,
        units=sorted(unit_choices.items(), key=_by_label),
        people=sorted(((name, trail.person_name(name, users)) for name in people), key=_by_label),
        actions=sorted(((code, action_label(code)) for code in actions), key=_by_label),
    )
    return form, form.chosen()


def _entries(cycle: Cycle, chosen: dict[str, str]):
    return selectors.filtered(
        chain_of(cycle),
        phase=chosen.get("phase", ""),
        unit=chosen.get("unit", ""),
        actor=chosen.get("person", ""),
        action=chosen.get("action", ""),
    )


@cycle_view(Action.VIEW_AUDIT)
def cycle_trail(request, cycle: Cycle):
    form, chosen = _filters(request, cycle)
    page = Paginator(_entries(cycle, chosen), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/trail.html",
        {
            "cycle": cycle,
            "form": form,
            "page": page,
            "rows": trail.rows(cycle, page.object_list),
            "query": query.urlencode(),
            "unlisted": trail.unlisted_note(count)
            if (count := selectors.unlisted_count(chain_of(cycle)))
            else "",
        },
    )


@cycle_view(Action.VIEW_AUDIT)
def export(request, cycle: Cycle):
    """Every entry the page lists with the same filters, as one XLSX sheet."""
    _form, chosen = _filters(request, cycle)
    content = trail.workbook(
        cycle,
        trail.rows(cycle, list(_entries(cycle, chosen))),
        selectors.unlisted_count(chain_of(cycle)),
    )
    response = HttpResponse(content, content_type=xlsx.CONTENT_TYPE)
    filename = f"nhat-ky-{cycle.cluster.code}-{cycle.year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
