"""Every METRICS.md formula once, as a Python function on scalars and as an SQL expression.

A zero or unknown denominator gives None in Python and NULL in SQL, never 0 and never infinity.
Money keeps its type: a Decimal numerator gives a Decimal result. SQL forms are all made by
``ratio_sql`` from terms that are either column names (quoted by ``col``, qualified by the
table alias) or ``Sql`` expressions built here; no caller text is ever spliced in unquoted.
Totals are ratios of sums (``ratio_of_sums_sql``, ``ratio_of_sums``), never means of ratios.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TypeVar

import polars as pl

from crm.store.sql import quote_ident

# METRICS.md names, as the UI shows them (axis titles, column headers)
NAMES = {
    "engagement": "Engagement",
    "er": "ER",
    "err": "ERR",
    "reach_rate": "Reach rate",
    "growth": "Growth, 4 wk",
    "cpf": "CPF",
    "est_cpm": "est. CPM",
    "cost": "Cost",
    "cpm": "CPM",
    "cpv": "CPV",
    "cpc": "CPC",
    "ctr": "CTR",
    "cr": "CR",
    "cpa": "CPA",
    "cpe": "CPE",
    "placement_err": "ERR",
    "romi": "ROMI",
    "roas": "ROAS",
    "delivery": "Delivery",
    "overlap": "Overlap",
    "share": "Share of A in B",
    "jaccard": "Jaccard",
    "unique_reach": "Unique reach",
    "sum_of_audiences": "Sum of audiences",
    "duplication": "Duplication",
    "expected_frequency": "Expected frequency",
    "exclusive": "Exclusive audience",
    "added_reach": "Added reach",
    "dedup_cpm": "Dedup CPM",
}

# the formula shown next to every metric (tooltip, glossary), exactly as METRICS.md has it
FORMULAS = {
    "engagement": "likes + comments + shares (+ saves, votes where the platform has them), per post",
    "er": "ER = avg engagement per post / followers",
    "err": "ERR = avg engagement per post / avg reach per post",
    "reach_rate": "Reach rate = avg reach per post / followers (a Telegram “ERR” is this)",
    "growth": "Growth, 4 weeks = followers now / followers at the last snapshot at least 28 days "
    "older − 1",
    "cpf": "CPF = price / followers × 1000",
    "est_cpm": "est. CPM = price / avg reach × 1000",
    "cost": "Cost = price paid, else price agreed (in one currency)",
    "cpm": "CPM = cost / impressions × 1000 (over reach when impressions are unknown)",
    "cpv": "CPV = cost / views",
    "cpc": "CPC = cost / clicks",
    "ctr": "CTR = clicks / impressions (over reach when impressions are unknown)",
    "cr": "CR = conversions / clicks",
    "cpa": "CPA = cost / conversions",
    "cpe": "CPE = cost / engagement",
    "placement_err": "ERR = engagement / reach",
    "romi": "ROMI = (revenue − cost) / cost",
    "roas": "ROAS = revenue / cost",
    "delivery": "Delivery = actual reach / planned reach",
    "overlap": "Overlap = |A ∩ B|, members of both channels",
    "share": "Share of A in B = |A ∩ B| / |A| (directional: the matrix is not symmetric)",
    "jaccard": "Jaccard = |A ∩ B| / |A ∪ B|",
    "unique_reach": "Unique reach = |union of the channels' audiences|",
    "sum_of_audiences": "Sum of audiences = sum of each channel's audience size",
    "duplication": "Duplication = 1 − unique reach / sum of audiences",
    "expected_frequency": "Expected frequency = sum of audiences / unique reach",
    "exclusive": "Exclusive audience of X = |X minus the union of the others|",
    "added_reach": "Added reach of X = |X minus the union of the shortlist|",
    "dedup_cpm": "Dedup CPM = total price / unique reach × 1000",
}

# ---------------------------------------------------------------------------------------------
# Python, on scalars

# the numerator's type is the result's: money (Decimal) stays Decimal, counts give float
N = TypeVar("N", float, Decimal)
Number = float | Decimal


def ratio(numerator: N | None, denominator: Number | None) -> N | None:
    """numerator / denominator, or None when either is unknown or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    if isinstance(numerator, Decimal):
        den = denominator if isinstance(denominator, Decimal) else Decimal(str(denominator))
        return numerator / den
    return numerator / float(denominator)


def per_thousand(numerator: N | None, denominator: Number | None) -> N | None:
    """numerator / denominator × 1000 (the "per mille" of CPF, CPM), or None as ``ratio``."""
    # multiplied first, as the SQL form does, so both give the same float
    return None if numerator is None else ratio(numerator * 1000, denominator)


def engagement(
    likes: float | None,
    comments: float | None,
    shares: float | None,
    saves: float | None = None,
    votes: float | None = None,
) -> float | None:
    """Engagement: likes + comments + shares (+ saves, votes); None when none of them is known."""
    parts = [v for v in (likes, comments, shares, saves, votes) if v is not None]
    return sum(parts) if parts else None


def er(avg_engagement: float | None, followers: float | None) -> float | None:
    """ER: avg engagement per post / followers."""
    return ratio(avg_engagement, followers)


def err(avg_engagement: float | None, avg_reach: float | None) -> float | None:
    """ERR: avg engagement per post / avg reach per post (for a placement: engagement / reach)."""
    return ratio(avg_engagement, avg_reach)


def reach_rate(avg_reach: float | None, followers: float | None) -> float | None:
    """Reach rate: avg reach per post / followers."""
    return ratio(avg_reach, followers)


def growth(followers_now: float | None, followers_then: float | None) -> float | None:
    """Growth: followers now / followers then − 1 (then = the snapshot N weeks older)."""
    r = ratio(followers_now, followers_then)
    return None if r is None else r - 1


def cpf(price: N | None, followers: Number | None) -> N | None:
    """CPF: price / followers × 1000."""
    return per_thousand(price, followers)


def est_cpm(price: N | None, avg_reach: Number | None) -> N | None:
    """est. CPM: price / avg reach × 1000."""
    return per_thousand(price, avg_reach)


def cost(price_paid: N | None, price_agreed: N | None) -> N | None:
    """Cost of a placement: the price paid, else the price agreed."""
    return price_agreed if price_paid is None else price_paid


def exposure(impressions: Number | None, reach: Number | None) -> tuple[Number | None, str | None]:
    """What CPM and CTR divide by: impressions, else reach, and which of the two it was."""
    if impressions is not None:
        return impressions, "impressions"
    if reach is not None:
        return reach, "reach"
    return None, None


def cpm(cost: N | None, impressions: Number | None, reach: Number | None = None) -> N | None:
    """CPM: cost / impressions × 1000, over reach when impressions are unknown (see ``exposure``)."""
    return per_thousand(cost, exposure(impressions, reach)[0])


def cpv(cost: N | None, views: Number | None) -> N | None:
    """CPV: cost / views."""
    return ratio(cost, views)


def cpc(cost: N | None, clicks: Number | None) -> N | None:
    """CPC: cost / clicks."""
    return ratio(cost, clicks)


def ctr(
    clicks: float | None, impressions: float | None, reach: float | None = None
) -> float | None:
    """CTR: clicks / impressions, over reach when impressions are unknown (see ``exposure``)."""
    return ratio(clicks, exposure(impressions, reach)[0])


def cr(conversions: float | None, clicks: float | None) -> float | None:
    """CR: conversions / clicks."""
    return ratio(conversions, clicks)


def cpa(cost: N | None, conversions: Number | None) -> N | None:
    """CPA: cost / conversions."""
    return ratio(cost, conversions)


def cpe(cost: N | None, engagement: Number | None) -> N | None:
    """CPE: cost / engagement."""
    return ratio(cost, engagement)


def romi(revenue: N | None, cost: N | None) -> N | None:
    """ROMI: (revenue − cost) / cost."""
    if revenue is None or cost is None:
        return None
    return ratio(revenue - cost, cost)


def roas(revenue: N | None, cost: Number | None) -> N | None:
    """ROAS: revenue / cost."""
    return ratio(revenue, cost)


def delivery(reach: float | None, planned_reach: float | None) -> float | None:
    """Delivery: actual reach / planned reach."""
    return ratio(reach, planned_reach)


def share(overlap: float | None, size: float | None) -> float | None:
    """Share of A in B: |A ∩ B| / |A| (``size`` is |A|; directional)."""
    return ratio(overlap, size)


def jaccard(overlap: float | None, union: float | None) -> float | None:
    """Jaccard: |A ∩ B| / |A ∪ B|."""
    return ratio(overlap, union)


def duplication(unique_reach: float | None, sum_of_audiences: float | None) -> float | None:
    """Duplication: 1 − unique reach / sum of audiences."""
    r = ratio(unique_reach, sum_of_audiences)
    return None if r is None else 1 - r


def expected_frequency(sum_of_audiences: float | None, unique_reach: float | None) -> float | None:
    """Expected frequency: sum of audiences / unique reach."""
    return ratio(sum_of_audiences, unique_reach)


def dedup_cpm(total_price: N | None, unique_reach: Number | None) -> N | None:
    """Dedup CPM of a shortlist: total price / unique reach × 1000."""
    return per_thousand(total_price, unique_reach)


# ---------------------------------------------------------------------------------------------
# Python, totals over rows (a group of placements): ratios of sums, never means of ratios


def total(
    numerators: Sequence[N | None], denominators: Sequence[Number | None], *, per: int = 1
) -> N | None:
    """sum(numerators) [× per] / sum(denominators) over the rows that know both; None without
    such rows or when that sum is 0 (as ``ratio_of_sums_sql``)."""
    known = [
        (n, d)
        for n, d in zip(numerators, denominators, strict=True)
        if n is not None and d is not None
    ]
    if not known:
        return None
    num: N = sum((n for n, _ in known[1:]), start=known[0][0])
    den = sum((d for _, d in known[1:]), start=known[0][1])
    return ratio(num * per, den)


def exposure_basis_of_sums(
    impressions: Sequence[Number | None], reach: Sequence[Number | None]
) -> str | None:
    """What a group's CPM and CTR divide by: "impressions" when any row knows them, else
    "reach" when any row knows it, else None."""
    if any(v is not None for v in impressions):
        return "impressions"
    if any(v is not None for v in reach):
        return "reach"
    return None


def cpm_of_sums(
    costs: Sequence[N | None],
    impressions: Sequence[Number | None],
    reach: Sequence[Number | None],
) -> N | None:
    """A group's CPM: total cost / total impressions × 1000, over reach when no row of the group
    knows its impressions (``exposure_basis_of_sums`` says which)."""
    basis = exposure_basis_of_sums(impressions, reach)
    return total(costs, impressions if basis == "impressions" else reach, per=1000)


def ctr_of_sums(
    clicks: Sequence[float | None],
    impressions: Sequence[Number | None],
    reach: Sequence[Number | None],
) -> float | None:
    """A group's CTR: total clicks / total impressions, over reach when no row of the group knows
    its impressions."""
    basis = exposure_basis_of_sums(impressions, reach)
    return total(clicks, impressions if basis == "impressions" else reach)


def romi_of_sums(revenues: Sequence[N | None], costs: Sequence[N | None]) -> N | None:
    """A group's ROMI: (total revenue − total cost) / total cost, over the rows that know both."""
    gains = [
        None if r is None or c is None else r - c for r, c in zip(revenues, costs, strict=True)
    ]
    return total(gains, costs)


# ---------------------------------------------------------------------------------------------
# SQL


class Sql(str):
    """SQL expression text made in code (never from user input); a plain ``str`` term is a
    column name instead, and gets quoted."""


class Column(Sql):
    """A quoted, optionally qualified column reference: needs no parentheses."""


Term = str | Sql


def col(name: str, alias: str = "") -> Column:
    """A column reference, quoted and qualified by a table alias (``l`` → ``"l"."followers"``)."""
    return Column((f"{quote_ident(alias)}." if alias else "") + quote_ident(name))


def term_sql(term: Term, alias: str = "") -> Sql:
    """A term as an SQL operand: a column name quoted and qualified, an expression parenthesised."""
    if isinstance(term, Column):
        return term
    if isinstance(term, Sql):
        return Sql(f"({term})")
    return col(term, alias)


def ratio_sql(numerator: Term, denominator: Term, alias: str = "", *, per: int = 1) -> Sql:
    """numerator [× per] / denominator in SQL; NULL when either is NULL or the denominator is 0.
    The one form every SQL formula here is made of."""
    num, den = term_sql(numerator, alias), term_sql(denominator, alias)
    scaled = num if per == 1 else Sql(f"{num} * {int(per)}")
    return Sql(f"{scaled} / nullif({den}, 0)")


def ratio_of_sums_sql(numerator: Term, denominator: Term, alias: str = "", *, per: int = 1) -> Sql:
    """An aggregate: sum(numerator) [× per] / sum(denominator) over the rows that know both
    (a total, never the mean of the rows' ratios); NULL without such rows or when the sum is 0."""
    num, den = term_sql(numerator, alias), term_sql(denominator, alias)
    both = f"{num} is not null and {den} is not null"
    return ratio_sql(
        Sql(f"sum({num}) filter (where {both})"), Sql(f"sum({den}) filter (where {both})"), per=per
    )


def engagement_sql(
    alias: str = "", parts: tuple[Term, ...] = ("likes", "comments", "shares", "saves")
) -> Sql:
    """Engagement: the sum of the known parts; NULL when none is known."""
    terms = [term_sql(p, alias) for p in parts]
    total = " + ".join(f"coalesce({t}, 0)" for t in terms)
    return Sql(f"case when coalesce({', '.join(terms)}) is null then null else {total} end")


def er_sql(
    alias: str = "", *, engagement: Term = "avg_engagement", followers: Term = "followers"
) -> Sql:
    """ER over snapshot columns, optionally qualified by a table alias."""
    return ratio_sql(engagement, followers, alias)


def err_sql(
    alias: str = "", *, engagement: Term = "avg_engagement", reach: Term = "avg_reach"
) -> Sql:
    """ERR over snapshot columns (for placements pass engagement and reach)."""
    return ratio_sql(engagement, reach, alias)


def reach_rate_sql(
    alias: str = "", *, reach: Term = "avg_reach", followers: Term = "followers"
) -> Sql:
    """Reach rate over snapshot columns, optionally qualified by a table alias."""
    return ratio_sql(reach, followers, alias)


def growth_sql(alias: str = "", *, now: Term = "followers", then: Term = "followers_then") -> Sql:
    """Growth: followers now / followers then − 1."""
    return Sql(f"{ratio_sql(now, then, alias)} - 1")


def cpf_sql(alias: str = "", *, price: Term = "amount", followers: Term = "followers") -> Sql:
    """CPF: price / followers × 1000."""
    return ratio_sql(price, followers, alias, per=1000)


def est_cpm_sql(alias: str = "", *, price: Term = "amount", reach: Term = "avg_reach") -> Sql:
    """est. CPM: price / avg reach × 1000."""
    return ratio_sql(price, reach, alias, per=1000)


def cost_sql(alias: str = "", *, paid: Term = "price_paid", agreed: Term = "price_agreed") -> Sql:
    """Cost of a placement: the price paid, else the price agreed."""
    return Sql(f"coalesce({term_sql(paid, alias)}, {term_sql(agreed, alias)})")


def exposure_sql(
    alias: str = "", *, impressions: Term = "impressions", reach: Term = "reach"
) -> Sql:
    """What CPM and CTR divide by: impressions, else reach."""
    return Sql(f"coalesce({term_sql(impressions, alias)}, {term_sql(reach, alias)})")


def exposure_basis_sql(
    alias: str = "", *, impressions: Term = "impressions", reach: Term = "reach"
) -> Sql:
    """Which one ``exposure_sql`` took: 'impressions', 'reach' or NULL (so the UI can say so)."""
    imp, rch = term_sql(impressions, alias), term_sql(reach, alias)
    return Sql(
        f"case when {imp} is not null then 'impressions' when {rch} is not null then 'reach' end"
    )


def _cost(alias: str, cost: Term | None) -> Term:
    return cost_sql(alias) if cost is None else cost


def cpm_sql(
    alias: str = "",
    *,
    cost: Term | None = None,
    impressions: Term = "impressions",
    reach: Term = "reach",
) -> Sql:
    """CPM: cost / impressions × 1000, over reach when impressions are unknown."""
    base = exposure_sql(alias, impressions=impressions, reach=reach)
    return ratio_sql(_cost(alias, cost), base, alias, per=1000)


def cpv_sql(alias: str = "", *, cost: Term | None = None, views: Term = "views") -> Sql:
    """CPV: cost / views."""
    return ratio_sql(_cost(alias, cost), views, alias)


def cpc_sql(alias: str = "", *, cost: Term | None = None, clicks: Term = "clicks") -> Sql:
    """CPC: cost / clicks."""
    return ratio_sql(_cost(alias, cost), clicks, alias)


def ctr_sql(
    alias: str = "",
    *,
    clicks: Term = "clicks",
    impressions: Term = "impressions",
    reach: Term = "reach",
) -> Sql:
    """CTR: clicks / impressions, over reach when impressions are unknown."""
    base = exposure_sql(alias, impressions=impressions, reach=reach)
    return ratio_sql(clicks, base, alias)


def cr_sql(alias: str = "", *, conversions: Term = "conversions", clicks: Term = "clicks") -> Sql:
    """CR: conversions / clicks."""
    return ratio_sql(conversions, clicks, alias)


def cpa_sql(alias: str = "", *, cost: Term | None = None, conversions: Term = "conversions") -> Sql:
    """CPA: cost / conversions."""
    return ratio_sql(_cost(alias, cost), conversions, alias)


def cpe_sql(alias: str = "", *, cost: Term | None = None, engagement: Term | None = None) -> Sql:
    """CPE: cost / engagement (by default the placement's likes + comments + shares + saves)."""
    eng = engagement_sql(alias) if engagement is None else engagement
    return ratio_sql(_cost(alias, cost), eng, alias)


def romi_sql(alias: str = "", *, revenue: Term = "revenue", cost: Term | None = None) -> Sql:
    """ROMI: (revenue − cost) / cost."""
    spent = _cost(alias, cost)
    gain = Sql(f"{term_sql(revenue, alias)} - {term_sql(spent, alias)}")
    return ratio_sql(gain, spent, alias)


def roas_sql(alias: str = "", *, revenue: Term = "revenue", cost: Term | None = None) -> Sql:
    """ROAS: revenue / cost."""
    return ratio_sql(revenue, _cost(alias, cost), alias)


def delivery_sql(
    alias: str = "", *, reach: Term = "reach", planned_reach: Term = "planned_reach"
) -> Sql:
    """Delivery: actual reach / planned reach."""
    return ratio_sql(reach, planned_reach, alias)


def share_sql(alias: str = "", *, overlap: Term = "overlap", size: Term = "size") -> Sql:
    """Share of A in B: |A ∩ B| / |A|."""
    return ratio_sql(overlap, size, alias)


def jaccard_sql(alias: str = "", *, overlap: Term = "overlap", union: Term = "union_size") -> Sql:
    """Jaccard: |A ∩ B| / |A ∪ B|."""
    return ratio_sql(overlap, union, alias)


def duplication_sql(
    alias: str = "",
    *,
    unique_reach: Term = "unique_reach",
    sum_of_audiences: Term = "sum_of_audiences",
) -> Sql:
    """Duplication: 1 − unique reach / sum of audiences."""
    return Sql(f"1 - {ratio_sql(unique_reach, sum_of_audiences, alias)}")


def expected_frequency_sql(
    alias: str = "",
    *,
    sum_of_audiences: Term = "sum_of_audiences",
    unique_reach: Term = "unique_reach",
) -> Sql:
    """Expected frequency: sum of audiences / unique reach."""
    return ratio_sql(sum_of_audiences, unique_reach, alias)


def dedup_cpm_sql(
    alias: str = "", *, total_price: Term = "total_price", unique_reach: Term = "unique_reach"
) -> Sql:
    """Dedup CPM: total price / unique reach × 1000."""
    return ratio_sql(total_price, unique_reach, alias, per=1000)


# aggregates over a group of placements (group by): the totals above, in SQL


def exposure_basis_of_sums_sql(
    alias: str = "", *, impressions: Term = "impressions", reach: Term = "reach"
) -> Sql:
    """An aggregate: 'impressions' when any row of the group knows them, else 'reach' when any
    knows it, else NULL: what the group's CPM and CTR divide by (so the UI can say so)."""
    imp, rch = term_sql(impressions, alias), term_sql(reach, alias)
    return Sql(
        f"case when count({imp}) > 0 then 'impressions' when count({rch}) > 0 then 'reach' end"
    )


def _over_exposure(
    numerator: Term, impressions: Term, reach: Term, alias: str, *, per: int = 1
) -> Sql:
    imp = term_sql(impressions, alias)
    over_impressions = ratio_of_sums_sql(numerator, impressions, alias, per=per)
    over_reach = ratio_of_sums_sql(numerator, reach, alias, per=per)
    return Sql(f"case when count({imp}) > 0 then {over_impressions} else {over_reach} end")


def cpm_of_sums_sql(
    alias: str = "",
    *,
    cost: Term | None = None,
    impressions: Term = "impressions",
    reach: Term = "reach",
) -> Sql:
    """An aggregate: total cost / total impressions × 1000, over reach when no row of the group
    knows its impressions (``exposure_basis_of_sums_sql`` says which)."""
    return _over_exposure(_cost(alias, cost), impressions, reach, alias, per=1000)


def ctr_of_sums_sql(
    alias: str = "",
    *,
    clicks: Term = "clicks",
    impressions: Term = "impressions",
    reach: Term = "reach",
) -> Sql:
    """An aggregate: total clicks / total impressions, over reach when no row of the group knows
    its impressions."""
    return _over_exposure(clicks, impressions, reach, alias)


def romi_of_sums_sql(
    alias: str = "", *, revenue: Term = "revenue", cost: Term | None = None
) -> Sql:
    """An aggregate: (total revenue − total cost) / total cost over the rows that know both."""
    spent = _cost(alias, cost)
    gain = Sql(f"{term_sql(revenue, alias)} - {term_sql(spent, alias)}")
    return ratio_of_sums_sql(gain, spent, alias)


ER_SQL = er_sql()
ERR_SQL = err_sql()
REACH_RATE_SQL = reach_rate_sql()

# A channel's ratios over snapshot columns: name → (the SQL form, its numerator, its denominator).
# A list shows each from the newest snapshot that knows both terms (latest_known_sql).
SNAPSHOT_RATIOS: dict[str, tuple[Sql, str, str]] = {
    "er": (ER_SQL, "avg_engagement", "followers"),
    "err": (ERR_SQL, "avg_engagement", "avg_reach"),
    "reach_rate": (REACH_RATE_SQL, "avg_reach", "followers"),
}

# ---------------------------------------------------------------------------------------------
# polars


def _expr(term: str | pl.Expr) -> pl.Expr:
    return pl.col(term) if isinstance(term, str) else term


def ratio_expr(numerator: str | pl.Expr, denominator: str | pl.Expr, *, per: int = 1) -> pl.Expr:
    """Row by row: numerator [× per] / denominator; null when either is null or it is 0."""
    num, den = _expr(numerator), _expr(denominator)
    return pl.when(den != 0).then(num * per / den)


def ratio_of_sums(numerator: str | pl.Expr, denominator: str | pl.Expr, *, per: int = 1) -> pl.Expr:
    """A total: sum(numerator) [× per] / sum(denominator) over the rows that know both, null
    without such rows or when the sum is 0 (as ``ratio_of_sums_sql``; use in select or agg)."""
    num, den = _expr(numerator), _expr(denominator)
    both = num.is_not_null() & den.is_not_null()
    return pl.when(both.any()).then(
        ratio_expr(num.filter(both).sum(), den.filter(both).sum(), per=per)
    )


def growth_expr(
    now: str | pl.Expr = "followers", then: str | pl.Expr = "followers_then"
) -> pl.Expr:
    """Growth, row by row: followers now / followers then − 1."""
    return ratio_expr(now, then) - 1
