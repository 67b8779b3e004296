"""Overlap in money (crm.audience.money): every figure on a small workspace computed by hand.

Member lists (dense vk ids):        prices for post (RUB is the base currency):
  A  0..999      1,000 members        A  listed 10,000 (newer), agreed 8,000 → 8,000
  B  500..1499   1,000 (A∩B = 500)    B  listed 6,000, quoted 5,000 → 5,000
  C  2000..2499    500 (disjoint)     C  listed 4,000
  D  0..199        200 (inside A)     D  listed 1,000
  E  no list                          E  listed 2,000
  F  3000..3099    100                F  no price
  G  1400..1999    600                G  listed 50 USD, USD rate 90 → 4,500
  H  4000..4099    100                H  listed 20 EUR, no EUR rate
  I  no list                          I  no price
  K  3000..3249    250                K  listed 2,000
Followers: A 50,000, B 40,000, C 10,000, G 30,000, K 5,000.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from crm.audience.lists import member_sets, write_members
from crm.audience.money import (
    AddNext,
    add_next,
    owner_bundle,
    owner_networks,
    plan_shortlist,
    selection_money,
    why_left_out,
)
from crm.audience.sets import Members, union_size
from crm.errors import NotFound, ValidationError
from crm.pricing.currencies import set_rate
from crm.pricing.prices import add_price
from crm.registry import add_channel, add_owner, add_snapshot
from crm.store import Store

D = dt.date
DAY = D(2026, 3, 1)
ON = D(2026, 3, 10)  # the day budgets are converted at

RANGES = {
    "a": (0, 1000),
    "b": (500, 1500),
    "c": (2000, 2500),
    "d": (0, 200),
    "f": (3000, 3100),
    "g": (1400, 2000),
    "h": (4000, 4100),
    "k": (3000, 3250),
}
# (format, kind, amount, currency, date) per channel
PRICES: dict[str, list[tuple[str, str, str, str, dt.date]]] = {
    "a": [
        ("post", "agreed", "8000", "RUB", DAY),
        ("post", "listed", "10000", "RUB", D(2026, 3, 5)),
        ("story", "listed", "3000", "RUB", DAY),
    ],
    "b": [("post", "listed", "6000", "RUB", DAY), ("post", "quoted", "5000", "RUB", DAY)],
    "c": [("post", "listed", "4000", "RUB", DAY)],
    "d": [("post", "listed", "1000", "RUB", DAY)],
    "e": [("post", "listed", "2000", "RUB", DAY)],
    "g": [("post", "listed", "50", "USD", DAY)],
    "h": [("post", "listed", "20", "EUR", DAY)],
    "k": [("post", "listed", "2000", "RUB", DAY)],
}
FOLLOWERS = {"a": 50_000, "b": 40_000, "c": 10_000, "g": 30_000, "k": 5_000}


class World:
    """The workspace above: channel ids by letter, member sets by channel id, the owner."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.owner = add_owner(store, "Network Owner")
        self.other_owner = add_owner(store, "Someone Else")
        self.id: dict[str, int] = {}
        for name in "abcdefghik":
            owner = self.owner if name in "abce" else self.other_owner if name == "k" else None
            self.id[name] = add_channel(store, "vk", f"page_{name}", owner_id=owner)
        for name, rows in PRICES.items():
            for fmt, kind, amount, currency, on in rows:
                add_price(
                    store, self.id[name], format=fmt, kind=kind, amount=amount,
                    currency=currency, on=on,
                )  # fmt: skip
        for name, followers in FOLLOWERS.items():
            add_snapshot(store, self.id[name], measured_on=DAY, followers=followers)
        set_rate(store, "USD", DAY, Decimal("90"))
        # the lists go through the store as the product keeps them, and come back as the
        # Audience page and the CLI read them
        with store.transaction("audience") as cur:
            for name, (lo, hi) in RANGES.items():
                members = Members.from_ids("vk", range(lo, hi))
                write_members(cur, self.id[name], members, id_kind="number", source=f"{name}.txt")
        self.sets = member_sets(store.cursor())
        assert sorted(self.sets) == sorted(self.id[name] for name in RANGES)

    def ids(self, names: str) -> list[int]:
        return [self.id[n] for n in names]


@pytest.fixture
def world(store: Store) -> World:
    return World(store)


# ------------------------------------------------------------------------------ selection_money


def test_selection_money_counts_channels_with_both_a_price_and_a_list(world: World) -> None:
    cur = world.store.cursor()
    money = selection_money(cur, world.sets, world.ids("abcefhi"))
    i = world.id
    assert money.format == "post" and money.base_currency == "RUB"
    assert money.channel_ids == tuple(world.ids("abcefhi"))
    # agreed beats a newer listed price; quoted beats listed
    assert money.prices[i["a"]].kind == "agreed"
    assert money.prices[i["a"]].amount_base == Decimal("8000.00")
    assert money.prices[i["b"]].amount_base == Decimal("5000.00")
    assert money.prices[i["h"]].amount == Decimal("20.00")
    assert money.prices[i["h"]].amount_base is None
    # priced in RUB: A 8,000 + B 5,000 + C 4,000 + E 2,000 (E has no list)
    assert money.total_price == Decimal("19000.00")
    assert money.counted == tuple(world.ids("abc"))
    assert money.counted_price == Decimal("17000.00")
    # A ∪ B = 0..1499, C 2000..2499: 1,500 + 500; the sum 1,000 + 1,000 + 500
    assert money.unique_reach == 2000
    assert money.sum_of_audiences == 2500
    assert money.dedup_cpm == Decimal("8500.00")  # 17,000 / 2,000 × 1000
    assert money.naive_cpm == Decimal("6800.00")  # 17,000 / 2,500 × 1000
    assert money.unpriced == tuple(world.ids("fhi"))
    assert money.unlisted == tuple(world.ids("ei"))
    assert money.left_out == (
        (i["e"], "no member list"),
        (i["f"], "no price for post"),
        (i["h"], "no rate for EUR on or before 2026-03-01"),
        (i["i"], "no price for post, no member list"),
    )
    assert why_left_out(cur, world.sets, world.ids("abcefhi")) == list(money.left_out)


def test_selection_money_converts_prices_at_the_rate_of_their_day(world: World) -> None:
    money = selection_money(world.store.cursor(), world.sets, world.ids("ag"))
    # G: 50 USD × 90 = 4,500; A ∪ G = 0..999 and 1400..1999 = 1,600 of a sum of 1,600
    assert money.prices[world.id["g"]].amount_base == Decimal("4500.00")
    assert money.counted_price == Decimal("12500.00")
    assert (money.unique_reach, money.sum_of_audiences) == (1600, 1600)
    # no overlap: both CPMs are 12,500 / 1,600 × 1000 = 7,812.50
    assert money.dedup_cpm == money.naive_cpm == Decimal("7812.50")
    assert money.left_out == ()


def test_selection_money_rounds_to_cents_and_takes_the_chosen_format(world: World) -> None:
    cur = world.store.cursor()
    # A + D: D lies inside A; 9,000 / 1,000 × 1000 and 9,000 / 1,200 × 1000
    money = selection_money(cur, world.sets, world.ids("ad"))
    assert money.dedup_cpm == Decimal("9000.00")
    assert money.naive_cpm == Decimal("7500.00")
    # A + B + D: 14,000 / 1,500 × 1000 = 9,333.33…; / 2,200 = 6,363.63…
    money = selection_money(cur, world.sets, world.ids("abd"))
    assert money.dedup_cpm == Decimal("9333.33")
    assert money.naive_cpm == Decimal("6363.64")
    story = selection_money(cur, world.sets, world.ids("ab"), format="story")
    assert story.counted == (world.id["a"],)
    assert story.counted_price == Decimal("3000.00")
    assert story.dedup_cpm == Decimal("3000.00")  # 3,000 / 1,000 × 1000
    assert story.left_out == ((world.id["b"], "no price for story"),)


def test_selection_money_without_counted_channels_has_no_cpm(world: World) -> None:
    cur = world.store.cursor()
    money = selection_money(cur, world.sets, world.ids("ei"))
    assert money.counted == () and money.counted_price == Decimal("0")
    assert money.total_price == Decimal("2000.00")
    assert (money.unique_reach, money.sum_of_audiences) == (0, 0)
    assert money.dedup_cpm is None and money.naive_cpm is None
    empty = selection_money(cur, world.sets, [])
    assert empty.total_price == Decimal("0") and empty.dedup_cpm is None


def test_selection_money_keeps_platforms_apart_and_ids_once(world: World) -> None:
    tg = add_channel(world.store, "telegram", "tg_page")
    add_price(world.store, tg, format="post", kind="listed", amount="1000", currency="RUB", on=DAY)
    sets = {**world.sets, tg: Members.from_ids("telegram", range(0, 100))}
    a = world.id["a"]
    # telegram ids 0..99 are other people than vk ids 0..99: 1,000 + 100
    money = selection_money(world.store.cursor(), sets, [a, tg, a])
    assert money.channel_ids == (a, tg)
    assert money.unique_reach == 1100 and money.sum_of_audiences == 1100
    assert money.dedup_cpm == Decimal("8181.82")  # 9,000 / 1,100 × 1000


def test_selection_money_refuses_channels_that_do_not_exist(world: World) -> None:
    with pytest.raises(NotFound, match="Channels 998, 999 do not exist"):
        selection_money(world.store.cursor(), world.sets, [world.id["a"], 998, 999])


# ----------------------------------------------------------------------------------- add_next


def test_add_next_ranks_by_added_reach_per_money(world: World) -> None:
    cur = world.store.cursor()
    i = world.id
    ranked = add_next(cur, world.sets, world.ids("ab"), world.ids("cdgefak"))
    # A ∪ B = 0..1499 for 13,000. C adds 500 for 4,000: 125 per 1,000 RUB, CPM 17,000 / 2,000;
    # K adds 250 for 2,000: 125 too, fewer people, after C; CPM 15,000 / 1,750 = 8,571.43;
    # G adds 1500..1999 = 500 for 4,500: 111.11, CPM 17,500 / 2,000; D adds nobody.
    # E (no list), F (no price) cannot be ranked; A is selected already.
    assert ranked == [
        AddNext(i["c"], 500, Decimal("4000.00"), Decimal("125.00"), Decimal("8500.00")),
        AddNext(i["k"], 250, Decimal("2000.00"), Decimal("125.00"), Decimal("8571.43")),
        AddNext(i["g"], 500, Decimal("4500.00"), Decimal("111.11"), Decimal("8750.00")),
        AddNext(i["d"], 0, Decimal("1000.00"), Decimal("0.00"), Decimal("9333.33")),
    ]
    assert [r.channel_id for r in add_next(cur, world.sets, world.ids("ab"), world.ids("cdgk"),
                                           limit=2)] == world.ids("ck")  # fmt: skip
    # the CPM after a channel is the selection's with it
    for row in ranked:
        after = selection_money(cur, world.sets, [*world.ids("ab"), row.channel_id])
        assert row.dedup_cpm_after == after.dedup_cpm


def test_add_next_counts_members_of_selected_channels_without_a_price(world: World) -> None:
    cur = world.store.cursor()
    # F (3000..3099, no price) is selected: K's 3000..3099 are reached already, it adds 150;
    # the CPM after covers the priced channels only: (8,000 + 2,000) / (1,000 + 250) × 1000
    (row,) = add_next(cur, world.sets, world.ids("af"), world.ids("k"))
    assert row.added_reach == 150
    assert row.reach_per_money == Decimal("75.00")  # 150 / 2,000 × 1000
    assert row.dedup_cpm_after == Decimal("8000.00")


def test_add_next_from_an_empty_selection_and_bad_limits(world: World) -> None:
    cur = world.store.cursor()
    ranked = add_next(cur, world.sets, [], world.ids("ad"), limit=None)
    # A: 1,000 for 8,000 = 125; D: 200 for 1,000 = 200 per 1,000 RUB
    assert [(r.channel_id, r.reach_per_money) for r in ranked] == [
        (world.id["d"], Decimal("200.00")),
        (world.id["a"], Decimal("125.00")),
    ]
    assert ranked[0].dedup_cpm_after == Decimal("5000.00")  # 1,000 / 200 × 1000
    with pytest.raises(ValidationError, match="at least one channel"):
        add_next(cur, world.sets, [], world.ids("a"), limit=0)


# ------------------------------------------------------------------------------ plan_shortlist


def test_plan_in_dollars_beats_the_naive_pick(world: World) -> None:
    cur = world.store.cursor()
    i = world.id
    plan = plan_shortlist(
        cur, world.sets, world.ids("abcdgefh"), budget=Decimal("200"), currency="usd",
        must_exclude=[i["d"]], on=ON,
    )  # fmt: skip
    assert plan.currency == "USD" and plan.base_currency == "RUB" and plan.format == "post"
    assert plan.budget == Decimal("200")
    assert plan.budget_base == Decimal("18000.00")  # 200 × 90
    assert plan.rate_note is not None
    assert "2026-03-01" in plan.rate_note and "1 USD = 90 RUB" in plan.rate_note
    assert plan.left_out == (
        (i["d"], "excluded"),
        (i["e"], "no member list"),
        (i["f"], "no price for post"),
        (i["h"], "no rate for EUR on or before 2026-03-01"),
    )
    assert plan.costs == {
        i["a"]: Decimal("8000.00"),
        i["b"]: Decimal("5000.00"),
        i["c"]: Decimal("4000.00"),
        i["g"]: Decimal("4500.00"),
    }
    # A + C + G: 16,500 for 1,000 + 500 + 600 = 2,100 (A + B + C, A + B + G: 2,000; all four:
    # 21,500 > 18,000)
    assert set(plan.chosen.ids) == set(world.ids("acg"))
    assert plan.chosen.cost == Decimal("16500.00")
    assert plan.chosen.unique_reach == 2100
    assert plan.dedup_cpm == Decimal("7857.14")  # 16,500 / 2,100 × 1000
    # naive: A (50k followers) 8,000, B (40k) 13,000, G (30k) 17,500; C no longer fits
    assert plan.naive.ids == tuple(world.ids("abg"))
    assert plan.naive.cost == Decimal("17500.00")
    assert plan.naive.unique_reach == 2000
    assert plan.naive_dedup_cpm == Decimal("8750.00")  # 17,500 / 2,000 × 1000
    assert union_size([world.sets[c] for c in plan.chosen.ids]) == plan.chosen.unique_reach


def test_plan_with_must_include_and_base_currency(world: World) -> None:
    cur = world.store.cursor()
    i = world.id
    plan = plan_shortlist(
        cur, world.sets, world.ids("acg"), budget=Decimal("18000"), currency="RUB",
        must_include=[i["b"]], on=ON,
    )  # fmt: skip
    assert plan.rate_note is None and plan.budget_base == Decimal("18000.00")
    # with B every pick of the rest reaches 2,000 (B + A + C, B + A + G, B + C + G);
    # the cheapest is B + C + G for 13,500
    assert plan.chosen.ids[0] == i["b"]
    assert set(plan.chosen.ids) == set(world.ids("bcg"))
    assert plan.chosen.cost == Decimal("13500.00") and plan.chosen.unique_reach == 2000
    assert plan.dedup_cpm == Decimal("6750.00")
    assert plan.naive.ids == tuple(world.ids("bag"))


def test_plan_within_a_budget_nothing_fits(world: World) -> None:
    plan = plan_shortlist(
        world.store.cursor(), world.sets, world.ids("abc"), budget=Decimal("999.99"),
        currency="RUB", on=ON,
    )  # fmt: skip
    assert plan.chosen.ids == () and plan.chosen.cost == 0 and plan.chosen.unique_reach == 0
    assert plan.dedup_cpm is None and plan.naive_dedup_cpm is None


@pytest.mark.parametrize(
    ("budget", "currency", "message"),
    [
        (Decimal("0"), "RUB", "The budget must be an amount above zero, not 0"),
        (Decimal("-5"), "USD", "The budget must be an amount above zero, not -5"),
        (Decimal("NaN"), "USD", "The budget must be an amount above zero"),
        (Decimal("100"), "XYZ", "The budget's currency “XYZ” is not a known ISO 4217"),
        (Decimal("100"), "", "The budget's currency is required"),
        (Decimal("100"), "EUR", "no EUR rate is stored on or before 2026-03-10"),
        (Decimal("0.001"), "RUB", "less than ₽0.01 in RUB"),
    ],
)
def test_plan_refuses_bad_budgets(
    world: World, budget: Decimal, currency: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        plan_shortlist(
            world.store.cursor(), world.sets, world.ids("abc"), budget=budget,
            currency=currency, on=ON,
        )  # fmt: skip


def test_plan_refuses_a_budget_before_the_first_rate(world: World) -> None:
    with pytest.raises(ValidationError, match="no USD rate is stored on or before 2026-02-28"):
        plan_shortlist(
            world.store.cursor(), world.sets, world.ids("abc"), budget=Decimal("100"),
            currency="USD", on=D(2026, 2, 28),
        )  # fmt: skip


def test_plan_refuses_impossible_must_include(world: World) -> None:
    cur = world.store.cursor()
    i = world.id
    with pytest.raises(ValidationError, match="vk:page_f must be in the plan but has no price"):
        plan_shortlist(
            cur, world.sets, world.ids("abc"), budget=Decimal("18000"), currency="RUB",
            must_include=[i["f"]], on=ON,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="both included and excluded: vk:page_a"):
        plan_shortlist(
            cur, world.sets, world.ids("abc"), budget=Decimal("18000"), currency="RUB",
            must_include=[i["a"]], must_exclude=[i["a"]], on=ON,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="more than the budget"):
        plan_shortlist(
            cur, world.sets, world.ids("abc"), budget=Decimal("10000"), currency="RUB",
            must_include=world.ids("ab"), on=ON,
        )  # fmt: skip


def test_plan_converts_at_todays_rate_by_default(world: World) -> None:
    plan = plan_shortlist(
        world.store.cursor(), world.sets, world.ids("abc"), budget=Decimal("100"), currency="USD"
    )
    # the only USD rate (90, of 2026-03-01) holds until a newer one
    assert plan.budget_base == Decimal("9000.00")


# -------------------------------------------------------------------------------- owner_bundle


def test_owner_bundle_of_the_whole_network(world: World) -> None:
    cur = world.store.cursor()
    bundle = owner_bundle(cur, world.sets, world.owner)
    assert bundle.owner == "Network Owner" and bundle.owner_id == world.owner
    assert bundle.channel_ids == tuple(world.ids("abce"))
    assert bundle.total_price == Decimal("19000.00")  # A + B + C + E
    assert bundle.counted_price == Decimal("17000.00")  # E has no list
    assert (bundle.unique_reach, bundle.sum_of_audiences) == (2000, 2500)
    assert bundle.dedup_cpm == Decimal("8500.00")
    assert bundle.naive_cpm == Decimal("6800.00")
    # 17,000 × 2,000 / 2,500: the package whose dedup CPM is the naive 6,800
    assert bundle.price_without_duplicates == Decimal("13600.00")
    assert bundle.left_out == ((world.id["e"], "no member list"),)
    assert bundle.best is None


def test_owner_bundle_best_subset_within_a_budget(world: World) -> None:
    cur = world.store.cursor()
    i = world.id
    bundle = owner_bundle(
        cur, world.sets, world.owner, budget=Decimal("12500"), currency="RUB", on=ON
    )
    assert bundle.best is not None
    # A + B, A + C, B + C all reach 1,500: B + C is the cheapest at 9,000 (A + B 13,000 > 12,500)
    assert set(bundle.best.chosen.ids) == {i["b"], i["c"]}
    assert bundle.best.chosen.cost == Decimal("9000.00")
    assert bundle.best.chosen.unique_reach == 1500
    assert bundle.best.dedup_cpm == Decimal("6000.00")
    # naive: A (50k) 8,000, B (40k) would be 13,000, C (10k) fits: 12,000 for 1,500
    assert bundle.best.naive.ids == (i["a"], i["c"])
    assert bundle.best.naive_dedup_cpm == Decimal("8000.00")
    assert bundle.best.left_out == ((i["e"], "no member list"),)


def test_owner_bundle_of_an_owner_without_channels_and_bad_input(world: World) -> None:
    cur = world.store.cursor()
    lonely = add_owner(world.store, "No Pages")
    bundle = owner_bundle(cur, world.sets, lonely)
    assert bundle.channel_ids == () and bundle.total_price == 0 and bundle.unique_reach == 0
    assert bundle.dedup_cpm is None and bundle.price_without_duplicates is None
    with pytest.raises(NotFound, match="Owner 999 does not exist"):
        owner_bundle(cur, world.sets, 999)
    with pytest.raises(ValidationError, match="Give the budget's currency"):
        owner_bundle(cur, world.sets, world.owner, budget=Decimal("100"))
    with pytest.raises(ValidationError, match="above zero"):
        owner_bundle(cur, world.sets, world.owner, budget=Decimal("0"), currency="RUB")


def test_owner_networks_list_the_largest_networks_with_lists_first(world: World) -> None:
    add_owner(world.store, "No Pages")  # sells nothing: not a network
    rows = owner_networks(world.store.cursor()).select("owner", "channels", "with_list").rows()
    # Network Owner: a, b, c, e (e has no list); Someone Else: k
    assert rows == [("Network Owner", 4, 3), ("Someone Else", 1, 1)]
    world.store.cursor().execute("update channels set archived = true where handle = 'page_a'")
    rows = owner_networks(world.store.cursor()).select("owner", "channels", "with_list").rows()
    assert rows[0] == ("Network Owner", 3, 2)
