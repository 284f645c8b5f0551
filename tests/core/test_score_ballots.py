"""Score ballots: own-unit exclusion, partial ballots under both policies, exact averages,
ties shown, trimmed means only ballot by ballot, titles from the ranking; hand-computed."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from thidua.core.ballots import Title
from thidua.core.score_ballots import (
    Partial,
    ScoreBallot,
    ScoreRules,
    ScoreTotals,
    check,
    nominations,
    rules_from,
    rules_problems,
    scored_by,
    shown,
    tally,
)

UNITS = ("hg", "db", "lch", "ls", "lc", "sl", "cb")
# 21 delegates: the host province sends four, Cao Bằng two, the others three each
DELEGATES = {"hg": 4, "db": 3, "lch": 3, "ls": 3, "lc": 3, "sl": 3, "cb": 2}
BASE = {"hg": 90, "db": 85, "lch": 80, "ls": 88, "lc": 85, "sl": 92, "cb": 78}
RULES = ScoreRules(candidates=UNITS, groups=(100,))


def _hall(base=BASE):
    """Every delegate gives every other unit its base score; one Sơn La delegate gives Hà
    Giang 91."""
    ballots = []
    for unit, count in DELEGATES.items():
        for seat in range(count):
            scores = {c: (base[c],) for c in UNITS if c != unit}
            if unit == "sl" and seat == 0:
                scores["hg"] = (91,)
            ballots.append(ScoreBallot(scores, own_unit=unit))
    return ballots


def test_21_delegates_7_units_counts_differ_by_own_unit():
    result = tally(_hall(), RULES)
    assert (result.returned, result.valid, result.invalid) == (21, 21, 0)
    counts = {s.unit: s.count for s in result.standings}
    assert counts == {u: 21 - n for u, n in DELEGATES.items()}  # hg 17 … cb 19
    hg = result.of("hg")
    assert hg.total == 90 * 17 + 1 == 1531
    assert hg.average == Fraction(1531, 17)
    assert shown(hg.average, 2) == "90,06"
    assert result.of("sl").total == 92 * 18
    assert result.of("cb").total == 78 * 19
    order = [(s.unit, s.rank, s.tied) for s in result.standings]
    assert order == [
        ("sl", 1, False),
        ("hg", 2, False),
        ("ls", 3, False),
        ("db", 4, True),  # 85 and 85: a shared rank, shown, not broken
        ("lc", 4, True),
        ("lch", 6, False),
        ("cb", 7, False),
    ]


def test_a_delegate_never_scores_their_own_unit():
    ballot = ScoreBallot(dict.fromkeys(UNITS, (80,)), own_unit="lc")
    problem = check(ballot, RULES)
    assert problem.code == "own_unit"
    assert problem.render() == "Đại biểu không chấm điểm đơn vị mình (lc)."
    assert scored_by("lc", RULES) == ("hg", "db", "lch", "ls", "sl", "cb")


def test_a_partial_ballot_is_refused_whole_or_counted_without_that_unit():
    hall = _hall()
    partial = ScoreBallot({c: (70,) for c in UNITS if c not in ("cb", "lch")}, own_unit="cb")
    hall[-1] = partial  # the last Cao Bằng delegate leaves Lai Châu unscored
    refused = tally(hall, RULES)
    assert (refused.valid, refused.invalid) == (20, 1)
    assert check(partial, RULES).render() == "Phiếu chấm thiếu: chưa chấm lch."
    assert refused.of("lch").count == 17
    assert refused.of("sl").count == 17  # the whole ballot is set aside
    assert refused.of("sl").average == 92
    skipped = tally(hall, ScoreRules(candidates=UNITS, partial=Partial.SKIP))
    assert (skipped.valid, skipped.invalid) == (21, 0)
    assert skipped.of("lch").count == 17  # no score for Lai Châu: its base is one smaller
    assert skipped.of("lch").average == 80
    assert skipped.of("sl").count == 18
    assert skipped.of("sl").average == Fraction(92 * 17 + 70, 18)


def test_scores_by_criteria_group_each_within_its_maximum():
    rules = rules_from({"groups": [40, 30, 30], "partial": "skip"}, UNITS)
    assert rules.maximum == 100
    fine = ScoreBallot({"hg": (40, 25, 20)}, own_unit="cb")
    assert check(fine, rules) is None
    over = ScoreBallot({"hg": (41, 25, 20)}, own_unit="cb")
    assert check(over, rules).render() == "hg: điểm 41 ngoài thang 0–40."
    short = ScoreBallot({"hg": (40, 25)}, own_unit="cb")
    assert check(short, rules).render() == "hg: cần 3 điểm thành phần, phiếu ghi 2."
    assert tally([fine], rules).of("hg").total == 85


def test_the_trimmed_mean_only_on_ballot_by_ballot_scores():
    rules = ScoreRules(candidates=("hg", "sl"), partial=Partial.SKIP, trimmed=True)
    ballots = [ScoreBallot({"hg": (s,)}, own_unit="x") for s in (60, 90, 91, 92, 99)]
    paper = tally(ballots, rules)
    assert paper.trimmed_shown
    assert paper.of("hg").average == Fraction(432, 5)
    assert paper.of("hg").trimmed == Fraction(273, 3) == 91  # 60 and 99 dropped
    sums = ScoreTotals(ballots=5, invalid=0, total={"hg": 432}, count={"hg": 5})
    mixed = tally([], rules, totals=[sums])
    assert not mixed.trimmed_shown
    assert mixed.of("hg").trimmed is None
    assert mixed.of("hg").average == paper.of("hg").average
    assert [p.code for p in mixed.problems] == ["trim_sums"]
    assert [p.code for p in rules_problems({"trimmed": True}, encrypted=True)] == ["trim_encrypted"]
    assert rules_problems({"trimmed": True}, encrypted=False) == []
    assert [p.code for p in rules_problems({"groups": [0]}, encrypted=False)] == ["bad_scale"]


GOV = Title("co-chinh-phu", "Cờ thi đua của Chính phủ", 1, requires_rank=1, excludes=("co-bo",))
MINISTRY = Title("co-bo", "Cờ thi đua của Bộ Công an", 3)


def test_titles_follow_the_ranking_one_flag_a_year_ties_left_to_a_vote():
    result = tally(_hall(), RULES)
    chosen = nominations(result, [GOV, MINISTRY], minimum=Fraction(85))
    assert chosen.nominees["co-chinh-phu"] == ("sl",)
    # Sơn La holds the Government flag, so not the Ministry's; 85 and 85 tie for the third
    assert chosen.nominees["co-bo"] == ("hg", "ls")
    assert chosen.ties == {"co-bo": ("db", "lc")}
    strict = nominations(result, [GOV, MINISTRY], minimum=Fraction(88))
    assert strict.nominees["co-bo"] == ("hg", "ls")
    assert strict.ties == {}
    # the Government flag goes to the unit leading the cluster's own ranking, or to nobody
    led_by_hg = nominations(result, [GOV, MINISTRY], Fraction(85), ranks={"hg": 1, "sl": 2})
    assert led_by_hg.nominees["co-chinh-phu"] == ("hg",)
    assert led_by_hg.nominees["co-bo"] == ("sl", "ls")
    led_by_cb = nominations(result, [GOV, MINISTRY], Fraction(85), ranks={"cb": 1})
    assert led_by_cb.nominees["co-chinh-phu"] == ()


def test_averages_are_shown_rounded_half_up():
    assert shown(Fraction(1531, 17), 2) == "90,06"
    assert shown(Fraction(8765, 100), 1) == "87,7"  # 87,65 → 87,7
    assert shown(Fraction(85), 2) == "85,00"
    assert shown(None, 2) == "—"


score_ballots = st.lists(
    st.builds(
        ScoreBallot,
        scores=st.dictionaries(
            st.sampled_from(UNITS), st.tuples(st.integers(-5, 105)), max_size=len(UNITS)
        ),
        own_unit=st.sampled_from(UNITS),
    ),
    max_size=25,
)
policies = st.sampled_from(tuple(Partial))


@given(score_ballots, policies, st.randoms())
def test_the_order_of_the_ballots_never_matters(ballots, partial, random):
    rules = ScoreRules(candidates=UNITS, partial=partial)
    shuffled = list(ballots)
    random.shuffle(shuffled)
    assert tally(shuffled, rules) == tally(ballots, rules)


@given(score_ballots, policies)
def test_totals_are_the_sums_of_the_valid_ballots_and_sums_count_the_same(ballots, partial):
    rules = ScoreRules(candidates=UNITS, partial=partial)
    result = tally(ballots, rules)
    valid = [b for b in ballots if check(b, rules) is None]
    assert result.valid == len(valid)
    for standing in result.standings:
        mine = [b.scores[standing.unit][0] for b in valid if standing.unit in b.scores]
        assert (standing.total, standing.count) == (sum(mine), len(mine))
        if standing.count:
            assert 0 <= standing.average <= 100
    # the same ballots known only by their sums give the same totals, averages and ranks
    sums = ScoreTotals(
        ballots=len(ballots),
        invalid=len(ballots) - len(valid),
        total={s.unit: s.total for s in result.standings},
        count={s.unit: s.count for s in result.standings},
    )
    assert tally([], rules, totals=[sums]).standings == result.standings


@given(score_ballots)
def test_equal_averages_share_a_rank_and_better_averages_rank_higher(ballots):
    result = tally(ballots, ScoreRules(candidates=UNITS, partial=Partial.SKIP))
    ranked = [s for s in result.standings if s.rank is not None]
    for a in ranked:
        for b in ranked:
            assert (a.average == b.average) == (a.rank == b.rank)
            if a.average > b.average:
                assert a.rank < b.rank
        assert a.tied == (sum(1 for b in ranked if b.average == a.average) > 1)
    assert all(s.average is None for s in result.standings[len(ranked) :])


def test_a_rule_sets_score_vote_is_validated():
    from thidua.core.score_ballots import vote_problems

    assert vote_problems({"maximum": 100, "titles": "inform"}) == []
    assert vote_problems({"groups": [50, 30, 20], "titles": "ranking", "minimum": "85"}) == []
    codes = [p.code for p in vote_problems({"groups": [0], "titles": "ranking"})]
    assert codes == ["bad_scale", "bad_minimum"]
    assert [p.code for p in vote_problems({"titles": "both"})] == ["bad_titles_mode"]
    assert [p.code for p in vote_problems({"partial": "maybe", "decimals": 9})] == [
        "bad_partial",
        "bad_decimals",
    ]
    assert [p.code for p in vote_problems({"titles": "ranking", "minimum": "120"})] == [
        "bad_minimum"
    ]


def test_stored_content_round_trips():
    from thidua.core.score_ballots import ScoreBallot, ballot_from, content_of, reconcile

    ballot = ScoreBallot({"b": (40, 30), "a": (10, 5)}, own_unit="c")
    assert ballot_from(content_of(ballot)) == ballot
    other = ScoreBallot({"b": (40, 31), "a": (10, 5)}, own_unit="c")
    assert [m[0] for m in reconcile([ballot, ballot], [ballot, other, ballot])] == [2, 3]
