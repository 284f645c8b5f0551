"""The scoring API follows the same rules as the pages."""

import pytest

from thidua.scoring.demo import TABLE

pytestmark = pytest.mark.django_db


def test_agreement_and_results(api_as):
    agreement = api_as("sonla.canbo").get("/api/cycles/cum-2/2020/agreement").json()
    assert agreement["signed"] is True
    assert agreement["targets"]["son-la"]["II.1"] == "75"
    # every member's director confirmed this very content before it was signed
    assert len(agreement["digest"]) == 64
    assert len(agreement["confirmations"]) == 7
    for row in agreement["confirmations"]:
        assert (row["state"], row["digest"], row["reason"]) == (
            "confirmed",
            agreement["digest"],
            None,
        ), row
        assert row["confirmed_at"].startswith("2020-")
    results = api_as("quansat").get("/api/cycles/cum-2/2020/results").json()
    assert (results["submitted"], results["expected"]) == (49, 49)
    assert results["ranking"][0]["unit"] == "ha-giang"
    assert results["ranking"][0]["rank"] == 1
    assert api_as("hanoi.canbo").get("/api/cycles/cum-2/2020/results").status_code == 403


def test_sheets_over_the_api(api_as, scoring_2021):
    scores = {spec.code: 5 for spec in TABLE if spec.kind == "peer"}
    url = "/api/cycles/cum-2/2021/sheets/son-la/lai-chau"
    saved = api_as("sonla.canbo").put(url, {"scores": scores}, content_type="application/json")
    assert saved.status_code == 200
    assert saved.json()["status"] == "draft"
    assert api_as("laichau.canbo").get(url).status_code == 403  # a draft is private
    assert (
        api_as("laichau.canbo")
        .put(url, {"scores": scores}, content_type="application/json")
        .status_code
        == 403
    )
    own_as_peer = api_as("sonla.canbo").put(
        "/api/cycles/cum-2/2021/sheets/lai-chau/son-la",
        {"scores": scores},
        content_type="application/json",
    )
    assert own_as_peer.status_code == 403
    bad = api_as("sonla.canbo").put(
        url, {"scores": {**scores, "I.1": 6.1}}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["code"] == "score_out_of_range"
    submitted = api_as("sonla.canbo").put(
        url, {"scores": scores, "submit": True}, content_type="application/json"
    )
    assert submitted.json()["status"] == "submitted"
    assert api_as("laichau.canbo").get(url).json()["scores"]["I.1"] == "5.00"
