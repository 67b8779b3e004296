"""The Analysis page (AppTest): the filters change the numbers shown exactly as kpi_totals
computes them; a click on a chart opens a placement or narrows the filters; an empty workspace
says what to do."""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from crm.formatting import format_money, format_percent
from crm.placements.kpis import kpi_totals
from crm.placements.placements import PlacementFilter, log_placement
from crm.pricing.currencies import base_currency
from crm.registry import add_channel_from_url
from crm.store import Store
from crm.ui.analysis import TAB_KEY, short_count, short_money
from crm.ui.placements import PLACEMENT_KEY
from crm.ui.state import get_store
from tests.app.conftest import ROOT, open_page

F = "analysis.filter."


def _shown(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _exact(at: AppTest) -> dict[str, str]:
    """The tooltips of the summary row (the exact figures behind the shortened ones)."""
    return {m.label: m.help for m in at.metric}


def _expected(flt: PlacementFilter) -> dict[str, str]:
    """The summary row as kpi_totals computes it, formatted as the page formats it."""
    cur = get_store().cursor()
    t = kpi_totals(cur, flt)
    code = base_currency(cur)
    return {
        "Placements": short_count(t["placements"]),
        "Cost": short_money(t["cost"], code),
        "Reach": short_count(t["reach"]),
        "Clicks": short_count(t["clicks"]),
        "Conversions": short_count(t["conversions"]),
        "Revenue": short_money(t["revenue"], code),
        "CPM": format_money(t["cpm"], code),
        "CPC": format_money(t["cpc"], code),
        "CTR": format_percent(t["ctr"]),
        "CPA": format_money(t["cpa"], code),
        "ROMI": format_percent(t["romi"]),
        "Delivery": format_percent(t["delivery"]),
    }


def _chart(at: AppTest, key: str) -> Any:
    (chart,) = [c for c in at.get("plotly_chart") if c.proto.id.endswith(key)]
    return chart


def _values(field: Any) -> list[Any]:
    """A trace's array from the figure JSON: a list, or plotly's typed array (base64)."""
    if isinstance(field, dict):
        return np.frombuffer(base64.b64decode(field["bdata"]), dtype=field["dtype"]).tolist()
    return list(field)


def _click(at: AppTest, key: str, customdata: object) -> AppTest:
    """A click on one point of a chart, as the browser reports it (AppTest has no plotly
    accessor: the selection state is sent with the next run)."""
    chart = _chart(at, key)
    point = {"curve_number": 0, "point_number": 0, "point_index": 0, "customdata": customdata}
    selection = {"points": [point], "point_indices": [0], "box": [], "lasso": []}
    states = at._tree.get_widget_states()
    states.widgets.append(
        WidgetState(id=chart.proto.id, string_value=json.dumps({"selection": selection}))
    )
    at._run(states)
    return at


def test_summary_figures_are_shortened_only_when_long() -> None:
    assert short_count(35_958) == "35\u202f958"
    assert short_count(4_096_984) == "4.1M"
    assert short_count(None) == "—"
    assert short_money(Decimal("268.17"), "RUB") == "₽268.17"
    assert short_money(Decimal("99999.99"), "RUB") == "₽99\u202f999.99"
    assert short_money(Decimal("1974815.44"), "RUB") == "₽2M"
    assert short_money(Decimal("150000"), "BYN") == "BYN\u00a0150K"
    assert short_money(None, "RUB") == "—"


@pytest.fixture
def analysis(app: AppTest) -> AppTest:
    return open_page(app, "analysis")


def test_the_summary_row_is_kpi_totals_of_everything(analysis: AppTest) -> None:
    assert analysis.title[0].value == "Analysis"
    shown = _shown(analysis)
    assert shown == _expected(PlacementFilter())
    assert int(shown["Placements"].replace("\u202f", "")) > 100  # the demo tells a story
    t = kpi_totals(get_store().cursor())
    code = base_currency(get_store().cursor())
    assert _exact(analysis)["Cost"].endswith(f"Exactly: {format_money(t['cost'], code)}")
    # the first tab is open: only its chart is drawn (the others run when opened)
    assert len(analysis.get("plotly_chart")) == 1


def test_filters_change_the_numbers_exactly_as_kpi_totals(analysis: AppTest) -> None:
    everything = _shown(analysis)
    analysis.multiselect(key=F + "platforms").set_value(["telegram"]).run()
    assert not analysis.exception, analysis.exception
    telegram = _shown(analysis)
    assert telegram == _expected(PlacementFilter(platforms=("telegram",)))
    assert telegram["Placements"] != everything["Placements"]

    analysis.multiselect(key=F + "kinds").set_value(["person"]).run()
    analysis.multiselect(key=F + "content_types").set_value(["review", "humor"]).run()
    assert _shown(analysis) == _expected(
        PlacementFilter(
            platforms=("telegram",), kinds=("person",), content_types=("review", "humor")
        )
    )


def test_campaign_format_and_date_filters(analysis: AppTest) -> None:
    cur = get_store().cursor()
    campaign_id, day = cur.execute(
        """select campaign_id, min(coalesce(published_at::date, planned_on))
           from placements where campaign_id is not null
           group by campaign_id order by count(*) desc limit 1"""
    ).fetchall()[0]
    analysis.multiselect(key=F + "campaigns").set_value([campaign_id]).run()
    analysis.multiselect(key=F + "formats").set_value(["post", "story"]).run()
    start = day + dt.timedelta(days=7)
    analysis.date_input(key=F + "date_from").set_value(start).run()
    assert not analysis.exception, analysis.exception
    assert _shown(analysis) == _expected(
        PlacementFilter(campaign_ids=(campaign_id,), formats=("post", "story"), date_from=start)
    )


def test_filters_that_match_nothing_say_so_and_reset(analysis: AppTest) -> None:
    analysis.date_input(key=F + "date_from").set_value(dt.date(2001, 1, 1)).run()
    analysis.date_input(key=F + "date_to").set_value(dt.date(2001, 1, 31)).run()
    assert not analysis.metric
    assert any("No placement matches these filters" in i.value for i in analysis.info)
    analysis.button[-1].click().run()  # "Reset filters" below the message
    assert _shown(analysis) == _expected(PlacementFilter())


def _open_tab(at: AppTest, label: str) -> AppTest:
    at.session_state[TAB_KEY] = label
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(
    ("tab", "charts"),
    [
        ("Cost and reach", ["analysis.chart.scatter"]),
        ("Funnel and time", ["analysis.chart.funnel", "analysis.chart.time"]),
        ("Delivery", ["analysis.chart.delivery"]),
        ("Content types", ["analysis.chart.content"]),
    ],
)
def test_each_tab_draws_its_charts_and_keeps_the_summary(
    analysis: AppTest, tab: str, charts: list[str]
) -> None:
    _open_tab(analysis, tab)
    drawn = [c.proto.id for c in analysis.get("plotly_chart")]
    assert len(drawn) == len(charts)
    assert all(any(d.endswith(c) for d in drawn) for c in charts)
    assert _shown(analysis) == _expected(PlacementFilter())


def test_the_week_view_and_the_chosen_group_survive_a_tab_change(analysis: AppTest) -> None:
    analysis.selectbox(key="analysis.group").set_value("platform").run()
    _open_tab(analysis, "Funnel and time")
    analysis.segmented_control(key="analysis.period").set_value("week").run()
    spec = json.loads(_chart(analysis, "analysis.chart.time").proto.spec)
    assert spec["layout"]["xaxis"]["dtick"] == 7 * 24 * 3600 * 1000
    _open_tab(analysis, "By group")
    assert analysis.selectbox(key="analysis.group").value == "platform"


def test_a_click_on_a_point_opens_the_placement(analysis: AppTest) -> None:
    _open_tab(analysis, "Cost and reach")
    scatter = _chart(analysis, "analysis.chart.scatter")
    spec = json.loads(scatter.proto.spec)
    placement_id = _values(spec["data"][0]["customdata"])[0]
    _click(analysis, "analysis.chart.scatter", placement_id)
    assert analysis.session_state[PLACEMENT_KEY] == placement_id
    assert analysis.query_params.get("id") in (str(placement_id), [str(placement_id)])


def test_a_click_on_a_platform_bar_narrows_the_filters_to_it(analysis: AppTest) -> None:
    analysis.selectbox(key="analysis.group").set_value("platform").run()
    key = "analysis.chart.group.platform.cpm"
    bars = json.loads(_chart(analysis, key).proto.spec)["data"][0]
    platform = bars["customdata"][0]
    _click(analysis, key, platform)
    assert not analysis.exception, analysis.exception
    assert analysis.multiselect(key=F + "platforms").value == [platform]
    assert _shown(analysis) == _expected(PlacementFilter(platforms=(platform,)))


def test_a_click_on_a_month_narrows_the_dates(analysis: AppTest) -> None:
    analysis.selectbox(key="analysis.group").set_value("month").run()
    key = "analysis.chart.group.month.cpm"
    month = json.loads(_chart(analysis, key).proto.spec)["data"][0]["customdata"][0]
    _click(analysis, key, month)
    year, number = (int(x) for x in month.split("-"))
    first = dt.date(year, number, 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    assert analysis.date_input(key=F + "date_from").value == first
    assert analysis.date_input(key=F + "date_to").value == last
    assert _shown(analysis) == _expected(PlacementFilter(date_from=first, date_to=last))


def test_the_kpi_table_follows_the_group_and_kpi(analysis: AppTest) -> None:
    analysis.selectbox(key="analysis.group").set_value("content_type").run()
    analysis.selectbox(key="analysis.kpi").set_value("ctr").run()
    assert not analysis.exception, analysis.exception
    table = analysis.dataframe[0].value
    ctr = [v for v in table["ctr"].tolist() if v == v]
    assert ctr == sorted(ctr, reverse=True)  # the highest CTR first
    bars = json.loads(_chart(analysis, "analysis.chart.group.content_type.ctr").proto.spec)
    assert bars["layout"]["shapes"][0]["x0"] == pytest.approx(
        kpi_totals(get_store().cursor())["ctr"]
    )


def test_an_empty_workspace_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "empty.duckdb"
    Store(str(path)).close()  # an existing file: the app does not fill it with the demo
    monkeypatch.setenv("CRM_DB", str(path))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30).run()
    open_page(at, "analysis")
    assert not at.metric
    assert any("No placements yet" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_placements_without_results_draw_and_say_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "planned.duckdb"
    store = Store(str(path))
    channel_id, _ = add_channel_from_url(store, "https://t.me/planned_only")
    log_placement(
        store,
        channel_id=channel_id,
        planned_on=dt.date(2026, 3, 2),
        price_agreed="15000",
        currency="RUB",
        planned_reach=20_000,
    )
    store.close()
    monkeypatch.setenv("CRM_DB", str(path))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30).run()
    open_page(at, "analysis")
    shown = _shown(at)
    assert shown["Placements"] == "1"
    assert shown["Cost"] == "₽15\u202f000.00"
    assert shown["Reach"] == shown["CPM"] == shown["Delivery"] == "—"
    _open_tab(at, "Cost and reach")
    assert "both a cost and a measured reach" in " ".join(i.value for i in at.info)
    _open_tab(at, "Delivery")
    assert "both a planned and a measured reach" in " ".join(i.value for i in at.info)
