"""The bundled `openapi.json`, exactly as `json.dumps(value, indent=1, ensure_ascii=False)` writes it, cheaply.

Python writes indented JSON in pure Python (about a second for GitHub's 10 MB); compact
JSON is written in C. Each member of a top-level object (a path, a component kind) is
indented once and remembered under the digest of its compact text, which fixes its
indented text; a regeneration after a small change indents only the members that changed.
"""

from __future__ import annotations

import json
from typing import Any

from generator.text_memo import TextMemo


def _indented(value: Any) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False)


def _shifted(text: str, depth: int) -> str:
    """Indented text of a value that sits `depth` levels deep (JSON strings hold no raw newline)."""
    return text.replace("\n", "\n" + " " * depth)


class IndentedJson:
    """Indented JSON text of documents, with the members' texts remembered (`TextMemo`)."""

    def __init__(self, cache_key: str):
        self.memo = TextMemo("json:" + cache_key)

    def dumps(self, value: Any) -> str:
        """`json.dumps(value, indent=1, ensure_ascii=False)`."""
        if not isinstance(value, dict) or not value or not all(isinstance(key, str) for key in value):
            return _indented(value)
        members = [f' {json.dumps(key, ensure_ascii=False)}: {self._member(item)}' for key, item in value.items()]
        return "{\n" + ",\n".join(members) + "\n}"

    def _member(self, value: Any) -> str:
        """The text of a top-level member (depth 1): its own members come from the memo."""
        if not isinstance(value, dict) or not value or not all(isinstance(key, str) for key in value):
            return _shifted(_indented(value), 1)
        members = [f'  {json.dumps(key, ensure_ascii=False)}: {self._remembered(item)}' for key, item in value.items()]
        return "{\n" + ",\n".join(members) + "\n }"

    def _remembered(self, value: Any) -> str:
        return self.memo.text(json.dumps(value, ensure_ascii=False), lambda: _shifted(_indented(value), 2))

    def save(self) -> None:
        """Keep the members used this time."""
        self.memo.save()
