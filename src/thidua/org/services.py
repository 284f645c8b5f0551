"""Writes of the organisation: one function per user action, all-or-nothing.

Each service authorises its actor, checks the rules (from `thidua.core`), and either writes
everything or raises and writes nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from thidua.audit import clock
from thidua.audit import services as audit_services
from thidua.audit.models import AuditEntry
from thidua.audit.services import record as audit
from thidua.core import cycles as core_cycles
from thidua.core import deadlines as core_deadlines
from thidua.core import lineage as core_lineage
from thidua.core import phases as core_phases
from thidua.core.messages import Label, Problem, format_day, gettext_noop
from thidua.core.policy import TOKEN_MAX_DAYS, TOKEN_SCOPES, Action
from thidua.core.record import REPORT_ACTIONS, AuditAction
from thidua.errors import DomainError, Refused, StateConflict, refuse_if
from thidua.org import selectors
from thidua.org.authz import recorded_user, require
from thidua.org.models import (
    ApiToken,
    CalendarToken,
    Cluster,
    Cycle,
    Handover,
    LineageEvent,
    LineageLink,
    Membership,
    PhaseDeadline,
    PhaseEvent,
    Reminder,
    RuleSet,
    Unit,
    User,
    UserKind,
)

UNIT_PROFILE_FIELDS = ("head_rank", "head_title", "head_name", "address", "phone", "email")


def _validated(instance) -> None:
    """`full_clean()`, with Django's validation errors turned into a `DomainError`."""
    try:
        instance.full_clean()
    except ValidationError as error:
        raise DomainError(
            Problem("invalid", str(message), {}, None if name == "__all__" else name)
            for name, messages in error.message_dict.items()
            for message in messages
        ) from None


def _locked(cycle: Cycle) -> Cycle:
    """The cycle re-read under a row lock, so concurrent phase changes queue up."""
    return Cycle.objects.select_for_update().select_related("cluster").get(pk=cycle.pk)


# --- units and lineage --------------------------------------------------------------------


@transaction.atomic
def record_lineage_event(
    *,
    actor,
    kind: str,
    effective_date: date,
    sources: Sequence[Unit],
    targets: Sequence[Unit],
    legal_basis: str = "",
    note: str = "",
) -> LineageEvent:
    """Record a merge, split or rename: the sources end the day before, the targets begin."""
    require(actor, Action.RECORD_LINEAGE)
    event = core_lineage.LineageEvent(
        core_lineage.EventKind(kind),
        effective_date,
        tuple(unit.code for unit in sources),
        tuple(unit.code for unit in targets),
    )
    in_use = selectors.units_in_use((*event.sources, *event.targets))
    refuse_if(selectors.lineage().check_event(event, in_use))
    record = LineageEvent(
        kind=kind,
        effective_date=effective_date,
        legal_basis=legal_basis,
        note=note,
        recorded_by=recorded_user(actor),
    )
    _validated(record)
    record.save()
    LineageLink.objects.bulk_create(
        [LineageLink(event=record, unit=unit, role=LineageLink.Role.SOURCE) for unit in sources]
        + [LineageLink(event=record, unit=unit, role=LineageLink.Role.TARGET) for unit in targets]
    )
    Unit.objects.filter(pk__in=[unit.pk for unit in sources]).update(
        valid_to=effective_date - core_lineage.ONE_DAY
    )
    Unit.objects.filter(pk__in=[unit.pk for unit in targets]).update(valid_from=effective_date)
    audit(
        actor=actor,
        action=AuditAction.LINEAGE_RECORD,
        object_type="org.lineageevent",
        object_id=record.pk,
        after={
            "kind": kind,
            "effective_date": effective_date,
            "sources": list(event.sources),
            "targets": list(event.targets),
            "legal_basis": legal_basis,
        },
    )
    for cycle in Cycle.objects.filter(year__gte=effective_date.year).select_related("cluster"):
        carry_inputs(cycle)  # its baseline may now count the event's sources
    return record


@transaction.atomic
def update_unit_profile(*, actor, unit: Unit, **profile: str) -> Unit:
    """A unit keeps its own profile (head of unit, address …); nobody else's."""
    require(actor, Action.EDIT_UNIT, unit)
    unknown = set(profile) - set(UNIT_PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = {name: getattr(unit, name) for name in profile}
    for name, value in profile.items():
        setattr(unit, name, value.strip())
    _validated(unit)
    unit.save(update_fields=list(profile))
    audit(
        actor=actor,
        action=AuditAction.UNIT_PROFILE,
        object_type="org.unit",
        object_id=unit.code,
        before=before,
        after={name: getattr(unit, name) for name in profile},
    )
    return unit


# --- cycles -------------------------------------------------------------------------------


def _rule_set_for(year: int, chosen: RuleSet | None) -> tuple[RuleSet | None, list[Problem]]:
    """The chosen rule set if it was in force during `year`, else the one in force on 31/12."""
    if chosen is not None:
        start, end = date(year, 1, 1), date(year, 12, 31)
        if chosen.effective_from > end or (
            chosen.effective_to is not None and chosen.effective_to < start
        ):
            return None, [
                Problem(
                    "rule_set_not_in_force",
                    gettext_noop("Bộ quy tắc “%(name)s” không có hiệu lực trong năm %(year)s."),
                    {"name": chosen.name, "year": year},
                    "rule_set",
                )
            ]
        return chosen, []
    candidates = selectors.rule_sets_in_force(date(year, 12, 31))
    if len(candidates) == 1:
        return candidates[0], []
    message = (
        gettext_noop("Không có bộ quy tắc nào có hiệu lực vào ngày 31/12/%(year)s.")
        if not candidates
        else gettext_noop(
            "Có nhiều bộ quy tắc cùng có hiệu lực vào ngày 31/12/%(year)s; hãy chọn một."
        )
    )
    return None, [Problem("rule_set_unclear", message, {"year": year}, "rule_set")]


def _check_cycle(
    *, year: int, members: Sequence[Unit], leader: Unit | None, deputy: Unit | None
) -> list[Problem]:
    lineage = selectors.lineage()
    codes = [unit.code for unit in members]
    return (
        core_cycles.check_year(year)
        + core_cycles.check_members(year, codes, lineage)
        + core_cycles.check_leadership(
            year=year,
            leader=leader.code if leader else None,
            deputy=deputy.code if deputy else None,
            eligible=codes,
            lineage=lineage,
        )
    )


def _cycle_exists(cluster: Cluster, year: int) -> Problem:
    return Problem(
        "cycle_exists",
        gettext_noop("%(cluster)s đã có năm thi đua %(year)s."),
        {"cluster": cluster.name, "year": year},
        "year",
    )


@transaction.atomic
def create_cycle(
    *,
    actor,
    cluster: Cluster,
    year: int,
    members: Sequence[Unit],
    leader: Unit | None = None,
    deputy: Unit | None = None,
    rule_set: RuleSet | None = None,
    title: str = "",
    note: str = "",
    decision_ref: str = "",
) -> Cycle:
    """Open a cluster year in its planning phase.

    The leader and deputy come from the hand-over recorded for that year, if there is one;
    otherwise they are the Ministry's assignment, recorded as a hand-over too.
    """
    require(actor, Action.CREATE_CYCLE, cluster)
    # A year out of range is refused first: the other checks need a calendar year.
    refuse_if(core_cycles.check_year(year))
    problems: list[Problem] = []
    handover = selectors.current_handover(cluster, year)
    if handover is not None:
        # What is not given comes from the hand-over; what is given must agree with it.
        leader, deputy = leader or handover.leader, deputy or handover.deputy
        if leader != handover.leader or deputy != handover.deputy:
            problems.append(
                Problem(
                    "leader_differs_from_handover",
                    gettext_noop(
                        "Năm %(year)s đã được bàn giao cho cụm trưởng %(leader)s (cụm phó "
                        "%(deputy)s); cụm trưởng, cụm phó phải theo bàn giao đó."
                    ),
                    {
                        "year": year,
                        "leader": handover.leader.name,
                        "deputy": handover.deputy.name if handover.deputy else "—",
                    },
                    "leader",
                )
            )
    problems += _check_cycle(year=year, members=members, leader=leader, deputy=deputy)
    if Cycle.objects.filter(cluster=cluster, year=year).exists():
        problems.append(_cycle_exists(cluster, year))
    rule_set, rule_problems = _rule_set_for(year, rule_set)
    refuse_if(problems + rule_problems)
    cycle = Cycle(
        cluster=cluster,
        year=year,
        title=title.strip() or cluster.name,
        rule_set=rule_set,
        leader=leader,
        deputy=deputy,
        note=note,
        created_by=recorded_user(actor),
        created_at=clock.now(),
    )
    _validated(cycle)
    try:
        with transaction.atomic():  # a savepoint: the race below leaves the transaction usable
            cycle.save()
    except IntegrityError:
        # Another request created the same cluster year between the check above and now.
        if Cycle.objects.filter(cluster=cluster, year=year).exists():
            raise DomainError([_cycle_exists(cluster, year)]) from None
        raise
    Membership.objects.bulk_create([Membership(cycle=cycle, unit=unit) for unit in members])
    PhaseEvent.objects.create(
        cycle=cycle,
        phase=core_phases.Phase.PLANNING.value,
        action=PhaseEvent.Action.OPEN,
        actor=recorded_user(actor),
        at=clock.now(),
    )
    if handover is None:
        Handover.objects.create(
            cluster=cluster,
            year=year,
            leader=leader,
            deputy=deputy,
            method=Handover.Method.ASSIGNED,
            decision_ref=decision_ref,
            recorded_by=recorded_user(actor),
            recorded_at=clock.now(),
        )
    carry_inputs(cycle)  # first: the hand-over it was created from comes before its creation
    audit(
        actor=actor,
        action=AuditAction.CYCLE_CREATE,
        object_type="org.cycle",
        object_id=cycle.pk,
        cycle=cycle,
        after=_cycle_snapshot(cycle, members),
    )
    return cycle


@transaction.atomic
def update_cycle(
    *,
    actor,
    cycle: Cycle,
    members: Sequence[Unit],
    leader: Unit,
    deputy: Unit | None,
    title: str | None = None,
    note: str | None = None,
    decision_ref: str = "",
) -> Cycle:
    """Change a cycle's members, leader or deputy, during planning only.

    A change of leader or deputy is the Ministry's assignment and is recorded as a hand-over.
    """
    cycle = _locked(cycle)
    require(actor, Action.EDIT_CYCLE, cycle)
    refuse_if(_check_cycle(year=cycle.year, members=members, leader=leader, deputy=deputy))
    before = _cycle_snapshot(cycle, list(cycle.members.all()))
    if title is not None:
        cycle.title = title.strip() or cycle.cluster.name
    if note is not None:
        cycle.note = note
    leadership_changed = (cycle.leader_id, cycle.deputy_id) != (
        leader.pk,
        deputy.pk if deputy else None,
    )
    cycle.leader, cycle.deputy = leader, deputy
    _validated(cycle)
    cycle.save()
    wanted = {unit.pk for unit in members}
    Membership.objects.filter(cycle=cycle).exclude(unit_id__in=wanted).delete()
    present = set(Membership.objects.filter(cycle=cycle).values_list("unit_id", flat=True))
    Membership.objects.bulk_create(
        [Membership(cycle=cycle, unit_id=pk) for pk in sorted(wanted - present)]
    )
    if leadership_changed:
        Handover.objects.create(
            cluster=cycle.cluster,
            year=cycle.year,
            leader=leader,
            deputy=deputy,
            method=Handover.Method.ASSIGNED,
            decision_ref=decision_ref,
            recorded_by=recorded_user(actor),
            recorded_at=clock.now(),
        )
    audit(
        actor=actor,
        action=AuditAction.CYCLE_UPDATE,
        object_type="org.cycle",
        object_id=cycle.pk,
        cycle=cycle,
        before=before,
        after=_cycle_snapshot(cycle, members),
    )
    carry_inputs(cycle)
    return cycle


def carry_inputs(cycle: Cycle) -> list[AuditEntry]:
    """Carry into `cycle`'s audit chain what other chains wrote of its inputs (see
    core.audit): the hand-overs to its year recorded at last year's conference, and every
    entry that wrote the year-before reports of its baseline units. Idempotent: what the chain
    holds already is not carried again. Called by each write that adds such an input."""
    keys = [f"{unit}/{cycle.year - 1}/Y" for unit in selectors.baseline_units(cycle)]
    last_year = f"{cycle.cluster.code}/{cycle.year - 1}"
    entries = AuditEntry.objects.filter(
        Q(action__in=REPORT_ACTIONS, object_id__in=keys)
        | Q(action=AuditAction.HANDOVER_RECORD, chain=last_year),
        origin__isnull=True,
    )
    return audit_services.carry(cycle, entries)


def _cycle_snapshot(cycle: Cycle, members: Sequence[Unit]) -> dict:
    return {
        "title": cycle.title,
        "members": sorted(unit.code for unit in members),
        "leader": cycle.leader.code,
        "deputy": cycle.deputy.code if cycle.deputy else None,
        "rule_set": f"{cycle.rule_set.code}@{cycle.rule_set.version}",
        "note": cycle.note,
    }


# --- phases -------------------------------------------------------------------------------

PhaseGuard = Callable[[Cycle], list[Problem]]
_PHASE_GUARDS: dict[core_phases.Phase, list[PhaseGuard]] = {}


def register_phase_guard(phase: core_phases.Phase, guard: PhaseGuard) -> None:
    """Let a later stage refuse opening `phase` (e.g. scoring: the agreement must be signed)
    without the organisation knowing about that stage."""
    guards = _PHASE_GUARDS.setdefault(phase, [])
    if guard not in guards:
        guards.append(guard)


#: The audit action of each move of a phase.
PHASE_ACTIONS = {
    PhaseEvent.Action.OPEN: AuditAction.PHASE_OPEN,
    PhaseEvent.Action.CLOSE: AuditAction.PHASE_CLOSE,
    PhaseEvent.Action.REOPEN: AuditAction.PHASE_REOPEN,
}


def _move(cycle: Cycle, *, actor, action: str, phase: core_phases.Phase, is_open: bool, reason=""):
    before = cycle.state
    cycle.phase, cycle.phase_is_open = phase.value, is_open
    cycle.save(update_fields=["phase", "phase_is_open"])
    PhaseEvent.objects.create(
        cycle=cycle,
        phase=phase.value,
        action=action,
        actor=recorded_user(actor),
        at=clock.now(),
        reason=reason,
    )
    audit(
        actor=actor,
        action=PHASE_ACTIONS[action],
        object_type="org.cycle",
        object_id=cycle.pk,
        cycle=cycle,
        before={"state": before},
        after={"state": cycle.state, "phase": phase.value, "reason": reason},
    )
    return cycle


@transaction.atomic
def open_phase(*, actor, cycle: Cycle, phase: core_phases.Phase) -> Cycle:
    cycle = _locked(cycle)
    require(actor, Action.OPEN_PHASE, cycle)
    refuse_if(core_phases.check_open(cycle.position, phase), StateConflict)
    refuse_if([p for guard in _PHASE_GUARDS.get(phase, []) for p in guard(cycle)], StateConflict)
    return _move(cycle, actor=actor, action=PhaseEvent.Action.OPEN, phase=phase, is_open=True)


@transaction.atomic
def close_phase(*, actor, cycle: Cycle, phase: core_phases.Phase) -> Cycle:
    cycle = _locked(cycle)
    require(actor, Action.CLOSE_PHASE, cycle)
    refuse_if(core_phases.check_close(cycle.position, phase), StateConflict)
    return _move(cycle, actor=actor, action=PhaseEvent.Action.CLOSE, phase=phase, is_open=False)


@transaction.atomic
def reopen_phase(*, actor, cycle: Cycle, phase: core_phases.Phase, reason: str) -> Cycle:
    cycle = _locked(cycle)
    require(actor, Action.REOPEN_PHASE, cycle)
    refuse_if(core_phases.check_reopen(cycle.position, phase, reason), StateConflict)
    return _move(
        cycle,
        actor=actor,
        action=PhaseEvent.Action.REOPEN,
        phase=phase,
        is_open=True,
        reason=reason.strip(),
    )


# --- deadlines ----------------------------------------------------------------------------


@transaction.atomic
def set_deadline(*, actor, cycle: Cycle, phase: core_deadlines.Step, due: date) -> PhaseDeadline:
    """The leader unit sets the deadline of a phase not yet done (it replaces the rule set's
    default, or an earlier date), or of the mid-year review while it is open."""
    cycle = _locked(cycle)
    require(actor, Action.SET_DEADLINE, cycle)
    if isinstance(phase, core_deadlines.Milestone):
        done = core_deadlines.midyear_state(cycle.position) == core_deadlines.MIDYEAR_CLOSED
    else:
        status = cycle.position.status_of(phase)
        done = status in (core_phases.PhaseStatus.DONE, core_phases.PhaseStatus.CLOSED)
    if done:
        raise StateConflict(
            [
                Problem(
                    "deadline_phase_done",
                    gettext_noop("Giai đoạn “%(phase)s” đã xong nên không đặt lại thời hạn."),
                    {"phase": core_deadlines.STEP_LABELS[phase]},
                    "phase",
                )
            ]
        )
    refuse_if(core_deadlines.check_deadline(cycle.year, phase, due))
    row = PhaseDeadline.objects.filter(cycle=cycle, phase=phase.value).first()
    before = {"phase": phase.value, "due": row.due.isoformat()} if row else None
    if row is None:
        row = PhaseDeadline(cycle=cycle, phase=phase.value)
    row.due, row.set_by, row.set_at = due, recorded_user(actor), timezone.now()
    _validated(row)
    row.save()
    audit(
        actor=actor,
        action=AuditAction.DEADLINE_SET,
        object_type="org.cycle",
        object_id=cycle.pk,
        cycle=cycle,
        before=before,
        after={"phase": phase.value, "due": due.isoformat()},
    )
    return row


@transaction.atomic
def record_reminder(
    *, user, cycle: Cycle, phase: core_phases.Phase, day: date, due: date, text: str
):
    """Note that `user` is reminded of `phase`'s deadline on `day`; None if that was done
    already (one reminder per person, phase and day)."""
    reminder, created = Reminder.objects.get_or_create(
        user=user,
        cycle=cycle,
        phase=phase.value,
        day=day,
        defaults={"due": due, "text": text[:300]},
    )
    return reminder if created else None


def mark_emailed(reminder: Reminder) -> None:
    Reminder.objects.filter(pk=reminder.pk).update(emailed=True)


# --- calendar feed tokens -----------------------------------------------------------------


@transaction.atomic
def create_calendar_token(*, actor) -> tuple[CalendarToken, str]:
    """A new calendar feed address for the actor; any earlier one stops working. The raw key
    is returned once and never stored."""
    require(actor, Action.MANAGE_OWN_TOKENS)
    now = timezone.now()
    CalendarToken.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=now)
    raw = secrets.token_urlsafe(32)
    token = CalendarToken.objects.create(
        user=actor, key_hash=hashlib.sha256(raw.encode()).hexdigest(), created_at=now
    )
    audit(
        actor=actor,
        action=AuditAction.TOKEN_CREATE,
        object_type="org.calendartoken",
        object_id=token.pk,
        after={"kind": "calendar"},
    )
    return token, raw


@transaction.atomic
def revoke_calendar_token(*, actor) -> int:
    """End the actor's calendar feed address; returns how many were live (0 or 1)."""
    require(actor, Action.MANAGE_OWN_TOKENS)
    live = list(CalendarToken.objects.filter(user=actor, revoked_at__isnull=True))
    CalendarToken.objects.filter(pk__in=[token.pk for token in live]).update(
        revoked_at=timezone.now()
    )
    for token in live:
        audit(
            actor=actor,
            action=AuditAction.TOKEN_REVOKE,
            object_type="org.calendartoken",
            object_id=token.pk,
            after={"kind": "calendar"},
        )
    return len(live)


# --- hand-over ----------------------------------------------------------------------------

ElectionCheck = Callable[[Cycle, Unit, Unit | None], list[Problem]]
_ELECTION_CHECKS: list[ElectionCheck] = []


def register_election_check(check: ElectionCheck) -> None:
    """Let the conference refuse a hand-over recorded as elected there that names other units
    than its counted polls elected, without the organisation knowing about the vote."""
    if check not in _ELECTION_CHECKS:
        _ELECTION_CHECKS.append(check)


def _already_handed_over(cluster: Cluster, year: int) -> list[Problem]:
    """The election is recorded once (a second click must not add a record); only a Ministry
    assignment supersedes what is recorded for a year."""
    current = selectors.current_handover(cluster, year)
    if current is None:
        return []
    return [
        Problem(
            "handover_recorded",
            gettext_noop(
                "Cụm trưởng, cụm phó năm %(year)s đã được ghi nhận (%(method)s): cụm trưởng "
                "%(leader)s, cụm phó %(deputy)s — %(by)s, %(day)s. Không ghi nhận lần nữa; chỉ "
                "Bộ Công an có thể phân công lại."
            ),
            {
                "year": year,
                "method": Handover.Method(current.method).label,
                "leader": current.leader.name,
                "deputy": current.deputy.name if current.deputy else "—",
                "by": current.recorded_by.display_name
                if current.recorded_by
                else Label(gettext_noop("hệ thống")),
                "day": format_day(timezone.localdate(current.recorded_at)),
            },
        )
    ]


@transaction.atomic
def record_handover(
    *,
    actor,
    cycle: Cycle,
    leader: Unit,
    deputy: Unit | None,
    method: str = Handover.Method.ELECTED,
    decision_ref: str = "",
    note: str = "",
) -> Handover:
    """Record, at the year-end conference, who leads the cluster next year.

    Next year's cycle, if it already exists and is still in planning, takes the new leader
    and deputy at once; with them go the leader secretary's powers. A hand-over recorded as
    elected must name the units the conference's counted polls elected (the registered
    election checks) and is recorded once a year; a Ministry assignment may name any
    eligible unit and supersedes what was recorded (the newest record counts).
    """
    cycle = _locked(cycle)
    require(actor, Action.RECORD_HANDOVER, cycle)
    if method == Handover.Method.ASSIGNED:
        # The leader secretary records the conference's election; an assignment is the Ministry's.
        require(actor, Action.ASSIGN_LEADER)
    next_year = cycle.year + 1
    if method == Handover.Method.ELECTED:
        refuse_if(_already_handed_over(cycle.cluster, next_year), StateConflict)
    next_cycle = (
        Cycle.objects.select_for_update().filter(cluster=cycle.cluster, year=next_year).first()
    )
    source = next_cycle or cycle
    eligible = list(source.memberships.values_list("unit__code", flat=True))
    problems = core_cycles.check_leadership(
        year=next_year,
        leader=leader.code,
        deputy=deputy.code if deputy else None,
        eligible=eligible,
        lineage=selectors.lineage(),
    )
    if next_cycle is not None and next_cycle.state != core_phases.Phase.PLANNING.value:
        problems.append(
            Problem(
                "next_cycle_started",
                gettext_noop(
                    "Năm thi đua %(year)s đã qua giai đoạn lập kế hoạch; không thể đổi cụm "
                    "trưởng bằng bàn giao."
                ),
                {"year": next_year},
                "leader",
            )
        )
    if method == Handover.Method.ELECTED:
        problems += [p for check in _ELECTION_CHECKS for p in check(cycle, leader, deputy)]
    refuse_if(problems)
    handover = Handover(
        cluster=cycle.cluster,
        year=next_year,
        leader=leader,
        deputy=deputy,
        method=method,
        decision_ref=decision_ref,
        from_cycle=cycle,
        note=note,
        recorded_by=recorded_user(actor),
    )
    _validated(handover)
    handover.save()
    if next_cycle is not None:
        next_cycle.leader, next_cycle.deputy = leader, deputy
        next_cycle.save(update_fields=["leader", "deputy"])
    audit(
        actor=actor,
        action=AuditAction.HANDOVER_RECORD,
        object_type="org.handover",
        object_id=handover.pk,
        cycle=cycle,
        after={
            "year": next_year,
            "leader": leader.code,
            "deputy": deputy.code if deputy else None,
            "method": method,
            "decision_ref": decision_ref,
        },
    )
    if next_cycle is not None:
        carry_inputs(next_cycle)
    return handover


# --- API tokens ---------------------------------------------------------------------------


@transaction.atomic
def create_api_token(
    *, actor, name: str, scopes: Sequence[str] = ("read",), days: int = 30
) -> tuple[ApiToken, str]:
    """A new token for the actor, with its scopes (read; write per stage) and an expiry; the
    raw key is returned once and never stored."""
    require(actor, Action.MANAGE_OWN_TOKENS)
    scopes = sorted(set(scopes))
    problems = []
    unknown = [scope for scope in scopes if scope not in TOKEN_SCOPES]
    if unknown or not scopes:
        problems.append(
            Problem(
                "token_scopes",
                gettext_noop("Chọn ít nhất một quyền trong: %(scopes)s."),
                {"scopes": ", ".join(TOKEN_SCOPES)},
                "scopes",
            )
        )
    if not 1 <= days <= TOKEN_MAX_DAYS:
        problems.append(
            Problem(
                "token_days",
                gettext_noop("Thời hạn của khóa từ 1 đến %(most)s ngày."),
                {"most": TOKEN_MAX_DAYS},
                "days",
            )
        )
    refuse_if(problems)
    raw = "td_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user=actor,
        name=name.strip(),
        prefix=raw[:8],
        key_hash=hashlib.sha256(raw.encode()).hexdigest(),
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=days),
    )
    _validated(token)
    token.save()
    audit(
        actor=actor,
        action=AuditAction.TOKEN_CREATE,
        object_type="org.apitoken",
        object_id=token.pk,
        after={
            "name": token.name,
            "prefix": token.prefix,
            "scopes": scopes,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor, token: ApiToken) -> ApiToken:
    require(actor, Action.MANAGE_OWN_TOKENS)
    if token.user_id != actor.pk:
        raise Refused(Problem("not_your_token", gettext_noop("Khóa API này không phải của bạn.")))
    token.revoked_at = token.revoked_at or timezone.now()
    token.save(update_fields=["revoked_at"])
    audit(
        actor=actor,
        action=AuditAction.TOKEN_REVOKE,
        object_type="org.apitoken",
        object_id=token.pk,
        after={"name": token.name, "prefix": token.prefix},
    )
    return token


# --- a merger during the year ---------------------------------------------------------------


@dataclass(frozen=True)
class Merger:
    """A merge event as it applies to one cycle: `sources` end the day before `effective`,
    `target` carries them on; `members` are the sources that were members of the cycle."""

    sources: tuple[Unit, ...]
    target: Unit
    effective: date
    members: tuple[Unit, ...]


#: Each later stage moves its pending work of the sources (a draft report, an unsubmitted
#: score sheet) to the target, or raises `DomainError` when it cannot: the merger then writes
#: nothing. Returns a line per thing moved, for the audit entry.
PendingMover = Callable[..., list[str]]
_PENDING_MOVERS: list[PendingMover] = []


def register_pending_mover(mover: PendingMover) -> None:
    if mover not in _PENDING_MOVERS:
        _PENDING_MOVERS.append(mover)


def _merger_problems(cycle: Cycle, event: LineageEvent, merger: Merger | None) -> list[Problem]:
    """Why `event` cannot be applied to `cycle` (empty when it can)."""
    params = {"cycle": selectors.cycle_label(cycle.title, cycle.year)}
    if event.kind != LineageEvent.Kind.MERGE:
        return [
            Problem(
                "not_a_merge",
                gettext_noop("Chỉ áp dụng được một sự kiện sáp nhập vào năm thi đua."),
                {},
                "event",
            )
        ]
    problems = []
    if cycle.state == core_phases.CLOSED:
        problems.append(
            Problem(
                "cycle_closed",
                gettext_noop("%(cycle)s đã kết thúc: không áp dụng sáp nhập được nữa."),
                params,
            )
        )
    if event.effective_date.year != cycle.year:
        problems.append(
            Problem(
                "merger_not_in_year",
                gettext_noop(
                    "Sáp nhập có hiệu lực ngày %(day)s, không trong năm thi đua %(year)s."
                ),
                {"day": format_day(event.effective_date), "year": cycle.year},
                "event",
            )
        )
    if merger is None or not merger.members:
        problems.append(
            Problem(
                "merger_not_of_cycle",
                gettext_noop(
                    "Không đơn vị nào bị sáp nhập trong sự kiện này là thành viên của %(cycle)s."
                ),
                params,
                "event",
            )
        )
        return problems
    target = {"unit": merger.target.name, **params}
    if Membership.objects.filter(cycle=cycle, unit=merger.target).exists():
        problems.append(
            Problem(
                "target_already_member",
                gettext_noop("%(unit)s đã là thành viên của %(cycle)s."),
                target,
                "event",
            )
        )
    # the new unit takes over a merged unit's role (`_succession`), but cannot hold both
    if cycle.leader in merger.sources and cycle.deputy in merger.sources:
        problems.append(
            Problem(
                "deputy_merged",
                gettext_noop(
                    "%(unit)s là cụm phó năm %(year)s và bị sáp nhập: hãy ghi nhận cụm phó "
                    "mới (Bộ Công an phân công) trước khi áp dụng sáp nhập."
                ),
                {"unit": cycle.deputy.name, "year": cycle.year},
                "event",
            )
        )
    return problems


def _accounts_problems(
    merger: Merger, move: Sequence, close: Sequence, open_accounts: Sequence
) -> list[Problem]:
    problems = []
    sources = {unit.pk for unit in merger.sources}
    for user in (*move, *close):
        if user.unit_id not in sources or not user.is_active:
            problems.append(
                Problem(
                    "account_not_of_sources",
                    gettext_noop(
                        "Tài khoản %(username)s không phải tài khoản đang dùng của một đơn vị "
                        "bị sáp nhập."
                    ),
                    {"username": user.username},
                    "move",
                )
            )
    both = sorted({user.username for user in move} & {user.username for user in close})
    if both:
        problems.append(
            Problem(
                "account_moved_and_closed",
                gettext_noop("Tài khoản %(usernames)s vừa được chuyển vừa bị đóng."),
                {"usernames": ", ".join(both)},
                "move",
            )
        )
    secretaries = [u for u in (*move, *open_accounts) if u.kind == UserKind.SECRETARY]
    if not secretaries:
        problems.append(
            Problem(
                "target_without_secretary",
                gettext_noop(
                    "%(unit)s chưa có thư ký thi đua: hãy chuyển sang đơn vị mới ít nhất một "
                    "tài khoản thư ký của đơn vị cũ."
                ),
                {"unit": merger.target.name},
                "move",
            )
        )
    return problems


def merger_for(cycle: Cycle, event: LineageEvent) -> Merger | None:
    """`event` as it applies to `cycle`, or None when it is not a merge with one target."""
    links = list(event.links.select_related("unit"))
    targets = [link.unit for link in links if link.role == LineageLink.Role.TARGET]
    if event.kind != LineageEvent.Kind.MERGE or len(targets) != 1:
        return None
    sources = tuple(link.unit for link in links if link.role == LineageLink.Role.SOURCE)
    members = set(
        Membership.objects.filter(cycle=cycle, unit__in=sources).values_list("unit_id", flat=True)
    )
    return Merger(
        sources, targets[0], event.effective_date, tuple(u for u in sources if u.pk in members)
    )


def _elsewhere_problems(merger: Merger, elsewhere: Sequence[Membership]) -> list[Problem]:
    """A merged unit of another cluster leaves it for the new unit's: not when it leads that
    cluster, nor when the new unit is already in another cluster that year."""
    problems = []
    for membership in elsewhere:
        other = membership.cycle
        params = {
            "unit": membership.unit.name,
            "cycle": selectors.cycle_label(other.title, other.year),
        }
        if membership.unit == merger.target:
            problems.append(
                Problem(
                    "target_elsewhere",
                    gettext_noop("%(unit)s đã là thành viên của %(cycle)s."),
                    params,
                    "event",
                )
            )
        elif membership.unit in (other.leader, other.deputy):
            problems.append(
                Problem(
                    "arriving_leads_elsewhere",
                    gettext_noop(
                        "%(unit)s là cụm trưởng hoặc cụm phó của %(cycle)s: hãy ghi nhận đơn "
                        "vị thay trước khi áp dụng sáp nhập."
                    ),
                    params,
                    "event",
                )
            )
        elif other.state == core_phases.CLOSED:
            problems.append(
                Problem(
                    "arriving_from_closed",
                    gettext_noop("%(cycle)s đã kết thúc: %(unit)s không rời cụm đó được nữa."),
                    params,
                    "event",
                )
            )
    return problems


def _leave(membership: Membership, merger: Merger, cycle: Cycle, actor) -> None:
    """`membership`'s unit leaves its cycle on the merger's day, to join `cycle` within the
    new unit; recorded in that cycle's log too."""
    other = _locked(membership.cycle)
    members = list(other.members.all())
    membership.delete()
    audit(
        actor=actor,
        action=AuditAction.CYCLE_MERGE,
        object_type="org.cycle",
        object_id=other.pk,
        cycle=other,
        before=_cycle_snapshot(other, members),
        after={
            **_cycle_snapshot(other, [unit for unit in members if unit != membership.unit]),
            "merger": {
                "effective_date": merger.effective,
                "sources": [unit.code for unit in merger.sources],
                "target": merger.target.code,
                "left": membership.unit.code,
                "joined": f"{cycle.cluster.code}/{cycle.year}",
            },
        },
    )


def _succession(cycle: Cycle, merger: Merger) -> dict[str, str]:
    """A merged unit that leads the cluster (cụm trưởng) or is its deputy (cụm phó) hands
    the role to the new unit, which carries on its province's police: not a new assignment
    by the Ministry, so no hand-over is recorded; the merger's audit entry says who took
    over what from whom (role → the merged unit's code)."""
    roles = {}
    for role in ("leader", "deputy"):
        unit = getattr(cycle, role)
        if unit is not None and unit in merger.sources:
            setattr(cycle, role, merger.target)
            roles[role] = unit.code
    if roles:
        cycle.save(update_fields=list(roles))
    return roles


@transaction.atomic
def apply_merger(
    *,
    actor,
    cycle: Cycle,
    event: LineageEvent,
    move: Sequence = (),
    close: Sequence | None = None,
) -> Cycle:
    """Apply a recorded merger to a cycle that straddles it, all at once or not at all.

    The merged units that were members leave the cycle and the new unit joins it on the
    effective date (its other sources, members of other clusters, arrive with it); the
    agreement stays the one its members signed, with its signers as they were. The accounts
    in `move` go to the new unit; the other accounts of the merged units (or only those in
    `close`) are closed with a pointer to it; the merged units' pending work goes to it; a
    merged leader's or deputy's role goes to it too (`_succession`).
    """
    require(actor, Action.RECORD_LINEAGE)
    cycle = _locked(cycle)
    merger = merger_for(cycle, event)
    refuse_if(_merger_problems(cycle, event, merger))
    assert merger is not None  # noqa: S101 - refused above otherwise
    of_sources = list(User.objects.filter(unit__in=merger.sources, is_active=True))
    moving = list(move)
    closing = list(close) if close is not None else [u for u in of_sources if u not in moving]
    open_accounts = list(User.objects.filter(unit=merger.target, is_active=True))
    refuse_if(_accounts_problems(merger, moving, closing, open_accounts))
    members_before = list(cycle.members.all())
    before = _cycle_snapshot(cycle, members_before)
    arriving_units = [unit for unit in merger.sources if unit not in merger.members]
    elsewhere = list(
        Membership.objects.filter(unit__in=[*arriving_units, merger.target], cycle__year=cycle.year)
        .exclude(cycle=cycle)
        .select_related("unit", "cycle__cluster", "cycle__leader", "cycle__deputy")
    )
    refuse_if(_elsewhere_problems(merger, elsewhere))
    others = {membership.unit.code: membership.cycle.cluster.name for membership in elsewhere}
    arriving = [f"{u.short_name} ({others.get(u.code, 'ngoài cụm')})" for u in arriving_units]
    note = f"Hình thành ngày {format_day(merger.effective)} từ " + ", ".join(
        [unit.short_name for unit in merger.members] + arriving
    )
    for membership in elsewhere:  # the arriving unit leaves its cluster of the first half
        _leave(membership, merger, cycle, actor)
    Membership.objects.filter(cycle=cycle, unit__in=merger.members).delete()
    Membership.objects.create(
        cycle=cycle, unit=merger.target, joined_on=merger.effective, note=note[:300]
    )
    members_after = [u for u in members_before if u not in merger.members] + [merger.target]
    roles = _succession(cycle, merger)
    lineage = selectors.lineage()
    codes = [u.code for u in members_after]
    refuse_if(
        core_cycles.check_members(cycle.year, codes, lineage)
        + core_cycles.check_leadership(
            year=cycle.year,
            leader=cycle.leader.code,
            deputy=cycle.deputy.code if cycle.deputy else None,
            eligible=codes,
            lineage=lineage,
        )
    )
    for user in moving:
        User.objects.filter(pk=user.pk).update(unit=merger.target)
    for user in closing:
        User.objects.filter(pk=user.pk).update(
            is_active=False,
            successor=merger.target,
            closed_on=merger.effective,
            session_epoch=user.session_epoch + 1,  # ends its open sessions
        )
    work = [line for mover in _PENDING_MOVERS for line in mover(cycle, merger, actor=actor)]
    audit(
        actor=actor,
        action=AuditAction.CYCLE_MERGE,
        object_type="org.cycle",
        object_id=cycle.pk,
        cycle=cycle,
        before=before,
        after={
            **_cycle_snapshot(cycle, members_after),
            "merger": {
                "effective_date": merger.effective,
                "sources": [unit.code for unit in merger.sources],
                "target": merger.target.code,
                "arriving": [unit.code for unit in arriving_units],
                "roles": roles,
            },
            "accounts_moved": sorted(user.username for user in moving),
            "accounts_closed": sorted(user.username for user in closing),
            "work_moved": work,
        },
    )
    carry_inputs(cycle)  # the baseline now counts the arriving units' figures
    return cycle
