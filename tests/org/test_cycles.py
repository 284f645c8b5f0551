"""Creating and changing cluster years: rules enforced, and nothing written on refusal."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from thidua.core.policy import Action
from thidua.errors import DomainError, Refused, StateConflict
from thidua.org import services
from thidua.org.authz import SYSTEM, UnitInCycle, require_any
from thidua.org.models import (
    Cluster,
    Cycle,
    Handover,
    LineageEvent,
    LineageLink,
    Membership,
    PhaseEvent,
    RuleSet,
    Unit,
)

pytestmark = pytest.mark.django_db

CUM_II = ["ha-giang", "dien-bien", "lai-chau", "lang-son", "lao-cai", "son-la", "cao-bang"]


def row_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Cycle, Membership, PhaseEvent, Handover, LineageEvent, LineageLink)
    }


def codes(error):
    return [problem.code for problem in error.value.problems]


@pytest.fixture
def cluster_ii():
    return Cluster.objects.get(code="cum-2")


def test_demo_cycle_2020_is_led_by_ha_giang_and_handed_over_to_lao_cai(cycle):
    cycle_2020, cycle_2021 = cycle("cum-2", 2020), cycle("cum-2", 2021)
    assert cycle_2020.leader.code == "ha-giang"
    assert sorted(cycle_2020.members.values_list("code", flat=True)) == sorted(CUM_II)
    assert cycle_2020.state == "conference"
    handover = Handover.objects.get(from_cycle=cycle_2020)
    assert (handover.year, handover.leader.code) == (2021, "lao-cai")
    assert cycle_2021.leader.code == "lao-cai"
    assert cycle_2021.state == "planning"
    assert cycle_2020.rule_set.legal_basis.endswith("Nghị định 91/2017/NĐ-CP")


def test_create_cycle_with_a_unit_that_did_not_exist_that_year(get_user, cluster_ii, units):
    before = row_counts()
    with pytest.raises(DomainError) as error:
        services.create_cycle(
            actor=get_user("admin"),
            cluster=cluster_ii,
            year=2022,
            members=[units["tuyen-quang-2025"], units["son-la"], units["lai-chau"]],
            leader=units["son-la"],
        )
    assert codes(error) == ["member_not_in_year"]
    assert (
        "Công an tỉnh Tuyên Quang (từ 01/07/2025) không tồn tại trong năm 2022."
        in error.value.messages()
    )
    with translation.override("en"):
        assert error.value.messages() == [
            "Công an tỉnh Tuyên Quang (from 01/07/2025) did not exist in 2022."
        ]
    assert row_counts() == before


def test_create_cycle_with_a_leader_that_is_not_a_member(get_user, cluster_ii, units):
    before = row_counts()
    with pytest.raises(DomainError) as error:
        services.create_cycle(
            actor=get_user("admin"),
            cluster=cluster_ii,
            year=2022,
            members=[units["son-la"], units["lai-chau"]],
            leader=units["cao-bang"],
            deputy=units["son-la"],
        )
    assert codes(error) == ["leader_not_member"]
    assert error.value.problems[0].field == "leader"
    with translation.override("en"):
        assert error.value.messages() == [
            "The leader Công an tỉnh Cao Bằng is not a member of the cluster."
        ]
    assert row_counts() == before


def test_all_problems_are_reported_at_once(get_user, cluster_ii, units):
    with pytest.raises(DomainError) as error:
        services.create_cycle(
            actor=get_user("admin"),
            cluster=cluster_ii,
            year=2020,
            members=[units["ha-giang"], units["tuyen-quang-2025"]],
            leader=units["ha-giang"],
            deputy=units["ha-giang"],
        )
    assert set(codes(error)) == {
        "member_not_in_year",  # the new Tuyên Quang did not exist in 2020
        "members_related",  # and it was formed from Hà Giang
        "deputy_is_leader",
        "leader_differs_from_handover",  # 2020's deputy was assigned as Lào Cai
        "cycle_exists",
    }


def test_create_cycle_records_the_ministry_assignment_as_a_handover(get_user, cluster_ii, units):
    admin = get_user("admin")
    members = [units[code] for code in ["son-la", "lai-chau", "dien-bien"]]
    cycle = services.create_cycle(
        actor=admin,
        cluster=cluster_ii,
        year=2023,
        members=members,
        leader=units["son-la"],
        decision_ref="Quyết định số 01/QĐ-BCA",
    )
    assert cycle.state == "planning"
    assert cycle.rule_set.version == 1
    handover = Handover.objects.get(cluster=cluster_ii, year=2023)
    assert (handover.method, handover.recorded_by, handover.leader) == (
        "assigned",
        admin,
        units["son-la"],
    )
    assert PhaseEvent.objects.filter(cycle=cycle, phase="planning", action="open").count() == 1


def test_rule_set_follows_the_law_in_force_at_the_end_of_the_year(get_user, cluster_ii, units):
    members = [units[code] for code in ["son-la", "lai-chau"]]
    cycle_2024 = services.create_cycle(
        actor=SYSTEM, cluster=cluster_ii, year=2024, members=members, leader=units["son-la"]
    )
    cycle_2025 = services.create_cycle(
        actor=SYSTEM, cluster=cluster_ii, year=2025, members=members, leader=units["son-la"]
    )
    assert "98/2023" in cycle_2024.rule_set.name
    assert "152/2025" in cycle_2025.rule_set.name


def test_a_rule_set_not_in_force_that_year_is_refused(get_user, cluster_ii, units):
    with pytest.raises(DomainError) as error:
        services.create_cycle(
            actor=SYSTEM,
            cluster=cluster_ii,
            year=2022,
            members=[units["son-la"], units["lai-chau"]],
            leader=units["son-la"],
            rule_set=RuleSet.objects.get(version=3),
        )
    assert codes(error) == ["rule_set_not_in_force"]


def test_a_rule_set_in_use_is_frozen(cycle):
    rule_set = cycle("cum-2", 2020).rule_set
    original = dict(rule_set.data)
    rule_set.data = {"changed": True}
    with pytest.raises(Exception, match="phiên bản mới"):
        rule_set.save()
    rule_set.refresh_from_db()
    assert rule_set.data == original
    unused = RuleSet.objects.create(
        code="thu-nghiem", version=1, name="Thử nghiệm", effective_from=date(2030, 1, 1)
    )
    unused.data = {"x": 1}
    unused.save()


def test_only_the_admin_creates_cycles(get_user, cluster_ii, units):
    for username in ("hagiang.thuky", "hagiang.canbo", "quansat", "laocai.daibieu"):
        with pytest.raises(Refused):
            services.create_cycle(
                actor=get_user(username),
                cluster=cluster_ii,
                year=2022,
                members=[units["son-la"], units["lai-chau"]],
                leader=units["son-la"],
            )
    assert not Cycle.objects.filter(year=2022).exists()


def test_a_cycle_after_a_handover_takes_its_leader(cycle, cluster_ii, units, get_user):
    from thidua.stats.models import Report

    handover = Handover.objects.get(from_cycle=cycle("cum-2", 2020))
    # the demo's first halves of 2021 go with the year
    Report.objects.filter(cycle__cluster=cluster_ii, year=2021).delete()
    Cycle.objects.filter(cluster=cluster_ii, year=2021).delete()
    members = [units[code] for code in CUM_II]
    with pytest.raises(DomainError) as error:
        services.create_cycle(
            actor=get_user("admin"),
            cluster=cluster_ii,
            year=2021,
            members=members,
            leader=units["cao-bang"],
        )
    assert codes(error) == ["leader_differs_from_handover"]
    created = services.create_cycle(
        actor=get_user("admin"), cluster=cluster_ii, year=2021, members=members
    )
    assert (created.leader, created.deputy) == (handover.leader, handover.deputy)


def test_membership_changes_only_in_planning(get_user, cycle, units):
    admin = get_user("admin")
    cycle_2021 = cycle("cum-2", 2021)
    members = [units[code] for code in CUM_II if code != "cao-bang"]
    services.update_cycle(
        actor=admin, cycle=cycle_2021, members=members, leader=units["lao-cai"], deputy=None
    )
    assert cycle_2021.members.count() == 6
    cycle_2020 = cycle("cum-2", 2020)
    before = row_counts()
    with pytest.raises(StateConflict) as error:
        services.update_cycle(
            actor=admin, cycle=cycle_2020, members=members, leader=units["ha-giang"], deputy=None
        )
    assert codes(error) == ["wrong_state"]
    assert "Hội nghị tổng kết" in error.value.messages()[0]
    assert row_counts() == before


def test_changing_the_leader_in_planning_is_recorded(get_user, cycle, units):
    cycle_2021 = cycle("cum-2", 2021)
    members = [units[code] for code in CUM_II]
    services.update_cycle(
        actor=get_user("admin"),
        cycle=cycle_2021,
        members=members,
        leader=units["cao-bang"],
        deputy=units["lao-cai"],
        decision_ref="Quyết định điều chỉnh",
    )
    latest = Handover.objects.filter(year=2021).order_by("-recorded_at", "-id").first()
    assert (latest.leader.code, latest.method) == ("cao-bang", "assigned")
    # the conference's election stays in the history beside the Ministry's correction
    methods = Handover.objects.filter(year=2021, cluster__code="cum-2").values_list(
        "method", flat=True
    )
    assert sorted(methods) == ["assigned", "elected"]


def test_lineage_event_overlapping_an_earlier_one_is_refused(get_user, units):
    before = row_counts()
    valid_to = units["ha-giang"].valid_to
    with pytest.raises(DomainError) as error:
        services.record_lineage_event(
            actor=get_user("admin"),
            kind="merge",
            effective_date=date(2025, 8, 1),
            sources=[units["ha-giang"], units["cao-bang"]],
            targets=[units["lao-cai-2025"]],
        )
    assert set(codes(error)) == {"source_already_ended", "target_already_created"}
    with translation.override("en"):
        assert any("can end only once" in message for message in error.value.messages())
    assert row_counts() == before
    assert units["ha-giang"].valid_to == valid_to
    assert units["cao-bang"].valid_to is None


def test_recording_a_lineage_event_sets_validity(get_user):
    old = Unit.objects.create(code="x-old", name="Đơn vị X", short_name="X")
    new = [
        Unit.objects.create(code=f"x-{n}", name=f"Đơn vị X{n}", short_name=f"X{n}") for n in (1, 2)
    ]
    event = services.record_lineage_event(
        actor=get_user("admin"),
        kind="split",
        effective_date=date(2027, 1, 1),
        sources=[old],
        targets=new,
        legal_basis="Nghị quyết thử",
    )
    old.refresh_from_db()
    assert old.valid_to == date(2026, 12, 31)
    assert {unit.valid_from for unit in Unit.objects.filter(code__in=["x-1", "x-2"])} == {
        date(2027, 1, 1)
    }
    assert event.links.count() == 3
    with pytest.raises(Refused):
        services.record_lineage_event(
            actor=get_user("hagiang.thuky"),
            kind="rename",
            effective_date=date(2028, 1, 1),
            sources=[new[0]],
            targets=[old],
        )


def test_a_cycle_created_with_the_handovers_leader_keeps_its_deputy(
    cycle, cluster_ii, units, get_user
):
    Handover.objects.create(
        cluster=cluster_ii,
        year=2022,
        leader=units["son-la"],
        deputy=units["lai-chau"],
        method=Handover.Method.ELECTED,
        from_cycle=cycle("cum-2", 2021),
    )
    members = [units[code] for code in CUM_II]
    admin = get_user("admin")
    for leader, deputy in [(units["son-la"], units["cao-bang"]), (None, units["cao-bang"])]:
        before = row_counts()
        with pytest.raises(DomainError) as error:
            services.create_cycle(
                actor=admin,
                cluster=cluster_ii,
                year=2022,
                members=members,
                leader=leader,
                deputy=deputy,
            )
        assert codes(error) == ["leader_differs_from_handover"]
        assert error.value.messages() == [
            "Năm 2022 đã được bàn giao cho cụm trưởng Công an tỉnh Sơn La (cụm phó Công an "
            "tỉnh Lai Châu); cụm trưởng, cụm phó phải theo bàn giao đó."
        ]
        assert row_counts() == before
    created = services.create_cycle(
        actor=admin, cluster=cluster_ii, year=2022, members=members, leader=units["son-la"]
    )
    assert (created.leader.code, created.deputy.code) == ("son-la", "lai-chau")
    assert Handover.objects.filter(cluster=cluster_ii, year=2022).count() == 1


def test_a_rule_set_in_use_may_be_given_an_end_date_after_its_last_year(cluster_ii, units):
    cycle_2025 = services.create_cycle(
        actor=SYSTEM,
        cluster=cluster_ii,
        year=2025,
        members=[units["son-la"], units["lai-chau"]],
        leader=units["son-la"],
    )
    rule_set = cycle_2025.rule_set
    assert (rule_set.version, rule_set.effective_to) == (3, None)
    rule_set.effective_to = date(2025, 12, 30)
    with pytest.raises(ValidationError) as error:
        rule_set.save()
    assert error.value.message_dict == {
        "effective_to": [
            "Bộ quy tắc này được dùng cho năm thi đua 2025 nên chỉ có thể hết hiệu lực từ "
            "ngày 31/12/2025 trở đi."
        ]
    }
    rule_set.refresh_from_db()
    assert rule_set.effective_to is None
    rule_set.effective_to = date(2025, 12, 31)
    rule_set.save()
    rule_set.refresh_from_db()
    assert rule_set.effective_to == date(2025, 12, 31)
    # Once set, the end date is frozen with the rest, and so is everything else.
    for name, value in [
        ("effective_to", date(2026, 12, 31)),
        ("effective_to", None),
        ("data", {"changed": True}),
        ("effective_from", date(2025, 1, 1)),
    ]:
        rule_set.refresh_from_db()
        setattr(rule_set, name, value)
        with pytest.raises(ValidationError, match="phiên bản mới"):
            rule_set.save()
    rule_set.refresh_from_db()
    assert rule_set.effective_to == date(2025, 12, 31)


def test_an_end_date_comes_with_no_other_change(cycle):
    rule_set = cycle("cum-2", 2021).rule_set
    rule_set.effective_to = None
    with pytest.raises(ValidationError, match="phiên bản mới"):
        rule_set.save()


def test_a_cycle_created_meanwhile_by_another_request_is_refused_not_a_crash(
    monkeypatch, get_user, cluster_ii, units
):
    """Two admins create the same year at once: both pass the checks, one insert fails."""
    checked = Cycle.full_clean

    def checked_then_the_other_request_commits(self, *args, **kwargs):
        checked(self, *args, **kwargs)
        if self.pk is None:
            Cycle.objects.bulk_create(
                [
                    Cycle(
                        cluster=self.cluster,
                        year=self.year,
                        title="x",
                        leader=self.leader,
                        rule_set=self.rule_set,
                    )
                ]
            )

    monkeypatch.setattr(Cycle, "full_clean", checked_then_the_other_request_commits)
    with pytest.raises(DomainError) as error:
        services.create_cycle(
            actor=get_user("admin"),
            cluster=cluster_ii,
            year=2023,
            members=[units["son-la"], units["lai-chau"]],
            leader=units["son-la"],
        )
    assert codes(error) == ["cycle_exists"]
    assert error.value.messages() == ["Cụm thi đua số II – Bộ Công an đã có năm thi đua 2023."]
    assert not Handover.objects.filter(cluster=cluster_ii, year=2023).exists()


def test_require_any_needs_one_object_that_allows(get_user, cycle, units):
    """Allowed on one of the objects is enough; refused on each (or given none), it is
    refused as the person is, a wrong phase before a wrong person."""
    officer = get_user("sonla.canbo")
    year = cycle("cum-2", 2020)  # at its conference: no report is written any more
    own, other = UnitInCycle(year, units["son-la"]), UnitInCycle(year, units["lao-cai"])
    with pytest.raises(StateConflict):
        require_any(officer, Action.EDIT_REPORT, [other, own])
    with pytest.raises(Refused):
        require_any(officer, Action.EDIT_REPORT, [other])
    with pytest.raises(Refused):
        require_any(officer, Action.EDIT_REPORT, [])
    require_any(officer, Action.VIEW_REPORT, [other, own])  # allowed: nothing raised
