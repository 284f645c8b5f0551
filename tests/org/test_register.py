"""The register of titles over HTTP: the page, the entry form, the XLSX import (all or nothing,
problems by row and column), decisions (the Ministry's office, or the year's leader on its
behalf, also after the cycle is closed; recorded once), the API, and the conference's counts
becoming proposals."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from thidua.audit.models import AuditEntry
from thidua.org import register
from thidua.org.authz import SYSTEM
from thidua.org.models import Cycle, Decision, TitleRecord, TitleState

pytestmark = pytest.mark.django_db

HEADER = [
    "Năm",
    "Mã đơn vị",
    "Mã danh hiệu",
    "Tên danh hiệu",
    "Cấp",
    "Trạng thái",
    "Số quyết định",
    "Ngày quyết định",
    "Cơ quan ban hành",
    "Nguồn",
    "Họ và tên",
    "Cấp bậc",
    "Chức vụ",
    "Mã cá nhân",
]
GOOD = [2019, "son-la", "co_bo_cong_an", "Cờ thi đua của Bộ Công an", "Bộ Công an", "Đề nghị"]


def _xlsx(*rows) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = register.SHEET
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("so.xlsx", buffer.getvalue())


def _lines(year: int) -> set[tuple[str, str, str]]:
    return {
        (r.unit.code, r.title_code, r.state)
        for r in TitleRecord.objects.filter(year=year).select_related("unit")
    }


# --- the page and the demo ------------------------------------------------------------------


def test_the_demo_loads_2017_and_2018_as_proposals_and_an_unknown_year_says_so(client_for):
    page = client_for("sonla.canbo").get("/clusters/cum-2/register/").content.decode()
    assert _lines(2017) == {
        ("lang-son", "co_chinh_phu", "proposed"),
        ("son-la", "co_bo_cong_an", "proposed"),
        ("dien-bien", "co_bo_cong_an", "proposed"),
        ("lao-cai", "co_bo_cong_an", "proposed"),
    }
    assert ("son-la", "co_chinh_phu", "proposed") in _lines(2018)
    assert "Cờ thi đua của Chính phủ: <strong>Đề nghị</strong>" in page
    # never "không được tặng" for a year without data: Cao Bằng has none in 2017
    assert "Không được tặng" not in page
    assert "chưa có dữ liệu" in page
    # the demo's 2017 lines came in through the import (audited as one), not a code table
    assert AuditEntry.objects.filter(action="org.title.import").exists()


def test_the_demo_records_an_illustrative_2020_decision_on_the_nomination():
    record = TitleRecord.objects.get(unit__code="ha-giang", year=2020, title_code="co_chinh_phu")
    assert record.state == TitleState.AWARDED
    assert record.cycle is not None  # proposed by the conference's count
    assert "minh hoạ" in record.decision.issuer


def test_a_member_of_another_cluster_does_not_see_the_conference_year(client_for):
    data = client_for("hanoi.canbo").get("/api/clusters/cum-2/register").json()
    assert 2020 not in data["years"]
    assert 2017 in data["years"]
    assert {r["year"] for r in data["records"]} == {2017, 2018}
    own = client_for("sonla.canbo").get("/api/clusters/cum-2/register").json()
    assert 2020 in {r["year"] for r in own["records"]}


# --- the entry form ---------------------------------------------------------------------------


def test_the_current_leader_enters_a_line_and_the_previous_one_is_refused(client_for):
    entry = {
        "unit": "cao-bang",
        "year": "2019",
        "title_code": "co_bo_cong_an",
        "title": "Cờ thi đua của Bộ Công an",
        "level": "ministry",
        "state": "proposed",
    }
    # Hà Giang led 2020, but the cluster is led by Lào Cai now (2021)
    refused = client_for("hagiang.thuky").post("/clusters/cum-2/register/new/", entry)
    assert refused.status_code == 403
    assert not TitleRecord.objects.filter(unit__code="cao-bang", year=2019).exists()
    made = client_for("laocai.thuky").post("/clusters/cum-2/register/new/", entry)
    assert made.status_code == 302
    assert TitleRecord.objects.get(unit__code="cao-bang", year=2019).state == "proposed"
    assert AuditEntry.objects.filter(action="org.title.record", actor="laocai.thuky").exists()


def test_an_awarded_line_without_its_decision_is_refused(client_for):
    response = client_for("admin").post(
        "/clusters/cum-2/register/new/",
        {
            "unit": "cao-bang",
            "year": "2019",
            "title_code": "co_bo_cong_an",
            "title": "Cờ thi đua của Bộ Công an",
            "level": "ministry",
            "state": "awarded",
        },
    )
    assert response.status_code == 400
    assert "phải ghi số quyết định" in response.content.decode()
    assert not TitleRecord.objects.filter(unit__code="cao-bang", year=2019).exists()


# --- the XLSX import --------------------------------------------------------------------------


def test_the_import_writes_every_line(client_for):
    awarded = [2019, "lai-chau", "co_chinh_phu", "Cờ thi đua của Chính phủ", "Chính phủ"]
    upload = _xlsx(GOOD, [*awarded, "Được tặng", "99/QĐ-TTg", "20/04/2020", "Thủ tướng"])
    response = client_for("admin").post("/clusters/cum-2/register/import/", {"file": upload})
    assert response.status_code == 302
    assert _lines(2019) == {
        ("son-la", "co_bo_cong_an", "proposed"),
        ("lai-chau", "co_chinh_phu", "awarded"),
    }
    decision = Decision.objects.get(number="99/QĐ-TTg")
    assert decision.signed_on == date(2020, 4, 20)
    assert not decision.on_behalf


def test_one_bad_cell_refuses_the_whole_file_naming_row_and_column(client_for):
    upload = _xlsx(
        GOOD,
        [2019, "khong-co", "co_bo_cong_an", "Cờ", "Bộ Công an", "Đề nghị"],
        [2019, "lai-chau", "co_bo_cong_an", "Cờ", "Bộ Công an", "Được tặng"],
        [2019, "dien-bien", "co_bo_cong_an", "Cờ", "Tỉnh", "Đề nghị"],
    )
    response = client_for("admin").post("/clusters/cum-2/register/import/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 400
    assert "hàng 3, cột B" in page
    assert "Không có đơn vị mã “khong-co”" in page
    assert "hàng 4, cột G" in page
    assert "phải ghi số quyết định" in page
    assert "hàng 5, cột E" in page
    assert "Cấp “Tỉnh” không có" in page
    assert _lines(2019) == set()  # not even the good row 2


def test_the_import_never_turns_a_decided_line_back_into_a_proposal(client_for):
    upload = _xlsx([2020, "ha-giang", "co_chinh_phu", "Cờ thi đua của Chính phủ", "Chính phủ"])
    response = client_for("admin").post("/clusters/cum-2/register/import/", {"file": upload})
    assert response.status_code == 400
    assert "hàng 2, cột F" in response.content.decode()
    assert ("ha-giang", "co_chinh_phu", "awarded") in _lines(2020)


def test_the_import_is_refused_to_others(client_for):
    for person in ("sonla.thuky", "hagiang.thuky", "quansat"):
        response = client_for(person).post(
            "/clusters/cum-2/register/import/", {"file": _xlsx(GOOD)}
        )
        assert response.status_code == 403, person
    assert _lines(2019) == set()


def test_the_template_is_a_sheet_with_the_columns(client_for):
    response = client_for("sonla.canbo").get("/clusters/cum-2/register/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == HEADER


# --- decisions --------------------------------------------------------------------------------


def _close(cycle: Cycle) -> None:
    Cycle.objects.filter(pk=cycle.pk).update(phase="conference", phase_is_open=False)


def test_the_years_leader_records_the_decision_after_the_cycle_is_closed(client_for, cycle):
    year_2020 = cycle("cum-2", 2020)
    proposed = register.propose_from_conference(
        actor=SYSTEM,
        cycle=year_2020,
        nominees={"co_bo_cong_an": [year_2020.members.get(code="son-la")]},
        titles={
            "co_bo_cong_an": {
                "code": "co_bo_cong_an",
                "name": "Cờ thi đua của Bộ Công an",
                "level": "ministry",
            }
        },
    )[0]
    _close(year_2020)
    form = {"number": "12/QĐ-BCA", "signed_on": "2021-03-01", "issuer": "Bộ Công an"}
    form[f"r_{proposed.pk}"] = "awarded"
    pdf = SimpleUploadedFile("qd.pdf", b"%PDF-1.4 quyet dinh", content_type="application/pdf")
    refused = client_for("sonla.thuky").post("/clusters/cum-2/2020/register/decision/", form)
    assert refused.status_code == 403
    proposed.refresh_from_db()
    assert proposed.state == "proposed"
    done = client_for("hagiang.thuky").post(
        "/clusters/cum-2/2020/register/decision/", {**form, "pdf": pdf}
    )
    assert done.status_code == 302
    proposed.refresh_from_db()
    assert proposed.state == "awarded"
    assert proposed.decision.on_behalf
    page = client_for("sonla.canbo").get("/clusters/cum-2/register/").content.decode()
    assert "Cờ thi đua của Bộ Công an: <strong>Được tặng</strong>" in page
    assert "cụm trưởng ghi thay" in page
    pdf_page = client_for("sonla.canbo").get(f"/decisions/{proposed.decision.pk}/pdf/")
    assert b"".join(pdf_page.streaming_content).startswith(b"%PDF-")


def test_a_decision_that_is_not_a_pdf_is_refused(client_for):
    proposed = TitleRecord.objects.get(unit__code="lang-son", year=2017, title_code="co_chinh_phu")
    form = {"number": "5/QĐ-TTg", "signed_on": "2018-03-01", "issuer": "Thủ tướng"}
    form[f"r_{proposed.pk}"] = "awarded"
    form["pdf"] = SimpleUploadedFile("qd.pdf", b"MZ not a pdf")
    response = client_for("admin").post("/clusters/cum-2/2020/register/decision/", form)
    assert response.status_code == 400
    assert "phải là tệp PDF" in response.content.decode()
    assert not Decision.objects.filter(number="5/QĐ-TTg").exists()


def _api_decision(client, records, number="7/QĐ-BCA"):
    body = {
        "number": number,
        "signed_on": "2019-02-01",
        "issuer": "Bộ Công an",
        "records": records,
    }
    return client.post("/api/decisions", json.dumps(body), content_type="application/json")


def test_one_decision_for_units_of_two_clusters_is_recorded_once(client_for, cycle):
    hanoi = cycle("cum-1", 2020).members.get(code="ha-noi")
    register.record_title(
        actor=SYSTEM,
        cluster=cycle("cum-1", 2020).cluster,
        unit=hanoi,
        year=2018,
        title_code="co_bo_cong_an",
        title="Cờ thi đua của Bộ Công an",
        level="ministry",
    )
    admin = client_for("admin")
    first = _api_decision(
        admin,
        [
            {"unit": "ha-noi", "year": 2018, "title_code": "co_bo_cong_an", "awarded": True},
            {"unit": "lang-son", "year": 2018, "title_code": "co_bo_cong_an", "awarded": True},
        ],
    )
    assert first.status_code == 201, first.content
    again = _api_decision(
        admin, [{"unit": "ha-giang", "year": 2018, "title_code": "co_bo_cong_an", "awarded": False}]
    )
    assert again.status_code == 201
    assert Decision.objects.filter(number="7/QĐ-BCA").count() == 1
    assert _lines(2018) >= {
        ("ha-noi", "co_bo_cong_an", "awarded"),
        ("lang-son", "co_bo_cong_an", "awarded"),
        ("ha-giang", "co_bo_cong_an", "not_awarded"),
        ("lai-chau", "co_bo_cong_an", "proposed"),
    }


def test_a_leader_may_not_decide_for_another_clusters_unit(client_for, cycle):
    register.record_title(
        actor=SYSTEM,
        cluster=cycle("cum-1", 2020).cluster,
        unit=cycle("cum-1", 2020).members.get(code="ha-noi"),
        year=2020,
        title_code="co_bo_cong_an",
        title="Cờ thi đua của Bộ Công an",
        level="ministry",
    )
    response = _api_decision(
        client_for("hagiang.thuky"),
        [{"unit": "ha-noi", "year": 2020, "title_code": "co_bo_cong_an", "awarded": True}],
    )
    assert response.status_code == 403
    assert TitleRecord.objects.get(unit__code="ha-noi", year=2020).state == "proposed"


def _api_line(client, **changes):
    body = {
        "unit": "cao-bang",
        "year": 2019,
        "title_code": "co_bo_cong_an",
        "title": "Cờ thi đua của Bộ Công an",
        "level": "ministry",
        "state": "awarded",
        "number": "9/QĐ-BCA",
        "signed_on": "2020-01-15",
        "issuer": "Bộ Công an",
    } | changes
    return client.post(
        "/api/clusters/cum-2/register", json.dumps(body), content_type="application/json"
    )


@pytest.fixture
def token_of(get_user):
    """An API client holding a token of the demo user with these scopes."""
    from django.test import Client

    from thidua.org import services

    def make(username: str, scopes) -> Client:
        _token, key = services.create_api_token(
            actor=get_user(username), name="sổ danh hiệu", scopes=scopes
        )
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


def test_the_current_leader_writes_a_line_through_the_api(token_of):
    made = _api_line(token_of("laocai.thuky", ["read", "write:org"]))
    assert made.status_code == 201, made.content
    assert made.json()["state"] == "awarded"
    assert made.json()["decision"]["number"] == "9/QĐ-BCA"
    assert made.json()["decision"]["on_behalf"] is True  # not the Ministry's office
    record = TitleRecord.objects.get(unit__code="cao-bang", year=2019)
    assert (record.state, record.decision.issuer) == ("awarded", "Bộ Công an")
    assert AuditEntry.objects.filter(action="org.title.record", actor="laocai.thuky").exists()
    # the Ministry's office too; the line is read back by the register API
    office = _api_line(
        token_of("admin", ["read", "write:org"]), unit="son-la", state="proposed", number=""
    )
    assert office.status_code == 201, office.content
    lines = token_of("admin", ["read"]).get("/api/clusters/cum-2/register").json()["records"]
    assert {"son-la", "cao-bang"} <= {r["unit"] for r in lines if r["year"] == 2019}


def test_writing_a_line_is_refused_to_others(token_of):
    # Hà Nội leads another cluster; Hà Giang led this one in 2020, not now; Sơn La is a member
    for person in ("hanoi.thuky", "hagiang.thuky", "sonla.thuky"):
        refused = _api_line(token_of(person, ["read", "write:org"]))
        assert refused.status_code == 403, person
    # the keeper's token without the scope of organisation writes
    read_only = _api_line(token_of("laocai.thuky", ["read"]))
    assert read_only.status_code == 403
    assert "write:org" in read_only.json()["detail"]
    wrong_stage = _api_line(token_of("laocai.thuky", ["read", "write:scoring"]))
    assert wrong_stage.status_code == 403
    assert not TitleRecord.objects.filter(unit__code="cao-bang", year=2019).exists()
    assert not Decision.objects.filter(number="9/QĐ-BCA").exists()


def test_bad_input_names_the_field_and_writes_nothing(token_of):
    client = token_of("laocai.thuky", ["read", "write:org"])
    decisions = Decision.objects.count()
    bad = _api_line(client, level="tỉnh", state="xong", title="  ", issuer="x" * 201)
    assert bad.status_code == 400
    errors = {e["field"]: e["message"] for e in bad.json()["errors"]}
    assert errors == {
        "level": "Cấp không hợp lệ.",
        "state": "Trạng thái không hợp lệ.",
        "title": "Thiếu tên danh hiệu.",
        "issuer": "Cơ quan ban hành dài quá 200 ký tự.",
    }
    no_decision = _api_line(client, number="", issuer="")
    assert no_decision.status_code == 400
    assert [e["field"] for e in no_decision.json()["errors"]] == ["number"]
    assert "phải ghi số quyết định" in no_decision.json()["errors"][0]["message"]
    stranger = _api_line(client, unit="ha-noi")  # a unit of another cluster
    assert stranger.status_code == 400
    assert stranger.json()["errors"][0]["field"] == "unit"
    assert "không thuộc sổ danh hiệu của cụm" in stranger.json()["errors"][0]["message"]
    assert not TitleRecord.objects.filter(unit__code__in=["cao-bang", "ha-noi"], year=2019).exists()
    assert Decision.objects.count() == decisions


# --- the conference's results become proposals --------------------------------------------


def test_counting_the_ministry_flag_proposes_its_nominees(cycle):
    from thidua.voting import demo as voting_demo

    year_2020 = cycle("cum-2", 2020)
    assert not TitleRecord.objects.filter(year=2020, title_code="co_bo_cong_an").exists()
    poll = voting_demo.count_the_open_poll(year_2020)
    winners = set(poll.result["winners"])
    assert len(winners) == 3
    lines = TitleRecord.objects.filter(year=2020, title_code="co_bo_cong_an", cycle=year_2020)
    assert {line.unit.code for line in lines} == winners
    assert {line.state for line in lines} == {"proposed"}
    assert {line.level for line in lines} == {"ministry"}


def test_a_proposals_level_is_the_one_its_rule_set_gives_the_title(cycle):
    year_2020 = cycle("cum-2", 2020)
    title = {"code": "bang_khen", "name": "Bằng khen của Giám đốc", "level": "unit"}
    line = register.propose_from_conference(
        actor=SYSTEM,
        cycle=year_2020,
        nominees={"bang_khen": [year_2020.members.get(code="lao-cai")]},
        titles={"bang_khen": title},
    )[0]
    assert line.level == "unit"


def test_a_rule_set_whose_title_has_no_level_is_refused_where_it_is_typed():
    from django.core.exceptions import ValidationError

    from thidua.org.models import RuleSet

    titles = [{"code": "co_moi", "name": "Cờ mới", "seats": 1}]
    rule_set = RuleSet(
        code="thu",
        version=1,
        name="Thử",
        effective_from=date(2030, 1, 1),
        data={"voting": {"titles": titles}},
    )
    with pytest.raises(ValidationError, match=r"chưa ghi cấp khen thưởng.*Cờ mới"):
        rule_set.full_clean()
    titles[0]["level"] = "ministry"
    rule_set.full_clean()


def test_rule_sets_stored_before_levels_get_the_flags_levels_once():
    import importlib

    from django.apps import apps

    from thidua.org.models import RuleSet

    migration = importlib.import_module("thidua.org.migrations.0007_title_levels_in_rule_sets")
    stored = RuleSet.objects.filter(data__voting__isnull=False).first()
    for title in stored.data["voting"]["titles"]:
        del title["level"]
    RuleSet.objects.filter(pk=stored.pk).update(data=stored.data)
    migration.add_levels(apps, None)
    stored.refresh_from_db()
    levels = {t["code"]: t["level"] for t in stored.data["voting"]["titles"]}
    assert levels == {"co_chinh_phu": "government", "co_bo_cong_an": "ministry"}
