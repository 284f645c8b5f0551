"""Messages the pure core hands to people, without importing Django.

Messages are written in Vietnamese (the product's source language) and marked with
`gettext_noop` so that `makemessages` extracts them; the Django layer translates them when it
shows them, so every rule can explain itself in Vietnamese or English.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, time


def gettext_noop(message: str) -> str:
    """Mark `message` for translation; it is translated later, where it is shown."""
    return message


class Label(str):
    """A message parameter that is itself a translatable word, such as a phase name."""

    __slots__ = ()


def format_day(day: date) -> str:
    """Dates as Vietnamese documents write them: 01/07/2025."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def format_clock(moment: time | None) -> str | None:
    """A time of day as the record and the audit log keep it: "08:00" (None stays None)."""
    return f"{moment.hour:02d}:{moment.minute:02d}" if moment is not None else None


def _render(message: str, params: Mapping[str, object], translate: Callable[[str], str]) -> str:
    if not params:
        return translate(message)
    values = {}
    for key, value in params.items():
        if isinstance(value, Label):
            value = translate(value)
        elif isinstance(value, Phrase | Problem):  # a nested message, e.g. a cell's reason
            value = value.render(translate)
        values[key] = value
    return translate(message) % values


def _identity(text: str) -> str:
    return text


@dataclass(frozen=True)
class Phrase:
    """A sentence to show (e.g. *giảm 19,6%*), translated when rendered."""

    message: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] = _identity) -> str:
        return _render(self.message, self.params, translate)


@dataclass(frozen=True)
class Problem:
    """One reason why an input is refused: a stable code, a message and where it applies."""

    code: str
    message: str
    params: Mapping[str, object] = field(default_factory=dict)
    field: str | None = None

    def render(self, translate: Callable[[str], str] = _identity) -> str:
        return _render(self.message, self.params, translate)
