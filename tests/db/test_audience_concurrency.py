"""Overlap work reads the stored lists with a plain cursor and computes in memory: it never
waits for the write lock, so a long import in one session does not block another's overlap."""

from __future__ import annotations

import threading
from pathlib import Path

from crm.audience import lists
from crm.audience.sets import Members, overlap_counts, reach
from crm.registry import add_channel
from crm.store import Store


def test_overlap_runs_while_another_session_writes(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "crm.duckdb"))
    a = add_channel(store, "vk", "a")
    b = add_channel(store, "vk", "b")
    lists.import_audience_file(store, b"1\n2\n3\n4\n", "a.txt", "vk:a")
    lists.import_audience_file(store, b"3\n4\n5\n", "b.txt", "vk:b")

    inside, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def long_write() -> None:
        try:
            with store.transaction("audience") as cur:
                lists.write_members(
                    cur, a, Members.from_ids("vk", [9]), id_kind="number", source="new.txt"
                )
                inside.set()
                release.wait(30)  # the write lock is held until the main thread has read
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    writer = threading.Thread(target=long_write)
    writer.start()
    assert inside.wait(30)
    done = threading.Event()
    seen: dict[str, object] = {}

    def overlap() -> None:
        sets = lists.member_sets(store.cursor())
        seen["counts"] = overlap_counts([sets[a], sets[b]])
        seen["unique"] = reach([sets[a], sets[b]]).unique_reach
        done.set()

    reader = threading.Thread(target=overlap)
    reader.start()
    # the reader finishes while the writer still holds the lock, and sees the committed lists
    assert done.wait(30), "the overlap waited for the write lock"
    assert seen == {"counts": [[4, 2], [2, 3]], "unique": 5}
    release.set()
    writer.join(30)
    reader.join(30)
    assert not failures
    # the write landed afterwards
    assert lists.member_sets(store.cursor())[a].size == 1
    store.close()
