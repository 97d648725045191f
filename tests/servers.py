"""Running generated server apps on uvicorn over loopback for the tests."""

from __future__ import annotations

import importlib
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
import yaml

from generator.generate import Target, run


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve an ASGI app on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not (server.started and server.servers):
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def generated_from(spec: dict[str, Any], folder: Path, name: str) -> Iterator[tuple[Any, Any]]:
    """The client package and server module generated from `spec`, importable while in use."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    run([Target(folder / "spec.yaml", folder / "pkg", name)], formatter="none")
    sys.path.insert(0, str(folder / "pkg"))
    try:
        yield importlib.import_module(name), importlib.import_module(f"{name}.server")
    finally:
        sys.path.remove(str(folder / "pkg"))
