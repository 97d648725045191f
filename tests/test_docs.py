"""The documentation site: content, links, ids, safety, and a real headless Chromium."""

from __future__ import annotations

import functools
import http.server
import json
import re
import subprocess
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from generator.emit.docs import anchor, render_site
from generator.load import load_document
from generator.walk import iter_operations

SPECS = sorted((ROOT / "spec").glob("*.yaml"))
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")


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
                assert fragment in parsed(document.read_text(encoding="utf-8")).ids, (path, link)


def test_the_bundled_specs_are_downloadable_and_equal_the_source(site):
    out, _ = site
    for spec in SPECS:
        source = load_document(spec).data
        assert json.loads((out / spec.stem / "openapi.json").read_text()) == source
        assert yaml.safe_load((out / spec.stem / "openapi.yaml").read_text()) == yaml.safe_load(spec.read_text())


def test_provenance_badges_are_shown(site):
    _, files = site
    assert files[Path("client-data.html")].count('class="badge inferred"') == 40
    assert files[Path("back-office.html")].count('class="badge listed"') == 12


def test_each_parameter_says_how_it_is_serialised(site):
    _, files = site
    page = files[Path("back-office.html")]
    states = page[page.index("<code>states</code>"):]
    assert states[:states.index("</tr>")].count("Sent as comma-separated.") == 1  # style: form, explode: false
    assert "Sent as <code>created_on[gte]=…</code>." in page


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
    assert [s.get("src") for s in parsed(page).scripts] == ["search-index.js", "site.js"]


def test_the_output_is_deterministic(tmp_path):
    assert render_site(SPECS, tmp_path / "a") == render_site(SPECS, tmp_path / "b")


def test_docs_for_every_corpus_spec(run_cli, tmp_path):
    corpus = sorted((ROOT.parent / "shared" / "corpus").glob("*.y*ml")) + sorted(
        (ROOT.parent / "shared" / "corpus").glob("*.json"))
    assert len(corpus) == 12
    result = run_cli("docs", *corpus, "--out", tmp_path / "site")
    assert result.code == 0, result.out
    assert (tmp_path / "site" / f"{anchor('github-api.github.com')}.html").stat().st_size > 1_000_000


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Debian's chromium, installed when missing (the test machine is root; see the README)."""
    if not CHROMIUM.exists():
        subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, capture_output=True,
                       timeout=900, env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    return CHROMIUM


def test_the_site_in_a_real_headless_browser(site, chromium):
    from playwright.sync_api import sync_playwright

    out, _ = site
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *args: None  # type: ignore[assignment]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    errors: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(chromium), args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            target = anchor("back-office", "op", "list_activities")
            page.goto(f"{url}/back-office.html#{target}")
            assert page.evaluate("window.scrollY") > 1000  # the deep link scrolled to the operation
            box = page.locator(f"#{target}").bounding_box()
            assert box is not None and 0 <= box["y"] < 200
            page.fill("#search", "list activities")
            assert page.locator("#results li").count() >= 1
            assert "GET /activities" in page.locator("#results li").first.inner_text()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "docs-back-office.png"))
            page.set_viewport_size({"width": 390, "height": 844})  # a phone
            page.goto(f"{url}/index.html")
            page.fill("#search", "contact")
            assert page.locator("#results li").count() >= 1
            browser.close()
    finally:
        server.shutdown()
    assert errors == []
