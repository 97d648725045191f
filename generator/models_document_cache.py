"""The models document, remembered: made again only when the schemas it is made from change.

Rewriting every schema for datamodel-code-generator is the costliest part of reading a large
spec, and a change to an operation's prose leaves it as it was. An entry is found by what the
registry starts from (the names asked of it, the generator's fingerprint) and used only when
every part of the spec it read last time is unchanged, so a hit gives exactly what a run would.
Entries are kept with `marshal`, which reads them back as they were (types included) several
times faster than JSON.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
from pathlib import Path
from typing import Any

from generator.formatting import MARSHAL_SUFFIX, cache_folder
from generator.refs import pointer_value
from generator.schemas import SchemaRegistry


def models_document(registry: SchemaRegistry, openapi_version: str, fingerprint: str) -> dict[str, Any]:
    """`registry.models_document(openapi_version)`, from the cache when its sources are unchanged."""
    inputs = registry.inputs(openapi_version)
    if inputs is None:
        return registry.models_document(openapi_version)
    path = cache_folder() / "models-document" / f"{_digest(fingerprint, json.dumps(inputs))}{MARSHAL_SUFFIX}"
    data = registry.resolver.root.data
    remembered = _load(path, data)
    if remembered is not None:
        return remembered
    document = registry.models_document(openapi_version)
    sources = registry.sources()
    if sources is not None:
        _store(path, sources, _sources_digest(data, sources), document)
    return document


def _digest(*texts: str) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def _sources_digest(data: Any, sources: list[str]) -> str | None:
    """The digest of the spec's parts at `sources`; None when one is gone or is not JSON data."""
    try:
        return _digest(*(f"{pointer} {json.dumps(pointer_value(data, pointer), ensure_ascii=False)}"
                         for pointer in sources))
    except (LookupError, TypeError, ValueError):
        return None


def _load(path: Path, data: Any) -> dict[str, Any] | None:
    """The remembered document when the spec's parts it was made from are as they were then."""
    try:
        sources, digest, document = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(sources, list) or not isinstance(document, dict) or _sources_digest(data, sources) != digest:
        return None
    return document


def _store(path: Path, sources: list[str], digest: str | None, document: dict[str, Any]) -> None:
    """Remember a document with the pointers of its sources and their digest."""
    if digest is None:
        return
    try:
        entry = marshal.dumps((sources, digest, document))
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".tmp{os.getpid()}")
        temporary.write_bytes(entry)
        os.replace(temporary, path)
    except (OSError, ValueError):
        pass  # a cache that cannot be written (or a value marshal cannot keep) only costs time
