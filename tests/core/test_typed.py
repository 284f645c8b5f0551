"""Frozen dataclasses as JSON (thidua.core.typed): read with every fault named by its path,
written back unchanged, described as JSON Schema."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.core import record as core_record
from thidua.core import typed
from thidua.core.typed import Check, doc


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


Code = Annotated[str, Check(min_length=1)]


@dataclass(frozen=True, kw_only=True)
class Leaf:
    """A small object."""

    code: Code = doc("its code")
    amount: Decimal
    when: date | None


@dataclass(frozen=True, kw_only=True)
class Tree:
    """Every supported annotation once."""

    name: str
    count: Annotated[int, Check(minimum=0, maximum=10)]
    flag: bool
    colour: Colour
    mode: Literal["a", "b"]
    at: datetime
    leaves: Annotated[list[Leaf], Check(unique=True)]
    by_code: dict[str, Decimal | None]
    row: tuple[Code, Decimal | None]
    anything: Any
    hash: Annotated[str, Check(pattern=r"^[0-9a-f]{4}$")]
    note: str | None = doc("optional", default=None)


GOOD = {
    "name": "cây",
    "count": 3,
    "flag": True,
    "colour": "red",
    "mode": "b",
    "at": "2020-11-16T09:30:00+00:00",
    "leaves": [{"code": "son-la", "amount": "94.57", "when": "2020-12-31"}],
    "by_code": {"x": "1.50", "y": None},
    "row": ["I.1", None],
    "anything": {"free": [1, "two"]},
    "hash": "00af",
}


def test_a_good_document_reads_into_types_and_writes_back_unchanged():
    tree, faults = typed.read(Tree, GOOD)
    assert faults == []
    assert tree.colour is Colour.RED
    assert tree.leaves[0].amount == Decimal("94.57")
    assert tree.leaves[0].when == date(2020, 12, 31)
    assert tree.at == datetime(2020, 11, 16, 9, 30, tzinfo=UTC)
    assert tree.row == ("I.1", None)
    assert tree.note is None  # absent, with a default
    assert typed.write(tree) == {**GOOD, "note": None}


@pytest.mark.parametrize(
    ("change", "where", "says"),
    [
        (lambda d: d.pop("name"), "name", "thiếu mục này"),
        (lambda d: d.update(extra=1), "extra", "không có trong định dạng"),
        (lambda d: d.update(count="3"), "count", "số nguyên"),
        (lambda d: d.update(count=True), "count", "số nguyên"),
        (lambda d: d.update(count=11), "count", "không quá 10"),
        (lambda d: d.update(count=-1), "count", "từ 0 trở lên"),
        (lambda d: d.update(flag=1), "flag", "true hoặc false"),
        (lambda d: d.update(colour="green"), "colour", "red, blue"),
        (lambda d: d.update(mode="c"), "mode", "a, b"),
        (lambda d: d.update(at="2020-11-16T09:30:00"), "at", "múi giờ"),
        (lambda d: d.update(at="2020-11-16T09:30:00Z"), "at", "múi giờ"),
        (lambda d: d["leaves"][0].update(amount=94.57), "leaves[0].amount", "số thập phân"),
        (lambda d: d["leaves"][0].update(amount="9,5"), "leaves[0].amount", "số thập phân"),
        (lambda d: d["leaves"][0].update(code=""), "leaves[0].code", "không được để trống"),
        (lambda d: d["leaves"][0].update(when="2020-02-30"), "leaves[0].when", "YYYY-MM-DD"),
        (lambda d: d["leaves"].append(dict(d["leaves"][0])), "leaves", "lặp lại"),
        (lambda d: d["by_code"].update(z=1), "by_code[z]", "số thập phân"),
        (lambda d: d.update(row=["I.1"]), "row", "2 phần tử"),
        (lambda d: d.update(hash="00AF"), "hash", "không đúng dạng"),
        (lambda d: d.update(leaves={}), "leaves", "danh sách"),
        (lambda d: d.update(by_code=[]), "by_code", "đối tượng"),
    ],
)
def test_each_fault_is_named_by_its_path_and_nothing_is_read(change, where, says):
    document = json.loads(json.dumps(GOOD))
    change(document)
    tree, faults = typed.read(Tree, document)
    assert tree is None
    assert [fault.where for fault in faults] == [where]
    assert says in faults[0].message.render()


def test_every_fault_is_reported_at_once():
    document = json.loads(json.dumps(GOOD))
    document.update(count=-1, flag="yes")
    document["leaves"][0]["code"] = 7
    _tree, faults = typed.read(Tree, document)
    assert {fault.where for fault in faults} == {"count", "flag", "leaves[0].code"}


def test_not_an_object_at_all():
    assert typed.read(Tree, [1, 2])[1][0].where == "$"


# JSON values of every kind, nested: whatever a file holds, reading never raises.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(key=st.sampled_from(sorted(GOOD)), value=JSON)
def test_any_value_in_any_field_is_read_or_named_never_raised(key, value):
    document = {**json.loads(json.dumps(GOOD)), key: value}
    tree, faults = typed.read(Tree, document)
    assert (tree is None) == bool(faults)
    assert all(fault.where.startswith(key) for fault in faults)
    if tree is not None:
        assert typed.write(tree) == {"note": None, **document}


# Texts near a decimal, a date, a moment: what the fast reader's shortcuts could get wrong.
NEAR = st.sampled_from(
    [
        *("1.50", "1.5", "-0", "1E5", "1e5", "NaN", "Infinity", " 1", "1_0", "94.57"),
        *("2020-12-31", "2020-02-30", "2020-11-16T09:30:00+00:00", "2020-11-16T09:30:00Z"),
        *("red", "a", ""),
    ]
)


def _both(kind, document):
    """What the reader that names faults and the fast reader make of `document` (BAD: not
    read)."""
    faults = []
    named = typed._reader(kind)(document, "", faults)
    try:
        fast = typed._fast(kind)(document)
    except typed._Invalid:
        fast = typed.BAD
    return (typed.BAD if faults else named), fast


@given(
    key=st.sampled_from(sorted(GOOD)),
    value=JSON | NEAR,
    leaf_key=st.sampled_from(["code", "amount", "when", "other"]),
    leaf_value=JSON | NEAR,
    inner=st.booleans(),
)
def test_the_fast_reader_reads_exactly_what_the_naming_reader_reads(
    key, value, leaf_key, leaf_value, inner
):
    document = json.loads(json.dumps(GOOD))
    if inner:
        document["leaves"][0][leaf_key] = leaf_value
        document["by_code"][leaf_key] = leaf_value
    else:
        document[key] = value
    named, fast = _both(Tree, document)
    assert (named is typed.BAD) == (fast is typed.BAD)
    assert fast == named
    assert typed.read(Tree, document)[0] == (None if named is typed.BAD else named)


@dataclass(frozen=True, slots=True, kw_only=True)
class SlottedLeaf:
    """`Leaf` with slots (as the record's types): the fast reader sets its slots itself."""

    code: Code = doc("its code")
    amount: Decimal
    when: date | None = None


@given(key=st.sampled_from(["code", "amount", "when", "other"]), value=JSON | NEAR)
def test_an_object_with_slots_reads_as_its_constructor_makes_it(key, value):
    document = {"code": "son-la", "amount": "94.57", key: value}
    named, fast = _both(SlottedLeaf, document)
    assert (named is typed.BAD) == (fast is typed.BAD)
    assert fast == named
    if fast is not typed.BAD:
        assert fast == SlottedLeaf(code=fast.code, amount=fast.amount, when=fast.when)
        assert hash(fast) == hash(named)


@given(
    code=st.text(min_size=1, max_size=10),
    amount=st.decimals(allow_nan=False, allow_infinity=False, places=4),
    when=st.none() | st.dates(),
)
def test_what_is_written_reads_back_equal(code, amount, when):
    leaf = Leaf(code=code, amount=amount, when=when)
    again, faults = typed.read(Leaf, json.loads(json.dumps(typed.write(leaf))))
    assert faults == []
    assert again == leaf


def test_the_schema_accepts_what_reads_and_refuses_what_does_not():
    schema = typed.json_schema(Tree, title="t")
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(GOOD, schema)
    assert schema["properties"]["leaves"]["uniqueItems"] is True
    assert schema["$defs"]["Leaf"]["properties"]["code"]["description"] == "its code"
    assert "note" not in schema["required"]
    for change in ({"count": 11}, {"colour": "green"}, {"extra": 1}, {"row": ["I.1"]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**GOOD, **change}, schema)


def test_the_table_of_fields_names_each_field_with_its_type_and_meaning():
    table = typed.field_table(Tree)
    assert "### `Tree`" in table
    assert "### `Leaf`" in table
    assert "| `code` | text, not empty | its code |" in table
    assert '| `colour` | `"red"` \\| `"blue"` |' in table
    assert "| `note` | text or null (may be absent) | optional |" in table
    assert "list of [`Leaf`](#leaf) (no repeats)" in table


def test_replace_is_dataclasses_replace_for_objects_read_by_their_slots():
    """`typed.replace` (how `read_file` puts a sheet's compact scores in) makes what
    `dataclasses.replace` makes, and refuses what it refuses."""
    sheet = core_record.Sheet(
        scorer="a", target="b", kind="peer", status="submitted", scores={"C1": Decimal("1")}
    )
    changed = typed.replace(sheet, scores={"C1": Decimal("2")}, excuse="x")
    assert changed == dataclasses.replace(sheet, scores={"C1": Decimal("2")}, excuse="x")
    assert changed is not sheet
    assert sheet.scores == {"C1": Decimal("1")}  # the original untouched
    assert typed.replace(sheet) == sheet
    with pytest.raises(TypeError):
        typed.replace(sheet, nonsense=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        changed.excuse = "y"  # still frozen
