"""Texts made before, remembered between runs under the digest of everything they are made from.

One cache file per use (an output folder's API modules, its bundled spec...). A run keeps
exactly the texts it used, so the file never outgrows one generation. The file is kept with
`marshal` (this Python's own format, read and written several times faster than JSON).
"""

from __future__ import annotations

import hashlib
import marshal
import os
from typing import Callable

from generator.formatting import MARSHAL_SUFFIX, cache_folder


class TextMemo:
    """Texts by the digest of their inputs; `fingerprint` names what else makes them (the generator's code)."""

    def __init__(self, cache_key: str, fingerprint: str = ""):
        self.path = cache_folder() / f"{hashlib.sha256(cache_key.encode()).hexdigest()[:16]}{MARSHAL_SUFFIX}"
        self.fingerprint = fingerprint
        try:
            cache = marshal.loads(self.path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            cache = None
        self.cache: dict[str, str] = cache if isinstance(cache, dict) else {}
        self.used: dict[str, str] = {}

    def text(self, inputs: str, make: Callable[[], str]) -> str:
        """The text made from `inputs`: remembered, or made by `make()` and remembered."""
        digest = hashlib.sha256(f"{self.fingerprint}\0{inputs}".encode("utf-8", "surrogatepass")).hexdigest()
        text = self.cache.get(digest)
        if text is None:
            text = make()
        self.used[digest] = text
        return text

    def save(self) -> None:
        """Keep the texts used this time (a cache that cannot be written only costs time)."""
        if self.used.keys() == self.cache.keys():
            return  # the file holds exactly these already
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(f".tmp{os.getpid()}")
            temporary.write_bytes(marshal.dumps(self.used))
            os.replace(temporary, self.path)
        except OSError:
            pass
