"""`can(user, action, object)`: the one authorisation check every view, endpoint and service uses.

Roles are derived from the object, never stored in groups: a secretary is the *leader
secretary* of exactly the cycles its unit leads, so when the leadership passes to another
unit, the powers pass with it. The rule table itself is pure: `thidua.core.policy`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from thidua.core.deadlines import midyear_state
from thidua.core.indicators import Period
from thidua.core.policy import POLICY, UNIT_ACTIVE, UNIT_ENDED, Action, Decision, Role, decide
from thidua.errors import Refused, StateConflict
from thidua.org.models import Cluster, Cycle, Unit, UserKind

_UNIT_STAFF = (UserKind.OFFICER, UserKind.SECRETARY)


class SystemActor:
    """The demo loader and command-line tools, acting without a signed-in person."""

    is_authenticated = True
    is_active = True
    pk = None

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


@dataclass(frozen=True)
class UnitInCycle:
    """A member unit's part of a cycle (its report, its score sheet): the unit's own officers
    write it, the leader secretary oversees it, the cycle's readers read it. A first-half
    report (`period` H1, the mid-year review) has the mid-year review's state, not the cycle's:
    it is written during the year."""

    cycle: Cycle
    unit: Unit
    period: str | None = None  # of a report


RoleProvider = Callable[[object, object], set[Role]]
_ROLE_PROVIDERS: list[tuple[RoleProvider, frozenset[Role]]] = []


def register_role_provider(provider: RoleProvider, grants: frozenset[Role]) -> None:
    """Let a later stage add roles it appoints itself (e.g. the vote-counting board), without
    the organisation knowing about it. The provider is asked only when one of the roles it
    `grants` could decide an action, so pages listing many cycles do not pay for it."""
    if all(existing is not provider for existing, _grants in _ROLE_PROVIDERS):
        _ROLE_PROVIDERS.append((provider, frozenset(grants)))


def recorded_user(actor):
    """The user to store as author of a write, None for the system."""
    return None if actor is SYSTEM else actor


def member_unit_ids(cycle: Cycle) -> frozenset[int]:
    """The cycle's member unit ids, fetched once per cycle object."""
    cached = getattr(cycle, "_member_unit_ids", None)
    if cached is None:
        cached = frozenset(cycle.memberships.values_list("unit_id", flat=True))
        cycle._member_unit_ids = cached
    return cached


def roles_for(user, obj=None, *, appointed: bool = True) -> frozenset[Role]:
    """Every role `user` holds on `obj`; with `appointed`, also those later stages appoint
    (one more query per object: leave them out when listing many objects)."""
    roles = _own_roles(user, obj)
    if appointed and roles and Role.SYSTEM not in roles:
        for provider, _grants in _ROLE_PROVIDERS:
            roles |= provider(user, obj)
    return roles


def _own_roles(user, obj=None) -> frozenset[Role]:
    if user is SYSTEM:
        return frozenset({Role.SYSTEM})
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    roles = {Role.USER}
    if user.is_superuser or user.kind == UserKind.ADMIN:
        roles.add(Role.ADMIN)
    if user.kind == UserKind.OBSERVER:
        roles.add(Role.OBSERVER)
    if isinstance(obj, Unit) and user.unit_id == obj.pk and user.kind in _UNIT_STAFF:
        roles.add(Role.OFFICER)
    if isinstance(obj, Cycle):
        roles |= _cycle_roles(user, obj)
    if isinstance(obj, Cluster):
        # the cluster as a whole (its register of titles): its current leader's secretary
        latest = Cycle.objects.filter(cluster=obj).order_by("-year").first()
        leads = latest is not None and user.unit_id == latest.leader_id
        if leads and user.kind == UserKind.SECRETARY:
            roles.add(Role.LEADER_SECRETARY)
    if isinstance(obj, UnitInCycle):
        roles |= _cycle_roles(user, obj.cycle) - {Role.OFFICER, Role.DELEGATE}
        member = obj.unit.pk in member_unit_ids(obj.cycle)
        if member and user.unit_id == obj.unit.pk and user.kind in _UNIT_STAFF:
            roles.add(Role.OFFICER)
        if member and user.unit_id == obj.unit.pk and user.kind == UserKind.DIRECTOR:
            roles.add(Role.DIRECTOR)
    return frozenset(roles)


def _cycle_roles(user, cycle: Cycle) -> set[Role]:
    roles: set[Role] = set()
    if user.unit_id is None:
        return roles
    if user.unit_id in member_unit_ids(cycle):
        roles.add(Role.MEMBER)
        if user.kind in _UNIT_STAFF:
            roles.add(Role.OFFICER)
        if user.kind == UserKind.DELEGATE:
            roles.add(Role.DELEGATE)
    if user.kind == UserKind.SECRETARY and user.unit_id == cycle.leader_id:
        roles.add(Role.LEADER_SECRETARY)
    return roles


def state_of(obj) -> str | None:
    if isinstance(obj, Cycle):
        return obj.state
    if isinstance(obj, UnitInCycle):
        if obj.period == Period.H1:
            return midyear_state(obj.cycle.position)
        return obj.cycle.state
    if isinstance(obj, Unit):
        # Only a unit whose validity is over has ended; one formed by an upcoming merger (not
        # started yet) is active, so that its profile can be prepared before the day.
        ended = obj.valid_to is not None and obj.valid_to < timezone.localdate()
        return UNIT_ENDED if ended else UNIT_ACTIVE
    return None


def decision(user, action: Action, obj=None) -> Decision:
    roles = _own_roles(user, obj)
    wanted = POLICY[action].roles
    if roles and Role.SYSTEM not in roles and not (roles & wanted):
        for provider, grants in _ROLE_PROVIDERS:
            if grants & wanted:
                roles |= provider(user, obj)
    return decide(action, roles, state_of(obj))


def can(user, action: Action, obj=None) -> bool:
    return decision(user, action, obj).allowed


def require(user, action: Action, obj=None) -> None:
    """Raise `Refused` (wrong person) or `StateConflict` (wrong phase or state) unless allowed."""
    _enforce(decision(user, action, obj))


def require_any(user, action: Action, objects) -> None:
    """`require` of one of `objects` (e.g. any member unit's report): refused when none
    allows it, as a wrong phase when the person may act on one of them at another time."""
    decisions = [decision(user, action, obj) for obj in objects]
    if any(result.allowed for result in decisions):
        return
    timing = [result for result in decisions if result.refused_for_state]
    _enforce((timing or decisions or [decide(action, frozenset())])[0])


def _enforce(result: Decision) -> None:
    if result.allowed or result.problem is None:
        return
    if result.refused_for_state:
        raise StateConflict([result.problem])
    raise Refused(result.problem)
