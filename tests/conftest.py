"""Shared fixtures: the demo organisation loaded once into the test database."""

import atexit
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import call_command
from django.test import Client


def pytest_configure(config):
    _cheap_argon2()
    _static_files_scanned_once()


def _cheap_argon2():
    """Passwords are still hashed with Argon2 (the settings' first hasher, as in production:
    `test_passwords_are_hashed_with_argon2`, and `tests/test_settings.py` in a fresh process),
    at its smallest cost in this process: the production cost (100 MiB, about 0,3 s a hash)
    made loading the demo's 64 accounts a third of every run's start, and each sign-in by
    password as slow. A hash records its own cost, so one made here is checked anywhere."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    Argon2PasswordHasher.time_cost = 1
    Argon2PasswordHasher.memory_cost = 64  # KiB: 8 per lane, the least Argon2 takes
    Argon2PasswordHasher.parallelism = 1


def _static_files_scanned_once():
    """WhiteNoise reads every collected static file (stat, compressed variants, headers) when
    its middleware is made: once per process on a server, but once per `Client` in the tests
    (a new handler each), a fifth of a second each of thousands of times. Here a scan is kept
    for the run and reused by the next middleware with the same directory and options; a new
    collection (the manifest rewritten, as `thidua static` does) scans again."""
    from whitenoise.base import WhiteNoise

    scan = WhiteNoise.update_files_dictionary
    scans: dict = {}

    def update_files_dictionary(self, root, prefix):
        manifest = Path(root, "staticfiles.json")
        key = (
            type(self),
            root,
            prefix,
            manifest.stat().st_mtime_ns if manifest.exists() else None,
            self.max_age,
            self.allow_all_origins,
            self.charset,
            self.index_file,
            self.add_headers_function,
            getattr(self.immutable_file_test, "__func__", self.immutable_file_test),
            getattr(self, "static_prefix", None),
            tuple(sorted(self.media_types.types_map.items())),
        )
        if key not in scans:
            before = dict(self.files)
            scan(self, root, prefix)
            scans[key] = {
                url: file for url, file in self.files.items() if before.get(url) is not file
            }
        self.files.update(scans[key])

    WhiteNoise.update_files_dictionary = update_files_dictionary


@pytest.fixture(scope="session", autouse=True)
def _collected_static_files():
    """Pages use the production static storage (hashed names), which needs the files
    collected (`thidua static`: again whenever a source changed, so a new file is in the
    manifest; otherwise nothing is redone). The workers of a parallel run (pytest-xdist)
    share var/static: one collects while the others wait, then find nothing to redo."""
    import fcntl

    from django.conf import settings

    root = Path(settings.STATIC_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with (root.parent / ".static.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        call_command("static", verbosity=0)


@pytest.fixture(autouse=True)
def _vietnamese_first():
    """Each test starts in the default language: a request in English activates English for
    the thread, which would otherwise leak into the next test's messages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo organisation once; each test runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        _load_demo()


def _load_demo() -> None:
    """The demo without Cụm II's 2025 (most tests were written for 2021 as its latest year;
    those about 2025 load it, `year_2025`), and each record's documents kept for this version
    (`record.export._documents`: most of an export's time), as most record tests export a
    year as the demo left it. Nothing else is kept: a test that changes rows under the app
    (an `update()`) finds every page computed from them."""
    from thidua.audit.models import PageCache
    from thidua.org.models import Cycle
    from thidua.record.export import export
    from thidua.web.demo import load_demo

    load_demo(year_2025=False)
    for cycle in Cycle.objects.filter(conference__held_on__isnull=False):
        export(cycle)
    PageCache.objects.exclude(key__startswith="thidua:record.documents:").delete()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends with the database flushed. pytest-django runs those after
    every other database test, but a parallel run (pytest-xdist) hands each worker whole
    files, a transactional test among the others: there the next test would find no demo. So
    the database is brought back as `django_db_setup` left it: the state after the
    migrations (serialized when the database was made), then the demo."""
    result = yield
    marker = item.get_closest_marker("django_db")
    flushed = (marker is not None and marker.kwargs.get("transaction")) or (
        "transactional_db" in getattr(item, "fixturenames", ())
    )
    if flushed and nextitem is not None and os.environ.get("PYTEST_XDIST_WORKER"):
        from django.db import connection
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
            _load_demo()
    return result


@pytest.fixture
def year_2025(db):
    """The demo's Cụm II 2025, across the merger of 1 July 2025 (thidua.web.demo.load_2025)."""
    from thidua.org.models import Cycle
    from thidua.web.demo import load_2025

    load_2025()
    return Cycle.objects.get(cluster__code="cum-2", year=2025)


@pytest.fixture
def retime_conference(get_user):
    """`retime(year, starts_at, ends_at)`: the times the minutes print for a year's
    conference, set by its leader's secretary through the service (an audited write), with
    its date, place, agenda, chair and secretary as they were."""
    from thidua.voting import services as voting_services

    def retime(year, starts_at, ends_at) -> None:
        conference = year.conference
        voting_services.open_conference(
            actor=get_user("hagiang.thuky"),
            cycle=year,
            held_on=conference.held_on,
            starts_at=starts_at,
            ends_at=ends_at,
            place=conference.place,
            agenda=conference.agenda,
            chair_name=conference.chair_name,
            secretary_name=conference.secretary_name,
        )

    return retime


@pytest.fixture
def get_user(db):
    from thidua.org.models import User

    return lambda username: User.objects.get(username=username)


@pytest.fixture
def client_for(get_user):
    """A browser session signed in as the demo user `username`."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(get_user(username))
        return client

    return make


@pytest.fixture
def api_as(get_user):
    """An API client holding a fresh token (every scope) of the demo user `username`."""

    def make(username: str) -> Client:
        from thidua.core.policy import TOKEN_SCOPES
        from thidua.org import services

        _token, key = services.create_api_token(
            actor=get_user(username), name="test", scopes=TOKEN_SCOPES
        )
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


@pytest.fixture
def units(db):
    from thidua.org.models import Unit

    class Units:
        def __getitem__(self, code):
            return Unit.objects.get(code=code)

    return Units()


@pytest.fixture
def cycle(db):
    from thidua.org.models import Cycle

    return lambda cluster, year: Cycle.objects.get(cluster__code=cluster, year=year)


@pytest.fixture
def reporting_cycle(cycle, get_user):
    """Cụm II 2021 (led by Lào Cai) with its reporting phase open."""
    from thidua.core.phases import Phase
    from thidua.org import services

    secretary = get_user("laocai.thuky")
    current = cycle("cum-2", 2021)
    for phase, following in [(Phase.PLANNING, Phase.AGREEMENT), (Phase.AGREEMENT, Phase.REPORTING)]:
        current = services.close_phase(actor=secretary, cycle=current, phase=phase)
        current = services.open_phase(actor=secretary, cycle=current, phase=following)
    return current


@pytest.fixture
def scoring_2021(cycle, get_user):
    """Cụm II 2021 with last year's agreement copied, signed, and its scoring phase open."""
    from thidua.core.phases import Phase
    from thidua.org import services as org_services
    from thidua.org.authz import SYSTEM
    from thidua.scoring import services

    secretary = get_user("laocai.thuky")
    current = cycle("cum-2", 2021)
    services.copy_agreement(actor=secretary, cycle=current, source=cycle("cum-2", 2020))
    for unit in current.members.all():
        services.confirm_agreement(actor=SYSTEM, cycle=current, unit=unit)
    services.sign_agreement(actor=secretary, cycle=current)
    current = cycle("cum-2", 2021)
    for phase, following in [(Phase.AGREEMENT, Phase.REPORTING), (Phase.REPORTING, Phase.SCORING)]:
        current = org_services.close_phase(actor=secretary, cycle=current, phase=phase)
        current = org_services.open_phase(actor=secretary, cycle=current, phase=following)
    return current


def scratch_database_url(tmp: Path, suffix: str) -> str:
    """A fresh, empty database for a `thidua` process of its own: a SQLite file under `tmp`,
    or `<name>_<suffix>` beside the PostgreSQL database THIDUA_DATABASE_URL names."""
    url = os.environ.get("THIDUA_DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'thidua.sqlite3'}"
    return _fresh_postgresql(url, suffix)


#: by database URL: the database each test process migrated once, which the copies copy
_MIGRATED: dict[str, str] = {}


def migrated_database_url(tmp: Path, suffix: str) -> str:
    """As `scratch_database_url`, with every migration already applied (a `thidua migrate`
    then finds nothing to do): a copy of a database migrated once per test process, since
    migrating from nothing costs a process about 7 s of CPU (more on PostgreSQL), for each
    round trip."""
    url = os.environ.get("THIDUA_DATABASE_URL", "")
    if url.startswith("postgres"):
        return _migrated_postgresql(url, suffix)
    template = _migrated(url, lambda where: scratch_database_url(where, "migrated"))
    copy_url = scratch_database_url(tmp, suffix)
    # SQLite's backup copies the pages whatever is still in the write-ahead log
    with (
        closing(sqlite3.connect(template.removeprefix("sqlite:///"))) as source,
        closing(sqlite3.connect(copy_url.removeprefix("sqlite:///"))) as copy,
    ):
        source.backup(copy)
    return copy_url


def _migrated_postgresql(url: str, suffix: str) -> str:
    """A PostgreSQL database beside `url`, made from the one migrated once (its TEMPLATE)."""
    template = _migrated(url, lambda _where: _fresh_postgresql(url, "migrated"))
    return _fresh_postgresql(url, suffix, template=urlsplit(template).path.lstrip("/"))


def _migrated(key: str, fresh) -> str:
    """The URL of the database this process migrated for `key`, made by `fresh(folder)` and
    `thidua migrate` the first time."""
    if key not in _MIGRATED:
        where = Path(tempfile.mkdtemp(prefix="thidua-migrated-"))
        atexit.register(shutil.rmtree, where, ignore_errors=True)
        template = fresh(where)
        done = subprocess.run(
            [sys.executable, "-m", "thidua.cli", "migrate", "--noinput", "-v0"],
            env={**os.environ, "THIDUA_VAR_DIR": str(where), "THIDUA_DATABASE_URL": template},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        _MIGRATED[key] = template
    return _MIGRATED[key]


#: The PostgreSQL server a Ministry server's tests use when the suite itself runs on SQLite
#: (a record made on a SQLite laptop goes to a PostgreSQL server); their databases are named
#: `sqlite_suite_<suffix>`, not as the PostgreSQL run's (`test_<suffix>`): CI runs both at once.
LOCAL_POSTGRESQL = "postgres://postgres@127.0.0.1:5432/sqlite_suite"


def server_database_url(suffix: str, *, migrated: bool = False) -> str:
    """A fresh, empty PostgreSQL database for a Ministry server of its own: beside the one
    THIDUA_DATABASE_URL names, or on this machine's server; the test is skipped, saying so,
    where no PostgreSQL answers. `migrated`: with every migration applied, as
    `migrated_database_url`."""
    url = os.environ.get("THIDUA_DATABASE_URL", "")
    url = url if url.startswith("postgres") else LOCAL_POSTGRESQL
    import psycopg

    try:
        psycopg.connect(
            urlunsplit(urlsplit(url)._replace(path="/postgres")), connect_timeout=3
        ).close()
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL server answers for the Ministry server's database")
    return _migrated_postgresql(url, suffix) if migrated else _fresh_postgresql(url, suffix)


def _fresh_postgresql(url: str, suffix: str, template: str | None = None) -> str:
    """`<name>_<suffix>`, and the pytest-xdist worker's name after it (`_gw1`): two workers
    never share a scratch database."""
    import psycopg

    parts = urlsplit(url)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    name = "_".join(filter(None, [parts.path.lstrip("/"), suffix, worker]))
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(
            f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        )
    return urlunsplit(parts._replace(path=f"/{name}"))


# --- figures for docs/reliability.md, written by a full run on PostgreSQL ------------------

RELIABILITY: dict = {
    "matrix": {"passed": 0, "failed": 0},
    "crash": {},
    "fuzz": {},
    "burst": {},
    "hall": {},
    "devices": {},
}


@pytest.fixture
def crash_report() -> dict:
    return RELIABILITY["crash"]


@pytest.fixture
def fuzz_report() -> dict:
    return RELIABILITY["fuzz"]


@pytest.fixture
def burst_report() -> dict:
    return RELIABILITY["burst"]


@pytest.fixture
def hall_report() -> dict:
    return RELIABILITY["hall"]


@pytest.fixture
def devices_report() -> dict:
    return RELIABILITY["devices"]


def pytest_runtest_logreport(report):
    if report.when == "call" and "test_the_permission_matrix" in report.nodeid:
        RELIABILITY["matrix"]["passed" if report.passed else "failed"] += 1


def pytest_sessionfinish(session, exitstatus):
    """Write docs/reliability.md when the run covered everything it reports (the full suite
    on PostgreSQL, where the crash test runs) and passed."""
    from tests.reliability import complete, write

    if exitstatus == 0 and complete(RELIABILITY):
        write(RELIABILITY)
