"""Secret ballots at the year-end conference: validity, tally, thresholds, seats, runoffs.

All arithmetic is exact (integers and fractions). A threshold is a fraction with `>=` ("at
least 2/3") or `>` ("more than 1/2") of a base: the whole electorate (every delegate or council
member), the ballots returned, or the valid ballots. Winners are the candidates that meet it,
best first, up to the seats; a tie across the last seat is never broken by the system: it
opens a runoff among the tied candidates for the seats left.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from math import ceil, floor

from thidua.core import ballot_crypto as crypto
from thidua.core.messages import Label, Phrase, Problem, gettext_noop


class Base(StrEnum):
    ELECTORATE = "electorate"  # all delegates / council members, present or not
    RETURNED = "returned"  # ballots returned (valid or not)
    VALID = "valid"  # valid ballots


class Comparison(StrEnum):
    AT_LEAST = ">="
    MORE_THAN = ">"


class Kind(StrEnum):
    CHOICE = "choice"  # tick up to max_choices candidates (nominations, elections)
    APPROVAL = "approval"  # yes / no / abstain on each candidate (a council's vote)


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


class Effect(StrEnum):
    """What meeting a poll's threshold does, which is what its papers say: a unit is
    nominated for a title (not "elected"), a leader is elected, a question passes."""

    NOMINATED = "nominated"
    ELECTED = "elected"
    PASSED = "passed"


def effect_of(purpose: str) -> Effect:
    """What a poll of this purpose decides: a title poll nominates, an election of the
    leader or the deputy elects, any other question passes."""
    return {
        "title": Effect.NOMINATED,
        "leader": Effect.ELECTED,
        "deputy": Effect.ELECTED,
    }.get(purpose, Effect.PASSED)


#: Per effect: the word for a candidate who meets the threshold within the seats, and for one
#: who does not.
EFFECT_WORDS = {
    Effect.NOMINATED: (gettext_noop("Được đề nghị"), gettext_noop("Không đạt")),
    Effect.ELECTED: (gettext_noop("Trúng cử"), gettext_noop("Không trúng cử")),
    Effect.PASSED: (gettext_noop("Được thông qua"), gettext_noop("Không được thông qua")),
}

_RULE_SENTENCES = {
    (Effect.NOMINATED, Comparison.AT_LEAST): gettext_noop(
        "Đơn vị được đề nghị khi được ít nhất %(fraction)s %(base)s bỏ phiếu tán thành; "
        "tối đa %(seats)s đơn vị."
    ),
    (Effect.NOMINATED, Comparison.MORE_THAN): gettext_noop(
        "Đơn vị được đề nghị khi được quá %(fraction)s %(base)s bỏ phiếu tán thành; "
        "tối đa %(seats)s đơn vị."
    ),
    (Effect.ELECTED, Comparison.AT_LEAST): gettext_noop(
        "Trúng cử khi được ít nhất %(fraction)s %(base)s; tối đa %(seats)s đơn vị."
    ),
    (Effect.ELECTED, Comparison.MORE_THAN): gettext_noop(
        "Trúng cử khi được quá %(fraction)s %(base)s; tối đa %(seats)s đơn vị."
    ),
    (Effect.PASSED, Comparison.AT_LEAST): gettext_noop(
        "Được thông qua khi được ít nhất %(fraction)s %(base)s tán thành; "
        "tối đa %(seats)s nội dung."
    ),
    (Effect.PASSED, Comparison.MORE_THAN): gettext_noop(
        "Được thông qua khi được quá %(fraction)s %(base)s tán thành; tối đa %(seats)s nội dung."
    ),
}


BASE_LABELS = {
    Base.ELECTORATE: gettext_noop("tổng số đại biểu (thành viên) được triệu tập"),
    Base.RETURNED: gettext_noop("số phiếu thu về"),
    Base.VALID: gettext_noop("số phiếu hợp lệ"),
}


@dataclass(frozen=True)
class Rules:
    """A poll's rules, copied from the rule set when the poll is created."""

    candidates: tuple[str, ...]
    seats: int
    threshold: Fraction = Fraction(1, 2)
    comparison: Comparison = Comparison.MORE_THAN
    base: Base = Base.ELECTORATE
    kind: Kind = Kind.CHOICE
    max_choices: int | None = None  # None: as many as the seats
    quorum: Fraction | None = None  # share of the electorate that must return ballots
    blank_valid: bool = True  # a ballot with nothing ticked counts as valid
    written_counted: bool = True  # absent members' written opinions count as ballots

    @property
    def choices_allowed(self) -> int:
        return self.max_choices if self.max_choices is not None else self.seats

    def required_votes(self, base_count: int) -> int:
        """The fewest votes that meet the threshold: >1/2 of 21 → 11; ≥80% of 9 → 8."""
        bar = self.threshold * base_count
        if self.comparison == Comparison.AT_LEAST:
            return max(ceil(bar), 0)
        return floor(bar) + 1

    def describe(self, effect: Effect = Effect.ELECTED) -> Phrase:
        """The rule as printed on the minutes, in the words of what it decides."""
        return Phrase(
            _RULE_SENTENCES[effect, self.comparison],
            {
                "fraction": f"{self.threshold.numerator}/{self.threshold.denominator}",
                "base": Label(BASE_LABELS[self.base]),
                "seats": self.seats,
            },
        )


@dataclass(frozen=True)
class Ballot:
    """What one ballot says: the candidates ticked, or an answer per candidate."""

    choices: tuple[str, ...] = ()
    answers: Mapping[str, Answer] = field(default_factory=dict)
    written: bool = False  # an absent member's written opinion


#: Why a ballot is invalid, by code: `check`'s words, which a phone casting an encrypted
#: ballot shows too (it checks the ticks itself, never sending them).
MESSAGES = {
    "written_not_counted": gettext_noop("Ý kiến bằng văn bản không được tính."),
    "not_a_candidate": gettext_noop("Phiếu ghi tên ngoài danh sách."),
    "blank": gettext_noop("Phiếu trắng."),
    "repeated_choice": gettext_noop("Phiếu chọn một người hai lần."),
    "too_many_choices": gettext_noop("Phiếu chọn %(count)s, quá số được chọn (%(allowed)s)."),
}


def check(ballot: Ballot, rules: Rules) -> Problem | None:
    """Why a ballot is invalid, or None when it is valid."""
    if ballot.written and not rules.written_counted:
        return Problem("written_not_counted", MESSAGES["written_not_counted"])
    if rules.kind == Kind.APPROVAL:
        unknown = [c for c in ballot.answers if c not in rules.candidates]
        if unknown or ballot.choices:
            return Problem("not_a_candidate", MESSAGES["not_a_candidate"])
        answered = [a for a in ballot.answers.values() if a != Answer.ABSTAIN]
        if not answered and not rules.blank_valid:
            return Problem("blank", MESSAGES["blank"])
        return None
    if ballot.answers:
        return Problem("not_a_candidate", MESSAGES["not_a_candidate"])
    if len(set(ballot.choices)) != len(ballot.choices):
        return Problem("repeated_choice", MESSAGES["repeated_choice"])
    if any(choice not in rules.candidates for choice in ballot.choices):
        return Problem("not_a_candidate", MESSAGES["not_a_candidate"])
    if len(ballot.choices) > rules.choices_allowed:
        return Problem(
            "too_many_choices",
            MESSAGES["too_many_choices"],
            {"count": len(ballot.choices), "allowed": rules.choices_allowed},
        )
    if not ballot.choices and not rules.blank_valid:
        return Problem("blank", MESSAGES["blank"])
    return None


@dataclass(frozen=True)
class Runoff:
    candidates: tuple[str, ...]
    seats: int


@dataclass(frozen=True)
class Tally:
    electorate: int
    issued: int
    returned: int
    valid: int
    invalid: int
    blank: int
    votes: Mapping[str, int]  # for approval polls: the yes votes
    noes: Mapping[str, int]
    abstentions: Mapping[str, int]
    base_count: int
    required: int
    quorum_met: bool
    winners: tuple[str, ...]
    runoff: Runoff | None

    def share(self, candidate: str) -> Fraction | None:
        """The candidate's votes as a fraction of the base (None when the base is 0)."""
        return Fraction(self.votes[candidate], self.base_count) if self.base_count else None


def reaches(votes: int, required: int, quorum_met: bool) -> bool:
    """Enough votes to be elected (seats aside): the quorum met, the threshold reached, and
    at least one vote."""
    return quorum_met and votes >= required and votes > 0


def rules_from(data: Mapping, candidates: Sequence[str]) -> Rules:
    """A poll's rules from the plain data it stores (and a record carries)."""
    quorum = data.get("quorum")
    return Rules(
        candidates=tuple(candidates),
        seats=int(data["seats"]),
        threshold=Fraction(data["threshold"]),
        comparison=Comparison(data["comparison"]),
        base=Base(data["base"]),
        kind=Kind(data.get("kind", "choice")),
        max_choices=data.get("max_choices"),
        quorum=Fraction(quorum) if quorum else None,
        blank_valid=bool(data.get("blank_valid", True)),
        written_counted=bool(data.get("written_counted", True)),
    )


def ballot_from(content: Mapping, written: bool = False) -> Ballot:
    """A ballot from its stored content: {"choices": [...]} or {"answers": {...}}."""
    return Ballot(
        choices=tuple(content.get("choices", ())),
        answers={code: Answer(answer) for code, answer in content.get("answers", {}).items()},
        written=written,
    )


def stored_result(result: Tally, rules: Rules) -> dict:
    """The tally as a poll keeps it (frozen at closing) and a record carries it."""
    return {
        "electorate": result.electorate,
        "issued": result.issued,
        "returned": result.returned,
        "valid": result.valid,
        "invalid": result.invalid,
        "blank": result.blank,
        "votes": dict(result.votes),
        "noes": dict(result.noes),
        "abstentions": dict(result.abstentions),
        "base": rules.base.value,
        "base_count": result.base_count,
        "required": result.required,
        "quorum_met": result.quorum_met,
        "winners": list(result.winners),
        "runoff": (
            {"candidates": list(result.runoff.candidates), "seats": result.runoff.seats}
            if result.runoff
            else None
        ),
    }


def tally(
    ballots: Iterable[Ballot],
    rules: Rules,
    *,
    electorate: int,
    issued: int,
    totals: Iterable[Totals] = (),
) -> Tally:
    """Count the ballots; the order they come in never matters. Ballots known only by their
    totals are added as such (`totals`): an encrypted poll's phone ballots as the board
    decrypted their sums, and the paper ballots and written opinions a record publishes."""
    parts = [totals_of(ballots, rules), *totals]
    returned = sum(part.ballots for part in parts)
    invalid = sum(part.invalid for part in parts)
    valid = returned - invalid
    votes = {c: sum(part.yes.get(c, 0) for part in parts) for c in rules.candidates}
    noes = {c: sum(part.no.get(c, 0) for part in parts) for c in rules.candidates}
    # an approval ballot's candidate not answered yes or no is an abstention
    abstentions = {
        c: valid - votes[c] - noes[c] if rules.kind == Kind.APPROVAL else 0
        for c in rules.candidates
    }
    base_count = {Base.ELECTORATE: electorate, Base.RETURNED: returned, Base.VALID: valid}[
        rules.base
    ]
    required = rules.required_votes(base_count)
    quorum_met = rules.quorum is None or Fraction(returned) >= rules.quorum * electorate
    winners, runoff = _winners(votes, required, rules.seats) if quorum_met else ((), None)
    return Tally(
        electorate=electorate,
        issued=issued,
        returned=returned,
        valid=valid,
        invalid=invalid,
        blank=sum(part.blank for part in parts),
        votes=votes,
        noes=noes,
        abstentions=abstentions,
        base_count=base_count,
        required=required,
        quorum_met=quorum_met,
        winners=winners,
        runoff=runoff,
    )


@dataclass(frozen=True)
class Totals:
    """Ballots counted by their sums, not one by one: per candidate how many ticked it (or
    said yes) and said no, how many were blank (valid, nothing ticked) and invalid."""

    ballots: int  # returned, valid or not
    yes: Mapping[str, int]
    no: Mapping[str, int]
    blank: int
    invalid: int = 0

    def as_json(self) -> dict:
        return {
            "ballots": self.ballots,
            "invalid": self.invalid,
            "blank": self.blank,
            "yes": dict(self.yes),
            "no": dict(self.no),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Totals:
        return cls(
            ballots=data["ballots"],
            yes=dict(data["yes"]),
            no=dict(data["no"]),
            blank=data["blank"],
            invalid=data["invalid"],
        )


def totals_of(ballots: Iterable[Ballot], rules: Rules) -> Totals:
    """What plain ballots add up to: all a count needs of them (invalid ones by `check`)."""
    yes: Counter[str] = Counter(dict.fromkeys(rules.candidates, 0))
    no: Counter[str] = Counter(dict.fromkeys(rules.candidates, 0))
    returned = invalid = blank = 0
    approval = rules.kind == Kind.APPROVAL
    # the same ballot object given n times is checked once and counted n times (a record
    # read for checking holds the ballots that say the same as one)
    ballots = list(ballots)
    times = Counter(map(id, ballots))
    for ballot in {id(ballot): ballot for ballot in ballots}.values():
        n = times[id(ballot)]
        returned += n
        if check(ballot, rules) is not None:
            invalid += n
        elif approval:
            for candidate, answer in ballot.answers.items():
                if answer == Answer.YES:
                    yes[candidate] += n
                elif answer == Answer.NO:
                    no[candidate] += n
            blank += n * all(a == Answer.ABSTAIN for a in ballot.answers.values())
        else:
            for candidate in ballot.choices:  # each once (`check`), a candidate of the poll
                yes[candidate] += n
            blank += n * (not ballot.choices)
    return Totals(ballots=returned, yes=dict(yes), no=dict(no), blank=blank, invalid=invalid)


# --- encrypted ballots (docs/ballot-crypto.md) ------------------------------------------------


def sealed_form(rules: Rules) -> crypto.Form:
    """The form a phone encrypts for a poll with these rules: one 0/1 selection per tick
    (per yes and per no for approval polls), a blank bit where a blank ballot is valid, and
    the constraints that make an encrypted ballot valid exactly when `check` would."""
    if rules.kind == Kind.APPROVAL:
        return crypto.approval_form(rules.candidates, rules.blank_valid)
    return crypto.choice_form(rules.candidates, rules.choices_allowed, rules.blank_valid)


def sealed_bits(form: crypto.Form, ballot: Ballot) -> list[int]:
    """The selections of `form` that say what `ballot` says: what the phone encrypts (a blank
    ballot sets the blank bit; an abstention sets nothing)."""
    said = {f"choice:{code}" for code in ballot.choices} | {
        f"{answer.value}:{code}"
        for code, answer in ballot.answers.items()
        if answer != Answer.ABSTAIN
    }
    bits = [int(label in said) for label in form.selections]
    if not any(bits) and crypto.BLANK in form.selections:
        bits[form.selections.index(crypto.BLANK)] = 1
    return bits


def sealed_counts(form: crypto.Form, counts: Sequence[int], ballots: int) -> Totals:
    """Decrypted counts (one per selection of `form`) read back as votes."""
    by_label = dict(zip(form.selections, counts, strict=True))

    def pick(prefix: str) -> dict[str, int]:
        return {
            label.removeprefix(prefix): n
            for label, n in by_label.items()
            if label.startswith(prefix)
        }

    return Totals(
        ballots=ballots,
        yes={**pick("choice:"), **pick("yes:")},
        no=pick("no:"),
        blank=by_label.get(crypto.BLANK, 0),
    )


def _winners(
    votes: Mapping[str, int], required: int, seats: int
) -> tuple[tuple[str, ...], Runoff | None]:
    """Candidates meeting the threshold, best first, up to `seats`; a tie across the last
    seat goes to a runoff for the seats left."""
    if seats <= 0:
        return (), None
    qualified = sorted(
        (c for c, n in votes.items() if n >= required and n > 0), key=lambda c: (-votes[c], c)
    )
    if len(qualified) <= seats:
        return tuple(qualified), None
    boundary = votes[qualified[seats - 1]]
    if votes[qualified[seats]] != boundary:
        return tuple(qualified[:seats]), None
    above = tuple(c for c in qualified if votes[c] > boundary)
    tied = tuple(c for c in qualified if votes[c] == boundary)
    return above, Runoff(tied, seats - len(above))


# --- where each candidate stands, and why ---------------------------------------------------


class Standing(StrEnum):
    """Where a candidate stands once a round is counted."""

    WON = "won"  # within the seats and over the threshold
    RUNOFF = "runoff"  # tied across the last seat: the conference votes again
    OUTSIDE_SEATS = "outside_seats"  # over the threshold, but others had more votes
    BELOW = "below"  # under the threshold
    NO_QUORUM = "no_quorum"  # too few ballots returned: nobody is elected


_WHY = {
    Standing.RUNOFF: gettext_noop(
        "Được %(votes)s phiếu, bằng %(tied)s ở suất cuối (còn %(left)s suất); phần mềm không "
        "tự phân định: hội nghị bỏ phiếu lại giữa các đơn vị bằng phiếu."
    ),
    Standing.OUTSIDE_SEATS: gettext_noop(
        "Đạt ngưỡng (%(votes)s phiếu, cần %(required)s) nhưng đứng thứ %(place)s theo số "
        "phiếu, ngoài %(seats)s suất."
    ),
    Standing.BELOW: gettext_noop("Được %(votes)s phiếu, chưa đạt ngưỡng %(required)s phiếu."),
    Standing.NO_QUORUM: gettext_noop(
        "Số phiếu thu về (%(returned)s trên %(electorate)s) chưa đủ tỷ lệ tối thiểu theo quy "
        "định, nên không có kết quả."
    ),
}
_NO_VOTE = gettext_noop("Không được phiếu nào.")


def standing_of(code: str, result: Mapping) -> Standing:
    """Where `code` stands in a counted round (a stored result, as `stored_result` writes it)."""
    if code in result["winners"]:
        return Standing.WON
    if not result["quorum_met"]:
        return Standing.NO_QUORUM
    if code in ((result.get("runoff") or {}).get("candidates") or ()):
        return Standing.RUNOFF
    if reaches(result["votes"].get(code, 0), result["required"], result["quorum_met"]):
        return Standing.OUTSIDE_SEATS
    return Standing.BELOW


#: The word for a standing that is neither won nor lost, the same on the poll page, the
#: projector screen and the vote-count minutes.
_STANDING_WORDS = {
    Standing.RUNOFF: gettext_noop("Bằng phiếu ở suất cuối: bầu lại"),
    Standing.OUTSIDE_SEATS: gettext_noop("Đạt ngưỡng nhưng ngoài số lượng"),
}
REFUSED_WORD = gettext_noop("Không được đề nghị")


def outcome_word(effect: Effect, standing: Standing, refused: bool = False) -> str:
    """A candidate's result in one word (a message id: Vietnamese, translated where shown):
    in the words of what the poll decides for a winner or a loser (a title nominates:
    "Được đề nghị", never "Trúng cử"); a winner the title's rules refuse is "Không được đề
    nghị" (the reason is said beside it)."""
    won, lost = EFFECT_WORDS[effect]
    if standing == Standing.WON:
        return REFUSED_WORD if refused else won
    return _STANDING_WORDS.get(standing, lost)


def why(code: str, result: Mapping, seats: int, names: Mapping[str, str]) -> Phrase | None:
    """Why a candidate who did not win did not, in one sentence with the figures (None for a
    winner: the result's own word says it). `seats` are the round's seats."""
    standing = standing_of(code, result)
    if standing == Standing.WON:
        return None
    votes = result["votes"]
    mine = votes.get(code, 0)
    runoff = result.get("runoff") or {}
    params = {
        "votes": mine,
        "required": result["required"],
        "seats": seats,
        "place": 1 + sum(1 for n in votes.values() if n > mine),
        "tied": ", ".join(names.get(c, c) for c in runoff.get("candidates", ()) if c != code),
        "left": runoff.get("seats", 0),
        "returned": result["returned"],
        "electorate": result["electorate"],
    }
    if standing == Standing.BELOW and mine == 0:
        return Phrase(_NO_VOTE, params)
    return Phrase(_WHY[standing], params)


# --- counts that cannot be -----------------------------------------------------------------

COUNT_MESSAGES = {
    "issued_over_electorate": gettext_noop(
        "Số phiếu phát ra (%(issued)s) nhiều hơn số cử tri của cuộc bỏ phiếu (%(electorate)s)."
    ),
    "returned_over_issued": gettext_noop(
        "Số phiếu thu về (%(returned)s) nhiều hơn số phiếu phát ra (%(issued)s)."
    ),
    "ballots_not_voters": gettext_noop(
        "Số phiếu trong hòm (%(returned)s) khác số đại biểu đã bỏ phiếu (%(voters)s)."
    ),
}


def count_problem(code: str, params: Mapping[str, object]) -> Problem:
    """A stored reason (code and figures) as the sentence it stands for."""
    return Problem(code, COUNT_MESSAGES[code], dict(params))


def count_problems(
    *, electorate: int, issued: int, returned: int, voters: int | None = None
) -> list[Problem]:
    """Why a count cannot be right: ballots returned ≤ issued ≤ electorate, and on phones as
    many ballots in the box as delegates on the roll. Empty when it can."""
    problems = []
    if issued > electorate:
        params = {"issued": issued, "electorate": electorate}
        problems.append(count_problem("issued_over_electorate", params))
    if returned > issued:
        problems.append(
            count_problem("returned_over_issued", {"returned": returned, "issued": issued})
        )
    if voters is not None and voters != returned:
        problems.append(
            count_problem("ballots_not_voters", {"returned": returned, "voters": voters})
        )
    return problems


# --- titles and nested quotas -------------------------------------------------------------


@dataclass(frozen=True)
class Round:
    """One counted round of a vote: who it elected, and the tie it left open (if any)."""

    winners: tuple[str, ...]
    runoff: tuple[str, ...] = ()  # the candidates tied across the last seat


def round_of(result: Mapping, candidates: Sequence[str], *, void: bool) -> Round:
    """A counted round from its stored result: a void round decided nothing, so all its
    candidates go on to the next round (the re-vote)."""
    if void:
        return Round((), tuple(candidates))
    return Round(
        tuple(result["winners"]), tuple((result.get("runoff") or {}).get("candidates", ()))
    )


def decided(rounds: Sequence[Round]) -> tuple[tuple[str, ...], bool]:
    """The units a vote held over several rounds elected, in the order they were elected, and
    whether it is complete (its last round left no tie open). A runoff only fills the seats its
    round left: the first round's winners stay elected."""
    winners: list[str] = []
    for round_ in rounds:
        winners += [code for code in round_.winners if code not in winners]
    return tuple(winners), bool(rounds) and not rounds[-1].runoff


@dataclass(frozen=True)
class Title:
    """An emulation title with its quota and what its nominees must (not) have."""

    code: str
    name: str
    seats: int
    requires: tuple[str, ...] = ()  # titles the nominee must also be nominated for
    requires_rank: int | None = None  # e.g. 1: must lead the cluster's ranking
    # Titles a nominee of this one is proposed for *instead*: one flag a year, so the
    # Government-flag nominee is not also a Ministry-flag nominee.
    excludes: tuple[str, ...] = ()


def title_from(data: Mapping) -> Title:
    """A title from the plain data a rule set stores (and a record carries)."""
    return Title(
        code=data["code"],
        name=data["name"],
        seats=int(data["seats"]),
        requires=tuple(data.get("requires", ())),
        requires_rank=data.get("requires_rank"),
        excludes=tuple(data.get("excludes", ())),
    )


def excluded_by(titles: Sequence[Title], code: str) -> tuple[str, ...]:
    """The titles whose nominees cannot also be nominated for `code` (either side names the
    exclusion: it goes both ways)."""
    found = [t.code for t in titles if code in t.excludes]
    mine = next((t for t in titles if t.code == code), None)
    found += [other for other in (mine.excludes if mine else ()) if other not in found]
    return tuple(found)


@dataclass(frozen=True)
class Refusal:
    """A nominee the title's rules do not allow: shown as not nominated, with the reason."""

    title: str
    unit: str
    problem: Problem


def refused_nominees(
    titles: Sequence[Title],
    nominees: Mapping[str, Sequence[str]],
    ranks: Mapping[str, int],
    names: Mapping[str, str],
) -> list[Refusal]:
    """Every nomination the rules refuse, with why. A unit's own conditions come first (rank,
    required titles); then one flag a year: a unit validly nominated for a title is not also
    nominated for a title it excludes (the Government flag *instead of* the Ministry flag)."""
    by_code = {title.code: title for title in titles}

    def name_of(code: str) -> str:
        return by_code[code].name if code in by_code else code

    refused: list[Refusal] = []
    for title in titles:
        for unit in nominees.get(title.code, ()):
            for required in title.requires:
                if unit not in nominees.get(required, ()):
                    refused.append(
                        Refusal(
                            title.code,
                            unit,
                            Problem(
                                "nested_quota",
                                gettext_noop(
                                    "%(unit)s được đề nghị “%(title)s” nhưng không được đề nghị "
                                    "“%(required)s”, là điều kiện bắt buộc."
                                ),
                                {
                                    "unit": names.get(unit, unit),
                                    "title": title.name,
                                    "required": name_of(required),
                                },
                                title.code,
                            ),
                        )
                    )
            if title.requires_rank is not None and ranks.get(unit, 10**6) > title.requires_rank:
                refused.append(
                    Refusal(
                        title.code,
                        unit,
                        Problem(
                            "rank_required",
                            gettext_noop(
                                "%(unit)s được đề nghị “%(title)s” nhưng xếp thứ %(rank)s trong "
                                "cụm; cần dẫn đầu cụm."
                            ),
                            {
                                "unit": names.get(unit, unit),
                                "title": title.name,
                                "rank": ranks.get(unit, "—"),
                            },
                            title.code,
                        ),
                    )
                )
    invalid = {(r.title, r.unit) for r in refused}
    for title in titles:
        for unit in nominees.get(title.code, ()):
            if (title.code, unit) in invalid:
                continue
            for other in title.excludes:
                if unit in nominees.get(other, ()) and (other, unit) not in invalid:
                    refused.append(
                        Refusal(
                            other,
                            unit,
                            Problem(
                                "one_flag_a_year",
                                gettext_noop(
                                    "%(unit)s đã được đề nghị “%(title)s” nên không được đề nghị "
                                    "“%(other)s”: mỗi năm một đơn vị chỉ được đề nghị một trong "
                                    "hai danh hiệu."
                                ),
                                {
                                    "unit": names.get(unit, unit),
                                    "title": title.name,
                                    "other": name_of(other),
                                },
                                other,
                            ),
                        )
                    )
                    invalid.add((other, unit))
    return refused


def check_nominations(
    titles: Sequence[Title],
    nominees: Mapping[str, Sequence[str]],
    ranks: Mapping[str, int],
    names: Mapping[str, str],
) -> list[Problem]:
    """Quotas and eligibility of the nominations, title by title (the field of each problem is
    the title's code): over the quota, a nominee below the rank the title needs, a unit
    nominated for two titles that exclude each other (one flag a year)."""
    refused = refused_nominees(titles, nominees, ranks, names)
    problems: list[Problem] = []
    for title in titles:
        chosen = list(nominees.get(title.code, ()))
        problems += [r.problem for r in refused if r.title == title.code]
        if len(chosen) > title.seats:
            problems.append(
                Problem(
                    "over_quota",
                    gettext_noop(
                        "“%(title)s”: %(count)s đơn vị được đề nghị, quá chỉ tiêu %(seats)s."
                    ),
                    {"title": title.name, "count": len(chosen), "seats": title.seats},
                    title.code,
                )
            )
    return problems


def reconcile(
    first: Sequence[Ballot], second: Sequence[Ballot]
) -> list[tuple[int, Ballot | None, Ballot | None]]:
    """Two independent entries of the same pile of paper ballots: every position where they
    differ (1-based), with what each entry says. Empty when they agree."""
    mismatches = []
    for position in range(max(len(first), len(second))):
        a = first[position] if position < len(first) else None
        b = second[position] if position < len(second) else None
        if _normal(a) != _normal(b):
            mismatches.append((position + 1, a, b))
    return mismatches


def _normal(ballot: Ballot | None):
    if ballot is None:
        return None
    return (tuple(sorted(ballot.choices)), tuple(sorted(ballot.answers.items())), ballot.written)
