"""The test vectors of docs/ballot-crypto.md, made reproducibly from a fixed seed.

`python -m thidua.core.ballot_vectors` prints docs/ballot-crypto-vectors.json; a test checks
that the file is what this module makes, and both verifiers (ours and the independent one in
verifier/) must accept the transcript and reject each mutation with the code and place given.
The seed-derived randomness is for vectors only: real ballots use `random_scalar`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import sys
from collections.abc import Iterator

from thidua.core import ballot_crypto as bc
from thidua.core import score_crypto as sc
from thidua.core.ballot_verify import verify_transcript

CLUSTER, YEAR, LABEL = "CUM-II", 2020, "ban-kiem-phieu-1"


def seeded(seed: str) -> bc.Random:
    """Scalars from SHA-512(seed ‖ counter) reduced modulo ℓ: reproducible, for vectors only."""
    counter = iter(range(2**32))

    def draw() -> int:
        while True:
            block = hashlib.sha512(seed.encode() + next(counter).to_bytes(4, "big")).digest()
            value = int.from_bytes(block, "little") % bc.L
            if value:
                return value

    return draw


def transcript(
    rng: bc.Random,
    polls: list[tuple[str, bc.Form, list[list[int]]]],
    *,
    members: int = 3,
    threshold: int = 2,
    absent: tuple[int, ...] = (2,),
    spoil: dict[str, list[int]] | None = None,
    cast_by_unit: dict[str, dict[str, int]] | None = None,
) -> tuple[dict, dict]:
    """A complete, valid transcript (and the members' secrets) for the given polls' ballots.
    A score poll (its form a `ScoreForm`) also carries its `cast_by_unit` from the roll."""
    context = bc.ceremony_context(CLUSTER, YEAR, LABEL, members, threshold)
    secrets, announcements = {}, {}
    for index in range(1, members + 1):
        secrets[index], announcements[index] = bc.new_member(context, index, threshold, rng)
    messages = [
        bc.share_for(context, secrets[i], announcements[j], rng)
        for i in secrets
        for j in announcements
        if i != j
    ]
    received: dict[int, dict[int, int]] = {j: {} for j in secrets}
    for message in messages:
        opened = bc.open_share(
            context, secrets[message.recipient], announcements[message.sender], message
        )
        if opened is None:
            raise bc.Invalid("share_refused")
        received[message.recipient][message.sender] = opened
    shares = {j: bc.key_share(secrets[j], received[j]) for j in secrets}
    public_key = bc.joint_key(list(announcements.values()))
    data = {
        "protocol": bc.PROTOCOL,
        "cluster": CLUSTER,
        "year": YEAR,
        "ceremony": {
            "label": LABEL,
            "members": members,
            "threshold": threshold,
            "announcements": [
                {**a.to_json(), "fingerprint": bc.member_fingerprint(context, a)}
                for a in announcements.values()
            ],
            "shares": [m.to_json() for m in messages],
            "complaints": [],
            "public_key": public_key.hex(),
            "key_fingerprint": bc.key_fingerprint(context, public_key),
        },
        "polls": [],
    }
    present = [j for j in secrets if j not in absent][:threshold]
    for code, form, ballots_bits in polls:
        poll_context = form.context(public_key, CLUSTER, YEAR, code)
        ballots = [
            bc.encrypt_ballot(poll_context, public_key, form, bits, rng)[0] for bits in ballots_bits
        ]
        poll = {
            "code": code,
            "form": form.to_json(),
            "ballots": [{"tracker": bc.tracker(poll_context, b), **b.to_json()} for b in ballots],
            "spoiled": [],
            "turnout": len(ballots),
            "sums": [],
            "partials": [],
            "counts": [0] * len(form.largest()),
        }
        if cast_by_unit and code in cast_by_unit:
            poll["cast_by_unit"] = cast_by_unit[code]
        for bits in (spoil or {}).get(code, ()):
            ballot, nonces = bc.encrypt_ballot(poll_context, public_key, form, bits, rng)
            poll["spoiled"].append(
                {
                    "tracker": bc.tracker(poll_context, ballot),
                    **ballot.to_json(),
                    "randomness": [bc.scalar_bytes(r).hex() for r in nonces],
                    "plaintext": list(bits),
                }
            )
        if ballots:
            sums = bc.combine(ballots, len(form.selections))
            decrypted = form.decrypted(sums)
            partials = [
                bc.partial_decrypt(poll_context, j, shares[j], decrypted, rng) for j in present
            ]
            poll["sums"] = [[s.alpha.hex(), s.beta.hex()] for s in sums]
            poll["partials"] = [p.to_json() for p in partials]
            most = len(ballots) * max(form.largest())
            poll["counts"] = list(bc.counts(decrypted, partials, threshold, most))
        data["polls"].append(poll)
    member_secrets = {
        str(j): {
            "communication": bc.scalar_bytes(secrets[j].communication).hex(),
            "coefficients": [bc.scalar_bytes(a).hex() for a in secrets[j].coefficients],
            "key_share": bc.scalar_bytes(shares[j]).hex(),
        }
        for j in secrets
    }
    return data, member_secrets


CHOICE = bc.choice_form(["HG", "DB", "LC", "LS", "LCa", "SL", "CB"], 3, blank_valid=True)
APPROVAL = bc.approval_form(["LS", "SL"], blank_valid=True)


def _ticks(*chosen: int, blank: bool = False) -> list[int]:
    return [int(i in chosen) for i in range(7)] + [int(blank)]


EXAMPLE_POLLS = [
    (
        "co-thi-dua-bo",
        CHOICE,
        [_ticks(0, 3, 5), _ticks(3), _ticks(blank=True), _ticks(3, 5), _ticks(1, 3, 6)],
    ),
    # yes/no per candidate then the blank bit: [yes LS, no LS, yes SL, no SL, blank]
    ("bau-cum-truong", APPROVAL, [[1, 0, 0, 1, 0], [1, 0, 0, 0, 0], [0, 0, 0, 0, 1]]),
    ("co-chinh-phu", bc.choice_form(["LS", "SL"], 1, blank_valid=False), []),
]


def _mutations(valid: dict, rng: bc.Random) -> Iterator[tuple[str, list[dict], str, str]]:
    """(what, JSON Patch, expected code, expected place) for each attack on `valid`."""

    def at(pointer: str):
        return _resolve(valid, pointer)

    def replace(pointer: str, value) -> dict:
        return {"op": "replace", "path": pointer, "value": value}

    b0, b1 = "/polls/0/ballots/0", "/polls/0/ballots/1"
    partial = "/polls/0/partials/0/proofs"
    announcements = "/ceremony/announcements"
    yield (
        "a ballot's ciphertext swapped for another ballot's",
        [replace(f"{b1}/ciphertexts/3", at(f"{b0}/ciphertexts/3"))],
        "bad_proof",
        "polls[0].ballots[1]",
    )
    yield (
        "a ballot dropped",
        [{"op": "remove", "path": "/polls/0/ballots/2"}],
        "turnout_mismatch",
        "polls[0].turnout",
    )
    yield (
        "a ballot dropped and the turnout lowered to match",
        [{"op": "remove", "path": "/polls/0/ballots/2"}, replace("/polls/0/turnout", 4)],
        "wrong_sum",
        "polls[0].sums[0]",
    )
    yield (
        "a ballot cast again (replayed)",
        [
            {"op": "add", "path": "/polls/0/ballots/-", "value": at(b0)},
            replace("/polls/0/turnout", 6),
        ],
        "duplicate_ciphertext",
        "polls[0].ballots[5]",
    )
    yield (
        "a tracker that is not the ballot's",
        [replace(f"{b0}/tracker", at(f"{b1}/tracker"))],
        "wrong_tracker",
        "polls[0].ballots[0]",
    )
    yield (
        "a count changed",
        [replace("/polls/0/counts/3", at("/polls/0/counts/3") + 1)],
        "wrong_count",
        "polls[0].counts",
    )
    yield (
        "the identity as a ciphertext's first point",
        [replace(f"{b0}/ciphertexts/0/0", bc.IDENTITY.hex())],
        "bad_point",
        "polls[0].ballots[0]",
    )
    yield (
        "a point of small order",
        [replace(f"{b0}/ciphertexts/0/1", SMALL_ORDER)],
        "bad_point",
        "polls[0].ballots[0]",
    )
    response = f"{b0}/selection_proofs/0/responses/0"
    yield (
        "a response not reduced modulo ℓ",
        [replace(response, _unreduced(at(response)))],
        "scalar_not_canonical",
        "polls[0].ballots[0]",
    )
    yield (
        "a ballot with four ticks where three are allowed",
        [replace("/polls/0/ballots/4", _forged(valid, 0, CHOICE, [1, 1, 1, 1, 0, 0, 0, 0], rng))],
        "bad_proof",
        "polls[0].ballots[4]",
    )
    yield (
        "an approval ballot with both yes and no on one candidate",
        [replace("/polls/1/ballots/0", _forged(valid, 1, APPROVAL, [1, 1, 0, 0, 0], rng))],
        "bad_proof",
        "polls[1].ballots[0]",
    )
    yield (
        "a partial decryption whose proof does not hold",
        [replace(f"{partial}/2/response", at(f"{partial}/1/response"))],
        "bad_partial_proof",
        "polls[0].partials[0]",
    )
    yield (
        "one member's partial decryption only, with a threshold of two",
        [{"op": "remove", "path": "/polls/0/partials/1"}],
        "too_few_members",
        "polls[0].partials",
    )
    yield (
        "a member's commitment replaced",
        [replace(f"{announcements}/1/commitments/1", at(f"{announcements}/0/commitments/1"))],
        "bad_commitment_proof",
        "ceremony.announcements[1]",
    )
    yield (
        "a fingerprint that is not the member's",
        [replace(f"{announcements}/2/fingerprint", at(f"{announcements}/0/fingerprint"))],
        "wrong_fingerprint",
        "ceremony.announcements[2]",
    )
    yield (
        "a public key that is not the members' joint key",
        [replace("/ceremony/public_key", at(f"{announcements}/0/commitments/0"))],
        "wrong_public_key",
        "ceremony.public_key",
    )
    yield (
        "a key fingerprint that is not the key's (what the minutes print)",
        [replace("/ceremony/key_fingerprint", at(f"{announcements}/0/fingerprint"))],
        "wrong_fingerprint",
        "ceremony.key_fingerprint",
    )
    yield (
        "a share message missing",
        [{"op": "remove", "path": "/ceremony/shares/5"}],
        "shares_incomplete",
        "ceremony.shares",
    )
    yield (
        "a spoiled ballot whose printed plaintext is not what its randomness opens",
        [replace("/polls/0/spoiled/0/plaintext", [0, 0, 0, 0, 0, 0, 0, 1])],
        "wrong_plaintext",
        "polls[0].spoiled[0]",
    )


SCORE_UNITS = ["HG", "DB", "LC", "LS", "LCa", "SL", "CB"]
#: docs/score-ballot-crypto.md: one group and two groups, both partial policies. Small scales
#: keep the vectors quick to verify; 0…10 still needs four bits, so a bit pattern can exceed
#: the scale (11…15) and only the constraint's proof stops it.
SCORE_FORMS = {
    "diem-chung": sc.score_form(SCORE_UNITS, [10], "refuse"),
    "diem-tieu-chi": sc.score_form(SCORE_UNITS, [3, 5], "skip"),
    "diem-hai-nhom": sc.score_form(SCORE_UNITS, [3, 5], "refuse"),
    "diem-khong-phieu": sc.score_form(SCORE_UNITS, [10], "skip"),
}


def _scores(own: str, given: dict[str, tuple[int, ...]], rest: tuple[int, ...], *skipped: str):
    """A delegate of `own`: the scores `given`, `rest` for every other unit not `skipped`."""
    return own, {u: given.get(u, rest) for u in SCORE_UNITS if u != own and u not in skipped}


SCORE_BALLOTS = {
    "diem-chung": [
        _scores("HG", {"DB": (10,), "LS": (0,)}, (7,)),
        _scores("HG", {"SL": (9,)}, (6,)),
        _scores("DB", {"HG": (8,)}, (5,)),
        _scores("LS", {}, (10,)),
        _scores("CB", {"LC": (3,), "LCa": (4,)}, (8,)),
    ],
    "diem-tieu-chi": [
        _scores("LC", {"HG": (3, 5)}, (1, 2), "SL"),
        _scores("LC", {}, (2, 4)),
        _scores("SL", {"LC": (0, 0)}, (3, 1), "HG", "DB"),
        _scores("CB", {}, (1, 5), "LCa"),
    ],
    "diem-hai-nhom": [
        _scores("DB", {"HG": (3, 5)}, (2, 3)),
        _scores("LCa", {}, (1, 1)),
        _scores("SL", {"CB": (0, 5)}, (3, 0)),
    ],
    "diem-khong-phieu": [],
}


def score_vectors() -> tuple[dict, list[tuple[str, list[dict], str, str]]]:
    """The score transcript (2 of 3, member 2 absent) and its attacks."""
    rng = seeded("thidua-ballot-crypto-v1 score vectors")
    polls, cast_by_unit = [], {}
    for code, form in SCORE_FORMS.items():
        ballots = SCORE_BALLOTS[code]
        polls.append((code, form, [sc.score_bits(form, scores) for _, scores in ballots]))
        cast: dict[str, int] = {}
        for own, _ in ballots:
            cast[own] = cast.get(own, 0) + 1
        cast_by_unit[code] = cast
    spoil = {"diem-chung": [sc.score_bits(SCORE_FORMS["diem-chung"], _scores("LC", {}, (2,))[1])]}
    valid, _ = transcript(rng, polls, spoil=spoil, cast_by_unit=cast_by_unit)
    return valid, list(_score_mutations(valid, rng))


def _score_mutations(valid: dict, rng: bc.Random) -> Iterator[tuple[str, list[dict], str, str]]:
    """(what, JSON Patch, expected code, expected place) for each attack on the score polls."""

    def at(pointer: str):
        return _resolve(valid, pointer)

    def replace(pointer: str, value) -> dict:
        return {"op": "replace", "path": pointer, "value": value}

    one, two = SCORE_FORMS["diem-chung"], SCORE_FORMS["diem-tieu-chi"]
    # diem-chung: outputs per candidate are skipped:<c>, total:<c>:0 (2 per candidate)
    yield (
        "a total changed",
        [replace("/polls/0/counts/3", at("/polls/0/counts/3") + 1)],
        "wrong_count",
        "polls[0].counts",
    )
    yield (
        "a skipped count changed",
        [replace("/polls/1/counts/0", at("/polls/1/counts/0") + 1)],
        "wrong_count",
        "polls[1].counts",
    )
    yield (
        "one count per selection, as a base poll would have",
        [replace("/polls/0/counts", [0] * len(one.selections))],
        "wrong_count",
        "polls[0].counts",
    )
    yield (
        "a delegate moved to another unit in cast_by_unit (refuse: a unit skipped more often"
        " than its delegates voted)",
        [
            replace("/polls/0/cast_by_unit/HG", 1),
            {"op": "add", "path": "/polls/0/cast_by_unit/LC", "value": 1},
        ],
        "own_unit_count",
        "polls[0].counts",
    )
    yield (
        "a delegate moved in cast_by_unit to a unit skipped only by its own (skip policy)",
        [
            replace("/polls/1/cast_by_unit/LC", 1),
            {"op": "add", "path": "/polls/1/cast_by_unit/LS", "value": 1},
        ],
        "own_unit_count",
        "polls[1].counts",
    )
    yield (
        "cast_by_unit adding up to more than the turnout",
        [replace("/polls/0/cast_by_unit/LS", 2)],
        "turnout_mismatch",
        "polls[0].cast_by_unit",
    )
    yield (
        "cast_by_unit naming a unit that is not a candidate",
        [{"op": "add", "path": "/polls/0/cast_by_unit/XX", "value": 0}],
        "turnout_mismatch",
        "polls[0].cast_by_unit",
    )
    yield (
        "a scale constraint whose skip weight is lowered (a skip could hide points)",
        [replace("/polls/1/form/constraints/2/weights/2/1", 2)],
        "wrong_form",
        "polls[1].form",
    )
    yield (
        "the first candidate's scale lowered to 0…9, the others left at 0…10",
        [replace("/polls/0/form/constraints/0/high", 9)],
        "wrong_form",
        "polls[0].form",
    )
    yield (
        "a refuse poll's last constraint opened to skipping two units",
        [replace("/polls/0/form/constraints/7/high", 2)],
        "wrong_form",
        "polls[0].form",
    )
    yield (
        "an output that decrypts one bit of a score",
        [replace("/polls/0/form/outputs/1/weights", [[1, 1]])],
        "wrong_form",
        "polls[0].form",
    )
    yield (
        "an output naming no selection",
        [replace("/polls/0/form/outputs/1/weights/0/0", len(one.selections))],
        "malformed",
        "polls[0].form",
    )
    yield (
        "the score form without its outputs (read as a base poll: another context)",
        [{"op": "remove", "path": "/polls/0/form/outputs"}],
        "bad_proof",
        "polls[0].ballots[0]",
    )
    yield (
        "a score of 15 on a scale of 0…10 (its four bits allow it)",
        [replace("/polls/0/ballots/3", _forged(valid, 0, one, _score_ballot(one, "LS", 15), rng))],
        "bad_proof",
        "polls[0].ballots[3]",
    )
    hidden = _score_ballot(two, "LC", (0, 0))
    hidden[0] = hidden[3] = 1  # HG skipped, yet bit 0 of its group 1 (0…5) set
    yield (
        "a skipped unit hiding points in its score bits",
        [replace("/polls/1/ballots/1", _forged(valid, 1, two, hidden, rng))],
        "bad_proof",
        "polls[1].ballots[1]",
    )
    yield (
        "a refuse ballot skipping two units",
        [
            replace(
                "/polls/0/ballots/2",
                _forged(valid, 0, one, _score_ballot(one, "DB", 5, skip=("HG",)), rng),
            )
        ],
        "bad_proof",
        "polls[0].ballots[2]",
    )
    yield (
        "a partial decryption with one share per selection instead of per output",
        [
            replace(
                "/polls/0/partials/0/shares",
                (at("/polls/0/partials/0/shares") * 3)[: len(one.selections)],
            )
        ],
        "malformed",
        "polls[0].partials[0]",
    )
    yield (
        "a ballot dropped with the turnout and cast_by_unit lowered to match",
        [
            {"op": "remove", "path": "/polls/0/ballots/3"},
            replace("/polls/0/turnout", 4),
            {"op": "remove", "path": "/polls/0/cast_by_unit/LS"},
        ],
        "wrong_sum",
        "polls[0].sums[0]",
    )


def _score_ballot(form: sc.ScoreForm, own: str, score, skip: tuple[str, ...] = ()) -> list[int]:
    """Selections of a ballot skipping `own` (and `skip`), every other unit given `score`
    in each group, written bit by bit even beyond the scale."""
    params = sc.parameters_of(form)
    scores = score if isinstance(score, tuple) else (score,) * len(params.groups)
    bits = []
    for unit in params.candidates:
        skipped = unit == own or unit in skip
        bits.append(int(skipped))
        for value, maximum in zip(scores, params.groups, strict=True):
            value = 0 if skipped else value
            bits += [(value >> i) & 1 for i in range(sc.bits_for(maximum))]
    return bits


def _resolve(data, pointer: str):
    for part in pointer.split("/")[1:]:
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def patched(data: dict, patch: list[dict]) -> dict:
    """RFC 6902's add, remove and replace (all a vector needs), on a copy."""
    data = copy.deepcopy(data)
    for operation in patch:
        parent_pointer, _, last = operation["path"].rpartition("/")
        parent = _resolve(data, parent_pointer)
        if operation["op"] == "remove":
            del parent[int(last) if isinstance(parent, list) else last]
        elif operation["op"] == "add" and isinstance(parent, list):
            parent.insert(len(parent) if last == "-" else int(last), operation["value"])
        else:
            parent[int(last) if isinstance(parent, list) else last] = operation["value"]
    return data


SMALL_ORDER = "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"
NON_CANONICAL = "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"


def _unreduced(scalar_hex: str) -> str:
    value = int.from_bytes(bytes.fromhex(scalar_hex), "little") + bc.L
    return value.to_bytes(32, "little").hex()


def _forged(data: dict, position: int, form: bc.Form, bits: list[int], rng: bc.Random) -> dict:
    """A ballot outside the form, its proofs made as an honest phone would make them (they
    cannot hold: the prover claims the nearest allowed value)."""
    poll = data["polls"][position]
    key = bytes.fromhex(data["ceremony"]["public_key"])
    context = form.context(key, data["cluster"], data["year"], poll["code"])
    nonces = [rng() for _ in bits]
    ciphertexts = tuple(
        bc.Ciphertext(bc.base(r), bc.add(bc.base(b), bc.mul(r, key)))
        for b, r in zip(bits, nonces, strict=True)
    )
    selection = tuple(
        bc._prove_range(
            "thidua/v1/selection", context, i, key, c.alpha, c.beta, 0, 1, bits[i], nonces[i], rng
        )
        for i, c in enumerate(ciphertexts)
    )
    constraints = []
    for i, constraint in enumerate(form.constraints):
        alpha, beta = bc.weighted(ciphertexts, constraint.weights)
        value = sum(w * bits[j] for j, w in constraint.weights)
        claimed = min(max(value, constraint.low), constraint.high)
        nonce = sum(w * nonces[j] for j, w in constraint.weights)
        constraints.append(
            bc._prove_range(
                "thidua/v1/constraint",
                context,
                i,
                key,
                alpha,
                beta,
                constraint.low,
                constraint.high,
                claimed,
                nonce,
                rng,
            )
        )
    ballot = bc.Ballot(ciphertexts, selection, tuple(constraints))
    return {"tracker": bc.tracker(context, ballot), **ballot.to_json()}


def _primitives(rng: bc.Random) -> dict:
    key = bc.base(rng())
    nonce = rng()
    return {
        "hash": [
            {"tag": "thidua/v1/example", "items": [], "H": bc.digest("thidua/v1/example").hex()},
            {
                "tag": "thidua/v1/example",
                "items": ["", "00", "746869 6475 61".replace(" ", "")],
                "H": bc.digest("thidua/v1/example", b"", b"\0", b"thidua").hex(),
                "Hs": bc.scalar_bytes(
                    bc.challenge("thidua/v1/example", b"", b"\0", b"thidua")
                ).hex(),
            },
        ],
        "points": [
            {"hex": bc.G.hex(), "valid": True, "why": "the base point G"},
            {"hex": bc.IDENTITY.hex(), "valid": False, "why": "the identity"},
            {"hex": SMALL_ORDER, "valid": False, "why": "a point of order 8"},
            {"hex": NON_CANONICAL, "valid": False, "why": "y = p, not reduced"},
            {
                "hex": bc.add(bc.G, bytes.fromhex(SMALL_ORDER)).hex(),
                "valid": False,
                "why": "G plus a point of order 8: on the curve, outside the subgroup",
            },
            {"hex": "02" + "00" * 31, "valid": False, "why": "not on the curve"},
        ],
        "encryption": {
            "key": key.hex(),
            "message": 1,
            "nonce": bc.scalar_bytes(nonce).hex(),
            "alpha": bc.base(nonce).hex(),
            "beta": bc.add(bc.G, bc.mul(nonce, key)).hex(),
        },
        "lagrange": [
            {
                "member": m,
                "present": [1, 3],
                "weight": bc.scalar_bytes(bc.lagrange(m, [1, 3])).hex(),
            }
            for m in (1, 3)
        ],
        "forms": {
            "choice_7_of_3_blank": CHOICE.to_json(),
            "choice_7_of_3_blank_bytes": CHOICE.to_bytes().hex(),
            "approval_2_blank": APPROVAL.to_json(),
        },
    }


def vectors() -> dict:
    rng = seeded("thidua-ballot-crypto-v1 vectors")
    valid, member_secrets = transcript(rng, EXAMPLE_POLLS, spoil={"co-thi-dua-bo": [_ticks(2, 4)]})
    failing = [_case(*mutation) for mutation in _mutations(valid, rng)]
    primitives = _primitives(rng)
    score, score_mutations = score_vectors()
    return {
        "protocol": bc.PROTOCOL,
        "primitives": primitives,
        "transcript": valid,
        "member_secrets": member_secrets,
        "failing": failing,
        "score": {
            "transcript": score,
            "failing": [_case(*mutation) for mutation in score_mutations],
        },
    }


def _case(what: str, patch: list[dict], code: str, where: str) -> dict:
    return {"what": what, "patch": patch, "code": code, "where": where}


def check(data: dict) -> list[str]:
    """What our own verifier gets wrong on the vectors (empty when all agree)."""
    problems = []
    for name, valid, failing in [
        ("transcript", data["transcript"], data["failing"]),
        ("score transcript", data["score"]["transcript"], data["score"]["failing"]),
    ]:
        if (found := verify_transcript(valid)) is not None:
            problems.append(f"valid {name} refused: {found}")
        for case in failing:
            found = verify_transcript(patched(valid, case["patch"]))
            if found is None or (found.code, found.where) != (case["code"], case["where"]):
                problems.append(
                    f"{case['what']}: expected {case['code']} at {case['where']}, got {found}"
                )
    return problems


if __name__ == "__main__":
    made = vectors()
    if problems := check(made):
        sys.exit("\n".join(problems))
    json.dump(made, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
