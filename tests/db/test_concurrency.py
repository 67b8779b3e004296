"""One store shared by many threads (as by Streamlit sessions): writes serialise, reads stay right."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from crm import registry
from crm.errors import StaleEdit, ValidationError
from crm.store import Store


def test_threads_share_one_store_without_lost_or_crossed_rows(file_store: Store) -> None:
    def work(n: int) -> tuple[int, str]:
        cid, created = registry.add_channel_from_url(file_store, f"t.me/thread_{n}", title=f"T{n}")
        assert created
        registry.add_snapshot(file_store, cid, followers=n * 10)
        # read back through a fresh cursor: this thread must see its own row
        return n, registry.get_channel(file_store.cursor(), cid).title or ""

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(200)))
    assert results == [(n, f"T{n}") for n in range(200)]
    frame = registry.list_channels(file_store.cursor())
    assert frame.height == 200
    by_handle = dict(zip(frame["handle"].to_list(), frame["followers"].to_list(), strict=True))
    assert all(by_handle[f"thread_{n}"] == n * 10 for n in range(200))


def test_concurrent_edits_of_different_fields_all_land(file_store: Store) -> None:
    owner = registry.add_owner(file_store, "Анна")
    opened = registry.get_owner(file_store.cursor(), owner)
    edits = {
        "email": "anna@pages.ru",
        "telegram": "@anna_ads",
        "phone": "+7 900 000-00-00",
        "other_contact": "vk.com/anna",
        "notes": "prefers mornings",
    }

    def edit(field: str) -> int:
        seen = {field: getattr(opened, field)}
        return registry.update_owner(file_store, owner, opened.version, seen=seen,
                                     **{field: edits[field]})  # fmt: skip

    with ThreadPoolExecutor(max_workers=5) as pool:
        versions = sorted(pool.map(edit, edits))
    assert versions == [2, 3, 4, 5, 6]
    kept = registry.get_owner(file_store.cursor(), owner)
    got = {field: getattr(kept, field) for field in edits}
    assert got == edits
    assert kept.version == 6


def test_concurrent_edits_of_one_field_let_exactly_one_win(file_store: Store) -> None:
    cid, _ = registry.add_channel_from_url(file_store, "t.me/contested", title="Old")

    def edit(n: int) -> str:
        try:
            registry.update_channel(file_store, cid, 1, seen={"title": "Old"}, title=f"T{n}")
        except StaleEdit as exc:
            assert [c.field for c in exc.conflicts] == ["title"]
            return "refused"
        return f"T{n}"

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(edit, range(16)))
    winners = [r for r in results if r != "refused"]
    assert len(winners) == 1
    assert registry.get_channel(file_store.cursor(), cid).title == winners[0]


def test_transactions_composed_on_many_threads_stay_apart(file_store: Store) -> None:
    start = file_store.generation("registry")

    def work(n: int) -> bool:
        try:
            with file_store.transaction("registry", actor=f"user{n}"):
                owner = registry.add_owner(file_store, f"Owner {n}")
                registry.add_channel_from_url(file_store, f"t.me/composed_{n}", owner_id=owner)
                assert file_store.current_actor() == f"user{n}"
                if n % 3 == 0:
                    raise ValidationError("every third one fails")
        except ValidationError:
            return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        ok = list(pool.map(work, range(60)))
    committed = sum(ok)
    assert committed == 40
    cur = file_store.cursor()
    rows = cur.execute(
        "select c.handle, o.name from channels c join owners o on o.id = c.owner_id order by 1"
    ).fetchall()
    assert rows == sorted((f"composed_{n}", f"Owner {n}") for n in range(60) if n % 3)
    assert cur.execute("select count(*) from owners").fetchall() == [(40,)]
    assert file_store.generation("registry") == start + committed
