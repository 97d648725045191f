"""The generator itself type-checks under `mypy --strict`."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT


def test_generator_passes_mypy_strict():
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", os.devnull, "generator"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
