"""The campaign's client report: the exact figures the app computes (kpi_totals, campaign_money)
formatted as everywhere else, in English and in Russian, user data escaped, plotly.js inline
once and nothing fetched from the network, and an empty campaign that says so."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest

from crm import registry
from crm.errors import NotFound, ValidationError
from crm.formatting import format_count, format_money, format_percent
from crm.outreach import create_campaign
from crm.outreach.budget import campaign_money
from crm.outreach.shortlist import add_to_shortlist
from crm.placements.kpis import kpi_table, kpi_totals
from crm.placements.placements import PlacementFilter, cancel_placement, log_placement
from crm.placements.results import record_result
from crm.pricing import add_price, set_rate
from crm.reports import STRINGS, campaign_report_html
from crm.reports.campaign import (
    GOAL_LABELS,
    SUMMARY_KPIS,
    code_label,
    flag_text,
    kpi_text,
    localise_figure,
    report_data,
    report_figures,
)
from crm.store import Store

T = dt.datetime
EVIL = "<script>alert('x')</script> & Co"


@pytest.fixture
def spring(store: Store) -> tuple[Store, int]:
    """Campaign "Spring <sale>" (budget 100 000 RUB): a vk post whose channel is titled with a
    script and has no erid (flagged), 10 000 RUB, measured twice (the latest counts: reach
    10 000, impressions 20 000, clicks 400, conversions 20, revenue 30 000 RUB); a telegram
    story paid $100 (at 90 RUB: 9 000 RUB) with reach 5 000 and 100 clicks from a screenshot;
    a cancelled placement that counts nowhere. Agreed 12 000 RUB for the vk channel, paid
    10 000 RUB."""
    vk = registry.add_channel(store, "vk", "club", title=EVIL, kind="public_page")
    tg = registry.add_channel(store, "telegram", "anna", title="Anna")
    cid = create_campaign(
        store, name="Spring <sale>", brand="Ягода", goal="sales", budget="100000",
        currency="RUB", starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 31),
    )  # fmt: skip
    add_to_shortlist(store, cid, [vk, tg])
    set_rate(store, "USD", dt.date(2026, 1, 1), Decimal("90"))
    add_price(store, vk, format="post", kind="agreed", amount="12000", currency="RUB",
              on=dt.date(2026, 3, 1), campaign_id=cid)  # fmt: skip
    add_price(store, vk, format="post", kind="paid", amount="10000", currency="RUB",
              on=dt.date(2026, 3, 5), campaign_id=cid)  # fmt: skip
    p1 = log_placement(
        store, channel_id=vk, campaign_id=cid, format="post", content_type="review",
        published_at=T(2026, 3, 5, 10), post_url="https://vk.com/wall-1_2",
        price_paid=Decimal("10000"), currency="RUB", planned_reach=20_000,
    )  # fmt: skip
    record_result(store, p1, measured_at=T(2026, 3, 5, 12), reach=5_000, impressions=8_000,
                  clicks=100, provenance="screenshot")  # fmt: skip
    record_result(store, p1, measured_at=T(2026, 3, 6, 10), reach=10_000, impressions=20_000,
                  clicks=400, conversions=20, revenue=Decimal("30000"), currency="RUB",
                  provenance="platform_stats")  # fmt: skip
    p2 = log_placement(
        store, channel_id=tg, campaign_id=cid, format="story", content_type="humor",
        published_at=T(2026, 3, 10, 10), erid="abc", price_paid=Decimal("100"), currency="USD",
    )  # fmt: skip
    record_result(store, p2, measured_at=T(2026, 3, 11, 10), reach=5_000, clicks=100,
                  provenance="screenshot")  # fmt: skip
    p3 = log_placement(store, channel_id=tg, campaign_id=cid, format="post",
                       planned_on=dt.date(2026, 3, 20), price_agreed=Decimal("5000"),
                       currency="RUB")  # fmt: skip
    cancel_placement(store, p3, 1)
    return store, cid


def _js(text: str) -> str:
    """Text as plotly writes it into a figure's JSON (non-ASCII as \\u escapes)."""
    return json.dumps(text)[1:-1]


def _visible(page: str) -> str:
    """The report without its scripts (plotly.js and the figures' data)."""
    return re.sub(r"<script\b.*?</script>", "", page, flags=re.DOTALL)


def test_summary_and_budget_are_the_apps_own_figures(spring: tuple[Store, int]) -> None:
    store, cid = spring
    cur = store.cursor()
    page = campaign_report_html(cur, cid)
    totals = kpi_totals(cur, PlacementFilter(campaign_ids=(cid,)))
    # hand-computed: cost 10 000 + 9 000; reach 15 000; clicks 500; conversions 20
    assert totals["cost"] == Decimal("19000.00") and totals["placements"] == 2
    text = _visible(page)
    for name in SUMMARY_KPIS:
        assert kpi_text(name, totals[name], "RUB") in text, name
    assert format_money(Decimal("19000"), "RUB") in text  # ₽19 000.00
    assert format_count(15_000) in text and format_count(500) in text
    # ratios of sums over the placements that know both terms: only the vk post measured
    # conversions and revenue, so CPA = 10 000 / 20 and ROMI = (30 000 − 10 000) / 10 000
    assert totals["cpa"] == Decimal("500") and totals["romi"] == 2
    assert format_money(Decimal("500"), "RUB") in text
    assert format_percent(2.0, 1) in text  # 200.0 %
    # CPM over impressions: only the vk post has them, 10 000 / 20 000 × 1000
    assert totals["cpm"] == Decimal("500") and totals["cpm_basis"] == "impressions"
    money = campaign_money(cur, cid)
    assert (money.budget, money.planned, money.spent) == (
        Decimal("100000.00"), Decimal("12000.00"), Decimal("10000.00"),
    )  # fmt: skip
    for amount in (money.budget, money.planned, money.committed, money.spent):
        assert format_money(amount, "RUB") in text
    # the per-placement CPM of the table is kpi_table's: 10 000 / 20 000 × 1000 = 500
    per = kpi_table(cur, "placement", PlacementFilter(campaign_ids=(cid,)))
    assert format_money(per["cpm"][0], "RUB") == format_money(Decimal("500"), "RUB")
    assert format_money(Decimal("500"), "RUB") in text
    # header: campaign, brand, goal, dates
    assert "Spring &lt;sale&gt;" in text and "Ягода" in text
    assert GOAL_LABELS["en"]["sales"] in text and "01.03.2026 – 31.03.2026" in text
    # the cancelled placement is named as left out
    assert "Cancelled placements, not in the table nor in the figures: 1." in text


def test_user_data_is_escaped(spring: tuple[Store, int]) -> None:
    store, cid = spring
    page = campaign_report_html(store.cursor(), cid)
    assert EVIL not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co" in page
    # inside the figures' data a title is JSON with "<" escaped: no script can close early
    assert page.count("<script") == page.count("</script>")
    assert "alert('x')</script>" not in page


def test_offline_plotly_once_and_no_network(spring: tuple[Store, int]) -> None:
    store, cid = spring
    page = campaign_report_html(store.cursor(), cid)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert len(re.findall(r"\* plotly\.js v\d", page)) == 1
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?https?:", page, re.IGNORECASE)
    assert "@import" not in page
    # the budget bar and the charts of this campaign, one plot each
    figures = report_figures(report_data(store.cursor(), cid))
    assert len(figures) >= 4
    assert page.count("Plotly.newPlot(") == 1 + len(figures)
    assert 'id="chart-1"' in page


def test_placements_table_and_provenance(spring: tuple[Store, int]) -> None:
    store, cid = spring
    text = _visible(campaign_report_html(store.cursor(), cid))
    table = text[text.index('<section id="placements">') : text.index('<section id="provenance">')]
    assert table.count("<tr>") == 3  # the head and two placements, the cancelled one left out
    assert "vk:club" in table and "telegram:anna" in table
    assert "No erid (ad label) on a published vk placement" in table
    assert 'href="https://vk.com/wall-1_2"' in table
    assert format_money(Decimal("9000"), "RUB") in table  # $100 at 90
    # anna's story has no impressions: its CPM is over reach, 9 000 / 5 000 × 1000, and says so
    cpm = format_money(Decimal("1800"), "RUB")
    assert f'{cpm} <span class="sub">over reach</span>' in table
    prov = text[text.index('<section id="provenance">') : text.index('<section id="formulas">')]
    # screenshots: two measurements, one placement's figures (anna's); platform statistics:
    # one measurement, the latest of the vk post
    assert re.search(
        r"<td>Screenshot</td><td class=\"num\">2</td><td class=\"num\">1</td>"
        r"<td>11\.03\.2026 10:00</td>",
        prov,
    )
    assert re.search(
        r"<td>Platform statistics</td><td class=\"num\">1</td><td class=\"num\">1</td>", prov
    )


def test_russian_report(spring: tuple[Store, int]) -> None:
    store, cid = spring
    page = campaign_report_html(store.cursor(), cid, language="ru")
    text = _visible(page)
    assert '<html lang="ru">' in page
    for key in ("summary", "budget_title", "placements_title", "provenance_title", "charts"):
        assert STRINGS["ru"][key] in text
    for english in ("Summary", "Budget against spend", "Where the numbers come from", "Brand"):
        assert english not in text
    assert "Нет erid (маркировки рекламы) у опубликованного размещения (vk)" in text
    assert code_label("provenance", "screenshot", "ru") == "Скриншот" and "Скриншот" in text
    assert "Обзор" in text and "Продажи" in text  # content type, goal
    totals = kpi_totals(store.cursor(), PlacementFilter(campaign_ids=(cid,)))
    assert kpi_text("cost", totals["cost"], "RUB") in text  # numbers as everywhere
    # the charts' own words are Russian too (plotly writes them as JSON \\u escapes)
    assert "Cost against reach" not in page and _js("Стоимость и охват") in page
    assert _js("Воронка") in page and _js("Бюджет ₽100") in page


def test_both_languages_have_every_string() -> None:
    assert set(STRINGS["en"]) == set(STRINGS["ru"])
    assert all(STRINGS["ru"][k] for k in STRINGS["ru"])


def test_flags_and_figures_translate_only_known_words() -> None:
    assert flag_text("Clicks (120) above impressions (100)", "ru") == (
        "Кликов (120) больше, чем показов (100)"
    )
    assert flag_text("Something new", "ru") == "Something new"
    assert flag_text("Clicks (120) above impressions (100)", "en").startswith("Clicks")
    import plotly.graph_objects as go

    fig = go.Figure(
        go.Bar(y=["Reach", "reach_me"], x=[1, 2], name="Reach", text=["3 placements", "x"])
    )
    fig.update_layout(title={"text": "CPM by channel<br><span>bubble size = conversions</span>"})
    ru = localise_figure(fig, "ru")
    assert list(ru.data[0].y) == ["Охват", "reach_me"]
    assert list(ru.data[0].text) == ["размещений: 3", "x"]
    assert ru.layout.title.text == "CPM по каналам<br><span>размер пузыря — конверсии</span>"
    assert localise_figure(fig, "en") is fig
    fig.update_layout(xaxis={"tickformat": "%b %Y", "hoverformat": "Week of %d %b %Y"})
    ru = localise_figure(fig, "ru")
    assert (ru.layout.xaxis.tickformat, ru.layout.xaxis.hoverformat) == (
        "%m.%Y",
        "Неделя с %d.%m.%Y",
    )


def test_empty_campaign_says_so(store: Store) -> None:
    cid = create_campaign(store, name="Empty one")
    page = campaign_report_html(store.cursor(), cid, language="en")
    text = _visible(page)
    assert STRINGS["en"]["no_placements"] in text
    assert STRINGS["en"]["no_results"] in text
    assert '<section id="placements">' not in text and '<section id="charts">' not in text
    assert len(re.findall(r"\* plotly\.js v\d", page)) == 1  # the budget bar still draws
    ru = _visible(campaign_report_html(store.cursor(), cid, language="ru"))
    assert STRINGS["ru"]["no_placements"] in ru and "сроки не заданы" in ru


def test_as_of_picks_the_earlier_measurement(spring: tuple[Store, int]) -> None:
    store, cid = spring
    text = _visible(campaign_report_html(store.cursor(), cid, as_of=T(2026, 3, 5, 18)))
    # by then only the vk post's first measurement: reach 5 000, clicks 100, one screenshot
    assert "Results as of 05.03.2026 18:00" in text
    summary = text[text.index('<section id="summary">') : text.index('<section id="budget">')]
    assert format_count(5_000) in summary and format_count(100) in summary
    assert format_count(15_000) not in summary


def test_bad_input(store: Store) -> None:
    with pytest.raises(NotFound):
        campaign_report_html(store.cursor(), 999)
    cid = create_campaign(store, name="X")
    with pytest.raises(ValidationError, match="Russian"):
        campaign_report_html(store.cursor(), cid, language="de")  # type: ignore[arg-type]
