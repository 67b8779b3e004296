"""Currencies: the workspace's base currency, exchange rates by day, and conversion.

A rate is how many units of the base currency ONE unit of a currency buys on a day, and holds
until the next rate of that currency. An amount is converted at the nearest rate on or before
its own date (an ASOF join in SQL); X to Y goes through the base currency. A missing rate
gives no figure and a sentence saying which rate is missing: never a silent rate of 1.

The conversion exists twice by necessity, for one amount (``convert``) and for a whole query
(``converted_sql``); both round half up to cents from the exact quotient, and a test holds
them to the same results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import duckdb
import polars as pl
from babel.numbers import list_currencies

from crm.errors import NotFound, ValidationError
from crm.fields import RATES
from crm.parsing.types import check_value
from crm.store import Store

KNOWN_CURRENCIES: tuple[str, ...] = tuple(sorted(list_currencies()))
_KNOWN = frozenset(KNOWN_CURRENCIES)
DEFAULT_BASE = "RUB"
RATE_SCALE = 8  # rates are DECIMAL(20, 8)
_RATE_QUANTUM = Decimal(1).scaleb(-RATE_SCALE)
_CENT = Decimal("0.01")
# the base currency as SQL, for queries that convert without a parameter of their own
BASE_SQL = f"coalesce((select value from workspace where key = 'base_currency'), '{DEFAULT_BASE}')"


def is_known_currency(code: str | None) -> bool:
    """An ISO 4217 code babel knows (``RUB``, ``USD`` …)."""
    return code in _KNOWN


def check_currency(value: object, label: str = "Currency") -> str:
    """A currency as its ISO code (``$``, ``usd`` → USD); refuses blanks and unknown codes."""
    code = check_value("currency", value, label)
    if code is None:
        raise ValidationError(f"{label} is required: an ISO code such as RUB, USD or EUR.")
    if not is_known_currency(code):
        raise ValidationError(f"{label} “{value}” is not a known ISO 4217 currency code.")
    return str(code)


def base_currency(cur: duckdb.DuckDBPyConnection) -> str:
    """The workspace's base currency: every comparison of prices converts to it (RUB unless set)."""
    rows = cur.execute("select value from workspace where key = 'base_currency'").fetchall()
    return str(rows[0][0]) if rows and rows[0][0] else DEFAULT_BASE


def set_base_currency(store: Store, code: str) -> None:
    """Make ``code`` the base currency; refuses an unknown code, and a change while rates
    expressed in the old base are stored (they would silently mean something else)."""
    new = check_currency(code, "The base currency")
    with store.transaction(("pricing", "workspace")) as cur:
        old = base_currency(cur)
        if new == old:
            return
        (count,) = cur.execute("select count(*) from rates").fetchall()[0]
        if count:
            rates = "1 exchange rate is" if count == 1 else f"{count} exchange rates are"
            raise ValidationError(
                f"The base currency stays {old}: {rates} stored as {old} per unit and would "
                f"mean something else in {new}. Delete the rates first, then change the base "
                "currency and enter them again."
            )
        cur.execute(
            "insert or replace into workspace (key, value) values ('base_currency', ?)", [new]
        )


def _rate_value(rate: Decimal | str | float) -> Decimal:
    """A rate as an exact Decimal with 8 decimals; refuses text that is no number, zero and
    negative rates."""
    if isinstance(rate, Decimal):
        value = rate
    else:
        checked = RATES.by_name("rate").check(rate)  # the import's own reading of the text
        if checked is None:
            raise ValidationError("A rate needs a value.")
        # the float's shortest text is the number as typed (rates have few digits)
        value = Decimal(repr(float(checked)))
    try:
        exact = value.quantize(_RATE_QUANTUM, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValidationError(f"The rate “{rate}” is too large.") from None
    if not exact.is_finite() or exact <= 0:
        raise ValidationError(
            f"A rate must be more than 0, not {rate}: it is how many units of the base "
            "currency one unit buys."
        )
    if exact >= Decimal(10) ** (20 - RATE_SCALE):
        raise ValidationError(f"The rate {rate} is too large.")
    return exact


def set_rate(
    store: Store,
    currency: str,
    on: dt.date,
    rate: Decimal | str,
    source: str | None = None,
) -> None:
    """Store the rate of ``currency`` on ``on`` (base units per one unit), replacing that day's;
    refuses a rate of zero or less, an unknown currency and the base currency itself."""
    code = check_currency(currency)
    day = RATES.by_name("date").check(on)
    if day is None:
        raise ValidationError("A rate needs a date.")
    value = _rate_value(rate)
    with store.transaction("pricing") as cur:
        base = base_currency(cur)
        if code == base:
            raise ValidationError(
                f"{code} is the base currency: its rate is 1 by definition and is not stored."
            )
        cur.execute(
            """
            insert or replace into rates (currency, date, rate, source, created_at)
            values (?, ?, ?, ?, current_timestamp)
            """,
            [code, day, value, (source or "").strip() or None],
        )


def delete_rate(store: Store, currency: str, on: dt.date) -> None:
    """Remove the rate of ``currency`` on ``on``; NotFound when there is none."""
    code = check_currency(currency)
    with store.transaction("pricing") as cur:
        gone = cur.execute(
            "delete from rates where currency = ? and date = ? returning currency", [code, on]
        ).fetchall()
        if not gone:
            raise NotFound(f"There is no {code} rate on {on.isoformat()}.")


def rates_frame(cur: duckdb.DuckDBPyConnection, currency: str | None = None) -> pl.DataFrame:
    """The stored rates (currency, date, rate, source), by currency then newest first."""
    where, params = ("where currency = ?", [currency.upper()]) if currency else ("", [])
    frame: pl.DataFrame = cur.sql(
        f"""
        select currency, date, rate, source from rates {where}
        order by currency, date desc
        """,
        params=params,
    ).pl()
    return frame


@dataclass(frozen=True)
class Converted:
    """An amount converted: None with a sentence in ``missing`` when a rate is missing."""

    amount: Decimal | None
    currency: str  # the target currency
    rate: Decimal | None  # target units per one source unit
    rate_date: dt.date | None  # the day of the rate used (the source currency's, else the target's)
    missing: str | None  # "No USD rate on or before 2026-03-01."


def _rate_on(
    cur: duckdb.DuckDBPyConnection, code: str, on: dt.date
) -> tuple[Decimal, dt.date] | None:
    rows = cur.execute(
        """
        select rate, date from rates where currency = ? and date <= ?
        order by date desc limit 1
        """,
        [code, on],
    ).fetchall()
    return (Decimal(rows[0][0]), rows[0][1]) if rows else None


def convert(
    cur: duckdb.DuckDBPyConnection,
    amount: Decimal,
    currency: str,
    on: dt.date,
    to: str | None = None,
) -> Converted:
    """``amount`` of ``currency`` on ``on`` in ``to`` (the base currency by default), at the
    nearest rate on or before that day, to the cent; a missing rate gives None and says so."""
    base = base_currency(cur)
    source = currency.upper()
    target = base if to is None else check_currency(to)
    if source == target:
        same = Decimal(amount).quantize(_CENT, ROUND_HALF_UP)
        return Converted(same, target, Decimal(1), None, None)
    found = {code: _base_rate(cur, code, on, base) for code in (source, target)}
    src, tgt = found[source], found[target]
    if src is None or tgt is None:
        names = " or ".join(code for code, rate in found.items() if rate is None)
        return Converted(
            None, target, None, None, f"No {names} rate on or before {on.isoformat()}."
        )
    (src_rate, src_day), (tgt_rate, tgt_day) = src, tgt
    value = (Decimal(amount) * src_rate / tgt_rate).quantize(_CENT, ROUND_HALF_UP)
    rate = (src_rate / tgt_rate).quantize(_RATE_QUANTUM, ROUND_HALF_UP)
    return Converted(value, target, rate, src_day or tgt_day, None)


def _base_rate(
    cur: duckdb.DuckDBPyConnection, code: str, on: dt.date, base: str
) -> tuple[Decimal, dt.date | None] | None:
    """Base units per one unit of ``code`` on ``on`` with the rate's day (the base itself: 1,
    no day); None when no rate is stored on or before that day."""
    if code == base:
        return Decimal(1), None
    return _rate_on(cur, code, on)


def _half_up_quotient(numerator: str, denominator: str) -> str:
    """round-half-up(numerator / denominator) of two non-negative HUGEINTs, in integers: the
    exact quotient, where DuckDB's DECIMAL division would go through a double."""
    return f"(({numerator}) * 2 + ({denominator})) // (({denominator}) * 2)"


def converted_sql(source_sql: str, to: str | None = None) -> tuple[str, list[object]]:
    """Wrap a query with columns ``amount``, ``currency`` and ``date``: every row of it plus
    ``amount_to`` (DECIMAL(18, 2) in ``to``, the base currency by default), ``rate_to`` (target
    units per source unit), ``rate_date`` (the day of the rate used) and ``rate_missing`` (the
    currency whose rate is missing); the three first are NULL when a rate is missing.

    Set-based: one ASOF join per side on ``rates``. Returns (sql, params); ``params`` come
    before the source query's own parameters."""
    if to is None:
        return _to_base_sql(source_sql), []
    params: list[object] = [check_currency(to)]
    # amount × source rate is exact (scale 2 + 8 = 10); the quotient by the target rate is
    # taken in integers: cents = (amount·rate_src·10¹⁰) / (rate_tgt·10⁸), rounded half up
    a = "cast(abs(amount) * src_rate * 10000000000 as hugeint)"
    r = "cast(tgt_rate * 100000000 as hugeint)"
    num_rate = "cast(src_rate * 100000000 as hugeint) * 100000000"
    sql = f"""
    with conv_target as (select ? as code, {BASE_SQL} as base),
    conv as (
        select s.*, t.code as conv_to,
               case when s.currency = t.code then 1::decimal(20, 8)
                    when s.currency = t.base then 1::decimal(20, 8)
                    else fr.rate end as src_rate,
               case when s.currency = t.code then 1::decimal(20, 8)
                    when t.code = t.base then 1::decimal(20, 8)
                    else tr.rate end as tgt_rate,
               case when s.currency = t.code then null
                    else coalesce(case when s.currency <> t.base then fr.date end,
                                  case when t.code <> t.base then tr.date end) end as conv_date
        from ({source_sql}) s
        cross join conv_target t
        asof left join rates fr on fr.currency = s.currency and s.date >= fr.date
        asof left join (select r.* from rates r, conv_target t where r.currency = t.code) tr
            on s.date >= tr.date
    )
    select * exclude (conv_to, src_rate, tgt_rate, conv_date),
           case when src_rate is not null and tgt_rate is not null and amount is not null then
               cast(sign(amount) * {_half_up_quotient(a, r)} * 0.01::decimal(3, 2)
                    as decimal(18, 2)) end as amount_to,
           case when src_rate is not null and tgt_rate is not null then
               cast({_half_up_quotient(num_rate, r)} * 0.00000001::decimal(9, 8)
                    as decimal(20, 8)) end as rate_to,
           case when src_rate is not null and tgt_rate is not null then conv_date end
               as rate_date,
           case when src_rate is null then currency
                when tgt_rate is null then conv_to end as rate_missing
    from conv
    """
    return sql, params


def _to_base_sql(source_sql: str) -> str:
    """``converted_sql`` into the base currency: one ASOF join, and amount × rate is exact (DuckDB
    rounds a DECIMAL half away from zero, as ROUND_HALF_UP does)."""
    return f"""
    with conv_base as (select {BASE_SQL} as base)
    select s.*,
           case when s.currency = b.base then cast(s.amount as decimal(18, 2))
                when fr.rate is not null then cast(round(s.amount * fr.rate, 2) as decimal(18, 2))
           end as amount_to,
           case when s.currency = b.base then 1::decimal(20, 8) else fr.rate end as rate_to,
           case when s.currency <> b.base then fr.date end as rate_date,
           case when s.currency <> b.base and fr.rate is null then s.currency end as rate_missing
    from ({source_sql}) s
    cross join conv_base b
    asof left join rates fr on fr.currency = s.currency and s.date >= fr.date
    """
