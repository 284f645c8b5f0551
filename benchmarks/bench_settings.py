"""thidua's settings plus one bare endpoint, for benchmarks only (never deployed)."""

from thidua.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
