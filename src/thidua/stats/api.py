"""API of statistics: the catalog, the cluster table, a unit's report (read, write, return).

Figures go out as decimal strings ("2156", "78.0") so nothing is lost to floating point;
they come in as JSON numbers or as text (Vietnamese format accepted: "2.156", "19,6").
"""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext
from ninja import Router, Schema

from thidua.core import indicators as core
from thidua.core.numbers import tidy
from thidua.core.policy import Action
from thidua.errors import refuse_if
from thidua.org import selectors as org_selectors
from thidua.org.authz import UnitInCycle, require
from thidua.org.lookups import cycle_or_404
from thidua.org.models import Cycle
from thidua.stats import selectors, services
from thidua.stats.models import Report

router = Router(tags=["statistics"])


class IndicatorOut(Schema):
    code: str
    name: str
    name_en: str
    section: str
    measure: str
    kind: str
    direction: str
    decimals: int
    numerator: str | None
    denominator: str | None


class CellOut(Schema):
    value: str | None
    reported: str | None
    before: str | None
    change: str | None
    implausible: str | None = None  # a jump against last year that asks for a note
    note: str | None = None  # the unit's explanation of it


class OnBehalfOut(Schema):
    """A report entered by the leader unit's secretary on the unit's behalf ("nhập thay")."""

    by: str | None  # the username of who entered it
    reason: str
    confirmed: bool  # the unit confirmed the figures
    excuse: str  # or the leader recorded why the unit could not ("" if neither yet)


class RowOut(Schema):
    unit: str | None
    status: str | None
    on_behalf: OnBehalfOut | None = None
    cells: dict[str, CellOut]
    baseline_units: list[str]
    # the short names of the units whose figures the row shows, when the period ended before
    # the unit was formed (a merger during the year)
    predecessors: list[str] = []
    notes: list[str]
    highlights: str = ""  # the unit's highlights of the movement (year report)


class TableOut(Schema):
    cluster: str
    year: int
    period: str
    indicators: list[str]
    rows: list[RowOut]
    total: RowOut
    published_mismatches: list[str]
    missing_reports: list[str]


class ReportIn(Schema):
    period: core.Period = core.Period.YEAR
    figures: dict[str, int | float | str]
    submit: bool = False
    # indicator code → explanation of a figure that jumps against last year (needed to submit)
    notes: dict[str, str] = {}
    # the unit's highlights of the movement (year report only); left out: kept as they are
    highlights: str | None = None


class ReturnIn(Schema):
    period: core.Period = core.Period.YEAR
    reason: str


class ReportOut(Schema):
    unit: str
    year: int
    period: str
    status: str | None
    figures: dict[str, str]
    returned_reason: str
    notes: dict[str, str]
    highlights: str = ""
    on_behalf: OnBehalfOut | None = None


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(tidy(value))


def _on_behalf(report: Report | None) -> dict | None:
    if report is None or not report.on_behalf:
        return None
    return {
        "by": report.on_behalf_by.username if report.on_behalf_by else None,
        "reason": report.on_behalf_reason,
        "confirmed": report.confirmed_at is not None,
        "excuse": report.excuse,
    }


def _row(row: selectors.Row) -> dict:
    return {
        "unit": row.unit.code if row.unit else None,
        "status": row.report.status if row.report else None,
        "on_behalf": _on_behalf(row.report),
        "cells": {
            cell.indicator.code: {
                "value": _text(cell.value),
                "reported": _text(cell.reported),
                "before": _text(cell.before),
                "change": cell.change.phrase().render(gettext) if cell.change else None,
                "implausible": cell.jump.phrase().render(gettext) if cell.jump else None,
                "note": cell.note or None,
            }
            for cell in row.cells
        },
        "baseline_units": sorted(row.baseline.units) if row.baseline else [],
        "predecessors": list(row.predecessors),
        "notes": [note.render(gettext) for note in row.notes],
        "highlights": row.highlights,
    }


def _figures(raw: dict[str, int | float | str], catalog: core.Catalog) -> dict[str, Decimal]:
    figures, problems = core.parse_figures(raw, catalog)
    refuse_if(problems)
    return figures


def _slot(cycle: Cycle, unit_code: str, period: core.Period) -> UnitInCycle:
    unit = next((u for u in org_selectors.member_units(cycle) if u.code == unit_code), None)
    if unit is None:
        raise Http404
    return UnitInCycle(cycle, unit, period.value)


def _report_out(cycle: Cycle, slot: UnitInCycle, period: core.Period) -> dict:
    figures, reports = selectors.figures_by_unit([slot.unit.code], cycle.year, period)
    report: Report | None = reports.get(slot.unit.code)
    return {
        "unit": slot.unit.code,
        "year": cycle.year,
        "period": period.value,
        "status": report.status if report else None,
        "figures": {code: str(value) for code, value in figures.get(slot.unit.code, {}).items()},
        "returned_reason": report.returned_reason if report else "",
        "notes": dict(report.notes or {}) if report else {},
        "highlights": report.highlights if report else "",
        "on_behalf": _on_behalf(report),
    }


@router.get("/indicators", response=list[IndicatorOut])
def list_indicators(request):
    require(request.auth, Action.VIEW_UNIT)
    _catalog, models = selectors.catalog()
    return [
        {
            "code": model.code,
            "name": model.name,
            "name_en": model.name_en,
            "section": model.section,
            "measure": model.measure,
            "kind": model.kind,
            "direction": model.direction,
            "decimals": model.decimals,
            "numerator": _catalog[model.code].numerator,
            "denominator": _catalog[model.code].denominator,
        }
        for model in models.values()
    ]


@router.get("/cycles/{cluster}/{year}/stats", response=TableOut)
def cluster_table(request, cluster: str, year: int, period: core.Period = core.Period.YEAR):
    cycle = cycle_or_404(cluster, year)
    require(request.auth, Action.VIEW_REPORT, cycle)
    table = selectors.cluster_table(cycle, period)
    return {
        "cluster": cycle.cluster.code,
        "year": cycle.year,
        "period": period.value,
        "indicators": [indicator.code for indicator in table.indicators],
        "rows": [_row(row) for row in table.rows],
        "total": _row(table.total),
        "published_mismatches": [
            mismatch.phrase().render(gettext) for mismatch in table.published_mismatches
        ],
        "missing_reports": [unit.code for unit in table.missing_reports],
    }


@router.get("/cycles/{cluster}/{year}/reports/{unit}", response=ReportOut)
def get_report(request, cluster: str, year: int, unit: str, period: core.Period = core.Period.YEAR):
    cycle = cycle_or_404(cluster, year)
    slot = _slot(cycle, unit, period)
    require(request.auth, Action.VIEW_REPORT, slot)
    return _report_out(cycle, slot, period)


@router.put("/cycles/{cluster}/{year}/reports/{unit}", response=ReportOut)
def put_report(request, cluster: str, year: int, unit: str, payload: ReportIn):
    """Replace the unit's figures for the period (and submit them, if asked)."""
    cycle = cycle_or_404(cluster, year)
    slot = _slot(cycle, unit, payload.period)
    require(request.auth, Action.EDIT_REPORT, slot)
    figures = _figures(payload.figures, selectors.catalog()[0])
    services.save_report(
        actor=request.auth,
        cycle=cycle,
        unit=slot.unit,
        period=payload.period,
        figures=figures,
        submit=payload.submit,
        notes=payload.notes,
        highlights=payload.highlights,
    )
    return _report_out(cycle, slot, payload.period)


@router.post("/cycles/{cluster}/{year}/reports/{unit}/return", response=ReportOut)
def return_report(request, cluster: str, year: int, unit: str, payload: ReturnIn):
    cycle = cycle_or_404(cluster, year)
    slot = _slot(cycle, unit, payload.period)
    require(request.auth, Action.RETURN_REPORT, slot)
    report = selectors.report_of(slot.unit, cycle.year, payload.period)
    if report is None:
        raise Http404
    services.return_report(actor=request.auth, report=report, reason=payload.reason)
    return _report_out(cycle, slot, payload.period)
