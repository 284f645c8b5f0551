"""Each cycle's chain logs the indicator catalog its statistics are computed with: before the
chain's first act, and again in every chain of this installation as soon as the catalog
changes (the admin, an import, a migration). A rate redefined in a record is then a
difference from the log (tests/security/test_attacks_record.py), and a genuine year still
verifies after the Ministry edits its catalog."""

import pytest

from tests.org.admin_forms import admin_form
from thidua.audit import services
from thidua.audit.models import AuditEntry, AuditHead
from thidua.core.verify import verify
from thidua.record.export import export_json
from thidua.stats import selectors as stats_selectors
from thidua.stats.models import Indicator

pytestmark = pytest.mark.django_db

CHAIN = "cum-2/2020"


def _catalogs(chain: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(chain=chain, action="record.catalog").order_by("seq"))


def _own_chains() -> list[str]:
    heads = AuditHead.objects.exclude(chain="").filter(mirror=False, count__gt=0)
    return list(heads.values_list("chain", flat=True))


def test_a_chain_logs_the_catalog_before_its_first_act_and_not_again(cycle):
    [logged] = _catalogs(CHAIN)  # a whole demo year written, the catalog unchanged: once
    first = AuditEntry.objects.filter(chain=CHAIN).order_by("seq")[:3]
    assert [entry.action for entry in first] == [
        "record.key.register",
        "record.catalog",
        "org.cycle.create",
    ]
    assert logged.after == {"indicators": stats_selectors.computing_catalog()}
    rate = logged.after["indicators"]["clearance_rate"]
    assert (rate["kind"], rate["denominator"]) == ("rate", "social_order_cases")
    assert services.log_catalog() == 0  # every chain holds it already


def test_a_catalog_edited_in_the_admin_is_logged_in_every_chain_and_the_year_verifies(
    client_for, cycle
):
    rate = Indicator.objects.get(code="clearance_rate")
    other = Indicator.objects.get(code="social_order_offenders")
    chains = _own_chains()
    before = {chain: len(_catalogs(chain)) for chain in chains}
    admin = client_for("admin")
    url = f"/admin/stats/indicator/{rate.pk}/change/"
    changed = {**admin_form(admin, url), "denominator": str(other.pk), "active": "on"}
    response = admin.post(url, changed)
    assert response.status_code == 302, response.content.decode()[:2000]
    for chain in chains:  # each logged the new catalog once, in the admin's transaction
        assert len(_catalogs(chain)) == before[chain] + 1, chain
        last = _catalogs(chain)[-1].after["indicators"]["clearance_rate"]
        assert last["denominator"] == "social_order_offenders", chain
    assert verify(export_json(cycle("cum-2", 2020))) == []
    # the same form sent again changes nothing, and logs nothing
    admin.post(url, changed)
    assert {chain: len(_catalogs(chain)) for chain in chains} == {
        chain: count + 1 for chain, count in before.items()
    }


def test_a_chain_mirrored_from_a_laptop_keeps_the_laptops_catalog(cycle):
    AuditHead.objects.filter(chain=CHAIN).update(mirror=True)
    Indicator.objects.filter(code="clearance_rate").update(decimals=2)
    logged = services.log_catalog()
    assert logged == len(_own_chains())  # every other chain of this installation
    assert len(_catalogs(CHAIN)) == 1  # the laptop's chain: nothing written here
    assert _catalogs(CHAIN)[0].after["indicators"]["clearance_rate"]["decimals"] != 2


def test_a_retired_indicator_leaves_the_statistics_and_the_year_still_verifies(cycle):
    """An indicator made inactive (kept for its history) is no longer in the statistics the
    app computes; `verify` recomputes them the same way, from the catalog as logged."""
    Indicator.objects.filter(code="clearance_rate").update(active=False)
    assert services.log_catalog() == len(_own_chains())
    record = export_json(cycle("cum-2", 2020))
    assert "clearance_rate" not in record["statistics"]["total"]["values"]
    assert verify(record) == []
