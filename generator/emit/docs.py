"""The static documentation site: one page per API, an index, search, the bundled specs.

Descriptions are Markdown rendered by markdown-it-py with raw HTML disabled, and
everything else goes through Jinja's autoescaping: nothing from a spec runs in the page.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markdown_it import MarkdownIt

from generator.emit.client import serialization_note
from generator.emit.templating import TEMPLATES
from generator.ir import Api, Operation, Parameter, build_api
from generator.load import Document, load_document
from generator.naming import UniqueNames
from generator.refs import RefError, Resolver

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")
_SAFE_LINK = re.compile(r"^(https?:|mailto:|#|/|\.)", re.IGNORECASE)


def markdown(text: str) -> str:
    """Markdown to HTML with raw HTML escaped and only safe link schemes kept."""
    html = _MARKDOWN.render(text or "")
    return re.sub(r'href="([^"]*)"', lambda m: m.group(0) if _SAFE_LINK.match(m.group(1)) else 'href="#"', html)


def anchor(*parts: str) -> str:
    """An HTML id from parts: lowercase letters, digits and dashes only."""
    return "-".join(re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") for part in parts if part)


@dataclass
class Row:
    """One line of a schema table."""

    depth: int
    name: str
    type: str
    link: str
    required: bool
    description: str
    details: list[str] = field(default_factory=list)


class SchemaTables:
    """Flattens schemas into indented rows; component schemas are linked, not expanded."""

    def __init__(self, document: Document, slug: str):
        self.document = document
        self.resolver = Resolver(document)
        self.slug = slug
        ids = UniqueNames(separator="-")  # `UidName` and `UIdName` are two schemas: two anchors
        self.anchors = {name: ids.claim(anchor(slug, "schema", name))
                        for name in (document.data.get("components") or {}).get("schemas") or {}}

    def rows(self, schema: Any, depth: int = 0, seen: frozenset[int] = frozenset()) -> list[Row]:
        if not isinstance(schema, dict) or depth > 8:
            return []
        result: list[Row] = []
        properties, required = self._object(schema)
        for name, value in properties.items():
            result.append(self._row(name, value, depth, name in required))
            target = value
            if isinstance(value, dict) and "$ref" not in value and id(value) not in seen:
                nested = value.get("items") if isinstance(value.get("items"), dict) and "$ref" not in value["items"] else value
                result += self.rows(nested, depth + 1, seen | {id(target)})
        return result

    def _object(self, schema: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
        properties = dict(schema.get("properties") or {})
        required = set(schema.get("required") or [])
        for member in schema.get("allOf") or []:
            member = self.resolve(member)
            if isinstance(member, dict):
                more, more_required = self._object(member)
                properties.update(more)
                required |= more_required
        return properties, required

    def _row(self, name: str, schema: Any, depth: int, required: bool) -> Row:
        type_name, link = self.describe(schema)
        schema = schema if isinstance(schema, dict) else {}
        details = []
        if isinstance(schema.get("enum"), list):
            details.append("one of: " + ", ".join(json.dumps(v) for v in schema["enum"]))
        for key in ("default", "format", "pattern", "minLength", "maxLength", "minimum", "maximum"):
            if key in schema:
                details.append(f"{key}: {json.dumps(schema[key])}")
        return Row(depth, name, type_name, link, required, markdown(str(schema.get("description") or "")), details)

    def describe(self, schema: Any) -> tuple[str, str]:
        """A short type name and, for a component schema, the link to its anchor."""
        if not isinstance(schema, dict):
            return "any", ""
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
            return name, "#" + self.anchors.get(name, anchor(self.slug, "schema", name))
        if schema.get("type") == "array" or "items" in schema:
            inner, link = self.describe(schema.get("items") or {})
            return f"array of {inner}", link
        declared = schema.get("type")
        if isinstance(declared, list):
            return " or ".join(map(str, declared)), ""
        for key in ("oneOf", "anyOf", "allOf"):
            if key in schema:
                parts = [self.describe(member)[0] for member in schema[key]]
                return f"{key} ({', '.join(parts)})", ""
        return str(declared or ("object" if "properties" in schema else "any")) + (
            " or null" if schema.get("nullable") else ""), ""

    def resolve(self, node: Any) -> Any:
        """`node` with bare `$ref`s followed (None when they do not resolve)."""
        try:
            return self.resolver.resolve_chain(node, self.document, "")[2]
        except RefError:
            return None


@dataclass
class ApiPage:
    slug: str
    title: str
    api: Api
    document: Document
    tables: SchemaTables

    @property
    def data(self) -> dict[str, Any]:
        return self.document.data  # type: ignore[no-any-return]

    @property
    def schemas(self) -> dict[str, Any]:
        return (self.data.get("components") or {}).get("schemas") or {}  # type: ignore[no-any-return]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES / "docs"),
                             autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters.update(markdown=lambda text: jinja2.utils.markupsafe.Markup(markdown(str(text or ""))),
                       anchor=anchor, pretty=lambda value: json.dumps(value, indent=2, ensure_ascii=False))
    return env


def operation_anchor(slug: str, op: Operation) -> str:
    return anchor(slug, "op", op.operation_id or f"{op.method} {op.path}")


def curl(page: ApiPage, op: Operation, raw: dict[str, Any]) -> str:
    """A copyable curl command for the operation, from its first request example."""
    base = page.api.servers[0].rstrip("/") if page.api.servers else "https://api.example.com"
    parts = [f"curl -X {op.method.upper()} '{base}{op.path}'"]
    body = (page.tables.resolve(raw.get("requestBody")) or {}) if raw.get("requestBody") else {}
    for media_type, media in ((body or {}).get("content") or {}).items():
        example = media.get("example")
        if example is None and media.get("examples"):
            example = (page.tables.resolve(next(iter(media["examples"].values()))) or {}).get("value")
        parts.append(f"-H 'Content-Type: {media_type}'")
        if example is not None:
            text = example if isinstance(example, str) else json.dumps(example, indent=2, ensure_ascii=False)
            parts.append("-d '" + text.replace("'", "'\\''") + "'")
        break
    return " \\\n  ".join(parts)


def wire_note(p: Parameter) -> str:
    """How a parameter is serialised, as the docs show it (`comma-separated`, `` `size=…` ``)."""
    note = serialization_note(p)
    if note or p.location not in ("query", "cookie"):
        return note
    return f"`{p.name}=…`"


def render_site(specs: list[Path], out: Path) -> dict[Path, str]:
    """Every file of the site, by path relative to `out` (deterministic, nothing fetched at view time)."""
    env = _environment()
    pages = []
    for spec in specs:
        document = load_document(spec)
        slug = anchor(spec.stem)
        pages.append(ApiPage(slug, str((document.data.get("info") or {}).get("title") or spec.stem),
                             build_api(document), document, SchemaTables(document, slug)))
    files: dict[Path, str] = {Path("index.html"): env.get_template("index.html.jinja").render(pages=pages)}
    search = []
    for page in pages:
        raw = {op.pointer: _pointer(page.data, op.pointer) for op in page.api.operations}
        files[Path(f"{page.slug}.html")] = env.get_template("api.html.jinja").render(
            page=page, raw=raw, curl=curl, operation_anchor=operation_anchor, pages=pages, wire=wire_note)
        files[Path(page.slug) / "openapi.json"] = json.dumps(page.data, indent=1, ensure_ascii=False) + "\n"
        files[Path(page.slug) / "openapi.yaml"] = yaml.safe_dump(page.data, sort_keys=False, allow_unicode=True)
        for op in page.api.operations:
            search.append({"kind": "operation", "title": f"{op.method.upper()} {op.path}",
                           "text": op.summary, "href": f"{page.slug}.html#{operation_anchor(page.slug, op)}"})
        for name in page.schemas:
            search.append({"kind": "schema", "title": name, "text": page.title,
                           "href": f"{page.slug}.html#{page.tables.anchors[name]}"})
    files[Path("search-index.js")] = "window.SEARCH_INDEX = " + json.dumps(search, ensure_ascii=False) + ";\n"
    for asset in ("site.css", "site.js"):
        files[Path(asset)] = (TEMPLATES / "docs" / asset).read_text(encoding="utf-8")
    return files


def _pointer(data: Any, pointer: str) -> Any:
    node = data
    for part in pointer.lstrip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


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

