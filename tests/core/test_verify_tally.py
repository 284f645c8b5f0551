"""`verify.tally` makes and checks one ballot for all of a poll's ballots that say the same
(`core_record.ballot_said`), whether the record was read whole (each ballot its own object) or
member by member (alike ballots held once): the count must be the one each ballot made on
its own gives."""

from hypothesis import given
from hypothesis import strategies as st

from thidua.core import ballots as core_ballots
from thidua.core import record as core_record
from thidua.core import typed
from thidua.core.verify import tally

CANDIDATES = ["dien-bien", "ha-giang", "lai-chau", "lao-cai"]
RULES = {"seats": 2, "threshold": "1/2", "comparison": ">", "base": "returned"}

# valid, blank, too many, repeated, not a candidate, answers on a choice poll, no content
contents = st.one_of(
    st.none(),
    st.builds(
        lambda picked: {"choices": picked},
        st.lists(st.sampled_from([*CANDIDATES, "son-la"]), max_size=3),
    ),
    st.just({"answers": {"lao-cai": "yes"}}),
)


def _poll(said: list) -> core_record.Poll:
    """A closed poll of these ballots, each its own object as a record read whole holds it."""
    count = len(said)
    poll = typed.read_one(
        core_record.Poll,
        {
            "code": "p",
            "title": "p",
            "purpose": "other",
            "title_code": "",
            "mode": "electronic",
            "rules": RULES,
            "status": "closed",
            "electorate": count,
            "opened_at": None,
            "closed_at": None,
            "runoff_of": None,
            "candidates": CANDIDATES,
            "electors": [],
            "ballots": [{"content": None if c is None else {**c}} for c in said],
            "receipts": [],
            "result": {"electorate": count, "issued": count},
        },
    )
    assert poll is not None
    return poll


def _each_on_its_own(poll: core_record.Poll) -> dict:
    rules = core_ballots.rules_from(poll.rules, poll.candidates)
    made = [core_ballots.ballot_from(ballot.content or {}) for ballot in poll.ballots]
    count = len(made)
    return core_ballots.stored_result(
        core_ballots.tally(made, rules, electorate=count, issued=count), rules
    )


@given(st.lists(contents, max_size=30))
def test_ballots_that_say_the_same_count_as_each_on_its_own(said):
    poll = _poll(said)
    assert len({id(ballot.content) for ballot in poll.ballots if ballot.content}) == sum(
        c is not None for c in said
    )  # read whole: no two alike ballots are one object
    assert tally(poll) == _each_on_its_own(poll)


def test_alike_ballots_are_told_by_what_they_say():
    one, same, other = _poll([{"choices": ["lao-cai"]}] * 2 + [{"choices": ["ha-giang"]}]).ballots
    assert one.content is not same.content
    assert core_record.ballot_said(one) == core_record.ballot_said(same)
    assert core_record.ballot_said(one) != core_record.ballot_said(other)
