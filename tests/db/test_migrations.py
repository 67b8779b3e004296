"""Migrations: applied once each, recorded by full name with a checksum, each in a transaction
together with its row; a newer or edited database is refused."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from crm.errors import MigrationEdited, MigrationError, MigrationFailed, SchemaTooNew
from crm.store import Store, quote_ident, resolve_db_path
from crm.store import migrations as runner

REPO_MIGRATIONS = Path(__file__).resolve().parents[2] / "crm" / "migrations"
ALL = sorted(p.name for p in REPO_MIGRATIONS.glob("*.sql"))  # every migration of the repo


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, sql in files.items():
        (folder / name).write_text(sql, encoding="utf-8")
    return folder


def _state(path: str) -> tuple[list[tuple[str, ...]], list[tuple[object, ...]], list[str]]:
    """Everything a migration could have touched: tables with columns, applied rows, sequences."""
    con = duckdb.connect(path)
    try:
        tables = con.execute(
            """
            select table_name, string_agg(column_name || ' ' || data_type, ', '
                                          order by column_index)
            from duckdb_columns()
            where schema_name = 'main' and not internal and database_name = current_database()
            group by table_name order by table_name
            """
        ).fetchall()
        applied = (
            con.execute("select * from schema_migrations order by all").fetchall()
            if any(t[0] == "schema_migrations" for t in tables)
            else []
        )
        sequences = [r[0] for r in con.execute("select sequence_name from duckdb_sequences()")
                     .fetchall()]  # fmt: skip
    finally:
        con.close()
    return tables, applied, sorted(sequences)


def test_migrations_apply_once_and_are_recorded_by_name_with_checksum(tmp_path: Path) -> None:
    path = str(tmp_path / "crm.duckdb")
    first = Store(path)
    assert first.is_new
    assert first.applied_on_open == ALL
    assert first.applied_migrations() == ALL
    rows = first.cursor().execute("select name, checksum from schema_migrations").fetchall()
    assert rows == [
        (name, runner.checksum((REPO_MIGRATIONS / name).read_text(encoding="utf-8")))
        for name in ALL
    ]
    first.close()
    again = Store(path)
    assert not again.is_new
    assert again.applied_on_open == []
    assert again.migrate() == []
    assert again.applied_migrations() == ALL
    again.close()


def test_repository_migrations_are_named_nnn_name_with_unique_numbers() -> None:
    names = sorted(p.name for p in REPO_MIGRATIONS.iterdir() if p.is_file())
    assert names, "no migrations found"
    for name in names:
        assert re.fullmatch(r"\d{3}_[a-z0-9_]+\.sql", name), name
    prefixes = [n[:3] for n in names]
    assert len(prefixes) == len(set(prefixes)), f"two migrations share a number: {names}"


def test_an_old_number_keyed_table_is_upgraded_in_place(tmp_path: Path) -> None:
    path = str(tmp_path / "old.duckdb")
    sql = (REPO_MIGRATIONS / "001_registry.sql").read_text(encoding="utf-8")
    con = duckdb.connect(path)
    con.execute(sql)
    con.execute(
        """
        create table schema_migrations (
            version integer primary key,
            name varchar not null,
            applied_at timestamp not null default current_timestamp
        )
        """
    )
    con.execute(
        "insert into schema_migrations values (1, '001_registry.sql', '2025-01-02 03:04:05')"
    )
    con.execute("insert into owners (name) values ('Кто-то')")
    con.close()

    store = Store(path)
    try:
        assert store.applied_on_open == ALL[1:]  # nothing run twice; the later ones run
        cur = store.cursor()
        assert cur.execute(
            "select name, checksum, applied_at::varchar from schema_migrations order by name"
        ).fetchall()[0] == ("001_registry.sql", runner.checksum(sql), "2025-01-02 03:04:05")
        assert cur.execute("select name from owners").fetchall() == [("Кто-то",)]
    finally:
        store.close()
    # and opening it again is the ordinary case
    Store(path).close()


def test_an_empty_old_table_is_upgraded_before_the_first_migration(tmp_path: Path) -> None:
    path = str(tmp_path / "old.duckdb")
    con = duckdb.connect(path)
    con.execute(
        "create table schema_migrations (version integer primary key, name varchar not null, "
        "applied_at timestamp)"
    )
    con.close()
    store = Store(path)
    try:
        assert store.applied_on_open == ALL
        assert store.applied_migrations() == ALL
    finally:
        store.close()


def test_an_old_table_with_a_name_the_code_does_not_know_is_refused_untouched(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "newer.duckdb")
    con = duckdb.connect(path)
    con.execute(
        "create table schema_migrations (version integer primary key, name varchar not null, "
        "applied_at timestamp)"
    )
    con.execute(
        "insert into schema_migrations values (1, '001_registry.sql', null), "
        "(2, '002_from_the_future.sql', null)"
    )
    con.close()
    before = _state(path)
    with pytest.raises(SchemaTooNew, match="newer version.*002_from_the_future.sql"):
        Store(path)
    assert _state(path) == before


def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    folder = _write(tmp_path / "m", {"001_a.sql": "create table a (x int);"})
    path = str(tmp_path / "crm.duckdb")
    Store(path, migrations_dir=folder).close()
    (folder / "001_a.sql").rename(tmp_path / "gone.sql")
    _write(folder, {"000_base.sql": "create table base (x int);"})
    before = _state(path)
    with pytest.raises(SchemaTooNew, match=r"1 migration this version does not know \(001_a.sql\)"):
        Store(path, migrations_dir=folder)
    assert _state(path) == before  # 000_base was not applied either
    # the refused store let go of the file
    duckdb.connect(path).close()


def test_an_applied_migration_whose_file_changed_is_refused(tmp_path: Path) -> None:
    folder = _write(tmp_path / "m", {"001_a.sql": "create table a\n(x int);\n"})
    path = str(tmp_path / "crm.duckdb")
    Store(path, migrations_dir=folder).close()
    _write(folder, {"001_a.sql": "create table a\n(x int, y int);\n"})
    with pytest.raises(MigrationEdited, match="001_a.sql changed after it was applied"):
        Store(path, migrations_dir=folder)
    # line endings alone are not an edit
    (folder / "001_a.sql").write_bytes(b"create table a\r\n(x int);\r\n")
    Store(path, migrations_dir=folder).close()


def test_crlf_line_endings_do_not_change_the_checksum() -> None:
    assert runner.checksum("a\r\nb\r\n") == runner.checksum("a\nb\n")


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    folder = _write(tmp_path / "m", {"001_a.sql": "create table a (x int);"})
    path = str(tmp_path / "crm.duckdb")
    Store(path, migrations_dir=folder).close()
    before = _state(path)
    _write(
        folder,
        {
            "002_b.sql": """
                create sequence b_seq;
                create table b (id int default nextval('b_seq'));
                alter table a add column y int;
                insert into b values (1);
                select * from no_such_table;
            """
        },
    )
    with pytest.raises(MigrationFailed, match="The migration 002_b.sql failed") as info:
        Store(path, migrations_dir=folder)
    assert isinstance(info.value.__cause__, duckdb.Error)
    assert _state(path) == before


def test_a_failing_first_migration_leaves_a_fresh_database_empty(tmp_path: Path) -> None:
    folder = _write(tmp_path / "m", {"001_a.sql": "create table a (x int); select nope;"})
    path = str(tmp_path / "crm.duckdb")
    with pytest.raises(MigrationFailed, match="001_a.sql"):
        Store(path, migrations_dir=folder)
    assert _state(path) == ([], [], [])


def test_two_migrations_with_the_same_number_are_both_applied(tmp_path: Path) -> None:
    # two parts developed at once each added a 002_*.sql: a database that already has one of
    # them must still get the other
    folder = _write(
        tmp_path / "m",
        {
            "001_base.sql": "create table base (x int);",
            "002_audience.sql": "create table aud (x int);",
        },
    )
    path = str(tmp_path / "crm.duckdb")
    Store(path, migrations_dir=folder).close()
    _write(folder, {"002_outreach.sql": "create table outr (x int);", "003_more.sql": "select 1;"})
    store = Store(path, migrations_dir=folder)
    try:
        assert store.applied_on_open == ["002_outreach.sql", "003_more.sql"]
        assert store.applied_migrations() == [
            "001_base.sql", "002_audience.sql", "002_outreach.sql", "003_more.sql"]  # fmt: skip
        tables = store.cursor().execute("select table_name from duckdb_tables() order by 1")
        assert [r[0] for r in tables.fetchall()] == ["aud", "base", "outr", "schema_migrations"]
    finally:
        store.close()


def test_a_badly_named_migration_file_is_refused(tmp_path: Path) -> None:
    folder = _write(tmp_path / "m", {"1_short.sql": "select 1;"})
    with pytest.raises(MigrationError, match="1_short.sql is not named NNN_name.sql"):
        Store(":memory:", migrations_dir=folder)


def test_migrate_takes_a_connection_and_a_directory(tmp_path: Path) -> None:
    folder = _write(tmp_path / "m", {"001_a.sql": "create table a (x int);"})
    con = duckdb.connect()
    assert runner.migrate(con, folder) == ["001_a.sql"]
    assert runner.migrate(con, folder) == []
    assert list(runner.applied(con)) == ["001_a.sql"]


def test_db_path_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_DB", raising=False)
    assert resolve_db_path() == str(Path("data") / "crm.duckdb")
    monkeypatch.setenv("CRM_DB", "/tmp/x.duckdb")
    assert resolve_db_path() == "/tmp/x.duckdb"
    assert resolve_db_path("/tmp/y.duckdb") == "/tmp/y.duckdb"


def test_quote_ident_escapes_quotes() -> None:
    assert quote_ident('we"ird') == '"we""ird"'
