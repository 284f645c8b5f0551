"""Writes of the conference: delegates and check-in, polls, casting, paper and written
ballots, closing and counting, runoffs, and the leadership hand-over from the vote."""

from __future__ import annotations

import hashlib
import random
import secrets
import uuid
from collections.abc import Sequence
from datetime import date, time

from django.db import IntegrityError, transaction
from django.utils import timezone

from thidua.audit.services import record as audit
from thidua.core import ballots as core
from thidua.core.messages import Problem, format_clock, gettext_noop
from thidua.core.policy import Action
from thidua.errors import DomainError, Refused, StateConflict, refuse_if
from thidua.org import selectors as org_selectors
from thidua.org import services as org_services
from thidua.org.authz import require
from thidua.org.models import Cycle, Handover, Unit, User, UserKind
from thidua.voting import rules as voting_rules
from thidua.voting import selectors
from thidua.voting.models import (
    Ballot,
    Candidate,
    Conference,
    Delegate,
    PaperEntry,
    Poll,
    RollEntry,
)

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud safely
_shuffle = random.SystemRandom().shuffle


class AlreadyVoted(StateConflict):
    """The delegate's ballot in this poll is already in the box (a double submit)."""


def _receipt() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))


def _content(ballot: core.Ballot) -> dict:
    if ballot.answers:
        return {"answers": {code: answer.value for code, answer in sorted(ballot.answers.items())}}
    return {"choices": sorted(ballot.choices)}


# --- the conference -----------------------------------------------------------------------


@transaction.atomic
def open_conference(
    *,
    actor,
    cycle: Cycle,
    held_on: date | None = None,
    starts_at: time | None = None,
    ends_at: time | None = None,
    place: str = "",
    agenda: str = "",
    chair_name: str = "",
    secretary_name: str = "",
) -> Conference:
    require(actor, Action.MANAGE_CONFERENCE, cycle)
    conference, _created = Conference.objects.get_or_create(cycle=cycle)
    conference.held_on, conference.place, conference.agenda = held_on, place, agenda
    conference.starts_at, conference.ends_at = starts_at, ends_at
    conference.chair_name, conference.secretary_name = chair_name, secretary_name
    conference.save()
    audit(
        actor=actor,
        action="voting.conference.set",
        object_type="voting.conference",
        object_id=conference.pk,
        cycle=cycle,
        after={
            "held_on": held_on,
            "starts_at": format_clock(starts_at),
            "ends_at": format_clock(ends_at),
            "place": place,
            "agenda": agenda,
            "chair": chair_name,
            "secretary": secretary_name,
        },
    )
    return conference


@transaction.atomic
def add_delegate(*, actor, conference: Conference, user: User, board: str = "") -> Delegate:
    """A delegate account of a member unit joins the conference (optionally on the board)."""
    cycle = conference.cycle
    require(actor, Action.MANAGE_CONFERENCE, cycle)
    members = {unit.pk for unit in org_selectors.member_units(cycle)}
    if user.unit_id not in members or user.kind not in (UserKind.DELEGATE, UserKind.SECRETARY):
        raise DomainError(
            [
                Problem(
                    "not_a_delegate",
                    gettext_noop("%(user)s không phải đại biểu của một đơn vị thành viên."),
                    {"user": user.display_name},
                )
            ]
        )
    delegate, _created = Delegate.objects.get_or_create(
        conference=conference, user=user, defaults={"unit_id": user.unit_id, "board": board}
    )
    if delegate.board != board:
        delegate.board = board
        delegate.save(update_fields=["board"])
    audit(
        actor=actor,
        action="voting.delegate.add",
        object_type="voting.delegate",
        object_id=delegate.pk,
        cycle=cycle,
        after={"user": user.username, "unit": user.unit.code, "board": board},
    )
    return delegate


@transaction.atomic
def check_in(*, actor, delegate: Delegate) -> str:
    """Mark the delegate present and give them a login key (shown as a QR code) that opens
    this conference only. A new check-in replaces the previous key."""
    delegate = Delegate.objects.select_related("conference__cycle__cluster").get(pk=delegate.pk)
    require(actor, Action.MANAGE_CONFERENCE, delegate.conference.cycle)
    key = secrets.token_urlsafe(24)
    delegate.login_key_hash = hashlib.sha256(key.encode()).hexdigest()
    delegate.checked_in_at = delegate.checked_in_at or timezone.now()
    delegate.save(update_fields=["login_key_hash", "checked_in_at"])
    audit(
        actor=actor,
        action="voting.delegate.check_in",
        object_type="voting.delegate",
        object_id=delegate.pk,
        cycle=delegate.conference.cycle,
        after={"user": delegate.user.username},
    )
    return key


def redeem_join_key(raw_key: str) -> Delegate | None:
    """Spend a check-in key: it signs its delegate in once. A photographed or forwarded QR
    code is worthless afterwards; a delegate who loses the session is checked in again.
    None when the key is unknown, spent (also by a simultaneous use), or its user inactive."""
    delegate = selectors.delegate_by_key(raw_key)
    if delegate is None or not delegate.user.is_active:
        return None
    spent = Delegate.objects.filter(pk=delegate.pk, login_key_hash=delegate.login_key_hash).update(
        login_key_hash=""
    )
    return delegate if spent == 1 else None


# --- polls --------------------------------------------------------------------------------


@transaction.atomic
def create_poll(
    *,
    actor,
    conference: Conference,
    code: str,
    title: str,
    purpose: str = Poll.Purpose.TITLE,
    title_code: str = "",
    candidates: Sequence[Unit] | None = None,
    seats: int | None = None,
    kind: str = core.Kind.CHOICE.value,
    mode: str = Poll.Mode.ELECTRONIC,
) -> Poll:
    """A poll copies its rules from the cycle's rule set; candidates default to the members."""
    cycle = conference.cycle
    require(actor, Action.MANAGE_CONFERENCE, cycle)
    members = org_selectors.member_units(cycle)
    # one flag a year: a unit already nominated for a title that excludes this one (the
    # Government flag, voted first) is not a candidate for it (the Ministry flag)
    instead = (
        selectors.nominated_instead(cycle, selectors.polls_of(conference), title_code)
        if title_code
        else {}
    )
    chosen = (
        list(candidates)
        if candidates is not None
        else [unit for unit in members if unit.code not in instead]
    )
    problems = [
        Problem(
            "nominated_instead",
            gettext_noop(
                "%(unit)s đã được đề nghị “%(other)s”; mỗi năm một đơn vị chỉ được đề nghị một "
                "trong hai danh hiệu, nên không là ứng viên của cuộc bỏ phiếu này."
            ),
            {"unit": unit.name, "other": instead[unit.code]},
            "candidates",
        )
        for unit in chosen
        if unit.code in instead
    ]
    outsiders = [unit.name for unit in chosen if unit.pk not in {m.pk for m in members}]
    if outsiders:
        problems.append(
            Problem(
                "not_member",
                gettext_noop("%(unit)s không phải thành viên của cụm."),
                {"unit": ", ".join(outsiders)},
                "candidates",
            )
        )
    if seats is None:
        title_rules = {t.code: t for t in voting_rules.titles(cycle.rule_set)}
        seats = title_rules[title_code].seats if title_code in title_rules else 1
    if seats < 1 or not chosen:
        problems.append(
            Problem("no_seats", gettext_noop("Cần ít nhất một ứng viên và một suất."), {}, "seats")
        )
    if Poll.objects.filter(conference=conference, code=code).exists():
        problems.append(
            Problem(
                "poll_exists",
                gettext_noop("Đã có cuộc bỏ phiếu mã %(code)s."),
                {"code": code},
                "code",
            )
        )
    refuse_if(problems)
    poll = Poll.objects.create(
        conference=conference,
        code=code,
        title=title,
        purpose=purpose,
        title_code=title_code,
        mode=mode,
        rules=voting_rules.poll_rules(cycle.rule_set, purpose=purpose, seats=seats, kind=kind),
    )
    Candidate.objects.bulk_create(
        [Candidate(poll=poll, unit=unit, position=index) for index, unit in enumerate(chosen)]
    )
    audit(
        actor=actor,
        action="voting.poll.create",
        object_type="voting.poll",
        object_id=poll.pk,
        cycle=cycle,
        after={
            "code": code,
            "title": title,
            "rules": poll.rules,
            "candidates": [u.code for u in chosen],
        },
    )
    return poll


def _locked_poll(poll: Poll) -> Poll:
    return (
        Poll.objects.select_for_update()
        .select_related("conference__cycle__cluster")
        .get(pk=poll.pk)
    )


@transaction.atomic
def open_poll(*, actor, poll: Poll) -> Poll:
    """Open the box: the electorate is every delegate convened; ballot slots are laid out in
    random order so the order of votes never shows in the table."""
    poll = _locked_poll(poll)
    cycle = poll.conference.cycle
    require(actor, Action.COUNT_BALLOTS, cycle)
    if poll.status != Poll.Status.DRAFT:
        raise StateConflict(
            [Problem("poll_not_draft", gettext_noop("Cuộc bỏ phiếu đã mở hoặc đã đóng."))]
        )
    poll.electorate = poll.conference.delegates.count()
    if poll.electorate == 0:
        raise DomainError([Problem("no_delegates", gettext_noop("Hội nghị chưa có đại biểu."))])
    poll.status, poll.opened_at = Poll.Status.OPEN, timezone.now()
    poll.save(update_fields=["status", "opened_at", "electorate"])
    if poll.mode == Poll.Mode.ELECTRONIC:
        Ballot.objects.bulk_create(
            [Ballot(poll=poll, id=uuid.uuid4()) for _ in range(poll.electorate)]
        )
    audit(
        actor=actor,
        action="voting.poll.open",
        object_type="voting.poll",
        object_id=poll.pk,
        cycle=cycle,
        after={"electorate": poll.electorate},
    )
    return poll


def _delegate(actor, poll: Poll) -> Delegate:
    delegate = selectors.delegate_for(actor, poll.conference)
    if delegate is None:
        raise Refused(
            Problem(
                "not_a_delegate_here", gettext_noop("Bạn không phải đại biểu của hội nghị này.")
            )
        )
    if delegate.checked_in_at is None:
        raise Refused(Problem("not_checked_in", gettext_noop("Đại biểu chưa điểm danh.")))
    return delegate


def _fill_slot(poll: Poll, ballot: core.Ballot, source: str) -> str:
    """Put the ballot in a random free slot; returns its receipt code."""
    slots = Ballot.objects.filter(poll=poll, filled=False)
    slot = slots.select_for_update(skip_locked=True).order_by("?").first()
    if slot is None:
        raise StateConflict([Problem("box_full", gettext_noop("Hòm phiếu đã đủ số phiếu."))])
    for _attempt in range(5):
        receipt = _receipt()
        if not Ballot.objects.filter(poll=poll, receipt=receipt).exists():
            break
    slot.filled, slot.content, slot.source, slot.receipt = True, _content(ballot), source, receipt
    slot.save(update_fields=["filled", "content", "source", "receipt"])
    return receipt


@transaction.atomic
def cast(*, actor, poll: Poll, ballot: core.Ballot) -> str:
    """One delegate, one ballot: the roll entry and the ballot commit together or not at all.
    A second submit (two tabs, a retry) is refused as already voted and changes nothing."""
    poll = Poll.objects.select_related("conference__cycle__cluster").get(pk=poll.pk)
    require(actor, Action.CAST_BALLOT, poll.conference.cycle)
    delegate = _delegate(actor, poll)
    if poll.status != Poll.Status.OPEN or poll.mode != Poll.Mode.ELECTRONIC:
        raise StateConflict(
            [Problem("poll_not_open", gettext_noop("Cuộc bỏ phiếu không đang mở."))]
        )
    rules = selectors.core_rules(poll)
    problem = core.check(ballot, rules)
    if problem is not None:
        raise DomainError([problem])
    try:
        with transaction.atomic():
            RollEntry.objects.create(
                poll=poll, delegate=delegate, method=RollEntry.Method.ELECTRONIC
            )
    except IntegrityError:
        raise AlreadyVoted(
            [
                Problem(
                    "already_voted",
                    gettext_noop(
                        "Bạn đã bỏ phiếu trong cuộc bỏ phiếu này; phiếu đã được ghi nhận một lần."
                    ),
                )
            ]
        ) from None
    return _fill_slot(poll, ballot, "electronic")


@transaction.atomic
def record_written(*, actor, poll: Poll, delegate: Delegate, ballot: core.Ballot) -> str:
    """An absent delegate's written opinion, entered by the counting board."""
    poll = _locked_poll(poll)
    require(actor, Action.COUNT_BALLOTS, poll.conference.cycle)
    if poll.status != Poll.Status.OPEN:
        raise StateConflict(
            [Problem("poll_not_open", gettext_noop("Cuộc bỏ phiếu không đang mở."))]
        )
    delegate = Delegate.objects.get(pk=delegate.pk)
    if delegate.conference_id != poll.conference_id or delegate.checked_in_at is not None:
        raise DomainError(
            [
                Problem(
                    "not_absent",
                    gettext_noop("Chỉ nhận ý kiến bằng văn bản của đại biểu vắng mặt."),
                )
            ]
        )
    written = core.Ballot(choices=ballot.choices, answers=ballot.answers, written=True)
    try:
        with transaction.atomic():
            RollEntry.objects.create(poll=poll, delegate=delegate, method=RollEntry.Method.WRITTEN)
    except IntegrityError:
        raise AlreadyVoted(
            [Problem("already_voted", gettext_noop("Đại biểu này đã có phiếu."))]
        ) from None
    if poll.mode == Poll.Mode.ELECTRONIC:
        return _fill_slot(poll, written, "written")
    receipt = _receipt()
    Ballot.objects.create(
        poll=poll, filled=True, content=_content(written), source="written", receipt=receipt
    )
    return receipt


@transaction.atomic
def save_paper_entry(
    *, actor, poll: Poll, entry: int, ballots: Sequence[core.Ballot], issued: int
) -> PaperEntry:
    """One of the two independent entries of the pile of paper ballots."""
    poll = _locked_poll(poll)
    require(actor, Action.COUNT_BALLOTS, poll.conference.cycle)
    if poll.mode != Poll.Mode.PAPER or poll.status != Poll.Status.OPEN:
        raise StateConflict(
            [Problem("poll_not_open", gettext_noop("Cuộc bỏ phiếu không đang mở."))]
        )
    other = PaperEntry.objects.filter(poll=poll).exclude(entry=entry).first()
    if other is not None and other.entered_by_id == actor.pk:
        raise Refused(
            Problem(
                "same_person",
                gettext_noop(
                    "Hai lần nhập phiếu giấy phải do hai thành viên ban kiểm phiếu khác nhau."
                ),
            )
        )
    saved, _created = PaperEntry.objects.update_or_create(
        poll=poll,
        entry=entry,
        defaults={
            "entered_by": actor,
            "ballots": [_content(ballot) for ballot in ballots],
            "issued": issued,
            "saved_at": timezone.now(),
        },
    )
    return saved


def paper_mismatches(poll: Poll) -> list[tuple[int, core.Ballot | None, core.Ballot | None]] | None:
    """Where the two entries differ; None until both are entered."""
    entries = {entry.entry: entry for entry in PaperEntry.objects.filter(poll=poll)}
    if set(entries) != {1, 2}:
        return None
    first = [selectors.to_core(content) for content in entries[1].ballots]
    second = [selectors.to_core(content) for content in entries[2].ballots]
    mismatches = core.reconcile(first, second)
    if entries[1].issued != entries[2].issued:
        mismatches.append((0, None, None))
    return mismatches


def _issued(poll: Poll) -> int:
    if poll.mode == Poll.Mode.PAPER:
        entry = PaperEntry.objects.filter(poll=poll).first()
        return entry.issued if entry else 0
    return poll.conference.delegates.filter(checked_in_at__isnull=False).count()


@transaction.atomic
def close_poll(*, actor, poll: Poll) -> Poll:
    """Close the box and count. Paper ballots count only when both entries agree. The stored
    ballots are then rewritten in a fresh random order, together, in this one transaction."""
    poll = _locked_poll(poll)
    cycle = poll.conference.cycle
    require(actor, Action.COUNT_BALLOTS, cycle)
    if poll.status != Poll.Status.OPEN:
        raise StateConflict(
            [Problem("poll_not_open", gettext_noop("Cuộc bỏ phiếu không đang mở."))]
        )
    if poll.mode == Poll.Mode.PAPER:
        mismatches = paper_mismatches(poll)
        if mismatches is None or mismatches:
            raise StateConflict(
                [
                    Problem(
                        "paper_not_reconciled",
                        gettext_noop(
                            "Hai lần nhập phiếu giấy chưa khớp nhau (%(count)s chỗ khác); "
                            "chưa thể kiểm phiếu."
                        ),
                        {"count": len(mismatches or []) if mismatches is not None else "—"},
                    )
                ]
            )
        entry = PaperEntry.objects.get(poll=poll, entry=1)
        Ballot.objects.bulk_create(
            [
                Ballot(poll=poll, filled=True, content=content, source="paper", receipt="")
                for content in entry.ballots
            ]
        )
    rules = selectors.core_rules(poll)
    result = core.tally(
        selectors.stored_ballots(poll), rules, electorate=poll.electorate, issued=_issued(poll)
    )
    _reshuffle(poll)
    poll.status, poll.closed_at = Poll.Status.CLOSED, timezone.now()
    poll.result = core.stored_result(result, rules)
    poll.save(update_fields=["status", "closed_at", "result"])
    audit(
        actor=actor,
        action="voting.poll.close",
        object_type="voting.poll",
        object_id=poll.pk,
        cycle=cycle,
        after=poll.result,
    )
    return poll


def _reshuffle(poll: Poll) -> None:
    kept = list(
        Ballot.objects.filter(poll=poll, filled=True).values("content", "source", "receipt")
    )
    Ballot.objects.filter(poll=poll).delete()
    _shuffle(kept)
    Ballot.objects.bulk_create(
        [Ballot(poll=poll, id=uuid.uuid4(), filled=True, **row) for row in kept]
    )


@transaction.atomic
def create_runoff(*, actor, poll: Poll) -> Poll:
    """One action: a new poll among the tied candidates for the seats left."""
    poll = _locked_poll(poll)
    require(actor, Action.MANAGE_CONFERENCE, poll.conference.cycle)
    runoff = (poll.result or {}).get("runoff")
    if poll.status != Poll.Status.CLOSED or not runoff:
        raise StateConflict(
            [Problem("no_runoff", gettext_noop("Cuộc bỏ phiếu này không cần bầu lại."))]
        )
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=runoff["candidates"])}
    number = poll.runoffs.count() + 2
    new = create_poll(
        actor=actor,
        conference=poll.conference,
        code=f"{poll.code}-{number}"[:40],
        title=f"{poll.title} (vòng {number})",
        purpose=poll.purpose,
        title_code=poll.title_code,
        candidates=[units[code] for code in runoff["candidates"]],
        seats=runoff["seats"],
        kind=poll.rules.get("kind", "choice"),
        mode=poll.mode,
    )
    new.rules = {**poll.rules, "seats": runoff["seats"]}
    new.runoff_of = poll
    new.save(update_fields=["rules", "runoff_of"])
    return new


def not_member_problem() -> Problem:
    return Problem("not_member", gettext_noop("Có ứng viên không phải thành viên của cụm."))


def not_counted_problem() -> Problem:
    return Problem("not_counted", gettext_noop("Cuộc bỏ phiếu chưa kiểm phiếu."))


def elected(conference: Conference, purpose: str) -> Unit | None:
    """The winner of the last closed leader (or deputy) poll, if exactly one."""
    poll = (
        Poll.objects.filter(conference=conference, purpose=purpose, status=Poll.Status.CLOSED)
        .order_by("-closed_at", "-id")
        .first()
    )
    winners = (poll.result or {}).get("winners", []) if poll else []
    return Unit.objects.filter(code=winners[0]).first() if len(winners) == 1 else None


def handover_vote_problems(cycle: Cycle, leader: Unit, deputy: Unit | None) -> list[Problem]:
    """Why a hand-over recorded as elected at `cycle`'s conference contradicts the vote: it
    must name the leader (and the deputy, if one was elected) of the counted polls. Registered
    with `org.services.record_handover`, which runs it for every elected hand-over."""
    conference = selectors.conference_of(cycle)
    year = cycle.year + 1
    problems = []
    elected_leader = elected(conference, Poll.Purpose.LEADER) if conference else None
    if elected_leader is None:
        problems.append(
            Problem(
                "leader_not_counted",
                gettext_noop(
                    "Chưa có kết quả kiểm phiếu bầu cụm trưởng năm %(year)s; chưa thể ghi nhận "
                    "cụm trưởng “bầu tại hội nghị”."
                ),
                {"year": year},
                "leader",
            )
        )
    elif leader.pk != elected_leader.pk:
        problems.append(
            Problem(
                "leader_not_elected",
                gettext_noop(
                    "Hội nghị đã bầu %(elected)s làm cụm trưởng năm %(year)s; bàn giao “bầu tại "
                    "hội nghị” phải ghi đúng đơn vị này."
                ),
                {"elected": elected_leader.name, "year": year},
                "leader",
            )
        )
    if conference is not None and conference.polls.filter(purpose=Poll.Purpose.DEPUTY).exists():
        elected_deputy = elected(conference, Poll.Purpose.DEPUTY)
        if elected_deputy is None:
            problems.append(
                Problem(
                    "deputy_not_counted",
                    gettext_noop(
                        "Chưa có kết quả kiểm phiếu bầu cụm phó năm %(year)s; chưa thể ghi nhận "
                        "cụm phó “bầu tại hội nghị”."
                    ),
                    {"year": year},
                    "deputy",
                )
            )
        elif deputy is None or deputy.pk != elected_deputy.pk:
            problems.append(
                Problem(
                    "deputy_not_elected",
                    gettext_noop(
                        "Hội nghị đã bầu %(elected)s làm cụm phó năm %(year)s; bàn giao “bầu tại "
                        "hội nghị” phải ghi đúng đơn vị này."
                    ),
                    {"elected": elected_deputy.name, "year": year},
                    "deputy",
                )
            )
    elif deputy is not None:
        problems.append(
            Problem(
                "deputy_not_voted",
                gettext_noop(
                    "Hội nghị không bầu cụm phó năm %(year)s; bàn giao “bầu tại hội nghị” không "
                    "ghi cụm phó."
                ),
                {"year": year},
                "deputy",
            )
        )
    return problems


@transaction.atomic
def hand_over_from_vote(*, actor, conference: Conference, note: str = "") -> Handover:
    """Next year's leader and deputy as elected: the hand-over, with the powers."""
    leader, deputy = (
        elected(conference, Poll.Purpose.LEADER),
        elected(conference, Poll.Purpose.DEPUTY),
    )
    if leader is None:
        raise DomainError(
            [Problem("no_leader_elected", gettext_noop("Chưa có kết quả bầu cụm trưởng."))]
        )
    cycle = conference.cycle
    return org_services.record_handover(
        actor=actor,
        cycle=cycle,
        leader=leader,
        deputy=deputy,
        method=Handover.Method.ELECTED,
        decision_ref=f"Biên bản kiểm phiếu hội nghị tổng kết năm {cycle.year}",
        note=note,
    )
