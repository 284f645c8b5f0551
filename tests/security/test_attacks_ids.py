"""A secretary's login changing ids: an object of one cycle reached through the URL of
another cycle it may act in, and ids of other cycles' or clusters' objects in POST bodies.
`tests/security/test_matrix.py` tries every route for every person and phase with the
objects of the URL's own cycle; these try the objects of another one. Each is refused,
and nothing is written."""

import json

import pytest
from django.test import Client

from tests.scoring.test_review import IN_TIME, reviewed  # noqa: F401 (a fixture)
from thidua.audit import clock
from thidua.audit.models import AuditEntry
from thidua.scoring import services
from thidua.scoring.models import Explanation
from thidua.voting.models import Delegate, Poll

pytestmark = pytest.mark.django_db


def _post(client: Client, path: str, body: dict):
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def explanation(reviewed, get_user, units):  # noqa: F811
    """Điện Biên's explanation of Cao Bằng's score, in Cụm II's 2021."""
    with clock.dated(IN_TIME):
        return services.file_explanation(
            actor=get_user("dienbien.thuky"),
            cycle=reviewed,
            unit=units["dien-bien"],
            criterion=reviewed.agreement.criteria.get(code="I.1"),
            reviewer=units["cao-bang"],
            text="Đã có kế hoạch số 12/KH",
        )


def _written() -> int:
    return AuditEntry.objects.count()


@pytest.mark.parametrize("cycle_path", ["cum-2/2020", "cum-1/2020"])
def test_an_explanation_of_2021_answered_through_another_cycles_api(
    explanation, api_as, cycle_path
):
    """Cao Bằng's secretary answers (the reviewer) and Lào Cai's concludes (the 2021 leader)
    — through the URL of a cycle the explanation is not in: not found, nothing changes."""
    reviewer, leader_2020 = api_as("caobang.thuky"), api_as("hagiang.thuky")
    before = _written()
    with clock.dated(IN_TIME):
        answer = _post(
            reviewer,
            f"/api/cycles/{cycle_path}/explanations/{explanation.pk}/answer",
            {"keep": False, "value": "5", "reason": "đổi"},
        )
        finalise = _post(
            leader_2020,  # leader of 2020: concludes there, not in 2021
            f"/api/cycles/{cycle_path}/explanations/{explanation.pk}/finalise",
            {"accept": True},
        )
    assert answer.status_code == 404, answer.content
    assert finalise.status_code == 404, finalise.content
    assert Explanation.objects.get(pk=explanation.pk).state == "explained"
    assert _written() == before


def test_an_explanation_of_2021_through_another_cycles_pages(explanation, client_for):
    before = _written()
    with clock.dated(IN_TIME):
        answer = client_for("caobang.thuky").post(
            f"/clusters/cum-2/2020/scoring/review/item/{explanation.pk}/answer/",
            {"decision": "change", "value": "5", "reason": "đổi"},
        )
        finalise = client_for("hagiang.thuky").post(
            f"/clusters/cum-2/2020/scoring/review/item/{explanation.pk}/finalise/",
            {"outcome": "accept"},
        )
        attachment = client_for("hagiang.thuky").get(
            f"/clusters/cum-2/2020/scoring/review/item/{explanation.pk}/attachment/"
        )
    assert (answer.status_code, finalise.status_code, attachment.status_code) == (404, 404, 404)
    assert Explanation.objects.get(pk=explanation.pk).state == "explained"
    assert _written() == before


def test_the_2020_leader_cannot_conclude_a_2021_explanation(explanation, api_as):
    """In its own cycle's URL, Hà Giang (leader of 2020, not 2021) is refused the
    conclusion: the powers moved to Lào Cai with the hand-over."""
    client = api_as("hagiang.thuky")
    before = _written()
    with clock.dated(IN_TIME):
        response = _post(
            client,
            f"/api/cycles/cum-2/2021/explanations/{explanation.pk}/finalise",
            {"accept": True},
        )
    assert response.status_code in (403, 409), response.content
    assert _written() == before


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"criterion": "I.1", "reviewer": "ha-noi", "text": "x"}, 404),  # not a member
        ({"criterion": "I.1", "reviewer": "dien-bien", "text": "x"}, 400),  # itself
        ({"criterion": "XX.9", "reviewer": "cao-bang", "text": "x"}, 404),  # no criterion
    ],
)
def test_an_explanation_naming_a_reviewer_outside_the_cycle_or_itself(
    reviewed,  # noqa: F811
    api_as,
    body,
    status,
):
    client = api_as("dienbien.thuky")
    before = _written()
    with clock.dated(IN_TIME):
        response = _post(client, "/api/cycles/cum-2/2021/review/dien-bien/explanations", body)
    assert response.status_code == status, response.content
    assert _written() == before


def test_a_sheet_of_another_unit_through_the_api(scoring_2021, api_as):
    """Điện Biên's secretary writes Cao Bằng's sheet of Điện Biên (scorer changed in the URL):
    refused; its own sheet of itself is its self-assessment only."""
    client = api_as("dienbien.thuky")
    before = _written()
    with clock.dated(IN_TIME):
        response = client.put(
            "/api/cycles/cum-2/2021/sheets/cao-bang/dien-bien",
            json.dumps({"scores": {"I.1": "6"}, "submit": True}),
            content_type="application/json",
        )
    assert response.status_code == 403, response.content
    assert _written() == before


def test_a_written_opinion_for_a_delegate_of_another_conference(api_as, get_user, cycle):
    """The 2020 leader's secretary records a written opinion naming, in the body, an account
    that is not a delegate of this conference: not found, nothing cast."""
    poll = Poll.objects.get(conference__cycle=cycle("cum-2", 2020), code="co-bo-cong-an")
    outsider = get_user("hanoi.canbo")
    assert not Delegate.objects.filter(conference=poll.conference, user=outsider).exists()
    voted = poll.electors.voted().count()
    response = _post(
        api_as("hagiang.thuky"),
        "/api/cycles/cum-2/2020/polls/co-bo-cong-an/written",
        {"delegate": outsider.username, "ballot": {"choices": ["son-la"]}},
    )
    assert response.status_code == 404, response.content
    assert poll.electors.voted().count() == voted


def test_a_poll_with_candidates_of_another_cluster(api_as, cycle):
    """Candidates in the body that are not members of the cycle: refused, no poll."""
    conference = cycle("cum-2", 2020).conference
    before = Poll.objects.filter(conference=conference).count()
    response = _post(
        api_as("hagiang.thuky"),
        "/api/cycles/cum-2/2020/polls",
        {"code": "ngoai-cum", "title": "Bầu ngoài cụm", "candidates": ["ha-noi", "son-la"]},
    )
    assert response.status_code == 400, response.content
    assert Poll.objects.filter(conference=conference).count() == before
