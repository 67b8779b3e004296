"""A campaign's money against its budget, in the campaign's currency, in Decimal.

- planned: per channel on the shortlist and not in a closing stage, its latest agreed price in
  the campaign (a channel paid without an agreed price counts with what was paid);
- committed: the latest agreed price of those channels with no paid price yet;
- spent: every paid price of the campaign.

Each price is converted at the rate of its own date (crm.pricing.converted_sql: the nearest
earlier rate). A figure that needs a missing rate is None, and ``missing_rates`` says which.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb

from crm.outreach.campaigns import get_campaign
from crm.pricing import converted_sql

ZERO = Decimal("0.00")

# the prices that make the figures: the latest agreed one per open shortlisted channel, and
# every paid one (open: whether the channel is on the shortlist, not in a closing stage)
_PRICES = """
    with entries as (
        select s.channel_id, not coalesce(st.closing, false) as open
        from shortlist s left join stages st on st.key = s.stage
        where s.campaign_id = ?
    ),
    agreed as (
        select p.channel_id, 'agreed' as role, true as open, p.amount, p.currency, p.date
        from prices p join entries e on e.channel_id = p.channel_id and e.open
        where p.campaign_id = ? and p.kind = 'agreed'
        qualify row_number() over (partition by p.channel_id order by p.date desc, p.id desc) = 1
    ),
    paid as (
        select p.channel_id, 'paid' as role, coalesce(e.open, false) as open, p.amount,
               p.currency, p.date
        from prices p left join entries e on e.channel_id = p.channel_id
        where p.campaign_id = ? and p.kind = 'paid'
    )
    select * from agreed union all select * from paid
"""


@dataclass(frozen=True)
class CampaignMoney:
    """A campaign's budget, planned, committed and spent money in its currency."""

    currency: str
    budget: Decimal | None
    planned: Decimal | None
    committed: Decimal | None
    spent: Decimal | None
    over_budget: bool
    missing_rates: list[str] = field(default_factory=list)
    planned_channels: int = 0
    paid_channels: int = 0


def _total(amounts: list[Decimal | None]) -> Decimal | None:
    """The sum, or None when any term is unknown (a missing rate)."""
    if any(a is None for a in amounts):
        return None
    return sum((a for a in amounts if a is not None), ZERO)


# the same prices for many campaigns at once: rows keyed by campaign too
_PRICES_MANY = """
    with entries as (
        select s.campaign_id, s.channel_id, not coalesce(st.closing, false) as open
        from shortlist s left join stages st on st.key = s.stage
        where list_contains(?::bigint[], s.campaign_id)
    ),
    agreed as (
        select p.campaign_id, p.channel_id, 'agreed' as role, true as open, p.amount,
               p.currency, p.date
        from prices p
        join entries e on e.campaign_id = p.campaign_id and e.channel_id = p.channel_id
                      and e.open
        where p.kind = 'agreed'
        qualify row_number() over (
            partition by p.campaign_id, p.channel_id order by p.date desc, p.id desc) = 1
    ),
    paid as (
        select p.campaign_id, p.channel_id, 'paid' as role, coalesce(e.open, false) as open,
               p.amount, p.currency, p.date
        from prices p
        left join entries e on e.campaign_id = p.campaign_id and e.channel_id = p.channel_id
        where list_contains(?::bigint[], p.campaign_id) and p.kind = 'paid'
    )
    select * from agreed union all select * from paid
"""

# one price row: channel id, role (agreed or paid), open, amount converted (None: no rate),
# the currency whose rate is missing, the price's date
_Row = tuple[int, str, bool, Decimal | None, str | None, dt.date]


def _money(currency: str, budget: Decimal | None, rows: list[_Row]) -> CampaignMoney:
    """The figures of the module's docstring from one campaign's price rows, ordered by date,
    channel and role."""
    agreed = {int(ch): amount for ch, role, _, amount, _, _ in rows if role == "agreed"}
    paid: dict[int, list[Decimal | None]] = {}
    paid_open: set[int] = set()
    for ch, role, is_open, amount, _, _ in rows:
        if role == "paid":
            paid.setdefault(int(ch), []).append(amount)
            if is_open:
                paid_open.add(int(ch))
    planned_terms: list[Decimal | None] = list(agreed.values())
    for ch in sorted(paid_open - set(agreed)):
        planned_terms.extend(paid[ch])
    planned = _total(planned_terms)
    committed = _total([a for ch, a in agreed.items() if ch not in paid])
    spent = _total([a for amounts in paid.values() for a in amounts])
    missing = list(
        dict.fromkeys(
            f"No {code} rate on or before {day.isoformat()}."
            for _, _, _, _, code, day in rows
            if code is not None
        )
    )
    return CampaignMoney(
        currency=currency,
        budget=budget,
        planned=planned,
        committed=committed,
        spent=spent,
        over_budget=budget is not None and planned is not None and planned > budget,
        missing_rates=missing,
        planned_channels=len(set(agreed) | (paid_open - set(agreed))),
        paid_channels=len(paid),
    )


def campaign_money(cur: duckdb.DuckDBPyConnection, campaign_id: int) -> CampaignMoney:
    """The campaign's planned, committed and spent money against its budget (see the module's
    docstring), each price converted at its own date's rate."""
    campaign = get_campaign(cur, campaign_id)
    sql, params = converted_sql(_PRICES, campaign.currency)
    rows = cur.execute(
        f"""
        select channel_id, role, open, amount_to, rate_missing, date
        from ({sql}) order by date, channel_id, role
        """,
        [*params, campaign_id, campaign_id, campaign_id],
    ).fetchall()
    return _money(campaign.currency, campaign.budget, rows)


def campaigns_money(
    cur: duckdb.DuckDBPyConnection, campaign_ids: Iterable[int] | None = None
) -> dict[int, CampaignMoney]:
    """``campaign_money`` of many campaigns (None: every campaign) by id, read set-based: one
    query per currency the campaigns are kept in, however many campaigns there are; an id
    that names no campaign is left out."""
    wanted = None if campaign_ids is None else sorted({int(i) for i in campaign_ids})
    found = cur.execute(
        "select id, currency, budget from campaigns "
        "where ?::bigint[] is null or list_contains(?::bigint[], id) order by id",
        [wanted, wanted],
    ).fetchall()
    by_currency: dict[str, list[int]] = {}
    for cid, currency, _ in found:
        by_currency.setdefault(str(currency), []).append(int(cid))
    rows: dict[int, list[_Row]] = {int(cid): [] for cid, _, _ in found}
    for currency, ids in by_currency.items():
        sql, params = converted_sql(_PRICES_MANY, currency)
        for cid, *row in cur.execute(
            f"""
            select campaign_id, channel_id, role, open, amount_to, rate_missing, date
            from ({sql}) order by campaign_id, date, channel_id, role
            """,
            [*params, ids, ids],
        ).fetchall():
            rows[int(cid)].append(tuple(row))
    return {int(cid): _money(str(code), budget, rows[int(cid)]) for cid, code, budget in found}
