"""Phases opened and closed by the leader secretary; the hand-over moves that power."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from thidua.core.phases import Phase
from thidua.core.policy import TOKEN_SCOPES, Action
from thidua.errors import DomainError, Refused, StateConflict
from thidua.org import services
from thidua.org.authz import can, roles_for, state_of
from thidua.org.models import Handover, PhaseEvent, Unit, User

pytestmark = pytest.mark.django_db


def test_roles_move_with_the_handover(get_user, cycle):
    ha_giang, lao_cai = get_user("hagiang.thuky"), get_user("laocai.thuky")
    cycle_2020, cycle_2021 = cycle("cum-2", 2020), cycle("cum-2", 2021)
    assert can(ha_giang, Action.CLOSE_PHASE, cycle_2020)
    assert not can(ha_giang, Action.CLOSE_PHASE, cycle_2021)
    assert can(lao_cai, Action.CLOSE_PHASE, cycle_2021)
    assert not can(lao_cai, Action.CLOSE_PHASE, cycle_2020)
    assert "leader_secretary" in roles_for(lao_cai, cycle_2021)
    assert "leader_secretary" not in roles_for(ha_giang, cycle_2021)
    with pytest.raises(Refused):
        services.close_phase(actor=ha_giang, cycle=cycle_2021, phase=Phase.PLANNING)
    services.close_phase(actor=lao_cai, cycle=cycle_2021, phase=Phase.PLANNING)


@pytest.fixture
def no_handover_yet():
    """The 2020 conference before its hand-over is recorded (the demo records it)."""
    Handover.objects.filter(cluster__code="cum-2", year=2021).delete()


def test_a_new_handover_moves_powers_of_a_cycle_still_in_planning(get_user, cycle, units):
    services.record_handover(
        actor=get_user("admin"),
        cycle=cycle("cum-2", 2020),
        leader=units["son-la"],
        deputy=units["lao-cai"],
        method=Handover.Method.ASSIGNED,
        decision_ref="Quyết định của Bộ",
    )
    cycle_2021 = cycle("cum-2", 2021)
    assert cycle_2021.leader.code == "son-la"
    assert can(get_user("sonla.thuky"), Action.OPEN_PHASE, cycle_2021)
    assert not can(get_user("laocai.thuky"), Action.OPEN_PHASE, cycle_2021)


def test_handover_refused_once_next_year_has_started(get_user, cycle, units):
    services.close_phase(
        actor=get_user("laocai.thuky"), cycle=cycle("cum-2", 2021), phase=Phase.PLANNING
    )
    before = Handover.objects.count()
    with pytest.raises(DomainError) as error:
        services.record_handover(
            actor=get_user("admin"),
            cycle=cycle("cum-2", 2020),
            leader=units["son-la"],
            deputy=None,
            method=Handover.Method.ASSIGNED,
        )
    assert [problem.code for problem in error.value.problems] == ["next_cycle_started"]
    assert Handover.objects.count() == before
    assert cycle("cum-2", 2021).leader.code == "lao-cai"


def test_handover_rules(get_user, cycle, units):
    with pytest.raises(DomainError) as error:
        services.record_handover(
            actor=get_user("admin"),
            cycle=cycle("cum-2", 2020),
            leader=units["ha-noi"],
            deputy=None,
            method=Handover.Method.ASSIGNED,
        )
    assert [problem.code for problem in error.value.problems] == ["leader_not_member"]
    with pytest.raises(Refused):
        services.record_handover(
            actor=get_user("laocai.canbo"),
            cycle=cycle("cum-2", 2020),
            leader=units["lao-cai"],
            deputy=None,
        )


def test_handover_only_during_the_conference(get_user, cycle, units):
    with pytest.raises(StateConflict):
        services.record_handover(
            actor=get_user("laocai.thuky"),
            cycle=cycle("cum-2", 2021),
            leader=units["son-la"],
            deputy=None,
        )


def test_phase_rules_refuse_writes_in_a_closed_phase(get_user, cycle, units):
    secretary = get_user("hagiang.thuky")
    cycle_2020 = services.close_phase(
        actor=secretary, cycle=cycle("cum-2", 2020), phase=Phase.CONFERENCE
    )
    assert cycle_2020.state == "closed"
    with pytest.raises(StateConflict) as error:
        services.record_handover(
            actor=secretary, cycle=cycle_2020, leader=units["lao-cai"], deputy=None
        )
    assert "Đã kết thúc" in error.value.messages()[0]
    with pytest.raises(StateConflict):
        services.open_phase(actor=secretary, cycle=cycle_2020, phase=Phase.CONFERENCE)
    with pytest.raises(StateConflict):
        services.close_phase(actor=secretary, cycle=cycle_2020, phase=Phase.CONFERENCE)


def test_reopen_is_logged_with_its_reason(get_user, cycle):
    secretary = get_user("hagiang.thuky")
    cycle_2020 = services.close_phase(
        actor=secretary, cycle=cycle("cum-2", 2020), phase=Phase.CONFERENCE
    )
    with pytest.raises(StateConflict) as error:
        services.reopen_phase(actor=secretary, cycle=cycle_2020, phase=Phase.CONFERENCE, reason=" ")
    assert [problem.code for problem in error.value.problems] == ["reason_required"]
    services.reopen_phase(
        actor=secretary, cycle=cycle_2020, phase=Phase.CONFERENCE, reason="Sửa biên bản kiểm phiếu"
    )
    event = PhaseEvent.objects.filter(cycle=cycle_2020).latest("at", "id")
    assert (event.action, event.actor, event.reason) == (
        "reopen",
        secretary,
        "Sửa biên bản kiểm phiếu",
    )
    assert cycle("cum-2", 2020).state == "conference"


def test_phases_go_in_order(get_user, cycle):
    secretary = get_user("laocai.thuky")
    cycle_2021 = cycle("cum-2", 2021)
    with pytest.raises(StateConflict):
        services.open_phase(actor=secretary, cycle=cycle_2021, phase=Phase.AGREEMENT)
    cycle_2021 = services.close_phase(actor=secretary, cycle=cycle_2021, phase=Phase.PLANNING)
    with pytest.raises(StateConflict):
        services.open_phase(actor=secretary, cycle=cycle_2021, phase=Phase.REPORTING)
    cycle_2021 = services.open_phase(actor=secretary, cycle=cycle_2021, phase=Phase.AGREEMENT)
    assert cycle_2021.state == "agreement"


def test_unit_officer_cannot_edit_another_unit(get_user, units):
    officer = get_user("sonla.canbo")
    services.update_unit_profile(actor=officer, unit=units["son-la"], address="Tô Hiệu, Sơn La")
    assert units["son-la"].address == "Tô Hiệu, Sơn La"
    with pytest.raises(Refused):
        services.update_unit_profile(actor=officer, unit=units["lai-chau"], address="x")
    assert units["lai-chau"].address == ""
    with pytest.raises(Refused):
        services.update_unit_profile(
            actor=get_user("sonla.daibieu"), unit=units["son-la"], address="x"
        )


def test_ended_units_are_read_only(get_user, units):
    with pytest.raises(StateConflict):
        services.update_unit_profile(
            actor=get_user("hagiang.canbo"), unit=units["ha-giang"], phone="0219"
        )


def test_only_the_admin_records_a_ministry_assignment(get_user, cycle, units):
    before = Handover.objects.count()
    with pytest.raises(Refused) as error:
        services.record_handover(
            actor=get_user("hagiang.thuky"),
            cycle=cycle("cum-2", 2020),
            leader=units["son-la"],
            deputy=None,
            method=Handover.Method.ASSIGNED,
        )
    assert error.value.message() == (
        "Bạn không có quyền ghi nhận cụm trưởng, cụm phó do Bộ Công an phân công."
    )
    assert Handover.objects.count() == before
    assert cycle("cum-2", 2021).leader.code == "lao-cai"
    handover = services.record_handover(
        actor=get_user("admin"),
        cycle=cycle("cum-2", 2020),
        leader=units["son-la"],
        deputy=None,
        method=Handover.Method.ASSIGNED,
        decision_ref="Quyết định của Bộ",
    )
    assert handover.method == "assigned"


def test_the_secretary_is_not_offered_an_assignment(client_for, cycle, units, no_handover_yet):
    url = "/clusters/cum-2/2020/handover/"
    assert "method" not in client_for("hagiang.thuky").get(url).context["form"].fields
    assert "method" in client_for("admin").get(url).context["form"].fields
    response = client_for("hagiang.thuky").post(
        url,
        {
            "leader": units["lao-cai"].pk,
            "deputy": units["son-la"].pk,
            "method": "assigned",
            "decision_ref": "Biên bản",
        },
    )
    assert response.status_code == 302
    latest = Handover.objects.filter(year=2021).latest("recorded_at", "id")
    assert (latest.leader.code, latest.method) == ("lao-cai", "elected")


def test_the_api_refuses_an_assignment_by_a_secretary(get_user, cycle, no_handover_yet):
    _token, key = services.create_api_token(
        actor=get_user("hagiang.thuky"), name="test", scopes=TOKEN_SCOPES
    )
    client = Client(headers={"Authorization": f"Bearer {key}"})
    before = Handover.objects.count()
    url = "/api/cycles/cum-2/2020/handover"
    payload = {"leader": "son-la", "method": "assigned"}
    response = client.post(url, payload, content_type="application/json")
    assert response.status_code == 403
    assert "do Bộ Công an phân công" in response.json()["detail"]
    assert Handover.objects.count() == before
    payload.update(method="elected", leader="lao-cai", deputy="son-la")  # as the polls elected
    assert client.post(url, payload, content_type="application/json").status_code == 201


def test_a_unit_not_started_yet_is_not_ended(get_user):
    starts = timezone.localdate() + timedelta(days=30)
    unit = Unit.objects.create(
        code="sap-thanh-lap", name="Công an tỉnh sắp thành lập", short_name="Mới", valid_from=starts
    )
    officer = User.objects.create(username="moi.canbo", kind="officer", unit=unit)
    assert state_of(unit) == "active"
    services.update_unit_profile(actor=officer, unit=unit, phone="0212 3852 000")
    services.update_unit_profile(actor=get_user("admin"), unit=unit, address="Trụ sở mới")
    unit.refresh_from_db()
    assert (unit.phone, unit.address) == ("0212 3852 000", "Trụ sở mới")
    unit.valid_to = timezone.localdate() - timedelta(days=1)
    unit.valid_from = None
    assert state_of(unit) == "ended"
