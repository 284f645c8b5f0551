"""Figures and score sheets the leader unit entered on a member's behalf ("nhập thay"), as the
generated documents print them: marked where they are shown, with a note under the table
saying whose, by which unit, why, and whether the unit confirmed them (or the leader recorded
why it could not); figures waiting for the unit's confirmation are in no total.

The demo's Cụm II 2020 (led by Hà Giang, scoring closed): Điện Biên's year report entered on
its behalf and waiting, Sơn La's entered and confirmed, Lai Châu's entered and excused; Sơn
La's sheet on Hà Giang entered and waiting, Cao Bằng's entered and confirmed. The documents
are built from the data as it stands (the builders read no cached summary)."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from tests.documents.conftest import all_text, read_docx, table_rows
from thidua.core.indicators import Period
from thidua.core.numbers import format_number
from thidua.documents import builders
from thidua.org.models import Unit, User
from thidua.scoring import selectors as scoring_selectors
from thidua.scoring.models import ScoreSheet
from thidua.stats import selectors as stats_selectors
from thidua.stats import services as stats_services
from thidua.stats.models import Report
from thidua.voting import selectors as voting_selectors

pytestmark = pytest.mark.django_db

REASON = "Đường truyền của đơn vị bị gián đoạn, đơn vị gửi số liệu qua điện thoại."
SHEET_REASON = "Máy chủ của đơn vị gặp sự cố; đơn vị gửi phiếu chấm bằng văn bản."
EXCUSE = "Đồng chí thư ký thi đua của đơn vị đi công tác dài ngày."
LEADER = "Công an tỉnh Hà Giang (đơn vị cụm trưởng)"


def _confirmed_at():
    return timezone.make_aware(datetime.datetime(2021, 1, 12, 9, 30))


def _report(code):
    return Report.objects.get(unit__code=code, year=2020, period="Y")


def _enter_reports():
    """Điện Biên waiting, Sơn La confirmed, Lai Châu excused (entered by Hà Giang's secretary)."""
    secretary = User.objects.get(username="hagiang.thuky")
    common = {"on_behalf_by": secretary, "on_behalf_reason": REASON}
    Report.objects.filter(pk=_report("dien-bien").pk).update(status="awaiting", **common)
    Report.objects.filter(pk=_report("son-la").pk).update(
        status="submitted",
        confirmed_by=User.objects.get(username="sonla.thuky"),
        confirmed_at=_confirmed_at(),
        **common,
    )
    Report.objects.filter(pk=_report("lai-chau").pk).update(
        status="submitted", excuse=EXCUSE, **common
    )


def _sheet(scorer, target="ha-giang"):
    return ScoreSheet.objects.get(cycle__year=2020, scorer__code=scorer, target__code=target)


def _enter_sheets():
    """Sơn La's sheet on Hà Giang waiting, Cao Bằng's confirmed."""
    secretary = User.objects.get(username="hagiang.thuky")
    common = {"on_behalf_by": secretary, "on_behalf_reason": SHEET_REASON}
    ScoreSheet.objects.filter(pk=_sheet("son-la").pk).update(status="awaiting", **common)
    ScoreSheet.objects.filter(pk=_sheet("cao-bang").pk).update(
        confirmed_by=User.objects.get(username="caobang.thuky"),
        confirmed_at=_confirmed_at(),
        **common,
    )


def _confirm_sheet():
    ScoreSheet.objects.filter(pk=_sheet("son-la").pk).update(
        status="submitted",
        confirmed_by=User.objects.get(username="sonla.thuky"),
        confirmed_at=_confirmed_at(),
    )


def _total_of(cycle, code) -> Decimal:
    return next(r.total for u, r in scoring_selectors.results(cycle).ranking if u.code == code)


def _cases(code, cycle) -> Decimal:
    table = stats_selectors.cluster_table(cycle, Period.YEAR)
    row = next(row for row in table.rows if row.unit.code == code)
    return next(c.value for c in row.cells if c.indicator.code == "social_order_cases")


AWAITING_REPORT = (
    "Số liệu thống kê năm 2020 của Công an tỉnh Điện Biên do "
    f"{LEADER} nhập thay (lý do: {REASON[:-1]}); đơn vị chưa xác nhận nên số liệu này chưa "
    "đưa vào bảng và chưa tính vào số liệu toàn cụm."
)
CONFIRMED_REPORT = (
    f"Số liệu thống kê năm 2020 của Công an tỉnh Sơn La do {LEADER} nhập thay (lý do: "
    f"{REASON[:-1]}); đơn vị đã xác nhận ngày 12/01/2021."
)
EXCUSED_REPORT = (
    f"Số liệu thống kê năm 2020 của Công an tỉnh Lai Châu do {LEADER} nhập thay (lý do: "
    f"{REASON[:-1]}); đơn vị không xác nhận được, đơn vị cụm trưởng đã ghi nhận lý do: "
    f"{EXCUSE[:-1]}."
)
AWAITING_SHEET = (
    "Phiếu chấm điểm của Công an tỉnh Sơn La cho Công an tỉnh Hà Giang do "
    f"{LEADER} nhập thay (lý do: {SHEET_REASON[:-1]}); đơn vị chưa xác nhận nên điểm của phiếu "
    "này chưa tính vào kết quả chấm điểm."
)
CONFIRMED_SHEET = (
    "Phiếu chấm điểm của Công an tỉnh Cao Bằng cho Công an tỉnh Hà Giang do "
    f"{LEADER} nhập thay (lý do: {SHEET_REASON[:-1]}); đơn vị đã xác nhận ngày 12/01/2021."
)
CONFIRMED_LATER = (
    "Phiếu chấm điểm của Công an tỉnh Sơn La cho Công an tỉnh Hà Giang do "
    f"{LEADER} nhập thay (lý do: {SHEET_REASON[:-1]}); đơn vị đã xác nhận ngày 12/01/2021."
)


def test_the_year_end_report_marks_the_figures_and_counts_only_the_confirmed(demo_cycle):
    dien_bien = _cases("dien-bien", demo_cycle)
    _enter_reports()
    document = read_docx(builders.year_end_report(demo_cycle).content)
    statistics = table_rows(document.tables[1])
    by_name = {row[0].split("\n")[0]: row for row in statistics[1:]}
    # the waiting unit's row is marked and empty; the settled ones marked with their figures
    assert by_name["Điện Biên"][0] == "Điện Biên\n(nhập thay)"
    assert set(by_name["Điện Biên"][1:]) == {"—"}
    assert by_name["Sơn La"][0] == "Sơn La\n(nhập thay)"
    assert by_name["Sơn La"][1].split("\n")[0] != "—"
    assert by_name["Lai Châu"][0] == "Lai Châu\n(nhập thay)"
    assert by_name["Hà Giang"][0] == "Hà Giang"
    # the cluster total leaves out the figures still waiting (2.156 with Điện Biên's)
    total = statistics[-1]
    assert total[0] == "Toàn cụm"
    assert total[1].split("\n")[0] == format_number(Decimal(2156) - dien_bien)
    text = all_text(document)
    assert "Ghi chú:" in text
    for note in (AWAITING_REPORT, CONFIRMED_REPORT, EXCUSED_REPORT):
        assert f"- {note}" in text, note


def test_the_year_end_report_notes_the_sheets_and_ranks_without_the_waiting_one(demo_cycle):
    counted = _total_of(demo_cycle, "ha-giang")
    _enter_sheets()
    document = read_docx(builders.year_end_report(demo_cycle).content)
    ranking = table_rows(document.tables[2])
    row = next(row for row in ranking if row[1] == "Công an tỉnh Hà Giang")
    without = _total_of(demo_cycle, "ha-giang")
    assert without != counted  # Sơn La's sheet, waiting, is not counted
    assert row[2] == format_number(without, 2)
    text = all_text(document)
    assert f"- {AWAITING_SHEET}" in text
    assert f"- {CONFIRMED_SHEET}" in text
    # once Sơn La confirms, its scores count and the note says so
    _confirm_sheet()
    document = read_docx(builders.year_end_report(demo_cycle).content)
    row = next(row for row in table_rows(document.tables[2]) if row[1] == "Công an tỉnh Hà Giang")
    assert row[2] == format_number(counted, 2)
    text = all_text(document)
    assert f"- {CONFIRMED_LATER}" in text
    assert "chưa tính vào kết quả chấm điểm" not in text


def test_the_conference_minutes_note_both(demo_cycle):
    _enter_reports()
    _enter_sheets()
    conference = voting_selectors.conference_of(demo_cycle)
    text = all_text(read_docx(builders.conference_minutes(demo_cycle, conference).content))
    assert f"- {AWAITING_REPORT}" in text
    assert f"- {EXCUSED_REPORT}" in text
    assert f"- {AWAITING_SHEET}" in text
    assert f"- {CONFIRMED_SHEET}" in text
    # the figures the minutes state are the totals without the waiting report
    table = stats_selectors.cluster_table(demo_cycle, Period.YEAR)
    cases = next(c.value for c in table.total.cells if c.indicator.code == "social_order_cases")
    assert f"xảy ra {format_number(cases)} vụ" in text
    assert "xảy ra 2.156 vụ" not in text


def test_the_score_table_notes_the_sheets_under_the_ranking(demo_cycle):
    _enter_sheets()
    book = openpyxl.load_workbook(io.BytesIO(builders.score_table(demo_cycle).content))
    summary = book["Tổng hợp"]
    texts = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)]
    assert f"Ghi chú: {AWAITING_SHEET}" in texts
    assert f"Ghi chú: {CONFIRMED_SHEET}" in texts
    # under the table and above the signatures
    header = next(r for r in range(1, summary.max_row + 1) if summary[f"A{r}"].value == "Xếp hạng")
    names = [summary.cell(row=r, column=2).value for r in range(header + 1, header + 8)]
    total = next(
        summary.cell(row=r, column=2 + 1 + len(scoring_selectors.results(demo_cycle).sections))
        for r in range(header + 1, header + 8)
        if summary.cell(row=r, column=2).value == "Công an tỉnh Hà Giang"
    )
    assert "Công an tỉnh Hà Giang" in names
    assert total.value == float(_total_of(demo_cycle, "ha-giang"))
    note_row = next(
        r
        for r in range(1, summary.max_row + 1)
        if summary[f"A{r}"].value == (f"Ghi chú: {AWAITING_SHEET}")
    )
    assert note_row > header + 7
    signer = next(
        r
        for r in range(1, summary.max_row + 1)
        for c in summary[r]
        if isinstance(c.value, str) and c.value.startswith("TM. ")
    )
    assert note_row < signer


def test_the_units_score_sheet_marks_the_scorers_entered_for(demo_cycle):
    _enter_sheets()
    results = scoring_selectors.results(demo_cycle)
    unit = Unit.objects.get(code="ha-giang")
    document = read_docx(builders.unit_score_sheet(demo_cycle, results, unit).content)
    labels = [row[0] for table in document.tables for row in table_rows(table)]
    assert "Sơn La (nhập thay)" in labels
    assert "Cao Bằng (nhập thay)" in labels
    assert "Lào Cai" in labels
    text = all_text(document)
    assert f"- {AWAITING_SHEET}" in text
    assert f"- {CONFIRMED_SHEET}" in text
    # the waiting sheet's scores are not in its row (nor in the aggregate)
    row = next(
        row for table in document.tables for row in table_rows(table) if row[0].startswith("Sơn La")
    )
    assert set(row[1:]) == {"—"}


def test_the_scorers_own_sheet_says_it_was_entered_for_it(demo_cycle):
    _enter_sheets()
    results = scoring_selectors.results(demo_cycle)
    scorer = Unit.objects.get(code="cao-bang")
    document = read_docx(builders.scorer_sheet(demo_cycle, results, scorer).content)
    labels = [row[0] for table in document.tables for row in table_rows(table)]
    assert "Hà Giang (nhập thay)" in labels
    assert "Lào Cai" in labels
    text = all_text(document)
    assert f"Ghi chú: {CONFIRMED_SHEET}" in text
    assert "Sơn La cho" not in text  # another scorer's sheet is not this unit's paper


def test_the_achievement_report_notes_its_figures_and_its_sheets(demo_cycle, ministry_counted):
    _enter_reports()  # Sơn La's confirmed
    _enter_sheets()  # Sơn La's sheet on Hà Giang: not Sơn La's achievement
    ScoreSheet.objects.filter(pk=_sheet("cao-bang", "son-la").pk).update(
        status="awaiting",
        on_behalf_by=User.objects.get(username="hagiang.thuky"),
        on_behalf_reason=SHEET_REASON,
    )
    plan = {p.key: p for p in builders.plans(demo_cycle)}["achievement-co-bo-cong-an-son-la"]
    document = read_docx(plan.build().content)
    text = all_text(document)
    assert f"Ghi chú: {CONFIRMED_REPORT}" in text
    figures = next(table_rows(t) for t in document.tables if table_rows(t)[0][1] == "Chỉ tiêu")
    assert len(figures) > 1
    assert figures[1][2] != "—"
    assert (
        "Ghi chú: Phiếu chấm điểm của Công an tỉnh Cao Bằng cho Công an tỉnh Sơn La do "
        f"{LEADER} nhập thay (lý do: {SHEET_REASON[:-1]}); đơn vị chưa xác nhận nên điểm của "
        "phiếu này chưa tính vào kết quả chấm điểm."
    ) in text
    assert AWAITING_SHEET not in text


def test_the_achievement_report_prints_no_figures_still_waiting(demo_cycle, ministry_counted):
    Report.objects.filter(pk=_report("lang-son").pk).update(
        status="awaiting",
        on_behalf_by=User.objects.get(username="hagiang.thuky"),
        on_behalf_reason=REASON,
    )
    plan = {p.key: p for p in builders.plans(demo_cycle)}["achievement-co-bo-cong-an-lang-son"]
    document = read_docx(plan.build().content)
    text = all_text(document)
    assert (
        "Số liệu thống kê năm 2020 của Công an tỉnh Lạng Sơn do "
        f"{LEADER} nhập thay (lý do: {REASON[:-1]}); đơn vị chưa xác nhận nên số liệu này "
        "chưa đưa vào bảng"
    ) in text
    assert not any(table_rows(t)[0][:2] == ["STT", "Chỉ tiêu"] for t in document.tables)


def test_the_proposal_and_the_letter_note_the_sheets_behind_a_nominees_score(demo_cycle):
    _enter_sheets()  # on Hà Giang, the Government-flag nominee
    ScoreSheet.objects.filter(pk=_sheet("lao-cai", "dien-bien").pk).update(
        on_behalf_by=User.objects.get(username="hagiang.thuky"),
        on_behalf_reason=SHEET_REASON,
        excuse=EXCUSE,
    )
    plans = {p.key: p for p in builders.plans(demo_cycle)}
    proposal = read_docx(plans["proposal-co-chinh-phu"].build().content)
    text = all_text(proposal)
    assert f"- {AWAITING_SHEET}" in text
    assert f"- {CONFIRMED_SHEET}" in text
    assert "cho Công an tỉnh Điện Biên" not in text  # not a nominee of this proposal
    nominees = next(
        table_rows(t) for t in proposal.tables if table_rows(t)[0][:2] == ["STT", "Đơn vị"]
    )
    row = next(r for r in nominees if r[1] == "Công an tỉnh Hà Giang")
    assert row[3].startswith(format_number(_total_of(demo_cycle, "ha-giang"), 2))
    letter = all_text(read_docx(plans["covering-letter"].build().content))
    assert f"- {AWAITING_SHEET}" in letter
    assert f"- {CONFIRMED_SHEET}" in letter


def test_entered_confirmed_and_excused_through_the_services(reporting_cycle, get_user):
    """The same marks for figures entered, confirmed and excused as the pages do it (Cụm II
    2021, led by Lào Cai, reporting open): the year-end report as the leader would draft it."""
    leader = get_user("laocai.thuky")
    figures = {
        "social_order_cases": Decimal(240),
        "social_order_offenders": Decimal(340),
        "social_order_solved": Decimal(190),
    }
    for code in ("dien-bien", "lai-chau"):
        stats_services.enter_on_behalf(
            actor=leader,
            cycle=reporting_cycle,
            unit=Unit.objects.get(code=code),
            period=Period.YEAR,
            figures=figures,
            reason=REASON,
            submit=True,
        )

    def report():
        document = read_docx(builders.year_end_report(reporting_cycle).content)
        rows = next(table_rows(t) for t in document.tables if table_rows(t)[0][0] == "Đơn vị")
        return {row[0].split("\n")[0]: row for row in rows[1:]}, all_text(document)

    by = "Công an tỉnh Lào Cai (đơn vị cụm trưởng)"
    rows, text = report()
    assert rows["Điện Biên"][0] == "Điện Biên\n(nhập thay)"
    assert rows["Toàn cụm"][1] == "—"  # nobody's figures count yet
    assert (
        f"Số liệu thống kê năm 2021 của Công an tỉnh Điện Biên do {by} nhập thay (lý do: "
        f"{REASON[:-1]}); đơn vị chưa xác nhận nên số liệu này chưa đưa vào bảng"
    ) in text
    stats_services.confirm_report(
        actor=get_user("dienbien.thuky"),
        report=Report.objects.get(unit__code="dien-bien", year=2021, period="Y"),
    )
    stats_services.excuse_report(
        actor=leader,
        report=Report.objects.get(unit__code="lai-chau", year=2021, period="Y"),
        reason=EXCUSE,
    )
    confirmed = Report.objects.get(unit__code="dien-bien", year=2021, period="Y").confirmed_at
    today = timezone.localtime(confirmed).date()
    rows, text = report()
    assert rows["Toàn cụm"][1].split("\n")[0] == "480"
    assert rows["Điện Biên"][1].split("\n")[0] == "240"
    assert (
        f"- Số liệu thống kê năm 2021 của Công an tỉnh Điện Biên do {by} nhập thay (lý do: "
        f"{REASON[:-1]}); đơn vị đã xác nhận ngày {today:%d/%m/%Y}."
    ) in text
    assert (
        f"- Số liệu thống kê năm 2021 của Công an tỉnh Lai Châu do {by} nhập thay (lý do: "
        f"{REASON[:-1]}); đơn vị không xác nhận được, đơn vị cụm trưởng đã ghi nhận lý do: "
        f"{EXCUSE[:-1]}."
    ) in text
