"""Browser tests: the real server (`thidua serve`, waitress) on its own database, driven by
Debian's Chromium through Playwright's Python API (never a downloaded browser).

The server runs in a separate process on a fresh database (SQLite file, or a `<name>_e2e`
PostgreSQL database when THIDUA_DATABASE_URL points to PostgreSQL), loaded with the demo
organisation but no year 2020 for Cụm II: the journey test walks that year from its start.
Screenshots go to var/screenshots/ (not committed).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from tests.conftest import migrated_database_url
from tests.servers import load_demo

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
PASSWORD = "thidua2020"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    return None


def pytest_collection_modifyitems(config, items):
    """Without Chromium or Playwright the browser tests are skipped with the reason — unless
    THIDUA_E2E_REQUIRED=1 (set by .ci/run), where a missing browser is a failure."""
    reason = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "Playwright's Python package is not installed"
    if _chromium() is None:
        reason = "Chromium is not installed (Debian: apt-get install chromium)"
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            if reason and os.environ.get("THIDUA_E2E_REQUIRED") != "1":
                item.add_marker(pytest.mark.skip(reason=reason))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, url: str, env: dict[str, str]):
        self.url = url
        self.env = env

    def thidua(self, *args: str) -> str:
        """Run a `thidua` command against the server's database (for checks, not shortcuts)."""
        done = subprocess.run(
            [sys.executable, "-m", "thidua.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout


@contextmanager
def _serving(tmp: Path, suffix: str, *demo: str):
    """The app on a fresh database loaded as by `thidua demo <demo…>`, served on a free
    port."""
    env = {
        **os.environ,
        "THIDUA_VAR_DIR": str(tmp),
        "THIDUA_DATABASE_URL": migrated_database_url(tmp, suffix),
        "THIDUA_SECRET_KEY": "e2e-" + "x" * 60,
        "DJANGO_SETTINGS_MODULE": "thidua.settings",
    }
    env.pop("THIDUA_DEBUG", None)
    run = [sys.executable, "-m", "thidua.cli"]
    env["THIDUA_STATIC_ROOT"] = str(settings.STATIC_ROOT)  # collected once for the run
    load_demo(env, *demo)  # into a database copied migrated: no `thidua migrate` needed
    port = _free_port()
    log = (tmp / "server.log").open("w")
    process = subprocess.Popen(
        [*run, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/accounts/login/", timeout=1)  # noqa: S310
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError((tmp / "server.log").read_text()) from None
            time.sleep(0.1)
    yield Server(url, env)
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The demo organisation, without Cụm II's year 2020 (the journey walks it)."""
    with _serving(tmp_path_factory.mktemp("e2e"), "e2e", "--organisation-only") as running:
        yield running


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """The whole demo: Cụm II's 2020 conference under way, its delegates checked in."""
    with _serving(tmp_path_factory.mktemp("e2e_demo"), "e2e_demo") as running:
        yield running


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visitor:
    """One person at one device: a signed-in browser context that refuses any request to a
    host other than the app (and remembers it, so the test can fail on it)."""

    def __init__(
        self,
        browser,
        server: Server,
        username: str | None,
        viewport: dict,
        javascript: bool = True,
    ):
        self.server = server
        self.username = username
        self.foreign: list[str] = []
        self.context = browser.new_context(
            viewport=viewport,
            locale="vi-VN",
            accept_downloads=True,
            is_mobile=viewport["width"] <= PHONE["width"],
            has_touch=viewport["width"] <= PHONE["width"],
            java_script_enabled=javascript,
        )
        self.context.route("**/*", self._only_the_app)
        self.page = self.context.new_page()
        self.blocked: list[str] = []  # what the Content-Security-Policy refused
        self.page.on(
            "console",
            lambda message: (
                self.blocked.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        if username:
            self.login(username)

    def _only_the_app(self, route):
        if route.request.url.startswith(self.server.url + "/"):
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def login(self, username: str) -> None:
        page = self.page
        page.goto(f"{self.server.url}/accounts/login/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{self.server.url}/")

    def go(self, path: str):
        response = self.page.goto(self.server.url + path)
        return response

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


def _visitors(browser, server):
    opened: list[Visitor] = []

    def make(username: str | None, viewport: dict = DESKTOP, javascript: bool = True) -> Visitor:
        visitor = Visitor(browser, server, username, viewport, javascript)
        opened.append(visitor)
        return visitor

    yield make
    foreign = [url for visitor in opened for url in visitor.foreign]
    blocked = [text for visitor in opened for text in visitor.blocked]
    for visitor in opened:
        visitor.close()
    assert not foreign, f"requests to other hosts: {foreign}"
    assert not blocked, f"refused by the Content-Security-Policy: {blocked}"


@pytest.fixture
def visit(browser, server):
    yield from _visitors(browser, server)


@pytest.fixture
def visit_demo(browser, demo_server):
    """`visit` on the whole demo's server."""
    yield from _visitors(browser, demo_server)


@pytest.fixture
def visit_own_demo(browser, tmp_path_factory):
    """`visit` on a whole demo served for this test alone: for a test whose delegates must
    meet no phone key that another test's browser registered on the shared demo (the server
    then refuses the new phone's ballot, rightly), and whose writes no later test should
    meet either."""
    with _serving(tmp_path_factory.mktemp("e2e_own"), "e2e_own") as running:
        yield from _visitors(browser, running)
