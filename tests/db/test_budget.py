"""A campaign's money: planned, committed and spent in its currency, two currencies converted
at each price's date, a missing rate giving None and naming itself; all Decimal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from crm.demo import generate_demo
from crm.outreach.budget import CampaignMoney, campaign_money, campaigns_money
from crm.outreach.campaigns import create_campaign
from crm.outreach.events import move_cards
from crm.outreach.shortlist import add_to_shortlist
from crm.pricing import add_price, set_rate
from crm.registry import add_channel
from crm.store import Store


def d(day: int) -> dt.date:
    return dt.date(2026, 3, day)


@pytest.fixture
def spring(store: Store) -> tuple[Store, int, dict[str, int]]:
    """Budget 100 000 RUB; USD is 90 RUB from 1 March and 92.5 from 10 March; no EUR rate.
    a: agreed 25 000 then 30 000 RUB (the latest counts), paid 30 000 RUB.
    b: agreed $500 on 5 March (× 90 = 45 000 RUB), not paid: committed.
    c: agreed $300 on 11 March (× 92.5 = 27 750), paid $300 on 12 March (27 750).
    d: agreed 10 000 RUB but declined: not planned. e: only a listed price.
    x: not on the shortlist; its agreed price in the campaign does not count."""
    ch = {h: add_channel(store, "telegram", h) for h in "abcdex"}
    cid = create_campaign(store, name="Spring", budget="100000", currency="RUB")
    add_to_shortlist(store, cid, [ch[h] for h in "abcde"])
    (entry, version) = (
        store.cursor()
        .execute("select id, version from shortlist where channel_id = ?", [ch["d"]])
        .fetchall()[0]
    )
    move_cards(store, {entry: version}, "declined")
    set_rate(store, "USD", d(1), "90")
    set_rate(store, "USD", d(10), "92.5")

    def price(h: str, kind: str, amount: str, currency: str, day: int) -> None:
        add_price(store, ch[h], format="post", kind=kind, amount=amount, currency=currency,
                  on=d(day), campaign_id=cid)  # fmt: skip

    price("a", "agreed", "25000", "RUB", 1)
    price("a", "agreed", "30000", "RUB", 2)
    price("a", "paid", "30000", "RUB", 12)
    price("b", "agreed", "500", "USD", 5)
    price("c", "agreed", "300", "USD", 11)
    price("c", "paid", "300", "USD", 12)
    price("d", "agreed", "10000", "RUB", 3)
    price("x", "agreed", "99999", "RUB", 3)
    add_price(store, ch["e"], format="post", kind="listed", amount="5000", currency="RUB",
              on=d(1))  # fmt: skip
    return store, cid, ch


def test_money_in_two_currencies(spring: tuple[Store, int, dict[str, int]]) -> None:
    store, cid, _ = spring
    assert campaign_money(store.cursor(), cid) == CampaignMoney(
        currency="RUB",
        budget=Decimal("100000.00"),
        planned=Decimal("102750.00"),  # 30 000 + 45 000 + 27 750
        committed=Decimal("45000.00"),
        spent=Decimal("57750.00"),  # 30 000 + 27 750
        over_budget=True,
        missing_rates=[],
        planned_channels=3,
        paid_channels=2,
    )


def test_missing_rate_gives_none_and_says_which(spring: tuple[Store, int, dict[str, int]]) -> None:
    store, cid, ch = spring
    f = add_channel(store, "vk", "f")
    add_to_shortlist(store, cid, [f])
    add_price(store, f, format="post", kind="agreed", amount="200", currency="EUR", on=d(5),
              campaign_id=cid)  # fmt: skip
    money = campaign_money(store.cursor(), cid)
    assert (money.planned, money.committed, money.spent) == (None, None, Decimal("57750.00"))
    assert money.missing_rates == ["No EUR rate on or before 2026-03-05."]
    assert money.over_budget is False  # unknown, not over
    set_rate(store, "EUR", d(4), "100")
    money = campaign_money(store.cursor(), cid)
    assert (money.planned, money.committed) == (Decimal("122750.00"), Decimal("65000.00"))
    assert money.missing_rates == []


def test_money_in_a_foreign_currency_and_empty(store: Store) -> None:
    a, b = add_channel(store, "telegram", "a"), add_channel(store, "telegram", "b")
    cid = create_campaign(store, name="USD one", budget="200", currency="USD")
    add_to_shortlist(store, cid, [a, b])
    set_rate(store, "USD", d(1), "90")
    add_price(store, a, format="post", kind="agreed", amount="9000", currency="RUB", on=d(2),
              campaign_id=cid)  # fmt: skip
    add_price(store, b, format="post", kind="paid", amount="50", currency="USD", on=d(3),
              campaign_id=cid)  # fmt: skip
    money = campaign_money(store.cursor(), cid)
    # a: 9 000 RUB / 90 = $100 agreed, unpaid; b: paid $50 without an agreed price
    assert (money.planned, money.committed, money.spent) == (
        Decimal("150.00"), Decimal("100.00"), Decimal("50.00"),
    )  # fmt: skip
    assert (money.over_budget, money.planned_channels, money.paid_channels) == (False, 2, 1)
    empty = create_campaign(store, name="Empty")
    assert campaign_money(store.cursor(), empty) == CampaignMoney(
        "RUB", None, Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), False, [], 0, 0
    )


def test_campaigns_money_reads_many_campaigns_at_once(
    spring: tuple[Store, int, dict[str, int]],
) -> None:
    store, cid, ch = spring
    # a second campaign in USD shares channels a and c with Spring: nothing crosses over
    other = create_campaign(store, name="Other", budget="1000", currency="USD")
    add_to_shortlist(store, other, [ch["a"], ch["c"]])
    add_price(store, ch["a"], format="post", kind="agreed", amount="9000", currency="RUB",
              on=d(2), campaign_id=other)  # fmt: skip
    add_price(store, ch["c"], format="post", kind="paid", amount="40", currency="USD",
              on=d(12), campaign_id=other)  # fmt: skip
    empty = create_campaign(store, name="Empty")
    money = campaigns_money(store.cursor())
    assert set(money) == {cid, other, empty}
    assert money[cid] == CampaignMoney(
        "RUB", Decimal("100000.00"), Decimal("102750.00"), Decimal("45000.00"),
        Decimal("57750.00"), True, [], 3, 2,
    )  # fmt: skip
    # a: 9 000 RUB / 90 = $100 agreed, unpaid; c: paid $40 without an agreed price
    assert money[other] == CampaignMoney(
        "USD", Decimal("1000.00"), Decimal("140.00"), Decimal("100.00"), Decimal("40.00"),
        False, [], 2, 1,
    )  # fmt: skip
    assert money[empty] == CampaignMoney(
        "RUB", None, Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), False, [], 0, 0
    )
    assert campaigns_money(store.cursor(), [other, 999_999]) == {other: money[other]}
    assert campaigns_money(store.cursor(), []) == {}


def test_campaigns_money_equals_campaign_money_for_every_demo_campaign(store: Store) -> None:
    generate_demo(store)
    cur = store.cursor()
    ids = [int(i) for (i,) in cur.execute("select id from campaigns order by id").fetchall()]
    assert len(ids) == 6
    money = campaigns_money(cur)
    assert money == {i: campaign_money(cur, i) for i in ids}
    assert any(m.spent for m in money.values())  # the demo has paid prices to compare
