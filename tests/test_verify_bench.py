"""benchmarks/verify_bench.py stays honest: at a tiny size, its records verify (a benchmark
that reports differences in records it built consistent would measure a bug)."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[1] / "benchmarks" / "verify_bench.py"


def test_the_verify_benchmark_runs_at_a_tiny_size_and_its_records_verify():
    done = subprocess.run(
        [sys.executable, str(BENCH), "--clusters", "1", "--years", "2"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "records: 1 clusters × 2 years = 2" in done.stdout
    assert "× bare Ed25519 verify" in done.stdout
    assert "(tracemalloc's peak)" in done.stdout
