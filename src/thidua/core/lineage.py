"""Unit lineage: which units a unit stands for at a given time, across merges and splits.

Provinces merge and split (on 2025-07-01, 63 provinces became 34), and every comparison with
an earlier period must use the right predecessors. A lineage event ends its source units on
the day before its effective date and starts its target units on that date; a unit is ended
by at most one event and created by at most one event. A period's figures belong to the units
that exist on its last day, so a unit "stands for" in year Y the units that existed on
31 December of Y and became it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from thidua.core.messages import Phrase, Problem, format_day, gettext_noop

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class UnitSpan:
    """A unit's identity and validity: both ends inclusive, None when open."""

    code: str
    name: str
    start: date | None = None
    end: date | None = None

    def valid_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def valid_in_year(self, year: int) -> bool:
        """True when the unit existed on at least one day of `year`."""
        return (self.start is None or self.start <= date(year, 12, 31)) and (
            self.end is None or self.end >= date(year, 1, 1)
        )

    @property
    def label(self) -> Phrase | str:
        return named_with_dates(self.name, self.start, self.end)


def named_with_dates(name: str, start: date | None, end: date | None) -> Phrase | str:
    """A unit's name with its dates when it has any, as lists and messages name it: the old
    and the new unit of one name (An Giang until and from 1 July 2025) are told apart."""
    if start and end:
        return Phrase(
            "%(name)s (%(start)s – %(end)s)",
            {"name": name, "start": format_day(start), "end": format_day(end)},
        )
    if start:
        return Phrase(
            gettext_noop("%(name)s (từ %(day)s)"), {"name": name, "day": format_day(start)}
        )
    if end:
        return Phrase(
            gettext_noop("%(name)s (đến %(day)s)"), {"name": name, "day": format_day(end)}
        )
    return name


class EventKind(StrEnum):
    MERGE = "merge"
    SPLIT = "split"
    RENAME = "rename"


@dataclass(frozen=True)
class LineageEvent:
    kind: EventKind
    effective: date
    sources: tuple[str, ...]
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Ancestry:
    """A set of units standing for another one at some date.

    `partial` is True when a split (looking back) or a merge (looking forward) lies on the
    way: the units then cover more territory than the unit asked about.
    """

    units: frozenset[str]
    partial: bool = False


class Lineage:
    """All units and lineage events, answering questions about who stood for whom."""

    def __init__(self, units: Iterable[UnitSpan], events: Iterable[LineageEvent]):
        self.units = {unit.code: unit for unit in units}
        self.events = tuple(sorted(events, key=lambda event: event.effective))
        self._created_by = {code: event for event in self.events for code in event.targets}
        self._ended_by = {code: event for event in self.events for code in event.sources}

    def _span(self, code: str) -> UnitSpan:
        return self.units.get(code) or UnitSpan(code=code, name=code)

    def ancestors_on(self, code: str, day: date) -> Ancestry:
        """The units valid on `day` whose territory `code` covers: itself if valid then."""
        return self._walk(code, day, backwards=True)

    def successors_on(self, code: str, day: date) -> Ancestry:
        """The units valid on `day` that carry on `code`'s territory: itself if valid then."""
        return self._walk(code, day, backwards=False)

    def _walk(self, code: str, day: date, *, backwards: bool) -> Ancestry:
        """Follow events from `code` (back to sources or on to targets) to units valid on `day`.

        Partial when a split lies behind (looking back) or a merge ahead (looking forward).
        """
        events = self._created_by if backwards else self._ended_by
        widening = EventKind.SPLIT if backwards else EventKind.MERGE
        found: set[str] = set()
        partial = False
        pending, seen = [code], set()
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            if self._span(current).valid_on(day):
                found.add(current)
                continue
            event = events.get(current)
            if event is None or (day < event.effective) != backwards:
                continue
            partial = partial or event.kind == widening
            pending.extend(event.sources if backwards else event.targets)
        return Ancestry(frozenset(found), partial and bool(found))

    def stands_for(self, code: str, year: int) -> Ancestry:
        """The units whose figures for `year` make up `code`'s territory."""
        return self.ancestors_on(code, date(year, 12, 31))

    def predecessors_before(self, code: str, day: date) -> Ancestry:
        """The units that stood for `code`'s territory on the day before `day`."""
        return self.ancestors_on(code, day - ONE_DAY)

    def all_ancestors(self, code: str) -> frozenset[str]:
        """Every unit that ever became (part of) `code`, at any time, itself excluded."""
        found: set[str] = set()
        pending = [code]
        while pending:
            event = self._created_by.get(pending.pop())
            if event is None:
                continue
            for source in event.sources:
                if source not in found:
                    found.add(source)
                    pending.append(source)
        return frozenset(found)

    def related(self, first: str, second: str) -> bool:
        """True when one of the two units descends from the other (they share territory)."""
        return first in self.all_ancestors(second) or second in self.all_ancestors(first)

    # --- recording a new event ------------------------------------------------------------

    def check_event(self, event: LineageEvent, in_use: UnitUsage | None = None) -> list[Problem]:
        """Every reason why `event` cannot be added to this lineage (empty when it can).

        With `in_use` (where each unit is used, year by year: see `check_usage`), also refuse
        an event that would rewrite the history of those years.
        """
        problems = _check_shape(event)
        known = [code for code in (*event.sources, *event.targets) if code in self.units]
        for code in dict.fromkeys((*event.sources, *event.targets)):
            if code not in self.units:
                problems.append(
                    Problem(
                        "unknown_unit",
                        gettext_noop("Không có đơn vị mã %(code)s."),
                        {"code": code},
                        "sources" if code in event.sources else "targets",
                    )
                )
        if not known:
            return problems
        day_before = event.effective - ONE_DAY
        params = {"day": format_day(event.effective), "before": format_day(day_before)}
        for code in dict.fromkeys(event.sources):
            if code not in self.units:
                continue
            span = self.units[code]
            unit = {"unit": span.name, **params}
            if (other := self._ended_by.get(code)) is not None:
                problems.append(
                    Problem(
                        "source_already_ended",
                        gettext_noop(
                            "%(unit)s đã kết thúc do một sự kiện sáp nhập/chia tách có hiệu lực "
                            "ngày %(other)s; một đơn vị chỉ kết thúc một lần."
                        ),
                        {**unit, "other": format_day(other.effective)},
                        "sources",
                    )
                )
            elif not span.valid_on(day_before):
                problems.append(
                    Problem(
                        "source_not_valid",
                        gettext_noop(
                            "%(unit)s không tồn tại vào ngày %(before)s (ngày trước ngày hiệu "
                            "lực), nên không thể là đơn vị cũ của sự kiện."
                        ),
                        unit,
                        "sources",
                    )
                )
            elif span.end is not None and span.end != day_before:
                problems.append(
                    Problem(
                        "source_end_mismatch",
                        gettext_noop(
                            "%(unit)s được ghi là tồn tại đến ngày %(end)s, không khớp với ngày "
                            "hiệu lực %(day)s."
                        ),
                        {**unit, "end": format_day(span.end)},
                        "sources",
                    )
                )
        for code in dict.fromkeys(event.targets):
            if code not in self.units:
                continue
            span = self.units[code]
            unit = {"unit": span.name, **params}
            if (other := self._created_by.get(code)) is not None:
                problems.append(
                    Problem(
                        "target_already_created",
                        gettext_noop(
                            "%(unit)s đã được hình thành do một sự kiện có hiệu lực ngày "
                            "%(other)s; một đơn vị chỉ được hình thành một lần."
                        ),
                        {**unit, "other": format_day(other.effective)},
                        "targets",
                    )
                )
            elif span.start is not None and span.start != event.effective:
                problems.append(
                    Problem(
                        "target_start_mismatch",
                        gettext_noop(
                            "%(unit)s được ghi là bắt đầu tồn tại từ ngày %(start)s, không khớp "
                            "với ngày hiệu lực %(day)s."
                        ),
                        {**unit, "start": format_day(span.start)},
                        "targets",
                    )
                )
            elif span.end is not None and span.end < event.effective:
                problems.append(
                    Problem(
                        "target_ends_before",
                        gettext_noop("%(unit)s đã kết thúc trước ngày hiệu lực %(day)s."),
                        unit,
                        "targets",
                    )
                )
        if in_use:
            names = {code: span.name for code, span in self.units.items()}
            problems += check_usage(event, in_use, names)
        return problems

    def with_event(self, event: LineageEvent) -> Lineage:
        """This lineage with `event` applied: sources end the day before, targets start."""
        units = dict(self.units)
        for code in event.sources:
            units[code] = replace(units[code], end=event.effective - ONE_DAY)
        for code in event.targets:
            units[code] = replace(units[code], start=event.effective)
        return Lineage(units.values(), (*self.events, event))


#: Where units are used, year by year: `{unit code: {year: what uses it that year}}`, e.g.
#: `{"son-la": {2021: {"Cụm thi đua số II – 2021"}}}` (a cycle's membership, leadership or
#: hand-over, a statistics report, a score sheet). A plain set of years per unit also does.
UnitUsage = Mapping[str, Mapping[int, Collection[str]] | Collection[int]]


def check_usage(
    event: LineageEvent, in_use: UnitUsage, names: Mapping[str, str] | None = None
) -> list[Problem]:
    """Refuse `event` when it would rewrite the history of years in which its units are used.

    A target starts on the effective date: it cannot already be used in a year that ended
    before (a unit formed in the middle of a year exists on its 31 December, so that year is
    fine). A source ends the day before the effective date: it cannot be used in a year after
    the one of that day, in which it would not exist at all (a unit that existed in part of a
    year may still be that year's member).
    """
    names = names or {}
    last_year_of_sources = (event.effective - ONE_DAY).year
    checks = [
        (
            event.targets,
            lambda year: year < event.effective.year,
            "target_in_use",
            "targets",
            gettext_noop(
                "%(unit)s đã được dùng trong năm %(years)s (%(uses)s) nên không thể là đơn vị "
                "mới hình thành ngày %(day)s: sự kiện sẽ xoá đơn vị khỏi những năm đó."
            ),
            gettext_noop(
                "%(unit)s đã được dùng trong năm %(years)s nên không thể là đơn vị mới hình "
                "thành ngày %(day)s: sự kiện sẽ xoá đơn vị khỏi những năm đó."
            ),
        ),
        (
            event.sources,
            lambda year: year > last_year_of_sources,
            "source_in_use",
            "sources",
            gettext_noop(
                "%(unit)s đang được dùng trong năm %(years)s (%(uses)s) nên không thể kết thúc "
                "ngày %(before)s: đơn vị phải còn tồn tại trong những năm đó."
            ),
            gettext_noop(
                "%(unit)s đang được dùng trong năm %(years)s nên không thể kết thúc ngày "
                "%(before)s: đơn vị phải còn tồn tại trong những năm đó."
            ),
        ),
    ]
    problems: list[Problem] = []
    for codes, refused, code_name, field_name, with_uses, without_uses in checks:
        for code in dict.fromkeys(codes):
            usage = in_use.get(code) or {}
            years = sorted(year for year in usage if refused(year))
            if not years:
                continue
            uses = (
                sorted({use for year in years for use in usage[year]})
                if isinstance(usage, Mapping)
                else []
            )
            params = {
                "unit": names.get(code, code),
                "years": ", ".join(str(year) for year in years),
                "uses": "; ".join(uses),
                "day": format_day(event.effective),
                "before": format_day(event.effective - ONE_DAY),
            }
            problems.append(
                Problem(code_name, with_uses if uses else without_uses, params, field_name)
            )
    return problems


def _check_shape(event: LineageEvent) -> list[Problem]:
    problems: list[Problem] = []
    sources, targets = set(event.sources), set(event.targets)
    expected = {
        EventKind.MERGE: (len(sources) >= 2 and len(targets) == 1),
        EventKind.SPLIT: (len(sources) == 1 and len(targets) >= 2),
        EventKind.RENAME: (len(sources) == 1 and len(targets) == 1),
    }
    messages = {
        EventKind.MERGE: gettext_noop("Sáp nhập cần ít nhất hai đơn vị cũ và đúng một đơn vị mới."),
        EventKind.SPLIT: gettext_noop(
            "Chia tách cần đúng một đơn vị cũ và ít nhất hai đơn vị mới."
        ),
        EventKind.RENAME: gettext_noop("Đổi tên cần đúng một đơn vị cũ và một đơn vị mới."),
    }
    if not expected[event.kind]:
        problems.append(Problem("bad_shape", messages[event.kind], {}, "kind"))
    if len(sources) != len(event.sources) or len(targets) != len(event.targets):
        problems.append(
            Problem(
                "repeated_unit",
                gettext_noop("Một đơn vị được nêu hai lần trong cùng một danh sách."),
                {},
                "sources" if len(sources) != len(event.sources) else "targets",
            )
        )
    for code in sorted(sources & targets):
        problems.append(
            Problem(
                "source_is_target",
                gettext_noop("Đơn vị mã %(code)s không thể vừa là đơn vị cũ vừa là đơn vị mới."),
                {"code": code},
                "targets",
            )
        )
    return problems
