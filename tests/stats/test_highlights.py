"""The movement's highlights a unit writes with its year report, over HTTP: the unit saves
them with its figures, they are shown to the cluster's reviewers, in the API and the log,
and they are refused to another unit's secretary and once the report is submitted.

Cụm II 2021 is led by Lào Cai; Điện Biên is a member. Its 2021 figures (those of the on-behalf
tests) are close to its 2020 ones, so that nothing asks for an explanation of a jump."""

import pytest
from django.test import Client

from tests.stats.test_on_behalf import FIGURES  # Điện Biên's 2021 figures, no jump in them
from thidua.audit.models import AuditEntry
from thidua.core.policy import TOKEN_SCOPES
from thidua.core.record import AuditAction
from thidua.org import services as org_services
from thidua.stats.models import Report

pytestmark = pytest.mark.django_db

BASE = "/clusters/cum-2/2021/stats"
FORM = f"{BASE}/dien-bien/"
HIGHLIGHTS = "Mô hình “Camera an ninh” ở 40 bản vùng biên.\r\n\r\n  Không để xảy ra điểm nóng.  "
KEPT = "Mô hình “Camera an ninh” ở 40 bản vùng biên.\nKhông để xảy ra điểm nóng."


def _post(client, *, action="save", highlights=HIGHLIGHTS, path=FORM, period="Y", **more):
    return client.post(
        path, {"period": period, "action": action, "highlights": highlights, **FIGURES, **more}
    )


def _report(period="Y"):
    return Report.objects.filter(unit__code="dien-bien", year=2021, period=period).first()


def _api(get_user, username):
    _token, key = org_services.create_api_token(
        actor=get_user(username), name="test", scopes=TOKEN_SCOPES
    )
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_the_unit_saves_its_highlights_with_its_figures(client_for, reporting_cycle, get_user):
    unit = client_for("dienbien.canbo")
    page = unit.get(FORM).content.decode()
    assert 'name="highlights"' in page
    assert "Những điểm nổi bật của phong trào thi đua" in page
    assert _post(unit).status_code == 302
    assert _report().highlights == KEPT  # as written, without the blank line and spaces
    entry = AuditEntry.objects.filter(action=AuditAction.REPORT_SAVE).latest("pk")
    assert entry.actor == "dienbien.canbo"
    assert entry.after["highlights"] == KEPT
    assert "highlights" not in (entry.before or {})
    assert KEPT.splitlines()[0] in unit.get(FORM).content.decode()  # back in the form
    # changed while still a draft, then submitted: each change audited with the one before
    assert _post(unit, highlights="Không để xảy ra điểm nóng.").status_code == 302
    entry = AuditEntry.objects.filter(action=AuditAction.REPORT_SAVE).latest("pk")
    assert entry.before["highlights"] == KEPT
    assert entry.after["highlights"] == "Không để xảy ra điểm nóng."
    assert _post(unit, action="submit", highlights=KEPT).status_code == 302
    assert _report().status == "submitted"
    # the leader secretary reviewing the cluster's table reads them; so does the API
    table = client_for("laocai.thuky").get(f"{BASE}/").content.decode()
    assert "Mô hình “Camera an ninh” ở 40 bản vùng biên.<br>Không để xảy ra điểm nóng." in table
    api = _api(get_user, "quansat")
    assert api.get("/api/cycles/cum-2/2021/reports/dien-bien").json()["highlights"] == KEPT
    rows = api.get("/api/cycles/cum-2/2021/stats").json()["rows"]
    assert next(row for row in rows if row["unit"] == "dien-bien")["highlights"] == KEPT
    # read-only once submitted: shown as text, no field
    page = unit.get(FORM).content.decode()
    assert 'name="highlights"' not in page
    assert "Không để xảy ra điểm nóng." in page


def test_after_submission_they_are_refused(client_for, reporting_cycle):
    unit = client_for("dienbien.canbo")
    assert _post(unit, action="submit").status_code == 302
    count = AuditEntry.objects.count()
    refused = _post(unit, highlights="Viết lại sau khi nộp.")
    assert refused.status_code == 400
    assert "Báo cáo đã nộp" in refused.content.decode()
    assert _report().highlights == KEPT
    assert AuditEntry.objects.count() == count


def test_another_units_secretary_is_refused(client_for, reporting_cycle):
    assert _post(client_for("dienbien.canbo")).status_code == 302
    count = AuditEntry.objects.count()
    other = client_for("sonla.thuky")
    assert 'name="highlights"' not in other.get(FORM).content.decode()
    assert _post(other, highlights="Không phải lời của Điện Biên.").status_code == 403
    assert _report().highlights == KEPT
    assert AuditEntry.objects.count() == count


def test_the_leaders_secretary_writes_them_on_the_units_behalf(client_for, reporting_cycle):
    leader = client_for("laocai.thuky")
    response = _post(
        leader,
        path=f"{FORM}on-behalf/",
        on_behalf_reason="Đơn vị gửi qua điện thoại.",
        action="submit",
    )
    assert response.status_code == 302
    report = _report()
    assert (report.status, report.highlights) == ("awaiting", KEPT)
    entry = AuditEntry.objects.filter(action=AuditAction.REPORT_SUBMIT).latest("pk")
    assert entry.actor == "laocai.thuky"
    assert entry.after["highlights"] == KEPT


def test_they_belong_to_the_year_report_and_are_kept_short(client_for, reporting_cycle):
    unit = client_for("dienbien.canbo")
    first_half = _report("H1")  # the demo's 2021 first half, submitted for the mid-year review
    before = None if first_half is None else (first_half.pk, first_half.updated_at)
    refused = _post(unit, period="H1")
    assert refused.status_code == 400
    assert "Những điểm nổi bật chỉ ghi trong báo cáo năm." in refused.content.decode()
    after = _report("H1")
    assert (None if after is None else (after.pk, after.updated_at)) == before  # nothing saved
    refused = _post(unit, highlights="Dòng dài. " * 400)
    assert refused.status_code == 400
    assert "dài quá 3.000 ký tự" in refused.content.decode()
    assert 'href="#highlights"' in refused.content.decode()  # the summary links to the field
    assert _report() is None


def test_a_workbook_or_a_form_without_them_keeps_them(client_for, reporting_cycle, get_user):
    unit = client_for("dienbien.canbo")
    assert _post(unit).status_code == 302
    data = {"period": "Y", "action": "save", **FIGURES}  # a post without the field
    assert unit.post(FORM, data).status_code == 302
    assert _report().highlights == KEPT
    api = _api(get_user, "dienbien.canbo")
    payload = {"figures": {"social_order_cases": 240}}
    response = api.put(
        "/api/cycles/cum-2/2021/reports/dien-bien", payload, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["highlights"] == KEPT
    payload["highlights"] = "Viết qua API."
    response = api.put(
        "/api/cycles/cum-2/2021/reports/dien-bien", payload, content_type="application/json"
    )
    assert response.json()["highlights"] == "Viết qua API."
