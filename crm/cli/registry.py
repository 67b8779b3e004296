"""`crm import channels` and `crm export`: the registry's files in and out."""

from __future__ import annotations

import argparse

from crm.cli.files import require_database
from crm.cli.output import OK, run_import
from crm.store import Store, resolve_db_path


def cmd_import_channels(args: argparse.Namespace) -> int:
    from crm.importing.channels import import_channels_file

    return run_import(
        args,
        import_channels_file,
        platform=args.platform,
        provenance=args.provenance,
        measured_on=args.measured_on,
        currency=args.currency,
    )


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
