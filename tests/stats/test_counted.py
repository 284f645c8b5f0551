"""Only submitted reports count: in cluster totals, charts and "reported" lists; a partial
cluster is compared with the same units a year earlier."""

import json
import re
from decimal import Decimal

import pytest

from thidua.core.indicators import Period
from thidua.stats import services
from thidua.stats.selectors import counted_reports

pytestmark = pytest.mark.django_db

LAI_CHAU = {"social_order_cases": Decimal(180), "social_order_offenders": Decimal(250)}
SON_LA = {"social_order_cases": Decimal(450), "social_order_offenders": Decimal(600)}


@pytest.fixture
def partial_2021(reporting_cycle, get_user, units):
    """Lai Châu saved a draft, Sơn La submitted: 1 of 7 units counts."""
    services.save_report(
        actor=get_user("laichau.canbo"),
        cycle=reporting_cycle,
        unit=units["lai-chau"],
        period=Period.YEAR,
        figures=LAI_CHAU,
    )
    services.save_report(
        actor=get_user("sonla.canbo"),
        cycle=reporting_cycle,
        unit=units["son-la"],
        period=Period.YEAR,
        figures=SON_LA,
        submit=True,
    )
    return reporting_cycle


def test_counted_reports_leave_drafts_out(partial_2021):
    figures, reports = counted_reports(["lai-chau", "son-la", "ha-giang"], 2021)
    assert set(reports) == {"son-la"}
    assert figures == {"son-la": SON_LA}
    figures, reports = counted_reports(["lai-chau"], 2020, Period.YEAR)
    assert figures["lai-chau"]["social_order_cases"] == 192


def _chart(page: str) -> dict:
    found = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page, re.S)
    assert found
    return json.loads(found.group(1))


def _cases(chart: dict) -> dict:
    indicator = next(i for i in chart["indicators"] if i["code"] == "social_order_cases")
    return dict(zip(chart["units"], indicator["now"], strict=True))


def _missing(page: str) -> str:
    return re.search(r"Chưa báo cáo: (.*?)</p>", page, re.S).group(1)


@pytest.mark.parametrize("path", ["/clusters/cum-2/2021/stats/", "/clusters/cum-2/2021/dashboard/"])
def test_an_observer_sees_only_submitted_figures(client_for, partial_2021, path):
    page = client_for("quansat").get(path).content.decode()
    assert "180" not in page  # Lai Châu's draft
    assert "630" not in page  # the draft added to the total
    assert "850" not in page
    assert "giảm 13,1%" in page  # Sơn La 450 against its own 518 of 2020
    assert "giảm 18,6%" in page  # 600 against 737
    assert "giảm 70,8%" not in page  # not against the whole cluster's 2.156
    assert "1/7 đơn vị đã nộp; so sánh trên 1 đơn vị" in page
    assert "Lai Châu" in _missing(page)
    assert "Sơn La" not in _missing(page)
    cases = _cases(_chart(page))
    assert cases["Lai Châu"] is None
    assert cases["Sơn La"] == 450


def test_the_unit_and_the_leader_secretary_see_the_draft_as_a_draft(client_for, partial_2021):
    for username in ("laichau.canbo", "laocai.thuky"):
        page = client_for(username).get("/clusters/cum-2/2021/stats/").content.decode()
        assert "180" in page  # the draft, in Lai Châu's row
        assert "chưa nộp, không tính vào toàn cụm" in page
        assert "630" not in page  # but not in the total
        assert "Lai Châu" in _missing(page)
        assert _cases(_chart(page))["Lai Châu"] is None
    page = client_for("sonla.canbo").get("/clusters/cum-2/2021/stats/").content.decode()
    assert "180" not in page  # another unit does not see it


def test_a_draft_report_page_shows_figures_only_to_those_who_may_see_the_draft(
    client_for, partial_2021
):
    path = "/clusters/cum-2/2021/stats/lai-chau/"
    page = client_for("quansat").get(path).content.decode()
    assert "180" not in page
    assert "Đơn vị chưa nộp báo cáo" in page
    for username in ("laichau.canbo", "laocai.thuky"):
        assert "180" in client_for(username).get(path).content.decode()


def test_the_overview_counts_submitted_reports_only(client_for, partial_2021):
    page = client_for("quansat").get("/dashboard/?year=2021").content.decode()
    assert "1/7" in page
    assert "so sánh trên 1 đơn vị" in page
    assert "giảm 13,1%" in page
    assert "630" not in page


def test_a_complete_cluster_is_compared_whole(client_for):
    page = client_for("quansat").get("/clusters/cum-2/2020/stats/").content.decode()
    assert "đơn vị đã nộp; so sánh trên" not in page
    assert "giảm 15,0%" in page  # 2.156 against 2.535
