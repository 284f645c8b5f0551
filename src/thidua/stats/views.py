"""Statistics pages: the cluster table with its chart, a unit's report form, Excel in and out."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thidua import xlsx
from thidua.core import indicators as core
from thidua.core.numbers import format_exact
from thidua.core.policy import Action
from thidua.errors import DomainError
from thidua.org import selectors as org_selectors
from thidua.org.authz import UnitInCycle, can, require, require_any
from thidua.org.lookups import cycle_view
from thidua.org.models import Cycle
from thidua.stats import excel, selectors, services
from thidua.stats.models import Report

FIELD_PREFIX = "v_"
NOTE_PREFIX = "n_"  # the explanation of an implausible change, per indicator


def _period(request) -> core.Period:
    try:
        return core.Period(request.GET.get("period") or request.POST.get("period") or "Y")
    except ValueError:
        raise Http404(_("Không có kỳ báo cáo này.")) from None


def _slot(cycle: Cycle, unit_code: str, period: core.Period) -> UnitInCycle:
    """The unit's report of `period` (a first-half report has the mid-year review's state)."""
    unit = next(
        (unit for unit in org_selectors.member_units(cycle) if unit.code == unit_code), None
    )
    if unit is None:
        raise Http404(_("Đơn vị này không phải thành viên của cụm trong năm."))
    return UnitInCycle(cycle, unit, period.value)


def _sees_drafts(user, slot: UnitInCycle) -> bool:
    """A report not submitted (draft, returned) is work in progress: seen by the unit's officers
    and the leader secretary, who act on it, not by the cluster's other readers."""
    return can(user, Action.EDIT_REPORT, slot) or can(user, Action.RETURN_REPORT, slot)


@cycle_view(Action.VIEW_REPORT)
def cluster_stats(request, cycle: Cycle):
    period = _period(request)
    drafts_of = [
        unit.code
        for unit in org_selectors.member_units(cycle)
        if _sees_drafts(request.user, UnitInCycle(cycle, unit, period.value))
    ]
    full = selectors.cluster_table(cycle, period, drafts_of=drafts_of)
    show_all = request.GET.get("all") == "1"
    table = full if show_all else full.with_data_only()
    leader_slot = UnitInCycle(cycle, cycle.leader, period.value)
    can_return = can(request.user, Action.RETURN_REPORT, leader_slot)
    editable = [
        row.unit
        for row in table.rows
        if can(request.user, Action.EDIT_REPORT, UnitInCycle(cycle, row.unit, period.value))
    ]
    return render(
        request,
        "stats/cluster_table.html",
        {
            "cycle": cycle,
            "table": table,
            "period": period,
            "period_label": core.PERIOD_LABELS[period],
            "periods": core.PERIOD_LABELS,
            "chart": selectors.chart_data(table),
            "show_all": show_all,
            "hidden": len(full.indicators) - len(table.indicators),
            "can_return": can_return,
            "can_import": bool(editable),
            # a unit's officer fills their own unit's sheet; the leader secretary gets them all
            "template_unit": editable[0] if len(editable) == 1 and not can_return else None,
        },
    )


def _raw_from(request, catalog: core.Catalog) -> dict[str, str]:
    return {code: request.POST.get(FIELD_PREFIX + code, "") for code in catalog}


def _notes_from(request, catalog: core.Catalog) -> dict[str, str]:
    return {
        code: request.POST[NOTE_PREFIX + code].strip()
        for code in catalog
        if request.POST.get(NOTE_PREFIX + code, "").strip()
    }


def _typed(view: selectors.ReportView, raw: dict[str, str] | None) -> dict[str, str]:
    """The text of each input: as typed (after a refused post) or the stored figure."""
    if raw is not None:
        return raw
    typed = {}
    for _section, cells in view.sections:
        for cell in cells:
            stored = cell.reported if cell.indicator.kind == core.Kind.RATE else cell.value
            typed[cell.indicator.code] = "" if stored is None else format_exact(stored)
    return typed


def _rows(view: selectors.ReportView, typed: dict[str, str], problems: list) -> list:
    """Sections of {cell, text typed, its problems} for the form and its live preview."""
    by_field: dict[str, list] = {}
    for problem in problems:
        if problem.field:
            by_field.setdefault(problem.field, []).append(problem)
    return [
        (
            section,
            [
                {
                    "cell": cell,
                    "text": typed.get(cell.indicator.code, ""),
                    "problems": by_field.get(cell.indicator.code, []),
                    "note_problems": by_field.get(f"note_{cell.indicator.code}", []),
                }
                for cell in cells
            ],
        )
        for section, cells in view.sections
    ]


def _valid_only(figures: dict | None, problems: list) -> dict | None:
    """The figures without those a problem is on: nothing is computed from a refused entry
    (its rate, its change against last year), so no figure looks computed from bad input."""
    if figures is None:
        return None
    refused = {problem.field for problem in problems if problem.field}
    return {code: value for code, value in figures.items() if code not in refused}


def _summary(rows: list, problems: list) -> list[dict]:
    """Every problem of a refused post, in the form's order: {code or None, anchor, label,
    problem}; the anchor links the entry to its input (the figure's, or its note's)."""
    listed = []
    shown_codes = set()
    for _section, section_rows in rows:
        for row in section_rows:
            code = row["cell"].indicator.code
            shown_codes.add(code)
            listed += [
                {
                    "code": code,
                    "anchor": f"f-{code}",
                    "label": row["cell"].indicator.label,
                    "problem": problem,
                }
                for problem in row["problems"]
            ]
            shown_codes.add(f"note_{code}")
            listed += [
                {
                    "code": code,
                    "anchor": f"n-{code}",
                    "label": row["cell"].indicator.label,
                    "problem": problem,
                }
                for problem in row["note_problems"]
            ]
    listed += [
        {
            "code": "highlights",
            "anchor": "highlights",
            "label": _("Những điểm nổi bật của phong trào thi đua"),
            "problem": problem,
        }
        for problem in problems
        if problem.field == "highlights"
    ]
    return listed + [
        {"code": None, "label": None, "problem": problem}
        for problem in problems
        if problem.field not in shown_codes and problem.field != "highlights"
    ]


@cycle_view()
def report_form(request, cycle: Cycle, unit: str):
    slot = _slot(cycle, unit, _period(request))
    require(request.user, Action.VIEW_REPORT, slot)
    if request.method == "POST":
        require(request.user, Action.EDIT_REPORT, slot)
    return _report_page(request, cycle, slot, on_behalf=False)


@cycle_view()
def report_on_behalf(request, cycle: Cycle, unit: str):
    """The leader unit's secretary enters a member's figures on its behalf ("nhập thay")."""
    slot = _slot(cycle, unit, _period(request))
    require(request.user, Action.ENTER_REPORT_ON_BEHALF, slot)
    return _report_page(request, cycle, slot, on_behalf=True)


def _report_page(request, cycle: Cycle, slot: UnitInCycle, *, on_behalf: bool):
    period = _period(request)
    reason = request.POST.get("on_behalf_reason", "") if request.method == "POST" else None
    catalog, _models = selectors.catalog()
    raw = None
    problems: list = []
    status = 200
    figures = notes = highlights = None
    if request.method == "POST":
        raw = _raw_from(request, catalog)
        notes = _notes_from(request, catalog)
        # the year report's form has the field; a form without it leaves them as they are
        highlights = request.POST.get("highlights")
        figures, problems = core.parse_figures(raw, catalog)
        action = request.POST.get("action", "save")
        if on_behalf and action in ("save", "submit"):
            # the reason is asked for with the figures' problems, not after them
            problems = [*problems, *core.check_on_behalf(reason or "")]
        if highlights is not None and action in ("save", "submit"):
            problems = [*problems, *core.check_highlights(highlights, period)]
        if not problems and action in ("save", "submit"):
            try:
                if on_behalf:
                    services.enter_on_behalf(
                        actor=request.user,
                        cycle=cycle,
                        unit=slot.unit,
                        period=period,
                        figures=figures,
                        reason=reason or "",
                        submit=action == "submit",
                        notes=notes,
                        highlights=highlights,
                    )
                else:
                    services.save_report(
                        actor=request.user,
                        cycle=cycle,
                        unit=slot.unit,
                        period=period,
                        figures=figures,
                        submit=action == "submit",
                        notes=notes,
                        highlights=highlights,
                    )
            except DomainError as error:
                problems = error.problems
            else:
                if on_behalf:
                    messages.success(
                        request,
                        _("Đã nộp số liệu nhập thay; số liệu được tính khi đơn vị xác nhận.")
                        if action == "submit"
                        else _("Đã lưu bản nháp nhập thay."),
                    )
                    return redirect(
                        f"/clusters/{cycle.cluster.code}/{cycle.year}/stats/{slot.unit.code}/"
                        f"?period={period.value}"
                    )
                messages.success(
                    request, _("Đã nộp báo cáo.") if action == "submit" else _("Đã lưu bản nháp.")
                )
                return redirect(f"{request.path}?period={period.value}")
        status = 400 if problems else 200
    view = selectors.report_view(cycle, slot.unit, period, _valid_only(figures, problems), notes)
    report = view.report
    hidden_draft = (
        report is not None
        and report.status not in core.COUNTED_STATUSES
        and not _sees_drafts(request.user, slot)
    )
    if hidden_draft:
        view = selectors.report_view(cycle, slot.unit, period, {}, {})
    editable = can(
        request.user, Action.ENTER_REPORT_ON_BEHALF if on_behalf else Action.EDIT_REPORT, slot
    ) and (report is None or report.status != Report.Status.SUBMITTED)
    awaiting = report is not None and report.status == Report.Status.AWAITING
    rows = _rows(view, _typed(view, raw), problems)
    return render(
        request,
        "stats/report_form.html",
        {
            "cycle": cycle,
            "unit": slot.unit,
            "period": period,
            "period_label": core.PERIOD_LABELS[period],
            "periods": core.PERIOD_LABELS,
            "view": view,
            "rows": rows,
            "summary": _summary(rows, problems),
            "editable": editable,
            "can_return": can(request.user, Action.RETURN_REPORT, slot)
            and report is not None
            and report.status == Report.Status.SUBMITTED,
            "highlights": highlights
            if highlights is not None
            else (report.highlights if report is not None and not hidden_draft else ""),
            "highlights_problems": [p for p in problems if p.field == "highlights"],
            "prefix": FIELD_PREFIX,
            "note_prefix": NOTE_PREFIX,
            "hidden_draft": hidden_draft,
            "on_behalf": on_behalf,
            "on_behalf_reason": reason
            if reason is not None
            else (report.on_behalf_reason if report is not None else ""),
            "can_enter_on_behalf": not on_behalf
            and slot.unit.pk != cycle.leader_id
            and can(request.user, Action.ENTER_REPORT_ON_BEHALF, slot)
            and (report is None or report.status != Report.Status.SUBMITTED),
            "can_confirm": awaiting and can(request.user, Action.CONFIRM_REPORT, slot),
            "can_excuse": awaiting and can(request.user, Action.EXCUSE_REPORT, slot),
        },
        status=status,
    )


@require_POST
@cycle_view()
def report_preview(request, cycle: Cycle, unit: str):
    """Live computed rates, changes and warnings for the figures being typed (htmx)."""
    slot = _slot(cycle, unit, _period(request))
    require(request.user, Action.EDIT_REPORT, slot)  # only who may edit the form previews it
    catalog, _models = selectors.catalog()
    figures, problems = core.parse_figures(_raw_from(request, catalog), catalog)
    view = selectors.report_view(cycle, slot.unit, _period(request), _valid_only(figures, problems))
    return render(
        request,
        "stats/report_preview.html",
        {"view": view, "rows": _rows(view, {}, problems)},
    )


@require_POST
@cycle_view()
def report_return(request, cycle: Cycle, unit: str):
    slot = _slot(cycle, unit, _period(request))
    period = _period(request)
    report = selectors.report_of(slot.unit, cycle.year, period)
    require(request.user, Action.RETURN_REPORT, slot)
    if report is None:
        raise Http404
    try:
        services.return_report(
            actor=request.user, report=report, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        for message in error.messages():
            messages.error(request, message)
    else:
        messages.success(request, _("Đã trả lại báo cáo của %(unit)s.") % {"unit": slot.unit.name})
    return redirect(f"/clusters/{cycle.cluster.code}/{cycle.year}/stats/?period={period.value}")


def _settle(request, cycle: Cycle, unit: str, action: Action, settle) -> HttpResponse:
    slot = _slot(cycle, unit, _period(request))
    period = _period(request)
    require(request.user, action, slot)
    report = selectors.report_of(slot.unit, cycle.year, period)
    if report is None:
        raise Http404
    settle(report)  # a refusal is the refused page, with its status (400, 409)
    messages.success(
        request,
        _("Số liệu nhập thay của %(unit)s từ nay được tính.") % {"unit": slot.unit.name},
    )
    return redirect(
        f"/clusters/{cycle.cluster.code}/{cycle.year}/stats/{unit}/?period={period.value}"
    )


@require_POST
@cycle_view()
def report_confirm(request, cycle: Cycle, unit: str):
    """The unit confirms the figures the leader secretary entered on its behalf."""
    return _settle(
        request,
        cycle,
        unit,
        Action.CONFIRM_REPORT,
        lambda report: services.confirm_report(actor=request.user, report=report),
    )


@require_POST
@cycle_view()
def report_excuse(request, cycle: Cycle, unit: str):
    """The leader secretary records why the unit could not confirm them."""
    return _settle(
        request,
        cycle,
        unit,
        Action.EXCUSE_REPORT,
        lambda report: services.excuse_report(
            actor=request.user, report=report, reason=request.POST.get("reason", "")
        ),
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@cycle_view(Action.VIEW_REPORT)
def export_table(request, cycle: Cycle):
    period = _period(request)
    content = excel.cluster_table_xlsx(selectors.cluster_table(cycle, period))
    return _download(content, excel.filename("so-lieu", cycle, period))


@cycle_view(Action.VIEW_REPORT)
def export_template(request, cycle: Cycle):
    """A template to fill: one sheet per unit the user may report for (or all, to read)."""
    period = _period(request)
    units = org_selectors.member_units(cycle)
    wanted = request.GET.get("unit")
    if wanted:
        units = [_slot(cycle, wanted, period).unit]
    content = excel.template_xlsx(cycle, period, units, filled=request.GET.get("filled") == "1")
    return _download(content, excel.filename("mau-bao-cao", cycle, period, wanted))


def _import_slots(cycle: Cycle) -> list[UnitInCycle]:
    """Every report a workbook may hold: each member unit's, of each period. The import page
    opens to whoever may write one of them (`require_any`); each sheet of a workbook is
    checked again when imported (`services.import_workbook`)."""
    return [
        UnitInCycle(cycle, unit, period.value)
        for unit in org_selectors.member_units(cycle)
        for period in core.Period
    ]


@cycle_view(Action.VIEW_REPORT)
def import_stats(request, cycle: Cycle):
    require_any(request.user, Action.EDIT_REPORT, _import_slots(cycle))
    problems = []
    imported = None
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = [excel.no_file_problem()]
        else:
            try:
                imported = services.import_workbook(
                    actor=request.user,
                    cycle=cycle,
                    # never more than the limit in memory: one byte over is enough to refuse
                    content=upload.read(xlsx.MAX_BYTES + 1),
                    submit=bool(request.POST.get("submit")),
                )
            except excel.WorkbookRefused as error:
                problems = error.problems
            except DomainError as error:
                problems = error.problems
        status = 400 if problems else 200
        if imported is not None:
            messages.success(
                request,
                _("Đã nhập số liệu của %(count)s đơn vị.") % {"count": len(imported)},
            )
            return redirect(f"/clusters/{cycle.cluster.code}/{cycle.year}/stats/")
    return render(
        request,
        "stats/import.html",
        {"cycle": cycle, "problems": problems, "max_mb": xlsx.MAX_BYTES // (1024 * 1024)},
        status=status,
    )
