"""A cycle's audit trail, for its leader secretary and the ministry admins."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from thidua.audit import selectors
from thidua.audit.labels import action_label
from thidua.core.policy import Action
from thidua.org import selectors as org_selectors
from thidua.org.authz import require


def cycle_trail(request, code: str, year: int):
    cycle = org_selectors.get_cycle(code, year)
    if cycle is None:
        raise Http404(_("Không có năm thi đua này."))
    require(request.user, Action.VIEW_AUDIT, cycle)
    return render(
        request,
        "audit/trail.html",
        {
            "cycle": cycle,
            "entries": [
                (entry, action_label(entry.action))
                for entry in selectors.trail(f"{cycle.cluster.code}/{cycle.year}")
            ],
        },
    )
