"""The Django admin: for the app's admins only, and a constant number of queries per page."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.org.admin_forms import admin_form
from thidua.audit.models import AuditEntry
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


# --- every edit in the admin site is in the installation's audit chain -------------------


def _installation_entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(chain="", action=action).order_by("seq"))


def test_an_admin_edit_is_an_audit_entry_with_what_changed(admin_client, units):
    unit = units["lao-cai"]
    url = f"/admin/org/unit/{unit.pk}/change/"
    response = admin_client.post(url, {**admin_form(admin_client, url), "short_name": "Đổi tên"})
    assert response.status_code == 302, response.content.decode()[:2000]
    [entry] = _installation_entries("admin.change")
    assert (entry.actor, entry.object_type, entry.object_id) == ("admin", "org.unit", str(unit.pk))
    assert entry.before == {"short_name": unit.short_name}
    assert entry.after == {"short_name": "Đổi tên"}
    assert entry.hash
    assert entry.prev_hash


def test_a_refused_admin_form_writes_no_entry(admin_client, units):
    unit = units["lao-cai"]
    url = f"/admin/org/unit/{unit.pk}/change/"
    response = admin_client.post(url, {**admin_form(admin_client, url), "short_name": ""})
    assert response.status_code == 200  # the form again, with its error
    assert not _installation_entries("admin.change")
    unit.refresh_from_db()
    assert unit.short_name != ""


def test_admin_additions_and_deletions_are_audit_entries(admin_client):
    response = admin_client.post(
        "/admin/org/cluster/add/",
        {
            "code": "cum-thu",
            "name": "Cụm thi đua thử",
            "parent_body": "Bộ Công an",
            "movement": "Vì an ninh Tổ quốc",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    cluster = Cluster.objects.get(code="cum-thu")
    [added] = _installation_entries("admin.add")
    assert added.object_type == "org.cluster"
    assert added.before is None
    assert added.after["code"] == "cum-thu"
    assert added.after["name"] == "Cụm thi đua thử"
    response = admin_client.post(
        "/admin/org/cluster/",
        {"action": "delete_selected", "_selected_action": [cluster.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Cluster.objects.filter(code="cum-thu").exists()
    [deleted] = _installation_entries("admin.delete")
    assert deleted.object_id == str(cluster.pk)
    assert deleted.before["code"] == "cum-thu"
    assert deleted.after is None


def test_a_password_set_in_the_admin_is_recorded_without_the_secret(admin_client, get_user):
    officer = get_user("sonla.canbo")
    password = "Mật-khẩu-mới-2026!"
    response = admin_client.post(
        f"/admin/org/user/{officer.pk}/password/",
        {"password1": password, "password2": password, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    officer.refresh_from_db()
    assert officer.check_password(password)
    [entry] = _installation_entries("admin.change")
    assert entry.object_type == "org.user"
    assert entry.object_id == str(officer.pk)
    stored = str(entry.before) + str(entry.after)
    assert password not in stored
    assert officer.password not in stored
    assert "password" not in (entry.before or {})
