"""What the docs say: JSON words, serialization by OpenAPI's style table, components once, runnable examples."""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import re
import shlex
import string
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from markdown_it import MarkdownIt

from conftest import ROOT
from generator.emit.docs import markdown, render_site
from generator.emit.docs.views import PageBuilder
from generator.load import load_document
from servers import serving

SPECS = sorted((ROOT / "spec").glob("*.yaml"))
BACK_OFFICE = ROOT / "spec" / "back-office.yaml"


class Tables(HTMLParser):
    """The rows of every table, as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    files = render_site(SPECS, tmp_path_factory.mktemp("site"))
    return {spec.stem: files[Path(f"{spec.stem}.html")] for spec in SPECS}


@pytest.fixture(scope="module")
def back_office():
    return PageBuilder(load_document(BACK_OFFICE), "back-office", "crm_back_office").build("Back-Office")


def operation_html(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start:page.index("</article>", start)]


def rows_of(html: str) -> dict[str, str]:
    parser = Tables()
    parser.feed(html)
    return {row[0].split()[0]: row[1] for table in parser.tables for row in table[1:] if len(row) == 2}


def test_parameters_are_described_in_json_and_http_words(pages):
    rows = rows_of(operation_html(pages["back-office"], "back-office-op-list-activities"))
    assert rows["states"].startswith("array of ActivityState (string)")
    assert "comma-separated: states=a,b" in rows["states"]  # the spec writes explode: false
    assert "items: PENDING | COMPLETED | CANCELLED" in rows["states"]
    assert "default: 10" in rows["size"] and rows["size"].startswith("integer")
    guid = yaml.safe_load((ROOT / "spec" / "back-office.yaml").read_text())["components"]["schemas"]["Guid"]
    assert f"pattern: {guid['pattern']}" in rows["contact_id"]
    for page in pages.values():
        for python_word in ("list[", "Literal[", "bool =", "str =", "anyOf (", "Optional["):
            assert python_word not in page


def test_nullable_composition_reads_as_or_null(tmp_path):
    spec = tmp_path / "n.yaml"
    spec.write_text(yaml.safe_dump({
        "openapi": "3.1.0", "info": {"title": "n", "version": "1"}, "paths": {},
        "components": {"schemas": {"Guid": {"type": "string", "pattern": "^[0-9a-f]{32}$"}, "Holder": {
            "type": "object", "properties": {
                "ref": {"anyOf": [{"$ref": "#/components/schemas/Guid"}, {"type": "null"}]},
                "when": {"type": ["string", "null"], "format": "date-time"},
                "either": {"oneOf": [{"type": "integer"}, {"type": "string"}]}}}}}}))
    page = PageBuilder(load_document(spec), "n", "crm_n").build("n")
    holder = next(s for s in page.schemas if s.name == "Holder")
    types = {row.name: row.type.text for row in holder.rows}
    assert types == {"ref": "Guid (string) or null", "when": "string (date-time) or null",
                     "either": "one of: integer, string"}


STYLE_TABLE = [  # OpenAPI 3.1 Parameter Object, "Style Examples": color = ["blue", "black", "brown"]
    ("query", "form", True, "color=blue&color=black&color=brown"),
    ("query", "form", False, "color=blue,black,brown"),
    ("query", "spaceDelimited", False, "color=blue%20black%20brown"),
    ("query", "pipeDelimited", False, "color=blue|black|brown"),
    ("path", "simple", False, "blue,black,brown"),
    ("path", "label", True, ".blue.black.brown"),
    ("path", "label", False, ".blue,black,brown"),
    ("path", "matrix", True, ";color=blue;color=black;color=brown"),
    ("path", "matrix", False, ";color=blue,black,brown"),
]
OBJECT_TABLE = [  # the same table, color = {"R": 100, "G": 200, "B": 150}
    ("query", "form", True, "R=100&G=200&B=150"),
    ("query", "form", False, "color=R,100,G,200,B,150"),
    ("query", "deepObject", True, "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150"),  # brackets percent-encoded
    ("path", "simple", True, "R=100,G=200,B=150"),
    ("path", "label", False, ".R,100,G,200,B,150"),
    ("path", "matrix", True, ";R=100;G=200;B=150"),
]


def _parameter(tmp_path, location, style, explode, schema):
    from generator.model import SpecModel

    spec = tmp_path / "s.yaml"
    spec.write_text(yaml.safe_dump({
        "openapi": "3.1.0", "info": {"title": "s", "version": "1"},
        "paths": {"/x/{color}" if location == "path" else "/x": {"get": {"parameters": [
            {"name": "color", "in": location, "required": True, "style": style, "explode": explode,
             "schema": schema}], "responses": {"200": {"description": "ok"}}}}}}))
    return SpecModel(load_document(spec)).operations[0].parameters[0]


@pytest.mark.parametrize(("location", "style", "explode", "expected"), STYLE_TABLE + OBJECT_TABLE)
def test_example_values_are_serialized_as_the_openapi_style_table_says(tmp_path, location, style, explode, expected):
    from generator.emit.docs import wire

    is_object = (location, style, explode, expected) in OBJECT_TABLE
    value = {"R": 100, "G": 200, "B": 150} if is_object else ["blue", "black", "brown"]
    schema = {"type": "object"} if is_object else {"type": "array", "items": {"type": "string"}}
    parameter = _parameter(tmp_path, location, style, explode, schema)
    written = wire.encoded(parameter, value)
    assert unquote(written) == unquote(expected)  # the table leaves some delimiters unescaped (`|`)
    assert set(written) <= set(string.ascii_letters + string.digits + "-._~%,;=&")  # RFC 3986: a valid URL part
    assert wire.serialization(parameter)  # and the table says how, in words


def test_serialization_words(tmp_path):
    from generator.emit.docs import wire

    array = {"type": "array", "items": {"type": "string"}}
    assert wire.serialization(_parameter(tmp_path, "query", "form", False, array)) == "comma-separated: color=a,b"
    assert wire.serialization(_parameter(tmp_path, "query", "form", True, array)) == \
        "one `color=value` per item: color=a&color=b"
    assert wire.serialization(_parameter(tmp_path, "query", "pipeDelimited", False, array)) == \
        "pipe-separated: color=a%7Cb"
    assert wire.serialization(_parameter(tmp_path, "query", "deepObject", True, {"type": "object"})) == \
        "`color[key]=value` per key: color%5Bx%5D=1&color%5By%5D=2"
    assert wire.serialization(_parameter(tmp_path, "query", "form", True, {"type": "string"})) is None


def test_components_and_shared_responses_are_described_once_and_linked(pages):
    page = pages["back-office"]
    error = load_document(BACK_OFFICE).data["components"]["schemas"]["Error"]
    parser = Tables()
    parser.feed(page)
    error_tables = [t for t in parser.tables
                    if {row[0].split()[0] for row in t[1:]} == set(error["properties"])]
    assert len(error_tables) == 1  # on the Error schema's own anchor
    uses = BACK_OFFICE.read_text().count("$ref: '#/components/responses/BadRequest'")
    assert uses > 5 and page.count('href="#back-office-response-badrequest"') == uses + 1  # and the sidebar
    assert page.count('id="back-office-response-badrequest"') == 1


def test_markdown_fast_path_renders_exactly_like_markdown_it():
    reference = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")
    texts = set()

    def collect(node):
        if isinstance(node, dict):
            texts.update(v for k, v in node.items() if k in ("description", "summary") and isinstance(v, str))
            for v in node.values():
                collect(v)
        elif isinstance(node, list):
            for v in node:
                collect(v)

    for spec in SPECS + [ROOT.parent / "shared" / "corpus" / "oai-uspto.yaml"]:
        collect(load_document(spec).data)
    texts |= {"Plain words.", "1. a list", "- item", "a *b*", "x  ", "  indented", "\"quoted\" & <b>", "a\nb"}
    assert len(texts) > 200
    for text in sorted(texts):
        assert str(markdown(text)) == reference.render(text) or "href=" in reference.render(text), text


def test_every_curl_command_runs_against_the_mock(back_office, generated_packages):
    server = importlib.import_module("crm_back_office.server")
    base = "https://sandbox.crm.com/backoffice/v2"
    with serving(server.create_mock_app()) as url:
        for op in back_office.operations:
            assert "{" not in op.curl.split("\n")[0], op.curl  # example values in the path
            assert "YOUR_API_KEY" in op.curl, op.curl  # the credential header, as a placeholder
            argv = shlex.split(op.curl.replace("\\\n", " ").replace(base, url))
            done = subprocess.run([*argv, "-s", "-o", "/dev/null", "-w", "%{http_code}"], check=False, capture_output=True,
                                  text=True, timeout=60)
            assert done.stdout.startswith("2"), (op.anchor, done.stdout, op.curl)


def test_every_python_snippet_runs_against_the_mock(back_office, generated_packages):
    server = importlib.import_module("crm_back_office.server")
    with serving(server.create_mock_app()) as url:
        for op in back_office.operations:
            ast.parse(op.python)
            assert op.python.startswith("from crm_back_office import Client\n")
            code = op.python.replace("with Client(", f"with Client({url!r}, ", 1)
            with contextlib.redirect_stdout(io.StringIO()) as out:
                exec(compile(code, op.anchor, "exec"), {})  # noqa: S102 - the test's own snippet
            assert out.getvalue().strip(), op.anchor


def test_try_it_templates_hold_the_example_values(back_office):
    op = next(o for o in back_office.operations if o.anchor == "back-office-op-get-account")
    assert op.try_it["method"] == "GET" and op.try_it["path"] == "/accounts/{id}"
    assert op.try_it["parameters"][0] == {"name": "id", "in": "path", "required": True, "explode": False,
                                          "style": "simple", "value": "4dc0809f-ed91-4b68-b912-5bd6064d901e"}
    assert [c["key"] for c in op.try_it["credentials"]] == ["api_key"]
    assert re.search(r"curl -X GET '[^']*/accounts/4dc0809f-ed91-4b68-b912-5bd6064d901e'", op.curl)
