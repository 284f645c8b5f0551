"""Web security defaults: the Content-Security-Policy, cookies, passwords, no secret in git."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/api/openapi.json"])
def test_every_response_carries_a_strict_content_security_policy(client_for, path):
    response = client_for("sonla.canbo").get(path)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_pages_carry_no_inline_code(client_for):
    """What the policy would refuse is not there in the first place."""
    client = client_for("hagiang.thuky")
    for path in (
        "/",
        "/clusters/cum-2/2020/",
        "/clusters/cum-2/2020/dashboard/",
        "/clusters/cum-2/2020/stats/",
        "/clusters/cum-2/2020/conference/",
        "/clusters/cum-2/2020/results/",
    ):
        page = client.get(path).content.decode()
        inline = re.findall(r"<script(?![^>]*(\bsrc=|type=\"application/json\"))[^>]*>", page)
        assert not inline, (path, inline)
        assert not re.search(r"\son[a-z]+=\"", page), path  # no onclick= and the like
        assert ' style="' not in page, path


def test_no_template_has_an_inline_event_handler():
    """The policy refuses inline handlers (onchange=…): in a template no page list reaches,
    one would only fail in the browser, silently. Every template is read."""
    package = Path(settings.PACKAGE_DIR)
    templates = list(package.glob("*/templates/**/*.html"))
    assert len(templates) > 50  # the glob finds the templates
    found = {
        str(path.relative_to(package)): handlers
        for path in templates
        if (handlers := re.findall(r"\son[a-z]+=[\"']", path.read_text()))
    }
    assert found == {}


def test_passwords_are_hashed_with_argon2(get_user):
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert get_user("sonla.canbo").password.startswith("argon2")


def test_sessions_expire_and_cookies_are_not_for_scripts():
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.CSRF_COOKIE_HTTPONLY


def test_login_is_throttled_after_five_failures():
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "sonla.canbo", "password": "sai"})
    refused = client.post("/accounts/login/", {"username": "sonla.canbo", "password": "thidua2020"})
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_no_secret_is_committed():
    files = subprocess.run(
        [shutil.which("git") or "git", "ls-files"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert not [name for name in files if name.startswith("var/") or name.endswith("secret_key")]
    pattern = re.compile(r"(SECRET_KEY\s*=\s*['\"][^'\"]{8,}|BEGIN [A-Z ]*PRIVATE KEY)")
    for name in files:
        if name.startswith("tests/"):  # the tests set made-up keys on purpose
            continue
        path = ROOT / name
        if path.suffix in {".py", ".toml", ".cfg", ".env", ".json", ".md", ".txt", ""}:
            text = path.read_text(errors="ignore") if path.is_file() else ""
            assert not pattern.search(text), name


def test_a_refusal_is_logged_in_one_line_without_a_traceback(client_for, caplog):
    response = client_for("hagiang.canbo").get("/clusters/cum-2/2020/audit/")
    assert response.status_code == 403
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in refusals] == [
        "Forbidden (Permission denied): /clusters/cum-2/2020/audit/"
    ]
    assert refusals[0].exc_info is None
