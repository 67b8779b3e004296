"""The workspace: what it is (demo, empty, imported), which tables hold it, and clearing it."""

from __future__ import annotations

import duckdb

from crm.store import Store, quote_ident

# Every table of the database, classified once. Workspace data is what the user put in (or the
# demo generated) and what "clear the workspace" removes; system data belongs to the app itself
# and survives it. Parts are listed from the top of the dependency chain down and each part's
# tables children first, so deleting in this order never leaves a row pointing at a deleted one.
WORKSPACE_DATA: dict[str, tuple[str, ...]] = {
    "placements": ("evidence", "results", "placements"),
    "outreach": ("events", "shortlist", "templates", "campaigns"),
    "audience": ("quality_overrides", "audience_shards", "audiences", "audience_loads", "members"),
    "pricing": ("rates",),
    "registry": ("prices", "snapshots", "channels", "owners"),
    "workspace": ("workspace",),
}
SYSTEM_DATA: dict[str, tuple[str, ...]] = {
    "store": ("schema_migrations",),
    # the workspace's pipeline stages are its settings: they survive clearing its data
    "outreach": ("stages",),
}


def workspace_tables() -> list[str]:
    """Every workspace-data table, in an order safe for deleting (children before parents)."""
    return [table for tables in WORKSPACE_DATA.values() for table in tables]


def set_workspace_values(cur: duckdb.DuckDBPyConnection, values: dict[str, str]) -> None:
    """Store key/value facts about the workspace (its kind, the demo's seed …), replacing any
    earlier value of the same key; call inside a transaction."""
    for key, value in values.items():
        cur.execute("insert or replace into workspace (key, value) values (?, ?)", [key, value])


def set_workspace_kind(cur: duckdb.DuckDBPyConnection, kind: str) -> None:
    """Label the workspace ('demo', 'empty', …); call inside a transaction."""
    set_workspace_values(cur, {"kind": kind})


def mark_imported(cur: duckdb.DuckDBPyConnection) -> None:
    """Label the workspace 'imported' once an import wrote to it, unless it already carries
    another label: a demo workspace holding the user's own rows is no longer a demo. Call
    inside the import's transaction."""
    if workspace_kind(cur) in (None, "demo", "empty"):
        set_workspace_kind(cur, "imported")


def clear_workspace(store: Store) -> None:
    """Delete all workspace data of every part in one transaction and mark the workspace empty;
    system data (applied migrations …) stays, and ids continue from their sequences."""
    # part=None: every part's cached reads are out of date afterwards
    with store.transaction() as cur:
        for table in workspace_tables():
            cur.execute(f"delete from {quote_ident(table)}")
        set_workspace_kind(cur, "empty")


def workspace_kind(cur: duckdb.DuckDBPyConnection) -> str | None:
    """What the workspace is: 'demo', 'empty', 'imported', another label, or None when never
    marked."""
    rows = cur.execute("select value from workspace where key = 'kind'").fetchall()
    return rows[0][0] if rows else None
