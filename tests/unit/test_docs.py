"""The README stays true: its Quick start, the command CI runs, and every `crm` command."""

from __future__ import annotations

import re
from pathlib import Path

from crm.cli import build_parser

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
