"""Each role's day on a desktop and on a 360 px phone (issue 19): signed in, the person finds
their "việc cần làm" on the home page, and every task it lists opens; on the phone under a
compact header, each page fits, its fields one per row with the label above. (The fixture
fails a test on any request to another host and on anything the Content-Security-Policy
refuses.)"""

from __future__ import annotations

import pytest
from tests.e2e.conftest import DESKTOP
from tests.e2e.test_phone_forms import FIELDS, SMALL_PHONE
from tests.e2e.test_screenshots import EVERY_ROLE

pytestmark = pytest.mark.e2e

#: Roles with work waiting in the demo: the home page must list at least one task for them.
BUSY = {"hagiang.thuky", "laocai.thuky", "laocai.daibieu"}


def _fits(page, where: str) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= SMALL_PHONE["width"], f"{where} scrolls sideways: {width} px"
    for field in page.evaluate(FIELDS):
        name = f"{where} {field['name']}"
        assert field["width"] >= 280, f"{name}: {field['width']} px wide"
        if field["labelBottom"] is not None:
            assert field["labelBottom"] <= field["top"] + 0.5, f"{name}: label beside the field"


@pytest.mark.parametrize("device", ["phone", "desktop"])
@pytest.mark.parametrize("username", EVERY_ROLE)
def test_each_role_finds_its_tasks_and_each_task_opens(visit_demo, username, device):
    phone = device == "phone"
    person = visit_demo(username, SMALL_PHONE if phone else DESKTOP)
    page = person.page
    assert person.go("/").status == 200
    header = page.locator("header.topbar").bounding_box()
    assert header is not None
    assert header["height"] <= 120 or not phone, header
    tasks = page.locator("ul.tasks li.task a")
    if username in BUSY:
        assert tasks.count() >= 1, f"{username} has nothing to do on the home page"
    else:
        idle = page.get_by_text("Không có việc nào đang chờ bạn.")
        assert tasks.count() >= 1 or idle.is_visible()
    if phone:
        _fits(page, "/")
    links = [tasks.nth(i).get_attribute("href") for i in range(min(tasks.count(), 4))]
    for href in links:
        response = person.go(href)
        assert response is not None
        assert response.status == 200, href
        if phone:
            _fits(page, href)
