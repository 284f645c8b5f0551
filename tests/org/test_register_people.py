"""The register's person lines over HTTP and in the eligibility rules: a person is named as
officials write them (full name, rank, position, unit), not by a login; the leader unit enters
their lines by the form, the XLSX import (all or nothing, problems by row and column) and the
API, with the same permissions as a unit's lines; the page lists them with the units'; the
individual titles' rules read them through the same engine as the units'."""

from __future__ import annotations

import io
import json
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from thidua.audit.models import AuditEntry
from thidua.core.eligibility import Status
from thidua.org import register, selectors
from thidua.org.authz import SYSTEM
from thidua.org.models import Decision, Person, TitleRecord

pytestmark = pytest.mark.django_db

ENTRY = {
    "unit": "son-la",
    "year": "2019",
    "title_code": "chien_si_thi_dua_co_so",
    "title": "Chiến sĩ thi đua cơ sở",
    "level": "unit",
    "state": "proposed",
    "full_name": "Nguyễn Văn Ân",
    "rank": "Đại úy",
    "position": "Phó Trưởng phòng PC06",
}


def _people_lines(year: int) -> set[tuple[str, str, str, str, str]]:
    return {
        (r.person.unit.code, r.person.full_name, r.rank, r.title_code, r.state)
        for r in TitleRecord.objects.filter(year=year, person__isnull=False).select_related(
            "person__unit"
        )
    }


# --- the entry form and the page ------------------------------------------------------------


def test_the_leader_enters_a_persons_line_and_the_page_lists_it(client_for):
    made = client_for("laocai.thuky").post("/clusters/cum-2/register/new/", ENTRY)
    assert made.status_code == 302, made.content.decode()
    line = TitleRecord.objects.get(person__isnull=False, year=2019)
    assert line.unit is None  # a person's line, not the unit's
    assert (line.person.unit.code, line.person.key) == ("son-la", "nguyen-van-an")
    assert (line.rank, line.position) == ("Đại úy", "Phó Trưởng phòng PC06")
    entry = AuditEntry.objects.get(action="org.title.record", object_id=str(line.pk))
    assert entry.after["person"]["full_name"] == "Nguyễn Văn Ân"
    # the same person's next year, promoted: one person, two lines
    promoted = {**ENTRY, "year": "2020", "rank": "Thiếu tá", "position": "Trưởng phòng PC06"}
    assert (
        client_for("laocai.thuky").post("/clusters/cum-2/register/new/", promoted).status_code
        == 302
    )
    assert Person.objects.filter(unit__code="son-la").count() == 1
    page = client_for("sonla.canbo").get("/clusters/cum-2/register/").content.decode()
    assert "Nguyễn Văn Ân" in page
    assert "Đại úy, Phó Trưởng phòng PC06" in page
    assert "Thiếu tá, Trưởng phòng PC06" in page
    assert "Chiến sĩ thi đua cơ sở: <strong>Đề nghị</strong>" in page


def test_a_persons_line_is_refused_to_others_and_nothing_is_stored(client_for):
    # Hà Nội leads another cluster; Hà Giang led this one in 2020, not now; Sơn La is a member
    for person in ("hanoi.thuky", "hagiang.thuky", "sonla.thuky", "quansat"):
        refused = client_for(person).post("/clusters/cum-2/register/new/", ENTRY)
        assert refused.status_code == 403, person
    assert not Person.objects.exists()
    assert not TitleRecord.objects.filter(person__isnull=False).exists()


def test_a_rank_without_a_name_is_refused_on_the_name(client_for):
    response = client_for("laocai.thuky").post(
        "/clusters/cum-2/register/new/", {**ENTRY, "full_name": "", "person_key": "Số 12"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Thiếu họ và tên của cá nhân" in page
    assert "Mã cá nhân chỉ gồm chữ thường không dấu" in page
    assert not TitleRecord.objects.filter(year=2019, title_code="chien_si_thi_dua_co_so").exists()
    assert not Person.objects.exists()


# --- the XLSX import --------------------------------------------------------------------------


def _xlsx(*rows) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = register.SHEET
    sheet.append([header for _l, _n, header in register.COLUMNS])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("so.xlsx", buffer.getvalue())


def _person_row(year, unit, code, name, state="Được tặng", *, rank="Đại úy", key=""):
    decision = ("15/QĐ-CAT", f"20/12/{year}", "Công an tỉnh") if state != "Đề nghị" else ("",) * 3
    title = {
        "chien_si_tien_tien": "Chiến sĩ tiên tiến",
        "chien_si_thi_dua_co_so": "Chiến sĩ thi đua cơ sở",
    }.get(code, code)
    return [year, unit, code, title, "Cơ sở", state, *decision, "", name, rank, "Đội trưởng", key]


def test_the_import_takes_person_columns(client_for):
    upload = _xlsx(
        [2019, "son-la", "co_bo_cong_an", "Cờ thi đua của Bộ Công an", "Bộ Công an", "Đề nghị"],
        _person_row(2019, "son-la", "chien_si_tien_tien", "Nguyễn Văn Ân"),
        _person_row(2019, "son-la", "chien_si_tien_tien", "Nguyễn Văn Ân", key="so-hieu-123"),
        _person_row(2019, "lao-cai", "chien_si_thi_dua_co_so", "Lò Thị Mai", "Đề nghị"),
    )
    response = client_for("laocai.thuky").post("/clusters/cum-2/register/import/", {"file": upload})
    assert response.status_code == 302, response.content.decode()
    assert _people_lines(2019) == {
        ("son-la", "Nguyễn Văn Ân", "Đại úy", "chien_si_tien_tien", "awarded"),
        ("lao-cai", "Lò Thị Mai", "Đại úy", "chien_si_thi_dua_co_so", "proposed"),
    }
    # two namesakes of Sơn La told apart by the key; the unit's own line stays the unit's
    assert sorted(Person.objects.filter(unit__code="son-la").values_list("key", flat=True)) == [
        "nguyen-van-an",
        "so-hieu-123",
    ]
    assert TitleRecord.objects.filter(year=2019, person__isnull=False).count() == 3
    assert TitleRecord.objects.get(year=2019, unit__code="son-la").person is None


def test_a_bad_person_row_refuses_the_whole_file_naming_row_and_column(client_for):
    upload = _xlsx(
        _person_row(2019, "son-la", "chien_si_tien_tien", "Nguyễn Văn Ân"),
        _person_row(2019, "son-la", "chien_si_tien_tien", ""),  # a rank, no name
        _person_row(2019, "son-la", "chien_si_tien_tien", "Hà Văn Bình", key="Số 7"),
        _person_row(2019, "son-la", "chien_si_tien_tien", "x" * 101),
        _person_row(2019, "son-la", "chien_si_tien_tien", "Nguyễn Văn Ân", rank="Thiếu tá"),
    )
    response = client_for("laocai.thuky").post("/clusters/cum-2/register/import/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 400
    assert "hàng 3, cột K" in page
    assert "Thiếu họ và tên của cá nhân" in page
    assert "hàng 4, cột N" in page
    assert "Mã cá nhân chỉ gồm chữ thường không dấu" in page
    assert "hàng 5, cột K" in page
    assert "Họ và tên dài quá 100 ký tự" in page
    assert "hàng 6, cột C" in page  # the same person, year and title twice
    assert "Trùng với hàng 2" in page
    assert _people_lines(2019) == set()  # not even the good row 2
    assert not Person.objects.exists()
    assert not Decision.objects.filter(number="15/QĐ-CAT").exists()


def test_reading_an_import_costs_queries_per_unit_and_year_not_per_row():
    """The namesake check and the existing line are read once per unit (and year) for the
    whole file: 40 rows of two units cost what 4 do."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from thidua.org.models import Cluster

    cluster = Cluster.objects.get(code="cum-2")
    names = ["Ân", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Minh", "Nga"]

    def rows(count: int) -> list[list]:
        people = [
            _person_row(2019, unit, "chien_si_tien_tien", f"Nguyễn Văn {name}", "Đề nghị")
            for unit in ("son-la", "lao-cai")
            for name in names[: count // 2 - 1]
        ]
        units = [
            [2019, unit, "co_bo_cong_an", "Cờ", "Bộ Công an", "Đề nghị"]
            for unit in ("son-la", "lao-cai")
        ]
        return units + people

    register.import_titles(actor=SYSTEM, cluster=cluster, content=_xlsx(*rows(20)).read())
    counts = {}
    for count in (4, 20):
        with CaptureQueriesContext(connection) as queries:
            lines = register.read_workbook(cluster, _xlsx(*rows(count)).read())
        assert len(lines) == count
        assert all(line.existing is not None for line in lines)  # each found, none missed
        counts[count] = len(queries)
    assert counts[4] == counts[20], counts


def test_the_person_import_is_refused_to_others(client_for):
    upload = _person_row(2019, "son-la", "chien_si_tien_tien", "Nguyễn Văn Ân")
    for person in ("hanoi.thuky", "hagiang.thuky", "sonla.thuky"):
        response = client_for(person).post(
            "/clusters/cum-2/register/import/", {"file": _xlsx(upload)}
        )
        assert response.status_code == 403, person
    assert not Person.objects.exists()


# --- the API ----------------------------------------------------------------------------------


@pytest.fixture
def token_of(get_user):
    from django.test import Client

    from thidua.org import services

    def make(username: str, scopes) -> Client:
        _token, key = services.create_api_token(
            actor=get_user(username), name="sổ cá nhân", scopes=scopes
        )
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


def _api_line(client, **changes):
    body = {
        "unit": "dien-bien",
        "person": {"full_name": "Quàng Văn Sơn", "rank": "Trung tá", "position": "Đội trưởng"},
        "year": 2019,
        "title_code": "chien_si_thi_dua_co_so",
        "title": "Chiến sĩ thi đua cơ sở",
        "level": "unit",
        "state": "proposed",
    } | changes
    return client.post(
        "/api/clusters/cum-2/register", json.dumps(body), content_type="application/json"
    )


def test_the_api_writes_and_returns_a_persons_line_and_its_decision(token_of):
    made = _api_line(token_of("laocai.thuky", ["read", "write:org"]))
    assert made.status_code == 201, made.content
    assert made.json()["unit"] == "dien-bien"
    assert made.json()["person"] == {
        "key": "quang-van-son",
        "full_name": "Quàng Văn Sơn",
        "rank": "Trung tá",
        "position": "Đội trưởng",
    }
    lines = token_of("sonla.canbo", ["read"]).get("/api/clusters/cum-2/register").json()
    [mine] = [r for r in lines["records"] if r["person"]]
    assert (mine["unit"], mine["person"]["key"], mine["state"]) == (
        "dien-bien",
        "quang-van-son",
        "proposed",
    )
    body = {
        "number": "30/QĐ-CAT",
        "signed_on": "2020-01-10",
        "issuer": "Công an tỉnh Điện Biên",
        "records": [
            {
                "unit": "dien-bien",
                "person": "quang-van-son",
                "year": 2019,
                "title_code": "chien_si_thi_dua_co_so",
                "awarded": True,
            }
        ],
    }
    decided = token_of("admin", ["read", "write:org"]).post(
        "/api/decisions", json.dumps(body), content_type="application/json"
    )
    assert decided.status_code == 201, decided.content
    line = TitleRecord.objects.get(person__key="quang-van-son", year=2019)
    assert (line.state, line.decision.number) == ("awarded", "30/QĐ-CAT")


def test_the_api_refuses_others_and_bad_person_fields(token_of):
    for person in ("hanoi.thuky", "hagiang.thuky", "sonla.thuky"):
        refused = _api_line(token_of(person, ["read", "write:org"]))
        assert refused.status_code == 403, person
    read_only = _api_line(token_of("laocai.thuky", ["read"]))
    assert read_only.status_code == 403
    bad = _api_line(
        token_of("laocai.thuky", ["read", "write:org"]),
        person={"full_name": " ", "rank": "Đại úy", "position": "x" * 101},
    )
    assert bad.status_code == 400
    errors = {e["field"]: e["message"] for e in bad.json()["errors"]}
    assert errors == {
        "full_name": "Thiếu họ và tên của cá nhân (đã ghi cấp bậc, chức vụ hoặc mã).",
        "position": "Chức vụ dài quá 100 ký tự.",
    }
    assert not Person.objects.exists()
    assert not TitleRecord.objects.filter(person__isnull=False).exists()


# --- eligibility of individuals from the register ----------------------------------------


def _line(cycle, unit_code, name, year, code, state="awarded"):
    from datetime import date

    unit = cycle.members.get(code=unit_code)
    return register.record_title(
        actor=SYSTEM,
        cluster=cycle.cluster,
        unit=unit,
        year=year,
        title_code=code,
        title=code,
        level="unit",
        state=state,
        decision=None
        if state == "proposed"
        else register.DecisionData(f"{year}/QĐ-CAT", date(year, 12, 20), "Công an tỉnh"),
        person=register.PersonData(name, "Đại úy", "Đội trưởng"),
    )


def _verdicts(current) -> dict[tuple[str, str], object]:
    return {
        (row.person.full_name, row.title): row.verdict
        for row in selectors.individual_eligibility(current)
    }


def test_individual_rules_read_the_register_and_an_unknown_year_is_not_not_awarded(cycle):
    current = cycle("cum-2", 2021)
    an = "Nguyễn Văn Ân"
    for code in ("chien_si_tien_tien", "hoan_thanh_xuat_sac", "sang_kien_toan_luc_luong"):
        _line(current, "son-la", an, 2021, code)
    for year in (2020, 2021):
        _line(current, "son-la", an, year, "chien_si_thi_dua_co_so")
    _line(current, "son-la", "Lò Văn Khánh", 2021, "chien_si_tien_tien")
    # another unit's people say nothing of Sơn La's 2019
    _line(current, "lao-cai", "Lò Thị Mai", 2019, "chien_si_tien_tien")
    found = _verdicts(current)
    # Chiến sĩ thi đua cơ sở: Chiến sĩ tiên tiến and (hoàn thành xuất sắc or sáng kiến)
    assert found[an, "Chiến sĩ thi đua cơ sở"].status == Status.ELIGIBLE
    khanh = found["Lò Văn Khánh", "Chiến sĩ thi đua cơ sở"]
    assert khanh.status == Status.NOT_ELIGIBLE  # 2021 is covered: no excellence, no initiative
    # cấp bộ: 3 consecutive years of cơ sở; Sơn La's people have no line in 2019: unknown
    cap_bo = found[an, "Chiến sĩ thi đua cấp bộ"]
    assert cap_bo.status == Status.UNKNOWN
    assert "sổ chưa có dữ liệu năm 2019" in cap_bo.reasons[0].render()
    # once the register covers Sơn La's 2019 (another officer's line), Ân's missing year counts
    _line(current, "son-la", "Lò Văn Khánh", 2019, "chien_si_tien_tien")
    cap_bo = _verdicts(current)[an, "Chiến sĩ thi đua cấp bộ"]
    assert cap_bo.status == Status.NOT_ELIGIBLE
    assert "Không đạt “Chiến sĩ thi đua cơ sở” năm 2019" in cap_bo.reasons[0].render()
    # awarded in 2019 too: eligible
    _line(current, "son-la", an, 2019, "chien_si_thi_dua_co_so")
    assert _verdicts(current)[an, "Chiến sĩ thi đua cấp bộ"].status == Status.ELIGIBLE


def test_a_proposal_without_a_decision_is_unknown_for_an_individual(cycle):
    current = cycle("cum-2", 2021)
    _line(current, "son-la", "Nguyễn Văn Ân", 2021, "chien_si_tien_tien", state="proposed")
    _line(current, "son-la", "Nguyễn Văn Ân", 2021, "hoan_thanh_xuat_sac")
    verdict = _verdicts(current)["Nguyễn Văn Ân", "Chiến sĩ thi đua cơ sở"]
    assert verdict.status == Status.UNKNOWN


def test_individual_facts_are_four_queries_for_everyone(cycle, django_assert_num_queries):
    """The lineage (two), the lines and the namesakes, whatever the number of people."""
    current = cycle("cum-2", 2021)
    for count, name in enumerate(("A Một", "B Hai", "C Ba", "D Bốn", "E Năm", "G Sáu")):
        _line(current, "son-la", name, 2021, "chien_si_tien_tien")
        if count in (0, 5):
            people = list(Person.objects.all())
            with django_assert_num_queries(4):
                facts = selectors.person_facts(current, people)
    assert {f.known_years for f in facts.values()} == {frozenset({2021})}


# --- a person across the 2025 merger --------------------------------------------------------


def _person_line(unit_code, name, year, code="chien_si_thi_dua_co_so"):
    """A person's awarded line of `unit_code` (any unit: the units merged in 2025 included)."""
    from datetime import date

    from thidua.org.models import Cluster, Unit

    return register.record_title(
        actor=SYSTEM,
        cluster=Cluster.objects.get(code="cum-2"),
        unit=Unit.objects.get(code=unit_code),
        year=year,
        title_code=code,
        title=code,
        level="unit",
        state="awarded",
        decision=register.DecisionData(f"{year}/QĐ-CAT", date(year, 12, 20), "Công an tỉnh"),
        person=register.PersonData(name, "Đại úy", "Đội trưởng"),
    )


def test_a_persons_history_follows_their_unit_across_the_2025_merger(year_2025):
    """An officer of Lào Cai, Chiến sĩ thi đua cơ sở in 2023 and 2024, is a person of the new
    Lào Cai in 2025: the three years are theirs (cấp bộ), not unknown for want of a line of
    the new unit before it existed."""
    an = "Nguyễn Văn Ân"
    for year in (2023, 2024):
        _person_line("lao-cai", an, year)
    now = _person_line("lao-cai-2025", an, 2025).person
    _person_line("lao-cai-2025", an, 2025, "sang_kien_toan_luc_luong")  # cấp bộ asks it too
    facts = selectors.person_facts(year_2025, [now])[now.pk]
    assert {2023, 2024, 2025} <= facts.known_years
    assert facts.state(2023, "chien_si_thi_dua_co_so") == "awarded"
    assert facts.state(2024, "chien_si_thi_dua_co_so") == "awarded"
    verdicts = {
        row.title: row.verdict for row in selectors.individual_eligibility(year_2025, [now])
    }
    assert verdicts["Chiến sĩ thi đua cấp bộ"].status == Status.ELIGIBLE
    # another officer of Yên Bái's 2024 lines cover that year; not Ân's: "none" there
    other = _person_line("yen-bai", "Lò Văn Khánh", 2024).person
    facts = selectors.person_facts(year_2025, [now, other])
    assert facts[now.pk].state(2024, "chien_si_thi_dua_co_so") == "awarded"
    assert facts[other.pk].known_years == frozenset({2024})  # Yên Bái's own year only


def test_two_namesakes_of_the_merged_units_leave_their_years_unknown(year_2025):
    """A "Nguyễn Văn Ân" of Lào Cai and one of Yên Bái: which of them the new Lào Cai's is,
    the register cannot tell, so their earlier years are unknown, never the other's."""
    an = "Nguyễn Văn Ân"
    for year in (2023, 2024):
        _person_line("lao-cai", an, year)
    _person_line("yen-bai", an, 2022, "chien_si_tien_tien")
    now = _person_line("lao-cai-2025", an, 2025).person
    _person_line("lao-cai-2025", an, 2025, "sang_kien_toan_luc_luong")
    facts = selectors.person_facts(year_2025, [now])[now.pk]
    assert facts.known_years == frozenset({2025})
    assert facts.state(2024, "chien_si_thi_dua_co_so") == "unknown"
    verdicts = {
        row.title: row.verdict for row in selectors.individual_eligibility(year_2025, [now])
    }
    assert verdicts["Chiến sĩ thi đua cấp bộ"].status == Status.UNKNOWN


# --- the migration from the old foreign key to a login account ----------------------------


def test_lines_naming_an_account_become_lines_naming_a_person_of_its_unit(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).with_name("migrate_people.py")
    env = {**os.environ, "THIDUA_DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite3'}"}
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["lines"] == [
        [2019, "binh", "binh", "son-la"],  # no name on the account: its login name
        [2019, "nguyen-van-an", "Nguyễn Văn Ân", "son-la"],
        [2020, "nguyen-van-an", "Nguyễn Văn Ân", "son-la"],  # one person, both years
    ]
    assert "account_id" not in found["columns"]
    assert {"person_id", "rank", "position"} <= set(found["columns"])


# --- namesakes --------------------------------------------------------------------------------


def test_names_told_apart_only_by_accents_are_never_merged(client_for):
    leader = client_for("laocai.thuky")
    assert leader.post("/clusters/cum-2/register/new/", ENTRY).status_code == 302
    other = {**ENTRY, "full_name": "Nguyễn Văn An", "title_code": "chien_si_tien_tien"}
    refused = leader.post("/clusters/cum-2/register/new/", other)
    assert refused.status_code == 400
    assert "Đơn vị đã có “Nguyễn Văn Ân” với mã cá nhân “nguyen-van-an”" in (
        refused.content.decode()
    )
    assert Person.objects.get().full_name == "Nguyễn Văn Ân"  # not renamed
    # the same name in other case and spacing is the same person; a key makes another
    same = {**ENTRY, "full_name": " nguyễn  văn ân ", "title_code": "chien_si_tien_tien"}
    assert leader.post("/clusters/cum-2/register/new/", same).status_code == 302
    assert (
        leader.post("/clusters/cum-2/register/new/", {**other, "person_key": "an-2"}).status_code
        == 302
    )
    assert sorted(Person.objects.values_list("key", "full_name")) == [
        ("an-2", "Nguyễn Văn An"),
        ("nguyen-van-an", "Nguyễn Văn Ân"),  # kept as first written
    ]
    # written with its key, the name is a correction
    fixed = {**ENTRY, "full_name": "Nguyễn Văn Ấn", "person_key": "nguyen-van-an"}
    assert leader.post("/clusters/cum-2/register/new/", fixed).status_code == 302
    assert Person.objects.get(key="nguyen-van-an").full_name == "Nguyễn Văn Ấn"
    upload = _xlsx(
        _person_row(2019, "son-la", "chien_si_tien_tien", "Hà Văn Bình"),
        _person_row(2019, "son-la", "chien_si_tien_tien", "Hà Văn Binh"),
        _person_row(2019, "son-la", "lao_dong_tien_tien", "Nguyễn Văn Ăn"),
    )
    response = leader.post("/clusters/cum-2/register/import/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 400
    assert "hàng 3, cột K" in page
    assert "Đơn vị đã có “Hà Văn Bình”" in page
    assert "hàng 4, cột K" in page
    assert not Person.objects.filter(full_name__startswith="Hà").exists()


def test_a_persons_line_does_not_make_a_units_year_known(cycle):
    current = cycle("cum-2", 2021)
    _line(current, "son-la", "Nguyễn Văn Ân", 2019, "chien_si_tien_tien")
    rows = {(r.unit.code, r.title): r.verdict for r in selectors.eligibility_table(current)}
    flag = rows["lang-son", "Cờ thi đua của Chính phủ"]
    assert flag.status == Status.UNKNOWN  # 2019 is still unknown for the units
    assert "sổ chưa có dữ liệu năm 2019" in flag.reasons[0].render()


def test_the_years_leader_decides_a_persons_proposal_on_the_decision_page(cycle, client_for):
    year_2020 = cycle("cum-2", 2020)
    line = _line(year_2020, "son-la", "Nguyễn Văn Ân", 2020, "chien_si_tien_tien", "proposed")
    page = client_for("hagiang.thuky").get("/clusters/cum-2/2020/register/decision/")
    assert "Nguyễn Văn Ân (Sơn La)" in page.content.decode()
    form = {"number": "40/QĐ-CAT", "signed_on": "2021-01-05", "issuer": "Công an tỉnh Sơn La"}
    form[f"r_{line.pk}"] = "awarded"
    assert (
        client_for("sonla.thuky").post("/clusters/cum-2/2020/register/decision/", form).status_code
        == 403
    )
    done = client_for("hagiang.thuky").post("/clusters/cum-2/2020/register/decision/", form)
    assert done.status_code == 302
    line.refresh_from_db()
    assert (line.state, line.decision.number) == ("awarded", "40/QĐ-CAT")
