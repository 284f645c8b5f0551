"""The statistics API: same rules as the pages."""

import pytest

from thidua.stats.models import Report

pytestmark = pytest.mark.django_db


def test_cluster_table(api_as):
    data = api_as("quansat").get("/api/cycles/cum-2/2020/stats").json()
    assert data["total"]["cells"]["social_order_cases"]["value"] == "2156"
    assert data["total"]["cells"]["serious_clearance_rate"]["value"].startswith("98.55")
    hagiang = next(row for row in data["rows"] if row["unit"] == "ha-giang")
    assert hagiang["cells"]["social_order_cases"]["change"] == "giảm 19,6%"
    assert "1.681/2.156 = 78,0%" in data["published_mismatches"][0]
    assert api_as("hanoi.canbo").get("/api/cycles/cum-2/2020/stats").status_code == 403


def test_catalog(api_as):
    catalog = {item["code"]: item for item in api_as("sonla.canbo").get("/api/indicators").json()}
    assert catalog["clearance_rate"]["numerator"] == "social_order_solved"
    assert catalog["clearance_rate"]["denominator"] == "social_order_cases"
    assert len(catalog) >= 20


def test_put_report_numbers_and_vietnamese_text(api_as, reporting_cycle):
    response = api_as("sonla.canbo").put(
        "/api/cycles/cum-2/2021/reports/son-la",
        {
            "figures": {
                "social_order_cases": 1200,
                "social_order_solved": "950",
                "drug_heroin_kg": 2.5,
                "fire_damage": "1.250,5",
            }
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["figures"] == {
        "social_order_cases": "1200",
        "social_order_solved": "950",
        "drug_heroin_kg": "2.5",
        "fire_damage": "1250.5",
    }
    assert response.json()["status"] == "draft"


def test_put_report_refusals(api_as, reporting_cycle):
    bad = api_as("sonla.canbo").put(
        "/api/cycles/cum-2/2021/reports/son-la",
        {"figures": {"social_order_cases": "1.5", "serious_cases": 2.5, "nope": 1}},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert {(e["code"], e["field"]) for e in bad.json()["errors"]} == {
        ("ambiguous_number", "social_order_cases"),
        ("unknown_indicator", "nope"),
        ("not_whole", "serious_cases"),
    }
    other = api_as("laichau.canbo").put(
        "/api/cycles/cum-2/2021/reports/son-la",
        {"figures": {"social_order_cases": 1}},
        content_type="application/json",
    )
    assert other.status_code == 403
    closed = api_as("sonla.canbo").put(
        "/api/cycles/cum-2/2020/reports/son-la",
        {"figures": {"social_order_cases": 1}},
        content_type="application/json",
    )
    assert closed.status_code == 409
    assert not Report.objects.filter(unit__code="son-la", year=2021).exists()


def test_submit_and_return(api_as, reporting_cycle):
    api_as("sonla.canbo").put(
        "/api/cycles/cum-2/2021/reports/son-la",
        {"figures": {"social_order_cases": 10}, "submit": True},
        content_type="application/json",
    )
    refused = api_as("sonla.thuky").post(
        "/api/cycles/cum-2/2021/reports/son-la/return",
        {"reason": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    done = api_as("laocai.thuky").post(
        "/api/cycles/cum-2/2021/reports/son-la/return",
        {"reason": "Thiếu số liệu ma tuý"},
        content_type="application/json",
    )
    assert done.json()["status"] == "returned"
    assert done.json()["returned_reason"] == "Thiếu số liệu ma tuý"


def test_put_report_submits_a_jump_only_with_a_note(api_as, reporting_cycle):
    """Sơn La had 518 cases in 2020: 1.100 is +112,4 % (the catalog warns from +100 % and
    +10), so submitting it needs a note, which the report then carries."""
    url, client = "/api/cycles/cum-2/2021/reports/son-la", api_as("sonla.canbo")
    payload = {"figures": {"social_order_cases": 1100}, "submit": True}
    refused = client.put(url, payload, content_type="application/json")
    assert refused.status_code == 400
    assert [(e["code"], e["field"]) for e in refused.json()["errors"]] == [
        ("plausibility_note_required", "note_social_order_cases")
    ]
    assert not Report.objects.filter(unit__code="son-la", year=2021).exists()
    notes = {"social_order_cases": "Tính cả các vụ trước đây xử lý hành chính"}
    accepted = client.put(url, {**payload, "notes": notes}, content_type="application/json")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "submitted"
    assert accepted.json()["notes"] == notes
    table = api_as("laocai.thuky").get("/api/cycles/cum-2/2021/stats").json()
    sonla = next(row for row in table["rows"] if row["unit"] == "son-la")
    assert sonla["cells"]["social_order_cases"]["note"] == notes["social_order_cases"]
    assert sonla["cells"]["social_order_cases"]["implausible"].startswith(
        "Số vụ phạm tội về trật tự xã hội tăng 112,4%"
    )
