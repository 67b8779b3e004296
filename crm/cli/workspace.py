"""`crm init`: create or migrate the database, optionally with the demo workspace."""

from __future__ import annotations

import argparse

from crm.cli.output import OK, REJECTED, err
from crm.store import Store, resolve_db_path


def cmd_init(args: argparse.Namespace) -> int:
    from crm.demo import generate_demo
    from crm.registry import registry_counts
    from crm.workspace import set_workspace_kind, workspace_kind

    path = resolve_db_path(args.db)
    store = Store(path)
    try:
        applied = store.applied_on_open
        cur = store.cursor()
        counts = registry_counts(cur)
        if args.demo and counts["channels"] + counts["archived"]:
            total = counts["channels"] + counts["archived"]
            err(
                f"{path} already holds {total} channels; the demo workspace is only generated "
                "into an empty database. Use another file: crm --db NEW.duckdb init --demo"
            )
            return REJECTED
        print(f"{'Created' if store.is_new else 'Opened'} {path}")
        print(f"Migrations applied: {', '.join(applied) if applied else 'none (up to date)'}")
        if args.demo:
            written = generate_demo(store, args.seed)
            print(
                f"Demo workspace (seed {args.seed}): {written['channels']} channels, "
                f"{written['owners']} owners, {written['snapshots']} snapshots, "
                f"{written['prices']} prices, {written['campaigns']} campaigns, "
                f"{written['shortlist']} shortlisted channels, {written['events']} events, "
                f"{written['placements']} placements with {written['results']} results, "
                f"{written['audiences']} member lists"
            )
        else:
            if workspace_kind(cur) is None and not counts["channels"] + counts["archived"]:
                with store.transaction() as tx:
                    set_workspace_kind(tx, "empty")
            print(
                f"Workspace: {counts['channels']} channels ({counts['archived']} archived), "
                f"{counts['owners']} owners, {counts['snapshots']} snapshots"
            )
    finally:
        store.close()
    return OK
