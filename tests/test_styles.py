"""Parameter serialisation against the OpenAPI text: the "Style Examples" table of the Parameter Object.

A spec with one operation per table row is generated; its client (sync and async) encodes each
row's value over loopback HTTP, the wire is compared with the table's literal string, and its
server decodes it back. openapi-core's own style deserialisers cross-check the decoder on the
same rows and on random values (hypothesis).
"""

from __future__ import annotations

import asyncio
import importlib
import string
import sys
from urllib.parse import unquote

import httpx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_core.deserializing.styles import style_deserializers
from servers import serving

from generator.generate import Target, run

PRIMITIVE, ARRAY, OBJECT = "blue", ["blue", "black", "brown"], {"R": 100, "G": 200, "B": 150}
VALUES = {"primitive": PRIMITIVE, "array": ARRAY, "object": OBJECT}

# OpenAPI 3.1.1, Parameter Object, "Style Examples" (label with explode=false as the 3.1.1 text has it).
TABLE = [
    ("matrix", False, ";color=blue", ";color=blue,black,brown", ";color=R,100,G,200,B,150"),
    ("matrix", True, ";color=blue", ";color=blue;color=black;color=brown", ";R=100;G=200;B=150"),
    ("label", False, ".blue", ".blue,black,brown", ".R,100,G,200,B,150"),
    ("label", True, ".blue", ".blue.black.brown", ".R=100.G=200.B=150"),
    ("form", False, "color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"),
    ("form", True, "color=blue", "color=blue&color=black&color=brown", "R=100&G=200&B=150"),
    ("simple", False, "blue", "blue,black,brown", "R,100,G,200,B,150"),
    ("simple", True, "blue", "blue,black,brown", "R=100,G=200,B=150"),
    ("spaceDelimited", False, None, "blue%20black%20brown", "R%20100%20G%20200%20B%20150"),
    ("pipeDelimited", False, None, "blue|black|brown", "R|100|G|200|B|150"),
    ("deepObject", True, None, None, "color[R]=100&color[G]=200&color[B]=150"),
]
LOCATION = {"matrix": "path", "label": "path", "simple": "path", "form": "query", "spaceDelimited": "query",
            "pipeDelimited": "query", "deepObject": "query"}
# The delimited styles' literals in the table omit the parameter name the query carries.
NAMED = {"spaceDelimited", "pipeDelimited"}


def table_rows() -> list[tuple[str, str, bool, str, str]]:
    """(location, style, explode, shape, literal) for every cell of the table that has a value,
    plus header `simple` (same strings as path `simple`)."""
    rows = []
    for style, explode, *cells in TABLE:
        for shape, literal in zip(("primitive", "array", "object"), cells):
            if literal is not None:
                rows.append((LOCATION[style], style, explode, shape, f"color={literal}" if style in NAMED else literal))
                if style == "simple":
                    rows.append(("header", style, explode, shape, literal))
    return rows


ROWS = table_rows()
COOKIE_ROWS = [("cookie", "form", explode, shape, None) for explode in (False, True)
               for shape in ("primitive", "array", "object")]
COOKIE_LITERALS = {(False, "primitive"): "color=blue", (False, "array"): "color=blue,black,brown",
                   (False, "object"): "color=R,100,G,200,B,150"}
ALL_ROWS = ROWS + COOKIE_ROWS
SCHEMAS = {
    "primitive": {"type": "string"},
    "array": {"type": "array", "items": {"type": "string"}},
    "object": {"$ref": "#/components/schemas/Color"},
}
COLOR = {"type": "object", "properties": {k: {"type": "integer"} for k in OBJECT}, "required": list(OBJECT)}


def style_spec() -> dict:
    paths = {}
    for i, (location, style, explode, shape, _) in enumerate(ALL_ROWS):
        parameter = {"name": "color", "in": location, "required": True, "style": style, "explode": explode,
                     "schema": SCHEMAS[shape]}
        paths[f"/r{i}/{{color}}" if location == "path" else f"/r{i}"] = {"get": {
            "operationId": f"row_{i}", "parameters": [parameter],
            "responses": {"200": {"description": "the decoded value", "content": {"application/json": {"schema": {}}}},
                          "400": {"description": "bad", "content": {"application/json": {"schema": {
                              "type": "object", "properties": {"message": {"type": "string"}}}}}}}}}
    extras = {
        "/json": {"name": "filter", "in": "query", "required": True,
                  "content": {"application/json": {"schema": {"type": "object"}}}},
        "/reserved": {"name": "next", "in": "query", "required": True, "allowReserved": True,
                      "schema": {"type": "string"}},
    }
    for path, parameter in extras.items():
        paths[path] = {"get": {"operationId": path.strip("/"), "parameters": [parameter], "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {}}}}}}}
    return {"openapi": "3.1.0", "info": {"title": "styles", "version": "1"}, "paths": paths,
            "components": {"schemas": {"Color": COLOR}}}


@pytest.fixture(scope="module")
def styles(tmp_path_factory):
    folder = tmp_path_factory.mktemp("styles")
    spec = folder / "styles.yaml"
    spec.write_text(yaml.safe_dump(style_spec(), sort_keys=False))
    run([Target(spec, folder / "pkg", "styles_pkg")], formatter="none")
    sys.path.insert(0, str(folder / "pkg"))
    client, server = importlib.import_module("styles_pkg"), importlib.import_module("styles_pkg.server")

    class Echo:
        def __getattr__(self, operation):
            async def echo(**arguments):
                return next(iter(arguments.values()))
            return echo

    with serving(server.create_app(Echo())) as url:
        yield client, url
    sys.path.remove(str(folder / "pkg"))


def wire_of(request: httpx.Request, location: str, index: int) -> str:
    """The serialised parameter as it went out: path segment, raw query, header or cookie."""
    if location == "path":
        return request.url.raw_path.decode().split("?")[0].removeprefix(f"/r{index}/")
    if location == "query":
        return request.url.query.decode()
    return request.headers["color" if location == "header" else "cookie"]


ALLOWED = set(string.ascii_letters + string.digits + "-._~%,;=&") | {" "}


def check_wire(location: str, wire: str, literal: str | None) -> None:
    if literal is not None:
        assert unquote(wire) == unquote(literal), (wire, literal)
    if location in ("path", "query"):  # RFC 3986: only unreserved characters, escapes and the style's delimiters
        assert set(wire) <= ALLOWED - {" "}, wire


@pytest.mark.parametrize("index", range(len(ALL_ROWS)),
                         ids=[f"{r[0]}-{r[1]}-{'explode' if r[2] else 'plain'}-{r[3]}" for r in ALL_ROWS])
def test_every_table_row_is_encoded_by_both_clients_and_decoded_by_the_server(styles, index):
    package, url = styles
    location, _, explode, shape, literal = ALL_ROWS[index]
    literal = literal if location != "cookie" else COOKIE_LITERALS.get((explode, shape))
    sent: list[httpx.Request] = []
    with package.Client(url, http_client=httpx.Client(event_hooks={"request": [sent.append]})) as client:
        result = getattr(client.default, f"row_{index}")(color=VALUES[shape])

    async def call() -> object:
        hooks = {"request": [lambda request: _record(sent, request)]}
        async with package.AsyncClient(url, http_client=httpx.AsyncClient(event_hooks=hooks)) as client:
            return await getattr(client.default, f"row_{index}")(color=VALUES[shape])

    async_result = asyncio.run(call())
    assert result == async_result == VALUES[shape]
    sync_wire, async_wire = (wire_of(r, location, index) for r in sent)
    assert sync_wire == async_wire
    check_wire(location, sync_wire, literal)


async def _record(sent: list[httpx.Request], request: httpx.Request) -> None:
    sent.append(request)


def test_content_and_allow_reserved_parameters(styles):
    package, url = styles
    sent: list[httpx.Request] = []
    with package.Client(url, http_client=httpx.Client(event_hooks={"request": [sent.append]})) as client:
        assert client.default.json(filter={"a": [1, "x y"]}) == {"a": [1, "x y"]}
        assert client.default.reserved(next="/a/b?c=d") == "/a/b?c=d"
    assert sent[0].url.query.decode() == "filter=%7B%22a%22%3A%5B1%2C%22x%20y%22%5D%7D"
    assert sent[1].url.query.decode() == "next=/a/b?c%3Dd"  # reserved characters stay, `=` would end the pair


def test_the_server_refuses_what_the_style_does_not_allow(styles):
    _, url = styles
    exploded = next(i for i, r in enumerate(ALL_ROWS) if r[:4] == ("query", "form", False, "array"))
    odd = next(i for i, r in enumerate(ALL_ROWS) if r[:4] == ("path", "simple", False, "object"))
    repeated = httpx.get(f"{url}/r{exploded}?color=blue&color=black")
    uneven = httpx.get(f"{url}/r{odd}/R,100,G")
    not_json = httpx.get(f"{url}/json?filter=%7Bnope")
    for response in (repeated, uneven, not_json):
        assert response.status_code == 400, response.text
    assert "'color'" in repeated.json()["message"] and "not exploded" in repeated.json()["message"]
    assert "key,value pairs" in uneven.json()["message"]
    assert "'filter'" in not_json.json()["message"]


# -- cross-check with openapi-core's deserialisers -------------------------------------------------------


def codec():
    return importlib.import_module("styles_pkg._codec")


def openapi_core_value(style: str, explode: bool, shape: str, wire: str) -> object:
    """What openapi-core's style deserialiser reads from the same serialised value."""
    loads = style_deserializers[style]
    if style in ("matrix", "label"):
        location = {f"{wire[0]}color{'*' if explode else ''}": unquote(wire)}
    elif style == "deepObject":
        location = {unquote(k): unquote(v) for k, _, v in (p.partition("=") for p in wire.split("&"))}
    elif style == "form" and explode and shape == "object":
        location = {"color": unquote(wire)}
    elif style == "form":
        pairs = [(unquote(k), unquote(v)) for k, _, v in (p.partition("=") for p in wire.split("&"))]
        location = _MultiDict(pairs)
    elif style == "spaceDelimited":
        location = {"color": wire.partition("=")[2]}  # openapi-core splits on the encoded "%20"
    elif style == "pipeDelimited":
        location = {"color": unquote(wire.partition("=")[2])}
    else:
        location = {"color": unquote(wire)}
    return loads(explode, "color", shape if shape != "primitive" else "string", location)


class _MultiDict(dict):
    def __init__(self, pairs: list[tuple[str, str]]):
        super().__init__(pairs)
        self.pairs = pairs

    def getlist(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k == name]


def our_value(location: str, style: str, explode: bool, shape: str, wire: str) -> object:
    c = codec()
    spec = c.Wire("color", location, style, explode, shape)
    if location == "path":
        return c.decode_path(spec, wire)
    return c.decode_query(spec, c.parse_query(wire))


def as_strings(value: object) -> object:
    if isinstance(value, dict):
        return {k: str(v) for k, v in value.items()}
    return value


PATH_AND_QUERY = [r for r in ROWS if r[0] in ("path", "query")]


@pytest.mark.parametrize("row", PATH_AND_QUERY, ids=[f"{r[1]}-{r[2]}-{r[3]}" for r in PATH_AND_QUERY])
def test_openapi_core_reads_the_table_rows_as_our_decoder_does(styles, row):
    location, style, explode, shape, _ = row
    wire = codec().encode(codec().Wire("color", location, style, explode, shape), VALUES[shape])
    assert our_value(location, style, explode, shape, wire) == openapi_core_value(style, explode, shape, wire) \
        == as_strings(VALUES[shape])


WORD = st.text(string.ascii_letters + string.digits + "-_~", min_size=1, max_size=8)
SHAPES = {"primitive": WORD, "array": st.lists(WORD, min_size=1, max_size=5),
          "object": st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=6), WORD, min_size=1,
                                    max_size=4)}
COMBINATIONS = sorted({r[:4] for r in PATH_AND_QUERY})


@pytest.mark.parametrize("combination", COMBINATIONS, ids=["-".join(map(str, c)) for c in COMBINATIONS])
def test_random_values_round_trip_and_openapi_core_agrees(styles, combination):
    location, style, explode, shape = combination
    if style == "form" and explode and shape == "object":
        keys = st.text(string.ascii_letters, min_size=1, max_size=6).filter(lambda k: k != "color")
        values = st.dictionaries(keys, WORD, min_size=1, max_size=4)
    else:
        values = SHAPES[shape]

    @settings(max_examples=40, deadline=None, derandomize=True)
    @given(values)
    def check(value):
        wire = codec().encode(codec().Wire("color", location, style, explode, shape), value)
        ours = our_value(location, style, explode, shape, wire)
        assert ours == value
        assert openapi_core_value(style, explode, shape, wire) == value

    check()
