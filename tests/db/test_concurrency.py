"""One store shared by many threads (as by Streamlit sessions): writes serialise, reads stay right."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from crm import registry


def test_threads_share_one_store_without_lost_or_crossed_rows(file_store) -> None:
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
