"""The hand-over from the conference: an elected hand-over follows the counted polls."""

import pytest
from django.test import Client

from thidua.core.policy import TOKEN_SCOPES
from thidua.errors import DomainError
from thidua.org import services as org_services
from thidua.org.models import Cycle, Handover
from thidua.voting.models import Poll

pytestmark = pytest.mark.django_db

FORM = "/clusters/cum-2/2020/handover/"
API = "/api/cycles/cum-2/2020/handover"


@pytest.fixture
def no_handover_yet():
    """The 2020 conference before its hand-over is recorded (the demo records it)."""
    Handover.objects.filter(cluster__code="cum-2", year=2021).delete()


def _leader_2021() -> str:
    return Cycle.objects.get(cluster__code="cum-2", year=2021).leader.code


def test_an_elected_handover_must_name_the_elected_units(client_for, units, no_handover_yet):
    client = client_for("hagiang.thuky")
    refused = client.post(FORM, {"leader": units["cao-bang"].pk, "deputy": units["dien-bien"].pk})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert (
        "Hội nghị đã bầu Công an tỉnh Lào Cai làm cụm trưởng năm 2021; bàn giao “bầu tại hội "
        "nghị” phải ghi đúng đơn vị này." in page
    )
    assert "Hội nghị đã bầu Công an tỉnh Sơn La làm cụm phó năm 2021" in page
    assert not Handover.objects.filter(cluster__code="cum-2", year=2021).exists()
    no_deputy = client.post(FORM, {"leader": units["lao-cai"].pk})
    assert no_deputy.status_code == 400
    assert "Hội nghị đã bầu Công an tỉnh Sơn La làm cụm phó" in no_deputy.content.decode()
    done = client.post(FORM, {"leader": units["lao-cai"].pk, "deputy": units["son-la"].pk})
    assert done.status_code == 302
    handover = Handover.objects.get(cluster__code="cum-2", year=2021)
    assert (handover.leader.code, handover.deputy.code, handover.method) == (
        "lao-cai",
        "son-la",
        "elected",
    )


def test_an_elected_handover_waits_for_the_count(get_user, cycle, units, no_handover_yet):
    Poll.objects.filter(code="cum-truong-2021").update(status=Poll.Status.OPEN)
    with pytest.raises(DomainError) as error:
        org_services.record_handover(
            actor=get_user("hagiang.thuky"),
            cycle=cycle("cum-2", 2020),
            leader=units["lao-cai"],
            deputy=units["son-la"],
        )
    assert [problem.code for problem in error.value.problems] == ["leader_not_counted"]
    assert error.value.messages() == [
        "Chưa có kết quả kiểm phiếu bầu cụm trưởng năm 2021; chưa thể ghi nhận cụm trưởng "
        "“bầu tại hội nghị”."
    ]
    Poll.objects.filter(code="cum-pho-2021").update(status=Poll.Status.OPEN)
    with pytest.raises(DomainError) as error:
        org_services.record_handover(
            actor=get_user("hagiang.thuky"),
            cycle=cycle("cum-2", 2020),
            leader=units["lao-cai"],
            deputy=units["son-la"],
        )
    assert [problem.code for problem in error.value.problems] == [
        "leader_not_counted",
        "deputy_not_counted",
    ]
    assert _leader_2021() == "lao-cai"


def test_no_deputy_poll_means_no_elected_deputy(get_user, cycle, units, no_handover_yet):
    Poll.objects.filter(code="cum-pho-2021").update(purpose=Poll.Purpose.OTHER)
    with pytest.raises(DomainError) as error:
        org_services.record_handover(
            actor=get_user("hagiang.thuky"),
            cycle=cycle("cum-2", 2020),
            leader=units["lao-cai"],
            deputy=units["son-la"],
        )
    assert [problem.code for problem in error.value.problems] == ["deputy_not_voted"]
    org_services.record_handover(
        actor=get_user("hagiang.thuky"),
        cycle=cycle("cum-2", 2020),
        leader=units["lao-cai"],
        deputy=None,
    )


def test_a_ministry_assignment_may_name_anyone_eligible(client_for, units, no_handover_yet):
    done = client_for("admin").post(
        FORM,
        {
            "leader": units["cao-bang"].pk,
            "deputy": units["dien-bien"].pk,
            "method": "assigned",
            "decision_ref": "Quyết định của Bộ",
        },
    )
    assert done.status_code == 302
    assert _leader_2021() == "cao-bang"


def test_the_api_follows_the_vote(get_user, no_handover_yet):
    _token, key = org_services.create_api_token(
        actor=get_user("hagiang.thuky"), name="test", scopes=TOKEN_SCOPES
    )
    client = Client(headers={"Authorization": f"Bearer {key}"})
    payload = {"leader": "cao-bang", "deputy": "dien-bien"}
    refused = client.post(API, payload, content_type="application/json")
    assert refused.status_code == 400
    assert [error["code"] for error in refused.json()["errors"]] == [
        "leader_not_elected",
        "deputy_not_elected",
    ]
    assert _leader_2021() == "lao-cai"
    payload = {"leader": "lao-cai", "deputy": "son-la"}
    assert client.post(API, payload, content_type="application/json").status_code == 201


CONFERENCE = "/clusters/cum-2/2020/conference/"
BUTTON = "Ghi nhận cụm trưởng, cụm phó năm 2021 theo kết quả bầu"
RECORDED = (
    "Năm 2021 đã được ghi nhận (Bầu tại hội nghị): cụm trưởng Công an tỉnh Lào Cai, cụm phó "
    "Công an tỉnh Sơn La"
)


def _records_2021() -> int:
    return Handover.objects.filter(cluster__code="cum-2", year=2021).count()


def test_the_vote_is_handed_over_once(client_for, no_handover_yet):
    client = client_for("hagiang.thuky")
    assert BUTTON in client.get(CONFERENCE).content.decode()
    assert client.post(CONFERENCE + "handover/").status_code == 302
    assert _records_2021() == 1
    page = client.get(CONFERENCE).content.decode()
    assert BUTTON not in page
    assert RECORDED in page
    again = client.post(CONFERENCE + "handover/", follow=True).content.decode()
    assert "Không ghi nhận lần nữa; chỉ Bộ Công an có thể phân công lại." in again
    assert _records_2021() == 1


def test_a_second_election_is_refused_everywhere(client_for, get_user, units):
    """The demo has recorded the 2020 conference's election."""
    assert _records_2021() == 1
    form = client_for("hagiang.thuky").get(FORM)
    page = form.content.decode()
    assert RECORDED in page
    assert 'name="leader"' not in page  # nothing to submit: only the Ministry may change it
    refused = client_for("hagiang.thuky").post(
        FORM, {"leader": units["lao-cai"].pk, "deputy": units["son-la"].pk}
    )
    assert refused.status_code == 409
    assert "đã được ghi nhận (Bầu tại hội nghị)" in refused.content.decode()
    _token, key = org_services.create_api_token(
        actor=get_user("hagiang.thuky"), name="test", scopes=TOKEN_SCOPES
    )
    api = Client(headers={"Authorization": f"Bearer {key}"})
    payload = {"leader": "lao-cai", "deputy": "son-la"}
    response = api.post(API, payload, content_type="application/json")
    assert response.status_code == 409
    [error] = response.json()["errors"]
    assert error["code"] == "handover_recorded"
    assert error["message"].startswith(
        "Cụm trưởng, cụm phó năm 2021 đã được ghi nhận (Bầu tại hội nghị): cụm trưởng Công an "
        "tỉnh Lào Cai, cụm phó Công an tỉnh Sơn La — "
        f"{get_user('hagiang.thuky').display_name}, "  # the demo records it as the secretary
    )
    assert _records_2021() == 1


def test_only_a_ministry_assignment_supersedes_it(client_for, units):
    admin = client_for("admin")
    form = admin.get(FORM)
    assert RECORDED in form.content.decode()
    assert form.context["form"]["method"].value() == "assigned"
    done = admin.post(
        FORM,
        {
            "leader": units["cao-bang"].pk,
            "deputy": units["dien-bien"].pk,
            "method": "assigned",
            "decision_ref": "Quyết định của Bộ",
        },
    )
    assert done.status_code == 302
    assert _records_2021() == 2
    assert _leader_2021() == "cao-bang"
    conference = client_for("hagiang.thuky").get(CONFERENCE).content.decode()
    assert "Năm 2021 đã được ghi nhận (Bộ Công an phân công): cụm trưởng Công an tỉnh Cao Bằng" in (
        conference
    )
    assert RECORDED not in conference
    # one current hand-over per year: the election stays in the history, marked superseded
    cycle_page = client_for("hagiang.thuky").get("/clusters/cum-2/2020/").content.decode()
    assert cycle_page.count("đã được thay thế") == 1
    cluster_page = client_for("admin").get("/clusters/cum-2/").content.decode()
    rows = cluster_page.split('class="handovers"')[1].split("</table>")[0].split("<tr>")
    superseded = [row for row in rows if "đã được thay thế" in row]
    assert len(superseded) == 1
    assert "Công an tỉnh Lào Cai" in superseded[0]
    refused = client_for("hagiang.thuky").post(
        FORM, {"leader": units["cao-bang"].pk, "deputy": units["dien-bien"].pk}
    )
    assert refused.status_code == 409
    assert _records_2021() == 2
