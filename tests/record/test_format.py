"""The record's format is written once (thidua.core.record): export builds it, verify and
import read it, and the JSON Schema and the field tables of docs/record.md follow from it."""

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from thidua.core import record as core_record
from thidua.core.verify import verify
from thidua.record import docs
from thidua.record.export import export

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).parents[2] / "docs"


def test_the_schema_and_the_field_tables_are_generated_from_the_types():
    """A field changed in thidua.core.record without `python -m thidua.record.docs` fails."""
    assert (DOCS / "record.schema.json").read_text() == docs.schema_text()
    current = (DOCS / "record.md").read_text()
    assert current == docs.record_md(current)
    assert docs.main(["--check"]) == 0


def test_the_docs_list_every_act_a_checkpoint_must_follow():
    """An outsider's verifier demands a checkpoint after exactly these actions."""
    import re

    from thidua.core.record import CHECKPOINTED

    text = (DOCS / "record.md").read_text()
    listed = re.search(r"<!-- checkpointed -->(.*?)<!-- /checkpointed -->", text, re.DOTALL)[1]
    assert re.findall(r"`([a-z._]+)`", listed) == sorted(CHECKPOINTED)


def test_a_changed_type_makes_the_docs_stale(monkeypatch):
    monkeypatch.setattr(core_record, "VERSION", 99)
    assert docs.main(["--check"]) == 1


def test_every_demo_record_reads_back_into_the_same_bytes(cycle):
    schema = json.loads((DOCS / "record.schema.json").read_text())
    for cluster, year in (("cum-1", 2020), ("cum-2", 2020), ("cum-2", 2021)):
        record = export(cycle(cluster, year))
        content = core_record.encode(record)
        document = json.loads(content)
        jsonschema.validate(document, schema)
        again, faults = core_record.read(document)
        assert faults == []
        assert again == record
        assert core_record.encode(again) == content


def test_a_field_of_the_wrong_type_deep_in_the_record_is_named_by_its_path(cycle):
    document = core_record.to_json(export(cycle("cum-2", 2020)))
    changed = copy.deepcopy(document)
    changed["sheets"][3]["scores"]["I.1"] = 4.5  # a float: not exact
    changed["polls"][0]["electorate"] = -1
    changed["units"][0]["head"] = "?"  # unknown field
    del changed["cycle"]["note"]
    assert sorted(f.render() for f in verify(changed)) == [
        "cycle.note: thiếu mục này.",
        "polls[0].electorate: phải từ 0 trở lên.",
        "sheets[3].scores[I.1]: cần một số thập phân viết thành chuỗi (“94.57”).",
        "units[0].head: mục không có trong định dạng.",
    ]


def test_records_before_the_conference_times_still_read(cycle):
    """`starts_at` and `ends_at` came in 2026-12: a record without them reads as unknown."""
    document = core_record.to_json(export(cycle("cum-2", 2020)))
    del document["conference"]["starts_at"], document["conference"]["ends_at"]
    record, faults = core_record.read(document)
    assert faults == []
    assert record.conference.starts_at is None


def test_records_before_the_units_highlights_still_read(cycle):
    """`highlights` came with the year-end report quoting them: a report without them reads
    as a unit that wrote none."""
    document = core_record.to_json(export(cycle("cum-2", 2020)))
    written = [report for report in document["reports"] if report.get("highlights")]
    assert len(written) == 7  # the demo's units each wrote theirs in 2020
    for report in document["reports"]:
        report.pop("highlights", None)
    record, faults = core_record.read(document)
    assert faults == []
    assert {report.highlights for report in record.reports} == {""}
