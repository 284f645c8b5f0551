"""Eligibility over the register: the demo's live year 2021 reads Cụm II's 2017–2020 lines
(one query for all units), its page shows each unit's verdict with the reason, and a rule set
whose eligibility rules cannot be read is refused where it is typed."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thidua.core.eligibility import Status
from thidua.org import selectors
from thidua.org.models import RuleSet

pytestmark = pytest.mark.django_db


def _verdicts(cycle) -> dict[tuple[str, str], object]:
    return {(r.unit.code, r.title): r for r in selectors.eligibility_table(cycle("cum-2", 2021))}


def test_2021_reads_the_2017_2020_register(cycle):
    rows = _verdicts(cycle)
    flag = "Cờ thi đua của Chính phủ"
    # Hà Giang holds the 2020 Government flag (the demo's illustrative decision)
    hg = rows["ha-giang", flag]
    assert hg.verdict.status == Status.NOT_ELIGIBLE
    assert [r.render() for r in hg.verdict.reasons] == [
        "Đã được tặng “Cờ thi đua của Chính phủ” năm 2020 "
        "(không được trong 3 năm: 2018, 2019, 2020)."
    ]
    assert (2020, flag, "Được tặng") in hg.history
    # 2019 is not in the register: unknown, never "not awarded"
    for unit in ("lang-son", "cao-bang", "lao-cai"):
        found = rows[unit, flag]
        assert found.verdict.status == Status.UNKNOWN, unit
        assert "sổ chưa có dữ liệu năm 2019" in found.verdict.reasons[0].render()
    # Sơn La's 2018 proposal has no decision in our sources: unknown, and said so
    sl = rows["son-la", flag].verdict.reasons[0].render()
    assert "năm 2018 được đề nghị “Cờ thi đua của Chính phủ”, chưa có quyết định" in sl
    # one flag a year: nobody is proposed for a flag in 2021 yet
    assert rows["ha-giang", "Cờ thi đua của Bộ Công an"].verdict.status == Status.ELIGIBLE


def test_the_table_reads_the_register_in_one_query(cycle):
    current = cycle("cum-2", 2021)
    members = selectors.member_units(current)
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.eligibility_table(current, members)
    assert len(rows) == 2 * len(members) == 14
    assert len(queries) <= 2  # the cycle's rule set and the register's lines
    again = cycle("cum-2", 2021)
    with CaptureQueriesContext(connection) as fewer:
        selectors.eligibility_table(again, members[:2])
    assert len(fewer) == len(queries)  # not one query per unit


def test_the_2021_page_shows_eligibility_and_its_reasons(client_for):
    page = client_for("laocai.thuky").get("/clusters/cum-2/2021/").content.decode()
    assert "Điều kiện đề nghị danh hiệu năm 2021" in page
    assert "Không đủ điều kiện" in page
    assert "Chưa xác định" in page
    assert "sổ chưa có dữ liệu năm 2019" in page
    assert "(quy định riêng của cụm)" in page
    assert "2017: Cờ thi đua của Chính phủ (đề nghị)" in page


def test_unreadable_eligibility_rules_are_refused_with_the_rule_and_field():
    rule_set = RuleSet(
        code="thu",
        version=1,
        name="Thử",
        effective_from=date(2030, 1, 1),
        data={"eligibility": {"rules": [{"code": "x", "title": "t", "kind": "rank"}]}},
    )
    with pytest.raises(ValidationError) as caught:
        rule_set.clean()
    text = str(caught.value)
    assert "Quy tắc xét điều kiện “x”, trường “at_most”" in text
    assert "trường “source”" in text


def test_units_share_a_verdict_only_when_every_fact_agrees():
    """`verdict_key`: two units' verdicts are shared only when all the facts `evaluate`
    reads agree (each field of `Facts`, the history as its register lines)."""
    from dataclasses import fields, replace

    from thidua.core.eligibility import Facts

    facts = Facts(2021, {2020: {"co_bo": "awarded"}}, frozenset({2019, 2020}), 2)
    key = selectors.verdict_key("co_bo", facts)
    same = Facts(2021, {2020: {"co_bo": "awarded"}}, frozenset({2019, 2020}), 2)
    assert key == selectors.verdict_key("co_bo", same)  # equal facts, other objects
    assert key != selectors.verdict_key("co_cp", facts)
    changed = {
        "year": 2022,
        "history": {2020: {"co_bo": "proposed"}},
        "known_years": frozenset({2020}),
        "rank": 3,
    }
    assert set(changed) == {item.name for item in fields(Facts)}  # every field tried
    for name, value in changed.items():
        assert selectors.verdict_key("co_bo", replace(facts, **{name: value})) != key, name


def test_the_register_lines_are_the_history_newest_year_first():
    from thidua.core.eligibility import Facts

    facts = Facts(2021, {2019: {"co_cp": "proposed", "co_bo": "awarded"}, 2020: {"co_bo": "none"}})
    assert facts.lines() == (
        (2020, "co_bo", "none"),
        (2019, "co_bo", "awarded"),
        (2019, "co_cp", "proposed"),
    )
