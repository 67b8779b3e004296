"""The migrations runner: numbered ``NNN_name.sql`` files, applied once each in name order,
recorded by full name with a checksum, each in one transaction together with its row.

Keyed by name rather than number so that two parts that each add a ``002_*.sql`` both get
applied; a database that knows a name this code does not (made by a newer version) is refused,
and so is one whose applied file has been edited since.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from crm.errors import MigrationEdited, MigrationError, MigrationFailed, SchemaTooNew

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
NAME_PATTERN = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")

_CREATE_TABLE = """
    create table if not exists schema_migrations (
        name        varchar primary key,
        checksum    varchar not null,
        applied_at  timestamp default current_timestamp
    )
"""


@dataclass(frozen=True)
class Migration:
    """One migration file: its full name, its SQL and the checksum of that SQL."""

    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return checksum(self.sql)


def checksum(sql: str) -> str:
    """The SHA-256 of a migration's text."""
    # line endings normalised: a checkout that turns LF into CRLF has not edited the migration
    return hashlib.sha256(sql.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every ``*.sql`` file of the directory, in name order; a badly named one is refused."""
    found = []
    for entry in sorted(Path(directory).glob("*.sql")):
        if not NAME_PATTERN.match(entry.name):
            raise MigrationError(
                f"The migration file {entry.name} is not named NNN_name.sql "
                "(three digits, an underscore, lower-case letters, digits or underscores)."
            )
        found.append(Migration(entry.name, entry.read_text(encoding="utf-8")))
    return found


def applied(cur: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The applied migrations of a database, name → checksum, in name order (empty when none)."""
    columns = _table_columns(cur)
    if not columns:
        return {}
    if "checksum" not in columns:
        rows = cur.execute("select name from schema_migrations order by name").fetchall()
        return {str(name): "" for (name,) in rows}
    rows = cur.execute("select name, checksum from schema_migrations order by name").fetchall()
    return {str(name): str(sha) for name, sha in rows}


def migrate(con: duckdb.DuckDBPyConnection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Bring the database up to date with the directory's migrations; returns the names applied.

    Refuses a database newer than the code (``SchemaTooNew``) or one whose applied migration
    file has changed since (``MigrationEdited``) before changing anything. A failing migration
    leaves the database exactly as it was and raises ``MigrationFailed`` naming the file.
    """
    known = {m.name: m for m in discover(directory)}
    cur = con.cursor()
    try:
        done = applied(cur)
        unknown = sorted(set(done) - set(known))
        if unknown:
            raise SchemaTooNew(
                "This database was made by a newer version of the app: it has "
                f"{_count(len(unknown), 'migration')} this version does not know "
                f"({', '.join(unknown)}). Update the app, or open another database."
            )
        columns = _table_columns(cur)
        if columns and "checksum" not in columns:
            _upgrade_table(cur, known)
            done = applied(cur)
        edited = sorted(n for n, sha in done.items() if sha != known[n].checksum)
        if edited:
            raise MigrationEdited(
                f"The migration file {', '.join(edited)} changed after it was applied to this "
                "database. Restore the file as it was, and put the change in a new migration."
            )
        names = []
        for migration in known.values():
            if migration.name not in done:
                _apply(cur, migration)
                names.append(migration.name)
        return names
    finally:
        cur.close()


def _apply(cur: duckdb.DuckDBPyConnection, migration: Migration) -> None:
    # the bookkeeping table is created in the same transaction, so that a failing first
    # migration leaves a fresh database without it too
    cur.begin()
    try:
        cur.execute(_CREATE_TABLE)
        cur.execute(migration.sql)
        cur.execute(
            "insert into schema_migrations (name, checksum) values (?, ?)",
            [migration.name, migration.checksum],
        )
    except duckdb.Error as exc:
        cur.rollback()
        raise MigrationFailed(
            f"The migration {migration.name} failed, and the database was left as it was: {exc}"
        ) from exc
    except BaseException:
        cur.rollback()
        raise
    cur.commit()


def _upgrade_table(cur: duckdb.DuckDBPyConnection, known: dict[str, Migration]) -> None:
    """Turn the old number-keyed table into the name-keyed one, keeping what was applied.

    The old table recorded no checksum, so the files as they are now are taken as applied.
    """
    cur.begin()
    try:
        rows = cur.execute("select name, applied_at from schema_migrations").fetchall()
        cur.execute("drop table schema_migrations")
        cur.execute(_CREATE_TABLE)
        for name, applied_at in rows:
            cur.execute(
                "insert into schema_migrations (name, checksum, applied_at) values (?, ?, ?)",
                [name, known[name].checksum, applied_at],
            )
    except duckdb.Error as exc:
        cur.rollback()
        raise MigrationError(
            f"Could not upgrade the table of applied migrations; nothing was changed: {exc}"
        ) from exc
    except BaseException:
        cur.rollback()
        raise
    cur.commit()


def _table_columns(cur: duckdb.DuckDBPyConnection) -> set[str]:
    rows = cur.execute(
        """
        select column_name from duckdb_columns()
        where table_name = 'schema_migrations' and schema_name = 'main'
          and database_name = current_database()
        """
    ).fetchall()
    return {str(r[0]) for r in rows}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
