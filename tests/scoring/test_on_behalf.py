"""Score sheets entered on a member's behalf ("nhập thay") by the leader unit's secretary, over
HTTP: who may, the mandatory reason, never a unit's sheet on itself, the mark wherever the
sheet is shown, and scores that count only once the scorer unit confirms them or the leader
records why it could not.

Cụm II 2021 is led by Lào Cai (its secretary enters); Sơn La's sheet on Lai Châu is the one
entered for."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from thidua.audit.models import AuditEntry
from thidua.core.phases import Phase
from thidua.core.policy import TOKEN_SCOPES
from thidua.core.record import AuditAction
from thidua.core.verify import verify
from thidua.org import services as org_services
from thidua.record.export import export_json
from thidua.scoring import selectors
from thidua.scoring.demo import TABLE
from thidua.scoring.models import ScoreSheet

pytestmark = pytest.mark.django_db

BASE = "/clusters/cum-2/2021/scoring"
SHEET = f"{BASE}/son-la/lai-chau/"
FORM = f"{SHEET}on-behalf/"
REASON = "Đường truyền của Công an tỉnh Sơn La bị gián đoạn; đơn vị gửi phiếu qua điện thoại."
JUDGED = [spec.code for spec in TABLE if spec.kind == "peer"]
SCORES = {f"s_{code}": "5" for code in JUDGED}


def _enter(client, *, reason=REASON, action="submit", path=FORM):
    data = {"action": action, **SCORES}
    if reason is not None:
        data["on_behalf_reason"] = reason
    return client.post(path, data)


def _sheet(scorer="son-la", target="lai-chau"):
    return ScoreSheet.objects.filter(
        cycle__year=2021, scorer__code=scorer, target__code=target
    ).first()


def _peer_points(cycle) -> Decimal:
    """Lai Châu's points on the judged criteria, as the results count them."""
    result = next(r for u, r in selectors.results(cycle).standings if u.code == "lai-chau")
    return sum((result.criteria[code].points for code in JUDGED), Decimal(0))


def test_the_leader_secretary_enters_and_it_waits_for_the_unit(client_for, scoring_2021, get_user):
    leader = client_for("laocai.thuky")
    home = leader.get(f"{BASE}/").content.decode()
    assert f'href="{FORM}"' in home
    form = leader.get(FORM).content.decode()
    assert 'name="on_behalf_reason"' in form
    assert "Nhập thay phiếu chấm" in form
    before = _peer_points(scoring_2021)
    assert _enter(leader).status_code == 302
    sheet = _sheet()
    assert (sheet.status, sheet.kind) == ("awaiting", "peer")
    assert (sheet.on_behalf_reason, sheet.on_behalf_by.username) == (REASON, "laocai.thuky")
    entry = AuditEntry.objects.filter(action=AuditAction.SHEET_ON_BEHALF).latest("pk")
    assert entry.object_id == "son-la->lai-chau"
    assert entry.after == {"on_behalf_reason": REASON, "status": "awaiting"}
    submitted = AuditEntry.objects.filter(action=AuditAction.SHEET_SUBMIT).latest("pk")
    assert set(submitted.after) == set(JUDGED)  # the scores' own entry is the scores alone
    # marked on the sheet, for the unit itself, which is asked to confirm
    page = client_for("sonla.canbo").get(SHEET).content.decode()
    assert "Nhập thay" in page
    assert REASON in page
    assert "Chờ đơn vị xác nhận; chưa tính vào kết quả chấm điểm." in page
    assert "Xác nhận phiếu chấm nhập thay" in page
    # the other units read it (marked) but do not confirm it
    other = client_for("laichau.canbo").get(SHEET).content.decode()
    assert REASON in other
    assert "Xác nhận phiếu chấm nhập thay" not in other
    # not counted: Lai Châu's judged points are what they were, the sheet is still missing
    assert _peer_points(scoring_2021) == before
    results = client_for("quansat").get("/clusters/cum-2/2021/results/").content.decode()
    assert "Phiếu chấm nhập thay" in results
    assert REASON in results
    assert "Sơn La → Lai Châu (nhập thay, chờ đơn vị xác nhận)" in results
    assert "Đã nộp 0/" in results
    # over the API too
    _token, key = org_services.create_api_token(
        actor=get_user("sonla.canbo"), name="test", scopes=TOKEN_SCOPES
    )
    api = Client(headers={"Authorization": f"Bearer {key}"})
    data = api.get("/api/cycles/cum-2/2021/sheets/son-la/lai-chau").json()
    assert data["status"] == "awaiting"
    assert data["on_behalf"] == {
        "by": "laocai.thuky",
        "reason": REASON,
        "confirmed": False,
        "excuse": "",
    }


def test_the_unit_confirms_and_then_it_counts(client_for, scoring_2021):
    before = _peer_points(scoring_2021)
    _enter(client_for("laocai.thuky"))
    path = f"{SHEET}confirm/"
    # neither the leader, nor the target, nor another member, nor the Ministry confirms it
    for username in ("laocai.thuky", "laichau.thuky", "dienbien.thuky", "admin", "quansat"):
        assert client_for(username).post(path).status_code == 403, username
    assert _sheet().status == "awaiting"
    assert client_for("sonla.thuky").post(path).status_code == 302
    sheet = _sheet()
    assert (sheet.status, sheet.confirmed_by.username) == ("submitted", "sonla.thuky")
    entry = AuditEntry.objects.get(action=AuditAction.SHEET_CONFIRM)
    assert (entry.object_id, entry.after["status"]) == ("son-la->lai-chau", "submitted")
    # once is enough: a confirmed sheet does not wait any more
    assert client_for("sonla.thuky").post(path).status_code == 400
    # now it counts: 5 points on each judged criterion from its only scorer so far
    assert _peer_points(scoring_2021) == before + 5 * len(JUDGED)
    # the mark stays, with the confirmation
    page = client_for("quansat").get(SHEET).content.decode()
    assert "Nhập thay" in page
    assert "Đơn vị đã xác nhận" in page


def test_the_units_director_confirms_too(client_for, scoring_2021):
    _enter(client_for("laocai.thuky"))
    assert client_for("sonla.giamdoc").post(f"{SHEET}confirm/").status_code == 302
    assert _sheet().status == "submitted"


def test_the_leader_records_why_the_unit_could_not(client_for, scoring_2021):
    before = _peer_points(scoring_2021)
    _enter(client_for("laocai.thuky"))
    path = f"{SHEET}excuse/"
    for username in ("sonla.thuky", "laichau.thuky", "hagiang.thuky", "quansat", "admin"):
        assert client_for(username).post(path, {"reason": "x"}).status_code == 403, username
    leader = client_for("laocai.thuky")
    refused = leader.post(path, {"reason": "  "})
    assert refused.status_code == 400
    assert "Phải ghi lý do đơn vị không xác nhận được." in refused.content.decode()
    assert _sheet().status == "awaiting"
    excuse = "Đơn vị đang chuyển trụ sở, không truy cập được hệ thống đến hết hạn chấm."
    assert leader.post(path, {"reason": excuse}).status_code == 302
    sheet = _sheet()
    assert (sheet.status, sheet.excuse) == ("submitted", excuse)
    assert AuditEntry.objects.get(action=AuditAction.SHEET_EXCUSE).after["reason"] == excuse
    assert _peer_points(scoring_2021) == before + 5 * len(JUDGED)
    page = client_for("quansat").get(SHEET).content.decode()
    assert "Nhập thay" in page
    assert excuse in page


def test_a_reason_is_required(client_for, scoring_2021):
    leader = client_for("laocai.thuky")
    entries = AuditEntry.objects.count()
    for reason in (None, "", "   "):
        for action in ("save", "submit"):
            response = _enter(leader, reason=reason, action=action)
            assert response.status_code == 400
            page = response.content.decode()
            assert "Phải ghi lý do nhập thay phiếu chấm cho đơn vị." in page
            assert 'id="on_behalf_reason"' in page
            assert 'aria-invalid="true"' in page
    assert _sheet() is None
    assert AuditEntry.objects.count() == entries


def test_nobody_else_enters_on_a_units_behalf(client_for, scoring_2021):
    # another member's secretary (Sơn La is its own), the unit's own staff, the Ministry
    for username in ("hagiang.thuky", "laichau.thuky", "sonla.thuky", "sonla.canbo", "admin"):
        assert client_for(username).get(FORM).status_code == 403, username
        assert _enter(client_for(username)).status_code == 403, username
    assert _sheet() is None


def test_a_unit_is_never_made_to_score_itself(client_for, scoring_2021):
    leader = client_for("laocai.thuky")
    response = _enter(leader, path=f"{BASE}/son-la/son-la/on-behalf/")
    assert response.status_code == 400
    assert "đơn vị không chấm chính mình" in response.content.decode()
    assert _sheet("son-la", "son-la") is None
    # nor does the leader enter "on behalf" of its own unit: it scores itself
    response = _enter(leader, path=f"{BASE}/lao-cai/son-la/on-behalf/")
    assert response.status_code == 400
    assert "không nhập thay" in response.content.decode()
    assert _sheet("lao-cai", "son-la") is None
    assert not AuditEntry.objects.filter(action=AuditAction.SHEET_ON_BEHALF).exists()


def test_a_closed_phase_refuses_entry_and_confirmation(client_for, scoring_2021, get_user):
    leader = client_for("laocai.thuky")
    _enter(leader)
    org_services.close_phase(
        actor=get_user("laocai.thuky"), cycle=scoring_2021, phase=Phase.SCORING
    )
    assert _enter(leader, path=f"{BASE}/dien-bien/lai-chau/on-behalf/").status_code == 409
    assert _sheet("dien-bien", "lai-chau") is None
    assert client_for("sonla.thuky").post(f"{SHEET}confirm/").status_code == 409
    assert leader.post(f"{SHEET}excuse/", {"reason": "Mất mạng"}).status_code == 409
    assert _sheet().status == "awaiting"
    # the exported score table (the phase closed: the results are out) marks the sheet and
    # says it was not counted
    content = client_for("quansat").get("/clusters/cum-2/2021/results/export.xlsx").content
    rules = load_workbook(BytesIO(content))["Quy tắc"]
    notes = [str(cell.value or "") for cell in rules["B"]]
    assert any(
        "Sơn La → Lai Châu: nhập thay" in note
        and REASON in note
        and "chờ đơn vị xác nhận, chưa tính vào kết quả" in note
        for note in notes
    )


def test_the_unit_scoring_itself_replaces_the_entry(client_for, scoring_2021):
    _enter(client_for("laocai.thuky"))
    response = client_for("sonla.canbo").post(SHEET, {"action": "submit", **SCORES})
    assert response.status_code == 302
    sheet = _sheet()
    assert (sheet.status, sheet.on_behalf, sheet.on_behalf_by) == ("submitted", False, None)
    cleared = AuditEntry.objects.filter(action=AuditAction.SHEET_ON_BEHALF).latest("pk")
    assert cleared.before == {"on_behalf_reason": REASON}
    assert cleared.after["on_behalf_reason"] is None


def test_a_draft_on_behalf_is_marked_and_needs_a_submission(client_for, scoring_2021):
    assert _enter(client_for("laocai.thuky"), action="save").status_code == 302
    sheet = _sheet()
    assert (sheet.status, sheet.on_behalf) == ("draft", True)
    assert client_for("sonla.thuky").post(f"{SHEET}confirm/").status_code == 400


def test_the_units_home_page_asks_it_to_confirm(client_for, scoring_2021):
    _enter(client_for("laocai.thuky"))
    home = client_for("sonla.canbo").get("/").content.decode()
    assert "Xác nhận 1 phiếu chấm thư ký cụm trưởng nhập thay" in home
    assert f'href="{SHEET}"' in home
    other = client_for("laichau.canbo").get("/").content.decode()
    assert "Chấm điểm" in other
    assert "nhập thay" not in other


def test_the_record_carries_the_mark_and_verifies(client_for, scoring_2021):
    """The year's record keeps the sheet awaiting with its reason, then confirmed; its check
    against the audit log still reads the sheet's scores (the mark has an entry of its own)."""
    _enter(client_for("laocai.thuky"))
    record = export_json(scoring_2021)
    (sheet,) = [s for s in record["sheets"] if (s["scorer"], s["target"]) == ("son-la", "lai-chau")]
    assert (sheet["status"], sheet["on_behalf_reason"]) == ("awaiting", REASON)
    assert verify(record) == []
    client_for("sonla.thuky").post(f"{SHEET}confirm/")
    record = export_json(scoring_2021)
    (sheet,) = [s for s in record["sheets"] if (s["scorer"], s["target"]) == ("son-la", "lai-chau")]
    assert (sheet["status"], sheet["on_behalf_reason"]) == ("submitted", REASON)
    assert verify(record) == []
