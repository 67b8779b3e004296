"""Output of the `crm` command: exit codes, CSV and plain tables, error lines, and the one way
every `crm import` runs and reports (channels, prices, rates)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # `crm --help` need not load the engine
    from crm.importing.results import ImportResult

OK, REJECTED, USAGE = 0, 1, 2


def csv_text(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV text, written as every CSV of the application is (crm.parsing.text)."""
    import polars as pl  # imported here: `crm --help` need not load it

    from crm.parsing.text import csv_bytes

    if rows:
        frame = pl.from_dicts(rows, schema=list(columns), infer_schema_length=None)
    else:
        frame = pl.DataFrame(schema=dict.fromkeys(columns, pl.String))
    return csv_bytes(frame, bom=False).decode("utf-8")


def table_text(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    widths = [max([len(c), *(len(str(r[c])) for r in rows)]) for c in columns]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        cells = (str(row[c]).ljust(w) for c, w in zip(columns, widths, strict=True))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def err(message: str) -> None:
    print(f"crm: {message}", file=sys.stderr)


# an import of a file, crm.importing's import_*_file: (store, FILE, mapping=, dry_run=,
# report=, date_order=, and the kind's own choices) → what it did
Importer = Callable[..., "ImportResult"]


def run_import(args: argparse.Namespace, importer: Importer, **choices: object) -> int:
    """Run a `crm import` command: refuse a dry run without a database and a report path that
    must not be written (before anything is opened), import ``args.file`` with the options
    every import takes and the kind's own ``choices``, then print the result in
    ``args.format``. The report is written beside its target and moved in once all went well."""
    from crm.cli.files import check_report_target, require_database, staged
    from crm.store import open_store, resolve_db_path

    db = resolve_db_path(args.db)
    if args.dry_run:
        require_database(db)  # a dry run creates no database
    if args.report is not None:
        check_report_target(args.report, db=db, inputs=[args.file], force=args.force)
    with staged(args.report) as report:
        store = open_store(db)
        try:
            result = importer(
                store,
                args.file,
                mapping=dict(args.map) or None,
                dry_run=args.dry_run,
                report=report,
                date_order=args.date_order,
                **choices,
            )
        finally:
            store.close()
    print_import_result(result, args.format)
    return OK


def print_import_result(result: ImportResult, fmt: str) -> None:
    """What an import did, as a table (summary, rejected rows, warnings), CSV of the rejected
    rows (the summary on stderr) or JSON."""
    from crm.parsing.text import shorten_quoted

    rejects = [{"line": r.line, "reason": shorten_quoted(r.reason)} for r in result.rejects]
    if fmt == "json":
        counts = {k: getattr(result, k) for k in ("new", "updated", "unchanged", "rejected")}
        payload = {
            **counts,
            "duplicates": result.duplicates,
            "dry_run": result.dry_run,
            "summary": result.summary(),
            "warnings": result.warnings,
            "rejects": rejects,
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        # stdout stays a clean CSV of the rejected rows; the summary goes to stderr
        print(result.summary(), file=sys.stderr)
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        sys.stdout.write(csv_text(rejects, ("line", "reason")))
    else:
        print(result.summary())
        if rejects:
            print()
            print(table_text(rejects, ("line", "reason")))
        if result.warnings:
            print()
            for warning in result.warnings:
                print(f"warning: {warning}")


def add_import_options(
    parser: argparse.ArgumentParser,
    *,
    platform: str | None = None,
    currency_of: str | None = None,
) -> None:
    """The options of a `crm import` of a file: FILE, --map, --dry-run, --report, --force,
    --format and --date-order; with its help text, --platform; with what it prices
    ("prices", "amounts"), --currency."""
    parser.add_argument("file", metavar="FILE", type=Path)
    parser.add_argument(
        "--map",
        metavar="SRC=DST",
        nargs="+",
        action="extend",
        type=mapping_pair,
        default=[],
        help="map a file column to a field name (several allowed)",
    )
    parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    parser.add_argument(
        "--report",
        metavar="FILE.csv",
        type=Path,
        help="write the rejected rows (line, reason and their cells) to this CSV file",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace the --report file if it exists"
    )
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.add_argument(
        "--date-order",
        choices=("dmy", "mdy"),
        help="day first (dmy) or month first (mdy) for dates such as 03/04/2024, when the "
        "file's values do not settle it",
    )
    if platform is not None:
        parser.add_argument("--platform", help=platform)
    if currency_of is not None:
        parser.add_argument(
            "--currency",
            metavar="CUR",
            help=f"currency of {currency_of} whose row names none (RUB, USD …); needed when "
            "there are any",
        )


def mapping_pair(text: str) -> tuple[str, str]:
    """One --map SRC=DST: a file column and the field it holds."""
    source, sep, target = text.partition("=")
    if not sep or not source.strip() or not target.strip():
        raise argparse.ArgumentTypeError(
            f"“{text}” is not SRC=DST (a column of the file = a field name, e.g. Подписчики=followers)"
        )
    return source.strip(), target.strip()
