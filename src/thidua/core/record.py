"""The record of a cluster year: its format, defined once.

A record is one JSON document holding what a cluster year was decided from (organisation and
lineage, indicator catalog and reports, agreement and score sheets, polls with their anonymous
ballots, the audit entries) and what the app computed from it (statistics, ranking, tallies).
The dataclasses below are the format: export builds them, `read` checks a document against
them (every fault named by its path), restore and `thidua.core.verify` read them, and
docs/record.schema.json and the field tables of docs/record.md are generated from them
(`python -m thidua.record.docs`; a test fails when they differ). The audit actions a record's
checks rely on are named here too (`AuditAction`).
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import hashlib
import io
import json
import zipfile
import zlib
from array import array
from collections.abc import Callable, ItemsView, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Annotated, Any, Literal

from thidua.core import ballots as core_ballots
from thidua.core import score_ballots, typed
from thidua.core.audit import Hashed, canonical_json, entry_hash
from thidua.core.indicators import Direction, Period
from thidua.core.indicators import Kind as IndicatorKind
from thidua.core.lineage import EventKind
from thidua.core.messages import Phrase, gettext_noop
from thidua.core.phases import Phase
from thidua.core.scoring import Kind as CriterionKind
from thidua.core.typed import Check, doc

FORMAT = "thidua-record"
VERSION = 4


class AuditAction(StrEnum):
    """Every action the audit log names: the code stored in each entry."""

    CYCLE_CREATE = "org.cycle.create"
    CYCLE_UPDATE = "org.cycle.update"
    CYCLE_MERGE = "org.cycle.merge"
    PHASE_OPEN = "org.phase.open"
    PHASE_CLOSE = "org.phase.close"
    PHASE_REOPEN = "org.phase.reopen"
    DEADLINE_SET = "org.deadline.set"
    HANDOVER_RECORD = "org.handover.record"
    LINEAGE_RECORD = "org.lineage.record"
    TOKEN_CREATE = "org.token.create"  # noqa: S105 — an action name, not a secret
    TOKEN_REVOKE = "org.token.revoke"  # noqa: S105
    UNIT_PROFILE = "org.unit.profile"
    TITLE_RECORD = "org.title.record"
    TITLE_IMPORT = "org.title.import"
    DECISION_RECORD = "org.decision.record"
    REPORT_SAVE = "stats.report.save"
    REPORT_SUBMIT = "stats.report.submit"
    REPORT_RETURN = "stats.report.return"
    REPORT_CONFIRM = "stats.report.confirm"
    REPORT_EXCUSE = "stats.report.excuse"
    BASELINE_RECORD = "stats.baseline.record"
    PUBLISHED_SET = "stats.published.set"
    RULES_SET = "scoring.rules.set"
    TABLE_REPLACE = "scoring.table.replace"
    TARGETS_SET = "scoring.targets.set"
    AGREEMENT_SIGN = "scoring.agreement.sign"
    AGREEMENT_CONFIRM = "scoring.agreement.confirm"
    AGREEMENT_WITHDRAW = "scoring.agreement.withdraw"
    AGREEMENT_EXCUSE = "scoring.agreement.excuse"
    FACTS_RECORD = "scoring.facts.record"
    EVIDENCE_ADD = "scoring.evidence.add"
    SHEET_SAVE = "scoring.sheet.save"
    SHEET_SUBMIT = "scoring.sheet.submit"
    SHEET_REOPEN = "scoring.sheet.reopen"
    SHEET_ON_BEHALF = "scoring.sheet.on_behalf"
    SHEET_CONFIRM = "scoring.sheet.confirm"
    SHEET_EXCUSE = "scoring.sheet.excuse"
    REVIEW_REASONS = "scoring.review.reasons"
    REVIEW_FILE = "scoring.review.file"
    REVIEW_ANSWER = "scoring.review.answer"
    REVIEW_FINALISE = "scoring.review.finalise"
    CONFERENCE_SET = "voting.conference.set"
    DELEGATE_ADD = "voting.delegate.add"
    DELEGATE_CHECK_IN = "voting.delegate.check_in"
    POLL_CREATE = "voting.poll.create"
    POLL_OPEN = "voting.poll.open"
    POLL_CLOSE = "voting.poll.close"
    POLL_VOID = "voting.poll.void"
    POLL_REVOTE = "voting.poll.revote"
    DELEGATE_REISSUE = "voting.delegate.reissue"
    CEREMONY_START = "voting.ceremony.start"
    CEREMONY_STEP = "voting.ceremony.step"
    CEREMONY_READY = "voting.ceremony.ready"
    CEREMONY_FAIL = "voting.ceremony.fail"
    POLL_SEAL = "voting.poll.seal"
    POLL_DECRYPT = "voting.poll.decrypt"
    REPORT_TEXT_SAVE = "documents.report_text.save"
    DOCUMENT_ISSUE = "documents.issue"
    RECORD_IMPORT = "record.import"
    RECORD_RECEIVE = "record.receive"
    KEY_REGISTER = "record.key.register"
    CHECKPOINT = "record.checkpoint"
    CATALOG = "record.catalog"
    ADMIN_ADD = "admin.add"
    ADMIN_CHANGE = "admin.change"
    ADMIN_DELETE = "admin.delete"


#: The acts after which the installation signs the state of the chain (a checkpoint entry):
#: what the minutes on paper print, and what a forger cannot re-sign.
CHECKPOINTED = frozenset(
    {
        AuditAction.PHASE_OPEN,
        AuditAction.PHASE_CLOSE,
        AuditAction.PHASE_REOPEN,
        AuditAction.POLL_CLOSE,
        AuditAction.POLL_VOID,
        AuditAction.POLL_SEAL,
        AuditAction.CEREMONY_READY,
        AuditAction.HANDOVER_RECORD,
        AuditAction.DOCUMENT_ISSUE,
    }
)

#: The entries that write a unit's report: a record carries them for every report it holds.
REPORT_ACTIONS = (
    AuditAction.REPORT_SAVE,
    AuditAction.REPORT_SUBMIT,
    AuditAction.BASELINE_RECORD,
)

# --- the values -----------------------------------------------------------------------------

Code = Annotated[str, Check(min_length=1)]
Year = Annotated[int, Check(minimum=2000, maximum=2100)]
Count = Annotated[int, Check(minimum=0)]
Hash = Annotated[str, Check(pattern=r"^[0-9a-f]{64}$")]
Clock = Annotated[str, Check(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
JsonObject = dict[str, Any]


# --- the entries --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleSet:
    """The versioned rules (scoring, titles, thresholds) the cycle ran under, with their data."""

    code: Code
    version: int
    name: str
    legal_basis: str = doc("the law or decree the rules come from")
    effective_from: date | None
    effective_to: date | None
    data: JsonObject = doc("the rules themselves, as the rule set stores them")


@dataclass(frozen=True, slots=True, kw_only=True)
class Cycle:
    """One cluster in one year: who leads it, who belongs to it, where it stands."""

    cluster: Code = doc("the cluster's code")
    cluster_name: str
    parent_body: str = doc("the body the cluster belongs to, printed above it on documents")
    movement: str = doc("the emulation movement")
    year: Year
    title: str
    phase: Phase = doc("the phase the cycle is in")
    phase_is_open: bool
    leader: Code = doc("the leader unit (cụm trưởng)")
    deputy: Code | None = doc("the deputy unit (cụm phó)")
    members: Annotated[list[Code], Check(min_items=1, unique=True)] = doc(
        "the member units, in the app's (Vietnamese) order"
    )
    note: str
    rule_set: RuleSet


@dataclass(frozen=True, slots=True, kw_only=True)
class Unit:
    """A member, or a unit a member stood for a year earlier (through the lineage)."""

    code: Code
    name: str
    short_name: str
    kind: str = doc("provincial_police, ministry_department or other")
    valid_from: date | None
    valid_to: date | None = doc("the day before a merge, split or rename took effect")
    head_rank: str = doc("the head's rank (cấp bậc), printed before the name")
    head_title: str = doc("the head's title, printed under the signature")
    head_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LineageEvent:
    """A merge, split or rename between the record's units."""

    kind: EventKind
    effective_date: date
    legal_basis: str
    sources: list[Code]
    targets: list[Code]


@dataclass(frozen=True, slots=True, kw_only=True)
class Handover:
    """Who leads the cluster in a year, and how that was decided."""

    year: Year = doc("the year the leader and deputy take over")
    leader: Code
    deputy: Code | None
    method: Literal["elected", "assigned"] = doc(
        "elected at the year-end conference, or assigned by the Ministry"
    )
    decision_ref: str = doc("the minutes or decision it rests on")
    note: str
    from_this_cycle: bool = doc("recorded at this cycle's conference (next year's leadership)")


@dataclass(frozen=True, slots=True, kw_only=True)
class Indicator:
    """An indicator of the catalog (all of it is in the record)."""

    code: Code
    name: str
    name_en: str
    section: str
    section_en: str
    measure: str = doc("the unit of measure (vụ, đối tượng, %)")
    measure_en: str
    kind: IndicatorKind = doc("a rate is its numerator over its denominator × 100")
    direction: Direction
    decimals: Count
    numerator: Code | None
    denominator: Code | None
    scope: str = doc("what the figure covers, when it differs from the plain reading")
    position: int
    active: bool = doc("shown in the statistics (inactive indicators are kept for history)")
    plausible_relative: Decimal | None = doc(
        "a change against last year from this many per cent is implausible (with the "
        "absolute threshold) and asks for a note; none: no relative limit",
        default=None,
    )
    plausible_absolute: Decimal | None = doc(
        "…and of at least this much, in the indicator's measure (points for a rate)",
        default=None,
    )


#: What of an indicator its figures are computed with, and whether the statistics show them
#: (the rest is its wording and place).
COMPUTED_WITH = ("kind", "decimals", "numerator", "denominator", "active")


def computing_catalog(indicators: Iterable[Indicator]) -> dict[str, dict[str, object]]:
    """An indicator catalog as a cycle's chain logs it (`AuditAction.CATALOG`): by code, what
    each indicator is computed with. The record carries the whole catalog and `verify`
    recomputes the statistics, and the criteria scored from them, with it: the log makes a
    rate redefined in the record (another denominator) a difference, not a consistent
    forgery."""
    return {
        item.code: {name: getattr(item, name) for name in COMPUTED_WITH}
        for item in sorted(indicators, key=lambda item: item.code)
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """A unit's figures for a period, as entered."""

    unit: Code
    year: Year
    period: Period
    status: Literal["draft", "submitted", "returned", "awaiting"] = doc(
        "only submitted reports count; awaiting: entered on the unit's behalf, not confirmed yet"
    )
    in_cycle: bool = doc("entered in this cycle (not last year's, nor the baseline import)")
    source: str
    returned_reason: str
    figures: dict[str, Decimal] = doc("indicator code → the figure as entered")
    notes: dict[str, str] = doc(
        "indicator code → the unit's explanation of a figure that jumps against last year",
        default_factory=dict,
    )
    on_behalf_reason: str = doc(
        "why the leader unit's secretary entered the figures on the unit's behalf (nhập thay)",
        default="",
    )
    excuse: str = doc(
        "why the unit could not confirm figures entered on its behalf (recorded by the leader)",
        default="",
    )
    highlights: str = doc(
        "the year report only: the unit's own highlights of the emulation movement, one per "
        "line, which the year-end report's draft quotes",
        default="",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishedFigure:
    """A cluster figure as published elsewhere (e.g. in the press), set beside ours."""

    period: Period
    indicator: Code
    value: Decimal
    source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StatisticsRow:
    """A row of the cluster table: values and baseline (a year earlier) per indicator."""

    values: dict[str, Decimal | None] = doc("indicator code → value (rates recomputed)")
    baseline: dict[str, Decimal | None] = doc(
        "indicator code → value a year earlier, through the lineage"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Statistics:
    """**Computed**: the cluster table of active indicators, as the statistics pages show it."""

    units: dict[str, StatisticsRow] = doc("member code → its row")
    total: StatisticsRow = doc("the cluster (counts summed, rates from the summed counts)")


@dataclass(frozen=True, slots=True, kw_only=True)
class Criterion:
    """A line of the criteria table: a section or a criterion scored in one of several ways."""

    code: Code = doc("e.g. I.1")
    name: str
    kind: CriterionKind
    max_points: Decimal
    parent: Code | None = doc("the section it belongs to")
    min_points: Decimal
    indicator: Code | None = doc("the indicator a quantitative criterion is scored from")
    points_each: Decimal
    penalty_each: Decimal
    measure: str
    position: int
    guidance: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Fact:
    """What a criterion scored from facts rests on, for one unit."""

    unit: Code
    criterion: Code
    achieved: bool | None = doc("a qualitative criterion met or not")
    count: Decimal | None = doc("occurrences, or bonus count")
    penalties: Decimal | None = doc("penalty count")


@dataclass(frozen=True, slots=True, kw_only=True)
class Agreement:
    """The emulation agreement (giao ước thi đua): criteria, rules, targets and who scores."""

    declared_total: Decimal = doc("the table's total points as signed")
    rules: JsonObject = doc("aggregation, step, tie-breaks, bands")
    assignment_kind: Literal["all", "teams"] = doc(
        "every member scores the others, or inspection teams score each member"
    )
    assignment: dict[str, list[Code]] = doc("scored unit → the units whose sheets count for it")
    criteria: list[Criterion]
    targets: list[tuple[Code, Code, Decimal | None]] = doc("[unit, criterion, target]")
    facts: list[Fact]
    approved_by: list[Code] = doc("units whose director confirmed the agreement as signed")
    signed_at: datetime | None
    note: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Sheet:
    """A score sheet (not secret): who scored whom, and the scores."""

    scorer: Code
    target: Code
    kind: Literal["self", "peer"]
    status: Literal["draft", "submitted", "awaiting"] = doc(
        "only submitted sheets count; awaiting: entered on the unit's behalf, not confirmed yet"
    )
    scores: dict[str, Decimal] = doc("criterion code → points")
    on_behalf_reason: str = doc(
        "why the leader unit's secretary entered the sheet on the scorer unit's behalf (nhập thay)",
        default="",
    )
    excuse: str = doc(
        "why the scorer unit could not confirm a sheet entered on its behalf (recorded by the "
        "leader)",
        default="",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Standing:
    """A member's result in the ranking."""

    unit: Code
    rank: int | None = doc("none until every expected sheet is in")
    total: Decimal
    self_total: Decimal | None = doc("its self-assessment, shown beside, never counted")
    band: str | None = doc("e.g. Xuất sắc")
    points: dict[str, Decimal] = doc("criterion code → points")


@dataclass(frozen=True, slots=True, kw_only=True)
class Scoring:
    """**Computed**: the ranking as the results page shows it."""

    ranking: list[Standing]


@dataclass(frozen=True, slots=True, kw_only=True)
class Delegate:
    """A delegate of the conference, by the name the documents print (no account)."""

    name: str
    unit: Code
    board: Literal["", "chair", "member"] = doc("on the counting board: its chair or a member")
    checked_in: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Reissue:
    """A check-in key given to a delegate again (a lost phone): listed in the minutes."""

    delegate: Code = doc("the delegate, as `unit/n`: the unit's n-th delegate in the record")
    at: datetime
    by: str = doc("who gave it, by the name the documents print")
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Conference:
    """The year-end conference."""

    held_on: date | None
    starts_at: Clock | None = doc("opening time, e.g. 08:00", default=None)
    ends_at: Clock | None = doc("closing time", default=None)
    place: str
    agenda: str
    chair: str
    chair_rank: str = doc("the chair's rank (cấp bậc), printed before the name")
    chair_position: str = doc("the chair's position, e.g. the leader unit's director")
    secretary: str
    secretary_rank: str
    secretary_position: str
    guests: str = doc("the invited guests, one per line, as the minutes list them")
    conclusions: str = doc("the conference's conclusions, one per line")
    delegates: list[Delegate] = doc("a unit's delegates in the order they were added")
    reissues: list[Reissue] = doc("check-in keys given again, in the order given")
    ceremony: JsonObject | None = doc(
        "the counting board's key ceremony, as a ballot transcript carries it "
        "(docs/ballot-crypto.md §6): members' announcements and fingerprints, the encrypted "
        "shares, complaints and verdicts, the joint key",
        default=None,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Ballot:
    """A counted phone ballot of a poll that is not encrypted (and a score poll's paper
    ballot): what it says, never who cast it or when."""

    content: JsonObject | None = doc(
        '{"choices": [...]}, {"answers": {...}} or, in a score poll, {"scores": {unit: [a score '
        'per criteria group]}, "own_unit": the unit its delegate does not score}'
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Totals:
    """A poll's paper ballots and absent delegates' written opinions, by their totals only:
    listed one by one, a written opinion would be its known author's vote, and an unusual
    pattern on paper a signature."""

    ballots: Count = doc("returned: paper ballots and written opinions, valid or not")
    written: Count = doc("of which written opinions (each has a receipt)")
    invalid: Count
    blank: Count = doc("valid with nothing ticked (approval polls: no answer but abstain)")
    yes: dict[str, Count] = doc("candidate → ballots ticking it, or answering yes")
    no: dict[str, Count] = doc("candidate → ballots answering no (approval polls)")

    def as_core(self) -> core_ballots.Totals:
        return core_ballots.Totals(
            ballots=self.ballots, yes=self.yes, no=self.no, blank=self.blank, invalid=self.invalid
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ScorePaper:
    """A score poll's paper ballots as the board counted them and entered them, twice, in
    totals (docs/score-ballot-crypto.md §5): per candidate and criteria group the total of the
    scores and the number of ballots that scored it."""

    returned: Count = doc("paper ballots returned, valid or not")
    invalid: Count
    valid: Count = doc("returned − invalid")
    total: dict[Code, list[Count]] = doc("candidate → the total of its scores, per group")
    count: dict[Code, list[Count]] = doc("candidate → the ballots that scored it, per group")

    def as_core(self) -> score_ballots.PaperSheet:
        return score_ballots.PaperSheet(
            returned=self.returned,
            invalid=self.invalid,
            valid=self.valid,
            total={unit: tuple(parts) for unit, parts in self.total.items()},
            count={unit: tuple(parts) for unit, parts in self.count.items()},
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Poll:
    """A secret ballot of the conference, with its ballots and result once counted."""

    code: Code
    title: str
    purpose: Literal["title", "leader", "deputy", "other"]
    title_code: str = doc("the title a nomination is for, e.g. co_bo_cong_an")
    mode: Literal["electronic", "paper"]
    rules: JsonObject = doc("threshold, base, quorum, seats: copied at creation")
    status: Literal["draft", "open", "counting", "closed", "void"] = doc(
        "counting: an encrypted poll's box closed, its sums awaiting the board's decryption; "
        "void: a count that could not be (its reasons in the result), never counted"
    )
    electorate: Count = doc("delegates convened, fixed at opening")
    opened_at: datetime | None
    closed_at: datetime | None
    runoff_of: Code | None = doc(
        "the poll whose tie this round breaks, or the void poll it re-votes"
    )
    candidates: list[Code]
    electors: list[Code] = doc(
        "the electorate fixed at opening: delegates as `unit/n` (who voted is never exported)"
    )
    ballots: list[Ballot] = doc(
        "once counted, the phone ballots sorted by their canonical JSON; else empty (an "
        "encrypted poll's are in `sealed`, paper ballots and written opinions in `paper`; a "
        "score poll's paper ballots are here too, one by one, each with a receipt)"
    )
    receipts: list[str] = doc(
        "receipt codes (an encrypted ballot's is its tracker), sorted, apart from the ballots"
    )
    result: JsonObject | None = doc(
        "the tally as frozen at counting (for a void poll, with `void`: the reasons); a score "
        "poll's: per unit total, count, average as an exact fraction n/d, rank and ties"
    )
    paper: Totals | None = doc(
        "once counted, the paper ballots and written opinions by their totals (none: an "
        "electronic poll without written opinions)",
        default=None,
    )
    score_paper: ScorePaper | None = doc(
        "once counted, a score poll's paper ballots entered in totals (none: no paper pile, "
        "or one entered ballot by ballot, in `ballots`)",
        default=None,
    )
    sealed: JsonObject | None = doc(
        "an encrypted poll once counted, as a ballot transcript carries it "
        "(docs/ballot-crypto.md §6): form, ballots with proofs, challenged ballots, sums, "
        "partial decryptions, counts; a score poll's form has outputs, its counts are per "
        "output, with cast_by_unit (docs/score-ballot-crypto.md §6)",
        default=None,
    )
    kept: dict[Code, str] = doc(
        "candidate → the reason recorded for keeping it on the ballot although the "
        "eligibility rules found it ineligible (none: every candidate was eligible)",
        default_factory=dict,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """A document the record fully determines, by the digest of its parts."""

    key: Code
    filename: str
    digest: Hash = doc("SHA-256 of the Office file's parts, without docProps/core.xml")


@dataclass(frozen=True, slots=True, kw_only=True)
class Payload:
    """What an audit entry's hash covers."""

    at: datetime
    actor: str = doc("the user name, or system")
    unit: str = doc("the actor's unit code")
    cycle: str = doc("the cycle written, e.g. cum-2/2020")
    action: str = doc("one of thidua.core.record.AuditAction")
    object_type: str
    object_id: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Origin:
    """The entry of another chain that a carried entry copies."""

    chain: str = doc('its chain: a cycle (cum-2/2019), or "" for the installation\'s own')
    seq: Annotated[int, Check(minimum=1)]
    hash: Hash


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """A link of the cycle's audit chain (see thidua.core.audit): its hash is SHA-256 over
    the chain's name, its number, its predecessor's hash, its origin and its payload."""

    seq: Annotated[int, Check(minimum=1)] = doc("its number in the chain, from 1")
    prev_hash: Hash = doc("the hash of the entry before it (64 zeros for the first)")
    hash: Hash
    origin: Origin | None = doc("for a copy carried from another chain: the entry it copies")
    payload: Payload


@dataclass(frozen=True, slots=True, kw_only=True)
class Audit:
    """The cycle's audit chain, whole: every entry from the first, in order."""

    chain: str = doc("the chain's name: the cycle, e.g. cum-2/2020")
    entries: list[Entry]
    head: Hash | None = doc("the hash of the last entry")


@dataclass(frozen=True, slots=True, kw_only=True)
class Seal:
    """The signature, by the installation that exported the record, of its chain's head."""

    public_key: Annotated[str, Check(pattern=r"^[0-9a-f]{64}$")] = doc(
        "the Ed25519 public key (hex); the chain's last registered key"
    )
    signature: Annotated[str, Check(pattern=r"^[0-9a-f]{128}$")] = doc(
        "Ed25519 over thidua.core.signing.signed_bytes(chain, number of entries, head)"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """A cluster year: what it was decided from and what the app computed from it."""

    format: Literal["thidua-record"] = doc("what the file is")
    version: Literal[4] = doc("the version of this format")
    cycle: Cycle
    units: list[Unit] = doc("by code")
    lineage: list[LineageEvent] = doc("by effective date")
    handovers: list[Handover] = doc("by year, then in the order recorded")
    indicators: list[Indicator] = doc("by position, then code")
    reports: list[Report] = doc(
        "the members' year reports and the year-before reports of the units they stood for"
    )
    published: list[PublishedFigure]
    report_text: dict[str, str] = doc("the year-end report's written sections")
    statistics: Statistics
    agreement: Agreement | None
    sheets: list[Sheet] = doc("by scorer, then target")
    scoring: Scoring | None
    conference: Conference | None
    polls: list[Poll]
    documents: list[Document]
    audit: Audit
    seal: Seal


# --- reading and writing ------------------------------------------------------------------


def read(document: object) -> tuple[Record | None, list[typed.Fault]]:
    """`document` (parsed JSON) as a `Record`, or None with every place it breaks the format.
    A document of another format or version gets one fault saying so."""
    if isinstance(document, dict) and (
        document.get("format") != FORMAT or document.get("version") != VERSION
    ):
        return None, [
            typed.Fault(
                "version",
                Phrase(
                    gettext_noop("định dạng %(format)s phiên bản %(version)s không được hỗ trợ."),
                    {"format": document.get("format"), "version": document.get("version")},
                ),
            )
        ]
    return typed.read(Record, document)


def to_json(record: Record) -> dict:
    """The record as plain JSON values."""
    return typed.write(record)


def encode(record: Record | dict) -> bytes:
    """The canonical bytes of a record: sorted keys, no spaces, UTF-8, one final newline —
    the same cycle always gives the same bytes."""
    if isinstance(record, Record):
        record = to_json(record)
    return (canonical_json(record) + "\n").encode()


def json_schema() -> dict:
    """The JSON Schema of the format (docs/record.schema.json)."""
    return typed.json_schema(
        Record,
        **{
            "$id": "https://thidua.invalid/record.schema.json",
            "title": f"thidua record of a cluster year (version {VERSION})",
            "description": (
                "Generated from thidua.core.record; see docs/record.md. Decimals are strings, "
                "dates ISO 8601, keys sorted in the canonical encoding."
            ),
        },
    )


class Unreadable(ValueError):
    """A file that is not a record one can read: `phrase` says why, for people."""

    def __init__(self, phrase: Phrase):
        self.phrase = phrase
        super().__init__(phrase.render())


class _NotJSON(ValueError):
    """`NaN`, `Infinity` or `-Infinity` in a file: Python's reader takes them, JSON has none
    (another verifier could not read the file, and its hashes would cover them as Python
    writes them): refused, as any text that is not JSON."""

    def __init__(self, value: str):
        super().__init__(value)
        self.value = value


def _not_json(value: str):
    raise _NotJSON(value)


def load(path: str | Path) -> object:
    """The JSON document in `path` (`.json`, or gzip-compressed `.json.gz`), or `Unreadable`
    saying why not in a sentence that a caller puts after the file's name (never a Python
    exception)."""
    try:
        return parse(Path(path).read_bytes())  # the bytes held by `parse` alone: freed early
    except FileNotFoundError:
        raise Unreadable(Phrase(gettext_noop("không có tệp này."))) from None
    except IsADirectoryError:
        raise Unreadable(Phrase(gettext_noop("đây là một thư mục, không phải tệp."))) from None
    except OSError:
        raise Unreadable(
            Phrase(gettext_noop("không mở được tệp (không có quyền đọc, hoặc lỗi đĩa)."))
        ) from None


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
        del content  # not kept beside its text and the document (when the caller holds none)
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
        return json.loads(text, parse_constant=_not_json)
    except _NotJSON as error:
        raise Unreadable(
            Phrase(
                gettext_noop(
                    "tệp có giá trị %(value)s, không phải giá trị JSON: không bản ghi nào được "
                    "viết như vậy."
                ),
                {"value": error.value},
            )
        ) from None
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


# --- reading a file member by member -------------------------------------------------------


class _NotStreamed(Exception):
    """A file the member-by-member reader does not take: it is read whole instead."""


_DECODER = json.JSONDecoder(parse_constant=_not_json)
_SPACE = " \t\n\r"
#: The text read at a time: small beside a record (the window is part of the peak), large
#: beside one entry or sheet.
_CHUNK = 1 << 13


class _Stream:
    """The JSON values in a binary stream, parsed one at a time: an object's members
    (`members`) or an array's elements (`elements`) as they come, each value parsed from
    a window of the text (`raw_decode`) that holds little more than it, so neither the
    file's text nor a whole member is ever in memory at once."""

    def __init__(self, stream):
        self.stream, self.decoder = stream, codecs.getincrementaldecoder("utf-8")()
        self.text, self.at, self.done = "", 0, False
        self.last = 0  # the length of the value parsed last: the next is likely as long

    def _more(self) -> bool:
        """Read on: as much again as the window holds (so a long value is parsed a few
        times at most, not once per chunk). False at the end of the file."""
        if self.done:
            return False
        chunk = self.stream.read(max(_CHUNK, len(self.text) - self.at))
        self.done = not chunk
        self.text = self.text[self.at :] + self.decoder.decode(chunk, final=self.done)
        self.at = 0
        return True

    def _skip(self) -> None:
        while True:
            while self.at < len(self.text) and self.text[self.at] in _SPACE:
                self.at += 1
            if self.at < len(self.text) or not self._more():
                return

    def _char(self) -> str:
        self._skip()
        if self.at >= len(self.text):
            raise _NotStreamed
        self.at += 1
        return self.text[self.at - 1]

    def _next(self, closing: str) -> bool:
        """Past the separator after a member or an element: False at the `closing` one."""
        separator = self._char()
        if separator == closing:
            return False
        if separator != ",":
            raise _NotStreamed
        return True

    def _opens(self, opening: str, closing: str) -> bool:
        """Past `opening`: False when `closing` follows at once (an empty one)."""
        if self._char() != opening:
            raise _NotStreamed
        self._skip()
        if self.text.startswith(closing, self.at):
            self.at += 1
            return False
        return True

    def value(self) -> object:
        """The next value, whole. The window is first made to hold twice the value before
        (the elements of an array are alike), so that a value is seldom parsed in part and
        parsed again."""
        self._skip()
        while len(self.text) - self.at < 2 * self.last and self._more():
            pass
        while True:
            try:
                found, end = _DECODER.raw_decode(self.text, self.at)
            except json.JSONDecodeError:
                end = -1
            # a value that ends the window may go on (a number): read on to be sure
            if end != -1 and (end < len(self.text) or self.done):
                self.last, self.at = end - self.at, end
                return found
            if not self._more():
                raise _NotStreamed

    def members(self) -> Iterator[str]:
        """The names of the next object's members: the caller reads each one's value
        (`value`, `members`, `elements`) before asking for the next name."""
        if not self._opens("{", "}"):
            return
        while True:
            name = self.value()
            if not isinstance(name, str) or self._char() != ":":
                raise _NotStreamed
            yield name
            if not self._next("}"):
                return

    def elements(self) -> Iterator[object]:
        """The next array's elements, each parsed whole."""
        if not self._opens("[", "]"):
            return
        while True:
            yield self.value()
            if not self._next("]"):
                return

    def end(self) -> None:
        self._skip()
        if self.at < len(self.text):  # something after the value: not JSON
            raise _NotStreamed


_ABSENT = object()  # no value a record holds


class Compact(Mapping):
    """A JSON object as `read_file` holds it (a sheet's scores, a standing's points, an audit
    entry's `after`): its keys shared with every object that has the same keys in the same
    order, its values as two-byte places (four past 65.535 values) in a table of the values
    read (`Compactor.compact`) — a sixth of a dict's memory. Read like the dict it was read
    from, and equal to it."""

    __slots__ = ("_codes", "_index", "_table")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, index: dict[str, int], codes: array, table: list):
        self._index, self._codes, self._table = index, codes, table

    def __getitem__(self, key):
        return self._table[self._codes[self._index[key]]]

    def get(self, key, default=None):
        place = self._index.get(key)
        return default if place is None else self._table[self._codes[place]]

    def __contains__(self, key) -> bool:
        return key in self._index

    def __iter__(self):
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._codes)

    def keys(self):
        return self._index.keys()

    def values(self):
        return tuple(map(self._table.__getitem__, self._codes))

    def values_in(self, keys: Iterable[str]) -> Iterator:
        """The values of `keys`, in their order (KeyError for one it lacks), without a
        look-up per key in Python: what scoring reads of each sheet."""
        return map(
            self._table.__getitem__,
            map(self._codes.__getitem__, map(self._index.__getitem__, keys)),
        )

    def items(self):
        return _CompactItems(self)

    def __eq__(self, other) -> bool:
        """As a dict's equality (`Mapping`'s), without a look-up per key: checking a record
        compares thousands of them with the log's."""
        if type(other) is Compact:
            shared = other._index is self._index and other._table is self._table
            if shared and other._codes == self._codes:
                return True  # the same places in the same table: the same values
            other = dict(zip(other._index, other.values(), strict=True))
        elif not isinstance(other, Mapping):
            return NotImplemented
        if type(other) is dict:  # each key's value looked up at once (none missing: as long)
            return len(other) == len(self._codes) and list(self.values()) == list(
                map(other.get, self._index, repeat(_ABSENT))
            )
        return dict(zip(self._index, self.values(), strict=True)) == other

    def keyed_as(self, other) -> bool:
        """True when `other` is held with the very same keys in the same order (one index):
        found without reading a key."""
        return type(other) is Compact and other._index is self._index

    def reads_as(self, other) -> bool:
        """True when `other` holds, key by key, the very texts that this one's numbers were
        read from (`Compactor.decimals`): a sheet's scores and the log's copy of them are
        found the same at once."""
        return (
            type(other) is Compact
            and other._index is self._index
            and getattr(self._table, "texts", None) is other._table
            and other._codes == self._codes
        )

    def as_dict(self) -> dict:
        """The dict it was read from, again (and so are the objects inside it)."""
        return {
            key: item.as_dict() if type(item) is Compact else item
            for key, item in zip(self._index, self.values(), strict=True)
        }

    def __repr__(self) -> str:
        return repr(self.as_dict())


class _CompactItems(ItemsView):
    """`Compact.items()`: its pairs zipped at once, not a look-up per key."""

    __slots__ = ()

    def __iter__(self):
        found = self._mapping
        return zip(found._index, found.values(), strict=True)


class _Numbers(dict):
    """The numbers a `Compactor` read from texts, each at the place of its text in the
    table of texts it names (`texts`)."""

    __slots__ = ("texts",)


class Compactor(dict):
    """One object per text among the values read (a record repeats a few codes, names and
    scores thousands of times), one index per set of keys and one table of values
    (`Compact`)."""

    def __init__(self):
        super().__init__()
        self.layouts: dict[tuple, dict[str, int]] = {}
        self.table: list = []
        self.codes: dict[int, int] = {}  # the id of a value in `table` → its place there
        self.text_places: dict[str, int] = {}  # a text → the place of its one copy in `table`
        self.numbers = _Numbers()  # the place of a number's text → the number (`decimals`)
        self.numbers.texts = self.table
        self.number_places: dict[str, int] = {}  # the texts in `numbers` → their place
        # one array per sequence of places (`_coded`): a sheet's scores and the log's copy
        # of them are the same texts, so the same places (by type code: "H", "I")
        self.arrays: dict[str, dict[bytes, array]] = {"H": {}, "I": {}}

    def share(self, value):
        return self.setdefault(value, value) if type(value) is str else value

    def shared(self, value):
        """A parsed JSON object with its plain texts shared (its members' values only)."""
        if type(value) is not dict:
            return value
        return {
            key: self.setdefault(item, item) if type(item) is str else item
            for key, item in value.items()
        }

    def compact(self, value, share: bool = True):
        """A JSON object as `Compact`, and so the objects inside it (its arrays are kept as
        they are); anything else as it is. A text is coded by its place among the texts
        (equal texts at one place: they are shared); any other value by the place of that
        very object, never two values that are merely equal (1 and true, 7.5 and 7.50) at
        one place. The usual object — all texts, or values already placed — is coded
        without a step per value in Python."""
        if type(value) is not dict or not value:
            return value
        if share:
            try:  # the usual object: texts all placed already (no other value is a text's key)
                return Compact(
                    self._layout(value), self._coded(self.text_places, value.values()), self.table
                )
            except (KeyError, TypeError):
                pass
        values = list(value.values())
        kinds = set(map(type, values))
        if dict in kinds:
            values = [self.compact(item, share) if type(item) is dict else item for item in values]
            kinds = set(map(type, values))
        if share and kinds == {str}:
            codes = self._placed(self.text_places, values, values)
        else:
            if share and str in kinds:
                values = [self.share(item) for item in values]
            codes = self._placed(self.codes, list(map(id, values)), values)
        return Compact(self._layout(value), codes, self.table)

    def decimals(self, value) -> Compact | None:
        """A JSON object of numbers written as texts (a sheet's scores) read as `typed`
        reads `dict[str, Decimal]`, held `Compact`: each number coded by the place of its
        text, so that the log's copy of the same texts is found equal at once
        (`Compact.reads_as`). None when it is not such an object."""
        if type(value) is not dict:
            return None
        values = list(value.values())
        places = self.number_places
        try:
            codes = self._coded(places, values)
        except (KeyError, TypeError):  # a text not read yet, or no text at all
            for text in values:
                if type(text) is not str:
                    return None
                if text not in places:
                    number = typed.decimal_of(text)
                    if number is None:
                        return None
                    place = self._placed(self.text_places, [text], [text])[0]
                    self.numbers[place], places[text] = number, place
            codes = self._coded(places, values)
        return Compact(self._layout(value), codes, self.numbers)

    def _layout(self, value: dict) -> dict[str, int]:
        """The index shared by every object with `value`'s keys in its order."""
        keys = tuple(value)
        index = self.layouts.get(keys)
        if index is None:
            index = self.layouts[keys] = {key: n for n, key in enumerate(keys)}
        return index

    def _coded(self, places: dict, keys: list) -> array:
        """The places of `keys` in `places` (KeyError for one not there), found at once
        (`itemgetter`). Two bytes a place, four past 65.535 values; the places an array
        read before holds are that array (never changed: `Compact` only reads it)."""
        code = "I" if len(self.table) > 0xFFFF else "H"
        if len(keys) > 1:
            codes = array(code, itemgetter(*keys)(places))
        else:
            codes = array(code, map(places.__getitem__, keys))
        return self.arrays[code].setdefault(codes.tobytes(), codes)

    def _placed(self, places: dict, keys: list, values: list) -> array:
        """The places of `values` in the table, by their `keys` in `places`: those not yet
        there are added (kept there: an object's id is not reused while it lives)."""
        try:
            return self._coded(places, keys)
        except KeyError:
            table = self.table
            for key, item in zip(keys, values, strict=True):
                if key not in places:
                    places[key] = len(table)
                    table.append(item)
            return self._coded(places, keys)


def _open(value):
    """A `Compact` as the dict it was read from (equal, new); anything else as it is."""
    return value.as_dict() if type(value) is Compact else value


class Entries(Sequence):
    """A chain's entries as `read_file` holds them: each one a row of its fields, its
    `before` and `after` `Compact`, its `prev_hash` the same object as the hash before it —
    about a third of the `Entry` objects' memory. An entry is made again when it is asked
    for (equal to the one read); `payloads` makes only the payloads of some actions, their
    `before` and `after` left `Compact`."""

    __slots__ = ("_rows", "hashed")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, hashed: bool):
        """`hashed`: each entry comes with the hash of its content as read (`links`)."""
        self._rows: list[tuple] = []
        self.hashed = hashed

    def append(self, entry: Entry, texts: Compactor, content_hash: str | None) -> None:
        """`content_hash`: the hash of the entry's content as read (`audit.Hashed`), held as
        the entry's own hash object when the two are equal (nothing more held)."""
        share, compact, payload = texts.setdefault, texts.compact, entry.payload
        last = self._rows[-1][2] if self._rows else None
        self._rows.append(
            (  # its texts shared (`Compactor.share`: texts they are, as read)
                entry.seq,
                last if entry.prev_hash == last else entry.prev_hash,
                entry.hash,
                entry.origin,
                payload.at,
                share(payload.actor, payload.actor),
                share(payload.unit, payload.unit),
                share(payload.cycle, payload.cycle),
                share(payload.action, payload.action),
                share(payload.object_type, payload.object_type),
                payload.object_id,
                compact(payload.before),
                compact(payload.after),
                entry.hash if content_hash == entry.hash else content_hash,
            )
        )

    @staticmethod
    def _payload(row: tuple, opened: Callable = _open) -> Payload:
        at, actor, unit, cycle, action, object_type, object_id, before, after = row[4:13]
        return Payload(
            at=at,
            actor=actor,
            unit=unit,
            cycle=cycle,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=opened(before),
            after=opened(after),
        )

    def _entry(self, row: tuple) -> Entry:
        seq, prev_hash, hash_, origin = row[:4]
        return Entry(
            seq=seq, prev_hash=prev_hash, hash=hash_, origin=origin, payload=self._payload(row)
        )

    def links(self) -> Iterator[Hashed]:
        """The chain's links as read, each with the hash of its content (no entry made):
        only when `hashed`."""
        return (Hashed(row[0], row[1], row[2], row[13]) for row in self._rows)

    def signed(self) -> Iterator[tuple[str, object, Mapping | None]]:
        """Each entry's action, origin and `after` as held (no entry made): what checking
        the chain's keys and checkpoints reads of every entry."""
        return ((row[8], row[3], row[12]) for row in self._rows)

    def payloads(self, actions: frozenset[str]) -> Iterator[Payload]:
        """The payloads of the entries with one of `actions`, in order, their `before` and
        `after` as held (a `Compact` is a `Mapping`, not a dict)."""
        return (self._payload(row, _as_held) for row in self._rows if row[8] in actions)

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._entry(row) for row in self._rows[index]]
        return self._entry(self._rows[index])

    def __iter__(self) -> Iterator[Entry]:
        return map(self._entry, self._rows)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __repr__(self) -> str:
        return f"Entries({list(self)!r})"


def _as_held(value):
    return value


def _elements(source: _Stream, kind: type, prepared: Callable = _as_held) -> Iterator[Any]:
    """The next array's elements read as `kind` one at a time (after `prepared`)."""
    for element in source.elements():
        found = typed.read_one(kind, prepared(element))
        if found is None:
            raise _NotStreamed
        yield found


def _stream_audit(source: _Stream, texts: Compactor) -> typed.Done:
    """The `audit` member with its entries read one by one into `Entries`."""
    found: dict[str, object] = {}
    entries = None
    for name in source.members():
        if name in found:  # named twice: json keeps the last, `read` says so
            raise _NotStreamed
        if name == "entries":
            # each entry hashed over its JSON as read, as `verify` hashes it; when the chain's
            # name comes after its entries (never in a record written here), hashed later
            chain = found.get("chain")
            entries = Entries(hashed=type(chain) is str)
            found[name] = []
            for element in source.elements():
                entry = typed.read_one(Entry, element)
                if entry is None:
                    raise _NotStreamed
                content_hash = (
                    entry_hash(
                        chain=chain,
                        seq=entry.seq,
                        prev_hash=entry.prev_hash,
                        payload=element["payload"],
                        origin=element["origin"],
                    )
                    if entries.hashed
                    else None
                )
                entries.append(entry, texts, content_hash)
        else:
            found[name] = source.value()
    audit = typed.read_members(Audit, found.items())
    if audit is None or "entries" not in found:
        raise _NotStreamed
    return typed.Done(Audit(chain=audit.chain, entries=entries, head=audit.head))


def _stream_sheets(source: _Stream, texts: Compactor) -> typed.Done:
    """The `sheets` member read one sheet at a time, its scores `Compact`: read from their
    texts at once (`Compactor.decimals`), the rest of the sheet as `typed` reads it."""
    sheets = []
    for element in source.elements():
        scores = texts.decimals(element.get("scores")) if type(element) is dict else None
        if scores is None:
            raise _NotStreamed
        element["scores"] = {}  # read above
        sheet = typed.read_one(Sheet, texts.shared(element))
        if sheet is None:
            raise _NotStreamed
        sheets.append(typed.replace(sheet, scores=scores))
    return typed.Done(sheets)


def ballot_said(ballot: Ballot) -> str:
    """What tells a poll's ballots that say the same (held once, made and checked once when
    recounted): `repr` of the content, for parsed JSON equal texts mean the same values of
    the same types (1, 1.0 and true differ), and it costs a fifth of the canonical JSON
    (ballots written alike, as a record writes them, are told alike)."""
    return repr(ballot.content)


def _stream_polls(source: _Stream, texts: Compactor) -> typed.Done:
    """The `polls` member read one poll at a time, each of its ballots that says the same as
    another held once (`ballot_said`)."""
    polls = []
    for poll in _elements(source, Poll):
        said: dict[str, Ballot] = {}
        ballots = [said.setdefault(ballot_said(ballot), ballot) for ballot in poll.ballots]
        polls.append(typed.replace(poll, ballots=ballots))
    return typed.Done(polls)


def _stream_scoring(source: _Stream, texts: Compactor) -> typed.Done:
    """The `scoring` member with its standings' points `Compact`."""
    value = source.value()
    if value is None:
        return typed.Done(None)
    scoring = typed.read_one(Scoring, value)
    if scoring is None:
        raise _NotStreamed
    ranking = [
        typed.replace(row, points=texts.compact(row.points, share=False)) for row in scoring.ranking
    ]
    return typed.Done(Scoring(ranking=ranking))


_STREAMED = {
    "audit": _stream_audit,
    "sheets": _stream_sheets,
    "polls": _stream_polls,
    "scoring": _stream_scoring,
}


def read_file(path: str | Path) -> Record | None:
    """The record in `path` read member by member (`_Stream`, `typed.read_members`), its
    chain entry by entry and its sheets and polls one by one, held compact (`Entries`,
    `Compact`): the
    peak of memory is about the record's types and one member's JSON, never the whole
    parsed document. None for any file this does not read (not a file, not UTF-8 JSON,
    broken, another version, any fault): `load` and `read` then read it whole and say why,
    exactly as before."""
    texts = Compactor()

    def members(source: _Stream) -> Iterator[tuple[str, object]]:
        for name in source.members():
            streamed = _STREAMED.get(name)
            yield name, streamed(source, texts) if streamed else source.value()
        source.end()

    try:
        with open(path, "rb") as raw:
            gzipped = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            with gzip.GzipFile(fileobj=raw) if gzipped else contextlib.nullcontext(raw) as stream:
                return typed.read_members(Record, members(_Stream(stream)))
    except (_NotStreamed, OSError, EOFError, ValueError, zlib.error):
        return None  # UnicodeDecodeError, JSONDecodeError are ValueErrors


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
