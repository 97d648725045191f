"""`mock SPEC`: serve the spec's examples from a generated package on uvicorn."""

from __future__ import annotations

import hashlib
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.formatting import cache_folder
from generator.freshness import Target
from generator.generate import run


def mock_package(spec: Path) -> tuple[Path, str]:
    """Generate the spec's package (unformatted, cached by content) and return its folder and name."""
    digest = hashlib.sha256(spec.read_bytes()).hexdigest()[:16]
    package = f"mock_{digest}"
    folder = cache_folder() / "mock" / package
    run([Target(spec, folder, package)], formatter="none")
    return folder, package


def mock_app(spec: Path, credentials: Sequence[str] = ()) -> tuple[Any, list[str]]:
    """The mock FastAPI app and the operations it serves, as `METHOD /path  name` lines; with
    `credentials`, only those values pass the security checks.

    It allows cross-origin requests from any page, so the docs' try-it panel can call it.
    """
    from starlette.middleware.cors import CORSMiddleware

    folder, package = mock_package(spec)
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    server = importlib.import_module(f"{package}.server")
    operations = [f"{route.method.upper():7} {route.path}  {route.operation}" for route in server.ROUTES]
    app = server.create_mock_app(credentials=credentials)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"],
                       expose_headers=["*"])
    return app, operations


def serve(spec: Path, host: str, port: int, credentials: Sequence[str] = ()) -> None:
    """Run the mock until interrupted, after printing its URL and operations."""
    import uvicorn

    app, operations = mock_app(spec, credentials)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    original_startup = server.startup

    async def startup(sockets: Any = None) -> None:
        await original_startup(sockets)
        bound = server.servers[0].sockets[0].getsockname() if server.servers else (host, port)
        print(f"mock of {spec} serving {len(operations)} operations on http://{bound[0]}:{bound[1]}", flush=True)
        for line in operations:
            print(f"  {line}", flush=True)

    server.startup = startup  # type: ignore[method-assign]
    server.run()
