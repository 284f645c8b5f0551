"""The encrypted-ballot protocol (docs/ballot-crypto.md): what it proves and what it refuses."""

import copy
import functools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thidua.core import ballot_crypto as bc
from thidua.core import ballot_vectors
from thidua.core import score_crypto as sc
from thidua.core.ballot_verify import verify_transcript

VECTORS = Path(__file__).parents[2] / "docs" / "ballot-crypto-vectors.json"


@functools.cache
def _made_once(make) -> object:
    return make()


def _vectors() -> dict:
    """`_vectors()` (seeded: the same each time, ~2 s to make), made once for
    the module; each test gets a copy of its own to change."""
    return copy.deepcopy(_made_once(ballot_vectors.vectors))


def _score_vectors() -> tuple:
    return copy.deepcopy(_made_once(ballot_vectors.score_vectors))


def test_vectors_file_is_what_the_code_makes():
    """The published vectors are current: a change of the protocol changes them visibly."""
    assert json.loads(VECTORS.read_text(encoding="utf-8")) == ballot_vectors.vectors()


def test_our_verifier_agrees_with_every_vector():
    assert ballot_vectors.check(_vectors()) == []


def test_every_attack_in_the_vectors_is_refused_somewhere_different():
    """The attacks are not one attack repeated: they reach different rules or places."""
    failing = _vectors()["failing"]
    assert len(failing) >= 15
    assert len({(case["code"], case["where"]) for case in failing}) >= 14


def test_the_score_vectors_cover_both_policies_and_attack_each_score_rule():
    """docs/score-ballot-crypto.md §7: one and two groups, refuse and skip, and an attack on
    each rule a score poll adds to the base."""
    score = _vectors()["score"]
    forms = [sc.ScoreForm.from_json(poll["form"]) for poll in score["transcript"]["polls"]]
    shapes = {(len(p.groups), p.partial.value) for p in map(sc.parameters_of, forms)}
    assert shapes == {(1, "refuse"), (2, "skip"), (2, "refuse"), (1, "skip")}
    codes = {case["code"] for case in score["failing"]}
    assert codes >= {"wrong_count", "own_unit_count", "turnout_mismatch", "wrong_form", "bad_proof"}


@pytest.mark.parametrize(
    ("hex_point", "valid"),
    [
        (bc.G.hex(), True),
        (bc.IDENTITY.hex(), False),
        (ballot_vectors.SMALL_ORDER, False),
        (ballot_vectors.NON_CANONICAL, False),
        (bc.add(bc.G, bytes.fromhex(ballot_vectors.SMALL_ORDER)).hex(), False),
        ("02" + "00" * 31, False),
        ("00" * 31, False),
        ("zz" * 32, False),
    ],
)
def test_received_points_are_checked(hex_point, valid):
    if valid:
        assert bc.point_from(hex_point) == bytes.fromhex(hex_point)
    else:
        with pytest.raises(bc.Invalid):
            bc.point_from(hex_point)


def test_scalars_must_be_reduced():
    assert bc.scalar_from(bc.scalar_bytes(bc.L - 1)) == bc.L - 1
    with pytest.raises(bc.Invalid, match="scalar_not_canonical"):
        bc.scalar_from(bc.L.to_bytes(32, "little"))


def test_identity_arithmetic():
    assert bc.mul(0, bc.G) == bc.IDENTITY
    assert bc.mul(5, bc.IDENTITY) == bc.IDENTITY
    assert bc.sub(bc.G, bc.G) == bc.IDENTITY
    assert bc.add() == bc.IDENTITY
    assert bc.add(bc.IDENTITY, bc.G) == bc.G
    assert bc.sub(bc.IDENTITY, bc.G) == bc.mul(bc.L - 1, bc.G)
    assert bc.small_log(bc.IDENTITY, 3) == 0
    assert bc.small_log(bc.base(3), 3) == 3
    assert bc.small_log(bc.base(4), 3) is None


def _board(threshold=2, members=3):
    rng = ballot_vectors.seeded(f"board {threshold} {members}")
    context = bc.ceremony_context("II", 2020, "t", members, threshold)
    pairs = [bc.new_member(context, i, threshold, rng) for i in range(1, members + 1)]
    announcements = [a for _, a in pairs]
    shares = {}
    for secret, _ in pairs:
        received = {}
        for sender, announcement in pairs:
            if sender.index != secret.index:
                message = bc.share_for(context, sender, announcements[secret.index - 1], rng)
                received[sender.index] = bc.open_share(context, secret, announcement, message)
        shares[secret.index] = bc.key_share(secret, received)
    return context, pairs, bc.joint_key(announcements), shares


BOARD = _board()


def _forms():
    candidates = st.lists(st.sampled_from("ABCDEFG"), min_size=1, max_size=5, unique=True)
    choice = st.builds(
        lambda c, allowed, blank: bc.choice_form(c, min(allowed, len(c)), blank),
        candidates,
        st.integers(1, 3),
        st.booleans(),
    )
    approval = st.builds(bc.approval_form, candidates, st.booleans())
    return st.one_of(choice, approval)


@st.composite
def _valid_ballots(draw, form):
    """Bits that satisfy the form, drawn by rejection from small random vectors."""
    bits = draw(
        st.lists(
            st.integers(0, 1), min_size=len(form.selections), max_size=len(form.selections)
        ).filter(form.valid)
    )
    return bits


@settings(max_examples=12, deadline=None)
@given(data=st.data(), form=_forms())
def test_decrypted_totals_equal_the_plaintext_sums(data, form):
    """Property: whatever valid ballots are cast, any two of three members decrypt exactly the
    plaintext sums, and every ballot passes the server's checks."""
    _, pairs, key, shares = BOARD
    context = bc.poll_context(key, "II", 2020, "p", form)
    plain = data.draw(st.lists(_valid_ballots(form), min_size=1, max_size=6))
    ballots = []
    for bits in plain:
        ballot, _ = bc.encrypt_ballot(context, key, form, bits)
        bc.verify_ballot(context, key, form, bc.Ballot.from_json(ballot.to_json()))
        ballots.append(ballot)
    present = data.draw(st.sampled_from([(1, 2), (1, 3), (2, 3), (3, 1)]))
    sums = bc.combine(ballots, len(form.selections))
    announcements = [a for _, a in pairs]
    partials = []
    for member in present:
        partial = bc.partial_decrypt(context, member, shares[member], sums)
        bc.check_partial(context, bc.verification_key(announcements, member), sums, partial)
        partials.append(partial)
    totals = [sum(column) for column in zip(*plain, strict=True)]
    assert list(bc.counts(sums, partials, 2, len(plain))) == totals


def test_forms_accept_exactly_the_valid_ballots():
    choice = bc.choice_form(["A", "B", "C"], 2, blank_valid=True)
    assert choice.valid([1, 1, 0, 0])
    assert choice.valid([0, 0, 0, 1])
    assert not choice.valid([1, 1, 1, 0])  # three ticks, two allowed
    assert not choice.valid([1, 0, 0, 1])  # blank with a tick
    assert not choice.valid([0, 0, 0, 0])  # nothing at all: blank must be said
    strict = bc.choice_form(["A", "B"], 1, blank_valid=False)
    assert strict.selections == ("choice:A", "choice:B")
    assert not strict.valid([0, 0])
    approval = bc.approval_form(["A", "B"], blank_valid=True)
    assert approval.valid([1, 0, 0, 1, 0])
    assert approval.valid([0, 0, 0, 0, 1])
    assert not approval.valid([1, 1, 0, 0, 0])  # yes and no on A
    assert not approval.valid([1, 0, 0, 0, 1])  # blank with an answer


@pytest.mark.parametrize(
    ("form", "bits"),
    [
        (bc.choice_form(["A", "B", "C"], 2, True), [1, 1, 1, 0]),
        (bc.choice_form(["A", "B", "C"], 2, True), [1, 0, 0, 1]),
        (bc.choice_form(["A", "B", "C"], 2, True), [0, 0, 0, 0]),
        (bc.choice_form(["A", "B", "C"], 2, True), [2, 0, 0, 0]),
        (bc.approval_form(["A"], True), [1, 1, 0]),
    ],
)
def test_a_ballot_outside_its_form_cannot_be_proven(form, bits):
    """The phone refuses to encrypt it, and a forger who proves the nearest allowed value
    instead is caught by the server."""
    _, _, key, _ = BOARD
    context = bc.poll_context(key, "II", 2020, "p", form)
    with pytest.raises(bc.Invalid, match="plaintext_outside_form"):
        bc.encrypt_ballot(context, key, form, bits)
    if set(bits) <= {0, 1}:
        data = {"ceremony": {"public_key": key.hex()}, "cluster": "II", "year": 2020}
        data["polls"] = [{"code": "p"}]
        forged = bc.Ballot.from_json(
            ballot_vectors._forged(data, 0, form, bits, ballot_vectors.seeded("forge"))
        )
        with pytest.raises(bc.Invalid, match="bad_proof"):
            bc.verify_ballot(context, key, form, forged)


def test_a_proof_is_bound_to_its_poll():
    """A valid ballot of one poll is refused in another poll with the same form."""
    _, _, key, _ = BOARD
    form = bc.choice_form(["A", "B"], 1, True)
    ballot, _ = bc.encrypt_ballot(bc.poll_context(key, "II", 2020, "p", form), key, form, [1, 0, 0])
    for other in (
        bc.poll_context(key, "II", 2020, "q", form),
        bc.poll_context(key, "II", 2021, "p", form),
        bc.poll_context(key, "III", 2020, "p", form),
    ):
        with pytest.raises(bc.Invalid, match="bad_proof"):
            bc.verify_ballot(other, key, form, ballot)


def test_spoiled_ballot_opens_to_what_was_encrypted_and_nothing_else():
    _, _, key, _ = BOARD
    form = bc.approval_form(["A", "B"], True)
    context = bc.poll_context(key, "II", 2020, "p", form)
    ballot, nonces = bc.encrypt_ballot(context, key, form, [0, 1, 1, 0, 0])
    assert bc.spoiled_plaintext(key, ballot, nonces) == (0, 1, 1, 0, 0)
    with pytest.raises(bc.Invalid, match="randomness_mismatch"):
        bc.spoiled_plaintext(key, ballot, (nonces[1], nonces[0], *nonces[2:]))


def test_a_wrong_share_is_caught_and_the_complaint_decides_who_is_at_fault():
    context, pairs, _, _ = BOARD
    (s1, a1), (s2, a2), _ = pairs
    good = bc.share_for(context, s1, a2)
    assert bc.open_share(context, s2, a1, good) == bc.polynomial_at(s1.coefficients, 2)
    assert bc.complaint_upheld(context, a1, a2, good, bc.complain(context, s2, good)) is False
    # member 1 sends member 2 a share off its polynomial
    wrong = bc.share_for(context, bc.MemberSecret(1, s1.communication, (1, 2)), a2)
    assert bc.open_share(context, s2, a1, wrong) is None
    assert bc.complaint_upheld(context, a1, a2, wrong, bc.complain(context, s2, wrong)) is True
    # member 3 cannot read member 2's share, and a complaint with a made-up secret fails
    assert bc.open_share(context, pairs[2][0], a1, good) is None
    forged = bc.Complaint(1, 2, bc.base(7), bc.Schnorr(1, 2))
    with pytest.raises(bc.Invalid, match="bad_complaint_proof"):
        bc.complaint_upheld(context, a1, a2, good, forged)


def test_announcements_prove_knowledge_and_fingerprints_name_them():
    context, pairs, _, _ = BOARD
    (_, a1), (_, a2), _ = pairs
    bc.check_announcement(context, 2, a1)
    with pytest.raises(bc.Invalid, match="commitment_count"):
        bc.check_announcement(context, 3, a1)
    stolen = bc.Announcement(
        1, a1.communication_key, a1.key_proof, a2.commitments, a2.commitment_proofs
    )
    with pytest.raises(bc.Invalid, match="bad_commitment_proof"):
        bc.check_announcement(context, 2, stolen)
    other_ceremony = bc.ceremony_context("II", 2020, "t2", 3, 2)
    with pytest.raises(bc.Invalid, match="bad_key_proof"):
        bc.check_announcement(other_ceremony, 2, a1)
    assert bc.member_fingerprint(context, a1) != bc.member_fingerprint(context, a2)
    assert len(bc.member_fingerprint(context, a1).split()) == 8


def test_key_shares_match_the_public_verification_keys_and_any_two_decrypt():
    _, pairs, key, shares = BOARD
    announcements = [a for _, a in pairs]
    for member, share in shares.items():
        assert bc.base(share) == bc.verification_key(announcements, member)
    # Lagrange at 0 over any two shares gives the joint secret's point
    for present in ([1, 2], [1, 3], [2, 3]):
        assert bc.add(*(bc.mul(bc.lagrange(m, present) * shares[m], bc.G) for m in present)) == key


def test_fewer_than_k_members_cannot_count():
    _, _, key, shares = BOARD
    form = bc.choice_form(["A"], 1, True)
    context = bc.poll_context(key, "II", 2020, "p", form)
    ballots = [bc.encrypt_ballot(context, key, form, [1, 0])[0]]
    sums = bc.combine(ballots, 2)
    alone = [bc.partial_decrypt(context, 1, shares[1], sums)]
    with pytest.raises(bc.Invalid, match="too_few_members"):
        bc.counts(sums, alone, 2, 1)
    # one member's share alone, even forced through, does not give the count
    assert bc.small_log(bc.sub(sums[0].beta, alone[0].shares[0]), 1) is None


def test_backup_opens_with_its_passphrase_only():
    context, pairs, _, shares = BOARD
    secret = pairs[0][0]
    sealed = bc.seal_backup("Hà Giang 2020", context, 1, secret.communication, shares[1])
    assert bc.open_backup("Hà Giang 2020", context, sealed) == (secret.communication, shares[1])
    with pytest.raises(bc.Invalid, match="wrong_passphrase"):
        bc.open_backup("Ha Giang 2020", context, sealed)
    with pytest.raises(bc.Invalid, match="wrong_passphrase"):
        bc.open_backup("Hà Giang 2020", context, {**sealed, "index": 2})


def test_a_transcript_with_an_upheld_complaint_is_a_failed_ceremony():
    data = _vectors()["transcript"]
    rng = ballot_vectors.seeded("complaint")
    context = bc.ceremony_context(data["cluster"], data["year"], data["ceremony"]["label"], 3, 2)
    announcements = {
        a["index"]: bc.Announcement.from_json(a) for a in data["ceremony"]["announcements"]
    }
    secrets = {
        int(i): bc.MemberSecret(
            int(i),
            bc.scalar_from(s["communication"]),
            tuple(bc.scalar_from(a) for a in s["coefficients"]),
        )
        for i, s in _vectors()["member_secrets"].items()
    }
    wrong = bc.share_for(
        context, bc.MemberSecret(1, secrets[1].communication, (5, 6)), announcements[2], rng
    )
    position = next(
        p for p, m in enumerate(data["ceremony"]["shares"]) if (m["from"], m["to"]) == (1, 2)
    )
    data["ceremony"]["shares"][position] = wrong.to_json()
    complaint = bc.complain(context, secrets[2], wrong, rng)
    data["ceremony"]["complaints"] = [{**complaint.to_json(), "upheld": False}]
    assert verify_transcript(data).code == "complaint_misjudged"
    data["ceremony"]["complaints"] = [{**complaint.to_json(), "upheld": True}]
    found = verify_transcript(data)
    assert (found.code, found.where) == ("ceremony_failed", "ceremony.complaints[0]")


def test_a_poll_without_ballots_counts_zero_and_nothing_else():
    data = _vectors()["transcript"]
    assert verify_transcript(data) is None
    assert data["polls"][2]["counts"] == [0, 0]
    data["polls"][2]["counts"] = [1, 0]
    found = verify_transcript(data)
    assert (found.code, found.where) == ("wrong_count", "polls[2].counts")


@pytest.mark.parametrize(
    ("pointer", "value", "failure"),
    [
        # read as 0 and 1 they would hash as the published form does: the proofs would hold
        ("/polls/0/form/constraints/0/weights/0", ["0", 1], ("malformed", "polls[0].form")),
        ("/polls/0/form/constraints/0/weights/0", [0, True], ("malformed", "polls[0].form")),
        ("/polls/0/form/constraints/0/low", 1.0, ("malformed", "polls[0].form")),
        ("/polls/0/form/selections/0", 7, ("malformed", "polls[0].form")),
        ("/ceremony/announcements/0/fingerprint", 0, ("malformed", "ceremony.announcements[0]")),
        ("/ceremony/key_fingerprint", None, ("malformed", "ceremony")),
        ("/polls/0/counts/0", True, ("wrong_count", "polls[0].counts")),
        ("/polls/2/counts/0", False, ("wrong_count", "polls[2].counts")),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_not_read_as_another(pointer, value, failure):
    """§6: a value of the wrong type is `malformed` (a count that is not an integer is not
    the count): `true` is not 1, "0" is not 0, as the independent verifier reads them."""
    data = _vectors()["transcript"]
    changed = ballot_vectors.patched(data, [{"op": "replace", "path": pointer, "value": value}])
    found = verify_transcript(changed)
    assert found is not None
    assert (found.code, found.where) == failure


@pytest.mark.parametrize(
    ("pointer", "value"),
    [("/polls/0/form/outputs", {}), ("/polls/0/form/outputs/0/label", 0)],
)
def test_a_score_form_whose_outputs_have_the_wrong_type_is_malformed(pointer, value):
    data = _score_vectors()[0]
    changed = ballot_vectors.patched(data, [{"op": "replace", "path": pointer, "value": value}])
    found = verify_transcript(changed)
    assert found is not None
    assert (found.code, found.where) == ("malformed", "polls[0].form")
