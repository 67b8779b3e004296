"""Every METRICS.md formula: known values, zero and unknown denominators, SQL equal to Python."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crm import metrics


def test_channel_metrics_follow_metrics_md() -> None:
    assert metrics.engagement(10, 2, 3) == 15
    assert metrics.engagement(10, None, 3, saves=1) == 14
    assert metrics.engagement(1, 1, 1, saves=1, votes=4) == 8
    assert metrics.engagement(None, None, None) is None
    assert metrics.er(50, 1000) == 0.05
    assert metrics.err(50, 250) == 0.2
    assert metrics.reach_rate(250, 1000) == 0.25
    assert metrics.growth(1200, 1000) == pytest.approx(0.2)
    assert metrics.growth(750, 1000) == -0.25
    assert metrics.cpf(Decimal("18000"), 20_000) == Decimal("900")
    assert metrics.est_cpm(Decimal("18000"), 5_000.0) == Decimal("3600")
    assert metrics.cpf(100.0, 400) == 250.0


def test_placement_metrics_follow_metrics_md() -> None:
    cost = Decimal("5000")
    assert metrics.cost(Decimal("5000"), Decimal("6000")) == Decimal("5000")
    assert metrics.cost(None, Decimal("6000")) == Decimal("6000")
    assert metrics.cost(None, None) is None
    assert metrics.cpm(cost, 20_000) == Decimal("250")
    assert metrics.cpm(cost, None, 10_000) == Decimal("500")  # falls back to reach
    assert metrics.cpm(cost, 0, 10_000) is None  # zero impressions are known: no fallback
    assert metrics.exposure(20_000, 10_000) == (20_000, "impressions")
    assert metrics.exposure(None, 10_000) == (10_000, "reach")
    assert metrics.exposure(None, None) == (None, None)
    assert metrics.cpv(cost, 2_000) == Decimal("2.5")
    assert metrics.cpc(cost, 400) == Decimal("12.5")
    assert metrics.ctr(400, 20_000) == 0.02
    assert metrics.ctr(400, None, 10_000) == 0.04
    assert metrics.cr(10, 400) == 0.025
    assert metrics.cpa(cost, 10) == Decimal("500")
    assert metrics.cpe(cost, 250) == Decimal("20")
    assert metrics.err(250, 10_000) == 0.025
    assert metrics.romi(Decimal("7500"), cost) == Decimal("0.5")
    assert metrics.romi(Decimal("2500"), cost) == Decimal("-0.5")
    assert metrics.roas(Decimal("7500"), cost) == Decimal("1.5")
    assert metrics.delivery(9_000, 12_000) == 0.75


def test_audience_metrics_follow_metrics_md() -> None:
    assert metrics.share(40, 100) == 0.4
    assert metrics.share(40, 160) == 0.25  # the other direction: not symmetric
    assert metrics.jaccard(40, 220) == pytest.approx(40 / 220)
    assert metrics.duplication(750, 1000) == 0.25
    assert metrics.expected_frequency(1000, 800) == 1.25
    assert metrics.dedup_cpm(Decimal("30000"), 120_000) == Decimal("250")


def test_money_stays_decimal_and_counts_give_floats() -> None:
    assert isinstance(metrics.cpf(Decimal("1000"), 3), Decimal)
    assert isinstance(metrics.roas(Decimal("1"), Decimal("3")), Decimal)
    assert metrics.ratio(Decimal("1"), 0.5) == Decimal("2")
    assert isinstance(metrics.er(1, 3), float)


# every ratio with its denominator, to be zeroed or unknown
DENOMINATED: list[tuple[str, Callable[[Any], Any]]] = [
    ("ratio", lambda d: metrics.ratio(1.0, d)),
    ("per_thousand", lambda d: metrics.per_thousand(Decimal("1"), d)),
    ("er", lambda d: metrics.er(50, d)),
    ("err", lambda d: metrics.err(50, d)),
    ("reach_rate", lambda d: metrics.reach_rate(50, d)),
    ("growth", lambda d: metrics.growth(50, d)),
    ("cpf", lambda d: metrics.cpf(Decimal("100"), d)),
    ("est_cpm", lambda d: metrics.est_cpm(Decimal("100"), d)),
    ("cpm", lambda d: metrics.cpm(Decimal("100"), d)),
    ("cpm over reach", lambda d: metrics.cpm(Decimal("100"), None, d)),
    ("cpv", lambda d: metrics.cpv(Decimal("100"), d)),
    ("cpc", lambda d: metrics.cpc(Decimal("100"), d)),
    ("ctr", lambda d: metrics.ctr(5, d)),
    ("ctr over reach", lambda d: metrics.ctr(5, None, d)),
    ("cr", lambda d: metrics.cr(5, d)),
    ("cpa", lambda d: metrics.cpa(Decimal("100"), d)),
    ("cpe", lambda d: metrics.cpe(Decimal("100"), d)),
    # revenue and cost share their type (both money), so the revenue follows the cost's
    ("romi", lambda d: metrics.romi(Decimal("100") if isinstance(d, Decimal) else 100.0, d)),
    ("roas", lambda d: metrics.roas(Decimal("100"), d)),
    ("delivery", lambda d: metrics.delivery(5, d)),
    ("share", lambda d: metrics.share(5, d)),
    ("jaccard", lambda d: metrics.jaccard(5, d)),
    ("duplication", lambda d: metrics.duplication(5, d)),
    ("expected_frequency", lambda d: metrics.expected_frequency(5, d)),
    ("dedup_cpm", lambda d: metrics.dedup_cpm(Decimal("100"), d)),
]


@pytest.mark.parametrize("denominator", [0, 0.0, Decimal("0"), None])
@pytest.mark.parametrize(("name", "formula"), DENOMINATED, ids=[n for n, _ in DENOMINATED])
def test_zero_or_unknown_denominator_is_none(
    name: str, formula: Callable[[Any], Any], denominator: Any
) -> None:
    assert formula(denominator) is None


def test_unknown_numerator_is_none() -> None:
    assert metrics.er(None, 1000) is None
    assert metrics.cpf(None, 1000) is None
    assert metrics.romi(None, Decimal("10")) is None
    assert metrics.growth(None, 1000) is None


def test_formulas_and_names_cover_the_same_metrics() -> None:
    assert set(metrics.FORMULAS) == set(metrics.NAMES) == {
        "engagement", "er", "err", "reach_rate", "growth", "cpf", "est_cpm",
        "cost", "cpm", "cpv", "cpc", "ctr", "cr", "cpa", "cpe", "placement_err", "romi", "roas",
        "delivery",
        "overlap", "share", "jaccard", "unique_reach", "sum_of_audiences", "duplication",
        "expected_frequency", "exclusive", "added_reach", "dedup_cpm",
    }  # fmt: skip


def test_sql_forms_quote_and_qualify_columns() -> None:
    assert metrics.ER_SQL == '"avg_engagement" / nullif("followers", 0)'
    assert metrics.er_sql("l") == '"l"."avg_engagement" / nullif("l"."followers", 0)'
    assert metrics.col('we"ird', "t") == '"t"."we""ird"'
    assert metrics.ratio_sql("a", metrics.Sql("b + c"), per=1000) == (
        '"a" * 1000 / nullif((b + c), 0)'
    )
    assert metrics.cpf_sql(
        price=metrics.col("amount", "p"), followers=metrics.col("followers", "l")
    ) == ('"p"."amount" * 1000 / nullif("l"."followers", 0)')


# a small table of placements, snapshots and audiences: good values, zeros, unknowns
ROWS = """
    select * from (values
        (1, 30, 5, 2, 1,    40.0, 1000, 250.0, 800,
         5000.00, 6000.00, 20000, 10000, 2000, 400, 10, 7500.00, 12000,
         40, 100, 220, 750, 1000, 30000.00),
        (2, null, 4, null, null, 10.0, 0, 0.0, 0,
         null, 6000.00, null, 8000, 0, 0, 0, 2500.00, 0,
         0, 0, 0, 0, 0, 0.00),
        (3, null, null, null, null, null, null, null, null,
         null, null, null, null, null, null, null, null, null,
         null, null, null, null, null, null),
        (4, 7, 0, 0, null, 12.5, 400, 100.0, 500,
         0.00, 900.00, 0, 5000, 300, 12, 3, 100.00, 4000,
         3, 9, 12, 10, 12, 450.00)
    ) t(id, likes, comments, shares, saves, avg_engagement, followers, avg_reach,
        followers_then,
        price_paid, price_agreed, impressions, reach, views, clicks, conversions, revenue,
        planned_reach,
        overlap, size, union_size, unique_reach, sum_of_audiences, total_price)
"""


def _table() -> tuple[duckdb.DuckDBPyConnection, list[dict[str, Any]]]:
    con = duckdb.connect(":memory:")
    con.execute(f"create table t as {ROWS}")
    # as stored: money DECIMAL, averages DOUBLE (a literal 40.0 would be a DECIMAL)
    for money in ("price_paid", "price_agreed", "revenue", "total_price"):
        con.execute(f"alter table t alter {money} type decimal(18, 2)")
    for average in ("avg_engagement", "avg_reach"):
        con.execute(f"alter table t alter {average} type double")
    rel = con.sql("select * from t order by id")
    names = rel.columns
    return con, [dict(zip(names, row, strict=True)) for row in rel.fetchall()]


def _cost(r: dict[str, Any]) -> Any:
    return metrics.cost(r["price_paid"], r["price_agreed"])


def _engagement(r: dict[str, Any]) -> Any:
    return metrics.engagement(r["likes"], r["comments"], r["shares"], r["saves"])


SAME: list[tuple[str, metrics.Sql, Callable[[dict[str, Any]], Any]]] = [
    ("engagement", metrics.engagement_sql(), _engagement),
    ("er", metrics.er_sql(), lambda r: metrics.er(r["avg_engagement"], r["followers"])),
    ("err", metrics.err_sql(), lambda r: metrics.err(r["avg_engagement"], r["avg_reach"])),
    ("reach_rate", metrics.reach_rate_sql(), lambda r: metrics.reach_rate(r["avg_reach"], r["followers"])),
    ("growth", metrics.growth_sql(), lambda r: metrics.growth(r["followers"], r["followers_then"])),
    ("cpf", metrics.cpf_sql(price="price_agreed"), lambda r: metrics.cpf(r["price_agreed"], r["followers"])),
    ("est_cpm", metrics.est_cpm_sql(price="price_agreed"), lambda r: metrics.est_cpm(r["price_agreed"], r["avg_reach"])),
    ("cost", metrics.cost_sql(), _cost),
    ("cpm", metrics.cpm_sql(), lambda r: metrics.cpm(_cost(r), r["impressions"], r["reach"])),
    ("cpv", metrics.cpv_sql(), lambda r: metrics.cpv(_cost(r), r["views"])),
    ("cpc", metrics.cpc_sql(), lambda r: metrics.cpc(_cost(r), r["clicks"])),
    ("ctr", metrics.ctr_sql(), lambda r: metrics.ctr(r["clicks"], r["impressions"], r["reach"])),
    ("cr", metrics.cr_sql(), lambda r: metrics.cr(r["conversions"], r["clicks"])),
    ("cpa", metrics.cpa_sql(), lambda r: metrics.cpa(_cost(r), r["conversions"])),
    ("cpe", metrics.cpe_sql(), lambda r: metrics.cpe(_cost(r), _engagement(r))),
    ("placement_err", metrics.err_sql(engagement=metrics.engagement_sql(), reach="reach"),
     lambda r: metrics.err(_engagement(r), r["reach"])),
    ("romi", metrics.romi_sql(), lambda r: metrics.romi(r["revenue"], _cost(r))),
    ("roas", metrics.roas_sql(), lambda r: metrics.roas(r["revenue"], _cost(r))),
    ("delivery", metrics.delivery_sql(), lambda r: metrics.delivery(r["reach"], r["planned_reach"])),
    ("share", metrics.share_sql(), lambda r: metrics.share(r["overlap"], r["size"])),
    ("jaccard", metrics.jaccard_sql(), lambda r: metrics.jaccard(r["overlap"], r["union_size"])),
    ("duplication", metrics.duplication_sql(),
     lambda r: metrics.duplication(r["unique_reach"], r["sum_of_audiences"])),
    ("expected_frequency", metrics.expected_frequency_sql(),
     lambda r: metrics.expected_frequency(r["sum_of_audiences"], r["unique_reach"])),
    ("dedup_cpm", metrics.dedup_cpm_sql(), lambda r: metrics.dedup_cpm(r["total_price"], r["unique_reach"])),
]  # fmt: skip


def _same(got: list[Any], expected: list[Any]) -> bool:
    """Equal row by row: None where the other is None, else equal within float rounding (the
    SQL gives a double where Python keeps a Decimal)."""
    return len(got) == len(expected) and all(
        (g is None and e is None)
        or (g is not None and e is not None and float(g) == pytest.approx(float(e), rel=1e-12))
        for g, e in zip(got, expected, strict=True)
    )


@pytest.mark.parametrize(("name", "sql", "formula"), SAME, ids=[n for n, _, _ in SAME])
def test_sql_and_python_give_the_same_values(
    name: str, sql: metrics.Sql, formula: Callable[[dict[str, Any]], Any]
) -> None:
    con, rows = _table()
    in_sql = [v for (v,) in con.execute(f"select {sql} from t order by id").fetchall()]
    in_python = [formula(r) for r in rows]
    assert _same(in_sql, in_python), (in_sql, in_python)
    assert (in_python[2], in_sql[2]) == (None, None)  # the row that knows nothing


def test_sql_values_on_known_rows() -> None:
    con, _ = _table()
    got = con.execute(
        f"""
        select {metrics.cpm_sql()}, {metrics.exposure_basis_sql()}, {metrics.ctr_sql()},
               {metrics.romi_sql()}, {metrics.engagement_sql()}
        from t order by id
        """
    ).fetchall()
    assert got == [
        (250.0, "impressions", 0.02, 0.5, 38),
        (750.0, "reach", 0.0, -0.5833333333333334, 4),
        (None, None, None, None, None),
        (None, "impressions", None, None, 7),
    ]


FRAME = pl.DataFrame(
    {
        "group": ["a", "a", "a", "b", "b", "c"],
        "engagement": [10.0, 90.0, 5.0, None, 3.0, None],
        "followers": [100, 1000, None, 50, 0, 10],
    }
)


def test_ratio_of_sums_is_a_total_not_a_mean_of_ratios() -> None:
    # group a: (10 + 90) / (100 + 1000); the row without followers is left out of both sums
    got = FRAME.group_by("group", maintain_order=True).agg(
        er=metrics.ratio_of_sums("engagement", "followers"),
        cpf=metrics.ratio_of_sums(pl.col("engagement"), pl.col("followers"), per=1000),
    )
    expected = pl.DataFrame(
        {
            "group": ["a", "b", "c"],
            "er": [100 / 1100, None, None],  # b sums to 0 followers; c knows no engagement
            "cpf": [100_000 / 1100, None, None],
        }
    )
    assert_frame_equal(got, expected)
    assert got["er"][0] != pytest.approx((0.1 + 0.09) / 2)  # not the mean of the rows' ERs
    assert FRAME.select(metrics.ratio_of_sums("engagement", "followers")).item() == 103 / 1100


def test_ratio_of_sums_sql_equals_the_polars_total() -> None:
    con = duckdb.connect(":memory:")
    con.register("frame", FRAME)
    sql = f"""
        select "group", {metrics.ratio_of_sums_sql("engagement", "followers")} as er,
               {metrics.ratio_of_sums_sql("engagement", "followers", per=1000)} as cpf
        from frame group by "group" order by "group"
    """
    in_sql = con.sql(sql).pl()
    in_polars = (
        FRAME.group_by("group")
        .agg(
            er=metrics.ratio_of_sums("engagement", "followers"),
            cpf=metrics.ratio_of_sums("engagement", "followers", per=1000),
        )
        .sort("group")
    )
    assert_frame_equal(in_sql, in_polars)


def test_ratio_and_growth_expressions_are_null_without_a_denominator() -> None:
    frame = pl.DataFrame({"followers": [1200, 500, 10, None], "followers_then": [1000, 0, None, 5]})
    got = frame.select(
        growth=metrics.growth_expr(), rate=metrics.ratio_expr("followers", "followers_then")
    )
    assert got.to_dict(as_series=False) == {
        "growth": [pytest.approx(0.2), None, None, None],
        "rate": [1.2, None, None, None],
    }


# ---------------------------------------------------------------- totals of a group of placements

# group a: impressions known on two rows (one without cost); b: no impressions, reach only;
# c: nothing to divide by; d: impressions known but zero (no fallback to reach)
PLACED = pl.DataFrame(
    {
        "grp": ["a", "a", "a", "b", "b", "c", "d"],
        "cost": [Decimal("100"), Decimal("300"), None, Decimal("50"), Decimal("150"),
                 Decimal("10"), Decimal("20")],
        "impressions": [1000, 3000, 5000, None, None, None, 0],
        "reach": [800, None, 4000, 400, 600, None, 500],
        "clicks": [10, 30, 50, 4, None, 1, 2],
        "revenue": [Decimal("150"), None, Decimal("70"), Decimal("100"), Decimal("100"),
                    None, Decimal("40")],
    },
    schema_overrides={"cost": pl.Decimal(18, 2), "revenue": pl.Decimal(18, 2)},
)  # fmt: skip


def test_group_totals_by_hand() -> None:
    a = PLACED.filter(pl.col("grp") == "a")
    costs, imps, reach = a["cost"].to_list(), a["impressions"].to_list(), a["reach"].to_list()
    # (100 + 300) / (1000 + 3000) × 1000: the third row has impressions but no cost
    assert metrics.cpm_of_sums(costs, imps, reach) == Decimal("100")
    assert metrics.exposure_basis_of_sums(imps, reach) == "impressions"
    # every row knows clicks and impressions: 90 / 9000
    assert metrics.ctr_of_sums(a["clicks"].to_list(), imps, reach) == 0.01
    # revenue and cost both known on the first row only: (150 − 100) / 100
    assert metrics.romi_of_sums(a["revenue"].to_list(), costs) == Decimal("0.5")
    b = PLACED.filter(pl.col("grp") == "b")
    b_imps, b_reach = b["impressions"].to_list(), b["reach"].to_list()
    assert metrics.exposure_basis_of_sums(b_imps, b_reach) == "reach"
    assert metrics.cpm_of_sums(b["cost"].to_list(), b_imps, b_reach) == Decimal("200")  # 200/1000
    assert metrics.ctr_of_sums(b["clicks"].to_list(), b_imps, b_reach) == 0.01  # 4 / 400
    assert metrics.exposure_basis_of_sums([None], [None]) is None
    assert metrics.cpm_of_sums([Decimal("10")], [None], [None]) is None
    assert metrics.cpm_of_sums([Decimal("20")], [0], [500]) is None  # zero impressions are known
    assert metrics.total([], []) is None
    assert metrics.total([Decimal("1"), Decimal("2")], [0, 0]) is None


def test_a_total_is_a_ratio_of_sums_not_a_mean_of_ratios() -> None:
    # two placements of 100 each: CPM 100 over 1000 impressions, 11.1 over 9000
    costs, imps = [Decimal("100"), Decimal("100")], [1000, 9000]
    per_row = [metrics.cpm(c, i) for c, i in zip(costs, imps, strict=True)]
    assert per_row == [Decimal("100"), Decimal("100") / 9]
    assert metrics.cpm_of_sums(costs, imps, [None, None]) == Decimal("20")  # 200 / 10000 × 1000
    assert sum(p for p in per_row if p is not None) / 2 != Decimal("20")


def test_group_totals_sql_equal_python() -> None:
    con = duckdb.connect(":memory:")
    con.register("placed", PLACED)
    got = con.sql(
        f"""
        select grp,
               {metrics.cpm_of_sums_sql(cost="cost")} as cpm,
               {metrics.exposure_basis_of_sums_sql()} as basis,
               {metrics.ctr_of_sums_sql()} as ctr,
               {metrics.romi_of_sums_sql(cost="cost")} as romi
        from placed group by grp order by grp
        """
    ).fetchall()
    expected = []
    for (grp,), rows in PLACED.group_by("grp", maintain_order=True):
        c, i, r = rows["cost"].to_list(), rows["impressions"].to_list(), rows["reach"].to_list()
        expected.append(
            (
                grp,
                metrics.cpm_of_sums(c, i, r),
                metrics.exposure_basis_of_sums(i, r),
                metrics.ctr_of_sums(rows["clicks"].to_list(), i, r),
                metrics.romi_of_sums(rows["revenue"].to_list(), c),
            )
        )
    assert [g[0] for g in got] == [e[0] for e in expected] == ["a", "b", "c", "d"]
    for g, e in zip(got, expected, strict=True):
        assert g[2] == e[2]
        assert _same([g[1], g[3], g[4]], [e[1], e[3], e[4]]), (g, e)
    assert got[0][1:4] == (100.0, "impressions", 0.01)
    assert got[1][1:3] == (200.0, "reach")
    assert got[2][1:] == (None, None, None, None)  # c: nothing to divide by, revenue unknown
    assert got[3][1:4] == (None, "impressions", None)  # d: zero impressions known
