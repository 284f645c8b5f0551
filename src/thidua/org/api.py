"""API of the organisation: units and lineage, clusters, cycles, phases and hand-overs.

Handlers only parse, authorise, call a service or selector, and shape the answer; refusals
come back as JSON with the same translated messages as the web pages.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Router, Schema, Status

from thidua.core.cycles import check_year
from thidua.core.messages import Problem, gettext_noop
from thidua.core.phases import Phase
from thidua.core.policy import Action, Role
from thidua.errors import DomainError, refuse_if
from thidua.org import register, selectors, services
from thidua.org.authz import can, require, roles_for
from thidua.org.lookups import cycle_or_404, found_or_404
from thidua.org.models import Cycle, Handover, RuleSet, Unit

router = Router(tags=["organisation"])


class UnitOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    valid_from: date | None
    valid_to: date | None


class UnitDetailOut(UnitOut):
    head_rank: str
    head_title: str
    head_name: str
    predecessors: list[str]
    successors: list[str]
    cycles: list[str]


class StandsForOut(Schema):
    unit: str
    year: int
    units: list[str]
    partial: bool


class LineageEventIn(Schema):
    kind: Literal["merge", "split", "rename"]
    effective_date: date
    sources: list[str]
    targets: list[str]
    legal_basis: str = ""
    note: str = ""


class LineageEventOut(Schema):
    id: int
    kind: str
    effective_date: date
    sources: list[str]
    targets: list[str]
    legal_basis: str


class ClusterOut(Schema):
    code: str
    name: str
    parent_body: str
    movement: str


class HandoverOut(Schema):
    year: int
    leader: str
    deputy: str | None
    method: str
    decision_ref: str
    from_year: int | None
    recorded_by: str | None
    recorded_at: str


class CycleOut(Schema):
    cluster: str
    year: int
    title: str
    leader: str
    deputy: str | None
    members: list[str]
    phase: str
    phase_is_open: bool
    state: str
    rule_set: str


class ClusterDetailOut(ClusterOut):
    cycles: list[CycleOut]
    handovers: list[HandoverOut]


class CycleIn(Schema):
    cluster: str
    year: int
    members: list[str]
    leader: str | None = None
    deputy: str | None = None
    rule_set: str | None = None  # "code@version", e.g. "thi-dua-cand@1"
    title: str = ""
    note: str = ""
    decision_ref: str = ""


class PhaseActionIn(Schema):
    reason: str = ""


class HandoverIn(Schema):
    leader: str
    deputy: str | None = None
    method: Literal["elected", "assigned"] = "elected"
    decision_ref: str = ""
    note: str = ""


class MeOut(Schema):
    username: str
    name: str
    kind: str
    unit: str | None


def _unit_out(unit: Unit) -> dict:
    return {
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
    }


def _cycle_out(cycle: Cycle) -> dict:
    return {
        "cluster": cycle.cluster.code,
        "year": cycle.year,
        "title": cycle.title,
        "leader": cycle.leader.code,
        "deputy": cycle.deputy.code if cycle.deputy else None,
        "members": [unit.code for unit in selectors.member_units(cycle)],
        "phase": cycle.phase,
        "phase_is_open": cycle.phase_is_open,
        "state": cycle.state,
        "rule_set": f"{cycle.rule_set.code}@{cycle.rule_set.version}",
    }


def _handover_out(handover: Handover, *, show_recorder: bool) -> dict:
    """A hand-over; who recorded it (a username) only for admins."""
    return {
        "year": handover.year,
        "leader": handover.leader.code,
        "deputy": handover.deputy.code if handover.deputy else None,
        "method": handover.method,
        "decision_ref": handover.decision_ref,
        "from_year": handover.from_cycle.year if handover.from_cycle else None,
        "recorded_by": handover.recorded_by.username
        if show_recorder and handover.recorded_by
        else None,
        "recorded_at": handover.recorded_at.isoformat(),
    }


def _is_admin(user) -> bool:
    return Role.ADMIN in roles_for(user, appointed=False)


def _units(codes: list[str], field: str) -> list[Unit]:
    """The units named by `codes`, in order; unknown codes are refused by name."""
    found = selectors.units_by_code(codes)
    unknown = [code for code in dict.fromkeys(codes) if code not in found]
    if unknown:
        raise DomainError(
            Problem(
                "unknown_unit", gettext_noop("Không có đơn vị mã %(code)s."), {"code": code}, field
            )
            for code in unknown
        )
    return [found[code] for code in codes]


def _unit(code: str | None, field: str) -> Unit | None:
    return None if code is None else _units([code], field)[0]


def _rule_set(spec: str | None) -> RuleSet | None:
    if spec is None:
        return None
    code, _sep, version = spec.partition("@")
    rule_set = selectors.rule_set_at(code, int(version) if version.isdigit() else -1)
    if rule_set is None:
        raise DomainError(
            [
                Problem(
                    "unknown_rule_set",
                    gettext_noop("Không có bộ quy tắc %(spec)s."),
                    {"spec": spec},
                    "rule_set",
                )
            ]
        )
    return rule_set


@router.get("/me", response=MeOut)
def me(request):
    user = request.auth
    return {
        "username": user.username,
        "name": user.display_name,
        "kind": user.kind,
        "unit": user.unit.code if user.unit else None,
    }


@router.get("/units", response=list[UnitOut])
def list_units(request, on: date | None = None):
    require(request.auth, Action.VIEW_UNIT)
    units = selectors.all_units()
    if on is not None:
        units = [unit for unit in units if unit.span().valid_on(on)]
    return [_unit_out(unit) for unit in units]


@router.get("/units/{code}", response=UnitDetailOut)
def get_unit(request, code: str):
    unit = found_or_404(selectors.unit_at(code))
    require(request.auth, Action.VIEW_UNIT, unit)
    lineage = selectors.unit_lineage(unit)
    return {
        **_unit_out(unit),
        "head_rank": unit.head_rank,
        "head_title": unit.head_title,
        "head_name": unit.head_name,
        "predecessors": [other.code for other in lineage.predecessors],
        "successors": [other.code for other in lineage.successors],
        "cycles": [f"{cycle.cluster.code}/{cycle.year}" for cycle in lineage.cycles],
    }


@router.get("/units/{code}/stands-for", response=StandsForOut)
def stands_for(request, code: str, year: int):
    """The units whose figures for `year` make up this unit's territory."""
    unit = found_or_404(selectors.unit_at(code))
    require(request.auth, Action.VIEW_UNIT, unit)
    refuse_if(check_year(year))
    ancestry = selectors.lineage().stands_for(unit.code, year)
    return {
        "unit": unit.code,
        "year": year,
        "units": sorted(ancestry.units),
        "partial": ancestry.partial,
    }


@router.post("/lineage-events", response={201: LineageEventOut})
def create_lineage_event(request, payload: LineageEventIn):
    event = services.record_lineage_event(
        actor=request.auth,
        kind=payload.kind,
        effective_date=payload.effective_date,
        sources=_units(payload.sources, "sources"),
        targets=_units(payload.targets, "targets"),
        legal_basis=payload.legal_basis,
        note=payload.note,
    )
    return Status(
        201,
        {
            "id": event.pk,
            "kind": event.kind,
            "effective_date": event.effective_date,
            "sources": payload.sources,
            "targets": payload.targets,
            "legal_basis": event.legal_basis,
        },
    )


@router.get("/clusters", response=list[ClusterOut])
def list_clusters(request):
    require(request.auth, Action.VIEW_CLUSTER)
    return selectors.all_clusters()


@router.get("/clusters/{code}", response=ClusterDetailOut)
def get_cluster(request, code: str):
    cluster = found_or_404(selectors.cluster_at(code))
    require(request.auth, Action.VIEW_CLUSTER, cluster)
    overview = selectors.cluster_overview(request.auth, cluster)
    show_recorder = _is_admin(request.auth)
    return {
        "code": cluster.code,
        "name": cluster.name,
        "parent_body": cluster.parent_body,
        "movement": cluster.movement,
        "cycles": [_cycle_out(cycle) for cycle in overview.cycles],
        "handovers": [
            _handover_out(handover, show_recorder=show_recorder) for handover in overview.handovers
        ],
    }


@router.get("/cycles", response=list[CycleOut])
def list_cycles(request, cluster: str | None = None, year: int | None = None):
    cycles = selectors.visible_cycles(request.auth)
    return [
        _cycle_out(cycle)
        for cycle in cycles
        if (cluster is None or cycle.cluster.code == cluster)
        and (year is None or cycle.year == year)
    ]


@router.post("/cycles", response={201: CycleOut})
def create_cycle(request, payload: CycleIn):
    cluster = found_or_404(selectors.cluster_at(payload.cluster))
    require(request.auth, Action.CREATE_CYCLE, cluster)
    cycle = services.create_cycle(
        actor=request.auth,
        cluster=cluster,
        year=payload.year,
        members=_units(payload.members, "members"),
        leader=_unit(payload.leader, "leader"),
        deputy=_unit(payload.deputy, "deputy"),
        rule_set=_rule_set(payload.rule_set),
        title=payload.title,
        note=payload.note,
        decision_ref=payload.decision_ref,
    )
    return Status(201, _cycle_out(selectors.get_cycle(cluster.code, cycle.year)))


@router.get("/cycles/{cluster}/{year}", response=CycleOut)
def get_cycle(request, cluster: str, year: int):
    return _cycle_out(cycle_or_404(cluster, year, request.auth, Action.VIEW_CYCLE))


@router.post("/cycles/{cluster}/{year}/phases/{phase}/{action}", response=CycleOut)
def phase_action(
    request,
    cluster: str,
    year: int,
    phase: Phase,
    action: Literal["open", "close", "reopen"],
    payload: PhaseActionIn | None = None,
):
    cycle = cycle_or_404(cluster, year, request.auth, Action.VIEW_CYCLE)
    if action == "reopen":
        services.reopen_phase(
            actor=request.auth, cycle=cycle, phase=phase, reason=payload.reason if payload else ""
        )
    elif action == "open":
        services.open_phase(actor=request.auth, cycle=cycle, phase=phase)
    else:
        services.close_phase(actor=request.auth, cycle=cycle, phase=phase)
    return _cycle_out(selectors.get_cycle(cluster, year))


@router.post("/cycles/{cluster}/{year}/handover", response={201: HandoverOut})
def record_handover(request, cluster: str, year: int, payload: HandoverIn):
    cycle = cycle_or_404(cluster, year, request.auth, Action.VIEW_CYCLE)
    handover = services.record_handover(
        actor=request.auth,
        cycle=cycle,
        leader=_unit(payload.leader, "leader"),
        deputy=_unit(payload.deputy, "deputy"),
        method=payload.method,
        decision_ref=payload.decision_ref,
        note=payload.note,
    )
    return Status(201, _handover_out(handover, show_recorder=_is_admin(request.auth)))


# --- the register of titles -----------------------------------------------------------------


class DecisionOut(Schema):
    id: int
    number: str
    signed_on: date
    issuer: str
    on_behalf: bool
    pdf: bool


class PersonOut(Schema):
    """A person as the register names them; `rank` and `position` as of the line's year."""

    key: str
    full_name: str
    rank: str
    position: str


class TitleRecordOut(Schema):
    """A line of the register: the unit's, or (with `person`) that person's of the unit."""

    unit: str | None
    person: PersonOut | None
    cluster: str | None
    year: int
    title_code: str
    title: str
    level: str
    state: Literal["proposed", "awarded", "not_awarded"]
    decision: DecisionOut | None


class RegisterOut(Schema):
    cluster: str
    years: list[int]
    records: list[TitleRecordOut]


class PersonIn(Schema):
    """A person of the line's unit, as officials write them; `key` only to tell apart two
    people of the unit with one name (default: the name without accents)."""

    full_name: str
    rank: str = ""
    position: str = ""
    key: str = ""


class TitleRecordIn(Schema):
    """One line of the register, as the entry page takes it; the decision's fields are needed
    once the state is awarded or not awarded. With `person`, the line is that person's and
    `unit` is the person's unit."""

    unit: str
    person: PersonIn | None = None
    year: int
    title_code: str
    title: str
    level: str
    state: str = "proposed"
    number: str = ""
    signed_on: date | None = None
    issuer: str = ""
    source: str = ""


class DecidedIn(Schema):
    unit: str
    person: str = ""  # a person's key: that person's line of the unit
    year: int
    title_code: str
    awarded: bool


class DecisionIn(Schema):
    number: str
    signed_on: date
    issuer: str
    records: list[DecidedIn]


def _decision_out(decision) -> dict:
    return {
        "id": decision.pk,
        "number": decision.number,
        "signed_on": decision.signed_on,
        "issuer": decision.issuer,
        "on_behalf": decision.on_behalf,
        "pdf": bool(decision.pdf),
    }


@router.get("/clusters/{code}/register", response=RegisterOut)
def get_register(request, code: str):
    """The cluster's register of titles. A year absent from `records` is unknown, never "not
    awarded"; years whose cycle the caller may not read are left out."""
    cluster = found_or_404(selectors.cluster_at(code))
    require(request.auth, Action.VIEW_CLUSTER, cluster)
    cycles = selectors.cycles_by_year(cluster)
    hidden = {
        year for year, cycle in cycles.items() if not can(request.auth, Action.VIEW_CYCLE, cycle)
    }
    table = selectors.register_of(cluster)
    return {
        "cluster": cluster.code,
        "years": [year for year in table.years if year not in hidden],
        "records": [
            _record_out(record, cluster.code)
            for record in selectors.records_of(cluster)
            if record.year not in hidden
        ],
    }


def _record_out(record, cluster: str) -> dict:
    person = record.person
    return {
        "unit": record.unit.code if record.unit else person.unit.code,
        "person": register.person_fields(record) if person else None,
        "cluster": cluster,
        "year": record.year,
        "title_code": record.title_code,
        "title": record.title,
        "level": record.level,
        "state": record.state,
        "decision": _decision_out(record.decision) if record.decision else None,
    }


@router.post("/clusters/{code}/register", response={201: TitleRecordOut})
def record_title(request, code: str, payload: TitleRecordIn):
    """Enter (or correct) one line of the cluster's register, as its entry page does: by the
    cluster's current leader unit or the Ministry's office; all or nothing."""
    cluster = found_or_404(selectors.cluster_at(code))
    require(request.auth, Action.RECORD_TITLES, cluster)
    unit = selectors.unit_in(cluster, payload.unit)
    if unit is None:
        raise DomainError(
            [
                Problem(
                    "unknown_unit",
                    gettext_noop("Đơn vị %(unit)s không thuộc sổ danh hiệu của cụm."),
                    {"unit": payload.unit},
                    "unit",
                )
            ]
        )
    record = register.record_title(
        actor=request.auth,
        cluster=cluster,
        unit=unit,
        year=payload.year,
        title_code=payload.title_code,
        title=payload.title,
        level=payload.level,
        state=payload.state,
        decision=register.DecisionData.entered(payload.number, payload.signed_on, payload.issuer),
        source=payload.source,
        person=register.PersonData(**payload.person.model_dump()) if payload.person else None,
    )
    return Status(201, _record_out(record, cluster.code))


@router.post("/decisions", response={201: DecisionOut})
def record_decision(request, payload: DecisionIn):
    """A decision on proposed titles, recorded once even when it covers units of many
    clusters: by the Ministry's office, or by each line's year's leader unit on its behalf."""
    outcomes = []
    problems = []
    for index, item in enumerate(payload.records):
        found = selectors.line_at(item.unit, item.year, item.title_code, item.person)
        if found is None:
            problems.append(
                Problem(
                    "no_such_line",
                    gettext_noop("Sổ không có danh hiệu “%(title)s” năm %(year)s của %(unit)s."),
                    {"title": item.title_code, "year": item.year, "unit": item.unit},
                    f"records.{index}",
                )
            )
        else:
            outcomes.append((found, item.awarded))
    for found, _awarded in outcomes:  # who may, before saying what is wrong
        require(request.auth, Action.RECORD_DECISION, register.authority(found))
    if not outcomes:  # nothing to check on: the Ministry's office only
        require(request.auth, Action.RECORD_DECISION)
    refuse_if(problems)
    decision = register.record_decision(
        actor=request.auth,
        number=payload.number,
        signed_on=payload.signed_on,
        issuer=payload.issuer,
        outcomes=outcomes,
    )
    return Status(201, _decision_out(decision))
