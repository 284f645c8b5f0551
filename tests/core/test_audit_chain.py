"""The audit chain of a cycle (thidua.core.audit): whole, or the first break named."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.core.audit import GENESIS, Break, Link, entry_hash, first_break

CHAIN = "cum-2/2020"


def chained(payloads, chain=CHAIN, origins=None) -> list[Link]:
    links, previous = [], GENESIS
    for seq, payload in enumerate(payloads, 1):
        origin = (origins or {}).get(seq)
        digest = entry_hash(
            chain=chain, seq=seq, prev_hash=previous, payload=payload, origin=origin
        )
        links.append(Link(seq, previous, digest, payload, origin))
        previous = digest
    return links


def rehashed(links, start=0) -> list[Link]:
    """What a forger does after editing: renumber and re-hash from `start` on."""
    kept = list(links[:start])
    previous = kept[-1].hash if kept else GENESIS
    for seq, link in enumerate(links[start:], start + 1):
        digest = entry_hash(
            chain=CHAIN, seq=seq, prev_hash=previous, payload=link.payload, origin=link.origin
        )
        kept.append(Link(seq, previous, digest, link.payload, link.origin))
        previous = digest
    return kept


PAYLOADS = [{"action": f"a{n}", "after": {"n": n}} for n in range(6)]


def test_a_whole_chain_has_no_break():
    assert first_break(CHAIN, chained(PAYLOADS)) is None
    assert first_break(CHAIN, []) is None


def test_the_hash_covers_the_chain_number_predecessor_origin_and_payload():
    base = {"chain": CHAIN, "seq": 1, "prev_hash": GENESIS, "payload": {"a": 1}, "origin": None}
    digest = entry_hash(**base)
    for change in (
        {"chain": "cum-2/2021"},
        {"seq": 2},
        {"prev_hash": "1" * 64},
        {"payload": {"a": 2}},
        {"origin": {"chain": "", "seq": 1, "hash": GENESIS}},
    ):
        assert entry_hash(**{**base, **change}) != digest


def test_an_edited_entry_is_named_with_the_hash_it_should_have():
    links = chained(PAYLOADS)
    links[2] = replace(links[2], payload={"action": "a2", "after": {"n": 99}})
    found = first_break(CHAIN, links)
    assert (found.position, found.field, found.found) == (2, "hash", links[2].hash)
    assert found.expected != found.found


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (lambda links: [links[1], links[0], *links[2:]], Break(0, "seq", 1, 2)),  # reordered
        (lambda links: [*links[:2], *links[3:]], Break(2, "seq", 3, 4)),  # one deleted
        (lambda links: links[1:], Break(0, "seq", 1, 2)),  # the first deleted
        (lambda links: [*links[:3], links[2], *links[3:]], Break(3, "seq", 4, 3)),  # repeated
    ],
)
def test_reordered_deleted_or_repeated_entries_break_the_numbering(tamper, expected):
    assert first_break(CHAIN, tamper(chained(PAYLOADS))) == expected


def test_an_inserted_entry_breaks_the_link_after_it_even_numbered_right():
    links = chained(PAYLOADS)
    forged = chained([*PAYLOADS[:3], {"action": "forged"}])[3]
    tampered = [*links[:3], forged, *[replace(link, seq=link.seq + 1) for link in links[3:]]]
    found = first_break(CHAIN, tampered)
    assert (found.position, found.field) == (4, "prev_hash")
    assert (found.expected, found.found) == (forged.hash, links[2].hash)


def test_an_entry_moved_from_another_chain_does_not_follow():
    other = chained(PAYLOADS, chain="cum-2/2021")
    assert first_break(CHAIN, other) == Break(0, "hash", chained(PAYLOADS)[0].hash, other[0].hash)


def test_a_carried_entry_keeps_its_origin_under_the_hash():
    origin = {"chain": "cum-2/2019", "seq": 4, "hash": "a" * 64}
    links = chained(PAYLOADS, origins={2: origin})
    assert first_break(CHAIN, links) is None
    links[1] = replace(links[1], origin={**origin, "seq": 5})
    assert first_break(CHAIN, links).field == "hash"


def test_editing_and_rehashing_the_whole_tail_leaves_a_whole_chain():
    """What the chain alone cannot see: signatures and the paper anchor (record checkpoints)
    are there for it."""
    links = chained(PAYLOADS)
    links[2] = replace(links[2], payload={"forged": True})
    assert first_break(CHAIN, rehashed(links, 2)) is None


def test_a_truncated_chain_is_whole_by_itself():
    """Also invisible to the chain alone: the record's head and the anchor on paper tell."""
    assert first_break(CHAIN, chained(PAYLOADS)[:3]) is None


TAMPERINGS = st.sampled_from(["edit", "delete", "duplicate", "swap", "insert"])


@given(tamper=TAMPERINGS, where=st.integers(0, len(PAYLOADS) - 2), data=st.data())
def test_any_single_tampering_without_rehashing_is_found_at_or_before_its_place(
    tamper, where, data
):
    links = chained(PAYLOADS)
    if tamper == "edit":
        links[where] = replace(links[where], payload={"forged": where})
    elif tamper == "delete":
        del links[where]
    elif tamper == "duplicate":
        links.insert(where, links[where])
    elif tamper == "swap":
        links[where], links[where + 1] = links[where + 1], links[where]
    else:
        seq = data.draw(st.integers(1, len(PAYLOADS)))
        links.insert(where, Link(seq, GENESIS, "0" * 64, {"forged": True}))
    found = first_break(CHAIN, links)
    assert found is not None
    assert found.position <= where + 1
