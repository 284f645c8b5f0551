"""The hand-over from the conference: an elected hand-over follows the counted polls."""

import pytest
from django.test import Client

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
    _token, key = org_services.create_api_token(actor=get_user("hagiang.thuky"), name="test")
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
