"""The scoring phase's pages issue as many SQL queries for a cluster of 25 units as for one
of 7 (issue 18): a read per unit, sheet or score would make them slow at scale."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.scoring.clusters import in_scoring
from thidua.org.models import Unit, User, UserKind
from thidua.scoring.models import Criterion, Score, ScoreSheet

CRITERIA = 4
PAGES = (
    "",
    "results/",
    "results/{1}/",
    "dashboard/",
    "documents/",
    "scoring/",
    "scoring/?scorer={1}",
    "scoring/{1}/{2}/",
)


def _scored_cluster(size: int, *, late: bool) -> tuple[str, User, list[Unit]]:
    """A cluster of `size` units in its scoring phase, every sheet in (the last one only
    saved as a draft when `late`); its code, its leader unit's secretary and its units."""
    cycle, units = in_scoring("q", size, CRITERIA)
    pairs = [(scorer, target) for target in units for scorer in units]
    sheets = ScoreSheet.objects.bulk_create(
        [
            ScoreSheet(
                cycle=cycle,
                scorer=scorer,
                target=target,
                kind=ScoreSheet.Kind.SELF if scorer == target else ScoreSheet.Kind.PEER,
                status=ScoreSheet.Status.DRAFT
                if late and (scorer, target) == pairs[-1]
                else ScoreSheet.Status.SUBMITTED,
                submitted_at=timezone.now(),
            )
            for scorer, target in pairs
        ]
    )
    criteria = list(Criterion.objects.filter(agreement__cycle=cycle, kind="peer"))
    Score.objects.bulk_create(
        [Score(sheet=sheet, criterion=c, value=Decimal(8)) for sheet in sheets for c in criteria]
    )
    secretary = User.objects.create(
        username=f"q{size}.thuky", kind=UserKind.SECRETARY, unit=units[0]
    )
    return cycle.cluster.code, secretary, units


def _queries(client, url: str) -> int:
    client.get(url)  # what a first request caches (sessions, content types) is not the page's
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("late", [False, True], ids=["all-in", "one-late"])
@pytest.mark.parametrize("page", PAGES)
def test_scoring_pages_queries_do_not_grow_with_the_units(client, page, late):
    counts = {}
    for size in (7, 25):
        code, secretary, units = _scored_cluster(size, late=late)
        client.force_login(secretary)
        url = f"/clusters/{code}/2021/" + page.format(*(unit.code for unit in units))
        counts[size] = _queries(client, url)
    assert counts[7] == counts[25], counts


@pytest.mark.django_db
@pytest.mark.parametrize("late", [False, True], ids=["all-in", "one-late"])
def test_late_scorers_are_the_units_with_a_sheet_not_submitted(late):
    """Read from which sheets are in, they agree with the full results' missing sheets."""
    from thidua.org.models import Cycle
    from thidua.scoring import selectors

    code, _secretary, units = _scored_cluster(7, late=late)
    cycle = Cycle.objects.get(cluster__code=code, year=2021)
    missing = {slot.scorer.short_name for slot in selectors.results(cycle).missing}
    assert selectors.late_scorers(cycle) == (
        [(units[-1].code, units[-1].short_name)] if late else []
    )
    assert {unit.name for unit in selectors.late_scorers(cycle)} == missing


def _mid_year_cluster(size: int) -> tuple[str, User]:
    """A cluster of `size` units being planned in 2021, every first-half report submitted
    but the last unit's; its code and its leader unit's secretary."""
    from thidua.org import services as org_services
    from thidua.org.authz import SYSTEM
    from thidua.org.models import Cluster
    from thidua.stats.models import Report

    units = Unit.objects.bulk_create(
        [Unit(code=f"m{size}-{n}", name=f"Thử {n}", short_name=f"M{n}") for n in range(size)]
    )
    cluster = Cluster.objects.create(code=f"m-{size}", name="Cụm thử")
    cycle = org_services.create_cycle(
        actor=SYSTEM, cluster=cluster, year=2021, members=units, leader=units[0]
    )
    Report.objects.bulk_create(
        [
            Report(unit=unit, year=2021, period="H1", cycle=cycle, status="submitted")
            for unit in units[:-1]
        ]
    )
    secretary = User.objects.create(
        username=f"m{size}.thuky", kind=UserKind.SECRETARY, unit=units[0]
    )
    return cluster.code, secretary


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page", ["/", "/clusters/{code}/2021/", "/clusters/{code}/2021/stats/?period=H1"]
)
def test_mid_year_pages_queries_do_not_grow_with_the_units(client, page, monkeypatch):
    """The mid-year review's home-page task, the cycle page's deadline and the H1 table read
    the first-half reports at once, whatever the number of units."""
    from datetime import date

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2021, 7, 20))
    counts = {}
    for size in (7, 25):
        code, secretary = _mid_year_cluster(size)
        client.force_login(secretary)
        counts[size] = _queries(client, page.format(code=code))
        if page == "/":
            text = client.get(page).content.decode()
            assert f"chờ báo cáo số liệu 6 tháng đầu năm của: M{size - 1}" in text
    assert counts[7] == counts[25], counts


def _write(code: str, units: list[Unit]) -> None:
    """A write to the cycle (a new version, nothing cached for it): the leader's
    self-assessment re-opened and submitted again."""
    from thidua.org.authz import SYSTEM
    from thidua.org.models import Cycle
    from thidua.scoring import services

    cycle = Cycle.objects.get(cluster__code=code, year=2021)
    sheet = ScoreSheet.objects.get(cycle=cycle, scorer=units[0], target=units[0])
    services.reopen_sheet(actor=SYSTEM, sheet=sheet, reason="thử")
    services.save_sheet(
        actor=SYSTEM,
        cycle=cycle,
        scorer=units[0],
        target=units[0],
        scores={f"A.{n}": Decimal(9) for n in range(CRITERIA)},
        submit=True,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("late", [False, True], ids=["all-in", "one-late"])
@pytest.mark.parametrize("page", ["", "documents/", "scoring/"])
def test_pages_after_a_write_queries_do_not_grow_with_the_units(client, page, late):
    """Cold: the first request after a write computes what a page keeps per version (the
    sheets' progress, the late units) with as many queries at 25 units as at 7."""
    counts = {}
    for size in (7, 25):
        code, secretary, units = _scored_cluster(size, late=late)
        client.force_login(secretary)
        url = f"/clusters/{code}/2021/{page}"
        client.get(url)
        _write(code, units)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[size] = len(queries)
    assert counts[7] == counts[25], counts
