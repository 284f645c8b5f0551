"""`verify_file` reads a record member by member (`core_record.read_file`) instead of parsing
the whole file: it must give exactly what `verify(core_record.load(path))` gives — the same
findings, in the same words and order, the same record, the same refusal of a file that is
no record — for the genuine record and for any change to it."""

import copy
import gzip
import json
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey

from thidua.core import record as core_record
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
    else:
        path.write_bytes(gzip.compress(core_record.encode(document)))
    return path


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


@pytest.mark.parametrize("form", ["canonical", "indented", "gzip"])
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
    form=st.sampled_from(["canonical", "indented", "gzip"]),
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
