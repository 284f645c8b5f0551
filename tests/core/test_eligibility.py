"""Eligibility rules over the register: parsing with named errors, three-valued evaluation
(hand-computed on Cụm II's 2017–2020 history), individual titles, properties."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thidua.core.eligibility import (
    CLUSTER_DECISION,
    Facts,
    RuleError,
    State,
    Status,
    evaluate,
    rule_book,
)

NAMES = {
    "co_chinh_phu": "Cờ thi đua của Chính phủ",
    "co_bo_cong_an": "Cờ thi đua của Bộ Công an",
    "cstt": "Chiến sĩ tiên tiến",
    "ldtt": "Lao động tiên tiến",
    "htxs": "Hoàn thành xuất sắc nhiệm vụ",
    "sang_kien": "Sáng kiến được công nhận",
    "sang_kien_bo": "Sáng kiến có phạm vi ảnh hưởng toàn lực lượng",
    "sang_kien_tq": "Sáng kiến có phạm vi ảnh hưởng toàn quốc",
    "cstd_co_so": "Chiến sĩ thi đua cơ sở",
    "cstd_bo": "Chiến sĩ thi đua cấp bộ",
    "cstd_tq": "Chiến sĩ thi đua toàn quốc",
}
LAW = "Luật Thi đua, khen thưởng số 06/2022/QH15"
RULES = {
    "eligibility": {
        "names": NAMES,
        "rules": [
            {"code": "cp-dan-dau", "title": "co_chinh_phu", "kind": "rank", "at_most": 1,
             "source": CLUSTER_DECISION},
            {"code": "cp-luan-phien", "title": "co_chinh_phu", "kind": "not_within",
             "of": ["co_chinh_phu"], "years": 2, "source": CLUSTER_DECISION},
            {"code": "bo-mot-co", "title": "co_bo_cong_an", "kind": "one_flag",
             "of": ["co_chinh_phu"], "source": CLUSTER_DECISION},
            {"code": "cstd-co-so", "title": "cstd_co_so", "kind": "same_year", "source": LAW,
             "condition": {"all": [{"any": ["cstt", "ldtt"]}, {"any": ["htxs", "sang_kien"]}]}},
            {"code": "cstd-bo", "title": "cstd_bo", "kind": "consecutive_years",
             "of": "cstd_co_so", "years": 3, "including_current": True, "source": LAW},
            {"code": "cstd-bo-sk", "title": "cstd_bo", "kind": "same_year",
             "condition": "sang_kien_bo", "source": LAW},
            {"code": "cstd-tq", "title": "cstd_tq", "kind": "consecutive_times",
             "of": "cstd_bo", "times": 2, "every": 3, "including_current": True, "source": LAW},
        ],
    }
}  # fmt: skip
BOOK = rule_book(RULES)
A, P = State.AWARDED, State.PROPOSED

# Cụm II: 2017 and 2018 proposals (no decisions in our sources), 2019 not in the register,
# 2020 the Government flag to Hà Giang (the demo's illustrative decision).
HISTORY = {
    2017: {"ls": {"co_chinh_phu": P}, "sl": {"co_bo_cong_an": P}, "hg": {}},
    2018: {"sl": {"co_chinh_phu": P}, "ls": {"co_bo_cong_an": P}, "hg": {"co_bo_cong_an": P}},
    2020: {"hg": {"co_chinh_phu": A}},
}
KNOWN = frozenset({2017, 2018, 2020})


def facts(unit: str, year: int = 2021, rank=None, known=KNOWN) -> Facts:
    history = {y: units.get(unit, {}) for y, units in HISTORY.items()}
    return Facts(year=year, history=history, known_years=known, rank=rank)


def test_government_flag_2021_from_the_2017_2020_register():
    # Hà Giang holds the 2020 flag: not eligible in 2021, whatever its rank.
    verdict = evaluate(BOOK, "co_chinh_phu", facts("hg", rank=1))
    assert verdict.status == Status.NOT_ELIGIBLE
    assert [r.render() for r in verdict.reasons] == [
        "Đã được tặng “Cờ thi đua của Chính phủ” năm 2020 (không được trong 2 năm: 2019, 2020)."
    ]
    # Lạng Sơn: 2019 is not in the register, so unknown, never "not awarded".
    verdict = evaluate(BOOK, "co_chinh_phu", facts("ls", rank=1))
    assert verdict.status == Status.UNKNOWN
    assert "sổ chưa có dữ liệu năm 2019" in verdict.reasons[0].render()
    # with 2019 in the register and nothing for Lạng Sơn: eligible when it leads the ranking
    known = KNOWN | {2019}
    assert evaluate(BOOK, "co_chinh_phu", facts("ls", rank=1, known=known)).status == (
        Status.ELIGIBLE
    )
    assert evaluate(BOOK, "co_chinh_phu", facts("ls", rank=2, known=known)).status == (
        Status.NOT_ELIGIBLE
    )
    # no results yet: the rank is unknown
    verdict = evaluate(BOOK, "co_chinh_phu", facts("ls", known=known))
    assert verdict.status == Status.UNKNOWN
    assert verdict.reasons[0].render() == (
        "Chưa có kết quả xếp hạng năm 2021 (cần xếp thứ 1 trở lên)."
    )


def test_a_proposal_without_a_decision_is_unknown_not_awarded():
    verdict = evaluate(BOOK, "co_chinh_phu", facts("sl", year=2019, rank=1, known=KNOWN | {2019}))
    assert verdict.status == Status.UNKNOWN
    assert "năm 2018 được đề nghị “Cờ thi đua của Chính phủ”, chưa có quyết định" in (
        verdict.reasons[0].render()
    )


def test_one_flag_a_year():
    history = {2020: {"co_chinh_phu": P}}
    verdict = evaluate(BOOK, "co_bo_cong_an", Facts(2020, history, frozenset({2020})))
    assert verdict.status == Status.NOT_ELIGIBLE
    assert verdict.reasons[0].render() == (
        "Năm 2020 đã được đề nghị “Cờ thi đua của Chính phủ”: mỗi năm một cờ."
    )
    assert evaluate(BOOK, "co_bo_cong_an", Facts(2020, {}, frozenset({2020}))).status == (
        Status.ELIGIBLE
    )


def test_a_title_without_rules_is_eligible():
    assert evaluate(BOOK, "khac", facts("hg")).status == Status.ELIGIBLE


@pytest.mark.parametrize(
    ("titles", "status"),
    [
        ({"cstt": A, "htxs": A}, Status.ELIGIBLE),
        ({"ldtt": A, "sang_kien": A}, Status.ELIGIBLE),
        ({"cstt": A}, Status.NOT_ELIGIBLE),  # the year is known: no second condition
        ({"htxs": A}, Status.NOT_ELIGIBLE),
        ({"cstt": P, "htxs": A}, Status.UNKNOWN),  # proposed, not yet decided
        ({"cstt": State.NOT_AWARDED, "ldtt": A, "htxs": A}, Status.ELIGIBLE),
    ],
)
def test_chien_si_thi_dua_co_so_same_year_and_or(titles, status):
    verdict = evaluate(BOOK, "cstd_co_so", Facts(2023, {2023: titles}, frozenset({2023})))
    assert verdict.status == status


def test_chien_si_thi_dua_co_so_reason_names_the_condition():
    verdict = evaluate(BOOK, "cstd_co_so", Facts(2023, {2023: {"cstt": A}}, frozenset({2023})))
    assert verdict.reasons[0].render() == (
        "Năm 2023 không đạt ((“Chiến sĩ tiên tiến” hoặc “Lao động tiên tiến”) và "
        "(“Hoàn thành xuất sắc nhiệm vụ” hoặc “Sáng kiến được công nhận”))."
    )
    unknown = evaluate(BOOK, "cstd_co_so", Facts(2023, {}, frozenset()))
    assert unknown.status == Status.UNKNOWN


def test_chien_si_thi_dua_cap_bo_three_consecutive_years():
    years = {2021: {"cstd_co_so": A}, 2022: {"cstd_co_so": A}, 2023: {"cstd_co_so": A}}
    full = {**years, 2023: {"cstd_co_so": A, "sang_kien_bo": A}}
    known = frozenset({2021, 2022, 2023})
    verdict = evaluate(BOOK, "cstd_bo", Facts(2023, full, known))
    assert verdict.status == Status.ELIGIBLE
    assert verdict.reasons[0].render() == (
        "Đạt “Chiến sĩ thi đua cơ sở” 3 lần liên tục: 2021, 2022, 2023."
    )
    assert evaluate(BOOK, "cstd_bo", Facts(2023, years, known)).status == Status.NOT_ELIGIBLE
    gap = {**full, 2022: {}}
    verdict = evaluate(BOOK, "cstd_bo", Facts(2023, gap, known))
    assert verdict.status == Status.NOT_ELIGIBLE
    assert verdict.reasons[0].render() == (
        "Không đạt “Chiến sĩ thi đua cơ sở” năm 2022 (cần 3 lần liên tục: 2021, 2022, 2023)."
    )
    # 2022 not in the register: unknown, never false
    verdict = evaluate(BOOK, "cstd_bo", Facts(2023, gap, frozenset({2021, 2023})))
    assert verdict.status == Status.UNKNOWN


def test_chien_si_thi_dua_toan_quoc_two_consecutive_times():
    history = {2020: {"cstd_bo": A}, 2023: {"cstd_bo": A}}
    assert evaluate(BOOK, "cstd_tq", Facts(2023, history, frozenset({2020, 2023}))).status == (
        Status.ELIGIBLE
    )
    once = Facts(2023, {2023: {"cstd_bo": A}}, frozenset({2020, 2023}))
    assert evaluate(BOOK, "cstd_tq", once).status == Status.NOT_ELIGIBLE


def _errors(data) -> list[str]:
    with pytest.raises(RuleError) as caught:
        rule_book({"eligibility": data})
    return [problem.render() for problem in caught.value.problems]


def test_parse_errors_name_the_rule_and_the_field():
    assert _errors({"rules": [{"code": "x", "title": "t", "kind": "rank", "source": "s"}]}) == [
        "Quy tắc xét điều kiện “x”, trường “at_most”: phải là số nguyên dương"
    ]
    assert _errors({"rules": [{"code": "y", "title": "t", "kind": "rank", "at_most": 1}]}) == [
        "Quy tắc xét điều kiện “y”, trường “source”: thiếu hoặc không hợp lệ"
    ]
    assert _errors({"rules": [{"code": "z", "title": "t", "kind": "magic", "source": "s"}]}) == [
        "Quy tắc xét điều kiện “z”, trường “kind”: loại quy tắc không được hỗ trợ"
    ]
    condition = {"all": ["a", {"any": []}]}
    rule = {"code": "w", "title": "t", "kind": "same_year", "source": "s", "condition": condition}
    assert _errors({"rules": [rule]}) == [
        "Quy tắc xét điều kiện “w”, trường “condition.all[1]”: thiếu hoặc không hợp lệ"
    ]
    assert _errors("nope") == [
        "Quy tắc xét điều kiện “eligibility”, trường “eligibility”: thiếu hoặc không hợp lệ"
    ]


def test_no_eligibility_section_is_no_rules():
    assert rule_book({"voting": {}}).rules == ()
    assert rule_book(None).rules == ()


# -- properties -------------------------------------------------------------------------------

YEARS = range(2015, 2024)
states = st.sampled_from([State.AWARDED, State.PROPOSED, State.NOT_AWARDED, State.NONE])


@st.composite
def histories(draw):
    known = draw(st.frozensets(st.sampled_from(YEARS)))
    history = {
        year: draw(st.dictionaries(st.sampled_from(["cstd_co_so", "co_chinh_phu"]), states))
        for year in known
    }
    return history, known


RUN = rule_book(
    {"eligibility": {"rules": [
        {"code": "r", "title": "t", "kind": "consecutive_years", "of": "cstd_co_so",
         "years": 3, "including_current": True, "source": LAW},
        {"code": "n", "title": "u", "kind": "not_within", "of": ["co_chinh_phu"], "years": 3,
         "source": CLUSTER_DECISION},
    ]}}
)  # fmt: skip


@settings(deadline=None)  # a shared machine: slowness is not a failure here
@given(histories(), st.sampled_from(YEARS))
def test_adding_an_awarded_year_never_turns_eligible_into_not(drawn, year):
    history, known = drawn
    before = evaluate(RUN, "t", Facts(2023, history, known)).status
    after_history = {**history, year: {**history.get(year, {}), "cstd_co_so": A}}
    after = evaluate(RUN, "t", Facts(2023, after_history, known | {year})).status
    order = [Status.NOT_ELIGIBLE, Status.UNKNOWN, Status.ELIGIBLE]
    assert order.index(after) >= order.index(before)


@settings(deadline=None)
@given(histories(), st.sampled_from(YEARS), states)
def test_learning_an_unknown_year_decides_only_from_unknown(drawn, year, state):
    """Filling in a year the register lacked never changes a decided verdict: an unknown
    year never made a rule "not eligible" (nor "eligible") on its own."""
    history, known = drawn
    for title in ("t", "u"):
        before = evaluate(RUN, title, Facts(2023, history, known - {year})).status
        filled = {**history, year: {"cstd_co_so": state, "co_chinh_phu": state}}
        after = evaluate(RUN, title, Facts(2023, filled, known | {year})).status
        if before != Status.UNKNOWN:
            assert after == before


def test_no_data_at_all_is_unknown_never_not_eligible():
    assert evaluate(RUN, "t", Facts(2023, {}, frozenset())).status == Status.UNKNOWN
    assert evaluate(RUN, "u", Facts(2023, {}, frozenset())).status == Status.UNKNOWN
