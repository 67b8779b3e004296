"""The application core never imports streamlit (only crm/ui/, app_pages/ and streamlit_app.py do)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

CRM = Path(__file__).resolve().parents[2] / "crm"
MODULES = (
    "crm", "crm.db", "crm.registry", "crm.imports", "crm.demo", "crm.exports", "crm.cli",
    "crm.metrics", "crm.platforms", "crm.numbers",
)  # fmt: skip


def test_importing_the_core_does_not_load_streamlit() -> None:
    code = f"import {', '.join(MODULES)}; import sys; print('streamlit' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"


def test_no_streamlit_import_in_core_sources() -> None:
    pattern = re.compile(r"^\s*(import\s+streamlit\b|from\s+streamlit\b)", re.MULTILINE)
    sources = [p for p in CRM.rglob("*.py") if "ui" not in p.relative_to(CRM).parts]
    assert len(sources) >= 10
    offenders = [str(p.relative_to(CRM)) for p in sources if pattern.search(p.read_text("utf-8"))]
    assert offenders == []
