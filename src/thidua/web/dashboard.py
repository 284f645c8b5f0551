"""Dashboards: one cluster's year at a glance, and all clusters side by side for the Ministry.

Charts are drawn by the vendored Chart.js from JSON embedded with `json_script` (no inline
script); every figure on them is also in a table, for printing and for screen readers.
"""

from __future__ import annotations

from django.db.models import Max
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from thidua.core.indicators import COUNTED_STATUSES, Period
from thidua.core.policy import Action
from thidua.org import selectors as org_selectors
from thidua.org.authz import require
from thidua.org.lookups import cycle_view
from thidua.org.models import Cycle
from thidua.scoring import selectors as scoring_selectors
from thidua.stats import selectors as stats_selectors
from thidua.stats.models import Report
from thidua.voting import selectors as voting_selectors
from thidua.voting.models import Poll

KEY_INDICATORS = ("social_order_cases", "social_order_offenders", "clearance_rate")


@cycle_view(Action.VIEW_RESULTS)
def cycle_dashboard(request, cycle: Cycle):
    table = stats_selectors.cluster_table(cycle, Period.YEAR).with_data_only()
    totals = {cell.indicator.code: cell for cell in table.total.cells}
    results = scoring_selectors.summary(cycle)
    conference = voting_selectors.conference_of(cycle)
    polls = voting_selectors.polls_of(conference) if conference else []
    names = {unit.code: unit.short_name for unit in org_selectors.member_units(cycle)}
    ranking = results.ranking if results else []
    turnout = [
        {
            "poll": poll,
            "voted": poll.voted,
            "electorate": poll.electorate,
            "winners": [names.get(c, c) for c in (poll.result or {}).get("winners", [])]
            if poll.status == Poll.Status.CLOSED
            else None,
        }
        for poll in polls
    ]
    return render(
        request,
        "web/dashboard.html",
        {
            "cycle": cycle,
            "key": [totals[code] for code in KEY_INDICATORS if code in totals],
            "missing_reports": table.missing_reports,
            "table": table,
            "chart": stats_selectors.chart_data(table),
            "ranking": ranking,
            "progress": results.progress if results else None,
            "not_ranked": results.why_not_ready if results else [],
            "turnout": turnout,
            "charts": {
                "ranking": {
                    "units": [unit.short_name for unit, _result in ranking],
                    "totals": [float(result.total) for _unit, result in ranking],
                },
                "turnout": {
                    "polls": [row["poll"].title for row in turnout],
                    "voted": [row["voted"] for row in turnout],
                    "electorate": [row["electorate"] for row in turnout],
                },
            },
        },
    )


def overview(request):
    """Every cluster's year side by side (the Ministry's admins and observers)."""
    require(request.user, Action.VIEW_OVERVIEW)
    years = sorted(set(Cycle.objects.values_list("year", flat=True)), reverse=True)
    # the latest year with counted year figures of a cluster year (the overview's totals): a
    # first half alone (the mid-year review), a draft (a year under way, e.g. a merged unit's
    # carried over) or earlier years' baseline figures do not make a year the default
    reported = Report.objects.filter(
        period=Period.YEAR.value, status__in=COUNTED_STATUSES, cycle__isnull=False
    ).aggregate(latest=Max("year"))["latest"]
    default = reported if reported in years else (years[0] if years else timezone.localdate().year)
    try:
        year = int(request.GET.get("year") or default)
    except ValueError:
        raise Http404 from None
    # what the rows show of each cycle; `year_totals` reads the members itself
    cycles = list(
        Cycle.objects.filter(year=year)
        .select_related("cluster", "leader")
        .order_by("cluster__code")
    )
    rows = stats_selectors.year_totals(cycles)
    return render(
        request,
        "web/overview.html",
        {
            "year": year,
            "years": years,
            "rows": rows,
            "key": KEY_INDICATORS,
            "has_figures": any(row.reported for row in rows),
            "chart": {
                "clusters": [row.cycle.cluster.name for row in rows],
                "year": year,
                "now": [_plain(row.now.get("social_order_cases")) for row in rows],
                "before": [
                    _plain(row.change["social_order_cases"].before)
                    if row.change.get("social_order_cases")
                    else None
                    for row in rows
                ],
            },
        },
    )


def _plain(value) -> float | None:
    return None if value is None else float(value)
