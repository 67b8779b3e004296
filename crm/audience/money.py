"""Overlap in money: what a selection of channels costs per unique member, what each further
channel adds per unit of money, the best shortlist within a budget, and an owner's network.

Prices are ``crm.pricing.latest_prices``: per channel the latest agreed (or paid), else quoted,
else listed price of a format, in the workspace's base currency at the rate of the price's day.
A price whose rate is missing is left out and said so, never taken at a rate of 1. The
per-thousand figures are ``crm.metrics.dedup_cpm`` (the naive CPM is the same formula over the
sum of audiences instead of the unique reach), rounded to the cent. Every figure covers only
the channels that have both a price in the base currency and a member list; the others are
listed in ``left_out`` with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb
import polars as pl

from crm import metrics
from crm.audience.optimize import Candidate, Pick, naive_pick, optimize
from crm.audience.sets import Members, union, union_size
from crm.errors import NotFound, ValidationError
from crm.fields import PRICES
from crm.formatting import format_money
from crm.pricing.currencies import base_currency, check_currency, convert
from crm.pricing.prices import cents, latest_prices
from crm.registry.queries import latest_known_sql

ZERO = Decimal("0.00")
NO_LIST = "no member list"
EXCLUDED = "excluded"


def no_price_reason(format: str) -> str:
    """Why a channel without a price of the format is left out: "no price for post"."""
    return f"no price for {format}"


def no_rate_reason(currency: str, on: dt.date) -> str:
    """Why a channel priced in a currency without a rate on its price's day is left out."""
    return f"no rate for {currency} on or before {on.isoformat()}"


@dataclass(frozen=True)
class ChannelPrice:
    """The price a channel is counted at: its latest agreed/paid, else quoted, else listed
    price of a format, and that amount in the base currency (None: no rate for its day)."""

    channel_id: int
    kind: str
    amount: Decimal
    currency: str
    date: dt.date
    amount_base: Decimal | None


@dataclass(frozen=True)
class SelectionMoney:
    """A selection's price against its reach. ``counted``: the channels with both a price in
    the base currency and a member list; every figure from ``counted_price`` on covers them
    only. ``total_price`` sums every channel priced in the base currency."""

    format: str
    base_currency: str
    channel_ids: tuple[int, ...]
    prices: Mapping[int, ChannelPrice]  # every channel with a price for the format
    total_price: Decimal
    counted: tuple[int, ...]
    counted_price: Decimal
    unique_reach: int
    sum_of_audiences: int
    dedup_cpm: Decimal | None  # counted price / unique reach × 1000
    naive_cpm: Decimal | None  # counted price / sum of audiences × 1000
    unpriced: tuple[int, ...]  # no price for the format, or no rate for its currency
    unlisted: tuple[int, ...]  # no member list
    left_out: tuple[tuple[int, str], ...]  # every channel not counted, with why


@dataclass(frozen=True)
class AddNext:
    """What one more channel adds to a selection: new members, its price, new members per
    1,000 of the base currency, and the selection's dedup CPM with it."""

    channel_id: int
    added_reach: int
    price_base: Decimal
    reach_per_money: Decimal  # added reach per 1,000 of the base currency
    dedup_cpm_after: Decimal | None


@dataclass(frozen=True)
class Plan:
    """The best shortlist within a budget next to the naive pick of the same budget."""

    chosen: Pick
    naive: Pick
    budget: Decimal  # as given, in ``currency``
    budget_base: Decimal
    currency: str
    base_currency: str
    format: str
    dedup_cpm: Decimal | None
    naive_dedup_cpm: Decimal | None
    left_out: tuple[tuple[int, str], ...]
    rate_note: str | None  # how the budget was converted; None when given in the base currency
    costs: Mapping[int, Decimal] = field(default_factory=dict)  # base price of each candidate


@dataclass(frozen=True)
class Bundle:
    """An owner's whole network in money, and with a budget the best part of it."""

    owner_id: int
    owner: str
    channel_ids: tuple[int, ...]
    total_price: Decimal  # every channel priced in the base currency, bought separately
    counted_price: Decimal  # those with a member list too: what the figures below divide
    unique_reach: int
    sum_of_audiences: int
    dedup_cpm: Decimal | None
    naive_cpm: Decimal | None
    # the package price at which the network's dedup CPM equals its naive CPM: every unique
    # member paid once at the separate prices' rate per audience member (total × unique / sum)
    price_without_duplicates: Decimal | None
    best: Plan | None
    left_out: tuple[tuple[int, str], ...]
    money: SelectionMoney


# ---------------------------------------------------------------------------------------------


def _unique(ids: Iterable[int]) -> list[int]:
    """The ids once each, in their first order."""
    return list(dict.fromkeys(int(i) for i in ids))


def _check_format(format: str) -> str:
    clean = PRICES.by_name("format").check(format)
    return str(clean) if clean else "post"


def _channel_keys(cur: duckdb.DuckDBPyConnection, ids: list[int]) -> dict[int, str]:
    """PLATFORM:HANDLE of each channel; NotFound naming the ids that do not exist."""
    rows = cur.execute(
        "select id, platform, handle from channels where id in (select unnest(?::bigint[]))",
        [ids],
    ).fetchall()
    keys = {int(i): f"{p}:{h}" for i, p, h in rows}
    missing = [i for i in ids if i not in keys]
    if missing:
        raise NotFound(
            f"Channel{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))} "
            f"{'do' if len(missing) > 1 else 'does'} not exist."
        )
    return keys


def channel_prices_base(
    cur: duckdb.DuckDBPyConnection, channel_ids: Iterable[int], format: str = "post"
) -> dict[int, ChannelPrice]:
    """Each channel's counted price of a format (channels without one are absent)."""
    ids = _unique(channel_ids)
    if not ids:
        return {}
    frame = latest_prices(cur, ids, _check_format(format))
    return {
        int(row["channel_id"]): ChannelPrice(
            int(row["channel_id"]),
            str(row["kind"]),
            Decimal(row["amount"]),
            str(row["currency"]),
            row["date"],
            None if row["amount_base"] is None else Decimal(row["amount_base"]),
        )
        for row in frame.iter_rows(named=True)
    }


def _price_reason(price: ChannelPrice | None, format: str) -> str | None:
    if price is None:
        return no_price_reason(format)
    if price.amount_base is None:
        return no_rate_reason(price.currency, price.date)
    return None


def why_left_out(
    cur: duckdb.DuckDBPyConnection,
    sets: Mapping[int, Members],
    channel_ids: Iterable[int],
    format: str = "post",
) -> list[tuple[int, str]]:
    """The channels that cannot be counted (no price for the format, no rate for its currency,
    no member list), each with its reasons, in the order given."""
    ids = _unique(channel_ids)
    fmt = _check_format(format)
    return _left_out(ids, channel_prices_base(cur, ids, fmt), sets, fmt)


def _left_out(
    ids: list[int], prices: Mapping[int, ChannelPrice], sets: Mapping[int, Members], fmt: str
) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for cid in ids:
        reasons = [r for r in (_price_reason(prices.get(cid), fmt), _list_reason(cid, sets)) if r]
        if reasons:
            out.append((cid, ", ".join(reasons)))
    return out


def _list_reason(channel_id: int, sets: Mapping[int, Members]) -> str | None:
    return None if channel_id in sets else NO_LIST


def _cpm(price: Decimal, audience: int) -> Decimal | None:
    return cents(metrics.dedup_cpm(price, audience))


def selection_money(
    cur: duckdb.DuckDBPyConnection,
    sets: Mapping[int, Members],
    channel_ids: Iterable[int],
    format: str = "post",
) -> SelectionMoney:
    """A selection's total price, unique reach, sum of audiences, dedup CPM and naive CPM over
    the channels with both a price and a member list; the others listed with the reason."""
    ids = _unique(channel_ids)
    fmt = _check_format(format)
    _channel_keys(cur, ids)
    prices = channel_prices_base(cur, ids, fmt)
    priced = [cid for cid in ids if _price_reason(prices.get(cid), fmt) is None]
    counted = [cid for cid in priced if cid in sets]
    total = _sum_base(prices, priced)
    counted_price = _sum_base(prices, counted)
    unique = union_size([sets[cid] for cid in counted])
    audiences = sum(sets[cid].size for cid in counted)
    return SelectionMoney(
        format=fmt,
        base_currency=base_currency(cur),
        channel_ids=tuple(ids),
        prices=prices,
        total_price=total,
        counted=tuple(counted),
        counted_price=counted_price,
        unique_reach=unique,
        sum_of_audiences=audiences,
        dedup_cpm=_cpm(counted_price, unique),
        naive_cpm=_cpm(counted_price, audiences),
        unpriced=tuple(cid for cid in ids if cid not in priced),
        unlisted=tuple(cid for cid in ids if cid not in sets),
        left_out=tuple(_left_out(ids, prices, sets, fmt)),
    )


def _sum_base(prices: Mapping[int, ChannelPrice], ids: Iterable[int]) -> Decimal:
    total = ZERO
    for cid in ids:
        amount = prices[cid].amount_base
        if amount is not None:
            total += amount
    return total


def add_next(
    cur: duckdb.DuckDBPyConnection,
    sets: Mapping[int, Members],
    selected_ids: Iterable[int],
    candidate_ids: Iterable[int],
    format: str = "post",
    limit: int | None = 20,
) -> list[AddNext]:
    """The candidates ranked by the unique members they add to the selection per unit of money
    (most first; then most added, then id), with the selection's dedup CPM after each."""
    if limit is not None and limit < 1:
        raise ValidationError(f"The list needs room for at least one channel, not {limit}.")
    fmt = _check_format(format)
    selection = selection_money(cur, sets, selected_ids, fmt)
    chosen = set(selection.channel_ids)
    candidates = [cid for cid in _unique(candidate_ids) if cid not in chosen]
    _channel_keys(cur, candidates)
    prices = channel_prices_base(cur, candidates, fmt)
    # new members are those outside every selected list (a selected channel without a price
    # still reaches its members); the CPM after covers the counted channels, as selection_money
    covered = union([sets[cid] for cid in selection.channel_ids if cid in sets])
    counted = union([sets[cid] for cid in selection.counted])
    ranked: list[tuple[Decimal, int, int, AddNext]] = []
    for cid in candidates:
        price = prices.get(cid)
        if cid not in sets or price is None or price.amount_base is None:
            continue
        cost = price.amount_base
        if cost <= 0:
            continue  # a price that rounds to nothing in the base currency cannot be ranked
        members = sets[cid]
        gained = members.difference_size(covered)
        per_money = Decimal(gained) * 1000 / cost
        after = _cpm(
            selection.counted_price + cost, counted.size + members.difference_size(counted)
        )
        item = AddNext(cid, gained, cost, cents(per_money) or ZERO, after)
        ranked.append((-per_money, -gained, cid, item))
    ranked.sort(key=lambda r: (r[0], r[1], r[2]))
    items = [r[3] for r in ranked]
    return items if limit is None else items[:limit]


def _followers(cur: duckdb.DuckDBPyConnection, ids: list[int]) -> dict[int, int]:
    """Each channel's latest known followers (channels never measured are absent)."""
    if not ids:
        return {}
    rows = cur.execute(
        f"""
        with {latest_known_sql("c.id in (select unnest(?::bigint[]))")}
        select channel_id, followers from latest where followers is not null
        """,
        [ids],
    ).fetchall()
    return {int(cid): int(followers) for cid, followers in rows}


def _budget_in_base(
    cur: duckdb.DuckDBPyConnection, budget: Decimal, currency: str, on: dt.date
) -> tuple[Decimal, str, str | None]:
    """The budget in the base currency at the rate of ``on``, the currency's code, and a
    sentence saying how it was converted (None for the base currency itself)."""
    if not isinstance(budget, Decimal) or not budget.is_finite() or budget <= 0:
        raise ValidationError(f"The budget must be an amount above zero, not {budget}.")
    code = check_currency(currency, "The budget's currency")
    base = base_currency(cur)
    converted = convert(cur, budget, code, on)
    if converted.amount is None or converted.rate is None:
        raise ValidationError(
            f"The budget is in {code}, but no {code} rate is stored on or before "
            f"{on.isoformat()}: enter it in Settings ▸ Exchange rates (or crm import rates), or give the budget in {base}."
        )
    if converted.amount <= 0:
        raise ValidationError(
            f"The budget of {format_money(budget, code)} is less than "
            f"{format_money(Decimal('0.01'), base)} in {base}."
        )
    if code == base:
        return converted.amount, code, None
    day = converted.rate_date.isoformat() if converted.rate_date else on.isoformat()
    note = (
        f"{format_money(budget, code)} = {format_money(converted.amount, base)} at the rate of "
        f"{day}: 1 {code} = {converted.rate.normalize():f} {base}."
    )
    return converted.amount, code, note


def plan_shortlist(
    cur: duckdb.DuckDBPyConnection,
    sets: Mapping[int, Members],
    candidate_ids: Iterable[int],
    *,
    budget: Decimal,
    currency: str,
    format: str = "post",
    must_include: Collection[int] = (),
    must_exclude: Collection[int] = (),
    on: dt.date | None = None,
) -> Plan:
    """The shortlist with the largest unique reach within a budget given in any currency
    (converted at the rate of ``on``, today by default), next to the naive pick by followers;
    channels without a price, a rate or a member list, and excluded ones, are left out."""
    fmt = _check_format(format)
    budget_base, code, note = _budget_in_base(cur, budget, currency, on or dt.date.today())
    include, exclude = _unique(must_include), set(_unique(must_exclude))
    ids = _unique([*candidate_ids, *include])
    keys = _channel_keys(cur, [*ids, *sorted(exclude - set(ids))])
    both = [cid for cid in include if cid in exclude]
    if both:
        names = ", ".join(keys[cid] for cid in both)
        raise ValidationError(f"A channel cannot be both included and excluded: {names}.")
    prices = channel_prices_base(cur, ids, fmt)
    reasons = dict(_left_out(ids, prices, sets, fmt))
    for cid in include:
        if cid in reasons:
            raise ValidationError(
                f"{keys[cid]} must be in the plan but has {reasons[cid]}: add it, or drop it "
                "from the must-include channels."
            )
    base = base_currency(cur)
    left_out: list[tuple[int, str]] = []
    candidates: list[Candidate] = []
    followers = _followers(cur, ids)
    for cid in ids:
        if cid in exclude:
            left_out.append((cid, EXCLUDED))
            continue
        if cid in reasons:
            left_out.append((cid, reasons[cid]))
            continue
        cost = prices[cid].amount_base
        assert cost is not None  # no reason: it has a price in the base currency
        if cost <= 0:
            left_out.append((cid, f"price rounds to 0.00 {base}"))
            continue
        candidates.append(Candidate(cid, sets[cid], cost, followers.get(cid)))
    chosen = optimize(candidates, budget_base, must_include=include)
    naive = naive_pick(candidates, budget_base, must_include=include)
    return Plan(
        chosen=chosen,
        naive=naive,
        budget=budget,
        budget_base=budget_base,
        currency=code,
        base_currency=base,
        format=fmt,
        dedup_cpm=_cpm(chosen.cost, chosen.unique_reach),
        naive_dedup_cpm=_cpm(naive.cost, naive.unique_reach),
        left_out=tuple(left_out),
        rate_note=note,
        costs={c.id: c.cost for c in candidates},
    )


def owner_bundle(
    cur: duckdb.DuckDBPyConnection,
    sets: Mapping[int, Members],
    owner_id: int,
    format: str = "post",
    budget: Decimal | None = None,
    currency: str | None = None,
    *,
    on: dt.date | None = None,
) -> Bundle:
    """An owner's whole network (every channel of theirs, archived too) in money: unique reach,
    total price, dedup and naive CPM, the package price without duplicates; with a budget, the
    best part of the network within it."""
    rows = cur.execute("select name from owners where id = ?", [owner_id]).fetchall()
    if not rows:
        raise NotFound(f"Owner {owner_id} does not exist.")
    if budget is not None and currency is None:
        raise ValidationError("Give the budget's currency: an ISO code such as RUB, USD or EUR.")
    ids = [
        int(r[0])
        for r in cur.execute(
            "select id from channels where owner_id = ? order by id", [owner_id]
        ).fetchall()
    ]
    money = selection_money(cur, sets, ids, format)
    best = None
    if budget is not None and currency is not None:
        best = plan_shortlist(
            cur, sets, ids, budget=budget, currency=currency, format=money.format, on=on
        )
    return Bundle(
        owner_id=owner_id,
        owner=str(rows[0][0]),
        channel_ids=tuple(ids),
        total_price=money.total_price,
        counted_price=money.counted_price,
        unique_reach=money.unique_reach,
        sum_of_audiences=money.sum_of_audiences,
        dedup_cpm=money.dedup_cpm,
        naive_cpm=money.naive_cpm,
        price_without_duplicates=_without_duplicates(money),
        best=best,
        left_out=money.left_out,
        money=money,
    )


def _without_duplicates(money: SelectionMoney) -> Decimal | None:
    """counted price × unique reach / sum of audiences: the price whose dedup CPM is the naive
    CPM (each unique member paid once at the rate the separate prices ask per audience member)."""
    if not money.counted:
        return None
    return cents(metrics.ratio(money.counted_price * money.unique_reach, money.sum_of_audiences))


def owner_networks(cur: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every owner of an active channel with how many channels they sell and how many of them
    have a member list: the networks worth a bundle first (most lists, then most channels)."""
    frame: pl.DataFrame = cur.sql(
        """
        select o.id as owner_id, o.name as owner, count(*) as channels,
               count(a.channel_id) as with_list
        from owners o
        join channels c on c.owner_id = o.id and not c.archived
        left join audiences a on a.channel_id = c.id
        group by o.id, o.name
        order by with_list desc, channels desc, lower(o.name), o.id
        """
    ).pl()
    return frame
