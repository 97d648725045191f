"""`docs` on GitHub's description against Redocly's `build-docs` (@redocly/cli), same machine, same run."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench.harness import CORPUS, ROOT, measure, write_report
from generator.emit.docs import anchor
from generator.load import load_document
from generator.model.walk import iter_operations

REDOCLY = ROOT / ".venv-bench" / "npm" / "node_modules" / ".bin" / "redocly"
SPEC = CORPUS / "github-api.github.com.json"


def run(repeats: int) -> None:
    """Median wall time of both site builders on the GitHub spec."""
    with tempfile.TemporaryDirectory() as scratch:
        ours = measure([sys.executable, "-m", "generator", "docs", str(SPEC), "--out", str(Path(scratch) / "site")],
                       repeats)
        lines = [f"## docs: GitHub's description (median of {repeats}, wall seconds)", "",
                 "| tool | seconds | peak MiB | ratio |", "|---|---:|---:|---:|"]
        if REDOCLY.exists():
            redocly = measure([str(REDOCLY), "build-docs", str(SPEC), "-o", str(Path(scratch) / "redoc.html")],
                              repeats)
            lines.append(f"| Redocly build-docs | {redocly.seconds:.1f} | {redocly.peak_mib:.0f} | 1.00x |")
            lines.append(f"| crm-codegen docs | {ours.seconds:.1f} | {ours.peak_mib:.0f} | "
                         f"{ours.seconds / redocly.seconds:.2f}x |")
        else:
            lines.append(f"| crm-codegen docs | {ours.seconds:.1f} | {ours.peak_mib:.0f} | - |")
            lines.append("| Redocly build-docs | not installed (make bench installs it) | | |")
        page = (Path(scratch) / "site" / f"{anchor(SPEC.stem)}.html").read_text(encoding="utf-8")
        shown, total = page.count('<article class="operation"'), len(list(iter_operations(load_document(SPEC).data)))
        lines += ["", f"Operations in crm-codegen's page: {shown} of {total}."]
        if shown != total:
            raise SystemExit(f"docs bench: {total - shown} operations missing from the page")
    write_report("docs", lines + [""])
