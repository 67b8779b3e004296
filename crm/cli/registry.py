"""`crm import channels` and `crm export`: the registry's files in and out."""

from __future__ import annotations

import argparse
import json
import sys

from crm.cli.files import check_report_target, require_database, staged
from crm.cli.output import OK, csv_text, table_text
from crm.parsing.text import shorten_quoted
from crm.store import Store, open_store, resolve_db_path


def add_channel_import_options(parser: argparse.ArgumentParser) -> None:
    """The options of `crm import channels` that settle what a file leaves open."""
    parser.add_argument(
        "--currency",
        metavar="CUR",
        help="currency of prices whose row names none (RUB, USD …); needed when there are any",
    )
    parser.add_argument(
        "--date-order",
        choices=("dmy", "mdy"),
        help="day first (dmy) or month first (mdy) for dates such as 03/04/2024, when the "
        "file's values do not settle it",
    )


def cmd_import_channels(args: argparse.Namespace) -> int:
    from crm.importing.channels import import_channels_file

    mapping = dict(args.map)
    db = resolve_db_path(args.db)
    if args.dry_run:
        require_database(db)  # a dry run creates no database
    if args.report is not None:  # refused before anything is opened or written
        check_report_target(args.report, db=db, inputs=[args.file], force=args.force)
    # the report is written beside its target and moved into place once the import succeeded
    with staged(args.report) as report:
        store = open_store(db)
        try:
            result = import_channels_file(
                store,
                args.file,
                platform=args.platform,
                mapping=mapping or None,
                dry_run=args.dry_run,
                provenance=args.provenance,
                measured_on=args.measured_on,
                report=report,
                currency=getattr(args, "currency", None),
                date_order=getattr(args, "date_order", None),
            )
        finally:
            store.close()
    rejects = [{"line": r.line, "reason": shorten_quoted(r.reason)} for r in result.rejects]
    if args.format == "json":
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
    elif args.format == "csv":
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
    return OK


def cmd_export(args: argparse.Namespace) -> int:
    from crm.exports import check_export, export_table

    check_export(args.table, args.out)  # refuse before touching any file
    path = resolve_db_path(args.db)
    require_database(path)
    store = Store(path)
    try:
        rows = export_table(store.cursor(), args.table, args.out)
    finally:
        store.close()
    print(f"Wrote {rows} rows of {args.table.strip().lower()} to {args.out}")
    return OK
