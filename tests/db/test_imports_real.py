"""Importing the real public exports as they are (see shared/data/real/SOURCES.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from crm.importing.channels import import_channels_file
from crm.importing.mapping import suggest_mapping
from crm.importing.read import read_table
from crm.importing.results import DuplicateRow
from crm.store import Store

TODAY = dt.date.today()


def channel_row(store: Store, platform: str, handle: str) -> list[dict[str, Any]]:
    frame: pl.DataFrame = (
        store.cursor()
        .sql(
            """
            select c.title, c.kind, c.niches, c.country, c.url, s.followers, s.avg_engagement,
                   s.provenance, s.source, s.measured_on
            from channels c join snapshots s on s.channel_id = c.id
            where c.platform = ? and c.handle = ?
            """,
            params=[platform, handle],
        )
        .pl()
    )
    return frame.to_dicts()


def test_instagram_top1000(store: Store, real_data: Path) -> None:
    path = real_data / "instagram_top1000_dec2022.csv"
    result = import_channels_file(store, path, platform="instagram")
    assert result.summary() == (
        "991 new, 0 updated, 0 unchanged, 0 rejected; "
        "9 duplicate rows in the file (the later row won)"
    )
    assert len(result.duplicate_rows) == 9
    assert DuplicateRow(299, "instagram:kevinhart4real", 445) in result.duplicate_rows
    assert channel_row(store, "instagram", "leomessi") == [
        {
            "title": "Leo Messi",
            "kind": "person",
            "niches": ["sport", "parenting"],  # the Instagram categories in our vocabulary
            "country": "Argentina",
            "url": "https://instagram.com/leomessi",
            "followers": 409_800_000,
            "avg_engagement": 23_400_000.0,
            "provenance": "manual",
            "source": "import: instagram_top1000_dec2022.csv",
            "measured_on": TODAY,
        }
    ]
    # kevinhart4real is on lines 299 (160M, 75.4K) and 445 (160.8M, 45.2K): the later row won
    kevin = channel_row(store, "instagram", "kevinhart4real")
    assert [(k["followers"], k["avg_engagement"], k["niches"]) for k in kevin] == [
        (160_800_000, 45_200.0, ["Cinema & Actors/actresses"])
    ]
    cur = store.cursor()
    assert cur.execute("select count(*) from channels").fetchall() == [(991,)]
    assert cur.execute("select count(*) from snapshots").fetchall() == [(991,)]
    assert cur.execute("select count(*) from channels where title is null").fetchall() == [(19,)]


def test_instagram_platform_hinted_by_header_and_reimport_unchanged(
    store: Store, real_data: Path
) -> None:
    path = real_data / "instagram_top1000_dec2022.csv"
    first = import_channels_file(store, path)  # "instagram name" hints the platform
    assert (first.new, first.duplicates) == (991, 9)
    again = import_channels_file(store, path, platform="instagram")
    assert again.summary() == (
        "0 new, 0 updated, 991 unchanged, 0 rejected; "
        "9 duplicate rows in the file (the later row won)"
    )
    assert store.cursor().execute("select count(*) from snapshots").fetchall() == [(991,)]


def test_facebook_pages(store: Store, real_data: Path) -> None:
    path = real_data / "musae_facebook_target.csv"
    table = read_table(path.read_bytes(), path.name)
    assert suggest_mapping(table.columns) == {
        "id": None,
        "facebook_id": "handle",
        "page_name": "title",
        "page_type": "niche",
    }
    result = import_channels_file(store, path, platform="facebook")
    assert result.summary() == "22470 new, 0 updated, 0 unchanged, 0 rejected"
    cur = store.cursor()
    assert cur.execute(
        "select count(*), count(distinct handle), count(distinct title) from channels"
    ).fetchall() == [(22_470, 22_470, 20_543)]
    assert cur.execute(
        """
        select handle, title, kind, niches, url from channels
        where handle = '145647315578475'
        """
    ).fetchall() == [
        (
            "145647315578475",
            "The Voice of China 中国好声音",
            "public_page",
            ["tvshow"],
            "https://facebook.com/145647315578475",
        )
    ]
    assert cur.execute(
        "select niches[1], count(*) from channels group by all order by 1"
    ).fetchall() == [
        ("company", 6495),
        ("government", 6880),
        ("politician", 5768),
        ("tvshow", 3327),
    ]
    assert cur.execute("select count(*) from snapshots").fetchall() == [(0,)]


def test_instagram_in_russian_with_handles_and_links_mixed(
    store: Store, real_data: Path, tmp_path: Path
) -> None:
    """A Russian-shaped export of the same creators: one column «Ссылка» of @handles and links."""
    source = pl.read_csv(real_data / "instagram_top1000_dec2022.csv", infer_schema_length=0)
    links = source.select(
        pl.when(pl.int_range(pl.len()) % 4 == 0)
        .then(pl.lit("https://www.instagram.com/") + pl.col("name") + "/")
        .otherwise(pl.lit("@") + pl.col("name"))
    ).to_series()
    frame = pl.DataFrame(
        {
            "Ссылка": links,
            "Название": source["instagram name"],
            "Тематика": source["Category_1"],
            "Подписчики": source["followers"],
            "Страна": source["country"],
        }
    )
    path = tmp_path / "инстаграм.csv"
    frame.write_csv(path, separator=";")
    result = import_channels_file(
        store, path, platform="instagram", measured_on=dt.date(2022, 12, 1)
    )
    assert (result.new, result.rejected, result.duplicates) == (991, 0, 9)
    assert channel_row(store, "instagram", "leomessi")[0]["niches"] == ["sport"]
    assert channel_row(store, "instagram", "leomessi")[0]["measured_on"] == dt.date(2022, 12, 1)
