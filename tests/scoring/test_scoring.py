"""The agreement and score sheets: rules, refusals over HTTP, the demo's results."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.scoring.clusters import in_scoring
from thidua.core import scoring as core
from thidua.core.phases import Phase
from thidua.errors import DomainError, Refused, StateConflict
from thidua.org import selectors as org_selectors
from thidua.org import services as org_services
from thidua.org.authz import SYSTEM
from thidua.org.models import Membership
from thidua.scoring import selectors, services
from thidua.scoring.demo import TABLE
from thidua.scoring.models import Agreement, Evidence, ScoreSheet

pytestmark = pytest.mark.django_db

JUDGED = [spec.code for spec in TABLE if spec.kind == "peer"]


def full_sheet(value="5"):
    return {code: Decimal(value) for code in JUDGED}


def test_demo_results_rank_all_seven(cycle):
    results = selectors.results(cycle("cum-2", 2020))
    assert [unit.short_name for unit, _ in results.ranking][:1] == ["Hà Giang"]
    assert [result.rank for _, result in results.ranking] == [1, 2, 3, 4, 5, 6, 7]
    assert results.progress == (49, 49)
    first = results.ranking[0][1]
    assert first.criteria["II.1"].explanation.render().startswith("A = 78,2%, T = 75,0%")
    assert first.self_total is not None


def _scored_from_models(cycle) -> list[tuple[str, Decimal, int]]:
    """The results as `core.score` gives them on the counted sheets read as model objects
    (Decimal scores): what `selectors.results` must give from its integer grid."""
    agreement = selectors.agreement_of(cycle)
    members = org_selectors.member_units(cycle)
    table = selectors.table_of(selectors.criteria_of(agreement))
    assigned = selectors.assignment(agreement, members)
    sheets = [
        core.Sheet(sheet.scorer.code, sheet.target.code, selectors.scores_by_code(sheet))
        for sheet in selectors.sheets_of(cycle, submitted_only=True)
        if sheet.scorer_id == sheet.target_id
        or sheet.scorer.code in assigned.get(sheet.target.code, [])
    ]
    facts = selectors.facts_of(cycle, agreement, table, members)
    ranked = core.score(
        table, [unit.code for unit in members], sheets, facts, selectors.rules_of(agreement)
    )
    return [(result.unit, result.total_exact, result.rank) for result in ranked]


def test_results_read_from_the_grid_are_those_of_the_sheets(cycle):
    """The scores read as integer rows into the grid (`score_grid_of`) give the results the
    sheets' Decimal scores give; also once a scored and scoring unit has left the cluster
    (its sheets stay in the database, counted no more)."""
    demo = cycle("cum-2", 2020)
    found = selectors.results(demo)
    assert [(u.code, r.total_exact, r.rank) for u, r in found.standings] == _scored_from_models(
        demo
    )
    gone = found.standings[0][0]
    Membership.objects.filter(cycle=demo, unit=gone).delete()
    demo = cycle("cum-2", 2020)
    found = selectors.results(demo)
    assert gone.code not in [unit.code for unit, _result in found.standings]
    assert [(u.code, r.total_exact, r.rank) for u, r in found.standings] == _scored_from_models(
        demo
    )
    assert len(found.standings) == 6


def test_copying_last_years_table_is_one_action(cycle, get_user):
    current = cycle("cum-2", 2021)
    agreement = services.copy_agreement(
        actor=get_user("laocai.thuky"), cycle=current, source=cycle("cum-2", 2020)
    )
    assert agreement.criteria.count() == len(TABLE)
    assert selectors.targets_of(agreement)[("son-la", "II.1")] == 75
    assert selectors.checklist(agreement, list(current.members.all())) == []
    with pytest.raises(Refused):
        services.copy_agreement(
            actor=get_user("hagiang.thuky"), cycle=current, source=cycle("cum-2", 2020)
        )


def test_signing_needs_the_checklist_and_every_approval(cycle, get_user):
    secretary = get_user("laocai.thuky")
    current = cycle("cum-2", 2021)
    services.copy_agreement(actor=secretary, cycle=current, source=cycle("cum-2", 2020))
    services.set_targets(actor=secretary, cycle=current, targets={("son-la", "II.1"): None})
    members = list(current.members.all())
    for unit in members[:3]:
        services.confirm_agreement(actor=SYSTEM, cycle=current, unit=unit)
    with pytest.raises(DomainError) as error:
        services.sign_agreement(actor=secretary, cycle=current)
    codes = {problem.code for problem in error.value.problems}
    assert codes == {"targets_missing", "not_confirmed"}
    # the plain phase button cannot skip the signature either
    org_services.close_phase(actor=secretary, cycle=current, phase=Phase.PLANNING)
    with pytest.raises(StateConflict) as refused:
        org_services.open_phase(actor=secretary, cycle=cycle("cum-2", 2021), phase=Phase.AGREEMENT)
    assert refused.value.problems[0].code == "agreement_not_signed"


def test_a_signed_agreement_is_frozen(scoring_2021, get_user):
    with pytest.raises(StateConflict):
        services.set_targets(
            actor=get_user("laocai.thuky"),
            cycle=scoring_2021,
            targets={("son-la", "II.1"): Decimal(80)},
        )
    assert Agreement.objects.get(cycle=scoring_2021).is_signed


def test_a_unit_never_scores_itself_as_a_peer_database(scoring_2021, units):
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreSheet.objects.create(
            cycle=scoring_2021, scorer=units["son-la"], target=units["son-la"], kind="peer"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreSheet.objects.create(
            cycle=scoring_2021, scorer=units["son-la"], target=units["lai-chau"], kind="self"
        )


def test_sheet_rules(scoring_2021, get_user, units):
    officer = get_user("sonla.canbo")
    with pytest.raises(DomainError) as error:
        services.save_sheet(
            actor=officer,
            cycle=scoring_2021,
            scorer=units["son-la"],
            target=units["lai-chau"],
            scores={"I.1": Decimal("6.5"), "I.2": Decimal("3.1")},
        )
    assert [p.code for p in error.value.problems] == ["score_out_of_range", "score_off_step"]
    with pytest.raises(DomainError) as error:
        services.save_sheet(
            actor=officer,
            cycle=scoring_2021,
            scorer=units["son-la"],
            target=units["lai-chau"],
            scores={"I.1": Decimal(5)},
            submit=True,
        )
    assert error.value.problems[0].code == "sheet_incomplete"
    sheet = services.save_sheet(
        actor=officer,
        cycle=scoring_2021,
        scorer=units["son-la"],
        target=units["lai-chau"],
        scores=full_sheet(),
        submit=True,
    )
    with pytest.raises(StateConflict):
        services.save_sheet(
            actor=officer,
            cycle=scoring_2021,
            scorer=units["son-la"],
            target=units["lai-chau"],
            scores=full_sheet("4"),
        )
    with pytest.raises(Refused):
        services.reopen_sheet(actor=get_user("sonla.thuky"), sheet=sheet, reason="sai")
    services.reopen_sheet(actor=get_user("laocai.thuky"), sheet=sheet, reason="Nhầm điểm mục I")
    services.save_sheet(
        actor=officer,
        cycle=scoring_2021,
        scorer=units["son-la"],
        target=units["lai-chau"],
        scores=full_sheet("4"),
    )
    self_sheet = services.save_sheet(
        actor=officer,
        cycle=scoring_2021,
        scorer=units["son-la"],
        target=units["son-la"],
        scores=full_sheet(),
    )
    assert self_sheet.kind == "self"


def test_inspection_teams_decide_who_scores(scoring_2021, cycle, get_user, units):
    agreement = Agreement.objects.get(cycle=scoring_2021)
    agreement.assignment = "teams"
    agreement.save()
    team = agreement.teams.create(inspected=units["lai-chau"])
    team.scorers.set([units["dien-bien"], units["son-la"]])
    services.save_sheet(
        actor=get_user("sonla.canbo"),
        cycle=scoring_2021,
        scorer=units["son-la"],
        target=units["lai-chau"],
        scores=full_sheet(),
    )
    with pytest.raises(Refused):
        services.save_sheet(
            actor=get_user("caobang.canbo"),
            cycle=scoring_2021,
            scorer=units["cao-bang"],
            target=units["lai-chau"],
            scores=full_sheet(),
        )


# --- over HTTP ----------------------------------------------------------------------------


def test_officer_cannot_read_another_units_draft(scoring_2021, get_user, units, client_for):
    services.save_sheet(
        actor=get_user("sonla.canbo"),
        cycle=scoring_2021,
        scorer=units["son-la"],
        target=units["lai-chau"],
        scores=full_sheet(),
    )
    assert (
        client_for("sonla.canbo").get("/clusters/cum-2/2021/scoring/son-la/lai-chau/").status_code
        == 200
    )
    for username in ("laichau.canbo", "laocai.thuky", "quansat", "hanoi.canbo"):
        assert (
            client_for(username).get("/clusters/cum-2/2021/scoring/son-la/lai-chau/").status_code
            == 403
        )


def test_officer_cannot_score_its_own_unit_as_a_peer_or_for_another_unit(scoring_2021, client_for):
    client = client_for("sonla.canbo")
    data = {f"s_{code}": "5" for code in JUDGED} | {"action": "submit"}
    assert client.post("/clusters/cum-2/2021/scoring/lai-chau/son-la/", data).status_code == 403
    assert not ScoreSheet.objects.filter(
        cycle=scoring_2021, target__code="son-la", scorer__code="lai-chau"
    ).exists()
    # its own sheet is its self-assessment, never a peer sheet
    assert client.post("/clusters/cum-2/2021/scoring/son-la/son-la/", data).status_code == 302
    assert (
        ScoreSheet.objects.get(
            cycle=scoring_2021, scorer__code="son-la", target__code="son-la"
        ).kind
        == "self"
    )


def test_cannot_submit_after_the_phase_closes(scoring_2021, client_for, get_user):
    org_services.close_phase(
        actor=get_user("laocai.thuky"), cycle=scoring_2021, phase=Phase.SCORING
    )
    data = {f"s_{code}": "5" for code in JUDGED} | {"action": "submit"}
    response = client_for("sonla.canbo").post("/clusters/cum-2/2021/scoring/son-la/lai-chau/", data)
    assert response.status_code == 409
    assert (
        "Không thể chấm điểm, nộp phiếu chấm của đơn vị ở trạng thái" in response.content.decode()
    )
    assert not ScoreSheet.objects.filter(cycle=scoring_2021).exists()


def test_sheet_form_submits(scoring_2021, client_for):
    client = client_for("sonla.canbo")
    bad = client.post(
        "/clusters/cum-2/2021/scoring/son-la/lai-chau/", {"s_I.1": "5,1", "action": "save"}
    )
    assert bad.status_code == 400
    assert "phải chia hết cho bước 0,25" in bad.content.decode()
    data = {f"s_{code}": "5,25" for code in JUDGED} | {"action": "submit"}
    assert client.post("/clusters/cum-2/2021/scoring/son-la/lai-chau/", data).status_code == 302
    sheet = ScoreSheet.objects.get(
        cycle=scoring_2021, scorer__code="son-la", target__code="lai-chau"
    )
    assert sheet.status == "submitted"
    # once submitted, the other units may read it
    assert (
        client_for("laichau.canbo").get("/clusters/cum-2/2021/scoring/son-la/lai-chau/").status_code
        == 200
    )


def test_evidence_upload_checks_type_and_owner(scoring_2021, client_for):
    client = client_for("sonla.canbo")
    pdf = SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4 minh hoa", content_type="application/pdf")
    response = client.post(
        "/clusters/cum-2/2021/scoring/evidence/upload/son-la/", {"criterion": "I.1", "file": pdf}
    )
    assert response.status_code == 302
    item = Evidence.objects.get(cycle=scoring_2021)
    assert (item.unit.code, item.criterion.code, item.content_type) == (
        "son-la",
        "I.1",
        "application/pdf",
    )
    download = client_for("laichau.canbo").get(f"/clusters/cum-2/2021/scoring/evidence/{item.pk}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 minh hoa"
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00", content_type="application/pdf")
    client.post(
        "/clusters/cum-2/2021/scoring/evidence/upload/son-la/", {"criterion": "I.1", "file": fake}
    )
    other = SimpleUploadedFile("x.pdf", b"%PDF-1.4", content_type="application/pdf")
    assert (
        client.post(
            "/clusters/cum-2/2021/scoring/evidence/upload/lai-chau/",
            {"criterion": "I.1", "file": other},
        ).status_code
        == 403
    )
    assert Evidence.objects.count() == 1
    assert (
        client_for("hanoi.canbo")
        .get(f"/clusters/cum-2/2021/scoring/evidence/{item.pk}/")
        .status_code
        == 403
    )


def test_facts_by_the_leader_secretary_only(scoring_2021, client_for):
    data = {"a_son-la_III.2": "1", "c_son-la_V": "2", "p_son-la_V": "1"}
    assert (
        client_for("sonla.canbo").post("/clusters/cum-2/2021/scoring/facts/", data).status_code
        == 403
    )
    assert (
        client_for("laocai.thuky").post("/clusters/cum-2/2021/scoring/facts/", data).status_code
        == 302
    )
    results = selectors.results(scoring_2021)
    son_la = next(result for unit, result in results.standings if unit.code == "son-la")
    assert son_la.criteria["V"].points == 1
    assert son_la.criteria["III.2"].points == 10


def test_results_page_and_export(client_for):
    page = client_for("sonla.canbo").get("/clusters/cum-2/2020/results/").content.decode()
    assert "Xếp hạng" in page
    assert "Hà Giang" in page
    assert "bỏ một điểm cao nhất và một điểm thấp nhất" in page
    # the ranking's columns name their criteria group and its maximum, not "I /20"
    assert "I. Công tác lãnh đạo, chỉ đạo, tổ chức phong trào thi đua<br>" in page
    assert "tối đa 20 điểm" in page
    response = client_for("sonla.canbo").get("/clusters/cum-2/2020/results/export.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    summary = workbook["Tổng hợp"]
    assert summary["A8"].value == "Xếp hạng"  # under the title block
    assert summary["A9"].value == 1
    assert summary["B9"].value == "Công an tỉnh Hà Giang"
    assert "Quy tắc" in workbook.sheetnames
    assert client_for("hanoi.canbo").get("/clusters/cum-2/2020/results/").status_code == 403


def test_agreement_workbook_round_trip(cycle, client_for, get_user):
    export = client_for("laocai.thuky").get("/clusters/cum-2/2020/agreement/export.xlsx")
    workbook = load_workbook(io.BytesIO(export.content))
    assert workbook["Tiêu chí"]["A4"].value == "I"
    targets = workbook["Chỉ tiêu giao"]
    row = next(r for r in range(4, targets.max_row + 1) if targets[f"A{r}"].value == "son-la")
    targets[f"C{row}"] = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    client = client_for("laocai.thuky")
    response = client.post(
        "/clusters/cum-2/2021/agreement/import/", {"file": io.BytesIO(buffer.getvalue())}
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get(cycle=cycle("cum-2", 2021))
    assert agreement.criteria.count() == len(TABLE)
    assert selectors.targets_of(agreement)[("son-la", "II.1")] == 80
    targets[f"C{row}"] = "tám mươi"
    workbook["Tiêu chí"]["E5"] = "nhiều"
    buffer = io.BytesIO()
    workbook.save(buffer)
    page = client.post(
        "/clusters/cum-2/2021/agreement/import/",
        {"file": io.BytesIO(buffer.getvalue())},
        follow=True,
    )
    text = page.content.decode()
    assert "Trang “Tiêu chí”, hàng 5, cột E (ô E5)" in text
    assert f"Trang “Chỉ tiêu giao”, hàng {row}, cột C" in text
    assert selectors.targets_of(agreement)[("son-la", "II.1")] == 80  # nothing changed


def _cluster_with(size: int, criteria: int) -> str:
    cycle, units = in_scoring("s", size, criteria)
    for target in units:
        for scorer in units:
            services.save_sheet(
                actor=SYSTEM,
                cycle=cycle,
                scorer=scorer,
                target=target,
                scores={f"A.{n}": Decimal(5) for n in range(criteria)},
                submit=True,
            )
    return cycle.cluster.code


def test_results_page_queries_do_not_grow(client_for, django_assert_max_num_queries):
    client = client_for("admin")
    small = _cluster_with(3, 2)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/clusters/{small}/2021/results/").status_code == 200
    large = _cluster_with(9, 12)
    with django_assert_max_num_queries(len(queries)):
        page = client.get(f"/clusters/{large}/2021/results/")
    assert page.content.decode().count(f'href="/clusters/{large}/2021/results/s9-') == 9
    # one unit's details: as many queries at 9 units × 12 criteria as at 3 × 2
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/clusters/{small}/2021/results/s3-1/").status_code == 200
    with django_assert_max_num_queries(len(queries)):
        page = client.get(f"/clusters/{large}/2021/results/s9-1/")
    assert page.content.decode().count("A.11. ") == 1
    assert client.get(f"/clusters/{large}/2021/results/s3-1/").status_code == 404


def test_sheet_and_facts_pages_queries_do_not_grow(client_for, django_assert_max_num_queries):
    """The stored sheet, its scores and the recorded facts are one read each (selectors)."""
    client = client_for("admin")
    small, large = _cluster_with(3, 2), _cluster_with(9, 12)
    for page in ("scoring/s3-0/s3-1/", "scoring/facts/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/clusters/{small}/2021/{page}").status_code == 200
        with django_assert_max_num_queries(len(queries)):
            grown = page.replace("s3-", "s9-")
            assert client.get(f"/clusters/{large}/2021/{grown}").status_code == 200


def test_rules_and_teams_form(cycle, client_for, get_user):
    current = cycle("cum-2", 2021)
    services.copy_agreement(
        actor=get_user("laocai.thuky"), cycle=current, source=cycle("cum-2", 2020)
    )
    data = {
        "declared_total": "100",
        "aggregation": "median",
        "step": "0,5",
        "tie_break": ["section:II", ""],
        "bands": "90 Xuất sắc; 0 Khá",
        "gap_threshold": "5",
        "assignment": "teams",
        "team_son-la_lai-chau": "1",
        "team_son-la_dien-bien": "1",
    }
    assert (
        client_for("sonla.canbo").post("/clusters/cum-2/2021/agreement/rules/", data).status_code
        == 403
    )
    assert (
        client_for("laocai.thuky").post("/clusters/cum-2/2021/agreement/rules/", data).status_code
        == 302
    )
    agreement = Agreement.objects.get(cycle=current)
    rules = selectors.rules_of(agreement)
    assert (rules.aggregation, rules.step, rules.tie_breaks) == (
        "median",
        Decimal("0.5"),
        ("section:II",),
    )
    assert [(b.minimum, b.label) for b in rules.bands] == [(90, "Xuất sắc"), (0, "Khá")]
    page = client_for("laocai.thuky").get("/clusters/cum-2/2021/agreement/").content.decode()
    assert '<option value="section:II" selected>điểm mục II – Kết quả thực hiện nhiệm vụ' in page
    assert "<dd>điểm mục II</dd>" in page
    for unknown in (["section:IX"], ["first_places", "first_places"]):
        refused = client_for("laocai.thuky").post(
            "/clusters/cum-2/2021/agreement/rules/", {**data, "tie_break": unknown}, follow=True
        )
        assert "Tiêu chí phụ khi bằng điểm" in refused.content.decode()
        assert selectors.rules_of(Agreement.objects.get(cycle=current)).tie_breaks == (
            "section:II",
        )
    assignment = selectors.assignment(agreement, list(current.members.all()))
    assert sorted(assignment["son-la"]) == ["dien-bien", "lai-chau"]
    assert assignment["cao-bang"] == []
    checklist = {p.code for p in selectors.checklist(agreement, list(current.members.all()))}
    assert checklist == {"no_scorers"}


def test_the_sheet_checks_each_score_as_it_is_typed(scoring_2021, client_for):
    """The live preview (HTMX) names the problem beside its field and sums each section;
    nothing is saved."""
    from thidua.scoring.models import ScoreSheet

    url = "/clusters/cum-2/2021/scoring/son-la/ha-giang/preview/"
    response = client_for("sonla.canbo").post(
        url, {"s_I.1": "5,25", "s_I.2": "6,3", "s_I.3": "abc", "s_II.3": "9"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="err-I-1" hx-swap-oob="true" class="error small" role="status"></div>' in page
    assert "chia hết cho bước 0,25" in page.split('id="err-I-2"')[1].split("</div>")[0]
    assert "abc" in page.split('id="err-I-3"')[1].split("</div>")[0]
    assert "phải từ 0 đến 8" in page.split('id="err-II-3"')[1].split("</div>")[0]
    # only valid scores count: 6,3 (off the step) is not in section I's subtotal
    assert '<span id="sum-I" hx-swap-oob="true">5,25</span>' in page
    assert '<span id="sum-II" hx-swap-oob="true">0,00</span>' in page  # 9 > 8
    assert 'id="sum-V"' not in page  # V (bonus/penalty) is no section: no subtotal on the page
    assert not ScoreSheet.objects.filter(cycle=scoring_2021, scorer__code="son-la").exists()


def test_only_the_scorer_unit_previews_its_sheet(scoring_2021, client_for):
    url = "/clusters/cum-2/2021/scoring/son-la/ha-giang/preview/"
    assert client_for("laocai.canbo").post(url, {"s_I.1": "5"}).status_code == 403


def test_section_subtotals_sum_what_was_given():
    from decimal import Decimal as D

    from thidua.core.scoring import Criterion, Kind, Table, sheet_subtotals

    table = Table(
        [
            Criterion("I", "Mục I", Kind.SECTION, D(20)),
            Criterion("I.1", "a", Kind.PEER, D(10), parent="I"),
            Criterion("I.1.a", "b", Kind.PEER, D(5), parent="I.1"),
            Criterion("II", "Mục II", Kind.SECTION, D(10)),
        ]
    )
    assert sheet_subtotals({"I.1.a": D("2.5"), "I.1": D(3)}, table) == {"I": D("5.5"), "II": 0}


def test_automatic_criteria_read_submitted_reports_only(cycle):
    """A report sent back for correction is the unit's work in progress: the automatic
    criteria do not use it (as the cluster table and `thidua verify` do not)."""
    from thidua.org import selectors as org_selectors
    from thidua.stats.models import Report

    year = cycle("cum-2", 2020)
    agreement = Agreement.objects.get(cycle=year)
    members = org_selectors.member_units(year)
    table = selectors.table_of(selectors.criteria_of(agreement))
    before = selectors.facts_of(year, agreement, table, members)
    assert ("ha-giang", "II.1") in before.actual
    Report.objects.filter(unit__code="ha-giang", year=2020, period="Y").update(status="returned")
    after = selectors.facts_of(year, agreement, table, members)
    assert ("ha-giang", "II.1") not in after.actual
    assert after.actual[("son-la", "II.1")] == before.actual[("son-la", "II.1")]


def test_the_saved_sheet_names_every_refused_score_beside_it(scoring_2021, client_for):
    """Not a number, out of range, off the step: all listed at once, each beside its field,
    what was typed kept, the subtotals counting the valid scores only; nothing saved."""
    from thidua.scoring.models import ScoreSheet

    url = "/clusters/cum-2/2021/scoring/son-la/ha-giang/"
    response = client_for("sonla.canbo").post(
        url, {"s_I.1": "5,25", "s_I.2": "6,3", "s_I.3": "abc", "s_II.3": "9", "action": "save"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    alert = page.split('class="errors" role="alert"')[1].split("</div>")[0]
    assert alert.count("<li>") == 3
    for code in ("I.2", "I.3", "II.3"):
        assert f"<li>{code}: " in alert
    assert "chia hết cho bước 0,25" in page.split('id="err-I-2"')[1].split("</div>")[0]
    assert "phải từ 0 đến 8" in page.split('id="err-II-3"')[1].split("</div>")[0]
    assert page.split('id="err-I-1"')[1].split("</div>")[0].endswith('role="status">')
    assert page.count('aria-invalid="true"') == 3
    assert 'name="s_I.3" class="num" inputmode="decimal" value="abc"' in page
    assert '<span id="sum-I">5,25</span>' in page
    assert "Tổng điểm chấm chéo đã cho" in page
    assert '<strong id="sum-given">5,25</strong>' in page
    assert "theo bước 0,25 (ví dụ 7,25)" in page
    assert "<title>Phiếu chấm – Hà Giang" in page
    assert "<script" not in page.split("</title>")[0]
    assert not ScoreSheet.objects.filter(cycle=scoring_2021, scorer__code="son-la").exists()


def test_automatic_points_are_the_results_without_reading_the_sheets(cycle):
    """The sheet page's automatic points (statistics, recorded facts) are what the full
    results give each unit: they never depended on the scores."""
    current = cycle("cum-2", 2020)
    found = selectors.results(current)
    automatic = [c.code for c in found.table.leaves if not c.judged]
    assert automatic  # the demo's table has criteria computed from the statistics
    agreement = selectors.agreement_of(current)
    table = selectors.table_of(selectors.criteria_of(agreement))
    for unit, result in found.standings:
        expected = {code: result.criteria[code] for code in automatic}
        assert selectors.automatic_points(current, unit, agreement, table) == expected
    assert any(
        item.points
        for _unit, result in found.standings
        for item in (result.criteria[code] for code in automatic)
    )


def test_each_criterion_names_its_section_without_a_query(cycle, django_assert_num_queries):
    """`criteria_of` gives each criterion its section as the very row read with it (pages,
    exports and documents write `parent.code` for each of 60 criteria)."""
    criteria = selectors.criteria_of(selectors.agreement_of(cycle("cum-2", 2020)))
    by_pk = {criterion.pk: criterion for criterion in criteria}
    with django_assert_num_queries(0):
        parents = [(criterion, criterion.parent) for criterion in criteria]
    assert any(parent is not None for _criterion, parent in parents)
    for criterion, parent in parents:
        assert parent is by_pk.get(criterion.parent_id)
        assert criterion.depth == (0 if parent is None else parent.depth + 1)
