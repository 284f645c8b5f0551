"""Encrypted score ballots (docs/score-ballot-crypto.md): the score form of the base protocol.

Everything of the base (thidua.core.ballot_crypto) is reused as it is: the group, the
encryption, the range proofs of selections and constraints, the ceremony, the partial
decryptions and their proofs. A score form only adds

- its selections and constraints: per candidate a `skip` bit and the bits of each group's
  score, each score proved within 0…Mg and zero when skipped (§2);
- its *outputs*: the weighted sums of selections the tally decrypts — per candidate how many
  ballots skipped it and the total of each group — instead of every selection (§3);
- the proof, sent with a ballot and checked by the server, that the delegate's own unit is
  skipped (§4), and the count by which anyone checks it afterwards.

The counting rules (averages, ranks, titles) stay in thidua.core.score_ballots: the decrypted
outputs become its `ScoreTotals`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from thidua.core import ballot_crypto as bc
from thidua.core.score_ballots import Partial, ScoreTotals

#: The largest maximum of a group (a score's constraint proof has one branch per value).
LARGEST_SCALE = 1000


@dataclass(frozen=True)
class Output:
    """A weighted sum of selections that the tally decrypts."""

    label: str
    weights: tuple[tuple[int, int], ...]  # (selection index, weight)


@dataclass(frozen=True)
class ScoreForm(bc.Form):
    """A base form with the outputs the tally decrypts (§3)."""

    outputs: tuple[Output, ...] = ()

    def to_bytes(self) -> bytes:
        out = [super().to_bytes(), bc.u32(len(self.outputs))]
        for output in self.outputs:
            out += [bc.u32(len(bc.text(output.label))), bc.text(output.label)]
            out.append(bc.u32(len(output.weights)))
            out += [bc.u32(index) + bc.u32(weight) for index, weight in output.weights]
        return b"".join(out)

    def to_json(self) -> dict:
        outputs = [
            {"label": o.label, "weights": [list(w) for w in o.weights]} for o in self.outputs
        ]
        return {**super().to_json(), "outputs": outputs}

    @classmethod
    def from_json(cls, data: Mapping) -> ScoreForm:
        """A score form as published; `malformed` as the base's, and unless each output's
        indices name a selection and its weights fit in u32."""
        base = bc.Form.from_json(data)
        form = cls(
            base.selections,
            base.constraints,
            tuple(
                Output(
                    bc.json_text(o["label"]),
                    tuple((bc.json_int(i), bc.json_int(w)) for i, w in o["weights"]),
                )
                for o in _json_list(data["outputs"])
            ),
        )
        try:
            form.to_bytes()
        except bc.Invalid:
            raise bc.Invalid("malformed", "form") from None
        if any(i >= len(form.selections) for o in form.outputs for i, _ in o.weights):
            raise bc.Invalid("malformed", "form")
        return form

    def context(self, public_key: bytes, cluster: str, year: int, poll: str) -> bytes:
        return score_poll_context(public_key, cluster, year, poll, self)

    def decrypted(self, sums: Sequence[bc.Ciphertext]) -> tuple[bc.Ciphertext, ...]:
        """Each output's ciphertext (A_o, B_o) = Σ weight·(A_i, B_i); no sums, no outputs."""
        if not sums:
            return ()
        return tuple(bc.Ciphertext(*bc.weighted(sums, o.weights)) for o in self.outputs)

    def largest(self) -> tuple[int, ...]:
        """W_o: 1 for a `skipped` output, Mg for a group's total (its constraint's bound)."""
        bounds = {}
        for constraint in self.constraints:
            for index, _ in constraint.weights:
                bounds.setdefault(index, constraint.high)
        return tuple(
            1 if o.label.startswith("skipped:") else bounds[o.weights[0][0]] for o in self.outputs
        )


def _json_list(value) -> list:
    if not isinstance(value, list):
        raise bc.Invalid("malformed", "form")
    return value


def bits_for(maximum: int) -> int:
    """Lg: the least L with 2^L > Mg (7 for 100)."""
    return maximum.bit_length()


def score_form(
    candidates: Sequence[str], groups: Sequence[int], partial: Partial | str
) -> ScoreForm:
    """The form of a score poll (§2) and its outputs (§3), from the poll's parameters."""
    partial = Partial(partial)
    if len(candidates) < 2 or len(set(candidates)) != len(candidates):
        raise bc.Invalid("bad_candidates")
    if not groups or any(not 1 <= m <= LARGEST_SCALE for m in groups):
        raise bc.Invalid("bad_scale")
    selections: list[str] = []
    skips, scores = [], []  # per candidate: the skip's index; per group, the bits' indices
    for candidate in candidates:
        skips.append(len(selections))
        selections.append(f"skip:{candidate}")
        per_group = []
        for g, maximum in enumerate(groups):
            per_group.append(range(len(selections), len(selections) + bits_for(maximum)))
            selections += [f"score:{candidate}:{g}:{i}" for i in range(bits_for(maximum))]
        scores.append(per_group)
    constraints, outputs = [], []
    for candidate, skip, per_group in zip(candidates, skips, scores, strict=True):
        outputs.append(Output(f"skipped:{candidate}", ((skip, 1),)))
        for g, (indices, maximum) in enumerate(zip(per_group, groups, strict=True)):
            bits = tuple((index, 2**i) for i, index in enumerate(indices))
            constraints.append(bc.Constraint((*bits, (skip, maximum)), 0, maximum))
            outputs.append(Output(f"total:{candidate}:{g}", bits))
    most = 1 if partial == Partial.REFUSE else len(candidates)
    constraints.append(bc.Constraint(tuple((skip, 1) for skip in skips), 1, most))
    return ScoreForm(tuple(selections), tuple(constraints), tuple(outputs))


@dataclass(frozen=True)
class ScoreParameters:
    """What a score poll is opened with (§1), as read back from its form."""

    candidates: tuple[str, ...]
    groups: tuple[int, ...]
    partial: Partial


def parameters_of(form: ScoreForm) -> ScoreParameters:
    """The parameters a score form was made from, raising `wrong_form` unless `score_form`
    makes exactly this form from them (what a verifier checks, §6 step 1)."""
    try:
        candidates = tuple(s.removeprefix("skip:") for s in form.selections if s[:5] == "skip:")
        groups = tuple(c.high for c in form.constraints[: _group_count(form)])
        last = form.constraints[-1].high
        partial = Partial.REFUSE if last == 1 else Partial.SKIP
        made = score_form(candidates, groups, partial)
    except (bc.Invalid, IndexError, ValueError):
        raise bc.Invalid("wrong_form", "form") from None
    if made != form:
        raise bc.Invalid("wrong_form", "form")
    return ScoreParameters(candidates, groups, partial)


def _group_count(form: ScoreForm) -> int:
    """How many groups the first candidate's score selections name."""
    first = form.selections[0].removeprefix("skip:")
    return len({s.split(":")[-2] for s in form.selections if s.startswith(f"score:{first}:")})


def score_poll_context(
    public_key: bytes, cluster: str, year: int, poll: str, form: ScoreForm
) -> bytes:
    """Q of a score poll: its own tag, so that no proof is valid for both kinds of poll."""
    return bc.digest(
        "thidua/v1/score-poll",
        public_key,
        bc.text(cluster),
        bc.u32(year),
        bc.text(poll),
        form.to_bytes(),
    )


def score_bits(form: ScoreForm, scores: Mapping[str, Sequence[int] | None]) -> list[int]:
    """A delegate's scores as the form's selections: per candidate None (or absent) is a
    skip, else one integer per group. The form's constraints are checked when the ballot is
    encrypted (`plaintext_outside_form`); a score that its bits cannot hold is refused here."""
    params = parameters_of(form)
    unknown = set(scores) - set(params.candidates)
    if unknown:
        raise bc.Invalid("unknown_candidate", sorted(unknown)[0])
    bits = []
    for candidate in params.candidates:
        given = scores.get(candidate)
        bits.append(int(given is None))
        parts = (0,) * len(params.groups) if given is None else tuple(given)
        if len(parts) != len(params.groups):
            raise bc.Invalid("wrong_group_count", candidate)
        for score, maximum in zip(parts, params.groups, strict=True):
            if type(score) is not int or not 0 <= score < 2 ** bits_for(maximum):
                raise bc.Invalid("score_out_of_range", candidate)
            bits += [(score >> i) & 1 for i in range(bits_for(maximum))]
    return bits


# --- the own unit (§4) --------------------------------------------------------------------


@dataclass(frozen=True)
class OwnUnitProof:
    """That the ballot's `skip:<unit>` encrypts 1: log_G α = log_K (β − G)."""

    unit: str
    challenge: int
    response: int

    def to_json(self) -> dict:
        return {
            "unit": self.unit,
            "challenge": bc.scalar_bytes(self.challenge).hex(),
            "response": bc.scalar_bytes(self.response).hex(),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> OwnUnitProof:
        try:
            return cls(
                str(data["unit"]),
                bc.scalar_from(data["challenge"], "own_unit"),
                bc.scalar_from(data["response"], "own_unit"),
            )
        except (KeyError, TypeError):
            raise bc.Invalid("malformed", "own_unit") from None


def _skip_of(form: ScoreForm, ballot: bc.Ballot, unit: str) -> bc.Ciphertext:
    label = f"skip:{unit}"
    if label not in form.selections:
        raise bc.Invalid("elector_not_candidate", unit)
    return ballot.ciphertexts[form.selections.index(label)]


def _own_unit_challenge(context, tracker_hex, unit, skip: bc.Ciphertext, u, v) -> int:
    return bc.challenge(
        "thidua/v1/own-unit",
        context,
        bytes.fromhex(tracker_hex),
        bc.text(unit),
        skip.alpha,
        skip.beta,
        u,
        v,
    )


def prove_own_unit(
    context: bytes,
    key: bytes,
    form: ScoreForm,
    ballot: bc.Ballot,
    nonces: Sequence[int],
    unit: str,
    rng: bc.Random = bc.random_scalar,
) -> OwnUnitProof:
    """The phone's proof, with the skip selection's randomness R, that it skips `unit`."""
    skip = _skip_of(form, ballot, unit)
    nonce = nonces[form.selections.index(f"skip:{unit}")]
    w = rng()
    tracker_hex = bc.tracker(context, ballot)
    c = _own_unit_challenge(context, tracker_hex, unit, skip, bc.base(w), bc.mul(w, key))
    return OwnUnitProof(unit, c, (w + c * nonce) % bc.L)


def check_own_unit(
    context: bytes,
    key: bytes,
    form: ScoreForm,
    ballot: bc.Ballot,
    proof: OwnUnitProof,
    unit: str,
    tracker_hex: str | None = None,
) -> None:
    """The server's check at casting: `unit` is the caster's unit from the roll, never what the
    phone says; raise `own_unit_not_skipped` unless the proof shows the ballot skips it.
    `tracker_hex`: the ballot's tracker where the caller has computed it (the casting returns
    it), so that a 56 KB ballot is not hashed twice."""
    skip = _skip_of(form, ballot, unit)
    if proof.unit != unit:
        raise bc.Invalid("own_unit_not_skipped", unit)
    u = bc.sub(bc.base(proof.response), bc.mul(proof.challenge, skip.alpha))
    v = bc.sub(bc.mul(proof.response, key), bc.mul(proof.challenge, bc.sub(skip.beta, bc.G)))
    tracker_hex = tracker_hex or bc.tracker(context, ballot)
    if _own_unit_challenge(context, tracker_hex, unit, skip, u, v) != proof.challenge:
        raise bc.Invalid("own_unit_not_skipped", unit)


def own_unit_count_holds(
    parameters: ScoreParameters, skipped: Mapping[str, int], cast_by_unit: Mapping[str, int]
) -> bool:
    """§4 afterwards: each unit skipped exactly as often as its delegates voted (`refuse`),
    or at least as often (`skip`)."""
    for unit in parameters.candidates:
        voted, times = cast_by_unit.get(unit, 0), skipped[unit]
        if times < voted or (parameters.partial == Partial.REFUSE and times != voted):
            return False
    return True


# --- the tally (§3) -----------------------------------------------------------------------


def output_counts(
    form: ScoreForm,
    sums: Sequence[bc.Ciphertext],
    partials: Sequence[bc.Partial],
    threshold: int,
    ballots: int,
) -> tuple[int, ...]:
    """t_o of each output from k members' (checked) partials over the outputs, each at most
    N·W_o (`no_count` otherwise)."""
    limits = [ballots * most for most in form.largest()]
    found = bc.counts(form.decrypted(sums), partials, threshold, max(limits, default=0))
    for position, (count, limit) in enumerate(zip(found, limits, strict=True)):
        if count > limit:
            raise bc.Invalid("no_count", f"outputs[{position}]")
    return found


@dataclass(frozen=True)
class DecryptedScores:
    """What the board decrypted: per candidate how many ballots skipped it and its total in
    each group, over `ballots` cast ballots."""

    ballots: int
    skipped: Mapping[str, int]
    group_totals: Mapping[str, tuple[int, ...]]

    @property
    def counts(self) -> dict[str, int]:
        """count_j = N − skipped_j: how many ballots scored the candidate."""
        return {unit: self.ballots - times for unit, times in self.skipped.items()}

    def totals(self) -> ScoreTotals:
        """As core.score_ballots counts ballots known only by their sums."""
        return ScoreTotals(
            ballots=self.ballots,
            invalid=0,  # an encrypted ballot that breaks the form cannot be cast
            total={unit: sum(parts) for unit, parts in self.group_totals.items()},
            count=self.counts,
        )


def decrypted_scores(form: ScoreForm, ballots: int, counts: Sequence[int]) -> DecryptedScores:
    """The result from the decrypted outputs, in the form's order."""
    params = parameters_of(form)
    by_label = dict(zip((o.label for o in form.outputs), counts, strict=True))
    return DecryptedScores(
        ballots=ballots,
        skipped={c: by_label[f"skipped:{c}"] for c in params.candidates},
        group_totals={
            c: tuple(by_label[f"total:{c}:{g}"] for g in range(len(params.groups)))
            for c in params.candidates
        },
    )
