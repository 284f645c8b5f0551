"""Reads of the agreement and the scores, turned into the pure core's data, and the results.

Every read here issues a fixed number of queries, whatever the number of units, criteria
and sheets: the results page stays fast for a cluster of 7 or of 70.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal

import numpy as np
from django.db import connections
from django.db.models import Count, F, IntegerField, Prefetch, Q
from django.db.models.functions import Cast, Round
from django.utils import timezone

from thidua.audit import versions
from thidua.core import indicators as core_indicators
from thidua.core import review as core_review
from thidua.core import scoring as core
from thidua.core import scoring_grid as core_grid
from thidua.core.lineage import Lineage
from thidua.core.messages import Problem, gettext_noop
from thidua.core.numbers import format_exact
from thidua.core.phases import Phase, PhaseStatus
from thidua.core.scoring_grid import Grid
from thidua.core.text import collation_key
from thidua.org import selectors as org_selectors
from thidua.org.models import Cycle, Membership, Unit, User
from thidua.scoring.models import (
    Agreement,
    Confirmation,
    Criterion,
    Evidence,
    Explanation,
    Fact,
    InspectionTeam,
    Score,
    ScoreSheet,
    Target,
)
from thidua.stats import selectors as stats_selectors


def agreement_of(cycle: Cycle) -> Agreement | None:
    """The cycle's agreement with its inspection teams; who approved it (a unit per member,
    which most pages do not show) is read when asked for."""
    return (
        Agreement.objects.filter(cycle=cycle)
        .select_related("cycle")
        .prefetch_related(
            Prefetch(
                "teams",
                InspectionTeam.objects.select_related("inspected").prefetch_related("scorers"),
            ),
        )
        .first()
    )


def criteria_of(agreement: Agreement) -> list[Criterion]:
    """The criteria in table order: each section followed by its criteria. A criterion's
    `parent` is the section read with it (put into the relation's cache, as a prefetch
    does), not a second copy joined to every row."""
    rows = list(agreement.criteria.select_related("indicator").order_by("position", "id"))
    by_pk = {row.pk: row for row in rows}
    children: dict[int | None, list[Criterion]] = defaultdict(list)
    for row in rows:
        if row.parent_id in by_pk:  # always, in one table (else read when asked for)
            Criterion.parent.field.set_cached_value(row, by_pk[row.parent_id])
        children[row.parent_id].append(row)
    ordered: list[Criterion] = []

    def walk(parent: int | None, depth: int) -> None:
        for row in children.get(parent, []):
            row.depth = depth
            ordered.append(row)
            walk(row.pk, depth + 1)

    walk(None, 0)
    return ordered


def table_of(criteria: list[Criterion]) -> core.Table:
    codes = {row.pk: row.code for row in criteria}
    return core.Table(
        core.Criterion(
            code=row.code,
            name=row.name,
            kind=core.Kind(row.kind),
            max_points=row.max_points,
            parent=codes.get(row.parent_id),
            min_points=row.min_points,
            indicator=row.indicator.code if row.indicator else None,
            points_each=row.points_each,
            penalty_each=row.penalty_each,
            measure=measure_of(row),
        )
        for row in criteria
    )


def measure_of(criterion: Criterion) -> str:
    """What the criterion's figures and targets are written with: "%" for a rate."""
    return "%" if criterion.indicator and criterion.indicator.kind == "rate" else ""


def rules_of(agreement: Agreement) -> core.Rules:
    return core.Rules.from_data(agreement.rules)


def assignment(agreement: Agreement, members: list[Unit]) -> dict[str, list[str]]:
    """Who scores whom: inspected unit code → scorer unit codes (never the unit itself). A
    member formed by a merger during the year takes its predecessors' places in the teams
    they signed (`core.inherited_teams`): the signed agreement is not changed."""
    codes = [unit.code for unit in members]
    if agreement.assignment == Agreement.Assignment.ALL_MEMBERS:
        return {target: [scorer for scorer in codes if scorer != target] for target in codes}
    teams = {
        team.inspected.code: [unit.code for unit in team.scorers.all()]
        for team in agreement.teams.all()
    }
    year = agreement.cycle.year
    formed = any(unit.valid_from and unit.valid_from.year == year for unit in members)
    return core.inherited_teams(
        teams,
        [(unit.code, unit.valid_from) for unit in members],
        year,
        org_selectors.lineage() if formed else Lineage((), ()),
    )


def targets_of(agreement: Agreement) -> dict[tuple[str, str], Decimal]:
    return {
        (unit_code, criterion_code): value
        for unit_code, criterion_code, value in Target.objects.filter(
            criterion__agreement=agreement
        ).values_list("unit__code", "criterion__code", "value")
    }


@dataclass(frozen=True)
class Inherited:
    """A member formed by a merger during the year has no target in the agreement its
    predecessors signed: their targets (`sources`: short name → target, None where one had
    none) and, where the rule is clear (`core.merged_target`), the target they give it."""

    value: Decimal | None
    sources: tuple[tuple[str, Decimal | None], ...]

    @property
    def text(self) -> str:
        return " + ".join(
            f"{name} {format_exact(value) if value is not None else '–'}"
            for name, value in self.sources
        )


def inherited_targets(
    agreement: Agreement, members: list[Unit], targets: Mapping[tuple[str, str], Decimal]
) -> dict[tuple[str, str], Inherited]:
    """(member code, criterion code) → `Inherited`, for each quantitative criterion a member
    formed during the cycle's year has no target for (`core.inherited_targets`). The signed
    agreement is not changed (its signers confirmed its content, digest and all): the new
    unit's target is read from it, through the lineage."""
    year = agreement.cycle.year
    if not any(unit.valid_from and unit.valid_from.year == year for unit in members):
        return {}  # nobody formed during the year: no lineage or criteria to read
    kinds = {
        c.code: c.indicator.kind if c.indicator else None
        for c in agreement.criteria.select_related("indicator")
        if c.kind == core.Kind.QUANTITATIVE
    }
    found = core.inherited_targets(
        [(unit.code, unit.valid_from) for unit in members],
        year,
        org_selectors.lineage(),
        kinds,
        targets,
    )
    names = org_selectors.units_by_code(
        {code for inherited in found.values() for code, _value in inherited.sources}
    )
    return {
        key: Inherited(
            inherited.value,
            tuple(
                (names[code].short_name if code in names else code, value)
                for code, value in inherited.sources
            ),
        )
        for key, inherited in found.items()
    }


def signatories(agreement: Agreement | None, members: list[Unit]) -> list[Unit]:
    """The units a signed agreement binds: the members when it was signed. A member that
    joined after the signing (formed by a merger during the year) did not sign it; a unit
    that approved it and has since merged away did (its approval is what the year's record
    carries: `approved_by`). Before signing, the members."""
    if agreement is None or agreement.signed_at is None:
        return members
    signed = timezone.localdate(agreement.signed_at)
    joined = set(
        Membership.objects.filter(cycle_id=agreement.cycle_id, joined_on__gt=signed).values_list(
            "unit_id", flat=True
        )
    )
    current = {unit.pk for unit in members}
    gone = [unit for unit in agreement.approved_by.all() if unit.pk not in current]
    if not joined and not gone:
        return members
    return sorted(
        [unit for unit in members if unit.pk not in joined] + gone,
        key=lambda unit: collation_key(unit.short_name),
    )


def target_problems(
    agreement: Agreement, members: list[Unit], targets: Mapping[tuple[str, str], Decimal | None]
) -> list[Problem]:
    """Every target that cannot be given, each naming its unit and criterion: (unit code,
    criterion code) → value (None removes a target)."""
    by_code = {unit.code: unit for unit in members}
    criteria = {c.code: c for c in agreement.criteria.select_related("indicator")}
    problems = []
    for (unit_code, code), value in targets.items():
        criterion = criteria.get(code)
        if unit_code not in by_code:
            problems.append(
                Problem(
                    "not_member",
                    gettext_noop("%(unit)s không phải thành viên của cụm."),
                    {"unit": unit_code},
                    unit_code,
                )
            )
        elif criterion is None or criterion.kind != core.Kind.QUANTITATIVE:
            problems.append(
                Problem(
                    "not_quantitative",
                    gettext_noop("“%(code)s” không phải tiêu chí định lượng."),
                    {"code": code},
                    code,
                )
            )
        elif value is not None:
            problem = core.check_target(
                value,
                criterion.indicator.kind if criterion.indicator else None,
                unit=by_code[unit_code].short_name,
                code=code,
                field=f"{unit_code}:{code}",
            )
            if problem is not None:
                problems.append(problem)
    return problems


def checklist(agreement: Agreement, members: list[Unit]) -> list[Problem]:
    """What is missing before the agreement can be signed."""
    criteria = criteria_of(agreement)
    if not criteria:
        return [Problem("no_criteria", gettext_noop("Bảng tiêu chí chưa có tiêu chí nào."))]
    table = table_of(criteria)
    problems = table.check(agreement.declared_total)
    targets = targets_of(agreement)
    for criterion in table.leaves:
        if criterion.kind != core.Kind.QUANTITATIVE:
            continue
        missing = [
            unit.short_name for unit in members if (unit.code, criterion.code) not in targets
        ]
        if missing:
            problems.append(
                Problem(
                    "targets_missing",
                    gettext_noop("Tiêu chí “%(name)s” chưa giao chỉ tiêu cho: %(units)s."),
                    {"name": criterion.name, "units": ", ".join(missing)},
                    criterion.code,
                )
            )
    for target, scorers in assignment(agreement, members).items():
        if not scorers:
            problems.append(
                Problem(
                    "no_scorers",
                    gettext_noop("Chưa phân công đơn vị chấm điểm cho %(unit)s."),
                    {"unit": next(u.short_name for u in members if u.code == target)},
                    "assignment",
                )
            )
    return problems


def sheets_of(
    cycle: Cycle,
    *,
    submitted_only: bool,
    with_scores: bool = True,
    scorer: Unit | None = None,
    units: list[Unit] | None = None,
    timestamps: bool = True,
) -> list[ScoreSheet]:
    """The cycle's sheets (with `scorer`, those that unit gives); `with_scores` also loads
    every score as a model object (the record's export), which pages reading totals or
    statuses leave out: 150.000 objects at 50 units × 60 criteria (`score_grid_of` reads the
    same values as plain rows). With `units` (the members), each sheet's scorer and target
    are those objects, not two more built per sheet (5.000 at 50 units). The few people named
    on a sheet (entered on behalf, confirmed) are read apart, when there are any: joined to
    every sheet, they cost more than the sheet itself. Without `timestamps` the sheets' three
    times are left unread, for a page that lists states: each is a conversion per sheet (and
    one read later is a query per sheet, which the pages' query-count tests show)."""
    sheets = ScoreSheet.objects.filter(cycle=cycle)
    if not timestamps:
        sheets = sheets.defer("submitted_at", "updated_at", "confirmed_at")
    if units is None:
        sheets = sheets.select_related("scorer", "target")
    if scorer is not None:
        sheets = sheets.filter(scorer=scorer)
    if submitted_only:
        sheets = sheets.filter(status=ScoreSheet.Status.SUBMITTED)
    if with_scores:
        sheets = sheets.prefetch_related(
            Prefetch("scores", Score.objects.select_related("criterion"))
        )
    found = list(sheets)
    if units is not None:
        known = {unit.pk: unit for unit in units}
        others = {pk for s in found for pk in (s.scorer_id, s.target_id)} - known.keys()
        if others:  # a unit that left the cluster: one query for all of them
            known.update(Unit.objects.in_bulk(others))
        # into each sheet's cache of the relation, as a prefetch does: the descriptor's
        # checks (a unit saved, of the right model) cost four times as much, n² times
        scorer = ScoreSheet.scorer.field.set_cached_value
        target = ScoreSheet.target.field.set_cached_value
        for sheet in found:
            scorer(sheet, known[sheet.scorer_id])
            target(sheet, known[sheet.target_id])
    _people_on(found)
    return found


def _people_on(sheets: list[ScoreSheet]) -> None:
    """Who entered each sheet on its scorer's behalf and who confirmed it (with their unit),
    one query for all of them, none when no sheet names anybody."""
    named = {pk for s in sheets for pk in (s.on_behalf_by_id, s.confirmed_by_id) if pk}
    if not named:
        return
    people = User.objects.select_related("unit").in_bulk(named)
    for sheet in sheets:
        if sheet.on_behalf_by_id:
            sheet.on_behalf_by = people[sheet.on_behalf_by_id]
        if sheet.confirmed_by_id:
            sheet.confirmed_by = people[sheet.confirmed_by_id]


def score_grid_of(
    sheets: list[ScoreSheet], criteria: list[Criterion], table: core.Table, members: list[Unit]
) -> Grid:
    """The counted `sheets` (of one cycle, whose agreement has `criteria`) as the core's
    integer grid: every score times 10**(the score field's decimal places), made an integer by
    the database itself — one query of plain rows, no join, no Decimal per score. A sheet of
    a unit no longer a member is left out, as `core.score` leaves it."""
    places = Score._meta.get_field("value").decimal_places
    by_pk = {unit.pk: unit.code for unit in members}
    kept = [s for s in sheets if s.scorer_id in by_pk and s.target_id in by_pk]
    judged = table.plan.judged
    by_code = {c.code: c.pk for c in criteria}
    found = np.zeros((0, 3), dtype=np.int64)
    if kept:
        found = _integer_rows(
            Score.objects.filter(sheet__cycle_id=kept[0].cycle_id)
            .annotate(scaled=Cast(Round(F("value") * 10**places), IntegerField()))
            .values_list("sheet_id", "criterion_id", "scaled")
        )
    sheet_numbers, counted = _positions([sheet.pk for sheet in kept], found[:, 0])
    code_numbers, judged_here = _positions([by_code[code] for code in judged], found[:, 1])
    counted &= judged_here
    return Grid.of_arrays(
        [unit.code for unit in members],
        judged,
        [(by_pk[sheet.scorer_id], by_pk[sheet.target_id]) for sheet in kept],
        sheet_numbers[counted],
        code_numbers[counted],
        found[counted, 2],
        places,
    )


# the aggregate that joins texts with a separator, per database thidua runs on
_JOINED = {"sqlite": "group_concat", "postgresql": "string_agg"}


def _integer_rows(query) -> np.ndarray:
    """The rows of `query` (three integer columns: sheet_id, criterion_id, scaled) as one
    int64 array of shape (rows, 3). The database sends them as one text, each number
    followed by a comma, and numpy reads it in C: no Python tuple or int per score (147.500
    rows at 50 units, three quarters of what reading them cost as rows)."""
    sql, params = query.query.sql_with_params()
    connection = connections[query.db]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_JOINED[connection.vendor]}"  # noqa: S608 - our own query's SQL, its values as parameters
            f"(sheet_id || ',' || criterion_id || ',' || scaled, ',') FROM ({sql}) AS scores",
            params,
        )
        (text,) = cursor.fetchone()
    if not text:
        return np.zeros((0, 3), dtype=np.int64)
    return np.fromstring(text, dtype=np.int64, sep=",").reshape(-1, 3)


def _positions(keys: list[int], wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each of `wanted`'s place in `keys` (distinct integers), and whether it is there."""
    if not keys:
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    keys_array = np.array(keys, dtype=np.int64)
    order = np.argsort(keys_array)
    ordered = keys_array[order]
    at = np.searchsorted(ordered, wanted).clip(0, len(keys) - 1)
    return order[at], ordered[at] == wanted


def facts_of(
    cycle: Cycle, agreement: Agreement, table: core.Table, members: list[Unit]
) -> core.Facts:
    """Targets from the agreement, results from the submitted statistics, recorded facts."""
    targets = targets_of(agreement)
    # a member formed by a merger during the year is scored against the target its
    # predecessors' targets give it, where the rule is clear (`inherited_targets`)
    for key, inherited in inherited_targets(agreement, members, targets).items():
        if inherited.value is not None:
            targets[key] = inherited.value
    codes = [unit.code for unit in members]
    quantitative = [c for c in table.leaves if c.kind == core.Kind.QUANTITATIVE and c.indicator]
    actual: dict[tuple[str, str], Decimal] = {}
    if quantitative:
        catalog, _models = stats_selectors.catalog(active_only=False)
        # submitted reports only, as the cluster table and `thidua verify` count them
        figures, _reports = stats_selectors.counted_reports(codes, cycle.year)
        for unit in codes:
            for criterion in quantitative:
                indicator = catalog.get(criterion.indicator)
                value = (
                    core_indicators.value_of(indicator, figures.get(unit, {}))
                    if indicator
                    else None
                )
                if value is not None:
                    actual[(unit, criterion.code)] = value
    achieved, counts, penalties = {}, {}, {}
    for fact in Fact.objects.filter(criterion__agreement=agreement).select_related(
        "criterion", "unit"
    ):
        key = (fact.unit.code, fact.criterion.code)
        if fact.achieved is not None:
            achieved[key] = fact.achieved
        if fact.count is not None:
            counts[key] = fact.count
        if fact.penalties is not None:
            penalties[key] = fact.penalties
    return core.Facts(
        actual=actual,
        targets={(u, c): v for (u, c), v in targets.items()},
        achieved=achieved,
        counts=counts,
        penalties=penalties,
    )


@dataclass
class SheetSlot:
    scorer: Unit
    target: Unit
    kind: str
    sheet: ScoreSheet | None

    @property
    def status(self) -> str:
        return self.sheet.status if self.sheet else "missing"


@dataclass
class Results:
    cycle: Cycle
    agreement: Agreement
    rules: core.Rules
    criteria: list[Criterion]
    table: core.Table
    # Every member computed from what is in so far, best first: for the record (which its
    # verifier recomputes) and for a unit's own automatic points; never shown as a ranking
    # before `ready`.
    standings: list[tuple[Unit, core.UnitResult]]
    slots: list[SheetSlot] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """Ranks and bands are published only once every expected sheet is submitted or the
        scoring phase is closed: before that, points from the statistics alone would rank the
        units as if the scoring were over."""
        return _published(self.cycle, *self.progress)

    @property
    def ranking(self) -> list[tuple[Unit, core.UnitResult]]:
        """The published ranking: empty until `ready`."""
        return self.standings if self.ready else []

    @property
    def why_not_ready(self) -> list[Problem]:
        """Why there is no ranking yet (nothing once `ready`), for pages, API and documents."""
        return _not_published(self.cycle, *self.progress)

    @property
    def provisional(self) -> list[tuple[Unit, list[tuple[Criterion, core.CriterionResult]]]]:
        """Before `ready`: each member's automatic points (from statistics and recorded facts),
        in member order, not ranked."""
        automatic = [c for c in self.criteria if c.kind not in (core.Kind.SECTION, core.Kind.PEER)]
        by_unit = {unit.pk: result for unit, result in self.standings}
        members = list(dict.fromkeys(slot.target for slot in self.slots))  # member order
        return [
            (unit, [(c, by_unit[unit.pk].criteria[c.code]) for c in automatic])
            for unit in members
            if unit.pk in by_unit
        ]

    @property
    def sections(self) -> list[Criterion]:
        return [c for c in self.criteria if c.parent_id is None]

    @property
    def missing(self) -> list[SheetSlot]:
        return [slot for slot in self.slots if slot.status != ScoreSheet.Status.SUBMITTED]

    @property
    def on_behalf(self) -> list[SheetSlot]:
        """The sheets entered on the scorer unit's behalf ("nhập thay"), settled or not: marked
        wherever the results are shown."""
        return [slot for slot in self.slots if slot.sheet is not None and slot.sheet.on_behalf]

    @property
    def progress(self) -> tuple[int, int]:
        return _progress(self.slots)


def _progress(slots: list[SheetSlot]) -> tuple[int, int]:
    """The sheets submitted and the sheets expected."""
    done = sum(1 for slot in slots if slot.status == ScoreSheet.Status.SUBMITTED)
    return done, len(slots)


def _published(cycle: Cycle, done: int, expected: int) -> bool:
    """`Results.ready`: every expected sheet submitted, or the scoring phase closed."""
    scoring = cycle.position.status_of(Phase.SCORING)
    return (expected > 0 and done == expected) or scoring in (
        PhaseStatus.DONE,
        PhaseStatus.CLOSED,
    )


def _not_published(cycle: Cycle, done: int, expected: int) -> list[Problem]:
    """`Results.why_not_ready`."""
    if _published(cycle, done, expected):
        return []
    return [
        Problem(
            "ranking_not_ready",
            gettext_noop(
                "Chưa xếp hạng: mới nộp %(done)s/%(expected)s phiếu chấm. Xếp hạng, xếp loại "
                "chỉ công bố khi đã nộp đủ phiếu chấm hoặc khi giai đoạn chấm điểm đã đóng."
            ),
            {"done": done, "expected": expected},
        )
    ]


def expected_slots(
    cycle: Cycle,
    agreement: Agreement,
    members: list[Unit],
    sheets: list[ScoreSheet],
    *,
    scorer: Unit | None = None,
) -> list[SheetSlot]:
    """Every sheet the agreement calls for (peer sheets and self-assessments), filled or not;
    with `scorer`, only the sheets that unit gives."""
    by_code = {unit.code: unit for unit in members}
    ids = {unit.code: unit.pk for unit in members}  # not `.pk` twice per slot
    found = {(sheet.scorer_id, sheet.target_id): sheet for sheet in sheets}
    slots = []
    for target, scorers in assignment(agreement, members).items():
        target_unit, target_id = by_code[target], ids[target]
        codes = [target, *scorers]
        if scorer is not None:  # its one sheet on this target, if it scores it
            codes = [scorer.code] if scorer.code in codes else []
        for code in codes:
            slots.append(
                SheetSlot(
                    by_code[code],
                    target_unit,
                    ScoreSheet.Kind.SELF if code == target else ScoreSheet.Kind.PEER,
                    found.get((ids[code], target_id)),
                )
            )
    return slots


@dataclass(frozen=True)
class ScorerProgress:
    """How far one scorer unit is: its sheets expected and submitted, and the targets of
    those not submitted with their state ("draft", "awaiting" or "missing")."""

    scorer: Unit
    expected: int
    submitted: int
    waiting: list[tuple[Unit, str]]


def _submitted_by_scorer(cycle: Cycle, members: list[Unit]) -> dict[int, int]:
    """Per member unit id, the sheets it has submitted on members, counted by the database
    (one row per unit, not one per sheet). For a unit that scores every member (itself
    included), that is the number of its expected sheets submitted: a sheet is once per
    (cycle, scorer, target)."""
    ids = [unit.pk for unit in members]
    # the targets filtered in the count, not in the WHERE clause: SQLite then reads the
    # cycle's submitted sheets once from the index `sheet_progress` alone (0,4 ms at 50
    # units; 0,8 reading the sheets, 1,9 looking up every (scorer, target) pair of the
    # lists); a scorer no longer a member has a row too, never read
    return dict(
        ScoreSheet.objects.filter(cycle=cycle, status=ScoreSheet.Status.SUBMITTED)
        .order_by()
        .values("scorer_id")
        .annotate(count=Count("id", filter=Q(target_id__in=ids)))
        .values_list("scorer_id", "count")
    )


def _unfinished_states(
    cycle: Cycle, members: list[Unit], assigned: dict[str, list[str]]
) -> tuple[dict[str, int], list[tuple[str, str, str]]]:
    """The sheets the agreement calls for (`assigned`, from `assignment`), read as rows, not
    as sheets, so that the pages that count sheets keep their pace when n units give n²
    sheets (2.500 at 50 units): the units that score every member (all members, as most
    agreements have it) with every sheet submitted, with how many that is (counted by the
    database), and every other unit's sheets as (scorer code, target code, state) in the
    order of `expected_slots`; the state is "missing" for a sheet not begun."""
    ids = {unit.code: unit.pk for unit in members}  # not `.pk` twice per sheet
    scores = {code: {code} for code in ids}  # a unit's targets, its self-assessment first
    for target, scorers in assigned.items():
        for scorer in scorers:
            scores[scorer].add(target)
    everyone = [code for code, targets in scores.items() if len(targets) == len(members)]
    sheets = ScoreSheet.objects.filter(cycle=cycle)
    complete: dict[str, int] = {}
    if everyone:  # a sheet on each member: counting its submitted ones says if all are in
        done = _submitted_by_scorer(cycle, members)
        complete = {c: len(members) for c in everyone if done.get(ids[c], 0) == len(members)}
        if len(complete) == len(ids):  # every sheet in: nothing to list
            return complete, []
        sheets = sheets.filter(scorer_id__in=[ids[c] for c in ids if c not in complete])
    states = {
        (scorer, target): status
        for scorer, target, status in sheets.values_list("scorer_id", "target_id", "status")
    }
    rows = []
    for target, scorers in assigned.items():
        target_id = ids[target]
        for scorer in [target, *scorers]:
            if scorer not in complete:
                state = states.get((ids[scorer], target_id), "missing")
                rows.append((scorer, target, str(state)))
    return complete, rows


def scoring_progress(
    cycle: Cycle, agreement: Agreement, members: list[Unit]
) -> list[ScorerProgress]:
    """Per member unit in member order, the sheets it gives: the scoring page's overview.
    The sheets not submitted are `sheets_progress`'s (kept per version: the scoring page
    does not count n² sheets at every request); each unit's expected sheets are its places
    in the assignment (its self-assessment and the units it scores), counted once per
    target without a Python step per sheet."""
    by_code = {unit.code: unit for unit in members}
    assigned = assignment(agreement, members)
    expected = Counter(iter(assigned))  # each target's self-assessment (its codes, not a mapping)
    for scorers in assigned.values():
        expected.update(scorers)
    waiting: dict[int, list[tuple[Unit, str]]] = {unit.pk: [] for unit in members}
    progress = sheets_progress(cycle)
    for sheet in progress.missing if progress is not None else ():
        waiting[sheet.scorer_id].append((by_code[sheet.target_code], sheet.status))
    return [
        ScorerProgress(
            unit,
            expected[unit.code],
            expected[unit.code] - len(waiting[unit.pk]),
            waiting[unit.pk],
        )
        for unit in members
    ]


_shared_results: ContextVar[dict | None] = ContextVar("shared_results", default=None)


@contextmanager
def results_shared() -> Iterator[None]:
    """Within it, `results` of a cycle at one version is computed once. A record's export and
    `thidua documents` build a document per member unit (its score sheet, its scorer sheet),
    each of which reads the results: without it, n documents × n² × criteria scores."""
    if _shared_results.get() is not None:  # already shared by an outer scope
        yield
        return
    token = _shared_results.set({})
    try:
        yield
    finally:
        _shared_results.reset(token)


def results(cycle: Cycle) -> Results | None:
    """Each member's points, total, rank and band from the submitted sheets (None without an
    agreement); the ranking is published only once `Results.ready`. Within `results_shared`,
    computed once per version of the cycle (the version read before the results, so a write
    meanwhile makes the next call compute them again)."""
    shared = _shared_results.get()
    if shared is None:
        return _results(cycle)
    key = (cycle.pk, versions.version(cycle))
    if key not in shared:
        shared[key] = _results(cycle)
    return shared[key]


def _results(cycle: Cycle) -> Results | None:
    agreement = agreement_of(cycle)
    if agreement is None:
        return None
    members = org_selectors.member_units(cycle)
    criteria = criteria_of(agreement)
    table = table_of(criteria)
    rules = rules_of(agreement)
    all_sheets = sheets_of(cycle, submitted_only=False, with_scores=False, units=members)
    submitted = [s for s in all_sheets if s.status == ScoreSheet.Status.SUBMITTED]
    assigned = assignment(agreement, members)
    counted = [
        sheet
        for sheet in submitted
        if sheet.kind == ScoreSheet.Kind.SELF
        or sheet.scorer.code in assigned.get(sheet.target.code, [])
    ]
    facts = facts_of(cycle, agreement, table, members)
    grid = score_grid_of(counted, criteria, table, members)
    ranked = core_grid.score_grid(table, grid, facts, rules)
    by_code = {unit.code: unit for unit in members}
    return Results(
        cycle=cycle,
        agreement=agreement,
        rules=rules,
        criteria=criteria,
        table=table,
        standings=[(by_code[result.unit], result) for result in ranked],
        slots=expected_slots(cycle, agreement, members, all_sheets),
    )


@dataclass(frozen=True)
class Ranked:
    """A unit's place in the published ranking, without its points per criterion."""

    total: Decimal
    rank: int
    band: str | None


@dataclass(frozen=True)
class Missing:
    """A sheet not submitted yet: who scores whom, and how it stands."""

    scorer_id: int
    target_code: str
    kind: str
    status: str


@dataclass(frozen=True)
class Progress:
    """What the sheets' states alone tell of `results` (no score read): the progress, why
    there is no ranking yet, the sheets still missing — the documents page and the home
    page's tasks, which show no points."""

    progress: tuple[int, int]
    why_not_ready: list[Problem]
    missing: list[Missing]
    members: list[Unit]  # in the order of the sheets
    peer_scorers: frozenset[int]  # the units that score other units

    @property
    def ready(self) -> bool:
        """As `Results.ready`: the ranking is published (nothing keeps it back)."""
        return not self.why_not_ready

    @classmethod
    def of(cls, cycle: Cycle, slots: list[SheetSlot], **more) -> Progress:
        done, expected = _progress(slots)
        return cls(
            progress=(done, expected),
            why_not_ready=_not_published(cycle, done, expected),
            missing=[
                Missing(slot.scorer.pk, slot.target.code, slot.kind, slot.status)
                for slot in slots
                if slot.status != ScoreSheet.Status.SUBMITTED
            ],
            members=[slot.target for slot in slots if slot.kind == ScoreSheet.Kind.SELF],
            peer_scorers=frozenset(
                slot.scorer.pk for slot in slots if slot.kind == ScoreSheet.Kind.PEER
            ),
            **more,
        )


@dataclass(frozen=True)
class Summary(Progress):
    """What pages other than the results table read of `results`: `Progress` and the
    published ranking. A unit per ranked row, so small enough to cache: the full results
    hold every score (4,7 MB pickled at 50 units × 60 criteria, as long to read back as to
    compute)."""

    ranking: list[tuple[Unit, Ranked]]


def summary(cycle: Cycle) -> Summary | None:
    """`results` as the dashboard and the conference read them (None without an agreement),
    computed once per version of the cycle. Until the ranking is published, it has no row
    to show: the sheets' states (`sheets_progress`) say the rest, no score is read — during
    the scoring phase, when every sheet submitted makes a new version."""

    def compute() -> Summary | None:
        progress = sheets_progress(cycle)
        if progress is None:
            return None
        if not progress.ready:
            return Summary(
                **{f.name: getattr(progress, f.name) for f in fields(Progress)}, ranking=[]
            )
        found = results(cycle)
        if found is None:
            return None
        return Summary.of(
            cycle,
            found.slots,
            ranking=[
                (unit, Ranked(result.total, result.rank, result.band))
                for unit, result in found.ranking
            ],
        )

    return versions.cached(cycle, "scoring.summary", compute)


versions.refreshed("scoring.summary", lambda cycle, _detail: summary(cycle), results_shared)


def sheets_progress(cycle: Cycle) -> Progress | None:
    """`summary` without the ranking (None without an agreement): read from the sheets'
    states, not their scores — n² sheets, n² × criteria scores — once per version."""

    def compute() -> Progress | None:
        agreement = agreement_of(cycle)
        if agreement is None:
            return None
        members = org_selectors.member_units(cycle)
        by_code = {unit.code: unit for unit in members}
        assigned = assignment(agreement, members)
        complete, rows = _unfinished_states(cycle, members, assigned)
        done = expected = sum(complete.values())
        missing = []
        for scorer, target, state in rows:
            expected += 1
            if state == ScoreSheet.Status.SUBMITTED:
                done += 1
            else:
                kind = ScoreSheet.Kind.SELF if scorer == target else ScoreSheet.Kind.PEER
                missing.append(Missing(by_code[scorer].pk, target, kind, state))
        # as `Progress.of` gives it from the expected slots (a self-assessment per target,
        # first), without a slot per sheet
        return Progress(
            progress=(done, expected),
            why_not_ready=_not_published(cycle, done, expected),
            missing=missing,
            members=[by_code[target] for target in assigned],
            peer_scorers=frozenset(by_code[code].pk for code in set().union(*assigned.values())),
        )

    return versions.cached(cycle, "scoring.progress", compute)


versions.refreshed("scoring.progress", lambda cycle, _detail: sheets_progress(cycle))


def automatic_points(
    cycle: Cycle, unit: Unit, agreement: Agreement, table: core.Table
) -> dict[str, core.CriterionResult]:
    """`unit`'s points on the criteria computed from statistics and recorded facts (not
    scored by peers), as `results` gives them, under the cycle's `agreement` and its `table`
    (as the sheet page read them): these do not depend on the score sheets, so the sheet
    page reads none of the cluster's scores for them."""
    members = org_selectors.member_units(cycle)
    if unit.pk not in {member.pk for member in members}:
        return {}
    facts = facts_of(cycle, agreement, table, members)
    return core.automatic_results(table, [member.code for member in members], facts, unit.code)


def evidence_of(cycle: Cycle, unit: Unit) -> dict[int, list[Evidence]]:
    """A unit's evidence, by criterion id."""
    grouped: dict[int, list[Evidence]] = defaultdict(list)
    for item in Evidence.objects.filter(cycle=cycle, unit=unit).select_related("criterion"):
        grouped[item.criterion_id].append(item)
    return grouped


def unit_usage(codes) -> list[tuple[str, int, str | None]]:
    """Where the units `codes` score or are scored: (unit, year, cycle), one query.

    Registered with the organisation, so that a lineage event cannot rewrite those years."""
    codes = list(codes)
    rows = ScoreSheet.objects.filter(
        Q(scorer__code__in=codes) | Q(target__code__in=codes)
    ).values_list("scorer__code", "target__code", "cycle__year", "cycle__title")
    return [
        (code, year, org_selectors.cycle_label(title, year))
        for scorer, target, year, title in rows
        for code in {scorer, target}
    ]


def late_scorers(cycle: Cycle) -> list[org_selectors.Waiting]:
    """The member units with score sheets still missing: what scoring waits for. Reads the
    sheets' states (`_unfinished_states`), not the scores: every page of an open scoring
    phase asks."""
    agreement = agreement_of(cycle)
    if agreement is None:
        return []
    members = org_selectors.member_units(cycle)
    _complete, rows = _unfinished_states(cycle, members, assignment(agreement, members))
    late = {scorer for scorer, _target, state in rows if state != ScoreSheet.Status.SUBMITTED}
    return [org_selectors.Waiting.of(unit) for unit in members if unit.code in late]


def on_behalf_mark(sheet: ScoreSheet) -> str:
    """The "nhập thay" line of a sheet entered on the scorer's behalf: by whom, why, and how
    it stands (for the exported results; the pages say the same)."""
    by = sheet.on_behalf_by.get_full_name() if sheet.on_behalf_by else ""
    if sheet.status == ScoreSheet.Status.AWAITING:
        state = "chờ đơn vị xác nhận, chưa tính vào kết quả"
    elif sheet.excuse:
        state = f"đơn vị không xác nhận được: {sheet.excuse}"
    elif sheet.confirmed_at is not None:
        state = "đơn vị đã xác nhận"
    else:
        state = "bản nháp"
    return (
        f"{sheet.scorer.short_name} → {sheet.target.short_name}: nhập thay"
        f"{f' ({by})' if by else ''}: {sheet.on_behalf_reason}; {state}."
    )


def criteria_of_kind(agreement: Agreement, kind: core.Kind) -> list[Criterion]:
    """The agreement's criteria of one kind, by position (the targets form reads the
    quantitative ones)."""
    return list(agreement.criteria.filter(kind=kind))


def copyable_cycle(cycle: Cycle) -> Cycle | None:
    """The cluster's cycle a year earlier, if it has an agreement to copy from."""
    return Cycle.objects.filter(
        cluster_id=cycle.cluster_id, year=cycle.year - 1, agreement__isnull=False
    ).first()


def sheet_of(cycle: Cycle, scorer: Unit, target: Unit) -> ScoreSheet | None:
    """The sheet `scorer` fills in on `target` this cycle, if begun."""
    return (
        ScoreSheet.objects.filter(cycle=cycle, scorer=scorer, target=target)
        .select_related("on_behalf_by", "confirmed_by")
        .first()
    )


def scores_by_code(sheet: ScoreSheet) -> dict[str, Decimal]:
    """Criterion code → the score a stored sheet gives (one query)."""
    return {score.criterion.code: score.value for score in sheet.scores.select_related("criterion")}


def reasons_by_code(sheet: ScoreSheet) -> dict[str, str]:
    """Criterion code → the reviewer's reason for a score below the self-assessment."""
    return {
        score.criterion.code: score.reason
        for score in sheet.scores.select_related("criterion")
        if score.reason
    }


def recorded_facts(agreement: Agreement) -> dict[tuple[int, int], Fact]:
    """(unit id, criterion id) → the fact recorded under the agreement."""
    return {
        (f.unit_id, f.criterion_id): f for f in Fact.objects.filter(criterion__agreement=agreement)
    }


def criterion_at(agreement: Agreement | None, code: str) -> Criterion | None:
    """The agreement's criterion `code` (an evidence upload names it)."""
    return Criterion.objects.filter(agreement=agreement, code=code).first()


def evidence_at(cycle: Cycle, pk: int) -> Evidence | None:
    """Evidence `pk`, only if it belongs to `cycle` (a URL names both)."""
    return Evidence.objects.filter(pk=pk, cycle=cycle).first()


# --- confirmations by the member units' directors ----------------------------------------


def _exact(value: Decimal | None) -> str | None:
    """A number as confirmed, whatever the trailing zeros the database gives back."""
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in {"-0", ""} else text


def agreement_content(agreement: Agreement) -> dict:
    """What a director confirms, in a canonical order: the criteria table, the targets given
    to each unit and the cluster's rules (scoring rules, total, who scores whom)."""
    criteria = list(agreement.criteria.select_related("parent", "indicator").order_by("code"))
    teams = {
        team.inspected.code: sorted(unit.code for unit in team.scorers.all())
        for team in agreement.teams.select_related("inspected").prefetch_related("scorers")
    }
    return {
        "criteria": [
            {
                "code": c.code,
                "parent": c.parent.code if c.parent else None,
                "position": c.position,
                "name": c.name,
                "kind": c.kind,
                "max_points": _exact(c.max_points),
                "min_points": _exact(c.min_points),
                "indicator": c.indicator.code if c.indicator else None,
                "points_each": _exact(c.points_each),
                "penalty_each": _exact(c.penalty_each),
                "guidance": c.guidance,
            }
            for c in criteria
        ],
        "targets": sorted(
            [unit, criterion, _exact(value)]
            for (unit, criterion), value in targets_of(agreement).items()
        ),
        "rules": {
            "declared_total": _exact(agreement.declared_total),
            "rules": agreement.rules,
            "assignment": agreement.assignment,
            "teams": dict(sorted(teams.items())) if agreement.assignment == "teams" else {},
        },
    }


def agreement_digest(agreement: Agreement) -> str:
    """SHA-256 of the canonical JSON of the agreement's content: equal digests, same text."""
    canonical = json.dumps(
        agreement_content(agreement),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ConfirmationState:
    CONFIRMED = "confirmed"
    STALE = "stale"  # confirmed an earlier version: cần xác nhận lại
    EXCUSED = "excused"  # the leader's secretary recorded why the unit could not confirm
    MISSING = "missing"


@dataclass(frozen=True)
class UnitConfirmation:
    unit: Unit
    state: str
    confirmation: Confirmation | None

    @property
    def settled(self) -> bool:
        """Counts for signing: confirmed the current version, or a reason is recorded."""
        return self.state in (ConfirmationState.CONFIRMED, ConfirmationState.EXCUSED)


def confirmations(
    agreement: Agreement | None, members: list[Unit], digest: str | None = None
) -> list[UnitConfirmation]:
    """Each member unit's word on the agreement as it stands now (two queries and the
    digest's, whatever the number of units)."""
    if agreement is None:
        return [UnitConfirmation(unit, ConfirmationState.MISSING, None) for unit in members]
    digest = digest or agreement_digest(agreement)
    found = {
        row.unit_id: row
        for row in Confirmation.objects.filter(agreement=agreement).select_related(
            "confirmed_by", "reason_by"
        )
    }
    rows = []
    for unit in members:
        row = found.get(unit.pk)
        if row is not None and row.confirmed_at is not None and row.digest == digest:
            state = ConfirmationState.CONFIRMED
        elif row is not None and row.reason:
            state = ConfirmationState.EXCUSED
        elif row is not None and row.confirmed_at is not None:
            state = ConfirmationState.STALE
        else:
            state = ConfirmationState.MISSING
        rows.append(UnitConfirmation(unit, state, row))
    return rows


def unconfirmed(cycle: Cycle) -> list[org_selectors.Waiting]:
    """The member units that have neither confirmed the agreement as it stands nor a reason
    recorded: what signing the agreement waits for."""
    agreement = Agreement.objects.filter(cycle=cycle).first()
    if agreement is None:
        return []
    members = signatories(agreement, org_selectors.member_units(cycle))
    return [
        org_selectors.Waiting.of(row.unit)
        for row in confirmations(agreement, members)
        if not row.settled
    ]


# --- score review with explanations (giải trình) -----------------------------------------


def unassigned_criteria(cycle: Cycle) -> list[tuple[str, str]]:
    """(unit code, criterion code) of judged criteria nobody is assigned to score."""
    agreement = agreement_of(cycle)
    if agreement is None:
        return []
    members = org_selectors.member_units(cycle)
    table = table_of(criteria_of(agreement))
    assigned = assignment(agreement, members)
    pairs = [(scorer, target, None) for target, scorers in assigned.items() for scorer in scorers]
    return core_review.unassigned(table, [unit.code for unit in members], pairs)


def unfinalised_explanations(cycle: Cycle) -> int:
    """How many explanations of the cycle wait for a reviewer's answer or a conclusion."""
    final = [core_review.State.ACCEPTED.value, core_review.State.REFUSED.value]
    return Explanation.objects.filter(cycle=cycle).exclude(state__in=final).count()


def explanation_due(cycle: Cycle, today) -> date | None:
    """The last day to file an explanation: the scoring phase's deadline (set by the leader
    unit, else the rule set's default); None when it has none."""
    return next(
        (d.due for d in org_selectors.deadlines(cycle, today) if d.phase == Phase.SCORING), None
    )


def explanation(cycle: Cycle, pk: int) -> Explanation | None:
    return (
        Explanation.objects.filter(cycle=cycle, pk=pk)
        .select_related("unit", "reviewer", "criterion", "cycle__cluster")
        .first()
    )


@dataclass(frozen=True)
class ScoreNote:
    """Why a reviewer's score on a unit's criterion is what it is where the unit scored itself
    higher: the reviewer's reason, and the explanation the unit filed on it (if any)."""

    reason: str
    explanation: Explanation | None


def score_notes(cycle: Cycle) -> dict[tuple[str, str, str], ScoreNote]:
    """The notes of the cycle's peer scores, by (unit scored, criterion, reviewer): two
    queries whatever the number of units and criteria."""
    reasons = {
        (target, criterion, scorer): reason
        for target, criterion, scorer, reason in Score.objects.filter(
            sheet__cycle=cycle, sheet__kind=ScoreSheet.Kind.PEER
        )
        .exclude(reason="")
        .values_list("sheet__target__code", "criterion__code", "sheet__scorer__code", "reason")
    }
    filed = {
        (item.unit.code, item.criterion.code, item.reviewer.code): item
        for item in Explanation.objects.filter(cycle=cycle).select_related(
            "unit", "criterion", "reviewer"
        )
    }
    return {key: ScoreNote(reasons.get(key, ""), filed.get(key)) for key in reasons | filed}


@dataclass
class ReviewLine:
    """One reviewer's score below the unit's self-assessment on a criterion."""

    reviewer: Unit
    value: Decimal
    reason: str
    state: core_review.State
    pending: core_review.Party | None
    explanation: Explanation | None


@dataclass
class ReviewRow:
    criterion: Criterion
    self_value: Decimal | None
    points: Decimal | None  # the aggregated score of the submitted sheets
    lines: list[ReviewLine]


def review_of(cycle: Cycle, unit: Unit) -> list[ReviewRow]:
    """Per judged criterion of `unit`: its aggregated score, its self score, and each reviewer
    who scored it lower (reason given, explanation, state, where it is pending)."""
    agreement = agreement_of(cycle)
    if agreement is None:
        return []
    criteria = [c for c in criteria_of(agreement) if c.kind == "peer"]
    sheets = [s for s in sheets_of(cycle, submitted_only=False) if s.target_id == unit.pk]
    own = next((s for s in sheets if s.kind == ScoreSheet.Kind.SELF), None)
    self_scores = scores_by_code(own) if own is not None else {}
    peers = [s for s in sheets if s.kind == ScoreSheet.Kind.PEER]
    given = {
        (score.sheet.scorer.code, score.criterion.code): score
        for score in Score.objects.filter(sheet__in=peers).select_related(
            "criterion", "sheet__scorer"
        )
    }
    core_sheets = [
        core.Sheet(
            sheet.scorer.code,
            unit.code,
            {c: sc.value for (r, c), sc in given.items() if r == sheet.scorer.code},
        )
        for sheet in peers
    ]
    if own is not None:
        core_sheets.append(core.Sheet(unit.code, unit.code, self_scores))
    filed = {
        (e.criterion.code, e.reviewer.code): e
        for e in Explanation.objects.filter(cycle=cycle, unit=unit).select_related(
            "criterion", "reviewer", "filed_by", "answered_by", "finalised_by"
        )
    }
    found = core_review.below_self(core_sheets)
    scorers = {sheet.scorer.code: sheet.scorer for sheet in peers}
    computed = results(cycle)
    points = {}
    if computed is not None:
        result = next((r for u, r in computed.standings if u.pk == unit.pk), None)
        if result is not None:
            points = {code: item.points for code, item in result.criteria.items()}
    rows = []
    for criterion in criteria:
        lines = []
        for below in (b for b in found if b.criterion == criterion.code):
            item = filed.get((criterion.code, below.reviewer))
            state = core_review.State(item.state) if item else core_review.State.OPEN
            lines.append(
                ReviewLine(
                    reviewer=scorers[below.reviewer],
                    value=below.value,
                    reason=given[(below.reviewer, criterion.code)].reason,
                    state=state,
                    pending=core_review.pending_with(state),
                    explanation=item,
                )
            )
        # an explanation whose score was raised to the self score stays listed
        for (code, reviewer), item in filed.items():
            if code == criterion.code and all(line.explanation is not item for line in lines):
                state = core_review.State(item.state)
                score = given.get((reviewer, code))
                lines.append(
                    ReviewLine(
                        reviewer=item.reviewer,
                        value=score.value if score else item.new_value,
                        reason=score.reason if score else "",
                        state=state,
                        pending=core_review.pending_with(state),
                        explanation=item,
                    )
                )
        rows.append(
            ReviewRow(
                criterion=criterion,
                self_value=self_scores.get(criterion.code),
                points=points.get(criterion.code),
                lines=lines,
            )
        )
    return rows
