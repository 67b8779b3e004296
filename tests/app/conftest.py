"""AppTest fixtures: every test gets its own copy of one demo workspace file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from crm.demo import generate_demo
from crm.store import Store
from crm.ui.nav import path_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    store = Store(str(path))
    generate_demo(store, seed=0)
    store.close()
    return path


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def demo_db(tmp_path: Path, demo_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo workspace, set as CRM_DB."""
    path = tmp_path / "crm.duckdb"
    shutil.copy(demo_template, path)
    monkeypatch.setenv("CRM_DB", str(path))
    monkeypatch.chdir(ROOT)
    return path


@pytest.fixture
def app(demo_db: Path) -> AppTest:
    """The whole app on the demo workspace, first run done."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    """Switch to a page by its name in crm/ui/nav.py and run it; fails on any exception."""
    at.switch_page(path_of(page)).run()
    assert not at.exception, at.exception
    return at
