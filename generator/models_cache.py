"""The models step, remembered: datamodel-code-generator and black run again only when the schemas change.

The key is the whole input of the step (the models document, the request-only models, the
package name and the generator's fingerprint), so a hit gives exactly what a run would.
"""

from __future__ import annotations

import hashlib
import json
import os

from generator.formatting import cache_folder
from generator.ir import Api


def models_key(api: Api, package: str, fingerprint: str) -> str:
    digest = hashlib.sha256(f"{fingerprint}\0{package}\0".encode())
    digest.update(json.dumps(api.models_document, sort_keys=True, ensure_ascii=False, default=str).encode())
    digest.update(json.dumps(sorted(api.request_models)).encode())
    return digest.hexdigest()


def load(key: str, header: str) -> str | None:
    """The formatted `models.py` for this key under the given header line, if it was made before."""
    try:
        body = (cache_folder() / "models" / f"{key}.py").read_text(encoding="utf-8")
    except OSError:
        return None
    return f"{header}\n{body}"


def store(key: str, header: str, text: str) -> None:
    """Remember a formatted `models.py` (without its header line, which names the spec's hash)."""
    if not text.startswith(header + "\n"):
        return
    folder = cache_folder() / "models"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f"{key}.tmp{os.getpid()}"
        temporary.write_text(text[len(header) + 1:], encoding="utf-8")
        os.replace(temporary, folder / f"{key}.py")
    except OSError:
        pass  # a cache that cannot be written only costs time
