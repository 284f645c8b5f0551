"""Check a whole transcript of encrypted polls (docs/ballot-crypto.md, "Verifying").

The checks run in the order the specification lists and stop at the first failure, reported
as a rule code and the place (a path into the transcript), so that two independent verifiers
can be compared on the same tampered file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from thidua.core import ballot_crypto as bc
from thidua.core import score_crypto as sc


@dataclass(frozen=True)
class Failure:
    code: str
    where: str

    def to_json(self) -> dict:
        return {"valid": False, "code": self.code, "where": self.where}


class _Stop(Exception):
    def __init__(self, code: str, where: str):
        self.failure = Failure(code, where)


def verify_transcript(data: Mapping) -> Failure | None:
    """None when the transcript holds; else the first rule it breaks and where."""
    try:
        _verify(data)
    except _Stop as stop:
        return stop.failure
    except (KeyError, TypeError, ValueError, AttributeError):
        return Failure("malformed", "")  # a field of the transcript itself
    return None


def _at(where: str, check, *args):
    """Run a check of ballot_crypto, turning its `Invalid` into a failure at `where`."""
    try:
        return check(*args)
    except bc.Invalid as error:
        raise _Stop(error.code, where) from None
    except (KeyError, TypeError, ValueError, AttributeError):
        raise _Stop("malformed", where) from None


def _verify(data: Mapping) -> None:
    if data.get("protocol") != bc.PROTOCOL:
        raise _Stop("wrong_protocol", "protocol")
    ceremony = data.get("ceremony")
    if not isinstance(ceremony, Mapping):
        raise _Stop("malformed", "ceremony")
    context = _at(
        "ceremony",
        bc.ceremony_context,
        data["cluster"],
        int(data["year"]),
        ceremony["label"],
        int(ceremony["members"]),
        int(ceremony["threshold"]),
    )
    members, threshold = int(ceremony["members"]), int(ceremony["threshold"])
    announcements = _announcements(ceremony, context, members, threshold)
    _shares_and_complaints(ceremony, context, announcements)
    public_key = bc.joint_key(list(announcements.values()))
    if ceremony.get("public_key") != public_key.hex():
        raise _Stop("wrong_public_key", "ceremony.public_key")
    if not isinstance(ceremony.get("key_fingerprint"), str):
        raise _Stop("malformed", "ceremony")
    if ceremony["key_fingerprint"] != bc.key_fingerprint(context, public_key):
        raise _Stop("wrong_fingerprint", "ceremony.key_fingerprint")
    for position, poll in enumerate(data.get("polls", ())):
        _poll(poll, f"polls[{position}]", data, public_key, announcements, threshold)


def _announcements(ceremony, context, members, threshold) -> dict[int, bc.Announcement]:
    found = {}
    for position, raw in enumerate(ceremony.get("announcements", ())):
        where = f"ceremony.announcements[{position}]"
        announcement = _at(where, bc.Announcement.from_json, raw)
        if announcement.index in found or not 1 <= announcement.index <= members:
            raise _Stop("unknown_member", where)
        _at(where, bc.check_announcement, context, threshold, announcement)
        fingerprint = bc.member_fingerprint(context, announcement)
        if not isinstance(raw.get("fingerprint"), str):
            raise _Stop("malformed", where)
        if raw["fingerprint"] != fingerprint:
            raise _Stop("wrong_fingerprint", where)
        found[announcement.index] = announcement
    if len(found) != members:
        raise _Stop("members_incomplete", "ceremony.announcements")
    return found


def _shares_and_complaints(ceremony, context, announcements) -> None:
    messages = {}
    for position, raw in enumerate(ceremony.get("shares", ())):
        where = f"ceremony.shares[{position}]"
        message = _at(where, bc.ShareMessage.from_json, raw)
        pair = (message.sender, message.recipient)
        if (
            message.sender not in announcements
            or message.recipient not in announcements
            or message.sender == message.recipient
            or pair in messages
        ):
            raise _Stop("unknown_member", where)
        messages[pair] = message
    if len(messages) != len(announcements) * (len(announcements) - 1):
        raise _Stop("shares_incomplete", "ceremony.shares")
    for position, raw in enumerate(ceremony.get("complaints", ())):
        where = f"ceremony.complaints[{position}]"
        complaint = _at(where, bc.Complaint.from_json, raw)
        message = messages.get((complaint.sender, complaint.recipient))
        if message is None:
            raise _Stop("unknown_member", where)
        upheld = _at(
            where,
            bc.complaint_upheld,
            context,
            announcements[complaint.sender],
            announcements[complaint.recipient],
            message,
            complaint,
        )
        if raw.get("upheld") is not upheld:
            raise _Stop("complaint_misjudged", where)
        if upheld:
            raise _Stop("ceremony_failed", where)


def _poll(poll, where, data, public_key, announcements, threshold) -> None:
    """§6 step 6 of the base; for a score poll (its form has `outputs`) the steps of
    docs/score-ballot-crypto.md §6, which decrypt the form's outputs instead of every sum."""
    scored = isinstance(poll.get("form"), Mapping) and "outputs" in poll["form"]
    form = _at(f"{where}.form", (sc.ScoreForm if scored else bc.Form).from_json, poll["form"])
    parameters = _at(f"{where}.form", sc.parameters_of, form) if scored else None
    context = _at(where, form.context, public_key, data["cluster"], int(data["year"]), poll["code"])
    ballots, seen = [], set()
    for position, raw in enumerate(poll.get("ballots", ())):
        ballot = _ballot(raw, f"{where}.ballots[{position}]", context, public_key, form, seen)
        ballots.append(ballot)
    for position, raw in enumerate(poll.get("spoiled", ())):
        here = f"{where}.spoiled[{position}]"
        _spoiled(raw, here, _ballot(raw, here, context, public_key, form, set()), public_key)
    if poll.get("turnout") != len(ballots):
        raise _Stop("turnout_mismatch", f"{where}.turnout")
    if parameters is not None:
        cast_by_unit = _cast_by_unit(poll.get("cast_by_unit"), f"{where}.cast_by_unit", parameters)
        if sum(cast_by_unit.values()) != len(ballots):
            raise _Stop("turnout_mismatch", f"{where}.cast_by_unit")
    limits = [len(ballots) * most for most in form.largest()]
    counts = poll.get("counts")
    if not ballots:
        if poll.get("sums") or poll.get("partials") or not _counts_are(counts, [0] * len(limits)):
            raise _Stop("wrong_count", f"{where}.counts")
        return
    sums = bc.combine(ballots, len(form.selections))
    given = poll.get("sums", [])
    for i, total in enumerate(sums):
        if i >= len(given) or given[i] != [total.alpha.hex(), total.beta.hex()]:
            raise _Stop("wrong_sum", f"{where}.sums[{i}]")
    if len(given) != len(sums):
        raise _Stop("wrong_sum", f"{where}.sums")
    decrypted = form.decrypted(sums)
    partials = []
    for position, raw in enumerate(poll.get("partials", ())):
        here = f"{where}.partials[{position}]"
        partial = _at(here, bc.Partial.from_json, raw)
        if partial.member not in announcements or partial.member in {p.member for p in partials}:
            raise _Stop("unknown_member", here)
        public = bc.verification_key(list(announcements.values()), partial.member)
        _at(here, bc.check_partial, context, public, decrypted, partial)
        partials.append(partial)
    if len(partials) < threshold:
        raise _Stop("too_few_members", f"{where}.partials")
    if not isinstance(counts, list) or len(counts) != len(decrypted):
        raise _Stop("wrong_count", f"{where}.counts")
    for i, limit in enumerate(limits):  # each count in turn: decrypted, then compared
        found = bc.count_of(decrypted[i], {p.member: p.shares[i] for p in partials}, limit)
        if found is None:
            raise _Stop("no_count", f"{where}.counts")
        if not _counts_are(counts[i : i + 1], [found]):
            raise _Stop("wrong_count", f"{where}.counts")
    if parameters is not None:
        skipped = sc.decrypted_scores(form, len(ballots), counts).skipped
        if not sc.own_unit_count_holds(parameters, skipped, cast_by_unit):
            raise _Stop("own_unit_count", f"{where}.counts")


def _counts_are(given, expected: list[int]) -> bool:
    """Published counts equal to `expected`, as JSON integers (`true` is not 1)."""
    return (
        isinstance(given, list) and all(type(count) is int for count in given) and given == expected
    )


def _cast_by_unit(raw, where: str, parameters: sc.ScoreParameters) -> dict[str, int]:
    """The roll's count of cast ballots per delegates' unit: candidates only (§4)."""
    if not isinstance(raw, Mapping) or any(
        not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in raw.values()
    ):
        raise _Stop("malformed", where)
    if any(unit not in parameters.candidates for unit in raw):
        raise _Stop("turnout_mismatch", where)
    return dict(raw)


def _spoiled(raw, where, ballot: bc.Ballot, public_key: bytes) -> None:
    """Each selection in turn: its randomness opens it (α = r·G), to a bit, the bit printed."""
    randomness, plaintext = raw.get("randomness"), raw.get("plaintext")
    if not isinstance(randomness, list) or not isinstance(plaintext, list):
        raise _Stop("malformed", where)
    if len(randomness) != len(ballot.ciphertexts) or len(plaintext) != len(ballot.ciphertexts):
        raise _Stop("ballot_shape", where)
    nonces = _at(where, lambda values: [bc.scalar_from(x) for x in values], randomness)
    for ciphertext, nonce, printed in zip(ballot.ciphertexts, nonces, plaintext, strict=True):
        bit = _at(
            where, bc.spoiled_plaintext, public_key, bc.Ballot((ciphertext,), (), ()), [nonce]
        )
        if printed != bit[0] or isinstance(printed, bool):
            raise _Stop("wrong_plaintext", where)


def _ballot(raw, where, context, public_key, form, seen) -> bc.Ballot:
    shape = [
        (raw.get("ciphertexts"), len(form.selections)),
        (raw.get("selection_proofs"), len(form.selections)),
        (raw.get("constraint_proofs"), len(form.constraints)),
    ]
    if not isinstance(raw, Mapping) or any(not isinstance(v, list) for v, _ in shape):
        raise _Stop("malformed", where)
    if any(len(value) != count for value, count in shape):
        raise _Stop("ballot_shape", where)
    ballot = _at(where, bc.Ballot.from_json, raw)
    _at(where, bc.verify_ballot, context, public_key, form, ballot)
    if raw.get("tracker") != bc.tracker(context, ballot):
        raise _Stop("wrong_tracker", where)
    for ciphertext in ballot.ciphertexts:
        if ciphertext.alpha in seen:
            raise _Stop("duplicate_ciphertext", where)
        seen.add(ciphertext.alpha)
    return ballot
