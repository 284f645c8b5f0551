"""Statistics entered on a member's behalf ("nhập thay") by the leader unit's secretary, over
HTTP: who may, the mandatory reason, the mark wherever the report is shown, and figures that
count only once the unit confirms them or the leader records why it could not.

Cụm II 2021 is led by Lào Cai (its secretary enters), Sơn La is the deputy; Điện Biên is the
member entered for."""

import pytest
from django.test import Client

from thidua.audit.models import AuditEntry
from thidua.core.policy import TOKEN_SCOPES
from thidua.core.record import AuditAction
from thidua.org import services as org_services
from thidua.stats.models import Report

pytestmark = pytest.mark.django_db

BASE = "/clusters/cum-2/2021/stats"
FORM = f"{BASE}/dien-bien/on-behalf/"
REASON = "Mạng của đơn vị bị gián đoạn, đơn vị gửi số liệu qua điện thoại."
# Điện Biên 2020: 247 cases, 351 offenders, 193 solved, 40 serious, 40 solved: close enough
# not to ask for explanations of a jump
FIGURES = {
    "v_social_order_cases": "240",
    "v_social_order_offenders": "340",
    "v_social_order_solved": "190",
    "v_serious_cases": "39",
    "v_serious_solved": "38",
}


def _enter(client, *, reason=REASON, action="submit", path=FORM):
    data = {"period": "Y", "action": action, **FIGURES}
    if reason is not None:
        data["on_behalf_reason"] = reason
    return client.post(path, data)


def _report():
    return Report.objects.filter(unit__code="dien-bien", year=2021, period="Y").first()


def _api(get_user, username):
    _token, key = org_services.create_api_token(
        actor=get_user(username), name="test", scopes=TOKEN_SCOPES
    )
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_the_leader_secretary_enters_and_it_waits_for_the_unit(
    client_for, reporting_cycle, get_user
):
    leader = client_for("laocai.thuky")
    page = leader.get(f"{BASE}/dien-bien/").content.decode()
    assert "Nhập thay cho đơn vị" in page
    form = leader.get(FORM).content.decode()
    assert 'name="on_behalf_reason"' in form
    assert _enter(leader).status_code == 302
    report = _report()
    assert report.status == "awaiting"
    assert report.on_behalf_reason == REASON
    assert report.on_behalf_by.username == "laocai.thuky"
    entry = AuditEntry.objects.filter(action=AuditAction.REPORT_SUBMIT).latest("pk")
    assert entry.after["on_behalf_reason"] == REASON
    # marked on the unit's page, for the unit itself
    page = client_for("dienbien.canbo").get(f"{BASE}/dien-bien/").content.decode()
    assert "Nhập thay" in page
    assert REASON in page
    assert "Chờ đơn vị xác nhận" in page
    assert "Xác nhận số liệu nhập thay" in page
    # marked in the cluster table, and not counted in its totals
    table = leader.get(f"{BASE}/").content.decode()
    assert "nhập thay" in table
    assert "chờ đơn vị xác nhận, không tính vào toàn cụm" in table
    data = _api(get_user, "quansat").get("/api/cycles/cum-2/2021/stats").json()
    assert "dien-bien" in data["missing_reports"]
    row = next(row for row in data["rows"] if row["unit"] == "dien-bien")
    assert row["status"] == "awaiting"
    assert row["on_behalf"] == {
        "by": "laocai.thuky",
        "reason": REASON,
        "confirmed": False,
        "excuse": "",
    }
    assert data["total"]["cells"]["social_order_cases"]["value"] is None
    report_out = _api(get_user, "dienbien.canbo").get("/api/cycles/cum-2/2021/reports/dien-bien")
    assert report_out.json()["on_behalf"]["reason"] == REASON


def test_the_unit_confirms_and_then_it_counts(client_for, reporting_cycle, get_user):
    _enter(client_for("laocai.thuky"))
    path = f"{BASE}/dien-bien/confirm/"
    # neither the leader, nor the deputy, nor another member confirms for the unit
    for username in ("laocai.thuky", "sonla.thuky", "hagiang.thuky", "admin"):
        assert client_for(username).post(path, {"period": "Y"}).status_code == 403, username
    assert _report().status == "awaiting"
    assert client_for("dienbien.thuky").post(path, {"period": "Y"}).status_code == 302
    report = _report()
    assert report.status == "submitted"
    assert report.confirmed_by.username == "dienbien.thuky"
    assert AuditEntry.objects.filter(action=AuditAction.REPORT_CONFIRM).count() == 1
    # once is enough: a confirmed report does not wait any more
    assert client_for("dienbien.thuky").post(path, {"period": "Y"}).status_code == 400
    data = _api(get_user, "quansat").get("/api/cycles/cum-2/2021/stats").json()
    assert "dien-bien" not in data["missing_reports"]
    assert data["total"]["cells"]["social_order_cases"]["value"] == "240"
    row = next(row for row in data["rows"] if row["unit"] == "dien-bien")
    assert row["on_behalf"]["confirmed"] is True
    # the mark stays, with the confirmation
    page = client_for("quansat").get(f"{BASE}/dien-bien/").content.decode()
    assert "Nhập thay" in page
    assert "Đơn vị đã xác nhận" in page


def test_the_leader_records_why_the_unit_could_not(client_for, reporting_cycle):
    _enter(client_for("laocai.thuky"))
    path = f"{BASE}/dien-bien/excuse/"
    for username in ("dienbien.thuky", "sonla.thuky", "hagiang.thuky", "quansat"):
        response = client_for(username).post(path, {"period": "Y", "reason": "x"})
        assert response.status_code == 403, username
    leader = client_for("laocai.thuky")
    assert leader.post(path, {"period": "Y", "reason": "  "}).status_code == 400
    assert _report().status == "awaiting"
    excuse = "Đơn vị đang di chuyển trụ sở, không truy cập được hệ thống."
    assert leader.post(path, {"period": "Y", "reason": excuse}).status_code == 302
    report = _report()
    assert (report.status, report.excuse) == ("submitted", excuse)
    entry = AuditEntry.objects.get(action=AuditAction.REPORT_EXCUSE)
    assert entry.after["reason"] == excuse
    page = client_for("quansat").get(f"{BASE}/dien-bien/").content.decode()
    assert "Nhập thay" in page
    assert excuse in page


def test_a_reason_is_required(client_for, reporting_cycle):
    leader = client_for("laocai.thuky")
    for reason in (None, "", "   "):
        response = _enter(leader, reason=reason)
        assert response.status_code == 400
        assert "Phải ghi lý do nhập thay cho đơn vị." in response.content.decode()
    assert _report() is None


def test_nobody_else_enters_on_a_units_behalf(client_for, reporting_cycle):
    # the deputy's secretary, another member's secretary, the unit's own staff, the Ministry
    for username in ("sonla.thuky", "hagiang.thuky", "dienbien.thuky", "dienbien.canbo", "admin"):
        assert client_for(username).get(FORM).status_code == 403, username
        assert _enter(client_for(username)).status_code == 403, username
    assert _report() is None
    # nor does the leader enter "on behalf" of its own unit: it reports itself
    response = _enter(client_for("laocai.thuky"), path=f"{BASE}/lao-cai/on-behalf/")
    assert response.status_code == 400
    assert "không nhập thay" in response.content.decode()
    # outside the reporting phase, nobody does (Cụm II 2020 is at its conference)
    response = _enter(
        client_for("hagiang.thuky"), path="/clusters/cum-2/2020/stats/son-la/on-behalf/"
    )
    assert response.status_code == 409


def test_the_unit_entering_its_own_figures_replaces_the_entry(client_for, reporting_cycle):
    _enter(client_for("laocai.thuky"))
    response = client_for("dienbien.canbo").post(
        f"{BASE}/dien-bien/", {"period": "Y", "action": "submit", **FIGURES}
    )
    assert response.status_code == 302
    report = _report()
    assert (report.status, report.on_behalf, report.on_behalf_by) == ("submitted", False, None)


def test_a_draft_on_behalf_is_marked_and_needs_a_submission(client_for, reporting_cycle):
    assert _enter(client_for("laocai.thuky"), action="save").status_code == 302
    report = _report()
    assert (report.status, report.on_behalf) == ("draft", True)
    # a draft is not confirmed: there is nothing submitted to confirm
    response = client_for("dienbien.thuky").post(f"{BASE}/dien-bien/confirm/", {"period": "Y"})
    assert response.status_code == 400


def test_the_demo_shows_an_entry_awaiting_confirmation(client_for):
    """Điện Biên's first half of 2020, entered by Hà Giang's secretary (the demo's year 2020
    is at its conference now: the entry can no longer be confirmed, and never counted)."""
    report = Report.objects.get(unit__code="dien-bien", year=2020, period="H1")
    assert report.status == "awaiting"
    assert report.on_behalf_by.username == "hagiang.thuky"
    path = "/clusters/cum-2/2020/stats/dien-bien/?period=H1"
    page = client_for("dienbien.thuky").get(path).content.decode()
    assert "Nhập thay" in page
    assert report.on_behalf_reason in page
    assert "Chờ đơn vị xác nhận" in page
    table = client_for("quansat").get("/clusters/cum-2/2020/stats/?period=H1").content.decode()
    assert "nhập thay" in table
    assert "chờ đơn vị xác nhận, không tính vào toàn cụm" in table
    # the year's figures are untouched: every unit's year report counts
    year = client_for("quansat").get("/clusters/cum-2/2020/stats/").content.decode()
    assert "2.156" in year
    assert "nhập thay" not in year
    confirm = client_for("dienbien.thuky").post(
        "/clusters/cum-2/2020/stats/dien-bien/confirm/", {"period": "H1"}
    )
    assert confirm.status_code == 409  # reporting is over


def test_the_exported_table_marks_the_entry(client_for, reporting_cycle):
    from io import BytesIO

    from openpyxl import load_workbook

    _enter(client_for("laocai.thuky"))
    content = client_for("quansat").get(f"{BASE}/export.xlsx").content
    workbook = load_workbook(BytesIO(content))
    names = [cell.value for cell in workbook["Số liệu"]["A"]]
    assert "Công an tỉnh Điện Biên (nhập thay)" in names
    notes = [cell.value or "" for cell in workbook["Cảnh báo"]["B"]]
    assert any(REASON in note and "chờ đơn vị xác nhận" in note for note in notes)


def test_the_units_home_page_asks_it_to_confirm(client_for, reporting_cycle):
    _enter(client_for("laocai.thuky"))
    home = client_for("dienbien.thuky").get("/").content.decode()
    assert "Xác nhận số liệu 2021 thư ký cụm trưởng nhập thay" in home
    other = client_for("laichau.thuky").get("/").content.decode()
    assert "Nộp báo cáo số liệu 2021" in other
    assert "nhập thay" not in other


def test_the_demo_2021_entry_awaits_the_unit_and_it_confirms(client_for, get_user):
    """Lạng Sơn's first half of 2021, entered by Lào Cai's secretary (the live year): its home
    page asks it to confirm, it does, and from then on its figures count."""
    report = Report.objects.get(unit__code="lang-son", year=2021, period="H1")
    assert (report.status, report.on_behalf_by.username) == ("awaiting", "laocai.thuky")
    assert "thư ký cụm trưởng nhập thay" in report.on_behalf_reason
    home = client_for("langson.canbo").get("/").content.decode()
    assert "Xác nhận số liệu 6 tháng đầu năm 2021 thư ký cụm trưởng nhập thay" in home
    assert 'href="/clusters/cum-2/2021/stats/lang-son/?period=H1"' in home
    page = client_for("langson.canbo").get(f"{BASE}/lang-son/?period=H1").content.decode()
    assert "Nhập thay" in page
    assert report.on_behalf_reason in page
    assert "Chờ đơn vị xác nhận" in page
    observer = _api(get_user, "quansat")
    before = observer.get("/api/cycles/cum-2/2021/stats?period=H1").json()
    # Hà Giang, Điện Biên, Lai Châu, Lào Cai: 171 + 121 + 90 + 149; Lạng Sơn's does not count
    assert before["total"]["cells"]["social_order_cases"]["value"] == "531"
    confirm = client_for("langson.canbo").post(f"{BASE}/lang-son/confirm/", {"period": "H1"})
    assert confirm.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.confirmed_by.username) == ("submitted", "langson.canbo")
    after = observer.get("/api/cycles/cum-2/2021/stats?period=H1").json()
    assert after["total"]["cells"]["social_order_cases"]["value"] == "689"  # + Lạng Sơn's 158
    home = client_for("langson.canbo").get("/").content.decode()
    assert "nhập thay" not in home
