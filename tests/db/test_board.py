"""The board (counts, order, per-stage limits, filters, card values), the shortlist table and
follow-ups, on a small hand-built pipeline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from crm.outreach.board import BoardFilter, board, managers
from crm.outreach.campaigns import create_campaign
from crm.outreach.events import move_cards
from crm.outreach.followups import follow_ups
from crm.outreach.shortlist import add_to_shortlist, shortlist_frame, update_entry
from crm.pricing import add_price
from crm.registry import add_channel, add_snapshot
from crm.store import Store

TODAY = dt.date(2026, 3, 10)


def _day(d: int) -> dt.datetime:
    return dt.datetime(2026, 3, d, 12, 0)


@pytest.fixture
def pipe(store: Store) -> tuple[Store, dict[str, int]]:
    """Spring: a contacted (normal, follow-up 8 March: overdue, Olga), c contacted (high,
    12 March, Ivan), d contacted (normal, none, Olga), b declined (1 March, Olga), e paid
    (1 March). Autumn: a shortlisted (9 March: overdue, Ivan). Old (closed): b contacted."""
    ch = {h: add_channel(store, p, h, title=h.upper()) for h, p in
          [("a", "telegram"), ("b", "vk"), ("c", "telegram"), ("d", "telegram"), ("e", "vk")]}  # fmt: skip
    add_snapshot(store, ch["a"], measured_on=dt.date(2026, 1, 1), followers=1000)
    add_snapshot(store, ch["a"], measured_on=dt.date(2026, 2, 1), followers=2000)
    spring = create_campaign(store, name="Spring")
    autumn = create_campaign(store, name="Autumn")
    old = create_campaign(store, name="Old")
    add_to_shortlist(store, spring, ch.values(), at=_day(1))
    add_to_shortlist(store, autumn, [ch["a"]], at=_day(1))
    add_to_shortlist(store, old, [ch["b"]], at=_day(1))
    store.cursor().execute("update campaigns set status = 'closed' where id = ?", [old])
    ids = {
        (k, h): (e, v)
        for k, h, e, v in store.cursor()
        .execute(
            "select k.name, c.handle, s.id, s.version from shortlist s "
            "join channels c on c.id = s.channel_id join campaigns k on k.id = s.campaign_id"
        )
        .fetchall()
    }

    def edit(key: tuple[str, str], stage: str | None, since: int, **changes: object) -> None:
        e, v = ids[key]
        if stage:
            move_cards(store, {e: v}, stage, at=_day(since))
            v += 1
        if changes:
            v = update_entry(store, e, v, changes)
        ids[key] = (e, v)

    edit(("Spring", "a"), "contacted", 5, next_follow_up="2026-03-08", manager="Olga")
    edit(("Spring", "c"), "contacted", 7, next_follow_up="2026-03-12", manager="Ivan",
         priority="high")  # fmt: skip
    edit(("Spring", "d"), "contacted", 7, manager="Olga")
    edit(("Spring", "b"), "declined", 2, next_follow_up="2026-03-01", manager="Olga")
    edit(("Spring", "e"), "paid", 9, next_follow_up="2026-03-01")
    edit(("Autumn", "a"), None, 0, next_follow_up="2026-03-09", manager="Ivan")
    edit(("Old", "b"), "contacted", 3)
    add_price(store, ch["a"], format="post", kind="listed", amount="10000", currency="RUB",
              on=dt.date(2026, 3, 1))  # fmt: skip
    add_price(store, ch["a"], format="post", kind="agreed", amount="12000", currency="RUB",
              on=dt.date(2026, 3, 6), campaign_id=spring)  # fmt: skip
    add_price(store, ch["c"], format="post", kind="listed", amount="150", currency="USD",
              on=dt.date(2026, 3, 1))  # fmt: skip
    add_price(store, ch["c"], format="story", kind="listed", amount="90", currency="USD",
              on=dt.date(2026, 3, 2))  # fmt: skip
    return store, {"spring": spring, "autumn": autumn, "old": old}


def _view(b: object) -> dict[str, list[str]]:
    return {k: [f"{c.campaign}:{c.handle}" for c in v] for k, v in b.cards.items() if v}  # type: ignore[attr-defined]


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: n for k, n in counts.items() if n}


def test_board_counts_order_and_cards(pipe: tuple[Store, dict[str, int]]) -> None:
    store, k = pipe
    b = board(store.cursor(), BoardFilter(), today=TODAY)
    assert [s.key for s in b.stages][:3] == ["prospect", "shortlisted", "contacted"]
    assert _nonzero(b.counts) == {"shortlisted": 1, "contacted": 3, "paid": 1, "declined": 1}
    assert b.counts["replied"] == 0
    assert _view(b) == {
        "shortlisted": ["Autumn:a"],
        "contacted": ["Spring:c", "Spring:a", "Spring:d"],  # high first, then overdue
        "paid": ["Spring:e"],
        "declined": ["Spring:b"],
    }
    c, a = b.cards["contacted"][:2]
    assert (a.followers, a.price, a.price_currency, a.days_in_stage, a.overdue) == (
        2000, Decimal("12000.00"), "RUB", 5, True,
    )  # fmt: skip
    assert (c.followers, c.price, c.price_currency, c.days_in_stage, c.overdue) == (
        None, Decimal("150.00"), "USD", 3, False,
    )  # fmt: skip
    assert (c.priority, c.manager, c.next_follow_up) == ("high", "Ivan", dt.date(2026, 3, 12))
    # closing and paid stages are never overdue
    assert [x.overdue for x in (*b.cards["paid"], *b.cards["declined"])] == [False, False]


def test_board_limits_per_stage_and_filters(pipe: tuple[Store, dict[str, int]]) -> None:
    store, k = pipe
    cur = store.cursor()
    limited = board(cur, BoardFilter(), limits={"contacted": 2}, default_limit=0, today=TODAY)
    assert _view(limited) == {"contacted": ["Spring:c", "Spring:a"]}
    assert limited.counts["contacted"] == 3
    olga = board(cur, BoardFilter(manager="Olga"), today=TODAY)
    assert _nonzero(olga.counts) == {"contacted": 2, "declined": 1}
    vk = board(cur, BoardFilter(platform="vk"), today=TODAY)
    assert _view(vk) == {"paid": ["Spring:e"], "declined": ["Spring:b"]}
    late = board(cur, BoardFilter(overdue_only=True), today=TODAY)
    assert _view(late) == {"shortlisted": ["Autumn:a"], "contacted": ["Spring:a"]}
    old = board(cur, BoardFilter(campaign_id=k["old"]), today=TODAY)
    assert _view(old) == {"contacted": ["Old:b"]}
    spring_late = board(cur, BoardFilter(campaign_id=k["spring"], overdue_only=True,
                                         manager="Olga"), today=TODAY)  # fmt: skip
    assert _view(spring_late) == {"contacted": ["Spring:a"]}
    assert managers(cur) == ["Ivan", "Olga"]


def test_shortlist_frame(pipe: tuple[Store, dict[str, int]]) -> None:
    store, k = pipe
    frame = shortlist_frame(store.cursor(), k["spring"], today=TODAY)
    assert frame.select(
        "handle", "stage_label", "priority", "overdue", "days_in_stage", "followers", "price",
        "price_currency", "price_kind",
    ).rows() == [
        ("c", "Contacted", "high", False, 3, None, Decimal("150.00"), "USD", "listed"),
        ("a", "Contacted", "normal", True, 5, 2000, Decimal("12000.00"), "RUB", "agreed"),
        ("d", "Contacted", "normal", False, 3, None, None, None, None),
        ("e", "Paid", "normal", False, 1, None, None, None, None),
        ("b", "Declined", "normal", False, 8, None, None, None, None),
    ]  # fmt: skip


def test_follow_ups(pipe: tuple[Store, dict[str, int]]) -> None:
    store, _ = pipe
    due = follow_ups(store.cursor(), today=TODAY)
    assert due.select("campaign", "handle", "next_follow_up", "overdue_days").rows() == [
        ("Spring", "a", dt.date(2026, 3, 8), 2),
        ("Autumn", "a", dt.date(2026, 3, 9), 1),
    ]
    ahead = follow_ups(store.cursor(), today=TODAY, days_ahead=2)
    assert ahead["overdue_days"].to_list() == [2, 1, -2]


def test_board_with_2000_cards_reads_set_based(store: Store) -> None:
    cid = create_campaign(store, name="Big")
    with store.transaction() as cur:
        cur.execute(
            "insert into channels (platform, handle) "
            "select 'telegram', 'ch' || i from range(2000) t(i)"
        )
    ids = [r[0] for r in store.cursor().execute("select id from channels").fetchall()]
    add_to_shortlist(store, cid, ids)
    b = board(store.cursor(), BoardFilter(campaign_id=cid), today=TODAY)
    assert b.counts["shortlisted"] == 2000
    assert len(b.cards["shortlisted"]) == 6
