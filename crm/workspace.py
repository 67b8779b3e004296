"""The workspace: what it is (demo, empty, imported), and clearing it."""

from __future__ import annotations

import duckdb

from crm.store import Store, quote_ident


def set_workspace_values(cur: duckdb.DuckDBPyConnection, values: dict[str, str]) -> None:
    for key, value in values.items():
        cur.execute("insert or replace into workspace (key, value) values (?, ?)", [key, value])


def set_workspace_kind(cur: duckdb.DuckDBPyConnection, kind: str) -> None:
    """Label the workspace ('demo', 'empty', …); call inside a transaction."""
    set_workspace_values(cur, {"kind": kind})


def clear_workspace(store: Store) -> None:
    """Delete every owner, channel, snapshot and price, and mark the workspace empty."""
    with store.transaction() as cur:
        for table in ("prices", "snapshots", "channels", "owners"):
            cur.execute(f"delete from {quote_ident(table)}")
        cur.execute("delete from workspace where key in ('seed', 'generated_as_of')")
        set_workspace_values(cur, {"kind": "empty"})


def workspace_kind(cur: duckdb.DuckDBPyConnection) -> str | None:
    """What the workspace is: 'demo', 'empty', another label, or None when never marked."""
    rows = cur.execute("select value from workspace where key = 'kind'").fetchall()
    return rows[0][0] if rows else None
