"""Numbers as Vietnamese write them: `2.156` (dot groups thousands), `19,6%` (comma decimals).

All arithmetic is `Decimal`; rounding is half-up (as people round by hand, not banker's
rounding), done once where a figure is shown or stored. Parsing accepts the Vietnamese format
and plain digits, and refuses what could be read two ways (`1.5` for a count, `1,234.5`).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from thidua.core.messages import Problem, gettext_noop

MAX_ABS = Decimal("1e15")  # nothing the police count comes near; bigger input is a typo


class InvalidNumber(ValueError):
    """Input that is not a number we can read without guessing."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.render())


def round_half_up(value: Decimal, decimals: int = 0) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def tidy(value: Decimal) -> Decimal:
    """Without trailing zeros and never in exponent form: 120.0000 → 120, 12.5000 → 12.5."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def format_number(value: Decimal | int, decimals: int = 0) -> str:
    """`2156` → `2.156`; `Decimal('19.6')` with one decimal → `19,6`; half-up rounding."""
    rounded = round_half_up(Decimal(value), decimals)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = ".".join(groups)
    return f"{sign}{text},{fraction}" if decimals > 0 else f"{sign}{text}"


def format_exact(value: Decimal | int, minimum: int = 0) -> str:
    """A figure in Vietnamese format with the decimals it has (at most six, at least
    `minimum`: a rate beside results shown to one decimal reads "90,0%"): for inputs and
    messages, where rounding would change what was typed."""
    value = tidy(Decimal(value))
    exponent = value.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return format_number(value, min(max(decimals, minimum), 6))


def format_percent(value: Decimal | int, decimals: int = 1) -> str:
    """`Decimal('19.6')` → `19,6%`."""
    return f"{format_number(value, decimals)}%"


_VIETNAMESE = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$|^\d+,\d+$")
_PLAIN = re.compile(r"^\d+$")


def _refuse(code: str, message: str, text: str) -> InvalidNumber:
    return InvalidNumber(Problem(code, message, {"text": text}))


def parse_number(text: str, *, whole: bool = False, percent: bool = False) -> Decimal:
    """Read a number typed the Vietnamese way (`2.156`, `2.156,5`, `19,6`) or as plain digits.

    `whole`: the value is a count, so it must be a whole number. `percent`: a trailing `%`
    is allowed. Negative numbers are read (a change can be negative); callers refuse them
    where they make no sense. Raises `InvalidNumber` naming the reason.
    """
    raw = text
    cleaned = text.strip().replace("\u00a0", "")
    if percent and cleaned.endswith("%"):
        cleaned = cleaned[:-1].rstrip()
    sign = ""
    if cleaned[:1] in "-−" and cleaned[1:]:
        sign, cleaned = "-", cleaned[1:]
    if not cleaned:
        raise _refuse("empty", gettext_noop("Chưa nhập số."), raw)
    if _PLAIN.match(cleaned):
        number = Decimal(cleaned)
    elif _VIETNAMESE.match(cleaned):
        number = Decimal(cleaned.replace(".", "").replace(",", "."))
    elif re.fullmatch(r"\d+\.\d+", cleaned) or re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", cleaned):
        raise _refuse(
            "ambiguous_number",
            gettext_noop(
                "“%(text)s” có thể hiểu theo hai cách; hãy viết theo kiểu Việt Nam: dấu chấm "
                "ngăn cách hàng nghìn (2.156), dấu phẩy trước phần thập phân (19,6)."
            ),
            raw,
        )
    else:
        raise _refuse("not_a_number", gettext_noop("“%(text)s” không phải là một số."), raw)
    number = -number if sign else number
    if abs(number) >= MAX_ABS:
        raise _refuse("number_too_large", gettext_noop("“%(text)s” quá lớn."), raw)
    if whole and number != number.to_integral_value():
        raise _refuse(
            "not_whole",
            gettext_noop(
                "“%(text)s” phải là số nguyên (số vụ, số người); dấu phẩy là dấu thập phân, "
                "hàng nghìn ngăn cách bằng dấu chấm."
            ),
            raw,
        )
    return number


def to_decimal(value: object) -> Decimal:
    """A number from a spreadsheet cell or JSON (int, float, Decimal, or text), exactly."""
    if isinstance(value, bool):
        raise _refuse("not_a_number", gettext_noop("“%(text)s” không phải là một số."), str(value))
    if isinstance(value, str):
        return parse_number(value, percent=True)
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise _refuse(
            "not_a_number", gettext_noop("“%(text)s” không phải là một số."), str(value)
        ) from None
    if not number.is_finite():
        raise _refuse("not_a_number", gettext_noop("“%(text)s” không phải là một số."), str(value))
    if abs(number) >= MAX_ABS:
        raise _refuse("number_too_large", gettext_noop("“%(text)s” quá lớn."), str(value))
    return number


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_GROUPS = ("", "nghìn", "triệu", "tỷ")


def _hundreds(number: int, inner: bool) -> list[str]:
    """Three digits as read inside a larger number (`inner`: a group after another, where
    "không trăm" and "linh" are said) or alone."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words = []
    if inner or hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units == 1 and tens >= 2:
        words.append("mốt")
    elif units == 5 and tens >= 1:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return words


def in_words(number: int) -> str:
    """A whole number as the minutes write it beside the figure: 21 → "hai mươi mốt",
    105 → "một trăm linh năm", 1.005 → "một nghìn không trăm linh năm"."""
    if not 0 <= number < 10**12:
        raise ValueError(f"{number}: only 0 … 999.999.999.999 are written in words here")
    if number == 0:
        return _DIGITS[0]
    groups = []
    while number:
        groups.insert(0, number % 1000)
        number //= 1000
    words: list[str] = []
    for index, group in enumerate(groups):
        scale = _GROUPS[len(groups) - 1 - index]
        if group:
            words += _hundreds(group, inner=bool(words))
            words += [scale] if scale else []
    return " ".join(words)


def with_words(number: int) -> str:
    """`21 (hai mươi mốt)`: a count the minutes must not let anyone alter by a stroke."""
    return f"{format_number(number)} ({in_words(number)})"
