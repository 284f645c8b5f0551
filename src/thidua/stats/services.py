"""Writes of statistics: a unit's report, its submission and return, baselines, published
figures and workbook imports. Each writes everything or nothing, and is audited."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from django.db import transaction

from thidua.audit import clock
from thidua.audit.services import record as audit
from thidua.core import indicators as core
from thidua.core import plausibility
from thidua.core.messages import Problem, format_day, gettext_noop
from thidua.core.numbers import tidy
from thidua.core.policy import Action
from thidua.core.record import AuditAction
from thidua.errors import DomainError, Refused, StateConflict, refuse_if
from thidua.org import selectors as org_selectors
from thidua.org import services as org_services
from thidua.org.authz import UnitInCycle, can, recorded_user, require
from thidua.org.models import Cycle, Unit
from thidua.stats import excel, selectors
from thidua.stats.models import Indicator, PublishedFigure, Report, ReportValue


def _figures_of(report: Report) -> dict[str, Decimal]:
    return {
        value.indicator.code: tidy(value.value)
        for value in report.values.select_related("indicator")
    }


def _checked(figures: Mapping[str, Decimal], catalog: core.Catalog) -> None:
    refuse_if(core.validate(figures, catalog))


def _store(report: Report, figures: Mapping[str, Decimal], indicators: dict[str, Indicator]):
    """Replace the report's values by `figures` (absent codes are removed)."""
    report.values.exclude(indicator__code__in=list(figures)).delete()
    existing = {value.indicator_id: value for value in report.values.all()}
    changed, created = [], []
    for code, number in figures.items():
        indicator = indicators[code]
        if indicator.pk in existing:
            if existing[indicator.pk].value != number:
                existing[indicator.pk].value = number
                changed.append(existing[indicator.pk])
        else:
            created.append(ReportValue(report=report, indicator=indicator, value=number))
    ReportValue.objects.bulk_update(changed, ["value"])
    ReportValue.objects.bulk_create(created)


def _slot(cycle: Cycle, unit: Unit, period: str) -> UnitInCycle:
    """The unit's report of `period` (a first-half report has the mid-year review's state)."""
    return UnitInCycle(cycle, unit, period)


def _editable(report: Report) -> None:
    if report.status == Report.Status.SUBMITTED:
        raise StateConflict(
            [
                Problem(
                    "report_submitted",
                    gettext_noop(
                        "Báo cáo đã nộp; chỉ sửa được khi thư ký cụm trưởng trả lại để sửa."
                    ),
                )
            ]
        )


@transaction.atomic
def save_report(
    *,
    actor,
    cycle: Cycle,
    unit: Unit,
    period: core.Period,
    figures: Mapping[str, Decimal],
    submit: bool = False,
    notes: Mapping[str, str] | None = None,
    highlights: str | None = None,
) -> Report:
    """Save a unit's figures for a period of the cycle's year (as a draft, or submitted).

    All figures are replaced at once: an indicator left out is no longer reported. A figure
    whose change against the lineage baseline is implausible (`core.plausibility`, thresholds
    from the catalog) needs an explanation in `notes` (indicator code → text) to be
    submitted; a draft is saved with or without. Notes of other indicators are not kept.
    `highlights`: the unit's highlights of the movement (year report only); None leaves
    them as they are (a workbook import does not carry them).
    """
    require(actor, Action.EDIT_REPORT, _slot(cycle, unit, period.value))
    return _save(
        actor=actor,
        cycle=cycle,
        unit=unit,
        period=period,
        figures=figures,
        submit=submit,
        notes=notes,
        highlights=highlights,
        on_behalf_reason=None,
    )


@transaction.atomic
def enter_on_behalf(
    *,
    actor,
    cycle: Cycle,
    unit: Unit,
    period: core.Period,
    figures: Mapping[str, Decimal],
    reason: str,
    submit: bool = False,
    notes: Mapping[str, str] | None = None,
    highlights: str | None = None,
) -> Report:
    """The leader unit's secretary saves (or submits) a member unit's figures on its behalf
    ("nhập thay"), when the unit cannot, saying why. A submission waits for the unit to
    confirm it (`confirm_report`) or for the leader to record why it could not
    (`excuse_report`): until then its figures do not count (`core.submitted_status`)."""
    require(actor, Action.ENTER_REPORT_ON_BEHALF, _slot(cycle, unit, period.value))
    problems = core.check_on_behalf(reason)
    if unit.pk == cycle.leader_id:
        problems.append(
            Problem(
                "on_behalf_of_own_unit",
                gettext_noop("Đơn vị cụm trưởng tự nhập báo cáo của mình, không nhập thay."),
            )
        )
    refuse_if(problems)
    return _save(
        actor=actor,
        cycle=cycle,
        unit=unit,
        period=period,
        figures=figures,
        submit=submit,
        notes=notes,
        highlights=highlights,
        on_behalf_reason=reason.strip(),
    )


def _save(
    *,
    actor,
    cycle: Cycle,
    unit: Unit,
    period: core.Period,
    figures: Mapping[str, Decimal],
    submit: bool,
    notes: Mapping[str, str] | None,
    highlights: str | None,
    on_behalf_reason: str | None,
) -> Report:
    catalog, indicators = selectors.catalog()
    _checked(figures, catalog)
    if unit.valid_from is not None and period.end(cycle.year) < unit.valid_from:
        # a period's figures are those of the units that exist on its last day: the table
        # shows the predecessors' reports on this unit's row (`selectors.cluster_tables`)
        raise DomainError(
            [
                Problem(
                    "period_before_unit",
                    gettext_noop(
                        "%(period)s năm %(year)s kết thúc trước ngày %(unit)s được thành lập "
                        "(%(day)s): số liệu kỳ này là của các đơn vị trước sáp nhập."
                    ),
                    {
                        "period": core.PERIOD_LABELS[period],
                        "year": cycle.year,
                        "unit": unit.name,
                        "day": format_day(unit.valid_from),
                    },
                )
            ]
        )
    if highlights is not None:
        refuse_if(core.check_highlights(highlights, period))
    jumps = selectors.jumps_of(unit, cycle.year, period, figures)
    kept = {
        jump.code: (notes or {}).get(jump.code, "").strip()
        for jump in jumps
        if (notes or {}).get(jump.code, "").strip()
    }
    if submit:
        refuse_if(plausibility.missing_notes(jumps, kept))
    report, _created = Report.objects.select_for_update().get_or_create(
        unit=unit, year=cycle.year, period=period.value, defaults={"cycle": cycle}
    )
    if report.cycle_id not in (None, cycle.pk):
        raise DomainError(
            [
                Problem(
                    "report_of_another_cycle",
                    gettext_noop("Báo cáo này thuộc một cụm thi đua khác."),
                )
            ]
        )
    _editable(report)
    before = {"status": report.status, "figures": _figures_of(report)}
    if report.notes:
        before["notes"] = dict(report.notes)
    if report.on_behalf:
        before["on_behalf_reason"] = report.on_behalf_reason
    if report.highlights:
        before["highlights"] = report.highlights
    highlights = _highlights(report, highlights)
    written = highlights != report.highlights
    _store(report, figures, indicators)
    report.cycle = cycle
    report.notes = kept
    report.highlights = highlights
    on_behalf = on_behalf_reason is not None
    if submit:
        report.status = core.submitted_status(on_behalf=on_behalf)
        report.submitted_at = clock.now()
    elif report.status in (Report.Status.SUBMITTED, Report.Status.AWAITING):
        report.status = Report.Status.DRAFT
    # the figures are now whoever entered them last: the unit's own, or entered on its behalf
    report.on_behalf_by = recorded_user(actor) if on_behalf else None
    report.on_behalf_reason = on_behalf_reason or ""
    report.confirmed_by, report.confirmed_at, report.excuse = None, None, ""
    report.save()
    audit(
        actor=actor,
        action=AuditAction.REPORT_SUBMIT if submit else AuditAction.REPORT_SAVE,
        object_type="stats.report",
        object_id=f"{unit.code}/{cycle.year}/{period.value}",
        cycle=cycle,
        before=before,
        after={
            "status": report.status,
            "figures": dict(figures),
            **({"notes": kept} if kept else {}),
            **({"highlights": highlights} if highlights or written else {}),
            **({"on_behalf_reason": on_behalf_reason} if on_behalf else {}),
        },
    )
    _carry_to_next_year(unit, cycle.year, period)
    return report


def _highlights(report: Report, typed: str | None) -> str:
    """The highlights to keep: as typed (tidied), or the stored ones when none were sent."""
    return report.highlights if typed is None else core.tidy_highlights(typed)


@transaction.atomic
def return_report(*, actor, report: Report, reason: str) -> Report:
    """The leader secretary sends a submitted report back to its unit for correction."""
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("cycle", "unit")
        .get(pk=report.pk)
    )
    if report.cycle is None:
        raise DomainError(
            [Problem("baseline_report", gettext_noop("Số liệu năm trước không trả lại được."))]
        )
    require(actor, Action.RETURN_REPORT, _slot(report.cycle, report.unit, report.period))
    problems = []
    if report.status != Report.Status.SUBMITTED:
        problems.append(
            Problem("report_not_submitted", gettext_noop("Chỉ trả lại được báo cáo đã nộp."))
        )
    if not reason.strip():
        problems.append(
            Problem("reason_required", gettext_noop("Phải ghi lý do trả lại."), field="reason")
        )
    refuse_if(problems)
    report.status, report.returned_reason = Report.Status.RETURNED, reason.strip()
    report.save(update_fields=["status", "returned_reason", "updated_at"])
    audit(
        actor=actor,
        action=AuditAction.REPORT_RETURN,
        object_type="stats.report",
        object_id=f"{report.unit.code}/{report.year}/{report.period}",
        cycle=report.cycle,
        before={"status": Report.Status.SUBMITTED},
        after={"status": report.status, "reason": report.returned_reason},
    )
    return report


def _locked(report: Report) -> Report:
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("cycle", "unit")
        .get(pk=report.pk)
    )


def _in_cycle(report: Report) -> Cycle:
    if report.cycle is None:
        raise DomainError(
            [Problem("baseline_report", gettext_noop("Số liệu năm trước không xác nhận được."))]
        )
    return report.cycle


@transaction.atomic
def confirm_report(*, actor, report: Report) -> Report:
    """The unit's own officers confirm the figures the leader secretary entered on its behalf:
    from now on they count."""
    report = _locked(report)
    cycle = _in_cycle(report)
    require(actor, Action.CONFIRM_REPORT, _slot(cycle, report.unit, report.period))
    refuse_if(core.check_settle(report.status))
    report.status = Report.Status.SUBMITTED
    report.confirmed_by, report.confirmed_at = recorded_user(actor), clock.now()
    report.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    audit(
        actor=actor,
        action=AuditAction.REPORT_CONFIRM,
        object_type="stats.report",
        object_id=f"{report.unit.code}/{report.year}/{report.period}",
        cycle=cycle,
        before={"status": Report.Status.AWAITING},
        after={"status": report.status, "on_behalf_reason": report.on_behalf_reason},
    )
    return report


@transaction.atomic
def excuse_report(*, actor, report: Report, reason: str) -> Report:
    """The leader secretary records why the unit could not confirm the figures entered on its
    behalf: from now on they count, with that reason shown beside them."""
    report = _locked(report)
    cycle = _in_cycle(report)
    require(actor, Action.EXCUSE_REPORT, _slot(cycle, report.unit, report.period))
    refuse_if(core.check_settle(report.status, excuse=reason))
    report.status, report.excuse = Report.Status.SUBMITTED, reason.strip()
    report.save(update_fields=["status", "excuse", "updated_at"])
    audit(
        actor=actor,
        action=AuditAction.REPORT_EXCUSE,
        object_type="stats.report",
        object_id=f"{report.unit.code}/{report.year}/{report.period}",
        cycle=cycle,
        before={"status": Report.Status.AWAITING},
        after={"status": report.status, "reason": report.excuse},
    )
    return report


@transaction.atomic
def record_baseline(
    *,
    actor,
    unit: Unit,
    year: int,
    period: core.Period,
    figures: Mapping[str, Decimal],
    source: str,
) -> Report:
    """Figures of a year before thidua was used (to compare the first cycle with)."""
    require(actor, Action.RECORD_BASELINE)
    catalog, indicators = selectors.catalog()
    _checked(figures, catalog)
    report, created = Report.objects.select_for_update().get_or_create(
        unit=unit, year=year, period=period.value, defaults={"source": source}
    )
    if report.cycle_id is not None:
        raise DomainError(
            [
                Problem(
                    "report_in_a_cycle",
                    gettext_noop("Đơn vị đã báo cáo kỳ này trong một năm thi đua; không ghi đè."),
                )
            ]
        )
    before = None if created else _figures_of(report)
    _store(report, figures, indicators)
    report.source = source
    report.status = Report.Status.SUBMITTED
    report.save()
    audit(
        actor=actor,
        action=AuditAction.BASELINE_RECORD,
        object_type="stats.report",
        object_id=f"{unit.code}/{year}/{period.value}",
        before=before,
        after={"figures": dict(figures), "source": source},
    )
    _carry_to_next_year(unit, year, period)
    return report


def _carry_to_next_year(unit: Unit, year: int, period: core.Period) -> None:
    """Next year's cycles compare with a year's figures: their audit chains carry the entry
    that wrote them (see org.services.carry_inputs)."""
    if period == core.Period.YEAR:
        for dependent in org_selectors.cycles_using_figures_of(unit.code, year):
            org_services.carry_inputs(dependent)


@transaction.atomic
def set_published_figures(
    *, actor, cycle: Cycle, period: core.Period, figures: Mapping[str, Decimal], source: str
) -> list[PublishedFigure]:
    """The cluster's figures as published, to be checked against the computed totals."""
    require(actor, Action.EDIT_PUBLISHED_FIGURES, cycle)
    catalog, indicators = selectors.catalog()
    _checked(figures, catalog)
    if not source.strip():
        raise DomainError(
            [Problem("source_required", gettext_noop("Phải ghi nguồn công bố."), field="source")]
        )
    stored = []
    for code, number in figures.items():
        figure, _ = PublishedFigure.objects.update_or_create(
            cycle=cycle,
            period=period.value,
            indicator=indicators[code],
            defaults={"value": number, "source": source.strip()},
        )
        stored.append(figure)
    audit(
        actor=actor,
        action=AuditAction.PUBLISHED_SET,
        object_type="stats.publishedfigure",
        object_id=f"{cycle.cluster.code}/{cycle.year}/{period.value}",
        cycle=cycle,
        after={"figures": dict(figures), "source": source.strip()},
    )
    return stored


def import_workbook(
    *,
    actor,
    cycle: Cycle,
    content: bytes,
    submit: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[Report]:
    """Import a filled report template: every sheet, or nothing.

    Every cell is checked first and every problem is reported with its sheet, row and column;
    then each sheet is saved as its unit's report, within one transaction, as the actor (who
    must be allowed to write each of those units' reports).
    """
    indicators, _models = selectors.catalog()
    members = org_selectors.member_units(cycle)
    sheets = [
        sheet
        for sheet in excel.read_workbook(content, cycle, members, indicators)
        # the all-units template has every unit's sheet: the empty ones of other units are
        # left as they came, not refused (a filled one still is, naming its sheet)
        if sheet.figures or can(actor, Action.EDIT_REPORT, _slot(cycle, sheet.unit, sheet.period))
    ]
    if not sheets:
        raise excel.WorkbookRefused(
            [
                Problem(
                    "nothing_to_import",
                    gettext_noop("Tệp không có số liệu của đơn vị nào bạn được nhập."),
                    {},
                    "file",
                )
            ]
        )
    saved = []
    with transaction.atomic():
        for index, sheet in enumerate(sheets, start=1):
            try:
                saved.append(
                    save_report(
                        actor=actor,
                        cycle=cycle,
                        unit=sheet.unit,
                        period=sheet.period,
                        figures=sheet.figures,
                        submit=submit,
                    )
                )
            except (DomainError, Refused) as error:
                reasons = error.problems if isinstance(error, DomainError) else [error.problem]
                raise excel.WorkbookRefused(
                    [
                        Problem(
                            reason.code,
                            gettext_noop("Trang “%(sheet)s”: %(reason)s"),
                            {"sheet": sheet.sheet, "reason": reason},
                            sheet.sheet,
                        )
                        for reason in reasons
                    ]
                ) from None
            if progress is not None:
                progress(index, len(sheets))
    return saved


def move_pending_reports(cycle: Cycle, merger: org_services.Merger, *, actor) -> list[str]:
    """At a merger (`org.services.apply_merger`): the merged units' reports of the year for a
    period that ends on or after the merger belong to the new unit (a period's figures are
    those of the units that exist on its last day), so they go to it, as they stand. A report
    not yet counted for a period that ended before the merger must be submitted first."""
    sources = [unit.pk for unit in merger.sources]
    found = list(Report.objects.filter(unit_id__in=sources, year=cycle.year).select_related("unit"))
    taken = set(
        Report.objects.filter(unit=merger.target, year=cycle.year).values_list("period", flat=True)
    )
    problems, moving = [], []
    for report in found:
        period = core.Period(report.period)
        label = {"unit": report.unit.name, "period": core.PERIOD_LABELS[period]}
        if period.end(cycle.year) < merger.effective:
            if not core.counts(report.status):
                problems.append(
                    Problem(
                        "report_pending_before_merger",
                        gettext_noop(
                            "Báo cáo %(period)s của %(unit)s kết thúc trước ngày sáp nhập nhưng "
                            "chưa nộp: hãy nộp (hoặc nhập thay) trước khi áp dụng sáp nhập."
                        ),
                        label,
                    )
                )
            continue
        if report.period in taken:
            problems.append(
                Problem(
                    "report_taken",
                    gettext_noop(
                        "Báo cáo %(period)s của %(unit)s không chuyển được cho %(target)s: kỳ "
                        "này đã có một báo cáo của đơn vị mới (hoặc của đơn vị cũ khác)."
                    ),
                    {**label, "target": merger.target.name},
                )
            )
            continue
        taken.add(report.period)
        moving.append(report)
    refuse_if(problems)
    lines = []
    for report in moving:
        old = f"{report.unit.code}/{report.year}/{report.period}"
        Report.objects.filter(pk=report.pk).update(unit=merger.target, cycle=cycle)
        new = f"{merger.target.code}/{report.year}/{report.period}"
        audit(
            actor=actor,
            action=AuditAction.REPORT_SAVE,
            object_type="stats.report",
            object_id=new,
            cycle=cycle,
            before={"unit": report.unit.code},
            after={
                "status": report.status,
                "figures": _figures_of(report),
                "highlights": report.highlights,
                "moved_from": old,
            },
        )
        lines.append(f"{old} → {new}")
    return lines
