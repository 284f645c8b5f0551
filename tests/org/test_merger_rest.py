"""What a merger during the year leaves to the rest of the cycle (the demo's Cụm II 2025,
signed by seven units, held by fewer after 1 July 2025), over HTTP."""

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.documents.conftest import all_text, read_docx
from tests.org.merging import MERGER_URL, account, event_forming
from thidua.audit import clock
from thidua.audit.models import AuditEntry
from thidua.core import record as core_record
from thidua.core import verify as core_verify
from thidua.core.indicators import Period
from thidua.core.phases import Phase
from thidua.core.record import AuditAction
from thidua.org import selectors as org_selectors
from thidua.org import services
from thidua.org.authz import SYSTEM
from thidua.org.models import (
    Cluster,
    Membership,
    Unit,
    User,
    UserKind,
)
from thidua.record.export import export
from thidua.scoring import selectors as scoring_selectors
from thidua.scoring import services as scoring_services
from thidua.scoring.demo import TABLE
from thidua.scoring.models import Criterion, Explanation
from thidua.stats import services as stats_services
from thidua.stats.models import Report
from thidua.voting.models import Conference

pytestmark = pytest.mark.django_db

H1_TABLE = "/clusters/cum-2/2025/stats/?period=H1"


def test_the_first_half_shows_the_merged_units_report_on_the_new_units_row(
    year_2025, client_for, api_as
):
    """Hà Giang submitted its H1 2025 report on 30 June and merged into Tuyên Quang on
    1 July: the H1 table shows it on the new unit's row, named as Hà Giang's, and counts it."""
    page = client_for("caobang.thuky").get(H1_TABLE).content.decode()
    assert "số liệu kỳ này là của đơn vị trước sáp nhập: Hà Giang" in page
    table = api_as("caobang.thuky").get("/api/cycles/cum-2/2025/stats?period=H1").json()
    rows = {row["unit"]: row for row in table["rows"]}
    assert "ha-giang" not in rows  # not a member any more
    row = rows["tuyen-quang-2025"]
    assert row["predecessors"] == ["Hà Giang"]
    assert row["status"] == "submitted"
    assert row["cells"]["social_order_cases"]["value"] == "181"
    # the only H1 report of the cycle: the cluster's H1 total is Hà Giang's
    assert table["total"]["cells"]["social_order_cases"]["value"] == "181"
    # the new Lào Cai (Lào Cai + Yên Bái) has no H1 report: nothing is invented for it
    assert rows["lao-cai-2025"]["predecessors"] == []
    assert rows["lao-cai-2025"]["status"] is None
    xlsx = client_for("caobang.thuky").get("/clusters/cum-2/2025/stats/export.xlsx?period=H1")
    notes = load_workbook(io.BytesIO(xlsx.content))["Cảnh báo"]
    lines = [notes.cell(row, 2).value for row in range(1, notes.max_row + 1)]
    assert "Số liệu kỳ này là của đơn vị trước sáp nhập: Hà Giang." in lines
    # the whole year is the new unit's own: its draft, moved by the merger, no predecessor
    year = api_as("caobang.thuky").get("/api/cycles/cum-2/2025/stats").json()
    assert {row["unit"]: row["predecessors"] for row in year["rows"]}["tuyen-quang-2025"] == []


def test_the_new_unit_cannot_report_a_period_that_ended_before_it_was_formed(year_2025, client_for):
    """The first half of 2025 is Hà Giang's (and the old Tuyên Quang's): the new Tuyên
    Quang, formed on 1 July, cannot file its own, which would stand beside theirs."""
    response = client_for("hagiang25.thuky").post(
        "/clusters/cum-2/2025/stats/tuyen-quang-2025/",
        {"period": "H1", "v_social_order_cases": "12", "action": "save"},
    )
    assert response.status_code == 400
    assert "kết thúc trước ngày Công an tỉnh Tuyên Quang được thành lập (01/07/2025)" in (
        response.content.decode()
    )
    assert not Report.objects.filter(unit__code="tuyen-quang-2025", period="H1").exists()


# --- targets and explanations of the merged units -----------------------------------------


@pytest.fixture
def merging(units):
    """A 2025 cycle of Bắc Kạn, Thái Nguyên (which merge on 1 July 2025 into the new Thái
    Nguyên), Cao Bằng (the leader) and Lạng Sơn, with the demo's criteria table and targets:
    II.1 75 % for everyone, II.2 90 % but 85 % for Thái Nguyên; and Bắc Kạn's secretary."""
    cycle = services.create_cycle(
        actor=SYSTEM,
        cluster=Cluster.objects.create(code="cum-thu", name="Cụm thử"),
        year=2025,
        members=[units[code] for code in ("bac-kan", "thai-nguyen", "cao-bang", "lang-son")],
        leader=units["cao-bang"],
    )
    scoring_services.replace_table(actor=SYSTEM, cycle=cycle, criteria=TABLE)
    targets = {}
    for code in ("bac-kan", "thai-nguyen", "cao-bang", "lang-son"):
        targets[(code, "II.1")] = Decimal(75)
        targets[(code, "II.2")] = Decimal(85 if code == "thai-nguyen" else 90)
    scoring_services.set_targets(actor=SYSTEM, cycle=cycle, targets=targets)
    account("backan25.thuky", UserKind.SECRETARY, units["bac-kan"])
    for code in ("bac-kan", "thai-nguyen", "thai-nguyen-2025", "lang-son", "cao-bang"):
        if not units[code].head_name:  # the papers each head signs need the names
            Unit.objects.filter(code=code).update(head_name=f"Thủ trưởng {code}")
    return cycle


def _merge(client_for):
    secretary = User.objects.get(username="backan25.thuky")
    return client_for("admin").post(
        MERGER_URL, {"event": event_forming("thai-nguyen-2025").pk, "move": [secretary.pk]}
    )


def test_the_new_unit_is_scored_against_the_targets_its_predecessors_signed(merging, client_for):
    """Both predecessors signed 75 % on II.1: the new Thái Nguyên's target is 75 %; on II.2
    they signed 90 % and 85 %: no rule combines two rates, so it has none, and its row says
    why. The signed agreement is unchanged (its confirmations' digest stays valid)."""
    agreement = scoring_selectors.agreement_of(merging)
    digest = scoring_selectors.agreement_digest(agreement)
    assert _merge(client_for).status_code == 302
    page = client_for("admin").get("/clusters/cum-thu/2025/agreement/").content.decode()
    assert "theo chỉ tiêu đã ký của đơn vị trước sáp nhập: Bắc Kạn 75 + Thái Nguyên 75" in page
    assert (
        "không suy ra được từ chỉ tiêu đã ký của đơn vị trước sáp nhập: Bắc Kạn 90 + Thái "
        "Nguyên 85" in page
    )
    agreement = scoring_selectors.agreement_of(merging)
    assert scoring_selectors.agreement_digest(agreement) == digest
    members = org_selectors.member_units(merging)
    table = scoring_selectors.table_of(scoring_selectors.criteria_of(agreement))
    facts = scoring_selectors.facts_of(merging, agreement, table, members)
    assert facts.targets[("thai-nguyen-2025", "II.1")] == Decimal(75)
    assert ("thai-nguyen-2025", "II.2") not in facts.targets
    entry = AuditEntry.objects.get(action=AuditAction.CYCLE_MERGE, chain="cum-thu/2025")
    assert (
        "chỉ tiêu II.1 của thai-nguyen-2025: 75 (đã ký: Bắc Kạn 75 + Thái Nguyên 75)"
        in (entry.after["work_moved"])
    )


def test_a_pending_explanation_of_a_merged_unit_refuses_the_merger(merging, client_for, units):
    """An explanation is about a submitted sheet, which stays with its unit: one still
    pending must be concluded before the merger; nothing changes meanwhile."""
    criterion = Criterion.objects.get(agreement__cycle=merging, code="I.1")
    explanation = Explanation.objects.create(
        cycle=merging,
        unit=units["bac-kan"],
        reviewer=units["lang-son"],
        criterion=criterion,
        text="Đã có kế hoạch số 12/KH",
    )
    before = sorted(Membership.objects.filter(cycle=merging).values_list("unit__code", flat=True))
    response = _merge(client_for)
    assert response.status_code == 400
    assert (
        "Giải trình của Công an tỉnh Bắc Kạn về tiêu chí I.1 (điểm của Công an tỉnh Lạng Sơn) "
        "chưa kết luận" in response.content.decode()
    )
    after = sorted(Membership.objects.filter(cycle=merging).values_list("unit__code", flat=True))
    assert after == before
    # concluded, it stays with Bắc Kạn as the year's history, and the merger goes through
    Explanation.objects.filter(pk=explanation.pk).update(state=Explanation.State.ACCEPTED)
    assert _merge(client_for).status_code == 302
    assert Explanation.objects.get(pk=explanation.pk).unit.code == "bac-kan"


def test_the_demo_shows_the_targets_kept_with_the_units_that_signed_them(year_2025, client_for):
    """Hà Giang signed 75 % on II.1; the old Tuyên Quang, not a member, signed nothing: the
    new Tuyên Quang gets no target, and its row shows Hà Giang's."""
    page = client_for("caobang.thuky").get("/clusters/cum-2/2025/agreement/").content.decode()
    assert (
        "không suy ra được từ chỉ tiêu đã ký của đơn vị trước sáp nhập: Hà Giang 75 + Tuyên "
        "Quang –" in page
    )


def test_a_leader_and_deputy_merging_into_one_unit_is_refused(merging, client_for, units):
    """The new unit takes over a merged leader's or deputy's role, but cannot be both: with
    Bắc Kạn leading and Thái Nguyên its deputy, the merger waits for a new deputy."""
    merging.leader, merging.deputy = units["bac-kan"], units["thai-nguyen"]
    merging.save()
    response = _merge(client_for)
    assert response.status_code == 400
    assert (
        "Công an tỉnh Thái Nguyên là cụm phó năm 2025 và bị sáp nhập: hãy ghi nhận cụm phó mới"
        in response.content.decode()
    )
    merging.refresh_from_db()
    assert (merging.leader.code, merging.deputy.code) == ("bac-kan", "thai-nguyen")
    assert Membership.objects.filter(cycle=merging, unit__code="bac-kan").exists()


# --- inspection teams -----------------------------------------------------------------------


def test_the_new_unit_takes_the_merged_units_places_in_the_inspection_teams(
    merging, client_for, units
):
    """Scored by inspection teams: Bắc Kạn and Thái Nguyên were inspected and inspected
    others. After the merger the new Thái Nguyên is inspected by their scorers together, and
    scores where they scored, never itself (Thái Nguyên's place in Bắc Kạn's team is
    dropped): the scoring page expects its sheets, the merger's audit entry lists the places,
    and the signed teams are not rewritten (the confirmations' digest stays valid)."""
    scoring_services.set_rules(
        actor=SYSTEM,
        cycle=merging,
        rules={},
        declared_total=Decimal(100),
        assignment="teams",
        teams={
            "bac-kan": ["cao-bang", "thai-nguyen"],
            "thai-nguyen": ["lang-son"],
            "cao-bang": ["bac-kan", "lang-son"],
            "lang-son": ["thai-nguyen", "cao-bang"],
        },
    )
    digest = scoring_selectors.agreement_digest(scoring_selectors.agreement_of(merging))
    assert _merge(client_for).status_code == 302
    agreement = scoring_selectors.agreement_of(merging)
    assert scoring_selectors.agreement_digest(agreement) == digest
    assigned = scoring_selectors.assignment(agreement, org_selectors.member_units(merging))
    assert {target: sorted(scorers) for target, scorers in assigned.items()} == {
        "thai-nguyen-2025": ["cao-bang", "lang-son"],
        "cao-bang": ["lang-son", "thai-nguyen-2025"],
        "lang-son": ["cao-bang", "thai-nguyen-2025"],
    }
    # the new unit's secretary (Bắc Kạn's, moved) sees the sheets it gives
    page = client_for("backan25.thuky").get("/clusters/cum-thu/2025/scoring/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tiến độ nộp phiếu: 0/9" in text  # 3 self-assessments and 6 peer sheets
    mine = text.split("Phiếu của đơn vị tôi")[1].split("</section>")[0]
    assert "Chấm Công an tỉnh Cao Bằng" in mine
    assert "Chấm Công an tỉnh Lạng Sơn" in mine
    assert "Tự chấm" in mine
    # the record carries the same assignment as the app scores with
    record = export(merging)
    assert sorted(record.agreement.assignment["thai-nguyen-2025"]) == ["cao-bang", "lang-son"]
    entry = AuditEntry.objects.get(action=AuditAction.CYCLE_MERGE, chain="cum-thu/2025")
    work = entry.after["work_moved"]
    assert (
        "đoàn kiểm tra chấm thai-nguyen-2025: cao-bang, lang-son (đã ký: bac-kan: cao-bang, "
        "thai-nguyen; thai-nguyen: lang-son)" in work
    )
    assert "thai-nguyen-2025 chấm cao-bang (thay bac-kan)" in work
    assert "thai-nguyen-2025 chấm lang-son (thay thai-nguyen)" in work
    assert (
        "thai-nguyen-2025 không tự chấm mình: bỏ chỗ của thai-nguyen trong đoàn chấm bac-kan"
        in work
    )


# --- signed by some, held by fewer ---------------------------------------------------------


def _signed_then_merged(cycle, client_for, units):
    """`merging`'s agreement confirmed by its four directors and signed on 3 March 2025, the
    merger applied, reporting open and Cao Bằng's year report submitted."""
    with clock.dated(datetime(2025, 3, 3, 2, 0, tzinfo=UTC)):
        for unit in cycle.members.all():
            scoring_services.confirm_agreement(actor=SYSTEM, cycle=cycle, unit=unit)
        scoring_services.sign_agreement(actor=SYSTEM, cycle=cycle)
    cycle.refresh_from_db()
    cycle = services.close_phase(actor=SYSTEM, cycle=cycle, phase=Phase.AGREEMENT)
    cycle = services.open_phase(actor=SYSTEM, cycle=cycle, phase=Phase.REPORTING)
    assert _merge(client_for).status_code == 302
    stats_services.save_report(
        actor=SYSTEM,
        cycle=cycle,
        unit=units["cao-bang"],
        period=Period.YEAR,
        figures={"social_order_cases": Decimal(300)},
        submit=True,
    )
    return cycle


def test_signed_by_four_held_by_three(merging, client_for, units):
    """Bắc Kạn and Thái Nguyên signed, then merged: the agreement, its page and its document
    keep the four signers (none stale, the new unit not among them); the members now are
    three, and the year-end report says both counts and how the new unit came."""
    _signed_then_merged(merging, client_for, units)
    admin = client_for("admin")
    page = admin.get("/clusters/cum-thu/2025/agreement/").content.decode()
    section = page.split('id="confirmations"')[1].split("</section>")[0]
    for name in ("Bắc Kạn", "Thái Nguyên", "Cao Bằng", "Lạng Sơn"):
        assert name in section
    state = scoring_services.agreement_signed(merging)
    assert state == []  # the guard reads the signers, not the new unit that never confirmed
    document = read_docx(admin.get("/clusters/cum-thu/2025/documents/agreement/draft/").content)
    text = all_text(document)
    assert "gồm 4 (bốn) đơn vị: Công an tỉnh Bắc Kạn, Công an tỉnh Cao Bằng" in text
    report = admin.get("/clusters/cum-thu/2025/documents/year-end-report/draft/")
    text = all_text(read_docx(report.content))
    assert (
        "Giao ước thi đua năm 2025 do 4 (bốn) đơn vị ký kết; sau sắp xếp, sáp nhập đơn vị "
        "trong năm (Thái Nguyên: Hình thành ngày 01/07/2025 từ Bắc Kạn, Thái Nguyên), 3 (ba) "
        "đơn vị tham gia chấm điểm và bình xét thi đua: Cao Bằng, Lạng Sơn, Thái Nguyên." in text
    )


def test_the_record_scores_the_new_unit_against_its_inherited_target(merging, client_for, units):
    """The new Thái Nguyên reports 60 % on II.1, below the 75 % its predecessors signed:
    `thidua verify` recomputes its points from the record with the same inherited target
    (without it, alone among units with no target, it would get the full 12 points)."""
    cycle = _signed_then_merged(merging, client_for, units)
    stats_services.save_report(
        actor=SYSTEM,
        cycle=cycle,
        unit=units["thai-nguyen-2025"],
        period=Period.YEAR,
        figures={"social_order_cases": Decimal(100), "social_order_solved": Decimal(60)},
        submit=True,
    )
    record = export(cycle)
    mine = next(s for s in record.scoring.ranking if s.unit == "thai-nguyen-2025")
    recomputed = next(s for s in core_verify.ranking(record) if s.unit == "thai-nguyen-2025")
    assert mine.points["II.1"] == recomputed.points["II.1"] == Decimal("4.8")  # 0,5 × 12 × 60/75
    assert core_verify.verify(core_record.to_json(record)) == []


def test_the_demo_2025_agreement_keeps_its_seven_signers(year_2025, client_for):
    """Cụm II 2025: the agreement's document lists the seven units that signed it (Hà Giang
    and the old Lào Cai among them), not the units holding the year after 1 July."""
    document = client_for("caobang.thuky").get("/clusters/cum-2/2025/documents/agreement/draft/")
    assert document.status_code == 200
    text = all_text(read_docx(document.content))
    assert "gồm 7 (bảy) đơn vị: Công an tỉnh Cao Bằng" in text
    assert "Công an tỉnh Hà Giang" in text
    assert "Công an tỉnh Tuyên Quang" not in text


def test_the_demo_2025_conference_minutes_say_who_signed_and_who_took_part(year_2025, client_for):
    """The conference minutes of Cụm II 2025 say, as the year-end report does, how many
    units signed the agreement, how the merged units came, and how many took part."""
    Conference.objects.create(
        cycle=year_2025, chair_name="Nguyễn Văn Chủ Trì", secretary_name="Trần Thị Thư Ký"
    )
    secretary = client_for("caobang.thuky")
    minutes = secretary.get("/clusters/cum-2/2025/documents/conference-minutes/draft/")
    assert minutes.status_code == 200
    text = all_text(read_docx(minutes.content))
    sentence = (
        "Giao ước thi đua năm 2025 do 7 (bảy) đơn vị ký kết; sau sắp xếp, sáp nhập đơn vị "
        "trong năm (Tuyên Quang: Hình thành ngày 01/07/2025 từ Hà Giang, Tuyên Quang (ngoài "
        "cụm); Lào Cai: Hình thành ngày 01/07/2025 từ Lào Cai, Yên Bái (ngoài cụm)), 7 (bảy) "
        "đơn vị tham gia chấm điểm và bình xét thi đua: Cao Bằng, Điện Biên, Lai Châu, Lạng "
        "Sơn, Lào Cai, Sơn La, Tuyên Quang."
    )
    lines = text.splitlines()
    assert lines.count(sentence) == 1
    # in the opening, before the proceedings
    assert lines.index(sentence) < lines.index("II. NỘI DUNG HỘI NGHỊ")
    report = secretary.get("/clusters/cum-2/2025/documents/year-end-report/draft/")
    assert sentence in all_text(read_docx(report.content)).splitlines()
