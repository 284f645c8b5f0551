"""Each role's day on a 360 px phone (issue 19): signed in on the phone, the person finds their
"việc cần làm" on the home page under a compact header, and every task it lists opens a page
that fits the phone, its fields one per row with the label above."""

from __future__ import annotations

import pytest
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


@pytest.mark.parametrize("username", EVERY_ROLE)
def test_each_role_finds_its_tasks_and_each_task_fits_a_phone(visit_demo, username):
    person = visit_demo(username, SMALL_PHONE)
    page = person.page
    assert person.go("/").status == 200
    header = page.locator("header.topbar").bounding_box()
    assert header is not None
    assert header["height"] <= 120, header
    tasks = page.locator("ul.tasks li.task a")
    if username in BUSY:
        assert tasks.count() >= 1, f"{username} has nothing to do on the home page"
    else:
        idle = page.get_by_text("Không có việc nào đang chờ bạn.")
        assert tasks.count() >= 1 or idle.is_visible()
    _fits(page, "/")
    links = [tasks.nth(i).get_attribute("href") for i in range(min(tasks.count(), 4))]
    for href in links:
        response = person.go(href)
        assert response is not None
        assert response.status == 200, href
        _fits(page, href)
