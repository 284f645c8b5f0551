"""A cycle's record, and its independent check.

A record is one JSON document holding what a cluster year was decided from (organisation and
lineage, indicator catalog and reports, agreement and score sheets, polls with their anonymous
ballots, the audit entries) and what the app computed from it (statistics, ranking, tallies).
`verify` recomputes every result with the core alone — no database, no Django — and names
each difference. The format is described in docs/record.md and docs/record.schema.json.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from thidua.core import ballots as core_ballots
from thidua.core import indicators as core_indicators
from thidua.core import scoring as core_scoring
from thidua.core.audit import canonical_json, entry_hash
from thidua.core.lineage import EventKind, Lineage, LineageEvent, UnitSpan
from thidua.core.messages import Label, Phrase, gettext_noop
from thidua.core.numbers import format_exact, format_number, round_half_up, tidy

FORMAT = "thidua-record"
VERSION = 1

#: Top-level keys and the JSON types they must have (None: may be null).
SHAPE: dict[str, tuple[type, ...]] = {
    "format": (str,),
    "version": (int,),
    "cycle": (dict,),
    "units": (list,),
    "lineage": (list,),
    "handovers": (list,),
    "indicators": (list,),
    "reports": (list,),
    "published": (list,),
    "report_text": (dict,),
    "statistics": (dict,),
    "agreement": (dict, type(None)),
    "sheets": (list,),
    "scoring": (dict, type(None)),
    "conference": (dict, type(None)),
    "polls": (list,),
    "documents": (list,),
    "audit": (dict,),
}


def encode(record: Mapping) -> bytes:
    """The canonical bytes of a record: sorted keys, no spaces, UTF-8, one final newline —
    the same cycle always gives the same bytes."""
    return (canonical_json(record) + "\n").encode()


class Unreadable(ValueError):
    """A file that is not a record one can read: `phrase` says why, for people."""

    def __init__(self, phrase: Phrase):
        self.phrase = phrase
        super().__init__(phrase.render())


def load(path: str | Path) -> object:
    """The JSON document in `path` (`.json`, or gzip-compressed `.json.gz`), or `Unreadable`
    saying why not in a sentence that a caller puts after the file's name (never a Python
    exception)."""
    try:
        content = Path(path).read_bytes()
    except FileNotFoundError:
        raise Unreadable(Phrase(gettext_noop("không có tệp này."))) from None
    except IsADirectoryError:
        raise Unreadable(Phrase(gettext_noop("đây là một thư mục, không phải tệp."))) from None
    except OSError:
        raise Unreadable(
            Phrase(gettext_noop("không mở được tệp (không có quyền đọc, hoặc lỗi đĩa)."))
        ) from None
    return parse(content)


def parse(content: bytes) -> object:
    """The JSON document in `content` (gzip-compressed or not), or `Unreadable`."""
    if content[:2] == b"\x1f\x8b":
        try:
            content = gzip.decompress(content)
        except (OSError, EOFError, zlib.error):
            raise Unreadable(
                Phrase(gettext_noop("tệp nén gzip bị hỏng hoặc không đầy đủ."))
            ) from None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable(
            Phrase(
                gettext_noop(
                    "tệp không phải văn bản JSON (UTF-8), cũng không phải JSON nén gzip: "
                    "bản ghi là tệp .json hoặc .json.gz."
                )
            )
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise Unreadable(
            Phrase(
                gettext_noop(
                    "tệp không phải JSON hợp lệ (lỗi ở dòng %(line)s, cột %(column)s): có thể "
                    "tệp bị cắt ngắn hoặc không phải bản ghi."
                ),
                {"line": error.lineno, "column": error.colno},
            )
        ) from None


def document_digest(content: bytes) -> str:
    """SHA-256 of an Office file's parts, without its core properties (which hold the time it
    was written): the same content gives the same digest, whenever it was generated."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in sorted(archive.namelist()):
            if name == "docProps/core.xml":
                continue
            digest.update(name.encode() + b"\0" + archive.read(name) + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Finding:
    """One difference: where in the record, and what is wrong."""

    where: str
    message: Phrase

    def render(self, translate: Callable[[str], str] = lambda text: text) -> str:
        return f"{self.where}: {self.message.render(translate)}"


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


# --- values in messages -------------------------------------------------------------------

#: Decimals shown for a long decimal (a recomputed rate): more only where two values would
#: otherwise look the same.
SHOWN_DECIMALS = 2
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _as_number(value) -> Decimal | None:
    """A number written in the record (`"94.57"`, `18`), or None for anything else (a code,
    a date, true/false)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value) if Decimal(value).is_finite() else None
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value.strip()):
        return Decimal(value.strip())
    return None


def _decimals(number: Decimal) -> int:
    exponent = tidy(number).as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _shown_pair(left, right) -> tuple[object, object]:
    """Two values as a message shows them side by side: numbers the Vietnamese way (`78,19`,
    `2.156`), long decimals to `SHOWN_DECIMALS` places (more if they would look equal),
    lists as `son-la, lao-cai`, nothing as `—`."""
    a, b = _as_number(left), _as_number(right)
    if a is None or b is None:
        return _shown(left), _shown(right)
    decimals = max(_decimals(a), _decimals(b))
    if decimals <= SHOWN_DECIMALS:
        return format_exact(a), format_exact(b)
    places = SHOWN_DECIMALS
    while places < decimals and a != b and round_half_up(a, places) == round_half_up(b, places):
        places += 1
    return format_number(a, places), format_number(b, places)


def _shown(value) -> object:
    """One value as a message shows it (see `_shown_pair`)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return Label(gettext_noop("có") if value else gettext_noop("không"))
    if _as_number(value) is not None:
        return _shown_pair(value, value)[0]
    if isinstance(value, list | tuple):
        return ", ".join(str(_shown(item)) for item in value) if value else "—"
    if isinstance(value, Mapping):
        if not value:
            return "—"
        return "; ".join(f"{key}: {_shown(item)}" for key, item in sorted(value.items()))
    return str(value)


def _mismatch(where: str, computed, recorded) -> Finding:
    computed, recorded = _shown_pair(computed, recorded)
    return Finding(
        where,
        Phrase(
            gettext_noop("tính lại được %(computed)s nhưng bản ghi ghi %(recorded)s."),
            {"computed": computed, "recorded": recorded},
        ),
    )


def _same(a, b) -> bool:
    """Equal as numbers when both read as numbers (6.75 = 6.750), lists item by item, else
    as they are."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    left, right = _decimal(a), _decimal(b)
    if left is not None and right is not None:
        return left == right
    return a == b


def _compare(where: str, computed: Mapping, recorded: Mapping) -> list[Finding]:
    return [
        _mismatch(f"{where}.{key}", computed.get(key), recorded.get(key))
        for key in sorted(set(computed) | set(recorded))
        if not _same(computed.get(key), recorded.get(key))
    ]


# --- shape and references -----------------------------------------------------------------


def _structure(record) -> list[Finding]:
    if not isinstance(record, Mapping):
        return [Finding("$", Phrase(gettext_noop("bản ghi phải là một đối tượng JSON.")))]
    findings = []
    for key, types in SHAPE.items():
        if not isinstance(record.get(key, ...), types):
            findings.append(
                Finding(key, Phrase(gettext_noop("thiếu mục này hoặc sai kiểu dữ liệu.")))
            )
    if findings:
        return findings
    if record["format"] != FORMAT or record["version"] != VERSION:
        return [
            Finding(
                "version",
                Phrase(
                    gettext_noop("định dạng %(format)s phiên bản %(version)s không được hỗ trợ."),
                    {"format": record["format"], "version": record["version"]},
                ),
            )
        ]
    return []


def _missing(where: str, what: str) -> Finding:
    return Finding(
        where, Phrase(gettext_noop("tham chiếu “%(code)s” không có trong bản ghi."), {"code": what})
    )


def _references(record) -> list[Finding]:
    findings = []
    units = {unit["code"] for unit in record["units"]}
    cycle = record["cycle"]
    members = cycle["members"]
    for code in members:
        if code not in units:
            findings.append(_missing("cycle.members", code))
    for role in ("leader", "deputy"):
        if cycle.get(role) is not None and cycle[role] not in members:
            findings.append(_missing(f"cycle.{role}", cycle[role]))
    indicators = {indicator["code"] for indicator in record["indicators"]}
    for indicator in record["indicators"]:
        for part in ("numerator", "denominator"):
            if indicator.get(part) and indicator[part] not in indicators:
                findings.append(
                    _missing(f"indicators[{indicator['code']}].{part}", indicator[part])
                )
    for report in record["reports"]:
        where = f"reports[{report['unit']}/{report['year']}/{report['period']}]"
        if report["unit"] not in units:
            findings.append(_missing(where, report["unit"]))
        findings += [_missing(where, code) for code in report["figures"] if code not in indicators]
    criteria = {c["code"] for c in (record["agreement"] or {}).get("criteria", [])}
    for sheet in record["sheets"]:
        where = f"sheets[{sheet['scorer']}->{sheet['target']}]"
        findings += [
            _missing(where, u) for u in (sheet["scorer"], sheet["target"]) if u not in members
        ]
        findings += [_missing(where, code) for code in sheet["scores"] if code not in criteria]
    polls = {poll["code"] for poll in record["polls"]}
    for poll in record["polls"]:
        where = f"polls[{poll['code']}]"
        findings += [_missing(where, code) for code in poll["candidates"] if code not in members]
        if poll.get("runoff_of") and poll["runoff_of"] not in polls:
            findings.append(_missing(f"{where}.runoff_of", poll["runoff_of"]))
    return findings


# --- the audit chain ----------------------------------------------------------------------


def _audit(record) -> list[Finding]:
    findings = []
    entries = record["audit"].get("entries", [])
    for index, entry in enumerate(entries):
        payload = entry.get("payload", {})
        if entry_hash(entry.get("prev_hash", ""), payload) != entry.get("hash"):
            findings.append(
                Finding(
                    f"audit.entries[{index}]",
                    Phrase(
                        gettext_noop(
                            "mục nhật ký “%(action)s %(object)s” không khớp mã băm của nó: "
                            "nội dung đã bị sửa."
                        ),
                        {"action": payload.get("action"), "object": payload.get("object_id")},
                    ),
                )
            )
    if entries and record["audit"].get("last_hash") != entries[-1].get("hash"):
        findings.append(
            Finding(
                "audit.last_hash",
                Phrase(gettext_noop("không phải mã băm của mục nhật ký cuối cùng.")),
            )
        )
    return findings


# --- against the log ----------------------------------------------------------------------
#
# Every input a person typed is in the audit log, as the entry that wrote it last. Each
# `Audited` below says which entries write which input of the record and under what key;
# `_against_the_log` folds the log (a later entry replaces each field it writes) and names
# every field of the record that differs from the log, every input the log never wrote and,
# for inputs the record holds all of, every one the log wrote that the record lacks.


def _entries(record, *actions: str) -> Iterable[Mapping]:
    """The payloads of the record's audit entries with one of `actions`, in log order."""
    for entry in record["audit"].get("entries", []):
        payload = entry.get("payload") or {}
        if payload.get("action") in actions:
            yield payload


def _cycle_code(record) -> str:
    return f"{record['cycle']['cluster']}/{record['cycle']['year']}"


def _only(after: Mapping | None, *fields: str) -> dict:
    """The `fields` an entry wrote (those its `after` holds)."""
    return {field: after[field] for field in fields if field in (after or {})}


@dataclass(frozen=True)
class Audited:
    """One kind of audited input: `written` yields (key, fields) for each audit entry that
    wrote one, in log order; `recorded` yields (key, fields) for each one in the record;
    `where` names one by its key. `complete`: the record holds every one the log wrote."""

    where: Callable[[str], str]
    written: Callable[[Mapping], Iterable[tuple[str, Mapping]]]
    recorded: Callable[[Mapping], Iterable[tuple[str, Mapping]]]
    complete: bool = False


def _sheets_written(record):
    for payload in _entries(record, "scoring.sheet.save", "scoring.sheet.submit"):
        yield str(payload.get("object_id")), {"scores": payload.get("after") or {}}


def _sheets_recorded(record):
    for sheet in record["sheets"]:
        yield f"{sheet['scorer']}->{sheet['target']}", {"scores": sheet["scores"]}


def _reports_written(record):
    for payload in _entries(record, *REPORT_ACTIONS):
        yield (
            str(payload.get("object_id")),
            {"figures": (payload.get("after") or {}).get("figures", {})},
        )


def _reports_recorded(record):
    for report in record["reports"]:
        yield (
            f"{report['unit']}/{report['year']}/{report['period']}",
            {"figures": report["figures"]},
        )


CYCLE_FIELDS = ("title", "leader", "deputy", "members", "rule_set", "note")


def _cycle_written(record):
    """The cycle as created or changed, and its leader and deputy as handed over to it."""
    code, year = _cycle_code(record), record["cycle"]["year"]
    for payload in _entries(record, "org.cycle.create", "org.cycle.update", "org.handover.record"):
        after = payload.get("after") or {}
        if payload["action"] == "org.handover.record":
            if after.get("year") == year and _same_cluster(payload, record):
                yield "cycle", _only(after, "leader", "deputy")
        elif payload.get("cycle") == code:
            fields = _only(after, *CYCLE_FIELDS)
            if "members" in fields:
                fields["members"] = sorted(fields["members"])
            yield "cycle", fields


def _cycle_recorded(record):
    cycle = record["cycle"]
    rule_set = cycle.get("rule_set") or {}
    yield (
        "cycle",
        {
            "title": cycle.get("title"),
            "leader": cycle.get("leader"),
            "deputy": cycle.get("deputy"),
            "members": sorted(cycle["members"]),
            "rule_set": f"{rule_set.get('code')}@{rule_set.get('version')}",
            "note": cycle.get("note"),
        },
    )


def _same_cluster(payload: Mapping, record) -> bool:
    return str(payload.get("cycle", "")).partition("/")[0] == record["cycle"]["cluster"]


HANDOVER_FIELDS = ("year", "leader", "deputy", "method", "decision_ref")


def _handovers_written(record):
    """Each year's hand-overs in the order they were recorded (`year/1`, `year/2`, …): at a
    conference (`org.handover.record`, last year's included), or as the Ministry's
    assignment when the cycle is created without one or its leadership is changed."""
    code, year = _cycle_code(record), record["cycle"]["year"]
    count: dict[int, int] = {}

    def key(of_year) -> str:
        count[of_year] = count.get(of_year, 0) + 1
        return f"{of_year}/{count[of_year]}"

    for payload in _entries(record, "org.cycle.create", "org.cycle.update", "org.handover.record"):
        after, before = payload.get("after") or {}, payload.get("before") or {}
        if payload["action"] == "org.handover.record":
            if _same_cluster(payload, record):
                yield key(after.get("year")), _only(after, *HANDOVER_FIELDS)
            continue
        if payload.get("cycle") != code:
            continue
        created = payload["action"] == "org.cycle.create" and not count.get(year)
        changed = payload["action"] == "org.cycle.update" and (
            before.get("leader"),
            before.get("deputy"),
        ) != (after.get("leader"), after.get("deputy"))
        if created or changed:
            yield key(year), {**_only(after, "leader", "deputy"), "method": "assigned"}


def _handovers_recorded(record):
    count: dict[int, int] = {}
    for handover in record["handovers"]:
        year = handover["year"]
        count[year] = count.get(year, 0) + 1
        yield f"{year}/{count[year]}", {field: handover.get(field) for field in HANDOVER_FIELDS}


CONFERENCE_FIELDS = ("held_on", "starts_at", "ends_at", "place", "agenda", "chair", "secretary")


def _conference_written(record):
    for payload in _entries(record, "voting.conference.set"):
        yield "conference", _only(payload.get("after"), *CONFERENCE_FIELDS)


def _conference_recorded(record):
    if record["conference"] is not None:
        yield "conference", {f: record["conference"].get(f) for f in CONFERENCE_FIELDS}


def _delegates_written(record):
    """Delegates by unit, in the order they were added (`unit/1`, `unit/2`, …: the record
    lists them so, and names no account)."""
    added: dict[str, str] = {}  # delegate id → unit, from the entry that added it
    for payload in _entries(record, "voting.delegate.add"):
        added.setdefault(str(payload.get("object_id")), (payload.get("after") or {}).get("unit"))
    keys = {}
    for unit in set(added.values()):
        mine = sorted((pk for pk, of in added.items() if of == unit), key=_by_number)
        keys.update({pk: f"{unit}/{n}" for n, pk in enumerate(mine, 1)})
    seen = set()
    for payload in _entries(record, "voting.delegate.add", "voting.delegate.check_in"):
        pk = str(payload.get("object_id"))
        if pk not in keys:
            continue
        if payload["action"] == "voting.delegate.check_in":
            yield keys[pk], {"checked_in": True}
        elif pk in seen:  # added again: its board changes
            yield keys[pk], _only(payload.get("after"), "board")
        else:
            seen.add(pk)
            fields = _only(payload.get("after"), "unit", "board")
            yield keys[pk], {**fields, "checked_in": False}


def _by_number(pk: str):
    return (0, int(pk), pk) if pk.isdigit() else (1, 0, pk)


def _delegates_recorded(record):
    count: dict[str, int] = {}
    for delegate in (record["conference"] or {}).get("delegates", []):
        unit = delegate["unit"]
        count[unit] = count.get(unit, 0) + 1
        yield f"{unit}/{count[unit]}", {f: delegate.get(f) for f in ("unit", "board", "checked_in")}


def _published_written(record):
    prefix = _cycle_code(record) + "/"
    for payload in _entries(record, "stats.published.set"):
        object_id = str(payload.get("object_id"))
        if not object_id.startswith(prefix):
            continue
        after = payload.get("after") or {}
        period = object_id.removeprefix(prefix)
        for code, value in (after.get("figures") or {}).items():
            yield f"{period}/{code}", {"value": value, **_only(after, "source")}


def _published_recorded(record):
    for figure in record["published"]:
        yield (
            f"{figure['period']}/{figure['indicator']}",
            {"value": figure.get("value"), "source": figure.get("source")},
        )


POLL_FIELDS = ("title", "candidates", "rules", "status", "electorate", "result")


def _polls_written(record):
    """Each poll's rules and candidates as created, its electorate as opened and its result
    as counted."""
    codes: dict[str, str] = {}  # poll id → code, from the entry that created it
    for payload in _entries(record, "voting.poll.create", "voting.poll.open", "voting.poll.close"):
        pk, after = str(payload.get("object_id")), payload.get("after") or {}
        if payload["action"] == "voting.poll.create":
            codes[pk] = str(after.get("code"))
            yield (
                codes[pk],
                {
                    **_only(after, "title", "candidates", "rules"),
                    "status": "draft",
                    "result": None,
                },
            )
        elif pk in codes and payload["action"] == "voting.poll.open":
            yield codes[pk], {"status": "open", **_only(after, "electorate")}
        elif pk in codes:
            yield codes[pk], {"status": "closed", "result": after}


def _polls_recorded(record):
    for poll in record["polls"]:
        yield poll["code"], {field: poll.get(field) for field in POLL_FIELDS}


REPORT_ACTIONS = ("stats.report.save", "stats.report.submit", "stats.baseline.record")

#: Every input of a record the audit log writes: the one place that says which.
AUDITED: tuple[Audited, ...] = (
    Audited(lambda key: "cycle", _cycle_written, _cycle_recorded, complete=True),
    Audited(lambda key: f"handovers[{key}]", _handovers_written, _handovers_recorded, True),
    Audited(lambda key: f"reports[{key}]", _reports_written, _reports_recorded),
    Audited(lambda key: f"published[{key}]", _published_written, _published_recorded, True),
    Audited(lambda key: f"sheets[{key}]", _sheets_written, _sheets_recorded),
    Audited(lambda key: "conference", _conference_written, _conference_recorded, True),
    Audited(
        lambda key: f"conference.delegates[{key}]", _delegates_written, _delegates_recorded, True
    ),
    Audited(lambda key: f"polls[{key}]", _polls_written, _polls_recorded, complete=True),
)


def _fold(written: Iterable[tuple[str, Mapping]]) -> dict[str, dict]:
    """key → each field as the last entry that wrote it left it."""
    found: dict[str, dict] = {}
    for key, fields in written:
        found.setdefault(key, {}).update(fields)
    return found


def _against_the_log(record) -> list[Finding]:
    """Every audited input (`AUDITED`) as the audit log last wrote it."""
    findings = []
    for audited in AUDITED:
        logged = _fold(audited.written(record))
        recorded = dict(audited.recorded(record))
        for key, fields in recorded.items():
            where = audited.where(key)
            if key not in logged:
                findings.append(
                    Finding(where, Phrase(gettext_noop("không có trong nhật ký thao tác.")))
                )
                continue
            for field, value in logged[key].items():
                findings += _logged(f"{where}.{field}", fields.get(field), value)
        if audited.complete:
            findings += [
                Finding(
                    audited.where(key),
                    Phrase(gettext_noop("có trong nhật ký thao tác nhưng không có trong bản ghi.")),
                )
                for key in logged
                if key not in recorded
            ]
    return findings


def _logged(where: str, recorded, logged) -> list[Finding]:
    """Each difference between a value of the record and the log's, named down to the
    criterion, indicator or count (`….scores.I.1`, `….result.votes.lao-cai`)."""
    if isinstance(recorded, Mapping) and isinstance(logged, Mapping):
        return [
            finding
            for key in sorted(set(recorded) | set(logged), key=str)
            for finding in _logged(f"{where}.{key}", recorded.get(key), logged.get(key))
        ]
    if _same(recorded, logged):
        return []
    recorded, logged = _shown_pair(recorded, logged)
    return [
        Finding(
            where,
            Phrase(
                gettext_noop("bản ghi ghi %(recorded)s nhưng nhật ký thao tác ghi %(logged)s."),
                {"recorded": recorded, "logged": logged},
            ),
        )
    ]


# --- statistics ---------------------------------------------------------------------------


def catalog_of(record) -> dict[str, core_indicators.Indicator]:
    return {
        item["code"]: core_indicators.Indicator(
            code=item["code"],
            name=item["name"],
            kind=core_indicators.Kind(item["kind"]),
            direction=core_indicators.Direction(item["direction"]),
            decimals=int(item["decimals"]),
            numerator=item.get("numerator"),
            denominator=item.get("denominator"),
        )
        for item in record["indicators"]
    }


def lineage_of(record) -> Lineage:
    def day(value):
        return date.fromisoformat(value) if value else None

    return Lineage(
        [
            UnitSpan(u["code"], u["name"], day(u.get("valid_from")), day(u.get("valid_to")))
            for u in record["units"]
        ],
        [
            LineageEvent(
                EventKind(event["kind"]),
                date.fromisoformat(event["effective_date"]),
                tuple(event["sources"]),
                tuple(event["targets"]),
            )
            for event in record["lineage"]
        ],
    )


def figures_of(record, year: int, period: str = "Y") -> dict[str, dict[str, Decimal]]:
    """The figures of the reports that count (drafts do not: `COUNTED_STATUSES`)."""
    return {
        report["unit"]: {code: Decimal(value) for code, value in report["figures"].items()}
        for report in record["reports"]
        if report["year"] == year
        and report["period"] == period
        and report.get("status", "submitted") in core_indicators.COUNTED_STATUSES
    }


def _plain(values: Mapping[str, Decimal | None]) -> dict[str, str | None]:
    return {code: None if value is None else str(value) for code, value in values.items()}


def statistics(record) -> dict:
    """Each member's values and baseline (after lineage) for the year, and the totals."""
    catalog = catalog_of(record)
    year = record["cycle"]["year"]
    members = record["cycle"]["members"]
    now = figures_of(record, year)
    previous = figures_of(record, year - 1)
    lineage = lineage_of(record)
    day = core_indicators.Period.YEAR.end(year - 1)
    units, baselines = {}, {}
    for code in members:
        ancestry = lineage.ancestors_on(code, day)
        before, _missing = core_indicators.baseline(
            previous, ancestry.units, ancestry.partial, catalog
        )
        baselines[code] = before
        units[code] = {
            "values": _plain(core_indicators.values(now.get(code, {}), catalog)),
            "baseline": _plain(core_indicators.values(before, catalog)),
        }
    totals = core_indicators.cluster_total(now, baselines, members, catalog)
    return {
        "units": units,
        "total": {
            "values": _plain(core_indicators.values(totals.now, catalog)),
            "baseline": _plain(core_indicators.values(totals.before, catalog)),
        },
    }


def _statistics(record) -> list[Finding]:
    computed, recorded = statistics(record), record["statistics"]
    findings = []
    for code, parts in computed["units"].items():
        for part, values in parts.items():
            stored = recorded.get("units", {}).get(code, {}).get(part, {})
            findings += _compare(f"statistics.units[{code}].{part}", values, stored)
    for part, values in computed["total"].items():
        findings += _compare(
            f"statistics.total.{part}", values, recorded.get("total", {}).get(part, {})
        )
    return findings


# --- scoring ------------------------------------------------------------------------------


def _criterion(data: Mapping) -> core_scoring.Criterion:
    return core_scoring.Criterion(
        code=data["code"],
        name=data["name"],
        kind=core_scoring.Kind(data["kind"]),
        max_points=Decimal(data["max_points"]),
        parent=data.get("parent"),
        min_points=Decimal(data.get("min_points", "0")),
        indicator=data.get("indicator"),
        points_each=Decimal(data.get("points_each", "0")),
        penalty_each=Decimal(data.get("penalty_each", "0")),
        measure=data.get("measure", ""),
    )


def ranking(record) -> list[dict] | None:
    """Every member's points, total, rank and band, from the sheets and facts in the record."""
    agreement = record["agreement"]
    if agreement is None:
        return None
    members = record["cycle"]["members"]
    table = core_scoring.Table(_criterion(c) for c in agreement["criteria"])
    rules = core_scoring.Rules.from_data(agreement["rules"])
    assigned = agreement["assignment"]
    sheets = [
        core_scoring.Sheet(
            sheet["scorer"],
            sheet["target"],
            {code: Decimal(value) for code, value in sheet["scores"].items()},
        )
        for sheet in record["sheets"]
        if sheet["status"] == "submitted"
        and (
            sheet["scorer"] == sheet["target"]
            or sheet["scorer"] in assigned.get(sheet["target"], [])
        )
    ]
    catalog = catalog_of(record)
    now = figures_of(record, record["cycle"]["year"])
    actual = {}
    for criterion in table.leaves:
        if criterion.kind != core_scoring.Kind.QUANTITATIVE or criterion.indicator not in catalog:
            continue
        for unit in members:
            value = core_indicators.value_of(catalog[criterion.indicator], now.get(unit, {}))
            if value is not None:
                actual[(unit, criterion.code)] = value
    facts = core_scoring.Facts(
        actual=actual,
        targets={(u, c): Decimal(v) for u, c, v in agreement["targets"] if v is not None},
        achieved={
            (f["unit"], f["criterion"]): f["achieved"]
            for f in agreement["facts"]
            if f.get("achieved") is not None
        },
        counts={
            (f["unit"], f["criterion"]): Decimal(f["count"])
            for f in agreement["facts"]
            if f.get("count") is not None
        },
        penalties={
            (f["unit"], f["criterion"]): Decimal(f["penalties"])
            for f in agreement["facts"]
            if f.get("penalties") is not None
        },
    )
    return [
        {
            "unit": result.unit,
            "rank": result.rank,
            "total": str(result.total),
            "self_total": None if result.self_total is None else str(result.self_total),
            "band": result.band,
            "points": {code: str(item.points) for code, item in result.criteria.items()},
        }
        for result in core_scoring.score(table, members, sheets, facts, rules)
    ]


def _scoring(record) -> list[Finding]:
    computed = ranking(record)
    recorded = (record["scoring"] or {}).get("ranking")
    if computed is None or recorded is None:
        if computed != recorded:
            return [_mismatch("scoring", "—" if computed is None else "…", "—")]
        return []
    findings = []
    stored = {row["unit"]: row for row in recorded}
    for row in computed:
        where = f"scoring.ranking[{row['unit']}]"
        other = stored.get(row["unit"])
        if other is None:
            findings.append(_missing("scoring.ranking", row["unit"]))
            continue
        for key in ("rank", "total", "self_total", "band"):
            if not _same(row[key], other.get(key)):
                findings.append(_mismatch(f"{where}.{key}", row[key], other.get(key)))
        findings += _compare(f"{where}.points", row["points"], other.get("points", {}))
    return findings


# --- polls --------------------------------------------------------------------------------


def tally(poll: Mapping) -> dict | None:
    """The poll's result recounted from its ballots (None while it is not counted)."""
    if poll["status"] != "closed" or poll.get("result") is None:
        return None
    rules = core_ballots.rules_from(poll["rules"], poll["candidates"])
    ballots = [
        core_ballots.ballot_from(ballot["content"] or {}, ballot["source"] == "written")
        for ballot in poll["ballots"]
    ]
    result = poll["result"]
    counted = core_ballots.tally(
        ballots, rules, electorate=result["electorate"], issued=result["issued"]
    )
    return core_ballots.stored_result(counted, rules)


def _polls(record) -> list[Finding]:
    findings = []
    for poll in record["polls"]:
        where = f"polls[{poll['code']}]"
        if poll["status"] != "closed":
            if poll["ballots"]:
                findings.append(
                    Finding(
                        f"{where}.ballots",
                        Phrase(
                            gettext_noop("cuộc bỏ phiếu chưa kiểm phiếu không được công bố phiếu.")
                        ),
                    )
                )
            continue
        computed = tally(poll)
        if computed is None:
            findings.append(_mismatch(f"{where}.result", "…", "—"))
            continue
        for key, value in computed.items():
            other = poll["result"].get(key)
            if isinstance(value, dict) and isinstance(other, dict):
                findings += _compare(f"{where}.result.{key}", value, other)
            elif not _same(value, other):
                findings.append(_mismatch(f"{where}.result.{key}", value, other))
        receipted = sum(1 for ballot in poll["ballots"] if ballot["source"] != "paper")
        if len(poll["receipts"]) != receipted:
            findings.append(
                Finding(
                    f"{where}.receipts",
                    Phrase(
                        gettext_noop(
                            "%(receipts)s mã biên nhận nhưng %(ballots)s phiếu điện tử, văn bản."
                        ),
                        {
                            "receipts": format_number(len(poll["receipts"])),
                            "ballots": format_number(receipted),
                        },
                    ),
                )
            )
    return findings


def nominees_of(record) -> dict[str, tuple[str, ...]]:
    """title code → the units its counted polls nominated (a first round with its runoffs,
    once every round is counted and no tie is left), as the conference page reads them."""
    polls = {poll["code"]: poll for poll in record["polls"]}
    runoffs = {poll["runoff_of"]: poll for poll in record["polls"] if poll.get("runoff_of")}
    found = {}
    for poll in record["polls"]:
        if poll.get("runoff_of") in polls or poll.get("purpose") != "title":
            continue
        if not poll.get("title_code"):
            continue
        rounds = [poll]
        while rounds[-1]["code"] in runoffs and len(rounds) <= len(polls):
            rounds.append(runoffs[rounds[-1]["code"]])
        counted = [r for r in rounds if r["status"] == "closed" and r.get("result")]
        winners, complete = core_ballots.decided(
            [
                core_ballots.Round(
                    tuple(r["result"]["winners"]),
                    tuple((r["result"].get("runoff") or {}).get("candidates", ())),
                )
                for r in counted
            ]
        )
        if complete and len(counted) == len(rounds):
            found[poll["title_code"]] = winners
    return found


def _nominations(record) -> list[Finding]:
    """The titles' quotas and conditions (`check_nominations`: e.g. a Government-flag
    nominee must also be a Ministry-flag nominee and lead the cluster) on the counted polls."""
    nominees = nominees_of(record)
    titles = [
        core_ballots.Title(
            code=item["code"],
            name=item["name"],
            seats=int(item["seats"]),
            requires=tuple(item.get("requires", ())),
            requires_rank=item.get("requires_rank"),
        )
        for item in ((record["cycle"].get("rule_set") or {}).get("data") or {})
        .get("voting", {})
        .get("titles", [])
        if item["code"] in nominees
    ]
    if not titles:
        return []
    ranks = {row["unit"]: row["rank"] for row in ranking(record) or [] if row["rank"] is not None}
    names = {unit["code"]: unit["name"] for unit in record["units"]}
    polls = {
        poll["title_code"]: poll["code"]
        for poll in reversed(record["polls"])
        if poll.get("title_code") and not poll.get("runoff_of")
    }
    return [
        Finding(
            f"polls[{polls.get(problem.field, problem.field)}]",
            Phrase(problem.message, problem.params),
        )
        for problem in core_ballots.check_nominations(titles, nominees, ranks, names)
    ]


# --- all of it ----------------------------------------------------------------------------


CHECKS: tuple[Callable[[Mapping], Iterable[Finding]], ...] = (
    _references,
    _audit,
    _against_the_log,
    _statistics,
    _scoring,
    _polls,
    _nominations,
)


def verify(record) -> list[Finding]:
    """Every difference between the record's results and what its data gives."""
    findings = _structure(record)
    if findings:
        return findings
    findings = _references(record)
    if findings:  # recomputing from broken references would only add noise
        return findings
    for check in CHECKS[1:]:
        try:
            findings += check(record)
        except (KeyError, TypeError, ValueError, InvalidOperation) as error:
            findings.append(
                Finding(
                    check.__name__.strip("_"),
                    Phrase(
                        gettext_noop("không đọc được dữ liệu để kiểm tra: %(error)s"),
                        {"error": f"{type(error).__name__}: {error}"},
                    ),
                )
            )
    return findings
