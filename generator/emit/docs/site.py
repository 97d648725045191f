"""The documentation site: one page per API, an index, search, the try-it data and the bundled specs."""

from __future__ import annotations

import gc
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import jinja2
import yaml

from generator.emit.docs.text import anchor
from generator.emit.docs.views import PageBuilder, PageView, page_package
from generator.freshness import TEMPLATES
from generator.load import Document, load_openapi

ASSETS = ("site.css", "site.js", "try-it.js")


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES / "docs"), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def _downloads(document: Document) -> dict[str, str]:
    """The spec to download: as JSON, and as YAML too when it is written in YAML."""
    if document.is_json:
        return {"openapi.json": document.text}
    return {"openapi.json": json.dumps(document.data, indent=1, ensure_ascii=False) + "\n",
            "openapi.yaml": yaml.safe_dump(document.data, sort_keys=False, allow_unicode=True)}


@contextmanager
def _without_collection() -> Iterator[None]:
    """Pause Python's cycle collector: a big API makes millions of short-lived, acyclic view objects,
    and collecting them as they appear costs a third of the build (GitHub's description)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def render_site(specs: list[Path], out: Path) -> dict[Path, str]:
    """Every file of the site, by path relative to `out` (deterministic, nothing fetched at view time)."""
    with _without_collection():
        return _render(specs)


def _render(specs: list[Path]) -> dict[Path, str]:
    env = _environment()
    pages: list[PageView] = []
    files: dict[Path, str] = {}
    for spec in specs:
        document = load_openapi(spec)
        slug = anchor(spec.stem)
        title = str((document.data.get("info") or {}).get("title") or spec.stem)
        page = PageBuilder(document, slug, page_package(spec)).build(title)
        downloads = _downloads(document)
        page.downloads = list(downloads)
        files.update({Path(slug) / name: text for name, text in downloads.items()})
        files[Path(slug) / "try-it.js"] = "window.TRY_IT = " + json.dumps(page.try_it, ensure_ascii=False) + ";\n"
        pages.append(page)
    files[Path("index.html")] = env.get_template("index.html.jinja").render(pages=pages)
    search = []
    template = env.get_template("api.html.jinja")
    for page in pages:
        files[Path(f"{page.slug}.html")] = template.render(page=page)
        search += [{"kind": "operation", "title": f"{op.method.upper()} {op.path}", "text": op.summary,
                    "href": f"{page.slug}.html#{op.anchor}"} for op in page.operations]
        search += [{"kind": "schema", "title": s.name, "text": page.title, "href": f"{page.slug}.html#{s.anchor}"}
                   for s in page.schemas]
    files[Path("search-index.js")] = "window.SEARCH_INDEX = " + json.dumps(search, ensure_ascii=False) + ";\n"
    for asset in ASSETS:
        files[Path(asset)] = (TEMPLATES / "docs" / asset).read_text(encoding="utf-8")
    return files


def write_site(files: dict[Path, str], out: Path) -> None:
    """Replace `out` with the site in one move (a failed build leaves the old site)."""
    staging = out.with_name(out.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    for path, text in files.items():
        target = staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
