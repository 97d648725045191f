"""`generate` against the peer generators on Stripe and GitHub, plus import time of the result."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import CORPUS, ROOT, Timing, measure, write_report

PEERS = ROOT / ".venv-bench" / "bin"
SERVER_SIDE = ("server", "_server", "_limits")  # our modules that need the `server` extra (fastapi), not installed
SPECS = ["stripe-spec3.yaml", "github-api.github.com.json"]


def _package_name(spec: str) -> str:
    return "bench_" + spec.split("-")[0]


def _commands(spec: Path, out: Path) -> dict[str, tuple[list[str], Path, str]]:
    """tool -> (command, output folder, importable package or '')."""
    ours = [sys.executable, "-m", "generator", "generate", str(spec), "--out", str(out / "ours")]
    package = _package_name(spec.name)
    dmcg = [str(PEERS / "datamodel-codegen"), "--input", str(spec), "--input-file-type", "openapi",
            "--output-model-type", "pydantic_v2.BaseModel", "--output", str(out / "dmcg" / "models")]
    return {
        "crm-codegen (black)": (ours + ["--package", package], out / "ours" / package, package),
        "crm-codegen (ruff format)": (ours + ["--package", package + "_ruff", "--formatter", "ruff"],
                                      out / "ours" / (package + "_ruff"), package + "_ruff"),
        "datamodel-code-generator alone": (dmcg, out / "dmcg", "models"),
        "openapi-python-client": ([str(PEERS / "openapi-python-client"), "generate", "--path", str(spec),
                                   "--output-path", str(out / "opc"), "--overwrite"], out / "opc", "*"),
        "OpenAPI Generator (python)": ([str(PEERS / "openapi-generator-cli"), "generate", "-i", str(spec), "-g",
                                        "python", "-o", str(out / "oag"), "--skip-validate-spec",
                                        "--package-name", package], out / "oag", package),
    }


def _import_seconds(folder: Path, package: str) -> str:
    """Seconds to import the generated package with every module of it (models, API), or why it failed."""
    if not folder.exists():
        return "no output"
    single_file = folder / package
    if single_file.is_file():  # datamodel-code-generator wrote one module without a suffix
        single_file.rename(single_file.with_suffix(".py"))
    if package == "*":
        found = [p.name for p in folder.iterdir() if (p / "__init__.py").exists()]
        if not found:
            return "no package"
        package = found[0]
    script = (f"import sys, time, importlib, pkgutil; sys.path.insert(0, {str(folder)!r}); t = time.perf_counter(); "
              f"root = importlib.import_module({package!r}); "
              "[importlib.import_module(m.name) for m in pkgutil.walk_packages(getattr(root, '__path__', []), "
              f"root.__name__ + '.') if m.name.rsplit('.', 1)[-1] not in {SERVER_SIDE!r}]; "
              "print(round(time.perf_counter() - t, 2))")
    python = str(PEERS / "python") if (PEERS / "python").exists() else sys.executable
    process = subprocess.run([python, "-c", script], capture_output=True, text=True, timeout=600)
    if process.returncode != 0:
        last = (process.stderr.strip().splitlines() or ["?"])[-1]
        return f"fails: {last[:80]}"
    return f"{process.stdout.strip()} s"


def run(repeats: int) -> None:
    """Median wall time of each tool on each spec, the ratio to ours, and whether the output imports."""
    lines = [f"## generate: models + client, formatting included (median of {repeats}, wall seconds)", ""]
    if not PEERS.exists():
        lines.append("peer tools missing: run `make bench` (it installs them into .venv-bench)")
        write_report("generate", lines)
        return
    environment = {**os.environ, "JAVA_OPTS": "-DmaxYamlCodePoints=99999999"}
    for name in SPECS:
        spec = CORPUS / name
        lines += [f"### {name}", "", "| tool | seconds | vs crm-codegen (black) | peak MiB (PSS, all processes) | exit | import |",
                  "|---|---:|---:|---:|---|---|"]
        results: dict[str, tuple[Timing, str]] = {}
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch)
            cache = out / "cache"
            for tool, (command, folder, package) in _commands(spec, out).items():
                def cold(folder: Path = folder) -> None:  # no output and no formatting cache left over
                    shutil.rmtree(cache, ignore_errors=True)
                    shutil.rmtree(folder, ignore_errors=True)

                timing = measure(command, repeats, env={**environment, "XDG_CACHE_HOME": str(cache)}, before=cold)
                results[tool] = (timing, _import_seconds(folder, package))
        ours = results["crm-codegen (black)"][0].seconds
        for tool, (timing, imported) in results.items():
            lines.append(f"| {tool} | {timing.seconds:.1f} | {timing.seconds / ours:.2f}x | "
                         f"{timing.peak_mib:.0f} | {','.join(map(str, timing.exit_codes))} | {imported} |")
        lines.append("")
        lines += _incremental(spec, repeats, ours)
    lines += _noop_regeneration(repeats)
    write_report("generate", lines)


def _incremental(spec: Path, repeats: int, cold_seconds: float) -> list[str]:
    """Regenerating after one operation's description changed (what a vendor's prose fix costs), caches warm."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / spec.name
        shutil.copy(spec, copy)
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(scratch) / "cache")}
        command = [sys.executable, "-m", "generator", "generate", str(copy), "--out", str(Path(scratch) / "out"),
                   "--package", "bench_incremental"]
        measure(command, 1, env=env)  # cold run: fills the caches
        edits = iter(range(repeats))
        timing = measure(command, repeats, env=env, before=lambda: _edit_description(copy, next(edits)))
    return [f"After a change to one operation's description: {timing.seconds:.1f} s "
            f"({timing.seconds / cold_seconds:.0%} of the cold run, median of {repeats}, peak {timing.peak_mib:.0f} MiB).",
            ""]


def _edit_description(spec: Path, n: int) -> None:
    """Append a sentence to the description of the spec's first operation."""
    text = spec.read_text(encoding="utf-8")
    marker = '"description": "' if spec.suffix == ".json" else "description: "
    index = text.index(marker, text.index('"paths"' if spec.suffix == ".json" else "\npaths:")) + len(marker)
    spec.write_text(text[:index] + f"Edit {n}. " + text[index:], encoding="utf-8")


def _noop_regeneration(repeats: int) -> list[str]:
    """`make generate` when nothing changed: the three CRM specs, already generated (in a scratch copy)."""
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, "-m", "generator", "generate", *map(str, sorted((ROOT / "spec").glob("*.yaml"))),
                   "--out", scratch]
        measure(command, 1)
        timing = measure(command, max(repeats, 5))
    return [f"Regenerating the three CRM specs when nothing changed: {timing.seconds:.2f} s "
            f"(median of {max(repeats, 5)}, whole command including Python start-up).", ""]
