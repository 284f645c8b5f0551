"""Paper score ballots entered as totals (docs/score-ballot-crypto.md §5): the sheet's checks,
the cells two entries differ in, and the tally adding a sheet to phone ballots, by hand and
as a property (a sheet made from a pile counts the same as the pile ballot by ballot)."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from thidua.core.score_ballots import (
    PaperSheet,
    Partial,
    ScoreBallot,
    ScoreRules,
    sheet_mismatches,
    sheet_problems,
    tally,
)

RULES = ScoreRules(candidates=("hg", "sl", "cb"), groups=(60, 40), partial=Partial.SKIP)


def _sheet(**changed) -> PaperSheet:
    figures = {
        "returned": 4,
        "invalid": 1,
        "valid": 3,
        "total": {"hg": (100, 60), "sl": (150, 90), "cb": (40, 30)},
        "count": {"hg": (2, 2), "sl": (3, 3), "cb": (1, 1)},
    }
    return PaperSheet(**{**figures, **changed})


def test_phone_ballots_and_paper_totals_make_one_result():
    """Phones: Hà Giang 80 + 90, Sơn La 70 + 80, Cao Bằng 50 + 70. Paper (4 returned, 1
    invalid): Hà Giang 160 over 2, Sơn La 240 over 3, Cao Bằng 70 over 1. Together: Hà Giang
    330/4 = 82,50, Sơn La 390/5 = 78,00, Cao Bằng 190/3 = 63,33; 7 returned, 6 valid."""
    phones = [
        ScoreBallot({"hg": (50, 30), "sl": (40, 30)}, own_unit="cb"),
        ScoreBallot({"sl": (45, 35), "cb": (30, 20)}, own_unit="hg"),
        ScoreBallot({"hg": (55, 35), "cb": (40, 30)}, own_unit="sl"),
    ]
    result = tally(phones, RULES, totals=[_sheet().totals()])
    assert (result.returned, result.valid, result.invalid) == (7, 6, 1)
    assert [(s.unit, s.total, s.count, s.average, s.rank) for s in result.standings] == [
        ("hg", 330, 4, Fraction(165, 2), 1),
        ("sl", 390, 5, Fraction(78), 2),
        ("cb", 190, 3, Fraction(190, 3), 3),
    ]
    assert not any(s.tied for s in result.standings)


def test_a_sheet_that_cannot_be_is_refused_naming_the_unit_and_group():
    assert sheet_problems(_sheet(), RULES) == []
    valid = sheet_problems(_sheet(valid=4), RULES)
    assert [p.code for p in valid] == ["valid"]
    assert valid[0].render() == (
        "Số phiếu hợp lệ (4) phải bằng số phiếu thu về (4) trừ số phiếu không hợp lệ (1)."
    )
    above = sheet_problems(_sheet(count={"hg": (4, 4), "sl": (3, 3), "cb": (1, 1)}), RULES)
    assert [(p.code, p.field) for p in above] == [
        ("count_above_valid", "hg:1"),
        ("count_above_valid", "hg:2"),
    ]
    assert above[0].render() == "hg, nhóm 1: 4 phiếu chấm, nhiều hơn số phiếu hợp lệ (3)."
    most = sheet_problems(_sheet(total={"hg": (100, 81), "sl": (150, 90), "cb": (40, 30)}), RULES)
    assert [(p.code, p.field) for p in most] == [("total_above_maximum", "hg:2")]
    assert most[0].render() == "hg, nhóm 2: tổng 81 điểm, quá 2 phiếu × 40 điểm tối đa = 80."
    assert [p.code for p in sheet_problems(_sheet(invalid=-1, valid=5), RULES)] == ["not_number"]
    typed = sheet_problems(_sheet(total={"hg": (100, "6o"), "sl": (1, 1), "cb": (1, 1)}), RULES)
    assert [(p.code, p.field) for p in typed] == [("not_number_cell", "hg:2")]
    differ = sheet_problems(_sheet(count={"hg": (2, 3), "sl": (3, 3), "cb": (1, 1)}), RULES)
    assert [p.code for p in differ] == ["counts_differ"]
    unknown = sheet_problems(_sheet(total={"xx": (1, 1)}, count={"xx": (1, 1)}), RULES)
    assert [p.code for p in unknown] == ["unknown"]
    groups = sheet_problems(_sheet(total={"hg": (1,)}, count={"hg": (1,)}), RULES)
    assert [p.code for p in groups] == ["groups"]


def test_two_entries_differ_in_the_cells_named():
    assert sheet_mismatches(_sheet(), _sheet()) == []
    other = _sheet(invalid=2, total={"hg": (100, 61), "sl": (150, 90), "cb": (40, 30)})
    assert sheet_mismatches(_sheet(), other) == ["invalid", "hg:2:total"]
    assert PaperSheet.from_json(other.as_json()) == other


def _sheet_of(ballots: list[ScoreBallot], rules: ScoreRules) -> PaperSheet:
    """What the board writes on its sheet after counting a pile by hand."""
    total = {u: [0] * len(rules.groups) for u in rules.candidates}
    count = {u: [0] * len(rules.groups) for u in rules.candidates}
    for ballot in ballots:
        for unit, parts in ballot.scores.items():
            for group, score in enumerate(parts):
                total[unit][group] += score
                count[unit][group] += 1
    return PaperSheet(
        returned=len(ballots),
        invalid=0,
        valid=len(ballots),
        total={u: tuple(v) for u, v in total.items()},
        count={u: tuple(v) for u, v in count.items()},
    )


_ballots = st.lists(
    st.builds(
        lambda own, scores: ScoreBallot(
            {u: parts for u, parts in scores.items() if u != own}, own_unit=own
        ),
        st.sampled_from(RULES.candidates),
        st.dictionaries(
            st.sampled_from(RULES.candidates),
            st.tuples(st.integers(0, 60), st.integers(0, 40)),
            max_size=len(RULES.candidates),
        ),
    ),
    max_size=10,
)


@given(phone=_ballots, paper=_ballots)
def test_a_pile_as_totals_counts_as_the_pile_ballot_by_ballot(phone, paper):
    sheet = _sheet_of(paper, RULES)
    assert sheet_problems(sheet, RULES) == []
    by_totals = tally(phone, RULES, totals=[sheet.totals()])
    by_ballot = tally(phone + paper, RULES)
    assert by_totals == by_ballot
