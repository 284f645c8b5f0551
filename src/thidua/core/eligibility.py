"""Who may be proposed for a title: eligibility rules over the register of titles.

The rules are versioned data (a rule set's `data["eligibility"]`), each of a generic kind:

- ``consecutive_years``: title X held in each of the N years before the cycle's year (or
  ending with it, ``including_current``);
- ``consecutive_times``: title X held N consecutive times, one time every ``every`` years
  (Chiến sĩ thi đua cấp bộ is considered every 3 years);
- ``not_within``: none of titles Y held (or proposed) in the N years before the cycle's year;
- ``same_year``: conditions on the cycle's own year joined by ``all`` (and) / ``any`` (or),
  whose leaves are title codes (Chiến sĩ thi đua cơ sở: Chiến sĩ tiên tiến **and** either
  "hoàn thành xuất sắc nhiệm vụ" or an initiative);
- ``rank``: ranked at most N in the cycle's own results ("dẫn đầu cụm" is N = 1);
- ``one_flag``: not already proposed this year for one of the listed titles (one flag a year).

Each rule cites its legal source (``source``) or is marked as the cluster's own decision
(``source: "cluster_decision"``).

The logic has three values. A year the register has no data for is *unknown*, never "not
awarded"; a title proposed but not yet decided is unknown for a rule that needs it held. A
rule is *not eligible* only when known data decides it, *unknown* when a missing year could
decide it either way, *eligible* when known data meets it. A candidate is not eligible when
one rule says so, unknown when none does but one is unknown, eligible when all are met.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from thidua.core.messages import Phrase, Problem, gettext_noop

KEY = "eligibility"
CLUSTER_DECISION = "cluster_decision"


class State(StrEnum):
    """A title's state for one holder in one year, as the register knows it."""

    PROPOSED = "proposed"
    AWARDED = "awarded"
    NOT_AWARDED = "not_awarded"
    NONE = "none"  # the year is in the register, this title is not (not proposed)
    UNKNOWN = "unknown"  # the register has no data for the year


class Status(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    UNKNOWN = "unknown"


STATUS_LABELS = {
    Status.ELIGIBLE: gettext_noop("Đủ điều kiện"),
    Status.NOT_ELIGIBLE: gettext_noop("Không đủ điều kiện"),
    Status.UNKNOWN: gettext_noop("Chưa xác định"),
}


@dataclass(frozen=True)
class Facts:
    """What the rules read for one candidate: the register's history (year → title code →
    state), the years the register covers (any other year is unknown), the cycle's year and
    the candidate's rank in the cycle's own results (None: no results yet)."""

    year: int
    history: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    known_years: frozenset[int] = frozenset()
    rank: int | None = None

    def lines(self) -> tuple[tuple[int, str, str], ...]:
        """The history as (year, title code, state) lines, newest year first: as the
        register shows it, and hashable."""
        return tuple(
            (year, code, state)
            for year in sorted(self.history, reverse=True)
            for code, state in sorted(self.history[year].items())
        )

    def state(self, year: int, title: str) -> State:
        if year not in self.known_years:
            return State.UNKNOWN
        return State(self.history.get(year, {}).get(title, State.NONE))


@dataclass(frozen=True)
class PersonLine:
    """A person's line in the register: `person` is the register's person of one unit."""

    person: Hashable
    unit: str
    year: int
    title: str
    state: str


def people_facts(
    people: Mapping[Hashable, str],
    unit: str,
    year: int,
    lines: Iterable[PersonLine],
    selves: Mapping[tuple[str, str], Collection[Hashable]],
    units_of: Callable[[int], Collection[str]],
) -> dict[Hashable, Facts]:
    """What the rules read for each person of `unit` (person → their key) in `year`, their
    history followed across their unit's mergers: a title is the person's, not the unit's,
    and the register names a person per unit (after the 2025 merger a new unit's officers
    are new people of it).

    `lines`: the person lines of `unit` and of every unit it was made of (anyone's: they tell
    which years the register covers), up to `year`; `units_of(y)`: the units that stood for
    `unit` in year y; `selves`: (an earlier unit, a key) → the people of that unit with that
    key (the same name, or the key written).

    A year is known when one of those units has a person line in it. A person's own lines
    decide it; without, the lines of their one namesake in an earlier unit (their former
    self). Two namesakes in the units merged that year (two "Nguyễn Văn An" of two provinces)
    cannot be told apart: the year is unknown, never the other person's history. The lines
    are grouped once for everyone: a unit's hundreds of people cost one pass, not one each."""
    by_year: dict[int, list[PersonLine]] = {}
    for line in lines:
        by_year.setdefault(line.year, []).append(line)
    years: dict[int, tuple[set[str], dict[Hashable, list[PersonLine]]]] = {}
    for found_year, found in by_year.items():
        units = set(units_of(found_year)) | {unit}
        by_person: dict[Hashable, list[PersonLine]] = {}
        for line in found:
            if line.unit in units:
                by_person.setdefault(line.person, []).append(line)
        if by_person:
            years[found_year] = (units - {unit}, by_person)
    facts = {}
    for person, key in people.items():
        history: dict[int, dict[str, str]] = {}
        known = set()
        for found_year, (earlier_units, by_person) in years.items():
            own = by_person.get(person)
            if own is None:
                earlier = {
                    self
                    for other in earlier_units
                    for self in selves.get((other, key), ())
                    if self != person
                }
                if len(earlier) > 1:
                    continue  # whose the year is cannot be told: unknown
                own = [line for self in earlier for line in by_person.get(self, [])]
            known.add(found_year)
            if own:
                history[found_year] = {line.title: line.state for line in own}
        facts[person] = Facts(year=year, history=history, known_years=frozenset(known))
    return facts


# -- rules as plain data -----------------------------------------------------------------------


@dataclass(frozen=True)
class ConsecutiveYears:
    title: str
    years: int
    including_current: bool = False


@dataclass(frozen=True)
class ConsecutiveTimes:
    title: str
    times: int
    every: int = 1
    including_current: bool = False


@dataclass(frozen=True)
class NotWithin:
    titles: tuple[str, ...]
    years: int


@dataclass(frozen=True)
class SameYear:
    condition: Condition


@dataclass(frozen=True)
class Rank:
    at_most: int


@dataclass(frozen=True)
class OneFlag:
    titles: tuple[str, ...]


@dataclass(frozen=True)
class Condition:
    """A same-year condition: a title held (leaf), or all / any of nested conditions."""

    title: str | None = None
    all: tuple[Condition, ...] = ()
    any: tuple[Condition, ...] = ()


Test = ConsecutiveYears | ConsecutiveTimes | NotWithin | SameYear | Rank | OneFlag


@dataclass(frozen=True)
class Rule:
    code: str
    title: str  # the title this rule governs
    test: Test
    source: str  # a legal citation, or CLUSTER_DECISION

    def cited(self) -> Phrase:
        """Where the rule comes from, as a page prints it after the reason."""
        if self.source == CLUSTER_DECISION:
            return Phrase(gettext_noop("quy định riêng của cụm"))
        return Phrase(gettext_noop("căn cứ: %(source)s"), {"source": self.source})


@dataclass(frozen=True)
class RuleBook:
    rules: tuple[Rule, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)  # title code → name

    def name(self, code: str) -> str:
        return self.names.get(code, code)

    def for_title(self, title: str) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.title == title)


class RuleError(ValueError):
    """The eligibility rules of a rule set cannot be read; `problems` name the rule and field."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(problem.render() for problem in problems))
        self.problems = problems


def _problem(rule: str, name: str, message: str) -> Problem:
    return Problem(
        "eligibility_rule",
        gettext_noop("Quy tắc xét điều kiện “%(rule)s”, trường “%(field)s”: %(message)s"),
        {"rule": rule, "field": name, "message": message},
        name,
    )


_MISSING = gettext_noop("thiếu hoặc không hợp lệ")
_POSITIVE = gettext_noop("phải là số nguyên dương")
_KINDS = ("consecutive_years", "consecutive_times", "not_within", "same_year", "rank", "one_flag")


def _positive(item: Mapping, name: str, code: str, problems: list[Problem], default=None) -> int:
    value = item.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems.append(_problem(code, name, _POSITIVE))
        return 1
    return value


def _text(item: Mapping, name: str, code: str, problems: list[Problem]) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value.strip():
        problems.append(_problem(code, name, _MISSING))
        return ""
    return value


def _codes(item: Mapping, name: str, code: str, problems: list[Problem]) -> tuple[str, ...]:
    value = item.get(name)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        problems.append(_problem(code, name, _MISSING))
        return ()
    return tuple(value)


def _condition(value, code: str, problems: list[Problem], path: str = "condition") -> Condition:
    if isinstance(value, str) and value:
        return Condition(title=value)
    if isinstance(value, Mapping) and len(value) == 1 and ("all" in value or "any" in value):
        joiner = "all" if "all" in value else "any"
        parts = value[joiner]
        if isinstance(parts, list) and parts:
            inner = tuple(
                _condition(part, code, problems, f"{path}.{joiner}[{index}]")
                for index, part in enumerate(parts)
            )
            return Condition(**{joiner: inner})
    problems.append(_problem(code, path, _MISSING))
    return Condition(all=())


def _test(kind: str, item: Mapping, code: str, problems: list[Problem]) -> Test | None:
    current = bool(item.get("including_current", False))
    if kind == "consecutive_years":
        return ConsecutiveYears(
            _text(item, "of", code, problems), _positive(item, "years", code, problems), current
        )
    if kind == "consecutive_times":
        return ConsecutiveTimes(
            _text(item, "of", code, problems),
            _positive(item, "times", code, problems),
            _positive(item, "every", code, problems, default=1),
            current,
        )
    if kind == "not_within":
        return NotWithin(
            _codes(item, "of", code, problems), _positive(item, "years", code, problems)
        )
    if kind == "same_year":
        return SameYear(_condition(item.get("condition"), code, problems))
    if kind == "rank":
        return Rank(_positive(item, "at_most", code, problems))
    if kind == "one_flag":
        return OneFlag(_codes(item, "of", code, problems))
    problems.append(_problem(code, "kind", gettext_noop("loại quy tắc không được hỗ trợ")))
    return None


def rule_book(data: Mapping | None) -> RuleBook:
    """The eligibility rules of a rule set's data (`data["eligibility"]`; absent: no rules).

    Raises RuleError naming each rule and field that cannot be read."""
    section = (data or {}).get(KEY)
    if section is None:
        return RuleBook()
    problems: list[Problem] = []
    if not isinstance(section, Mapping):
        raise RuleError([_problem(KEY, KEY, _MISSING)])
    names = section.get("names", {})
    if not isinstance(names, Mapping):
        problems.append(_problem(KEY, "names", _MISSING))
        names = {}
    items = section.get("rules", [])
    if not isinstance(items, list):
        raise RuleError([*problems, _problem(KEY, "rules", _MISSING)])
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            problems.append(_problem(f"#{index + 1}", "rules", _MISSING))
            continue
        code = item.get("code") if isinstance(item.get("code"), str) else f"#{index + 1}"
        if code in seen:
            problems.append(_problem(code, "code", gettext_noop("trùng mã với quy tắc khác")))
        seen.add(code)
        title = _text(item, "title", code, problems)
        source = _text(item, "source", code, problems)
        test = _test(str(item.get("kind")), item, code, problems)
        if test is not None:
            rules.append(Rule(code, title, test, source))
    if problems:
        raise RuleError(problems)
    return RuleBook(tuple(rules), dict(names))


# -- evaluation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """What one rule says of one candidate, with the reason naming the years and titles."""

    rule: Rule
    status: Status
    reason: Phrase


@dataclass(frozen=True)
class Verdict:
    status: Status
    findings: tuple[Finding, ...] = ()

    @property
    def deciding(self) -> tuple[Finding, ...]:
        """The findings that decide the verdict (all of them when eligible)."""
        if self.status == Status.ELIGIBLE:
            return self.findings
        return tuple(f for f in self.findings if f.status == self.status)

    @property
    def reasons(self) -> tuple[Phrase, ...]:
        return tuple(f.reason for f in self.deciding)


def _years(years: Sequence[int]) -> str:
    return ", ".join(str(year) for year in sorted(years))


def _held(state: State) -> Status:
    """Does a state count as holding the title? Awarded yes; not awarded or absent from a
    covered year no; proposed without a decision, or an uncovered year, unknown."""
    if state == State.AWARDED:
        return Status.ELIGIBLE
    if state in (State.PROPOSED, State.UNKNOWN):
        return Status.UNKNOWN
    return Status.NOT_ELIGIBLE


def _run(years: Sequence[int], title: str, facts: Facts, book: RuleBook, count: int):
    """The title held in every one of `years`: the three-valued answer and its reason."""
    states = {year: facts.state(year, title) for year in years}
    missing = [y for y, s in states.items() if _held(s) == Status.NOT_ELIGIBLE]
    unknown = [y for y, s in states.items() if s == State.UNKNOWN]
    pending = [y for y, s in states.items() if s == State.PROPOSED]
    params = {"title": book.name(title), "count": count, "years": _years(years)}
    if missing:
        return Status.NOT_ELIGIBLE, Phrase(
            gettext_noop(
                "Không đạt “%(title)s” năm %(missing)s (cần %(count)s lần liên tục: %(years)s)."
            ),
            {**params, "missing": _years(missing)},
        )
    if unknown or pending:
        parts = []
        if unknown:
            parts.append(
                Phrase(gettext_noop("sổ chưa có dữ liệu năm %(y)s"), {"y": _years(unknown)})
            )
        if pending:
            parts.append(
                Phrase(
                    gettext_noop("năm %(y)s mới đề nghị, chưa có quyết định"),
                    {"y": _years(pending)},
                )
            )
        detail = (
            parts[0] if len(parts) == 1 else Phrase("%(a)s; %(b)s", {"a": parts[0], "b": parts[1]})
        )
        return Status.UNKNOWN, Phrase(
            gettext_noop(
                "Chưa xác định “%(title)s” %(count)s lần liên tục (%(years)s): %(detail)s."
            ),
            {**params, "detail": detail},
        )
    return Status.ELIGIBLE, Phrase(
        gettext_noop("Đạt “%(title)s” %(count)s lần liên tục: %(years)s."), params
    )


def _last_year(facts: Facts, including_current: bool) -> int:
    return facts.year if including_current else facts.year - 1


def _not_within(test: NotWithin, facts: Facts, book: RuleBook) -> tuple[Status, Phrase]:
    years = list(range(facts.year - test.years, facts.year))
    names = ", ".join(f"“{book.name(t)}”" for t in test.titles)
    held = [
        (y, t)
        for y in years
        for t in test.titles
        if facts.state(y, t) in (State.AWARDED, State.PROPOSED)
    ]
    awarded = [(y, t) for y, t in held if facts.state(y, t) == State.AWARDED]
    params = {"titles": names, "count": test.years, "years": _years(years)}
    if awarded:
        year, title = awarded[-1]
        return Status.NOT_ELIGIBLE, Phrase(
            gettext_noop(
                "Đã được tặng “%(title)s” năm %(year)s (không được trong %(count)s năm: %(years)s)."
            ),
            {**params, "title": book.name(title), "year": year},
        )
    unknown = [y for y in years if y not in facts.known_years]
    if held or unknown:
        parts = []
        if held:
            year, title = held[-1]
            parts.append(
                Phrase(
                    gettext_noop("năm %(y)s được đề nghị “%(t)s”, chưa có quyết định"),
                    {"y": year, "t": book.name(title)},
                )
            )
        if unknown:
            parts.append(
                Phrase(gettext_noop("sổ chưa có dữ liệu năm %(y)s"), {"y": _years(unknown)})
            )
        detail = (
            parts[0] if len(parts) == 1 else Phrase("%(a)s; %(b)s", {"a": parts[0], "b": parts[1]})
        )
        return Status.UNKNOWN, Phrase(
            gettext_noop(
                "Chưa xác định việc không có %(titles)s trong %(count)s năm (%(years)s): "
                "%(detail)s."
            ),
            {**params, "detail": detail},
        )
    return Status.ELIGIBLE, Phrase(
        gettext_noop("Không có %(titles)s trong %(count)s năm %(years)s."), params
    )


def _condition_status(condition: Condition, facts: Facts) -> Status:
    if condition.title is not None:
        return _held(facts.state(facts.year, condition.title))
    parts = [_condition_status(c, facts) for c in (condition.all or condition.any)]
    if condition.all:
        if Status.NOT_ELIGIBLE in parts:
            return Status.NOT_ELIGIBLE
        return Status.UNKNOWN if Status.UNKNOWN in parts else Status.ELIGIBLE
    if Status.ELIGIBLE in parts:
        return Status.ELIGIBLE
    return Status.UNKNOWN if Status.UNKNOWN in parts else Status.NOT_ELIGIBLE


def describe_condition(condition: Condition, book: RuleBook) -> str:
    """The condition in words: “A” và (“B” hoặc “C”)."""
    if condition.title is not None:
        return f"“{book.name(condition.title)}”"
    joiner = " và " if condition.all else " hoặc "
    parts = [describe_condition(c, book) for c in (condition.all or condition.any)]
    return "(" + joiner.join(parts) + ")" if len(parts) > 1 else parts[0]


def _same_year(test: SameYear, facts: Facts, book: RuleBook) -> tuple[Status, Phrase]:
    status = _condition_status(test.condition, facts)
    text = describe_condition(test.condition, book)
    params = {"condition": text, "year": facts.year}
    if status == Status.ELIGIBLE:
        return status, Phrase(gettext_noop("Năm %(year)s đạt %(condition)s."), params)
    if status == Status.NOT_ELIGIBLE:
        return status, Phrase(gettext_noop("Năm %(year)s không đạt %(condition)s."), params)
    return status, Phrase(gettext_noop("Năm %(year)s chưa xác định %(condition)s."), params)


def _rank(test: Rank, facts: Facts) -> tuple[Status, Phrase]:
    if facts.rank is None:
        return Status.UNKNOWN, Phrase(
            gettext_noop(
                "Chưa có kết quả xếp hạng năm %(year)s (cần xếp thứ %(at_most)s trở lên)."
            ),
            {"year": facts.year, "at_most": test.at_most},
        )
    params = {"year": facts.year, "rank": facts.rank, "at_most": test.at_most}
    if facts.rank <= test.at_most:
        return Status.ELIGIBLE, Phrase(gettext_noop("Xếp thứ %(rank)s năm %(year)s."), params)
    return Status.NOT_ELIGIBLE, Phrase(
        gettext_noop("Xếp thứ %(rank)s năm %(year)s; cần xếp thứ %(at_most)s trở lên."), params
    )


def _one_flag(test: OneFlag, facts: Facts, book: RuleBook) -> tuple[Status, Phrase]:
    taken = [
        t for t in test.titles if facts.state(facts.year, t) in (State.PROPOSED, State.AWARDED)
    ]
    if taken:
        return Status.NOT_ELIGIBLE, Phrase(
            gettext_noop("Năm %(year)s đã được đề nghị “%(title)s”: mỗi năm một cờ."),
            {"year": facts.year, "title": book.name(taken[0])},
        )
    if facts.year not in facts.known_years:
        return Status.UNKNOWN, Phrase(
            gettext_noop("Sổ chưa có dữ liệu năm %(year)s."), {"year": facts.year}
        )
    return Status.ELIGIBLE, Phrase(
        gettext_noop("Năm %(year)s chưa được đề nghị cờ khác."), {"year": facts.year}
    )


def check_rule(rule: Rule, facts: Facts, book: RuleBook) -> Finding:
    test = rule.test
    if isinstance(test, ConsecutiveYears):
        last = _last_year(facts, test.including_current)
        years = list(range(last - test.years + 1, last + 1))
        status, reason = _run(years, test.title, facts, book, test.years)
    elif isinstance(test, ConsecutiveTimes):
        last = _last_year(facts, test.including_current)
        years = [last - i * test.every for i in range(test.times)]
        status, reason = _run(years, test.title, facts, book, test.times)
    elif isinstance(test, NotWithin):
        status, reason = _not_within(test, facts, book)
    elif isinstance(test, SameYear):
        status, reason = _same_year(test, facts, book)
    elif isinstance(test, Rank):
        status, reason = _rank(test, facts)
    else:
        status, reason = _one_flag(test, facts, book)
    return Finding(rule, status, reason)


def evaluate(book: RuleBook, title: str, facts: Facts) -> Verdict:
    """A candidate's eligibility for `title`: not eligible when a rule says so, unknown when
    none does but one cannot be decided, eligible when all are met (or there is no rule)."""
    findings = tuple(check_rule(rule, facts, book) for rule in book.for_title(title))
    statuses = {f.status for f in findings}
    if Status.NOT_ELIGIBLE in statuses:
        return Verdict(Status.NOT_ELIGIBLE, findings)
    if Status.UNKNOWN in statuses:
        return Verdict(Status.UNKNOWN, findings)
    return Verdict(Status.ELIGIBLE, findings)
