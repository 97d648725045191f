"""The documentation site: content, links, ids, safety, determinism (the browser test is test_docs_browser.py)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from generator.emit.docs import anchor, render_site
from generator.load import load_document
from generator.model.walk import iter_operations

SPECS = sorted((ROOT / "spec").glob("*.yaml"))


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "a" and "href" in attributes:
            self.links.append(attributes["href"])
        if tag == "script":
            self.scripts.append(attributes)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    files = render_site(SPECS, out)
    for path, text in files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(text, encoding="utf-8")
    return out, files


def parsed(text: str) -> Collector:
    collector = Collector()
    collector.feed(text)
    return collector


def test_every_operation_and_schema_has_its_anchor_and_no_id_repeats(site):
    out, files = site
    for spec in SPECS:
        page = parsed(files[Path(f"{spec.stem}.html")])
        assert len(page.ids) == len(set(page.ids)), "duplicate ids"
        data = load_document(spec).data
        schema_ids = [i for i in page.ids if "-schema-" in i]
        assert len(schema_ids) == len(data["components"]["schemas"])
        for name in data["components"]["schemas"]:
            assert any(i.startswith(anchor(spec.stem, "schema", name)) for i in schema_ids), name
        operations = [s for s in iter_operations(data)]
        operation_ids = [i for i in page.ids if "-op-" in i]
        assert len(operation_ids) == len(operations)


def test_every_link_resolves(site):
    out, files = site
    ids: dict[Path, set[str]] = {}  # each page parsed once

    def ids_of(document: Path) -> set[str]:
        if document not in ids:
            ids[document] = set(parsed(document.read_text(encoding="utf-8")).ids)
        return ids[document]

    for path, text in files.items():
        if path.suffix != ".html":
            continue
        page = parsed(text)
        for link in page.links:
            target, _, fragment = link.partition("#")
            if link.startswith(("http://", "https://", "mailto:")):
                continue
            document = out / target if target else out / path
            assert document.exists(), (path, link)
            if fragment:
                assert fragment in ids_of(document), (path, link)


def test_the_bundled_specs_are_downloadable_and_equal_the_source(site):
    out, _ = site
    for spec in SPECS:
        source = load_document(spec).data
        assert json.loads((out / spec.stem / "openapi.json").read_text()) == source
        assert yaml.safe_load((out / spec.stem / "openapi.yaml").read_text()) == yaml.safe_load(spec.read_text())


def test_a_json_spec_is_offered_as_written(tmp_path):
    spec = tmp_path / "api.json"
    spec.write_text('{"openapi": "3.1.0", "info": {"title": "j", "version": "1"}, "paths": {}}')
    files = render_site([spec], tmp_path / "out")
    assert files[Path("api") / "openapi.json"] == spec.read_text()
    assert Path("api") / "openapi.yaml" not in files


def test_provenance_badges_are_shown(site):
    _, files = site
    assert files[Path("client-data.html")].count('class="badge inferred"') == 40
    assert files[Path("back-office.html")].count('class="badge listed"') == 12


def test_html_and_script_in_a_spec_do_not_run(tmp_path):
    spec = tmp_path / "evil.yaml"
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)"> [link](javascript:alert(3))'
    spec.write_text(yaml.safe_dump({
        "openapi": "3.1.0", "info": {"title": evil, "version": "1", "description": evil},
        "paths": {"/x": {"get": {"operationId": "x", "summary": evil, "description": evil,
                                 "responses": {"200": {"description": evil}}}}},
        "components": {"schemas": {"S": {"type": "object", "description": evil,
                                         "properties": {"p": {"type": "string", "description": evil}}}}},
    }))
    files = render_site([spec], tmp_path / "out")
    page = files[Path("evil.html")]
    assert "<script>alert" not in page and "<img" not in page
    assert re.search(r"<[^>]*onerror", page) is None
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text
    links = parsed(page).links
    assert links and not any(link.lower().startswith("javascript:") for link in links)
    assert [s.get("src") for s in parsed(page).scripts] == ["search-index.js", "evil/try-it.js", "site.js", "try-it.js"]


def test_the_output_is_deterministic(tmp_path):
    assert render_site(SPECS, tmp_path / "a") == render_site(SPECS, tmp_path / "b")


def test_docs_for_every_corpus_spec(run_cli, tmp_path):
    corpus = sorted((ROOT.parent / "shared" / "corpus").glob("*.y*ml")) + sorted(
        (ROOT.parent / "shared" / "corpus").glob("*.json"))
    assert len(corpus) == 12
    result = run_cli("docs", *corpus, "--out", tmp_path / "site")
    assert result.code == 0, result.out
    github = (tmp_path / "site" / f"{anchor('github-api.github.com')}.html").read_text(encoding="utf-8")
    operations = list(iter_operations(load_document(ROOT.parent / "shared" / "corpus" / "github-api.github.com.json").data))
    assert len(operations) > 1000 and github.count('<article class="operation"') == len(operations)


def test_a_dangling_ref_is_one_line_with_its_location_and_no_site(run_cli, write_spec, tmp_path):
    spec = write_spec({"openapi": "3.1.0", "info": {"title": "b", "version": "1"}, "paths": {},
                       "components": {"schemas": {"A": {"type": "object", "properties": {
                           "b": {"$ref": "#/components/schemas/Missing"}}}}}})
    result = run_cli("docs", spec, "--out", tmp_path / "site")
    assert result.code == 2
    assert re.fullmatch(r".*api\.yaml:\d+:\d+: ref-resolves: .*Missing.*", result.out.strip())
    assert not (tmp_path / "site").exists()
