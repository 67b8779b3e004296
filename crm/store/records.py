"""The versioned-record helper every part uses: an edit applies only to the version it was made
against, and a record that moved on meanwhile is refused as stale."""

from __future__ import annotations

from typing import Any

import duckdb

from crm.errors import NotFound, StaleEdit
from crm.store.sql import quote_ident


def update_versioned(
    cur: duckdb.DuckDBPyConnection, table: str, rid: int, version: int, changes: dict[str, Any]
) -> int:
    """Write ``changes`` to a record still at ``version``; returns its version afterwards.

    A write that changes nothing keeps the version (a no-op save is not an edit); a record
    that moved on meanwhile is refused as stale.
    """
    # table and column names come from this module's constants, never from input
    sets = ", ".join(f"{quote_ident(n)} = ?" for n in changes)
    differs = " or ".join(f"{quote_ident(n)} is distinct from ?" for n in changes)
    rows = cur.execute(
        f"""
        update {quote_ident(table)} set {sets}, version = version + 1, updated_at = current_timestamp
        where id = ? and version = ? and ({differs}) returning version
        """,
        [*changes.values(), rid, version, *changes.values()],
    ).fetchall()
    if rows:
        return int(rows[0][0])
    current = cur.execute(
        f"select version from {quote_ident(table)} where id = ?", [rid]
    ).fetchall()
    if current and current[0][0] == version:
        return version
    raise refusal(cur, table, rid)


def refusal(cur: duckdb.DuckDBPyConnection, table: str, rid: int) -> NotFound | StaleEdit:
    """Why a versioned write touched no row: the record is gone, or someone changed it."""
    exists = cur.execute(f"select version from {quote_ident(table)} where id = ?", [rid]).fetchall()
    if not exists:
        return NotFound(f"Record {rid} no longer exists.")
    return StaleEdit(
        "Someone else changed this record since you opened it. "
        "Reload the page to see their changes, then edit again."
    )
