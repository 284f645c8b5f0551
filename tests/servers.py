"""thidua as its operators run it, for the tests that need separate processes: commands, and
app servers on ports of their own."""

import socket
import subprocess
import sys
import time


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def thidua(env, *args, check: bool = True) -> subprocess.CompletedProcess:
    """`thidua ARGS` in a process of its own; with `check`, it must succeed (its output is
    the assertion's message otherwise)."""
    done = subprocess.run(
        [sys.executable, "-m", "thidua.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


#: `thidua demo ARGS` with the passwords hashed at Argon2's least cost, as the suite hashes
#: its own (`tests.conftest._cheap_argon2`): the demo's 64 hashes at the production cost
#: (about 0,3 s each) were most of a test server's set-up. A hash records its own cost, so
#: the server checks these as any other.
_DEMO = """
from django.contrib.auth.hashers import Argon2PasswordHasher as hasher
hasher.time_cost, hasher.memory_cost, hasher.parallelism = 1, 64, 1
from django.core.management import call_command
call_command("demo", *%r)
"""


def load_demo(env, *args: str) -> None:
    """The demo loaded into `env`'s database as `thidua demo ARGS` loads it, its passwords
    hashed cheaply."""
    thidua(env, "shell", "-c", _DEMO % (list(args),))


def serving(env, port: int, *options: str, log=subprocess.DEVNULL) -> subprocess.Popen:
    """`thidua serve` on `port`, once it accepts connections."""
    process = subprocess.Popen(
        [sys.executable, "-m", "thidua.cli", "serve", "--port", str(port), *options],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _attempt in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"thidua serve did not start on port {port}")
