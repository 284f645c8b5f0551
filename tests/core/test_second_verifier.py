"""The independent verifier (verifier/verify.mjs, Node, written from docs/ballot-crypto.md
alone) agrees with ours: on every vector, and on transcripts damaged at random."""

import json
import random
import subprocess

import pytest

from tests.node_verifier import NODE, ROOT, VERIFIER, node_verdicts
from thidua.core import ballot_vectors
from thidua.core import score_crypto as sc
from thidua.core.ballot_verify import verify_transcript

pytestmark = pytest.mark.skipif(NODE is None, reason="needs Node.js")


def ours(transcript) -> dict:
    failure = verify_transcript(transcript)
    return {"valid": True} if failure is None else failure.to_json()


def test_the_second_verifier_passes_every_vector():
    done = subprocess.run(
        [NODE, str(VERIFIER), "--vectors", str(ROOT / "docs" / "ballot-crypto-vectors.json")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "0 mismatch" in done.stdout
    # the score polls' vectors (docs/score-ballot-crypto.md §7) were among them
    score = json.loads((ROOT / "docs" / "ballot-crypto-vectors.json").read_text("utf-8"))["score"]
    assert "ok score.transcript valid" in done.stdout
    assert done.stdout.count("ok score.failing[") == len(score["failing"]) >= 15


def _leaves(data, path=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _leaves(value, (*path, index))
    else:
        yield path, data


def _set(data, path, value):
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _damaged(valid: dict, rng: random.Random) -> dict:
    """One change an attacker or a careless editor makes: a hex digit flipped, a value moved
    from elsewhere in the file, a number changed."""
    data = json.loads(json.dumps(valid))
    leaves = list(_leaves(data))
    path, value = rng.choice(leaves)
    if isinstance(value, str) and value and all(c in "0123456789abcdef" for c in value):
        position = rng.randrange(len(value))
        digit = rng.choice([c for c in "0123456789abcdef" if c != value[position]])
        _set(data, path, value[:position] + digit + value[position + 1 :])
    elif isinstance(value, int) and not isinstance(value, bool):
        _set(data, path, value + rng.choice([-1, 1]))
    else:
        _set(data, path, rng.choice(leaves)[1])
    return data


def test_both_verifiers_give_the_same_verdict_on_damaged_transcripts():
    valid = ballot_vectors.vectors()["transcript"]
    rng = random.Random(14)
    transcripts = [valid] + [_damaged(valid, rng) for _ in range(60)]
    theirs = node_verdicts(transcripts)
    mine = [ours(t) for t in transcripts]
    assert mine[0] == {"valid": True}
    disagreements = [
        (index, a, b) for index, (a, b) in enumerate(zip(mine, theirs, strict=True)) if a != b
    ]
    assert disagreements == []
    # the damage was seen: nearly every change breaks a rule (a few land on free text)
    assert sum(not verdict["valid"] for verdict in mine) >= 50


def _small_score_transcript() -> dict:
    """Two score polls small enough to verify many damaged copies quickly: one group under
    `refuse`, two groups under `skip` (docs/score-ballot-crypto.md)."""
    refuse = sc.score_form(["A", "B", "C"], [3], "refuse")
    skip = sc.score_form(["A", "B", "C"], [1, 2], "skip")
    data, _ = ballot_vectors.transcript(
        ballot_vectors.seeded("second verifier, scores"),
        [
            (
                "mot-nhom",
                refuse,
                [
                    sc.score_bits(refuse, {"B": (1,), "C": (3,)}),
                    sc.score_bits(refuse, {"A": (2,), "C": (0,)}),
                ],
            ),
            (
                "hai-nhom",
                skip,
                [
                    sc.score_bits(skip, {"B": (1, 2)}),
                    sc.score_bits(skip, {"A": (0, 1), "B": (1, 0)}),
                ],
            ),
        ],
        cast_by_unit={"mot-nhom": {"A": 1, "B": 1}, "hai-nhom": {"A": 1, "C": 1}},
    )
    return data


def test_both_verifiers_give_the_same_verdict_on_damaged_score_transcripts():
    valid = _small_score_transcript()
    rng = random.Random(21)
    transcripts = [valid] + [_damaged(valid, rng) for _ in range(60)]
    theirs = node_verdicts(transcripts)
    mine = [ours(t) for t in transcripts]
    assert mine[0] == {"valid": True}
    disagreements = [
        (index, a, b) for index, (a, b) in enumerate(zip(mine, theirs, strict=True)) if a != b
    ]
    assert disagreements == []
    assert sum(not verdict["valid"] for verdict in mine) >= 50
    assert any(verdict.get("where", "").endswith(".cast_by_unit") for verdict in mine)
