"""The achievement report (báo cáo thành tích) of each nominee: the decree template's sections
drafted from the data (figures beside last year, score and rank, the vote, the register's
titles, a year without data said to be unknown), signed by the unit's head and certified for
the cluster — by the deputy when the nominee is the leader itself; the unit's own paper, so
the cluster's register never numbers it."""

import datetime

import pytest

from tests.documents.conftest import all_text, read_docx, table_rows
from thidua.documents import builders
from thidua.documents.models import IssuedDocument
from thidua.org.models import Unit
from thidua.scoring.excel import ROUNDING_NOTE

pytestmark = pytest.mark.django_db

KEY = "achievement-co-chinh-phu-ha-giang"  # Hà Giang, the demo's Government-flag nominee


def _report(cycle):
    plan = {p.key: p for p in builders.plans(cycle)}[KEY]
    assert plan.ready, plan.missing
    return read_docx(plan.build().content)


def test_each_nominee_has_a_report_in_the_templates_sections(demo_cycle):
    text = all_text(_report(demo_cycle))
    sections = [
        "BÁO CÁO THÀNH TÍCH",
        "Đề nghị tặng Cờ thi đua của Chính phủ năm 2020",
        "Tên tập thể đề nghị: Công an tỉnh Hà Giang.",
        "I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH",
        "1. Đặc điểm, tình hình",
        "2. Chức năng, nhiệm vụ",
        "II. THÀNH TÍCH ĐẠT ĐƯỢC",
        "1. Kết quả thực hiện nhiệm vụ năm 2020:",
        "a) Các chỉ tiêu công tác (so với năm 2019):",
        "b) Kết quả chấm điểm thi đua theo giao ước",
        "c) Kết quả bình xét",
        "2. Những biện pháp hoặc nguyên nhân đạt được thành tích",
        "3. Việc thực hiện chủ trương, đường lối của Đảng",
        "III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG",
        "1. Danh hiệu thi đua:",
        "2. Hình thức khen thưởng:",
    ]
    places = [text.index(line) for line in sections]
    assert places == sorted(places)
    assert "là đơn vị cụm trưởng của Cụm thi đua số II – Bộ Công an" in text
    # the seed's figures for Hà Giang, beside 2019, in Vietnamese formats
    assert "Số vụ phạm tội về trật tự xã hội (vụ)\n353\n439\ngiảm 19,6%" in text
    assert "Tỷ lệ điều tra, khám phá (%)\n78,2%\n76,1%\ntăng 2,1 điểm phần trăm" in text
    assert "94,38 điểm, xếp thứ 1/7 đơn vị của cụm" in text
    # the sections' points are rounded for print, the total is not summed from them
    assert ROUNDING_NOTE in text
    assert "đề nghị tặng Cờ thi đua của Chính phủ năm 2020 với 20/21 phiếu (95,2%)" in text
    # the measures: from the data, the movement and the signed agreement; the unit adds its own
    assert (
        "đơn vị thực hiện phong trào thi đua “Vì an ninh Tổ quốc” theo Giao ước thi đua năm "
        "2020 của Cụm thi đua số II – Bộ Công an."
    ) in text
    # the register: a proposal is not an award, a year it has nothing on is not printed
    document = _report(demo_cycle)
    assert not [t for t in document.tables if table_rows(t)[0][1:2] == ["Danh hiệu thi đua"]]
    assert (
        "(Đơn vị ghi các danh hiệu thi đua đã được tặng trong 5 năm gần đây; sổ danh hiệu của "
        "cụm không có danh hiệu nào của đơn vị.)" in text
    )
    assert "không được tặng" not in text


def test_the_history_prints_the_awards_of_the_register_not_its_proposals(demo_cycle):
    from thidua.org.models import Decision, TitleRecord, TitleState

    proposed = TitleRecord.objects.get(unit__code="ha-giang", year=2018)
    assert proposed.state == TitleState.PROPOSED
    proposed.state = TitleState.AWARDED
    proposed.decision = Decision.objects.create(
        number="123/QĐ-BCA", signed_on=datetime.date(2019, 1, 20), issuer="Bộ Công an"
    )
    proposed.save()
    document = _report(demo_cycle)
    text = all_text(document)
    rows = next(
        table_rows(t) for t in document.tables if table_rows(t)[0][1:2] == ["Danh hiệu thi đua"]
    )
    assert rows == [
        ["Năm", "Danh hiệu thi đua", "Số, ngày, tháng, năm của quyết định; cơ quan ban hành"],
        [
            "2018",
            "Cờ thi đua của Bộ Công an",
            "Quyết định số 123/QĐ-BCA ngày 20/01/2019 của Bộ Công an",
        ],
    ]  # 2019 and the 2017 proposal of another unit are not printed
    assert "sổ danh hiệu của cụm không có" not in text


def test_the_unit_signs_and_the_deputy_certifies_the_leaders_own_report(demo_cycle):
    document = _report(demo_cycle)
    signatures = document.tables[-1].rows[0].cells
    certifier, head = (cell.text.replace("\u00a0", " ").splitlines() for cell in signatures)
    deputy = demo_cycle.deputy
    assert certifier[:3] == [
        "XÁC NHẬN CỦA CẤP TRÌNH KHEN THƯỞNG",
        "TM. CỤM THI ĐUA SỐ II",
        f"CỤM PHÓ – {deputy.head_title.upper()} {deputy.name.upper()}",
    ]
    assert certifier[-1].endswith(deputy.head_name)
    assert head[:2] == ["THỦ TRƯỞNG ĐƠN VỊ", "GIÁM ĐỐC CÔNG AN TỈNH HÀ GIANG"]
    # no number line: the unit enters it in its own register
    assert not document.tables[0].rows[1].cells[0].text.strip()


def test_the_proposal_and_the_letter_list_the_reports_that_go_with_them(demo_cycle):
    plans = {p.key: p for p in builders.plans(demo_cycle)}
    proposal = all_text(read_docx(plans["proposal-co-chinh-phu"].build().content))
    assert "Báo cáo thành tích của Công an tỉnh Hà Giang." in proposal
    letter = all_text(read_docx(plans["covering-letter"].build().content))
    assert "Báo cáo thành tích của Công an tỉnh Hà Giang." in letter


def test_the_cluster_never_numbers_a_units_report(demo_cycle, client_for):
    secretary = client_for("hagiang.thuky")
    response = secretary.post(f"/clusters/cum-2/2020/documents/{KEY}/issue/")
    assert response.status_code == 409
    assert "cụm không cấp số cho văn bản này" in response.content.decode()
    assert not IssuedDocument.objects.exists()
    page = secretary.get("/clusters/cum-2/2020/documents/").content.decode()
    assert "Bản dự thảo cho đơn vị: đơn vị hoàn thiện, ký và vào sổ văn bản của đơn vị." in page
    download = secretary.get(f"/clusters/cum-2/2020/documents/{KEY}/file/")
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith(
        'bao-cao-thanh-tich-ha-giang-co-chinh-phu-2020.docx"'
    )


def test_a_report_waits_for_the_heads_names(demo_cycle):
    Unit.objects.filter(pk=demo_cycle.deputy_id).update(head_name="")
    plan = {p.key: p for p in builders.plans(demo_cycle)}[KEY]
    assert not plan.ready
    assert plan.missing == [
        f"Chưa có họ tên thủ trưởng của: {demo_cycle.deputy.short_name} (hồ sơ đơn vị)."
    ]


def test_the_record_carries_no_digest_of_a_report_it_cannot_reproduce(demo_cycle):
    from thidua.record.export import export

    keys = {document.key for document in export(demo_cycle).documents}
    assert "proposal-co-chinh-phu" in keys  # every line of it comes from the record
    assert KEY not in keys  # it reads the register's other years, which the record has not


def test_the_deputys_report_says_it_is_the_deputy(demo_cycle, ministry_counted):
    """Lào Cai, the demo's cụm phó in 2020 and a Ministry-flag nominee."""
    deputy = demo_cycle.deputy
    plan = next(
        p
        for p in builders.plans(demo_cycle)
        if p.key.startswith("achievement-co-bo-cong-an-") and p.key.endswith(deputy.code)
    )
    text = all_text(read_docx(plan.build().content))
    assert (
        f"{deputy.name} là đơn vị cụm phó (cụm trưởng: {demo_cycle.leader.name}) của "
        "Cụm thi đua số II – Bộ Công an"
    ) in text
