"""Timing whole commands: wall time and peak memory of each run, medians over repeats."""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


@dataclass(frozen=True)
class Timing:
    """Median wall seconds, peak resident memory (MiB) and CPU seconds (user + system) over repeated runs.

    The peak is of the command and every process it starts, together: the largest sum of
    their proportional set sizes seen (pages a forked worker shares with its parent count
    once), or the largest single resident set, if that is more.
    """

    seconds: float
    peak_mib: float
    exit_codes: tuple[int, ...]
    cpu_seconds: float = 0.0  # less sensitive than wall time to other work on the machine


SAMPLE_SECONDS = 0.05


def _tree_mib(root: int) -> float:
    """Proportional memory of a process and all its descendants, in MiB (0 once it is gone)."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        try:
            if entry.name.isdigit():
                with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as stat:
                    parents[int(entry.name)] = int(stat.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue  # it ended meanwhile
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier += children
    return sum(_pss_mib(pid) for pid in tree)


def _pss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            line = next(line for line in rollup if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0.0
    return int(line.split()[1]) / 1024


def run_once(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int, float]:
    """Run a command to its end; wall seconds, peak RSS in MiB (all its processes), exit code and CPU seconds."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(SAMPLE_SECONDS):
            peak[0] = max(peak[0], _tree_mib(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, max(peak[0], usage.ru_maxrss / 1024), process.returncode, usage.ru_utime + usage.ru_stime


def measure(command: list[str], repeats: int, env: dict[str, str] | None = None,
            before: Callable[[], None] | None = None) -> Timing:
    """Median over `repeats` runs of `command`; `before` runs ahead of each (to start cold)."""
    runs = []
    for _ in range(repeats):
        if before:
            before()
        runs.append(run_once(command, env))
    return Timing(
        seconds=statistics.median(r[0] for r in runs),
        peak_mib=statistics.median(r[1] for r in runs),
        exit_codes=tuple(r[2] for r in runs),
        cpu_seconds=statistics.median(r[3] for r in runs),
    )


BENCHMARKS = ROOT / "BENCHMARKS.md"


def write_report(name: str, lines: list[str]) -> Path:
    """Print a report and put it in its own section of BENCHMARKS.md (other sections kept)."""
    text = "\n".join(lines).rstrip() + "\n"
    print(text)
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    current = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else (
        "# Benchmarks\n\nWritten by `make bench` (see bench/); figures are from one machine, noisy: "
        "compare the ratios within a run.\n")
    block = f"{start}\n{text}{end}"
    if start in current and end in current:
        before, rest = current.split(start, 1)
        current = before + block + rest.split(end, 1)[1]
    else:
        current = current.rstrip() + "\n\n" + block + "\n"
    BENCHMARKS.write_text(current, encoding="utf-8")
    return BENCHMARKS
