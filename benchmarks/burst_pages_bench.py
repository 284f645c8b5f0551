"""Pages while the hall casts: the conference page, the hall's screen and the results page,
loaded again and again by one client while 200 phones cast at once, on one server.

Starts `thidua serve` as vote_bench.py does (8 threads for the casts), on a SQLite file in a
temp dir (the conference laptop; PostgreSQL if THIDUA_DATABASE_URL says so), twice: over HTTP
(waitress), then over HTTPS (cheroot, with a certificate made here for 127.0.0.1 that the
clients trust, and THIDUA_HTTPS=1) — the two ways the README runs a hall. 200 phones sign in
with their check-in and device keys and hold their connections; the demo's leader secretary
signs in with a password on another connection. Each round opens a new poll; all phones cast
at once (vote_bench's burst) while the secretary loads the three pages in turn, one request
after the other, each round starting with the next page. A page load counts when it started
while the round's casts were in flight (a burst lasts about a second: one to three loads a
round, hence 20 rounds).
The same pages are first loaded with no cast going on, in the same run (printed as the idle
baseline).

Issue 18's goal: ≤ 500 ms p95 for these pages while casting, on both servers. It is a wait a
person feels in the hall, so it stays in milliseconds: the goal line is p95 / 500 ms ≤ 1 (the
idle baseline beside it says how much of that is the burst).

    .venv/bin/python benchmarks/burst_pages_bench.py     # SQLite, as on the laptop
"""

from __future__ import annotations

import os
import re
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

os.environ.setdefault("BENCH_DELEGATES", "200")  # vote_bench reads it when imported
import vote_bench as vb  # benchmarks/vote_bench.py (scripts run from their folder)
from goals import Goals

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))  # a few page loads fall in each burst
GOAL_MS = 500.0
BASE = f"/clusters/{vb.CYCLE[0]}/{vb.CYCLE[1]}/"
PAGES = {"conference": "conference/", "screen": "conference/screen/", "results": "results/"}
READER = ("hagiang.thuky", "thidua2020")  # the demo's leader secretary, running the hall


class Reader:
    """A browser signed in with a password, on its own kept-alive connection."""

    def __init__(self, port: int, tls: ssl.SSLContext | None = None):
        self.connection = vb.connect(port, tls)
        self.origin = vb.origin(port, tls)
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Origin": self.origin,
        }
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, val = value.partition(";")[0].partition("=")
                self.cookies[key.strip()] = val.strip()
        return response.status, text

    def sign_in(self) -> None:
        status, page = self.send("GET", "/accounts/login/")
        assert status == 200, status
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        username, password = READER
        form = {"csrfmiddlewaretoken": token, "username": username, "password": password}
        status, _ = self.send("POST", "/accounts/login/", form)
        assert status == 302, status

    def load(self, page: str) -> float:
        started = time.perf_counter()
        status, _ = self.send("GET", BASE + PAGES[page])
        elapsed = time.perf_counter() - started
        assert status == 200, (page, status)
        return elapsed


def read_during(
    reader: Reader, done: threading.Event, first: int
) -> dict[str, list[tuple[float, float]]]:
    """Loads the pages in turn until `done`, from the `first`-th page on (each round starts
    with another: the first load meets the most casts queued ahead of it): each load's start
    and duration."""
    times: dict[str, list[tuple[float, float]]] = {page: [] for page in PAGES}
    order = list(PAGES)[first:] + list(PAGES)[:first]
    while not done.is_set():
        for page in order:
            started = time.perf_counter()
            times[page].append((started, reader.load(page)))
    return times


def serve(env: dict, port: int, tls: tuple | None) -> subprocess.Popen:
    """`thidua serve` as a hall runs it: waitress over HTTP, or cheroot over HTTPS with the
    hall's certificate and THIDUA_HTTPS=1 (as the README says); back once it listens."""
    command = [sys.executable, "-m", "thidua.cli", "serve", "--port", str(port)]
    command += ["--threads", vb.THREADS]
    if tls is not None:
        cert, key = tls
        command += ["--certfile", str(cert), "--keyfile", str(key)]
        env = {**env, "THIDUA_HTTPS": "1"}
    server = subprocess.Popen(  # noqa: S603 - our own server, our own arguments
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(300):
        try:
            vb.socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return server


def measure(env: dict, transport: str, tls) -> tuple[dict[str, list[float]], int]:
    """The page loads started during the bursts, on a server of its own over `transport`
    ("HTTP" or "HTTPS", `tls` then the certificate, its key and a context that trusts it);
    and how many casts or loads failed."""
    keys = vb.prepare()  # each delegate's check-in key (again: a key signs in once)
    port = vb.free_port()
    server = serve(env, port, tls[:2] if tls else None)
    context = tls[2] if tls else None
    errors = 0
    try:
        phones = [vb.Phone(port, username, context) for username, _key in keys]
        for phone, (_username, key) in zip(phones, keys, strict=True):
            phone.join(key)
        reader = Reader(port, context)
        reader.sign_in()
        for page in PAGES:
            reader.load(page)  # templates compiled, this version's pages cached
        idle = {page: statistics.median(reader.load(page) for _ in range(10)) for page in PAGES}
        print(
            f"\n{transport}: {vb.N} phones signed in, {vb.THREADS} threads for the casts, "
            f"{database(env)}; {ROUNDS} rounds; idle (median of 10): "
            + ", ".join(f"{page} {t * 1000:.0f} ms" for page, t in idle.items())
        )
        during: dict[str, list[float]] = {page: [] for page in PAGES}
        for number in range(ROUNDS):
            code = vb.open_poll(number)
            # opening the poll is a write: the first loads after it compute the pages again
            cold = {page: reader.load(page) for page in PAGES}
            casts = [phone.request(phone.cast_body(code)) for phone in phones]
            path = f"{BASE}conference/polls/{code}/cast/"
            done = threading.Event()
            found: dict[str, dict] = {}
            first = number % len(PAGES)

            def read(found=found, done=done, first=first) -> None:
                found["times"] = read_during(reader, done, first)

            thread = threading.Thread(target=read)
            thread.start()
            wall, _latencies, statuses = vb.burst(phones, path, casts)
            ended = time.perf_counter()
            done.set()
            thread.join()
            wrong = [s for s in statuses if s != 200] + [0] * (vb.N - len(statuses))
            errors += len(wrong)
            counted = {  # the loads started while the casts were in flight
                page: [t for started, t in loads if ended - wall <= started <= ended]
                for page, loads in found["times"].items()
            }
            for page, times in counted.items():
                during[page].extend(times)
            print(
                f"round {number + 1}: {vb.N} casts in {wall * 1000:.0f} ms"
                + (f", not 200: {sorted(set(wrong))}" if wrong else "")
                + "; page loads started during it: "
                + ", ".join(f"{page} {len(t)}" for page, t in counted.items())
                + "; first loads after the poll opened (a write: cold): "
                + ", ".join(f"{page} {t * 1000:.0f} ms" for page, t in cold.items())
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"pages while {vb.N} phones cast over {transport} (all rounds), ms")
    for page, times in during.items():
        if not times:
            print(f"{page:<11} no load started during a burst")
            errors += 1
            continue
        p95 = vb.percentile(times, 0.95)
        print(
            f"{page:<11} {len(times):3d} loads   p50 {vb.percentile(times, 0.5) * 1000:6.0f}   "
            f"p95 {p95 * 1000:6.0f}   (idle {idle[page] * 1000:.0f}: p95 {p95 / idle[page]:.1f}×)"
        )
    return during, errors


def database(env: dict) -> str:
    return "PostgreSQL" if "postgres" in env.get("THIDUA_DATABASE_URL", "") else "SQLite"


def main() -> int:
    env = dict(os.environ)
    env.setdefault("THIDUA_VAR_DIR", tempfile.mkdtemp(prefix="thidua-burst-pages-bench-"))
    env["DJANGO_SETTINGS_MODULE"] = "benchmarks.bench_settings"
    env["PYTHONPATH"] = str(vb.ROOT)
    os.environ.update(env)
    sys.path.insert(0, str(vb.ROOT))
    goals, errors = Goals(), 0
    with tempfile.TemporaryDirectory() as folder:
        tls = vb.hall_certificate(Path(folder))
        for transport, context in (("HTTP", None), ("HTTPS", tls)):
            during, failed = measure(env, transport, context)
            errors += failed
            for page, times in during.items():
                if times:
                    goals.at_most(
                        f"{page} page p95 while {vb.N} phones cast, {transport} on {database(env)} "
                        f"/ {GOAL_MS:g} ms",
                        vb.percentile(times, 0.95) * 1000 / GOAL_MS,
                        1,
                    )
    return 1 if errors else goals.status()


if __name__ == "__main__":
    sys.exit(main())
