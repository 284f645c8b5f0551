"""Writes of the conference: delegates and check-in, polls, casting, paper and written
ballots, closing and counting, runoffs, and the leadership hand-over from the vote."""

from __future__ import annotations

import hashlib
import json
import random
import re
import secrets
import uuid
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from thidua.audit import clock
from thidua.audit.services import record as audit
from thidua.core import ballot_crypto as crypto
from thidua.core import ballots as core
from thidua.core import score_ballots, score_crypto
from thidua.core.eligibility import Status
from thidua.core.messages import Problem, format_clock, gettext_noop
from thidua.core.policy import Action, Role, decide
from thidua.core.record import AuditAction
from thidua.errors import DomainError, Refused, StateConflict, refuse_if
from thidua.org import register
from thidua.org import selectors as org_selectors
from thidua.org import services as org_services
from thidua.org.authz import recorded_user, require
from thidua.org.backends import SessionClaim
from thidua.org.models import Cycle, Handover, Unit, User, UserKind
from thidua.voting import devices, selectors
from thidua.voting import rules as voting_rules
from thidua.voting.models import (
    Ballot,
    Candidate,
    Conference,
    Delegate,
    Elector,
    JoinFailure,
    PaperEntry,
    Poll,
    Reissue,
    SpoiledBallot,
)

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud safely
_shuffle = random.SystemRandom().shuffle


class AlreadyVoted(StateConflict):
    """The delegate's ballot in this poll is already in the box (a double submit)."""


class SessionEnded(Exception):
    """The session's claim does not hold any more (a re-issued key, a changed password, a
    disabled user): the phone signs in again."""


def _receipt() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))


def _content(ballot: core.Ballot | score_ballots.ScoreBallot) -> dict:
    if isinstance(ballot, score_ballots.ScoreBallot):
        return selectors.score_content(ballot)
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
    chair_rank: str = "",
    chair_position: str = "",
    secretary_name: str = "",
    secretary_rank: str = "",
    secretary_position: str = "",
    guests: str = "",
    conclusions: str = "",
) -> Conference:
    """Set what the minutes say about the conference itself (all of it, each time)."""
    require(actor, Action.MANAGE_CONFERENCE, cycle)
    conference, _created = Conference.objects.get_or_create(cycle=cycle)
    conference.held_on, conference.place, conference.agenda = held_on, place, agenda
    conference.starts_at, conference.ends_at = starts_at, ends_at
    conference.chair_name, conference.secretary_name = chair_name, secretary_name
    conference.chair_rank, conference.chair_position = chair_rank, chair_position
    conference.secretary_rank, conference.secretary_position = secretary_rank, secretary_position
    conference.guests, conference.conclusions = guests.strip(), conclusions.strip()
    conference.save()
    audit(
        actor=actor,
        action=AuditAction.CONFERENCE_SET,
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
            "chair_rank": chair_rank,
            "chair_position": chair_position,
            "secretary": secretary_name,
            "secretary_rank": secretary_rank,
            "secretary_position": secretary_position,
            "guests": conference.guests,
            "conclusions": conference.conclusions,
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
    if board and getattr(actor, "pk", None) == user.pk:
        # only the board closes and counts: the secretary, who may not, cannot join it by
        # naming himself (mid-poll, then close the box)
        raise Refused(
            Problem(
                "board_self",
                gettext_noop("Không tự cử mình vào ban kiểm phiếu; người khác phải ghi việc này."),
            )
        )
    was = Delegate.objects.filter(conference=conference, user=user).values_list("board", flat=True)
    if (was.first() or "") != board and conference.polls.filter(
        status__in=[Poll.Status.OPEN, Poll.Status.COUNTING]
    ).exists():
        # who may close and count is fixed before the box opens: a board member named while
        # it is open (by the secretary, who may not close it) would close and count it
        raise StateConflict(
            [
                Problem(
                    "board_frozen",
                    gettext_noop(
                        "Đang có cuộc bỏ phiếu chưa kiểm phiếu xong: không thay đổi ban kiểm"
                        " phiếu cho đến khi kiểm phiếu xong."
                    ),
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
        action=AuditAction.DELEGATE_ADD,
        object_type="voting.delegate",
        object_id=delegate.pk,
        cycle=cycle,
        after={"user": user.username, "unit": user.unit.code, "board": board},
    )
    return delegate


KEY_LENGTH = 10  # characters of RECEIPT_ALPHABET: 50 bits, typed or read from a QR code


def _new_key(delegate: Delegate) -> str:
    key = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(KEY_LENGTH))
    delegate.login_key_hash = hashlib.sha256(key.encode()).hexdigest()
    return key


def normal_key(typed: str) -> str:
    """A check-in key as typed: any case, with spaces or dashes ("abcde-fghjk")."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


@transaction.atomic
def check_in(*, actor, delegate: Delegate) -> str:
    """Mark the delegate present and give them a login key (shown once as a QR code and a
    short code) that opens this conference only. A delegate already checked in gets a new
    key only through `reissue_key`, with a reason."""
    delegate = Delegate.objects.select_related("conference__cycle__cluster", "user").get(
        pk=delegate.pk
    )
    require(actor, Action.MANAGE_CONFERENCE, delegate.conference.cycle)
    if delegate.checked_in_at is not None:
        raise StateConflict(
            [
                Problem(
                    "already_checked_in",
                    gettext_noop(
                        "%(name)s đã điểm danh. Cấp lại mã là một việc riêng, phải ghi lý do."
                    ),
                    {"name": delegate.user.display_name},
                )
            ]
        )
    key = _new_key(delegate)
    delegate.checked_in_at = clock.now()
    delegate.save(update_fields=["login_key_hash", "checked_in_at"])
    audit(
        actor=actor,
        action=AuditAction.DELEGATE_CHECK_IN,
        object_type="voting.delegate",
        object_id=delegate.pk,
        cycle=delegate.conference.cycle,
        after={"user": delegate.user.username},
    )
    return key


@transaction.atomic
def reissue_key(*, actor, delegate: Delegate, reason: str) -> str:
    """A new check-in key for a delegate already checked in (lost phone, another device): its
    own recorded act — who, when, the reason typed — listed in the vote-count minutes. The
    old key is void, every session the delegate had ends on its next request, and the phone's
    device key is forgotten (the new phone records its own)."""
    delegate = Delegate.objects.select_related("conference__cycle__cluster", "user").get(
        pk=delegate.pk
    )
    cycle = delegate.conference.cycle
    require(actor, Action.MANAGE_CONFERENCE, cycle)
    reason = reason.strip()
    if delegate.checked_in_at is None:
        raise StateConflict([Problem("not_checked_in", gettext_noop("Đại biểu chưa điểm danh."))])
    if not reason:
        raise DomainError(
            [
                Problem(
                    "reason_required",
                    gettext_noop("Ghi lý do cấp lại mã (ví dụ: đại biểu đổi điện thoại)."),
                    {},
                    "reason",
                )
            ]
        )
    key = _new_key(delegate)
    delegate.device_key = ""
    delegate.save(update_fields=["login_key_hash", "device_key"])
    User.objects.filter(pk=delegate.user_id).update(session_epoch=F("session_epoch") + 1)
    made = Reissue.objects.create(delegate=delegate, issued_by=recorded_user(actor), reason=reason)
    audit(
        actor=actor,
        action=AuditAction.DELEGATE_REISSUE,
        object_type="voting.delegate",
        object_id=delegate.pk,
        cycle=cycle,
        after={
            "user": delegate.user.username,
            "unit": delegate.unit.code,
            "at": made.issued_at.isoformat(),
            "reason": reason,
        },
    )
    return key


def redeem_join_key(raw_key: str, device_key: str = "") -> Delegate | None:
    """Spend a check-in key: it signs its delegate in once, and records the phone's device
    key (Ed25519, generated in the browser) that every ballot from it must be signed with. A
    photographed or forwarded QR code is worthless afterwards; a delegate who loses the
    session is given a new key. None when the key is unknown, spent (also by a simultaneous
    use), or its user inactive."""
    delegate = selectors.delegate_by_key(normal_key(raw_key))
    if delegate is None or not delegate.user.is_active:
        return None
    spent = Delegate.objects.filter(pk=delegate.pk, login_key_hash=delegate.login_key_hash).update(
        login_key_hash="", device_key=device_key if devices.valid_public_key(device_key) else ""
    )
    return delegate if spent == 1 else None


JOIN_FAILURES_ALLOWED = 10  # wrong keys from one address …
JOIN_WINDOW = timedelta(minutes=10)  # … within this time, then it waits


def join_throttled(address: str) -> bool:
    """Too many wrong keys from this address lately: guessing is slowed to a crawl (50-bit
    keys, 10 tries per 10 minutes)."""
    since = timezone.now() - JOIN_WINDOW
    return JoinFailure.objects.filter(address=address, at__gte=since).count() >= (
        JOIN_FAILURES_ALLOWED
    )


def join_failed(address: str) -> None:
    JoinFailure.objects.create(address=address)
    JoinFailure.objects.filter(at__lt=timezone.now() - 2 * JOIN_WINDOW).delete()


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
    sealed: bool | None = None,
    kept: Mapping[str, str] | None = None,
) -> Poll:
    """A poll copies its rules from the cycle's rule set; candidates default to the members
    the eligibility rules do not find ineligible. A unit they find not eligible is a candidate
    only when chosen with a typed reason (`kept`: unit code → reason), recorded and audited.
    Phone ballots are encrypted to the counting board's key when the board has one (or when
    `sealed` asks for it: refused without a key); `sealed=False` keeps them plain."""
    require(actor, Action.MANAGE_CONFERENCE, conference.cycle)
    return _new_poll(
        actor=actor,
        conference=conference,
        code=code,
        title=title,
        purpose=purpose,
        title_code=title_code,
        candidates=candidates,
        seats=seats,
        kind=kind,
        mode=mode,
        sealed=sealed,
        kept=kept,
    )


def create_score_poll(
    *,
    actor,
    conference: Conference,
    code: str,
    title: str,
    mode: str = Poll.Mode.ELECTRONIC,
    sealed: bool | None = None,
) -> Poll:
    """A score poll (phiếu chấm điểm): every member unit a candidate, scored under the rule
    set's score vote. On phones it is encrypted when the counting board has a key, as every
    electronic poll (docs/score-ballot-crypto.md); `sealed=False` keeps it plain."""
    return create_poll(
        actor=actor,
        conference=conference,
        code=code,
        title=title,
        kind=voting_rules.SCORE,
        mode=mode,
        seats=1,
        sealed=sealed,
    )


def _new_poll(
    *,
    actor,
    conference: Conference,
    code: str,
    title: str,
    purpose: str,
    title_code: str,
    candidates: Sequence[Unit] | None,
    seats: int | None,
    kind: str,
    mode: str,
    sealed: bool | None = None,
    kept: Mapping[str, str] | None = None,
) -> Poll:
    refuse_if(_poll_fields_problems(code, title, purpose, kind, mode))
    cycle = conference.cycle
    members = org_selectors.member_units(cycle)
    ceremony = (
        selectors.ready_ceremony(conference)
        if mode == Poll.Mode.ELECTRONIC and sealed is not False
        else None
    )
    # one flag a year: a unit already nominated for a title that excludes this one (the
    # Government flag, voted first) is not a candidate for it (the Ministry flag)
    instead = (
        selectors.nominated_instead(cycle, selectors.polls_of(conference), title_code)
        if title_code
        else {}
    )
    verdicts = selectors.eligibility(cycle, title_code, members) if purpose == "title" else {}
    refused = {pk for pk, verdict in verdicts.items() if verdict.status == Status.NOT_ELIGIBLE}
    chosen = (
        list(candidates)
        if candidates is not None
        else [unit for unit in members if unit.code not in instead and unit.pk not in refused]
    )
    reasons = {code: " ".join(text.split()) for code, text in (kept or {}).items()}
    kept_reasons = {
        unit.code: reasons[unit.code]
        for unit in chosen
        if unit.pk in refused and reasons.get(unit.code)
    }
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
    problems += [
        Problem(
            "not_eligible",
            gettext_noop(
                "%(unit)s không đủ điều kiện đề nghị danh hiệu này: %(reason)s Chỉ giữ trong "
                "danh sách khi ghi lý do."
            ),
            {"unit": unit.name, "reason": verdicts[unit.pk].reasons[0]},
            f"keep_{unit.code}",
        )
        for unit in chosen
        if unit.pk in refused and unit.code not in kept_reasons
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
    title_rules = {t.code: t for t in voting_rules.titles(cycle.rule_set)}
    if title_code and title_code not in title_rules:
        problems.append(
            Problem(
                "unknown_title",
                gettext_noop("Bộ quy tắc của năm không có danh hiệu mã %(code)s."),
                {"code": title_code},
                "title_code",
            )
        )
    typed_seats = seats is not None  # else the title's quota, which may exceed the candidates
    if seats is None:
        seats = title_rules[title_code].seats if title_code in title_rules else 1
    if seats < 1 or not chosen:
        problems.append(
            Problem("no_seats", gettext_noop("Cần ít nhất một ứng viên và một suất."), {}, "seats")
        )
    elif typed_seats and seats > len(chosen):  # a slip of the keyboard (99 for 7 units)
        problems.append(
            Problem(
                "too_many_seats",
                gettext_noop("Số suất (%(seats)s) nhiều hơn số ứng viên (%(candidates)s)."),
                {"seats": seats, "candidates": len(chosen)},
                "seats",
            )
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
    if sealed and ceremony is None:
        problems.append(
            Problem(
                "no_board_key",
                gettext_noop(
                    "Ban kiểm phiếu chưa có khóa (lễ tạo khóa chưa xong), hoặc đây là phiếu giấy: "
                    "không thể mã hóa phiếu."
                ),
                {},
                "sealed",
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
        ceremony=ceremony,
    )
    Candidate.objects.bulk_create(
        [
            Candidate(
                poll=poll, unit=unit, position=index, kept_reason=kept_reasons.get(unit.code, "")
            )
            for index, unit in enumerate(chosen)
        ]
    )
    audit(
        actor=actor,
        action=AuditAction.POLL_CREATE,
        object_type="voting.poll",
        object_id=poll.pk,
        cycle=cycle,
        after={
            "code": code,
            "title": title,
            "rules": poll.rules,
            "candidates": [u.code for u in chosen],
            "sealed": ceremony.label if ceremony else None,
            # not eligible under the rule set, kept on the ballot for the reason typed
            **({"kept_ineligible": kept_reasons} if kept_reasons else {}),
        },
    )
    return poll


POLL_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _poll_fields_problems(code: str, title: str, purpose: str, kind: str, mode: str) -> list:
    """What a new poll's own fields must be, whoever sends them (the page, the API): its code
    is in its pages' addresses, its kind, purpose and mode are read by every page after."""
    problems = []
    most = Poll._meta.get_field("code").max_length
    if not POLL_CODE.fullmatch(code) or len(code) > most:
        problems.append(
            Problem(
                "bad_poll_code",
                gettext_noop(
                    "Mã cuộc bỏ phiếu chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang "
                    "(ví dụ co-chinh-phu), tối đa %(most)s ký tự."
                ),
                {"most": most},
                "code",
            )
        )
    most = Poll._meta.get_field("title").max_length
    if not title.strip() or len(title) > most:
        problems.append(
            Problem(
                "bad_poll_title",
                gettext_noop("Cần ghi nội dung cuộc bỏ phiếu, tối đa %(most)s ký tự."),
                {"most": most},
                "title",
            )
        )
    for field, value, allowed in (
        ("purpose", purpose, Poll.Purpose.values),
        ("kind", kind, [*core.Kind, voting_rules.SCORE]),
        ("mode", mode, Poll.Mode.values),
    ):
        if value not in allowed:
            problems.append(
                Problem(
                    "bad_choice",
                    gettext_noop("Giá trị “%(value)s” không có trong các lựa chọn."),
                    {"value": value},
                    field,
                )
            )
    return problems


def _locked_poll(poll: Poll) -> Poll:
    return (
        Poll.objects.select_for_update()
        .select_related("conference__cycle__cluster")
        .get(pk=poll.pk)
    )


def _poll_closed() -> StateConflict:
    return StateConflict(
        [Problem("poll_closed", gettext_noop("Phiên bỏ phiếu đã đóng; phiếu không được nhận."))]
    )


def _not_open() -> StateConflict:
    return StateConflict([Problem("poll_not_open", gettext_noop("Cuộc bỏ phiếu không đang mở."))])


@transaction.atomic
def open_poll(*, actor, poll: Poll) -> Poll:
    """Open the box. The electorate is fixed now: every delegate of the conference at this
    moment is an elector of this poll, whatever else their role; anyone added later is not.
    Ballot slots, one per elector, are laid out under random ids so the order of votes never
    shows in the table."""
    poll = _locked_poll(poll)
    cycle = poll.conference.cycle
    require(actor, Action.COUNT_BALLOTS, cycle)
    if poll.status != Poll.Status.DRAFT:
        raise StateConflict(
            [Problem("poll_not_draft", gettext_noop("Cuộc bỏ phiếu đã mở hoặc đã đóng."))]
        )
    delegates = list(poll.conference.delegates.select_related("user", "unit").order_by("pk"))
    if not delegates:
        raise DomainError([Problem("no_delegates", gettext_noop("Hội nghị chưa có đại biểu."))])
    poll.electorate = len(delegates)
    poll.status, poll.opened_at = Poll.Status.OPEN, clock.now()
    if poll.ceremony_id is not None:
        # what phones encrypt is fixed now, with the rules and candidates
        poll.public_key = poll.ceremony.public_key
        poll.form = _sealed_form_of(poll, delegates)
    poll.save(update_fields=["status", "opened_at", "electorate", "public_key", "form"])
    Elector.objects.bulk_create([Elector(poll=poll, delegate=d) for d in delegates])
    if poll.mode == Poll.Mode.ELECTRONIC:
        Ballot.objects.bulk_create(
            [Ballot(poll=poll, id=uuid.uuid4()) for _ in range(poll.electorate)]
        )
    audit(
        actor=actor,
        action=AuditAction.POLL_OPEN,
        object_type="voting.poll",
        object_id=poll.pk,
        cycle=cycle,
        after={
            "electorate": poll.electorate,
            "electors": sorted(f"{d.unit.code}/{d.user.username}" for d in delegates),
            "public_key": poll.public_key or None,
        },
    )
    return poll


def _sealed_form_of(poll: Poll, delegates: Sequence[Delegate]) -> dict:
    """The form phones encrypt: a score poll's has its outputs, and every elector's unit must
    be a candidate (the phone proves it skips it, docs/score-ballot-crypto.md §4)."""
    if not selectors.is_score(poll):
        return core.sealed_form(selectors.core_rules(poll)).to_json()
    rules = selectors.score_rules(poll)
    outsiders = sorted({d.unit.name for d in delegates if d.unit.code not in rules.candidates})
    if outsiders:
        raise DomainError(
            [
                Problem(
                    "elector_not_candidate",
                    gettext_noop(
                        "Đại biểu của %(units)s không thuộc đơn vị ứng viên của cuộc chấm điểm "
                        "mã hóa này: phiếu trên điện thoại không chứng minh được việc không tự "
                        "chấm. Đại biểu đó chấm điểm bằng phiếu giấy; bỏ họ khỏi hội nghị hoặc "
                        "tổ chức cuộc chấm điểm bằng phiếu giấy."
                    ),
                    {"units": ", ".join(outsiders)},
                )
            ]
        )
    form = score_crypto.score_form(rules.candidates, rules.groups, rules.partial)
    return form.to_json()


def _not_elector_problem(poll: Poll, user) -> Exception:
    """Why `user` has no elector row in `poll`: not a delegate here (403), the poll not open
    (409), or added to the conference after the poll opened (409)."""
    delegate = selectors.delegate_for(user, poll.conference)
    if delegate is None:
        return Refused(
            Problem(
                "not_a_delegate_here", gettext_noop("Bạn không phải đại biểu của hội nghị này.")
            )
        )
    if poll.status == Poll.Status.DRAFT:
        return _not_open()
    if poll.status != Poll.Status.OPEN:
        return _poll_closed()
    return StateConflict(
        [
            Problem(
                "not_an_elector",
                gettext_noop(
                    "Bạn được thêm vào hội nghị sau khi cuộc bỏ phiếu này mở, nên không có trong "
                    "danh sách cử tri của nó (%(electorate)s đại biểu, chốt khi mở)."
                ),
                {"electorate": poll.electorate},
            )
        ]
    )


def _already_voted() -> AlreadyVoted:
    return AlreadyVoted(
        [
            Problem(
                "already_voted",
                gettext_noop(
                    "Bạn đã bỏ phiếu trong cuộc bỏ phiếu này; phiếu đã được ghi nhận một lần."
                ),
            )
        ]
    )


# A free slot taken at random: the first free one from a random id on, else the first one;
# each a lookup in the index of free slots (`ballot_free_slot`), the second only when the
# first finds none. {lock} is FOR UPDATE SKIP LOCKED where the database has it.
_FREE_SLOT_OF = (
    "COALESCE(({free} AND id >= %(pivot)s ORDER BY id LIMIT 1{lock}), "
    "({free} ORDER BY id LIMIT 1{lock}))"
)
_FREE = "SELECT id FROM voting_ballot WHERE poll_id = %(poll)s AND NOT filled"
_FREE_SLOT = _FREE_SLOT_OF.format(free=_FREE, lock="")
_FREE_SLOT_SKIP_LOCKED = _FREE_SLOT_OF.format(free=_FREE, lock=" FOR UPDATE SKIP LOCKED")
_FILL_SLOT = (
    "UPDATE voting_ballot SET filled = true, content = {content}, source = %(source)s, "
    "receipt = %(receipt)s WHERE id = {free_slot}"
)
_MARK_ELECTOR = "UPDATE voting_elector SET method = %s, voted_at = %s WHERE id = %s AND method = ''"


def _fill_slot(poll_id: int, content: dict, source: str, receipt: str) -> bool:
    """Put a ballot in a free slot taken at random (the first free one after a random id, in
    one statement, skipping slots others hold); False when no free slot can be taken — the
    box is being closed. Plain SQL: the phones' path (see `cast_at`)."""
    postgres = connection.vendor == "postgresql"
    skip = connection.features.has_select_for_update_skip_locked
    sql = _FILL_SLOT.format(
        content="%(content)s::jsonb" if postgres else "%(content)s",
        free_slot=_FREE_SLOT_SKIP_LOCKED if skip else _FREE_SLOT,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, _slot_params(poll_id, content, source, receipt))
        return cursor.rowcount == 1


def _slot_params(poll_id: int, content: dict, source: str, receipt: str) -> dict:
    pivot = uuid.uuid4()
    return {
        "poll": poll_id,
        "pivot": pivot if connection.vendor == "postgresql" else pivot.hex,
        "content": json.dumps(content),
        "source": source,
        "receipt": receipt,
    }


def _mark_elector(elector_id: int, method: str) -> bool:
    """Mark the elector as voted, if not yet: a WHERE on the row itself, no join (PostgreSQL
    re-checks it after waiting for a simultaneous submit of the same delegate)."""
    voted_at = connection.ops.adapt_datetimefield_value(_minute())
    with connection.cursor() as cursor:
        cursor.execute(_MARK_ELECTOR, (method, voted_at, elector_id))
        return cursor.rowcount == 1


# PostgreSQL takes a cast in one statement, atomic by itself (no BEGIN and COMMIT to wait
# for): lock the elector row if it has not voted yet (a simultaneous second submit waits here,
# then finds it voted), fill a free slot if it was locked, mark the elector if the slot was
# filled. SQLite, which has no writing WITH, runs the same two UPDATEs in one transaction.
_CAST_POSTGRESQL = """
WITH elector AS (
    SELECT id FROM voting_elector WHERE id = %(elector)s AND method = '' FOR UPDATE
), slot AS (
    {fill_slot} AND EXISTS (SELECT 1 FROM elector)
    RETURNING receipt
), marked AS (
    UPDATE voting_elector SET method = %(source)s, voted_at = %(at)s
    WHERE id IN (SELECT id FROM elector) AND EXISTS (SELECT 1 FROM slot)
    RETURNING id
)
SELECT (SELECT count(*) FROM elector), (SELECT receipt FROM slot), (SELECT count(*) FROM marked)
""".format(  # noqa: S608 - constant SQL pieces; the values are parameters
    fill_slot=_FILL_SLOT.format(content="%(content)s::jsonb", free_slot=_FREE_SLOT_SKIP_LOCKED)
)


def _into_the_box(elector_id: int, poll_id: int, content: dict, receipt: str) -> str:
    """Mark the elector and fill a free slot, both or neither; the receipt code. Refused as
    already voted, or as closed when no slot can be taken (the board is closing the box); an
    encrypted ballot already in the box (its tracker, i.e. the same ciphertexts) is refused."""
    try:
        return _fill_and_mark(elector_id, poll_id, content, receipt)
    except IntegrityError:
        raise DomainError(
            [
                Problem(
                    "ballot_replayed",
                    gettext_noop("Phiếu này đã có trong hòm phiếu (bản sao của một phiếu khác)."),
                )
            ]
        ) from None


def _fill_and_mark(elector_id: int, poll_id: int, content: dict, receipt: str) -> str:
    if connection.vendor == "postgresql":
        # one statement, atomic by itself; inside a caller's transaction, under a savepoint,
        # so that a refused copy (a unique violation) leaves that transaction usable
        within = transaction.atomic() if connection.in_atomic_block else nullcontext()
        with within, selectors.hot_cursor() as cursor:
            params = _slot_params(poll_id, content, Elector.Method.ELECTRONIC.value, receipt)
            cursor.execute(_CAST_POSTGRESQL, {**params, "elector": elector_id, "at": _minute()})
            locked, receipt, marked = cursor.fetchone()
        if not locked:
            raise _already_voted()
        if receipt is None or marked != 1:
            raise _poll_closed()
        return receipt
    with transaction.atomic():
        if not _mark_elector(elector_id, Elector.Method.ELECTRONIC):
            voted = Elector.objects.get(pk=elector_id).voted
            raise _already_voted() if voted else _poll_closed()
        if not _fill_slot(poll_id, content, Elector.Method.ELECTRONIC.value, receipt):
            raise _poll_closed()  # rolls the elector row back with it
        return receipt


def _check_signature(cluster, year, poll_code, username, device_key, ballot, signature) -> None:
    if not device_key:
        raise Refused(
            Problem(
                "no_device_key",
                gettext_noop(
                    "Điện thoại chưa có khóa ký phiếu của bạn: mở trang hội nghị trên điện "
                    "thoại với JavaScript được bật, hoặc đến ban kiểm phiếu để được cấp lại mã "
                    "và vào hội nghị trên một điện thoại khác."
                ),
            )
        )
    signed = devices.message(cluster, year, poll_code, username, ballot)
    if not devices.verified(device_key, signed, signature):
        raise Refused(
            Problem(
                "bad_device_signature",
                gettext_noop(
                    "Phiếu không mang chữ ký của điện thoại đã đăng ký cho bạn nên không được "
                    "nhận. Nếu bạn đã đổi điện thoại, đến ban kiểm phiếu để được cấp lại mã."
                ),
            )
        )


def register_device_key(*, actor, conference: Conference, public_key: str) -> Delegate:
    """The phone's device key, on first use when the delegate did not sign in with the QR code
    (which registers it): the first key wins; another phone is refused (409) and sends the
    delegate to the board, whose re-issue of the check-in key forgets the registered one."""
    require(actor, Action.CAST_BALLOT, conference.cycle)
    delegate = selectors.delegate_for(actor, conference)
    if delegate is None:
        raise Refused(
            Problem(
                "not_a_delegate_here", gettext_noop("Bạn không phải đại biểu của hội nghị này.")
            )
        )
    if not devices.valid_public_key(public_key):
        raise DomainError(
            [Problem("bad_device_key", gettext_noop("Khóa thiết bị không hợp lệ."), {}, "key")]
        )
    if delegate.device_key == public_key:
        return delegate
    # the same key twice at once (the phone's next page registers again when it left the
    # first before the reply): the second finds the key stored, which is no other phone
    stored = Delegate.objects.filter(pk=delegate.pk, device_key="").update(device_key=public_key)
    if not stored and not Delegate.objects.filter(pk=delegate.pk, device_key=public_key).exists():
        raise StateConflict(
            [
                Problem(
                    "other_device",
                    gettext_noop(
                        "Một điện thoại khác đã đăng ký bỏ phiếu cho bạn. Nếu không phải bạn, "
                        "báo ngay ban kiểm phiếu để được cấp lại mã."
                    ),
                )
            ]
        )
    delegate.device_key = public_key
    return delegate


def cast(*, actor, poll: Poll, ballot: core.Ballot, signature: str) -> str:
    """Cast `actor`'s ballot in `poll` (by its place: cluster, year, code), signed by the
    delegate's device key (`devices.message`); its receipt code."""
    return cast_at(
        actor=actor,
        cluster=poll.conference.cycle.cluster.code,
        year=poll.conference.cycle.year,
        poll_code=poll.code,
        ballot=ballot,
        signature=signature,
    ).receipt


@dataclass(frozen=True)
class Cast:
    receipt: str
    poll_title: str


def cast_at(
    *,
    actor,
    cluster: str,
    year: int,
    poll_code: str,
    ballot: core.Ballot | devices.Sealed,
    signature: str,
    claim: SessionClaim | None = None,
) -> Cast:
    """One elector, one ballot, signed by the delegate's phone (docs/voting.md). The phones'
    path, in plain SQL and few statements: one read (`selectors.cast_target`) finds the
    elector row with what the cast checks; then the elector is marked as voted (only if not
    yet) and a free slot filled — together or not at all (`_into_the_box`). A ballot not
    signed by the device key registered for the delegate is refused (403): a copied session
    cookie cannot vote. A second submit (two tabs, a retry) is refused as already voted; a
    ballot arriving while the board closes the box is refused as closed (409), never lost.
    Only the ballot's content reaches the box: a plain ballot's choices, or an encrypted
    ballot's ciphertexts once its proofs hold (`_sealed_content`), with its tracker.

    The phone's page passes its session's `claim` (checked here against the user's row, read
    with the elector's) and a lazy `actor`, read only to explain a refusal."""
    user_id = claim.user_id if claim is not None else getattr(actor, "pk", None)
    target = selectors.cast_target(user_id, cluster, year, poll_code)
    if claim is not None and target is not None:
        holds = claim.holds(
            password=target.password,
            session_epoch=target.session_epoch,
            is_active=target.is_active,
        )
        if not holds:
            raise SessionEnded
    if target is None:
        poll = selectors.poll_at(cluster, year, poll_code)
        if poll is None:
            raise Http404
        require(actor, Action.CAST_BALLOT, poll.conference.cycle)
        raise _not_elector_problem(poll, actor)
    decision = decide(Action.CAST_BALLOT, frozenset({Role.DELEGATE}), target.cycle_state)
    if not decision.allowed:
        raise StateConflict([decision.problem])
    if not target.checked_in:
        raise Refused(Problem("not_checked_in", gettext_noop("Đại biểu chưa điểm danh.")))
    if target.poll_mode != Poll.Mode.ELECTRONIC or target.poll_status == Poll.Status.DRAFT:
        raise _not_open()
    if target.poll_status != Poll.Status.OPEN:
        raise _poll_closed()
    if target.voted:
        raise _already_voted()
    if target.public_key:
        content, receipt = _sealed_content(target, cluster, year, poll_code, ballot)
        ballot = devices.Sealed(ballot.data, receipt)
    elif voting_rules.is_score(target.poll_rules):
        ballot = _checked_score(target, ballot)
        content, receipt = _content(ballot), _receipt()
    else:
        if isinstance(ballot, devices.Sealed):
            raise DomainError([not_sealed_problem()])
        if not isinstance(ballot, core.Ballot):
            raise DomainError([wrong_kind_problem()])
        rules = voting_rules.as_core(target.poll_rules, target.candidate_codes)
        problem = core.check(ballot, rules)
        if problem is not None:
            raise DomainError([problem])
        content, receipt = _content(ballot), _receipt()
    _check_signature(
        cluster, year, poll_code, target.username, target.device_key, ballot, signature
    )
    # A poll being closed is caught by its slots, all locked (then replaced) by the close.
    box = _into_the_box(target.elector_id, target.poll_id, content, receipt)
    return Cast(box, target.poll_title)


def _checked_score(target, ballot) -> score_ballots.ScoreBallot:
    """A phone's score ballot with the delegate's own unit (from their delegate record, never
    from the phone), refused with the reason when `core.score_ballots.check` finds it invalid."""
    if not isinstance(ballot, score_ballots.ScoreBallot):
        raise DomainError(
            [
                Problem(
                    "score_expected",
                    gettext_noop("Cuộc bỏ phiếu này nhận phiếu chấm điểm: tải lại trang."),
                )
            ]
        )
    ballot = score_ballots.ScoreBallot(scores=ballot.scores, own_unit=target.unit_code)
    rules = voting_rules.as_score(target.poll_rules, target.candidate_codes)
    problem = score_ballots.check(ballot, rules)
    if problem is not None:
        raise DomainError([selectors.named_problem(problem)])
    return ballot


def wrong_kind_problem() -> Problem:
    return Problem(
        "wrong_ballot_kind",
        gettext_noop("Phiếu nhập không đúng loại phiếu của cuộc bỏ phiếu này."),
    )


def not_sealed_problem() -> Problem:
    return Problem("poll_not_sealed", gettext_noop("Cuộc bỏ phiếu này không dùng phiếu mã hóa."))


def _sealed_content(target, cluster, year, poll_code, ballot) -> tuple[dict, str]:
    """An encrypted ballot's content for the box and its tracker, once every point and proof
    holds (docs/ballot-crypto.md §4); a plain ballot in an encrypted poll is refused."""
    if not isinstance(ballot, devices.Sealed):
        raise DomainError(
            [
                Problem(
                    "sealed_expected",
                    gettext_noop(
                        "Cuộc bỏ phiếu này nhận phiếu mã hóa trên điện thoại: tải lại trang."
                    ),
                )
            ]
        )
    form = selectors.sealed_form(target.form)
    key = bytes.fromhex(target.public_key)
    context = selectors.form_context(key, cluster, year, poll_code, form)
    try:
        parsed = crypto.Ballot.from_json(ballot.data)
        crypto.verify_ballot(context, key, form, parsed)
        tracker = crypto.tracker(context, parsed)
        if isinstance(form, score_crypto.ScoreForm):
            _check_own_unit(context, key, form, parsed, ballot.data, target.unit_code, tracker)
    except crypto.Invalid as error:
        raise DomainError([sealed_problem(error)]) from None
    # only the ciphertexts and their proofs: the own-unit proof names the caster's unit
    return parsed.to_json(), tracker


def _check_own_unit(context, key, form, parsed, data: Mapping, unit: str, tracker: str) -> None:
    """The score ballot skips the caster's unit, from the roll (§4), or it is refused."""
    proof = data.get("own_unit") if isinstance(data, Mapping) else None
    try:
        if not isinstance(proof, Mapping):
            raise crypto.Invalid("own_unit_not_skipped", unit)
        score_crypto.check_own_unit(
            context, key, form, parsed, score_crypto.OwnUnitProof.from_json(proof), unit, tracker
        )
    except crypto.Invalid as error:
        if error.code != "own_unit_not_skipped":
            raise
        raise DomainError(
            [
                Problem(
                    "own_unit_not_skipped",
                    gettext_noop(
                        "Phiếu chấm điểm mã hóa không chứng minh được là bỏ qua đơn vị của "
                        "bạn (không ai tự chấm đơn vị mình) nên không được nhận: tải lại trang."
                    ),
                )
            ]
        ) from None


def sealed_problem(error: crypto.Invalid) -> Problem:
    return Problem(
        "sealed_invalid",
        gettext_noop("Phiếu mã hóa không đúng giao thức (%(code)s %(where)s) nên không được nhận."),
        {"code": error.code, "where": error.where},
    )


@transaction.atomic
def spoil(*, actor, poll: Poll, data: Mapping) -> SpoiledBallot:
    """A delegate challenges an encrypted ballot instead of casting it (cast-as-intended,
    docs/ballot-crypto.md §4): the phone reveals its randomness, the server opens it here —
    code other than the phone's — and publishes it with what it says; it is never counted.
    No record links it to the delegate (not even the audit: what it says is public)."""
    poll = _locked_poll(poll)  # its state now, not as the caller read it
    cycle = poll.conference.cycle
    require(actor, Action.CAST_BALLOT, cycle)
    if selectors.delegate_for(actor, poll.conference) is None:
        raise _not_elector_problem(poll, actor)
    if not poll.sealed or poll.status != Poll.Status.OPEN:
        raise _not_open() if poll.sealed else DomainError([not_sealed_problem()])
    context = selectors.poll_context(poll)
    key = bytes.fromhex(poll.public_key)
    try:
        ballot = crypto.Ballot.from_json(data)
        crypto.verify_ballot(context, key, selectors.sealed_form(poll.form), ballot)
        randomness = [crypto.scalar_from(r, "randomness") for r in data["randomness"]]
        plaintext = crypto.spoiled_plaintext(key, ballot, randomness)
    except crypto.Invalid as error:
        raise DomainError([sealed_problem(error)]) from None
    except (KeyError, TypeError, ValueError):
        raise DomainError([sealed_problem(crypto.Invalid("malformed"))]) from None
    body = {
        "tracker": crypto.tracker(context, ballot),
        **ballot.to_json(),
        "randomness": [crypto.scalar_bytes(r).hex() for r in randomness],
        "plaintext": list(plaintext),
    }
    return SpoiledBallot.objects.create(poll=poll, body=body)


def _minute():
    """Now, to the minute: enough for the delegate's "đã bỏ phiếu lúc 09:42"."""
    return clock.now().replace(second=0, microsecond=0)


@transaction.atomic
def record_written(*, actor, poll: Poll, delegate: Delegate, ballot: core.Ballot) -> str:
    """An absent elector's written opinion, entered by the counting board."""
    poll = _locked_poll(poll)
    require(actor, Action.COUNT_BALLOTS, poll.conference.cycle)
    if poll.status != Poll.Status.OPEN:
        raise _not_open()
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
    elector = Elector.objects.filter(poll=poll, delegate=delegate).first()
    if elector is None:
        raise _not_elector_problem(poll, delegate.user)
    if selectors.is_score(poll):
        raise DomainError(
            [
                Problem(
                    "score_not_written",
                    gettext_noop(
                        "Phiếu chấm điểm không nhận ý kiến bằng văn bản của đại biểu vắng mặt."
                    ),
                )
            ]
        )
    if not isinstance(ballot, core.Ballot):
        raise DomainError([wrong_kind_problem()])
    written = core.Ballot(choices=ballot.choices, answers=ballot.answers, written=True)
    if not _mark_elector(elector.pk, Elector.Method.WRITTEN):
        raise AlreadyVoted([Problem("already_voted", gettext_noop("Đại biểu này đã có phiếu."))])
    if poll.mode == Poll.Mode.ELECTRONIC:
        receipt = _receipt()
        if not _fill_slot(poll.pk, _content(written), "written", receipt):
            raise _poll_closed()
        return receipt
    if poll.mode == Poll.Mode.PAPER:
        entered = PaperEntry.objects.filter(poll=poll).order_by("entry").first()
        if entered is not None:
            refuse_if(_paper_counts(poll, len(entered.ballots), entered.issued, extra_written=1))
    receipt = _receipt()
    Ballot.objects.create(
        poll=poll, filled=True, content=_content(written), source="written", receipt=receipt
    )
    return receipt


def _written(poll: Poll) -> int:
    return Elector.objects.filter(poll=poll, method=Elector.Method.WRITTEN).count()


def _paper_counts(poll: Poll, pile: int, issued: int, extra_written: int = 0) -> list[Problem]:
    """A paper pile as entered against the rule returned ≤ issued ≤ electorate (absent
    electors' written opinions count as issued and returned)."""
    written = _written(poll) + extra_written
    return core.count_problems(
        electorate=poll.electorate, issued=issued + written, returned=pile + written
    )


@transaction.atomic
def save_paper_entry(
    *,
    actor,
    poll: Poll,
    entry: int,
    ballots: Sequence[core.Ballot | score_ballots.ScoreBallot],
    issued: int,
) -> PaperEntry:
    """One of the two independent entries of the pile of paper ballots. A pile that cannot be
    (more ballots than were issued, more issued than there are electors) is refused."""
    poll, _other = _paper_entry_of(actor, poll, entry)
    score = selectors.is_score(poll)
    if any(isinstance(b, score_ballots.ScoreBallot) != score for b in ballots):
        raise DomainError([wrong_kind_problem()])
    refuse_if(_paper_counts(poll, len(ballots), issued))
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


def _paper_entry_of(actor, poll: Poll, entry: int) -> tuple[Poll, PaperEntry | None]:
    """The open paper poll, locked, and the other entry of its pile if any: refused for one
    who may not count, for a poll not open on paper, and for the member who made the other
    entry (the two entries are two members' work)."""
    poll = _locked_poll(poll)
    require(actor, Action.COUNT_BALLOTS, poll.conference.cycle)
    if poll.mode != Poll.Mode.PAPER or poll.status != Poll.Status.OPEN:
        raise _not_open()
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
    return poll, other


@transaction.atomic
def save_score_sheet(
    *, actor, poll: Poll, entry: int, sheet: score_ballots.PaperSheet, issued: int
) -> PaperEntry:
    """One of the two entries of a score poll's paper pile as totals (docs/score-ballot-
    crypto.md §5). The second, by another board member, confirms the first only when every
    figure is the same: a difference is refused naming its cells, and nothing is saved."""
    poll, other = _paper_entry_of(actor, poll, entry)
    if not selectors.is_score(poll):
        raise DomainError([wrong_kind_problem()])
    rules = selectors.score_rules(poll)
    if rules.trimmed:
        raise Refused(
            Problem(
                "sheet_trimmed",
                gettext_noop(
                    "Quy chế tính điểm bình quân bỏ cao nhất, thấp nhất: cần nhập từng phiếu, "
                    "không nhập tổng."
                ),
            )
        )
    refuse_if([selectors.named_problem(p) for p in score_ballots.sheet_problems(sheet, rules)])
    refuse_if(_paper_counts(poll, sheet.returned, issued))
    if other is not None:
        cells = score_ballots.sheet_mismatches(
            score_ballots.PaperSheet.from_json(other.sheet or {}), sheet
        )
        if other.issued != issued:
            cells.insert(0, "issued")
        if cells:
            raise DomainError(
                [
                    Problem(
                        "sheet_mismatch",
                        gettext_noop(
                            "Lần nhập này khác lần nhập trước ở: %(cells)s. Chưa lưu; hai thành "
                            "viên đối chiếu tờ tổng hợp rồi nhập lại."
                        ),
                        {"cells": "; ".join(selectors.sheet_cell(cell) for cell in cells)},
                    )
                ]
            )
    saved, _created = PaperEntry.objects.update_or_create(
        poll=poll,
        entry=entry,
        defaults={
            "entered_by": actor,
            "ballots": [],
            "sheet": sheet.as_json(),
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
    sheets = [entries[1].sheet, entries[2].sheet]
    if sheets != [None, None]:
        # a totals sheet: a differing second entry is refused when typed (`save_score_sheet`)
        if None in sheets:
            return [(0, None, None)]
        first, second = (score_ballots.PaperSheet.from_json(sheet) for sheet in sheets)
        cells = score_ballots.sheet_mismatches(first, second)
        return [(0, None, None)] if cells or entries[1].issued != entries[2].issued else []
    if selectors.is_score(poll):
        first = [score_ballots.ballot_from(content) for content in entries[1].ballots]
        second = [score_ballots.ballot_from(content) for content in entries[2].ballots]
        mismatches = score_ballots.reconcile(first, second)
    else:
        first = [selectors.to_core(content) for content in entries[1].ballots]
        second = [selectors.to_core(content) for content in entries[2].ballots]
        mismatches = core.reconcile(first, second)
    if entries[1].issued != entries[2].issued:
        mismatches.append((0, None, None))
    return mismatches


@transaction.atomic
def close_poll(*, actor, poll: Poll) -> Poll:
    """Close the box and count, for good. Ballots still arriving are either in (their cast
    committed before the box was locked: the board waits for them) or refused with "phiên bỏ
    phiếu đã đóng": every slot is locked first, so no cast can fill one afterwards. Paper
    ballots count only when both entries agree. A count that cannot be (more returned than
    issued, more issued than electors, ballots ≠ voters) makes the poll void, with the reason
    kept, and the board offers a re-vote; otherwise the result is frozen. The ballots are then
    rewritten in a fresh random order, together, in this one transaction."""
    poll = _locked_poll(poll)
    cycle = poll.conference.cycle
    require(actor, Action.COUNT_BALLOTS, cycle)
    if poll.status != Poll.Status.OPEN:
        raise _not_open()
    # wait for the casts holding a slot, and hold every slot: nothing is filled after this
    kept = list(
        Ballot.objects.select_for_update()
        .filter(poll=poll)
        .order_by("id")
        .values("filled", "content", "source", "receipt")
    )
    kept = [row for row in kept if row.pop("filled")]
    written = [row for row in kept if row["source"] == Elector.Method.WRITTEN]
    pile = []
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
        pile = entry.ballots
        issued, voters = entry.issued + len(written), None
        if entry.sheet is not None:  # a score poll's pile entered as totals: kept as such
            poll.paper = entry.sheet
    else:
        present = Elector.objects.filter(poll=poll, delegate__checked_in_at__isnull=False)
        issued = present.count() + len(written)
        voters = Elector.objects.filter(poll=poll).exclude(method="").count()
    phone = [row for row in kept if row["source"] == Elector.Method.ELECTRONIC]
    if selectors.is_score(poll):
        # paper score ballots are kept ballot by ballot, as phones' are: a trimmed mean and
        # `thidua verify` need every ballot's scores
        # (each with a receipt nobody holds, so that the record's receipts count its ballots)
        paper = [
            {"content": c, "source": Elector.Method.PAPER, "receipt": _receipt()} for c in pile
        ]
        _reshuffle(poll, phone + paper)
        poll.closed_at = clock.now()
        if poll.sealed:
            return _seal_box(actor, poll, phone, issued=issued, voters=voters)
        return _count_score(
            actor, poll, phone + paper, issued=issued, voters=voters, totals=_sheet_totals(poll)
        )
    poll.paper = _paper_totals(poll, pile, written)
    # a written opinion keeps its receipt, not what it says: its totals are in `poll.paper`
    _reshuffle(poll, phone + [{**row, "content": None} for row in written])
    poll.closed_at = clock.now()
    if poll.sealed:
        return _seal_box(actor, poll, phone, issued=issued, voters=voters)
    return _count(actor, poll, phone, issued=issued, voters=voters)


def _paper_totals(poll: Poll, pile: list[dict], written: list[dict]) -> dict | None:
    """The paper ballots and written opinions by their totals: the only form they are kept
    in once the box is closed, and published in (one row each would let an absent
    delegate's known opinion, or an unusual pattern on paper, be read as a signature)."""
    if poll.mode != Poll.Mode.PAPER and not written:
        return None
    ballots = [selectors.to_core(content or {}) for content in pile] + [
        selectors.to_core(row["content"] or {}, written=True) for row in written
    ]
    totals = core.totals_of(ballots, selectors.core_rules(poll))
    return {**totals.as_json(), "written": len(written)}


def _sheet_totals(poll: Poll) -> list[score_ballots.ScoreTotals]:
    """A score poll's paper pile as the board entered it in totals, to add to the tally."""
    if poll.paper is None:
        return []
    return [score_ballots.PaperSheet.from_json(poll.paper).totals()]


def _seal_box(actor, poll: Poll, kept: list[dict], *, issued: int, voters: int | None) -> Poll:
    """An encrypted poll's box is closed: its phone ballots are summed per selection, and
    the counting board decrypts the sums (`ceremony.decrypt`), nothing else. A box without
    phone ballots has nothing to decrypt and is counted at once."""
    phone = [crypto.Ballot.from_json(row["content"]) for row in kept]
    selections = len(poll.form["selections"])
    sums = crypto.combine(phone, selections) if phone else ()
    poll.sealed_tally = {
        "ballots": len(phone),
        "sums": [[s.alpha.hex(), s.beta.hex()] for s in sums],
        "issued": issued,
        "voters": voters,
    }
    form = selectors.sealed_form(poll.form)
    if isinstance(form, score_crypto.ScoreForm):
        # the roll's count of phone ballots per unit: anyone checks each unit was skipped
        # as often (§4); it links no ballot to anyone
        poll.sealed_tally["cast_by_unit"] = selectors.cast_by_unit(poll)
    if not phone:
        outputs = len(form.outputs) if isinstance(form, score_crypto.ScoreForm) else selections
        return finish_sealed_count(actor=actor, poll=poll, counts=(0,) * outputs)
    poll.status = Poll.Status.COUNTING
    poll.save(update_fields=["status", "closed_at", "sealed_tally", "paper"])
    audit(
        actor=actor,
        action=AuditAction.POLL_SEAL,
        object_type="voting.poll",
        object_id=poll.pk,
        cycle=poll.conference.cycle,
        after={"ballots": len(phone), "sums": poll.sealed_tally["sums"]},
    )
    return poll


def finish_sealed_count(*, actor, poll: Poll, counts) -> Poll:
    """The decrypted counts of an encrypted poll, counted with its written opinions' totals
    under the poll's rules, as any other poll."""
    poll.sealed_tally = {**poll.sealed_tally, "counts": list(counts)}
    form = selectors.sealed_form(poll.form)
    tally = poll.sealed_tally
    if isinstance(form, score_crypto.ScoreForm):
        # the phones' ballots by the decrypted outputs, the paper pile ballot by ballot
        totals = score_crypto.decrypted_scores(form, tally["ballots"], counts).totals()
        paper = Ballot.objects.filter(poll=poll, filled=True, source=Elector.Method.PAPER)
        rows = list(paper.order_by("id").values("content"))
        return _count_score(
            actor,
            poll,
            rows,
            issued=tally["issued"],
            voters=tally["voters"],
            totals=[totals, *_sheet_totals(poll)],
        )
    sealed = core.sealed_counts(form, counts, tally["ballots"])
    return _count(actor, poll, [], issued=tally["issued"], voters=tally["voters"], sealed=sealed)


def _count(actor, poll: Poll, phone, *, issued: int, voters: int | None, sealed=None) -> Poll:
    """Freeze the tally of the plain phone ballots, the paper totals and the decrypted sums,
    or void the poll when its counts cannot be."""
    rules = selectors.core_rules(poll)
    ballots = [selectors.to_core(row["content"] or {}) for row in phone]
    totals = [core.Totals.from_json(poll.paper)] if poll.paper else []
    if sealed is not None:
        totals.append(sealed)
    result = core.tally(ballots, rules, electorate=poll.electorate, issued=issued, totals=totals)
    impossible = core.count_problems(
        electorate=poll.electorate, issued=issued, returned=result.returned, voters=voters
    )
    poll.result = core.stored_result(result, rules)
    _settle(actor, poll, impossible)
    if poll.status == Poll.Status.CLOSED and poll.purpose == Poll.Purpose.TITLE:
        _propose(actor, poll.conference)
    return poll


def _settle(actor, poll: Poll, impossible: Sequence[Problem]) -> None:
    """Close the counted poll, or void it with the reasons its counts cannot be (no winners,
    no runoff); saved and audited either way."""
    if impossible:
        poll.status = Poll.Status.VOID
        poll.result = {
            **poll.result,
            "winners": [],
            "runoff": None,
            "void": [{"code": p.code, "params": dict(p.params)} for p in impossible],
        }
    else:
        poll.status = Poll.Status.CLOSED
    poll.save(update_fields=["status", "closed_at", "result", "sealed_tally", "paper"])
    audit(
        actor=actor,
        action=AuditAction.POLL_VOID if impossible else AuditAction.POLL_CLOSE,
        object_type="voting.poll",
        object_id=poll.pk,
        cycle=poll.conference.cycle,
        after=poll.result,
    )


def _count_score(actor, poll: Poll, rows, *, issued: int, voters: int | None, totals=()) -> Poll:
    """Freeze a score poll's tally (`core.score_ballots.tally`, with an encrypted box's
    decrypted `totals`) and, where the rule set has titles follow the ranking, its
    nominations; void when the counts cannot be."""
    rules = selectors.score_rules(poll)
    result = score_ballots.tally(
        [score_ballots.ballot_from(row["content"] or {}) for row in rows], rules, totals=totals
    )
    impossible = core.count_problems(
        electorate=poll.electorate, issued=issued, returned=result.returned, voters=voters
    )
    poll.result = {
        **score_ballots.stored_result(result, rules),
        "electorate": poll.electorate,
        "issued": issued,
        "winners": [],
        "runoff": None,
    }
    if not impossible and poll.rules.get("titles") == score_ballots.TitlesMode.RANKING:
        poll.result["nominations"] = selectors.score_nominations(poll, result)
    _settle(actor, poll, impossible)
    if poll.status == Poll.Status.CLOSED and "nominations" in poll.result:
        _propose(actor, poll.conference)
    return poll


def _propose(actor, conference: Conference) -> None:
    """The conference's counted title votes become proposals in the register of titles: each
    title whose vote is complete (all rounds) and that no title rule refuses (quota, one flag
    a year, leading the cluster)."""
    cycle = conference.cycle
    polls = selectors.polls_of(conference)
    refused = {problem.field for problem in selectors.nomination_problems(cycle, polls)}
    nominees = {
        code: winners
        for code, winners in selectors.nominees_by_title(polls).items()
        if code not in refused and winners
    }
    if not nominees:
        return
    units = {unit.code: unit for unit in org_selectors.member_units(cycle)}
    data = (cycle.rule_set.data or {}).get("voting") or {}
    titles = {item["code"]: item for item in data.get("titles", [])}
    register.propose_from_conference(
        actor=actor,
        cycle=cycle,
        nominees={
            code: [units[unit] for unit in winners if unit in units]
            for code, winners in nominees.items()
        },
        titles=titles,
    )


def _reshuffle(poll: Poll, kept: list[dict]) -> None:
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
    return _next_round(actor, poll, [units[code] for code in runoff["candidates"]], runoff["seats"])


def _next_round(actor, poll: Poll, candidates: list[Unit], seats: int) -> Poll:
    number = poll.runoffs.count() + 2
    new = _new_poll(
        actor=actor,
        conference=poll.conference,
        code=f"{poll.code}-{number}"[:40],
        title=f"{poll.title} (vòng {number})",
        purpose=poll.purpose,
        title_code=poll.title_code,
        candidates=candidates,
        seats=seats,
        kind=poll.rules.get("kind", "choice"),
        mode=poll.mode,
        sealed=poll.ceremony_id is not None,
        # a unit kept on the first round's ballot for a typed reason stays for the same one
        kept={c.unit.code: c.kept_reason for c in poll.candidates.all() if c.kept_reason},
    )
    new.rules = {**poll.rules, "seats": seats}
    new.runoff_of = poll
    new.save(update_fields=["rules", "runoff_of"])
    return new


@transaction.atomic
def revote(*, actor, poll: Poll, reason: str) -> Poll:
    """After a void count, the counting board has the vote held again: a new round with the
    same candidates, seats and rules. What this does with the ballots already cast: those of
    the void round stay apart, published with the reason and never counted; every elector of
    the void round votes again in the new round, whose electorate is fixed when it opens. A
    counted poll is never reopened: its result stands."""
    poll = _locked_poll(poll)
    require(actor, Action.COUNT_BALLOTS, poll.conference.cycle)
    reason = reason.strip()
    if poll.status != Poll.Status.VOID:
        raise StateConflict(
            [
                Problem(
                    "not_void",
                    gettext_noop(
                        "Chỉ bỏ phiếu lại khi kiểm phiếu không hợp lệ; kết quả đã kiểm là cuối "
                        "cùng, cuộc bỏ phiếu không mở lại."
                    ),
                )
            ]
        )
    if poll.runoffs.exists():
        raise StateConflict(
            [Problem("revote_exists", gettext_noop("Cuộc bỏ phiếu này đã được bỏ phiếu lại."))]
        )
    if not reason:
        raise DomainError(
            [
                Problem(
                    "reason_required",
                    gettext_noop("Ghi lý do bỏ phiếu lại (ban kiểm phiếu)."),
                    {},
                    "reason",
                )
            ]
        )
    candidates = [c.unit for c in poll.candidates.select_related("unit")]
    new = _next_round(actor, poll, candidates, int(poll.rules["seats"]))
    audit(
        actor=actor,
        action=AuditAction.POLL_REVOTE,
        object_type="voting.poll",
        object_id=poll.pk,
        cycle=poll.conference.cycle,
        after={"poll": poll.code, "revote": new.code, "reason": reason},
    )
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
