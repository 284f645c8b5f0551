"""The voting API: same rules as the pages."""

import pytest

from tests.voting import phones
from thidua.core.ballots import Ballot
from thidua.voting import devices
from thidua.voting.models import Elector

pytestmark = pytest.mark.django_db

BASE = "/api/cycles/cum-2/2020/polls"
DEVICE_KEY = "/api/cycles/cum-2/2020/device-key"


def test_polls_never_show_partial_results(api_as):
    polls = {poll["code"]: poll for poll in api_as("quansat").get(BASE).json()}
    assert polls["co-bo-cong-an"]["status"] == "open"
    assert polls["co-bo-cong-an"]["result"] is None
    assert polls["cum-truong-2021"]["result"]["winners"] == ["lao-cai"]


def test_cast_once_over_the_api(api_as, open_poll):
    client = api_as("sonla.daibieu3")
    first = client.post(
        f"{BASE}/co-bo-cong-an/ballot",
        phones.api_ballot("sonla.daibieu3", "co-bo-cong-an", {"choices": ["lang-son"]}),
        content_type="application/json",
    )
    assert first.status_code == 201
    assert len(first.json()["receipt"]) == 8
    second = client.post(
        f"{BASE}/co-bo-cong-an/ballot",
        phones.api_ballot("sonla.daibieu3", "co-bo-cong-an", {"choices": ["son-la"]}),
        content_type="application/json",
    )
    assert second.status_code == 409
    assert second.json()["errors"][0]["code"] == "already_voted"
    invalid = api_as("sonla.daibieu2").post(
        f"{BASE}/co-bo-cong-an/ballot",
        {"choices": ["lang-son", "son-la", "lao-cai", "cao-bang"]},
        content_type="application/json",
    )
    assert invalid.status_code == 400
    assert (
        api_as("sonla.canbo")
        .post(f"{BASE}/co-bo-cong-an/ballot", {"choices": []}, content_type="application/json")
        .status_code
        == 403
    )
    assert Elector.objects.voted().filter(poll=open_poll).count() == 1


def test_board_closes_and_results_are_published(api_as):
    assert api_as("hagiang.thuky").post(f"{BASE}/co-bo-cong-an/close").status_code == 403
    closed = api_as("laocai.daibieu").post(f"{BASE}/co-bo-cong-an/close").json()
    assert closed["status"] == "closed"
    assert closed["result"]["returned"] == 0
    published = api_as("quansat").get(f"{BASE}/cum-truong-2021/published").json()
    assert len(published["receipts"]) == sum(count for _, count in published["ballots"])


def test_conference_management_over_the_api(api_as):
    secretary = api_as("hagiang.thuky")
    created = secretary.post(
        BASE,
        {
            "code": "giay-api",
            "title": "Phiếu giấy",
            "purpose": "other",
            "seats": 1,
            "mode": "paper",
            "candidates": ["lang-son", "son-la"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["candidates"] == ["lang-son", "son-la"]
    assert (
        api_as("hagiang.canbo")
        .post(BASE, {"code": "x", "title": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    check_in = "/api/cycles/cum-2/2020/delegates/sonla.daibieu2/check-in"
    # checked in already: a new key needs a reason
    assert secretary.post(check_in, {}, content_type="application/json").status_code == 400
    key = secretary.post(
        check_in, {"reason": "đổi điện thoại"}, content_type="application/json"
    ).json()["login_key"]
    assert len(key) == 10
    board_a, board_b = api_as("laocai.daibieu"), api_as("sonla.daibieu")
    board_a.post(f"{BASE}/giay-api/open")
    pile = {"issued": 21, "ballots": [{"choices": ["lang-son"]}] * 12}
    assert board_a.post(
        f"{BASE}/giay-api/paper", {"entry": 1, **pile}, content_type="application/json"
    ).json() == {"mismatches": None}
    other = {"issued": 21, "ballots": [{"choices": ["lang-son"]}] * 11 + [{"choices": ["son-la"]}]}
    assert board_b.post(
        f"{BASE}/giay-api/paper", {"entry": 2, **other}, content_type="application/json"
    ).json() == {"mismatches": [12]}
    assert board_a.post(f"{BASE}/giay-api/close").status_code == 409
    board_b.post(f"{BASE}/giay-api/paper", {"entry": 2, **pile}, content_type="application/json")
    closed = board_a.post(f"{BASE}/giay-api/close").json()
    assert closed["result"]["winners"] == ["lang-son"]


def test_the_api_needs_the_signature_too(api_as, open_poll):
    client = api_as("langson.daibieu2")
    unsigned = client.post(
        f"{BASE}/co-bo-cong-an/ballot",
        {"choices": ["son-la"]},
        content_type="application/json",
    )
    assert unsigned.status_code == 403
    assert unsigned.json()["code"] == "no_device_key"
    phone = devices.Phone()
    registered = client.put(
        f"{DEVICE_KEY}", {"public_key": phone.public_key}, content_type="application/json"
    )
    assert registered.status_code == 204
    signature = phone.sign(
        "cum-2", 2020, "co-bo-cong-an", "langson.daibieu2", Ballot(choices=("son-la",))
    )
    wrong = client.post(
        f"{BASE}/co-bo-cong-an/ballot",
        {"choices": ["lao-cai"], "signature": signature},
        content_type="application/json",
    )
    assert (wrong.status_code, wrong.json()["code"]) == (403, "bad_device_signature")
    signed = client.post(
        f"{BASE}/co-bo-cong-an/ballot",
        {"choices": ["son-la"], "signature": signature},
        content_type="application/json",
    )
    assert signed.status_code == 201
    assert list(
        Elector.objects.voted()
        .filter(poll=open_poll)
        .values_list("delegate__user__username", flat=True)
    ) == ["langson.daibieu2"]


def test_a_cast_to_a_year_out_of_range_is_not_found(api_as, open_poll):
    """Found by the generated API calls: a year past the database's integers answered 500."""
    response = api_as("sonla.daibieu2").post(
        "/api/cycles/cum-2/9223372036854775808/polls/co-bo-cong-an/ballot",
        {"choices": ["lang-son"]},
        content_type="application/json",
    )
    assert response.status_code == 404
