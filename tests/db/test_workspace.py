"""The workspace: every table classified once, and clearing it in one transaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm import registry
from crm.errors import ValidationError
from crm.store import Store
from crm.workspace import (
    SYSTEM_DATA,
    WORKSPACE_DATA,
    clear_workspace,
    set_workspace_values,
    workspace_kind,
    workspace_tables,
)


def _classified() -> list[str]:
    return [t for tables in (*WORKSPACE_DATA.values(), *SYSTEM_DATA.values()) for t in tables]


def test_every_table_of_the_database_is_classified_exactly_once(store: Store) -> None:
    rows = store.cursor().execute(
        "select table_name from duckdb_tables() where database_name = current_database()"
    )
    tables = sorted(r[0] for r in rows.fetchall())
    classified = _classified()
    assert sorted(set(classified)) == sorted(classified), "a table is classified twice"
    assert sorted(classified) == tables


def test_workspace_tables_are_deleted_children_first(store: Store) -> None:
    order = workspace_tables()
    # every table referring to channels comes before channels; channels before owners
    assert order.index("snapshots") < order.index("channels") < order.index("owners")
    assert order.index("prices") < order.index("channels")
    assert "schema_migrations" not in order


def _fill(store: Store) -> int:
    owner = registry.add_owner(store, "Анна")
    cid = registry.add_channel(store, "telegram", "one", owner_id=owner)
    registry.add_snapshot(store, cid, followers=10)
    with store.transaction() as cur:
        cur.execute(
            "insert into prices (channel_id, amount, currency, date) values (?, 100, 'RUB', "
            "current_date)",
            [cid],
        )
        set_workspace_values(cur, {"kind": "imported", "imported_from": "list.csv"})
    return cid


def _counts(store: Store) -> dict[str, int]:
    cur = store.cursor()
    return {t: cur.execute(f"select count(*) from {t}").fetchall()[0][0] for t in _classified()}


def test_clear_workspace_deletes_every_workspace_table_and_keeps_system_data(
    store: Store,
) -> None:
    cid = _fill(store)
    generation = store.generation("some_part")
    clear_workspace(store)
    counts = _counts(store)
    assert counts == {
        **{t: 0 for t in workspace_tables()},
        "workspace": 1,
        "schema_migrations": len(store.applied_migrations()),
        "stages": 12,  # the pipeline's stages are settings: they stay
    }
    cur = store.cursor()
    assert dict(cur.execute("select key, value from workspace").fetchall()) == {"kind": "empty"}
    assert workspace_kind(cur) == "empty"
    assert store.applied_migrations()[:2] == ["001_registry.sql", "002_outreach.sql"]
    assert store.generation("some_part") > generation  # every part's cached reads are stale
    # ids go on from the sequences rather than starting over
    assert registry.add_channel(store, "telegram", "two") > cid


def test_clear_workspace_is_one_transaction(store: Store) -> None:
    _fill(store)
    before = _counts(store)
    with pytest.raises(ValidationError), store.transaction():
        clear_workspace(store)
        raise ValidationError("changed my mind")
    assert _counts(store) == before


def test_an_import_into_the_demo_workspace_labels_it_imported(store: Store, tmp_path: Path) -> None:
    from crm.demo import generate_demo
    from crm.importing.channels import import_channels_file
    from crm.workspace import workspace_kind

    generate_demo(store, channels=5, weeks=2)
    assert workspace_kind(store.cursor()) == "demo"
    path = tmp_path / "mine.csv"
    path.write_text("link,followers\nt.me/my_own_channel,1500\n", encoding="utf-8")
    dry = import_channels_file(store, path, dry_run=True)
    assert (dry.new, workspace_kind(store.cursor())) == (1, "demo")  # a dry run writes nothing
    result = import_channels_file(store, path)
    assert (result.new, workspace_kind(store.cursor())) == (1, "imported")
