"""The app's own export, imported back unchanged, changes nothing."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from crm.demo import generate_demo
from crm.exports import export_table, table_frame
from crm.fields import CHANNELS
from crm.importing.channels import plan_channel_import
from crm.importing.read import read_table
from crm.store import Store


@pytest.fixture(scope="module")
def demo() -> Store:
    store = Store(":memory:")
    generate_demo(store)
    yield store
    store.close()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_channel_export_imported_back_is_unchanged(
    demo: Store, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"channels{suffix}"
    rows = export_table(demo.cursor(), "channels", out)
    assert rows == 320
    table = read_table(out.read_bytes(), out.name)
    assert table.columns == list(CHANNELS.export_columns())
    plan = plan_channel_import(demo.cursor(), table)
    changed = plan.preview.filter(pl.col("status") != "unchanged")
    assert changed.select("handle", "changes").rows()[:5] == []
    assert plan.counts() == {
        "new": 0, "updated": 0, "unchanged": 320, "rejected": 0, "duplicates": 0,
    }  # fmt: skip
    assert plan.blockers == []


def test_channel_contacts_and_owner_contacts_are_separate_columns(demo: Store) -> None:
    frame = table_frame(demo.cursor(), "channels")
    own = frame.select("email", "telegram", "phone").to_dicts()
    stored = (
        demo.cursor()
        .execute("select email, telegram, phone from channels order by platform, handle")
        .fetchall()
    )
    assert [tuple(r.values()) for r in own] == stored
    owners = (
        demo.cursor()
        .execute(
            """
            select o.email, o.telegram, o.phone from channels c
            left join owners o on o.id = c.owner_id order by c.platform, c.handle
            """
        )
        .fetchall()
    )
    assert frame.select("owner_email", "owner_telegram", "owner_phone").rows() == owners
    # the demo gives owners contacts their channels do not repeat: the columns really differ
    assert frame.filter(pl.col("email").is_null() & pl.col("owner_email").is_not_null()).height


def test_metrics_are_exported_at_full_precision(demo: Store) -> None:
    frame = table_frame(demo.cursor(), "channels")
    stored = (
        demo.cursor()
        .execute(
            """
            select l.avg_reach from channels c
            left join (
                select * from snapshots
                qualify row_number() over (partition by channel_id
                                           order by measured_on desc, id desc) = 1
            ) l on l.channel_id = c.id
            order by c.platform, c.handle
            """
        )
        .fetchall()
    )
    assert frame["avg_reach"].to_list() == [r[0] for r in stored]


def test_other_exports_take_their_columns_from_the_entities(demo: Store) -> None:
    from crm.fields import OWNERS, PRICES, SNAPSHOTS

    cur = demo.cursor()
    for name, entity in (("owners", OWNERS), ("snapshots", SNAPSHOTS), ("prices", PRICES)):
        assert tuple(table_frame(cur, name).columns) == entity.export_columns()
