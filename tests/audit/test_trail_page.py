"""The audit page reads as sentences: who (name and unit), what, on what (linked), when;
filters, pages of 50, an XLSX export of the filtered list; nothing that could date a
delegate's ballot."""

import io
import re
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from thidua.audit import services as audit_services
from thidua.audit.models import AuditEntry
from thidua.core.record import AuditAction

pytestmark = pytest.mark.django_db

PAGE = "/clusters/cum-2/2020/audit/"
EXPORT = "/clusters/cum-2/2020/audit/export.xlsx"
CHAIN = "cum-2/2020"
UNLISTED = (AuditAction.DELEGATE_CHECK_IN, AuditAction.DELEGATE_REISSUE)


def body(page) -> str:
    """The table's rows (the filter form names every action code in its options)."""
    html = page.content.decode()
    return html[html.index("<tbody>") : html.index("</tbody>")]


def rows_of(page) -> list[str]:
    return re.findall(r"<tr>.*?</tr>", body(page), re.S)


def sheet_of(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return list(book.active.iter_rows(values_only=True))


def listed_count(**filters) -> int:
    return AuditEntry.objects.filter(chain=CHAIN, **filters).exclude(action__in=UNLISTED).count()


def test_each_row_says_who_what_on_what_and_when(client_for):
    page = client_for("hagiang.thuky").get(PAGE + "?action=voting.poll.open")
    rows = rows_of(page)
    assert len(rows) == listed_count(action=AuditAction.POLL_OPEN) > 0
    row = next(row for row in rows if "cum-truong-2021" in row)
    # who: the person's name and unit, not the account's user name
    assert "Cao Văn Việt" in row
    assert "Lào Cai" in row
    assert "laocai.daibieu" not in row
    # what: the action in words, not its code
    assert "Mở bỏ phiếu" in row
    assert "voting.poll.open" not in row
    # on what: the poll by its title, linked to its page
    assert '<a href="/clusters/cum-2/2020/conference/polls/cum-truong-2021/">' in row
    assert "Bầu cụm trưởng năm 2021" in row
    # when: dd/mm/yyyy HH:MM
    assert re.search(r">\d\d/\d\d/\d{4} \d\d:\d\d</td>", row)


def test_the_demo_data_is_named_as_such_in_words(client_for):
    page = client_for("hagiang.thuky").get(PAGE + "?action=stats.report.submit")
    rows = rows_of(page)
    assert rows
    for row in rows:
        assert "Dữ liệu mẫu" in row
        assert "Hệ thống" not in row
        assert "system" not in row
        assert "demo data" not in row
    assert any(
        "Báo cáo số liệu của Hà Giang năm 2020" in row
        and 'href="/clusters/cum-2/2020/stats/ha-giang/"' in row
        for row in rows
    )


def test_a_write_without_an_account_outside_the_demo_reads_system(client_for, cycle):
    from thidua.org.authz import SYSTEM

    with transaction.atomic():
        audit_services.record(
            actor=SYSTEM,
            action=AuditAction.CYCLE_UPDATE,
            object_type="org.cycle",
            object_id="1",
            cycle=cycle("cum-2", 2020),
        )
    assert AuditEntry.objects.filter(chain=CHAIN).latest("seq").actor == "system"
    page = client_for("hagiang.thuky").get(PAGE + "?action=org.cycle.update")
    row = rows_of(page)[0]
    assert "Hệ thống" in row
    assert "dữ liệu mẫu hoặc tác vụ tự động" in row


def test_sheets_and_phases_read_in_words_with_links(client_for):
    client = client_for("hagiang.thuky")
    sheets = body(client.get(PAGE + "?action=scoring.sheet.submit&unit=lao-cai"))
    assert "Phiếu chấm của Hà Giang cho Lào Cai" in sheets
    assert 'href="/clusters/cum-2/2020/scoring/ha-giang/lao-cai/"' in sheets
    assert "Phiếu tự chấm của Lào Cai" in sheets
    phases = body(client.get(PAGE + "?action=org.phase.open"))
    assert "Mở giai đoạn: Hội nghị tổng kết" in phases


def test_filters_by_phase_unit_person_and_action(client_for):
    client = client_for("hagiang.thuky")
    conference = body(client.get(PAGE + "?phase=conference"))
    assert "Mở bỏ phiếu" in conference
    assert "Nộp báo cáo số liệu" not in conference
    reporting = body(client.get(PAGE + "?phase=reporting"))
    assert "Nộp báo cáo số liệu" in reporting
    assert "Mở bỏ phiếu" not in reporting
    person = rows_of(client.get(PAGE + "?person=laocai.daibieu"))
    assert len(person) == listed_count(actor="laocai.daibieu") > 0
    assert all("Cao Văn Việt" in row for row in person)
    unit = body(client.get(PAGE + "?unit=son-la&action=stats.report.submit"))
    assert "Báo cáo số liệu của Sơn La năm 2020" in unit
    assert "Hà Giang" not in unit
    # a value the form does not offer is left out and said so, not an error page
    refused = client.get(PAGE + "?action=nonsense")
    assert refused.status_code == 200
    assert "Một bộ lọc không hợp lệ đã được bỏ qua." in refused.content.decode()
    assert len(rows_of(refused)) == 50


def test_pages_of_fifty_keep_the_filters(client_for):
    client = client_for("hagiang.thuky")
    total = listed_count()
    first = client.get(PAGE)
    assert len(rows_of(first)) == 50
    assert f"Trang 1 / {-(-total // 50)} ({total} mục)" in first.content.decode()
    last = client.get(PAGE + "?page=99")  # out of range: the last page
    assert len(rows_of(last)) == total - 50 * (-(-total // 50) - 1)
    filtered = client.get(PAGE + "?phase=scoring&page=2").content.decode()
    assert 'href="?phase=scoring&amp;page=1"' in filtered


def _add_entries(actor, count: int) -> None:
    with transaction.atomic():
        for _ in range(count):
            audit_services.record(
                actor=actor,
                action=AuditAction.UNIT_PROFILE,
                object_type="org.unit",
                object_id="ha-giang",
                cycle=SimpleNamespace(cluster=SimpleNamespace(code="cum-2"), year=2020),
            )


def test_the_number_of_queries_does_not_grow_with_the_entries(
    client_for, get_user, django_assert_max_num_queries
):
    client = client_for("hagiang.thuky")
    few = PAGE + "?action=voting.poll.open"
    with CaptureQueriesContext(connection) as queries:
        assert client.get(few).status_code == 200
    _add_entries(get_user("hagiang.thuky"), 40)
    _add_entries(get_user("laocai.thuky"), 40)
    with django_assert_max_num_queries(len(queries)):
        assert len(rows_of(client.get(PAGE))) == 50
    with django_assert_max_num_queries(len(queries) + 1):  # + the phase's spans
        assert len(rows_of(client.get(PAGE + "?phase=conference&page=2"))) == 50
    with django_assert_max_num_queries(len(queries)):
        assert client.get(EXPORT).status_code == 200


def test_check_ins_and_reissued_keys_are_never_listed_per_delegate(client_for, get_user):
    """A check-in or a new key dates the moment a delegate's phone is ready to vote: listed
    with its minute, it could be lined up with the order of the ballots. Page and export
    count them and name no delegate's moment; the action is not even a filter's choice."""
    from thidua.voting import services as voting_services
    from thidua.voting.models import Delegate

    delegate = Delegate.objects.filter(
        conference__cycle__cluster__code="cum-2",
        conference__cycle__year=2020,
        checked_in_at__isnull=False,
    ).first()
    voting_services.reissue_key(actor=get_user("hagiang.thuky"), delegate=delegate, reason="máy")
    hidden = AuditEntry.objects.filter(chain=CHAIN, action__in=UNLISTED).count()
    assert hidden > 1
    client = client_for("hagiang.thuky")
    pages = []
    page_number = 1
    while True:
        page = client.get(f"{PAGE}?page={page_number}")
        pages.append(body(page))
        if "Trang sau" not in page.content.decode():
            break
        page_number += 1
    listed = "".join(pages)
    assert listed.count("<tr>") == listed_count()
    for words in ("Điểm danh đại biểu", "Cấp lại mã điểm danh"):
        assert words not in listed
    html = page.content.decode()
    assert f"{hidden} lượt điểm danh hoặc cấp lại mã" in html
    assert 'value="voting.delegate.check_in"' not in html
    assert 'value="voting.delegate.reissue"' not in html
    asked = client.get(PAGE + "?action=voting.delegate.check_in&person=system")
    assert "Điểm danh đại biểu" not in body(asked)
    rows = sheet_of(client.get(EXPORT + "?action=voting.delegate.check_in"))
    cells = [str(cell) for row in rows for cell in row if cell is not None]
    assert not any("Điểm danh đại biểu" in cell or "Cấp lại mã" in cell for cell in cells)
    assert len(sheet_of(client.get(EXPORT))) == 2 + listed_count() + 2  # title, head, note


def test_no_payload_and_so_no_ballot_choice_is_shown(client_for):
    """Rows carry no before/after data: a poll's totals or electors never reach the page."""
    client = client_for("hagiang.thuky")
    closed = AuditEntry.objects.filter(chain=CHAIN, action=AuditAction.POLL_CLOSE).first()
    page = body(client.get(PAGE + "?action=voting.poll.close"))
    export = sheet_of(client.get(EXPORT + "?action=voting.poll.close"))
    for shown in (page, repr(export)):
        assert "votes" not in shown
        assert "winners" not in shown
        assert str(closed.after["votes"]) not in shown


def test_the_export_is_the_filtered_list(client_for):
    rows = sheet_of(client_for("admin").get(EXPORT + "?action=voting.poll.open"))
    assert rows[0][0].startswith("Nhật ký thao tác")
    assert rows[1] == ("Lúc", "Người thực hiện", "Đơn vị", "Thao tác", "Đối tượng", "Mã băm")
    data = [row for row in rows[2:] if row[3] == "Mở bỏ phiếu"]
    assert len(data) == listed_count(action=AuditAction.POLL_OPEN)
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", row[0]) for row in data)
    assert ("Cao Văn Việt", "Lào Cai") in {(row[1], row[2]) for row in data}


def test_the_export_keeps_formula_like_text_as_text(client_for):
    """A name the log keeps that looks like a formula is a text cell, never a formula."""
    actor = SimpleNamespace(username='=HYPERLINK("http://x")', unit=None)
    _add_entries(actor, 1)
    response = client_for("hagiang.thuky").get(EXPORT + "?action=org.unit.profile")
    book = load_workbook(io.BytesIO(response.content))
    cells = [cell for row in book.active.iter_rows() for cell in row if cell.value]
    formula = next(cell for cell in cells if str(cell.value).startswith("=HYPERLINK"))
    assert formula.data_type == "s"


def test_the_export_is_refused_to_whoever_may_not_see_the_page(client_for):
    for username in ("hagiang.thuky", "admin"):
        assert client_for(username).get(EXPORT).status_code == 200
    for username in ("hagiang.canbo", "laocai.thuky", "quansat", "sonla.daibieu"):
        assert client_for(username).get(EXPORT).status_code == 403
        assert client_for(username).get(PAGE).status_code == 403


def test_the_page_reads_in_english_too(client_for):
    client = client_for("hagiang.thuky")
    client.cookies["django_language"] = "en"
    page = body(client.get(PAGE + "?action=stats.report.submit&unit=ha-giang"))
    assert "Statistics report of Hà Giang for 2020" in page
    # the demo's writes are named in the page's language (the catalogue's English for
    # "Dữ liệu mẫu", the Vietnamese until the catalogue has it)
    with translation.override("en"):
        demo = translation.gettext("Dữ liệu mẫu")
    assert f"<td>{demo}</td>" in page
    assert "System" not in page


def test_carried_entries_say_so_and_link_to_their_own_year(client_for):
    """Cụm II 2021 carries the 2020 reports it compares with: their rows say where they were
    written and link to the report's page in 2020."""
    page = body(client_for("admin").get("/clusters/cum-2/2021/audit/?action=stats.report.submit"))
    assert "Nộp báo cáo số liệu (chép từ nhật ký cum-2/2020)" in page
    assert 'href="/clusters/cum-2/2020/stats/son-la/"' in page


def test_an_id_no_page_has_is_shown_without_a_link():
    from thidua.audit.trail import _url

    assert _url("report", "cum-2", "2020", "son-la") == "/clusters/cum-2/2020/stats/son-la/"
    assert _url("report", "cum-2", "20x0", "son la") == ""
