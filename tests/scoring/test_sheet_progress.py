"""The pages that only count sheets (the scoring page's progress, the documents page and the
home page's tasks, the late scorers) read the sheets' states as rows, and when every member
scores every member, count the finished units in the database (issue 18): what they say is
what the expected slots of the full results say, sheet by sheet."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.scoring.clusters import given_sheets, in_scoring
from thidua.org import selectors as org_selectors
from thidua.scoring import selectors
from thidua.scoring.models import Agreement, InspectionTeam, Score, ScoreSheet

Status = ScoreSheet.Status


def _sheets(cycle, units) -> None:
    """Every sheet submitted but: unit 2's sheet on unit 1 a draft, unit 3's on unit 2
    entered on its behalf and awaiting, unit 4's on unit 3 not begun, unit 4's self-assessment
    a draft (sheets the teams of `_in_teams` call for too)."""
    other = {
        (units[2], units[1]): Status.DRAFT,
        (units[3], units[2]): Status.AWAITING,
        (units[4], units[4]): Status.DRAFT,
    }
    given_sheets(
        cycle,
        (
            (scorer, target, other.get((scorer, target), Status.SUBMITTED))
            for target in units
            for scorer in units
            if (scorer, target) != (units[4], units[3])
        ),
    )


def _in_teams(cycle, units) -> None:
    """Each unit scored by the next two (in a ring)."""
    agreement = cycle.agreement
    Agreement.objects.filter(pk=agreement.pk).update(assignment=Agreement.Assignment.TEAMS)
    for n, unit in enumerate(units):
        team = InspectionTeam.objects.create(agreement=agreement, inspected=unit)
        team.scorers.set([units[(n + 1) % len(units)], units[(n + 2) % len(units)]])


@pytest.mark.django_db
@pytest.mark.parametrize("teams", [False, True], ids=["all-members", "teams"])
def test_sheet_progress_is_what_the_expected_slots_say(teams):
    cycle, units = in_scoring("sp", 6, 2)
    _sheets(cycle, units)
    if teams:
        _in_teams(cycle, units)
    cycle = org_selectors.get_cycle(cycle.cluster.code, cycle.year)
    agreement = selectors.agreement_of(cycle)
    members = org_selectors.member_units(cycle)
    sheets = selectors.sheets_of(cycle, submitted_only=False, with_scores=False, units=members)
    slots = selectors.expected_slots(cycle, agreement, members, sheets)
    assert {slot.status for slot in slots} == {"submitted", "draft", "awaiting", "missing"}

    reference = selectors.Progress.of(cycle, slots)
    assert selectors.sheets_progress(cycle) == reference

    progress = selectors.scoring_progress(cycle, agreement, members)
    assert [(row.scorer, row.expected, row.submitted, row.waiting) for row in progress] == [
        (
            unit,
            sum(1 for slot in slots if slot.scorer == unit),
            sum(1 for slot in slots if slot.scorer == unit and slot.status == "submitted"),
            [(s.target, s.status) for s in slots if s.scorer == unit and s.status != "submitted"],
        )
        for unit in members
    ]

    late = {slot.scorer.code for slot in slots if slot.status != "submitted"}
    assert [unit.code for unit in selectors.late_scorers(cycle)] == [
        unit.code for unit in members if unit.code in late
    ]


@pytest.mark.django_db
def test_the_summary_of_a_ranking_not_yet_published_reads_no_score():
    """The dashboard and the conference read `summary`: until every sheet is in (or the
    phase closed) it shows no ranking, so it is what the full results would say without
    reading the n² × criteria scores."""
    cycle, units = in_scoring("su", 6, 2)
    _sheets(cycle, units)
    cycle = org_selectors.get_cycle(cycle.cluster.code, cycle.year)
    found = selectors.results(cycle)
    assert not found.ready
    with CaptureQueriesContext(connection) as queries:
        summary = selectors.summary(cycle)
    assert not [q["sql"] for q in queries if f'"{Score._meta.db_table}"' in q["sql"]]
    assert summary == selectors.Summary.of(cycle, found.slots, ranking=[])
    assert summary.why_not_ready
    assert summary.ranking == []
