"""A cluster year's make-up: members that existed that year, a leader among them."""

from datetime import date

from thidua.core.cycles import check_leadership, check_members, check_year
from thidua.core.lineage import EventKind, Lineage, LineageEvent, UnitSpan


def lineage() -> Lineage:
    base = Lineage(
        [
            UnitSpan("ha-giang", "Công an tỉnh Hà Giang"),
            UnitSpan("tuyen-quang", "Công an tỉnh Tuyên Quang"),
            UnitSpan("tuyen-quang-2025", "Công an tỉnh Tuyên Quang (mới)"),
            UnitSpan("son-la", "Công an tỉnh Sơn La"),
            UnitSpan("lai-chau", "Công an tỉnh Lai Châu"),
        ],
        [],
    )
    return base.with_event(
        LineageEvent(
            EventKind.MERGE, date(2025, 7, 1), ("ha-giang", "tuyen-quang"), ("tuyen-quang-2025",)
        )
    )


def codes(problems):
    return [problem.code for problem in problems]


def test_a_good_cycle_passes():
    members = ["ha-giang", "son-la", "lai-chau"]
    assert check_members(2020, members, lineage()) == []
    assert (
        check_leadership(
            year=2020, leader="ha-giang", deputy="son-la", eligible=members, lineage=lineage()
        )
        == []
    )


def test_member_that_did_not_exist_that_year():
    problems = check_members(2020, ["tuyen-quang-2025", "son-la"], lineage())
    assert codes(problems) == ["member_not_in_year"]
    assert problems[0].render() == (
        "Công an tỉnh Tuyên Quang (mới) (từ 01/07/2025) không tồn tại trong năm 2020."
    )
    assert codes(check_members(2026, ["ha-giang", "son-la"], lineage())) == ["member_not_in_year"]
    # In the year of the merger both the old and the new unit existed, but not together.
    assert codes(check_members(2025, ["ha-giang", "tuyen-quang-2025"], lineage())) == [
        "members_related"
    ]


def test_the_old_and_the_new_unit_of_one_name_are_told_apart():
    """The merger keeps a province's name for the new unit: each is named with its dates."""
    merged = Lineage(
        [
            UnitSpan("an-giang", "Công an tỉnh An Giang"),
            UnitSpan("kien-giang", "Công an tỉnh Kiên Giang"),
            UnitSpan("an-giang-2025", "Công an tỉnh An Giang"),
        ],
        [],
    ).with_event(
        LineageEvent(
            EventKind.MERGE, date(2025, 7, 1), ("an-giang", "kien-giang"), ("an-giang-2025",)
        )
    )
    (problem,) = check_members(2025, ["an-giang", "an-giang-2025"], merged)
    assert problem.render() == (
        "Công an tỉnh An Giang (đến 30/06/2025) và Công an tỉnh An Giang (từ 01/07/2025) cùng "
        "đại diện một địa bàn (đơn vị này hình thành từ đơn vị kia), nên không thể cùng là "
        "thành viên."
    )


def test_too_few_repeated_and_unknown_members():
    assert codes(check_members(2020, ["son-la"], lineage())) == ["too_few_members"]
    assert codes(check_members(2020, ["son-la", "son-la", "lai-chau"], lineage())) == [
        "repeated_member"
    ]
    assert codes(check_members(2020, ["son-la", "atlantis"], lineage())) == ["unknown_unit"]


def test_leader_must_be_a_member_and_differ_from_the_deputy():
    members = ["son-la", "lai-chau"]
    assert codes(
        check_leadership(
            year=2020, leader="ha-giang", deputy=None, eligible=members, lineage=lineage()
        )
    ) == ["leader_not_member"]
    assert codes(
        check_leadership(
            year=2020, leader="son-la", deputy="son-la", eligible=members, lineage=lineage()
        )
    ) == ["deputy_is_leader"]
    assert codes(
        check_leadership(year=2020, leader=None, deputy=None, eligible=members, lineage=lineage())
    ) == ["leader_required"]
    assert codes(
        check_leadership(
            year=2026,
            leader="ha-giang",
            deputy=None,
            eligible=["ha-giang", "son-la"],
            lineage=lineage(),
        )
    ) == ["leader_not_in_year"]


def test_year_range():
    assert check_year(2020) == []
    assert codes(check_year(1999)) == ["year_out_of_range"]
