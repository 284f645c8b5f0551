"""A cycle that straddles a merger (1 July 2025): the new unit joins, the merged units leave,
their accounts go with it or are closed pointing to it, their pending work goes to it; or
nothing changes, with the reason (over HTTP)."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from tests.org.merging import MERGER_URL, account, event_forming
from thidua.audit.models import AuditEntry
from thidua.core import record as core_record
from thidua.core import verify as core_verify
from thidua.core.indicators import Period
from thidua.core.phases import Phase
from thidua.core.record import AuditAction
from thidua.org import services
from thidua.org.authz import SYSTEM
from thidua.org.demo import DEMO_PASSWORD
from thidua.org.models import Cluster, Handover, Membership, User, UserKind
from thidua.record.export import export
from thidua.stats import services as stats_services
from thidua.stats.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def straddling(units):
    """A 2025 cycle of Hà Giang, Lào Cai, Sơn La and Cao Bằng (Sơn La leads), reporting, with
    a 2025 draft of Hà Giang and two of its accounts; Tuyên Quang, which Hà Giang merges
    into, is in no cluster."""
    cluster = Cluster.objects.create(code="cum-thu", name="Cụm thử")
    cycle = services.create_cycle(
        actor=SYSTEM,
        cluster=cluster,
        year=2025,
        members=[units[code] for code in ("ha-giang", "lao-cai", "son-la", "cao-bang")],
        leader=units["son-la"],
    )
    for phase, following in [(Phase.PLANNING, Phase.AGREEMENT), (Phase.AGREEMENT, Phase.REPORTING)]:
        services.close_phase(actor=SYSTEM, cycle=cycle, phase=phase)
        cycle = services.open_phase(actor=SYSTEM, cycle=cycle, phase=following)
    stats_services.save_report(
        actor=SYSTEM,
        cycle=cycle,
        unit=units["ha-giang"],
        period=Period.YEAR,
        figures={"social_order_cases": Decimal(310)},
        submit=False,
    )
    account("hg25.thuky", UserKind.SECRETARY, units["ha-giang"])
    account("hg25.canbo", UserKind.OFFICER, units["ha-giang"])
    return cycle


def _state():
    """Everything a merger writes, to show that a refusal wrote none of it."""
    return (
        sorted(Membership.objects.filter(cycle__year=2025).values_list("cycle_id", "unit__code")),
        sorted(User.objects.values_list("username", "unit__code", "is_active", "successor")),
        sorted(Report.objects.filter(year=2025).values_list("unit__code", "period")),
        AuditEntry.objects.count(),
    )


def test_the_new_unit_joins_with_the_accounts_and_the_pending_work(straddling, client_for):
    admin = client_for("admin")
    page = admin.get(MERGER_URL).content.decode()
    assert "Hà Giang, Tuyên Quang → Tuyên Quang" in page
    assert "hg25.thuky (Hà Giang" in page
    secretary = User.objects.get(username="hg25.thuky")
    response = admin.post(
        MERGER_URL, {"event": event_forming("tuyen-quang-2025").pk, "move": [secretary.pk]}
    )
    assert response.status_code == 302

    joined = Membership.objects.get(cycle=straddling, unit__code="tuyen-quang-2025")
    assert joined.joined_on == date(2025, 7, 1)
    assert joined.note == "Hình thành ngày 01/07/2025 từ Hà Giang, Tuyên Quang (ngoài cụm)"
    codes = set(straddling.members.values_list("code", flat=True))
    assert codes == {"tuyen-quang-2025", "lao-cai", "son-la", "cao-bang"}
    # the secretary goes with the unit; every other account of Hà Giang is closed, pointing
    secretary.refresh_from_db()
    assert secretary.unit.code == "tuyen-quang-2025"
    assert secretary.is_active
    closed = User.objects.get(username="hg25.canbo")
    assert not closed.is_active
    assert closed.successor.code == "tuyen-quang-2025"
    assert closed.closed_on == date(2025, 7, 1)
    assert not User.objects.filter(unit__code="ha-giang", is_active=True).exists()
    # the draft of the year is now the new unit's, as it stood
    report = Report.objects.get(year=2025, period="Y", unit__code="tuyen-quang-2025")
    assert report.status == Report.Status.DRAFT
    assert not Report.objects.filter(year=2025, unit__code="ha-giang").exists()
    entry = AuditEntry.objects.get(action=AuditAction.CYCLE_MERGE, chain="cum-thu/2025")
    assert entry.after["accounts_moved"] == ["hg25.thuky"]
    assert "hg25.canbo" in entry.after["accounts_closed"]
    assert entry.after["work_moved"] == ["ha-giang/2025/Y → tuyen-quang-2025/2025/Y"]
    assert entry.before["members"] == ["cao-bang", "ha-giang", "lao-cai", "son-la"]
    # the cycle page says how the new unit joined; the moved secretary works for it
    page = admin.get("/clusters/cum-thu/2025/").content.decode()
    assert "Hình thành ngày 01/07/2025 từ Hà Giang, Tuyên Quang (ngoài cụm)" in page
    mine = client_for("hg25.thuky").get("/clusters/cum-thu/2025/stats/tuyen-quang-2025/")
    assert mine.status_code == 200


def test_a_closed_account_cannot_sign_in_and_is_told_where_to_go(straddling, client_for):
    session = Client()
    assert session.post("/accounts/login/", {"username": "hg25.canbo", "password": DEMO_PASSWORD})[
        "Location"
    ]  # signed in before the merger
    secretary = User.objects.get(username="hg25.thuky")
    client_for("admin").post(
        MERGER_URL, {"event": event_forming("tuyen-quang-2025").pk, "move": [secretary.pk]}
    )
    # its open session ends
    assert session.get("/").status_code == 302
    response = Client().post(
        "/accounts/login/", {"username": "hg25.canbo", "password": DEMO_PASSWORD}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session
    assert "Tài khoản này đã đóng từ ngày 01/07/2025" in page
    assert "đã sáp nhập vào Công an tỉnh Tuyên Quang" in page
    # a wrong password learns nothing about the account
    page = Client().post("/accounts/login/", {"username": "hg25.canbo", "password": "sai"})
    assert "sáp nhập" not in page.content.decode()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("no_secretary", "Công an tỉnh Tuyên Quang chưa có thư ký thi đua"),
        ("first_half_draft", "Báo cáo 6 tháng đầu năm của Công an tỉnh Hà Giang"),
        ("already_member", "Công an tỉnh Tuyên Quang đã là thành viên"),
    ],
)
def test_a_merger_that_makes_no_sense_is_refused_and_changes_nothing(
    straddling, client_for, units, setup, message
):
    move = [User.objects.get(username="hg25.thuky").pk]
    if setup == "no_secretary":
        move = []
    elif setup == "first_half_draft":
        stats_services.save_report(
            actor=SYSTEM,
            cycle=straddling,
            unit=units["ha-giang"],
            period=Period.H1,
            figures={"social_order_cases": Decimal(150)},
            submit=False,
        )
    elif setup == "already_member":
        Membership.objects.create(cycle=straddling, unit=units["tuyen-quang-2025"])
    before = _state()
    response = client_for("admin").post(
        MERGER_URL, {"event": event_forming("tuyen-quang-2025").pk, "move": move}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize("role", ["leader", "deputy"])
def test_a_merged_leader_or_deputy_hands_its_role_to_the_new_unit(
    straddling, client_for, units, role
):
    """Hà Giang leads the cluster (or is its deputy) and merges into Tuyên Quang, which
    carries on its province's police: the new unit takes the role over, its secretary (Hà
    Giang's, moved) acts for it, and the merger's audit entry says so; no hand-over is
    recorded, and the record verifies against the log."""
    setattr(straddling, role, units["ha-giang"])
    straddling.save()
    secretary = User.objects.get(username="hg25.thuky")
    response = client_for("admin").post(
        MERGER_URL, {"event": event_forming("tuyen-quang-2025").pk, "move": [secretary.pk]}
    )
    assert response.status_code == 302
    straddling.refresh_from_db()
    assert getattr(straddling, role).code == "tuyen-quang-2025"
    entry = AuditEntry.objects.get(action=AuditAction.CYCLE_MERGE, chain="cum-thu/2025")
    assert entry.before[role] == "ha-giang"
    assert entry.after[role] == "tuyen-quang-2025"
    assert entry.after["merger"]["roles"] == {role: "ha-giang"}
    handovers = Handover.objects.filter(cluster=straddling.cluster, year=2025)
    assert handovers.count() == 1  # the year's assignment, as it was
    page = client_for("hg25.thuky").get("/clusters/cum-thu/2025/").content.decode()
    if role == "leader":
        assert '<strong class="leader">Công an tỉnh Tuyên Quang</strong>' in page
        home = client_for("hg25.thuky").get("/").content.decode()
        assert "Chờ báo cáo số liệu của:" in home  # the leader secretary's task
    else:
        assert "Cụm phó: <strong>Công an tỉnh Tuyên Quang</strong>" in page
    assert core_verify.verify(core_record.to_json(export(straddling))) == []


def test_only_the_ministry_applies_a_merger(straddling, client_for):
    event = event_forming("tuyen-quang-2025").pk
    before = _state()
    assert client_for("sonla.thuky").post(MERGER_URL, {"event": event}).status_code == 403
    assert client_for("hagiang.thuky").get(MERGER_URL).status_code == 403
    assert _state() == before


def test_a_merger_of_another_year_or_not_of_its_members_is_refused(straddling, units):
    from thidua.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.apply_merger(
            actor=SYSTEM, cycle=straddling, event=event_forming("thai-nguyen-2025")
        )
    assert "Không đơn vị nào bị sáp nhập" in refused.value.messages()[0]
    cycle_2024 = services.create_cycle(
        actor=SYSTEM,
        cluster=straddling.cluster,
        year=2024,
        members=[units["ha-giang"], units["son-la"]],
        leader=units["son-la"],
    )
    with pytest.raises(DomainError) as refused:
        services.apply_merger(
            actor=SYSTEM, cycle=cycle_2024, event=event_forming("tuyen-quang-2025")
        )
    assert "không trong năm thi đua 2024" in " ".join(refused.value.messages())


def test_the_statistics_compare_the_new_unit_with_its_predecessors(straddling, client_for, units):
    for code, cases in (("ha-giang", 400), ("tuyen-quang", 350)):
        stats_services.record_baseline(
            actor=User.objects.get(username="admin"),
            unit=units[code],
            year=2024,
            period=Period.YEAR,
            figures={"social_order_cases": Decimal(cases)},
            source="thử",
        )
    secretary = User.objects.get(username="hg25.thuky")
    client_for("admin").post(
        MERGER_URL, {"event": event_forming("tuyen-quang-2025").pk, "move": [secretary.pk]}
    )
    page = client_for("hg25.thuky").get("/clusters/cum-thu/2025/stats/tuyen-quang-2025/")
    page = page.content.decode()
    assert (
        "Cùng kỳ 2024 là tổng số liệu của các đơn vị trước sáp nhập: Hà Giang + Tuyên Quang."
        in page
    )
    assert ">750<" in page  # 400 + 350
    table = client_for("admin").get("/clusters/cum-thu/2025/stats/").content.decode()
    assert "cùng kỳ 2024 là tổng của Hà Giang + Tuyên Quang" in table


def _other_cluster(units, leader="thai-nguyen"):
    """Tuyên Quang's own cluster of the first half of 2025."""
    return services.create_cycle(
        actor=SYSTEM,
        cluster=Cluster.objects.create(code="cum-khac", name="Cụm khác"),
        year=2025,
        members=[units[code] for code in ("tuyen-quang", "thai-nguyen", "bac-kan")],
        leader=units[leader],
    )


def test_a_member_of_another_cluster_arrives_with_the_new_unit(straddling, client_for, units):
    other = _other_cluster(units)
    secretary = User.objects.get(username="hg25.thuky")
    response = client_for("admin").post(
        MERGER_URL, {"event": event_forming("tuyen-quang-2025").pk, "move": [secretary.pk]}
    )
    assert response.status_code == 302
    joined = Membership.objects.get(cycle=straddling, unit__code="tuyen-quang-2025")
    assert joined.note == "Hình thành ngày 01/07/2025 từ Hà Giang, Tuyên Quang (Cụm khác)"
    assert set(other.members.values_list("code", flat=True)) == {"thai-nguyen", "bac-kan"}
    left = AuditEntry.objects.get(action=AuditAction.CYCLE_MERGE, chain="cum-khac/2025")
    assert left.after["merger"]["left"] == "tuyen-quang"
    assert left.after["merger"]["joined"] == "cum-thu/2025"


def test_a_unit_that_leads_its_other_cluster_does_not_leave_it_silently(
    straddling, client_for, units
):
    _other_cluster(units, leader="tuyen-quang")
    before = _state()
    secretary = User.objects.get(username="hg25.thuky")
    response = client_for("admin").post(
        MERGER_URL, {"event": event_forming("tuyen-quang-2025").pk, "move": [secretary.pk]}
    )
    assert response.status_code == 400
    assert "Công an tỉnh Tuyên Quang là cụm trưởng hoặc cụm phó của Cụm khác" in (
        response.content.decode()
    )
    assert _state() == before
