"""The score review (giải trình) through the API, by the same rules as the pages: a unit reads
its review, files an explanation of a score below its own, the reviewer keeps or changes it
with a reason, the leader concludes (the deputy for the leader's own unit); each refusal."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from thidua.audit import clock
from thidua.core.policy import TOKEN_SCOPES
from thidua.org import services as org_services
from thidua.scoring import selectors
from thidua.scoring.models import Explanation

from .test_review import IN_TIME, reviewed  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

API = "/api/cycles/cum-2/2021"


@pytest.fixture
def api_as(get_user):
    def make(username: str, scopes=TOKEN_SCOPES) -> Client:
        _token, key = org_services.create_api_token(
            actor=get_user(username), name="giải trình", scopes=scopes
        )
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


def _post(client: Client, path: str, body: dict):
    return client.post(API + path, json.dumps(body), content_type="application/json")


def _answer(client: Client, pk: int, body: dict):
    return _post(client, f"/explanations/{pk}/answer", body)


def _line(review: dict, criterion: str, reviewer: str) -> dict:
    row = next(r for r in review["criteria"] if r["criterion"] == criterion)
    return next(line for line in row["lines"] if line["reviewer"] == reviewer)


def test_the_chain_through_the_api(reviewed, units, api_as):  # noqa: F811
    unit = api_as("dienbien.thuky")
    review = unit.get(f"{API}/review/dien-bien").json()
    assert review["unit"] == "dien-bien"
    assert review["finaliser"] == "lao-cai"
    line = _line(review, "I.1", "cao-bang")
    assert line == {
        "reviewer": "cao-bang",
        "value": "4.00",
        "reason": "Hồ sơ chưa đủ",
        "state": "open",
        "pending_with": "unit",
        "explanation": None,
    }
    row = next(r for r in review["criteria"] if r["criterion"] == "I.1")
    assert row["self_value"] == "5.00"
    with clock.dated(IN_TIME):
        filed = _post(
            unit,
            "/review/dien-bien/explanations",
            {"criterion": "I.1", "reviewer": "cao-bang", "text": "Đã có kế hoạch số 12/KH"},
        )
        assert filed.status_code == 201, filed.content
        line = _line(filed.json(), "I.1", "cao-bang")
        assert (line["state"], line["pending_with"]) == ("explained", "reviewer")
        pk = line["explanation"]["id"]
        assert line["explanation"]["text"] == "Đã có kế hoạch số 12/KH"
        answered = _post(
            api_as("caobang.thuky"),
            f"/explanations/{pk}/answer",
            {"keep": False, "value": "4,5", "reason": "Đã xem kế hoạch gửi kèm"},
        )
        assert answered.status_code == 200, answered.content
        line = _line(answered.json(), "I.1", "cao-bang")
        assert (line["state"], line["pending_with"]) == ("changed", "finaliser")
        assert (line["explanation"]["old_value"], line["explanation"]["new_value"]) == (
            "4.00",
            "4.50",
        )
        concluded = _post(
            api_as("laocai.thuky"), f"/explanations/{pk}/finalise", {"accept": True, "note": "Ok"}
        )
        assert concluded.status_code == 200, concluded.content
    line = _line(concluded.json(), "I.1", "cao-bang")
    assert (line["state"], line["pending_with"]) == ("accepted", None)
    result = next(r for u, r in selectors.results(reviewed).standings if u.code == "dien-bien")
    assert result.criteria["I.1"].by_scorer["cao-bang"] == Decimal("4.5")


def test_the_api_refuses_what_the_pages_refuse(reviewed, units, api_as):  # noqa: F811
    body = {"criterion": "I.1", "reviewer": "cao-bang", "text": "Đã có kế hoạch"}
    with clock.dated(IN_TIME):
        # another unit does not explain for Điện Biên; a read-only token writes nothing
        assert (
            _post(api_as("sonla.thuky"), "/review/dien-bien/explanations", body).status_code == 403
        )
        reader = api_as("dienbien.thuky", scopes=("read",))
        assert _post(reader, "/review/dien-bien/explanations", body).status_code == 403
        # a reviewer who did not score it lower: nothing to explain (400, nothing saved)
        other = {**body, "reviewer": "son-la"}
        refused = _post(api_as("dienbien.thuky"), "/review/dien-bien/explanations", other)
        assert refused.status_code == 400
        assert not Explanation.objects.filter(cycle=reviewed).exists()
        assert (
            _post(api_as("dienbien.thuky"), "/review/dien-bien/explanations", body).status_code
            == 201
        )
        pk = Explanation.objects.get(cycle=reviewed, unit=units["dien-bien"]).pk
        # only the reviewer answers; a reason is required
        answer = {"keep": True, "reason": "Không có căn cứ"}
        assert _answer(api_as("sonla.thuky"), pk, answer).status_code == 403
        blank = {"keep": True, "reason": " "}
        assert _answer(api_as("caobang.thuky"), pk, blank).status_code == 400
        bad = {"keep": False, "value": "bốn", "reason": "x"}
        assert _answer(api_as("caobang.thuky"), pk, bad).status_code == 400
        assert Explanation.objects.get(pk=pk).state == "explained"
        assert _answer(api_as("caobang.thuky"), pk, answer).status_code == 200
        # the deputy does not conclude another unit's explanation, nor a member's staff
        verdict = {"accept": False, "note": ""}
        for username in ("sonla.thuky", "dienbien.thuky", "laocai.canbo"):
            done = _post(api_as(username), f"/explanations/{pk}/finalise", verdict)
            assert done.status_code == 403, username
        assert Explanation.objects.get(pk=pk).state == "kept"
    # a unit outside the cluster, an explanation that does not exist: not found
    assert api_as("dienbien.thuky").get(f"{API}/review/ha-noi").status_code == 404
    assert (
        _post(api_as("caobang.thuky"), f"/explanations/{pk + 1000}/answer", answer).status_code
        == 404
    )


def test_the_leaders_own_explanation_is_concluded_by_the_deputy(reviewed, units, api_as):  # noqa: F811
    with clock.dated(IN_TIME):
        body = {"criterion": "I.1", "reviewer": "dien-bien", "text": "Đề nghị xem lại"}
        assert (
            _post(api_as("laocai.thuky"), "/review/lao-cai/explanations", body).status_code == 201
        )
        pk = Explanation.objects.get(cycle=reviewed, unit=units["lao-cai"]).pk
        answer = {"keep": True, "reason": "Không có căn cứ"}
        assert _post(
            api_as("dienbien.thuky"), f"/explanations/{pk}/answer", answer
        ).status_code == (200)
        verdict = {"accept": False, "note": "Giữ nguyên"}
        own = _post(api_as("laocai.thuky"), f"/explanations/{pk}/finalise", verdict)
        assert own.status_code == 403
        deputy = _post(api_as("sonla.thuky"), f"/explanations/{pk}/finalise", verdict)
        assert deputy.status_code == 200, deputy.content
    assert Explanation.objects.get(pk=pk).state == "refused"
    assert api_as("quansat").get(f"{API}/review/lao-cai").json()["finaliser"] == "son-la"
