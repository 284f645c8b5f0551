"""Casting over HTTP: N delegates at once against a real server, against a bare INSERT.

Starts `thidua serve` (waitress, 8 threads) on 127.0.0.1 with the benchmark settings, on
PostgreSQL if THIDUA_DATABASE_URL says so (else a SQLite file in a temp dir, as on the
conference laptop). N delegates each cast one ballot through the API at the same time; then
the same number of requests hit a bare Django endpoint doing one INSERT. Prints ballots/s,
p50/p99 latency and the ratios, measured in the same run.

    THIDUA_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
        .venv/bin/python benchmarks/vote_bench.py
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from thidua.core.policy import TOKEN_SCOPES

N = int(os.environ.get("BENCH_DELEGATES", "200"))
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare() -> tuple[str, list[str]]:
    """Migrate, load the demo, add delegates, open a poll; returns its URL and the tokens."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from thidua.org import services as org_services
    from thidua.org.models import User, UserKind
    from thidua.voting import services
    from thidua.voting.models import Conference, Poll
    from thidua.web.demo import load_demo

    load_demo()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_ping")
        cursor.execute(
            "CREATE TABLE bench_ping (id SERIAL PRIMARY KEY, payload TEXT)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE bench_ping (id INTEGER PRIMARY KEY AUTOINCREMENT, payload TEXT)"
        )
    conference = Conference.objects.get(cycle__cluster__code="cum-2", cycle__year=2020)
    secretary = User.objects.get(username="hagiang.thuky")
    tokens = []
    code = f"bench-{int(time.time())}"
    for number in range(N):
        user, _ = User.objects.get_or_create(
            username=f"bench{number}",
            defaults={"kind": UserKind.DELEGATE, "unit_id": secretary.unit_id},
        )
        services.check_in(
            actor=secretary,
            delegate=services.add_delegate(actor=secretary, conference=conference, user=user),
        )
        tokens.append(
            org_services.create_api_token(actor=user, name="bench", scopes=TOKEN_SCOPES)[1]
        )
    poll = services.create_poll(
        actor=secretary,
        conference=conference,
        code=code,
        title="Đo tốc độ",
        purpose="other",
        seats=1,
    )
    services.open_poll(actor=User.objects.get(username="laocai.daibieu"), poll=poll)
    assert Poll.objects.get(pk=poll.pk).status == "open"
    return f"/api/cycles/cum-2/2020/polls/{code}/ballot", tokens


def burst(
    port: int, path: str, bodies: list[tuple[dict, str]]
) -> tuple[float, list[float], list[int]]:
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    gate = threading.Barrier(len(bodies) + 1)

    def one(headers: dict, body: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        gate.wait()
        started = time.perf_counter()
        connection.request("POST", path, body=body, headers=headers)
        status = connection.getresponse().status
        elapsed = time.perf_counter() - started
        connection.close()
        with lock:
            latencies.append(elapsed)
            statuses.append(status)

    threads = [threading.Thread(target=one, args=item) for item in bodies]
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


def report(label: str, rate: float, unit: str, latencies: list[float]) -> None:
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    print(f"{label:<12} {rate:7.1f} {unit:<10} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms")


def main() -> int:
    env = dict(os.environ)
    env.setdefault("THIDUA_VAR_DIR", tempfile.mkdtemp(prefix="thidua-vote-bench-"))
    env["DJANGO_SETTINGS_MODULE"] = "benchmarks.bench_settings"
    env["PYTHONPATH"] = str(ROOT)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    path, tokens = prepare()
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own server, our own arguments
        [sys.executable, "-m", "thidua.cli", "serve", "--port", str(port), "--threads", "8"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
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
        print(
            f"{N} delegates casting at once over HTTP on 127.0.0.1, waitress 8 threads, {database}"
        )
        casts = [
            (
                {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                json.dumps({"choices": ["lang-son"]}),
            )
            for token in tokens
        ]
        bare = [({"Content-Type": "text/plain"}, f"ping {n}") for n in range(N)]
        bare_time, bare_latencies, bare_statuses = burst(port, "/bench/insert/", bare)
        cast_time, cast_latencies, cast_statuses = burst(port, path, casts)
        assert set(bare_statuses) == {201}, bare_statuses
        assert cast_statuses.count(201) == N, sorted(set(cast_statuses))
        report("casting", N / cast_time, "ballots/s", cast_latencies)
        report("bare INSERT", N / bare_time, "requests/s", bare_latencies)
        throughput = (N / bare_time) / (N / cast_time)
        latency = statistics.median(cast_latencies) / statistics.median(bare_latencies)
        print(f"ratio bare / casting: throughput {throughput:.1f}×, median latency {latency:.1f}×")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
