"""The browser's score ballots (ballot-crypto.js, docs/score-ballot-crypto.md) against the
Python reference (thidua.core.score_crypto): the same form, bytes and context; a ballot and
own-unit proof made in JS pass the server's checks, and tampered ones are refused."""

from __future__ import annotations

import pytest

from tests.voting.test_ballot_crypto_js import KEY, js
from thidua.core import ballot_crypto as bc
from thidua.core import score_crypto as sc

UNITS = ["HG", "DB", "LC", "LS", "LCa", "SL", "CB"]
PARAMETERS = [(UNITS, [100], "refuse"), (UNITS[:3], [3, 5], "skip"), (UNITS[:2], [1000], "skip")]


def test_js_makes_the_same_score_forms_bytes_and_contexts():
    out = js(
        """
        return input.parameters.map(([candidates, groups, partial]) => {
          const form = bc.scoreForm(candidates, groups, partial);
          return { form, bytes: bc.scoreFormBytes(form),
                   Q: bc.scorePollContext(input.key, "CUM-II", 2020, "diem", form) };
        });
        """,
        parameters=PARAMETERS,
        key=KEY,
    )
    for made, (candidates, groups, partial) in zip(out, PARAMETERS, strict=True):
        form = sc.score_form(candidates, groups, partial)
        assert made["form"] == form.to_json()
        assert made["bytes"] == form.to_bytes().hex()
        assert made["Q"] == form.context(bytes.fromhex(KEY), "CUM-II", 2020, "diem").hex()


SCORES = [
    {"HG": None, "DB": [3, 5], "LC": [0, 1]},
    {"DB": [2, 0]},
    {"HG": [3, 5], "DB": None, "LC": [1, 4]},
]
REFUSED = [
    ({"DB": [8, 0]}, "score_out_of_range"),
    ({"DB": [-1, 0]}, "score_out_of_range"),
    ({"DB": [1.5, 0]}, "score_out_of_range"),
    ({"DB": [1]}, "wrong_group_count"),
    ({"XX": [1, 1]}, "unknown_candidate"),
]


def test_js_turns_scores_into_the_same_bits_and_refuses_the_same_scores():
    form = sc.score_form(UNITS[:3], [3, 5], "skip")
    out = js(
        """
        const form = bc.scoreForm(input.units, [3, 5], "skip");
        return { bits: input.scores.map(s => bc.scoreBits(form, s)),
                 refused: input.refused.map(s => refused(() => bc.scoreBits(form, s))) };
        """,
        units=UNITS[:3],
        scores=SCORES,
        refused=[scores for scores, _ in REFUSED],
    )
    assert out["bits"] == [sc.score_bits(form, s) for s in SCORES]
    assert out["refused"] == [code for _, code in REFUSED]
    for scores, code in REFUSED:
        with pytest.raises(bc.Invalid, match=code):
            sc.score_bits(form, scores)


def test_a_js_score_ballot_and_its_own_unit_proof_pass_the_server_and_tampering_does_not():
    """A 7-candidate ballot on 0…100 made in JS: Python verifies it, its tracker and its proof
    that the delegate's unit (HG) is skipped. A proof with another response, checked for
    another unit, or moved to another ballot, and a ballot with a ciphertext changed, are
    refused with the spec's codes."""
    form = sc.score_form(UNITS, [100], "refuse")
    scores = {"HG": None, "DB": [87], "LC": [100], "LS": [0], "LCa": [55], "SL": [73], "CB": [91]}
    out = js(
        """
        const form = bc.scoreForm(input.units, [100], "refuse");
        const Q = bc.scorePollContext(input.key, "CUM-II", 2020, "diem", form);
        const made = [0, 1].map(() => bc.encryptBallot(Q, input.key, form,
                                                       bc.scoreBits(form, input.scores)));
        return { made, proofs: made.map(m => bc.proveOwnUnit(Q, input.key, form, m, "HG")),
                 spoiled: bc.spoil(input.key, made[0]),
                 notCandidate: refused(() => bc.proveOwnUnit(Q, input.key, form, made[0], "XX")),
                 outside: refused(() => bc.encryptBallot(Q, input.key, form,
                   bc.scoreBits(form, Object.assign({}, input.scores, { DB: [101] })))) };
        """,
        units=UNITS,
        key=KEY,
        scores=scores,
    )
    key = bytes.fromhex(KEY)
    context = form.context(key, "CUM-II", 2020, "diem")
    ballots = [bc.Ballot.from_json(m["ballot"]) for m in out["made"]]
    proofs = [sc.OwnUnitProof.from_json(p) for p in out["proofs"]]
    for made, ballot, proof in zip(out["made"], ballots, proofs, strict=True):
        bc.verify_ballot(context, key, form, ballot)
        assert made["tracker"] == bc.tracker(context, ballot)
        sc.check_own_unit(context, key, form, ballot, proof, "HG")
    assert out["spoiled"]["plaintext"] == sc.score_bits(form, scores)
    assert out["notCandidate"] == "elector_not_candidate"
    assert out["outside"] == "plaintext_outside_form"

    changed = sc.OwnUnitProof(proofs[0].unit, proofs[0].challenge, (proofs[0].response + 1) % bc.L)
    for ballot, proof, unit in [
        (ballots[0], changed, "HG"),
        (ballots[0], proofs[0], "DB"),  # the roll says the caster is of DB
        (ballots[1], proofs[0], "HG"),  # replayed on another ballot
    ]:
        with pytest.raises(bc.Invalid, match="own_unit_not_skipped"):
            sc.check_own_unit(context, key, form, ballot, proof, unit)
    raw = out["made"][0]["ballot"]
    tampered = {**raw, "ciphertexts": [raw["ciphertexts"][1], *raw["ciphertexts"][1:]]}
    with pytest.raises(bc.Invalid, match="bad_proof"):
        bc.verify_ballot(context, key, form, bc.Ballot.from_json(tampered))


def test_a_board_members_browser_decrypts_the_outputs():
    """JS computes the same output ciphertexts from the sums, and its partial decryption over
    them passes Python's check and counts with Python's: totals and skips, not bits."""
    from tests.core.test_ballot_crypto import BOARD

    _, pairs, key, shares = BOARD
    form = sc.score_form(UNITS[:3], [3, 5], "skip")
    context = form.context(key, "CUM-II", 2020, "diem")
    ballots = [
        bc.encrypt_ballot(context, key, form, sc.score_bits(form, s))[0]
        for s in ({"DB": (3, 5), "LC": (0, 1)}, {"DB": (2, 0)}, {"HG": (3, 5), "LC": (1, 4)})
    ]
    sums = bc.combine(ballots, len(form.selections))
    out = js(
        """
        const outputs = bc.outputSums(input.form, input.sums);
        return { outputs, empty: bc.outputSums(input.form, []),
                 partial: bc.partialDecrypt(input.Q, 2, input.share, outputs) };
        """,
        form=form.to_json(),
        sums=[[s.alpha.hex(), s.beta.hex()] for s in sums],
        Q=context.hex(),
        share=bc.scalar_bytes(shares[2]).hex(),
    )
    outputs = form.decrypted(sums)
    assert out["outputs"] == [[o.alpha.hex(), o.beta.hex()] for o in outputs]
    assert out["empty"] == []
    partial = bc.Partial.from_json(out["partial"])
    bc.check_partial(context, bc.verification_key([a for _, a in pairs], 2), outputs, partial)
    other = bc.partial_decrypt(context, 3, shares[3], outputs)
    result = sc.decrypted_scores(form, 3, sc.output_counts(form, sums, [partial, other], 2, 3))
    assert result.skipped == {"HG": 2, "DB": 1, "LC": 1}
    assert result.group_totals == {"HG": (3, 5), "DB": (5, 5), "LC": (1, 5)}
