"""Ballots: validity, exact thresholds, seats, runoffs, quorum, nested quotas, properties."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thidua.core.ballots import (
    Answer,
    Ballot,
    Base,
    Comparison,
    Effect,
    Kind,
    Rules,
    Standing,
    Title,
    Totals,
    check,
    check_nominations,
    effect_of,
    excluded_by,
    outcome_word,
    reconcile,
    refused_nominees,
    standing_of,
    stored_result,
    tally,
    title_from,
    totals_of,
    why,
)

UNITS = ("hg", "db", "lch", "ls", "lc", "sl", "cb")


def choice(*candidates):
    return Ballot(choices=tuple(candidates))


@pytest.mark.parametrize(
    ("threshold", "comparison", "base", "required"),
    [
        (Fraction(1, 2), Comparison.MORE_THAN, 21, 11),  # more than 1/2 of 21 delegates
        (Fraction(4, 5), Comparison.AT_LEAST, 9, 8),  # at least 80 % of a 9-member council
        (Fraction(2, 3), Comparison.AT_LEAST, 21, 14),  # at least 2/3 of 21
        (Fraction(1, 2), Comparison.MORE_THAN, 20, 11),  # exactly half is not more than half
        (Fraction(1, 2), Comparison.AT_LEAST, 20, 10),
        (Fraction(2, 3), Comparison.MORE_THAN, 21, 15),
    ],
)
def test_required_votes(threshold, comparison, base, required):
    rules = Rules(candidates=UNITS, seats=1, threshold=threshold, comparison=comparison)
    assert rules.required_votes(base) == required


def test_validity():
    rules = Rules(candidates=UNITS, seats=3)
    assert check(choice("hg", "db"), rules) is None
    assert check(choice(), rules) is None  # blank is valid by default
    assert check(choice(), Rules(candidates=UNITS, seats=3, blank_valid=False)).code == "blank"
    assert check(choice("hg", "db", "sl", "cb"), rules).code == "too_many_choices"
    assert check(choice("hg", "hg"), rules).code == "repeated_choice"
    assert check(choice("hanoi"), rules).code == "not_a_candidate"
    assert (
        check(
            Ballot(written=True, choices=("hg",)),
            Rules(candidates=UNITS, seats=1, written_counted=False),
        ).code
        == "written_not_counted"
    )


def test_government_flag_with_21_delegates():
    """1 seat, more than half of all 21 delegates: 11 votes needed."""
    rules = Rules(
        candidates=UNITS, seats=1, threshold=Fraction(1, 2), comparison=Comparison.MORE_THAN
    )
    ballots = [choice("ls")] * 11 + [choice("sl")] * 7 + [choice()] * 1 + [choice("ls", "sl")] * 1
    result = tally(ballots, rules, electorate=21, issued=21)
    assert (result.returned, result.valid, result.invalid, result.blank) == (20, 19, 1, 1)
    assert result.required == 11
    assert result.votes["ls"] == 11
    assert result.winners == ("ls",)
    assert result.runoff is None
    assert result.share("ls") == Fraction(11, 21)


def test_below_threshold_nobody_wins():
    rules = Rules(candidates=UNITS, seats=1)
    result = tally([choice("ls")] * 10 + [choice("sl")] * 11, rules, electorate=23, issued=23)
    assert result.required == 12
    assert result.winners == ()


def test_tie_across_the_last_seat_opens_a_runoff():
    rules = Rules(
        candidates=UNITS, seats=3, threshold=Fraction(1, 2), comparison=Comparison.MORE_THAN
    )
    ballots = (
        [choice("sl", "db", "lc")] * 8
        + [choice("sl", "hg", "ls")] * 6
        + [choice("sl", "db", "ls")] * 4
        + [choice("hg", "lc")] * 3
    )
    result = tally(ballots, rules, electorate=21, issued=21)
    # sl 18, db 12, lc 11, ls 10, hg 9: 11 needed; three qualify → no runoff
    assert result.winners == ("sl", "db", "lc")
    tied = tally(
        [choice("sl", "db", "lc")] * 10 + [choice("sl", "db", "ls")] * 10 + [choice("sl")],
        rules,
        electorate=21,
        issued=21,
    )
    # sl 21, db 20, lc 10, ls 10 — 11 needed: only sl, db qualify; no tie across seats
    assert tied.winners == ("sl", "db")
    runoff = tally(
        [choice("sl", "db", "lc")] * 6
        + [choice("sl", "db", "ls")] * 6
        + [choice("sl", "lc", "ls")] * 6,
        rules,
        electorate=18,
        issued=18,
    )
    # sl 18, db 12, lc 12, ls 12 — 10 needed; db, lc, ls tie for the last two seats
    assert runoff.winners == ("sl",)
    assert runoff.runoff.candidates == ("db", "lc", "ls")
    assert runoff.runoff.seats == 2


def test_tie_for_a_single_seat():
    rules = Rules(
        candidates=UNITS, seats=1, threshold=Fraction(1, 3), comparison=Comparison.AT_LEAST
    )
    result = tally(
        [choice("ls")] * 7 + [choice("sl")] * 7 + [choice("hg")] * 7,
        rules,
        electorate=21,
        issued=21,
    )
    assert result.winners == ()
    assert result.runoff.candidates == ("hg", "ls", "sl")
    assert result.runoff.seats == 1


def test_quorum_not_met():
    rules = Rules(candidates=UNITS, seats=1, quorum=Fraction(2, 3), base=Base.RETURNED)
    result = tally([choice("ls")] * 13, rules, electorate=21, issued=13)  # 13 < 14
    assert not result.quorum_met
    assert result.winners == ()
    assert tally([choice("ls")] * 14, rules, electorate=21, issued=14).winners == ("ls",)


def test_bases():
    ballots = [choice("ls")] * 6 + [choice("ls", "sl", "hg", "db")] * 3 + [choice("sl")] * 2
    for base, count, winners in [
        (Base.ELECTORATE, 21, ()),
        (Base.RETURNED, 11, ("ls",)),
        (Base.VALID, 8, ("ls",)),
    ]:
        rules = Rules(candidates=UNITS, seats=1, base=base)
        result = tally(ballots, rules, electorate=21, issued=21)
        assert result.base_count == count
        assert result.winners == winners


def test_council_approval_at_least_80_percent_of_all_members():
    rules = Rules(
        candidates=("ls", "sl"),
        seats=2,
        kind=Kind.APPROVAL,
        threshold=Fraction(4, 5),
        comparison=Comparison.AT_LEAST,
    )
    ballots = [Ballot(answers={"ls": Answer.YES, "sl": Answer.YES})] * 7 + [
        Ballot(
            answers={"ls": Answer.YES, "sl": Answer.NO}, written=True
        )  # an absent member's opinion
    ]
    result = tally(ballots, rules, electorate=9, issued=9)
    assert result.required == 8
    assert (result.votes["ls"], result.votes["sl"], result.noes["sl"]) == (8, 7, 1)
    assert result.winners == ("ls",)
    not_counted = Rules(**{**rules.__dict__, "written_counted": False})
    assert tally(ballots, not_counted, electorate=9, issued=9).winners == ()


FLAGS = [
    Title(
        "co_chinh_phu",
        "Cờ thi đua của Chính phủ",
        1,
        requires_rank=1,
        excludes=("co_bo_cong_an",),
    ),
    Title("co_bo_cong_an", "Cờ thi đua của Bộ Công an", 3),
]
NAMES = {"ls": "Công an tỉnh Lạng Sơn", "sl": "Công an tỉnh Sơn La"}


def test_one_flag_a_year_the_government_flag_instead_of_the_ministry_flag():
    """Cụm II 2017: Lạng Sơn for the Government flag; Sơn La, Điện Biên, Lào Cai for the
    Ministry's — four different units."""
    history = {"co_chinh_phu": ["ls"], "co_bo_cong_an": ["sl", "db", "lc"]}
    assert check_nominations(FLAGS, history, {"ls": 1}, NAMES) == []
    both = {"co_chinh_phu": ["ls"], "co_bo_cong_an": ["ls", "sl", "db"]}
    problems = check_nominations(FLAGS, both, {"ls": 1}, NAMES)
    assert [(p.code, p.field) for p in problems] == [("one_flag_a_year", "co_bo_cong_an")]
    assert problems[0].render() == (
        "Công an tỉnh Lạng Sơn đã được đề nghị “Cờ thi đua của Chính phủ” nên không được đề "
        "nghị “Cờ thi đua của Bộ Công an”: mỗi năm một đơn vị chỉ được đề nghị một trong hai "
        "danh hiệu."
    )
    # the refusal falls on the Ministry flag: the unit keeps the Government flag
    assert [(r.title, r.unit) for r in refused_nominees(FLAGS, both, {"ls": 1}, NAMES)] == [
        ("co_bo_cong_an", "ls")
    ]


def test_a_government_flag_nominee_must_lead_the_cluster():
    second = {"co_chinh_phu": ["sl"], "co_bo_cong_an": ["sl", "db", "lc", "hg"]}
    problems = check_nominations(FLAGS, second, {"sl": 2}, NAMES)
    assert [p.code for p in problems] == ["rank_required", "over_quota"]
    assert problems[0].render() == (
        "Công an tỉnh Sơn La được đề nghị “Cờ thi đua của Chính phủ” nhưng xếp thứ 2 trong "
        "cụm; cần dẫn đầu cụm."
    )
    # refused the Government flag, the unit keeps its Ministry-flag nomination
    assert [(r.title, r.unit) for r in refused_nominees(FLAGS, second, {"sl": 2}, NAMES)] == [
        ("co_chinh_phu", "sl")
    ]


def test_a_rule_set_may_still_nest_titles():
    nested = [Title("a", "A", 1, requires=("b",)), Title("b", "B", 2)]
    problems = check_nominations(nested, {"a": ["x"], "b": ["y"]}, {}, {})
    assert [p.code for p in problems] == ["nested_quota"]


def test_titles_from_rule_set_data_and_the_exclusion_goes_both_ways():
    title = title_from(
        {"code": "co_chinh_phu", "name": "Cờ", "seats": 1, "excludes": ["co_bo_cong_an"]}
    )
    assert title.excludes == ("co_bo_cong_an",)
    assert excluded_by(FLAGS, "co_bo_cong_an") == ("co_chinh_phu",)
    assert excluded_by(FLAGS, "co_chinh_phu") == ("co_bo_cong_an",)


@given(
    government=st.lists(st.sampled_from(UNITS), max_size=2, unique=True),
    ministry=st.lists(st.sampled_from(UNITS), max_size=4, unique=True),
    ranks=st.permutations(range(1, len(UNITS) + 1)),
)
def test_after_refusals_no_unit_holds_two_flags_and_the_government_one_leads(
    government, ministry, ranks
):
    ranked = dict(zip(UNITS, ranks, strict=True))
    nominees = {"co_chinh_phu": government, "co_bo_cong_an": ministry}
    refused = {(r.title, r.unit) for r in refused_nominees(FLAGS, nominees, ranked, {})}
    kept = {
        code: [u for u in units if (code, u) not in refused] for code, units in nominees.items()
    }
    assert not set(kept["co_chinh_phu"]) & set(kept["co_bo_cong_an"])
    assert all(ranked[u] == 1 for u in kept["co_chinh_phu"])
    # a refusal always says why, on the title it refuses
    problems = check_nominations(FLAGS, nominees, ranked, {})
    assert len([p for p in problems if p.code != "over_quota"]) == len(refused)


def test_reconcile_two_entries_of_a_paper_pile():
    first = [choice("ls"), choice("sl", "hg"), choice()]
    assert reconcile(first, [choice("ls"), choice("hg", "sl"), choice()]) == []
    mismatches = reconcile(first, [choice("ls"), choice("sl"), choice(), choice("db")])
    assert [position for position, _a, _b in mismatches] == [2, 4]


def test_rules_are_described_for_the_minutes():
    rules = Rules(candidates=UNITS, seats=3)
    assert rules.describe().render() == (
        "Trúng cử khi được quá 1/2 tổng số đại biểu (thành viên) được triệu tập; tối đa 3 đơn vị."
    )


# --- properties ---------------------------------------------------------------------------

ballots = st.lists(
    st.one_of(
        st.lists(st.sampled_from((*UNITS, "hanoi")), max_size=4).map(
            lambda c: Ballot(choices=tuple(c))
        ),
        st.just(Ballot()),
    ),
    max_size=40,
)
rules_strategy = st.builds(
    Rules,
    candidates=st.just(UNITS),
    seats=st.integers(1, 4),
    threshold=st.sampled_from([Fraction(1, 2), Fraction(2, 3), Fraction(4, 5), Fraction(1, 4)]),
    comparison=st.sampled_from(list(Comparison)),
    base=st.sampled_from(list(Base)),
    quorum=st.sampled_from([None, Fraction(1, 2)]),
    blank_valid=st.booleans(),
)


@settings(max_examples=200)
@given(ballots, rules_strategy, st.randoms())
def test_ballot_order_never_matters(cast, rules, random):
    shuffled = list(cast)
    random.shuffle(shuffled)
    assert tally(shuffled, rules, electorate=40, issued=40) == tally(
        cast, rules, electorate=40, issued=40
    )


@settings(max_examples=200)
@given(ballots, rules_strategy)
def test_invariants(cast, rules):
    result = tally(cast, rules, electorate=40, issued=40)
    assert len(result.winners) <= rules.seats
    for winner in result.winners:
        assert result.votes[winner] >= result.required  # no candidate below threshold wins
    if result.runoff is not None:
        assert len(result.winners) + result.runoff.seats == rules.seats
        assert all(result.votes[c] >= result.required for c in result.runoff.candidates)


@settings(max_examples=200)
@given(ballots, rules_strategy)
def test_removing_an_invalid_ballot_never_changes_winners(cast, rules):
    rules = Rules(
        **{**rules.__dict__, "base": Base.VALID if rules.base == Base.RETURNED else rules.base}
    )
    invalid = [index for index, ballot in enumerate(cast) if check(ballot, rules) is not None]
    if not invalid:
        return
    fewer = [ballot for index, ballot in enumerate(cast) if index != invalid[0]]
    before = tally(cast, rules, electorate=40, issued=40)
    after = tally(fewer, rules, electorate=40, issued=40)
    if before.quorum_met == after.quorum_met:
        assert (after.winners, after.runoff) == (before.winners, before.runoff)


def _as_approval(cast: list[Ballot], rules: Rules) -> tuple[list[Ballot], Rules]:
    """The same poll as an approval vote: a ballot that chose answers yes, no or abstain per
    candidate; a blank one names a unit that is not a candidate (invalid)."""
    answers = (Answer.YES, Answer.NO, Answer.ABSTAIN)
    return [
        Ballot(answers={c: answers[(len(b.choices) + i) % 3] for i, c in enumerate(UNITS)})
        if b.choices
        else Ballot(answers={"hanoi": Answer.YES})
        for b in cast
    ], Rules(**{**rules.__dict__, "kind": Kind.APPROVAL})


@settings(max_examples=200)
@given(ballots, rules_strategy, st.integers(0, 40), st.booleans())
def test_ballots_counted_by_their_totals_count_as_the_ballots_themselves(
    cast, rules, cut, approval
):
    """Paper ballots and written opinions are kept only by their totals: any part of a poll's
    ballots replaced by `totals_of` it gives the same tally."""
    if approval:
        cast, rules = _as_approval(cast, rules)
    whole = tally(cast, rules, electorate=40, issued=40)
    part = totals_of(cast[cut:], rules)
    assert Totals.from_json(part.as_json()) == part
    assert tally(cast[:cut], rules, electorate=40, issued=40, totals=[part]) == whole
    assert part.ballots == len(cast[cut:])
    assert part.invalid == sum(check(b, rules) is not None for b in cast[cut:])


@settings(max_examples=200)
@given(ballots, rules_strategy, st.lists(st.integers(0, 39), max_size=40), st.booleans())
def test_one_ballot_object_given_many_times_counts_as_that_many_ballots(
    cast, rules, picks, approval
):
    """`totals_of` checks a ballot object once however often it is given (a record read for
    checking holds alike ballots as one): the same totals as distinct ballots that say so."""
    if approval:
        cast, rules = _as_approval(cast, rules)
    if not cast:
        return
    shared = [cast[pick % len(cast)] for pick in picks]  # the same objects, repeated
    copied = [Ballot(b.choices, dict(b.answers), b.written) for b in shared]  # each its own
    assert totals_of(shared, rules) == totals_of(copied, rules)
    assert totals_of(iter(shared), rules) == totals_of(copied, rules)
    assert totals_of(shared, rules).ballots == len(shared)


# --- votes over several rounds ------------------------------------------------------------


def test_a_runoff_adds_to_the_first_rounds_winners():
    from thidua.core.ballots import Round, decided

    first = Round(("ha-giang", "lao-cai"), runoff=("son-la", "lang-son"))
    assert decided([first]) == (("ha-giang", "lao-cai"), False)  # a seat is still open
    assert decided([first, Round(("son-la",))]) == (("ha-giang", "lao-cai", "son-la"), True)
    assert decided([]) == ((), False)
    # a runoff that ties again leaves the vote open
    assert decided([first, Round((), runoff=("son-la", "lang-son"))])[1] is False


@given(st.lists(st.lists(st.sampled_from("abcdefg"), max_size=3, unique=True), max_size=4))
def test_decided_keeps_every_winner_once_in_order(rounds):
    from thidua.core.ballots import Round, decided

    winners, _complete = decided([Round(tuple(r)) for r in rounds])
    flat = [code for r in rounds for code in r]
    assert list(winners) == list(dict.fromkeys(flat))


def test_a_title_poll_nominates_an_election_elects_anything_else_passes():
    assert [effect_of(p) for p in ("title", "leader", "deputy", "other")] == [
        Effect.NOMINATED,
        Effect.ELECTED,
        Effect.ELECTED,
        Effect.PASSED,
    ]
    rules = Rules(candidates=UNITS, seats=3)
    assert rules.describe(Effect.NOMINATED).render().startswith("Đơn vị được đề nghị khi")
    assert "Trúng cử" not in rules.describe(Effect.NOMINATED).render()


# --- where each candidate stands, and why ----------------------------------------------------

LABELS = {"sl": "Sơn La", "db": "Điện Biên", "lc": "Lào Cai", "ls": "Lạng Sơn", "hg": "Hà Giang"}


def _why(code, result, seats):
    phrase = why(code, stored_result(result, Rules(candidates=UNITS, seats=seats)), seats, LABELS)
    return phrase.render() if phrase else None


def test_each_loser_is_told_why_with_the_figures():
    """2 seats, more than 1/2 of 21 (11 votes): sl 18 and db 14 win, lc 12 is over the
    threshold but third, ls 6 is under it, hg never ticked."""
    rules = Rules(candidates=UNITS, seats=2)
    ballots = (
        [choice("sl", "db")] * 12
        + [choice("sl", "lc")] * 6
        + [choice("db", "lc")] * 2
        + [choice("lc", "ls")] * 4
        + [choice("ls")] * 2
    )
    result = tally(ballots, rules, electorate=26, issued=26)
    assert (result.votes["sl"], result.votes["db"], result.votes["lc"]) == (18, 14, 12)
    assert result.required == 14
    assert result.winners == ("sl", "db")
    stored = stored_result(result, rules)
    assert [standing_of(c, stored) for c in ("sl", "lc", "ls", "hg")] == [
        Standing.WON,
        Standing.BELOW,
        Standing.BELOW,
        Standing.BELOW,
    ]
    assert _why("sl", result, 2) is None
    assert _why("lc", result, 2) == "Được 12 phiếu, chưa đạt ngưỡng 14 phiếu."
    assert _why("hg", result, 2) == "Không được phiếu nào."
    wide = tally(
        ballots,
        Rules(candidates=UNITS, seats=2, threshold=Fraction(1, 3)),
        electorate=26,
        issued=26,
    )
    assert wide.required == 9
    assert wide.winners == ("sl", "db")
    assert standing_of("lc", stored_result(wide, rules)) == Standing.OUTSIDE_SEATS
    assert _why("lc", wide, 2) == (
        "Đạt ngưỡng (12 phiếu, cần 9) nhưng đứng thứ 3 theo số phiếu, ngoài 2 suất."
    )


def test_a_tie_across_the_last_seat_is_explained_as_a_runoff():
    rules = Rules(candidates=UNITS, seats=2, threshold=Fraction(1, 3))
    ballots = [choice("sl", "db")] * 10 + [choice("sl", "lc")] * 10 + [choice("sl")]
    result = tally(ballots, rules, electorate=21, issued=21)
    assert result.winners == ("sl",)
    assert result.runoff.candidates == ("db", "lc")
    assert _why("db", result, 2) == (
        "Được 10 phiếu, bằng Lào Cai ở suất cuối (còn 1 suất); phần mềm không tự phân định: "
        "hội nghị bỏ phiếu lại giữa các đơn vị bằng phiếu."
    )


def test_without_a_quorum_nobody_wins_and_everyone_is_told_why():
    rules = Rules(candidates=UNITS, seats=1, quorum=Fraction(2, 3))
    result = tally([choice("sl")] * 10, rules, electorate=21, issued=21)
    assert result.winners == ()
    assert not result.quorum_met
    assert _why("sl", result, 1) == (
        "Số phiếu thu về (10 trên 21) chưa đủ tỷ lệ tối thiểu theo quy định, nên không có kết quả."
    )


@settings(max_examples=200)
@given(ballots, rules_strategy)
def test_every_candidate_stands_exactly_where_the_tally_puts_them(cast, rules):
    result = tally(cast, rules, electorate=40, issued=40)
    stored = stored_result(result, rules)
    for code in rules.candidates:
        standing = standing_of(code, stored)
        assert (standing == Standing.WON) == (code in result.winners)
        assert (why(code, stored, rules.seats, {}) is None) == (standing == Standing.WON)
        if standing == Standing.OUTSIDE_SEATS:  # over the threshold: only seats kept it out
            assert result.votes[code] >= result.required
            assert len(result.winners) == rules.seats
            assert all(result.votes[w] > result.votes[code] for w in result.winners)
        if standing == Standing.BELOW:
            assert result.votes[code] < result.required or result.votes[code] == 0


def test_each_standing_has_one_word_in_the_words_of_what_the_poll_decides():
    nominated, elected = Effect.NOMINATED, Effect.ELECTED
    assert outcome_word(nominated, Standing.WON) == "Được đề nghị"  # never "Trúng cử"
    assert outcome_word(elected, Standing.WON) == "Trúng cử"
    assert outcome_word(nominated, Standing.WON, refused=True) == "Không được đề nghị"
    assert outcome_word(nominated, Standing.BELOW) == "Không đạt"
    assert outcome_word(elected, Standing.NO_QUORUM) == "Không trúng cử"
    assert outcome_word(nominated, Standing.OUTSIDE_SEATS) == "Đạt ngưỡng nhưng ngoài số lượng"
    assert outcome_word(elected, Standing.RUNOFF) == "Bằng phiếu ở suất cuối: bầu lại"
    assert "Trúng cử" not in {outcome_word(nominated, s) for s in Standing}
