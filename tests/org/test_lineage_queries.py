"""Lineage queries on the demo data: the 2025 reorganisation of provinces."""

from datetime import date

import pytest

from thidua.org import selectors

pytestmark = pytest.mark.django_db


def test_demo_holds_the_whole_2025_reorganisation():
    lineage = selectors.lineage()
    alive_2024 = [code for code, span in lineage.units.items() if span.valid_on(date(2024, 12, 31))]
    alive_2026 = [code for code, span in lineage.units.items() if span.valid_on(date(2026, 1, 1))]
    assert len(alive_2024) == 63
    assert len(alive_2026) == 34


def test_merged_units_stand_for_their_predecessors():
    lineage = selectors.lineage()
    assert lineage.stands_for("tuyen-quang-2025", 2020).units == {"ha-giang", "tuyen-quang"}
    assert lineage.stands_for("lao-cai-2025", 2020).units == {"yen-bai", "lao-cai"}
    assert lineage.stands_for("ho-chi-minh-2025", 2024).units == {
        "ba-ria-vung-tau",
        "binh-duong",
        "ho-chi-minh",
    }
    assert lineage.stands_for("lao-cai-2025", 2026).units == {"lao-cai-2025"}
    assert lineage.stands_for("son-la", 2026).units == {"son-la"}


def test_predecessor_set_before_the_merger_date():
    lineage = selectors.lineage()
    assert lineage.predecessors_before("tuyen-quang-2025", date(2025, 7, 1)).units == {
        "ha-giang",
        "tuyen-quang",
    }


def test_hue_became_a_city_before_the_merger():
    lineage = selectors.lineage()
    assert lineage.stands_for("hue", 2020).units == {"thua-thien-hue"}
    assert lineage.stands_for("hue", 2025).units == {"hue"}


def test_unit_page_data_shows_where_a_unit_went(units):
    info = selectors.unit_lineage(units["ha-giang"])
    assert info.ended_by.effective_date == date(2025, 7, 1)
    assert [unit.code for unit in info.successors] == ["tuyen-quang-2025"]
    assert {f"{cycle.cluster.code}/{cycle.year}" for cycle in info.cycles} == {
        "cum-2/2020",
        "cum-2/2021",
    }
    created = selectors.unit_lineage(units["tuyen-quang-2025"])
    assert {unit.code for unit in created.predecessors} == {"ha-giang", "tuyen-quang"}
