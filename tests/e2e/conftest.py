"""Browser tests: Playwright drives Debian's chromium against `streamlit run` on a free port.

Every server runs on its own copy of one demo file made here, so a test sees the same
workspace whatever ran before it. Tests that only read share one server (``server``); a test
that writes, or needs a server that has run no script yet, starts its own (``own_server``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from crm import registry
from crm.demo import generate_demo
from crm.store import Store
from crm.ui.nav import PageName, url_of

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
VIEWPORT = {"width": 1440, "height": 900}

pytestmark = pytest.mark.e2e


def _browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return "Debian's chromium is not installed (`apt-get install chromium`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@pytest.fixture(scope="session")
def browser_available() -> None:
    reason = _browser_missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but browser tests cannot run: {reason}")
        pytest.skip(f"browser tests skipped: {reason}")


@dataclass(frozen=True)
class Demo:
    """The demo file every server copies, and what a person should see in it."""

    path: Path
    counts: dict[str, object]
    owners: int
    channel: registry.Channel  # the first channel, opened by /channel?id=…


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    store = Store(str(path))
    try:
        generate_demo(store, seed=0)
        cur = store.cursor()
        counts = registry.registry_counts(cur)
        owners = registry.list_owners(cur).height
        channel = registry.get_channel(cur, int(registry.list_channels(cur)["id"][0]))
    finally:
        store.close()
    return Demo(path, counts, owners, channel)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def running_app(db: Path, log_path: Path) -> Iterator[str]:
    """`streamlit run` on ``db`` until the block ends; yields its address."""
    port = _free_port()
    log = log_path.open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "streamlit_app.py",
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ],  # fmt: skip
        cwd=ROOT,
        env={**os.environ, "CRM_DB": str(db)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start; see {log_path}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _copy(demo: Demo, folder: Path) -> Path:
    db = folder / "crm.duckdb"
    shutil.copy(demo.path, db)
    return db


@pytest.fixture(scope="session")
def server(
    browser_available: None, demo: Demo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One app shared by the tests that only look: they must not write to it."""
    folder = tmp_path_factory.mktemp("e2e-shared")
    with running_app(_copy(demo, folder), folder / "streamlit.log") as url:
        yield url


@pytest.fixture
def own_server(browser_available: None, demo: Demo, tmp_path: Path) -> Iterator[str]:
    """An app of this test's own, on a fresh copy of the demo, that has run no script yet."""
    with running_app(_copy(demo, tmp_path), tmp_path / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser(browser_available: None):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


def url(server: str, name: PageName, query: str = "") -> str:
    """The address of one page of the app (paths come from crm/ui/nav.py)."""
    return f"{server}/{url_of(name)}" + (f"?{query}" if query else "")


def settle(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the script run started by the last action has finished."""
    page.wait_for_timeout(150)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
    # a page's first run can report "not running" before its elements replace the skeletons
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0"
    )


def grid_drawn(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the first data grid has drawn (its cells are mirrored in a hidden table)."""
    page.locator('[data-testid="stDataFrame"] td').first.wait_for(state="attached")
    page.wait_for_timeout(300)


def shoot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Save a screenshot under test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
