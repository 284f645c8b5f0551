"""`verify_file` reads a record member by member (`core_record.read_file`) instead of parsing
the whole file: it must give exactly what `verify(core_record.load(path))` gives — the same
findings, in the same words and order, the same record, the same refusal of a file that is
no record — for the genuine record and for any change to it."""

import copy
import gzip
import json
import random
import sys
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey

from thidua.core import record as core_record
from thidua.core import typed
from thidua.core.verify import verify, verify_file

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
import verify_bench  # the benchmark's consistent cluster year, built by the core

KEY = SigningKey(bytes(range(32)))
GENUINE = verify_bench.build("cum-1", 2020, KEY, random.Random(7))


def _write(path: Path, document, form: str) -> Path:
    if form == "canonical":
        path.write_bytes(core_record.encode(document))
    elif form == "indented":  # any JSON layout, not only the canonical one
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    elif form == "reversed":  # members in any order: a chain's entries before its name
        path.write_text(json.dumps(_reversed(document), ensure_ascii=False), encoding="utf-8")
    else:
        path.write_bytes(gzip.compress(core_record.encode(document)))
    return path


def _reversed(value):
    if isinstance(value, dict):
        return {key: _reversed(value[key]) for key in reversed(value)}
    if isinstance(value, list):
        return [_reversed(item) for item in value]
    return value


FORMS = ["canonical", "indented", "reversed", "gzip"]


def _whole(path: Path):
    """What `thidua verify` gave before: the file parsed whole, then verified."""
    try:
        document = core_record.load(path)
    except core_record.Unreadable as error:
        return "unreadable", error.phrase.render()
    findings = verify(document)
    record = core_record.read(document)[0] if not findings else None
    return [finding.render() for finding in findings], record


def _streamed(path: Path):
    try:
        checked = verify_file(path)
    except core_record.Unreadable as error:
        return "unreadable", error.phrase.render()
    return [finding.render() for finding in checked.findings], checked.record


@pytest.mark.parametrize("form", FORMS)
def test_the_genuine_record_is_read_member_by_member_to_the_same_record(tmp_path, form):
    path = _write(tmp_path / "record.json", GENUINE, form)
    record = core_record.read_file(path)
    assert record is not None  # the member-by-member reader took it: no fallback
    assert record == core_record.read(GENUINE)[0]
    assert _streamed(path) == _whole(path) == ([], record)
    assert verify_file(path).name == "cum-1/2020"


def _paths(value, at=()):
    """Every place in a JSON value, as the keys and indices that lead to it."""
    yield at
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*at, index))


FIXTURE = HealthCheck.function_scoped_fixture  # tmp_path: a file rewritten by each example
PLACES = list(_paths(GENUINE))[1:]
ANY_JSON = st.sampled_from(["x", "7.5", "7.50", "", 0, 4, -1, 1.5, True, None, [], {}, ["x"]])


def _changed(place, how, value):
    document = copy.deepcopy(GENUINE)
    *parents, last = place
    holder = document
    for step in parents:
        holder = holder[step]
    if how == "replace":
        holder[last] = value
    elif how == "delete":
        del holder[last]
    elif isinstance(holder, dict):  # a member the format does not have
        holder[f"{last}_extra"] = value
    else:
        holder.insert(last, value)
    return document


@settings(max_examples=60, deadline=None, suppress_health_check=[FIXTURE])
@given(
    place=st.sampled_from(PLACES),
    how=st.sampled_from(["replace", "delete", "add"]),
    value=ANY_JSON,
    form=st.sampled_from(FORMS),
)
def test_any_change_gets_the_same_verdict_read_either_way(tmp_path, place, how, value, form):
    path = _write(tmp_path / "record.json", _changed(place, how, value), form)
    assert _streamed(path) == _whole(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[FIXTURE])
@given(cut=st.integers(min_value=0, max_value=200_000), byte=st.integers(0, 255))
def test_a_damaged_file_gets_the_same_verdict_read_either_way(tmp_path, cut, byte):
    content = core_record.encode(GENUINE)
    cut %= len(content)
    for damaged in (content[:cut], content[:cut] + bytes([byte]) + content[cut + 1 :]):
        path = tmp_path / "record.json"
        path.write_bytes(damaged)
        assert _streamed(path) == _whole(path)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"[]",
        b"{}",
        b"\xef\xbb\xbf{}",  # a byte-order mark
        b'{"version": 4} x',  # something after the object
        b'{"version": 4, "version": 3}',  # a member twice: JSON keeps the last
        b"\x1f\x8b not gzip",
        b"\xff\xfe",
    ],
)
def test_files_that_are_no_record_get_the_same_verdict_read_either_way(tmp_path, content):
    path = tmp_path / "record.json"
    path.write_bytes(content)
    assert core_record.read_file(path) is None
    assert _streamed(path) == _whole(path)


def test_a_member_named_twice_is_read_as_json_reads_it(tmp_path):
    text = core_record.encode(GENUINE)
    # the last `version` counts (as in json.loads): an old version before it changes nothing
    path = tmp_path / "record.json"
    path.write_bytes(b'{"version":3,' + text[1:])
    assert core_record.read_file(path) is None  # read whole instead
    assert _streamed(path) == _whole(path) == ([], core_record.read(GENUINE)[0])


def test_an_older_version_is_refused_in_the_same_words(tmp_path):
    path = _write(tmp_path / "record.json", {**GENUINE, "version": 3}, "canonical")
    findings, record = _streamed(path)
    assert record is None
    assert len(findings) == 1
    assert "phiên bản 3" in findings[0]
    assert (findings, record) == _whole(path)


def test_a_missing_file_or_a_folder_is_refused_in_the_same_words(tmp_path):
    assert _streamed(tmp_path / "none.json") == _whole(tmp_path / "none.json")
    assert _streamed(tmp_path) == _whole(tmp_path)


def _forged_score(document) -> None:
    document["sheets"][0]["scores"]["C0"] = "10"


def _forged_log(document) -> None:
    entry = next(e for e in document["audit"]["entries"] if e["payload"]["after"].get("C0"))
    entry["payload"]["after"]["C0"] = "10"


def _forged_seal(document) -> None:
    document["seal"]["signature"] = "0" * 128


@pytest.mark.parametrize("forge", [_forged_score, _forged_log, _forged_seal])
def test_a_forgery_read_member_by_member_is_named_in_the_same_words(tmp_path, forge):
    document = copy.deepcopy(GENUINE)
    forge(document)
    path = _write(tmp_path / "record.json", document, "canonical")
    assert core_record.read_file(path) is not None  # read member by member, not whole
    findings, record = _streamed(path)
    assert findings
    assert record is None
    assert (findings, record) == _whole(path)


def test_the_record_read_member_by_member_is_held_compact(tmp_path):
    """The chain's entries (`Entries`), the sheets' scores and the standings' points
    (`Compact`) are held compact, and read as the lists and dicts they were read from."""
    path = _write(tmp_path / "record.json", GENUINE, "canonical")
    record, whole = core_record.read_file(path), core_record.read(GENUINE)[0]
    entries, listed = record.audit.entries, whole.audit.entries
    assert isinstance(entries, core_record.Entries)
    assert len(entries) == len(listed) > 100
    assert entries[0] == listed[0]
    assert entries[-1] == listed[-1]
    assert entries[3:7] == listed[3:7]
    assert list(entries) == listed
    assert entries == listed
    assert listed == entries
    assert entries[5].prev_hash is entries[4].hash  # one object for both
    sheets = [e.payload for e in listed if e.payload.action == "scoring.sheet.submit"]
    held = list(entries.payloads(frozenset({"scoring.sheet.submit"})))
    assert held == sheets
    assert all(isinstance(payload.after, core_record.Compact) for payload in held)
    assert all(type(entry.payload.after) is dict for entry in entries)  # made again whole
    scores = record.sheets[0].scores
    assert isinstance(scores, core_record.Compact)
    assert scores == whole.sheets[0].scores
    assert whole.sheets[0].scores == scores
    assert scores.as_dict() == whole.sheets[0].scores
    assert record.sheets[1].scores._index is scores._index  # the keys held once for all
    submitted = {payload.object_id: payload.after for payload in held}  # as submitted last
    pairs = [
        (sheet.scores, submitted[f"{sheet.scorer}->{sheet.target}"])
        for sheet in record.sheets
        if sheet.scores.reads_as(submitted.get(f"{sheet.scorer}->{sheet.target}"))
    ]
    assert len(pairs) > 10
    assert all(scores._codes is logged._codes for scores, logged in pairs)  # held once
    assert isinstance(record.scoring.ranking[0].points, core_record.Compact)
    assert record == whole
    assert core_record.encode(record) == core_record.encode(whole)  # written again: the same


def test_a_compact_object_keeps_each_value_as_read():
    """Values that are equal but not the same (1, true and 1.0; 7.5 and 7.50) are each
    held as read, and objects inside objects too."""
    held = core_record.Compactor()
    value = {
        "a": 1,
        "b": True,
        "c": 1.0,
        "d": Decimal("7.5"),
        "e": Decimal("7.50"),
        "f": None,
        "g": {"h": "x", "i": [1, {"j": 2}]},
        "k": "x",
        "l": {},
    }
    found = held.compact(value, share=False)
    assert isinstance(found, core_record.Compact)
    assert isinstance(found["g"], core_record.Compact)
    again = found.as_dict()
    assert again == value
    assert [type(item) for item in again.values()] == [type(item) for item in value.values()]
    assert str(again["e"]) == "7.50"
    assert str(again["d"]) == "7.5"
    assert type(again["g"]) is dict
    assert again["g"]["i"] is value["g"]["i"]
    assert found.get("zz") is None
    assert "a" in found
    assert "zz" not in found
    assert len(found) == len(value)
    assert list(found) == list(value)
    assert repr(found) == repr(value)
    other = held.compact(
        {"a": 2, "b": False, "c": 1.0, "d": 0, "e": 0, "f": 0, "g": 0, "k": 0, "l": 0}
    )
    assert other._index is found._index  # the same keys in the same order: held once
    assert other["a"] == 2
    assert found["a"] == 1


def test_verifying_a_file_holds_about_twice_its_size(tmp_path):
    """What reading and verifying the file allocates at its peak (the benchmark judges it at
    the national volume; a record read whole took 4,5× its size): a bound that fails if a
    member is read whole again or the chain held as objects."""
    path = _write(tmp_path / "record.json", GENUINE, "canonical")
    verify_file(path)  # the readers and caches built, as in a process that verified before
    tracemalloc.start()
    try:
        assert not verify_file(path).findings
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2.2 * path.stat().st_size


def test_a_compact_object_past_65535_values_read_held_as_read():
    held = core_record.Compactor()
    many = [held.compact({"n": str(n), "m": n}) for n in range(40_000)]
    assert many[0]._codes.typecode == "H"
    assert many[-1]._codes.typecode == "I"
    assert many[-1].as_dict() == {"n": "39999", "m": 39_999}
    assert many[12_345]["n"] == "12345"


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["a", "b", "7.5", "7.50"]),
    lambda inner: st.dictionaries(st.sampled_from(["x", "y", "z"]), inner, max_size=3),
    max_leaves=8,
)


@given(
    st.dictionaries(st.sampled_from(["x", "y", "z"]), _JSON_VALUES, max_size=3),
    st.dictionaries(st.sampled_from(["x", "y", "z"]), _JSON_VALUES, max_size=3),
)
def test_compact_objects_compare_and_list_their_items_as_the_dicts_read(one, other):
    """`Compact`'s own equality and items (no look-up per key) agree with the dicts'."""
    held = core_record.Compactor()
    first, second = held.compact(one), held.compact(other)
    as_read = held.compact(dict(one))  # the same keys and values read again
    assert (first == second) == (one == other)
    assert (first == other) == (one == other) == (other == first)
    assert first == as_read
    assert list(first.items()) == list(zip(first.keys(), first.values(), strict=True))
    assert (first == 5) is False


def test_a_table_of_numbers_is_read_from_its_texts_as_typed_reads_it():
    """`Compactor.decimals` (a sheet's scores as `thidua verify` reads them): the same
    numbers as `typed` reads, each text read once; anything `typed` refuses gives None."""
    held = core_record.Compactor()
    texts = {"a": "7.5", "b": "7.50", "c": "-2", "d": "7.5"}
    found = held.decimals(texts)
    as_typed, faults = typed.read(dict[str, Decimal], texts)
    assert not faults
    assert found == as_typed
    assert [str(value) for value in found.values()] == ["7.5", "7.50", "-2", "7.5"]
    assert found["a"] is found["d"]  # one text, one number
    assert held.decimals({}) == {}
    for broken in ({"a": 7.5}, {"a": "7,5"}, {"a": None}, {"a": ["7.5"]}, {"a": True}, []):
        assert held.decimals(broken) is None
        assert typed.read(dict[str, Decimal], broken)[1]  # `typed` refuses it too


def test_numbers_read_from_the_logs_very_texts_are_found_the_same_at_once():
    """`Compact.reads_as`: a sheet's scores and the log's copy of their texts, read into one
    table, agree at once; a text changed, a key changed or texts not read so do not."""
    held = core_record.Compactor()
    logged = held.compact({"a": "7.5", "b": "8"})
    scores = held.decimals({"a": "7.5", "b": "8"})
    assert scores.reads_as(logged)
    assert scores._codes is logged._codes  # their places held once for both
    assert not scores.reads_as(held.compact({"a": "7.5", "b": "8.0"}))  # equal, not as read
    assert not scores.reads_as(held.compact({"b": "8", "a": "7.5"}))
    assert not scores.reads_as({"a": "7.5", "b": "8"})  # not held as read
    assert not scores.reads_as(core_record.Compactor().compact({"a": "7.5", "b": "8"}))
    assert not held.compact({"a": "7.5", "b": "8"}).reads_as(logged)  # texts, not numbers


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("form", ["canonical", "gzip"])
def test_a_value_json_has_not_is_refused_read_either_way(tmp_path, constant, form):
    """Python's reader takes NaN and Infinity; JSON has neither, so another verifier could not
    read such a file (and an entry's hash would cover them as Python writes them). Put in an
    audit entry's `after`, it is refused as a file that is not JSON, the same either way."""
    text = core_record.encode(GENUINE).decode()
    marker = '"after":{'
    assert marker in text
    text = text.replace(marker, f'"after":{{"x":{constant},', 1)
    path = tmp_path / "record.json"
    path.write_bytes(gzip.compress(text.encode()) if form == "gzip" else text.encode())
    assert core_record.read_file(path) is None
    verdict = _streamed(path)
    assert verdict == _whole(path)
    assert verdict == (
        "unreadable",
        f"tệp có giá trị {constant}, không phải giá trị JSON: không bản ghi nào được viết như vậy.",
    )
