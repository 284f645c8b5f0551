"""API of scoring: the agreement, score sheets (read, save, submit), the results, and the
score review with explanations (giải trình): read a unit's review, file, answer, finalise."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Router, Schema, Status

from thidua.core import review as review_rules
from thidua.core.messages import Problem, gettext_noop
from thidua.core.numbers import InvalidNumber, to_decimal
from thidua.core.policy import Action
from thidua.errors import DomainError
from thidua.org import selectors as org_selectors
from thidua.org.authz import UnitInCycle, require
from thidua.org.lookups import cycle_or_404
from thidua.org.models import Cycle, Unit
from thidua.scoring import selectors, services
from thidua.scoring.models import Explanation, ScoreSheet

router = Router(tags=["scoring"])


class CriterionOut(Schema):
    code: str
    parent: str | None
    name: str
    kind: str
    max_points: str
    indicator: str | None


class ConfirmationOut(Schema):
    unit: str
    state: str  # confirmed (this very content), stale (an earlier one), excused, missing
    confirmed_at: str | None
    digest: str | None  # of the content the director confirmed
    reason: str | None  # why the unit could not confirm, as the leader's secretary recorded


class AgreementOut(Schema):
    cycle: str
    signed: bool
    declared_total: str
    rules: dict
    criteria: list[CriterionOut]
    targets: dict[str, dict[str, str]]
    digest: str  # SHA-256 of the content the member units' directors confirm
    confirmations: list[ConfirmationOut]


class SheetIn(Schema):
    scores: dict[str, int | float | str]
    submit: bool = False
    reasons: dict[str, str] = {}  # why a score is below the self-assessment, by criterion


class OnBehalfOut(Schema):
    """A sheet entered by the leader unit's secretary on the scorer's behalf ("nhập thay")."""

    by: str | None  # the username of who entered it
    reason: str
    confirmed: bool  # the scorer unit confirmed it
    excuse: str  # or the leader recorded why the unit could not ("" if neither yet)


class SheetOut(Schema):
    scorer: str
    target: str
    kind: str
    status: str | None
    on_behalf: OnBehalfOut | None = None
    scores: dict[str, str]


class ResultOut(Schema):
    unit: str
    rank: int
    total: str
    self_total: str | None
    band: str | None
    gap_flagged: bool
    criteria: dict[str, str]


class ResultsOut(Schema):
    cycle: str
    submitted: int
    expected: int
    ready: bool  # every expected sheet submitted or the scoring phase closed
    not_ready: list[str]  # why the ranking is still empty, when it is
    ranking: list[ResultOut]  # empty until `ready`


def _number(raw, field: str) -> Decimal:
    """A number as sent (JSON number or Vietnamese text, "4,5"); a refusal naming `field`."""
    try:
        return to_decimal(raw)
    except InvalidNumber as error:
        problem = error.problem
        raise DomainError([Problem(problem.code, problem.message, problem.params, field)]) from None


def _member(cycle: Cycle, code: str) -> Unit:
    unit = next((u for u in org_selectors.member_units(cycle) if u.code == code), None)
    if unit is None:
        raise Http404
    return unit


@router.get("/cycles/{cluster}/{year}/agreement", response=AgreementOut)
def get_agreement(request, cluster: str, year: int):
    cycle = cycle_or_404(cluster, year)
    require(request.auth, Action.VIEW_AGREEMENT, cycle)
    agreement = selectors.agreement_of(cycle)
    if agreement is None:
        raise Http404
    digest = selectors.agreement_digest(agreement)
    targets: dict[str, dict[str, str]] = {}
    for (unit, code), value in selectors.targets_of(agreement).items():
        targets.setdefault(unit, {})[code] = str(value.normalize())
    return {
        "cycle": f"{cycle.cluster.code}/{cycle.year}",
        "signed": agreement.is_signed,
        "declared_total": str(agreement.declared_total),
        "rules": agreement.rules,
        "criteria": [
            {
                "code": c.code,
                "parent": c.parent.code if c.parent else None,
                "name": c.name,
                "kind": c.kind,
                "max_points": str(c.max_points),
                "indicator": c.indicator.code if c.indicator else None,
            }
            for c in selectors.criteria_of(agreement)
        ],
        "targets": targets,
        "digest": digest,
        "confirmations": [
            {
                "unit": row.unit.code,
                "state": row.state,
                "confirmed_at": row.confirmation.confirmed_at.isoformat()
                if row.confirmation and row.confirmation.confirmed_at
                else None,
                "digest": (row.confirmation.digest or None) if row.confirmation else None,
                "reason": (row.confirmation.reason or None) if row.confirmation else None,
            }
            for row in selectors.confirmations(
                agreement,
                selectors.signatories(agreement, org_selectors.member_units(cycle)),
                digest,
            )
        ],
    }


def _on_behalf(sheet: ScoreSheet | None) -> dict | None:
    if sheet is None or not sheet.on_behalf:
        return None
    return {
        "by": sheet.on_behalf_by.username if sheet.on_behalf_by else None,
        "reason": sheet.on_behalf_reason,
        "confirmed": sheet.confirmed_at is not None,
        "excuse": sheet.excuse,
    }


def _sheet_out(sheet: ScoreSheet | None, scorer: Unit, target: Unit) -> dict:
    return {
        "scorer": scorer.code,
        "target": target.code,
        "kind": "self" if scorer.pk == target.pk else "peer",
        "status": sheet.status if sheet else None,
        "on_behalf": _on_behalf(sheet),
        "scores": {
            code: str(value)
            for code, value in (selectors.scores_by_code(sheet) if sheet else {}).items()
        },
    }


@router.get("/cycles/{cluster}/{year}/sheets/{scorer}/{target}", response=SheetOut)
def get_sheet(request, cluster: str, year: int, scorer: str, target: str):
    cycle = cycle_or_404(cluster, year)
    scorer_unit, target_unit = _member(cycle, scorer), _member(cycle, target)
    sheet = selectors.sheet_of(cycle, scorer_unit, target_unit)
    if sheet is None or sheet.status == ScoreSheet.Status.DRAFT:
        require(request.auth, Action.VIEW_DRAFT_SHEET, UnitInCycle(cycle, scorer_unit))
    else:
        require(request.auth, Action.VIEW_RESULTS, cycle)
    return _sheet_out(sheet, scorer_unit, target_unit)


@router.put("/cycles/{cluster}/{year}/sheets/{scorer}/{target}", response=SheetOut)
def put_sheet(request, cluster: str, year: int, scorer: str, target: str, payload: SheetIn):
    cycle = cycle_or_404(cluster, year)
    scorer_unit, target_unit = _member(cycle, scorer), _member(cycle, target)
    require(request.auth, Action.EDIT_SHEET, UnitInCycle(cycle, scorer_unit))
    scores: dict[str, Decimal] = {}
    problems: list[Problem] = []
    for code, raw in payload.scores.items():
        try:
            scores[code] = _number(raw, code)
        except DomainError as error:
            problems += error.problems
    if problems:
        raise DomainError(problems)
    sheet = services.save_sheet(
        actor=request.auth,
        cycle=cycle,
        scorer=scorer_unit,
        target=target_unit,
        scores=scores,
        submit=payload.submit,
        reasons=payload.reasons,
    )
    return _sheet_out(sheet, scorer_unit, target_unit)


@router.get("/cycles/{cluster}/{year}/results", response=ResultsOut)
def get_results(request, cluster: str, year: int):
    cycle = cycle_or_404(cluster, year)
    require(request.auth, Action.VIEW_RESULTS, cycle)
    results = selectors.results(cycle)
    if results is None:
        raise DomainError([Problem("no_agreement", gettext_noop("Năm thi đua chưa có giao ước."))])
    submitted, expected = results.progress
    return {
        "cycle": f"{cycle.cluster.code}/{cycle.year}",
        "submitted": submitted,
        "expected": expected,
        "ready": results.ready,
        "not_ready": [problem.render(gettext) for problem in results.why_not_ready],
        "ranking": [
            {
                "unit": unit.code,
                "rank": result.rank,
                "total": str(result.total),
                "self_total": str(result.self_total) if result.self_total is not None else None,
                "band": result.band,
                "gap_flagged": result.gap_flagged,
                "criteria": {
                    code: str(round(item.points, results.rules.decimals))
                    for code, item in result.criteria.items()
                },
            }
            for unit, result in results.ranking
        ],
    }


# --- score review with explanations (giải trình) -----------------------------------------


class ExplanationOut(Schema):
    id: int
    text: str
    state: str  # explained, kept, changed, accepted, refused
    filed_at: str
    attachment: bool
    answer_reason: str  # the reviewer's, once answered
    old_value: str | None
    new_value: str | None
    note: str  # the finaliser's, once concluded


class ReviewLineOut(Schema):
    reviewer: str
    value: str  # the reviewer's score (its new one once changed)
    reason: str  # why it is below the unit's self-assessment
    state: str  # open (the unit may explain), or the explanation's state
    pending_with: str | None  # unit, reviewer, finaliser; None once concluded
    explanation: ExplanationOut | None


class ReviewRowOut(Schema):
    criterion: str
    self_value: str | None
    points: str | None  # the aggregated score of the submitted sheets
    lines: list[ReviewLineOut]


class ReviewOut(Schema):
    unit: str
    due: str | None  # the last day to file an explanation
    finaliser: str | None  # the unit that concludes this unit's explanations
    criteria: list[ReviewRowOut]


class ExplanationIn(Schema):
    criterion: str
    reviewer: str
    text: str


class AnswerIn(Schema):
    keep: bool
    reason: str
    value: int | float | str | None = None  # the new score, when not kept


class FinaliseIn(Schema):
    accept: bool
    note: str = ""


def _text(value) -> str | None:
    return str(value) if value is not None else None


def _explanation_out(item: Explanation | None) -> dict | None:
    if item is None:
        return None
    return {
        "id": item.pk,
        "text": item.text,
        "state": item.state,
        "filed_at": item.filed_at.isoformat(),
        "attachment": bool(item.file),
        "answer_reason": item.answer_reason,
        "old_value": _text(item.old_value),
        "new_value": _text(item.new_value),
        "note": item.note,
    }


def _review_out(cycle: Cycle, unit: Unit) -> dict:
    leader = cycle.leader.code if cycle.leader_id else None
    deputy = cycle.deputy.code if cycle.deputy_id else None
    due = selectors.explanation_due(cycle, timezone.localdate())
    return {
        "unit": unit.code,
        "due": due.isoformat() if due else None,
        "finaliser": review_rules.finaliser(unit.code, leader, deputy),
        "criteria": [
            {
                "criterion": row.criterion.code,
                "self_value": _text(row.self_value),
                "points": _text(row.points),
                "lines": [
                    {
                        "reviewer": line.reviewer.code,
                        "value": str(line.value),
                        "reason": line.reason,
                        "state": line.state.value,
                        "pending_with": line.pending.value if line.pending else None,
                        "explanation": _explanation_out(line.explanation),
                    }
                    for line in row.lines
                ],
            }
            for row in selectors.review_of(cycle, unit)
        ],
    }


def _agreement(cycle: Cycle):
    agreement = selectors.agreement_of(cycle)
    if agreement is None:
        raise DomainError([Problem("no_agreement", gettext_noop("Năm thi đua chưa có giao ước."))])
    return agreement


@router.get("/cycles/{cluster}/{year}/review/{unit}", response=ReviewOut)
def get_review(request, cluster: str, year: int, unit: str):
    """A unit's review: per judged criterion its aggregated and self score, and each reviewer
    who scored it lower, with the reason, the explanation and where it is pending."""
    cycle = cycle_or_404(cluster, year)
    require(request.auth, Action.VIEW_RESULTS, cycle)
    _agreement(cycle)
    return _review_out(cycle, _member(cycle, unit))


@router.post("/cycles/{cluster}/{year}/review/{unit}/explanations", response={201: ReviewOut})
def post_explanation(request, cluster: str, year: int, unit: str, payload: ExplanationIn):
    """The unit's staff file an explanation of a reviewer's score below its own (the
    attachment, if any, goes through the page)."""
    cycle = cycle_or_404(cluster, year)
    target = _member(cycle, unit)
    require(request.auth, Action.FILE_EXPLANATION, UnitInCycle(cycle, target))
    criterion = selectors.criterion_at(_agreement(cycle), payload.criterion)
    if criterion is None:
        raise Http404
    services.file_explanation(
        actor=request.auth,
        cycle=cycle,
        unit=target,
        criterion=criterion,
        reviewer=_member(cycle, payload.reviewer),
        text=payload.text,
    )
    return Status(201, _review_out(cycle, target))


def _explanation(cycle: Cycle, pk: int) -> Explanation:
    item = selectors.explanation(cycle, pk)
    if item is None:
        raise Http404
    return item


@router.post("/cycles/{cluster}/{year}/explanations/{pk}/answer", response=ReviewOut)
def post_answer(request, cluster: str, year: int, pk: int, payload: AnswerIn):
    """The reviewer unit keeps or changes its score, with a reason."""
    cycle = cycle_or_404(cluster, year)
    item = _explanation(cycle, pk)
    require(request.auth, Action.ANSWER_EXPLANATION, UnitInCycle(cycle, item.reviewer))
    value = None
    if payload.value is not None and str(payload.value).strip():
        value = _number(payload.value, "value")
    services.answer_explanation(
        actor=request.auth, explanation=item, keep=payload.keep, reason=payload.reason, value=value
    )
    return _review_out(cycle, item.unit)


@router.post("/cycles/{cluster}/{year}/explanations/{pk}/finalise", response=ReviewOut)
def post_finalise(request, cluster: str, year: int, pk: int, payload: FinaliseIn):
    """The leader unit concludes (the deputy, for the leader's own unit's explanations)."""
    cycle = cycle_or_404(cluster, year)
    item = _explanation(cycle, pk)  # who may conclude is the service's rule (leader, deputy)
    services.finalise_explanation(
        actor=request.auth, explanation=item, accept=payload.accept, note=payload.note
    )
    return _review_out(cycle, item.unit)
