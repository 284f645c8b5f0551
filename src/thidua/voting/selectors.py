"""Reads of the conference: delegates, polls, turnout, frozen results, receipts."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from fractions import Fraction
from math import ceil

from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext

from thidua.core import ballot_crypto as crypto
from thidua.core import ballots as core
from thidua.core import eligibility as core_eligibility
from thidua.core import run_of_show as show
from thidua.core import score_ballots, score_crypto
from thidua.core.messages import Problem
from thidua.core.phases import Phase, PhaseStatus, Position
from thidua.core.policy import Role
from thidua.core.text import collation_key
from thidua.org import selectors as org_selectors
from thidua.org.authz import UnitInCycle
from thidua.org.models import Cycle, Unit, User
from thidua.scoring import selectors as scoring_selectors
from thidua.voting import rules as voting_rules
from thidua.voting.models import (
    Ballot,
    Candidate,
    Conference,
    Delegate,
    Elector,
    KeyCeremony,
    PaperEntry,
    Poll,
    Reissue,
    Trustee,
)

_VOTED = {"voted": Count("electors", filter=~Q(electors__method=""))}


def conference_roles(user, obj) -> set[Role]:
    """Role provider: on the cycle of a conference, its delegates are DELEGATE (whatever kind
    of account they have: a secretary sent as a delegate votes) and its counting board BOARD."""
    cycle = obj.cycle if isinstance(obj, UnitInCycle) else obj
    if not isinstance(cycle, Cycle) or not getattr(user, "pk", None):
        return set()
    cached = getattr(cycle, "_conference_people", None)
    if cached is None:
        rows = Delegate.objects.filter(conference__cycle=cycle).values_list("user_id", "board")
        cached = dict(rows)
        cycle._conference_people = cached
    if user.pk not in cached:
        return set()
    return {Role.DELEGATE, Role.BOARD} if cached[user.pk] else {Role.DELEGATE}


def conference_of(cycle: Cycle) -> Conference | None:
    return Conference.objects.filter(cycle=cycle).first()


def _delegate_order(unit_name: str, pk: int) -> tuple:
    """By unit in Vietnamese order (the same on SQLite and PostgreSQL), then as added."""
    return collation_key(unit_name), pk


def delegates_of(conference: Conference) -> list[Delegate]:
    """The conference's delegates, in `_delegate_order`."""
    return sorted(
        conference.delegates.select_related("unit", "user"),
        key=lambda delegate: _delegate_order(delegate.unit.short_name, delegate.pk),
    )


@dataclass(frozen=True)
class DelegateRow:
    """A line of the secretary's list of delegates: what it shows and the ids its forms post."""

    pk: int
    user_id: int
    name: str
    unit_name: str
    board_label: str
    checked_in_at: datetime | None


def delegate_rows(conference: Conference) -> list[DelegateRow]:
    """`delegates_of`'s order, read as the columns the conference page shows: the page the
    secretary reloads while the hall casts lists every delegate (hundreds), and making a
    Delegate, a User and a Unit of each was most of its time (issue 18)."""
    boards = dict(Delegate.Board.choices)
    rows = [
        DelegateRow(
            pk=pk,
            user_id=user_id,
            name=User.name_shown(last_name, first_name, username),
            unit_name=unit_name,
            board_label=boards.get(board, board),
            checked_in_at=checked_in_at,
        )
        for pk, user_id, last_name, first_name, username, unit_name, board, checked_in_at in (
            conference.delegates.values_list(
                "pk",
                "user_id",
                "user__last_name",
                "user__first_name",
                "user__username",
                "unit__short_name",
                "board",
                "checked_in_at",
            )
        )
    ]
    return sorted(rows, key=lambda row: _delegate_order(row.unit_name, row.pk))


def board_of(conference: Conference) -> list[Delegate]:
    """The counting board, its chair first: a few rows, read as such (every delegate's phone
    shows the board's names, and a hall has hundreds of delegates)."""
    board = conference.delegates.exclude(board=Delegate.Board.NONE).select_related("unit", "user")
    return sorted(
        board,
        key=lambda d: (d.board != Delegate.Board.CHAIR, collation_key(d.user.display_name)),
    )


def delegate_for(user, conference: Conference) -> Delegate | None:
    if not getattr(user, "pk", None):
        return None
    return Delegate.objects.filter(conference=conference, user=user).select_related("unit").first()


@dataclass(frozen=True)
class CastTarget:
    """What a phone's cast needs to know, read in one statement (`cast_target`)."""

    username: str
    password: str  # the user's password hash and session epoch: a session claim is checked
    session_epoch: int  # against them (org.backends.SessionClaim.holds)
    is_active: bool
    elector_id: int
    voted: bool
    poll_id: int
    poll_title: str
    poll_status: str
    poll_mode: str
    poll_rules: dict
    cycle_state: str
    checked_in: bool
    device_key: str
    candidate_codes: tuple[str, ...]
    public_key: str  # an encrypted poll's board key (hex), and the form its phones encrypt
    form: dict | None
    unit_code: str = ""  # the delegate's own unit: never scored on a score ballot


# The hall's busiest statement, written once as SQL (the ORM's compiling of a five-table join
# cost more than running it): the user's elector row in the poll, with what the cast checks
# and the poll's candidate codes in ballot order. The delegate is joined by its conference and
# user, the elector by its poll and delegate (both unique keys), so that the plan prepared
# once per connection finds the one row by index whatever the table statistics say (joined by
# the elector's poll alone, a plan prepared before the roll was analysed read every elector of
# the poll: 489 buffers a cast instead of 50, with 200 electors).
_CANDIDATE_CODES = {
    "postgresql": (
        "SELECT string_agg(u.code, ',' ORDER BY c.position, c.id) FROM voting_candidate c "
        "JOIN org_unit u ON u.id = c.unit_id WHERE c.poll_id = e.poll_id"
    ),
    "sqlite": (
        "SELECT group_concat(code, ',') FROM (SELECT u.code AS code FROM voting_candidate c "
        "JOIN org_unit u ON u.id = c.unit_id WHERE c.poll_id = e.poll_id "
        "ORDER BY c.position, c.id)"
    ),
}
_CAST_TARGET = """
SELECT u.username, u.password, u.session_epoch, u.is_active,
       e.id, e.method, p.id, p.title, p.status, p.mode, p.rules, y.phase, y.phase_is_open,
       d.checked_in_at, d.device_key, ({codes}), p.public_key, p.form, du.code
FROM voting_poll p
JOIN voting_conference f ON f.id = p.conference_id
JOIN org_cycle y ON y.id = f.cycle_id
JOIN org_cluster c ON c.id = y.cluster_id
JOIN voting_delegate d ON d.conference_id = f.id AND d.user_id = %s
JOIN voting_elector e ON e.poll_id = p.id AND e.delegate_id = d.id
JOIN org_unit du ON du.id = d.unit_id
JOIN org_user u ON u.id = d.user_id
WHERE c.code = %s AND y.year = %s AND p.code = %s
"""


def hot_cursor():
    """A cursor for the cast's two statements, run hundreds of times a minute on each server
    thread's connection. On PostgreSQL it binds parameters on the server, so that psycopg
    prepares the statement after a few runs (`prepare_threshold` in settings): planning the
    cast's join costs several times running it. Django's own cursors bind on the client and
    are never prepared. Elsewhere it is Django's cursor."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    # wrapped as Django wraps its cursors: errors translated, queries logged when debugging
    return connection._prepare_cursor(ServerBindingCursor(connection.connection))


def cast_target(user_id: int | None, cluster: str, year: int, poll_code: str) -> CastTarget | None:
    """The one read of a phone's cast; None when the user has no elector row in that poll."""
    if not user_id or not -(2**31) <= year < 2**31:  # no such year: the database's
        return None  # integers are bounded, and plain SQL is not checked by the ORM
    with hot_cursor() as cursor:
        cursor.execute(
            _CAST_TARGET.format(codes=_CANDIDATE_CODES[connection.vendor]),
            (user_id, cluster, year, poll_code),
        )
        row = cursor.fetchone()
    if row is None:
        return None
    username, password, epoch, active, *rest = row
    (elector, method, poll, title, status, mode, rules, phase, is_open, checked_in, key, codes) = (
        rest[:12]
    )
    public_key, form, unit_code = rest[12:]
    return CastTarget(
        username=username,
        password=password,
        session_epoch=epoch,
        is_active=bool(active),
        elector_id=elector,
        voted=method != "",
        poll_id=poll,
        poll_title=title,
        poll_status=status,
        poll_mode=mode,
        poll_rules=json.loads(rules) if isinstance(rules, str) else rules,
        cycle_state=Position(Phase(phase), bool(is_open)).state,
        checked_in=checked_in is not None,
        device_key=key,
        candidate_codes=tuple(codes.split(",")) if codes else (),
        public_key=public_key,
        form=json.loads(form) if isinstance(form, str) else form,
        unit_code=unit_code,
    )


def poll_at(cluster: str, year: int, poll_code: str) -> Poll | None:
    return (
        Poll.objects.select_related("conference__cycle__cluster")
        .filter(
            conference__cycle__cluster__code=cluster,
            conference__cycle__year=year,
            code=poll_code,
        )
        .first()
    )


def electors_of(poll: Poll) -> list[Delegate]:
    """The poll's electorate as fixed when it opened, by unit in Vietnamese order."""
    return sorted(
        (
            elector.delegate
            for elector in Elector.objects.filter(poll=poll).select_related(
                "delegate__unit", "delegate__user"
            )
        ),
        key=lambda d: (collation_key(d.unit.short_name), collation_key(d.user.display_name)),
    )


def my_votes(conference: Conference, delegate: Delegate | None) -> dict[int, Elector]:
    """Poll id → the delegate's elector row there (voted or not): what their screen shows."""
    if delegate is None:
        return {}
    return {
        e.poll_id: e for e in Elector.objects.filter(poll__conference=conference, delegate=delegate)
    }


def reissues_before(conference: Conference, moment) -> list[Reissue]:
    """Check-in keys given again in this conference up to `moment` (all, when None)."""
    found = Reissue.objects.filter(delegate__conference=conference).select_related(
        "delegate__user", "delegate__unit", "issued_by"
    )
    return list(found.filter(issued_at__lte=moment) if moment else found)


def delegate_by_key(raw_key: str) -> Delegate | None:
    digest = hashlib.sha256(raw_key.encode()).hexdigest()
    return (
        Delegate.objects.filter(login_key_hash=digest)
        .select_related("conference__cycle__cluster", "user")
        .first()
    )


def polls_of(conference: Conference) -> list[Poll]:
    """Polls with their candidates and how many have voted (never what)."""
    return list(
        conference.polls.annotate(**_VOTED)
        .prefetch_related(Prefetch("candidates", Candidate.objects.select_related("unit")))
        .order_by("id")  # Meta.ordering is not applied to a query with GROUP BY
    )


_COUNTED = (Poll.Status.CLOSED, Poll.Status.VOID)


@dataclass
class Outcome:
    """A vote with its runoffs: the rounds in order, who they elected, and each winner's votes
    in the round that elected them."""

    rounds: list[Poll]
    winners: tuple[str, ...]
    complete: bool
    votes: dict[str, tuple[int, int]]  # unit code → (votes, base count)
    title_code: str = ""  # a score poll's: the title its ranking nominates for
    standings: dict[str, dict] = field(default_factory=dict)  # a score poll's, by unit code

    @property
    def poll(self) -> Poll:
        return self.rounds[0]

    @property
    def title(self) -> str:
        """The title code the outcome nominates for: a title vote's own, or the one a score
        poll's ranking gave it."""
        return self.title_code or self.poll.title_code


def outcomes(polls: list[Poll]) -> list[Outcome]:
    """Each first-round poll with its runoffs (from `polls_of`), once every round is counted
    or not: `complete` is False while a round is open or a tie is left."""
    children: dict[int, Poll] = {p.runoff_of_id: p for p in polls if p.runoff_of_id}
    found = []
    for poll in polls:
        if poll.runoff_of_id or is_score(poll):  # a score poll has no rounds, no winners
            continue
        rounds = [poll]
        while rounds[-1].pk in children:
            rounds.append(children[rounds[-1].pk])
        counted = [r for r in rounds if r.status in _COUNTED and r.result]
        winners, complete = core.decided(
            [
                core.round_of(
                    r.result,
                    [c.unit.code for c in r.candidates.all()],
                    void=r.status == Poll.Status.VOID,
                )
                for r in counted
            ]
        )
        votes = {}
        for r in counted:
            for code in r.result["winners"]:
                votes.setdefault(code, (r.result["votes"].get(code, 0), r.result["base_count"]))
        found.append(Outcome(rounds, winners, complete and len(counted) == len(rounds), votes))
    return found


def nominees_by_title(polls: list[Poll]) -> dict[str, list[str]]:
    """Title code → the units its counted vote (all rounds) nominated, or a counted score
    poll whose ranking nominates (a title's own vote comes first)."""
    found = {
        outcome.poll.title_code: list(outcome.winners)
        for outcome in outcomes(polls)
        if outcome.poll.purpose == Poll.Purpose.TITLE
        and outcome.complete
        and outcome.poll.title_code
    }
    for outcome in score_outcomes(polls):
        found.setdefault(outcome.title, list(outcome.winners))
    return found


def title_outcomes(polls: list[Poll]) -> list[Outcome]:
    """Per title, what nominates for it, as `nominees_by_title` reads it: its own vote once
    counted (all rounds), else the first counted score poll whose ranking nominates for it,
    else its vote still under way (which nominates nobody yet)."""
    votes = [o for o in outcomes(polls) if o.poll.purpose == Poll.Purpose.TITLE and o.title]
    covered = {o.title for o in votes if o.complete}
    scored = []
    for outcome in score_outcomes(polls):
        if outcome.title not in covered:
            covered.add(outcome.title)
            scored.append(outcome)
    return [o for o in votes if o.complete or o.title not in covered] + scored


def informing_score_polls(polls: list[Poll]) -> list[Poll]:
    """The counted score polls that only inform the title votes after them (titles
    "inform"): their standings go with the proposals the votes make."""
    return [
        poll
        for poll in polls
        if is_score(poll)
        and poll.status == Poll.Status.CLOSED
        and poll.result
        and not poll.result.get("nominations")
    ]


def score_outcomes(polls: list[Poll]) -> list[Outcome]:
    """What each counted score poll's ranking nominates (titles by "ranking"), one outcome per
    title: complete unless units tie across the title's last seat, for the conference to vote
    between them. `votes` stay empty: a score poll's line is its standing."""
    found = []
    for poll in polls:
        if not (is_score(poll) and poll.status == Poll.Status.CLOSED and poll.result):
            continue
        nominations = poll.result.get("nominations") or {}
        standings = {row["unit"]: row for row in poll.result["standings"]}
        ties = nominations.get("ties", {})
        for code, units in nominations.get("nominees", {}).items():
            found.append(Outcome([poll], tuple(units), code not in ties, {}, code, standings))
    return found


def _nomination_inputs(cycle: Cycle, polls: list[Poll]):
    """The titles, their counted nominees, the units' ranks and names: what the title rules
    are checked on."""
    titles = voting_rules.titles(cycle.rule_set) if cycle.rule_set.data.get("voting") else []
    nominees = nominees_by_title(polls)
    if not nominees:
        return titles, nominees, {}, {}
    results = scoring_selectors.summary(cycle)
    ranks = {unit.code: result.rank for unit, result in results.ranking} if results else {}
    names = {unit.code: unit.name for unit in org_selectors.member_units(cycle)}
    return titles, nominees, ranks, names


def eligibility(cycle: Cycle, title_code: str, units) -> dict[int, core_eligibility.Verdict]:
    """Unit id → its verdict (core.eligibility.Verdict) for `title_code` under the cycle's
    rule set, from the register (one query for all units) and, when a rule reads it, the
    cycle's own ranking. Empty when the title has no eligibility rule."""
    book = core_eligibility.rule_book(cycle.rule_set.data)
    rules = book.for_title(title_code) if title_code else ()
    if not rules:
        return {}
    units = list(units)
    facts = org_selectors.title_facts(cycle, units)
    ranks = {}
    if any(isinstance(rule.test, core_eligibility.Rank) for rule in rules):
        results = scoring_selectors.summary(cycle)
        ranks = {unit.pk: result.rank for unit, result in results.ranking} if results else {}
    return {
        unit.pk: core_eligibility.evaluate(
            book,
            title_code,
            replace(facts[unit.pk], rank=ranks.get(unit.pk)),
        )
        for unit in units
    }


def eligibility_table(cycle: Cycle) -> list[org_selectors.EligibilityRow]:
    """The conference's view of the eligibility table: the org one, with the cycle's ranks."""
    results = scoring_selectors.summary(cycle)
    ranks = {unit.pk: result.rank for unit, result in results.ranking} if results else None
    return org_selectors.eligibility_table(cycle, ranks=ranks)


def nomination_problems(cycle: Cycle, polls: list[Poll]) -> list[Problem]:
    """Quotas and eligibility of the counted title votes, explained (the field of each
    problem is the title's code): the conference page shows them, and no proposal is
    produced for a title that has one."""
    titles, nominees, ranks, names = _nomination_inputs(cycle, polls)
    checked = [title for title in titles if title.code in nominees]
    return core.check_nominations(checked, nominees, ranks, names) if nominees else []


def refused_nominees(cycle: Cycle, polls: list[Poll]) -> dict[tuple[str, str], Problem]:
    """(title code, unit code) → why that counted nominee is not nominated: shown in its
    place instead of "Trúng cử"."""
    titles, nominees, ranks, names = _nomination_inputs(cycle, polls)
    checked = [title for title in titles if title.code in nominees]
    return {
        (r.title, r.unit): r.problem for r in core.refused_nominees(checked, nominees, ranks, names)
    }


def nominated_instead(cycle: Cycle, polls: list[Poll], title_code: str) -> dict[str, str]:
    """Unit code → the title it is already nominated for, among the titles that exclude
    `title_code` (one flag a year): those units are not candidates for it."""
    titles = voting_rules.titles(cycle.rule_set) if cycle.rule_set.data.get("voting") else []
    names = {title.code: title.name for title in titles}
    nominees = nominees_by_title(polls)
    found: dict[str, str] = {}
    for other in core.excluded_by(titles, title_code):
        for unit in nominees.get(other, ()):
            found.setdefault(unit, names.get(other, other))
    return found


def poll_by_code(conference: Conference, code: str) -> Poll | None:
    return (
        conference.polls.filter(code=code)
        .annotate(**_VOTED)
        .prefetch_related(Prefetch("candidates", Candidate.objects.select_related("unit")))
        .first()
    )


def has_voted(poll: Poll, delegate: Delegate | None) -> bool:
    return (
        delegate is not None and poll.electors.filter(delegate=delegate).exclude(method="").exists()
    )


def core_rules(poll: Poll) -> core.Rules:
    codes = Candidate.objects.filter(poll=poll).order_by("position", "id")
    return voting_rules.as_core(poll.rules, tuple(codes.values_list("unit__code", flat=True)))


def to_core(content: dict, written: bool = False) -> core.Ballot:
    return core.ballot_from(content, written)


@dataclass(frozen=True)
class Published:
    """What anyone with read access sees after counting: receipts and the ballot multiset."""

    receipts: list[str]
    multiset: list[tuple[str, int]]


def published(poll: Poll, names: dict[str, str]) -> Published:
    """Receipts (an encrypted ballot's is its tracker) and the plain phone ballots' multiset
    (an encrypted poll's are published as ciphertexts, in its transcript; paper ballots and
    written opinions by their totals only, in the result; a score poll's paper ballots are
    in its record, one by one)."""
    ballots = list(
        Ballot.objects.filter(poll=poll, filled=True).only("content", "source", "receipt")
    )
    counter: Counter[str] = Counter()
    for ballot in ballots:
        content = ballot.content or {}
        if ballot.source != Elector.Method.ELECTRONIC or "ciphertexts" in content:
            continue
        if "scores" in content:
            text = "; ".join(
                f"{names.get(code, code)}: {'+'.join(str(part) for part in parts)}"
                for code, parts in sorted(content["scores"].items())
            )
        elif "answers" in content:
            text = "; ".join(
                f"{names.get(code, code)}: {answer}"
                for code, answer in sorted(content["answers"].items())
            )
        else:
            text = (
                ", ".join(sorted(names.get(code, code) for code in content.get("choices", ())))
                or "—"
            )
        counter[text] += 1
    return Published(
        receipts=sorted(ballot.receipt for ballot in ballots if ballot.receipt),
        multiset=sorted(counter.items(), key=lambda item: (-item[1], item[0])),
    )


@dataclass(frozen=True)
class ClosingTurnout:
    """What the board sees before closing a poll: counts only, never who."""

    cast: int  # ballots in the box (phone and written; for paper: the first entry's pile)
    electorate: int  # delegates convened
    present: int  # delegates checked in
    present_not_voted: int | None  # None for paper ballots (no roll of who handed one in)
    quorum_needed: int | None  # ballots the rules' quorum needs, if they set one
    required: int | None  # votes needed to be elected, when the base is the electorate


def closing_turnout(poll: Poll) -> ClosingTurnout:
    rules = None if is_score(poll) else core_rules(poll)  # a score poll has no threshold
    electors = poll.electors.all()
    present = electors.filter(delegate__checked_in_at__isnull=False).count()
    voted = electors.exclude(method="")
    if poll.mode == Poll.Mode.PAPER:
        entry = PaperEntry.objects.filter(poll=poll, entry=1).first()
        cast = (len(entry.ballots) if entry else 0) + voted.count()
        present_not_voted = None
    else:
        cast = voted.count()
        present_not_voted = present - voted.filter(delegate__checked_in_at__isnull=False).count()
    return ClosingTurnout(
        cast=cast,
        electorate=poll.electorate,
        present=present,
        present_not_voted=present_not_voted,
        quorum_needed=ceil(rules.quorum * poll.electorate) if rules and rules.quorum else None,
        required=rules.required_votes(poll.electorate)
        if rules and rules.base == core.Base.ELECTORATE
        else None,
    )


def turnout(conference: Conference) -> dict[int, tuple[int, int]]:
    """Per poll: (voted, electorate) — the only thing shown while a poll is open."""
    return {poll.pk: (poll.voted, poll.electorate) for poll in conference.polls.annotate(**_VOTED)}


def void_reasons(poll: Poll) -> list[Problem]:
    """Why a void count could not be right, as sentences."""
    return [
        core.count_problem(item["code"], item["params"])
        for item in (poll.result or {}).get("void", [])
    ]


# --- encrypted polls (docs/ballot-crypto.md) -----------------------------------------------


def live_ceremony(conference: Conference) -> KeyCeremony | None:
    """The board's ceremony under way or done (a failed one is history)."""
    return (
        KeyCeremony.objects.filter(conference=conference)
        .exclude(status=KeyCeremony.Status.FAILED)
        .select_related("conference__cycle__cluster")
        .last()
    )


def ready_ceremony(conference: Conference) -> KeyCeremony | None:
    ceremony = live_ceremony(conference)
    return ceremony if ceremony and ceremony.status == KeyCeremony.Status.READY else None


def trustees_of(ceremony: KeyCeremony) -> list[Trustee]:
    return list(ceremony.trustees.select_related("delegate__user", "delegate__unit"))


def announcements(ceremony: KeyCeremony) -> dict[int, crypto.Announcement]:
    return {
        t.index: crypto.Announcement.from_json(t.announcement)
        for t in ceremony.trustees.exclude(announcement__isnull=True)
    }


def sealed_form(form: dict) -> crypto.Form:
    """A poll's published form: a score form when it has outputs (docs/score-ballot-crypto.md)."""
    return (score_crypto.ScoreForm if "outputs" in form else crypto.Form).from_json(form)


def form_context(key: bytes, cluster: str, year: int, code: str, form: crypto.Form) -> bytes:
    """Q of the poll: a score poll's has its own tag."""
    if isinstance(form, score_crypto.ScoreForm):
        return form.context(key, cluster, year, code)
    return crypto.poll_context(key, cluster, year, code, form)


def poll_context(poll: Poll) -> bytes:
    cycle = poll.conference.cycle
    return form_context(
        bytes.fromhex(poll.public_key),
        cycle.cluster.code,
        cycle.year,
        poll.code,
        sealed_form(poll.form),
    )


def sealed_sums(poll: Poll) -> tuple[crypto.Ciphertext, ...]:
    return tuple(
        crypto.Ciphertext(bytes.fromhex(a), bytes.fromhex(b))
        for a, b in (poll.sealed_tally or {}).get("sums", [])
    )


def decrypted_sums(poll: Poll) -> tuple[crypto.Ciphertext, ...]:
    """What the board decrypts: every selection's sum, or a score poll's outputs."""
    form, sums = sealed_form(poll.form), sealed_sums(poll)
    return form.decrypted(sums) if isinstance(form, score_crypto.ScoreForm) else sums


def cast_by_unit(poll: Poll) -> dict[str, int]:
    """How many delegates of each unit cast a phone ballot (from the roll, not the box)."""
    rows = (
        Elector.objects.filter(poll=poll, method=Elector.Method.ELECTRONIC)
        .values("delegate__unit__code")
        .annotate(n=Count("id"))
    )
    return {row["delegate__unit__code"]: row["n"] for row in rows}


def sealed_ballots(poll: Poll) -> list[dict]:
    """The phone ballots in the box (tracker, ciphertexts, proofs), in the box's order."""
    rows = Ballot.objects.filter(poll=poll, filled=True, source=Elector.Method.ELECTRONIC)
    return [
        {"tracker": b.receipt, **b.content} for b in rows.order_by("id").only("content", "receipt")
    ]


def ceremony_section(ceremony: KeyCeremony) -> dict:
    """The ceremony as a transcript (§6) carries it."""
    return {
        "label": ceremony.label,
        "members": ceremony.members,
        "threshold": ceremony.threshold,
        "announcements": [
            {**t.announcement, "fingerprint": t.fingerprint}
            for t in ceremony.trustees.order_by("index")
            if t.announcement is not None
        ],
        "shares": [m.body for m in ceremony.messages.order_by("sender", "recipient")],
        "complaints": [c.body for c in ceremony.complaints.order_by("id")],
        "public_key": ceremony.public_key,
        "key_fingerprint": ceremony.key_fingerprint,
    }


def sealed_section(poll: Poll) -> dict | None:
    """An encrypted poll as a transcript carries it, once its box is closed."""
    if not poll.sealed or poll.sealed_tally is None:
        return None
    tally = poll.sealed_tally
    return {
        "code": poll.code,
        "form": poll.form,
        "ballots": sorted(sealed_ballots(poll), key=lambda b: b["tracker"]),
        "spoiled": [s.body for s in poll.spoiled.order_by("id")],
        "turnout": tally["ballots"],
        "sums": tally["sums"],
        "partials": [d.body for d in poll.decryptions.order_by("trustee__index")],
        "counts": tally.get("counts", []),
        **({"cast_by_unit": tally["cast_by_unit"]} if "cast_by_unit" in tally else {}),
    }


def transcript(conference: Conference) -> dict | None:
    """Everything anyone needs to check the conference's encrypted polls (§6)."""
    ceremony = ready_ceremony(conference)
    if ceremony is None:
        return None
    cycle = conference.cycle
    polls = Poll.objects.filter(ceremony=ceremony, status=Poll.Status.CLOSED).order_by("id")
    return {
        "protocol": crypto.PROTOCOL,
        "cluster": cycle.cluster.code,
        "year": cycle.year,
        "ceremony": ceremony_section(ceremony),
        "polls": [sealed_section(poll) for poll in polls],
    }


def unsettled(cycle: Cycle) -> list[str]:
    """What the conference leaves contrary to the rules (e.g. a Government-flag nominee
    without the Ministry flag): said before its phase is closed."""
    conference = conference_of(cycle)
    if conference is None:
        return []
    return [problem.render(gettext) for problem in nomination_problems(cycle, polls_of(conference))]


def addable_users(cycle: Cycle, present: set[int]) -> list[User]:
    """The member units' delegate and secretary accounts not yet delegates (user ids
    `present`), by unit in Vietnamese order: whom the secretary may add."""
    users = (
        User.objects.filter(
            unit__in=org_selectors.member_units(cycle), kind__in=("delegate", "secretary")
        )
        .exclude(pk__in=present)
        .select_related("unit")
    )
    return sorted(users, key=lambda user: (collation_key(user.unit.short_name), user.username))


def delegate_in(cycle: Cycle, pk) -> Delegate | None:
    """Delegate `pk` of the cycle's conference (a posted form names it by id)."""
    return Delegate.objects.filter(pk=pk, conference__cycle=cycle).first()


def delegate_named(conference: Conference, username: str) -> Delegate | None:
    """The conference's delegate whose account is `username` (the API names them so)."""
    return Delegate.objects.filter(conference=conference, user__username=username).first()


def trustee_for(user, ceremony: KeyCeremony) -> Trustee | None:
    """The part of the board's key `user` holds in `ceremony`, if any."""
    return ceremony.trustees.filter(delegate__user=user).first()


def decrypted_by(poll: Poll) -> set[int]:
    """Ids of the trustees who gave their part of the poll's decryption (one query)."""
    return set(poll.decryptions.values_list("trustee_id", flat=True))


def has_sent(ceremony: KeyCeremony, index: int) -> bool:
    """Whether trustee `index` sent their messages of the ceremony."""
    return ceremony.messages.filter(sender=index).exists()


def revote_of(poll: Poll) -> Poll | None:
    """The poll a void poll was voted again as, if any."""
    return poll.runoffs.first()


def candidates_of(poll: Poll) -> list[Candidate]:
    """The poll's candidates with their units, as documents list them."""
    return list(poll.candidates.select_related("unit"))


def decrypting_trustees(poll: Poll) -> list[int]:
    """The numbers of the board members whose part decrypted the poll, in order."""
    return [d.trustee.index for d in poll.decryptions.select_related("trustee")]


def spoiled_count(poll: Poll) -> int:
    """How many encrypted ballots delegates checked and so spoiled (never counted)."""
    return poll.spoiled.count()


def run_of_show(cycle: Cycle, conference: Conference) -> list[show.Step]:
    """The conference's agenda as the chair and the secretary walk through it, each step's
    state read from the data (a constant number of queries, whatever the number of votes)."""
    polls = polls_of(conference)
    followed = {p.runoff_of_id for p in polls if p.runoff_of_id}
    delegates = delegates_of(conference)
    leader_polls = [
        p for p in polls if p.purpose == Poll.Purpose.LEADER and p.status == Poll.Status.CLOSED
    ]
    last_leader = max(leader_polls, key=lambda p: (p.closed_at, p.pk), default=None)
    scoring = cycle.position.status_of(Phase.SCORING)
    facts = show.ConferenceFacts(
        details_ready=bool(
            conference.held_on
            and conference.place
            and conference.chair_name
            and conference.secretary_name
        ),
        delegates=len(delegates),
        checked_in=sum(1 for d in delegates if d.checked_in_at is not None),
        board=sum(1 for d in delegates if d.board),
        encrypted=any(p.sealed for p in polls),
        key_ready=ready_ceremony(conference) is not None,
        scores_final=scoring in (PhaseStatus.DONE, PhaseStatus.CLOSED),
        polls=tuple(
            show.PollFacts(
                code=p.code,
                title=p.title,
                status=show.PollStatus(p.status),
                voted=p.voted,
                electorate=p.electorate,
                runoff_open=bool((p.result or {}).get("runoff")) and p.pk not in followed,
                revoted=p.pk in followed,
            )
            for p in polls
        ),
        leader_elected=last_leader is not None and len(last_leader.result["winners"]) == 1,
        handover_recorded=org_selectors.current_handover(cycle.cluster, cycle.year + 1) is not None,
        concluded=bool(conference.conclusions and conference.ends_at),
    )
    return show.run_of_show(facts)


# --- score polls (core.score_ballots) ---------------------------------------------------------


def is_score(poll: Poll) -> bool:
    return voting_rules.is_score(poll.rules)


def score_rules(poll: Poll) -> score_ballots.ScoreRules:
    codes = Candidate.objects.filter(poll=poll).order_by("position", "id")
    return voting_rules.as_score(poll.rules, tuple(codes.values_list("unit__code", flat=True)))


def score_content(ballot: score_ballots.ScoreBallot) -> dict:
    return score_ballots.content_of(ballot)


def named_problem(problem: Problem) -> Problem:
    """A score ballot's problem with units named as delegates know them, not by code."""
    codes = [str(problem.params[key]) for key in ("unit", "units") if key in problem.params]
    wanted = {code.strip() for text in codes for code in text.split(",")}
    names = dict(Unit.objects.filter(code__in=wanted).values_list("code", "name"))
    params = dict(problem.params)
    if "unit" in params:
        params["unit"] = names.get(params["unit"], params["unit"])
    if "units" in params:
        params["units"] = ", ".join(
            names.get(code.strip(), code.strip()) for code in params["units"].split(",")
        )
    return Problem(problem.code, problem.message, params, problem.field)


_SHEET_CELLS = {
    "issued": "số phiếu phát ra",
    "returned": "số phiếu thu về",
    "invalid": "số phiếu không hợp lệ",
    "valid": "số phiếu hợp lệ",
    "total": "tổng điểm",
    "count": "số phiếu chấm",
}


def sheet_entries(poll: Poll) -> list[tuple[int, str]]:
    """Who has entered a score poll's paper totals sheet (entry, name): never the figures,
    so the second member types them from the sheet, not from the screen."""
    return [
        (entry.entry, entry.entered_by.display_name)
        for entry in PaperEntry.objects.filter(poll=poll, sheet__isnull=False)
        .select_related("entered_by")
        .order_by("entry")
    ]


def sheet_cell(cell: str) -> str:
    """A cell of a paper totals sheet as the board reads it: "Hà Giang, nhóm 2, tổng điểm"
    for "ha-giang:2:total" (`core.score_ballots.sheet_mismatches`)."""
    if ":" not in cell:
        return _SHEET_CELLS.get(cell, cell)
    unit, group, name = cell.split(":")
    found = Unit.objects.filter(code=unit).values_list("name", flat=True).first() or unit
    return f"{found}, nhóm {group}, {_SHEET_CELLS.get(name, name)}"


def score_nominations(poll: Poll, result: score_ballots.ScoreTally) -> dict:
    """Titles from a score poll's ranking (`core.score_ballots.nominations`): the rule set's
    minimum average, "leading the cluster" read from the score sheets' ranking when there is
    one. Tied units across a title's last seat are kept for the conference to vote on."""
    cycle = poll.conference.cycle
    results = scoring_selectors.summary(cycle)
    ranks = {unit.code: r.rank for unit, r in results.ranking} if results else None
    found = score_ballots.nominations(
        result,
        voting_rules.titles(cycle.rule_set),
        Fraction(str(poll.rules["minimum"])),
        ranks,
    )
    return {
        "minimum": str(poll.rules["minimum"]),
        "nominees": {code: list(units) for code, units in found.nominees.items()},
        "ties": {code: list(units) for code, units in found.ties.items()},
    }


def score_rules_sentence(rules: dict) -> str:
    """A score poll's rules in a sentence, as its page and its minutes print them."""
    groups = rules.get("groups") or [rules.get("maximum", 100)]
    scale = (
        f"thang điểm 0–{groups[0]}"
        if len(groups) == 1
        else f"chấm theo {len(groups)} nhóm tiêu chí, tối đa "
        + " + ".join(str(g) for g in groups)
        + f" = {sum(groups)} điểm"
    )
    partial = (
        "phiếu chấm thiếu đơn vị là phiếu không hợp lệ"
        if rules.get("partial", "refuse") == "refuse"
        else "đơn vị không được chấm trên một phiếu không tính vào điểm bình quân của đơn vị đó"
    )
    titles = (
        f"đề nghị danh hiệu theo thứ hạng điểm bình quân, tối thiểu {rules.get('minimum')} điểm"
        if rules.get("titles") == "ranking"
        else "kết quả chấm điểm là căn cứ để hội nghị biểu quyết đề nghị danh hiệu"
    )
    trimmed = (
        "; tính thêm điểm bình quân bỏ điểm cao nhất và thấp nhất (chỉ với phiếu giấy)"
        if rules.get("trimmed")
        else ""
    )
    return (
        f"Phiếu chấm điểm: {scale}; đại biểu không chấm đơn vị mình; {partial}; điểm bình quân "
        f"làm tròn {rules.get('decimals', 2)} chữ số thập phân{trimmed}; {titles}."
    )


@dataclass(frozen=True)
class ScoreRow:
    """A candidate's line on a score ballot: its inputs per criteria group, or greyed (the
    delegate's own unit, never scored)."""

    unit: Unit
    own: bool
    inputs: list[tuple[str, int, str]]  # (field name, group maximum, value typed)


def score_rows(poll: Poll, delegate: Delegate | None, typed: dict[str, str]) -> list[ScoreRow]:
    rules = score_rules(poll)
    own = delegate.unit.code if delegate is not None else None
    return [
        ScoreRow(
            candidate.unit,
            candidate.unit.code == own,
            [
                (
                    f"s_{candidate.unit.code}_{index}",
                    maximum,
                    typed.get(f"s_{candidate.unit.code}_{index}", ""),
                )
                for index, maximum in enumerate(rules.groups)
            ],
        )
        for candidate in poll.candidates.select_related("unit")
    ]
