"""The Django admin: for the app's admins only, and a constant number of queries per page."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thidua.org.models import Cluster, Cycle, Handover, PhaseEvent, Unit, User

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    """The queries of a page seen a second time (the first visit fills caches)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.fixture
def admin_client(client_for):
    return client_for("admin")


def test_the_user_list_does_not_query_per_row(admin_client):
    before = queries(admin_client, "/admin/org/user/")
    units = list(Unit.objects.filter(valid_to__isnull=True)[:20])
    User.objects.bulk_create(
        User(username=f"them.{n}", kind="officer", unit=unit) for n, unit in enumerate(units)
    )
    assert queries(admin_client, "/admin/org/user/") == before


def test_the_handover_and_cycle_lists_do_not_query_per_row(admin_client, get_user):
    cluster, units = Cluster.objects.get(code="cum-1"), list(Unit.objects.all()[:6])
    counts = {
        url: queries(admin_client, url) for url in ("/admin/org/handover/", "/admin/org/cycle/")
    }
    for number, year in enumerate(range(2030, 2035)):
        Handover.objects.create(
            cluster=cluster,
            year=year,
            leader=units[number],
            deputy=units[number + 1],
            method="assigned",
            recorded_by=get_user("admin"),
        )
    rule_set = Cycle.objects.first().rule_set
    Cycle.objects.bulk_create(
        Cycle(
            cluster=cluster,
            year=year,
            title="x",
            rule_set=rule_set,
            leader=units[number],
            deputy=units[number + 1],
        )
        for number, year in enumerate(range(2030, 2035))
    )
    for url, count in counts.items():
        assert queries(admin_client, url) == count, url


def test_the_cycle_page_does_not_query_per_phase_event(admin_client, cycle, get_user):
    current = cycle("cum-2", 2021)
    url = f"/admin/org/cycle/{current.pk}/change/"
    before = queries(admin_client, url)
    PhaseEvent.objects.bulk_create(
        PhaseEvent(cycle=current, phase="planning", action="reopen", actor=get_user(name))
        for name in ("admin", "laocai.thuky", "hagiang.thuky", "sonla.thuky")
    )
    assert queries(admin_client, url) == before


def test_staff_status_without_the_admin_role_opens_no_admin_page(client_for, get_user):
    officer = get_user("sonla.canbo")
    officer.is_staff = True
    officer.save()
    officer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_unit", "change_unit"])
    )
    client = client_for("sonla.canbo")
    for url in ("/admin/", "/admin/org/unit/", f"/admin/org/unit/{officer.unit_id}/change/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
    response = client.post(f"/admin/org/unit/{officer.unit_id}/change/", {"name": "Đổi tên"})
    assert response.status_code == 302
    assert Unit.objects.get(pk=officer.unit_id).name == "Công an tỉnh Sơn La"
    # The ministry's admins (kind admin, or superusers) still get in.
    assert client_for("admin").get("/admin/org/unit/").status_code == 200
    minister = User.objects.create(username="bo.quantri", kind="admin", is_staff=True)
    minister.user_permissions.add(*Permission.objects.filter(codename="view_unit"))
    client = client_for("bo.quantri")
    assert client.get("/admin/org/unit/").status_code == 200
