"""The README stays true: its Quick start, the command CI runs, and every `crm` command."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from crm.cli import build_parser
from crm.fields import CHANNELS, PLACEMENTS, PRICES, RATES, Entity
from crm.metrics import NAMES

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```[^\n]*\n(.*?)```", section, re.S)
    assert block, "Quick start has no code block"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_holds_the_app_command_then_the_test_command() -> None:
    assert _quick_start_commands() == ["make run", "make test"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _quick_start_commands()[1]
    assert any(line.strip() == test_command for line in ci.splitlines())


def test_every_crm_command_is_documented() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name, sub in commands.items():
        assert f"crm {name}" in README, name
        for action in sub._actions:
            if action.dest == "what":
                for what in action.choices:
                    assert f"crm {name} {what}" in README, (name, what)


def test_readme_has_the_sections_a_new_user_needs() -> None:
    for heading in (
        "## Quick start",
        "## Importing data",
        "## The `crm` command",
        "## Performance",
    ):
        assert heading in README


# ---------------------------------------------------------------- docs/


def fields_table(entity: Entity) -> str:
    """The field-name table of docs/import.md, made from the field specification."""
    lines = ["| field | what it holds | also recognised as |", "|---|---|---|"]
    for f in entity.fields:
        if not f.importable:
            continue
        also = ", ".join(f"`{s}`" for s in f.synonyms if s != f.name.replace("_", " "))
        lines.append(f"| `{f.name}` | {f.label} | {also} |")
    return "\n".join(lines)


@pytest.mark.parametrize("entity", [CHANNELS, PRICES, RATES, PLACEMENTS], ids=lambda e: e.name)
def test_import_doc_lists_every_field_from_the_specification(entity: Entity) -> None:
    doc_path = ROOT / "docs" / "import.md"
    doc = doc_path.read_text(encoding="utf-8")
    start, end = f"<!-- fields:{entity.name} -->\n", f"<!-- /fields:{entity.name} -->"
    expected = start + fields_table(entity) + "\n" + end
    current = doc[doc.index(start) : doc.index(end) + len(end)]
    if current != expected and os.environ.get("UPDATE_DOCS") == "1":
        doc_path.write_text(doc.replace(current, expected), encoding="utf-8")
        current = expected
    assert current == expected, "docs/import.md is out of date: run UPDATE_DOCS=1 pytest " + (
        "tests/unit/test_docs.py"
    )


def test_docs_cover_every_metric_and_command() -> None:
    glossary = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    for name in NAMES.values():
        assert name.lower() in glossary.lower(), name
    cli = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    for name in commands:
        assert f"`crm {name}" in cli, name


def test_readme_links_stay_inside_the_repository() -> None:
    for target in re.findall(r"\]\(([^)#]+)", README):
        assert not target.startswith(("..", "/")), target
        if "://" not in target:
            assert (ROOT / target).exists(), target
