"""A cycle's record, and its independent check.

A record is one JSON document holding what a cluster year was decided from (organisation and
lineage, indicator catalog and reports, agreement and score sheets, polls with their anonymous
ballots, the audit entries) and what the app computed from it (statistics, ranking, tallies).
`verify` recomputes every result with the core alone — no database, no Django — and names
each difference. The format is described in docs/record.md and docs/record.schema.json.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from thidua.core import ballots as core_ballots
from thidua.core import indicators as core_indicators
from thidua.core import scoring as core_scoring
from thidua.core.audit import canonical_json, entry_hash
from thidua.core.lineage import EventKind, Lineage, LineageEvent, UnitSpan
from thidua.core.messages import Phrase, gettext_noop

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


def _text(value) -> str:
    return "—" if value is None else str(value)


def _mismatch(where: str, computed, recorded) -> Finding:
    return Finding(
        where,
        Phrase(
            gettext_noop("tính lại được %(computed)s nhưng bản ghi ghi %(recorded)s."),
            {"computed": _text(computed), "recorded": _text(recorded)},
        ),
    )


def _same(a, b) -> bool:
    """Equal as numbers when both read as numbers (6.75 = 6.750), else as they are."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
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


def _last_logged(record, actions: tuple[str, ...]) -> dict[str, Mapping]:
    """object id → `after` of the last audit entry with one of `actions`."""
    found = {}
    for entry in record["audit"].get("entries", []):
        payload = entry.get("payload", {})
        if payload.get("action") in actions:
            found[str(payload.get("object_id"))] = payload.get("after") or {}
    return found


def _against_the_log(record) -> list[Finding]:
    """Score sheets and reports as the audit log last wrote them."""
    findings = []
    sheets = _last_logged(record, ("scoring.sheet.save", "scoring.sheet.submit"))
    for sheet in record["sheets"]:
        key = f"{sheet['scorer']}->{sheet['target']}"
        findings += _logged(f"sheets[{key}].scores", sheet["scores"], sheets.get(key))
    reports = _last_logged(
        record, ("stats.report.save", "stats.report.submit", "stats.baseline.record")
    )
    for report in record["reports"]:
        key = f"{report['unit']}/{report['year']}/{report['period']}"
        logged = reports.get(key)
        findings += _logged(
            f"reports[{key}].figures",
            report["figures"],
            logged.get("figures") if logged is not None else None,
        )
    return findings


def _logged(where: str, values: Mapping, logged: Mapping | None) -> list[Finding]:
    if logged is None:
        return [Finding(where, Phrase(gettext_noop("không có trong nhật ký thao tác.")))]
    return [
        Finding(
            f"{where}.{key}",
            Phrase(
                gettext_noop("bản ghi ghi %(recorded)s nhưng nhật ký thao tác ghi %(logged)s."),
                {"recorded": _text(values.get(key)), "logged": _text(logged.get(key))},
            ),
        )
        for key in sorted(set(values) | set(logged))
        if not _same(values.get(key), logged.get(key))
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
                        {"receipts": len(poll["receipts"]), "ballots": receipted},
                    ),
                )
            )
    return findings


# --- all of it ----------------------------------------------------------------------------


CHECKS: tuple[Callable[[Mapping], Iterable[Finding]], ...] = (
    _references,
    _audit,
    _against_the_log,
    _statistics,
    _scoring,
    _polls,
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
