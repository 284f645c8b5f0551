"""Every page and API read (each GET route of the permission matrix) issues as many SQL
queries when the demo's Cụm II 2020 has 25 member units as with its 7 (issue 18): a read per
unit, sheet, report or delegate would make a national server slow.

The demo year is grown in place: 18 more provinces join it, each with what Sơn La has —
its reports and their figures, targets, facts, its agreement confirmation, its delegates —
and score sheets between every pair the 18 add, copied from Sơn La's. Each page is asked
cold (nothing kept per version: `PageCache` emptied), by the first person of the matrix
allowed to see it, before and after."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.security.matrix import PEOPLE, PROBES, Probe
from thidua.audit.models import PageCache
from thidua.org.models import Cycle, Membership, Unit, User, UserKind
from thidua.scoring.models import Confirmation, Fact, Score, ScoreSheet, Target
from thidua.stats.models import Report, ReportValue
from thidua.voting.models import Delegate

pytestmark = pytest.mark.django_db

ADDED = 18  # 7 + 18 = 25 member units
TEMPLATE = "son-la"  # each added unit gets what this one has

#: pages whose queries grow with the units: at most so many per unit added, and why
GROWING = {
    "/clusters/cum-2/2020/record.json": (
        3,
        "the record carries the digest of each member's score sheet, and building one reads "
        "its own scores, the conference and the cycle's version (the results are computed "
        "once for the whole export: `scoring.selectors.results_shared`)",
    ),
}

#: reads the demo year cannot show as they stand, and why (their queries are not counted)
NOT_COUNTED = {
    "/decisions/1/pdf/": "the matrix's decision number is not the demo's (404)",
    "/clusters/cum-2/2020/stats/son-la/on-behalf/": "entered on behalf while reporting only",
    "/clusters/cum-2/2020/stats/import/": "opens while reports are written only",
    "/clusters/cum-2/2020/scoring/son-la/ha-giang/on-behalf/": "while scoring only",
    "/api/cycles/cum-2/2020/ceremony": "the demo's polls are not encrypted: no key ceremony",
    "/api/cycles/cum-2/2020/polls/co-bo-cong-an/sealed": "nor a sealed poll (400)",
    "/api/cycles/cum-2/2020/ballot-transcript": "nor a ballot transcript (404)",
}

GETS = [probe for probe in PROBES if probe.method == "GET" and not probe.setup]


def _copy(rows, **changes) -> list:
    """Copies of model `rows` with `changes` (values, or callables of the row)."""
    copies = []
    for row in rows:
        row.pk = row.id = None
        for name, value in changes.items():
            setattr(row, name, value(row) if callable(value) else value)
        copies.append(row)
    return copies


def _grow(cycle: Cycle) -> list[Unit]:
    template = Unit.objects.get(code=TEMPLATE)
    units = Unit.objects.bulk_create(
        [
            Unit(code=f"them-{n}", name=f"Công an tỉnh Thêm {n}", short_name=f"Thêm {n}")
            for n in range(ADDED)
        ]
    )
    Membership.objects.bulk_create([Membership(cycle=cycle, unit=unit) for unit in units])
    for unit in units:
        for report in Report.objects.filter(unit=template):
            values = list(ReportValue.objects.filter(report=report))
            (copy,) = _copy([report], unit=unit)
            copy.save()
            ReportValue.objects.bulk_create(_copy(values, report=copy))
        Target.objects.bulk_create(_copy(Target.objects.filter(unit=template), unit=unit))
        Fact.objects.bulk_create(_copy(Fact.objects.filter(unit=template), unit=unit))
        Confirmation.objects.bulk_create(
            _copy(Confirmation.objects.filter(unit=template), unit=unit)
        )
        delegates = Delegate.objects.filter(conference__cycle=cycle, unit=template)
        for n, delegate in enumerate(delegates):
            user = User.objects.create(
                username=f"{unit.code}.daibieu{n}", kind=UserKind.DELEGATE, unit=unit
            )
            Delegate.objects.bulk_create(
                _copy([delegate], unit=unit, user=user, login_key_hash="", device_key="")
            )
    _copy_sheets(cycle, template, units)
    return units


def _copy_sheets(cycle: Cycle, template: Unit, units: list[Unit]) -> None:
    """A sheet for every new pair: a copy of Sơn La's self-assessment or of a sheet Sơn La
    gave, with its scores."""
    sheets = ScoreSheet.objects.filter(cycle=cycle)
    own = sheets.get(scorer=template, target=template)
    given = sheets.filter(scorer=template).exclude(target=template).first()
    members = list(cycle.members.all())
    pairs = [
        (scorer, target)
        for scorer in members
        for target in members
        if scorer in units or target in units
    ]
    for scorer, target in pairs:
        model = own if scorer == target else given
        scores = list(Score.objects.filter(sheet=model))
        (copy,) = _copy([ScoreSheet.objects.get(pk=model.pk)], scorer=scorer, target=target)
        copy.save()
        Score.objects.bulk_create(_copy(scores, sheet=copy))


def _reader(probe: Probe, cycle: Cycle) -> User | None:
    """The first person of the matrix the page is open to."""
    for username in PEOPLE:
        user = User.objects.get(username=username)
        if probe.allows(user, cycle):
            return user
    return None


def _counts(cycle: Cycle) -> dict[str, int | str]:
    """Each read's queries, or why it was not counted (nobody may read it in this phase, or
    its answer's status)."""
    counts: dict[str, int | str] = {}
    for probe in GETS:
        client = Client()
        reader = _reader(probe, cycle)
        if reader is None:
            counts[probe.path] = "nobody may read it now"
            continue
        client.force_login(reader)
        client.get(probe.path)  # what a first request caches (session, content types)
        PageCache.objects.all().delete()  # cold: computed, not read back per version
        with CaptureQueriesContext(connection) as queries:
            response = client.get(probe.path)
        counts[probe.path] = (
            len(queries) if response.status_code == 200 else f"status {response.status_code}"
        )
    return counts


def test_every_page_reads_as_many_queries_for_25_units_as_for_7():
    cycle = Cycle.objects.get(cluster__code="cum-2", year=2020)
    assert cycle.members.count() == 7
    before = _counts(cycle)
    _grow(cycle)
    assert cycle.members.count() == 7 + ADDED
    after = _counts(cycle)
    uncounted = {path for path, count in before.items() if not isinstance(count, int)}
    assert uncounted == set(NOT_COUNTED), {path: before[path] for path in uncounted}
    grew = {
        path: (before[path], after[path])
        for path in before
        if path not in uncounted
        and after[path] - before[path] > GROWING.get(path, (0, ""))[0] * ADDED
    }
    assert grew == {}, grew


def test_every_read_route_of_the_matrix_is_counted():
    """A GET route the matrix tries only after a setup is left out: only this one, a file
    read by its id whatever the number of units."""
    set_up = [probe.path for probe in PROBES if probe.method == "GET" and probe.setup]
    assert set_up == ["/clusters/cum-2/2020/scoring/review/item/9001/attachment/"]
    assert len(GETS) > 40
