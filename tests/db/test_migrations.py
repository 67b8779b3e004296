from pathlib import Path

from crm.store import Store, quote_ident, resolve_db_path


def test_migrations_apply_once_and_are_recorded(tmp_path: Path) -> None:
    path = str(tmp_path / "crm.duckdb")
    first = Store(path)
    assert first.is_new
    assert first.applied_migrations() == [1]
    first.close()
    again = Store(path)
    assert not again.is_new
    assert again.migrate() == []
    assert again.applied_migrations() == [1]
    again.close()


def test_db_path_rule(monkeypatch) -> None:
    monkeypatch.delenv("CRM_DB", raising=False)
    assert resolve_db_path() == str(Path("data") / "crm.duckdb")
    monkeypatch.setenv("CRM_DB", "/tmp/x.duckdb")
    assert resolve_db_path() == "/tmp/x.duckdb"
    assert resolve_db_path("/tmp/y.duckdb") == "/tmp/y.duckdb"


def test_quote_ident_escapes_quotes() -> None:
    assert quote_ident('we"ird') == '"we""ird"'
