"""The demo reproduces the figures published for Cụm II in 2020, and flags the 88,7%."""

import pytest
from django.utils import translation

from thidua.core.indicators import Period
from thidua.stats.selectors import cluster_table

pytestmark = pytest.mark.django_db


def cell(row, code):
    return next(cell for cell in row.cells if cell.indicator.code == code)


@pytest.fixture
def table(cycle):
    return cluster_table(cycle("cum-2", 2020), Period.YEAR)


def test_cluster_totals(table):
    assert cell(table.total, "social_order_cases").value == 2156
    assert cell(table.total, "social_order_offenders").value == 3066
    assert cell(table.total, "social_order_solved").value == 1681
    assert cell(table.total, "serious_cases").value == 345
    assert cell(table.total, "serious_solved").value == 340
    serious_rate = cell(table.total, "serious_clearance_rate").value
    assert f"{serious_rate:.1f}" == "98.6"


def test_falls_per_province(table):
    phrases = {
        row.unit.short_name: cell(row, "social_order_cases").change.phrase().render()
        for row in table.rows
    }
    assert phrases["Hà Giang"] == "giảm 19,6%"
    assert phrases["Sơn La"] == "giảm 26,0%"
    assert phrases["Cao Bằng"] == "giảm 16,5%"
    assert phrases["Lai Châu"] == "giảm 12,7%"
    assert phrases["Lạng Sơn"] == "giảm 5,3%"
    assert phrases["Lào Cai"] == "giảm 5,0%"


def test_published_clearance_rate_is_flagged(table):
    assert [m.indicator.code for m in table.published_mismatches] == ["clearance_rate"]
    mismatch = table.published_mismatches[0]
    text = mismatch.phrase().render()
    assert "88,7%" in text
    assert "1.681/2.156 = 78,0%" in text
    with translation.override("en"):
        english = mismatch.phrase().render(translation.gettext)
    assert "is reported as 88,7% but its figures give 1.681/2.156 = 78,0%" in english


def test_every_member_reported_and_no_unit_has_errors(table):
    assert table.missing_reports == []
    assert all(row.problems == [] for row in table.rows)
    assert all(row.report.status == "submitted" for row in table.rows)
    # each unit's figures say they are split from the cluster's published totals
    assert all("Chia theo đơn vị" in row.report.source for row in table.rows)
