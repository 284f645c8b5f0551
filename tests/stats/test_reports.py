"""Writing reports: only the unit's officers, only while reporting is open, all or nothing."""

from decimal import Decimal

import pytest

from thidua.audit.models import AuditEntry
from thidua.core.indicators import Period
from thidua.core.phases import Phase
from thidua.errors import DomainError, Refused, StateConflict
from thidua.org import services as org_services
from thidua.org.authz import SYSTEM
from thidua.org.models import Cluster
from thidua.stats import services
from thidua.stats.models import Report, ReportValue
from thidua.stats.selectors import cluster_table, report_view

pytestmark = pytest.mark.django_db

GOOD = {"social_order_cases": Decimal(120), "social_order_solved": Decimal(90)}


def test_officer_saves_and_submits_own_report(reporting_cycle, get_user, units):
    officer = get_user("sonla.canbo")
    report = services.save_report(
        actor=officer, cycle=reporting_cycle, unit=units["son-la"], period=Period.YEAR, figures=GOOD
    )
    assert report.status == "draft"
    services.save_report(
        actor=officer,
        cycle=reporting_cycle,
        unit=units["son-la"],
        period=Period.YEAR,
        figures={**GOOD, "serious_cases": Decimal(4)},
        submit=True,
    )
    report.refresh_from_db()
    assert report.status == "submitted"
    assert report.values.count() == 3
    entry = AuditEntry.objects.filter(action="stats.report.submit").latest("id")
    assert (entry.actor, entry.unit, entry.cycle) == ("sonla.canbo", "son-la", "cum-2/2021")
    assert entry.before["figures"] == {"social_order_cases": "120", "social_order_solved": "90"}


def test_only_the_units_officers_write_its_report(reporting_cycle, get_user, units):
    for username in (
        "laichau.canbo",
        "sonla.daibieu",
        "laocai.thuky",
        "admin",
        "quansat",
        "hanoi.canbo",
    ):
        with pytest.raises(Refused):
            services.save_report(
                actor=get_user(username),
                cycle=reporting_cycle,
                unit=units["son-la"],
                period=Period.YEAR,
                figures=GOOD,
            )
    assert not Report.objects.filter(unit__code="son-la", year=2021).exists()
    # the unit's own secretary is one of its officers
    services.save_report(
        actor=get_user("sonla.thuky"),
        cycle=reporting_cycle,
        unit=units["son-la"],
        period=Period.YEAR,
        figures=GOOD,
    )


def test_writes_only_while_reporting_is_open(cycle, get_user, units, reporting_cycle):
    with pytest.raises(StateConflict):
        services.save_report(
            actor=get_user("sonla.canbo"),
            cycle=cycle("cum-2", 2020),  # at its conference
            unit=units["son-la"],
            period=Period.YEAR,
            figures=GOOD,
        )
    org_services.close_phase(
        actor=get_user("laocai.thuky"), cycle=reporting_cycle, phase=Phase.REPORTING
    )
    with pytest.raises(StateConflict):
        services.save_report(
            actor=get_user("sonla.canbo"),
            cycle=cycle("cum-2", 2021),
            unit=units["son-la"],
            period=Period.YEAR,
            figures=GOOD,
        )


def test_bad_figures_change_nothing(reporting_cycle, get_user, units):
    officer = get_user("sonla.canbo")
    services.save_report(
        actor=officer, cycle=reporting_cycle, unit=units["son-la"], period=Period.YEAR, figures=GOOD
    )
    entries = AuditEntry.objects.count()
    with pytest.raises(DomainError) as error:
        services.save_report(
            actor=officer,
            cycle=reporting_cycle,
            unit=units["son-la"],
            period=Period.YEAR,
            figures={"social_order_cases": Decimal(10), "social_order_solved": Decimal(11)},
        )
    assert error.value.problems[0].code == "numerator_above_denominator"
    values = dict(
        ReportValue.objects.filter(report__unit__code="son-la", report__year=2021).values_list(
            "indicator__code", "value"
        )
    )
    assert values == GOOD
    assert AuditEntry.objects.count() == entries


def test_submitted_reports_wait_for_the_leader_secretary(reporting_cycle, get_user, units):
    officer = get_user("sonla.canbo")
    report = services.save_report(
        actor=officer,
        cycle=reporting_cycle,
        unit=units["son-la"],
        period=Period.YEAR,
        figures=GOOD,
        submit=True,
    )
    with pytest.raises(StateConflict):
        services.save_report(
            actor=officer,
            cycle=reporting_cycle,
            unit=units["son-la"],
            period=Period.YEAR,
            figures={},
        )
    with pytest.raises(Refused):
        services.return_report(actor=get_user("hagiang.thuky"), report=report, reason="sai")
    with pytest.raises(Refused):
        services.return_report(actor=officer, report=report, reason="sai")
    with pytest.raises(DomainError):
        services.return_report(actor=get_user("laocai.thuky"), report=report, reason=" ")
    services.return_report(
        actor=get_user("laocai.thuky"), report=report, reason="Số vụ án nghiêm trọng thiếu"
    )
    report.refresh_from_db()
    assert (report.status, report.returned_reason) == ("returned", "Số vụ án nghiêm trọng thiếu")
    services.save_report(
        actor=officer, cycle=reporting_cycle, unit=units["son-la"], period=Period.YEAR, figures=GOOD
    )


def test_merged_unit_is_compared_with_its_predecessors(get_user, units):
    """Tuyên Quang 2025 against Hà Giang + Tuyên Quang 2024 (rates from the summed counts)."""
    admin = get_user("admin")
    for code, cases, solved in [("ha-giang", 400, 300), ("tuyen-quang", 350, 320)]:
        services.record_baseline(
            actor=admin,
            unit=units[code],
            year=2024,
            period=Period.YEAR,
            figures={"social_order_cases": Decimal(cases), "social_order_solved": Decimal(solved)},
            source="thử",
        )
    members = [units[code] for code in ("tuyen-quang-2025", "lao-cai-2025", "son-la")]
    cycle_2025 = org_services.create_cycle(
        actor=SYSTEM,
        cluster=Cluster.objects.get(code="cum-2"),
        year=2025,
        members=members,
        leader=units["son-la"],
    )
    for phase, following in [(Phase.PLANNING, Phase.AGREEMENT), (Phase.AGREEMENT, Phase.REPORTING)]:
        org_services.close_phase(actor=SYSTEM, cycle=cycle_2025, phase=phase)
        cycle_2025 = org_services.open_phase(actor=SYSTEM, cycle=cycle_2025, phase=following)
    services.save_report(
        actor=SYSTEM,
        cycle=cycle_2025,
        unit=units["tuyen-quang-2025"],
        period=Period.YEAR,
        figures={"social_order_cases": Decimal(600), "social_order_solved": Decimal(540)},
    )
    view = report_view(cycle_2025, units["tuyen-quang-2025"], Period.YEAR)
    assert view.baseline.units == {"ha-giang", "tuyen-quang"}
    cells = {cell.indicator.code: cell for _, row in view.sections for cell in row}
    assert cells["social_order_cases"].before == 750
    assert cells["social_order_cases"].change.phrase().render() == "giảm 20,0%"
    assert cells["clearance_rate"].before == Decimal(620) * 100 / 750  # not the mean of rates
    assert cells["clearance_rate"].change.phrase().render() == "tăng 7,3 điểm %"
    # Lào Cai 2025 has no baseline: its predecessors (Yên Bái, Lào Cai) reported nothing.
    table = cluster_table(cycle_2025, Period.YEAR)
    lao_cai = next(row for row in table.rows if row.unit.code == "lao-cai-2025")
    assert lao_cai.baseline.missing == {"yen-bai", "lao-cai"}
    assert lao_cai.baseline.figures == {}


def test_a_baseline_missing_one_predecessor_is_not_summed(get_user, units):
    services.record_baseline(
        actor=get_user("admin"),
        unit=units["ha-giang"],
        year=2024,
        period=Period.YEAR,
        figures={"social_order_cases": Decimal(400)},
        source="thử",
    )
    from thidua.org.selectors import lineage
    from thidua.stats.selectors import baselines, catalog

    result = baselines(["tuyen-quang-2025"], 2025, Period.YEAR, catalog()[0], lineage())
    assert result["tuyen-quang-2025"].missing == {"tuyen-quang"}
    assert result["tuyen-quang-2025"].figures == {}


def test_only_the_admin_records_baselines(get_user, units):
    with pytest.raises(Refused):
        services.record_baseline(
            actor=get_user("sonla.thuky"),
            unit=units["son-la"],
            year=2018,
            period=Period.YEAR,
            figures=GOOD,
            source="x",
        )
    assert not Report.objects.filter(year=2018).exists()
