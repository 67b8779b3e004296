"""The application core never imports streamlit (only crm/ui/, app_pages/ and streamlit_app.py do)."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import crm

CRM = Path(__file__).resolve().parents[2] / "crm"


def core_modules() -> list[str]:
    """Every module of the crm package outside crm.ui, found by walking the package."""
    found = [
        info.name
        for info in pkgutil.walk_packages(crm.__path__, prefix="crm.")
        if not info.name.startswith("crm.ui") and not info.name.endswith("__main__")
    ]
    return ["crm", *sorted(found)]


def test_the_walk_finds_every_source_file() -> None:
    files = {
        ".".join(p.relative_to(CRM.parent).with_suffix("").parts).removesuffix(".__init__")
        for p in CRM.rglob("*.py")
        if "ui" not in p.relative_to(CRM).parts and p.name != "__main__.py"
    }
    assert set(core_modules()) == files


def test_importing_the_core_does_not_load_streamlit() -> None:
    modules = core_modules()
    assert len(modules) >= 30
    code = f"import {', '.join(modules)}; import sys; print('streamlit' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"


def test_no_streamlit_import_in_core_sources() -> None:
    pattern = re.compile(r"^\s*(import\s+streamlit\b|from\s+streamlit\b)", re.MULTILINE)
    sources = [p for p in CRM.rglob("*.py") if "ui" not in p.relative_to(CRM).parts]
    assert len(sources) >= 30
    offenders = [str(p.relative_to(CRM)) for p in sources if pattern.search(p.read_text("utf-8"))]
    assert offenders == []
