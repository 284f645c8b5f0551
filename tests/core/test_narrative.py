"""The year-end report's draft from plain data: facts only, Vietnamese only, numbers the
Vietnamese way."""

import re
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from thidua.core import narrative
from thidua.core.indicators import Direction, Indicator, Kind, RateMismatch
from thidua.core.narrative import Figure, Group, Line, ReportData

MEMBERS = ("Công an tỉnh Hà Giang", "Công an tỉnh Lào Cai", "Công an tỉnh Sơn La")


def cases(value, before=None, direction=Direction.LOWER) -> Figure:
    return Figure(
        "Số vụ phạm tội về trật tự xã hội",
        "vụ",
        Kind.COUNT,
        None if value is None else Decimal(value),
        None if before is None else Decimal(before),
        direction=direction,
    )


def data(*lines: Line, **more) -> ReportData:
    return ReportData(
        year=2020,
        cluster="Cụm thi đua số II",
        members=MEMBERS,
        leader=MEMBERS[0],
        deputy=MEMBERS[1],
        lines=lines,
        **{"reported": len(MEMBERS), **more},
    )


def everything(draft: narrative.Draft) -> str:
    return "\n".join(draft.text(key) for key in narrative.SECTION_KEYS)


counts = st.integers(min_value=0, max_value=10**7)


def test_a_fall_is_said_with_its_size_and_percentage():
    text = narrative.draft(data(Line(cases(2156, 2535)))).text("results")
    assert "Số vụ phạm tội về trật tự xã hội: 2.156 vụ, giảm 379 vụ (15,0%) so với năm 2019" in (
        text
    )


def test_a_rise_in_crimes_is_a_shortcoming_and_a_task_for_next_year():
    draft = narrative.draft(data(Line(cases(2700, 2535))))
    rise = "2.700 vụ, tăng 165 vụ (6,5%) so với năm 2019"
    assert rise in draft.text("results")
    assert rise in draft.text("shortcomings")
    assert "tập trung kéo giảm" in draft.text("next_year")
    assert (
        "số vụ phạm tội về trật tự xã hội (2.700 vụ, tăng 165 vụ, tương đương 6,5%)"
        in draft.text("next_year")
    )


def test_a_fall_in_crimes_is_no_shortcoming():
    draft = narrative.draft(data(Line(cases(2156, 2535))))
    assert "Số vụ phạm tội" not in draft.text("shortcomings")
    assert "kéo giảm" not in draft.text("next_year")


@given(counts, counts)
def test_rise_and_fall_words_follow_the_figures(now, before):
    words = narrative.change_words(cases(now, before), 2019)
    if now > before:
        assert words.startswith("tăng ")
    elif now < before:
        assert words.startswith("giảm ")
    else:
        assert words == "bằng năm 2019"


@given(counts, counts, counts)
def test_a_changed_figure_changes_its_sentence(now, other, before):
    first = narrative.draft(data(Line(cases(now, before)))).text("results")
    second = narrative.draft(data(Line(cases(other, before)))).text("results")
    assert (first == second) == (now == other)


@given(counts, st.one_of(st.none(), counts))
def test_the_draft_is_vietnamese_with_vietnamese_numbers(now, before):
    rate = Figure(
        "Tỷ lệ điều tra, khám phá",
        "%",
        Kind.RATE,
        Decimal(now % 1000) / 10,
        None if before is None else Decimal(before % 1000) / 10,
        direction=Direction.HIGHER,
    )
    text = everything(narrative.draft(data(Line(cases(now, before)), Line(rate))))
    english = re.compile(
        r"\b(the|and|of|cases|increase|decrease|rise|fall|points?|None|Decimal|nan)\b", re.I
    )
    assert not english.search(text), text
    assert "điểm %" not in text
    # thousands grouped with dots, decimals after a comma: never 2,156 or 19.6
    assert not re.search(r"\d,\d{3}(?!\d)", text)
    assert not re.search(r"\d\.\d(?!\d{2})", text)
    if now >= 1000:
        assert f"{now:,}".replace(",", ".") in text


def test_a_rate_changes_by_percentage_points_in_words():
    rate = Figure("Tỷ lệ điều tra, khám phá", "%", Kind.RATE, Decimal("78"), Decimal("76"))
    assert narrative.change_words(rate, 2019) == "tăng 2,0 điểm phần trăm so với năm 2019"
    assert narrative.amount(rate) == "78,0%"


def test_the_situation_states_the_make_up_and_the_agreement():
    agreement = narrative.Agreement(
        date(2020, 1, 15),
        (("I. Công tác lãnh đạo", Decimal("40")), ("II. Kết quả", Decimal("60"))),
        9,
        Decimal("100.00"),
        "Mọi đơn vị chấm chéo các đơn vị còn lại",
    )
    text = narrative.draft(data(agreement=agreement)).text("situation")
    assert "Cụm thi đua số II gồm 3 đơn vị: Công an tỉnh Hà Giang, Công an tỉnh Lào Cai" in text
    assert "Công an tỉnh Hà Giang là đơn vị cụm trưởng" in text
    assert "Công an tỉnh Lào Cai là đơn vị cụm phó" in text
    assert "Ngày 15/01/2020" in text
    assert "2 nhóm, 9 tiêu chí, thang điểm 100 điểm" in text
    assert "I. Công tác lãnh đạo (40 điểm)" in text


def test_the_leaders_of_each_criterion_group_ties_included():
    groups = (
        Group("I. Công tác lãnh đạo", Decimal(20), {"A": Decimal("18.50"), "B": Decimal("18.50")}),
        Group("II. Kết quả", Decimal(40), {"A": Decimal("30"), "B": Decimal("35.25")}),
    )
    text = narrative.draft(data(groups=groups, first=("B", Decimal("53.75")))).text("results")
    assert "B dẫn đầu cụm với 53,75 điểm" in text
    assert "- I. Công tác lãnh đạo (tối đa 20 điểm): A, B (18,50 điểm);" in text
    assert "- II. Kết quả (tối đa 40 điểm): B (35,25 điểm)." in text


def test_units_going_the_wrong_way_are_named():
    line = Line(
        cases(2156, 2535),
        (("Hà Giang", cases(353, 439)), ("Lào Cai", cases(330, 320))),
    )
    draft = narrative.draft(data(line))
    assert "giảm ở 1 đơn vị: Hà Giang giảm 86 vụ (19,6%)." in draft.text("results")
    assert "Lào Cai tăng 10 vụ (3,1%)" in draft.text("shortcomings")
    assert "Hà Giang" not in draft.text("shortcomings")


def test_mismatches_and_missing_reports_are_shortcomings():
    clearance = Indicator(
        "clearance_rate", "Tỷ lệ điều tra, khám phá", Kind.RATE, Direction.HIGHER, 0, "a", "b"
    )
    mismatch = RateMismatch(
        clearance, Decimal("88.7"), Decimal(1681) * 100 / 2156, Decimal(1681), Decimal(2156)
    )
    text = narrative.draft(
        data(
            mismatches=(narrative.Mismatch("", mismatch),),
            missing=("Công an tỉnh Sơn La",),
            reported=2,
        )
    ).text("shortcomings")
    assert "tỷ lệ điều tra, khám phá là 88,7%" in text
    assert "1.681/2.156 = 78,0% (chênh 10,7 điểm phần trăm)" in text
    assert "1 đơn vị chưa có báo cáo số liệu được tổng hợp (Công an tỉnh Sơn La)" in text
    assert "2/3 đơn vị" in text
    assert text.endswith(narrative.to_write("bổ sung nguyên nhân của các tồn tại, hạn chế trên"))


def test_next_year_states_the_hand_over():
    handover = narrative.Handover(2021, "Công an tỉnh Lào Cai", None, "Bầu tại hội nghị")
    text = narrative.draft(data(handover=handover)).text("next_year")
    assert text == "Năm 2021, Công an tỉnh Lào Cai đảm nhận cụm trưởng (bầu tại hội nghị)."


def test_without_data_the_leader_unit_is_asked_to_write_each_section():
    empty = ReportData(year=2020, cluster="Cụm thi đua số II", members=(), leader="A")
    draft = narrative.draft(empty)
    for key in narrative.SECTION_KEYS:
        lines = draft.text(key).splitlines()
        assert len(lines) == 1
        assert lines[0].startswith("(Đơn vị cụm trưởng viết ")
        assert narrative.is_to_write(lines[0])
    assert not narrative.is_to_write("Năm 2020, Cụm thi đua số II gồm 3 đơn vị.")


def test_no_figure_no_sentence_and_no_baseline_said_so():
    draft = narrative.draft(data(Line(cases(None, 100)), Line(cases(120))))
    text = draft.text("results")
    assert "120 vụ (chưa có số liệu năm 2019 để so sánh)" in text
    assert text.count("Số vụ phạm tội") == 1


def test_same_text_ignores_line_endings_and_spaces():
    assert narrative.same_text("Một dòng.\r\n  Hai  dòng. \r\n", "Một dòng.\nHai dòng.")
    assert not narrative.same_text("Một dòng.", "Một dòng khác.")


def test_a_rates_numerator_is_judged_by_its_rate():
    solved = Figure(
        "Số vụ điều tra, khám phá",
        "vụ",
        Kind.COUNT,
        Decimal(1681),
        Decimal(1926),
        direction=Direction.HIGHER,
        judged=False,
    )
    draft = narrative.draft(data(Line(solved)))
    assert "1.681 vụ, giảm 245 vụ (12,7%) so với năm 2019" in draft.text("results")
    assert "Số vụ điều tra" not in draft.text("shortcomings")
    alone = narrative.draft(data(Line(Figure(**{**solved.__dict__, "judged": True}))))
    assert "Số vụ điều tra" in alone.text("shortcomings")


HIGHLIGHTS = (
    (MEMBERS[2], "- Mô hình “Bản không ma túy” ở 12 xã;\nKhông để xảy ra điểm nóng"),
    (MEMBERS[0], "Tội phạm về trật tự xã hội giảm 19,6%."),
)


def test_the_units_highlights_are_quoted_in_the_results_each_with_its_unit():
    draft = narrative.draft(data(Line(cases(2156, 2535)), highlights=HIGHLIGHTS))
    results = draft.text("results").splitlines()
    lead = "Những điểm nổi bật của phong trào thi đua do các đơn vị báo cáo:"
    assert lead in results
    start = results.index(lead)
    # in the order given (the cluster's), in the unit's words, each line a sentence
    assert results[start + 1 : start + 3] == [
        "- Công an tỉnh Sơn La: Mô hình “Bản không ma túy” ở 12 xã. Không để xảy ra điểm nóng.",
        "- Công an tỉnh Hà Giang: Tội phạm về trật tự xã hội giảm 19,6%.",
    ]
    # only there: nothing of them in the other sections
    for key in ("situation", "shortcomings", "next_year"):
        assert "Bản không ma túy" not in draft.text(key)


def test_without_highlights_nothing_is_said_of_them():
    for written in ((), ((MEMBERS[1], " \n  "),)):
        draft = narrative.draft(data(Line(cases(2156, 2535)), highlights=written))
        assert "điểm nổi bật" not in everything(draft)
        assert MEMBERS[1] + ":" not in everything(draft)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=80))
def test_a_highlight_keeps_every_word_the_unit_wrote(text):
    draft = narrative.draft(data(highlights=((MEMBERS[1], text),)))
    words = [word.strip("-+•*;,:") for word in text.split()]
    said = draft.text("results")
    for word in words:
        assert word.rstrip(".!?…") in said
