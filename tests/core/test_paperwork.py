"""Texts of the administrative layout."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from thidua.core.paperwork import date_line, number_line, slug


def test_date_line_leading_zeros():
    assert date_line("Hà Giang", date(2021, 1, 5)) == "Hà Giang, ngày 05 tháng 01 năm 2021"
    assert date_line("Hà Giang", date(2020, 11, 16)) == "Hà Giang, ngày 16 tháng 11 năm 2020"
    assert date_line("Lào Cai", date(2021, 2, 28)) == "Lào Cai, ngày 28 tháng 02 năm 2021"
    assert date_line("Lào Cai", date(2021, 3, 3)) == "Lào Cai, ngày 03 tháng 3 năm 2021"


def test_number_line():
    assert number_line(1, "BB", "CTĐ") == "Số: 01/BB-CTĐ"
    assert number_line(12, "TTr", "CTĐ") == "Số: 12/TTr-CTĐ"
    assert number_line(None, "BC", "CTĐ").startswith("Số: \u00a0")


def test_slug():
    assert slug("Bình xét Cờ thi đua của Chính phủ") == "binh-xet-co-thi-dua-cua-chinh-phu"
    assert slug("Đồng Văn") == "dong-van"
    assert slug("!!!") == "tai-lieu"


@given(st.text())
def test_slug_is_always_a_safe_file_name(text):
    name = slug(text)
    assert name
    assert all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in name)
