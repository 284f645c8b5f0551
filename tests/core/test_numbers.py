"""Vietnamese number format: 2.156, 19,6%; half-up rounding; ambiguous input refused."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.core.numbers import (
    InvalidNumber,
    format_exact,
    format_number,
    format_percent,
    in_words,
    parse_number,
    round_half_up,
    to_decimal,
    with_words,
)


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (2156, 0, "2.156"),
        (3066, 0, "3.066"),
        (0, 0, "0"),
        (999, 0, "999"),
        (1000, 0, "1.000"),
        (1234567, 0, "1.234.567"),
        (Decimal("19.6"), 1, "19,6"),
        (Decimal("19.65"), 1, "19,7"),  # half-up, not banker's rounding
        (Decimal("19.75"), 1, "19,8"),
        (Decimal("0.05"), 1, "0,1"),
        (Decimal("-5.25"), 1, "-5,3"),
        (Decimal("2156.5"), 0, "2.157"),
        (Decimal("1234.5"), 2, "1.234,50"),
        (Decimal("-1234"), 0, "-1.234"),
    ],
)
def test_format_number(value, decimals, text):
    assert format_number(value, decimals) == text


def test_format_percent():
    assert format_percent(Decimal("98.55"), 1) == "98,6%"
    assert format_percent(Decimal("77.968460111"), 1) == "78,0%"
    assert format_percent(5) == "5,0%"


def test_round_half_up():
    assert round_half_up(Decimal("2.5")) == 3
    assert round_half_up(Decimal("-2.5")) == -3
    assert round_half_up(Decimal("0.125"), 2) == Decimal("0.13")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.156", 2156),
        ("2156", 2156),
        (" 3.066 ", 3066),
        ("1.234.567", 1234567),
        ("19,6", Decimal("19.6")),
        ("2.156,5", Decimal("2156.5")),
        ("-5", -5),
        ("1\u00a0234", 1234),  # a non-breaking space grouping thousands, as Word writes
    ],
)
def test_parse_number(text, expected):
    if expected is None:
        with pytest.raises(InvalidNumber):
            parse_number(text)
    else:
        assert parse_number(text) == expected


def test_parse_percent():
    assert parse_number("88,7%", percent=True) == Decimal("88.7")
    assert parse_number("98,6 %", percent=True) == Decimal("98.6")
    with pytest.raises(InvalidNumber):
        parse_number("88,7%")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1.5", "ambiguous_number"),
        ("1,234.5", "ambiguous_number"),
        ("1,234", "not_whole"),  # a Vietnamese decimal comma, not thousands, for a count
        ("12,5", "not_whole"),
        ("abc", "not_a_number"),
        ("1.23.4", "not_a_number"),
        ("", "empty"),
        ("   ", "empty"),
        ("9" * 20, "number_too_large"),
        ("=SUM(A1:A3)", "not_a_number"),
    ],
)
def test_counts_refuse_what_can_be_read_two_ways(text, code):
    with pytest.raises(InvalidNumber) as error:
        parse_number(text, whole=True)
    assert error.value.problem.code == code


def test_refusal_explains_the_format():
    with pytest.raises(InvalidNumber) as error:
        parse_number("1.5", whole=True)
    assert "dấu chấm ngăn cách hàng nghìn (2.156)" in str(error.value)


def test_to_decimal_from_cells():
    assert to_decimal(2156) == 2156
    assert to_decimal(19.6) == Decimal("19.6")
    assert to_decimal("2.156") == 2156
    for bad in (True, float("nan"), float("inf"), 1e30, "x"):
        with pytest.raises(InvalidNumber):
            to_decimal(bad)


counts = st.integers(min_value=-(10**12), max_value=10**12)
amounts = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False
)


@given(counts)
def test_counts_round_trip(value):
    assert parse_number(format_number(value), whole=True) == value


@given(amounts, st.integers(min_value=0, max_value=4))
def test_decimals_round_trip_after_rounding(value, decimals):
    text = format_number(value, decimals)
    assert parse_number(text) == round_half_up(value, decimals)


@given(amounts)
def test_formatted_text_uses_only_vietnamese_separators(value):
    text = format_number(value, 2)
    whole, _, fraction = text.lstrip("-").partition(",")
    assert len(fraction) == 2
    assert all(len(group) == 3 for group in whole.split(".")[1:])


def test_tidy():
    from thidua.core.numbers import tidy

    assert str(tidy(Decimal("120.0000"))) == "120"
    assert str(tidy(Decimal("12.5000"))) == "12.5"
    assert str(tidy(Decimal("1E+3"))) == "1000"


# --- numbers in words ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "không"),
        (1, "một"),
        (10, "mười"),
        (11, "mười một"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (24, "hai mươi bốn"),
        (25, "hai mươi lăm"),
        (100, "một trăm"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (1005, "một nghìn không trăm linh năm"),
        (2156, "hai nghìn một trăm năm mươi sáu"),
        (21000, "hai mươi mốt nghìn"),
        (1000000, "một triệu"),
    ],
)
def test_in_words(number, words):
    assert in_words(number) == words
    assert with_words(number) == f"{format_number(number)} ({words})"


_UNITS = {
    w: n
    for n, w in enumerate(("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"))
} | {"mốt": 1, "lăm": 5}
_SCALES = {"nghìn": 10**3, "triệu": 10**6, "tỷ": 10**9}


def _read_words(text: str) -> int:
    """The reverse reading, written independently: a group is hundreds, tens and units, said in
    that order; "linh" stands for an empty tens place."""
    total, group, digit = 0, 0, 0
    for word in text.split():
        if word in _UNITS:
            digit = _UNITS[word]
        elif word == "trăm":
            group, digit = group + digit * 100, 0
        elif word == "mươi":
            group, digit = group + digit * 10, 0
        elif word == "mười":
            group += 10
        elif word == "linh":
            pass
        else:
            total, group, digit = total + (group + digit) * _SCALES[word], 0, 0
    return total + group + digit


@given(st.integers(0, 10**12 - 1))
def test_words_read_back_as_the_number(number):
    words = in_words(number)
    assert _read_words(words) == number
    assert "  " not in words
    assert words == words.strip()


def test_format_exact_keeps_every_decimal_typed_and_at_least_the_minimum():
    assert format_exact(Decimal("75")) == "75"
    assert format_exact(Decimal("75"), minimum=1) == "75,0"
    assert format_exact(Decimal("75.25"), minimum=1) == "75,25"  # never rounded to 75,3
    assert format_exact(Decimal("2156.50")) == "2.156,5"


@given(st.decimals(min_value=0, max_value=Decimal("1e9"), places=4), st.integers(0, 4))
def test_format_exact_reads_back_as_the_value(value, minimum):
    assert parse_number(format_exact(value, minimum)) == value
