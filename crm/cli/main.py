"""The ``crm`` command: init, import channels, prices, rates and placements, export, kpis (see
DESIGN.md, "The `crm` command").

Exit 0 on success, 1 on rejected input (the reason on stderr, nothing written), 2 on a usage
error. Expected errors never print a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from crm.cli.audience import add_audience_commands, add_audience_import, add_member_export
from crm.cli.output import REJECTED, add_import_options, err
from crm.cli.placements import add_kpis_command, add_placement_import
from crm.cli.pricing import cmd_import_prices, cmd_import_rates
from crm.cli.registry import cmd_export, cmd_import_channels
from crm.cli.reports import add_report_command
from crm.cli.workspace import cmd_init
from crm.errors import CrmError
from crm.parsing.text import shorten_quoted
from crm.vocab.terms import PROVENANCES

# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``crm`` command."""
    # --db is accepted before the command and after it
    db_default = argparse.ArgumentParser(add_help=False)
    db_default.add_argument(
        "--db", metavar="PATH", help="database file (else $CRM_DB, else data/crm.duckdb)"
    )
    db_late = argparse.ArgumentParser(add_help=False)
    db_late.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    parser = argparse.ArgumentParser(
        prog="crm",
        description="Outreach CRM for opinion leaders and public pages.",
        parents=[db_default],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    init = commands.add_parser(
        "init", parents=[db_late], help="create or migrate the database; optionally fill the demo"
    )
    init.add_argument("--demo", action="store_true", help="fill the demo workspace")
    init.add_argument("--seed", type=int, default=0, help="demo seed (default 0)")
    init.set_defaults(run=cmd_init)

    imp = commands.add_parser("import", help="import a file")
    kinds = imp.add_subparsers(dest="what", metavar="WHAT", required=True)
    channels = kinds.add_parser(
        "channels", parents=[db_late], help="channels (CSV, TSV or XLSX; upsert by platform+handle)"
    )
    add_import_options(
        channels, platform="platform for rows that do not name one", currency_of="prices"
    )
    channels.add_argument(
        "--provenance",
        choices=PROVENANCES,
        default="manual",
        help="where the file's numbers come from (kept with each snapshot)",
    )
    channels.add_argument(
        "--measured-on",
        metavar="YYYY-MM-DD",
        type=dt.date.fromisoformat,
        help="date of the rows that have no date column (default: today)",
    )
    channels.set_defaults(run=cmd_import_channels)

    prices = kinds.add_parser(
        "prices",
        parents=[db_late],
        help="a price list: channel, format, kind, amount, currency, date, source, note",
    )
    add_import_options(
        prices,
        platform="platform of channels that a row names by their handle alone",
        currency_of="amounts",
    )
    prices.set_defaults(run=cmd_import_prices)

    rates = kinds.add_parser(
        "rates",
        parents=[db_late],
        help="exchange rates: date, currency, rate (per unit, in the base currency)",
    )
    add_import_options(rates)
    rates.set_defaults(run=cmd_import_rates)

    add_placement_import(kinds, [db_late])
    add_audience_import(kinds, [db_late])

    export = commands.add_parser(
        "export", parents=[db_late], help="export a table to .csv, .xlsx or .parquet"
    )
    export.add_argument("table", metavar="TABLE")
    export.add_argument("--out", metavar="FILE", type=Path, required=True)
    export.set_defaults(run=cmd_export)
    add_member_export(export)

    add_kpis_command(commands, [db_late])
    add_audience_commands(commands, [db_late])

    add_report_command(commands, [db_late])
    return parser


# ---------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> int:
    """Run the ``crm`` command; returns the exit status (0 ok, 1 rejected, 2 usage)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 after --help
        return int(exc.code or 0)
    try:
        return int(args.run(args))
    except CrmError as exc:
        err(shorten_quoted(str(exc)))  # a message may quote a file's cells: never all of them
        return REJECTED
    except OSError as exc:
        err(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        return REJECTED


if __name__ == "__main__":
    sys.exit(main())
