"""Fixtures shared by every suite: fresh stores and the real public exports."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crm.store import Store

ROOT = Path(__file__).resolve().parent.parent
REAL_DATA = Path(os.environ.get("CRM_REAL_DATA", ROOT.parent / "shared" / "data" / "real"))


@pytest.fixture
def store() -> Store:
    """A fresh, migrated in-memory store."""
    s = Store(":memory:")
    yield s
    s.close()


@pytest.fixture
def file_store(tmp_path: Path) -> Store:
    """A fresh, migrated store in a file under tmp_path."""
    s = Store(str(tmp_path / "crm.duckdb"))
    yield s
    s.close()


@pytest.fixture
def real_data() -> Path:
    """The folder of real public exports; skipped when absent, except under CI=true."""
    if not REAL_DATA.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the real data folder {REAL_DATA} is missing")
        pytest.skip(f"real data folder {REAL_DATA} is absent")
    return REAL_DATA
