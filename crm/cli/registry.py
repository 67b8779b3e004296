"""`crm import channels` and `crm export`: the registry's files in and out."""

from __future__ import annotations

import argparse

from crm.cli.files import require_database
from crm.cli.output import OK, add_date_order_option, run_import
from crm.store import Store, resolve_db_path


def add_channel_import_options(parser: argparse.ArgumentParser) -> None:
    """The options of `crm import channels` that settle what a file leaves open."""
    parser.add_argument(
        "--currency",
        metavar="CUR",
        help="currency of prices whose row names none (RUB, USD …); needed when there are any",
    )
    add_date_order_option(parser)


def cmd_import_channels(args: argparse.Namespace) -> int:
    from crm.importing.channels import import_channels_file

    mapping = dict(args.map)
    return run_import(
        args,
        lambda store, report: import_channels_file(
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
        ),
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
