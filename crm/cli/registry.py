"""`crm import channels` and `crm export`: the registry's files in and out."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from crm.cli.output import OK, REJECTED, csv_text, err, table_text
from crm.store import Store, open_store, resolve_db_path


def cmd_import_channels(args: argparse.Namespace) -> int:
    from crm.importing.channels import import_channels_file

    mapping = dict(args.map)
    store = open_store(args.db)
    try:
        result = import_channels_file(
            store,
            args.file,
            platform=args.platform,
            mapping=mapping or None,
            dry_run=args.dry_run,
            provenance=args.provenance,
            measured_on=args.measured_on,
            report=args.report,
        )
    finally:
        store.close()
    rejects = [{"line": r.line, "reason": r.reason} for r in result.rejects]
    if args.format == "json":
        counts = {k: getattr(result, k) for k in ("new", "updated", "unchanged", "rejected")}
        payload = {
            **counts,
            "duplicates": result.duplicates,
            "dry_run": result.dry_run,
            "summary": result.summary(),
            "rejects": rejects,
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        # stdout stays a clean CSV of the rejected rows; the summary goes to stderr
        print(result.summary(), file=sys.stderr)
        sys.stdout.write(csv_text(rejects, ("line", "reason")))
    else:
        print(result.summary())
        if rejects:
            print()
            print(table_text(rejects, ("line", "reason")))
    return OK


def cmd_export(args: argparse.Namespace) -> int:
    from crm.exports import check_export, export_table

    check_export(args.table, args.out)  # refuse before touching any file
    path = resolve_db_path(args.db)
    if not Path(path).exists():
        err(f"There is no database at {path}. Create one with: crm --db {path} init")
        return REJECTED
    store = Store(path)
    try:
        rows = export_table(store.cursor(), args.table, args.out)
    finally:
        store.close()
    print(f"Wrote {rows} rows of {args.table.strip().lower()} to {args.out}")
    return OK
