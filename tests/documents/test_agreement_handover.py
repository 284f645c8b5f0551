"""The agreement every member's head signs, and the hand-over of the cluster's leadership."""

import pytest

from tests.documents.conftest import all_text, read_docx, table_rows
from thidua.core.numbers import format_number
from thidua.documents import builders
from thidua.org.models import Handover, Unit
from thidua.scoring import selectors as scoring_selectors

pytestmark = pytest.mark.django_db


def _plans(cycle):
    return {plan.key: plan for plan in builders.plans(cycle)}


def test_the_agreement_has_the_criteria_the_targets_and_every_heads_signature(demo_cycle):
    document = read_docx(_plans(demo_cycle)["agreement"].build().content)
    text = all_text(document)
    agreement = scoring_selectors.agreement_of(demo_cycle)
    criteria = scoring_selectors.criteria_of(agreement)
    table = table_rows(document.tables[1])
    assert table[0] == ["Mục", "Nội dung, tiêu chí", "Điểm tối đa"]
    assert table[1:-1] == [[c.code, c.name, format_number(c.max_points, 2)] for c in criteria]
    # the scale the maxima of I–IV add up to; V's bonus and penalty points are outside it
    assert table[-1] == [
        "",
        "Tổng cộng (điểm tối đa không kể điểm thưởng, điểm trừ của mục V)",
        format_number(agreement.declared_total, 2),
    ]
    targets = scoring_selectors.targets_of(agreement)
    lao_cai = next(row for row in table_rows(document.tables[2]) if row[0] == "Lào Cai")
    assert lao_cai[1] == format_number(targets["lao-cai", "II.1"]) + "%"  # a clearance rate
    assert "Căn cứ Nghị định số 91/2017/NĐ-CP" in text
    assert "gồm 7 (bảy) đơn vị" in text
    assert "không đơn vị nào chấm điểm cho chính mình" in text
    members = Unit.objects.filter(memberships__cycle=demo_cycle)
    for unit in members:
        signature = f"{unit.name.upper()}\nGIÁM ĐỐC\nĐại tá {unit.head_name}"
        assert signature in text
    # dated as the app recorded the signing, since it is of the year (the demo signs 02/03/2020)
    assert "Hà Giang, ngày 02 tháng 3 năm 2020" in text
    assert "Số:" in text
    assert "/GƯTĐ-CTĐ" in text


def test_the_agreement_lists_each_directors_confirmation(demo_cycle):
    """From what the record carries: the units whose director confirmed, the content's digest
    (who and when are in the audit log), so a restored year prints the same document."""
    agreement = scoring_selectors.agreement_of(demo_cycle)
    agreement.approved_by.remove(Unit.objects.get(code="son-la"))  # a reason was recorded
    document = read_docx(_plans(demo_cycle)["agreement"].build().content)
    digest = scoring_selectors.agreement_digest(agreement)
    code = " ".join(digest[i : i + 4].upper() for i in range(0, 16, 4))
    assert f"Mã kiểm chứng nội dung giao ước: {code}" in all_text(document)
    table = next(
        table_rows(t)
        for t in document.tables
        if table_rows(t)[0] == ["Đơn vị", "Xác nhận nội dung"]
    )
    assert len(table) == 8
    assert ["Lào Cai", "Đã xác nhận"] in table
    assert ["Sơn La", "Không xác nhận"] in table


def test_the_agreement_waits_for_every_heads_name(demo_cycle):
    Unit.objects.filter(code__in=["son-la", "lai-chau"]).update(head_name="")
    plan = _plans(demo_cycle)["agreement"]
    assert not plan.ready
    assert plan.missing == ["Chưa có họ tên thủ trưởng của: Lai Châu, Sơn La (hồ sơ đơn vị)."]


def test_the_handover_minutes_name_both_sides_the_vote_and_what_is_handed_over(demo_cycle):
    text = all_text(read_docx(_plans(demo_cycle)["handover-minutes"].build().content))
    giver, taker = Unit.objects.get(code="ha-giang"), Unit.objects.get(code="lao-cai")
    assert (
        "Công an tỉnh Hà Giang (cụm trưởng năm 2020) bàn giao nhiệm vụ cụm trưởng Cụm thi đua "
        "số II – Bộ Công an năm 2021 cho Công an tỉnh Lào Cai." in text
    )
    assert (
        f"Bên giao: Công an tỉnh Hà Giang, do đồng chí Đại tá {giver.head_name}, Giám đốc, làm "
        "đại diện." in text
    )
    assert f"Bên nhận: Công an tỉnh Lào Cai, do đồng chí Đại tá {taker.head_name}, Giám đốc" in (
        text
    )
    votes = demo_cycle.conference.polls.get(code="cum-truong-2021").result["votes"]["lao-cai"]
    assert f"Công an tỉnh Lào Cai trúng cử với {votes}/21 phiếu" in text
    assert "Cụm phó năm 2021: Công an tỉnh Sơn La." in text
    # as many papers as it says, and the copies to those its recipients name
    assert (
        "Biên bản được lập thành hai bản có giá trị như nhau, mỗi bên giữ một bản; bản sao gửi "
        "Bộ Công an và các đơn vị trong cụm." in text
    )
    handed = text[text.index("III. NỘI DUNG BÀN GIAO") :]
    assert "Biên bản hội nghị" in handed
    assert "Giao ước thi đua" in handed
    # the open Ministry-flag poll has no minutes yet: not listed as handed over
    assert "Bình xét Cờ thi đua của Bộ Công an" not in handed
    assert f"ĐẠI DIỆN BÊN GIAO\nGIÁM ĐỐC CÔNG AN TỈNH HÀ GIANG\nĐại tá {giver.head_name}" in text
    assert f"ĐẠI DIỆN BÊN NHẬN\nGIÁM ĐỐC CÔNG AN TỈNH LÀO CAI\nĐại tá {taker.head_name}" in text


def test_no_handover_minutes_before_the_handover(demo_cycle):
    Handover.objects.filter(from_cycle=demo_cycle).delete()
    plan = _plans(demo_cycle)["handover-minutes"]
    assert not plan.ready
    assert plan.missing == ["Chưa ghi nhận cụm trưởng năm sau."]


def test_the_agreement_prints_each_target_as_agreed(demo_cycle):
    """To its last decimal and with its unit (a rate's "%"); a target of 0 is none."""
    from thidua.scoring.models import Target

    agreement = scoring_selectors.agreement_of(demo_cycle)
    targets = Target.objects.filter(criterion__agreement=agreement, criterion__code="II.1")
    targets.filter(unit__code="lao-cai").update(value="75.5")
    targets.filter(unit__code="son-la").update(value=0)
    document = read_docx(_plans(demo_cycle)["agreement"].build().content)
    rows = {row[0]: row for row in table_rows(document.tables[2])}
    column = rows["Đơn vị"].index("II.1")
    assert rows["Lào Cai"][column] == "75,5%"
    assert rows["Sơn La"][column] == "—"


def test_the_handover_lists_the_papers_by_their_names_in_vietnamese_whoever_builds_it(
    demo_cycle, ministry_counted
):
    """The nominees' reports and the proposals by what they are (not by the polls' titles),
    grouped per title; and the same minutes, byte for byte, when built from a session in
    English (the names used to follow the reader's language into the paper)."""
    from django.utils import translation

    from thidua.core.record import document_digest

    built = _plans(demo_cycle)["handover-minutes"].build().content
    handed = all_text(read_docx(built)).split("III. NỘI DUNG BÀN GIAO")[1]
    assert "Báo cáo thành tích đề nghị tặng Cờ thi đua của Chính phủ năm 2020: Hà Giang;" in handed
    assert (
        "Báo cáo thành tích đề nghị tặng Cờ thi đua của Bộ Công an năm 2020: Lào Cai; Sơn La; "
        "Lạng Sơn;" in handed
    )
    assert (
        "Tờ trình đề nghị khen thưởng: Cờ thi đua của Chính phủ năm 2020; Cờ thi đua của Bộ "
        "Công an năm 2020;" in handed
    )
    with translation.override("en"):
        english = _plans(demo_cycle)["handover-minutes"].build().content
    assert document_digest(english) == document_digest(built)
