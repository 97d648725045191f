"""The bundled `openapi.json`, exactly as `json.dumps(value, indent=1, ensure_ascii=False)` writes it, cheaply.

Python writes indented JSON in pure Python (about a second for GitHub's 10 MB); compact
JSON is written in C. Each member of a top-level object (a path, a component kind) is
indented once and remembered under the digest of its compact text, which fixes its
indented text; a regeneration after a small change indents only the members that changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from generator.formatting import cache_folder


def _indented(value: Any) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False)


def _shifted(text: str, depth: int) -> str:
    """Indented text of a value that sits `depth` levels deep (JSON strings hold no raw newline)."""
    return text.replace("\n", "\n" + " " * depth)


class IndentedJson:
    """Indented JSON text of documents, with the members' texts remembered in one cache file."""

    def __init__(self, cache_key: str):
        name = f"json-{hashlib.sha256(cache_key.encode()).hexdigest()[:16]}.json"
        self.path: Path = cache_folder() / name
        try:
            self.cache: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.cache = {}
        self.used: dict[str, str] = {}

    def dumps(self, value: Any) -> str:
        """`json.dumps(value, indent=1, ensure_ascii=False)`."""
        if not isinstance(value, dict) or not value or not all(isinstance(key, str) for key in value):
            return _indented(value)
        members = [f' {json.dumps(key, ensure_ascii=False)}: {self._member(item)}' for key, item in value.items()]
        return "{\n" + ",\n".join(members) + "\n}"

    def _member(self, value: Any) -> str:
        """The text of a top-level member (depth 1): its own members come from the cache."""
        if not isinstance(value, dict) or not value or not all(isinstance(key, str) for key in value):
            return _shifted(_indented(value), 1)
        members = [f'  {json.dumps(key, ensure_ascii=False)}: {self._remembered(item)}' for key, item in value.items()]
        return "{\n" + ",\n".join(members) + "\n }"

    def _remembered(self, value: Any) -> str:
        compact = json.dumps(value, ensure_ascii=False)
        digest = hashlib.sha256(compact.encode("utf-8")).hexdigest()
        text = self.cache.get(digest)
        if text is None:
            text = _shifted(_indented(value), 2)
        self.used[digest] = text
        return text

    def save(self) -> None:
        """Keep the members used this time (a cache that cannot be written only costs time)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(f".tmp{os.getpid()}")
            temporary.write_text(json.dumps(self.used, ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:
            pass
