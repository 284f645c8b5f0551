"""A cycle's audit trail, for its leader secretary and the ministry admins."""

from django.shortcuts import render

from thidua.audit import selectors
from thidua.audit.labels import action_label
from thidua.core.policy import Action
from thidua.org.lookups import cycle_view
from thidua.org.models import Cycle


@cycle_view(Action.VIEW_AUDIT)
def cycle_trail(request, cycle: Cycle):
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
