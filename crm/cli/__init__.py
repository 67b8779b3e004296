"""The ``crm`` command, one module per part (DESIGN.md, "The `crm` command")."""

from crm.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
