"""The mid-year review (sơ kết 6 tháng) of Cụm II 2021, over HTTP: the leader unit sets its
deadline, member units submit their first-half (H1) report during the year, the home page,
the reminders and the calendar feed carry the deadline, the H1 table compares with last
year's first half."""

import io
import re
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from thidua.audit.models import AuditEntry
from thidua.core.icalendar import unfold
from thidua.core.indicators import Period
from thidua.core.phases import Phase
from thidua.core.record import AuditAction
from thidua.org import services as org_services
from thidua.org.models import PhaseDeadline, Reminder, Unit
from thidua.stats import services
from thidua.stats.models import Report

pytestmark = pytest.mark.django_db

DEADLINES = "/clusters/cum-2/2021/deadlines/"
SON_LA_H1 = "/clusters/cum-2/2021/stats/son-la/"
FIGURES = {"period": "H1", "v_social_order_cases": "260", "v_social_order_solved": "205"}


def _midyear_due(cycle):
    return list(
        PhaseDeadline.objects.filter(cycle=cycle, phase="midyear").values_list("due", flat=True)
    )


def _on(monkeypatch, day: date) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def _set_deadline(client_for, due="2021-07-15"):
    return client_for("laocai.thuky").post(DEADLINES, {"phase": "midyear", "due": due}, follow=True)


def _submit_son_la(client_for):
    return client_for("sonla.canbo").post(SON_LA_H1, {**FIGURES, "action": "submit"})


def test_the_leader_secretary_sets_the_mid_year_deadline(client_for, cycle):
    page = client_for("laocai.thuky").get("/clusters/cum-2/2021/").content.decode()
    assert '<option value="midyear">Sơ kết 6 tháng (số liệu 6 tháng đầu năm)</option>' in page
    response = _set_deadline(client_for, "2021-07-20")
    assert "Sơ kết 6 tháng (số liệu 6 tháng đầu năm): 20/07/2021." in response.content.decode()
    assert 'href="/clusters/cum-2/2021/stats/?period=H1"' in response.content.decode()
    assert _midyear_due(cycle("cum-2", 2021)) == [date(2021, 7, 20)]
    entry = AuditEntry.objects.filter(action=AuditAction.DEADLINE_SET).latest("id")
    assert entry.after == {"phase": "midyear", "due": "2021-07-20"}
    # within the year only: the first half's figures are not due in the next one
    page = _set_deadline(client_for, "2022-01-10").content.decode()
    assert "phải trong khoảng 01/01/2021–31/12/2021" in page
    assert _midyear_due(cycle("cum-2", 2021)) == [date(2021, 7, 20)]


@pytest.mark.parametrize("username", ["sonla.thuky", "hagiang.thuky", "sonla.canbo"])
def test_another_units_secretary_may_not_set_it(client_for, cycle, username):
    before = AuditEntry.objects.filter(action=AuditAction.DEADLINE_SET).count()
    response = client_for(username).post(DEADLINES, {"phase": "midyear", "due": "2021-07-20"})
    assert response.status_code == 403
    assert _midyear_due(cycle("cum-2", 2021)) == []
    assert AuditEntry.objects.filter(action=AuditAction.DEADLINE_SET).count() == before


def test_the_default_comes_from_the_rule_set_and_shows_on_the_cycle_page(client_for):
    page = client_for("sonla.canbo").get("/clusters/cum-2/2021/").content.decode()
    # the demo rule set's 195 days after 1 January; nobody has submitted: overdue in 2026
    assert re.search(
        r'deadline-overdue"><span class="phase-name">Sơ kết 6 tháng[^<]*</span>: 15/07/2021',
        page,
    )


def test_a_unit_submits_its_first_half_during_the_year_and_the_leader_returns_it(client_for, cycle):
    assert cycle("cum-2", 2021).phase == Phase.PLANNING  # the year's reporting is far off
    assert _submit_son_la(client_for).status_code == 302
    report = Report.objects.get(unit__code="son-la", year=2021, period="H1")
    assert report.status == Report.Status.SUBMITTED
    assert report.values.get(indicator__code="social_order_cases").value == 260
    # the year's report is still closed in planning
    year = dict(FIGURES, period="Y", action="save")
    assert client_for("sonla.canbo").post(SON_LA_H1, year).status_code == 409
    # another unit's staff may not write it
    response = client_for("caobang.thuky").post(SON_LA_H1, {**FIGURES, "action": "save"})
    assert response.status_code == 403
    # the leader unit's secretary sends it back, as for the year's report
    client_for("laocai.thuky").post(
        f"{SON_LA_H1}return/", {"period": "H1", "reason": "Thiếu số vụ án nghiêm trọng."}
    )
    report.refresh_from_db()
    assert report.status == Report.Status.RETURNED
    assert _submit_son_la(client_for).status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


def test_the_first_half_closes_with_the_years_reporting(client_for, cycle, get_user):
    secretary = get_user("laocai.thuky")
    current = cycle("cum-2", 2021)
    for phase, following in [(Phase.PLANNING, Phase.AGREEMENT), (Phase.AGREEMENT, Phase.REPORTING)]:
        current = org_services.close_phase(actor=secretary, cycle=current, phase=phase)
        current = org_services.open_phase(actor=secretary, cycle=current, phase=following)
    assert _submit_son_la(client_for).status_code == 302  # still open while reporting
    org_services.close_phase(actor=secretary, cycle=current, phase=Phase.REPORTING)
    response = client_for("caobang.canbo").post(
        "/clusters/cum-2/2021/stats/cao-bang/", {**FIGURES, "action": "submit"}
    )
    assert response.status_code == 409
    assert not Report.objects.filter(unit__code="cao-bang", year=2021, period="H1").exists()
    page = _set_deadline(client_for, "2021-07-20").content.decode()
    assert "đã xong nên không đặt lại thời hạn" in page


def test_the_home_page_lists_the_overdue_first_half_for_a_late_unit_only(client_for, monkeypatch):
    _set_deadline(client_for)
    _submit_son_la(client_for)
    _on(monkeypatch, date(2021, 7, 20))
    late = client_for("caobang.canbo").get("/").content.decode()
    assert "Nộp báo cáo số liệu 6 tháng đầu năm 2021" in late
    task = re.search(r'<li class="task urgent overdue">[^\n]*6 tháng đầu năm[^\n]*</li>', late)
    task = task.group(0)
    assert "6 tháng đầu năm 2021" in task
    assert "hạn 15/07/2021" in task
    assert 'href="/clusters/cum-2/2021/stats/cao-bang/?period=H1"' in task
    done = client_for("sonla.canbo").get("/").content.decode()
    assert "6 tháng đầu năm 2021" not in done
    leader = client_for("laocai.thuky").get("/").content.decode()
    assert "Sơ kết 6 tháng: chờ báo cáo số liệu 6 tháng đầu năm của: Cao Bằng" in leader
    assert "Sơn La" not in leader.split("chờ báo cáo số liệu 6 tháng đầu năm của:")[1][:200]
    # a month and more before its deadline, the first half is not asked for yet
    _on(monkeypatch, date(2021, 6, 1))
    early = client_for("caobang.canbo").get("/").content.decode()
    assert "6 tháng đầu năm 2021" not in early


def test_a_first_half_entered_on_its_behalf_asks_the_unit_to_confirm(client_for, monkeypatch):
    _set_deadline(client_for)
    entered = client_for("laocai.thuky").post(
        "/clusters/cum-2/2021/stats/cao-bang/on-behalf/",
        {**FIGURES, "action": "submit", "on_behalf_reason": "Đơn vị gửi số liệu qua điện thoại."},
    )
    assert entered.status_code == 302
    report = Report.objects.get(unit__code="cao-bang", year=2021, period="H1")
    assert (report.status, report.on_behalf) == ("awaiting", True)
    _on(monkeypatch, date(2021, 7, 20))
    home = client_for("caobang.canbo").get("/").content.decode()
    assert "Xác nhận số liệu 6 tháng đầu năm 2021 thư ký cụm trưởng nhập thay" in home
    assert "Nộp báo cáo số liệu 6 tháng đầu năm 2021" not in home
    # a unit with nothing entered for it is still asked to submit
    other = client_for("sonla.canbo").get("/").content.decode()
    assert "Nộp báo cáo số liệu 6 tháng đầu năm 2021" in other


def test_the_calendar_feed_carries_the_mid_year_deadline(client_for):
    _set_deadline(client_for, "2021-07-20")
    client = client_for("caobang.canbo")
    page = client.post("/accounts/calendar/", {"action": "create"}).content.decode()
    path = re.search(r"http://testserver(/calendar/[^<\s]+\.ics)", page).group(1)
    lines = unfold(Client().get(path).content.decode())
    at = lines.index("UID:cum-2-2021-midyear@testserver")
    event = lines[at : lines.index("END:VEVENT", at)]
    assert "DTSTART;VALUE=DATE:20210720" in event
    assert "SUMMARY:Hạn Sơ kết 6 tháng (số liệu 6 tháng đầu năm) – " in "".join(event)


def _remind(day: str) -> str:
    out = StringIO()
    call_command("remind", "--date", day, stdout=out)
    return out.getvalue()


def test_reminders_of_the_first_half_fire_once_a_day_for_those_who_must_act(client_for):
    _set_deadline(client_for)
    _submit_son_la(client_for)
    _remind("2021-07-16")
    midyear = Reminder.objects.filter(cycle__year=2021, phase="midyear")
    people = set(midyear.values_list("user__username", flat=True))
    assert {"caobang.canbo", "caobang.thuky", "laocai.thuky"} <= people
    assert not {"sonla.canbo", "sonla.thuky", "caobang.giamdoc", "hanoi.canbo"} & people
    reminder = midyear.get(user__username="caobang.canbo")
    assert reminder.due == date(2021, 7, 15)
    assert "Nộp báo cáo số liệu 6 tháng đầu năm 2021" in reminder.text
    count = midyear.count()
    _remind("2021-07-16")
    assert midyear.count() == count


def test_the_first_half_table_compares_with_last_years_first_half(client_for, get_user):
    son_la = Unit.objects.get(code="son-la")
    services.record_baseline(
        actor=get_user("admin"),
        unit=son_la,
        year=2020,
        period=Period.H1,
        figures={"social_order_cases": Decimal(200)},
        source="Báo cáo sơ kết 6 tháng 2020 (thử)",
    )
    _submit_son_la(client_for)
    page = client_for("hagiang.canbo").get("/clusters/cum-2/2021/stats/?period=H1")
    text = page.content.decode()
    assert page.status_code == 200
    assert "6 tháng đầu năm" in text
    assert "260" in text  # Sơn La's first half, submitted
    assert "tăng 30,0%" in text  # against its first half of 2020
    year = client_for("hagiang.canbo").get("/clusters/cum-2/2021/stats/").content.decode()
    assert "tăng 30,0%" not in year


def test_the_api_writes_and_returns_the_first_half_during_the_year(get_user):
    from thidua.core.policy import TOKEN_SCOPES

    def api(username):
        _token, key = org_services.create_api_token(
            actor=get_user(username), name="test", scopes=TOKEN_SCOPES
        )
        return Client(headers={"Authorization": f"Bearer {key}"})

    url = "/api/cycles/cum-2/2021/reports/son-la"
    payload = {"period": "H1", "figures": {"social_order_cases": 260}, "submit": True}
    response = api("sonla.canbo").put(url, payload, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    # the year's report stays closed in planning
    year = {**payload, "period": "Y"}
    assert api("sonla.canbo").put(url, year, content_type="application/json").status_code == 409
    returned = api("laocai.thuky").post(
        f"{url}/return",
        {"period": "H1", "reason": "Kiểm tra lại."},
        content_type="application/json",
    )
    assert returned.status_code == 200, returned.content
    assert returned.json()["status"] == "returned"


def test_an_excel_first_half_template_is_imported_during_the_year(client_for):
    from openpyxl import load_workbook

    client = client_for("sonla.canbo")
    response = client.get("/clusters/cum-2/2021/stats/template.xlsx?period=H1&unit=son-la")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Sơn La"]
    for row in range(1, sheet.max_row + 1):
        if sheet[f"A{row}"].value == "social_order_cases":
            sheet[f"D{row}"] = 260
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("h1.xlsx", buffer.getvalue())
    response = client.post("/clusters/cum-2/2021/stats/import/", {"file": upload, "submit": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    report = Report.objects.get(unit__code="son-la", year=2021, period="H1")
    assert report.status == Report.Status.SUBMITTED
    assert report.values.get(indicator__code="social_order_cases").value == 260
    assert not Report.objects.filter(unit__code="son-la", year=2021, period="Y").exists()
