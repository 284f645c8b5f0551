"""The counting board's devices and the delegates' phones for encrypted polls, played in
Python with the protocol's reference code (thidua.core.ballot_crypto), as the browser code
plays them on the day: secrets stay here, only what the protocol publishes goes through the
services."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.voting import phones
from thidua.core import ballot_crypto as crypto
from thidua.core import score_crypto
from thidua.voting import ceremony as board
from thidua.voting import devices, selectors, services
from thidua.voting.models import KeyCeremony, Poll

#: The counting board of the encrypted score-poll tests (three delegates, 2 of 3 decrypt).
SCORE_BOARD = ("laocai.daibieu", "sonla.daibieu", "caobang.daibieu")
#: The score each unit gets on those tests' ballots, unless a ballot says otherwise.
SCORE_BASE = {
    "ha-giang": 90,
    "lao-cai": 90,
    "cao-bang": 80,
    "lai-chau": 70,
    "lang-son": 60,
    "son-la": 50,
    "dien-bien": 40,
}


@dataclass
class Member:
    """One board member's own device."""

    user: object
    index: int
    secret: crypto.MemberSecret | None = None
    received: dict[int, int] = field(default_factory=dict)
    share: int | None = None


def run_ceremony(secretary, conference, users, threshold=2) -> tuple[KeyCeremony, list[Member]]:
    """Start, announce, share, check and confirm: a ready key."""
    delegates = [selectors.delegate_for(user, conference) for user in users]
    ceremony = board.start_ceremony(
        actor=secretary, conference=conference, trustees=delegates, threshold=threshold
    )
    context = board.context_of(ceremony)
    members = [Member(user, index) for index, user in enumerate(users, start=1)]
    for member in members:
        member.secret, announcement = crypto.new_member(context, member.index, threshold)
        board.announce(actor=member.user, ceremony=ceremony, announcement=announcement.to_json())
    published = selectors.announcements(ceremony)
    for member in members:
        messages = [
            crypto.share_for(context, member.secret, published[other.index]).to_json()
            for other in members
            if other is not member
        ]
        board.send_shares(actor=member.user, ceremony=ceremony, messages=messages)
    for member in members:
        receive(ceremony, member)
        verification = crypto.base(member.share).hex()
        board.confirm(actor=member.user, ceremony=ceremony, verification_key=verification)
    ceremony.refresh_from_db()
    return ceremony, members


def receive(ceremony: KeyCeremony, member: Member) -> None:
    context = board.context_of(ceremony)
    published = selectors.announcements(ceremony)
    for message in ceremony.messages.filter(recipient=member.index):
        parsed = crypto.ShareMessage.from_json(message.body)
        opened = crypto.open_share(context, member.secret, published[parsed.sender], parsed)
        assert opened is not None, f"share {parsed.sender}→{member.index} does not check"
        member.received[parsed.sender] = opened
    member.share = crypto.key_share(member.secret, member.received)


def encrypt(poll: Poll, bits) -> tuple[crypto.Ballot, tuple[int, ...]]:
    poll.refresh_from_db()
    form = selectors.sealed_form(poll.form)
    return crypto.encrypt_ballot(
        selectors.poll_context(poll), bytes.fromhex(poll.public_key), form, bits
    )


def sealed_for(user, poll: Poll, bits) -> tuple[dict, str]:
    """The ballot a phone sends (JSON) and the signature over its tracker."""
    ballot, _ = encrypt(poll, bits)
    tracker = crypto.tracker(selectors.poll_context(poll), ballot)
    sealed = devices.Sealed(ballot.to_json(), tracker)
    return sealed.data, phones.signature(user, poll, sealed)


def cast(user, poll: Poll, bits) -> str:
    data, signature = sealed_for(user, poll, bits)
    return services.cast(actor=user, poll=poll, ballot=devices.Sealed(data), signature=signature)


def decrypt(member: Member, poll: Poll, turnout: int | None = None):
    poll.refresh_from_db()
    sums = selectors.decrypted_sums(poll)  # a score poll's: its outputs
    partial = crypto.partial_decrypt(selectors.poll_context(poll), member.index, member.share, sums)
    return board.decrypt(
        actor=member.user,
        poll=poll,
        partial=partial.to_json(),
        turnout=poll.sealed_tally["ballots"] if turnout is None else turnout,
    )


def score_ballot(user, poll: Poll, scores, unit: str | None = None) -> tuple[dict, str]:
    """A phone's encrypted score ballot (scores: candidate → one score per group, the own
    unit absent) with its own-unit proof for `unit` (the user's unit unless given), and the
    signature over its tracker."""
    form = selectors.sealed_form(poll.form)
    ballot, nonces = encrypt(poll, score_crypto.score_bits(form, scores))
    context = selectors.poll_context(poll)
    key = bytes.fromhex(poll.public_key)
    proof = score_crypto.prove_own_unit(context, key, form, ballot, nonces, unit or user.unit.code)
    tracker = crypto.tracker(context, ballot)
    data = {**ballot.to_json(), "own_unit": proof.to_json()}
    return data, phones.signature(user, poll, devices.Sealed(data, tracker))


def cast_scores(user, poll: Poll, scores) -> str:
    data, signature = score_ballot(user, poll, scores)
    return services.cast(actor=user, poll=poll, ballot=devices.Sealed(data), signature=signature)
