"""The benchmark scripts run and print every figure they promise (tiny runs, no timing asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_benchmark(script: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_request_benchmark_prints_every_row_with_a_figure() -> None:
    output = run_benchmark(
        "bench_request.py",
        *("--rounds", "1", "--loops", "5", "--requests", "2", "--pairs", "1", "--records", "20"),
    )
    rows = {
        "authorize(), allowed": r"x floor \(bar <= 1\.3x\)",
        "authorize(), allowed, helpers": r"x floor",
        "authorize(), denied (raise)": r"x floor",
        "request, authorize()": r"[+-]\d+\.\d\d us per request \(bar <= 3\.0\)",
        "request, authorize(), helpers": r"[+-]\d+\.\d\d us per request",
        "request, inline floor": r"[+-]\d+\.\d\d us per request",
        "request, least policy check": r"[+-]\d+\.\d\d us per request",
        "authorized_records x20": r"\d+ ns/record\s+bar <= 300 ns",
        "authorized_records, helpers": r"\d+ ns/record",
    }
    for label, figure in rows.items():
        assert re.search(rf"^\s+{re.escape(label)}\s+.*{figure}", output, re.MULTILINE), label


def test_jobs_benchmark_survives_runs_too_short_for_the_cpu_clock() -> None:
    output = run_benchmark("bench_jobs.py", "--tasks", "2", "--rounds", "1")

    assert output.count("hand-written :") == 4
    assert output.count("overhead     :") == 4
    assert "consumer (SQLite storage, 4 thread workers)" in output
