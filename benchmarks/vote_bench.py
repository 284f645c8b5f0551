"""Casting as the hall's phones do it, against a bare one-INSERT endpoint, on one server.

Starts `thidua serve` (waitress, 8 threads) on 127.0.0.1 with the benchmark settings, on
PostgreSQL if THIDUA_DATABASE_URL says so (else a SQLite file in a temp dir, as on the
conference laptop). N phones (default 500) each sign in over HTTP with their check-in key
and their device key (the QR sign-in), then keep that connection open. Each round, all of
them at once cast a ballot in a newly opened poll — session cookie, CSRF token and the ballot
signed with the phone's Ed25519 key, through `/…/polls/<code>/cast/` — and, on the same
connections, send the very same requests to the bare endpoint (one INSERT; it reads neither
the cookies nor the form, so the load generator's share is alike). Prints the requests per
second and p50/p99 latency of both, and their ratio, measured in the same run (the median
round). A connection the server closed while idle (waitress's `channel_timeout`) is opened
again as a browser would, and counted; a request that still fails is an error (exit 1).

    createdb -h 127.0.0.1 -U postgres thidua_bench
    THIDUA_DATABASE_URL=postgres://postgres@127.0.0.1:5432/thidua_bench \\
        .venv/bin/python benchmarks/vote_bench.py
    .venv/bin/python benchmarks/vote_bench.py            # SQLite
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from goals import Goals  # benchmarks/goals.py (scripts run from their folder)

N = int(os.environ.get("BENCH_DELEGATES", "500"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
THREADS = os.environ.get("BENCH_THREADS", "8")  # as `thidua serve` by default
ROOT = Path(__file__).resolve().parent.parent
CYCLE = ("cum-2", 2020)
CHOICE = "lang-son"


def connect(port: int, tls: ssl.SSLContext | None = None) -> http.client.HTTPConnection:
    """A kept-alive connection to the server on `port`: over HTTPS when given the context that
    trusts its certificate (`hall_certificate`), as a phone that trusts the hall's."""
    if tls is None:
        return http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    return http.client.HTTPSConnection("127.0.0.1", port, timeout=300, context=tls)


def origin(port: int, tls: ssl.SSLContext | None = None) -> str:
    """The `Origin` a browser sends with a form it posts (Django's CSRF check compares it with
    the server's address, and over HTTPS refuses a POST without it or a Referer)."""
    return f"{'https' if tls else 'http'}://127.0.0.1:{port}"


def hall_certificate(folder: Path) -> tuple[Path, Path, ssl.SSLContext]:
    """A self-signed certificate for 127.0.0.1 made with openssl: the certificate, its key,
    and a client context that trusts it (and nothing else), as the hall's phones trust the
    hall's."""
    cert, key = folder / "hall.crt", folder / "hall.key"
    openssl = shutil.which("openssl")
    if openssl is None:
        raise SystemExit("the HTTPS run needs openssl, to make the hall's certificate")
    subprocess.run(  # noqa: S603 - openssl, our own arguments
        [openssl, "req", "-x509", "-newkey", "ec",
         "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key, ssl.create_default_context(cafile=str(cert))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare() -> list[tuple[str, str]]:
    """Migrate, load the demo, add and check in N delegates; their user names and keys."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)  # the pages name them
    from thidua.org.models import User, UserKind
    from thidua.voting import services
    from thidua.voting.models import Conference, Delegate
    from thidua.web.demo import load_demo

    load_demo()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_ping")
        cursor.execute(
            "CREATE TABLE bench_ping (id SERIAL PRIMARY KEY, payload TEXT)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE bench_ping (id INTEGER PRIMARY KEY AUTOINCREMENT, payload TEXT)"
        )
    conference = Conference.objects.get(cycle__cluster__code=CYCLE[0], cycle__year=CYCLE[1])
    secretary = User.objects.get(username="hagiang.thuky")
    keys = []
    for number in range(N):
        user, _ = User.objects.get_or_create(
            username=f"bench{number}",
            defaults={"kind": UserKind.DELEGATE, "unit_id": secretary.unit_id},
        )
        delegate = Delegate.objects.filter(conference=conference, user=user).first()
        if delegate is None:
            delegate = services.add_delegate(actor=secretary, conference=conference, user=user)
        if delegate.checked_in_at is None:
            key = services.check_in(actor=secretary, delegate=delegate)
        else:
            key = services.reissue_key(actor=secretary, delegate=delegate, reason="đo tốc độ")
        keys.append((user.username, key))
    return keys


def open_poll(number: int) -> str:
    """A new poll for the round, opened (its electorate: everyone checked in by now)."""
    from thidua.org.models import User
    from thidua.voting import services
    from thidua.voting.models import Conference

    conference = Conference.objects.get(cycle__cluster__code=CYCLE[0], cycle__year=CYCLE[1])
    code = f"do-toc-do-{int(time.time())}-{number}"
    poll = services.create_poll(
        actor=User.objects.get(username="hagiang.thuky"),
        conference=conference,
        code=code,
        title="Đo tốc độ",
        purpose="other",
        seats=1,
    )
    services.open_poll(actor=User.objects.get(username="laocai.daibieu"), poll=poll)
    return code


class Phone:
    """One delegate's phone: its device key, its cookies, one kept-alive connection."""

    def __init__(self, port: int, username: str, tls: ssl.SSLContext | None = None):
        from thidua.voting import devices

        self.username = username
        self.device = devices.Phone()
        self.port, self.tls = port, tls
        self.connection = connect(port, tls)
        self.origin = origin(port, tls)
        self.reconnected = 0  # connections the server had closed, opened again
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def _send(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Origin": self.origin,
        }
        data = None
        if body is not None:
            data = urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie, _, _ = value.partition(";")
                key, _, val = cookie.partition("=")
                self.cookies[key.strip()] = val.strip()
        return response.status, text

    def join(self, key: str) -> None:
        """The QR sign-in: the page, then its button, with the device key."""
        status, page = self._send("GET", f"/conference/join/{key}/")
        assert status == 200, (status, page[:300])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        status, _ = self._send(
            "POST",
            f"/conference/join/{key}/",
            {"csrfmiddlewaretoken": token, "device_key": self.device.public_key},
        )
        assert status == 302, status
        # signing in renews the CSRF token: the conference page the phone lands on has it
        status, page = self._send("GET", f"/clusters/{CYCLE[0]}/{CYCLE[1]}/conference/")
        assert status == 200, status
        self.csrf = re.search(r'data-csrf="([^"]+)"', page)[1]

    def cast_body(self, code: str) -> dict:
        from thidua.core.ballots import Ballot

        ballot = Ballot(choices=(CHOICE,))
        signature = self.device.sign(CYCLE[0], CYCLE[1], code, self.username, ballot)
        return {"csrfmiddlewaretoken": self.csrf, "choice": CHOICE, "signature": signature}

    def request(self, body: dict, signed_in: bool = True) -> tuple[dict, str]:
        """The headers and body a phone sends: its cookies and the form. The bare endpoint
        gets the same bytes but for the cookies' names (a delegate's session is kept to the
        conference's pages), so that both cost the load generator alike; it reads neither."""
        cookies = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {
            "Cookie": cookies if signed_in else cookies.replace("sessionid=", "unused_id="),
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
        }
        return headers, urlencode(body)

    def post(self, path: str, request: tuple[dict, str]) -> int:
        """Sends on the kept-alive connection; if the server has closed it meanwhile (waitress
        closes a connection idle for `channel_timeout`, 120 s — a hall's phones sit idle
        between polls), opens a new one and sends again, as a browser does. Any other failure
        is status 0, an error."""
        headers, data = request
        for attempt in (1, 2):
            try:
                self.connection.request("POST", path, body=data, headers=headers)
                response = self.connection.getresponse()
                response.read()
                return response.status
            except (ConnectionError, http.client.HTTPException, OSError):
                self.connection.close()
                if attempt == 2:
                    return 0
                self.reconnected += 1
                self.connection = connect(self.port, self.tls)
        return 0


def burst(phones: list[Phone], path: str, requests: list[tuple[dict, str]]):
    """Every phone sends at once on its open connection; the wall time, latencies, statuses."""
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    gate = threading.Barrier(len(phones) + 1)

    def one(phone: Phone, request: tuple[dict, str]) -> None:
        gate.wait()
        started = time.perf_counter()
        status = phone.post(path, request)
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append(elapsed)
            statuses.append(status)

    pairs = zip(phones, requests, strict=True)
    threads = [threading.Thread(target=one, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, statuses


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def line(label: str, wall: float, latencies: list[float]) -> str:
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    return f"{label:<12} {N / wall:7.1f} requests/s   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms"


def main() -> int:
    env = dict(os.environ)
    env.setdefault("THIDUA_VAR_DIR", tempfile.mkdtemp(prefix="thidua-vote-bench-"))
    env["DJANGO_SETTINGS_MODULE"] = "benchmarks.bench_settings"
    env["PYTHONPATH"] = str(ROOT)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    keys = prepare()
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own server, our own arguments
        [sys.executable, "-m", "thidua.cli", "serve", "--port", str(port), "--threads", THREADS],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    errors = 0
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        database = (
            "PostgreSQL"
            if "postgres" in env.get("THIDUA_DATABASE_URL", "")
            else "SQLite (file, WAL)"
        )
        phones = [Phone(port, username) for username, _key in keys]
        for phone, (_username, key) in zip(phones, keys, strict=True):
            phone.join(key)
        print(
            f"{N} phones signed in and holding their connections, waitress {THREADS} threads, "
            f"{database}; {ROUNDS} rounds"
        )
        rounds = []
        for number in range(ROUNDS):
            code = open_poll(number)
            bodies = [phone.cast_body(code) for phone in phones]
            pings = [
                phone.request(body, signed_in=False)
                for phone, body in zip(phones, bodies, strict=True)
            ]
            casts = [phone.request(body) for phone, body in zip(phones, bodies, strict=True)]
            bare = burst(phones, "/bench/insert/", pings)
            path = f"/clusters/{CYCLE[0]}/{CYCLE[1]}/conference/polls/{code}/cast/"
            cast = burst(phones, path, casts)
            wrong = [s for s in bare[2] if s != 201] + [s for s in cast[2] if s != 200]
            wrong += [0] * (2 * N - len(bare[2]) - len(cast[2]))  # a phone's thread that died
            if wrong:
                print(f"round {number + 1}: not 2xx: {sorted(set(wrong))}")
            errors += len(wrong)
            ratio = bare[0] / cast[0]  # casting's throughput over the bare endpoint's
            rounds.append((ratio, bare, cast))
            print(f"round {number + 1}: casting at {ratio:.0%} of the bare endpoint's rate")
        ratio, bare, cast = sorted(rounds, key=lambda item: item[0])[len(rounds) // 2]
        print("median round:")
        print(line("bare INSERT", bare[0], bare[1]))
        print(line("casting", cast[0], cast[1]))
        latency = statistics.median(cast[1]) / statistics.median(bare[1])
        print(
            f"casting / bare: throughput {ratio:.0%}, median latency {latency:.1f}×; "
            f"errors (not 2xx): {errors}; connections the server had closed, opened again: "
            f"{sum(phone.reconnected for phone in phones)}"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    goals = Goals()
    goals.at_least(f"casting / bare INSERT throughput on {database}", ratio, 0.5)
    return 1 if errors else goals.status()


if __name__ == "__main__":
    sys.exit(main())
