"""The demo, stage by stage: each stage adds its part while its phase of the year is open."""

from __future__ import annotations

from django.db import transaction

from thidua.core.phases import Phase
from thidua.org import demo as org_demo
from thidua.org.models import Cycle
from thidua.stats import demo as stats_demo


@transaction.atomic
def load_demo() -> list[org_demo.Login]:
    """Load or complete the whole demo (idempotent); returns the demo logins."""
    logins = org_demo.load_organisation()
    stats_demo.load_baseline_2019()
    cycle = Cycle.objects.get(cluster__code=org_demo.CLUSTER_II["code"], year=2020)
    if org_demo.PHASES.index(Phase(cycle.phase)) <= org_demo.PHASES.index(Phase.REPORTING):
        cycle = org_demo.advance_to(cycle, Phase.REPORTING)
        stats_demo.load_reports_2020(cycle)
    cycle = org_demo.advance_to(cycle, Phase.CONFERENCE)
    org_demo.hand_over_2021(cycle)
    return logins
