"""Encrypted ballots and the counting board's shared key (docs/ballot-crypto.md).

The protocol, not the mathematics, is ours: points and scalars of edwards25519's prime-order
subgroup through libsodium (PyNaCl), SHA-512 and scrypt through hashlib, XChaCha20-Poly1305
through libsodium. Everything here follows the specification byte for byte; the test vectors
in docs/ballot-crypto-vectors.json are produced and checked by this module, and checked again
by the independent verifier in verifier/ that imports nothing from it.

- A ballot is a list of 0/1 *selections* (a candidate ticked, a yes, a no, a blank ballot),
  each encrypted with exponential ElGamal under the board's joint key and proven to be 0 or
  1, and *constraints* (weighted sums of selections within bounds) that make it a valid
  ballot of its poll: at most the allowed number of ticks, blank only when nothing is ticked.
- The counting board's key is made by a k-of-n ceremony (joint Feldman); any k members
  decrypt the sums, each with a Chaum–Pedersen proof, and nobody decrypts a single ballot.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import nacl.bindings as sodium
from nacl.exceptions import CryptoError

from thidua.core.signing import grouped

PROTOCOL = "thidua-ballot-crypto-v1"
#: The order of edwards25519's prime-order subgroup.
L = 2**252 + 27742317777372353535851937790883648493
#: The neutral element's encoding (never accepted from outside: it only comes out of sums).
IDENTITY = b"\x01" + bytes(31)
#: The standard base point of Ed25519 (RFC 8032), the only generator.
G = sodium.crypto_scalarmult_ed25519_base_noclamp((1).to_bytes(32, "little"))

#: scrypt's cost for a member's backup (N, r, p) and its output length.
BACKUP_SCRYPT = (2**15, 8, 1)


class Invalid(ValueError):
    """Something received breaks the protocol; `code` names the rule, `where` the place."""

    def __init__(self, code: str, where: str = ""):
        super().__init__(f"{code} at {where}" if where else code)
        self.code = code
        self.where = where


Random = Callable[[], int]


def random_scalar() -> int:
    """A uniformly random non-zero scalar (64 random bytes reduced modulo ℓ)."""
    while True:
        value = int.from_bytes(secrets.token_bytes(64), "little") % L
        if value:
            return value


# --- encodings ---------------------------------------------------------------------------


def u32(number: int) -> bytes:
    if not 0 <= number < 2**32:
        raise Invalid("out_of_range")
    return number.to_bytes(4, "big")


def text(value: str) -> bytes:
    return value.encode("utf-8")


def scalar_bytes(value: int) -> bytes:
    return (value % L).to_bytes(32, "little")


def scalar_from(raw: bytes | str, where: str = "") -> int:
    """A received scalar: 32 bytes, little-endian, below ℓ."""
    data = _bytes(raw, where)
    value = int.from_bytes(data, "little")
    if value >= L:
        raise Invalid("scalar_not_canonical", where)
    return value


def point_from(raw: bytes | str, where: str = "") -> bytes:
    """A received point: canonical, on the curve, in the prime-order subgroup, not the
    identity (libsodium's `crypto_core_ed25519_is_valid_point`)."""
    data = _bytes(raw, where)
    if not sodium.crypto_core_ed25519_is_valid_point(data):
        raise Invalid("bad_point", where)
    return data


def _bytes(raw: bytes | str, where: str) -> bytes:
    """32 bytes, given as 64 lowercase hexadecimal digits (JSON) or as bytes."""
    if isinstance(raw, str):
        if not _HEX32.fullmatch(raw):
            raise Invalid("malformed", where)
        return bytes.fromhex(raw)
    if not isinstance(raw, bytes | bytearray) or len(raw) != 32:
        raise Invalid("malformed", where)
    return bytes(raw)


_HEX32 = re.compile(r"[0-9a-f]{64}")


def digest(tag: str, *items: bytes) -> bytes:
    """H: SHA-512 over the tag and the items, each behind its length (4 bytes, big-endian)."""
    hasher = hashlib.sha512()
    for item in (text(tag), *items):
        hasher.update(len(item).to_bytes(4, "big"))
        hasher.update(item)
    return hasher.digest()


def challenge(tag: str, *items: bytes) -> int:
    """Hs: H read as a little-endian integer, reduced modulo ℓ."""
    return int.from_bytes(digest(tag, *items), "little") % L


# --- group operations (the identity handled where libsodium refuses it) -------------------


def mul(value: int, point: bytes) -> bytes:
    value %= L
    if value == 0 or point == IDENTITY:
        return IDENTITY
    if point == G:
        return sodium.crypto_scalarmult_ed25519_base_noclamp(scalar_bytes(value))
    return sodium.crypto_scalarmult_ed25519_noclamp(scalar_bytes(value), point)


def base(value: int) -> bytes:
    return mul(value, G)


def add(*points: bytes) -> bytes:
    total = IDENTITY
    for point in points:
        if point == IDENTITY:
            continue
        total = point if total == IDENTITY else sodium.crypto_core_ed25519_add(total, point)
    return total


def sub(left: bytes, right: bytes) -> bytes:
    if right == IDENTITY:
        return left
    if left == IDENTITY:
        return sodium.crypto_core_ed25519_sub(IDENTITY, right)
    return sodium.crypto_core_ed25519_sub(left, right)


def _times(value: int, point: bytes) -> bytes:
    """value·point for a point already checked or computed here: 1·P is P itself (libsodium
    would spend a whole scalar multiplication on it, as on any other scalar)."""
    return point if value % L == 1 else mul(value, point)


def small_log(point: bytes, most: int) -> int | None:
    """t with t·G = point for 0 ≤ t ≤ most, or None (a count is small: walk up to it)."""
    current = IDENTITY
    for count in range(most + 1):
        if current == point:
            return count
        current = add(current, G)
    return None


# --- the poll's ballot form ---------------------------------------------------------------


@dataclass(frozen=True)
class Constraint:
    """Σ weight·selection must lie in [low, high]."""

    weights: tuple[tuple[int, int], ...]  # (selection index, weight)
    low: int
    high: int


@dataclass(frozen=True)
class Form:
    selections: tuple[str, ...]
    constraints: tuple[Constraint, ...]

    def to_bytes(self) -> bytes:
        out = [u32(len(self.selections))]
        out += [u32(len(label.encode())) + text(label) for label in self.selections]
        out.append(u32(len(self.constraints)))
        for constraint in self.constraints:
            out.append(u32(len(constraint.weights)))
            out += [u32(index) + u32(weight) for index, weight in constraint.weights]
            out += [u32(constraint.low), u32(constraint.high)]
        return b"".join(out)

    def to_json(self) -> dict:
        return {
            "selections": list(self.selections),
            "constraints": [
                {"weights": [list(w) for w in c.weights], "low": c.low, "high": c.high}
                for c in self.constraints
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Form:
        """A form as published; `malformed` unless every index names a selection, every
        number fits in u32, and low ≤ high."""
        form = cls(
            selections=tuple(json_text(label) for label in data["selections"]),
            constraints=tuple(
                Constraint(
                    weights=tuple((json_int(i), json_int(w)) for i, w in c["weights"]),
                    low=json_int(c["low"]),
                    high=json_int(c["high"]),
                )
                for c in data["constraints"]
            ),
        )
        try:
            form.to_bytes()
        except Invalid:
            raise Invalid("malformed", "form") from None
        for constraint in form.constraints:
            indices = [i for i, _ in constraint.weights]
            if any(i >= len(form.selections) for i in indices) or constraint.low > constraint.high:
                raise Invalid("malformed", "form")
        return form

    def context(self, public_key: bytes, cluster: str, year: int, poll: str) -> bytes:
        """Q of a poll with this form (a score form has its own tag: score_crypto)."""
        return poll_context(public_key, cluster, year, poll, self)

    def decrypted(self, sums: Sequence[Ciphertext]) -> tuple[Ciphertext, ...]:
        """What the tally decrypts from the per-selection sums: here every sum (a score
        form decrypts chosen weighted sums of them instead)."""
        return tuple(sums)

    def largest(self) -> tuple[int, ...]:
        """The most one ballot adds to each decrypted value: 1 to each selection's count."""
        return (1,) * len(self.selections)

    def valid(self, bits: Sequence[int]) -> bool:
        """Whether a plaintext ballot satisfies the form (what the proofs prove)."""
        return (
            len(bits) == len(self.selections)
            and all(bit in (0, 1) for bit in bits)
            and all(
                c.low <= sum(w * bits[i] for i, w in c.weights) <= c.high for c in self.constraints
            )
        )


BLANK = "blank"


def json_int(value) -> int:
    """An integer as JSON gives it: not a string, float or boolean read as one (§1), so a
    form is hashed exactly as published."""
    if type(value) is not int:
        raise Invalid("malformed", "form")
    return value


def json_text(value) -> str:
    if type(value) is not str:
        raise Invalid("malformed", "form")
    return value


def choice_form(candidates: Sequence[str], choices_allowed: int, blank_valid: bool) -> Form:
    """Tick up to `choices_allowed` candidates; a blank ballot (if valid) is its own bit,
    weighted so that it cannot be set together with a tick."""
    most = min(choices_allowed, len(candidates))
    if most < 1:
        raise Invalid("no_choice_allowed")
    weights = tuple((i, 1) for i in range(len(candidates)))
    if blank_valid:
        weights += ((len(candidates), most),)
        selections = (*(f"choice:{c}" for c in candidates), BLANK)
    else:
        selections = tuple(f"choice:{c}" for c in candidates)
    return Form(selections, (Constraint(weights, 1, most),))


def approval_form(candidates: Sequence[str], blank_valid: bool) -> Form:
    """Yes, no or neither (abstain) on each candidate; blank when every answer abstains."""
    selections = []
    for candidate in candidates:
        selections += [f"yes:{candidate}", f"no:{candidate}"]
    constraints = [Constraint(((2 * i, 1), (2 * i + 1, 1)), 0, 1) for i in range(len(candidates))]
    total = tuple((i, 1) for i in range(len(selections)))
    if blank_valid:
        total += ((len(selections), len(candidates)),)
        selections.append(BLANK)
    constraints.append(Constraint(total, 1, len(candidates)))
    return Form(tuple(selections), tuple(constraints))


def poll_context(public_key: bytes, cluster: str, year: int, poll: str, form: Form) -> bytes:
    """Q: binds every proof to the key, the poll and its form."""
    return digest(
        "thidua/v1/poll", public_key, text(cluster), u32(year), text(poll), form.to_bytes()
    )


# --- ballots ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ciphertext:
    alpha: bytes
    beta: bytes


@dataclass(frozen=True)
class RangeProof:
    """One challenge and one response per value of [low, high]."""

    challenges: tuple[int, ...]
    responses: tuple[int, ...]


@dataclass(frozen=True)
class Ballot:
    ciphertexts: tuple[Ciphertext, ...]
    selection_proofs: tuple[RangeProof, ...]
    constraint_proofs: tuple[RangeProof, ...]

    def to_bytes(self) -> bytes:
        out = [c.alpha + c.beta for c in self.ciphertexts]
        for proof in (*self.selection_proofs, *self.constraint_proofs):
            out += [scalar_bytes(c) for c in proof.challenges]
            out += [scalar_bytes(r) for r in proof.responses]
        return b"".join(out)

    def to_json(self) -> dict:
        def proof(p: RangeProof) -> dict:
            return {
                "challenges": [scalar_bytes(c).hex() for c in p.challenges],
                "responses": [scalar_bytes(r).hex() for r in p.responses],
            }

        return {
            "ciphertexts": [[c.alpha.hex(), c.beta.hex()] for c in self.ciphertexts],
            "selection_proofs": [proof(p) for p in self.selection_proofs],
            "constraint_proofs": [proof(p) for p in self.constraint_proofs],
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Ballot:
        """Parse and check every point and scalar (not yet the proofs: `verify_ballot`)."""
        try:
            ciphertexts = tuple(
                Ciphertext(
                    point_from(a, f"ciphertexts[{i}].alpha"),
                    point_from(b, f"ciphertexts[{i}].beta"),
                )
                for i, (a, b) in enumerate(data["ciphertexts"])
            )

            def proofs(name: str) -> tuple[RangeProof, ...]:
                return tuple(
                    RangeProof(
                        tuple(scalar_from(c, f"{name}[{i}]") for c in p["challenges"]),
                        tuple(scalar_from(r, f"{name}[{i}]") for r in p["responses"]),
                    )
                    for i, p in enumerate(data[name])
                )

            return cls(ciphertexts, proofs("selection_proofs"), proofs("constraint_proofs"))
        except (KeyError, TypeError, ValueError) as error:
            if isinstance(error, Invalid):
                raise
            raise Invalid("malformed_ballot") from None


def weighted(ciphertexts: Sequence[Ciphertext], weights: Sequence[tuple[int, int]]):
    alpha = add(*(_times(w, ciphertexts[i].alpha) for i, w in weights))
    beta = add(*(_times(w, ciphertexts[i].beta) for i, w in weights))
    return alpha, beta


def _prove_range(
    tag: str,
    context: bytes,
    index: int,
    key: bytes,
    alpha: bytes,
    beta: bytes,
    low: int,
    high: int,
    value: int,
    nonce: int,
    rng: Random,
) -> RangeProof:
    """(alpha, beta) encrypts `value` with randomness `nonce`, and value ∈ [low, high]:
    the real branch committed with w, the others simulated (Cramer–Damgård–Schoenmakers)."""
    values = range(low, high + 1)
    challenges, responses, commitments = {}, {}, []
    w = rng()
    for v in values:
        if v == value:
            commitments += [base(w), mul(w, key)]
        else:
            challenges[v], responses[v] = rng(), rng()
            commitments += _simulated(key, alpha, beta, v, challenges[v], responses[v])
    total = challenge(tag, context, u32(index), alpha, beta, *commitments)
    challenges[value] = (total - sum(challenges.values())) % L
    responses[value] = (w + challenges[value] * nonce) % L
    return RangeProof(tuple(challenges[v] for v in values), tuple(responses[v] for v in values))


def _simulated(key: bytes, alpha: bytes, beta: bytes, v: int, c: int, r: int) -> list[bytes]:
    """The commitments (a_v, b_v) a verifier recomputes for value v from (c_v, r_v):
    a_v = r·G − c·α,  b_v = r·K − c·(β − v·G)."""
    return [sub(base(r), mul(c, alpha)), sub(add(mul(r, key), base(c * v)), mul(c, beta))]


def _verify_range(
    tag: str,
    context: bytes,
    index: int,
    key: bytes,
    alpha: bytes,
    beta: bytes,
    low: int,
    high: int,
    proof: RangeProof,
    where: str,
) -> None:
    count = high - low + 1
    if len(proof.challenges) != count or len(proof.responses) != count:
        raise Invalid("proof_shape", where)
    commitments = []
    for v, c, r in zip(range(low, high + 1), proof.challenges, proof.responses, strict=True):
        commitments += _simulated(key, alpha, beta, v, c, r)
    if challenge(tag, context, u32(index), alpha, beta, *commitments) != sum(proof.challenges) % L:
        raise Invalid("bad_proof", where)


def encrypt_ballot(
    context: bytes, key: bytes, form: Form, bits: Sequence[int], rng: Random = random_scalar
) -> tuple[Ballot, tuple[int, ...]]:
    """The encrypted ballot and its randomness (kept on the phone: revealed only to spoil)."""
    if not form.valid(bits):
        raise Invalid("plaintext_outside_form")
    nonces = tuple(rng() for _ in bits)
    ciphertexts = tuple(
        Ciphertext(base(r), add(base(bit), mul(r, key)))
        for bit, r in zip(bits, nonces, strict=True)
    )
    selection_proofs = tuple(
        _prove_range("thidua/v1/selection", context, i, key, c.alpha, c.beta, 0, 1, bit, r, rng)
        for i, (c, bit, r) in enumerate(zip(ciphertexts, bits, nonces, strict=True))
    )
    constraint_proofs = []
    for i, constraint in enumerate(form.constraints):
        alpha, beta = weighted(ciphertexts, constraint.weights)
        value = sum(w * bits[j] for j, w in constraint.weights)
        nonce = sum(w * nonces[j] for j, w in constraint.weights) % L
        constraint_proofs.append(
            _prove_range(
                "thidua/v1/constraint",
                context,
                i,
                key,
                alpha,
                beta,
                constraint.low,
                constraint.high,
                value,
                nonce,
                rng,
            )
        )
    return Ballot(ciphertexts, selection_proofs, tuple(constraint_proofs)), nonces


def verify_ballot(context: bytes, key: bytes, form: Form, ballot: Ballot) -> None:
    """Raise `Invalid` unless every proof holds: each selection is 0 or 1 and each constraint
    of the form is met. Points are checked when the ballot is parsed (`Ballot.from_json`)."""
    count = len(form.selections)
    if len(ballot.ciphertexts) != count or len(ballot.selection_proofs) != count:
        raise Invalid("ballot_shape")
    if len(ballot.constraint_proofs) != len(form.constraints):
        raise Invalid("ballot_shape")
    for i, (c, proof) in enumerate(zip(ballot.ciphertexts, ballot.selection_proofs, strict=True)):
        _verify_range(
            "thidua/v1/selection",
            context,
            i,
            key,
            c.alpha,
            c.beta,
            0,
            1,
            proof,
            f"selection_proofs[{i}]",
        )
    for i, (constraint, proof) in enumerate(
        zip(form.constraints, ballot.constraint_proofs, strict=True)
    ):
        alpha, beta = weighted(ballot.ciphertexts, constraint.weights)
        _verify_range(
            "thidua/v1/constraint",
            context,
            i,
            key,
            alpha,
            beta,
            constraint.low,
            constraint.high,
            proof,
            f"constraint_proofs[{i}]",
        )


def tracker(context: bytes, ballot: Ballot) -> str:
    """The ballot's tracker: what the phone shows and the board publishes (hex)."""
    return digest("thidua/v1/tracker", context, ballot.to_bytes())[:32].hex()


def shown_tracker(tracker_hex: str) -> str:
    """A tracker as people read it on the phone, the board and the minutes: its first 16
    hexadecimal digits in groups of four (`3f88 8838 1a38 2409`)."""
    return " ".join(tracker_hex[i : i + 4] for i in range(0, 16, 4))


def spoiled_plaintext(key: bytes, ballot: Ballot, nonces: Sequence[int]) -> tuple[int, ...]:
    """What a challenged ballot says, from the randomness the phone reveals; raises when the
    randomness does not open a ciphertext to 0 or 1."""
    if len(nonces) != len(ballot.ciphertexts):
        raise Invalid("randomness_shape")
    bits = []
    for i, (c, r) in enumerate(zip(ballot.ciphertexts, nonces, strict=True)):
        if base(r) != c.alpha:
            raise Invalid("randomness_mismatch", f"randomness[{i}]")
        rest = sub(c.beta, mul(r, key))
        if rest not in (IDENTITY, G):
            raise Invalid("not_a_bit", f"ciphertexts[{i}]")
        bits.append(int(rest == G))
    return tuple(bits)


# --- the counting board's key ceremony (k of n, joint Feldman) -----------------------------


def ceremony_context(cluster: str, year: int, label: str, members: int, threshold: int) -> bytes:
    """C: binds every ceremony message to the cluster, year, attempt and k-of-n."""
    if not 1 <= threshold <= members:
        raise Invalid("bad_threshold")
    return digest(
        "thidua/v1/ceremony", text(cluster), u32(year), text(label), u32(members), u32(threshold)
    )


@dataclass(frozen=True)
class Schnorr:
    challenge: int
    response: int


def _prove_knowledge(tag: str, context: bytes, index: int, slot: int, secret: int, rng: Random):
    w = rng()
    c = challenge(tag, context, u32(index), u32(slot), base(secret), base(w))
    return Schnorr(c, (w + c * secret) % L)


def _knows(tag: str, context: bytes, index: int, slot: int, public: bytes, proof: Schnorr) -> bool:
    commitment = sub(base(proof.response), mul(proof.challenge, public))
    return challenge(tag, context, u32(index), u32(slot), public, commitment) == proof.challenge


@dataclass(frozen=True)
class MemberSecret:
    """What stays on the member's own device (and in their passphrase-protected backup)."""

    index: int
    communication: int  # z
    coefficients: tuple[int, ...]  # a_0 … a_{k-1}


@dataclass(frozen=True)
class Announcement:
    """What a member publishes: their communication key Z, their polynomial's commitments
    C_t = a_t·G, and proofs that they know each secret behind them."""

    index: int
    communication_key: bytes
    key_proof: Schnorr
    commitments: tuple[bytes, ...]
    commitment_proofs: tuple[Schnorr, ...]

    def to_json(self) -> dict:
        return {
            "index": self.index,
            "communication_key": self.communication_key.hex(),
            "key_proof": _schnorr_json(self.key_proof),
            "commitments": [c.hex() for c in self.commitments],
            "commitment_proofs": [_schnorr_json(p) for p in self.commitment_proofs],
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Announcement:
        where = f"members[{data.get('index')}]"
        return cls(
            index=int(data["index"]),
            communication_key=point_from(data["communication_key"], where),
            key_proof=_schnorr_from(data["key_proof"], where),
            commitments=tuple(point_from(c, where) for c in data["commitments"]),
            commitment_proofs=tuple(_schnorr_from(p, where) for p in data["commitment_proofs"]),
        )


def _schnorr_json(proof: Schnorr) -> dict:
    return {
        "challenge": scalar_bytes(proof.challenge).hex(),
        "response": scalar_bytes(proof.response).hex(),
    }


def _schnorr_from(data: Mapping, where: str) -> Schnorr:
    return Schnorr(scalar_from(data["challenge"], where), scalar_from(data["response"], where))


def new_member(
    context: bytes, index: int, threshold: int, rng: Random = random_scalar
) -> tuple[MemberSecret, Announcement]:
    secret = MemberSecret(index, rng(), tuple(rng() for _ in range(threshold)))
    return secret, announce(context, secret, rng)


def announce(context: bytes, secret: MemberSecret, rng: Random = random_scalar) -> Announcement:
    index = secret.index
    return Announcement(
        index=index,
        communication_key=base(secret.communication),
        key_proof=_prove_knowledge(
            "thidua/v1/communication-key", context, index, 0, secret.communication, rng
        ),
        commitments=tuple(base(a) for a in secret.coefficients),
        commitment_proofs=tuple(
            _prove_knowledge("thidua/v1/coefficient", context, index, t, a, rng)
            for t, a in enumerate(secret.coefficients)
        ),
    )


def check_announcement(context: bytes, threshold: int, announcement: Announcement) -> None:
    where = f"members[{announcement.index}]"
    if not _knows(
        "thidua/v1/communication-key",
        context,
        announcement.index,
        0,
        announcement.communication_key,
        announcement.key_proof,
    ):
        raise Invalid("bad_key_proof", where)
    counts = (len(announcement.commitments), len(announcement.commitment_proofs))
    if counts != (threshold, threshold):
        raise Invalid("commitment_count", where)
    for t, (commitment, proof) in enumerate(
        zip(announcement.commitments, announcement.commitment_proofs, strict=True)
    ):
        if not _knows("thidua/v1/coefficient", context, announcement.index, t, commitment, proof):
            raise Invalid("bad_commitment_proof", f"{where}.commitments[{t}]")


def member_fingerprint(context: bytes, announcement: Announcement) -> str:
    """What the members read aloud and compare on paper before the key is used."""
    data = digest(
        "thidua/v1/fingerprint",
        context,
        u32(announcement.index),
        announcement.communication_key,
        *announcement.commitments,
    )
    return grouped(data.hex())


def key_fingerprint(context: bytes, public_key: bytes) -> str:
    return grouped(digest("thidua/v1/public-key", context, public_key).hex())


def polynomial_at(coefficients: Sequence[int], x: int) -> int:
    return sum(a * pow(x, t, L) for t, a in enumerate(coefficients)) % L


def committed_at(commitments: Sequence[bytes], x: int) -> bytes:
    """Σ_t x^t·C_t: the point of f(x)·G, computable by anyone from the commitments."""
    return add(*(_times(pow(x, t, L), c) for t, c in enumerate(commitments)))


def joint_key(announcements: Sequence[Announcement]) -> bytes:
    """K = Σ_i C_{i,0}."""
    return add(*(a.commitments[0] for a in announcements))


def verification_key(announcements: Sequence[Announcement], index: int) -> bytes:
    """X_j = Σ_i Σ_t j^t·C_{i,t}: member j's share of the key, seen from outside."""
    return add(*(committed_at(a.commitments, index) for a in announcements))


@dataclass(frozen=True)
class ShareMessage:
    sender: int
    recipient: int
    ephemeral: bytes  # E = e·G
    nonce: bytes  # 24 bytes
    ciphertext: bytes  # 48 bytes: the share's 32 and the tag's 16

    def to_json(self) -> dict:
        return {
            "from": self.sender,
            "to": self.recipient,
            "ephemeral": self.ephemeral.hex(),
            "nonce": self.nonce.hex(),
            "ciphertext": self.ciphertext.hex(),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> ShareMessage:
        where = f"shares[{data.get('from')}→{data.get('to')}]"
        nonce, sealed = bytes.fromhex(data["nonce"]), bytes.fromhex(data["ciphertext"])
        if len(nonce) != 24 or len(sealed) != 48:
            raise Invalid("wrong_length", where)
        return cls(
            int(data["from"]), int(data["to"]), point_from(data["ephemeral"], where), nonce, sealed
        )


def _share_key(context: bytes, sender: int, recipient: int, ephemeral: bytes, shared: bytes):
    key = digest("thidua/v1/share-key", context, u32(sender), u32(recipient), ephemeral, shared)
    data = digest("thidua/v1/share-ad", context, u32(sender), u32(recipient), ephemeral)
    return key[:32], data


def share_for(
    context: bytes, secret: MemberSecret, recipient: Announcement, rng: Random = random_scalar
) -> ShareMessage:
    """f_i(j), encrypted to member j's communication key (hashed Diffie–Hellman, then
    XChaCha20-Poly1305)."""
    e = rng()
    ephemeral = base(e)
    key, data = _share_key(
        context, secret.index, recipient.index, ephemeral, mul(e, recipient.communication_key)
    )
    nonce = scalar_bytes(rng())[:24]
    share = scalar_bytes(polynomial_at(secret.coefficients, recipient.index))
    sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(share, data, nonce, key)
    return ShareMessage(secret.index, recipient.index, ephemeral, nonce, sealed)


def _opened(
    message: ShareMessage, shared: bytes, context: bytes, sender: Announcement
) -> int | None:
    """The share in the message if it decrypts and matches the sender's commitments."""
    key, data = _share_key(context, message.sender, message.recipient, message.ephemeral, shared)
    try:
        plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
            message.ciphertext, data, message.nonce, key
        )
    except CryptoError:
        return None
    value = int.from_bytes(plain, "little")
    if value >= L or base(value) != committed_at(sender.commitments, message.recipient):
        return None
    return value


def open_share(
    context: bytes, secret: MemberSecret, sender: Announcement, message: ShareMessage
) -> int | None:
    """The share member `secret.index` received, or None when it is wrong (complain)."""
    if message.recipient != secret.index or message.sender != sender.index:
        return None
    return _opened(message, mul(secret.communication, message.ephemeral), context, sender)


@dataclass(frozen=True)
class Complaint:
    """Member j reveals S = z_j·E for a share and proves it is right (log_G Z_j = log_E S), so
    that anyone can open the share and see who is at fault."""

    sender: int
    recipient: int
    shared: bytes
    proof: Schnorr

    def to_json(self) -> dict:
        return {
            "from": self.recipient,
            "against": self.sender,
            "shared": self.shared.hex(),
            "proof": _schnorr_json(self.proof),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Complaint:
        where = f"complaints[{data.get('from')}→{data.get('against')}]"
        return cls(
            int(data["against"]),
            int(data["from"]),
            point_from(data["shared"], where),
            _schnorr_from(data["proof"], where),
        )


def complain(
    context: bytes, secret: MemberSecret, message: ShareMessage, rng: Random = random_scalar
) -> Complaint:
    z = secret.communication
    shared = mul(z, message.ephemeral)
    w = rng()
    c = _complaint_challenge(context, message, base(z), shared, base(w), mul(w, message.ephemeral))
    return Complaint(message.sender, message.recipient, shared, Schnorr(c, (w + c * z) % L))


def _complaint_challenge(context, message, public, shared, u, v) -> int:
    return challenge(
        "thidua/v1/complaint",
        context,
        u32(message.sender),
        u32(message.recipient),
        public,
        message.ephemeral,
        shared,
        u,
        v,
    )


def complaint_upheld(
    context: bytes,
    sender: Announcement,
    recipient: Announcement,
    message: ShareMessage,
    complaint: Complaint,
) -> bool:
    """True: the sender's share is wrong (the sender is at fault). False: the share opens and
    matches the commitments (the complaint is unfounded). Raises when the complaint's own
    proof fails."""
    proof, public, shared = complaint.proof, recipient.communication_key, complaint.shared
    u = sub(base(proof.response), mul(proof.challenge, public))
    v = sub(mul(proof.response, message.ephemeral), mul(proof.challenge, shared))
    if _complaint_challenge(context, message, public, shared, u, v) != proof.challenge:
        raise Invalid("bad_complaint_proof", f"complaints[{complaint.recipient}]")
    return _opened(message, shared, context, sender) is None


def key_share(secret: MemberSecret, received: Mapping[int, int]) -> int:
    """x_j = Σ_i f_i(j): the member's own share plus every share received."""
    return (polynomial_at(secret.coefficients, secret.index) + sum(received.values())) % L


# --- backup of a member's secret ----------------------------------------------------------


def seal_backup(
    passphrase: str, context: bytes, index: int, communication: int, share: int
) -> dict:
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(24)
    key = _backup_key(passphrase, salt)
    plain = scalar_bytes(communication) + scalar_bytes(share)
    sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        plain, digest("thidua/v1/backup", context, u32(index)), nonce, key
    )
    return {
        "protocol": PROTOCOL,
        "index": index,
        "salt": salt.hex(),
        "nonce": nonce.hex(),
        "sealed": sealed.hex(),
    }


def open_backup(passphrase: str, context: bytes, backup: Mapping) -> tuple[int, int]:
    """(z, x) from a backup; raises `Invalid("wrong_passphrase")` otherwise."""
    key = _backup_key(passphrase, bytes.fromhex(backup["salt"]))
    try:
        plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
            bytes.fromhex(backup["sealed"]),
            digest("thidua/v1/backup", context, u32(int(backup["index"]))),
            bytes.fromhex(backup["nonce"]),
            key,
        )
    except CryptoError:
        raise Invalid("wrong_passphrase") from None
    return scalar_from(plain[:32]), scalar_from(plain[32:])


def _backup_key(passphrase: str, salt: bytes) -> bytes:
    n, r, p = BACKUP_SCRYPT
    return hashlib.scrypt(text(passphrase), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r, dklen=32)


# --- the tally ----------------------------------------------------------------------------


def combine(ballots: Sequence[Ballot], selections: int) -> tuple[Ciphertext, ...]:
    """The homomorphic sum per selection: (Σα, Σβ) encrypts how many ballots set it. No
    ballot, no sums: there is nothing to decrypt (§5)."""
    if not ballots:
        return ()
    return tuple(
        Ciphertext(
            add(*(b.ciphertexts[i].alpha for b in ballots)),
            add(*(b.ciphertexts[i].beta for b in ballots)),
        )
        for i in range(selections)
    )


@dataclass(frozen=True)
class Partial:
    """Member m's decryption shares D = x_m·A of each sum, each with a Chaum–Pedersen proof."""

    member: int
    shares: tuple[bytes, ...]
    proofs: tuple[Schnorr, ...]

    def to_json(self) -> dict:
        return {
            "member": self.member,
            "shares": [s.hex() for s in self.shares],
            "proofs": [_schnorr_json(p) for p in self.proofs],
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Partial:
        where = f"partials[{data.get('member')}]"
        return cls(
            int(data["member"]),
            tuple(point_from(s, where) for s in data["shares"]),
            tuple(_schnorr_from(p, where) for p in data["proofs"]),
        )


def _partial_challenge(context, member, selection, public, alpha, share, u, v) -> int:
    return challenge(
        "thidua/v1/partial", context, u32(member), u32(selection), public, alpha, share, u, v
    )


def partial_decrypt(
    context: bytes, member: int, share: int, sums: Sequence[Ciphertext], rng: Random = random_scalar
) -> Partial:
    public = base(share)
    shares, proofs = [], []
    for i, total in enumerate(sums):
        decryption = mul(share, total.alpha)
        w = rng()
        c = _partial_challenge(
            context, member, i, public, total.alpha, decryption, base(w), mul(w, total.alpha)
        )
        shares.append(decryption)
        proofs.append(Schnorr(c, (w + c * share) % L))
    return Partial(member, tuple(shares), tuple(proofs))


def check_partial(
    context: bytes, public: bytes, sums: Sequence[Ciphertext], partial: Partial
) -> None:
    """Raise unless each share is x·A for the x behind the member's verification key."""
    where = f"partials[{partial.member}]"
    if len(partial.shares) != len(sums) or len(partial.proofs) != len(sums):
        raise Invalid("malformed", where)
    for i, (total, share, proof) in enumerate(
        zip(sums, partial.shares, partial.proofs, strict=True)
    ):
        u = sub(base(proof.response), mul(proof.challenge, public))
        v = sub(mul(proof.response, total.alpha), mul(proof.challenge, share))
        if _partial_challenge(context, partial.member, i, public, total.alpha, share, u, v) != (
            proof.challenge
        ):
            raise Invalid("bad_partial_proof", f"{where}.proofs[{i}]")


def lagrange(member: int, present: Sequence[int]) -> int:
    """λ_m = Π_{o ≠ m} o / (o − m) mod ℓ: member m's weight when `present` decrypt."""
    weight = 1
    for other in present:
        if other != member:
            weight = weight * other * pow(other - member, -1, L) % L
    return weight


def count_of(total: Ciphertext, shares: Mapping[int, bytes], most: int) -> int | None:
    """The count behind one sum from the present members' decryption shares (member → D):
    B − Σ λ_m·D_m = t·G for 0 ≤ t ≤ most, or None."""
    present = list(shares)
    decryption = add(*(mul(lagrange(m, present), share) for m, share in shares.items()))
    return small_log(sub(total.beta, decryption), most)


def counts(
    sums: Sequence[Ciphertext], partials: Sequence[Partial], threshold: int, most: int
) -> tuple[int, ...]:
    """The count behind each sum from k members' (checked) partials."""
    present = [p.member for p in partials]
    if len(set(present)) != len(present):
        raise Invalid("member_twice")
    if len(present) < threshold:
        raise Invalid("too_few_members")
    result = []
    for i, total in enumerate(sums):
        count = count_of(total, {p.member: p.shares[i] for p in partials}, most)
        if count is None:
            raise Invalid("no_count", f"sums[{i}]")
        result.append(count)
    return tuple(result)
