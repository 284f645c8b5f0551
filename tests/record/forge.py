"""What a forger does to a record's audit chain with a text editor: append an entry that
follows from the last, and re-hash every entry from some point on (as if the chain had been
written so). The tests then show what still gives the forgery away."""

from thidua.core.audit import GENESIS, entry_hash


def rehash(record: dict, start: int = 0) -> None:
    """Renumber and re-hash the chain's entries from `start` on, and its head."""
    entries = record["audit"]["entries"]
    previous = entries[start - 1]["hash"] if start else GENESIS
    for position in range(start, len(entries)):
        entry = entries[position]
        entry["seq"], entry["prev_hash"] = position + 1, previous
        entry["hash"] = entry_hash(
            chain=record["audit"]["chain"],
            seq=entry["seq"],
            prev_hash=previous,
            payload=entry["payload"],
            origin=entry["origin"],
        )
        previous = entry["hash"]
    record["audit"]["head"] = previous if entries else None


def append(record: dict, payload: dict) -> None:
    """Add an entry with `payload` at the end of the chain, chained as the app would."""
    record["audit"]["entries"].append({"payload": payload, "origin": None})
    rehash(record, len(record["audit"]["entries"]) - 1)
