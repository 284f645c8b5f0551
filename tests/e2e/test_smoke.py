"""The browser harness itself, and refusals seen from a browser."""

import pytest
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.e2e


def test_home_in_vietnamese_on_desktop_and_phone(visit):
    admin = visit("admin")
    assert admin.page.get_by_role("heading", name="Xin chào").is_visible()
    admin.shot("00-home-admin-desktop")
    phone = visit("sonla.canbo", PHONE)
    assert "Xin chào" in phone.page.content()
    phone.shot("00-home-officer-phone")


def test_an_officer_cannot_use_another_units_form_by_url(visit):
    """Another member's report can be read (the cluster table shows it anyway) but the page
    offers no form, and a forged post is refused."""
    officer = visit("hanoi.canbo")
    path = "/clusters/cum-1/2020/stats/ho-chi-minh/"
    assert officer.go(path).status == 200
    assert officer.page.locator("form button[value=submit]").count() == 0
    token = next(c["value"] for c in officer.context.cookies() if c["name"] == "csrftoken")
    forged = officer.page.request.post(
        officer.server.url + path,
        form={"csrfmiddlewaretoken": token, "action": "submit", "social_order_cases": "1"},
        headers={"Referer": officer.server.url + path},
    )
    assert forged.status == 403
    assert "không có quyền" in forged.text()
    officer.go("/clusters/cum-1/2020/edit/")
    assert "không có quyền" in officer.page.content()
    officer.shot("00-refused-edit-cycle")
