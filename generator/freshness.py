"""Whether a package is already what its spec generates: the fast path of `generate`.

Light on purpose (no templates, models or formatter loaded): a `make generate` with nothing
to do answers from the spec's hash, the generator's own fingerprint and the package's stamp.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from generator.config import Selection
from generator.naming import snake_case
from generator.output import is_current

GENERATOR_SOURCES = Path(__file__).resolve().parent
TEMPLATES = GENERATOR_SOURCES.parent / "templates"


@dataclass(frozen=True)
class Target:
    """One spec and the package folder it generates."""

    spec: Path
    folder: Path
    package: str
    selection: Selection = Selection()


def default_package(spec: Path) -> str:
    """`spec/self-service.yaml` -> `crm_self_service`."""
    return "crm_" + snake_case(spec.stem, "api").rstrip("_")


@lru_cache(maxsize=None)
def generator_fingerprint(formatter: str) -> str:
    """What, besides the spec, decides the output: our code and templates, tool versions."""
    digest = hashlib.sha256(formatter.encode())
    for folder in (GENERATOR_SOURCES, TEMPLATES):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(path.read_bytes())
    for tool in ("datamodel-code-generator", "black", "pydantic"):
        digest.update(f"{tool}={importlib.metadata.version(tool)}".encode())
    return digest.hexdigest()


def spec_fingerprint(target: Target, formatter: str) -> str:
    text = target.spec.read_bytes().decode("utf-8-sig")
    return (generator_fingerprint(formatter) + ":" + hashlib.sha256(text.encode("utf-8")).hexdigest() + ":"
            + target.selection.key())


def up_to_date(target: Target, formatter: str) -> bool:
    """True when the target's folder holds exactly what this generator makes of its spec."""
    return is_current(target.folder, spec_fingerprint(target, formatter))
