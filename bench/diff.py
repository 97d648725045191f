"""`diff` on two versions of the GitHub description: the file and a copy with mechanical changes."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from bench import proxy
from bench.harness import CORPUS, measure, write_report

SPEC = CORPUS / "github-api.github.com.json"


def mutated(spec: dict) -> tuple[dict, int]:
    """A copy with a few hundred changes: optional parameters added, enum values and descriptions edited."""
    count = 0
    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if count % 3 == 0:
                operation.setdefault("parameters", []).append({"name": f"bench_{count}", "in": "query",
                                                               "schema": {"type": "string"}})
            elif count % 3 == 1:
                operation["deprecated"] = True
            else:
                operation["operationId"] = str(operation.get("operationId")) + "-v2"
            count += 1
            if count >= 300:
                return spec, count
    return spec, count


def run(repeats: int) -> None:
    """Median wall time of `diff` between the GitHub file and its mutated copy, and the proxy's overhead."""
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    new, count = mutated(spec)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "github-changed.json"
        copy.write_text(json.dumps(new), encoding="utf-8")
        timing = measure([sys.executable, "-m", "generator", "diff", str(SPEC), str(copy), "--format", "json"],
                         repeats)
    write_report("diff", [
        f"## diff on GitHub's description (13 MB) against a copy with {count} changes (median of {repeats})", "",
        f"{timing.seconds:.2f} s wall, {timing.cpu_seconds:.2f} s CPU, {timing.peak_mib:.0f} MiB peak "
        f"(load average {os.getloadavg()[0]:.1f}: on a busy machine wall time waits for a core, CPU time does not).",
        "",
        *proxy.report_lines(),
    ])
