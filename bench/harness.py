"""Timing whole commands: wall time and peak memory of each run, medians over repeats."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
RESULTS = ROOT / "bench-results"


@dataclass(frozen=True)
class Timing:
    """Median wall seconds and peak resident memory (MiB) over repeated runs."""

    seconds: float
    peak_mib: float
    exit_codes: tuple[int, ...]


def run_once(command: list[str]) -> tuple[float, float, int]:
    """Run a command to its end; wall seconds, peak RSS in MiB and exit code."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, process.returncode


def measure(command: list[str], repeats: int) -> Timing:
    """Median over `repeats` runs of `command`."""
    runs = [run_once(command) for _ in range(repeats)]
    return Timing(
        seconds=statistics.median(r[0] for r in runs),
        peak_mib=statistics.median(r[1] for r in runs),
        exit_codes=tuple(r[2] for r in runs),
    )


def write_report(name: str, lines: list[str]) -> Path:
    """Print a report and keep it under bench-results/."""
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.md"
    path.write_text(text)
    return path
