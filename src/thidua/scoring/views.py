"""Scoring pages: the agreement, the score sheets, the facts, the results, the evidence."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thidua import xlsx
from thidua.audit import versions
from thidua.core import review as review_rules
from thidua.core import scoring as core
from thidua.core.messages import Problem, gettext_noop
from thidua.core.numbers import InvalidNumber, format_exact, format_number, parse_number
from thidua.core.policy import Action
from thidua.core.text import collation_key
from thidua.documents import builders
from thidua.errors import DomainError, StateConflict, refuse_if
from thidua.org import selectors as org_selectors
from thidua.org.authz import UnitInCycle, can, require
from thidua.org.lookups import cycle_view, found_or_404
from thidua.org.models import Cycle, Unit
from thidua.scoring import excel, home_rows, selectors, services
from thidua.scoring.models import ScoreSheet


def _member(cycle: Cycle, code: str) -> Unit:
    unit = next((u for u in org_selectors.member_units(cycle) if u.code == code), None)
    if unit is None:
        raise Http404(_("Đơn vị này không phải thành viên của cụm trong năm."))
    return unit


def _back(cycle: Cycle, name: str) -> str:
    return f"/clusters/{cycle.cluster.code}/{cycle.year}/{name}/"


def _errors(request, error: DomainError | xlsx.WorkbookRefused) -> None:
    for problem in error.problems:
        messages.error(request, problem.render(_))


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- the agreement ------------------------------------------------------------------------


@cycle_view(Action.VIEW_AGREEMENT)
def agreement(request, cycle: Cycle):
    return _agreement_page(request, cycle)


def _agreement_page(request, cycle: Cycle, typed=None, cell_errors=None, status: int = 200):
    """The agreement page; after a refused targets form, with what was typed kept and each
    bad cell's reason beside it (typed, cell_errors: (unit code, criterion code) → text)."""
    typed, cell_errors = typed or {}, cell_errors or {}
    found = selectors.agreement_of(cycle)
    members = org_selectors.member_units(cycle)
    criteria = selectors.criteria_of(found) if found else []
    targets = selectors.targets_of(found) if found else {}
    inherited = selectors.inherited_targets(found, members, targets) if found else {}
    quantitative = [c for c in criteria if c.kind == core.Kind.QUANTITATIVE]
    editable = can(request.user, Action.EDIT_AGREEMENT, cycle)
    previous = selectors.copyable_cycle(cycle)
    assigned = selectors.assignment(found, members) if found else {}
    return render(
        request,
        "scoring/agreement.html",
        {
            "cycle": cycle,
            "agreement": found,
            "criteria": criteria,
            "rules": selectors.rules_of(found) if found else None,
            "members": members,
            "quantitative": quantitative,
            "target_rows": [
                (
                    unit,
                    [
                        (
                            c,
                            targets.get((unit.code, c.code)),
                            typed.get((unit.code, c.code)),
                            cell_errors.get((unit.code, c.code)),
                            inherited.get((unit.code, c.code)),
                        )
                        for c in quantitative
                    ],
                )
                for unit in members
            ],
            "target_errors": bool(cell_errors),
            "checklist": selectors.checklist(found, members) if found else [],
            "assignment": assigned,
            "editable": editable,
            "previous": previous,
            # a signed agreement without confirmations (restored from a record of a year
            # signed before them) shows only the units that approved it
            "confirmations_shown": bool(found)
            and (not found.is_signed or found.confirmations.exists()),
            "confirmations": [
                (row, can(request.user, Action.CONFIRM_AGREEMENT, UnitInCycle(cycle, row.unit)))
                for row in selectors.confirmations(found, selectors.signatories(found, members))
            ]
            if found
            else [],
            "approved_names": ", ".join(
                sorted((unit.name for unit in found.approved_by.all()), key=collation_key)
            )
            if found
            else "",
            "team_rows": [
                (
                    target,
                    [(scorer, scorer.code in assigned.get(target.code, [])) for scorer in members],
                )
                for target in members
            ]
            if found
            else [],
            "tie_break_slots": _tie_break_slots(found, criteria) if found else [],
            "bands_text": "; ".join(
                f"{format_exact(band.minimum)} {band.label}"
                for band in selectors.rules_of(found).bands
            )
            if found
            else "",
        },
        status=status,
    )


def _tie_break_slots(agreement, criteria) -> list[tuple[int, str, list[tuple[str, str]]]]:
    """Three ordered choices for breaking a tie: (position, chosen rule, [(rule, label)])."""
    table = selectors.table_of(criteria)
    names = {c.code: c.name for c in criteria}
    options = [
        (
            rule,
            core.describe_tie_break(rule).render(_)
            + (f" – {names[rule[8:]]}" if rule.startswith("section:") else ""),
        )
        for rule in core.tie_break_choices(table)
    ]
    chosen = list(selectors.rules_of(agreement).tie_breaks)
    return [
        (position + 1, chosen[position] if position < len(chosen) else "", options)
        for position in range(max(3, len(chosen)))
    ]


@require_POST
@cycle_view()
def agreement_copy(request, cycle: Cycle):
    previous = found_or_404(org_selectors.cycle_before(cycle))
    try:
        services.copy_agreement(actor=request.user, cycle=cycle, source=previous)
    except DomainError as error:
        _errors(request, error)
    else:
        messages.success(
            request, _("Đã sao chép bảng tiêu chí năm %(year)s.") % {"year": previous.year}
        )
    return redirect(_back(cycle, "agreement"))


@require_POST
@cycle_view(Action.EDIT_AGREEMENT)
def agreement_targets(request, cycle: Cycle):
    """All targets or none: a refusal shows the form again with what was typed and the
    reason beside every bad cell (its unit and criterion named)."""
    found = selectors.agreement_of(cycle)
    if found is None:
        raise Http404
    members = org_selectors.member_units(cycle)
    targets, typed, cell_errors = {}, {}, {}
    for criterion in selectors.criteria_of_kind(found, core.Kind.QUANTITATIVE):
        for unit in members:
            key = (unit.code, criterion.code)
            raw = request.POST.get(f"t_{unit.code}_{criterion.code}", "").strip()
            typed[key] = raw
            try:
                targets[key] = parse_number(raw, percent=True) if raw else None
            except InvalidNumber as error:
                cell_errors[key] = (
                    f"{unit.short_name} – {criterion.code}: {error.problem.render(_)}"
                )
    for problem in selectors.target_problems(found, members, targets):
        unit_code, _colon, criterion_code = (problem.field or "").partition(":")
        cell_errors.setdefault((unit_code, criterion_code), problem.render(_))
    if not cell_errors:
        try:
            services.set_targets(actor=request.user, cycle=cycle, targets=targets)
        except DomainError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Đã lưu chỉ tiêu giao."))
        return redirect(_back(cycle, "agreement"))
    for message in cell_errors.values():
        messages.error(request, message)
    return _agreement_page(request, cycle, typed, cell_errors, status=400)


def _bands(text: str) -> list[dict]:
    """ "90 Xuất sắc; 80 Tốt; 0 Khá" → bands (minimum, label)."""
    bands = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        minimum, _space, label = part.partition(" ")
        bands.append({"minimum": str(parse_number(minimum)), "label": label.strip() or minimum})
    return bands


@require_POST
@cycle_view(Action.EDIT_AGREEMENT)
def agreement_rules(request, cycle: Cycle):
    post = request.POST
    members = org_selectors.member_units(cycle)
    try:
        rules = {
            "aggregation": post.get("aggregation", "mean"),
            "zscore": bool(post.get("zscore")),
            "step": str(parse_number(post.get("step", "0,25"))),
            "tie_breaks": [rule for rule in post.getlist("tie_break") if rule],
            "bands": _bands(post.get("bands", "")),
            "gap_threshold": str(parse_number(post.get("gap_threshold", "10"))),
        }
        total = parse_number(post.get("declared_total", "100"))
    except InvalidNumber as error:
        messages.error(request, error.problem.render(_))
        return redirect(_back(cycle, "agreement"))
    teams = {
        target.code: [
            scorer.code for scorer in members if post.get(f"team_{target.code}_{scorer.code}")
        ]
        for target in members
    }
    try:
        services.set_rules(
            actor=request.user,
            cycle=cycle,
            rules=rules,
            declared_total=total,
            assignment=post.get("assignment", "all"),
            teams=teams,
        )
    except DomainError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Đã lưu quy tắc chấm điểm."))
    return redirect(_back(cycle, "agreement"))


@require_POST
@cycle_view()
def agreement_sign(request, cycle: Cycle):
    try:
        services.sign_agreement(actor=request.user, cycle=cycle)
    except DomainError as error:
        _errors(request, error)
        return redirect(_back(cycle, "agreement"))
    messages.success(request, _("Đã ký giao ước thi đua."))
    return redirect(f"/clusters/{cycle.cluster.code}/{cycle.year}/")


@require_POST
@cycle_view()
def agreement_confirm(request, cycle: Cycle, unit: str):
    """The unit's director confirms the agreement as it stands, for that unit (or, with
    `withdraw`, takes the confirmation back)."""
    member = _member(cycle, unit)
    require(request.user, Action.CONFIRM_AGREEMENT, UnitInCycle(cycle, member))
    withdraw = bool(request.POST.get("withdraw"))
    try:
        if withdraw:
            services.withdraw_confirmation(actor=request.user, cycle=cycle, unit=member)
        else:
            services.confirm_agreement(actor=request.user, cycle=cycle, unit=member)
    except DomainError as error:
        _errors(request, error)
    else:
        messages.success(
            request,
            (
                _("Đã rút xác nhận giao ước của %(unit)s.")
                if withdraw
                else _("Đã xác nhận giao ước thi đua cho %(unit)s.")
            )
            % {"unit": member.short_name},
        )
    return redirect(_back(cycle, "agreement") + "#confirmations")


@require_POST
@cycle_view(Action.EDIT_AGREEMENT)
def agreement_excuse(request, cycle: Cycle, unit: str):
    """The leader's secretary records why a member unit could not confirm the agreement."""
    member = _member(cycle, unit)
    try:
        services.record_unconfirmed_reason(
            actor=request.user, cycle=cycle, unit=member, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        _errors(request, error)
    else:
        messages.success(
            request,
            _("Đã ghi lý do %(unit)s chưa xác nhận giao ước.") % {"unit": member.short_name},
        )
    return redirect(_back(cycle, "agreement") + "#confirmations")


@cycle_view(Action.VIEW_AGREEMENT)
def agreement_export(request, cycle: Cycle):
    found = selectors.agreement_of(cycle)
    content = excel.agreement_xlsx(found, org_selectors.member_units(cycle), cycle)
    return _download(content, xlsx.safe_filename("giao-uoc", cycle.cluster.code, str(cycle.year)))


@require_POST
@cycle_view(Action.EDIT_AGREEMENT)
def agreement_import(request, cycle: Cycle):
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Chưa chọn tệp để nhập."))
        return redirect(_back(cycle, "agreement"))
    try:
        parsed = excel.read_agreement(
            upload.read(xlsx.MAX_BYTES + 1), org_selectors.member_units(cycle)
        )
        services.import_agreement(actor=request.user, cycle=cycle, parsed=parsed)
    except (DomainError, xlsx.WorkbookRefused) as error:
        _errors(request, error)
    else:
        messages.success(request, _("Đã nhập bảng tiêu chí và chỉ tiêu giao."))
    return redirect(_back(cycle, "agreement"))


# --- score sheets -------------------------------------------------------------------------


@cycle_view(Action.VIEW_RESULTS)
def scoring_home(request, cycle: Cycle):
    """My unit's sheets to fill, and how far each scorer unit is; `?scorer=<unit>` lists one
    unit's sheets (the leader secretary's on-behalf and reopen forms are there), so the page
    stays short when n units give n² sheets."""
    found = selectors.agreement_of(cycle)
    if found is None:
        return render(request, "scoring/no_agreement.html", {"cycle": cycle})
    members = org_selectors.member_units(cycle)
    by_pk = {unit.pk: unit for unit in members}
    chosen = next((u for u in members if u.code == request.GET.get("scorer")), None)

    def slots_of(scorer: Unit | None) -> list:
        if scorer is None:
            return []
        sheets = selectors.sheets_of(
            cycle,
            submitted_only=False,
            with_scores=False,
            scorer=scorer,
            units=members,
            timestamps=False,
        )
        return selectors.expected_slots(cycle, found, members, sheets, scorer=scorer)

    progress = selectors.scoring_progress(cycle, found, members)
    own = by_pk.get(request.user.unit_id)
    if own is not None and not can(request.user, Action.VIEW_DRAFT_SHEET, UnitInCycle(cycle, own)):
        own = None  # a delegate or a reader of the unit: no sheets to fill, so no links to them
    is_leader = can(request.user, Action.REOPEN_SHEET, UnitInCycle(cycle, cycle.leader))
    links = home_rows.SheetLinks(cycle)
    return render(
        request,
        "scoring/home.html",
        {
            "cycle": cycle,
            "mine": home_rows.my_sheets(slots_of(own), links),
            "progress": home_rows.progress(cycle, progress, chosen, is_leader, links),
            "chosen": chosen,
            "slots": home_rows.sheet_slots(cycle, slots_of(chosen), links, leader_tools=is_leader),
            "expected": sum(row.expected for row in progress),
            "submitted": sum(row.submitted for row in progress),
            "can_facts": can(request.user, Action.RECORD_FACTS, cycle),
            "is_leader": is_leader,
            "members": members,
            "my_unit": by_pk.get(request.user.unit_id),
        },
    )


def _typed_scores(
    post, table: core.Table, step: Decimal
) -> tuple[dict[str, Decimal], dict[str, str]]:
    """The valid scores typed on a sheet, and for every refused one its reason (not a number,
    out of range, off the step): one rule for the live preview and the saved form."""
    scores, errors = {}, {}
    for criterion in table.judged:
        raw = post.get(f"s_{criterion.code}", "").strip()
        if not raw:
            continue
        try:
            scores[criterion.code] = parse_number(raw)
        except InvalidNumber as error:
            errors[criterion.code] = error.problem.render(_)
    for problem in core.check_sheet(scores, table, step):
        errors.setdefault(problem.field, problem.render(_))
    return {code: value for code, value in scores.items() if code not in errors}, errors


@cycle_view()
def sheet(request, cycle: Cycle, scorer: str, target: str):
    scorer_unit, target_unit = _member(cycle, scorer), _member(cycle, target)
    slot = UnitInCycle(cycle, scorer_unit)
    stored = selectors.sheet_of(cycle, scorer_unit, target_unit)
    # A draft is private to the scorer unit; a submitted sheet (or one entered on its behalf
    # and awaiting its confirmation, marked so) is open to the cycle's readers.
    if stored is None or stored.status == ScoreSheet.Status.DRAFT:
        require(request.user, Action.VIEW_DRAFT_SHEET, slot)
    else:
        require(request.user, Action.VIEW_RESULTS, cycle)
    if request.method == "POST":
        require(request.user, Action.EDIT_SHEET, slot)
    return _sheet_page(request, cycle, scorer_unit, target_unit, stored, on_behalf=False)


@cycle_view()
def sheet_on_behalf(request, cycle: Cycle, scorer: str, target: str):
    """The leader unit's secretary enters the sheet a member unit gives another unit, on its
    behalf ("nhập thay"), with the reason it cannot."""
    scorer_unit, target_unit = _member(cycle, scorer), _member(cycle, target)
    require(request.user, Action.ENTER_SHEET_ON_BEHALF, UnitInCycle(cycle, scorer_unit))
    stored = selectors.sheet_of(cycle, scorer_unit, target_unit)
    return _sheet_page(request, cycle, scorer_unit, target_unit, stored, on_behalf=True)


def _sheet_page(
    request, cycle: Cycle, scorer_unit: Unit, target_unit: Unit, stored, *, on_behalf: bool
):
    slot = UnitInCycle(cycle, scorer_unit)
    found = selectors.agreement_of(cycle)
    if found is None:
        raise Http404
    on_behalf_reason = (
        request.POST.get("on_behalf_reason", "")
        if request.method == "POST"
        else (stored.on_behalf_reason if stored is not None else "")
    )
    reason_error = ""
    criteria = selectors.criteria_of(found)
    table = selectors.table_of(criteria)
    rules = selectors.rules_of(found)
    typed: dict[str, str] = {}
    reasons: dict[str, str] = {}
    errors: dict[str, str] = {}
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        scores, errors = _typed_scores(request.POST, table, rules.step)
        typed = {c.code: request.POST.get(f"s_{c.code}", "") for c in table.judged}
        reasons = {c.code: request.POST.get(f"r_{c.code}", "") for c in table.judged}
        problems = [f"{code}: {reason}" for code, reason in errors.items()]
        if on_behalf:  # the reason is asked for with the scores' problems, not after them
            reason_error = next(
                (
                    problem.render(_)
                    for problem in core.check_sheet_on_behalf(
                        on_behalf_reason,
                        scorer=scorer_unit.code,
                        target=target_unit.code,
                        leader=None,
                    )
                    if problem.field == "on_behalf_reason"
                ),
                "",
            )
            problems += [reason_error] if reason_error else []
        if not problems:
            submit = request.POST.get("action") == "submit"
            try:
                if on_behalf:
                    services.enter_sheet_on_behalf(
                        actor=request.user,
                        cycle=cycle,
                        scorer=scorer_unit,
                        target=target_unit,
                        scores=scores,
                        reason=on_behalf_reason,
                        submit=submit,
                        reasons=reasons,
                    )
                else:
                    services.save_sheet(
                        actor=request.user,
                        cycle=cycle,
                        scorer=scorer_unit,
                        target=target_unit,
                        scores=scores,
                        submit=submit,
                        reasons=reasons,
                    )
            except DomainError as error:
                problems = [problem.render(_) for problem in error.problems]
                reason_error = next(
                    (p.render(_) for p in error.problems if p.field == "on_behalf_reason"), ""
                )
            else:
                messages.success(
                    request,
                    (
                        _("Đã nộp phiếu chấm nhập thay; điểm được tính khi đơn vị xác nhận.")
                        if submit
                        else _("Đã lưu bản nháp phiếu chấm nhập thay.")
                    )
                    if on_behalf
                    else _("Đã lưu phiếu chấm."),
                )
                return redirect(request.path)
        status = 400
    elif stored is not None:
        typed = {
            code: format_exact(value) for code, value in selectors.scores_by_code(stored).items()
        }
        reasons = selectors.reasons_by_code(stored)
    automatic = selectors.automatic_points(cycle, target_unit, found, table)
    evidence = selectors.evidence_of(cycle, target_unit)
    # subtotals count the valid scores only
    valid, _refused = _typed_scores({f"s_{k}": v for k, v in typed.items()}, table, rules.step)
    subtotals = core.sheet_subtotals(valid, table)
    rows = [
        {
            "criterion": criterion,
            "dom_id": _dom_id(criterion.code),
            "subtotal": subtotals.get(criterion.code),
            "text": typed.get(criterion.code, ""),
            "reason": reasons.get(criterion.code, ""),
            "error": errors.get(criterion.code, ""),
            "automatic": automatic.get(criterion.code)
            if criterion.kind not in ("peer", "section")
            else None,
            "evidence": evidence.get(criterion.pk, []),
        }
        for criterion in criteria
    ]
    editable = can(
        request.user, Action.ENTER_SHEET_ON_BEHALF if on_behalf else Action.EDIT_SHEET, slot
    ) and (stored is None or stored.status != ScoreSheet.Status.SUBMITTED)
    awaiting = stored is not None and stored.status == ScoreSheet.Status.AWAITING
    return render(
        request,
        "scoring/sheet.html",
        {
            "cycle": cycle,
            "scorer": scorer_unit,
            "target": target_unit,
            "sheet": stored,
            "rows": rows,
            "rules": rules,
            "problems": problems,
            "editable": editable,
            "given": sum(valid.values(), Decimal(0)),
            "step": format_exact(rules.step),
            "step_example": format_exact(Decimal(7) + (rules.step if rules.step < 1 else 0)),
            "is_self": scorer_unit.pk == target_unit.pk,
            "can_reopen": stored is not None
            and stored.status == ScoreSheet.Status.SUBMITTED
            and can(request.user, Action.REOPEN_SHEET, slot),
            "can_upload": scorer_unit.pk == target_unit.pk
            and can(request.user, Action.UPLOAD_EVIDENCE, slot),
            "on_behalf": on_behalf,
            "on_behalf_reason": on_behalf_reason,
            "reason_error": reason_error,
            "can_enter_on_behalf": not on_behalf
            and scorer_unit.pk != target_unit.pk
            and scorer_unit.pk != cycle.leader_id
            and can(request.user, Action.ENTER_SHEET_ON_BEHALF, slot)
            and (stored is None or stored.status != ScoreSheet.Status.SUBMITTED),
            "can_confirm": awaiting and can(request.user, Action.CONFIRM_SHEET, slot),
            "can_excuse": awaiting and can(request.user, Action.EXCUSE_SHEET, slot),
        },
        status=status,
    )


@require_POST
@cycle_view()
def sheet_preview(request, cycle: Cycle, scorer: str, target: str):
    """Live check of a sheet being filled (HTMX): each field's problem and the subtotals;
    nothing is saved."""
    scorer_unit, _target_unit = _member(cycle, scorer), _member(cycle, target)
    require(request.user, Action.EDIT_SHEET, UnitInCycle(cycle, scorer_unit))
    found = selectors.agreement_of(cycle)
    if found is None:
        raise Http404
    table = selectors.table_of(selectors.criteria_of(found))
    rules = selectors.rules_of(found)
    scores, errors = _typed_scores(request.POST, table, rules.step)
    subtotals = core.sheet_subtotals(scores, table)
    return render(
        request,
        "scoring/sheet_preview.html",
        {
            "fields": [(_dom_id(c.code), errors.get(c.code, "")) for c in table.judged],
            "subtotals": [(_dom_id(code), value) for code, value in subtotals.items()],
            "given": sum(scores.values(), Decimal(0)),
        },
    )


def _dom_id(code: str) -> str:
    """A criterion code usable in an HTML id and a CSS selector ("II.3" → "II-3")."""
    return code.replace(".", "-")


@require_POST
@cycle_view()
def sheet_reopen(request, cycle: Cycle, scorer: str, target: str):
    require(request.user, Action.REOPEN_SHEET, UnitInCycle(cycle, _member(cycle, scorer)))
    stored = found_or_404(selectors.sheet_of(cycle, _member(cycle, scorer), _member(cycle, target)))
    try:
        services.reopen_sheet(
            actor=request.user, sheet=stored, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Đã mở lại phiếu chấm."))
    return redirect(_back(cycle, "scoring"))


def _settle(request, cycle: Cycle, scorer: str, target: str, action: Action, settle):
    scorer_unit, target_unit = _member(cycle, scorer), _member(cycle, target)
    require(request.user, action, UnitInCycle(cycle, scorer_unit))
    stored = found_or_404(selectors.sheet_of(cycle, scorer_unit, target_unit))
    settle(stored)  # a refusal is the refused page, with its status (400, 409)
    messages.success(
        request,
        _("Phiếu chấm nhập thay của %(unit)s từ nay được tính.") % {"unit": scorer_unit.name},
    )
    return redirect(_back(cycle, f"scoring/{scorer}/{target}"))


@require_POST
@cycle_view()
def sheet_confirm(request, cycle: Cycle, scorer: str, target: str):
    """The scorer unit confirms the sheet the leader secretary entered on its behalf."""
    return _settle(
        request,
        cycle,
        scorer,
        target,
        Action.CONFIRM_SHEET,
        lambda stored: services.confirm_sheet(actor=request.user, sheet=stored),
    )


@require_POST
@cycle_view()
def sheet_excuse(request, cycle: Cycle, scorer: str, target: str):
    """The leader secretary records why the scorer unit could not confirm it."""
    return _settle(
        request,
        cycle,
        scorer,
        target,
        Action.EXCUSE_SHEET,
        lambda stored: services.excuse_sheet(
            actor=request.user, sheet=stored, reason=request.POST.get("reason", "")
        ),
    )


@cycle_view(Action.VIEW_RESULTS)
def facts(request, cycle: Cycle):
    """The leader secretary records achieved / counts / bonuses and penalties per unit."""
    found = selectors.agreement_of(cycle)
    if found is None:
        raise Http404
    members = org_selectors.member_units(cycle)
    criteria = [
        c
        for c in selectors.criteria_of(found)
        if c.kind in (core.Kind.QUALITATIVE, core.Kind.PER_OCCURRENCE, core.Kind.BONUS_PENALTY)
    ]
    if request.method == "POST":
        require(request.user, Action.RECORD_FACTS, cycle)
        specs, problems = [], []
        for unit in members:
            for criterion in criteria:
                key = f"{unit.code}_{criterion.code}"
                try:
                    if criterion.kind == core.Kind.QUALITATIVE:
                        specs.append(
                            services.FactSpec(
                                unit.code,
                                criterion.code,
                                achieved=bool(request.POST.get(f"a_{key}")),
                            )
                        )
                    else:
                        count = request.POST.get(f"c_{key}", "").strip()
                        penalty = request.POST.get(f"p_{key}", "").strip()
                        specs.append(
                            services.FactSpec(
                                unit.code,
                                criterion.code,
                                count=parse_number(count, whole=True) if count else Decimal(0),
                                penalties=parse_number(penalty, whole=True)
                                if penalty
                                else Decimal(0),
                            )
                        )
                except InvalidNumber as error:
                    problems.append(
                        f"{unit.short_name} – {criterion.code}: {error.problem.render(_)}"
                    )
        if problems:
            for problem in problems:
                messages.error(request, problem)
        else:
            try:
                services.record_facts(actor=request.user, cycle=cycle, facts=specs)
            except DomainError as error:
                _errors(request, error)
            else:
                messages.success(request, _("Đã ghi nhận."))
                return redirect(request.path)
    stored = selectors.recorded_facts(found)
    return render(
        request,
        "scoring/facts.html",
        {
            "cycle": cycle,
            "criteria": criteria,
            "rows": [
                (unit, [(criterion, stored.get((unit.pk, criterion.pk))) for criterion in criteria])
                for unit in members
            ],
            "editable": can(request.user, Action.RECORD_FACTS, cycle),
        },
    )


# --- results ------------------------------------------------------------------------------


def _score_line(criterion, item, unit, names, notes, written) -> tuple:
    """A criterion's line of a unit's details: (criterion, result, each scorer's score with
    its note, the same written out when no score has a note). Written here, not in the
    template: at 25 units × 60 criteria the page shows 36.000 scores, and a template loop
    over them took seconds. `written` keeps each name and number once escaped."""
    scorers = [
        (names.get(code, code), value, notes.get((unit.code, criterion.code, code)))
        for code, value in item.by_scorer.items()
    ]
    plain = None
    if not any(note for _name, _value, note in scorers):

        def once(key, make):
            if key not in written:
                written[key] = make()
            return written[key]

        plain = mark_safe(  # noqa: S308 - every part is escaped
            "; ".join(
                f"{once(('name', name), lambda n=name: conditional_escape(n))}: "
                f"{once(value, lambda v=value: conditional_escape(format_number(v, 2)))}"
                for name, value, _note in scorers
            )
        )
    return criterion, item, scorers, plain


@cycle_view(Action.VIEW_RESULTS)
def results(request, cycle: Cycle):
    body = _results_page(cycle, translation.get_language())
    if body is None:
        return render(request, "scoring/no_agreement.html", {"cycle": cycle})
    return render(request, "scoring/results.html", {"cycle": cycle, "body": body})


def _results_page(cycle: Cycle, language: str) -> str | None:
    """The same for every reader: rendered without the request, once per version and
    language, and again by the write that makes it stale (`versions.refreshed`)."""
    with translation.override(language):
        return versions.cached(
            cycle, f"scoring.results_page.{language}", lambda: _results_body(cycle)
        )


def _results_body(cycle: Cycle) -> str | None:
    """The results page's content (None without an agreement)."""
    found = selectors.results(cycle)
    if found is None:
        return None
    rows = [
        {
            "unit": unit,
            "result": result,
            "sections": [result.criteria[section.code] for section in found.sections],
        }
        for unit, result in found.ranking
    ]
    return render_to_string(
        "scoring/results_body.html", {"cycle": cycle, "results": found, "rows": rows}
    )


@cycle_view(Action.VIEW_RESULTS)
def results_unit(request, cycle: Cycle, unit: str):
    """One unit's points per criterion with each scorer's score and, below the unit's own,
    why: linked from the results page one unit at a time, since every unit's at once is
    n² × criteria scores (147.500 at 50 units, megabytes for a phone on the hall's Wi-Fi)."""
    body = _results_unit_page(cycle, f"{translation.get_language()}.{unit}")
    if body is None:
        return render(request, "scoring/no_agreement.html", {"cycle": cycle})
    return render(request, "scoring/results.html", {"cycle": cycle, "body": body})


def _results_unit_page(cycle: Cycle, language_and_unit: str) -> str | None:
    """As `_results_page`, per unit: "vi.ha-giang"."""
    language, _, unit = language_and_unit.partition(".")
    member = _member(cycle, unit)
    with translation.override(language):
        return versions.cached(
            cycle,
            f"scoring.results_unit.{language}.{member.code}",
            lambda: _results_unit_body(cycle, member),
        )


versions.refreshed("scoring.results_page", _results_page, sharing=selectors.results_shared)
versions.refreshed("scoring.results_unit", _results_unit_page, sharing=selectors.results_shared)


def _results_unit_body(cycle: Cycle, member: Unit) -> str | None:
    found = selectors.results(cycle)
    if found is None:
        return None
    context = {"cycle": cycle, "results": found, "unit": member}
    if found.ready:
        result = next(result for unit, result in found.ranking if unit.pk == member.pk)
        names = {unit.code: unit.short_name for unit, _result in found.ranking}
        # a score below the unit's own says why (the reviewer's reason, the explanation's outcome)
        notes = selectors.score_notes(cycle)
        written: dict = {}
        context["result"] = result
        context["lines"] = [
            _score_line(criterion, result.criteria[criterion.code], member, names, notes, written)
            for criterion in found.criteria
        ]
    return render_to_string("scoring/results_unit.html", context)


@cycle_view(Action.VIEW_RESULTS)
def results_export(request, cycle: Cycle):
    with selectors.results_shared():  # the check here and the table: one computation
        found = selectors.results(cycle)
        if found is None:
            raise Http404
        refuse_if(found.why_not_ready, StateConflict)
        with translation.override("vi"):  # the same table as the cycle's document, in Vietnamese
            content = builders.score_table(cycle).content
    return _download(
        content, xlsx.safe_filename("bang-tong-hop-diem", cycle.cluster.code, str(cycle.year))
    )


# --- evidence -----------------------------------------------------------------------------


@require_POST
@cycle_view()
def evidence_upload(request, cycle: Cycle, unit: str):
    owner = _member(cycle, unit)
    require(request.user, Action.UPLOAD_EVIDENCE, UnitInCycle(cycle, owner))
    found = selectors.agreement_of(cycle)
    criterion = found_or_404(selectors.criterion_at(found, request.POST.get("criterion", "")))
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Chưa chọn tệp để nhập."))
    else:
        try:
            services.add_evidence(
                actor=request.user, cycle=cycle, unit=owner, criterion=criterion, upload=upload
            )
        except DomainError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Đã đính kèm tài liệu."))
    return redirect(
        f"/clusters/{cycle.cluster.code}/{cycle.year}/scoring/{owner.code}/{owner.code}/"
    )


@cycle_view(Action.VIEW_RESULTS)
def evidence_download(request, cycle: Cycle, pk: int):
    item = found_or_404(selectors.evidence_at(cycle, pk))
    return FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.name, content_type=item.content_type
    )


# --- score review with explanations (giải trình) -----------------------------------------


def _review_page(request, cycle: Cycle, unit: Unit, problems=(), status: int = 200):
    leader = cycle.leader.code if cycle.leader_id else None
    deputy = cycle.deputy.code if cycle.deputy_id else None
    actor_unit = getattr(request.user, "unit", None)
    mine = actor_unit is not None and actor_unit.pk == unit.pk
    finalises = (
        actor_unit is not None
        and not review_rules.check_finaliser(actor_unit.code, unit.code, leader, deputy)
        and can(request.user, Action.FINALISE_EXPLANATION, UnitInCycle(cycle, actor_unit))
    )
    rows = selectors.review_of(cycle, unit)
    for row in rows:
        for line in row.lines:
            line.state_label = _(review_rules.STATE_LABELS[line.state])
            line.pending_label = (
                _(review_rules.PARTY_LABELS[line.pending]) if line.pending is not None else ""
            )
    return render(
        request,
        "scoring/review.html",
        {
            "cycle": cycle,
            "unit": unit,
            "rows": rows,
            "due": selectors.explanation_due(cycle, timezone.localdate()),
            "can_file": mine
            and can(request.user, Action.FILE_EXPLANATION, UnitInCycle(cycle, unit)),
            "my_unit": actor_unit.code if actor_unit is not None else None,
            "can_answer": actor_unit is not None
            and can(request.user, Action.ANSWER_EXPLANATION, UnitInCycle(cycle, actor_unit)),
            "can_finalise": finalises,
            "finaliser": review_rules.finaliser(unit.code, leader, deputy),
            "problems": problems,
            "members": org_selectors.member_units(cycle),
        },
        status=status,
    )


@cycle_view(Action.VIEW_RESULTS)
def review(request, cycle: Cycle, unit: str):
    """Giải trình điểm: per criterion, the unit's aggregated score, the reasons of reviewers who
    scored below its self-assessment, each explanation's state and where it is pending."""
    if selectors.agreement_of(cycle) is None:
        raise Http404
    return _review_page(request, cycle, _member(cycle, unit))


@require_POST
@cycle_view()
def review_file(request, cycle: Cycle, unit: str):
    target = _member(cycle, unit)
    require(request.user, Action.FILE_EXPLANATION, UnitInCycle(cycle, target))
    found = found_or_404(selectors.agreement_of(cycle))
    criterion = found_or_404(selectors.criterion_at(found, request.POST.get("criterion", "")))
    reviewer = _member(cycle, request.POST.get("reviewer", ""))
    try:
        services.file_explanation(
            actor=request.user,
            cycle=cycle,
            unit=target,
            criterion=criterion,
            reviewer=reviewer,
            text=request.POST.get("text", ""),
            upload=request.FILES.get("file"),
        )
    except DomainError as error:
        return _review_page(
            request, cycle, target, [p.render(_) for p in error.problems], status=400
        )
    messages.success(request, _("Đã nộp giải trình."))
    return redirect(_back(cycle, f"scoring/review/{target.code}"))


def _decimal_or_none(raw: str) -> Decimal | None:
    try:
        return parse_number(raw) if raw.strip() else None
    except InvalidNumber:
        return None


@require_POST
@cycle_view()
def review_answer(request, cycle: Cycle, pk: int):
    item = found_or_404(selectors.explanation(cycle, pk))
    require(request.user, Action.ANSWER_EXPLANATION, UnitInCycle(cycle, item.reviewer))
    raw = request.POST.get("value", "")
    value = _decimal_or_none(raw)
    keep = request.POST.get("decision") == "keep"
    try:
        if not keep and raw.strip() and value is None:
            raise DomainError(
                [Problem("bad_value", gettext_noop("Điểm mới không phải là số."), {}, "value")]
            )
        services.answer_explanation(
            actor=request.user,
            explanation=item,
            keep=keep,
            reason=request.POST.get("reason", ""),
            value=value,
        )
    except DomainError as error:
        return _review_page(
            request, cycle, item.unit, [p.render(_) for p in error.problems], status=400
        )
    messages.success(request, _("Đã trả lời giải trình."))
    return redirect(_back(cycle, f"scoring/review/{item.unit.code}"))


@require_POST
@cycle_view()
def review_finalise(request, cycle: Cycle, pk: int):
    item = found_or_404(selectors.explanation(cycle, pk))
    actor_unit = getattr(request.user, "unit", None)
    if actor_unit is None:
        raise PermissionDenied
    require(request.user, Action.FINALISE_EXPLANATION, UnitInCycle(cycle, actor_unit))
    try:
        services.finalise_explanation(
            actor=request.user,
            explanation=item,
            accept=request.POST.get("outcome") == "accept",
            note=request.POST.get("note", ""),
        )
    except DomainError as error:
        return _review_page(
            request, cycle, item.unit, [p.render(_) for p in error.problems], status=400
        )
    messages.success(request, _("Đã kết luận giải trình."))
    return redirect(_back(cycle, f"scoring/review/{item.unit.code}"))


@cycle_view(Action.VIEW_RESULTS)
def review_attachment(request, cycle: Cycle, pk: int):
    item = found_or_404(selectors.explanation(cycle, pk))
    if not item.file:
        raise Http404
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.file_name,
        content_type=item.content_type,
    )
