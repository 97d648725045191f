"""`validate` against plain openapi-spec-validator on the real-world corpus."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bench.harness import CORPUS, measure, write_report

SPECS = [
    "oai-petstore.yaml",
    "twilio-twilio_api_v2010.yaml",
    "discord-openapi.json",
    "openai-openapi.yaml",
    "stripe-spec3.yaml",
    "github-api.github.com.json",
]


def run(repeats: int) -> None:
    """Time both validators on each corpus spec and report medians and ratios."""
    bin_dir = Path(sys.executable).parent
    lines = [
        f"## validate vs openapi-spec-validator (median of {repeats}, wall seconds / peak MiB)",
        "",
        "| spec | MB | openapi-spec-validator | crm-codegen validate | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in SPECS:
        spec = CORPUS / name
        if not spec.exists():
            lines.append(f"| {name} | - | missing | missing | - |")
            continue
        plain = measure([str(bin_dir / "openapi-spec-validator"), str(spec)], repeats)
        ours = measure([sys.executable, "-m", "generator", "validate", str(spec)], repeats)
        size = os.path.getsize(spec) / 1e6
        lines.append(
            f"| {name} | {size:.1f} | {plain.seconds:.2f} s / {plain.peak_mib:.0f} | "
            f"{ours.seconds:.2f} s / {ours.peak_mib:.0f} | {ours.seconds / plain.seconds:.2f}x |"
        )
    write_report("validate", lines)
