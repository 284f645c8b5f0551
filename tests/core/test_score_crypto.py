"""Encrypted score ballots (docs/score-ballot-crypto.md): the score form, its outputs, the
own-unit proof and count, and the transcript checks of a score poll."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.test_ballot_crypto import BOARD  # the 2-of-3 board: (context, pairs, K, shares)
from thidua.core import ballot_crypto as bc
from thidua.core import ballot_vectors
from thidua.core import score_ballots as sb
from thidua.core import score_crypto as sc
from thidua.core.ballot_verify import verify_transcript

UNITS = ["A", "B", "C", "D", "E", "F", "G"]
#: Delegates per unit at the conference: 21 in all, unevenly, so each unit is scored by a
#: different number of ballots (a delegate never scores their own unit).
DELEGATES = {"A": 4, "B": 4, "C": 3, "D": 3, "E": 3, "F": 2, "G": 2}


def _next(unit: str, step: int = 1) -> str:
    return UNITS[(UNITS.index(unit) + step) % len(UNITS)]


def _refuse_scores(own: str, _: int) -> dict:
    """Scale 0…10: the next unit in the list gets 10, every other unit 5, the own unit none."""
    return {u: (10 if u == _next(own) else 5,) for u in UNITS if u != own}


def _skip_scores(own: str, position: int) -> dict:
    """Groups 0…3 and 0…5: the next unit gets (3, 5), others (1, 2); the first delegate of
    each unit also leaves the unit three places on unscored."""
    skipped = {own} | ({_next(own, 3)} if position == 0 else set())
    return {u: ((3, 5) if u == _next(own) else (1, 2)) for u in UNITS if u not in skipped}


def _ballots(make) -> list[tuple[str, dict]]:
    out = []
    for unit, n in DELEGATES.items():
        out += [(unit, make(unit, position)) for position in range(n)]
    return out


POLICIES = {
    # policy: (groups, scores, hand-computed skipped, group totals per unit)
    "refuse": (
        (10,),
        _ballots(_refuse_scores),
        {"A": 4, "B": 4, "C": 3, "D": 3, "E": 3, "F": 2, "G": 2},
        # e.g. A: 17 ballots score it, the 2 of G give 10, the 15 others 5: 20 + 75 = 95
        {"A": (95,), "B": (105,), "C": (110,), "D": (105,), "E": (105,), "F": (110,), "G": (105,)},
    ),
    "skip": (
        (3, 5),
        _ballots(_skip_scores),
        {"A": 5, "B": 5, "C": 4, "D": 4, "E": 4, "F": 3, "G": 3},
        # e.g. A: 21 − 4 − 1 = 16 score it, the 2 of G give (3, 5), 14 give (1, 2)
        {
            "A": (20, 38),
            "B": (24, 44),
            "C": (25, 46),
            "D": (23, 43),
            "E": (23, 43),
            "F": (24, 45),
            "G": (22, 42),
        },
    ),
}


def _transcript(policy: str, ballots: list[tuple[str, dict]] | None = None) -> dict:
    groups, scored, *_ = POLICIES[policy]
    ballots = scored if ballots is None else ballots
    form = sc.score_form(UNITS, groups, policy)
    cast = {u: sum(1 for own, _ in ballots if own == u) for u in UNITS}
    data, _ = ballot_vectors.transcript(
        ballot_vectors.seeded(f"score {policy} {len(ballots)}"),
        [("diem", form, [sc.score_bits(form, scores) for _, scores in ballots])],
        cast_by_unit={"diem": {u: n for u, n in cast.items() if n}},
    )
    return data


@pytest.fixture(scope="module")
def transcripts() -> dict[str, dict]:
    return {policy: _transcript(policy) for policy in POLICIES}


# --- the form (§2, §3) -----------------------------------------------------------------------


def test_the_score_form_is_laid_out_as_specified():
    form = sc.score_form(["HG", "DB"], [5], "refuse")
    assert form.selections == (
        "skip:HG",
        "score:HG:0:0",
        "score:HG:0:1",
        "score:HG:0:2",
        "skip:DB",
        "score:DB:0:0",
        "score:DB:0:1",
        "score:DB:0:2",
    )
    assert form.constraints == (
        bc.Constraint(((1, 1), (2, 2), (3, 4), (0, 5)), 0, 5),
        bc.Constraint(((5, 1), (6, 2), (7, 4), (4, 5)), 0, 5),
        bc.Constraint(((0, 1), (4, 1)), 1, 1),
    )
    assert form.outputs == (
        sc.Output("skipped:HG", ((0, 1),)),
        sc.Output("total:HG:0", ((1, 1), (2, 2), (3, 4))),
        sc.Output("skipped:DB", ((4, 1),)),
        sc.Output("total:DB:0", ((5, 1), (6, 2), (7, 4))),
    )
    assert sc.score_form(["HG", "DB"], [5], "skip").constraints[-1].high == 2
    seven = sc.score_form(UNITS, [100], "refuse")
    assert (len(seven.selections), len(seven.constraints), len(seven.outputs)) == (56, 8, 14)
    tail = bc.u32(4) + bc.u32(len("skipped:HG")) + b"skipped:HG" + bc.u32(1) + bc.u32(0) + bc.u32(1)
    base = bc.Form(form.selections, form.constraints)
    assert form.to_bytes().startswith(base.to_bytes() + tail)
    assert form.to_json()["outputs"][1] == {
        "label": "total:HG:0",
        "weights": [[1, 1], [2, 2], [3, 4]],
    }
    assert sc.ScoreForm.from_json(form.to_json()) == form
    assert sc.parameters_of(form) == sc.ScoreParameters(("HG", "DB"), (5,), sb.Partial.REFUSE)


@pytest.mark.parametrize(
    ("candidates", "groups", "code"),
    [(["A"], [10], "bad_candidates"), (["A", "A"], [10], "bad_candidates"),
     (["A", "B"], [], "bad_scale"), (["A", "B"], [0], "bad_scale"),
     (["A", "B"], [1001], "bad_scale")],
)  # fmt: skip
def test_a_score_poll_needs_candidates_and_a_scale(candidates, groups, code):
    with pytest.raises(bc.Invalid, match=code):
        sc.score_form(candidates, groups, "skip")


def test_a_score_proof_is_never_valid_in_a_base_poll():
    """The score poll's Q has its own tag: the same form and poll code under the base's Q
    refuses the ballot."""
    _, _, key, _ = BOARD
    form = sc.score_form(["A", "B"], [3], "refuse")
    context = sc.score_poll_context(key, "II", 2020, "p", form)
    assert (
        context == form.context(key, "II", 2020, "p") != bc.poll_context(key, "II", 2020, "p", form)
    )
    ballot, _ = bc.encrypt_ballot(context, key, form, sc.score_bits(form, {"B": (3,)}))
    bc.verify_ballot(context, key, form, ballot)
    with pytest.raises(bc.Invalid, match="bad_proof"):
        bc.verify_ballot(bc.poll_context(key, "II", 2020, "p", form), key, form, ballot)


def test_scores_become_bits_and_the_phone_refuses_what_the_form_forbids():
    form = sc.score_form(["A", "B", "C"], [100], "refuse")
    bits = sc.score_bits(form, {"A": None, "B": (100,), "C": (5,)})
    assert bits == [1, *[0] * 7, 0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0]
    assert sc.score_bits(form, {"B": (100,), "C": (5,)}) == bits  # absent is skipped
    _, _, key, _ = BOARD
    context = form.context(key, "II", 2020, "p")
    for scores, code in [
        ({"B": (101,), "C": (5,)}, "plaintext_outside_form"),  # above the scale
        ({"C": (5,)}, "plaintext_outside_form"),  # refuse: one skip only
        ({"B": (128,), "C": (5,)}, "score_out_of_range"),  # more than its 7 bits hold
        ({"B": (-1,), "C": (5,)}, "score_out_of_range"),
        ({"B": (True,), "C": (5,)}, "score_out_of_range"),
        ({"B": (1, 2), "C": (5,)}, "wrong_group_count"),
        ({"X": (1,)}, "unknown_candidate"),
    ]:
        with pytest.raises(bc.Invalid, match=code):
            bc.encrypt_ballot(context, key, form, sc.score_bits(form, scores))


# --- the count (§3), both policies, by hand ----------------------------------------------------


@pytest.mark.parametrize("policy", POLICIES)
def test_21_ballots_decrypt_to_the_hand_computed_result(transcripts, policy):
    """21 delegates of 7 units, own unit always skipped: the transcript verifies, and the
    decrypted outputs give the hand-computed totals and counts, which core.score_ballots ranks
    exactly as it ranks the same ballots on paper."""
    groups, ballots, skipped, group_totals = POLICIES[policy]
    data = transcripts[policy]
    assert verify_transcript(data) is None
    poll = data["polls"][0]
    form = sc.ScoreForm.from_json(poll["form"])
    result = sc.decrypted_scores(form, poll["turnout"], poll["counts"])
    assert (result.ballots, result.skipped, result.group_totals) == (21, skipped, group_totals)
    assert result.counts == {u: 21 - n for u, n in skipped.items()}
    assert len(set(result.counts.values())) > 1  # each unit over its own number of scores
    rules = sb.ScoreRules(tuple(UNITS), groups, sb.Partial(policy))
    paper = sb.tally([sb.ScoreBallot(s, own) for own, s in ballots], rules)
    sealed = sb.tally([], rules, totals=[result.totals()])
    assert sealed.standings == paper.standings
    assert (sealed.returned, sealed.valid) == (21, 21)


def test_the_decryption_needs_k_members_and_any_k_give_the_same_counts():
    _, pairs, key, shares = BOARD
    form = sc.score_form(["A", "B", "C"], [4], "skip")
    context = form.context(key, "II", 2020, "p")
    plain = [{"B": (4,), "C": (1,)}, {"A": (2,)}, {"A": (3,), "B": (0,)}]
    ballots = [bc.encrypt_ballot(context, key, form, sc.score_bits(form, s))[0] for s in plain]
    sums = bc.combine(ballots, len(form.selections))
    partials = {
        m: bc.partial_decrypt(context, m, shares[m], form.decrypted(sums)) for m in (1, 2, 3)
    }
    for present in ((1, 2), (2, 3), (3, 1)):
        found = sc.output_counts(form, sums, [partials[m] for m in present], 2, 3)
        result = sc.decrypted_scores(form, 3, found)
        assert result.skipped == {"A": 1, "B": 1, "C": 2}
        assert result.group_totals == {"A": (5,), "B": (4,), "C": (1,)}
    with pytest.raises(bc.Invalid, match="too_few_members"):
        sc.output_counts(form, sums, [partials[1]], 2, 3)
    announcements = [a for _, a in pairs]
    with pytest.raises(bc.Invalid, match="bad_partial_proof"):  # a share for the selections
        bc.check_partial(
            context,
            bc.verification_key(announcements, 1),
            form.decrypted(sums),
            bc.partial_decrypt(context, 1, shares[1], sums[: len(form.outputs)]),
        )


# --- attacks -------------------------------------------------------------------------------


def _forged_transcript(policy: str, scores_bits: list[int]) -> dict:
    """The refuse transcript with its first ballot replaced by a forged one (its proofs made
    as an honest phone would, claiming the nearest allowed value)."""
    data = copy.deepcopy(_transcript(policy, POLICIES[policy][1][:2]))
    form = sc.ScoreForm.from_json(data["polls"][0]["form"])
    data["polls"][0]["ballots"][0] = ballot_vectors._forged(
        data, 0, form, scores_bits, ballot_vectors.seeded("forge")
    )
    return data


def test_a_skip_cannot_hide_points_nor_a_score_exceed_its_scale():
    form = sc.score_form(UNITS, [10], "refuse")
    honest = sc.score_bits(form, _refuse_scores("A", 0))
    hiding = list(honest)
    hiding[1:5] = [0, 1, 0, 1]  # A skipped (own unit) yet given 10 points
    above = list(honest)
    b = form.selections.index("score:B:0:0")
    above[b : b + 4] = [1, 1, 0, 1]  # B scored 11 on 0…10
    for bits in (hiding, above):
        assert not form.valid(bits)
        failure = verify_transcript(_forged_transcript("refuse", bits))
        assert (failure.code, failure.where) == ("bad_proof", "polls[0].ballots[0]")


def test_the_transcript_checks_name_each_broken_rule(transcripts):
    data = transcripts["refuse"]
    poll = data["polls"][0]

    def failure(change) -> tuple[str, str]:
        changed = copy.deepcopy(data)
        change(changed["polls"][0])
        found = verify_transcript(changed)
        return (found.code, found.where) if found else None

    def count(index, delta):
        def change(p):
            p["counts"][index] += delta

        return change

    def cast(moves):
        def change(p):
            p["cast_by_unit"] = {**p["cast_by_unit"], **moves}

        return change

    def outputs(p):
        p["form"]["outputs"][1]["weights"][0][1] = 2

    def beyond(p):
        p["form"]["outputs"][0]["weights"][0][0] = len(p["form"]["selections"])

    def drop_cast(p):
        del p["cast_by_unit"]

    skipped_b = [o["label"] for o in poll["form"]["outputs"]].index("skipped:B")
    assert failure(count(1, 1)) == ("wrong_count", "polls[0].counts")
    assert failure(count(skipped_b, -1)) == ("wrong_count", "polls[0].counts")
    # one delegate of A counted as one of B: the sums hold, the own-unit count does not
    assert failure(cast({"A": 3, "B": 5})) == ("own_unit_count", "polls[0].counts")
    assert failure(cast({"A": 5})) == ("turnout_mismatch", "polls[0].cast_by_unit")
    assert failure(cast({"X": 0})) == ("turnout_mismatch", "polls[0].cast_by_unit")
    assert failure(cast({"A": "4"})) == ("malformed", "polls[0].cast_by_unit")
    assert failure(drop_cast) == ("malformed", "polls[0].cast_by_unit")
    assert failure(outputs) == ("wrong_form", "polls[0].form")
    assert failure(beyond) == ("malformed", "polls[0].form")
    assert failure(lambda p: p["form"]["constraints"][0].update(high=11)) == (
        "wrong_form",
        "polls[0].form",
    )


def test_a_ballot_that_skips_another_unit_is_caught_by_the_own_unit_count():
    """A server that took a ballot without its own-unit proof: a delegate of A skipped B and
    scored A. Every proof holds, but B is skipped more often than its delegates voted."""
    ballots = [("A", {u: (5,) for u in UNITS if u != "B"}), ("B", _refuse_scores("B", 0))]
    found = verify_transcript(_transcript("refuse", ballots))
    assert (found.code, found.where) == ("own_unit_count", "polls[0].counts")
    # the blind spot the check at casting covers: two such ballots that swap their units
    swapped = [("A", _refuse_scores("B", 0)), ("B", _refuse_scores("A", 0))]
    assert verify_transcript(_transcript("refuse", swapped)) is None


def test_a_score_poll_without_ballots_counts_zero_outputs():
    data = _transcript("skip", [])
    poll = data["polls"][0]
    assert poll["counts"] == [0] * 21
    assert poll["cast_by_unit"] == {}
    assert verify_transcript(data) is None
    poll["counts"] = [0] * 56
    assert verify_transcript(data).code == "wrong_count"


# --- the own unit at casting (§4) ------------------------------------------------------------


def test_the_own_unit_proof_is_checked_against_the_roll_and_the_ballot():
    _, _, key, _ = BOARD
    form = sc.score_form(["A", "B", "C"], [4], "refuse")
    context = form.context(key, "II", 2020, "p")
    ballot, nonces = bc.encrypt_ballot(
        context, key, form, sc.score_bits(form, {"B": (4,), "C": (1,)})
    )
    other, other_nonces = bc.encrypt_ballot(
        context, key, form, sc.score_bits(form, {"B": (2,), "C": (3,)})
    )
    proof = sc.prove_own_unit(context, key, form, ballot, nonces, "A")
    proof = sc.OwnUnitProof.from_json(proof.to_json())
    sc.check_own_unit(context, key, form, ballot, proof, "A")
    refused = [
        # the roll says the caster is of B: a proof for A is not theirs
        (ballot, proof, "B", "own_unit_not_skipped"),
        # a proof for A made on a ballot that skips A, replayed with another such ballot
        (other, proof, "A", "own_unit_not_skipped"),
        # a phone that claims to skip B, which this ballot scores
        (
            ballot,
            sc.prove_own_unit(context, key, form, ballot, nonces, "B"),
            "B",
            "own_unit_not_skipped",
        ),
        (ballot, proof, "X", "elector_not_candidate"),
    ]
    for made, offered, unit, code in refused:
        with pytest.raises(bc.Invalid, match=code):
            sc.check_own_unit(context, key, form, made, offered, unit)
    sc.check_own_unit(
        context,
        key,
        form,
        other,
        sc.prove_own_unit(context, key, form, other, other_nonces, "A"),
        "A",
    )
    with pytest.raises(bc.Invalid, match="malformed"):
        sc.OwnUnitProof.from_json({"unit": "A"})


# --- property ------------------------------------------------------------------------------


@st.composite
def _score_polls(draw):
    """A small score poll and valid ballots, each with its delegate's unit."""
    candidates = ["A", "B", "C"][: draw(st.integers(2, 3))]
    groups = draw(st.lists(st.integers(1, 6), min_size=1, max_size=2))
    policy = draw(st.sampled_from(["refuse", "skip"]))
    ballots = []
    for _ in range(draw(st.integers(1, 4))):
        own = draw(st.sampled_from(candidates))
        scores = {}
        for unit in candidates:
            if unit != own and (policy == "refuse" or draw(st.booleans())):
                scores[unit] = tuple(draw(st.integers(0, m)) for m in groups)
        ballots.append((own, scores))
    return candidates, groups, policy, ballots


@settings(max_examples=10, deadline=None)
@given(poll=_score_polls(), present=st.sampled_from([(1, 2), (2, 3), (3, 1)]))
def test_decrypted_totals_and_counts_are_the_plaintext_sums(poll, present):
    """Property: whatever valid score ballots are cast, any two of three members decrypt per
    candidate exactly the plaintext total of each group and the number of scores, and the
    own-unit count holds."""
    candidates, groups, policy, plain = poll
    _, _, key, shares = BOARD
    form = sc.score_form(candidates, groups, policy)
    context = form.context(key, "II", 2020, "p")
    ballots = []
    for own, scores in plain:
        ballot, nonces = bc.encrypt_ballot(context, key, form, sc.score_bits(form, scores))
        proof = sc.prove_own_unit(context, key, form, ballot, nonces, own)
        sc.check_own_unit(context, key, form, ballot, proof, own)
        ballots.append(ballot)
    sums = bc.combine(ballots, len(form.selections))
    partials = [bc.partial_decrypt(context, m, shares[m], form.decrypted(sums)) for m in present]
    result = sc.decrypted_scores(
        form, len(plain), sc.output_counts(form, sums, partials, 2, len(plain))
    )
    for unit in candidates:
        given_scores = [s[unit] for _, s in plain if unit in s]
        assert result.counts[unit] == len(given_scores)
        assert result.group_totals[unit] == tuple(
            sum(parts[g] for parts in given_scores) for g in range(len(groups))
        )
    cast = {u: sum(1 for own, _ in plain if own == u) for u in candidates}
    assert sc.own_unit_count_holds(sc.parameters_of(form), result.skipped, cast)
