"""What a merger during the year leaves to the rest of the cycle (the demo's Cụm II 2025,
signed by seven units, held by fewer after 1 July 2025), over HTTP."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from thidua.core.policy import TOKEN_SCOPES
from thidua.org import services as org_services

pytestmark = pytest.mark.django_db

H1_TABLE = "/clusters/cum-2/2025/stats/?period=H1"


@pytest.fixture
def api_as(get_user):
    def make(username: str) -> Client:
        _token, key = org_services.create_api_token(
            actor=get_user(username), name="test", scopes=TOKEN_SCOPES
        )
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


def test_the_first_half_shows_the_merged_units_report_on_the_new_units_row(
    year_2025, client_for, api_as
):
    """Hà Giang submitted its H1 2025 report on 30 June and merged into Tuyên Quang on
    1 July: the H1 table shows it on the new unit's row, named as Hà Giang's, and counts it."""
    page = client_for("caobang.thuky").get(H1_TABLE).content.decode()
    assert "số liệu kỳ này là của đơn vị trước sáp nhập: Hà Giang" in page
    table = api_as("caobang.thuky").get("/api/cycles/cum-2/2025/stats?period=H1").json()
    rows = {row["unit"]: row for row in table["rows"]}
    assert "ha-giang" not in rows  # not a member any more
    row = rows["tuyen-quang-2025"]
    assert row["predecessors"] == ["Hà Giang"]
    assert row["status"] == "submitted"
    assert row["cells"]["social_order_cases"]["value"] == "181"
    # the only H1 report of the cycle: the cluster's H1 total is Hà Giang's
    assert table["total"]["cells"]["social_order_cases"]["value"] == "181"
    # the new Lào Cai (Lào Cai + Yên Bái) has no H1 report: nothing is invented for it
    assert rows["lao-cai-2025"]["predecessors"] == []
    assert rows["lao-cai-2025"]["status"] is None
    xlsx = client_for("caobang.thuky").get("/clusters/cum-2/2025/stats/export.xlsx?period=H1")
    notes = load_workbook(io.BytesIO(xlsx.content))["Cảnh báo"]
    lines = [notes.cell(row, 2).value for row in range(1, notes.max_row + 1)]
    assert "Số liệu kỳ này là của đơn vị trước sáp nhập: Hà Giang." in lines
    # the whole year is the new unit's own: its draft, moved by the merger, no predecessor
    year = api_as("caobang.thuky").get("/api/cycles/cum-2/2025/stats").json()
    assert {row["unit"]: row["predecessors"] for row in year["rows"]}["tuyen-quang-2025"] == []
