"""A campaign's money against its budget, in the campaign's currency, in Decimal.

- planned: per channel on the shortlist and not in a closing stage, its latest agreed price in
  the campaign (a channel paid without an agreed price counts with what was paid);
- committed: the latest agreed price of those channels with no paid price yet;
- spent: every paid price of the campaign.

Each price is converted at the rate of its own date (crm.pricing.converted_sql: the nearest
earlier rate). A figure that needs a missing rate is None, and ``missing_rates`` says which.
"""

from __future__ import annotations

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
    budget = campaign.budget
    return CampaignMoney(
        currency=campaign.currency,
        budget=budget,
        planned=planned,
        committed=committed,
        spent=spent,
        over_budget=budget is not None and planned is not None and planned > budget,
        missing_rates=missing,
        planned_channels=len(set(agreed) | (paid_open - set(agreed))),
        paid_channels=len(paid),
    )
