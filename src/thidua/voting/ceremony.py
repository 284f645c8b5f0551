"""Writes of the counting board's key ceremony and of decrypting an encrypted poll's sums
(docs/ballot-crypto.md §2 and §5).

The server only relays: each member's own device draws the secrets, and what arrives here
is checked with the protocol's proofs before it is kept. Nobody, the operator included, can
decrypt a single ballot; the totals come out when k members have each published their part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import contextmanager

from django.db import transaction

from thidua.audit.services import record as audit
from thidua.core import ballot_crypto as crypto
from thidua.core import score_crypto
from thidua.core.messages import Problem, gettext_noop
from thidua.core.policy import Action
from thidua.core.record import AuditAction
from thidua.errors import DomainError, Refused, StateConflict
from thidua.org.authz import require
from thidua.voting import selectors, services
from thidua.voting.models import (
    Conference,
    Decryption,
    Delegate,
    KeyCeremony,
    Poll,
    Trustee,
    TrusteeComplaint,
    TrusteeMessage,
)

Status = KeyCeremony.Status


def _refused(rule: str, message: str, **params) -> DomainError:
    return DomainError([Problem(rule, message, params)])


def _wrong_step(ceremony: KeyCeremony) -> StateConflict:
    return StateConflict(
        [
            Problem(
                "ceremony_wrong_step",
                gettext_noop("Lễ tạo khóa đang ở bước “%(step)s”: việc này không làm lúc này."),
                {"step": ceremony.get_status_display()},
            )
        ]
    )


def _invalid(error: crypto.Invalid) -> DomainError:
    return _refused(
        "ceremony_invalid",
        gettext_noop("Dữ liệu không đúng giao thức (%(code)s %(where)s): không được nhận."),
        code=error.code,
        where=error.where,
    )


@contextmanager
def _by_the_protocol():
    """What a member's device sent, parsed and checked: a break is refused, with the rule."""
    try:
        yield
    except crypto.Invalid as error:
        raise _invalid(error) from None
    except (KeyError, TypeError, ValueError, AttributeError):
        raise _invalid(crypto.Invalid("malformed")) from None


@transaction.atomic
def start_ceremony(
    *, actor, conference: Conference, trustees: Sequence[Delegate], threshold: int
) -> KeyCeremony:
    """The board's members, numbered in the order given, and how many of them decrypt."""
    cycle = conference.cycle
    require(actor, Action.MANAGE_CONFERENCE, cycle)
    problems = []
    if any(d.conference_id != conference.pk or not d.board for d in trustees):
        problems.append(
            Problem(
                "not_on_board",
                gettext_noop("Chỉ thành viên ban kiểm phiếu giữ khóa."),
                {},
                "trustees",
            )
        )
    if len({d.pk for d in trustees}) != len(trustees) or not 1 <= threshold <= len(trustees):
        problems.append(
            Problem(
                "bad_threshold",
                gettext_noop("Cần k trong n thành viên khác nhau, với 1 ≤ k ≤ n."),
                {},
                "threshold",
            )
        )
    if selectors.live_ceremony(conference) is not None:
        problems.append(
            Problem(
                "ceremony_exists",
                gettext_noop("Ban kiểm phiếu đã có một lễ tạo khóa chưa kết thúc hoặc đã xong."),
            )
        )
    if problems:
        raise DomainError(problems)
    attempt = KeyCeremony.objects.filter(conference=conference).count() + 1
    ceremony = KeyCeremony.objects.create(
        conference=conference,
        label=f"{cycle.cluster.code}-{cycle.year}-{attempt}",
        members=len(trustees),
        threshold=threshold,
    )
    Trustee.objects.bulk_create(
        [
            Trustee(ceremony=ceremony, index=index, delegate=delegate)
            for index, delegate in enumerate(trustees, start=1)
        ]
    )
    audit(
        actor=actor,
        action=AuditAction.CEREMONY_START,
        object_type="voting.keyceremony",
        object_id=ceremony.pk,
        cycle=cycle,
        after={
            "label": ceremony.label,
            "members": ceremony.members,
            "threshold": threshold,
            "trustees": [d.user.username for d in trustees],
        },
    )
    return ceremony


def context_of(ceremony: KeyCeremony) -> bytes:
    cycle = ceremony.conference.cycle
    return crypto.ceremony_context(
        cycle.cluster.code, cycle.year, ceremony.label, ceremony.members, ceremony.threshold
    )


def _my_place(actor, ceremony: KeyCeremony) -> Trustee:
    require(actor, Action.COUNT_BALLOTS, ceremony.conference.cycle)
    trustee = (
        Trustee.objects.select_for_update().filter(ceremony=ceremony, delegate__user=actor).first()
    )
    if trustee is None:
        raise Refused(
            Problem("not_a_trustee", gettext_noop("Bạn không giữ phần khóa trong lễ này."))
        )
    return trustee


def _locked(ceremony: KeyCeremony) -> KeyCeremony:
    return (
        KeyCeremony.objects.select_for_update()
        .select_related("conference__cycle__cluster")
        .get(pk=ceremony.pk)
    )


def _step(actor, ceremony: KeyCeremony, step: str, trustee: Trustee, after=None) -> None:
    audit(
        actor=actor,
        action=AuditAction.CEREMONY_STEP,
        object_type="voting.keyceremony",
        object_id=ceremony.pk,
        cycle=ceremony.conference.cycle,
        after={"step": step, "trustee": trustee.index, **(after or {})},
    )


@transaction.atomic
def announce(*, actor, ceremony: KeyCeremony, announcement: Mapping) -> Trustee:
    """Step 1: the member's communication key and commitments, with their proofs."""
    ceremony = _locked(ceremony)
    trustee = _my_place(actor, ceremony)
    if ceremony.status != Status.ANNOUNCING or trustee.announcement is not None:
        raise _wrong_step(ceremony)
    context = context_of(ceremony)
    with _by_the_protocol():
        parsed = crypto.Announcement.from_json(announcement)
        if parsed.index != trustee.index:
            raise crypto.Invalid("wrong_index", "index")
        crypto.check_announcement(context, ceremony.threshold, parsed)
    trustee.announcement = parsed.to_json()
    trustee.fingerprint = crypto.member_fingerprint(context, parsed)
    trustee.save(update_fields=["announcement", "fingerprint"])
    _step(actor, ceremony, "announce", trustee, {"fingerprint": trustee.fingerprint})
    if not ceremony.trustees.filter(announcement__isnull=True).exists():
        ceremony.status = Status.SHARING
        ceremony.save(update_fields=["status"])
    return trustee


@transaction.atomic
def send_shares(*, actor, ceremony: KeyCeremony, messages: Sequence[Mapping]) -> Trustee:
    """Step 2: one encrypted share for every other member, all at once."""
    ceremony = _locked(ceremony)
    trustee = _my_place(actor, ceremony)
    if ceremony.status != Status.SHARING:
        raise _wrong_step(ceremony)
    if TrusteeMessage.objects.filter(ceremony=ceremony, sender=trustee.index).exists():
        raise _wrong_step(ceremony)
    others = {i for i in range(1, ceremony.members + 1) if i != trustee.index}
    with _by_the_protocol():
        parsed = [crypto.ShareMessage.from_json(m) for m in messages]
    if sorted(m.recipient for m in parsed) != sorted(others) or any(
        m.sender != trustee.index for m in parsed
    ):
        raise _invalid(crypto.Invalid("shares_incomplete", "messages"))
    TrusteeMessage.objects.bulk_create(
        [
            TrusteeMessage(
                ceremony=ceremony, sender=m.sender, recipient=m.recipient, body=m.to_json()
            )
            for m in parsed
        ]
    )
    _step(actor, ceremony, "shares", trustee)
    expected = ceremony.members * (ceremony.members - 1)
    if TrusteeMessage.objects.filter(ceremony=ceremony).count() == expected:
        ceremony.status = Status.CHECKING
        ceremony.save(update_fields=["status"])
    return trustee


@transaction.atomic
def file_complaint(*, actor, ceremony: KeyCeremony, complaint: Mapping) -> TrusteeComplaint:
    """A member whose share from another does not check: anyone can see who is at fault.
    Upheld, the ceremony fails and is run again; unfounded, it goes on."""
    ceremony = _locked(ceremony)
    trustee = _my_place(actor, ceremony)
    if ceremony.status != Status.CHECKING:
        raise _wrong_step(ceremony)
    announcements = selectors.announcements(ceremony)
    with _by_the_protocol():
        parsed = crypto.Complaint.from_json({**complaint, "from": trustee.index})
        message = TrusteeMessage.objects.filter(
            ceremony=ceremony, sender=parsed.sender, recipient=trustee.index
        ).first()
        if message is None:
            raise crypto.Invalid("unknown_member", "against")
        upheld = crypto.complaint_upheld(
            context_of(ceremony),
            announcements[parsed.sender],
            announcements[trustee.index],
            crypto.ShareMessage.from_json(message.body),
            parsed,
        )
    filed = TrusteeComplaint.objects.create(
        ceremony=ceremony, body={**parsed.to_json(), "upheld": upheld}, upheld=upheld
    )
    _step(actor, ceremony, "complaint", trustee, {"against": parsed.sender, "upheld": upheld})
    if upheld:
        ceremony.status = Status.FAILED
        ceremony.save(update_fields=["status"])
        audit(
            actor=actor,
            action=AuditAction.CEREMONY_FAIL,
            object_type="voting.keyceremony",
            object_id=ceremony.pk,
            cycle=ceremony.conference.cycle,
            after={"label": ceremony.label, "at_fault": parsed.sender},
        )
    return filed


@transaction.atomic
def confirm(*, actor, ceremony: KeyCeremony, verification_key: str) -> Trustee:
    """Step 3: the member's device opened and checked every share it received and computed
    its key share; the member compared every fingerprint with the one read aloud. The last
    confirmation makes the key ready: its fingerprint goes on the minutes."""
    ceremony = _locked(ceremony)
    trustee = _my_place(actor, ceremony)
    if ceremony.status != Status.CHECKING or trustee.confirmed:
        raise _wrong_step(ceremony)
    announcements = selectors.announcements(ceremony)
    expected = crypto.verification_key(list(announcements.values()), trustee.index)
    if verification_key != expected.hex():
        raise _refused(
            "wrong_key_share",
            gettext_noop(
                "Phần khóa của bạn không khớp các cam kết đã công bố: đừng xác nhận; báo cho "
                "ban kiểm phiếu."
            ),
        )
    trustee.confirmed = True
    trustee.save(update_fields=["confirmed"])
    _step(actor, ceremony, "confirm", trustee)
    if not ceremony.trustees.filter(confirmed=False).exists():
        key = crypto.joint_key(list(announcements.values()))
        ceremony.public_key = key.hex()
        ceremony.key_fingerprint = crypto.key_fingerprint(context_of(ceremony), key)
        ceremony.status = Status.READY
        ceremony.save(update_fields=["public_key", "key_fingerprint", "status"])
        audit(
            actor=actor,
            action=AuditAction.CEREMONY_READY,
            object_type="voting.keyceremony",
            object_id=ceremony.pk,
            cycle=ceremony.conference.cycle,
            after={
                "label": ceremony.label,
                "public_key": ceremony.public_key,
                "key_fingerprint": ceremony.key_fingerprint,
                "fingerprints": {
                    str(t.index): t.fingerprint for t in ceremony.trustees.order_by("index")
                },
            },
        )
    return trustee


@transaction.atomic
def decrypt(*, actor, poll: Poll, partial: Mapping, turnout: int) -> Decryption:
    """A member's part of the decryption of a closed encrypted poll. The member typed the
    hall's turnout count: their device refuses to go on when the board's ballots differ, and
    so does the server. With k parts the counts come out and the poll is counted as usual."""
    poll = (
        Poll.objects.select_for_update()
        .select_related("conference__cycle__cluster")
        .get(pk=poll.pk)
    )
    ceremony = poll.ceremony
    trustee = _my_place(actor, ceremony)
    if poll.status != Poll.Status.COUNTING:
        raise StateConflict(
            [Problem("poll_not_counting", gettext_noop("Cuộc bỏ phiếu không chờ giải mã."))]
        )
    sealed = poll.sealed_tally
    if turnout != sealed["ballots"]:
        raise _refused(
            "turnout_mismatch",
            gettext_noop(
                "Số phiếu trên bảng (%(board)s) khác số đại biểu đã bỏ phiếu điện tử do bạn nhập "
                "(%(typed)s): dừng lại và báo ban kiểm phiếu."
            ),
            board=sealed["ballots"],
            typed=turnout,
        )
    if Decryption.objects.filter(poll=poll, trustee=trustee).exists():
        raise _wrong_step(ceremony)
    context = selectors.poll_context(poll)
    sums = selectors.decrypted_sums(poll)
    announcements = selectors.announcements(ceremony)
    with _by_the_protocol():
        parsed = crypto.Partial.from_json({**partial, "member": trustee.index})
        crypto.check_partial(
            context,
            crypto.verification_key(list(announcements.values()), trustee.index),
            sums,
            parsed,
        )
    decryption = Decryption.objects.create(
        poll=poll, trustee=trustee, body=parsed.to_json(), turnout_typed=turnout
    )
    audit(
        actor=actor,
        action=AuditAction.POLL_DECRYPT,
        object_type="voting.poll",
        object_id=poll.pk,
        cycle=poll.conference.cycle,
        after={"trustee": trustee.index, "turnout": turnout},
    )
    parts = [crypto.Partial.from_json(d.body) for d in poll.decryptions.all()]
    if len(parts) >= ceremony.threshold:
        form = selectors.sealed_form(poll.form)
        if isinstance(form, score_crypto.ScoreForm):
            counts = score_crypto.output_counts(
                form, selectors.sealed_sums(poll), parts, ceremony.threshold, sealed["ballots"]
            )
        else:
            counts = crypto.counts(sums, parts, ceremony.threshold, sealed["ballots"])
        services.finish_sealed_count(actor=actor, poll=poll, counts=counts)
    return decryption
