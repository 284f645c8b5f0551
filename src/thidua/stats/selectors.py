"""Reads of statistics, with a fixed number of queries however many units and indicators.

The cluster table puts, for every member unit, its figures of the period beside the same
period a year earlier. "A year earlier" follows the lineage: a unit formed by a merger is
compared with the sum of its predecessors' figures (rates recomputed from those sums).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import chain

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet

from thidua.core import indicators as core
from thidua.core import plausibility
from thidua.core.lineage import Ancestry, Lineage
from thidua.core.messages import Phrase, Problem
from thidua.core.numbers import round_half_up, tidy
from thidua.core.text import collation_key
from thidua.org import selectors as org_selectors
from thidua.org.models import Cycle, Unit
from thidua.stats.models import Indicator, PublishedFigure, Report, ReportValue


def catalog(*, active_only: bool = True) -> tuple[dict[str, core.Indicator], dict[str, Indicator]]:
    """The catalog for the core (code → core indicator) and as models (code → model)."""
    cat, models, _codes = _catalog(active_only=active_only)
    return cat, models


def _catalog(
    *, active_only: bool = True
) -> tuple[dict[str, core.Indicator], dict[str, Indicator], dict[int, str]]:
    """`catalog`, and every indicator's code by primary key (inactive ones too: a stored
    figure of an indicator since retired still shows as unknown), one query."""
    models = list(Indicator.objects.all())
    codes = {model.pk: model.code for model in models}
    chosen = [model for model in models if model.active or not active_only]
    return (
        {model.code: model.as_core(codes) for model in chosen},
        {model.code: model for model in chosen},
        codes,
    )


def thresholds(models: Mapping[str, Indicator]) -> dict[str, plausibility.Threshold]:
    """The plausibility thresholds of the catalog's indicators that have one."""
    return {code: model.threshold for code, model in models.items() if model.threshold.active}


def notes_by_unit(
    unit_codes: Iterable[str], year: int, period: core.Period
) -> dict[str, dict[str, str]]:
    """unit code → indicator code → the unit's explanation of a jump (one query)."""
    rows = Report.objects.filter(
        unit__code__in=list(unit_codes), year=year, period=period.value
    ).values_list("unit__code", "notes")
    return {unit_code: dict(notes or {}) for unit_code, notes in rows}


def jumps_of(
    unit: Unit, year: int, period: core.Period, figures: Mapping[str, Decimal]
) -> list[plausibility.Jump]:
    """The implausible changes of a unit's `figures` against its lineage baseline."""
    cat, models = catalog()
    before = baselines([unit.code], year, period, cat, org_selectors.lineage())[unit.code]
    return plausibility.jumps(figures, before.figures, cat, thresholds(models))


def figures_by_unit(
    unit_codes: Iterable[str], year: int, period: core.Period, *, counted_only: bool = False
):
    """(unit code → figures, unit code → report) for one period: two queries. Every report,
    drafts included, unless `counted_only` (see `counted_reports`)."""
    codes = list(unit_codes)
    reports = Report.objects.filter(unit__code__in=codes, year=year, period=period.value)
    values = ReportValue.objects.filter(
        report__unit__code__in=codes, report__year=year, report__period=period.value
    )
    if counted_only:
        reports = reports.filter(status__in=core.COUNTED_STATUSES)
        values = values.filter(report__status__in=core.COUNTED_STATUSES)
    found = {
        report.unit.code: report
        for report in reports.select_related("unit", "on_behalf_by", "confirmed_by")
    }
    figures: dict[str, dict[str, Decimal]] = defaultdict(dict)
    rows = values.values_list("report__unit__code", "indicator__code", "value")
    for unit_code, indicator_code, value in rows:
        figures[unit_code][indicator_code] = tidy(value)
    return {code: dict(figures.get(code, {})) for code in found}, found


def counted_reports(
    unit_codes: Iterable[str], year: int, period: core.Period = core.Period.YEAR
) -> tuple[dict[str, dict[str, Decimal]], dict[str, Report]]:
    """(unit code → figures, unit code → report) of the reports that count: submitted ones
    (`core.COUNTED_STATUSES`). The one rule for cluster totals, charts, "reported" lists and
    the automatic scoring criteria: a draft or a returned report is the unit's work in
    progress, seen only by the unit and the leader secretary. Two queries."""
    return figures_by_unit(unit_codes, year, period, counted_only=True)


@dataclass(frozen=True)
class Baseline:
    """The same period a year earlier, for one unit, after lineage."""

    units: frozenset[str]
    figures: dict[str, Decimal]
    missing: frozenset[str]  # units of the lineage that have no report for that period
    partial: bool  # a split lies between: the predecessors covered more territory
    # the short names of the units summed, when they are not the unit itself (a merger, a
    # renaming): "Hà Giang, Tuyên Quang" for Tuyên Quang 2025, so the reader sees the sum
    names: tuple[str, ...] = ()
    missing_names: tuple[str, ...] = ()  # likewise, those of them without a report

    @property
    def lineage(self) -> bool:
        """Compared with other units than itself: its predecessors (see `names`)."""
        return bool(self.names)


def baselines(
    units: Iterable[str], year: int, period: core.Period, cat: core.Catalog, lineage: Lineage
) -> dict[str, Baseline]:
    """Each unit's figures a year earlier, summed over the units it stood for then."""
    ancestry = ancestries(units, year, period, lineage)
    wanted = {code for item in ancestry.values() for code in item.units}
    previous, _reports = counted_reports(wanted, year - 1, period)
    return _baselines(ancestry, previous, cat)


def ancestries(
    units: Iterable[str], year: int, period: core.Period, lineage: Lineage
) -> dict[str, Ancestry]:
    """Each unit's predecessors on the last day of the same period a year earlier."""
    day = period.end(year - 1)
    return {code: lineage.ancestors_on(code, day) for code in units}


def _baselines(
    ancestry: Mapping[str, Ancestry], previous: Mapping[str, core.Figures], cat: core.Catalog
) -> dict[str, Baseline]:
    """The baselines from the counted figures of a year earlier (`previous`, unit → figures of
    every unit in `ancestry`)."""
    others = {code for code, item in ancestry.items() if item.units != {code}}
    # one more query, only when some unit stands for others (a merger, a renaming)
    named = (
        org_selectors.units_by_code({c for code in others for c in ancestry[code].units})
        if others
        else {}
    )

    def label(units: frozenset[str]) -> tuple[str, ...]:
        return tuple(
            sorted((named[c].short_name if c in named else c for c in units), key=collation_key)
        )

    result = {}
    for code, item in ancestry.items():
        figures, missing = core.baseline(previous, item.units, item.partial, cat)
        lineage = code in others
        result[code] = Baseline(
            item.units,
            figures,
            missing,
            item.partial,
            label(item.units) if lineage else (),
            label(missing) if lineage else (),
        )
    return result


@dataclass(slots=True)
class Cell:
    """One figure of a row beside last year's. A national table makes tens of thousands: not
    frozen (several times slower to build) and the change derived when read, not stored."""

    indicator: Indicator
    value: Decimal | None  # entered count/amount, or the rate computed from its counts
    reported: Decimal | None  # a rate as the unit typed it
    before: Decimal | None
    jump: plausibility.Jump | None = None  # an implausible change: it asks for a note
    note: str = ""  # the unit's explanation of the change

    @property
    def change(self) -> core.Change | None:
        return core.change(self.value, self.before, core.Kind(self.indicator.kind))

    @property
    def decimals(self) -> int:
        return core.shown_decimals(self.indicator.kind, self.indicator.decimals)

    @property
    def better(self) -> bool | None:
        return (
            self.change.is_better(core.Direction(self.indicator.direction)) if self.change else None
        )


@dataclass
class Row:
    unit: Unit | None  # None for the cluster total
    report: Report | None
    cells: list[Cell]
    baseline: Baseline | None = None
    problems: list[Problem] = field(default_factory=list)
    mismatches: list[core.RateMismatch] = field(default_factory=list)
    highlights: str = ""  # the unit's highlights of the movement (year report), if shown

    @property
    def notes(self) -> list[Phrase | Problem]:
        return [*self.problems, *(mismatch.phrase() for mismatch in self.mismatches)]

    @property
    def explained(self) -> list[Cell]:
        """The cells with an implausible change or an explanation, for reviewers."""
        return [cell for cell in self.cells if cell.jump is not None or cell.note]

    @property
    def counted(self) -> bool:
        """The row's report counts in the cluster's figures (see `counted_reports`)."""
        return self.report is not None and core.counts(self.report.status)


Plan = list[tuple[Indicator, str, bool]]  # (indicator, its code, whether a rate)


def _plan(indicators: Iterable[Indicator]) -> Plan:
    """What `_cells` asks of each indicator, asked once per table, not once per cell."""
    return [
        (indicator, indicator.code, indicator.kind == core.Kind.RATE) for indicator in indicators
    ]


def _cells(
    plan: Plan,
    cat: core.Catalog,
    figures: Mapping[str, Decimal],
    before: Mapping[str, Decimal],
    limits: plausibility.Thresholds | None = None,
    notes: Mapping[str, str] | None = None,
) -> list[Cell]:
    now_values = core.values(figures, cat)
    before_values = core.values(before, cat)
    found = (
        {
            jump.code: jump
            for jump in plausibility.jumps_of_values(now_values, before_values, cat, limits)
        }
        if limits
        else None
    )
    notes = notes or None
    return [
        Cell(
            indicator,
            now_values[code],
            figures.get(code) if rate else None,
            before_values[code],
            found.get(code) if found else None,
            notes.get(code, "") if notes else "",
        )
        for indicator, code, rate in plan
    ]


@dataclass
class ClusterTable:
    cycle: Cycle
    period: core.Period
    indicators: list[Indicator]
    rows: list[Row]
    total: Row
    published: list[tuple[Indicator, Decimal, str]]
    published_mismatches: list[core.RateMismatch]
    missing_reports: list[Unit]  # members whose report does not count yet (none, or a draft)
    counted: int = 0  # members whose report counts
    members: int = 0

    @property
    def partial(self) -> bool:
        """Some members have not submitted: totals and their change are over `counted` units."""
        return 0 < self.counted < self.members

    def with_data_only(self) -> ClusterTable:
        """The same table without the indicators nobody reported, this year or last."""
        rows = [*self.rows, self.total]
        keep = [
            index
            for index in range(len(self.indicators))
            if any(
                row.cells[index].value is not None or row.cells[index].before is not None
                for row in rows
            )
        ]

        def trimmed(row: Row) -> Row:
            return replace(row, cells=[row.cells[index] for index in keep])

        return replace(
            self,
            indicators=[self.indicators[index] for index in keep],
            rows=[trimmed(row) for row in self.rows],
            total=trimmed(self.total),
        )

    @property
    def sections(self) -> list[tuple[str, int]]:
        """(section label, number of indicators) for the grouped table header."""
        groups: list[tuple[str, int]] = []
        for indicator in self.indicators:
            if groups and groups[-1][0] == indicator.section_label:
                groups[-1] = (groups[-1][0], groups[-1][1] + 1)
            else:
                groups.append((indicator.section_label, 1))
        return groups


def cluster_table(
    cycle: Cycle, period: core.Period = core.Period.YEAR, *, drafts_of: Iterable[str] = ()
) -> ClusterTable:
    """Every member's figures beside last year's, the cluster totals, and the checks.

    Totals, their change and the missing list come from the reports that count only. A row
    whose report does not count shows no figures, except for the units in `drafts_of` (those
    whose drafts the viewer may see: the unit itself, the leader secretary)."""
    return cluster_tables([cycle], period, drafts_of=drafts_of)[0]


def cluster_tables(
    cycles: Iterable[Cycle],
    period: core.Period = core.Period.YEAR,
    *,
    drafts_of: Iterable[str] = (),
) -> list[ClusterTable]:
    """`cluster_table` of every cycle, in their order (the national office reads them all).

    A fixed number of queries however many clusters, units and indicators (a few per year
    among the cycles): the catalog, the lineage and the published figures once, then per year
    the reports, their figures and last year's counted figures, each in one query."""
    cycles, drafts_of = list(cycles), set(drafts_of)
    if not cycles:
        return []
    cat, models, codes_by_pk = _catalog()
    lineage = org_selectors.lineage()
    limits = thresholds(models)
    published: dict[int, list[PublishedFigure]] = defaultdict(list)
    for figure in PublishedFigure.objects.filter(
        cycle__in=[cycle.pk for cycle in cycles], period=period.value
    ).select_related("indicator"):
        published[figure.cycle_id].append(figure)
    members_of = {cycle.pk: org_selectors.member_units(cycle) for cycle in cycles}
    by_year: dict[int, list[Cycle]] = defaultdict(list)
    for cycle in cycles:
        by_year[cycle.year].append(cycle)
    tables = {}
    for year, group in by_year.items():
        units = {unit.code: unit for cycle in group for unit in members_of[cycle.pk]}
        stored, reports = _figures_of_members(units.values(), year, period, codes_by_pk)
        ancestry = ancestries(units, year, period, lineage)
        previous = _counted_figures(
            {code for item in ancestry.values() for code in item.units},
            year - 1,
            period,
            codes_by_pk,
        )
        before = _baselines(ancestry, previous, cat)
        for cycle in group:
            tables[cycle.pk] = _table(
                cycle,
                period,
                members_of[cycle.pk],
                (cat, models, limits),
                (stored, reports, before),
                published[cycle.pk],
                drafts_of,
            )
    return [tables[cycle.pk] for cycle in cycles]


def _figures_of_members(
    units: Iterable[Unit], year: int, period: core.Period, codes_by_pk: Mapping[int, str]
) -> tuple[dict[str, dict[str, Decimal]], dict[str, Report]]:
    """`figures_by_unit` of many units at once, in two queries: the figures are read by
    report, not joined through the units and the reports again."""
    by_pk = {unit.pk: unit for unit in units}
    found = {}
    for report in Report.objects.filter(
        unit_id__in=list(by_pk), year=year, period=period.value
    ).select_related("on_behalf_by", "confirmed_by"):
        unit = by_pk[report.unit_id]
        Report.unit.field.set_cached_value(report, unit)  # the member itself, not a copy
        found[unit.code] = report
    figures: dict[str, dict[str, Decimal]] = {code: {} for code in found}
    into = {report.pk: figures[code] for code, report in found.items()}
    with _with_figures(
        ReportValue.objects.filter(report_id__in=list(into))
        .values_list("report_id", "indicator_id", "value")
        .order_by("pk")
    ) as (rows, tidied):
        for report_id, indicator_id, value in rows:
            into[report_id][codes_by_pk[indicator_id]] = tidied[value]
    return figures, found


def _counted_figures(
    unit_codes: Iterable[str], year: int, period: core.Period, codes_by_pk: Mapping[int, str]
) -> dict[str, dict[str, Decimal]]:
    """The figures of `counted_reports` (a unit with a counted report but no figure has
    none), in one query."""
    figures: dict[str, dict[str, Decimal]] = {}
    last, found = None, {}
    with _with_figures(
        Report.objects.filter(
            unit__code__in=list(unit_codes),
            year=year,
            period=period.value,
            status__in=core.COUNTED_STATUSES,
        ).values_list("unit__code", "values__indicator_id", "values__value")
    ) as (rows, tidied):
        for unit_code, indicator_id, value in rows:
            if unit_code != last:  # a report's figures mostly come together
                last, found = unit_code, figures.setdefault(unit_code, {})
            if indicator_id is not None:
                found[codes_by_pk[indicator_id]] = tidied[value]
    return figures


class _Tidied(dict):
    """Stored number → the figure (`tidy` of Django's conversion), converted on first sight."""

    def __init__(self, convert: Callable[[object], Decimal]):
        super().__init__()
        self.convert = convert

    def __missing__(self, raw: object) -> Decimal:
        value = self[raw] = tidy(self.convert(raw))
        return value


_CHUNK = 2000  # rows fetched at once by `_with_figures`


@contextmanager
def _with_figures(rows: QuerySet) -> Iterator[tuple[Iterable[Sequence], _Tidied]]:
    """The rows of a `values_list` ending with a figure, as the database driver returns them
    (a chunk at a time: 45.600 rows held at once cost a full garbage collection), and the map from
    a stored number to its figure. Django converts every column of every row; a national table
    reads 45.600 figures of a few hundred distinct numbers, and converting each one cost more
    than the query: here each distinct number is converted once, with Django's own
    converters, so the figures are those of the ORM."""
    compiler = rows.query.get_compiler(rows.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # e.g. no report: nothing to ask the database
        yield (), _Tidied(tidy)
        return
    last = len(compiler.select) - 1
    converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
    convs, expression = converters.pop(last, ((), None))

    def convert(raw: object) -> Decimal:
        for converter in convs:
            raw = converter(raw, expression, compiler.connection)
        return raw  # type: ignore[return-value]

    with compiler.connection.cursor() as cursor:
        cursor.execute(sql, params)
        # the driver's own cursor, a few thousand rows at a time: Django's wrapper (and
        # psycopg's cursor) yield row by row in Python
        driver = cursor.cursor
        found = chain.from_iterable(iter(lambda: driver.fetchmany(_CHUNK), []))
        # other columns to convert (none for keys and codes): Django's way
        yield (
            (compiler.apply_converters(found, converters) if converters else found),
            _Tidied(convert),
        )


def _table(
    cycle: Cycle,
    period: core.Period,
    members: list[Unit],
    catalogs: tuple[core.Catalog, dict[str, Indicator], plausibility.Thresholds],
    read: tuple[Mapping[str, dict[str, Decimal]], Mapping[str, Report], Mapping[str, Baseline]],
    published: list[PublishedFigure],
    drafts_of: set[str],
) -> ClusterTable:
    """One cycle's table from what `cluster_tables` read (no query)."""
    cat, models, limits = catalogs
    stored, reports, before = read
    indicators = list(models.values())
    plan = _plan(indicators)
    codes = [unit.code for unit in members]
    counted = {
        code: stored[code] for code in codes if code in stored and core.counts(reports[code].status)
    }
    rows = []
    for unit in members:
        code = unit.code
        visible = code in counted or (code in drafts_of and code in stored)
        figures = stored[code] if visible else {}
        report = reports.get(code)
        rows.append(
            Row(
                unit=unit,
                report=report,
                cells=_cells(
                    plan,
                    cat,
                    figures,
                    before[code].figures,
                    limits,
                    dict(report.notes or {}) if visible else {},
                ),
                baseline=before[code],
                problems=core.validate(figures, cat),
                mismatches=core.check_rates(figures, cat),
                highlights=report.highlights if visible else "",
            )
        )
    totals = core.cluster_total(counted, {code: before[code].figures for code in codes}, codes, cat)
    published_figures = {
        **totals.now,
        **{figure.indicator.code: figure.value for figure in published},
    }
    return ClusterTable(
        cycle=cycle,
        period=period,
        indicators=indicators,
        rows=rows,
        total=Row(unit=None, report=None, cells=_cells(plan, cat, totals.now, totals.before)),
        published=[(figure.indicator, figure.value, figure.source) for figure in published],
        published_mismatches=core.check_rates(published_figures, cat),
        missing_reports=[unit for unit in members if unit.code not in counted],
        counted=len(totals.counted),
        members=len(members),
    )


def chart_data(table: ClusterTable) -> dict:
    """Per indicator: units, this year's and last year's values (for the vendored Chart.js),
    rounded as the table shows them, with what the tooltips need to show them the same way."""
    return {
        "units": [row.unit.short_name for row in table.rows],
        "year": table.cycle.year,
        "indicators": [
            {
                "code": indicator.code,
                "label": indicator.label_with_measure,
                "decimals": core.shown_decimals(indicator.kind, indicator.decimals),
                "percent": indicator.kind == core.Kind.RATE,
                "now": [_plain(row.cells[index]) if row.counted else None for row in table.rows],
                "before": [_plain(row.cells[index], before=True) for row in table.rows],
            }
            for index, indicator in enumerate(table.indicators)
        ],
    }


def _plain(cell: Cell, *, before: bool = False) -> float | None:
    value = cell.before if before else cell.value
    return None if value is None else float(round_half_up(value, cell.decimals))


@dataclass(frozen=True)
class YearTotal:
    """A cluster's totals for a year beside the year before, for the Ministry's overview."""

    cycle: Cycle
    reported: int  # members whose report counts; the change is over them only
    members: int
    now: Mapping[str, Decimal | None]
    change: Mapping[str, core.Change | None]

    @property
    def partial(self) -> bool:
        return 0 < self.reported < self.members


def year_totals(cycles: list[Cycle], period: core.Period = core.Period.YEAR) -> list[YearTotal]:
    """Every cycle's totals (cycles of one year, members prefetched): the total rows of their
    `cluster_tables`, so the overview and each cluster's table cannot disagree."""
    return [
        YearTotal(
            cycle=table.cycle,
            reported=table.counted,
            members=table.members,
            now={cell.indicator.code: cell.value for cell in table.total.cells},
            change={cell.indicator.code: cell.change for cell in table.total.cells},
        )
        for table in cluster_tables(cycles, period)
    ]


@dataclass
class ReportView:
    cycle: Cycle
    unit: Unit
    period: core.Period
    report: Report | None
    sections: list[tuple[str, list[Cell]]]
    baseline: Baseline
    problems: list[Problem]
    mismatches: list[core.RateMismatch]

    @property
    def jumps(self) -> list[Cell]:
        """The cells whose change against last year is implausible (each asks for a note)."""
        return [cell for _section, cells in self.sections for cell in cells if cell.jump]


def report_view(
    cycle: Cycle,
    unit: Unit,
    period: core.Period,
    figures: Mapping[str, Decimal] | None = None,
    notes: Mapping[str, str] | None = None,
) -> ReportView:
    """A unit's report as stored, or with `figures` (and `notes`) being typed (for a live
    preview)."""
    cat, models = catalog()
    stored, reports = figures_by_unit([unit.code], cycle.year, period)
    shown = stored.get(unit.code, {}) if figures is None else figures
    if notes is None:
        notes = notes_by_unit([unit.code], cycle.year, period).get(unit.code, {})
    baseline = baselines([unit.code], cycle.year, period, cat, org_selectors.lineage())[unit.code]
    cells = _cells(_plan(models.values()), cat, shown, baseline.figures, thresholds(models), notes)
    sections: list[tuple[str, list[Cell]]] = []
    for cell in cells:
        if sections and sections[-1][0] == cell.indicator.section_label:
            sections[-1][1].append(cell)
        else:
            sections.append((cell.indicator.section_label, [cell]))
    return ReportView(
        cycle=cycle,
        unit=unit,
        period=period,
        report=reports.get(unit.code),
        sections=sections,
        baseline=baseline,
        problems=core.validate(shown, cat),
        mismatches=core.check_rates(shown, cat),
    )


def unit_usage(codes) -> list[tuple[str, int, str | None]]:
    """Where the units `codes` have statistics reports: (unit, year, cycle or None), one query.

    Registered with the organisation, so that a lineage event cannot rewrite those years."""
    return [
        (code, year, org_selectors.cycle_label(title, cycle_year) if title else None)
        for code, year, title, cycle_year in Report.objects.filter(
            unit__code__in=list(codes)
        ).values_list("unit__code", "year", "cycle__title", "cycle__year")
    ]


def late_reports(
    cycle: Cycle, period: core.Period = core.Period.YEAR
) -> list[org_selectors.Waiting]:
    """The member units whose year report (or `period`'s) is not submitted: what reporting
    waits for."""
    units = org_selectors.member_units(cycle)
    _figures, reports = figures_by_unit([unit.code for unit in units], cycle.year, period)
    return [
        org_selectors.Waiting.of(unit)
        for unit in units
        if unit.code not in reports or reports[unit.code].status != Report.Status.SUBMITTED
    ]


def late_midyear_reports(cycle: Cycle) -> list[org_selectors.Waiting]:
    """The member units whose first-half report is not submitted: what the mid-year review
    (sơ kết 6 tháng) waits for."""
    return late_reports(cycle, core.Period.H1)


def awaiting_confirmation(cycle: Cycle, period: core.Period = core.Period.YEAR) -> set[str]:
    """The member units whose year report (or `period`'s) was entered on their behalf and
    waits for them to confirm it (one query)."""
    return set(
        Report.objects.filter(
            cycle=cycle, year=cycle.year, period=period.value, status=core.AWAITING
        ).values_list("unit__code", flat=True)
    )


def report_of(unit: Unit, year: int, period: core.Period) -> Report | None:
    """The unit's report for one period of `year`, if begun (what a return sends back)."""
    return Report.objects.filter(unit=unit, year=year, period=period.value).first()
