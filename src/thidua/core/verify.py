"""The independent check of a record: every result recomputed from its data.

`verify` reads a record (parsed JSON) against its format (`thidua.core.record`), then
recomputes every result with the core alone — no database, no Django — and names each
difference. What it checks, and in which order, is described in docs/record.md.
"""

from __future__ import annotations

import dataclasses
import gc
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from thidua.core import ballot_crypto as core_crypto
from thidua.core import ballots as core_ballots
from thidua.core import indicators as core_indicators
from thidua.core import record as core_record
from thidua.core import score_ballots, score_crypto, signing, typed
from thidua.core import scoring as core_scoring
from thidua.core.audit import Link, first_break
from thidua.core.ballot_verify import verify_transcript
from thidua.core.lineage import Lineage, LineageEvent, UnitSpan
from thidua.core.messages import Label, Phrase, gettext_noop
from thidua.core.numbers import format_exact, format_number, round_half_up, tidy
from thidua.core.record import AuditAction, Payload, Record


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
    if computed == recorded:  # the usual case, at once: equal values are the same (`_same`)
        return []
    return [
        _mismatch(f"{where}.{key}", computed.get(key), recorded.get(key))
        for key in sorted(set(computed) | set(recorded))
        if not _same(computed.get(key), recorded.get(key))
    ]


# --- references ---------------------------------------------------------------------------


def _missing(where: str, what: str) -> Finding:
    return Finding(
        where, Phrase(gettext_noop("tham chiếu “%(code)s” không có trong bản ghi."), {"code": what})
    )


def _references(record: Record) -> list[Finding]:
    findings = []
    units = {unit.code for unit in record.units}
    cycle = record.cycle
    findings += [_missing("cycle.members", code) for code in cycle.members if code not in units]
    for role in ("leader", "deputy"):
        code = getattr(cycle, role)
        if code is not None and code not in cycle.members:
            findings.append(_missing(f"cycle.{role}", code))
    indicators = {indicator.code for indicator in record.indicators}
    for indicator in record.indicators:
        for part in ("numerator", "denominator"):
            code = getattr(indicator, part)
            if code and code not in indicators:
                findings.append(_missing(f"indicators[{indicator.code}].{part}", code))
    for report in record.reports:
        if report.unit in units and report.figures.keys() <= indicators:
            continue  # the usual case, at once
        where = f"reports[{report.unit}/{report.year}/{report.period}]"
        if report.unit not in units:
            findings.append(_missing(where, report.unit))
        findings += [_missing(where, code) for code in report.figures if code not in indicators]
    criteria = {c.code for c in record.agreement.criteria} if record.agreement else set()
    members = set(cycle.members)
    for sheet in record.sheets:
        if {sheet.scorer, sheet.target} <= members and sheet.scores.keys() <= criteria:
            continue  # the usual case, at once
        where = f"sheets[{sheet.scorer}->{sheet.target}]"
        findings += [
            _missing(where, u) for u in (sheet.scorer, sheet.target) if u not in cycle.members
        ]
        findings += [_missing(where, code) for code in sheet.scores if code not in criteria]
    if record.agreement is not None and record.agreement.assignment_kind == "all":
        # every member scores every other: the map cannot leave a scorer out
        everyone = {
            target: sorted(code for code in cycle.members if code != target)
            for target in cycle.members
        }
        for target, scorers in record.agreement.assignment.items():
            if sorted(scorers) != everyone.get(target, sorted(scorers)):
                findings.append(
                    _mismatch(
                        f"agreement.assignment[{target}]", everyone.get(target), sorted(scorers)
                    )
                )
        findings += [
            _missing("agreement.assignment", target)
            for target in cycle.members
            if target not in record.agreement.assignment
        ]
    polls = {poll.code for poll in record.polls}
    for poll in record.polls:
        where = f"polls[{poll.code}]"
        findings += [_missing(where, code) for code in poll.candidates if code not in cycle.members]
        if poll.runoff_of and poll.runoff_of not in polls:
            findings.append(_missing(f"{where}.runoff_of", poll.runoff_of))
    return findings


# --- the audit chain ----------------------------------------------------------------------


_AS_READ = frozenset(
    item.name for item in dataclasses.fields(Payload) if item.type in ("Any", Any)
)  # `before`, `after`: any JSON, kept as read


def _payload_json(payload: Payload) -> dict:
    """What an entry's hash covers, as JSON: its `Any` fields are JSON already (as read),
    so only the others are written again (as `typed.write` would: the same bytes)."""
    found = {name: getattr(payload, name) for name in _PAYLOAD_FIELDS}
    for name in _WRITTEN:
        found[name] = typed.write(found[name])
    return found


_PAYLOAD_FIELDS = tuple(item.name for item in dataclasses.fields(Payload))
_WRITTEN = tuple(name for name in _PAYLOAD_FIELDS if name not in _AS_READ)


def _audit(record: Record, as_read: list | None = None) -> list[Finding]:
    """The cycle's chain is whole from its first entry to its head (`first_break`), and
    signed (`_signatures`). `as_read`: the JSON of the payload and origin each of the
    record's entries was read from, which are the JSON its hash covers (the reader keeps
    `Any` as it is and accepts a moment only as `isoformat` writes it): none is written
    again. Entries held compact (`core_record.Entries`) come with those hashes already."""
    findings = []
    chain = record.audit.chain
    if chain != _cycle_code(record):
        findings.append(_mismatch("audit.chain", _cycle_code(record), chain))
    entries = record.audit.entries
    if isinstance(entries, core_record.Entries) and entries.hashed:  # hashed as they were read
        links = entries.links()
    elif as_read is None:
        links = (
            Link(
                entry.seq,
                entry.prev_hash,
                entry.hash,
                _payload_json(entry.payload),
                typed.write(entry.origin),
            )
            for entry in entries
        )
    else:
        links = (
            Link(entry.seq, entry.prev_hash, entry.hash, payload, origin)
            for entry, (payload, origin) in zip(entries, as_read, strict=True)
        )
    broken = first_break(chain, links)
    if broken is not None:
        entry = record.audit.entries[broken.position]
        findings.append(
            Finding(
                f"audit.entries[{broken.position}].{broken.field}",
                Phrase(
                    gettext_noop(
                        "chuỗi nhật ký đứt tại mục số %(seq)s (“%(action)s %(object)s”): cần "
                        "%(expected)s nhưng bản ghi ghi %(found)s; từ mục này trở đi không còn "
                        "tin được."
                    ),
                    {
                        "seq": broken.position + 1,
                        "action": entry.payload.action,
                        "object": entry.payload.object_id,
                        "expected": broken.expected,
                        "found": broken.found,
                    },
                ),
            )
        )
    last = record.audit.entries[-1].hash if record.audit.entries else None
    if record.audit.head != last:
        findings.append(
            Finding(
                "audit.head",
                Phrase(gettext_noop("không phải mã băm của mục nhật ký cuối cùng.")),
            )
        )
    if broken is None:  # signatures of a broken chain would only repeat the break
        findings += _signatures(record)
    return findings


# --- signatures ---------------------------------------------------------------------------


def _signed(where: str, message: str, **params) -> Finding:
    return Finding(where, Phrase(message, params))


def _signatures(record: Record) -> list[Finding]:
    """Each key registered in the chain names itself rightly; each checkpoint follows the
    act it seals and is the chain's current key's signature of the entry before it; the
    record's seal is that key's signature of the head. A chain begins with its key; entries
    before any key (a database from before signing) need no checkpoint, the seal covers
    them."""
    findings = []
    chain, entries = record.audit.chain, record.audit.entries
    signed = (  # each entry's, without making the entries again when they are held compact
        list(entries.signed())
        if isinstance(entries, core_record.Entries)
        else [(entry.payload.action, entry.origin, entry.payload.after) for entry in entries]
    )
    current: str | None = None  # the public key registered last
    failed: list[Finding] = []
    for position, (action, origin, held) in enumerate(signed):
        where, after = f"audit.entries[{position}]", _object(held)
        if action == AuditAction.KEY_REGISTER:
            public_key = str(after.get("public_key", ""))
            if not _is_key(public_key) or after.get("fingerprint") != signing.fingerprint(
                public_key
            ):
                findings.append(_signed(where, gettext_noop("khóa đăng ký không hợp lệ.")))
                continue
            current = public_key
        elif action == AuditAction.CHECKPOINT and not failed:
            failed = _checkpoint(record, position, current)  # after it, nothing is signed
            findings += failed
        if (
            action in core_record.CHECKPOINTED
            and origin is None
            and current is not None  # entries before any key date from before signing
            and (position + 1 >= len(signed) or signed[position + 1][0] != AuditAction.CHECKPOINT)
        ):
            findings.append(
                _signed(
                    where,
                    gettext_noop("thao tác “%(action)s” không có mốc ký ngay sau nó."),
                    action=action,
                )
            )
    seal = record.seal
    if current is None or seal.public_key != current:
        findings.append(
            _signed(
                "seal.public_key",
                gettext_noop("khóa ký bản ghi không phải khóa đăng ký sau cùng trong chuỗi."),
            )
        )
    elif not signing.valid(
        seal.public_key, seal.signature, chain, len(entries), entries[-1].hash if entries else ""
    ):
        findings.append(
            _signed(
                "seal.signature",
                gettext_noop("chữ ký của bản ghi không khớp với chuỗi nhật ký: đã có sửa đổi."),
            )
        )
    return findings


def _is_key(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def _checkpoint(record: Record, position: int, current: str | None) -> list[Finding]:
    entry = record.audit.entries[position]
    where, after = f"audit.entries[{position}]", _after(entry.payload)
    if current is None or after.get("fingerprint") != signing.fingerprint(current):
        return [_signed(where, gettext_noop("mốc ký bằng một khóa chưa đăng ký trong chuỗi."))]
    if after.get("seq") != entry.seq - 1 or after.get("hash") != entry.prev_hash:
        return [_signed(where, gettext_noop("mốc ký không ký đúng mục đứng trước nó."))]
    if not signing.valid(
        current, str(after.get("signature", "")), record.audit.chain, entry.seq - 1, entry.prev_hash
    ):
        return [
            _signed(
                where,
                gettext_noop(
                    "chữ ký của mốc số %(seq)s không khớp: nhật ký trước mốc đã bị sửa, hoặc "
                    "chữ ký bị làm giả."
                ),
                seq=entry.seq,
            )
        ]
    return []


# --- against the log ----------------------------------------------------------------------
#
# Every input a person typed is in the audit log, as the entry that wrote it last. Each
# `Audited` below says which entries write which input of the record and under what key;
# `_against_the_log` folds the log (a later entry replaces each field it writes) and names
# every field of the record that differs from the log, every input the log never wrote and,
# for inputs the record holds all of, every one the log wrote that the record lacks.


def _entries(record: Record, *actions: str) -> Iterator[Payload]:
    """The payloads of the record's audit entries with one of `actions`, in log order."""
    wanted = frozenset(actions)
    entries = record.audit.entries
    if isinstance(entries, core_record.Entries):  # read compact: only these payloads made
        yield from entries.payloads(wanted)
        return
    for entry in entries:
        if entry.payload.action in wanted:
            yield entry.payload


def _object(value) -> Mapping:
    """An entry's `before` or `after` when it is an object, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def _after(payload: Payload) -> Mapping:
    return _object(payload.after)


def _before(payload: Payload) -> Mapping:
    return _object(payload.before)


def _cycle_code(record: Record) -> str:
    return f"{record.cycle.cluster}/{record.cycle.year}"


def _only(after: Mapping, *fields: str) -> dict:
    """The `fields` an entry wrote (those its `after` holds)."""
    return {field: after[field] for field in fields if field in after}


@dataclass(frozen=True)
class Audited:
    """One kind of audited input: `written` yields (key, fields) for each audit entry that
    wrote one, in log order; `recorded` yields (key, fields) for each one in the record;
    `where` names one by its key. `complete`: the record holds every one the log wrote."""

    where: Callable[[str], str]
    written: Callable[[Record], Iterable[tuple[str, Mapping]]]
    recorded: Callable[[Record], Iterable[tuple[str, Mapping]]]
    complete: bool = False


def _sheets_written(record: Record):
    """Each sheet's scores and status as its entries wrote them: saved a draft, submitted
    (counted), moved at a merger (as it was), re-opened, entered on the unit's behalf
    (awaiting its confirmation), confirmed or excused. The status decides whether a sheet
    counts, so a sheet the log has submitted cannot be dropped as a "draft" unseen (nor
    left out of the record: `complete`)."""
    moved = {
        str(_before(payload).get("moved_from"))
        for payload in _entries(record, AuditAction.SHEET_SAVE)
        if "moved_from" in _before(payload)
    }
    for payload in _entries(
        record,
        AuditAction.SHEET_SAVE,
        AuditAction.SHEET_SUBMIT,
        AuditAction.SHEET_REOPEN,
        AuditAction.SHEET_ON_BEHALF,
        AuditAction.SHEET_CONFIRM,
        AuditAction.SHEET_EXCUSE,
    ):
        after = _after(payload)
        if payload.object_id in moved:
            continue  # a sheet moved to a merged unit's place: its new key is written
        if payload.action == AuditAction.SHEET_SUBMIT:
            yield payload.object_id, {"scores": after, "status": core_scoring.SHEET_COUNTED}
        elif payload.action == AuditAction.SHEET_SAVE:
            merged = "moved_from" in _before(payload)  # a merger's move keeps the status
            yield payload.object_id, {"scores": after, **({} if merged else {"status": "draft"})}
        elif payload.action == AuditAction.SHEET_REOPEN:
            yield payload.object_id, {"status": "draft"}
        else:
            yield payload.object_id, _only(after, "status")


def _sheets_recorded(record: Record):
    for sheet in record.sheets:
        yield f"{sheet.scorer}->{sheet.target}", {"scores": sheet.scores, "status": sheet.status}


def _rules_written(record: Record):
    """The agreement's scoring rules (aggregation, step, bands …), declared total and way
    of assigning scorers, as the leader's secretary last set them."""
    for payload in _entries(record, AuditAction.RULES_SET):
        after = _after(payload)
        yield (
            "agreement",
            {
                **_only(after, "rules"),
                **({"declared_total": after["total"]} if "total" in after else {}),
                **({"assignment_kind": after["assignment"]} if "assignment" in after else {}),
            },
        )


def _rules_recorded(record: Record):
    """Compared where the log set them (an agreement kept at the defaults has no entry)."""
    agreement = record.agreement
    if agreement is not None and any(_entries(record, AuditAction.RULES_SET)):
        yield (
            "agreement",
            {
                "rules": agreement.rules,
                "declared_total": agreement.declared_total,
                "assignment_kind": agreement.assignment_kind,
            },
        )


#: A criterion as the table's entry writes it (`scoring.table.replace`) → the record's field.
CRITERION_FIELDS = {
    "parent": "parent",
    "kind": "kind",
    "max": "max_points",
    "min": "min_points",
    "indicator": "indicator",
    "each": "points_each",
    "penalty": "penalty_each",
}


def _criteria_written(record: Record):
    """Each criterion of the table as last replaced: its kind, points and indicator."""
    table = None
    for payload in _entries(record, AuditAction.TABLE_REPLACE):
        table = payload.after if isinstance(payload.after, list) else None
    for row in table or []:
        if isinstance(row, Mapping):
            yield (
                str(row.get("code")),
                {mine: row[logged] for logged, mine in CRITERION_FIELDS.items() if logged in row},
            )


def _criteria_recorded(record: Record):
    """Compared where the log wrote the table (as the rules are)."""
    if not any(_entries(record, AuditAction.TABLE_REPLACE)):
        return
    for criterion in record.agreement.criteria if record.agreement else []:
        yield (
            criterion.code,
            {field: getattr(criterion, field) for field in CRITERION_FIELDS.values()},
        )


def _targets_written(record: Record):
    """The units' targets as last set (`scoring.targets.set` writes them all), less those of
    criteria a later table no longer scores from an indicator (their targets went with it)."""
    targets = None
    for payload in _entries(record, AuditAction.TARGETS_SET, AuditAction.TABLE_REPLACE):
        after = payload.after
        if payload.action == AuditAction.TARGETS_SET:
            targets = dict(after) if isinstance(after, Mapping) else None
        elif targets is not None and isinstance(after, list):
            kept = {
                row.get("code")
                for row in after
                if isinstance(row, Mapping) and row.get("kind") == core_scoring.Kind.QUANTITATIVE
            }
            targets = {k: v for k, v in targets.items() if str(k).partition(":")[2] in kept}
    if targets is not None:
        yield "targets", {"targets": targets}


def _targets_recorded(record: Record):
    if record.agreement is not None and any(_entries(record, AuditAction.TARGETS_SET)):
        yield (
            "targets",
            {
                "targets": {
                    f"{unit}:{criterion}": value
                    for unit, criterion, value in record.agreement.targets
                }
            },
        )


FACT_FIELDS = ("achieved", "count", "penalties")


def _facts_written(record: Record):
    """What the Ministry recorded for the criteria scored from facts (qualitative, per
    occurrence, bonus and penalty): a fact moves a total as much as a score does."""
    for payload in _entries(record, AuditAction.FACTS_RECORD):
        for fact in payload.after if isinstance(payload.after, list) else []:
            if isinstance(fact, Mapping):
                yield f"{fact.get('unit')}:{fact.get('criterion')}", _only(fact, *FACT_FIELDS)


def _facts_recorded(record: Record):
    for fact in record.agreement.facts if record.agreement else []:
        yield (
            f"{fact.unit}:{fact.criterion}",
            {field: getattr(fact, field) for field in FACT_FIELDS},
        )


def _catalog_written(record: Record):
    """Each indicator as the chain logged the catalog last (`AuditAction.CATALOG`): what it
    is computed with. A chain written before the catalog was logged logs none."""
    logged = None
    for payload in _entries(record, AuditAction.CATALOG):
        logged = _after(payload).get("indicators", {})
    yield from (logged or {}).items()


def _catalog_recorded(record: Record):
    if next(_entries(record, AuditAction.CATALOG), None) is not None:  # the log has one
        yield from core_record.computing_catalog(record.indicators).items()


def _reports_written(record: Record):
    """Each report's figures, highlights and status as its entries wrote them; the status
    decides whether its figures count (a submitted one cannot be called a draft unseen)."""
    for payload in _entries(
        record,
        *core_record.REPORT_ACTIONS,
        AuditAction.REPORT_RETURN,
        AuditAction.REPORT_CONFIRM,
        AuditAction.REPORT_EXCUSE,
    ):
        after = _after(payload)
        if payload.action in core_record.REPORT_ACTIONS:
            # the highlights, where an entry wrote them (entries before them did not)
            fields = {"figures": after.get("figures", {}), **_only(after, "highlights")}
        else:
            fields = {}
        if payload.action == AuditAction.BASELINE_RECORD:
            fields["status"] = "submitted"  # `stats.services.record_baseline`
        elif "status" in after:
            fields["status"] = after["status"]
        yield payload.object_id, fields


def _reports_recorded(record: Record):
    for report in record.reports:
        yield (
            f"{report.unit}/{report.year}/{report.period}",
            {"figures": report.figures, "highlights": report.highlights, "status": report.status},
        )


CYCLE_FIELDS = ("title", "leader", "deputy", "members", "rule_set", "note")


def _cycle_written(record: Record):
    """The cycle as created or changed, and its leader and deputy as handed over to it."""
    code, year = _cycle_code(record), record.cycle.year
    for payload in _entries(
        record,
        AuditAction.CYCLE_CREATE,
        AuditAction.CYCLE_UPDATE,
        AuditAction.CYCLE_MERGE,
        AuditAction.HANDOVER_RECORD,
    ):
        after = _after(payload)
        if payload.action == AuditAction.HANDOVER_RECORD:
            if after.get("year") == year and _same_cluster(payload, record):
                yield "cycle", _only(after, "leader", "deputy")
        elif payload.cycle == code:
            fields = _only(after, *CYCLE_FIELDS)
            if isinstance(fields.get("members"), list):
                fields["members"] = sorted(fields["members"], key=str)
            yield "cycle", fields


def _cycle_recorded(record: Record):
    cycle = record.cycle
    yield (
        "cycle",
        {
            "title": cycle.title,
            "leader": cycle.leader,
            "deputy": cycle.deputy,
            "members": sorted(cycle.members),
            "rule_set": f"{cycle.rule_set.code}@{cycle.rule_set.version}",
            "note": cycle.note,
        },
    )


def _same_cluster(payload: Payload, record: Record) -> bool:
    return payload.cycle.partition("/")[0] == record.cycle.cluster


HANDOVER_FIELDS = ("year", "leader", "deputy", "method", "decision_ref")


def _handovers_written(record: Record):
    """Each year's hand-overs in the order they were recorded (`year/1`, `year/2`, …): at a
    conference (`org.handover.record`, last year's included), or as the Ministry's
    assignment when the cycle is created without one or its leadership is changed."""
    code, year = _cycle_code(record), record.cycle.year
    count: dict[object, int] = {}

    def key(of_year) -> str:
        count[of_year] = count.get(of_year, 0) + 1
        return f"{of_year}/{count[of_year]}"

    for payload in _entries(
        record,
        AuditAction.CYCLE_CREATE,
        AuditAction.CYCLE_UPDATE,
        AuditAction.HANDOVER_RECORD,
    ):
        after, before = _after(payload), _before(payload)
        if payload.action == AuditAction.HANDOVER_RECORD:
            if _same_cluster(payload, record):
                yield key(after.get("year")), _only(after, *HANDOVER_FIELDS)
            continue
        if payload.cycle != code:
            continue
        created = payload.action == AuditAction.CYCLE_CREATE and not count.get(year)
        changed = payload.action == AuditAction.CYCLE_UPDATE and (
            before.get("leader"),
            before.get("deputy"),
        ) != (after.get("leader"), after.get("deputy"))
        if created or changed:
            yield key(year), {**_only(after, "leader", "deputy"), "method": "assigned"}


def _handovers_recorded(record: Record):
    count: dict[int, int] = {}
    for handover in record.handovers:
        count[handover.year] = count.get(handover.year, 0) + 1
        yield (
            f"{handover.year}/{count[handover.year]}",
            {field: getattr(handover, field) for field in HANDOVER_FIELDS},
        )


CONFERENCE_FIELDS = ("held_on", "starts_at", "ends_at", "place", "agenda", "chair", "secretary")


def _conference_written(record: Record):
    for payload in _entries(record, AuditAction.CONFERENCE_SET):
        yield "conference", _only(_after(payload), *CONFERENCE_FIELDS)


def _conference_recorded(record: Record):
    if record.conference is not None:
        yield (
            "conference",
            {field: getattr(record.conference, field) for field in CONFERENCE_FIELDS},
        )


def _delegate_keys(record: Record) -> tuple[dict[str, str], dict[tuple, str]]:
    """How the log's delegates are named in the record (`unit/n`: a unit's delegates in the
    order they were added), by delegate id and by (unit, account)."""
    added: dict[str, dict] = {}  # delegate id → what the entry that added it wrote
    for payload in _entries(record, AuditAction.DELEGATE_ADD):
        added.setdefault(payload.object_id, dict(_after(payload)))
    by_id, by_account = {}, {}
    for unit in {str(after.get("unit")) for after in added.values()}:
        mine = sorted((pk for pk, a in added.items() if str(a.get("unit")) == unit), key=_by_number)
        for n, pk in enumerate(mine, 1):
            by_id[pk] = f"{unit}/{n}"
            by_account[(unit, added[pk].get("user"))] = by_id[pk]
    return by_id, by_account


def _delegates_written(record: Record):
    """Delegates by unit, in the order they were added (`unit/1`, `unit/2`, …: the record
    lists them so, and names no account)."""
    keys, _accounts = _delegate_keys(record)
    seen = set()
    for payload in _entries(record, AuditAction.DELEGATE_ADD, AuditAction.DELEGATE_CHECK_IN):
        pk = payload.object_id
        if pk not in keys:
            continue
        if payload.action == AuditAction.DELEGATE_CHECK_IN:
            yield keys[pk], {"checked_in": True}
        elif pk in seen:  # added again: its board changes
            yield keys[pk], _only(_after(payload), "board")
        else:
            seen.add(pk)
            yield keys[pk], {**_only(_after(payload), "unit", "board"), "checked_in": False}


def _reissues_written(record: Record):
    keys, _accounts = _delegate_keys(record)
    for n, payload in enumerate(_entries(record, AuditAction.DELEGATE_REISSUE), 1):
        after = _after(payload)
        yield (
            str(n),
            {
                "delegate": keys.get(payload.object_id),
                "at": after.get("at"),
                "reason": after.get("reason"),
            },
        )


def _reissues_recorded(record: Record):
    for n, reissue in enumerate(record.conference.reissues if record.conference else [], 1):
        yield str(n), {"delegate": reissue.delegate, "at": reissue.at, "reason": reissue.reason}


def _by_number(pk: str):
    return (0, int(pk), pk) if pk.isdigit() else (1, 0, pk)


def _delegates_recorded(record: Record):
    count: dict[str, int] = {}
    for delegate in record.conference.delegates if record.conference else []:
        count[delegate.unit] = count.get(delegate.unit, 0) + 1
        yield (
            f"{delegate.unit}/{count[delegate.unit]}",
            {"unit": delegate.unit, "board": delegate.board, "checked_in": delegate.checked_in},
        )


def _published_written(record: Record):
    prefix = _cycle_code(record) + "/"
    for payload in _entries(record, AuditAction.PUBLISHED_SET):
        if not payload.object_id.startswith(prefix):
            continue
        after = _after(payload)
        period = payload.object_id.removeprefix(prefix)
        figures = after.get("figures")
        for code, value in (figures if isinstance(figures, Mapping) else {}).items():
            yield f"{period}/{code}", {"value": value, **_only(after, "source")}


def _published_recorded(record: Record):
    for figure in record.published:
        yield (
            f"{figure.period}/{figure.indicator}",
            {"value": figure.value, "source": figure.source},
        )


POLL_FIELDS = (
    "title",
    "candidates",
    "kept",
    "rules",
    "status",
    "electorate",
    "electors",
    "result",
)


def _polls_written(record: Record):
    """Each poll's rules and candidates as created, its electorate as opened and its result
    as counted."""
    codes: dict[str, str] = {}  # poll id → code, from the entry that created it
    _keys, accounts = _delegate_keys(record)
    for payload in _entries(
        record,
        AuditAction.POLL_CREATE,
        AuditAction.POLL_OPEN,
        AuditAction.POLL_SEAL,
        AuditAction.POLL_CLOSE,
        AuditAction.POLL_VOID,
    ):
        pk, after = payload.object_id, _after(payload)
        if payload.action == AuditAction.POLL_CREATE:
            codes[pk] = str(after.get("code"))
            yield (
                codes[pk],
                {
                    **_only(after, "title", "candidates", "rules"),
                    "kept": after.get("kept_ineligible") or {},
                    "status": "draft",
                    "result": None,
                },
            )
        elif pk in codes and payload.action == AuditAction.POLL_OPEN:
            fields = {"status": "open", **_only(after, "electorate")}
            if isinstance(after.get("electors"), list):  # "unit/account" → "unit/n"
                fields["electors"] = sorted(
                    accounts.get(tuple(str(e).split("/", 1)), str(e)) for e in after["electors"]
                )
            yield codes[pk], fields
        elif pk in codes and payload.action == AuditAction.POLL_SEAL:
            yield codes[pk], {"status": "counting"}
        elif pk in codes:
            void = payload.action == AuditAction.POLL_VOID
            yield codes[pk], {"status": "void" if void else "closed", "result": payload.after}


def _polls_recorded(record: Record):
    for poll in record.polls:
        yield poll.code, {field: getattr(poll, field) for field in POLL_FIELDS}


def _ceremony_written(record: Record):
    """The board's key as the log wrote it when it became ready (the minutes print it)."""
    for payload in _entries(record, AuditAction.CEREMONY_READY):
        yield "ceremony", _only(_after(payload), "label", "public_key", "key_fingerprint")


def _ceremony_recorded(record: Record):
    ceremony = record.conference.ceremony if record.conference else None
    if ceremony is not None:
        yield "ceremony", _only(ceremony, "label", "public_key", "key_fingerprint")


#: Every input of a record the audit log writes: the one place that says which.
AUDITED: tuple[Audited, ...] = (
    Audited(lambda key: "cycle", _cycle_written, _cycle_recorded, complete=True),
    Audited(lambda key: f"handovers[{key}]", _handovers_written, _handovers_recorded, True),
    Audited(lambda key: f"indicators[{key}]", _catalog_written, _catalog_recorded, True),
    Audited(lambda key: f"reports[{key}]", _reports_written, _reports_recorded),
    Audited(lambda key: f"published[{key}]", _published_written, _published_recorded, True),
    Audited(lambda key: f"sheets[{key}]", _sheets_written, _sheets_recorded, complete=True),
    Audited(lambda key: f"agreement.facts[{key}]", _facts_written, _facts_recorded),
    Audited(lambda key: "agreement", _rules_written, _rules_recorded),
    Audited(lambda key: f"agreement.criteria[{key}]", _criteria_written, _criteria_recorded),
    Audited(lambda key: "agreement.targets", _targets_written, _targets_recorded),
    Audited(lambda key: "conference", _conference_written, _conference_recorded, True),
    Audited(
        lambda key: f"conference.delegates[{key}]", _delegates_written, _delegates_recorded, True
    ),
    Audited(lambda key: f"polls[{key}]", _polls_written, _polls_recorded, complete=True),
    Audited(lambda key: "conference.ceremony", _ceremony_written, _ceremony_recorded, True),
    Audited(lambda key: f"conference.reissues[{key}]", _reissues_written, _reissues_recorded, True),
)


def _fold(written: Iterable[tuple[str, Mapping]]) -> dict[str, dict]:
    """key → each field as the last entry that wrote it left it."""
    found: dict[str, dict] = {}
    for key, fields in written:
        found.setdefault(key, {}).update(fields)
    return found


def _against_the_log(record: Record) -> list[Finding]:
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
                found = fields.get(field)
                # the same numbers (the usual table, at once), or equal as they are: equal as
                # `_logged` compares them (no need to write it)
                if not _same_decimals(found, value) and found != value:
                    findings += _logged(f"{where}.{field}", typed.write(found), value)
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


_DECIMALS = dict[str, Decimal]
_TABLES = (dict, core_record.Compact)  # Compact: a table as `core_record.read_file` holds it


def _same_decimals(recorded, logged) -> bool:
    """True when `recorded` is a table (a sheet's scores, a report's figures) that the log
    wrote as the same numbers, found at once; False means compare (`_logged`, which takes
    numbers as equal as this does)."""
    if type(recorded) not in _TABLES or type(logged) not in _TABLES or len(recorded) != len(logged):
        return False
    if type(recorded) is core_record.Compact and recorded.reads_as(logged):
        return True  # the numbers read from the log's very texts
    keyed_alike = (type(recorded) is core_record.Compact and recorded.keyed_as(logged)) or list(
        recorded
    ) == list(logged)
    if keyed_alike and typed.decimals_read(logged.values()) == list(recorded.values()):
        return True  # each text of the log read as the record's number (usually the same one)
    if set(map(type, recorded.values())) != {Decimal}:
        return False
    if dict(zip(recorded, map(str, recorded.values()), strict=True)) == logged:
        return True  # written as the log wrote them (`typed.write` of a Decimal is `str`)
    if type(logged) is core_record.Compact:
        logged = logged.as_dict()
    as_read, _faults = typed.read(_DECIMALS, logged)
    return as_read == recorded


def _logged(where: str, recorded, logged) -> list[Finding]:
    """Each difference between a value of the record and the log's, named down to the
    criterion, indicator or count (`….scores.I.1`, `….result.votes.lao-cai`)."""
    if recorded == logged:  # the usual case, at once: equal values are the same (`_same`)
        return []
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


def catalog_of(record: Record) -> dict[str, core_indicators.Indicator]:
    """The record's indicator catalog, as the core computes with it."""
    return {
        item.code: core_indicators.Indicator(
            code=item.code,
            name=item.name,
            kind=item.kind,
            direction=item.direction,
            decimals=item.decimals,
            numerator=item.numerator,
            denominator=item.denominator,
        )
        for item in record.indicators
    }


def lineage_of(record: Record) -> Lineage:
    """The record's units and the events between them."""
    return Lineage(
        [UnitSpan(u.code, u.name, u.valid_from, u.valid_to) for u in record.units],
        [
            LineageEvent(
                event.kind, event.effective_date, tuple(event.sources), tuple(event.targets)
            )
            for event in record.lineage
        ],
    )


def figures_of(record: Record, year: int, period: str = "Y") -> dict[str, dict[str, Decimal]]:
    """The figures of the reports that count (drafts do not: `COUNTED_STATUSES`)."""
    return {
        report.unit: dict(report.figures)
        for report in record.reports
        if report.year == year
        and report.period == period
        and report.status in core_indicators.COUNTED_STATUSES
    }


def _row(now: Mapping, before: Mapping, catalog) -> core_record.StatisticsRow:
    return core_record.StatisticsRow(
        values=core_indicators.values(now, catalog),
        baseline=core_indicators.values(before, catalog),
    )


def statistics(record: Record) -> core_record.Statistics:
    """Each member's values and baseline (after lineage) for the year, and the totals: of
    the active indicators, as the statistics pages show them (a retired one is kept in the
    catalog for its history, and a criterion may still be scored from it)."""
    active = {item.code for item in record.indicators if item.active}
    catalog = {code: item for code, item in catalog_of(record).items() if code in active}
    year = record.cycle.year
    members = record.cycle.members
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
        units[code] = _row(now.get(code, {}), before, catalog)
    totals = core_indicators.cluster_total(now, baselines, members, catalog)
    return core_record.Statistics(units=units, total=_row(totals.now, totals.before, catalog))


def _statistics(record: Record) -> list[Finding]:
    computed, recorded = statistics(record), record.statistics
    findings = []
    for code, row in computed.units.items():
        stored = recorded.units.get(code)
        for part in ("values", "baseline"):
            findings += _compare(
                f"statistics.units[{code}].{part}",
                getattr(row, part),
                getattr(stored, part) if stored else {},
            )
    for part in ("values", "baseline"):
        findings += _compare(
            f"statistics.total.{part}", getattr(computed.total, part), getattr(recorded.total, part)
        )
    return findings


# --- scoring ------------------------------------------------------------------------------


def _criterion(item: core_record.Criterion) -> core_scoring.Criterion:
    return core_scoring.Criterion(
        code=item.code,
        name=item.name,
        kind=item.kind,
        max_points=item.max_points,
        parent=item.parent,
        min_points=item.min_points,
        indicator=item.indicator,
        points_each=item.points_each,
        penalty_each=item.penalty_each,
        measure=item.measure,
    )


def ranking(record: Record) -> list[core_record.Standing] | None:
    """Every member's points, total, rank and band, from the sheets and facts in the record."""
    results = _scored(record)
    if results is None:
        return None
    results.reverse()
    held, standings = core_record.Compactor(), []
    while results:  # each result let go once it is a standing (its points held compact)
        result = results.pop()
        standings.append(
            core_record.Standing(
                unit=result.unit,
                rank=result.rank,
                total=result.total,
                self_total=result.self_total,
                band=result.band,
                points=held.compact(_points(result), share=False),
            )
        )
    return standings


def _points(result: core_scoring.UnitResult) -> dict[str, Decimal]:
    """A standing's points: each criterion's, sections included."""
    return {code: item.points for code, item in result.criteria.items()}


def _scored(record: Record) -> list[core_scoring.UnitResult] | None:
    """`ranking`'s results as the core scores them, best first (None without an agreement):
    each has a standing's fields (`STANDING_FIELDS`) and its points (`_points`)."""
    agreement = record.agreement
    if agreement is None:
        return None
    members = record.cycle.members
    table = core_scoring.Table(_criterion(c) for c in agreement.criteria)
    rules = core_scoring.Rules.from_data(agreement.rules)
    assigned = agreement.assignment
    sheets = [  # the scores shared, not copied: scoring only reads them (a `Mapping`)
        core_scoring.Sheet(sheet.scorer, sheet.target, sheet.scores)
        for sheet in record.sheets
        if sheet.status == "submitted"
        and (sheet.scorer == sheet.target or sheet.scorer in assigned.get(sheet.target, []))
    ]
    catalog = catalog_of(record)
    now = figures_of(record, record.cycle.year)
    actual = {}
    for criterion in table.leaves:
        if criterion.kind != core_scoring.Kind.QUANTITATIVE or criterion.indicator not in catalog:
            continue
        for unit in members:
            value = core_indicators.value_of(catalog[criterion.indicator], now.get(unit, {}))
            if value is not None:
                actual[(unit, criterion.code)] = value
    targets = {(u, c): v for u, c, v in agreement.targets if v is not None}
    # a member formed during the year is scored against what its predecessors signed, as
    # the app scores it (`core.scoring.inherited_targets`)
    spans = {unit.code: unit.valid_from for unit in record.units}
    formed = [(code, spans.get(code)) for code in members]
    if any(day and day.year == record.cycle.year for _code, day in formed):
        kinds = {
            criterion.code: catalog[criterion.indicator].kind
            if criterion.indicator in catalog
            else None
            for criterion in table.leaves
            if criterion.kind == core_scoring.Kind.QUANTITATIVE
        }
        inherited = core_scoring.inherited_targets(
            formed, record.cycle.year, lineage_of(record), kinds, targets
        )
        targets |= {k: i.value for k, i in inherited.items() if i.value is not None}
    facts = core_scoring.Facts(
        actual=actual,
        targets=targets,
        achieved={
            (f.unit, f.criterion): f.achieved for f in agreement.facts if f.achieved is not None
        },
        counts={(f.unit, f.criterion): f.count for f in agreement.facts if f.count is not None},
        penalties={
            (f.unit, f.criterion): f.penalties for f in agreement.facts if f.penalties is not None
        },
    )
    return core_scoring.score(table, members, sheets, facts, rules, by_scorer=False)


STANDING_FIELDS = ("rank", "total", "self_total", "band")


def _scoring(record: Record) -> list[Finding]:
    """The record's ranking against the core's results (`_scored`, each compared as it is,
    not made a standing first)."""
    computed = _scored(record)
    recorded = record.scoring.ranking if record.scoring else None
    if computed is None or recorded is None:
        if (computed is None) != (recorded is None):
            return [_mismatch("scoring", "—" if computed is None else "…", "—")]
        return []
    findings = []
    stored = {row.unit: row for row in recorded}
    computed.reverse()
    while computed:  # each result let go once compared
        row = computed.pop()
        where = f"scoring.ranking[{row.unit}]"
        other = stored.get(row.unit)
        if other is None:
            findings.append(_missing("scoring.ranking", row.unit))
            continue
        for key in STANDING_FIELDS:
            if not _same(getattr(row, key), getattr(other, key)):
                findings.append(_mismatch(f"{where}.{key}", getattr(row, key), getattr(other, key)))
        findings += _compare(f"{where}.points", _points(row), other.points)
    return findings


# --- polls --------------------------------------------------------------------------------


def tally(poll: core_record.Poll) -> dict | None:
    """The poll's result recounted from its ballots (None while it is not counted)."""
    if poll.status != "closed" or poll.result is None:
        return None
    if poll.rules.get("kind") == "score":  # core.score_ballots: every ballot is published
        score_rules = score_ballots.rules_from(poll.rules, poll.candidates)
        scored = [score_ballots.ballot_from(ballot.content or {}) for ballot in poll.ballots]
        decrypted = []
        if poll.sealed is not None:  # the phones' ballots, as the board decrypted the outputs
            try:
                form = score_crypto.ScoreForm.from_json(poll.sealed["form"])
                turnout = len(poll.sealed["ballots"])
                counts = poll.sealed["counts"]
                decrypted.append(score_crypto.decrypted_scores(form, turnout, counts).totals())
            except (core_crypto.Invalid, KeyError, TypeError, ValueError):
                return None  # a broken transcript: `_sealed` says where
        if poll.score_paper is not None:  # the paper pile, as the board entered its totals
            decrypted.append(poll.score_paper.as_core().totals())
        counted = score_ballots.tally(scored, score_rules, totals=decrypted)
        return score_ballots.stored_result(counted, score_rules)
    rules = core_ballots.rules_from(poll.rules, poll.candidates)
    made: dict[str, core_ballots.Ballot] = {}  # one for all that say the same, read either way
    ballots = []
    for ballot in poll.ballots:
        said = core_record.ballot_said(ballot)
        found = made.get(said)
        if found is None:
            found = made[said] = core_ballots.ballot_from(ballot.content or {})
        ballots.append(found)
    totals = []
    if poll.sealed is not None:  # the phones' ballots, as the board decrypted their sums
        form = core_crypto.Form.from_json(poll.sealed["form"])
        totals.append(
            core_ballots.sealed_counts(form, poll.sealed["counts"], len(poll.sealed["ballots"]))
        )
    if poll.paper is not None:  # paper ballots and written opinions, by their totals
        totals.append(poll.paper.as_core())
    counted = core_ballots.tally(
        ballots,
        rules,
        electorate=poll.result["electorate"],
        issued=poll.result["issued"],
        totals=totals,
    )
    return core_ballots.stored_result(counted, rules)


def _polls(record: Record) -> list[Finding]:
    findings = []
    for poll in record.polls:
        where = f"polls[{poll.code}]"
        if poll.status != "closed":  # not counted, or void: no ballot is published
            if poll.ballots or poll.receipts or poll.paper or poll.score_paper:
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
            other = poll.result.get(key)
            if isinstance(value, dict) and isinstance(other, dict):
                findings += _compare(f"{where}.result.{key}", value, other)
            elif value != other and not _same(value, other):
                findings.append(_mismatch(f"{where}.result.{key}", value, other))
        findings += _paper(where, poll)
        findings += _score_paper(where, poll)
        receipted = len(poll.ballots) + (poll.paper.written if poll.paper else 0)
        if poll.sealed is not None:
            trackers = [ballot["tracker"] for ballot in poll.sealed["ballots"]]
            receipted += len(trackers)
            findings += [
                _missing(f"{where}.receipts", tracker)
                for tracker in trackers
                if tracker not in poll.receipts
            ]
        if len(poll.receipts) != receipted:
            findings.append(
                Finding(
                    f"{where}.receipts",
                    Phrase(
                        gettext_noop(
                            "%(receipts)s mã biên nhận nhưng %(ballots)s phiếu điện tử, văn bản."
                        ),
                        {
                            "receipts": format_number(len(poll.receipts)),
                            "ballots": format_number(receipted),
                        },
                    ),
                )
            )
    return findings


def _score_paper(where: str, poll: core_record.Poll) -> list[Finding]:
    """A score poll's paper totals that cannot be (`core.score_ballots.sheet_problems`: a
    unit scored by more ballots than are valid, a total above its ballots' maximum, …), or
    paper totals in a poll that is not a score poll on paper."""
    if poll.score_paper is None:
        return []
    where = f"{where}.score_paper"
    if poll.rules.get("kind") != "score" or poll.mode != "paper":
        return [
            Finding(
                where,
                Phrase(gettext_noop("chỉ cuộc bỏ phiếu chấm điểm bằng phiếu giấy có tờ tổng hợp.")),
            )
        ]
    rules = score_ballots.rules_from(poll.rules, poll.candidates)
    return [
        Finding(
            f"{where}.{problem.field}" if problem.field else where,
            Phrase(problem.message, dict(problem.params)),
        )
        for problem in score_ballots.sheet_problems(poll.score_paper.as_core(), rules)
    ]


def _paper(where: str, poll: core_record.Poll) -> list[Finding]:
    """Totals of paper ballots and written opinions that cannot be: a candidate the poll does
    not have, more blank or invalid or written than returned, paper in an electronic poll."""
    paper = poll.paper
    if paper is None:
        return []
    where = f"{where}.paper"
    findings = [
        _missing(f"{where}.{side}", code)
        for side, counts in (("yes", paper.yes), ("no", paper.no))
        for code in counts
        if code not in poll.candidates
    ]
    for field, count in (
        ("written", paper.written),
        ("invalid", paper.invalid),
        ("blank", paper.blank),
    ):
        if count > paper.ballots:
            findings.append(
                Finding(
                    f"{where}.{field}",
                    Phrase(
                        gettext_noop("%(count)s, nhiều hơn số phiếu thu về (%(ballots)s)."),
                        {"count": format_number(count), "ballots": format_number(paper.ballots)},
                    ),
                )
            )
    if poll.mode == "electronic" and paper.ballots != paper.written:
        findings.append(
            Finding(
                f"{where}.ballots",
                Phrase(
                    gettext_noop(
                        "cuộc bỏ phiếu điện tử không có phiếu giấy: %(ballots)s phiếu nhưng "
                        "%(written)s ý kiến bằng văn bản."
                    ),
                    {
                        "ballots": format_number(paper.ballots),
                        "written": format_number(paper.written),
                    },
                ),
            )
        )
    return findings


def _sealed(record: Record) -> list[Finding]:
    """The encrypted polls' transcript (docs/ballot-crypto.md §6): the board's ceremony, every
    cast and challenged ballot with its proofs, the sums, the partial decryptions and the
    counts; the first rule broken, and where."""
    sealed = [poll for poll in record.polls if poll.sealed is not None]
    ceremony = record.conference.ceremony if record.conference else None
    if not sealed and ceremony is None:
        return []
    if ceremony is None:
        return [_missing("conference.ceremony", sealed[0].code)]
    transcript = {
        "protocol": core_crypto.PROTOCOL,
        "cluster": record.cycle.cluster,
        "year": record.cycle.year,
        "ceremony": ceremony,
        "polls": [poll.sealed for poll in sealed],
    }
    failure = verify_transcript(transcript)
    if failure is None:
        return []
    # the transcript's places as the record's: polls[2] → polls[<code>].sealed
    where = re.sub(
        r"^polls\[(\d+)\]", lambda m: f"polls[{sealed[int(m[1])].code}].sealed", failure.where
    )
    where = re.sub(r"^ceremony", "conference.ceremony", where)
    return [
        Finding(
            where or "conference.ceremony",
            Phrase(
                gettext_noop("phiếu mã hóa: vi phạm quy tắc %(code)s của giao thức."),
                {"code": failure.code},
            ),
        )
    ]


def nominees_of(record: Record) -> dict[str, tuple[str, ...]]:
    """title code → the units its counted polls nominated (a first round with its runoffs,
    once every round is counted and no tie is left), as the conference page reads them."""
    polls = {poll.code: poll for poll in record.polls}
    runoffs = {poll.runoff_of: poll for poll in record.polls if poll.runoff_of}
    found = {}
    for poll in record.polls:
        if poll.runoff_of in polls or poll.purpose != "title" or not poll.title_code:
            continue
        rounds = [poll]
        while rounds[-1].code in runoffs and len(rounds) <= len(polls):
            rounds.append(runoffs[rounds[-1].code])
        counted = [r for r in rounds if r.status in ("closed", "void") and r.result]
        winners, complete = core_ballots.decided(
            [
                core_ballots.round_of(r.result, r.candidates, void=r.status == "void")
                for r in counted
            ]
        )
        if complete and len(counted) == len(rounds):
            found[poll.title_code] = winners
    return found


def _nominations(record: Record) -> list[Finding]:
    """The titles' quotas and conditions (`check_nominations`: e.g. one flag a year — a
    Government-flag nominee is not also a Ministry-flag nominee — and the Government-flag
    nominee leads the cluster) on the counted polls."""
    nominees = nominees_of(record)
    titles = [
        core_ballots.title_from(item)
        for item in record.cycle.rule_set.data.get("voting", {}).get("titles", [])
        if item["code"] in nominees
    ]
    if not titles:
        return []
    ranks = {row.unit: row.rank for row in _scored(record) or [] if row.rank is not None}
    names = {unit.code: unit.name for unit in record.units}
    polls = {
        poll.title_code: poll.code
        for poll in reversed(record.polls)
        if poll.title_code and not poll.runoff_of
    }
    return [
        Finding(
            f"polls[{polls.get(problem.field, problem.field)}]",
            Phrase(problem.message, problem.params),
        )
        for problem in core_ballots.check_nominations(titles, nominees, ranks, names)
    ]


# --- all of it ----------------------------------------------------------------------------


CHECKS: tuple[Callable[[Record], Iterable[Finding]], ...] = (
    _audit,
    _against_the_log,
    _statistics,
    _scoring,
    _polls,
    _sealed,
    _nominations,
)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a record is checked: checking creates tens of
    thousands of objects (the record's types, the recomputed results) and no reference
    cycle among them, so each collection would only walk them again (about a tenth of the
    time of `verify`). What they leave is freed by reference counting, as ever; the
    collector runs again after (unless it was paused already)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def verify(document: object) -> list[Finding]:
    """Every difference between the record's results and what its data gives (`document`:
    the parsed JSON of a record)."""
    with _no_cycle_collection():
        return _verify([document])[0]


@dataclass(frozen=True)
class Checked:
    """What `verify_file` found: the differences, the record when it could be read (for
    its provenance and counts), and the cycle's name as the file gives it."""

    findings: list[Finding]
    record: Record | None
    name: str


def verify_file(path) -> Checked:
    """`verify` of the record in `path` (`core_record.Unreadable` when it is none), never
    holding its whole parsed JSON: a record in the format is read member by member into
    its types (`core_record.read_file`); any other file is read whole as before, and gets
    the same findings and errors as `verify(core_record.load(path))`."""
    with _no_cycle_collection():
        record = core_record.read_file(path)
        if record is not None:  # its entries' JSON not kept: their hashes cover it rewritten
            findings = _checked(record, None)
            return Checked(findings, None if findings else record, _cycle_code(record))
        held = [core_record.load(path)]
        cycle = held[0].get("cycle") if isinstance(held[0], Mapping) else None
        cycle = cycle if isinstance(cycle, Mapping) else {}
        name = f"{cycle.get('cluster', '?')}/{cycle.get('year', '?')}"
        findings, record = _verify(held)
    return Checked(findings, record, name)


def _verify(held: list) -> tuple[list[Finding], Record | None]:
    """`held`: the parsed JSON alone in a list, emptied once it has been read (the caller
    keeping no other reference, it is freed then)."""
    (document,) = held
    if not isinstance(document, Mapping):
        return [Finding("$", Phrase(gettext_noop("bản ghi phải là một đối tượng JSON.")))], None
    record, faults = core_record.read(document)
    if record is None:
        return [Finding(fault.where, fault.message) for fault in faults], None
    as_read = [  # what the record's entries were read from: the JSON their hashes cover
        (item["payload"], item["origin"]) for item in document["audit"]["entries"]
    ]
    held.clear()
    del document
    findings = _checked(record, as_read)
    return findings, (None if findings else record)


def _checked(record: Record, as_read: list | None) -> list[Finding]:
    """Every difference in a record read (`as_read`: see `_audit`)."""
    findings = _references(record)
    if findings:  # recomputing from broken references would only add noise
        return findings
    for check in CHECKS:
        try:
            findings += _audit(record, as_read) if check is _audit else check(record)
        except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation) as error:
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


# --- where the record comes from ----------------------------------------------------------
#
# A chain whose checkpoints and seal all verify was signed by the keys it registers — but a
# forger can rewrite a whole chain under a key of his own. Whose keys they are is learnt
# outside the record: fingerprints compared on paper in the hall (`--key`), a list of keys
# the Ministry registered (`--trusted-keys`), or a checkpoint printed on the signed minutes
# (`--anchor`), which also shows that nothing signed before it was cut off.


@dataclass(frozen=True)
class Anchor:
    """A checkpoint as printed on paper: its chain and number when the QR code was read,
    and the hash (whole, or its first 128 bits as people type them)."""

    hash_prefix: str
    chain: str | None = None
    seq: int | None = None

    @classmethod
    def parse(cls, text: str) -> Anchor | None:
        """`thidua:<chain>:<seq>:<hash>` (the QR code) or 32+ hex digits (the printed
        groups); None when it is neither."""
        if text.startswith("thidua:"):
            chain, _, rest = text.removeprefix("thidua:").rpartition(":")
            chain, _, seq = chain.rpartition(":")
            digest = signing.ungrouped(rest)
            if digest is None or len(digest) != 64 or not seq.isdigit():
                return None
            return cls(digest, chain, int(seq))
        digest = signing.ungrouped(text)
        return None if digest is None else cls(digest)


@dataclass(frozen=True)
class Provenance:
    """Who signed the chain and what confirms it: the registered keys' fingerprints, those
    of them not trusted, the checkpoint the anchor matched (its position) and how many
    entries follow it."""

    keys: tuple[str, ...]
    untrusted: tuple[str, ...]
    anchored: int | None
    after_anchor: int

    @property
    def verified(self) -> bool:
        return self.anchored is not None or (bool(self.keys) and not self.untrusted)


def _trusted(fingerprint: str, trusted: Iterable[str]) -> bool:
    return any(
        fingerprint.startswith(prefix) for prefix in trusted if len(prefix) >= signing.COMPARED_HEX
    )


def provenance(
    record: Record, *, trusted: Iterable[str] = (), anchor: Anchor | None = None
) -> tuple[Provenance, list[Finding]]:
    """The record's provenance given the keys trusted (fingerprints, whole or their first 128
    bits) and an anchor; a finding when the anchor is not in the record."""
    trusted = tuple(trusted)
    entries = record.audit.entries
    keys = tuple(
        dict.fromkeys(
            str(_after(entry.payload).get("fingerprint"))
            for entry in entries
            if entry.payload.action == AuditAction.KEY_REGISTER
        )
    )
    untrusted = tuple(key for key in keys if not _trusted(key, trusted))
    anchored, findings = None, []
    if anchor is not None:
        anchored = next(
            (
                position
                for position, entry in enumerate(entries)
                if entry.payload.action == AuditAction.CHECKPOINT
                and entry.hash.startswith(anchor.hash_prefix)
                and anchor.chain in (None, record.audit.chain)
                and anchor.seq in (None, entry.seq)
            ),
            None,
        )
        if anchored is None:
            findings.append(
                Finding(
                    "anchor",
                    Phrase(
                        gettext_noop(
                            "mốc %(anchor)s in trên biên bản không có trong bản ghi: bản ghi "
                            "không chứa trạng thái đã ký trên giấy."
                        ),
                        {"anchor": signing.grouped(anchor.hash_prefix)},
                    ),
                )
            )
    after = len(entries) - anchored - 1 if anchored is not None else 0
    return Provenance(keys, untrusted, anchored, after), findings
