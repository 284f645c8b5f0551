"""The papers around the conference (issue 16): the invitation with its programme, the notice
of its conclusions, and the letter sending the year's proposals to the Ministry."""

import datetime

import pytest

from tests.documents.conftest import all_text, read_docx, table_rows
from thidua.core.numbers import format_number
from thidua.documents import builders
from thidua.org.models import Unit
from thidua.scoring import selectors as scoring_selectors
from thidua.voting.models import Conference, Delegate, Poll

pytestmark = pytest.mark.django_db

PLACEHOLDERS = ("...", "(Chưa có nội dung.)", "chưa ghi", "None")


def _plans(cycle):
    return {plan.key: plan for plan in builders.plans(cycle)}


def _read(cycle, key):
    return read_docx(_plans(cycle)[key].build().content)


def _kind_and_summary(document) -> list[str]:
    return [p.text.replace("\u00a0", " ") for p in document.paragraphs if p.text.strip()][:2]


def _number_line(document) -> str:
    return document.tables[0].rows[1].cells[0].paragraphs[0].text


def _no_placeholders(text: str) -> None:
    for placeholder in PLACEHOLDERS:
        assert placeholder not in text, placeholder


# --- giấy mời -------------------------------------------------------------------------------


def test_the_invitation_names_each_units_head_and_delegates_when_and_where(demo_cycle):
    document = _read(demo_cycle, "invitation")
    assert _kind_and_summary(document) == [
        "GIẤY MỜI",
        "Dự Hội nghị tổng kết phong trào thi đua “Vì an ninh Tổ quốc” năm 2020",
    ]
    assert _number_line(document) == "Số: \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/GM-CTĐ"
    # sent before the conference: dated by hand, never "today" nor the conference's day
    date_cell = document.tables[0].rows[1].cells[1].text
    assert (
        date_cell
        == "Hà Giang, ngày\u00a0\u00a0\u00a0\u00a0\u00a0tháng\u00a0\u00a0\u00a0\u00a0\u00a0năm 2020"
    )
    text = all_text(document)
    assert "Cụm thi đua số II – Bộ Công an trân trọng kính mời:" in text
    lines = [line for line in text.splitlines() if line.startswith("- Đồng chí ")]
    units = Unit.objects.filter(memberships__cycle=demo_cycle)
    assert len(lines) == units.count() == 7
    for unit in units:
        start = f"- Đồng chí Đại tá {unit.head_name}, Giám đốc {unit.name}; "
        line = next(line for line in lines if line.startswith(start))
        delegates = Delegate.objects.filter(conference__cycle=demo_cycle, unit=unit)
        for delegate in delegates.select_related("user"):
            assert delegate.user.display_name in line
    assert (
        "Tới dự Hội nghị tổng kết phong trào thi đua “Vì an ninh Tổ quốc” năm 2020 của Cụm thi "
        "đua số II – Bộ Công an." in text
    )
    # the demo's (illustrative) opening hour and hall
    assert "Thời gian: 08 giờ 00 phút, ngày 16/11/2020." in text
    assert "Địa điểm: Hội trường Trung tâm Văn hóa huyện Đồng Văn, tỉnh Hà Giang." in text
    assert "TM. CỤM THI ĐUA SỐ II" in text
    _no_placeholders(text)


def test_the_programme_lists_the_agenda_with_the_hours_recorded_only(demo_cycle):
    document = _read(demo_cycle, "invitation")
    heading = next(p for p in document.paragraphs if p.text == "CHƯƠNG TRÌNH HỘI NGHỊ")
    assert heading.paragraph_format.page_break_before  # after the signature, on its own page
    text = all_text(document)
    programme = text[text.index("CHƯƠNG TRÌNH HỘI NGHỊ") :]
    assert "(Kèm theo Giấy mời của Cụm thi đua số II)" in programme
    # the demo's programme, each item at its hour
    assert table_rows(document.tables[-1])[:3] == [
        ["Thời gian", "Nội dung"],
        ["08 giờ 00", "Khai mạc hội nghị"],
        [
            "08 giờ 15 - 09 giờ 00",
            "Báo cáo tổng kết phong trào thi đua “Vì an ninh Tổ quốc” năm 2020 của cụm.",
        ],
    ]
    Conference.objects.filter(cycle=demo_cycle).update(
        starts_at=None, ends_at=None, agenda="Thảo luận.\nBỏ phiếu bình xét."
    )
    document = _read(demo_cycle, "invitation")
    programme = all_text(document)[all_text(document).index("CHƯƠNG TRÌNH HỘI NGHỊ") :]
    assert "giờ" not in programme  # no hour anywhere: no time column either
    assert len(document.tables) == 2  # the header blocks and the signature, no time table

    Conference.objects.filter(cycle=demo_cycle).update(
        starts_at=datetime.time(7, 30),
        ends_at=datetime.time(11, 30),
        agenda="09:00 - 09:30 Thảo luận, trao đổi kinh nghiệm.\nBỏ phiếu bình xét.",
    )
    document = _read(demo_cycle, "invitation")
    assert "Thời gian: 07 giờ 30 phút, ngày 16/11/2020." in all_text(document)
    assert table_rows(document.tables[-1]) == [
        ["Thời gian", "Nội dung"],
        ["07 giờ 30", "Khai mạc hội nghị"],
        ["09 giờ 00 - 09 giờ 30", "Thảo luận, trao đổi kinh nghiệm."],
        ["", "Bỏ phiếu bình xét."],  # no time written: none given
        ["11 giờ 30", "Bế mạc hội nghị"],
    ]
    _no_placeholders(all_text(document))


def test_an_issued_invitations_programme_names_its_number(demo_cycle):
    content = _plans(demo_cycle)["invitation"].build(builders.Issue(4)).content
    document = read_docx(content)
    assert _number_line(document) == "Số: 04/GM-CTĐ"
    assert "(Kèm theo Giấy mời số 04/GM-CTĐ của Cụm thi đua số II)" in all_text(document)
    assert builders.reference("invitation", 4) == "04/GM-CTĐ"


def test_the_invitation_waits_for_the_day_and_the_place(demo_cycle):
    Conference.objects.filter(cycle=demo_cycle).update(held_on=None, place=" ")
    plan = _plans(demo_cycle)["invitation"]
    assert not plan.ready
    assert plan.missing == [
        "Chưa ghi ngày họp của hội nghị (trang hội nghị).",
        "Chưa ghi địa điểm hội nghị (trang hội nghị).",
    ]


# --- thông báo kết luận ---------------------------------------------------------------------


def test_the_notice_waits_for_every_vote(demo_cycle):
    plan = _plans(demo_cycle)["conclusions-notice"]
    assert not plan.ready
    assert plan.missing == [
        "Còn cuộc bỏ phiếu chưa có kết quả: Bình xét Cờ thi đua của Bộ Công an năm 2020."
    ]


def test_the_notice_states_the_minutes_conclusions_and_the_handover(ministry_counted, demo_cycle):
    document = _read(demo_cycle, "conclusions-notice")
    assert _kind_and_summary(document) == [
        "THÔNG BÁO",
        "Kết luận Hội nghị tổng kết phong trào thi đua “Vì an ninh Tổ quốc” năm 2020",
    ]
    assert _number_line(document).endswith("/TB-CTĐ")
    text = all_text(document)
    head = demo_cycle.leader.head_name
    assert (
        "Ngày 16/11/2020, tại Hội trường Trung tâm Văn hóa huyện Đồng Văn, tỉnh Hà Giang, Cụm "
        "thi đua số II – Bộ Công an tổ "
        "chức Hội nghị tổng kết phong trào thi đua “Vì an ninh Tổ quốc” năm 2020, do đồng chí "
        f"Đại tá {head}, Giám đốc Công an tỉnh Hà Giang, Cụm trưởng chủ trì."
    ) in text
    # the same points as the minutes' conclusions, numbered, then the hand-over
    paragraphs = _read(demo_cycle, "conference-minutes").paragraphs
    minutes = [p.text.replace("\u00a0", " ") for p in paragraphs]
    concluded = [
        line[2:] for line in minutes[minutes.index("III. KẾT LUẬN") :] if line.startswith("- ")
    ]
    assert len(concluded) >= 4
    points = [line for line in text.splitlines() if line[:1].isdigit() and ". " in line[:4]]
    assert [point.split(". ", 1)[1] for point in points[:-1]] == concluded
    assert (
        "Hội nghị thống nhất đề nghị tặng Cờ thi đua của Bộ Công an năm 2020 cho Công an tỉnh "
        "Lào Cai, Công an tỉnh Sơn La, Công an tỉnh Lạng Sơn." in concluded
    )
    assert points[-1] == (
        f"{len(points)}. Bàn giao nhiệm vụ cụm trưởng: Công an tỉnh Hà Giang, cụm trưởng năm "
        "2020, bàn giao nhiệm vụ cụm trưởng năm 2021 cho Công an tỉnh Lào Cai (theo kết quả "
        "bầu tại hội nghị); cụm phó năm 2021: Công an tỉnh Sơn La."
    )
    signature = text[text.index("TM. CỤM THI ĐUA SỐ II") :]
    assert head in signature
    assert "- Các đơn vị trong cụm;" in text
    _no_placeholders(text)


def test_the_secretarys_conclusions_are_in_the_notice_too(ministry_counted, demo_cycle):
    Conference.objects.filter(cycle=demo_cycle).update(
        conclusions="Giao Công an tỉnh Lào Cai xây dựng chương trình công tác năm 2021."
    )
    text = all_text(_read(demo_cycle, "conclusions-notice"))
    assert ". Giao Công an tỉnh Lào Cai xây dựng chương trình công tác năm 2021." in text


# --- công văn gửi hồ sơ ---------------------------------------------------------------------


def test_the_letter_sends_the_proposals_with_their_list(ministry_counted, demo_cycle):
    document = _read(demo_cycle, "covering-letter")
    # a công văn: no kind line; "V/v …" under its number, whose symbol has no kind (NĐ 30)
    number = document.tables[0].rows[1].cells[0]
    assert [p.text for p in number.paragraphs] == [
        "Số: \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/CTĐ-TĐKT",
        "V/v gửi hồ sơ đề nghị tặng danh hiệu thi đua năm 2020",
    ]
    assert number.paragraphs[1].style.name == "Letter Subject"
    assert "CÔNG VĂN" not in all_text(document)
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert texts[0] == "Kính gửi: Cục Công tác Đảng và công tác chính trị, Bộ Công an."
    rows = table_rows(document.tables[1])
    assert rows[0] == ["STT", "Danh hiệu", "Đơn vị", "Kết quả bỏ phiếu", "Điểm thi đua (hạng)"]
    government = Poll.objects.get(code="co-chinh-phu").result["votes"]["ha-giang"]
    assert rows[1][3].startswith(f"{government}/21 phiếu (")
    assert [row[2:4] for row in rows[2:]] == [
        ["Công an tỉnh Lào Cai", "21/21 phiếu (100,0%)"],
        ["Công an tỉnh Sơn La", "19/21 phiếu (90,5%)"],
        ["Công an tỉnh Lạng Sơn", "12/21 phiếu (57,1%)"],
    ]
    assert [row[1] for row in rows[1:]] == ["Cờ thi đua của Chính phủ"] + [
        "Cờ thi đua của Bộ Công an"
    ] * 3
    scores = {unit.name: result for unit, result in scoring_selectors.results(demo_cycle).ranking}
    for row in rows[1:]:
        assert row[4] == f"{format_number(scores[row[2]].total, 2)} ({scores[row[2]].rank})"
    text = all_text(document)
    assert "gồm 4 (bốn) đề nghị theo danh sách sau:" in text
    attached = text[text.index("Hồ sơ kèm theo:") : text.index("Đề nghị Cục Công tác Đảng")]
    assert attached.splitlines()[1:] == [
        "1. Tờ trình đề nghị tặng Cờ thi đua của Chính phủ năm 2020;",
        "2. Tờ trình đề nghị tặng Cờ thi đua của Bộ Công an năm 2020;",
        "3. Biên bản Hội nghị tổng kết;",
        "4. Biên bản kiểm phiếu: Bình xét Cờ thi đua của Chính phủ năm 2020;",
        "5. Biên bản kiểm phiếu: Bình xét Cờ thi đua của Bộ Công an năm 2020;",
        "6. Báo cáo tổng kết phong trào thi đua của cụm;",
        "7. Bảng tổng hợp kết quả chấm điểm thi đua;",
        "8. Báo cáo thành tích của Công an tỉnh Hà Giang;",
        "9. Báo cáo thành tích của Công an tỉnh Lào Cai;",
        "10. Báo cáo thành tích của Công an tỉnh Sơn La;",
        "11. Báo cáo thành tích của Công an tỉnh Lạng Sơn.",
    ]
    assert "TM. CỤM THI ĐUA SỐ II" in text
    _no_placeholders(text)


def test_the_letter_lists_only_the_counted_titles_and_what_exists(demo_cycle):
    """The demo leaves the Ministry-flag vote open: the letter sends the Government flag's
    proposal alone, and attaches no minutes the chair has not signed."""
    Conference.objects.filter(cycle=demo_cycle).update(chair_name="")
    text = all_text(_read(demo_cycle, "covering-letter"))
    assert "Cờ thi đua của Bộ Công an" not in text.replace(
        "Cục Công tác Đảng và công tác chính trị, Bộ Công an", ""
    ).replace("Khen thưởng Bộ Công an", "")
    assert "gồm 1 (một) đề nghị" in text
    attached = text[text.index("Hồ sơ kèm theo:") : text.index("Đề nghị Cục Công tác Đảng")]
    assert "Biên bản Hội nghị tổng kết" not in attached


def test_no_letter_before_a_title_vote_is_counted(demo_cycle):
    Poll.objects.filter(conference__cycle=demo_cycle, title_code="co_chinh_phu").update(
        status=Poll.Status.OPEN, result=None
    )
    plan = _plans(demo_cycle)["covering-letter"]
    assert not plan.ready
    assert plan.missing == [
        "Chưa có danh hiệu nào được bình xét xong: cần một cuộc bỏ phiếu danh hiệu đã kiểm "
        "phiếu, có đơn vị được đề nghị."
    ]


def test_a_letters_reference_has_no_kind():
    assert builders.reference("covering-letter", 5) == "05/CTĐ-TĐKT"
    assert builders.reference("conclusions-notice", 3) == "03/TB-CTĐ"
    assert builders.reference("score-table", 2) == "02"


def test_the_letter_waits_for_the_conference_day_it_cites(demo_cycle):
    Conference.objects.filter(cycle=demo_cycle).update(held_on=None)
    plan = _plans(demo_cycle)["covering-letter"]
    assert not plan.ready
    assert plan.missing == ["Chưa ghi ngày họp của hội nghị (trang hội nghị)."]


def test_an_issued_notice_and_letter_carry_their_numbers(ministry_counted, demo_cycle):
    plans = _plans(demo_cycle)
    notice = read_docx(plans["conclusions-notice"].build(builders.Issue(7)).content)
    assert _number_line(notice) == "Số: 07/TB-CTĐ"
    letter = read_docx(plans["covering-letter"].build(builders.Issue(8)).content)
    assert _number_line(letter) == "Số: 08/CTĐ-TĐKT"


def test_a_notice_with_nothing_concluded_says_so(demo_cycle, monkeypatch):
    """No vote, no ranking agreed, nothing written: nothing to notify."""
    Poll.objects.filter(conference__cycle=demo_cycle).delete()
    monkeypatch.setattr(scoring_selectors, "results", lambda cycle: None)
    monkeypatch.setattr(scoring_selectors, "sheets_progress", lambda cycle: None)
    plan = _plans(demo_cycle)["conclusions-notice"]
    assert not plan.ready
    assert plan.missing == ["Hội nghị chưa có kết luận."]
