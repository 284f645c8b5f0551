"""Reads of the organisation: a fixed number of queries per call, however much data there is."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date
from functools import cache
from typing import NamedTuple

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from thidua.audit import versions
from thidua.core import deadlines as core_deadlines
from thidua.core import eligibility as core_eligibility
from thidua.core import lineage as core_lineage
from thidua.core import phases as core_phases
from thidua.core.policy import Action, Role
from thidua.core.text import collation_key
from thidua.org.authz import can, roles_for
from thidua.org.models import (
    ApiToken,
    CalendarToken,
    Cluster,
    Cycle,
    Decision,
    Handover,
    LineageEvent,
    LineageLink,
    Membership,
    Person,
    PhaseDeadline,
    PhaseEvent,
    Reminder,
    RuleSet,
    TitleRecord,
    TitleState,
    Unit,
    User,
)


def lineage() -> core_lineage.Lineage:
    """Every unit and lineage event, as the pure core's `Lineage` (two queries)."""
    return lineage_with_ids()[0]


def lineage_with_ids() -> tuple[core_lineage.Lineage, dict[str, int]]:
    """`lineage`, and every unit's primary key by code (for reads that join on them); the
    units read as plain rows, not models (a national office has hundreds)."""
    rows = list(Unit.objects.order_by().values_list("pk", "code", "name", "valid_from", "valid_to"))
    units = [core_lineage.UnitSpan(*row[1:]) for row in rows]
    events: dict[int, dict] = {}
    links = LineageLink.objects.select_related("event", "unit").order_by("event_id", "unit__code")
    for link in links:
        entry = events.setdefault(link.event_id, {"event": link.event, "source": [], "target": []})
        entry[link.role].append(link.unit.code)
    found = core_lineage.Lineage(
        units,
        [
            core_lineage.LineageEvent(
                core_lineage.EventKind(entry["event"].kind),
                entry["event"].effective_date,
                tuple(entry["source"]),
                tuple(entry["target"]),
            )
            for entry in events.values()
        ],
    )
    return found, {row[1]: row[0] for row in rows}


#: Where later stages use units: given unit codes, yields (unit code, year, what uses it, or
#: None when nothing can be named), e.g. the statistics reports and the score sheets.
UsageProvider = Callable[[Collection[str]], Iterable[tuple[str, int, str | None]]]
_USAGE_PROVIDERS: list[UsageProvider] = []


def register_unit_usage(provider: UsageProvider) -> None:
    """Let a later stage tell where it uses units (one query per call, whatever the number of
    units), without the organisation knowing about that stage."""
    if provider not in _USAGE_PROVIDERS:
        _USAGE_PROVIDERS.append(provider)


class Waiting(NamedTuple):
    """A member unit a phase waits for: its code, which tells it from any other unit, and its
    short name, which pages show (two units may share a short name, e.g. a province before
    and after a merger)."""

    code: str
    name: str

    def __str__(self) -> str:
        return self.name

    @classmethod
    def of(cls, unit: Unit) -> Waiting:
        return cls(unit.code, unit.short_name)


#: Given a cycle whose phase is open, the member units that phase still waits for.
WaitingProvider = Callable[[Cycle], list[Waiting]]
#: per phase, and for the mid-year review (`core.deadlines.Milestone.MIDYEAR`)
_LATE: dict[core_deadlines.Step, list[WaitingProvider]] = {}
#: Given a cycle whose phase is open, what it leaves contrary to the rules, as sentences.
UnsettledProvider = Callable[[Cycle], list[str]]
_UNSETTLED: dict[core_phases.Phase, list[UnsettledProvider]] = {}


def register_late(phase: core_deadlines.Step, provider: WaitingProvider) -> None:
    """Let a later stage name the member units an open `phase` (or the mid-year review) waits
    for (e.g. statistics: the reports not submitted), without the organisation knowing about
    that stage."""
    providers = _LATE.setdefault(phase, [])
    if provider not in providers:
        providers.append(provider)


def register_unsettled(phase: core_phases.Phase, provider: UnsettledProvider) -> None:
    """Let a later stage say what an open `phase` leaves contrary to the rules (e.g. the
    conference's nominations), said before the phase is closed."""
    providers = _UNSETTLED.setdefault(phase, [])
    if provider not in providers:
        providers.append(provider)


def late(cycle: Cycle, step: core_deadlines.Step | None = None) -> list[Waiting]:
    """The member units the open phase is waiting for (reports, then score sheets), or with
    `step` the mid-year review (`Milestone.MIDYEAR`: the first-half reports)."""
    if step is None:
        if not cycle.phase_is_open:
            return []
        step = cycle.phase
    return versions.cached(
        cycle,
        f"org.late.{step}",
        lambda: [unit for provider in _LATE.get(step, []) for unit in provider(cycle)],
    )


versions.refreshed("org.late", late)  # "org.late.<step>": the step's value


def unsettled(cycle: Cycle) -> list[str]:
    """What the open phase leaves contrary to the rules (e.g. a Government-flag nominee
    without the Ministry flag): said before the phase is closed."""
    if not cycle.phase_is_open:
        return []
    return [text for provider in _UNSETTLED.get(cycle.phase, []) for text in provider(cycle)]


def cycle_label(title: str, year: int) -> str:
    return f"{title} – {year}"


def units_in_use(codes: Collection[str]) -> dict[str, dict[int, set[str]]]:
    """For each unit code, the years it is used in and what uses it each year: cycle
    memberships, a cycle's leader or deputy, hand-overs, and what later stages register
    (statistics reports, score sheets). A constant number of queries."""
    codes = list(dict.fromkeys(codes))
    found: dict[str, dict[int, set[str]]] = {}

    def add(code: str | None, year: int, use: str | None) -> None:
        if code in codes:
            uses = found.setdefault(code, {}).setdefault(year, set())
            if use:
                uses.add(use)

    for code, year, title in Membership.objects.filter(unit__code__in=codes).values_list(
        "unit__code", "cycle__year", "cycle__title"
    ):
        add(code, year, cycle_label(title, year))
    leading = Q(leader__code__in=codes) | Q(deputy__code__in=codes)
    for leader, deputy, year, title in Cycle.objects.filter(leading).values_list(
        "leader__code", "deputy__code", "year", "title"
    ):
        add(leader, year, cycle_label(title, year))
        add(deputy, year, cycle_label(title, year))
    for leader, deputy, year, name in Handover.objects.filter(leading).values_list(
        "leader__code", "deputy__code", "year", "cluster__name"
    ):
        add(leader, year, cycle_label(name, year))
        add(deputy, year, cycle_label(name, year))
    for provider in _USAGE_PROVIDERS:
        for code, year, use in provider(codes):
            add(code, year, use)
    return found


def units_by_code(codes) -> dict[str, Unit]:
    return {unit.code: unit for unit in Unit.objects.filter(code__in=list(codes))}


def with_members(queryset: QuerySet[Cycle]) -> QuerySet[Cycle]:
    """Cycles with leader, deputy and members loaded (members ordered by short name)."""
    return queryset.select_related("cluster", "leader", "deputy", "rule_set").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("unit"),
        )
    )


def member_units(cycle: Cycle) -> list[Unit]:
    """The cycle's member units in Vietnamese order; also primes the cache used by `authz`."""
    memberships = list(cycle.memberships.all())
    for membership in memberships:  # how a unit joined during the year, shown beside it
        membership.unit.joined_note = membership.note
    units = sorted(
        (membership.unit for membership in memberships),
        key=lambda unit: collation_key(unit.short_name),
    )
    cycle._member_unit_ids = frozenset(unit.pk for unit in units)
    cycle.member_list = units
    return units


def visible_cycles(user) -> list[Cycle]:
    """The cycles `user` may see: all of them for admins and observers, else their unit's."""
    queryset = with_members(Cycle.objects.all()).order_by("-year", "cluster__code")
    roles = roles_for(user, appointed=False)
    if not (roles & {Role.ADMIN, Role.OBSERVER, Role.SYSTEM}):
        if user.unit_id is None:
            return []
        queryset = queryset.filter(memberships__unit_id=user.unit_id).distinct()
    cycles = list(queryset)
    for cycle in cycles:
        member_units(cycle)
    return cycles


def get_cycle(cluster_code: str, year: int) -> Cycle | None:
    cycle = with_members(Cycle.objects.filter(cluster__code=cluster_code, year=year)).first()
    if cycle is not None:
        member_units(cycle)
    return cycle


@dataclass(frozen=True)
class PhaseRow:
    phase: core_phases.Phase
    label: str
    status: core_phases.PhaseStatus
    opened_at: object
    closed_at: object
    reopen_reasons: tuple[str, ...]


def phase_timeline(cycle: Cycle) -> list[PhaseRow]:
    """Each phase's status, with when it was last opened and closed and why it re-opened."""
    events = list(PhaseEvent.objects.filter(cycle=cycle).select_related("actor"))
    rows = []
    position = cycle.position
    for phase in core_phases.PHASES:
        own = [event for event in events if event.phase == phase.value]
        opened = [event for event in own if event.action in ("open", "reopen")]
        closed = [event for event in own if event.action == "close"]
        rows.append(
            PhaseRow(
                phase=phase,
                label=core_phases.PHASE_LABELS[phase],
                status=position.status_of(phase),
                opened_at=opened[-1] if opened else None,
                closed_at=closed[-1] if closed else None,
                reopen_reasons=tuple(event.reason for event in own if event.action == "reopen"),
            )
        )
    return rows


def handovers_of(cluster: Cluster, years: tuple[int, ...] | None = None) -> list[Handover]:
    """The cluster's hand-over records, newest first (optionally only for some years)."""
    queryset = Handover.objects.filter(cluster=cluster)
    if years is not None:
        queryset = queryset.filter(year__in=years)
    return list(
        queryset.select_related("leader", "deputy", "recorded_by", "from_cycle").order_by(
            "-year", "-recorded_at", "-id"
        )
    )


def current_handover(cluster: Cluster, year: int) -> Handover | None:
    """The latest record of who leads `cluster` in `year` (later records supersede)."""
    return (
        Handover.objects.filter(cluster=cluster, year=year)
        .select_related("leader", "deputy")
        .order_by("-recorded_at", "-id")
        .first()
    )


def cluster_cycles(cluster: Cluster) -> list[Cycle]:
    cycles = list(with_members(cluster.cycles.all()).order_by("-year"))
    for cycle in cycles:
        member_units(cycle)
    return cycles


@dataclass(frozen=True)
class ClusterOverview:
    """What `user` may see of a cluster: its years (members, leader, deputy) and hand-overs."""

    cycles: list[Cycle]
    handovers: list[Handover]
    hidden_cycles: int = 0  # years that exist but `user` may not open (another cluster's)


def cluster_overview(user, cluster: Cluster) -> ClusterOverview:
    """The cluster's cycles `user` may view, and the hand-overs recorded from or for one of
    them (all hand-overs for admins). One rule for the cluster page and the API."""
    every = cluster_cycles(cluster)
    cycles = [cycle for cycle in every if can(user, Action.VIEW_CYCLE, cycle)]
    handovers = handovers_of(cluster)
    if not roles_for(user, appointed=False) & {Role.ADMIN, Role.SYSTEM}:
        ids, years = {cycle.pk for cycle in cycles}, {cycle.year for cycle in cycles}
        handovers = [
            handover
            for handover in handovers
            if handover.from_cycle_id in ids or handover.year in years
        ]
    return ClusterOverview(cycles, handovers, len(every) - len(cycles))


def rule_sets_in_force(day: date) -> list[RuleSet]:
    return [
        rule_set
        for rule_set in RuleSet.objects.filter(effective_from__lte=day)
        if rule_set.covers(day)
    ]


@dataclass(frozen=True)
class UnitLineage:
    unit: Unit
    created_by: LineageEvent | None
    predecessors: list[Unit]
    ended_by: LineageEvent | None
    successors: list[Unit]
    cycles: list[Cycle]


def unit_lineage(unit: Unit) -> UnitLineage:
    """Where `unit` came from and went to, and the cluster years it took part in."""
    links = list(
        LineageLink.objects.filter(event__links__unit=unit)
        .select_related("event", "unit")
        .order_by("unit__short_name")
    )
    created = next(
        (link.event for link in links if link.unit_id == unit.pk and link.role == "target"), None
    )
    ended = next(
        (link.event for link in links if link.unit_id == unit.pk and link.role == "source"), None
    )
    predecessors = [
        link.unit
        for link in links
        if created and link.event_id == created.pk and link.role == "source"
    ]
    successors = [
        link.unit for link in links if ended and link.event_id == ended.pk and link.role == "target"
    ]
    cycles = list(
        Cycle.objects.filter(memberships__unit=unit)
        .select_related("cluster", "leader", "deputy")
        .order_by("-year")
    )
    return UnitLineage(unit, created, predecessors, ended, successors, cycles)


def all_lineage_events() -> list[LineageEvent]:
    return list(LineageEvent.objects.prefetch_related("links__unit"))


def token_for_key(raw_key: str) -> ApiToken | None:
    """The unrevoked token of an active user whose key is `raw_key`, or None."""
    digest = hashlib.sha256(raw_key.encode()).hexdigest()
    token = (
        ApiToken.objects.filter(key_hash=digest, revoked_at__isnull=True)
        .select_related("user", "user__unit")
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token


def baseline_units(cycle: Cycle) -> set[str]:
    """The units whose figures a year earlier make up `cycle`'s baseline: those its members
    stood for on the last day of that year."""
    day = date(cycle.year - 1, 12, 31)
    found = lineage()
    return {
        unit
        for member in cycle.members.values_list("code", flat=True)
        for unit in found.ancestors_on(member, day).units
    }


def cycles_using_figures_of(unit_code: str, year: int) -> list[Cycle]:
    """The cycles of the year after `year` whose baseline counts `unit_code`'s figures."""
    return [
        cycle
        for cycle in Cycle.objects.filter(year=year + 1).select_related("cluster")
        if unit_code in baseline_units(cycle)
    ]


# --- single rows a URL or a payload names (None when there is none; pages answer 404) -----


def unit_at(code: str) -> Unit | None:
    """The unit with `code`: the unit pages and the API name units by code."""
    return Unit.objects.filter(code=code).first()


def cluster_at(code: str) -> Cluster | None:
    """The cluster with `code`: the cluster pages and the API name clusters by code."""
    return Cluster.objects.filter(code=code).first()


def all_clusters() -> list[Cluster]:
    """Every cluster by code: the home page's and the API's list."""
    return list(Cluster.objects.all())


def all_units() -> list[Unit]:
    """Every unit by short name, for the API's list (which may keep those valid on a day)."""
    return list(Unit.objects.all())


def rule_set_at(code: str, version: int) -> RuleSet | None:
    """The rule set `code@version` a new cycle's payload names."""
    return RuleSet.objects.filter(code=code, version=version).first()


def handover_candidates(cycle: Cycle) -> QuerySet[Unit]:
    """The units that may lead or deputise next year: next year's members, or this year's
    while next year has no cycle yet (a queryset, as the hand-over form's choices)."""
    next_cycle = Cycle.objects.filter(cluster=cycle.cluster, year=cycle.year + 1).first()
    return Unit.objects.filter(memberships__cycle=next_cycle or cycle).order_by("short_name")


def tokens_of(user) -> list[ApiToken]:
    """The API tokens `user` issued, newest first, revoked ones included."""
    return list(ApiToken.objects.filter(user=user))


def own_token(user, pk: int) -> ApiToken | None:
    """Token `pk` if `user` issued it: nobody revokes another's token."""
    return ApiToken.objects.filter(pk=pk, user=user).first()


def cycle_before(cycle: Cycle) -> Cycle | None:
    """The same cluster's cycle a year earlier (an agreement is copied from it)."""
    return Cycle.objects.filter(cluster_id=cycle.cluster_id, year=cycle.year - 1).first()


def users_with_pk(pks: Iterable) -> list[User]:
    """The accounts a form posted by id (unknown or malformed ids are left out)."""
    ids = [int(pk) for pk in map(str, pks) if pk.isascii() and pk.isdigit() and int(pk) < 2**63]
    return list(User.objects.filter(pk__in=ids))


def handover_from(cycle: Cycle) -> Handover | None:
    """The latest hand-over recorded at the end of `cycle` (the conference minutes name it)."""
    return (
        Handover.objects.filter(from_cycle=cycle)
        .select_related("leader", "deputy")
        .order_by("-recorded_at", "-id")
        .first()
    )


def users_by_username(usernames: Iterable[str]) -> dict[str, User]:
    """The accounts with these user names (as the audit log names its actors), with their
    unit: one query. A name no account has any more is left out."""
    return {
        user.username: user
        for user in User.objects.filter(username__in=list(usernames)).select_related("unit")
    }


# --- deadlines ----------------------------------------------------------------------------


def deadlines(cycle: Cycle, today: date, *, midyear: bool = True) -> list[core_deadlines.Deadline]:
    """Each phase's deadline on `today`: the one the leader unit set, else the rule set's
    default (a phase with neither has none). A phase is done on the day it last closed. With
    `midyear`, the mid-year review's too, done once no member unit's H1 report is missing or
    the review closed (counted as met: each unit's own standing is the home page's)."""
    explicit = {row.phase: row.due for row in PhaseDeadline.objects.filter(cycle=cycle)}
    offsets = (cycle.rule_set.data or {}).get(core_deadlines.KEY)
    closes = {
        event.phase: timezone.localdate(event.at)
        for event in PhaseEvent.objects.filter(cycle=cycle, action=PhaseEvent.Action.CLOSE)
    }
    position = cycle.position
    rows = []
    for phase in core_phases.PHASES:
        due = explicit.get(phase.value) or core_deadlines.default_deadline(
            cycle.year, phase, offsets
        )
        if due is None:
            continue
        status = position.status_of(phase)
        done = status in (core_phases.PhaseStatus.DONE, core_phases.PhaseStatus.CLOSED)
        done_on = closes.get(phase.value) if done else None
        if done and done_on is None:  # done without a recorded close: count it as met
            done_on = due
        rows.append(core_deadlines.stand(phase, due, today, done_on))
    due = _midyear_due(cycle, explicit, offsets) if midyear else None
    if due is not None:
        # closed (the year's figures took over) or nobody missing: done, counted as met
        closed = core_deadlines.midyear_state(position) == core_deadlines.MIDYEAR_CLOSED
        done_on = due if closed or not late(cycle, core_deadlines.Milestone.MIDYEAR) else None
        row = core_deadlines.stand(core_deadlines.Milestone.MIDYEAR, due, today, done_on)
        # among the phases by its date, the phases staying in their order
        at = next((i for i, other in enumerate(rows) if other.due > due), len(rows))
        rows.insert(at, row)
    return rows


def _midyear_due(cycle: Cycle, explicit: dict, offsets) -> date | None:
    step = core_deadlines.Milestone.MIDYEAR
    return explicit.get(step.value) or core_deadlines.default_deadline(cycle.year, step, offsets)


def midyear_due(cycle: Cycle) -> date | None:
    """The mid-year review's deadline: the one the leader unit set, else the rule set's."""
    step = core_deadlines.Milestone.MIDYEAR
    row = PhaseDeadline.objects.filter(cycle=cycle, phase=step.value).first()
    offsets = (cycle.rule_set.data or {}).get(core_deadlines.KEY)
    return _midyear_due(cycle, {step.value: row.due} if row else {}, offsets)


def current_deadline(cycle: Cycle, today: date) -> core_deadlines.Deadline | None:
    """The deadline of the phase the cycle works on: the open one, or between two phases the
    next one; None when the year is closed or that phase has no deadline."""
    phase = cycle.position.working_phase
    if phase is None:
        return None
    rows = deadlines(cycle, today, midyear=False)
    return next((row for row in rows if row.phase == phase), None)


def calendar_token_for_key(raw_key: str) -> CalendarToken | None:
    """The live calendar token with this key, if any (a revoked one is not found)."""
    key_hash = hashlib.sha256(raw_key.encode()).hexdigest()
    return (
        CalendarToken.objects.filter(key_hash=key_hash, revoked_at__isnull=True)
        .select_related("user", "user__unit")
        .first()
    )


def live_calendar_token(user) -> CalendarToken | None:
    return CalendarToken.objects.filter(user=user, revoked_at__isnull=True).first()


def reminders_of(user, limit: int = 20) -> list[Reminder]:
    return list(Reminder.objects.filter(user=user).select_related("cycle")[:limit])


def users_to_remind() -> list[User]:
    """Active people who belong to a unit: those who may have tasks (the in-app reminder needs
    no e-mail address)."""
    return list(User.objects.filter(is_active=True, unit__isnull=False).select_related("unit"))


# --- the register of titles ---------------------------------------------------------------


@dataclass
class RegisterRow:
    unit: Unit
    cells: list[list[TitleRecord]] = field(default_factory=list)  # one list per year


@dataclass
class PersonRow:
    person: Person
    cells: list[list[TitleRecord]] = field(default_factory=list)  # one list per year


@dataclass
class Register:
    cluster: Cluster
    years: list[int]
    rows: list[RegisterRow]
    people: list[PersonRow] = field(default_factory=list)


def records_of(cluster: Cluster) -> list[TitleRecord]:
    return list(
        TitleRecord.objects.filter(cluster=cluster)
        .select_related("unit", "person__unit", "decision")
        .order_by("year", "title_code", "unit__short_name", "person__full_name", "id")
    )


def register_of(cluster: Cluster) -> Register:
    """The cluster's units × years: each cell the lines of that unit and year (an empty cell is
    unknown). Units: every member of any of its years, and every unit of a line."""
    records = records_of(cluster)
    cycles = list(Cycle.objects.filter(cluster=cluster).prefetch_related("members"))
    years = sorted({r.year for r in records} | {c.year for c in cycles})
    units: dict[int, Unit] = {}
    for cycle in cycles:
        for unit in cycle.members.all():
            units.setdefault(unit.pk, unit)
    for record in records:
        if record.unit is not None:
            units.setdefault(record.unit.pk, record.unit)
    rows = {pk: RegisterRow(unit, [[] for _ in years]) for pk, unit in units.items()}
    for record in records:
        if record.unit_id in rows:
            rows[record.unit_id].cells[years.index(record.year)].append(record)
    ordered = sorted(rows.values(), key=lambda row: collation_key(row.unit.short_name))
    people: dict[int, PersonRow] = {}
    for record in records:
        if record.person is not None:
            row = people.setdefault(record.person_id, PersonRow(record.person, [[] for _ in years]))
            row.cells[years.index(record.year)].append(record)
    by_person = sorted(
        people.values(),
        key=lambda row: (
            collation_key(row.person.unit.short_name),
            collation_key(row.person.full_name),
        ),
    )
    return Register(cluster, years, ordered, by_person)


def titles_by_unit(units: Iterable[Unit], *, before: int) -> dict[int, list[TitleRecord]]:
    """Each unit's lines of the years before `before` (history shown beside candidates)."""
    found: dict[int, list[TitleRecord]] = {}
    for record in TitleRecord.objects.filter(unit__in=list(units), year__lt=before).order_by(
        "-year", "title_code"
    ):
        found.setdefault(record.unit_id, []).append(record)
    return found


_STATES = {
    TitleState.PROPOSED: core_eligibility.State.PROPOSED,
    TitleState.AWARDED: core_eligibility.State.AWARDED,
    TitleState.NOT_AWARDED: core_eligibility.State.NOT_AWARDED,
}


def title_facts(cycle: Cycle, units: Iterable[Unit]) -> dict[int, core_eligibility.Facts]:
    """Unit id → what the eligibility rules read: its register lines up to the cycle's year.

    One query for all the units. The years the register covers are those with any line of the
    cycle's cluster or of these units, and the cycle's own year (its votes write its lines): any
    other year is unknown, never "not awarded". The rank is left to the caller."""
    units = list(units)
    rows = TitleRecord.objects.filter(
        Q(cluster_id=cycle.cluster_id) | Q(unit__in=units),
        person__isnull=True,  # a person's line says nothing of the units' year
        year__lte=cycle.year,
    ).values_list("unit_id", "year", "title_code", "state")
    known = {cycle.year}
    history: dict[int, dict[int, dict[str, str]]] = {unit.pk: {} for unit in units}
    for unit_id, year, title_code, state in rows:
        known.add(year)
        if unit_id in history:
            history[unit_id].setdefault(year, {})[title_code] = _STATES[state]
    return {
        unit.pk: core_eligibility.Facts(
            year=cycle.year, history=history[unit.pk], known_years=frozenset(known)
        )
        for unit in units
    }


def _unit_titles(cycle: Cycle) -> list[str]:
    """The unit titles: those the conference votes on (the rule set's voting titles); the
    other titles with eligibility rules are individual ones (Chiến sĩ thi đua …)."""
    return [t.get("code") for t in (cycle.rule_set.data.get("voting") or {}).get("titles", [])]


def person_facts(cycle: Cycle, people: Iterable[Person]) -> dict[int, core_eligibility.Facts]:
    """Person id → what the eligibility rules read: their register lines up to the cycle's
    year, as `title_facts` reads a unit's (the same engine, the same plain facts), followed
    across their unit's mergers (`core.eligibility.people_facts`: after 2025 an officer of
    the new Lào Cai was a person of Lào Cai or Yên Bái before).

    A year counts as covered for a person when the register has any person's line of that
    person's unit (or of a unit it was made of, that year) in it: a year with none is
    unknown, never "not awarded" — the cycle's own year too, as no vote writes individual
    lines. Four queries for everyone: the lineage (two), the lines, the namesakes."""
    people = list(people)
    found, ids = lineage_with_ids()
    codes = {pk: code for code, pk in ids.items()}
    by_unit: dict[str, dict[int, str]] = {}  # unit → its people's keys
    for person in people:
        by_unit.setdefault(codes[person.unit_id], {})[person.pk] = person.key
    earlier = {code: found.all_ancestors(code) for code in by_unit}
    wanted = {ids[unit] for code, before in earlier.items() for unit in (code, *before)}
    rows = TitleRecord.objects.filter(person__unit__in=wanted, year__lte=cycle.year).values_list(
        "person_id", "person__unit_id", "year", "title_code", "state"
    )
    lines_of: dict[str, list[core_eligibility.PersonLine]] = {}
    for person_id, unit_id, year, title_code, state in rows:
        lines_of.setdefault(codes[unit_id], []).append(
            core_eligibility.PersonLine(person_id, codes[unit_id], year, title_code, _STATES[state])
        )
    selves: dict[tuple[str, str], list[int]] = {}
    keys = {person.key for person in people}
    for pk, unit_id, key in Person.objects.filter(unit__in=wanted, key__in=keys).values_list(
        "pk", "unit_id", "key"
    ):
        selves.setdefault((codes[unit_id], key), []).append(pk)

    def units_of(before: frozenset[str]) -> Callable[[int], set[str]]:
        return lambda year: {code for code in before if found.units[code].valid_in_year(year)}

    facts: dict[int, core_eligibility.Facts] = {}
    for code, keyed in by_unit.items():
        facts |= core_eligibility.people_facts(
            keyed,
            code,
            cycle.year,
            [line for unit in (code, *earlier[code]) for line in lines_of.get(unit, [])],
            selves,
            units_of(earlier[code]),
        )
    return facts


@dataclass(frozen=True)
class PersonEligibilityRow:
    """One person's eligibility for one individual title, read from the register."""

    person: Person
    title: str  # the title's name
    verdict: core_eligibility.Verdict


def individual_eligibility(
    cycle: Cycle, people: Iterable[Person] | None = None
) -> list[PersonEligibilityRow]:
    """Each individual title that has eligibility rules (those the conference does not vote
    on: Chiến sĩ thi đua …) × each person (by default everyone the register names in a member
    unit): the verdict and its reasons, through the same rules and engine as the units'."""
    book = core_eligibility.rule_book(cycle.rule_set.data)
    voted = set(_unit_titles(cycle))
    titles = list(dict.fromkeys(r.title for r in book.rules if r.title not in voted))
    if people is None:
        people = Person.objects.filter(unit__in=member_units(cycle)).select_related("unit")
    people = list(people)
    facts = person_facts(cycle, people)
    return [
        PersonEligibilityRow(
            person, book.name(title), core_eligibility.evaluate(book, title, facts[person.pk])
        )
        for title in titles
        for person in people
    ]


@dataclass(frozen=True)
class EligibilityRow:
    """One unit's eligibility for one title, with the register lines it was read from."""

    unit: Unit
    title: str  # the title's name
    verdict: core_eligibility.Verdict
    history: list[tuple[int, str, str]]  # (year, title name, state) of the years read


def eligibility_table(
    cycle: Cycle, units: Iterable[Unit] | None = None, ranks: dict[int, int] | None = None
) -> list[EligibilityRow]:
    """Each unit title that has eligibility rules × each unit (the members by default): its
    verdict and reasons over the register, one query for the lines (title_facts). `ranks`
    (unit id → rank in the cycle's results) is given by the caller that has them."""
    book = core_eligibility.rule_book(cycle.rule_set.data)
    titles = [code for code in _unit_titles(cycle) if book.for_title(code)]
    if not titles:
        return []
    units = list(units) if units is not None else member_units(cycle)
    facts = title_facts(cycle, units)
    if ranks is not None:
        for unit in units:
            facts[unit.pk] = replace(facts[unit.pk], rank=ranks.get(unit.pk))
    label = cache(lambda state: str(TitleState(state).label))
    lines = {  # each unit's register lines, newest year first: shown under every title
        unit.pk: [
            (year, book.name(code), label(state)) for year, code, state in facts[unit.pk].lines()
        ]
        for unit in units
    }
    # units with the same facts get the same verdict: worked out once, the verdict shared
    verdicts: dict[tuple, core_eligibility.Verdict] = {}
    rows = []
    for title in titles:
        for unit in units:
            found = facts[unit.pk]
            key = verdict_key(title, found)
            if key not in verdicts:
                verdicts[key] = core_eligibility.evaluate(book, title, found)
            rows.append(EligibilityRow(unit, book.name(title), verdicts[key], lines[unit.pk]))
    return rows


def verdict_key(title: str, facts: core_eligibility.Facts) -> tuple:
    """Everything `evaluate` can read for `title`: every field of `facts` (one added to
    `Facts` joins the key unasked), the history as its register lines (hashable)."""
    return (
        title,
        *(
            facts.lines() if item.name == "history" else getattr(facts, item.name)
            for item in fields(facts)
        ),
    )


def proposed_of(cluster: Cluster, year: int) -> list[TitleRecord]:
    """The lines of a cluster's year still waiting for a decision."""
    return list(
        TitleRecord.objects.filter(cluster=cluster, year=year, state=TitleState.PROPOSED)
        .select_related("unit", "person__unit")
        .order_by("title_code", "unit__short_name", "person__full_name", "id")
    )


def line_at(unit_code: str, year: int, title_code: str, person_key: str = "") -> TitleRecord | None:
    """The unit's line, or with `person_key` that person's of the unit."""
    found = TitleRecord.objects.select_related("cluster", "unit", "person__unit").filter(
        year=year, title_code=title_code
    )
    if person_key:
        return found.filter(person__unit__code=unit_code, person__key=person_key).first()
    return found.filter(unit__code=unit_code).first()


def decision_at(pk: int) -> Decision | None:
    return Decision.objects.filter(pk=pk).first()


def units_in(cluster: Cluster):
    """The units a line of the cluster's register may name (a queryset, for a form)."""
    return (
        Unit.objects.filter(
            Q(memberships__cycle__cluster=cluster)
            | Q(title_records__cluster=cluster)
            | Q(people__title_records__cluster=cluster)
        )
        .distinct()
        .order_by("short_name")
    )


def unit_in(cluster: Cluster, code: str) -> Unit | None:
    """The unit of this code if a line of the cluster's register may name it (the API's)."""
    return units_in(cluster).filter(code=code).first()


def cycles_by_year(cluster: Cluster) -> dict[int, Cycle]:
    return {cycle.year: cycle for cycle in Cycle.objects.filter(cluster=cluster)}


def closed_account(username: str) -> User | None:
    """The account of that name if it was closed at a merger (it points to its successor)."""
    return (
        User.objects.filter(username=username, is_active=False, successor__isnull=False)
        .select_related("unit", "successor")
        .first()
    )


def merge_events_for(cycle: Cycle) -> list[LineageEvent]:
    """The merge events of `cycle`'s year whose merged units include one of its members."""
    return list(
        LineageEvent.objects.filter(
            kind=LineageEvent.Kind.MERGE,
            effective_date__year=cycle.year,
            links__role=LineageLink.Role.SOURCE,
            links__unit__memberships__cycle=cycle,
        )
        .distinct()
        .prefetch_related("links__unit")
    )


def open_accounts_of(units: Iterable[Unit]) -> list[User]:
    """The accounts in use of `units`, by unit then name."""
    return list(
        User.objects.filter(unit__in=list(units), is_active=True)
        .select_related("unit")
        .order_by("unit__short_name", "username")
    )
