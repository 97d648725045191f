"""The documentation site in a real headless Chromium: deep links, search, the try-it panel, axe-core, screenshots."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import ROOT
from generator.emit.docs import anchor, render_site
from servers import serving

SPECS = sorted((ROOT / "spec").glob("*.yaml"))
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_TOOLS = ROOT / "tests" / "browser"  # package.json: axe-core, installed from the lockfile by `npm ci`
AXE = BROWSER_TOOLS / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Debian's chromium, installed when missing (the test machine is root; see the README)."""
    if not CHROMIUM.exists():
        subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, capture_output=True,
                       timeout=900, env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    return CHROMIUM


@pytest.fixture(scope="module")
def axe() -> str:
    """axe-core's browser build, from npm as tests/browser/package-lock.json pins it."""
    if not AXE.exists():
        subprocess.run(["npm", "ci", "--silent", "--no-audit", "--no-fund", "--prefix", str(BROWSER_TOOLS)],
                       check=True, capture_output=True, timeout=600)
    return AXE.read_text(encoding="utf-8")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep test output clean
        pass


@contextmanager
def static_site(tmp_path: Path) -> Iterator[str]:
    """The rendered site served over loopback; yields its URL."""
    for path, text in render_site(SPECS, tmp_path).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with static_site(tmp_path_factory.mktemp("site")) as url, sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=ARGS)
        yield launched, url
        launched.close()


def open_page(browser, width: int, height: int):
    """A page that records console errors, uncaught exceptions and every request it makes."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.errors, page.requests = [], []
    page.on("console", lambda message: page.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("request", lambda request: page.requests.append(request.url))
    return page


def axe_violations(page, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def test_deep_links_search_keyboard_and_screenshots(browser, axe):
    launched, url = browser
    ARTIFACTS.mkdir(exist_ok=True)
    target = anchor("back-office", "op", "list_activities")
    page = open_page(launched, 1400, 900)
    page.goto(f"{url}/back-office.html#{target}")
    assert page.evaluate("window.scrollY") > 1000  # the deep link scrolled to the operation
    box = page.locator(f"#{target}").bounding_box()
    assert box is not None and 0 <= box["y"] < 200
    page.screenshot(path=str(ARTIFACTS / "docs-back-office-1400.png"))
    page.keyboard.press("/")  # the search takes the focus
    assert page.evaluate("document.activeElement.id") == "search"
    page.keyboard.type("list activities")
    assert page.locator("#results li").count() >= 1
    assert "GET /activities" in page.locator("#results li").first.inner_text()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.classList.contains('result')")
    page.keyboard.press("Enter")
    page.wait_for_function(f"location.hash === '#{target}'")
    assert axe_violations(page, axe) == []
    assert page.errors == []
    phone = open_page(launched, 390, 844)
    phone.goto(f"{url}/back-office.html#{target}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    phone.screenshot(path=str(ARTIFACTS / "docs-back-office-390.png"))
    assert axe_violations(phone, axe) == []
    phone.goto(f"{url}/index.html")
    phone.fill("#search", "contact")
    assert phone.locator("#results li").count() >= 1
    assert phone.errors == []
    assert all(request.startswith(url) for request in page.requests + phone.requests)  # nothing leaves the site


def test_the_try_it_panel_sends_to_the_mock_only_on_click(browser, axe):
    from generator.mock import mock_app

    launched, url = browser
    app, _ = mock_app(ROOT / "spec" / "back-office.yaml")
    target = anchor("back-office", "op", "get_account")
    with serving(app) as mock:
        page = open_page(launched, 1400, 900)
        page.goto(f"{url}/back-office.html#{target}")
        article = page.locator(f"#{target}")
        article.locator("button.try").click()
        panel = article.locator(".try-panel")
        assert panel.is_visible()
        assert panel.locator("input[name='path:id']").input_value() == "4dc0809f-ed91-4b68-b912-5bd6064d901e"
        panel.get_by_label("Server URL").fill(mock)
        panel.get_by_label("api_key (header api_key)").fill("secret-typed-in")
        assert not [r for r in page.requests if r.startswith(mock)]  # nothing sent before Send
        with page.expect_response(lambda response: response.url.startswith(mock + "/accounts/")) as answer:
            panel.get_by_role("button", name="Send").click()
        assert answer.value.status == 200
        panel.locator(".try-status").filter(has_text="200").wait_for()
        shown = json.loads(panel.locator(".try-body").inner_text())
        assert shown == answer.value.json()  # the mock's own answer, as the page shows it
        assert "content-type: application/json" in panel.locator(".try-headers").inner_text()
        assert answer.value.request.headers["api_key"] == "secret-typed-in"
        assert page.evaluate("JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie") \
            == "{}{}"  # the credential is kept nowhere but the form
        assert [r for r in page.requests if not r.startswith(url)] == [answer.value.url]  # one request, to the mock
        page.screenshot(path=str(ARTIFACTS / "docs-try-it-1400.png"))
        assert axe_violations(page, axe) == []
        assert page.errors == []
