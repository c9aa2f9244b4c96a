"""The public check page in a real browser: Debian's chromium driven by Playwright, in each
language, on a phone-sized and a desktop screen.

Skips, saying why, when /usr/bin/chromium or the playwright package is missing, unless
KAWAN_REQUIRE_BROWSER=1 (CI), where that is a failure. Screenshots go to a temporary
directory, or to KAWAN_SCREENSHOTS (docs/screenshots is made with
`KAWAN_SCREENSHOTS=docs/screenshots pytest tests/web/test_browser.py`).
"""

from __future__ import annotations

import importlib.util
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from kawan.accounts import service
from kawan.app import create_app
from kawan.demo.fraud import allowlist_file
from kawan.fraud.allowlist import load
from kawan.fraud.reports import Cited
from kawan.node import Node
from kawan.stix.markings import Tlp
from tests.fraud.conftest import ACCOUNT, NOW, PHONE, WALLET, Store, sample_draft

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
HEADLINES = {"en": "Reported as scam", "vi": "Đã bị báo cáo lừa đảo",
             "th": "ถูกแจ้งว่าเป็นมิจฉาชีพ", "id": "Dilaporkan sebagai penipuan",
             "ms": "Dilaporkan sebagai penipuan"}  # fmt: skip


def _browser_or_skip() -> None:
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"{CHROMIUM} (apt-get install -y chromium)")
    if importlib.util.find_spec("playwright") is None:
        missing.append("the playwright package (pip install playwright)")
    if not missing:
        return
    why = "browser tests need " + " and ".join(missing)
    if os.environ.get("KAWAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"KAWAN_REQUIRE_BROWSER=1 but {why}")
    pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(store_report: Store, node: Node) -> Iterator[str]:
    """A real server on loopback holding reports and the demo allowlist."""
    _browser_or_skip()
    thai = service.add_partner(node.engine, "ThaiCERT", "TH")
    korea = service.add_partner(node.engine, "KNPA", "KR")
    for creator in (thai, korea, thai):
        store_report(sample_draft(), creator, Tlp.CLEAR)
    store_report(sample_draft([Cited(WALLET, "payment"), Cited(ACCOUNT, "payment")]), thai,
                 Tlp.CLEAR)  # fmt: skip
    load(node.engine, allowlist_file(), loaded=NOW)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(node.settings, node), host="127.0.0.1",
                                           port=port, log_level="warning"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    _wait_until_up(base)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


def _wait_until_up(base: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)  # a poll interval, not a wait for something to happen
    pytest.fail(f"the server at {base} did not answer within {seconds} s")


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    where = os.environ.get("KAWAN_SCREENSHOTS")
    folder = Path(where) if where else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser(served: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        the_browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield the_browser
        the_browser.close()


def _visit(browser: Any, url: str, screen: str, shot: Path) -> Any:
    page = browser.new_page(viewport=SCREENS[screen], device_scale_factor=1)
    page.goto(url)
    page.screenshot(path=str(shot), full_page=True)
    return page


@pytest.mark.parametrize("screen", sorted(SCREENS))
@pytest.mark.parametrize("lang", sorted(HEADLINES))
def test_the_check_page_in_each_language_and_screen(
    served: str, browser: Any, shots: Path, lang: str, screen: str
) -> None:
    url = f"{served}/check?value={PHONE.value.replace('+', '%2B')}&lang={lang}"
    page = _visit(browser, url, screen, shots / f"check-{lang}-{screen}.png")
    assert page.locator("h2").inner_text() == HEADLINES[lang]
    assert page.locator("html").get_attribute("lang") == lang
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, f"the {screen} page scrolls sideways in {lang}"
    page.close()


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_verified_official_and_the_form(
    served: str, browser: Any, shots: Path, screen: str
) -> None:
    page = _visit(browser, f"{served}/check?value=DEMOBANK&lang=en", screen,
                  shots / f"check-official-{screen}.png")  # fmt: skip
    assert page.locator("h2").inner_text() == "Verified official"
    assert "Demo data" in page.locator(".demo").inner_text()
    page.fill("#value", "0912 345 678")
    page.select_option("#country", "VN")
    page.click("button[type=submit]")
    page.wait_for_selector("h2")
    assert page.locator("h2").inner_text() == "Reported as scam"
    page.close()
