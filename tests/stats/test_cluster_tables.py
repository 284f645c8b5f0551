"""The cluster tables read in one batch (`cluster_tables`, behind `cluster_table` and the
Ministry's overview) are the tables the unit-by-unit reading built, lineage included, and
their number of queries does not grow with the units."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thidua.core import indicators as core
from thidua.core import plausibility
from thidua.org import selectors as org_selectors
from thidua.org.models import Cluster, Cycle, Membership, RuleSet, Unit
from thidua.stats import selectors
from thidua.stats.models import Indicator, PublishedFigure, Report, ReportValue

pytestmark = pytest.mark.django_db

YEAR = 2025


# --- the reference: how the table was read before the batch (one unit list at a time) -----


def _reference_cells(indicators, cat, figures, before, limits=None, notes=None):
    now_values = core.values(figures, cat)
    before_values = core.values(before, cat)
    found = {jump.code: jump for jump in plausibility.jumps(figures, before, cat, limits or {})}
    notes = notes or {}
    cells = []
    for indicator in indicators:
        kind = core.Kind(indicator.kind)
        now, then = now_values[indicator.code], before_values[indicator.code]
        cells.append(
            selectors.Cell(
                indicator=indicator,
                value=now,
                reported=figures.get(indicator.code) if kind == core.Kind.RATE else None,
                before=then,
                jump=found.get(indicator.code),
                note=notes.get(indicator.code, ""),
            )
        )
    return cells


def reference_table(cycle, period=core.Period.YEAR, *, drafts_of=()):
    """`cluster_table` as it was: `figures_by_unit`, `baselines` with the whole lineage and
    the notes, read for this cycle alone."""
    cat, models = selectors.catalog()
    indicators = list(models.values())
    members = org_selectors.member_units(cycle)
    codes = [unit.code for unit in members]
    stored, reports = selectors.figures_by_unit(codes, cycle.year, period)
    counted = {
        code: figures for code, figures in stored.items() if core.counts(reports[code].status)
    }
    visible = {**{code: stored[code] for code in drafts_of if code in stored}, **counted}
    before = selectors.baselines(codes, cycle.year, period, cat, org_selectors.lineage())
    limits = selectors.thresholds(models)
    notes = selectors.notes_by_unit(list(visible), cycle.year, period)
    rows = []
    for unit in members:
        figures = visible.get(unit.code, {})
        rows.append(
            selectors.Row(
                unit=unit,
                report=reports.get(unit.code),
                cells=_reference_cells(
                    indicators,
                    cat,
                    figures,
                    before[unit.code].figures,
                    limits,
                    notes.get(unit.code, {}),
                ),
                baseline=before[unit.code],
                problems=core.validate(figures, cat),
                mismatches=core.check_rates(figures, cat),
            )
        )
    totals = core.cluster_total(counted, {code: before[code].figures for code in codes}, codes, cat)
    published = list(
        PublishedFigure.objects.filter(cycle=cycle, period=period.value).select_related("indicator")
    )
    published_figures = {
        **totals.now,
        **{figure.indicator.code: figure.value for figure in published},
    }
    return selectors.ClusterTable(
        cycle=cycle,
        period=period,
        indicators=indicators,
        rows=rows,
        total=selectors.Row(
            unit=None,
            report=None,
            cells=_reference_cells(indicators, cat, totals.now, totals.before),
        ),
        published=[(figure.indicator, figure.value, figure.source) for figure in published],
        published_mismatches=core.check_rates(published_figures, cat),
        missing_reports=[unit for unit in members if unit.code not in counted],
        counted=len(totals.counted),
        members=len(members),
    )


# --- random figures around the 2025 reorganisation ----------------------------------------

# Two clusters of 2025: merged provinces (two and three predecessors), a renamed one (Huế) and
# one that did not change (Sơn La); their 2024 figures are their predecessors'.
CLUSTERS = {
    "thu-a": ["tuyen-quang-2025", "lao-cai-2025", "son-la"],
    "thu-b": ["phu-tho-2025", "hue"],
}
BEFORE = ["ha-giang", "tuyen-quang", "yen-bai", "lao-cai", "vinh-phuc", "hoa-binh", "phu-tho"]
BEFORE += ["son-la", "thua-thien-hue"]
# counts (one with a threshold), a rate from two of them (also reported), an amount with a
# decimal, and one indicator that may be retired (its stored figures are then unknown)
CODES = ["social_order_cases", "social_order_solved", "clearance_rate", "drug_heroin_kg"]
RETIRABLE = "traffic_deaths"
STATUSES = [None, "draft", "submitted", "returned", core.AWAITING]

value = st.one_of(
    st.none(),
    st.just(Decimal(0)),
    st.integers(0, 40).map(Decimal),
    st.integers(0, 1000).map(lambda n: Decimal(n) / 10),  # tenths: amounts, reported rates
    # hundredths: a merger's sum is written with its most precise term's (1,25 + 1,75 = 3,00)
    st.integers(0, 1000).map(lambda n: Decimal(n) / 100),
)
report = st.tuples(st.sampled_from(STATUSES), st.lists(value, min_size=5, max_size=5))


def _write(unit: Unit, year: int, status, values, cycle=None, period="Y") -> None:
    if status is None:
        return
    made = Report.objects.create(
        unit=unit,
        year=year,
        period=period,
        status=status,
        cycle=cycle,
        notes={"social_order_cases": "Giải trình thử"} if values[0] is not None else {},
    )
    indicators = {item.code: item for item in Indicator.objects.all()}
    ReportValue.objects.bulk_create(
        [
            ReportValue(report=made, indicator=indicators[code], value=number)
            for code, number in zip([*CODES, RETIRABLE], values, strict=True)
            if number is not None
        ]
    )


def _cycles() -> list[Cycle]:
    rule_set = RuleSet.objects.order_by("pk").first()
    cycles = []
    for code, members in CLUSTERS.items():
        cluster = Cluster.objects.create(code=code, name=f"Cụm {code}")
        units = list(Unit.objects.filter(code__in=members))
        cycle = Cycle.objects.create(
            cluster=cluster,
            year=YEAR,
            title=cluster.name,
            rule_set=rule_set,
            leader=units[0],
            phase="reporting",
        )
        Membership.objects.bulk_create([Membership(cycle=cycle, unit=unit) for unit in units])
        cycles.append(cycle)
    return cycles


def _on_the_database(examples: int):
    """Hypothesis's settings for a property that writes its examples to the test database:
    no deadline (a query's time varies), the function-scoped database fixture shared."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@_on_the_database(60)
@given(
    now=st.lists(report, min_size=5, max_size=5),
    before=st.lists(report, min_size=len(BEFORE), max_size=len(BEFORE)),
    drafts_of=st.sets(st.sampled_from([c for members in CLUSTERS.values() for c in members])),
    retired=st.booleans(),
    published=st.one_of(st.none(), st.integers(0, 200).map(Decimal)),
)
def test_the_batch_reads_the_tables_of_the_unit_by_unit_reading(
    now, before, drafts_of, retired, published
):
    with transaction.atomic():
        Report.objects.filter(year__in=(YEAR - 1, YEAR)).delete()
        Indicator.objects.filter(code=RETIRABLE).update(active=not retired)
        made = _cycles()
        members = [code for codes in CLUSTERS.values() for code in codes]
        units = {unit.code: unit for unit in Unit.objects.filter(code__in=members + BEFORE)}
        for code, (status, values) in zip(members, now, strict=True):
            _write(units[code], YEAR, status, values)
        for code, (status, values) in zip(BEFORE, before, strict=True):
            _write(units[code], YEAR - 1, status, values)
        if published is not None:
            PublishedFigure.objects.create(
                cycle=made[0],
                period="Y",
                indicator=Indicator.objects.get(code="social_order_solved"),
                value=published,
                source="Báo cáo thử",
            )
        loaded = [org_selectors.get_cycle(code, YEAR) for code in CLUSTERS]
        expected = [
            reference_table(org_selectors.get_cycle(code, YEAR), drafts_of=drafts_of)
            for code in CLUSTERS
        ]
        batch = selectors.cluster_tables(loaded, drafts_of=drafts_of)
        assert batch == expected
        assert _as_written(batch) == _as_written(expected)
        # the rows' cells made when first read: trimmed before any was read, as the dashboard
        # and the documents do (`with_data_only`)
        unread = selectors.cluster_tables(loaded, drafts_of=drafts_of)
        assert [table.with_data_only() for table in unread] == [
            table.with_data_only() for table in expected
        ]
        single = selectors.cluster_table(
            org_selectors.get_cycle("thu-a", YEAR), drafts_of=drafts_of
        )
        assert single == expected[0]
        # the overview's totals, read apart from the tables, are their total rows
        assert _year_totals(selectors.year_totals(loaded)) == _total_rows(expected)
        transaction.set_rollback(True)


def _year_totals(totals) -> list:
    """What the overview shows of `year_totals`, every figure also as written."""
    return [
        (
            total.cycle.pk,
            total.reported,
            total.members,
            total.now,
            total.change,
            [(code, str(value)) for code, value in total.now.items()],
            [(code, str(change.before)) for code, change in total.change.items() if change],
        )
        for total in totals
    ]


def _total_rows(tables) -> list:
    """`_year_totals` of the tables' total rows."""
    return [
        (
            table.cycle.pk,
            table.counted,
            table.members,
            {cell.indicator.code: cell.value for cell in table.total.cells},
            {cell.indicator.code: cell.change for cell in table.total.cells},
            [(cell.indicator.code, str(cell.value)) for cell in table.total.cells],
            [
                (cell.indicator.code, str(cell.change.before))
                for cell in table.total.cells
                if cell.change
            ],
        )
        for table in tables
    ]


@_on_the_database(40)
@given(
    now=st.lists(report, min_size=5, max_size=5),
    predecessors=st.lists(
        st.tuples(report, st.sampled_from([0, 1, None])), min_size=len(BEFORE), max_size=len(BEFORE)
    ),
    before=st.lists(report, min_size=len(BEFORE), max_size=len(BEFORE)),
)
def test_the_overview_totals_are_the_total_rows_of_the_first_half_too(now, predecessors, before):
    """The first half of 2025 ended before the merged provinces existed: their rows, and so
    the totals, are their predecessors' reports in the cluster (another cluster's, or none,
    do not count), compared with those predecessors' first half of 2024."""
    with transaction.atomic():
        Report.objects.filter(year__in=(YEAR - 1, YEAR)).delete()
        made = _cycles()
        members = [code for codes in CLUSTERS.values() for code in codes]
        units = {unit.code: unit for unit in Unit.objects.filter(code__in=members + BEFORE)}
        for code, (status, values) in zip(members, now, strict=True):
            _write(units[code], YEAR, status, values, period="H1")
        for code, ((status, values), cycle) in zip(BEFORE, predecessors, strict=True):
            if code not in members:  # Sơn La's is its own report above
                in_cycle = None if cycle is None else made[cycle]
                _write(units[code], YEAR, status, values, in_cycle, period="H1")
        for code, (status, values) in zip(BEFORE, before, strict=True):
            _write(units[code], YEAR - 1, status, values, period="H1")
        loaded = [org_selectors.get_cycle(code, YEAR) for code in CLUSTERS]
        tables = selectors.cluster_tables(loaded, core.Period.H1)
        assert _year_totals(selectors.year_totals(loaded, core.Period.H1)) == _total_rows(tables)
        transaction.set_rollback(True)


# --- the overview's totals of a cluster of many units summed by the database ---------------

# Four units that did not change, one renamed and one formed by a merger at the start of 2025:
# `year_totals` sums the first five in one query (`_plain_sums`: itself or its one
# predecessor a year earlier) and reads the merged one as the tables do.
PLAIN = ["p0", "p1", "p2", "p3", "ten-moi"]
EARLIER = ["p0", "p1", "p2", "p3", "ten-cu", "gop-a", "gop-b"]


def _plain_cycle() -> Cycle:
    """A cycle of 2025 of `PLAIN` and "gop" (merged from "gop-a" and "gop-b")."""
    from thidua.core.lineage import EventKind
    from thidua.org.models import LineageEvent, LineageLink

    start, end = date(YEAR, 1, 1), date(YEAR - 1, 12, 31)
    units = {
        code: Unit.objects.create(
            code=code,
            name=f"Công an thử {code}",
            short_name=f"Thử {code}",
            valid_from=start if code in ("ten-moi", "gop") else None,
            valid_to=end if code in ("ten-cu", "gop-a", "gop-b") else None,
        )
        for code in [*PLAIN, "gop", "ten-cu", "gop-a", "gop-b"]
    }
    for kind, sources, target in (
        (EventKind.RENAME, ["ten-cu"], "ten-moi"),
        (EventKind.MERGE, ["gop-a", "gop-b"], "gop"),
    ):
        event = LineageEvent.objects.create(kind=kind, effective_date=start)
        LineageLink.objects.bulk_create(
            [LineageLink(event=event, unit=units[code], role="source") for code in sources]
            + [LineageLink(event=event, unit=units[target], role="target")]
        )
    cluster = Cluster.objects.create(code="thu-c", name="Cụm thu-c")
    cycle = Cycle.objects.create(
        cluster=cluster,
        year=YEAR,
        title=cluster.name,
        rule_set=RuleSet.objects.order_by("pk").first(),
        leader=units["p0"],
        phase="reporting",
    )
    Membership.objects.bulk_create(
        [Membership(cycle=cycle, unit=units[code]) for code in [*PLAIN, "gop"]]
    )
    return cycle


@_on_the_database(60)
@given(
    now=st.lists(report, min_size=len(PLAIN) + 1, max_size=len(PLAIN) + 1),
    before=st.lists(report, min_size=len(EARLIER), max_size=len(EARLIER)),
    retired=st.booleans(),
)
def test_the_totals_summed_by_the_database_are_the_unit_by_unit_totals(now, before, retired):
    """Several members summed by the database in one cluster (missing, draft or returned
    reports, figures one year only, a renamed unit) beside a merged one: the totals are
    those of the unit-by-unit reading, read from cycles loaded without their members."""
    with transaction.atomic():
        Indicator.objects.filter(code=RETIRABLE).update(active=not retired)
        cycle = _plain_cycle()
        units = {unit.code: unit for unit in Unit.objects.filter(code__in=[*PLAIN, *EARLIER])}
        units["gop"] = Unit.objects.get(code="gop")
        for code, (status, values) in zip([*PLAIN, "gop"], now, strict=True):
            _write(units[code], YEAR, status, values)
        for code, (status, values) in zip(EARLIER, before, strict=True):
            _write(units[code], YEAR - 1, status, values)
        expected = reference_table(org_selectors.get_cycle("thu-c", YEAR))
        bare = Cycle.objects.select_related("cluster", "leader").get(pk=cycle.pk)
        assert _year_totals(selectors.year_totals([bare])) == _total_rows([expected])
        transaction.set_rollback(True)


def test_a_total_a_year_earlier_is_over_the_units_that_have_the_figure_now():
    """One known case of the property above: a draft and a missing report do not count; a
    figure one unit lacks now leaves its figure a year earlier out of the comparison; one a
    unit lacks a year earlier leaves the indicator without a change; a renamed unit is
    compared with the unit it was; a sum keeps the decimals of its most precise term."""
    with transaction.atomic():
        cycle = _plain_cycle()
        units = {unit.code: unit for unit in Unit.objects.all()}
        # cases, solved, (clearance rate), heroin kg, (retirable)
        for code, year, status, values in (
            ("p0", YEAR, "submitted", [10, 4, None, "1.25", None]),
            ("p1", YEAR, "submitted", [20, None, None, "1.75", None]),
            ("p2", YEAR, "draft", [99, 99, None, None, None]),
            ("ten-moi", YEAR, "submitted", [5, 5, None, None, None]),
            ("p0", YEAR - 1, "submitted", [8, 2, None, "1", None]),
            ("p1", YEAR - 1, "submitted", [10, 7, None, None, None]),
            ("p2", YEAR - 1, "submitted", [50, 50, None, None, None]),
            ("ten-cu", YEAR - 1, "submitted", [5, 1, None, None, None]),
        ):
            _write(units[code], year, status, [v if v is None else Decimal(v) for v in values])
        bare = Cycle.objects.select_related("cluster", "leader").get(pk=cycle.pk)
        (total,) = selectors.year_totals([bare])
        assert (total.reported, total.members) == (3, 6)
        cases, solved = total.change["social_order_cases"], total.change["social_order_solved"]
        assert (cases.now, cases.before) == (35, 23)
        assert (solved.now, solved.before) == (9, 3)  # p0's and ten-moi's (ten-cu's); not p1's 7
        assert str(total.now["drug_heroin_kg"]) == "3.00"
        assert total.change["drug_heroin_kg"] is None  # p1 had none a year earlier
        transaction.set_rollback(True)


def _as_written(tables) -> list:
    """Every figure of the tables as text: equal Decimals may still differ in how they are
    written (600 and 600.0000), and the batch reads the stored numbers its own way."""
    return [
        [
            (str(cell.value), str(cell.reported), str(cell.before))
            for row in [*table.rows, table.total]
            for cell in row.cells
        ]
        + [
            sorted((code, str(value)) for code, value in row.baseline.figures.items())
            for row in table.rows
        ]
        for table in tables
    ]


def test_the_merged_units_are_compared_with_their_predecessors_summed():
    """The property above also holds when both sides are wrong the same way: one known case."""
    with transaction.atomic():
        Report.objects.filter(year__in=(YEAR - 1, YEAR)).delete()
        cycle = _cycles()[0]
        units = {unit.code: unit for unit in Unit.objects.all()}
        submitted = ("submitted", [Decimal(600), Decimal(540), None, None, None])
        _write(units["tuyen-quang-2025"], YEAR, *submitted)
        _write(
            units["ha-giang"], YEAR - 1, "submitted", [Decimal(400), Decimal(300), None, None, None]
        )
        _write(
            units["tuyen-quang"],
            YEAR - 1,
            "submitted",
            [Decimal(350), Decimal(320), None, None, None],
        )
        table = selectors.cluster_table(org_selectors.get_cycle(cycle.cluster.code, YEAR))
        row = next(row for row in table.rows if row.unit.code == "tuyen-quang-2025")
        cases = row.cells[[i.code for i in table.indicators].index("social_order_cases")]
        assert (cases.value, cases.before, cases.change.percent) == (600, 750, Decimal("-20.0"))
        assert row.baseline.names == ("Hà Giang", "Tuyên Quang")
        transaction.set_rollback(True)


# --- the number of queries ------------------------------------------------------------------


def _national(clusters: int, size: int, tag: str) -> list[Cycle]:
    """`clusters` cluster years of `size` new units each, with submitted figures for two years
    and one merger per cluster (two units of the year before became one member)."""
    from thidua.core.lineage import EventKind
    from thidua.org.models import LineageEvent, LineageLink

    rule_set = RuleSet.objects.order_by("pk").first()
    indicators = list(Indicator.objects.filter(code__in=CODES))
    cycles = []
    for c in range(clusters):
        units = Unit.objects.bulk_create(
            [
                Unit(code=f"{tag}{c}-{n}", name=f"Công an thử {n}", short_name=f"Thử {tag}{c}-{n}")
                for n in range(size)
            ]
        )
        old = Unit.objects.bulk_create(
            [
                Unit(
                    code=f"{tag}{c}-cu{n}",
                    name=f"Công an cũ {n}",
                    short_name=f"Cũ {tag}{c}-{n}",
                    valid_to=date(YEAR, 6, 30),
                )
                for n in range(2)
            ]
        )
        Unit.objects.filter(pk=units[0].pk).update(valid_from=date(YEAR, 7, 1))
        event = LineageEvent.objects.create(kind=EventKind.MERGE, effective_date=date(YEAR, 7, 1))
        LineageLink.objects.bulk_create(
            [LineageLink(event=event, unit=unit, role="source") for unit in old]
            + [LineageLink(event=event, unit=units[0], role="target")]
        )
        cluster = Cluster.objects.create(code=f"{tag}-{c}", name=f"Cụm {tag} {c}")
        cycle = Cycle.objects.create(
            cluster=cluster, year=YEAR, title=cluster.name, rule_set=rule_set, leader=units[1]
        )
        Membership.objects.bulk_create([Membership(cycle=cycle, unit=unit) for unit in units])
        for year, reporting in ((YEAR, units), (YEAR - 1, [*units[1:], *old])):
            reports = Report.objects.bulk_create(
                [Report(unit=unit, year=year, period="Y", status="submitted") for unit in reporting]
            )
            ReportValue.objects.bulk_create(
                [
                    ReportValue(report=made, indicator=indicator, value=Decimal(7))
                    for made in reports
                    for indicator in indicators
                ]
            )
        cycles.append(cycle)
    return cycles


def _queries(cycles: list[Cycle]) -> int:
    loaded = list(
        org_selectors.with_members(Cycle.objects.filter(pk__in=[cycle.pk for cycle in cycles]))
    )
    with CaptureQueriesContext(connection) as queries:
        tables = selectors.cluster_tables(loaded)
    assert sum(len(table.rows) for table in tables) == sum(len(c.memberships.all()) for c in loaded)
    assert all(row.baseline.figures for table in tables for row in table.rows)
    with CaptureQueriesContext(connection) as later:  # the cells and checks, made when read
        for table in tables:
            for row in [*table.rows, table.total]:
                assert row.cells
                assert None not in (row.problems, row.mismatches)
    assert len(later) == 0
    return len(queries)


def test_the_overview_does_not_make_the_member_rows_cells():
    """The Ministry's overview shows the total rows of the national table only: the members'
    cells and checks (26.400 cells) are made when a cluster's page or a document reads them."""
    cycles = _national(2, 3, "o")
    loaded = list(
        org_selectors.with_members(Cycle.objects.filter(pk__in=[cycle.pk for cycle in cycles]))
    )
    tables = selectors.cluster_tables(loaded)
    totals = selectors.year_totals(loaded)
    assert [total.now for total in totals] == [
        {cell.indicator.code: cell.value for cell in table.total.cells} for table in tables
    ]
    made = {name for table in tables for row in table.rows for name in vars(row)}
    assert made & {"cells", "problems", "mismatches"} == set()


def test_the_number_of_queries_does_not_grow_with_clusters_and_units():
    small = _queries(_national(2, 3, "s"))
    large = _queries(_national(6, 12, "l"))
    assert small == large


def test_one_table_reads_in_a_fixed_number_of_queries():
    small, large = _national(1, 3, "s"), _national(1, 20, "l")
    assert _queries(small) == _queries(large)


def test_the_overview_totals_read_in_a_fixed_number_of_queries():
    def queries(cycles: list[Cycle]) -> int:
        loaded = list(
            org_selectors.with_members(Cycle.objects.filter(pk__in=[cycle.pk for cycle in cycles]))
        )
        with CaptureQueriesContext(connection) as read:
            totals = selectors.year_totals(loaded)
        assert all(total.reported == total.members for total in totals)
        return len(read)

    assert queries(_national(2, 3, "s")) == queries(_national(6, 12, "l"))
