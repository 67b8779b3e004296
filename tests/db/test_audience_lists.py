"""Member lists in the store: the dictionary, loading (replace + history), reading back,
exporting, deleting, and nothing half-written when a load fails."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from crm.audience import lists
from crm.audience.lists import (
    audience_history,
    audiences_frame,
    delete_members,
    encode_members,
    export_members,
    import_audience_file,
    load_members,
    member_sets,
    read_member_file,
    resolve_channel,
    write_members,
)
from crm.audience.sets import Members
from crm.errors import CrmError, ImportRefused, NotFound, ValidationError
from crm.registry import add_channel, add_snapshot
from crm.store import Store


@pytest.fixture
def vk(store: Store) -> int:
    return add_channel(store, "vk", "club1", title="Первый паблик")


def load(store: Store, ref: str, body: str, name: str = "m.txt", **kw: Any) -> lists.LoadResult:
    return import_audience_file(store, body.encode("utf-8"), name, ref, **kw)


def table_counts(store: Store) -> dict[str, int]:
    cur = store.cursor()
    return {
        t: cur.execute(f"select count(*) from {t}").fetchall()[0][0]
        for t in ("members", "audiences", "audience_shards", "audience_loads")
    }


def dictionary(store: Store) -> list[tuple[Any, ...]]:
    return (
        store.cursor()
        .execute("select platform, number, key, id from members order by platform, id")
        .fetchall()
    )


# ---------------------------------------------------------------- the dictionary


def test_encode_assigns_dense_ids_per_platform_in_order_of_first_sight(store: Store) -> None:
    with store.transaction("audience") as cur:
        first = encode_members(cur, "vk", pl.Series([10, 20]), "number")
        second = encode_members(cur, "vk", pl.Series([20, 30, 10]), "number")
        other = encode_members(cur, "telegram", pl.Series([10]), "number")
        names = encode_members(cur, "vk", pl.Series(["durov"]), "text")
        repeated = encode_members(cur, "vk", pl.Series([40, 40, 20, 50, 40]), "number")
    assert first.tolist() == [0, 1]
    assert second.tolist() == [1, 2, 0]
    assert other.tolist() == [0]
    assert names.tolist() == [3]  # usernames share the platform's id space
    assert repeated.tolist() == [4, 4, 1, 5, 4]
    assert first.dtype == np.uint64
    assert dictionary(store) == [
        ("telegram", 10, None, 0),
        ("vk", 10, None, 0),
        ("vk", 20, None, 1),
        ("vk", 30, None, 2),
        ("vk", None, "durov", 3),
        ("vk", 40, None, 4),
        ("vk", 50, None, 5),
    ]


def test_encode_of_values_vouched_distinct(store: Store) -> None:
    with store.transaction("audience") as cur:
        assert encode_members(cur, "ok", pl.Series(["b", "a"]), "text", distinct=True).tolist() == [
            0,
            1,
        ]
        again = encode_members(cur, "ok", pl.Series(["c", "a", "b"]), "text", distinct=True)
    assert again.tolist() == [2, 1, 0]


def test_encode_refuses_blank_ids_and_unknown_kinds(store: Store) -> None:
    with store.transaction("audience") as cur:
        assert encode_members(cur, "vk", pl.Series([], dtype=pl.Int64), "number").size == 0
        with pytest.raises(ValidationError, match="blank"):
            encode_members(cur, "vk", pl.Series([1, None]), "number")
    with pytest.raises(ValidationError, match="Unknown kind"), store.transaction() as cur:
        encode_members(cur, "vk", pl.Series([1]), "people")  # type: ignore[arg-type]


# ---------------------------------------------------------------- loading


def test_load_export_round_trip_and_sets(store: Store, vk: int) -> None:
    result = load(store, "vk:club1", "5\n3\n5\n\n7\n")
    assert (result.channel_id, result.channel, result.size) == (vk, "vk:club1", 3)
    assert (result.duplicates, result.replaced, result.id_kind, result.source) == (
        1,
        None,
        "number",
        "m.txt",
    )
    cur = store.cursor()
    assert export_members(cur, vk)["member"].to_list() == [5, 3, 7]
    sets = member_sets(cur)
    assert list(sets) == [vk]
    assert sets[vk].ids("vk").tolist() == [0, 1, 2]
    assert sets[vk].platforms == {"vk"}


def test_usernames_round_trip(store: Store) -> None:
    tg = add_channel(store, "telegram", "news")
    load(store, "https://t.me/news", "@Durov\nPavel\nhttps://t.me/durov\n")
    frame = export_members(store.cursor(), tg)
    assert frame.columns == ["member"] and frame["member"].to_list() == ["durov", "pavel"]


def test_lists_of_one_platform_share_the_dictionary(store: Store, vk: int) -> None:
    other = add_channel(store, "vk", "club2")
    tg = add_channel(store, "telegram", "chan")
    load(store, "vk:club1", "1\n2\n3\n")
    load(store, "vk:club2", "3\n4\n2\n")
    load(store, "telegram:chan", "2\n3\n")
    sets = member_sets(store.cursor())
    assert sets[vk].intersection_size(sets[other]) == 2
    assert sets[vk].union_size(sets[other]) == 4
    assert sets[other].ids("vk").tolist() == [1, 2, 3]
    # Telegram's user 2 is not VK's user 2
    assert sets[vk].intersection_size(sets[tg]) == 0
    assert sets[tg].ids("telegram").tolist() == [0, 1]


def test_member_sets_deserialise_to_the_same_members(store: Store, vk: int) -> None:
    dense = np.array([0, 5, 2**24 + 3, 3 * 2**24 + 1], dtype=np.uint64)
    members = Members.from_ids("vk", dense)
    with store.transaction("audience") as cur:
        write_members(cur, vk, members, id_kind="number", source="demo")
    cur = store.cursor()
    back = member_sets(cur)[vk]
    assert back.size == 4 and dict(back.shards) == dict(members.shards)
    assert back.ids("vk").tolist() == dense.tolist()
    shards = cur.execute(
        "select shard, size from audience_shards where channel_id = ? order by shard", [vk]
    ).fetchall()
    assert shards == [(0, 2), (1, 1), (3, 1)]


def test_member_sets_of_chosen_channels(store: Store, vk: int) -> None:
    other = add_channel(store, "vk", "club2")
    add_channel(store, "vk", "club3")  # no list: absent, never empty
    load(store, "vk:club1", "1\n")
    load(store, "vk:club2", "2\n3\n")
    cur = store.cursor()
    assert set(member_sets(cur, [other, 999])) == {other}
    assert member_sets(cur, []) == {}
    assert {k: v.size for k, v in member_sets(cur).items()} == {vk: 1, other: 2}


def test_new_list_replaces_the_old_and_keeps_history(store: Store, vk: int) -> None:
    load(store, "vk:club1", "1\n2\n3\n3\n", "first.txt", author="anna")
    second = load(store, "vk:club1", "id\n3\n4\n", "second.csv", author="boris")
    assert (second.size, second.replaced, second.duplicates) == (2, 3, 0)
    cur = store.cursor()
    assert export_members(cur, vk)["member"].to_list() == [3, 4]
    rows = cur.execute("select size, version, source, loaded_by from audiences").fetchall()
    assert rows == [(2, 2, "second.csv", "boris")]
    history = audience_history(cur, vk)
    assert history.select(
        "source", "size", "id_kind", "dropped_duplicates", "loaded_by"
    ).rows() == [
        ("second.csv", 2, "number", 0, "boris"),
        ("first.txt", 3, "number", 1, "anna"),
    ]
    assert history["loaded_at"].dtype == pl.Datetime("us")
    # one dictionary entry per id, never two
    assert [r[1] for r in dictionary(store)] == [1, 2, 3, 4]


def test_progress_runs_through_every_phase(store: Store, vk: int) -> None:
    seen: list[tuple[float, str]] = []
    load(store, "vk:club1", "1\n2\n", progress=lambda f, p: seen.append((f, p)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert [p for p in dict.fromkeys(p for _, p in seen)] == [
        "reading",
        "encoding",
        "writing",
        "done",
    ]


def test_generation_moves_on_after_a_load(store: Store, vk: int) -> None:
    before = store.generation("audience")
    load(store, "vk:club1", "1\n")
    assert store.generation("audience") > before


# ---------------------------------------------------------------- refusals


def test_channel_that_does_not_exist(store: Store) -> None:
    with pytest.raises(ValidationError, match="no channel vk:nobody in the registry"):
        load(store, "vk:nobody", "1\n")
    with pytest.raises(ValidationError):
        load(store, "not a channel at all", "1\n")
    member_file = read_member_file(b"1\n", "m.txt")
    with pytest.raises(ValidationError, match="Channel 12345 does not exist"):
        load_members(store, 12345, member_file)
    assert set(table_counts(store).values()) == {0}


def test_unknown_channel_is_refused_before_the_file_is_read(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no channel"):
        import_audience_file(store, tmp_path / "missing.txt", "missing.txt", "vk:nobody")


def test_resolve_channel_by_key_and_link(store: Store, vk: int) -> None:
    cur = store.cursor()
    assert resolve_channel(cur, "VK:club1") == vk
    assert resolve_channel(cur, "https://vk.com/club1") == vk


def test_bad_file_writes_nothing(store: Store, vk: int) -> None:
    load(store, "vk:club1", "1\n2\n")
    before = table_counts(store)
    with pytest.raises(ImportRefused, match="row 3"):
        load(store, "vk:club1", "1\n2\nabc\n")
    assert table_counts(store) == before


def test_write_members_refusals(store: Store, vk: int) -> None:
    with store.transaction("audience") as cur, pytest.raises(ValidationError, match="empty"):
        write_members(cur, vk, Members.from_ids("vk", []), id_kind="number", source=None)
    with pytest.raises(ValidationError, match="not of vk"), store.transaction() as cur:
        write_members(cur, vk, Members.from_ids("ok", [1]), id_kind="number", source=None)
    assert set(table_counts(store).values()) == {0}


@pytest.mark.parametrize("existing", [False, True])
def test_failed_write_leaves_every_table_as_it_was(
    store: Store, vk: int, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    if existing:
        load(store, "vk:club1", "1\n2\n", "old.txt")
    before = table_counts(store), dictionary(store), audiences_frame(store.cursor()).rows()
    real = lists.write_members

    def half_then_fail(cur: Any, *args: Any, **kw: Any) -> int | None:
        real(cur, *args, **kw)  # everything written …
        cur.execute("insert into audience_shards values (1, 99, 1, 'x'::blob)")
        raise RuntimeError("disk full")  # … then the write fails

    monkeypatch.setattr(lists, "write_members", half_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        load(store, "vk:club1", "7\n8\n9\n", "new.txt")
    after = table_counts(store), dictionary(store), audiences_frame(store.cursor()).rows()
    assert after == before
    monkeypatch.undo()
    if existing:
        assert export_members(store.cursor(), vk)["member"].to_list() == [1, 2]


def test_failed_sql_leaves_nothing(store: Store, vk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(cur: Any, *args: Any, **kw: Any) -> None:
        cur.execute("insert into audiences (channel_id) values (1)")  # size is required

    monkeypatch.setattr(lists, "write_members", broken)
    with pytest.raises(CrmError, match="nothing was written"):
        load(store, "vk:club1", "1\n")
    assert set(table_counts(store).values()) == {0}


# ---------------------------------------------------------------- delete, lists, history


def test_delete_keeps_history(store: Store, vk: int) -> None:
    load(store, "vk:club1", "1\n2\n", "a.txt")
    assert delete_members(store, vk) == 2
    assert delete_members(store, vk) is None
    cur = store.cursor()
    assert member_sets(cur) == {}
    assert audiences_frame(cur).height == 0
    assert audience_history(cur, vk)["source"].to_list() == ["a.txt"]
    with pytest.raises(NotFound, match="vk:club1 has no member list"):
        export_members(cur, vk)
    with pytest.raises(NotFound, match="Channel 777 does not exist"):
        export_members(cur, 777)


def test_audiences_frame(store: Store, vk: int) -> None:
    tg = add_channel(store, "telegram", "chan", title="Канал")
    add_snapshot(store, vk, measured_on=dt.date(2024, 1, 1), followers=100)
    add_snapshot(store, vk, measured_on=dt.date(2024, 2, 1), followers=150)
    load(store, "vk:club1", "1\n2\n3\n", "vk.txt")
    load(store, "telegram:chan", "@a\n@b\n", "tg.csv")
    frame = audiences_frame(store.cursor())
    assert frame.columns == [
        "channel_id",
        "channel",
        "title",
        "platform",
        "followers",
        "size",
        "id_kind",
        "source",
        "loaded_at",
    ]
    assert frame.drop("loaded_at").rows() == [
        (tg, "telegram:chan", "Канал", "telegram", None, 2, "text", "tg.csv"),
        (vk, "vk:club1", "Первый паблик", "vk", 150, 3, "number", "vk.txt"),
    ]


def test_empty_history_and_frame(store: Store, vk: int) -> None:
    cur = store.cursor()
    assert audience_history(cur, vk).height == 0
    assert audiences_frame(cur).height == 0


# ---------------------------------------------------------------- a large list


@pytest.mark.slow
def test_million_ids_load_and_export(file_store: Store, tmp_path: Path) -> None:
    cid = add_channel(file_store, "vk", "big")
    ids = np.random.default_rng(11).integers(1, 900_000_000, 1_000_000, dtype=np.int64)
    path = tmp_path / "big.txt"
    pl.DataFrame({"id": ids}).write_csv(path, include_header=False)
    result = import_audience_file(file_store, path, path.name, "vk:big")
    distinct = pl.Series(ids).unique(maintain_order=True)
    assert result.size == len(distinct) and result.duplicates == len(ids) - len(distinct)
    cur = file_store.cursor()
    assert member_sets(cur)[cid].size == len(distinct)
    assert export_members(cur, cid)["member"].equals(distinct.alias("member"))
