"""Files of channel links for a shortlist, read by the one reader (crm.importing.lists)."""

from __future__ import annotations

import io

import polars as pl
import pytest

from crm.errors import ImportRefused
from crm.importing.lists import channel_refs
from crm.outreach.campaigns import create_campaign
from crm.outreach.shortlist import add_from_text
from crm.registry import add_channel
from crm.store import Store


def _xlsx(frame: pl.DataFrame, *, header: bool = True) -> bytes:
    out = io.BytesIO()
    frame.write_excel(out, include_header=header)
    return out.getvalue()


def test_a_headerless_list_keeps_every_line_with_its_number() -> None:
    data = b"https://t.me/alpha\r\nvk:beta\r\n\r\n  youtube.com/@gamma  \r\n"
    assert channel_refs(data, "list.txt") == [
        (1, "https://t.me/alpha"),
        (2, "vk:beta"),
        (4, "youtube.com/@gamma"),
    ]
    # one line alone is a list too, not a header without data
    assert channel_refs(b"t.me/alpha\n", "one.txt") == [(1, "t.me/alpha")]
    # a heading above the list is no channel: skipped
    assert channel_refs(b"My channels\nt.me/alpha\n", "list.txt") == [(2, "t.me/alpha")]


def test_a_cp1251_csv_with_a_russian_channel_column() -> None:
    text = "Название;Ссылка;Цена\nАльфа;t.me/alpha;1 000\nБета;;2 000\nГамма;vk:gamma;3 000\n"
    data = text.encode("cp1251")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert channel_refs(data, "список.csv") == [(2, "t.me/alpha"), (4, "vk:gamma")]


def test_a_table_without_a_channel_column_gives_its_first_column() -> None:
    data = b"t.me/alpha\t100\nvk:beta\t200\n"
    assert channel_refs(data, "x.tsv") == [(1, "t.me/alpha"), (2, "vk:beta")]


def test_an_xlsx_with_a_url_column_and_one_without_a_header() -> None:
    table = pl.DataFrame({"name": ["Alpha", "Beta"], "URL": ["https://t.me/alpha", "vk:beta"]})
    assert channel_refs(_xlsx(table), "list.xlsx") == [
        (2, "https://t.me/alpha"),
        (3, "vk:beta"),
    ]
    bare = pl.DataFrame({"a": ["t.me/alpha", "vk:beta", "youtube:gamma"]})
    assert channel_refs(_xlsx(bare, header=False), "bare.xlsx") == [
        (1, "t.me/alpha"),
        (2, "vk:beta"),
        (3, "youtube:gamma"),
    ]


def test_refusals_are_sentences() -> None:
    with pytest.raises(ImportRefused, match="is empty"):
        channel_refs(b"  \n", "empty.txt")
    with pytest.raises(ImportRefused, match="names no channel: its column “link” is empty"):
        channel_refs(b"name,link\nAlpha,\nBeta,\n", "x.csv")


def test_file_lines_feed_the_shortlist_and_name_their_place(store: Store) -> None:
    cid = create_campaign(store, name="Spring")
    a = add_channel(store, "telegram", "alpha")
    b = add_channel(store, "vk", "beta")
    data = "канал\nt.me/alpha\nvk:beta\nt.me/nobody_zz\n".encode("cp1251")
    refs = [(f"list.csv, line {n}", ref) for n, ref in channel_refs(data, "list.csv")]
    result = add_from_text(store, cid, "t.me/alpha", refs=refs)
    assert (result.added, result.already) == ([a, b], [])
    assert result.unknown == ["list.csv, line 4: telegram:nobody_zz is not in the registry"]
