"""KPIs of placements (METRICS.md): per placement and by channel, campaign, platform, format,
content type, channel kind and month, in the workspace's base currency.

One set-based query: each placement's cost (price paid, else agreed) is converted at the
placement's date (published, else planned, else created) and its latest measurement's revenue at
the measurement's date (crm.pricing ``converted_sql``); a missing rate leaves that figure NULL
and is counted in ``missing_rates``, never read as 1. Groups are aggregated in DuckDB with the
ratio-of-sums forms of crm.metrics (a total is never a mean of the rows' ratios); a zero or
unknown denominator gives NULL. Cancelled placements are left out unless the filter asks for
them by status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import polars as pl

from crm import metrics as m
from crm.errors import ValidationError
from crm.placements.placements import PLACEMENT_DATE_SQL, PlacementFilter, filter_sql
from crm.placements.results import latest_results_sql
from crm.pricing.currencies import BASE_SQL, converted_sql
from crm.vocab.platforms import PLATFORM_LABELS
from crm.vocab.terms import CONTENT_TYPE_LABELS, FORMAT_LABELS, KIND_LABELS

GROUPS = ("placement", "channel", "campaign", "platform", "format", "content_type", "kind", "month")

# the columns of kpi_table, in order (kpi_totals: the same keys)
KPI_COLUMNS = (
    "key", "name", "placements", "cost", "impressions", "reach", "views", "engagement", "clicks",
    "conversions", "revenue", "planned_reach", "cpm", "cpm_basis", "cpv", "cpc", "ctr", "cr",
    "cpa", "cpe", "err", "romi", "roas", "delivery", "missing_rates",
)  # fmt: skip
COUNT_COLUMNS = (
    "impressions", "reach", "views", "engagement", "clicks", "conversions", "planned_reach",
)  # fmt: skip
RATIO_COLUMNS = (
    "cpm", "cpv", "cpc", "ctr", "cr", "cpa", "cpe", "err", "romi", "roas", "delivery",
)  # fmt: skip

# the name people see for a group whose key is empty
_NO_NAME = {
    "campaign": "No campaign",
    "content_type": "No content type",
}
# codes shown by their labels (crm.vocab)
_LABELS: dict[str, dict[str, str]] = {
    "platform": PLATFORM_LABELS,
    "format": FORMAT_LABELS,
    "content_type": CONTENT_TYPE_LABELS,
    "kind": KIND_LABELS,
}
# per group: (key expression, name expression) over the placement figures ``f``
_GROUP_SQL = {
    "placement": ("f.id", "f.channel || ' · ' || f.format || ' · ' || strftime(f.on_date, '%Y-%m-%d')"),
    "channel": ("f.channel_id", "f.channel"),
    "campaign": ("f.campaign_id", "f.campaign"),
    "platform": ("f.platform", "f.platform"),
    "format": ("f.format", "f.format"),
    "content_type": ("f.content_type", "f.content_type"),
    "kind": ("f.kind", "f.kind"),
    # grouped by the month's first day; its key and name (2026-03) are written per group
    "month": ("date_trunc('month', f.on_date)", ""),
}  # fmt: skip


def _converted(source: str, base: str) -> str:
    """``source`` (id, amount, currency, date) with ``amount_to`` in the base currency and
    ``missing`` (a rate, or the currency itself, is missing): only amounts in another currency
    go through the ASOF join of ``converted_sql``; an amount of 0 needs no rate."""
    other, _ = converted_sql(f"select * from {source} where currency <> {base} and amount <> 0")
    return f"""
        select id, amount, amount_to, rate_missing is not null as missing from ({other})
        union all
        select id, amount, case when amount = 0 then 0::decimal(18, 2) else amount end, false
        from {source}
        where currency = {base} or amount = 0
        union all
        select id, amount, null, true from {source} where currency is null and amount <> 0
    """


def figures_sql(
    flt: PlacementFilter | None = None, *, as_of: dt.datetime | None = None
) -> tuple[str, list[object]]:
    """One row per filtered placement: its group columns, ``on_date`` (the placement's date),
    ``cost`` and ``revenue`` in the base currency (cost at the placement's date, revenue at its
    measurement's), its latest measurement's counts (at or before ``as_of``; ``engagement`` =
    likes + comments + shares + saves), ``planned_reach`` and ``missing_rate`` (its cost or
    revenue could not be converted). Cancelled placements are left out unless the filter picks
    statuses. Returns (sql, params)."""
    where, params = filter_sql(flt)
    if flt is None or not flt.status:  # a deal called off spent nothing and reached no one
        where = f"({where}) and p.status <> 'cancelled'"
    latest = latest_results_sql(as_of_param=as_of is not None)
    base = "(select base from base_currency)"
    sql = f"""
    with base_currency as (select {BASE_SQL} as base),
    picked as materialized (
        select p.id, p.campaign_id, k.name as campaign, p.channel_id,
               c.platform || ':' || c.handle as channel, c.platform, c.kind, p.format,
               p.content_type, {PLACEMENT_DATE_SQL} as on_date, p.planned_reach,
               {m.cost_sql("p")} as amount, p.currency
        from placements p
        join channels c on c.id = p.channel_id
        left join campaigns k on k.id = p.campaign_id
        where {where}
    ),
    lr as materialized (
        select * from ({latest}) where placement_id in (select id from picked)
    ),
    cost_amounts as (
        select id, amount, currency, on_date as date from picked where amount is not null
    ),
    revenue_amounts as (
        select placement_id as id, revenue as amount, currency, measured_at::date as date
        from lr where revenue is not null
    ),
    costs as ({_converted("cost_amounts", base)}),
    revenues as ({_converted("revenue_amounts", base)})
    select pk.id, pk.campaign_id, pk.campaign, pk.channel_id, pk.channel, pk.platform, pk.kind,
           pk.format, pk.content_type, pk.on_date, co.amount_to as cost, rv.amount_to as revenue,
           lr.impressions, lr.reach, lr.views, {m.engagement_sql("lr")} as engagement,
           lr.clicks, lr.conversions, pk.planned_reach,
           coalesce(co.missing, false) or coalesce(rv.missing, false) as missing_rate
    from picked pk
    left join costs co on co.id = pk.id
    left join lr on lr.placement_id = pk.id
    left join revenues rv on rv.id = pk.id
    """
    as_of_params: list[object] = [as_of] if as_of is not None else []
    return sql, [*params, *as_of_params]


def _aggregates() -> str:
    """The KPI columns over a group of placement figures ``f`` (ratios of sums)."""
    counts = ",\n".join(f"sum(f.{c})::bigint as {c}" for c in COUNT_COLUMNS)
    return f"""
        count(*)::bigint as placements,
        sum(f.cost) as cost,
        sum(f.revenue) as revenue,
        {counts},
        {m.cpm_of_sums_sql("f", cost="cost")} as cpm,
        {m.exposure_basis_of_sums_sql("f")} as cpm_basis,
        {m.ratio_of_sums_sql("cost", "views", "f")} as cpv,
        {m.ratio_of_sums_sql("cost", "clicks", "f")} as cpc,
        {m.ctr_of_sums_sql("f")} as ctr,
        {m.ratio_of_sums_sql("conversions", "clicks", "f")} as cr,
        {m.ratio_of_sums_sql("cost", "conversions", "f")} as cpa,
        {m.ratio_of_sums_sql("cost", "engagement", "f")} as cpe,
        {m.ratio_of_sums_sql("engagement", "reach", "f")} as err,
        {m.romi_of_sums_sql("f", cost="cost")} as romi,
        {m.ratio_of_sums_sql("revenue", "cost", "f")} as roas,
        {m.ratio_of_sums_sql("reach", "planned_reach", "f")} as delivery,
        count(*) filter (where f.missing_rate)::bigint as missing_rates
    """


def _row_figures() -> str:
    """The KPI columns of one placement ``f``: the row forms of the same formulas (a group of one
    gives the same values, without aggregating 100 000 groups of one)."""
    counts = ",\n".join(f"f.{c}::bigint as {c}" for c in COUNT_COLUMNS)
    return f"""
        1::bigint as placements,
        f.cost,
        f.revenue,
        {counts},
        {m.cpm_sql("f", cost="cost")} as cpm,
        {m.exposure_basis_sql("f")} as cpm_basis,
        {m.cpv_sql("f", cost="cost")} as cpv,
        {m.cpc_sql("f", cost="cost")} as cpc,
        {m.ctr_sql("f")} as ctr,
        {m.cr_sql("f")} as cr,
        {m.cpa_sql("f", cost="cost")} as cpa,
        {m.cpe_sql("f", cost="cost", engagement="engagement")} as cpe,
        {m.err_sql("f", engagement="engagement", reach="reach")} as err,
        {m.romi_sql("f", cost="cost")} as romi,
        {m.roas_sql("f", cost="cost")} as roas,
        {m.delivery_sql("f")} as delivery,
        f.missing_rate::bigint as missing_rates
    """


def _check_group(by: str) -> str:
    if by not in GROUPS:
        raise ValidationError(f"KPIs are grouped by one of {', '.join(GROUPS)}, not “{by}”.")
    return by


def kpi_table(
    cur: duckdb.DuckDBPyConnection,
    by: str,
    flt: PlacementFilter | None = None,
    *,
    as_of: dt.datetime | None = None,
) -> pl.DataFrame:
    """KPIs per group (``by``: one of GROUPS), columns KPI_COLUMNS: ``key`` (the group's id or
    code), ``name`` (for people), sums, then ratios of sums (NULL without a denominator);
    ``cpm_basis`` says whether CPM and CTR divide by impressions or, lacking them, by reach."""
    _check_group(by)
    figures, params = figures_sql(flt, as_of=as_of)
    key, name = _GROUP_SQL[by]
    if by == "placement":
        query = f"select {key} as key, {name} as name, {_row_figures()} from f"
        order = "f.on_date, key"
    elif by == "month":
        query = f"""
            select strftime(key, '%Y-%m') as key, strftime(key, '%Y-%m') as name,
                   * exclude (key)
            from (select {key} as key, {_aggregates()} from f group by {key})
        """
        order = "key nulls last"
    else:
        query = f"select {key} as key, any_value({name}) as name, {_aggregates()} from f"
        query += f" group by {key}"
        order = "name nulls last, key nulls last"
    frame: pl.DataFrame = cur.sql(
        f"with f as ({figures}) {query} order by {order}", params=params
    ).pl()
    return _named(frame, by).select(KPI_COLUMNS)


def _named(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    """Names for people: codes as their labels, an empty key as "No campaign" and the like."""
    name = pl.col("name")
    if by in _LABELS:
        labels = _LABELS[by]
        name = name.replace_strict(list(labels), list(labels.values()), default=name)
    if by in _NO_NAME:
        name = name.fill_null(_NO_NAME[by])
    return frame.with_columns(name.cast(pl.String).alias("name"))


def kpi_totals(
    cur: duckdb.DuckDBPyConnection,
    flt: PlacementFilter | None = None,
    *,
    as_of: dt.datetime | None = None,
) -> dict[str, Any]:
    """The KPIs of everything filtered, as one row of ``kpi_table`` (key None, name "Total")."""
    figures, params = figures_sql(flt, as_of=as_of)
    frame: pl.DataFrame = cur.sql(
        f"with f as ({figures}) select null as key, 'Total' as name, {_aggregates()} from f",
        params=params,
    ).pl()
    row: dict[str, Any] = frame.select(KPI_COLUMNS).row(0, named=True)
    return row
