"""The versioned-record helpers every part uses: an edit made against an old version is refused
only when it would overwrite someone else's change, never silently applied over it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb

from crm.errors import Conflict, NotFound, StaleEdit
from crm.store.sql import columns, quote_ident

MOVED_ON = (
    "Someone else changed this record since you opened it. "
    "Reload the page to see their changes, then edit again."
)


def update_versioned(
    cur: duckdb.DuckDBPyConnection,
    table: str,
    rid: int,
    version: int,
    changes: Mapping[str, Any],
    *,
    seen: Mapping[str, Any] | None = None,
) -> int:
    """Write ``changes`` to a record made at ``version``; returns its version afterwards.

    A record still at ``version`` takes the changes; a write that changes nothing keeps the
    version (a no-op save is not an edit). A record that moved on meanwhile is refused as stale,
    unless ``seen`` (field → the value shown when the form opened) proves that no field the user
    changed was changed by someone else too: then the user's changes go on top of the current
    record, and fields the user left as they were keep the other person's values. Call inside a
    transaction.
    """
    if not changes:
        return _current_version(cur, table, rid)
    current_version, current = _read(cur, table, rid, list(changes))
    if current_version == version:
        return _write(cur, table, rid, version, dict(changes))
    if seen is None or any(name not in seen for name in changes):
        raise StaleEdit(MOVED_ON)
    yours = {n: v for n, v in changes.items() if not _same(v, seen[n])}
    conflicts = [
        Conflict(n, seen[n], current[n], v)
        for n, v in yours.items()
        if not _same(current[n], seen[n]) and not _same(current[n], v)
    ]
    if conflicts:
        raise StaleEdit(_conflict_message(conflicts), conflicts)
    if not yours:
        return current_version
    return _write(cur, table, rid, current_version, yours)


def check_versions(cur: duckdb.DuckDBPyConnection, table: str, versions: Mapping[int, int]) -> None:
    """Refuse (``StaleEdit``) when any of these records moved on from the version shown, or is
    gone; call inside the transaction that then writes them."""
    if not versions:
        return
    ids = [int(i) for i in versions]
    rows = cur.execute(
        f"select id, version from {quote_ident(table)} where list_contains(?::bigint[], id)",
        [ids],
    ).fetchall()
    now = {int(i): int(v) for i, v in rows}
    changed = sum(1 for i in ids if i in now and now[i] != versions[i])
    gone = sum(1 for i in ids if i not in now)
    if not changed and not gone:
        return
    parts = []
    if changed:
        parts.append(f"{_records(changed)} changed")
    if gone:
        parts.append(f"{_records(gone)} no longer {'exists' if gone == 1 else 'exist'}")
    raise StaleEdit(
        f"Of the {_records(len(ids))} you selected, {' and '.join(parts)} since they were "
        "shown, so nothing was written. Reload the page to see the changes, then try again."
    )


def refusal(cur: duckdb.DuckDBPyConnection, table: str, rid: int) -> NotFound | StaleEdit:
    """Why a versioned write touched no row: the record is gone, or someone changed it."""
    exists = cur.execute(f"select version from {quote_ident(table)} where id = ?", [rid]).fetchall()
    if not exists:
        return NotFound(f"Record {rid} no longer exists.")
    return StaleEdit(MOVED_ON)


def _read(
    cur: duckdb.DuckDBPyConnection, table: str, rid: int, names: list[str]
) -> tuple[int, dict[str, Any]]:
    # table and column names come from the calling module's constants, never from input
    rows = cur.execute(
        f"select version, {columns(names)} from {quote_ident(table)} where id = ?", [rid]
    ).fetchall()
    if not rows:
        raise NotFound(f"Record {rid} no longer exists.")
    version, *values = rows[0]
    return int(version), dict(zip(names, values, strict=True))


def _current_version(cur: duckdb.DuckDBPyConnection, table: str, rid: int) -> int:
    rows = cur.execute(f"select version from {quote_ident(table)} where id = ?", [rid]).fetchall()
    if not rows:
        raise NotFound(f"Record {rid} no longer exists.")
    return int(rows[0][0])


def _write(
    cur: duckdb.DuckDBPyConnection, table: str, rid: int, version: int, changes: dict[str, Any]
) -> int:
    sets = ", ".join(f"{quote_ident(n)} = ?" for n in changes)
    differs = " or ".join(f"{quote_ident(n)} is distinct from ?" for n in changes)
    rows = cur.execute(
        f"""
        update {quote_ident(table)} set {sets}, version = version + 1, updated_at = current_timestamp
        where id = ? and version = ? and ({differs}) returning version
        """,
        [*changes.values(), rid, version, *changes.values()],
    ).fetchall()
    return int(rows[0][0]) if rows else version


def _same(a: Any, b: Any) -> bool:
    """Equal as far as an edit is concerned: a tuple equals the list with the same items, and
    NULL, an empty text and an empty list are all "empty" to the person editing."""
    if isinstance(a, tuple):
        a = list(a)
    if isinstance(b, tuple):
        b = list(b)
    if _empty(a) and _empty(b):
        return True
    return bool(a == b)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list) and not value)


def _show(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, list | tuple):
        return "“" + ", ".join(str(v) for v in value) + "”"
    return f"“{value}”"


def _conflict_message(conflicts: list[Conflict]) -> str:
    lines = [
        f"- {c.field}: you changed {_show(c.seen)} to {_show(c.yours)}, "
        f"but meanwhile it was changed to {_show(c.current)}"
        for c in conflicts
    ]
    return (
        "Someone else changed the same "
        + ("field" if len(conflicts) == 1 else "fields")
        + " since you opened this record, so your edit was not saved:\n"
        + "\n".join(lines)
        + "\nReload to see the current values, then make your change again."
    )


def _records(n: int) -> str:
    return f"{n} record" if n == 1 else f"{n} records"
