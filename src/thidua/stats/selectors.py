"""Reads of statistics, with a fixed number of queries however many units and indicators.

The cluster table puts, for every member unit, its figures of the period beside the same
period a year earlier. "A year earlier" follows the lineage: a unit formed by a merger is
compared with the sum of its predecessors' figures (rates recomputed from those sums).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cached_property
from itertools import repeat

from django.db import connection

from thidua.core import indicators as core
from thidua.core import plausibility
from thidua.core import record as core_record
from thidua.core.lineage import Ancestry, Lineage
from thidua.core.messages import Phrase, Problem
from thidua.core.numbers import round_half_up, tidy
from thidua.core.text import collation_key
from thidua.org import selectors as org_selectors
from thidua.org.models import Cycle, Membership, Unit
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


def record_catalog() -> list[core_record.Indicator]:
    """The whole indicator catalog as a record carries it, in its order."""
    models = list(Indicator.objects.select_related("numerator", "denominator"))
    return [
        core_record.Indicator(
            code=item.code,
            name=item.name,
            name_en=item.name_en,
            section=item.section,
            section_en=item.section_en,
            measure=item.measure,
            measure_en=item.measure_en,
            kind=item.kind,
            direction=item.direction,
            decimals=item.decimals,
            numerator=item.numerator.code if item.numerator else None,
            denominator=item.denominator.code if item.denominator else None,
            scope=item.scope,
            position=item.position,
            active=item.active,
            plausible_relative=None
            if item.plausible_relative is None
            else tidy(item.plausible_relative),
            plausible_absolute=None
            if item.plausible_absolute is None
            else tidy(item.plausible_absolute),
        )
        for item in sorted(models, key=lambda item: (item.position, item.code))
    ]


def computing_catalog() -> dict[str, dict[str, object]]:
    """What a cycle's chain logs of the catalog (`core.record.computing_catalog`)."""
    return core_record.computing_catalog(record_catalog())


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
    ancestry: Mapping[str, Ancestry],
    previous: Mapping[str, core.Figures],
    cat: core.Catalog,
    named: Mapping[str, Unit] | None = None,
) -> dict[str, Baseline]:
    """The baselines from the counted figures of a year earlier (`previous`, unit → figures of
    every unit in `ancestry`); `named`, the units of `ancestry` if already read."""
    return _named_baselines(
        ancestry,
        {
            code: core.baseline(previous, item.units, item.partial, cat)
            for code, item in ancestry.items()
        },
        named,
    )


def _named_baselines(
    ancestry: Mapping[str, Ancestry],
    summed: Mapping[str, tuple[dict[str, Decimal], frozenset[str]]],
    named: Mapping[str, Unit] | None = None,
) -> dict[str, Baseline]:
    """The baselines from each unit's (figures, units missing) a year earlier (`summed`, as
    `core.baseline` gives them), with the names of the units summed (`named`, if read)."""
    others = {code for code, item in ancestry.items() if item.units != {code}}
    # one more query, only when some unit stands for others (a merger, a renaming)
    if named is None:
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
        figures, missing = summed[code]
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
        return core.change(self.value, self.before, _KINDS[self.indicator.kind])

    @property
    def decimals(self) -> int:
        return core.shown_decimals(self.indicator.kind, self.indicator.decimals)

    @property
    def better(self) -> bool | None:
        change = self.change
        return change.is_better(core.Direction(self.indicator.direction)) if change else None


# an indicator's kind as stored → the core's (a dict, not the enum's lookup: a national table
# reads the change of 26.400 cells)
_KINDS = {kind.value: kind for kind in core.Kind}


@dataclass(frozen=True, slots=True)
class _Shown:
    """What a row's cells and checks are made from (`_cells`, `core.validate`,
    `core.check_rates`): kept so that they are made when first read. The Ministry's overview
    reads 40 tables of which it shows only the total rows; a cluster's page reads them all."""

    plan: Plan
    figures: Mapping[str, Decimal]
    before: Mapping[str, Decimal]
    limits: plausibility.Thresholds | None = None
    notes: Mapping[str, str] | None = None
    checked: core.Catalog | None = None  # the catalog the figures are checked against, if any


class Row:
    """A unit's row of a cluster table (or the cluster total, `unit` None). Its cells,
    problems and mismatches are given, or made from `shown` when first read."""

    def __init__(
        self,
        unit: Unit | None,
        report: Report | None,
        cells: list[Cell] | None = None,
        baseline: Baseline | None = None,
        problems: list[Problem] | None = None,
        mismatches: list[core.RateMismatch] | None = None,
        highlights: str = "",  # the unit's highlights of the movement (year report), if shown
        # the short names of the units whose reports the row shows, when the period ended
        # before the row's unit existed (a merger during the year): "Hà Giang" for Tuyên
        # Quang's H1 2025
        predecessors: tuple[str, ...] = (),
        *,
        shown: _Shown | None = None,
    ):
        self.unit, self.report, self.baseline = unit, report, baseline
        self.highlights, self.predecessors, self.shown = highlights, predecessors, shown
        # given ones shadow the cached properties below
        if cells is not None or shown is None:
            self.cells = [] if cells is None else cells
        if problems is not None or shown is None or shown.checked is None:
            self.problems = [] if problems is None else problems
        if mismatches is not None or shown is None or shown.checked is None:
            self.mismatches = [] if mismatches is None else mismatches

    @cached_property
    def cells(self) -> list[Cell]:
        shown = self.shown
        return _cells(shown.plan, shown.figures, shown.before, shown.limits, shown.notes)

    @cached_property
    def problems(self) -> list[Problem]:
        return core.validate(self.shown.figures, self.shown.checked)

    @cached_property
    def mismatches(self) -> list[core.RateMismatch]:
        return core.check_rates(self.shown.figures, self.shown.checked)

    def _compared(self) -> tuple:
        return (
            self.unit,
            self.report,
            self.cells,
            self.baseline,
            self.problems,
            self.mismatches,
            self.highlights,
            self.predecessors,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Row) and self._compared() == other._compared()

    __hash__ = None  # type: ignore[assignment] - mutable, as the dataclass it was

    def __repr__(self) -> str:
        return f"Row(unit={self.unit!r}, report={self.report!r}, cells={self.cells!r})"

    def trimmed(self, keep: Sequence[int]) -> Row:
        """The same row with only the cells at `keep`."""
        return Row(
            self.unit,
            self.report,
            [self.cells[index] for index in keep],
            self.baseline,
            self.problems,
            self.mismatches,
            self.highlights,
            self.predecessors,
        )

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


@dataclass(frozen=True)
class Plan:
    """What `_cells` asks of the catalog, asked once per table, not once per cell."""

    indicators: list[Indicator]
    codes: list[str]
    position: dict[str, int]  # code → its cell's index
    rates: list[tuple[int, str, str]]  # (cell index, numerator, denominator)
    limited: core.Catalog  # the indicators with a plausibility threshold, in order
    limited_rates: tuple[str, ...]  # those of them that are rates


def _plan(
    indicators: Iterable[Indicator],
    cat: core.Catalog,
    limits: plausibility.Thresholds | None = None,
) -> Plan:
    indicators = list(indicators)
    codes = [indicator.code for indicator in indicators]
    return Plan(
        indicators,
        codes,
        {code: index for index, code in enumerate(codes)},
        [
            (index, cat[code].numerator or "", cat[code].denominator or "")
            for index, code in enumerate(codes)
            if cat[code].kind == core.Kind.RATE
        ],
        {code: cat[code] for code in codes if limits and code in limits},
        tuple(
            code for code in codes if limits and code in limits and cat[code].kind == core.Kind.RATE
        ),
    )


def _cells(
    plan: Plan,
    figures: Mapping[str, Decimal],
    before: Mapping[str, Decimal],
    limits: plausibility.Thresholds | None = None,
    notes: Mapping[str, str] | None = None,
) -> list[Cell]:
    """The row's cells: counts and amounts as they are, rates computed from their counts
    (`core.value_of`), the implausible changes (`plausibility.jumps_of_values`) and the notes.
    A national table makes 26.400: each cell is made in one call, the few rates, jumps and
    notes are set after."""
    cells = list(
        map(
            Cell, plan.indicators, map(figures.get, plan.codes), _NONES, map(before.get, plan.codes)
        )
    )
    for index, numerator, denominator in plan.rates:
        cell = cells[index]
        cell.reported = cell.value
        cell.value = core.rate(figures.get(numerator), figures.get(denominator))
        cell.before = core.rate(before.get(numerator), before.get(denominator))
    if limits and plan.limited:
        position = plan.position
        # the values compared are the figures themselves, but for the rates (computed)
        now, then = figures, before
        if plan.limited_rates:
            now = {**figures, **{c: cells[position[c]].value for c in plan.limited_rates}}
            then = {**before, **{c: cells[position[c]].before for c in plan.limited_rates}}
        for jump in plausibility.jumps_of_values(now, then, plan.limited, limits):
            cells[position[jump.code]].jump = jump
    for code, note in (notes or {}).items():
        if code in plan.position:
            cells[plan.position[code]].note = note
    return cells


_NONES = repeat(None)  # `map` stops at its shortest iterable


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

        return replace(
            self,
            indicators=[self.indicators[index] for index in keep],
            rows=[row.trimmed(keep) for row in self.rows],
            total=self.total.trimmed(keep),
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
    the reports and, in one query (`_paired_figures`), their figures beside last year's, the
    mergers' predecessors summed by the database."""
    cycles, drafts_of = list(cycles), set(drafts_of)
    if not cycles:
        return []
    cat, models, codes_by_pk = _catalog()
    lineage, ids = org_selectors.lineage_with_ids()
    limits = thresholds(models)
    plan = _plan(models.values(), cat, limits)  # one for every table
    published: dict[int, list[PublishedFigure]] = defaultdict(list)
    for figure in PublishedFigure.objects.filter(
        cycle__in=[cycle.pk for cycle in cycles], period=period.value
    ).select_related("indicator"):
        published[figure.cycle_id].append(figure)
    members_of = {cycle.pk: org_selectors.member_units(cycle) for cycle in cycles}
    tables = {}
    for year, group in _by_year(cycles).items():
        units = {unit.code: unit for cycle in group for unit in members_of[cycle.pk]}
        reports = _reports_of(units.values(), year, period)
        ancestry, stored, _statuses, summed, earlier = _year_read(
            units, year, period, (lineage, ids), (cat, codes_by_pk)
        )
        before = _named_baselines(ancestry, summed)
        for cycle in group:
            tables[cycle.pk] = _table(
                cycle,
                period,
                members_of[cycle.pk],
                (cat, plan, limits),
                _with_predecessors(cycle, (stored, reports, before), earlier, cat),
                published[cycle.pk],
                drafts_of,
            )
    return [tables[cycle.pk] for cycle in cycles]


def _by_year(cycles: Iterable[Cycle]) -> dict[int, list[Cycle]]:
    """The cycles by year, in their order."""
    by_year: dict[int, list[Cycle]] = defaultdict(list)
    for cycle in cycles:
        by_year[cycle.year].append(cycle)
    return by_year


def _year_read(
    units: Collection[str],
    year: int,
    period: core.Period,
    lineages: tuple[Lineage, Mapping[str, int]],
    catalogs: tuple[core.Catalog, Mapping[int, str]],
) -> tuple[
    dict[str, Ancestry],
    dict[str, dict[str, Decimal]],
    dict[str, str],
    dict[str, tuple[dict[str, Decimal], frozenset[str]]],
    _Earlier,
]:
    """What the tables and the totals of one year's members (`units`) are made from, read
    alike for both: each member's predecessors a year earlier, its figures of the period and
    their report's status, its `core.baseline` a year earlier (`_paired_figures`, one query),
    and what the members formed after the period ended take from their predecessors
    (`_predecessors_of`, queries only when there is such a member)."""
    lineage, ids = lineages
    cat, codes_by_pk = catalogs
    ancestry = ancestries(units, year, period, lineage)
    stored, statuses, summed = _paired_figures(units, ancestry, ids, year, period, cat, codes_by_pk)
    return ancestry, stored, statuses, summed, _predecessors_of(units, year, period, lineage)


@dataclass(frozen=True)
class _Earlier:
    """What the predecessors of the members formed during the year reported for a period
    that ended before them (`_predecessors_of`)."""

    predecessors: dict[str, frozenset[str]]  # member → its predecessors on the period's end
    reports: dict[str, Report]  # predecessor → its counted report of the period
    figures: dict[str, dict[str, Decimal]]  # predecessor → those figures
    previous: dict[str, dict[str, Decimal]]  # their own predecessors a year earlier → figures
    ancestry: dict[str, Ancestry]  # predecessor → its predecessors a year earlier
    named: dict[str, Unit]  # the units of `ancestry`, for the baselines' labels


def _predecessors_of(
    units: Collection[str], year: int, period: core.Period, lineage: Lineage
) -> _Earlier:
    """A period's figures belong to the units that exist on its last day (see
    `move_pending_reports`): for a member formed after that day (a merger during the year),
    its predecessors on that day, their counted reports of the period and, for the change,
    their own predecessors' figures a year earlier. Queries only when there is such a member."""
    day = period.end(year)
    predecessors = {
        code: lineage.ancestors_on(code, day).units
        for code in units
        if _formed_late(code, lineage, day)
    }
    wanted = {code for found in predecessors.values() for code in found}
    if not wanted:
        return _Earlier({}, {}, {}, {}, {}, {})
    figures, reports = counted_reports(wanted, year, period)
    ancestry = ancestries(reports, year, period, lineage)
    before = {code for item in ancestry.values() for code in item.units}
    previous, _previous_reports = counted_reports(before, year - 1, period)
    named = org_selectors.units_by_code(before) if before else {}
    return _Earlier(predecessors, reports, figures, previous, ancestry, named)


def _with_predecessors(
    cycle: Cycle,
    read: tuple[Mapping[str, dict[str, Decimal]], Mapping[str, Report], Mapping[str, Baseline]],
    earlier: _Earlier,
    cat: core.Catalog,
) -> tuple[Mapping[str, dict[str, Decimal]], Mapping[str, Report], Mapping[str, Baseline], dict]:
    """`read` for one cycle with, for each member formed after the period ended, what
    `_formed_after` gives it; and those predecessors' short names by member."""
    if not earlier.predecessors:  # the usual case: the year's reads as they are, not copied
        return read[0], read[1], read[2], {}
    stored, reports, before = dict(read[0]), dict(read[1]), dict(read[2])
    names: dict[str, tuple[str, ...]] = {}
    for code, (figures, report, baseline, kept) in _formed_after(cycle, earlier, cat).items():
        stored[code], reports[code], before[code], names[code] = figures, report, baseline, kept
    return stored, reports, before, names


def _formed_after(
    cycle: Cycle, earlier: _Earlier, cat: core.Catalog
) -> dict[str, tuple[dict[str, Decimal], Report, Baseline, tuple[str, ...]]]:
    """For each member of `cycle` formed after the period ended: the figures its predecessors
    reported in this cycle (summed like a baseline: `core.baseline`), the report that stands
    for them, their own baseline a year earlier, and their short names. A predecessor that
    reported in another cluster (it arrived with the merger) is not counted: the cluster's
    figures of that period are those of its members then."""
    found = {}
    for code, predecessors in earlier.predecessors.items():
        kept = sorted(
            unit
            for unit in predecessors
            if unit in earlier.reports and earlier.reports[unit].cycle_id == cycle.pk
        )
        if not kept:
            continue
        figures, _missing = core.baseline(earlier.figures, kept, False, cat)
        item = Ancestry(
            frozenset(u for unit in kept for u in earlier.ancestry[unit].units),
            any(earlier.ancestry[unit].partial for unit in kept),
        )
        found[code] = (
            figures,
            earlier.reports[kept[0]],
            _baselines({code: item}, earlier.previous, cat, earlier.named)[code],
            tuple(
                sorted((earlier.reports[unit].unit.short_name for unit in kept), key=collation_key)
            ),
        )
    return found


def _reports_of(units: Iterable[Unit], year: int, period: core.Period) -> dict[str, Report]:
    """unit code → its report of the period, drafts included (one query)."""
    by_pk = {unit.pk: unit for unit in units}
    found = {}
    for report in Report.objects.filter(
        unit_id__in=list(by_pk), year=year, period=period.value
    ).select_related("on_behalf_by__unit", "confirmed_by"):
        unit = by_pk[report.unit_id]
        Report.unit.field.set_cached_value(report, unit)  # the member itself, not a copy
        found[unit.code] = report
    return found


def _paired_figures(
    units: Collection[str],
    ancestry: Mapping[str, Ancestry],
    ids: Mapping[str, int],
    year: int,
    period: core.Period,
    cat: core.Catalog,
    codes_by_pk: Mapping[int, str],
) -> tuple[
    dict[str, dict[str, Decimal]],
    dict[str, str],
    dict[str, tuple[dict[str, Decimal], frozenset[str]]],
]:
    """(member code → its figures of the period, member code → the status of that report,
    member code → `core.baseline` of its figures a year earlier), for the members with a
    report of the period, in one query that returns every report's figures of both years side
    by side, and the sums of the merged units.

    A report comes back as one line, its indicators and figures joined in text: Python
    splits 800 strings and converts each distinct number once instead of reading 48.000 rows.
    A unit that stood for one unit a year earlier (itself, or the unit it was renamed from)
    takes that unit's line; one that stood for several (a merger) takes the sums the
    database made over them, per indicator, kept only when every one of them has the figure
    (`core.baseline`, which the property test of `cluster_tables` holds this to)."""
    stored: dict[str, dict[str, Decimal]] = {}
    statuses: dict[str, str] = {}
    lines: dict[str, dict[str, Decimal]] = {}  # a year earlier: counted reports' figures
    sums: dict[str, dict[str, Decimal]] = {}  # a year earlier: the mergers' sums
    if units:
        unit_of = {pk: code for code, pk in ids.items()}
        figures, summed = _Figures(_stored_number()), _Sums(_exact_sum())
        indicators = _Indicators({str(pk): code for pk, code in codes_by_pk.items()})
        sql, params = _paired_sql(units, ancestry, ids, year, period, cat, codes_by_pk)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for unit_id, line_year, status, keys, numbers in cursor.fetchall():
                if line_year is not None and line_year != year and not core.counts(status):
                    continue  # a year earlier, only the reports that count
                code = unit_of[unit_id]
                found = (
                    dict(
                        zip(
                            indicators[keys],
                            map(
                                (summed if line_year is None else figures).__getitem__,
                                numbers.split(","),
                            ),
                            strict=True,
                        )
                    )
                    if keys
                    else {}
                )
                if line_year is None:
                    sums[code] = found
                elif line_year == year:
                    if code in units:
                        stored[code], statuses[code] = found, status
                else:
                    lines[code] = found
    rates = rates_of(cat)
    retired = {code for code in codes_by_pk.values() if code not in cat}
    result = {}
    for code, item in ancestry.items():
        missing = item.units.difference(lines)
        if missing or item.partial:
            figures_before = {}
        elif len(item.units) == 1:
            (unit,) = item.units
            figures_before = lines[unit]
            if retired:  # a figure of an indicator since retired carries nothing
                figures_before = {
                    key: value for key, value in figures_before.items() if key not in retired
                }
        else:
            figures_before = sums.get(code, {})
        # as `core.baseline`: a single unit's reported rates only beside some count
        result[code] = ({} if rates.issuperset(figures_before) else figures_before, missing)
    return stored, statuses, result


def _paired_sql(
    units: Collection[str],
    ancestry: Mapping[str, Ancestry],
    ids: Mapping[str, int],
    year: int,
    period: core.Period,
    cat: core.Catalog,
    codes_by_pk: Mapping[int, str],
) -> tuple[str, list]:
    """The query of `_paired_figures`, in the dialect of the database in use.

    Lines (unit id, year, status, indicator ids, numbers): one per report of the members and
    of the units they stood for a year earlier, in both years, its stored numbers as the
    database writes them; then one per merged member (year NULL) with its sums a year earlier,
    each the columns of `_exact_sum_sql` joined by ":" (exact, with the decimals of its most
    precise term, as Python's sum of the same figures writes it: 1,25 + 1,75 = 3,00)."""
    if connection.vendor == "sqlite":

        def joined(column: str) -> str:
            return f"group_concat({column}, ',')"
    else:

        def joined(column: str) -> str:
            return f"string_agg(({column})::text, ',')"

    total = _exact_sum_sql("v.value")

    def marks(values: Sequence) -> str:
        return ", ".join(["%s"] * len(values)) if values else "NULL"

    wanted = sorted(
        {ids[code] for code in units}
        | {ids[code] for item in ancestry.values() for code in item.units}
    )
    if connection.vendor == "sqlite":  # reports in the order of their index: no sorting
        sql = f"""
        SELECT r.unit_id, r.year, MIN(r.status), {joined("v.indicator_id")}, {joined("v.value")}
        FROM stats_report r LEFT JOIN stats_reportvalue v ON v.report_id = r.id
        WHERE r.unit_id IN ({marks(wanted)}) AND r.year IN (%s, %s) AND r.period = %s
        GROUP BY r.unit_id, r.year"""  # noqa: S608 - constant SQL pieces; the values are parameters
    else:  # each report's figures joined apart: no table of all the groups at once
        sql = f"""
        SELECT r.unit_id, r.year, r.status, figures.keys, figures.numbers
        FROM stats_report r
        LEFT JOIN LATERAL (
            SELECT {joined("v.indicator_id")} AS keys, {joined("v.value")} AS numbers
            FROM stats_reportvalue v WHERE v.report_id = r.id
        ) figures ON TRUE
        WHERE r.unit_id IN ({marks(wanted)}) AND r.year IN (%s, %s) AND r.period = %s"""  # noqa: S608 - constant SQL pieces; the values are parameters
    params: list = [*wanted, year - 1, year, period.value]
    pairs = [
        (ids[code], ids[unit], len(item.units))
        for code, item in ancestry.items()
        if len(item.units) > 1 and not item.partial
        for unit in sorted(item.units)
    ]
    if pairs:
        counted = sorted(core.COUNTED_STATUSES)
        rates = rates_of(cat)
        summed = [pk for pk, code in codes_by_pk.items() if code in cat and code not in rates]
        sql = (
            f"WITH anc(member, unit, k) AS (VALUES {', '.join(['(%s, %s, %s)'] * len(pairs))})"  # noqa: S608
            + sql
            + f"""
        UNION ALL
        SELECT member, NULL, NULL, {joined("indicator_id")}, {joined("total")}
        FROM (
            SELECT a.member AS member, v.indicator_id AS indicator_id,
                   {" || ':' || ".join(f"CAST({c} AS TEXT)" for c in total)} AS total
            FROM anc a
            JOIN stats_report r ON r.unit_id = a.unit
            JOIN stats_reportvalue v ON v.report_id = r.id
            WHERE r.year = %s AND r.period = %s AND r.status IN ({marks(counted)})
              AND v.indicator_id IN ({marks(summed)})
            GROUP BY a.member, v.indicator_id
            HAVING COUNT(*) = MAX(a.k)
        ) sums
        GROUP BY member"""  # noqa: S608 - constant SQL pieces; the values are parameters
        )
        params = [
            *(value for pair in pairs for value in pair),
            *params,
            year - 1,
            period.value,
            *counted,
            *summed,
        ]
    return sql, params


def _exact_sum_sql(column: str) -> tuple[str, ...]:
    """The SQL columns of the sum of a stored figure `column`, exact and written as Python's
    sum of the same figures is: with the decimals of its most precise term (1,25 + 1,75 =
    3,00); `_exact_sum` reads them. On PostgreSQL, one: the sum of the figures without their
    trailing zeros (a numeric sum keeps the most decimals of its terms). On SQLite, which
    keeps decimals as floats: the sum as scaled integers, and those decimals."""
    if connection.vendor != "sqlite":
        return (f"SUM(trim_scale({column}))",)
    places = ReportValue._meta.get_field("value").decimal_places
    number = f"CAST(ROUND({column} * {10**places}) AS INTEGER)"
    decimals = (
        "CASE "
        + " ".join(f"WHEN {number} %% {10 ** (places - n)} = 0 THEN {n}" for n in range(places))
        + f" ELSE {places} END"
    )
    return f"SUM({number})", f"MAX({decimals})"


def _exact_sum() -> Callable[..., Decimal]:
    """The columns of `_exact_sum_sql` (or their text) → the sum."""
    if connection.vendor != "sqlite":
        return Decimal
    places = ReportValue._meta.get_field("value").decimal_places
    units = [10 ** (places - n) for n in range(places + 1)]

    def exact(total, decimals) -> Decimal:  # every term a multiple of the unit of `decimals`
        decimals = int(decimals)
        return Decimal(int(total) // units[decimals]).scaleb(-decimals)

    return exact


def rates_of(cat: core.Catalog) -> frozenset[str]:
    """The codes of the catalog's rates."""
    return frozenset(code for code, indicator in cat.items() if indicator.kind == core.Kind.RATE)


def _stored_number() -> Callable[[str], Decimal]:
    """A stored number as the database writes it → the figure, as `tidy` of the ORM's (on
    SQLite, a float's 15 significant digits rounded to the field's decimals, as Django)."""
    quantum = _ONE.scaleb(-ReportValue._meta.get_field("value").decimal_places)
    if connection.vendor == "sqlite":
        return lambda text: tidy(Decimal(text).quantize(quantum))
    return lambda text: tidy(Decimal(text))


class _Figures(dict):
    """Stored number as text → the figure, converted on first sight: a national table reads
    48.000 figures of a few hundred distinct numbers."""

    def __init__(self, convert: Callable[[str], Decimal]):
        super().__init__()
        self.convert = convert

    def __missing__(self, text: str) -> Decimal:
        value = self[text] = self.convert(text)
        return value


class _Indicators(dict):
    """A report's indicator ids as the database joins them → their codes, read once: most
    reports have the same indicators, joined in the same order (800 lines, a few keys)."""

    def __init__(self, code_of: Mapping[str, str]):
        super().__init__()
        self.code_of = code_of

    def __missing__(self, keys: str) -> tuple[str, ...]:
        codes = self[keys] = tuple(map(self.code_of.__getitem__, keys.split(",")))
        return codes


class _Sums(dict):
    """A sum as `_paired_sql` writes it (the columns of `_exact_sum_sql` joined by ":") → the
    sum (`_exact_sum`), read once."""

    def __init__(self, exact: Callable[..., Decimal]):
        super().__init__()
        self.exact = exact

    def __missing__(self, text: str) -> Decimal:
        value = self[text] = self.exact(*text.split(":"))
        return value


_ONE = Decimal(1)


def _table(
    cycle: Cycle,
    period: core.Period,
    members: list[Unit],
    catalogs: tuple[core.Catalog, Plan, plausibility.Thresholds],
    read: tuple[
        Mapping[str, dict[str, Decimal]],
        Mapping[str, Report],
        Mapping[str, Baseline],
        Mapping[str, tuple[str, ...]],
    ],
    published: list[PublishedFigure],
    drafts_of: set[str],
) -> ClusterTable:
    """One cycle's table from what `cluster_tables` read (no query)."""
    cat, plan, limits = catalogs
    stored, reports, before, predecessors = read
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
                baseline=before[code],
                highlights=report.highlights if visible else "",
                predecessors=predecessors.get(code, ()),
                shown=_Shown(
                    plan,
                    figures,
                    before[code].figures,
                    limits,
                    dict(report.notes or {}) if visible else None,  # as read, whenever made
                    cat,
                ),
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
        indicators=list(plan.indicators),
        rows=rows,
        total=Row(unit=None, report=None, shown=_Shown(plan, totals.now, totals.before)),
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
    """Every cycle's totals: the total rows of their `cluster_tables`, by the same sums
    (`core.cluster_total`), so the overview and each cluster's table cannot disagree; but not
    the tables themselves, which the overview does not show (the property tests of
    `cluster_tables` hold the totals to its total rows). The members are read here as codes
    (`_members`): the cycles need not come with theirs.

    The members that stood for exactly one unit a year earlier (`_summed_apart`: the usual
    case) are summed by the database, per cluster and indicator (`_plain_sums`, one query);
    the others (mergers, splits, members formed after the period ended) are read as the
    tables read them (`_year_read`), and the sums of the first stand beside them in
    `core.cluster_total` as one more unit (`_SUMMED`)."""
    cycles = list(cycles)
    if not cycles:
        return []
    cat, _models, codes_by_pk = _catalog()
    lineage, ids = org_selectors.lineage_with_ids()
    members_of = _members(cycles)
    totals = {}
    for year, group in _by_year(cycles).items():
        units = {code for cycle in group for code in members_of[cycle.pk]}
        plain = _summed_apart(units, year, period, lineage)
        sums = _plain_sums(
            {
                cycle.pk: [ids[code] for code in members_of[cycle.pk] if code in plain]
                for cycle in group
            },
            {ids[code]: ids[earlier] for code, earlier in plain.items()},
            year,
            period,
            cat,
            codes_by_pk,
        )
        _ancestry, stored, statuses, summed, earlier = _year_read(
            units.difference(plain), year, period, (lineage, ids), (cat, codes_by_pk)
        )
        for cycle in group:
            codes = [code for code in members_of[cycle.pk] if code not in plain]
            now = {code: stored[code] for code in codes if core.counts(statuses.get(code, ""))}
            before = {code: summed[code][0] for code in codes}
            for code, (figures, report, baseline, _names) in _formed_after(
                cycle, earlier, cat
            ).items():
                now.pop(code, None)
                if core.counts(report.status):
                    now[code] = figures
                before[code] = baseline.figures
            reported, now[_SUMMED], before[_SUMMED] = sums.get(cycle.pk, (0, {}, {}))
            reported += sum(code in now for code in codes)
            total = core.cluster_total(now, before, [*codes, _SUMMED], cat)
            totals[cycle.pk] = _year_total(cycle, total, cat, reported, len(members_of[cycle.pk]))
    return [totals[cycle.pk] for cycle in cycles]


def _members(cycles: Iterable[Cycle]) -> dict[int, list[str]]:
    """cycle pk → its members' codes (`org_selectors.member_units` without the units: one
    query of 400 short lines, not 400 units and memberships made)."""
    found: dict[int, list[str]] = {cycle.pk: [] for cycle in cycles}
    for cycle, code in (
        Membership.objects.filter(cycle__in=list(found))
        .order_by()
        .values_list("cycle_id", "unit__code")
    ):
        found[cycle].append(code)
    return found


#: The members `_plain_sums` summed, as one unit in `core.cluster_total`: it sums, per
#: indicator, the figures of the units that have it now, and a year earlier theirs only when
#: each of them has one; a group of them does both for its part exactly when one unit whose
#: figure is the group's sum, and whose baseline is the group's when each has one, does.
#: (Not a unit code: a slug has no "*".)
_SUMMED = "*"


def _summed_apart(
    units: Iterable[str], year: int, period: core.Period, lineage: Lineage
) -> dict[str, str]:
    """member code → the one unit it stood for a year earlier (itself, or the unit it was
    renamed from), for the members whose baseline is that unit's counted figures as reported
    (`core.baseline` of one unit): not formed after the period ended, no merger or split
    between."""
    day = period.end(year)
    found = {}
    for code, item in ancestries(units, year, period, lineage).items():
        if len(item.units) == 1 and not item.partial and not _formed_late(code, lineage, day):
            (found[code],) = item.units
    return found


def _formed_late(code: str, lineage: Lineage, day: date) -> bool:
    """Whether the unit `code` did not exist yet on `day`, a period's last day (a merger
    during the year): the period's figures are its predecessors' (`_predecessors_of`)."""
    return code in lineage.units and not lineage.units[code].valid_on(day)


def _plain_sums(
    members_of: Mapping[int, list[int]],
    earlier: Mapping[int, int],
    year: int,
    period: core.Period,
    cat: core.Catalog,
    codes_by_pk: Mapping[int, str],
) -> dict[int, tuple[int, dict[str, Decimal], dict[str, Decimal]]]:
    """cycle pk → (how many of its members `members_of` (ids) have a report that counts, their
    figures' sums, and a year earlier the sums of the indicators each of those that has it now
    has then), per summed indicator (counts and amounts of the catalog); `earlier`: member id
    → the id of the one unit it stood for a year earlier, whose counted report is its
    baseline. One query, its lines per cluster and indicator, not per figure; the sums exact
    and written as Python's sums of the figures (`_exact_sum_sql`)."""
    pairs = [(cycle, unit, earlier[unit]) for cycle, units in members_of.items() for unit in units]
    if not pairs:
        return {}
    counted = sorted(core.COUNTED_STATUSES)
    marks = ", ".join(["%s"] * len(counted))
    width = len(_exact_sum_sql(""))  # the columns of a sum
    if connection.vendor == "sqlite":  # each figure finds last year's by the unique index
        figures = """
        JOIN stats_reportvalue v ON v.report_id = q.now
        LEFT JOIN stats_reportvalue b ON b.report_id = q.earlier
            AND b.indicator_id = v.indicator_id"""
        indicator, now, then = "v.indicator_id", "v.value", "b.value"
        plain = f"VALUES {', '.join(['(%s, %s, %s)'] * len(pairs))}"
        plain_params = [value for pair in pairs for value in pair]
    else:  # each report beside last year's apart: no plan pairing the whole tables
        figures = """
        CROSS JOIN LATERAL (
            SELECT v.indicator_id, v.value AS now, b.value AS earlier
            FROM stats_reportvalue v
            LEFT JOIN stats_reportvalue b ON b.report_id = q.earlier
                AND b.indicator_id = v.indicator_id
            WHERE v.report_id = q.now
        ) f"""
        indicator, now, then = "f.indicator_id", "f.now", "f.earlier"
        # three arrays, not 1.200 parameters for the driver to quote
        plain = "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[])"
        plain_params = [list(column) for column in zip(*pairs, strict=True)]
    sql = f"""
    WITH plain(cycle_id, member, earlier) AS ({plain}),
    reports AS (
        SELECT p.cycle_id, r.id AS now, (
            SELECT e.id FROM stats_report e
            WHERE e.unit_id = p.earlier AND e.year = %s AND e.period = %s
              AND e.status IN ({marks})
        ) AS earlier
        FROM plain p
        JOIN stats_report r ON r.unit_id = p.member AND r.year = %s AND r.period = %s
        WHERE r.status IN ({marks})
    )
    SELECT q.cycle_id, {indicator}, COUNT(*), {", ".join(_exact_sum_sql(now))},
           COUNT({then}), {", ".join(_exact_sum_sql(then))}
    FROM reports q {figures}
    GROUP BY q.cycle_id, {indicator}
    UNION ALL
    SELECT cycle_id, NULL, COUNT(*), {", ".join(["NULL"] * (1 + 2 * width))}
    FROM reports GROUP BY cycle_id"""  # noqa: S608 - constant SQL pieces; the values are parameters
    params = [
        *plain_params,
        *(year - 1, period.value, *counted),
        *(year, period.value, *counted),
    ]
    summed = set(cat).difference(rates_of(cat))  # not rates, nor retired
    reported: dict[int, int] = {}
    totals: dict[int, dict[str, Decimal]] = defaultdict(dict)
    earlier_totals: dict[int, dict[str, Decimal]] = defaultdict(dict)
    exact = _exact_sum()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for cycle, pk, count, *sums in rows:
        if pk is None:
            reported[cycle] = count
            continue
        code = codes_by_pk[pk]
        if code not in summed:
            continue
        totals[cycle][code] = exact(*sums[:width])
        if sums[width] == count:
            earlier_totals[cycle][code] = exact(*sums[width + 1 :])
    return {
        cycle: (count, totals[cycle], earlier_totals[cycle]) for cycle, count in reported.items()
    }


def _year_total(
    cycle: Cycle, total: core.ClusterTotal, cat: core.Catalog, reported: int, members: int
) -> YearTotal:
    """A cluster's `YearTotal`: the values and changes of its total row's cells (`_cells`:
    counts and amounts as summed, rates computed from the summed counts)."""
    now, before = core.values(total.now, cat), core.values(total.before, cat)
    return YearTotal(
        cycle=cycle,
        reported=reported,
        members=members,
        now=now,
        change={
            code: core.change(value, before[code], indicator.kind)
            for (code, value), indicator in zip(now.items(), cat.values(), strict=True)
        },
    )


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
    limits = thresholds(models)
    cells = _cells(_plan(models.values(), cat, limits), shown, baseline.figures, limits, notes)
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
