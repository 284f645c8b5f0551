"""When a write happened and whom the log names for a write made without an account.

Normally now, and "system" for the command-line tools and the installation's own entries.
The demo loader writes a year that happened in the past: inside `demo_data()` the writes
made without an account are named `DEMO` in the log (the audit page reads "Dữ liệu mẫu"),
and inside `dated(moment)` they are recorded at `moment`, as they are written (the time
is part of each entry's hash, so it is set at write time, never rewritten afterwards).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from django.utils import timezone

SYSTEM = "system"  # the log's actor for a write made without an account
DEMO = "demo data"  # the demo loader's writes (a space: never an account's user name)

_moment: ContextVar[datetime | None] = ContextVar("thidua_clock_moment", default=None)
_author: ContextVar[str] = ContextVar("thidua_clock_author", default=SYSTEM)


def now() -> datetime:
    """The moment a write is recorded at: now, or the moment `dated` set."""
    moment = _moment.get()
    return timezone.now() if moment is None else moment


def without_account() -> str:
    """The log's actor for a write made without an account."""
    return _author.get()


@contextmanager
def demo_data() -> Iterator[None]:
    """Writes made without an account are the demo loader's."""
    token = _author.set(DEMO)
    try:
        yield
    finally:
        _author.reset(token)


@contextmanager
def dated(moment: datetime) -> Iterator[None]:
    """Writes are recorded at `moment` (an aware datetime) instead of now: in UTC, as
    `timezone.now()` gives it and the database gives it back (an entry's hash covers it)."""
    if timezone.is_naive(moment):
        raise ValueError("an aware datetime is needed")
    token = _moment.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _moment.reset(token)
