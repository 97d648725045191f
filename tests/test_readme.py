"""The README's client and server examples type-check with `mypy --strict` against the generated packages."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import GENERATED, ROOT


def readme_examples() -> list[tuple[str, str]]:
    """The Python examples of "Using a generated package", with the package each imports."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Using a generated package"):]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    return [(re.search(r"from (crm_\w+)", block).group(1), block) for block in blocks]  # type: ignore[union-attr]


def test_the_readme_examples_pass_mypy_strict(tmp_path):
    examples = readme_examples()
    assert {"crm_self_service", "crm_back_office"} <= {package for package, _ in examples}
    assert any("class MyActivities(Handlers)" in code for _, code in examples)
    files = []
    for i, (_, code) in enumerate(examples):
        path = tmp_path / f"example_{i}.py"
        path.write_text(code, encoding="utf-8")
        files.append(str(path))
    search_path = ":".join(sorted({str(GENERATED / package) for package, _ in examples}))
    process = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), *files],
        capture_output=True, text=True, env={"MYPYPATH": search_path, "PATH": ""}, timeout=900,
    )
    assert process.returncode == 0, process.stdout + process.stderr
