"""Texts of the administrative layout."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.core.paperwork import (
    GroundsError,
    date_line,
    grounds_for,
    number_line,
    on_behalf_note,
    person,
    slug,
)


def test_date_line_leading_zeros():
    assert date_line("Hà Giang", date(2021, 1, 5)) == "Hà Giang, ngày 05 tháng 01 năm 2021"
    assert date_line("Hà Giang", date(2020, 11, 16)) == "Hà Giang, ngày 16 tháng 11 năm 2020"
    assert date_line("Lào Cai", date(2021, 2, 28)) == "Lào Cai, ngày 28 tháng 02 năm 2021"
    assert date_line("Lào Cai", date(2021, 3, 3)) == "Lào Cai, ngày 03 tháng 3 năm 2021"


def test_number_line():
    assert number_line(1, "BB", "CTĐ") == "Số: 01/BB-CTĐ"
    assert number_line(12, "TTr", "CTĐ") == "Số: 12/TTr-CTĐ"
    assert number_line(None, "BC", "CTĐ").startswith("Số: \u00a0")
    # a công văn has no kind: the issuer's abbreviation, then the field's
    assert number_line(5, "", "CTĐ-TĐKT") == "Số: 05/CTĐ-TĐKT"
    assert number_line(None, "", "CTĐ-TĐKT").endswith("/CTĐ-TĐKT")


def test_slug():
    assert slug("Bình xét Cờ thi đua của Chính phủ") == "binh-xet-co-thi-dua-cua-chinh-phu"
    assert slug("Đồng Văn") == "dong-van"
    assert slug("!!!") == "tai-lieu"


@given(st.text())
def test_slug_is_always_a_safe_file_name(text):
    name = slug(text)
    assert name
    assert all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in name)


def test_person_rank_before_name_position_after():
    assert person("Đại tá", "Nguyễn Văn A", "Giám đốc") == "Đại tá Nguyễn Văn A, Giám đốc"
    assert person("", "Nguyễn Văn A") == "Nguyễn Văn A"
    assert person(" ", "Nguyễn Văn A", " ") == "Nguyễn Văn A"
    assert person("Thiếu tá", "", "Thư ký") == "Thiếu tá, Thư ký"


GROUNDS = [
    {"text": "Luật A"},
    {"text": "Thông tư B", "from_year": 2019},
    {"text": "Hướng dẫn C", "to_year": 2018},
    {"text": "Quyết định D", "from_year": 2019, "to_year": 2019},
]


@pytest.mark.parametrize(
    ("year", "cited"),
    [
        (2018, ["Luật A", "Hướng dẫn C"]),
        (2019, ["Luật A", "Thông tư B", "Quyết định D"]),
        (2020, ["Luật A", "Thông tư B"]),
    ],
)
def test_grounds_for_the_year_in_order(year, cited):
    assert grounds_for(GROUNDS, year) == cited


@pytest.mark.parametrize(
    ("entries", "where"),
    [
        ("Luật A", "grounds:"),
        ([{"text": 1}], "grounds[0]"),
        ([{"text": "A"}, {"text": "B", "from": 2019}], "grounds[1]: khóa lạ from"),
        ([{"text": "A", "from_year": "2019"}], "grounds[0]: năm"),
        ([{"text": "A", "to_year": True}], "grounds[0]: năm"),
    ],
)
def test_grounds_refused_with_where(entries, where):
    with pytest.raises(GroundsError, match=where.replace("[", r"\[").replace("]", r"\]")):
        grounds_for(entries, 2020)


@given(st.integers(min_value=2000, max_value=2100))
def test_grounds_without_bounds_always_cited(year):
    assert grounds_for([{"text": "Luật A"}], year) == ["Luật A"]


def test_a_date_line_left_for_the_signer():
    assert (
        date_line("Hà Giang", 2020)
        == "Hà Giang, ngày\u00a0\u00a0\u00a0\u00a0\u00a0tháng\u00a0\u00a0\u00a0\u00a0\u00a0năm 2020"
    )


def test_a_note_on_what_was_entered_on_a_units_behalf_says_how_it_stands():
    subject, by = "Số liệu thống kê năm 2020 của Công an tỉnh Điện Biên", "Công an tỉnh Hà Giang"
    head = f"{subject} do {by} (đơn vị cụm trưởng) nhập thay (lý do: mạng gián đoạn)"
    uncounted = "số liệu này chưa tính vào số liệu toàn cụm"
    assert (
        on_behalf_note(subject, by, "mạng gián đoạn.", awaiting=True, uncounted=uncounted)
        == f"{head}; đơn vị chưa xác nhận nên {uncounted}."
    )
    confirmed = on_behalf_note(
        subject,
        by,
        "mạng gián đoạn",
        awaiting=False,
        confirmed_on=date(2021, 1, 5),
        uncounted=uncounted,
    )
    assert confirmed == f"{head}; đơn vị đã xác nhận ngày 05/01/2021."
    excused = on_behalf_note(
        subject, by, "mạng gián đoạn", awaiting=False, excuse=" đi công tác. ", uncounted=""
    )
    assert excused == (
        f"{head}; đơn vị không xác nhận được, đơn vị cụm trưởng đã ghi nhận lý do: đi công tác."
    )
    # without a recorded unit, the leader unit is named by its role
    assert on_behalf_note(subject, "", "x", awaiting=False, uncounted="").startswith(
        f"{subject} do đơn vị cụm trưởng nhập thay (lý do: x)"
    )
