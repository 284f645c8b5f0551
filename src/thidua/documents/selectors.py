"""Reads of what the documents carry that no other stage keeps: the texts people wrote, the
plain data the report's first draft is written from, and the register of issued documents."""

from __future__ import annotations

from django.db.models import Max
from django.utils import timezone, translation

from thidua.core import narrative
from thidua.core import scoring as core_scoring
from thidua.core.indicators import Direction, Kind, Period
from thidua.core.numbers import round_half_up
from thidua.core.paperwork import on_behalf_note
from thidua.documents.models import IssuedDocument, ReportSection
from thidua.org import selectors as org_selectors
from thidua.org.models import Cycle, EnteredOnBehalf
from thidua.scoring import selectors as scoring_selectors
from thidua.scoring.models import Score, ScoreSheet
from thidua.stats import selectors as stats_selectors


def report_texts(cycle: Cycle) -> dict[str, str]:
    """Section key → the text people wrote for the year-end report (one query)."""
    return {section.key: section.text for section in ReportSection.objects.filter(cycle=cycle)}


def issued_of(cycle: Cycle) -> dict[str, IssuedDocument]:
    """Document key → its issued version in force (the last correction, if corrected)."""
    found = IssuedDocument.objects.filter(cycle=cycle, replaced_by__isnull=True).select_related(
        "issued_by", "replaces"
    )
    return {issued.key: issued for issued in found.defer("content")}


def issued_content(issued: IssuedDocument) -> bytes:
    """The frozen bytes of an issued document (left out of the listing above)."""
    return bytes(IssuedDocument.objects.values_list("content", flat=True).get(pk=issued.pk))


def next_number(cycle: Cycle, year: int) -> int:
    """The next number of the register of the cycle's cluster for `year` (the year of issue):
    one sequence for all the cluster issues in a calendar year, whichever cycle a document
    belongs to; drafts never take one."""
    last = IssuedDocument.objects.filter(cluster_id=cycle.cluster_id, year=year).aggregate(
        last=Max("number")
    )["last"]
    return (last or 0) + 1


def issuer(cycle: Cycle) -> str:
    """ "Cụm thi đua số II" from "Cụm thi đua số II – Bộ Công an"."""
    return cycle.title.split(" – ")[0].split(" - ")[0]


def _figure(cell, parts: frozenset[int] = frozenset()) -> narrative.Figure:
    indicator = cell.indicator
    return narrative.Figure(
        judged=indicator.pk not in parts,
        name=indicator.name,
        measure=indicator.measure,
        kind=Kind(indicator.kind),
        value=cell.value,
        before=cell.before,
        decimals=indicator.decimals,
        direction=Direction(indicator.direction),
    )


def report_data(
    cycle: Cycle,
    table: stats_selectors.ClusterTable | None = None,
    results: scoring_selectors.Results | None = None,
) -> narrative.ReportData:
    """The cycle's facts the report's draft states, as the core's plain data: the year's
    statistics (the reports that count, against last year), the published score table, the
    agreement, the cluster's make-up and the hand-over. `table` and `results` when the
    caller has them already (the report prints them too). In Vietnamese whatever the
    reader's language: it is document text."""
    with translation.override("vi"):
        return _report_data(cycle, table, results)


def _report_data(cycle, table, results) -> narrative.ReportData:
    table = (table or stats_selectors.cluster_table(cycle, Period.YEAR)).with_data_only()
    parts = frozenset(  # the rates' numerators, judged by their rates
        indicator.numerator_id for indicator in table.indicators if indicator.kind == Kind.RATE
    )
    results = results if results is not None else scoring_selectors.results(cycle)
    members = org_selectors.member_units(cycle)
    lines = tuple(
        narrative.Line(
            _figure(table.total.cells[index], parts),
            tuple(
                (row.unit.short_name, _figure(row.cells[index], parts))
                for row in table.rows
                if row.counted
            ),
        )
        for index in range(len(table.indicators))
    )
    first, groups, agreement = None, (), None
    if results is not None:
        decimals = results.rules.decimals
        sections = [s for s in results.sections if s.kind == core_scoring.Kind.SECTION]
        if results.ranking:
            unit, best = results.ranking[0]
            first = (unit.name, best.total)
            groups = tuple(
                narrative.Group(
                    f"{section.code}. {section.name}",
                    section.max_points,
                    {
                        unit.name: round_half_up(result.section(section.code), decimals)
                        for unit, result in results.ranking
                    },
                )
                for section in sections
            )
        signed = results.agreement.signed_at
        agreement = narrative.Agreement(
            signed_on=signed.date() if signed else None,
            groups=tuple((f"{s.code}. {s.name}", s.max_points) for s in sections),
            criteria=sum(
                1 for c in results.table.leaves if c.kind != core_scoring.Kind.BONUS_PENALTY
            ),
            total_points=results.table.total_points,
            scoring=str(results.agreement.get_assignment_display()),
            bonus="; ".join(
                f"{c.code}. {c.name}"
                for c in results.table.leaves
                if c.kind == core_scoring.Kind.BONUS_PENALTY
            ),
        )
    handover = org_selectors.handover_from(cycle)
    return narrative.ReportData(
        year=cycle.year,
        cluster=issuer(cycle),
        members=tuple(unit.name for unit in members),
        leader=cycle.leader.name,
        deputy=cycle.deputy.name if cycle.deputy else None,
        lines=lines,
        reported=table.counted,
        missing=tuple(unit.name for unit in table.missing_reports),
        first=first,
        groups=groups,
        agreement=agreement,
        mismatches=tuple(
            narrative.Mismatch(row.unit.name, mismatch)
            for row in table.rows
            for mismatch in row.mismatches
        )
        + tuple(narrative.Mismatch("", mismatch) for mismatch in table.published_mismatches),
        notes=tuple(
            (row.unit.name, problem.render()) for row in table.rows for problem in row.problems
        ),
        explained=tuple(
            narrative.Explained(row.unit.name, _figure(cell, parts), cell.note)
            for row in table.rows
            if row.counted
            for cell in row.cells
            if cell.note
        ),
        # only a report that counts: a draft's highlights are not the unit's word yet
        highlights=tuple(
            (row.unit.name, row.highlights) for row in table.rows if row.counted and row.highlights
        ),
        handover=narrative.Handover(
            handover.year,
            handover.leader.name,
            handover.deputy.name if handover.deputy else None,
            str(handover.get_method_display()),
        )
        if handover is not None
        else None,
        score_decimals=results.rules.decimals if results is not None else 2,
    )


def report_draft(cycle: Cycle, **known) -> narrative.Draft:
    """The report's first draft from the cycle's data (see `report_data`)."""
    return narrative.draft(report_data(cycle, **known))


# --- entered on a member's behalf ("nhập thay") ---------------------------------------------


def _entered_by(entry: EnteredOnBehalf) -> str:
    """The unit whose secretary entered it (the leader unit), by its full name."""
    user = entry.on_behalf_by
    return user.unit.name if user is not None and user.unit is not None else ""


def _note(entry: EnteredOnBehalf, subject: str, *, counted: bool, uncounted: str) -> str:
    confirmed = entry.confirmed_at
    return on_behalf_note(
        subject,
        _entered_by(entry),
        entry.on_behalf_reason,
        awaiting=not counted,
        confirmed_on=timezone.localtime(confirmed).date() if confirmed else None,
        excuse=entry.excuse,
        uncounted=uncounted,
    )


def statistics_on_behalf(table: stats_selectors.ClusterTable) -> dict[str, str]:
    """Member code → the note a document prints for its report of the table's period when
    the leader unit entered it on the member's behalf: submitted and waiting for the unit's
    confirmation (then its figures are neither in its row nor in the totals: `Row.counted`,
    the rule of the totals), or settled (confirmed, or the leader recorded why it could not).
    A draft entered on its behalf is the leader's work in progress, not noted. Vietnamese
    only, as the documents are."""
    period = "năm" if table.period == Period.YEAR else "6 tháng đầu năm"
    notes = {}
    for row in table.rows:
        report = row.report
        if report is None or not report.on_behalf:
            continue
        if not row.counted and report.status != report.Status.AWAITING:
            continue
        notes[row.unit.code] = _note(
            report,
            f"Số liệu thống kê {period} {table.cycle.year} của {row.unit.name}",
            counted=row.counted,
            uncounted="số liệu này chưa đưa vào bảng và chưa tính vào số liệu toàn cụm",
        )
    return notes


def scores_of(sheets) -> dict[int, dict[str, Score]]:
    """Each of `sheets` (None among them is passed over) by id → criterion code → its stored
    score (value and reason): one query for a document's sheets, not one per score."""
    found: dict[int, dict[str, Score]] = {sheet.pk: {} for sheet in sheets if sheet is not None}
    for score in Score.objects.filter(sheet_id__in=list(found)).select_related("criterion"):
        found[score.sheet_id][score.criterion.code] = score
    return found


def sheets_on_behalf(
    results: scoring_selectors.Results, *, target=None
) -> list[tuple[scoring_selectors.SheetSlot, str]]:
    """The score sheets entered on a scorer unit's behalf, submitted (waiting for that unit's
    confirmation, then not counted: the results count submitted sheets only) or settled,
    with the note a document prints for each; with `target`, those on that unit."""
    found = []
    for slot in results.on_behalf:
        sheet = slot.sheet
        if sheet.status not in (ScoreSheet.Status.SUBMITTED, ScoreSheet.Status.AWAITING):
            continue
        if target is not None and slot.target.pk != target.pk:
            continue
        subject = (
            f"Phiếu tự chấm điểm của {slot.target.name}"
            if slot.kind == ScoreSheet.Kind.SELF
            else f"Phiếu chấm điểm của {slot.scorer.name} cho {slot.target.name}"
        )
        note = _note(
            sheet,
            subject,
            counted=sheet.status == ScoreSheet.Status.SUBMITTED,
            uncounted="điểm của phiếu này chưa tính vào kết quả chấm điểm",
        )
        found.append((slot, note))
    return found
