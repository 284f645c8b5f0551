"""`core.eligibility.people_facts`: a person's history from the register's person lines,
followed across their unit's mergers (the app's `org.selectors.person_facts` reads them)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from thidua.core.eligibility import PersonLine, State, people_facts

UNITS = ["a", "b", "c"]
lines_of = st.lists(
    st.builds(
        PersonLine,
        person=st.integers(1, 4),
        unit=st.sampled_from(UNITS),
        year=st.integers(2019, 2023),
        title=st.sampled_from(["cstt", "cstdcs"]),
        state=st.sampled_from(["awarded", "proposed"]),
    ),
    max_size=25,
)


def person_facts(person, unit, year, lines, selves, units_of, key="an"):
    """One person's facts (`selves`: earlier unit → the people of it with the person's key)."""
    found = {(other, key): people for other, people in selves.items()}
    return people_facts({person: key}, unit, year, lines, found, units_of)[person]


@given(lines_of, st.integers(1, 4))
def test_without_a_merger_a_persons_facts_are_their_own_lines_and_their_units_years(lines, who):
    """The fold the register always had: years with any person line of the unit are known,
    the person's own lines are their history; other units' lines say nothing."""
    own_lines = [line for line in lines if line.unit == "a"]
    facts = person_facts(
        who,
        "a",
        2023,
        own_lines + [line for line in lines if line.unit != "a"],
        {},
        lambda y: {"a"},
    )
    assert facts.known_years == {line.year for line in own_lines}
    expected: dict[int, dict[str, str]] = {}
    for line in own_lines:
        if line.person == who:
            expected.setdefault(line.year, {})[line.title] = line.state
    assert facts.history == expected


def test_a_former_self_in_a_merged_unit_gives_the_earlier_years():
    lines = [
        PersonLine("old-an", "b", 2021, "cstdcs", "awarded"),
        PersonLine("old-binh", "c", 2021, "cstt", "awarded"),
        PersonLine("an", "a", 2022, "cstdcs", "awarded"),
    ]
    facts = person_facts(
        "an",
        "a",
        2022,
        lines,
        {"b": ["old-an"], "c": []},
        lambda y: {"a"} if y >= 2022 else {"b", "c"},
    )
    assert facts.known_years == {2021, 2022}
    assert facts.state(2021, "cstdcs") == State.AWARDED
    # someone of the new unit with no former self: the merged units' lines cover 2021, and
    # they have none in it
    newcomer = person_facts("newcomer", "a", 2022, lines, {"b": [], "c": []}, lambda y: {"b", "c"})
    assert newcomer.state(2021, "cstdcs") == State.NONE


def test_a_unit_not_standing_for_the_person_that_year_says_nothing():
    lines = [PersonLine("old-an", "b", 2020, "cstdcs", "awarded")]
    facts = person_facts(
        "an", "a", 2022, lines, {"b": ["old-an"]}, lambda y: {"b"} if y == 2021 else {"a"}
    )
    assert facts.known_years == frozenset()


def test_two_former_selves_leave_the_year_unknown_but_the_persons_own_line_decides():
    lines = [
        PersonLine("an-of-b", "b", 2021, "cstdcs", "awarded"),
        PersonLine("an-of-c", "c", 2021, "cstt", "awarded"),
    ]
    selves = {"b": ["an-of-b"], "c": ["an-of-c"]}
    facts = person_facts("an", "a", 2022, lines, selves, lambda y: {"a", "b", "c"})
    assert facts.state(2021, "cstdcs") == State.UNKNOWN
    own = [*lines, PersonLine("an", "a", 2021, "cstt", "awarded")]
    facts = person_facts("an", "a", 2022, own, selves, lambda y: {"a", "b", "c"})
    assert facts.state(2021, "cstt") == State.AWARDED
    assert facts.state(2021, "cstdcs") == State.NONE


@given(lines_of, st.lists(st.integers(1, 4), unique=True, min_size=1))
def test_everyone_at_once_is_each_person_alone(lines, people):
    """The lines grouped once for all of a unit's people give each what they give it alone,
    namesakes in the merged units included."""
    selves = {("b", "an"): [3], ("c", "an"): [4], ("b", "binh"): [2]}
    keys = {person: "an" if person % 2 else "binh" for person in people}

    def units_of(year):
        return {"b", "c"} if year < 2022 else set()

    together = people_facts(keys, "a", 2023, lines, selves, units_of)
    for person, key in keys.items():
        alone = people_facts({person: key}, "a", 2023, lines, selves, units_of)[person]
        assert together[person] == alone
