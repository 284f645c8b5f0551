"""The statistics pages compare a merged unit with the sum of its predecessors' figures a year
earlier, and say which units that sum is of (over HTTP)."""

from decimal import Decimal

import pytest

from thidua.core.indicators import Period
from thidua.core.phases import Phase
from thidua.org import services as org_services
from thidua.org.authz import SYSTEM
from thidua.org.models import Cluster
from thidua.stats import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle_2025(get_user, units):
    """Cụm II 2025 with Tuyên Quang (Hà Giang merged into it on 1 July 2025), Lào Cai (Yên
    Bái merged into it) and Sơn La, reporting; 2024 figures of Hà Giang and Tuyên Quang only."""
    for code, cases, solved in [("ha-giang", 400, 300), ("tuyen-quang", 350, 320)]:
        services.record_baseline(
            actor=get_user("admin"),
            unit=units[code],
            year=2024,
            period=Period.YEAR,
            figures={"social_order_cases": Decimal(cases), "social_order_solved": Decimal(solved)},
            source="thử",
        )
    cycle = org_services.create_cycle(
        actor=SYSTEM,
        cluster=Cluster.objects.get(code="cum-2"),
        year=2025,
        members=[units[code] for code in ("tuyen-quang-2025", "lao-cai-2025", "son-la")],
        leader=units["son-la"],
    )
    for phase, following in [(Phase.PLANNING, Phase.AGREEMENT), (Phase.AGREEMENT, Phase.REPORTING)]:
        org_services.close_phase(actor=SYSTEM, cycle=cycle, phase=phase)
        cycle = org_services.open_phase(actor=SYSTEM, cycle=cycle, phase=following)
    services.save_report(
        actor=SYSTEM,
        cycle=cycle,
        unit=units["tuyen-quang-2025"],
        period=Period.YEAR,
        figures={"social_order_cases": Decimal(600), "social_order_solved": Decimal(540)},
        submit=True,
    )
    return cycle


def test_the_cluster_table_names_the_predecessors_summed(client_for, cycle_2025):
    page = client_for("admin").get("/clusters/cum-2/2025/stats/").content.decode()
    assert "cùng kỳ 2024 là tổng của Hà Giang + Tuyên Quang" in page
    assert "cùng kỳ 2024 là tổng của Lào Cai + Yên Bái" in page
    assert "giảm 20,0%" in page  # 600 against 400 + 350
    # Sơn La is compared with itself: no such line for it
    assert page.count("lineage-baseline") == 2


def test_the_report_shows_last_years_sum_and_its_units(client_for, cycle_2025):
    page = client_for("admin").get("/clusters/cum-2/2025/stats/tuyen-quang-2025/")
    page = page.content.decode()
    assert (
        "Cùng kỳ 2024 là tổng số liệu của các đơn vị trước sáp nhập: Hà Giang + Tuyên Quang."
        in page
    )
    assert ">750<" in page  # 400 + 350 in the "Cùng kỳ 2024" column
    assert "82,7%" in page  # the rate from the summed counts: 620 / 750
    page = client_for("admin").get("/clusters/cum-2/2025/stats/lao-cai-2025/").content.decode()
    assert "Lào Cai + Yên Bái; chưa có số liệu của Lào Cai, Yên Bái." in page
    page = client_for("admin").get("/clusters/cum-2/2025/stats/son-la/").content.decode()
    assert "lineage-baseline" not in page


def test_the_exported_table_names_them_too(client_for, cycle_2025):
    from io import BytesIO

    from openpyxl import load_workbook

    content = client_for("admin").get("/clusters/cum-2/2025/stats/export.xlsx").content
    notes = [cell.value for cell in load_workbook(BytesIO(content))["Cảnh báo"]["B"]]
    assert "Cùng kỳ 2024 là tổng của Hà Giang + Tuyên Quang." in notes
