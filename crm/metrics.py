"""Channel metrics, each exactly as defined in METRICS.md; a zero or unknown denominator gives None."""

from __future__ import annotations


# One definition each, used both in SQL (over snapshot columns) and in Python.
def er_sql(alias: str = "") -> str:
    """ER over snapshot columns, optionally qualified by a table alias (``l`` → ``l.followers``)."""
    t = f"{alias}." if alias else ""
    return f"{t}avg_engagement / nullif({t}followers, 0)"


def err_sql(alias: str = "") -> str:
    """ERR over snapshot columns, optionally qualified by a table alias."""
    t = f"{alias}." if alias else ""
    return f"{t}avg_engagement / nullif({t}avg_reach, 0)"


def reach_rate_sql(alias: str = "") -> str:
    """Reach rate over snapshot columns, optionally qualified by a table alias."""
    t = f"{alias}." if alias else ""
    return f"{t}avg_reach / nullif({t}followers, 0)"


ER_SQL = er_sql()
ERR_SQL = err_sql()
REACH_RATE_SQL = reach_rate_sql()

FORMULAS = {
    "engagement": "likes + comments + shares (+ saves, votes where the platform has them), per post",
    "er": "ER = avg engagement per post / followers",
    "err": "ERR = avg engagement per post / avg reach per post",
    "reach_rate": "Reach rate = avg reach per post / followers (a Telegram “ERR” is this)",
    "growth": "Growth, 4 weeks = followers now / followers at the last snapshot at least 28 days "
    "older − 1",
    "cpf": "CPF = price / followers × 1000",
    "est_cpm": "est. CPM = price / avg reach × 1000",
}


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, or None when either is unknown or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def engagement(
    likes: float | None, comments: float | None, shares: float | None, saves: float | None = None
) -> float | None:
    """likes + comments + shares (+ saves); None when none of them is known."""
    parts = [v for v in (likes, comments, shares, saves) if v is not None]
    return sum(parts) if parts else None


def er(avg_engagement: float | None, followers: float | None) -> float | None:
    """ER: avg engagement per post / followers."""
    return ratio(avg_engagement, followers)


def err(avg_engagement: float | None, avg_reach: float | None) -> float | None:
    """ERR: avg engagement per post / avg reach per post."""
    return ratio(avg_engagement, avg_reach)


def reach_rate(avg_reach: float | None, followers: float | None) -> float | None:
    """Reach rate: avg reach per post / followers."""
    return ratio(avg_reach, followers)
