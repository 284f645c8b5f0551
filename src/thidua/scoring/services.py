"""Writes of the agreement and the score sheets: one function per action, all or nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from thidua.audit import clock
from thidua.audit.services import record as audit
from thidua.core import review
from thidua.core import scoring as core
from thidua.core.messages import Problem, gettext_noop
from thidua.core.numbers import format_exact
from thidua.core.phases import Phase
from thidua.core.policy import Action
from thidua.core.record import AuditAction
from thidua.errors import DomainError, Refused, StateConflict, refuse_if
from thidua.org import selectors as org_selectors
from thidua.org import services as org_services
from thidua.org.authz import SYSTEM, UnitInCycle, recorded_user, require
from thidua.org.models import Cycle, Unit, UserKind
from thidua.scoring import selectors
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
from thidua.stats.models import Indicator

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}


# --- the agreement ------------------------------------------------------------------------


def _editable_agreement(actor, cycle: Cycle) -> Agreement:
    """The cycle's agreement (created empty on first use), to be changed: any change undoes a
    signature, which can only exist later in the year anyway."""
    require(actor, Action.EDIT_AGREEMENT, cycle)
    agreement, _created = Agreement.objects.select_for_update().get_or_create(cycle=cycle)
    if agreement.signed_at is not None:
        agreement.signed_at, agreement.signed_by = None, None
        agreement.save(update_fields=["signed_at", "signed_by"])
        agreement.approved_by.clear()
    return agreement


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    name: str
    kind: str
    max_points: Decimal
    parent: str | None = None
    position: int = 0
    min_points: Decimal = Decimal(0)
    indicator: str | None = None
    points_each: Decimal = Decimal(0)
    penalty_each: Decimal = Decimal(0)
    guidance: str = ""


def _table_problems(specs: Sequence[CriterionSpec]) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    known_indicators = set(Indicator.objects.values_list("code", flat=True))
    for spec in specs:
        if spec.code in seen:
            problems.append(
                Problem(
                    "repeated_code",
                    gettext_noop("Mã tiêu chí %(code)s bị trùng."),
                    {"code": spec.code},
                    spec.code,
                )
            )
        seen.add(spec.code)
        if spec.indicator and spec.indicator not in known_indicators:
            problems.append(
                Problem(
                    "unknown_indicator",
                    gettext_noop("Không có chỉ tiêu mã %(code)s."),
                    {"code": spec.indicator},
                    spec.code,
                )
            )
        if spec.kind not in core.Kind.__members__.values():
            problems.append(
                Problem(
                    "unknown_kind",
                    gettext_noop("Loại tiêu chí “%(kind)s” không hợp lệ."),
                    {"kind": spec.kind},
                    spec.code,
                )
            )
    return problems


@transaction.atomic
def replace_table(*, actor, cycle: Cycle, criteria: Sequence[CriterionSpec]) -> Agreement:
    """Set the whole criteria table at once (from the form or a workbook)."""
    agreement = _editable_agreement(actor, cycle)
    refuse_if(_table_problems(criteria))
    before = _table_snapshot(agreement)
    targets = selectors.targets_of(agreement)
    agreement.criteria.all().delete()
    indicators = {
        i.code: i
        for i in Indicator.objects.filter(code__in=[c.indicator for c in criteria if c.indicator])
    }
    created: dict[str, Criterion] = {}
    pending = list(criteria)
    while pending:  # parents first, whatever the order given
        progressed = False
        for spec in list(pending):
            if spec.parent and spec.parent not in created:
                if spec.parent not in {c.code for c in criteria}:
                    raise DomainError(
                        [
                            Problem(
                                "unknown_parent",
                                gettext_noop(
                                    "Tiêu chí “%(name)s” thuộc một mục không có trong bảng."
                                ),
                                {"name": spec.name},
                                spec.code,
                            )
                        ]
                    )
                continue
            created[spec.code] = Criterion.objects.create(
                agreement=agreement,
                code=spec.code,
                parent=created.get(spec.parent) if spec.parent else None,
                position=spec.position,
                name=spec.name,
                kind=spec.kind,
                max_points=spec.max_points,
                min_points=spec.min_points,
                indicator=indicators.get(spec.indicator) if spec.indicator else None,
                points_each=spec.points_each,
                penalty_each=spec.penalty_each,
                guidance=spec.guidance,
            )
            pending.remove(spec)
            progressed = True
        if not progressed:
            raise DomainError(
                [Problem("parent_cycle", gettext_noop("Các mục lồng nhau thành vòng."))]
            )
    Target.objects.bulk_create(
        [
            Target(criterion=created[code], unit_id=unit_id, value=value)
            for (unit_code, code), value in targets.items()
            if code in created and created[code].kind == core.Kind.QUANTITATIVE
            for unit_id in [_unit_id(unit_code)]
        ]
    )
    audit(
        actor=actor,
        action=AuditAction.TABLE_REPLACE,
        object_type="scoring.agreement",
        object_id=agreement.pk,
        cycle=cycle,
        before=before,
        after=_table_snapshot(agreement),
    )
    return agreement


def _unit_id(code: str) -> int:
    return Unit.objects.only("pk").get(code=code).pk


def _table_snapshot(agreement: Agreement) -> list[dict]:
    return [
        {
            "code": c.code,
            "parent": c.parent.code if c.parent else None,
            "name": c.name,
            "kind": c.kind,
            "max": c.max_points,
            "min": c.min_points,
            "indicator": c.indicator.code if c.indicator else None,
            "each": c.points_each,
            "penalty": c.penalty_each,
        }
        for c in selectors.criteria_of(agreement)
    ]


@transaction.atomic
def set_targets(
    *, actor, cycle: Cycle, targets: Mapping[tuple[str, str], Decimal | None]
) -> Agreement:
    """Giao chỉ tiêu: (unit code, criterion code) → target; None removes it."""
    agreement = _editable_agreement(actor, cycle)
    members = {unit.code: unit for unit in org_selectors.member_units(cycle)}
    criteria = {c.code: c for c in agreement.criteria.all()}
    refuse_if(selectors.target_problems(agreement, list(members.values()), targets))
    before = {f"{u}:{c}": v for (u, c), v in selectors.targets_of(agreement).items()}
    for (unit_code, code), value in targets.items():
        if value is None:
            Target.objects.filter(criterion=criteria[code], unit=members[unit_code]).delete()
        else:
            Target.objects.update_or_create(
                criterion=criteria[code], unit=members[unit_code], defaults={"value": value}
            )
    audit(
        actor=actor,
        action=AuditAction.TARGETS_SET,
        object_type="scoring.agreement",
        object_id=agreement.pk,
        cycle=cycle,
        before=before,
        after={f"{u}:{c}": v for (u, c), v in selectors.targets_of(agreement).items()},
    )
    return agreement


@transaction.atomic
def set_rules(
    *,
    actor,
    cycle: Cycle,
    rules: Mapping[str, object],
    declared_total: Decimal,
    assignment: str = Agreement.Assignment.ALL_MEMBERS,
    teams: Mapping[str, Iterable[str]] | None = None,
) -> Agreement:
    """How the cycle scores: aggregation, step, bands, tie-breaks; who scores whom."""
    agreement = _editable_agreement(actor, cycle)
    try:
        parsed = core.Rules(
            aggregation=core.Aggregation(rules.get("aggregation", "mean")),
            zscore=bool(rules.get("zscore", False)),
            step=Decimal(str(rules.get("step", "0.25"))),
            decimals=int(rules.get("decimals", 2)),
            trim_from=int(rules.get("trim_from", 5)),
            tie_breaks=tuple(rules.get("tie_breaks", ())),
            bands=tuple(
                core.Band(Decimal(str(band["minimum"])), str(band["label"]))
                for band in rules.get("bands", ())
            ),
            gap_threshold=Decimal(str(rules.get("gap_threshold", "10"))),
        )
    except (ValueError, KeyError, ArithmeticError, TypeError):
        raise DomainError(
            [Problem("bad_rules", gettext_noop("Quy tắc chấm điểm không hợp lệ."), {}, "rules")]
        ) from None
    if parsed.step <= 0 or declared_total <= 0:
        raise DomainError(
            [Problem("bad_rules", gettext_noop("Quy tắc chấm điểm không hợp lệ."), {}, "rules")]
        )
    refuse_if(
        core.check_tie_breaks(
            parsed.tie_breaks, selectors.table_of(selectors.criteria_of(agreement))
        )
    )
    before = {
        "rules": agreement.rules,
        "total": agreement.declared_total,
        "assignment": agreement.assignment,
    }
    agreement.rules = {
        "aggregation": parsed.aggregation.value,
        "zscore": parsed.zscore,
        "step": str(parsed.step),
        "decimals": parsed.decimals,
        "trim_from": parsed.trim_from,
        "tie_breaks": list(parsed.tie_breaks),
        "bands": [{"minimum": str(b.minimum), "label": b.label} for b in parsed.bands],
        "gap_threshold": str(parsed.gap_threshold),
    }
    agreement.declared_total = declared_total
    agreement.assignment = assignment
    agreement.save()
    if assignment == Agreement.Assignment.TEAMS and teams is not None:
        members = {unit.code: unit for unit in org_selectors.member_units(cycle)}
        unknown = [
            code
            for code in {*teams, *(s for ss in teams.values() for s in ss)}
            if code not in members
        ]
        refuse_if(
            [
                Problem(
                    "not_member",
                    gettext_noop("%(unit)s không phải thành viên của cụm."),
                    {"unit": code},
                    "teams",
                )
                for code in sorted(unknown)
            ]
        )
        agreement.teams.all().delete()
        for inspected, scorers in teams.items():
            team = InspectionTeam.objects.create(agreement=agreement, inspected=members[inspected])
            team.scorers.set([members[code] for code in scorers if code != inspected])
    audit(
        actor=actor,
        action=AuditAction.RULES_SET,
        object_type="scoring.agreement",
        object_id=agreement.pk,
        cycle=cycle,
        before=before,
        after={"rules": agreement.rules, "total": declared_total, "assignment": assignment},
    )
    return agreement


@transaction.atomic
def import_agreement(*, actor, cycle: Cycle, parsed) -> Agreement:
    """A criteria table and its targets read from a workbook (`excel.read_agreement`)."""
    replace_table(actor=actor, cycle=cycle, criteria=parsed.criteria)
    return set_targets(actor=actor, cycle=cycle, targets=parsed.targets)


@transaction.atomic
def copy_agreement(*, actor, cycle: Cycle, source: Cycle) -> Agreement:
    """Start from another year's table: criteria, rules, and targets of units still members."""
    original = selectors.agreement_of(source)
    if original is None:
        raise DomainError(
            [
                Problem(
                    "nothing_to_copy",
                    gettext_noop("Năm %(year)s chưa có giao ước để sao chép."),
                    {"year": source.year},
                )
            ]
        )
    specs = [
        CriterionSpec(
            code=c.code,
            name=c.name,
            kind=c.kind,
            max_points=c.max_points,
            parent=c.parent.code if c.parent else None,
            position=c.position,
            min_points=c.min_points,
            indicator=c.indicator.code if c.indicator else None,
            points_each=c.points_each,
            penalty_each=c.penalty_each,
            guidance=c.guidance,
        )
        for c in selectors.criteria_of(original)
    ]
    agreement = replace_table(actor=actor, cycle=cycle, criteria=specs)
    agreement.rules, agreement.declared_total = original.rules, original.declared_total
    agreement.assignment, agreement.copied_from = original.assignment, original
    agreement.save()
    members = {unit.code for unit in org_selectors.member_units(cycle)}
    set_targets(
        actor=actor,
        cycle=cycle,
        targets={
            (unit, code): value
            for (unit, code), value in selectors.targets_of(original).items()
            if unit in members
        },
    )
    return agreement


@transaction.atomic
def sign_agreement(*, actor, cycle: Cycle) -> Agreement:
    """Sign the agreement: the checklist passes and every member unit's director confirmed
    the agreement as it stands (or the leader's secretary recorded why a unit could not); the
    cycle moves from planning to "agreement signed", which freezes the table."""
    require(actor, Action.EDIT_AGREEMENT, cycle)
    agreement = Agreement.objects.select_for_update().filter(cycle=cycle).first()
    if agreement is None:
        raise DomainError([Problem("no_agreement", gettext_noop("Năm thi đua chưa có giao ước."))])
    members = org_selectors.member_units(cycle)
    problems = selectors.checklist(agreement, members)
    digest = selectors.agreement_digest(agreement)
    rows = selectors.confirmations(agreement, members, digest)
    problems += _unconfirmed_problems(rows)
    refuse_if(problems)
    confirmed = [row.unit for row in rows if row.state == selectors.ConfirmationState.CONFIRMED]
    agreement.signed_at, agreement.signed_by = clock.now(), recorded_user(actor)
    agreement.save(update_fields=["signed_at", "signed_by"])
    agreement.approved_by.set(confirmed)
    audit(
        actor=actor,
        action=AuditAction.AGREEMENT_SIGN,
        object_type="scoring.agreement",
        object_id=agreement.pk,
        cycle=cycle,
        after={
            "approved": sorted(unit.code for unit in confirmed),
            "excused": sorted(
                row.unit.code for row in rows if row.state == selectors.ConfirmationState.EXCUSED
            ),
            "digest": digest,
        },
    )
    cycle = org_services.close_phase(actor=actor, cycle=cycle, phase=Phase.PLANNING)
    org_services.open_phase(actor=actor, cycle=cycle, phase=Phase.AGREEMENT)
    return agreement


def _unconfirmed_problems(rows) -> list[Problem]:
    missing = [row.unit.short_name for row in rows if not row.settled]
    if not missing:
        return []
    return [
        Problem(
            "not_confirmed",
            gettext_noop(
                "Chưa có xác nhận của thủ trưởng đơn vị với giao ước hiện hành (hoặc lý do "
                "chưa xác nhận): %(units)s."
            ),
            {"units": ", ".join(missing)},
            "confirmations",
        )
    ]


def agreement_signed(cycle: Cycle) -> list[Problem]:
    """Phase guard: a cycle with an agreement cannot reach "agreement signed" unsigned, nor
    while a member unit has neither confirmed the agreement as signed nor a recorded reason."""
    agreement = Agreement.objects.filter(cycle=cycle).first()
    if agreement is None:
        return []
    if agreement.signed_at is None:
        return [
            Problem(
                "agreement_not_signed",
                gettext_noop("Giao ước thi đua chưa được ký; hãy ký giao ước ở trang giao ước."),
            )
        ]
    members = selectors.signatories(agreement, org_selectors.member_units(cycle))
    return _unconfirmed_problems(selectors.confirmations(agreement, members))


def _confirmable(actor, cycle: Cycle, unit: Unit) -> Agreement:
    require(actor, Action.CONFIRM_AGREEMENT, UnitInCycle(cycle, unit))
    _member(cycle, unit)
    agreement = Agreement.objects.select_for_update().filter(cycle=cycle).first()
    if agreement is None:
        raise DomainError([Problem("no_agreement", gettext_noop("Năm thi đua chưa có giao ước."))])
    if agreement.signed_at is not None:
        raise StateConflict(
            [Problem("agreement_signed", gettext_noop("Giao ước thi đua đã được ký."))]
        )
    return agreement


@transaction.atomic
def confirm_agreement(*, actor, cycle: Cycle, unit: Unit) -> Confirmation:
    """The unit's director confirms the agreement as it stands now, for that unit only: who,
    when and the digest of the content confirmed (an edit afterwards makes it stale)."""
    agreement = _confirmable(actor, cycle, unit)
    digest = selectors.agreement_digest(agreement)
    row, _created = Confirmation.objects.select_for_update().get_or_create(
        agreement=agreement, unit=unit
    )
    before = {"digest": row.digest or None, "at": _iso(row.confirmed_at)}
    row.confirmed_by, row.confirmed_at, row.digest = recorded_user(actor), clock.now(), digest
    row.save(update_fields=["confirmed_by", "confirmed_at", "digest"])
    audit(
        actor=actor,
        action=AuditAction.AGREEMENT_CONFIRM,
        object_type="scoring.agreement",
        object_id=agreement.pk,
        cycle=cycle,
        before=before,
        after={"unit": unit.code, "digest": digest},
    )
    return row


@transaction.atomic
def withdraw_confirmation(*, actor, cycle: Cycle, unit: Unit) -> None:
    """The unit's director takes back the unit's confirmation (e.g. the agreement is about to
    change in a way the unit does not accept)."""
    agreement = _confirmable(actor, cycle, unit)
    row = Confirmation.objects.select_for_update().filter(agreement=agreement, unit=unit).first()
    if row is None or row.confirmed_at is None:
        raise StateConflict(
            [
                Problem(
                    "not_confirmed",
                    gettext_noop("Đơn vị %(unit)s chưa xác nhận giao ước."),
                    {"unit": unit.short_name},
                )
            ]
        )
    before = {"unit": unit.code, "digest": row.digest, "at": _iso(row.confirmed_at)}
    row.confirmed_by, row.confirmed_at, row.digest = None, None, ""
    row.save(update_fields=["confirmed_by", "confirmed_at", "digest"])
    audit(
        actor=actor,
        action=AuditAction.AGREEMENT_WITHDRAW,
        object_type="scoring.agreement",
        object_id=agreement.pk,
        cycle=cycle,
        before=before,
        after={"unit": unit.code},
    )


@transaction.atomic
def record_unconfirmed_reason(*, actor, cycle: Cycle, unit: Unit, reason: str) -> Confirmation:
    """The leader's secretary records why a member unit could not confirm the agreement (a
    reason is mandatory); an empty reason is refused."""
    require(actor, Action.EDIT_AGREEMENT, cycle)
    _member(cycle, unit)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            [
                Problem(
                    "reason_required",
                    gettext_noop("Phải ghi lý do đơn vị chưa xác nhận giao ước."),
                    field="reason",
                )
            ]
        )
    agreement = Agreement.objects.select_for_update().filter(cycle=cycle).first()
    if agreement is None:
        raise DomainError([Problem("no_agreement", gettext_noop("Năm thi đua chưa có giao ước."))])
    row, _created = Confirmation.objects.select_for_update().get_or_create(
        agreement=agreement, unit=unit
    )
    before = {"reason": row.reason or None}
    row.reason, row.reason_by, row.reason_at = reason, recorded_user(actor), clock.now()
    row.save(update_fields=["reason", "reason_by", "reason_at"])
    audit(
        actor=actor,
        action=AuditAction.AGREEMENT_EXCUSE,
        object_type="scoring.agreement",
        object_id=agreement.pk,
        cycle=cycle,
        before=before,
        after={"unit": unit.code, "reason": reason},
    )
    return row


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


# --- score sheets -------------------------------------------------------------------------


def _member(cycle: Cycle, unit: Unit) -> None:
    if unit.pk not in {member.pk for member in org_selectors.member_units(cycle)}:
        raise DomainError(
            [
                Problem(
                    "not_member",
                    gettext_noop("%(unit)s không phải thành viên của cụm."),
                    {"unit": unit.name},
                )
            ]
        )


@transaction.atomic
def save_sheet(
    *,
    actor,
    cycle: Cycle,
    scorer: Unit,
    target: Unit,
    scores: Mapping[str, Decimal],
    submit: bool = False,
    reasons: Mapping[str, str] | None = None,
) -> ScoreSheet:
    """A scorer unit's scores for a member (its own sheet is its self-assessment).

    A peer's score below the member's self-assessment carries a reason (`reasons`, by
    criterion code); submitting such a score without one is refused, naming the criterion.
    """
    require(actor, Action.EDIT_SHEET, UnitInCycle(cycle, scorer))
    return _save_sheet(
        actor=actor,
        cycle=cycle,
        scorer=scorer,
        target=target,
        scores=scores,
        submit=submit,
        reasons=reasons,
        on_behalf_reason=None,
    )


@transaction.atomic
def enter_sheet_on_behalf(
    *,
    actor,
    cycle: Cycle,
    scorer: Unit,
    target: Unit,
    scores: Mapping[str, Decimal],
    reason: str,
    submit: bool = False,
    reasons: Mapping[str, str] | None = None,
) -> ScoreSheet:
    """The leader unit's secretary saves (or submits) the sheet a member unit gives another
    unit, on its behalf ("nhập thay"), when the unit cannot, saying why. A submission waits
    for the unit to confirm it (`confirm_sheet`) or for the leader to record why it could not
    (`excuse_sheet`): until then its scores do not count (`core.sheet_submitted_status`)."""
    require(actor, Action.ENTER_SHEET_ON_BEHALF, UnitInCycle(cycle, scorer))
    refuse_if(
        core.check_sheet_on_behalf(
            reason,
            scorer=scorer.code,
            target=target.code,
            leader=cycle.leader.code if cycle.leader_id else None,
        )
    )
    return _save_sheet(
        actor=actor,
        cycle=cycle,
        scorer=scorer,
        target=target,
        scores=scores,
        submit=submit,
        reasons=reasons,
        on_behalf_reason=reason.strip(),
    )


def _save_sheet(
    *,
    actor,
    cycle: Cycle,
    scorer: Unit,
    target: Unit,
    scores: Mapping[str, Decimal],
    submit: bool,
    reasons: Mapping[str, str] | None,
    on_behalf_reason: str | None,
) -> ScoreSheet:
    reasons = {code: (text or "").strip() for code, text in (reasons or {}).items()}
    _member(cycle, target)
    agreement = selectors.agreement_of(cycle)
    if agreement is None:
        raise DomainError([Problem("no_agreement", gettext_noop("Năm thi đua chưa có giao ước."))])
    kind = ScoreSheet.Kind.SELF if scorer.pk == target.pk else ScoreSheet.Kind.PEER
    members = org_selectors.member_units(cycle)
    if kind == ScoreSheet.Kind.PEER and scorer.code not in selectors.assignment(
        agreement, members
    ).get(target.code, []):
        raise Refused(
            Problem(
                "not_assigned",
                gettext_noop("%(scorer)s không được phân công chấm điểm %(target)s."),
                {"scorer": scorer.name, "target": target.name},
            )
        )
    criteria = selectors.criteria_of(agreement)
    table = selectors.table_of(criteria)
    rules = selectors.rules_of(agreement)
    problems = core.check_sheet(scores, table, rules.step)
    if submit and not problems:
        missing = core.missing_scores(scores, table)
        if missing:
            problems.append(
                Problem(
                    "sheet_incomplete",
                    gettext_noop("Còn %(count)s tiêu chí chưa chấm; chấm đủ mới nộp được."),
                    {"count": len(missing)},
                )
            )
    if submit and not problems and kind == ScoreSheet.Kind.PEER:
        own = selectors.sheet_of(cycle, target, target)
        self_scores = selectors.scores_by_code(own) if own is not None else None
        problems.extend(review.check_reasons(scores, self_scores, reasons, table))
    refuse_if(problems)
    sheet, _created = ScoreSheet.objects.select_for_update().get_or_create(
        cycle=cycle, scorer=scorer, target=target, defaults={"kind": kind}
    )
    if sheet.status == ScoreSheet.Status.SUBMITTED:
        raise StateConflict(
            [
                Problem(
                    "sheet_submitted",
                    gettext_noop("Phiếu đã nộp; chỉ thư ký cụm trưởng mở lại được."),
                )
            ]
        )
    on_behalf = on_behalf_reason is not None
    before_reason = sheet.on_behalf_reason
    by_code = {c.code: c for c in criteria}
    before = {s.criterion.code: s.value for s in sheet.scores.select_related("criterion")}
    sheet.scores.all().delete()
    Score.objects.bulk_create(
        [
            Score(
                sheet=sheet,
                criterion=by_code[code],
                value=value,
                reason=reasons.get(code, "") if kind == ScoreSheet.Kind.PEER else "",
            )
            for code, value in scores.items()
        ]
    )
    sheet.updated_at = clock.now()
    if submit:
        sheet.status = core.sheet_submitted_status(on_behalf=on_behalf)
        sheet.submitted_at = clock.now()
    else:
        sheet.status, sheet.submitted_at = ScoreSheet.Status.DRAFT, None
    # the scores are now whoever entered them last: the unit's own, or entered on its behalf
    sheet.on_behalf_by = recorded_user(actor) if on_behalf else None
    sheet.on_behalf_reason = on_behalf_reason or ""
    sheet.confirmed_by, sheet.confirmed_at, sheet.excuse = None, None, ""
    sheet.save()
    object_id = f"{scorer.code}->{target.code}"
    audit(
        actor=actor,
        action=AuditAction.SHEET_SUBMIT if submit else AuditAction.SHEET_SAVE,
        object_type="scoring.sheet",
        object_id=object_id,
        cycle=cycle,
        before=before,
        after=dict(scores),
    )
    if on_behalf or before_reason:
        # who entered the scores and why, beside the scores' own entry (whose payload the
        # record's check reads as the sheet's scores); a unit's own entry clears the mark
        audit(
            actor=actor,
            action=AuditAction.SHEET_ON_BEHALF,
            object_type="scoring.sheet",
            object_id=object_id,
            cycle=cycle,
            before={"on_behalf_reason": before_reason or None},
            after={"on_behalf_reason": on_behalf_reason or None, "status": sheet.status},
        )
    given = {code: text for code, text in reasons.items() if text and code in scores}
    if given and kind == ScoreSheet.Kind.PEER:
        audit(
            actor=actor,
            action=AuditAction.REVIEW_REASONS,
            object_type="scoring.sheet",
            object_id=f"{scorer.code}->{target.code}",
            cycle=cycle,
            after=given,
        )
    return sheet


def _awaiting_sheet(sheet: ScoreSheet) -> ScoreSheet:
    return (
        ScoreSheet.objects.select_for_update(of=("self",))
        .select_related("cycle__cluster", "scorer", "target")
        .get(pk=sheet.pk)
    )


@transaction.atomic
def confirm_sheet(*, actor, sheet: ScoreSheet) -> ScoreSheet:
    """The scorer unit's own staff (or director) confirm the sheet the leader secretary
    entered on its behalf: from now on its scores count."""
    sheet = _awaiting_sheet(sheet)
    require(actor, Action.CONFIRM_SHEET, UnitInCycle(sheet.cycle, sheet.scorer))
    refuse_if(core.check_sheet_settle(sheet.status))
    sheet.status = ScoreSheet.Status.SUBMITTED
    sheet.confirmed_by, sheet.confirmed_at = recorded_user(actor), clock.now()
    sheet.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit(
        actor=actor,
        action=AuditAction.SHEET_CONFIRM,
        object_type="scoring.sheet",
        object_id=f"{sheet.scorer.code}->{sheet.target.code}",
        cycle=sheet.cycle,
        before={"status": ScoreSheet.Status.AWAITING},
        after={"status": sheet.status, "on_behalf_reason": sheet.on_behalf_reason},
    )
    return sheet


@transaction.atomic
def excuse_sheet(*, actor, sheet: ScoreSheet, reason: str) -> ScoreSheet:
    """The leader secretary records why the scorer unit could not confirm the sheet entered
    on its behalf: from now on it counts, with that reason shown beside it."""
    sheet = _awaiting_sheet(sheet)
    require(actor, Action.EXCUSE_SHEET, UnitInCycle(sheet.cycle, sheet.scorer))
    refuse_if(
        core.check_sheet_settle(
            sheet.status,
            excuse=reason,
            target=sheet.target.code,
            leader=sheet.cycle.leader.code if sheet.cycle.leader_id else None,
        )
    )
    sheet.status, sheet.excuse = ScoreSheet.Status.SUBMITTED, reason.strip()
    sheet.save(update_fields=["status", "excuse"])
    audit(
        actor=actor,
        action=AuditAction.SHEET_EXCUSE,
        object_type="scoring.sheet",
        object_id=f"{sheet.scorer.code}->{sheet.target.code}",
        cycle=sheet.cycle,
        before={"status": ScoreSheet.Status.AWAITING},
        after={"status": sheet.status, "reason": sheet.excuse},
    )
    return sheet


@transaction.atomic
def reopen_sheet(*, actor, sheet: ScoreSheet, reason: str) -> ScoreSheet:
    """Only the leader secretary re-opens a submitted sheet, with a reason."""
    sheet = (
        ScoreSheet.objects.select_for_update()
        .select_related("cycle__cluster", "scorer", "target")
        .get(pk=sheet.pk)
    )
    require(actor, Action.REOPEN_SHEET, UnitInCycle(sheet.cycle, sheet.scorer))
    problems = []
    if sheet.status != ScoreSheet.Status.SUBMITTED:
        problems.append(Problem("sheet_not_submitted", gettext_noop("Phiếu chưa nộp.")))
    if not reason.strip():
        problems.append(
            Problem("reason_required", gettext_noop("Phải ghi lý do mở lại phiếu."), {}, "reason")
        )
    refuse_if(problems)
    sheet.status, sheet.submitted_at = ScoreSheet.Status.DRAFT, None
    sheet.save(update_fields=["status", "submitted_at"])
    audit(
        actor=actor,
        action=AuditAction.SHEET_REOPEN,
        object_type="scoring.sheet",
        object_id=f"{sheet.scorer.code}->{sheet.target.code}",
        cycle=sheet.cycle,
        after={"reason": reason.strip()},
    )
    return sheet


@dataclass(frozen=True)
class FactSpec:
    unit: str
    criterion: str
    achieved: bool | None = None
    count: Decimal | None = None
    penalties: Decimal | None = None


@transaction.atomic
def record_facts(*, actor, cycle: Cycle, facts: Sequence[FactSpec]) -> None:
    """What the automatic criteria other than quantitative ones are computed from."""
    require(actor, Action.RECORD_FACTS, cycle)
    agreement = selectors.agreement_of(cycle)
    if agreement is None:
        raise DomainError([Problem("no_agreement", gettext_noop("Năm thi đua chưa có giao ước."))])
    members = {unit.code: unit for unit in org_selectors.member_units(cycle)}
    criteria = {c.code: c for c in agreement.criteria.all()}
    kinds = {core.Kind.QUALITATIVE, core.Kind.PER_OCCURRENCE, core.Kind.BONUS_PENALTY}
    problems = []
    for fact in facts:
        criterion = criteria.get(fact.criterion)
        if fact.unit not in members or criterion is None or criterion.kind not in kinds:
            problems.append(
                Problem(
                    "bad_fact",
                    gettext_noop("Không ghi nhận được %(criterion)s cho %(unit)s."),
                    {"criterion": fact.criterion, "unit": fact.unit},
                    f"{fact.unit}:{fact.criterion}",
                )
            )
        elif any(value is not None and value < 0 for value in (fact.count, fact.penalties)):
            problems.append(
                Problem(
                    "negative_count",
                    gettext_noop("Số lần không thể âm."),
                    {},
                    f"{fact.unit}:{fact.criterion}",
                )
            )
    refuse_if(problems)
    for fact in facts:
        Fact.objects.update_or_create(
            criterion=criteria[fact.criterion],
            unit=members[fact.unit],
            defaults={"achieved": fact.achieved, "count": fact.count, "penalties": fact.penalties},
        )
    audit(
        actor=actor,
        action=AuditAction.FACTS_RECORD,
        object_type="scoring.agreement",
        object_id=agreement.pk,
        cycle=cycle,
        after=[
            {
                "unit": f.unit,
                "criterion": f.criterion,
                "achieved": f.achieved,
                "count": f.count,
                "penalties": f.penalties,
            }
            for f in facts
        ],
    )


def _checked_upload(upload) -> tuple[str, str, list[Problem]]:
    """An uploaded document's safe name, its content type and what is wrong with it."""
    name = upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    problems = []
    if upload.size > EVIDENCE_MAX_BYTES:
        problems.append(
            Problem(
                "file_too_large",
                gettext_noop("Tệp lớn quá %(limit)s MB."),
                {"limit": EVIDENCE_MAX_BYTES // (1024 * 1024)},
                "file",
            )
        )
    head = upload.read(8)
    upload.seek(0)
    kind = EVIDENCE_TYPES.get(extension)
    if kind is None or not any(head.startswith(magic) for magic in kind[1]):
        problems.append(
            Problem(
                "file_type",
                gettext_noop("Chỉ nhận tệp PDF, DOCX, PNG hoặc JPEG."),
                {},
                "file",
            )
        )
    return name, kind[0] if kind else "", problems


@transaction.atomic
def add_evidence(*, actor, cycle: Cycle, unit: Unit, criterion: Criterion, upload) -> Evidence:
    """Attach a document to a criterion of the unit's own assessment (checked, size-capped)."""
    require(actor, Action.UPLOAD_EVIDENCE, UnitInCycle(cycle, unit))
    name, content_type, problems = _checked_upload(upload)
    if criterion.agreement.cycle_id != cycle.pk:
        problems.append(
            Problem(
                "bad_criterion", gettext_noop("Tiêu chí không thuộc giao ước này."), {}, "criterion"
            )
        )
    refuse_if(problems)
    evidence = Evidence(
        cycle=cycle,
        unit=unit,
        criterion=criterion,
        name=name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    evidence.file.save(name, upload, save=False)
    evidence.save()
    audit(
        actor=actor,
        action=AuditAction.EVIDENCE_ADD,
        object_type="scoring.evidence",
        object_id=evidence.pk,
        cycle=cycle,
        after={"unit": unit.code, "criterion": criterion.code, "name": name, "size": upload.size},
    )
    return evidence


# --- score review with explanations (giải trình) -----------------------------------------


def review_settled(cycle: Cycle) -> list[Problem]:
    """Phase guard: the conference does not open (the scoring is not over) while a judged
    criterion of a member has nobody assigned to score it, or an explanation filed waits for
    the reviewer's answer or the leader's conclusion."""
    names = {c.code: c.name for c in Criterion.objects.filter(agreement__cycle=cycle)}
    units = {unit.code: unit.name for unit in org_selectors.member_units(cycle)}
    pairs = [(units.get(u, u), c) for u, c in selectors.unassigned_criteria(cycle)]
    return review.check_unassigned(pairs, names) + review.check_unfinalised(
        selectors.unfinalised_explanations(cycle)
    )


def _explanation_for_update(explanation: Explanation) -> Explanation:
    return (
        Explanation.objects.select_for_update()
        .select_related("cycle__cluster", "unit", "reviewer", "criterion")
        .get(pk=explanation.pk)
    )


def _refuse_transition(explanation: Explanation, action: review.Action) -> None:
    problems = review.check_transition(review.State(explanation.state), action)
    if problems:
        raise StateConflict(problems)


@transaction.atomic
def file_explanation(
    *, actor, cycle: Cycle, unit: Unit, criterion: Criterion, reviewer: Unit, text: str, upload=None
) -> Explanation:
    """The unit's staff explain, before the deadline, why a reviewer's score below its
    self-assessment should be raised; an optional attachment is checked like evidence."""
    require(actor, Action.FILE_EXPLANATION, UnitInCycle(cycle, unit))
    if criterion.agreement.cycle_id != cycle.pk:
        raise DomainError(
            [Problem("bad_criterion", gettext_noop("Tiêu chí không thuộc giao ước này."))]
        )
    below = {
        (line.reviewer.pk, row.criterion.pk)
        for row in selectors.review_of(cycle, unit)
        for line in row.lines
        if line.explanation is None
    }
    problems = []
    if (reviewer.pk, criterion.pk) not in below:
        if Explanation.objects.filter(
            cycle=cycle, unit=unit, criterion=criterion, reviewer=reviewer
        ).exists():
            raise StateConflict(review.check_transition(review.State.EXPLAINED, review.Action.FILE))
        problems.append(
            Problem(
                "review_not_below",
                gettext_noop(
                    "%(reviewer)s không chấm tiêu chí này thấp hơn điểm tự chấm;"
                    " không cần giải trình."
                ),
                {"reviewer": reviewer.name},
            )
        )
    if not text.strip():
        problems.append(
            Problem("text_required", gettext_noop("Phải ghi nội dung giải trình."), {}, "text")
        )
    name, content_type = "", ""
    if upload is not None:
        name, content_type, more = _checked_upload(upload)
        problems.extend(more)
    today = timezone.localdate(clock.now())
    problems.extend(review.check_filing(today, selectors.explanation_due(cycle, today)))
    refuse_if(problems)
    explanation = Explanation(
        cycle=cycle,
        unit=unit,
        reviewer=reviewer,
        criterion=criterion,
        text=text.strip(),
        state=review.State.EXPLAINED.value,
        file_name=name,
        content_type=content_type,
        size=upload.size if upload is not None else 0,
        filed_by=recorded_user(actor),
        filed_at=clock.now(),
    )
    if upload is not None:
        explanation.file.save(name, upload, save=False)
    explanation.save()
    audit(
        actor=actor,
        action=AuditAction.REVIEW_FILE,
        object_type="scoring.explanation",
        object_id=explanation.pk,
        cycle=cycle,
        after={
            "unit": unit.code,
            "criterion": criterion.code,
            "reviewer": reviewer.code,
            "text": explanation.text,
            "file": name or None,
        },
    )
    return explanation


@transaction.atomic
def answer_explanation(
    *, actor, explanation: Explanation, keep: bool, reason: str, value: Decimal | None = None
) -> Explanation:
    """The reviewer unit's staff keep or change its score, with a reason; a changed score
    changes the reviewer's sheet (so the results follow), audited with old and new value."""
    explanation = _explanation_for_update(explanation)
    cycle, reviewer = explanation.cycle, explanation.reviewer
    require(actor, Action.ANSWER_EXPLANATION, UnitInCycle(cycle, reviewer))
    action = review.Action.KEEP if keep else review.Action.CHANGE
    _refuse_transition(explanation, action)
    sheet = ScoreSheet.objects.select_for_update().get(
        cycle=cycle, scorer=reviewer, target=explanation.unit
    )
    score = Score.objects.select_for_update().get(sheet=sheet, criterion=explanation.criterion)
    problems = []
    if not reason.strip():
        problems.append(Problem("reason_required", gettext_noop("Phải ghi lý do."), {}, "reason"))
    if not keep:
        agreement = selectors.agreement_of(cycle)
        table = selectors.table_of(selectors.criteria_of(agreement))
        rules = selectors.rules_of(agreement)
        if value is None:
            problems.append(
                Problem("value_required", gettext_noop("Phải ghi điểm mới."), {}, "value")
            )
        elif value == score.value:
            problems.append(
                Problem(
                    "value_unchanged",
                    gettext_noop("Điểm mới trùng điểm cũ; chọn giữ nguyên điểm."),
                    {},
                    "value",
                )
            )
        else:
            problems.extend(
                core.check_sheet({explanation.criterion.code: value}, table, rules.step)
            )
    refuse_if(problems)
    old = score.value
    explanation.state = review.advance(review.State(explanation.state), action).value
    explanation.answer_reason = reason.strip()
    explanation.old_value = old
    explanation.new_value = old if keep else value
    explanation.answered_by = recorded_user(actor)
    explanation.answered_at = clock.now()
    explanation.save()
    if not keep:
        score.value = value
        score.save(update_fields=["value"])
        # the changed sheet counts as submitted again now (as its audit entry below says)
        sheet.updated_at = sheet.submitted_at = clock.now()
        sheet.save(update_fields=["updated_at", "submitted_at"])
    audit(
        actor=actor,
        action=AuditAction.REVIEW_ANSWER,
        object_type="scoring.explanation",
        object_id=explanation.pk,
        cycle=cycle,
        before={"value": old},
        after={
            "decision": action.value,
            "criterion": explanation.criterion.code,
            "sheet": f"{reviewer.code}->{explanation.unit.code}",
            "value": explanation.new_value,
            "reason": explanation.answer_reason,
        },
    )
    if not keep:
        # the sheet as it now stands, as every sheet write is audited (the record's check of
        # sheets against the audit log reads these entries)
        audit(
            actor=actor,
            action=AuditAction.SHEET_SUBMIT,
            object_type="scoring.sheet",
            object_id=f"{reviewer.code}->{explanation.unit.code}",
            cycle=cycle,
            before={explanation.criterion.code: old},
            after=selectors.scores_by_code(sheet),
        )
    return explanation


@transaction.atomic
def finalise_explanation(
    *, actor, explanation: Explanation, accept: bool, note: str
) -> Explanation:
    """The leader unit's secretary concludes (the deputy's, for the leader's own unit)."""
    explanation = _explanation_for_update(explanation)
    cycle, unit = explanation.cycle, explanation.unit
    actor_unit = getattr(actor, "unit", None)
    if actor is not SYSTEM and actor_unit is None:
        raise Refused(
            Problem(
                "review_finaliser",
                gettext_noop(
                    "Chỉ cụm trưởng (hoặc cụm phó, với giải trình của cụm trưởng) được kết luận."
                ),
            )
        )
    if actor is not SYSTEM:
        require(actor, Action.FINALISE_EXPLANATION, UnitInCycle(cycle, actor_unit))
        leader = cycle.leader.code if cycle.leader_id else None
        deputy = cycle.deputy.code if cycle.deputy_id else None
        problems = review.check_finaliser(actor_unit.code, unit.code, leader, deputy)
        if not problems and actor.kind != UserKind.SECRETARY:
            problems = [
                Problem(
                    "review_not_secretary",
                    gettext_noop(
                        "Chỉ thư ký của đơn vị được giao kết luận mới kết luận được giải trình."
                    ),
                )
            ]
        if problems:
            raise Refused(problems[0])
    action = review.Action.ACCEPT if accept else review.Action.REFUSE
    _refuse_transition(explanation, action)
    explanation.state = review.advance(review.State(explanation.state), action).value
    explanation.note = note.strip()
    explanation.finalised_by = recorded_user(actor)
    explanation.finalised_at = clock.now()
    explanation.save()
    audit(
        actor=actor,
        action=AuditAction.REVIEW_FINALISE,
        object_type="scoring.explanation",
        object_id=explanation.pk,
        cycle=cycle,
        after={
            "unit": unit.code,
            "criterion": explanation.criterion.code,
            "reviewer": explanation.reviewer.code,
            "outcome": explanation.state,
            "note": explanation.note,
        },
    )
    return explanation


def move_pending_sheets(cycle: Cycle, merger: org_services.Merger, *, actor) -> list[str]:
    """At a merger (`org.services.apply_merger`): the merged units' unsubmitted score sheets
    go to the new unit, as scorer or as scored. A sheet already submitted by or for a merged
    unit, or one that would then have the new unit score itself as a peer or twice the same
    unit, refuses the merger: the leader decides first (reopen, or leave the merger until
    the year's scores are in)."""
    sources = {unit.pk for unit in merger.sources}
    sheets = list(
        ScoreSheet.objects.filter(cycle=cycle)
        .filter(Q(scorer_id__in=sources) | Q(target_id__in=sources))
        .select_related("scorer", "target")
    )
    existing = set(
        ScoreSheet.objects.filter(cycle=cycle)
        .exclude(pk__in=[sheet.pk for sheet in sheets])
        .values_list("scorer_id", "target_id")
    )
    problems, moves = [], []
    for sheet in sheets:
        scorer = merger.target if sheet.scorer_id in sources else sheet.scorer
        target = merger.target if sheet.target_id in sources else sheet.target
        label = {"scorer": sheet.scorer.name, "target": sheet.target.name}
        if sheet.status != ScoreSheet.Status.DRAFT:
            problems.append(
                Problem(
                    "sheet_not_draft",
                    gettext_noop(
                        "Phiếu chấm của %(scorer)s cho %(target)s đã nộp (hoặc đang chờ xác "
                        "nhận): không chuyển được cho đơn vị mới."
                    ),
                    label,
                )
            )
        elif (scorer.pk == target.pk) != (sheet.kind == ScoreSheet.Kind.SELF) or (
            (scorer.pk, target.pk) in existing
        ):
            problems.append(
                Problem(
                    "sheet_collides",
                    gettext_noop(
                        "Phiếu chấm nháp của %(scorer)s cho %(target)s không chuyển được: đơn vị "
                        "mới đã có phiếu đó, hoặc sẽ tự chấm chéo mình."
                    ),
                    label,
                )
            )
        else:
            existing.add((scorer.pk, target.pk))
            moves.append((sheet, scorer, target))
    refuse_if(problems)
    lines = []
    for sheet, scorer, target in moves:
        old = f"{sheet.scorer.code}->{sheet.target.code}"
        ScoreSheet.objects.filter(pk=sheet.pk).update(scorer=scorer, target=target)
        new = f"{scorer.code}->{target.code}"
        audit(
            actor=actor,
            action=AuditAction.SHEET_SAVE,
            object_type="scoring.sheet",
            object_id=new,
            cycle=cycle,
            before={"moved_from": old},
            after=selectors.scores_by_code(sheet),
        )
        lines.append(f"{old} → {new}")
    return lines


def settle_explanations_first(cycle: Cycle, merger: org_services.Merger, *, actor) -> list[str]:
    """At a merger: an explanation (*giải trình*) is about a submitted score sheet, which
    stays with the unit that submitted it or was scored by it (`move_pending_sheets`
    refuses to move one), so an explanation cannot move without its sheet. A concluded one
    stays with its unit, as the year's history; one still pending refuses the merger, named,
    so that the leader concludes it first. Nothing is written."""
    sources = [unit.pk for unit in merger.sources]
    pending = (
        Explanation.objects.filter(cycle=cycle)
        .filter(Q(unit_id__in=sources) | Q(reviewer_id__in=sources))
        .exclude(state__in=[Explanation.State.ACCEPTED, Explanation.State.REFUSED])
        .select_related("unit", "reviewer", "criterion")
    )
    refuse_if(
        [
            Problem(
                "explanation_pending",
                gettext_noop(
                    "Giải trình của %(unit)s về tiêu chí %(criterion)s (điểm của %(reviewer)s) "
                    "chưa kết luận: hãy kết luận trước khi áp dụng sáp nhập."
                ),
                {
                    "unit": explanation.unit.name,
                    "criterion": explanation.criterion.code,
                    "reviewer": explanation.reviewer.name,
                },
            )
            for explanation in pending
        ]
    )
    return []


def describe_inherited_targets(cycle: Cycle, merger: org_services.Merger, *, actor) -> list[str]:
    """At a merger: the signed agreement keeps its targets as its signers confirmed them
    (adding one would change the content they confirmed). The new unit is scored against
    the target its predecessors' targets give it where the rule is clear (a count or an
    amount: their sum; a rate: the one they share; every predecessor must have one), read
    at scoring time (`selectors.inherited_targets`); elsewhere it has none and its page
    shows the predecessors' targets. A line per criterion, for the merger's audit entry."""
    agreement = selectors.agreement_of(cycle)
    if agreement is None:
        return []
    targets = selectors.targets_of(agreement)
    lines = []
    for (unit, code), inherited in sorted(
        selectors.inherited_targets(agreement, [merger.target], targets).items()
    ):
        value = "không suy ra được" if inherited.value is None else format_exact(inherited.value)
        lines.append(f"chỉ tiêu {code} của {unit}: {value} (đã ký: {inherited.text})")
    return lines


def describe_inherited_teams(cycle: Cycle, merger: org_services.Merger, *, actor) -> list[str]:
    """At a merger, under inspection teams: the signed teams stay as their signers confirmed
    them (as the targets do); the new unit takes the merged units' places, as inspected unit
    and as scorer, read at scoring time (`selectors.assignment`), except a place that would
    have it score itself, dropped as every team drops the unit it inspects. A line per place,
    for the merger's audit entry."""
    agreement = selectors.agreement_of(cycle)
    if agreement is None or agreement.assignment != Agreement.Assignment.TEAMS:
        return []
    signed = {
        team.inspected.code: sorted(unit.code for unit in team.scorers.all())
        for team in agreement.teams.all()
    }
    now = {
        target: sorted(scorers)
        for target, scorers in selectors.assignment(
            agreement, org_selectors.member_units(cycle)
        ).items()
    }
    new, sources = merger.target.code, sorted(unit.code for unit in merger.sources)
    lines = []
    inspected = [source for source in sources if source in signed]
    if inspected:
        was = "; ".join(f"{s}: {', '.join(signed[s]) or '–'}" for s in inspected)
        lines.append(
            f"đoàn kiểm tra chấm {new}: {', '.join(now.get(new, [])) or 'không đơn vị nào'} "
            f"(đã ký: {was})"
        )
    for target, scorers in sorted(now.items()):
        replaced = [s for s in sources if s in signed.get(target, [])]
        if target != new and new in scorers and replaced:
            lines.append(f"{new} chấm {target} (thay {', '.join(replaced)})")
    for source in inspected:
        for scorer in signed[source]:
            if scorer in sources:
                lines.append(
                    f"{new} không tự chấm mình: bỏ chỗ của {scorer} trong đoàn chấm {source}"
                )
    return lines
