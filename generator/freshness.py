"""Whether a package is already what its spec generates: the fast path of `generate`.

Light on purpose (no templates, models or formatter loaded): a `make generate` with nothing
to do answers from the spec's hash, the generator's own fingerprint and the package's stamp.
"""

from __future__ import annotations

import codecs
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
    """The generator's fingerprint, the spec's sha256 (of its UTF-8 text, as `Api.spec_sha256`) and the selection.

    The bytes are hashed as they are, without a byte-order mark: for UTF-8, the same digest as the text's
    without decoding it. A file that is not UTF-8 gets a digest no generation stamped, so loading it reports why.
    """
    raw = target.spec.read_bytes().removeprefix(codecs.BOM_UTF8)
    return generator_fingerprint(formatter) + ":" + hashlib.sha256(raw).hexdigest() + ":" + target.selection.key()


def up_to_date(target: Target, formatter: str) -> bool:
    """True when the target's folder holds exactly what this generator makes of its spec."""
    return is_current(target.folder, spec_fingerprint(target, formatter))
