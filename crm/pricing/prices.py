"""Prices of a channel and the per-thousand figures derived from them (METRICS.md: CPF, est. CPM).

A price is one entry of a kind (listed, quoted, agreed, paid) for a channel and format, with
its amount (Decimal), currency and date, and optionally the campaign it was quoted, agreed or
paid in. Money stays Decimal with its currency; comparisons convert to the base currency at the
price's date (crm.pricing.currencies). A zero or unknown denominator gives None. The formulas
are those of ``crm.metrics``; this module only rounds their results to cents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import polars as pl

from crm import metrics
from crm.errors import NotFound, ValidationError
from crm.fields import PRICES
from crm.parsing.types import sentence
from crm.pricing.currencies import KNOWN_CURRENCIES, base_currency, converted_sql
from crm.registry.queries import latest_known
from crm.store import Store

CENT = Decimal("0.01")


def cents(amount: Decimal | None) -> Decimal | None:
    """Money rounded half up to cents, None staying None."""
    return None if amount is None else amount.quantize(CENT, rounding=ROUND_HALF_UP)


def per_thousand(amount: Decimal | None, base: float | Decimal | None) -> Decimal | None:
    """amount / base × 1000 in money, to the cent (``metrics.per_thousand``: CPF over followers,
    est. CPM over avg reach), or None when either is unknown or the base is zero."""
    return cents(metrics.per_thousand(amount, base))


@dataclass(frozen=True)
class PriceRow:
    """The latest price of one format and kind, with CPF and est. CPM over the latest known
    followers and avg reach (in the price's own currency)."""

    format: str
    kind: str
    amount: Decimal
    currency: str
    date: dt.date
    source: str | None
    cpf: Decimal | None
    est_cpm: Decimal | None


def channel_prices(cur: duckdb.DuckDBPyConnection, channel_id: int) -> list[PriceRow]:
    """The newest price of each format and kind for a channel, with CPF and est. CPM over the
    channel's latest known followers and avg reach (each from the newest snapshot that knows
    it: a later snapshot with followers only hides no reach measured before)."""
    rows = cur.execute(
        """
        select format, kind, amount, currency, date, source
        from prices
        where channel_id = ?
        qualify row_number() over (partition by format, kind order by date desc, id desc) = 1
        order by format, case kind when 'listed' then 1 when 'quoted' then 2
                                   when 'agreed' then 3 else 4 end
        """,
        [channel_id],
    ).fetchall()
    latest = latest_known(cur, channel_id) or {}
    followers, reach = latest.get("followers"), latest.get("avg_reach")
    return [
        PriceRow(fmt, kind, amount, currency, date, source,
                 cents(metrics.cpf(amount, followers)), cents(metrics.est_cpm(amount, reach)))
        for fmt, kind, amount, currency, date, source in rows
    ]  # fmt: skip


# ---------------------------------------------------------------- entries


def kind_rank_sql(column: str = "kind") -> str:
    """The order in which a price says what a channel costs, as SQL over a kind column: what
    was agreed (or paid on it) 1, else what they asked 2, else their price list 3."""
    return f"case {column} when 'paid' then 1 when 'agreed' then 1 when 'quoted' then 2 else 3 end"


def price_reasons(
    rows: pl.DataFrame, amount: str = "amount", currency: str = "currency"
) -> pl.Series:
    """Why each price row cannot be kept (null: it can): an amount of zero or less, a currency
    that is no ISO 4217 code. The one check of forms (``add_price``) and price imports."""
    frame = rows.select(
        pl.when(pl.col(amount).is_not_null() & (pl.col(amount) <= 0))
        .then(pl.lit("amount must be more than 0"))
        .when(pl.col(currency).is_not_null() & ~pl.col(currency).is_in(KNOWN_CURRENCIES))
        .then(pl.lit("currency “") + pl.col(currency) + pl.lit("” is not a known ISO 4217 code"))
        .alias("reason")
    )
    return frame["reason"]


def _campaign_exists(cur: duckdb.DuckDBPyConnection, campaign_id: int) -> None:
    if not cur.execute("select 1 from campaigns where id = ?", [campaign_id]).fetchall():
        raise NotFound(f"Campaign {campaign_id} does not exist.")


def add_price(
    store: Store,
    channel_id: int,
    *,
    format: str,
    kind: str,
    amount: Decimal | str,
    currency: str,
    on: dt.date,
    source: str | None = None,
    note: str | None = None,
    campaign_id: int | None = None,
) -> int:
    """Record a price of a channel; refuses an amount of zero or less, an unknown currency,
    format or kind, and a channel or campaign that does not exist. Returns its id."""
    fields = PRICES.by_name
    clean_format = fields("format").check(format) or "post"
    clean_kind = fields("kind").check(kind) or "listed"
    clean_amount = fields("amount").check(amount)
    clean_currency = fields("currency").check(currency)
    if clean_currency is None:
        raise ValidationError("A price needs a currency: an ISO code such as RUB, USD or EUR.")
    day = fields("date").check(on)
    row = pl.DataFrame(
        {"amount": [clean_amount], "currency": [clean_currency]},
        schema={"amount": fields("amount").spec.dtype, "currency": pl.String},
    )
    refused = price_reasons(row)[0]
    if refused is not None:
        raise ValidationError(sentence(f"The {refused}"))
    clean_source = fields("source").check(source)
    clean_note = fields("note").check(note)
    with store.transaction(("registry", "pricing")) as cur:
        if not cur.execute("select 1 from channels where id = ?", [channel_id]).fetchall():
            raise NotFound(f"Channel {channel_id} does not exist.")
        if campaign_id is not None:
            _campaign_exists(cur, campaign_id)
        (pid,) = cur.execute(
            """
            insert into prices (channel_id, format, kind, amount, currency, date, source, note,
                                campaign_id)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?) returning id
            """,
            [channel_id, clean_format, clean_kind, clean_amount, clean_currency, day,
             clean_source, clean_note, campaign_id],
        ).fetchall()[0]  # fmt: skip
    return int(pid)


def delete_price(store: Store, price_id: int) -> None:
    """Remove one price entry; NotFound when it is gone already."""
    with store.transaction(("registry", "pricing")) as cur:
        gone = cur.execute("delete from prices where id = ? returning id", [price_id]).fetchall()
        if not gone:
            raise NotFound(f"Price {price_id} no longer exists.")


def price_history(cur: duckdb.DuckDBPyConnection, channel_id: int) -> pl.DataFrame:
    """Every price of a channel, oldest first, with its campaign's name and its amount in the
    base currency at the rate of its date (``amount_base`` null where that rate is missing)."""
    source = """
        select p.id, p.format, p.kind, p.amount, p.currency, p.date, p.source, p.note,
               p.campaign_id, k.name as campaign
        from prices p left join campaigns k on k.id = p.campaign_id
        where p.channel_id = ?
    """
    sql, params = converted_sql(source)
    frame: pl.DataFrame = cur.sql(
        f"""
        select id, format, kind, amount, currency, date, source, note, campaign_id, campaign,
               amount_to as amount_base, rate_date, ? as base_currency
        from ({sql}) order by date, id
        """,
        params=[base_currency(cur), *params, channel_id],
    ).pl()
    return frame


def latest_prices_sql(channel_scope: str = "", campaign_param: bool = False) -> str:
    """The query of ``latest_prices`` before conversion (columns channel_id, kind, amount,
    currency, date, campaign_id): per channel the latest agreed (or paid), else quoted, else
    listed price of one format, of one campaign first when ``campaign_param``, only for the
    prices ``channel_scope`` (a condition over prices p) admits. Parameters: the campaign (when
    ``campaign_param``), the format, then the scope's."""
    scope = f"and {channel_scope}" if channel_scope else ""
    campaign = "(p.campaign_id is not distinct from ?)::bigint * 4 + " if campaign_param else ""
    # the best price as one number, cheaper than a window: campaign first, then the kind's
    # rank, the day (days since 1900, < 2¹⁷) and the entry order (ids stay below 2⁴⁰)
    best = f"""
        (({campaign}(4 - {kind_rank_sql("p.kind")}))::bigint * 131072
          + date_diff('day', date '1900-01-01', p.date)) * 1099511627776 + p.id
    """
    return f"""
        select p.channel_id, p.kind, p.amount, p.currency, p.date, p.campaign_id
        from prices p
        where p.id in (
            select arg_max(p.id, {best}) from prices p
            where p.format = ? {scope}
            group by p.channel_id
        )
    """


def latest_prices(
    cur: duckdb.DuckDBPyConnection,
    channel_ids: list[int] | None,
    format: str = "post",
    campaign_id: int | None = None,
) -> pl.DataFrame:
    """Per channel the latest agreed (or paid), else quoted, else listed price of a format, the
    campaign's own prices first when ``campaign_id`` is given; with ``amount_base`` (null where
    the rate is missing) and ``rate_date``. ``channel_ids`` None: every channel."""
    clean_format = PRICES.by_name("format").check(format) or "post"
    scope = "" if channel_ids is None else "p.channel_id in (select unnest(?::bigint[]))"
    inner = latest_prices_sql(scope, campaign_param=campaign_id is not None)
    sql, params = converted_sql(inner)
    inner_params: list[object] = [] if campaign_id is None else [campaign_id]
    inner_params.append(clean_format)
    if channel_ids is not None:
        inner_params.append([int(i) for i in channel_ids])
    frame: pl.DataFrame = cur.sql(
        f"""
        select channel_id, kind, amount, currency, date, amount_to as amount_base, rate_date,
               campaign_id
        from ({sql}) order by channel_id
        """,
        params=[*params, *inner_params],
    ).pl()
    return frame
