"""Every page each role reaches, on a desktop and on a 360 px phone: a screenshot of each in
var/screenshots/<role>/ (`make screenshots` takes every role on both; the suite takes one role's
pages on the phone, to keep the machinery honest and the suite fast), and on the phone no page
scrolls sideways."""

from __future__ import annotations

import os
import re

import pytest
from django.urls import Resolver404, resolve
from tests.e2e.conftest import DESKTOP, SHOTS
from tests.web.crawl import followed

pytestmark = pytest.mark.e2e

SMALL_PHONE = {"width": 360, "height": 740}
EVERY_ROLE = (
    "admin",
    "quansat",
    "hagiang.thuky",
    "laocai.thuky",
    "laocai.daibieu",
    "sonla.canbo",
    "cantho.thuky",
)
EVERYTHING = os.environ.get("THIDUA_SCREENSHOTS") == "all"
# the suite: one role, one page per URL name, on the phone only
ROLES = EVERY_ROLE if EVERYTHING else ("hagiang.thuky",)


def _pages(visitor, per_route: int = 2) -> list[str]:
    """The role's pages, breadth first from the home page, a few per URL name."""
    seen, visits, found, queue = set(), {}, [], ["/"]
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        try:
            route = resolve(path.split("?")[0]).view_name
        except Resolver404:
            continue
        if visits.get(route, 0) >= per_route:
            continue
        visits[route] = visits.get(route, 0) + 1
        response = visitor.go(path)
        if response is None or response.status != 200:
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        found.append(path)
        hrefs = visitor.page.eval_on_selector_all(
            "a[href]", "links => links.map(link => link.getAttribute('href'))"
        )
        queue += [path for path in map(followed, hrefs) if path]
    return found


def _name(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_the_role_pictured_and_none_scrolls_sideways_on_a_phone(visit_demo, username):
    desktop = visit_demo(username, DESKTOP)
    pages = _pages(desktop, per_route=2 if EVERYTHING else 1)
    assert len(pages) >= 15, pages
    phone = visit_demo(username, SMALL_PHONE)
    wide = {}
    for path in pages:
        if EVERYTHING:
            desktop.go(path)
            desktop.shot(f"{username}/desktop/{_name(path)}")
        phone.go(path)
        phone.shot(f"{username}/phone/{_name(path)}")
        width = phone.page.evaluate("document.scrollingElement.scrollWidth")
        if width > SMALL_PHONE["width"]:
            wide[path] = width
    assert wide == {}, "pages wider than a 360 px phone (path: width in px)"
    assert (SHOTS / username / "phone" / "home.png").exists()
