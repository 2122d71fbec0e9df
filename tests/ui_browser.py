"""Driving the browser wizard in real Chromium (Debian's package) with Playwright for Python:
the server started by the real ``eucaim-wizard ui`` command, and the actions a curator takes.

Used by ``tests/test_ui_e2e.py`` and ``scripts/ui_screenshots.py``.  :func:`why_not` says in
one line why the browser tests cannot run here (no chromium, no Playwright), or None.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def why_not() -> str | None:
    """Why the browser tests cannot run here (one line), or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
        import streamlit  # noqa: F401
    except ImportError as error:
        return f"the browser tests need Playwright and Streamlit ({error.name} is not installed; `make setup`)"
    if chromium_path() is None:
        return ("the browser tests need Debian's chromium (`apt-get install chromium`, which `make test` runs "
                "where it is root); it is not installed and could not be")
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def wizard_server(target: str | None = None, *, timeout: float = 60.0):
    """``eucaim-wizard ui --no-browser`` on a free port; yields its address."""
    port = _free_port()
    command = [sys.executable, "-m", "eucaim_wizard", "ui", "--no-browser", "--port", str(port)]
    if target:
        command.append(target)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        deadline = time.monotonic() + timeout
        address = None
        while time.monotonic() < deadline and server.poll() is None:
            line = server.stdout.readline()
            if "served at" in line:
                address = line.split("served at", 1)[1].split()[0]
                break
        if address is None:
            raise RuntimeError(f"eucaim-wizard ui did not start (exit {server.poll()})")
        yield address
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


@contextmanager
def browser_page(downloads: Path):
    """A Chromium page (1440×1000) that records every request leaving 127.0.0.1."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
        page = context.new_page()
        page.outside = []  # type: ignore[attr-defined]

        def record(request) -> None:
            host = urlparse(request.url).hostname
            if request.url.startswith(("http:", "https:", "ws:", "wss:")) and host not in ("127.0.0.1", "localhost"):
                page.outside.append(request.url)  # type: ignore[attr-defined]

        page.on("request", record)
        page.set_default_timeout(60_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def _idle(page) -> bool:
    state = page.locator('[data-testid="stApp"]').first.get_attribute("data-test-script-state")
    return state not in ("running", None) and page.locator('[data-stale="true"]').count() == 0


def settle(page, timeout: float = 180.0) -> None:
    """Wait until the app has finished running its script (``stApp``'s script state is not
    ``running`` twice in a row and no element is stale)."""
    page.wait_for_timeout(250)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _idle(page):
            page.wait_for_timeout(250)
            if _idle(page):
                return
        page.wait_for_timeout(150)
    raise TimeoutError("the app was still running after the timeout")


def go_to(page, title: str) -> None:
    """Open a step from the sidebar, e.g. ``"6. Explore"``."""
    page.locator('[data-testid="stSidebar"]').get_by_text(title, exact=False).first.click()
    settle(page)


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label``."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=False).first.click()
    settle(page)


def shoot(page, folder: Path | None, name: str) -> None:
    """A full-page screenshot ``folder/name.png`` (when ``folder`` is given)."""
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    # the app scrolls inside its main pane: the viewport grows to the pane's height for the picture
    height = page.evaluate("() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
                           " return m ? m.scrollHeight : document.body.scrollHeight; }")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(max(int(height), size["height"]), 6000)})
    page.wait_for_timeout(400)
    page.screenshot(path=str(folder / f"{name}.png"))
    page.set_viewport_size(size)
