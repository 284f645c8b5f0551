"""Only submitted reports count: in cluster totals, charts and "reported" lists; a partial
cluster is compared with the same units a year earlier."""

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
