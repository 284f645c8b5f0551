"""How long the cluster tables of a whole country take, against one SQL GROUP BY.

A national table: 40 clusters of 10 units, 60 indicators, submitted figures for two years
(48.000 values). The service side is what the Ministry's overview runs: the year's cycles,
then `stats.selectors.year_totals`, every cluster's total row as `cluster_tables` makes it
(lineage, baselines, the totals of both years), each cell's value and change read. The
member rows' cells and checks are made when first read (a cluster's page reads them all,
the overview none), so the overview does not pay for them; the run also times the whole
national table with every row's cells, changes, jumps and checks read, as information
beside the goal. The baseline is a single SQL GROUP BY summing the same rows per cluster
and indicator, measured in the same run so the ratio holds on a noisy machine.

    .venv/bin/python benchmarks/stats_bench.py            # a fresh SQLite file in a temp dir
    THIDUA_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
        .venv/bin/python benchmarks/stats_bench.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal

from goals import Goals  # benchmarks/goals.py (scripts run from their folder)

CLUSTERS, UNITS_PER_CLUSTER, INDICATORS, YEAR = 40, 10, 60, 2021
REPEATS = 5


def setup_django() -> None:
    os.environ.setdefault("THIDUA_VAR_DIR", tempfile.mkdtemp(prefix="thidua-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thidua.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build() -> list:
    """Units, clusters, cycles and two years of figures, written in bulk."""
    from datetime import date

    from thidua.org.models import Cluster, Cycle, Membership, RuleSet, Unit
    from thidua.stats.models import Indicator, Report, ReportValue

    rule_set, _ = RuleSet.objects.get_or_create(
        code="bench", version=1, defaults={"name": "bench", "effective_from": date(2000, 1, 1)}
    )
    existing = Indicator.objects.count()
    Indicator.objects.bulk_create(
        [
            Indicator(
                code=f"bench_{n}",
                name=f"Chỉ tiêu thử {n}",
                name_en=f"Test indicator {n}",
                section="Thử",
                section_en="Test",
                measure="vụ",
                measure_en="cases",
                kind="count",
                position=1000 + n,
            )
            for n in range(INDICATORS - existing)
        ]
    )
    indicators = list(Indicator.objects.exclude(kind="rate"))
    cycles = []
    for c in range(CLUSTERS):
        units = Unit.objects.bulk_create(
            [
                Unit(code=f"b{c}-{u}", name=f"Công an thử {c}-{u}", short_name=f"Thử {c}-{u}")
                for u in range(UNITS_PER_CLUSTER)
            ]
        )
        cluster = Cluster.objects.create(code=f"bench-{c}", name=f"Cụm thử {c}")
        cycle = Cycle.objects.create(
            cluster=cluster,
            year=YEAR,
            title=cluster.name,
            rule_set=rule_set,
            leader=units[0],
            phase="reporting",
        )
        Membership.objects.bulk_create([Membership(cycle=cycle, unit=unit) for unit in units])
        for year in (YEAR - 1, YEAR):
            reports = Report.objects.bulk_create(
                [
                    Report(
                        unit=unit,
                        year=year,
                        period="Y",
                        cycle=cycle if year == YEAR else None,
                        status="submitted",  # figures that count: totals, changes, checks
                    )
                    for unit in units
                ]
            )
            ReportValue.objects.bulk_create(
                [
                    ReportValue(
                        report=report,
                        indicator=indicator,
                        value=Decimal((hash((report.pk, indicator.pk)) % 900) + 100),
                    )
                    for report in reports
                    for indicator in indicators
                ],
                batch_size=5000,
            )
        cycles.append(cycle)
    return cycles


def through_the_service(cycles) -> float:
    """What the Ministry's overview runs: the year's cycles with what its rows show of them
    (cluster, leader), then every cluster's totals (`year_totals`, which reads the members:
    the total rows of `cluster_tables`, each cell's value and change read)."""
    from thidua.org.models import Cycle
    from thidua.stats.selectors import year_totals

    start = time.perf_counter()
    loaded = list(
        Cycle.objects.filter(pk__in=[c.pk for c in cycles]).select_related("cluster", "leader")
    )
    totals = year_totals(loaded)
    assert len(totals) == CLUSTERS
    assert all(total.reported == UNITS_PER_CLUSTER for total in totals)
    return time.perf_counter() - start


def every_cell(cycles) -> float:
    """The whole national table: `cluster_tables` with every row's cells (value, change,
    jump), problems and mismatches read, as 40 cluster pages would."""
    from thidua.org.models import Cycle
    from thidua.org.selectors import with_members
    from thidua.stats.selectors import cluster_tables

    start = time.perf_counter()
    loaded = list(with_members(Cycle.objects.filter(pk__in=[c.pk for c in cycles])))
    tables = cluster_tables(loaded)
    read = 0
    for table in tables:
        assert len(table.rows) == UNITS_PER_CLUSTER
        for row in [*table.rows, table.total]:
            read += len(row.problems) + len(row.mismatches)
            for cell in row.cells:
                read += cell.change is not None or cell.jump is not None
    assert read
    return time.perf_counter() - start


def one_group_by() -> float:
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT m.cycle_id, v.indicator_id, r.year, SUM(v.value)
            FROM stats_reportvalue v
            JOIN stats_report r ON r.id = v.report_id
            JOIN org_membership m ON m.unit_id = r.unit_id
            WHERE r.period = 'Y' AND r.year IN (%s, %s)
            GROUP BY m.cycle_id, v.indicator_id, r.year
            """,
            [YEAR - 1, YEAR],
        )
        rows = cursor.fetchall()
    assert len(rows) >= CLUSTERS * 2
    return time.perf_counter() - start


def main() -> int:
    setup_django()
    from thidua.stats.models import ReportValue

    started = time.perf_counter()
    cycles = build()
    values = ReportValue.objects.count()
    print(
        f"data: {CLUSTERS} clusters × {UNITS_PER_CLUSTER} units, {INDICATORS} indicators, "
        f"2 years = {values} values (built in {time.perf_counter() - started:.1f} s)"
    )
    service, sql, whole = [], [], []
    for _ in range(REPEATS):
        sql.append(one_group_by())
        service.append(through_the_service(cycles))
        whole.append(every_cell(cycles))
    s, q, w = statistics.median(service), statistics.median(sql), statistics.median(whole)
    print(f"national overview through the service (median of {REPEATS}): {s * 1000:.0f} ms")
    print(f"one SQL GROUP BY over the same rows (median of {REPEATS}): {q * 1000:.1f} ms")
    print(f"ratio service / GROUP BY: {s / q:.1f}×")
    print(f"(every cell of every table read: {w * 1000:.0f} ms, {w / q:.1f}× the GROUP BY)")
    goals = Goals()
    goals.at_most("national statistics / one GROUP BY", s / q, 2)
    return goals.status()


if __name__ == "__main__":
    sys.exit(main())
