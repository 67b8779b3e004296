import pytest

from crm import metrics


def test_er_err_reach_rate_follow_metrics_md() -> None:
    assert metrics.er(50, 1000) == pytest.approx(0.05)
    assert metrics.err(50, 250) == pytest.approx(0.2)
    assert metrics.reach_rate(250, 1000) == pytest.approx(0.25)


@pytest.mark.parametrize("denominator", [0, None])
def test_zero_or_unknown_denominator_is_none(denominator: float | None) -> None:
    assert metrics.er(50, denominator) is None
    assert metrics.err(50, denominator) is None
    assert metrics.reach_rate(50, denominator) is None


def test_engagement_sums_known_parts() -> None:
    assert metrics.engagement(10, 2, 3) == 15
    assert metrics.engagement(10, None, 3, saves=1) == 14
    assert metrics.engagement(None, None, None) is None
