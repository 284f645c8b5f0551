"""Anonymous visitors reach nothing but the login page; every route is covered."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

SAMPLE_KWARGS = {
    "code": "cum-2",
    "year": "2020",
    "phase": "planning",
    "action": "close",
    "pk": "1",
    "cluster": "cum-2",
}
# The login page, the language switch, and a conference QR link (refused without a valid key).
OPEN_TO_ANONYMOUS = {
    "login",
    "set_language",
    "admin:login",
    "conference_join",
    "conference_join_code",
    "about",  # the installation key's fingerprint is public: delegates compare it on paper
}


def routes(resolver=None, prefix="", namespace=""):
    """Every URL pattern of the site with a sample path, as (name, path)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner_ns = namespace
            if entry.namespace:
                inner_ns = f"{namespace}{entry.namespace}:"
            yield from routes(entry, prefix + str(entry.pattern), inner_ns)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            # every <converter:name>, the include's (clusters/<code>/<year>/) as well
            path = re.sub(
                r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE_KWARGS.get(m[1], "1"), "/" + pattern
            )
            if "^" in path or "(?P" in path:  # a regex route of the admin
                continue
            yield f"{namespace}{entry.name}", path


def site_routes():
    return [(name, path) for name, path in routes() if not path.startswith("/api/")]


def test_route_listing_sees_the_pages():
    names = {name for name, _ in site_routes()}
    assert {"home", "cluster", "cycle", "unit", "phase_action"} <= names


@pytest.mark.parametrize(("name", "path"), site_routes())
def test_anonymous_is_sent_to_login(name, path):
    client = Client()
    for method in (client.get, client.post):
        response = method(path)
        if name == "calendar_feed":  # the key in the address signs in; an unknown one: 404
            assert response.status_code in (404, 405)
            assert "_auth_user_id" not in client.session
            continue
        if name in OPEN_TO_ANONYMOUS or (name.startswith("admin:") and "login" in path):
            assert response.status_code in (200, 302, 403, 405)
            assert "_auth_user_id" not in client.session
            continue
        assert response.status_code == 302, (name, path, response.status_code)
        location = response["Location"]
        assert location.startswith("/accounts/login/") or location.startswith("/admin/login/"), (
            name,
            location,
        )


def api_routes():
    return [(name, path) for name, path in routes() if path.startswith("/api/")]


@pytest.mark.parametrize(("name", "path"), api_routes())
def test_anonymous_gets_nothing_from_the_api(name, path):
    client = Client()
    path = path.replace("<cluster>", "cum-2").replace("<year>", "2020")
    for method in (client.get, client.post):
        response = method(path, content_type="application/json")
        if name.endswith("openapi-json") or name.endswith("openapi-view"):
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")
        else:
            expected = (404,) if name == "api:api-root" else (401, 405)
            assert response.status_code in expected, (name, path, response.status_code)


def test_login_page_is_vietnamese():
    response = Client().get("/accounts/login/")
    text = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in text
    assert "Đăng nhập" in text
    assert "Tên đăng nhập" in text
    assert "Mật khẩu" in text


def test_static_files_are_served_without_login():
    response = Client().get("/accounts/login/")
    css = next(
        part.split('"')[0]
        for part in response.content.decode().split('href="')
        if part.startswith("/static/") and ".css" in part.split('"')[0]
    )
    assert css.startswith("/static/thidua/app.")  # hashed name from the manifest
