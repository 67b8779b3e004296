"""The channel profile as a new user meets it: words instead of codes, "—" for what is not
known, the tables' formats and widths, and what adding a snapshot did."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from crm import registry
from crm.pricing import channel_prices
from crm.ui.columns import COUNT_FORMAT, percent_format
from crm.ui.state import get_store
from crm.vocab.terms import FORMAT_LABELS, PRICE_KIND_LABELS, PROVENANCE_LABELS

from .conftest import open_page


def _open_profile(app: AppTest, channel_id: int) -> AppTest:
    app.session_state["registry.channel_id"] = channel_id
    return open_page(app, "channel")


def _with_gaps(cur) -> int:  # type: ignore[no-untyped-def]
    """A channel with prices and a snapshot whose source is not known."""
    rows = cur.execute(
        """
        select s.channel_id from snapshots s
        where s.source is null and s.channel_id in (select channel_id from prices)
        order by s.channel_id limit 1
        """
    ).fetchall()
    return int(rows[0][0])


def _grid(app: AppTest, column: str):  # type: ignore[no-untyped-def]
    return next(d for d in app.dataframe if column in json.loads(d.proto.columns))


def test_profile_caption_names_the_provenance_in_words(app: AppTest) -> None:
    cur = get_store().cursor()
    channel_id = _with_gaps(cur)
    _open_profile(app, channel_id)
    last = registry.list_snapshots(cur, channel_id).row(-1, named=True)
    caption = next(c.value for c in app.caption if c.value.startswith("Measured"))
    assert PROVENANCE_LABELS[last["provenance"]] in caption
    assert last["provenance"] not in caption.replace(PROVENANCE_LABELS[last["provenance"]], "")


def test_snapshot_table_shows_a_dash_for_unknown_and_words_for_codes(app: AppTest) -> None:
    cur = get_store().cursor()
    channel_id = _with_gaps(cur)
    _open_profile(app, channel_id)
    grid = _grid(app, "provenance")
    assert grid.proto.placeholder == "—"
    shown = grid.value
    assert set(shown["provenance"]) <= set(PROVENANCE_LABELS.values())
    config = json.loads(grid.proto.columns)
    assert config["followers"]["type_config"]["format"] == COUNT_FORMAT
    assert config["er"]["type_config"]["format"] == percent_format(2)
    assert config["measured_on"]["label"] == "Date measured"
    # the remover names the provenance in words too
    remover = app.selectbox(key="channel.doomed")
    assert any(label in remover.options[0] for label in PROVENANCE_LABELS.values())


def test_prices_table_shows_words_and_every_column_fits(app: AppTest) -> None:
    cur = get_store().cursor()
    channel_id = _with_gaps(cur)
    _open_profile(app, channel_id)
    expected = channel_prices(cur, channel_id)
    grid = _grid(app, "CPF")
    shown = grid.value
    assert list(shown["Format"]) == [FORMAT_LABELS[p.format] for p in expected]
    assert list(shown["Kind"]) == [PRICE_KIND_LABELS[p.kind] for p in expected]
    config = json.loads(grid.proto.columns)
    assert isinstance(config["Date"].get("width"), int)


def _snapshot(app: AppTest, **numbers: int) -> AppTest:
    for label, value in numbers.items():
        next(n for n in app.number_input if n.label == label).set_value(value)
    return next(b for b in app.button if b.label == "Add snapshot").click().run()


def test_a_second_snapshot_of_a_day_says_it_replaced_the_first(app: AppTest) -> None:
    import datetime as dt

    cur = get_store().cursor()
    channel_id = _with_gaps(cur)
    _open_profile(app, channel_id)
    before = registry.list_snapshots(cur, channel_id).height
    today = dt.date.today().isoformat()
    _snapshot(app, Followers=50_000)
    assert [t.value for t in app.toast] == [f"Added the snapshot of {today}."]
    _snapshot(app, Followers=51_000)
    assert [t.value for t in app.toast] == [f"Replaced the snapshot of {today}."]
    assert registry.list_snapshots(cur, channel_id).height == before + 1


def test_reach_above_followers_is_saved_with_the_backends_warning(app: AppTest) -> None:
    cur = get_store().cursor()
    channel_id = _with_gaps(cur)
    _open_profile(app, channel_id)
    _snapshot(app, Followers=1_000, **{"Avg reach per post": 5_000})
    expected = registry.snapshot_warnings({"followers": 1_000, "avg_reach": 5_000})
    assert expected
    assert [w.value for w in app.warning] == expected


def test_numbers_missing_from_the_latest_snapshot_show_the_last_known_with_its_date(
    app: AppTest,
) -> None:
    from crm.formatting import format_compact

    cur = get_store().cursor()
    channel_id = _with_gaps(cur)
    before = registry.latest_known(cur, channel_id)
    assert before is not None and before["avg_reach"] is not None
    _open_profile(app, channel_id)
    _snapshot(app, Followers=77_777)  # today, followers only
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Avg reach"] == format_compact(before["avg_reach"])
    note = next(c.value for c in app.caption if "as of" in c.value)
    assert f"{before['avg_reach_on']:%d.%m.%Y}" in note


def _priced_channel(cur) -> int:  # type: ignore[no-untyped-def]
    return int(cur.execute("select min(channel_id) from prices").fetchall()[0][0])


def test_prices_tab_shows_the_price_hint_crm_computes(app: AppTest) -> None:
    from crm.formatting import format_money
    from crm.pricing.intelligence import price_hint

    cur = get_store().cursor()
    channel_id = _priced_channel(cur)
    _open_profile(app, channel_id)
    hint = price_hint(cur, channel_id, "post")
    shown = {m.label: m.value for m in app.metric}
    assert shown["est. CPM"] == format_money(hint.est_cpm, hint.base_currency)
    assert shown["Peer median est. CPM"] == format_money(hint.peer_median, hint.base_currency)
    assert shown["Walk-away price"] == format_money(hint.walk_away, hint.base_currency)
    assert shown["Percentile among peers"] == (
        "—" if hint.percentile is None else f"{hint.percentile:.0f}"
    )
    assert hint.basis in [c.value for c in app.caption]


def test_adding_a_price_keeps_every_cent_and_a_zero_price_is_refused(app: AppTest) -> None:
    cur = get_store().cursor()
    channel_id = _priced_channel(cur)
    _open_profile(app, channel_id)
    before = cur.execute("select count(*) from prices").fetchall()[0][0]
    app.text_input(key="channel.price.amount").input("0")
    app.selectbox(key="channel.price.kind").set_value("quoted")
    next(b for b in app.button if b.label == "Add price").click().run()
    assert [e.value for e in app.error] == ["The amount must be more than 0."]
    assert cur.execute("select count(*) from prices").fetchall()[0][0] == before
    app.text_input(key="channel.price.amount").input("11 000,50")
    app.selectbox(key="channel.price.kind").set_value("quoted")
    app.selectbox(key="channel.price.currency").set_value("USD")
    next(b for b in app.button if b.label == "Add price").click().run()
    assert not app.exception and not app.error
    row = cur.execute(
        "select kind, amount::varchar, currency from prices where channel_id = ? "
        "order by id desc limit 1",
        [channel_id],
    ).fetchall()
    assert row == [("quoted", "11000.50", "USD")]
    assert [t.value for t in app.toast] == ["Price added"]


def test_campaigns_tab_adds_the_channel_to_a_shortlist(app: AppTest) -> None:
    from crm.outreach.campaigns import create_campaign
    from crm.outreach.shortlist import channel_campaigns

    store = get_store()
    campaign = create_campaign(store, name="Профиль", currency="RUB")
    channel_id = _priced_channel(store.cursor())
    _open_profile(app, channel_id)
    app.selectbox(key="channel.add_campaign").set_value(campaign).run()
    app.button(key="channel.shortlist").click().run()
    assert not app.exception
    assert "Профиль" in channel_campaigns(store.cursor(), channel_id)["campaign"].to_list()
    assert [t.value for t in app.toast] == ["Added 1 channel to the shortlist."]


def test_campaigns_tab_shows_the_channels_scorecard_or_no_history(app: AppTest) -> None:
    from crm.placements.scorecard import channel_scorecard, scorecard_lines, scorecards

    cur = get_store().cursor()
    cards = scorecards(cur)
    scored = int(cards.filter(cards["has_history"])["channel_id"][0])
    _open_profile(app, scored)
    shown = [m.value for m in app.markdown]
    for name, text in scorecard_lines(channel_scorecard(cur, scored)):
        assert f"**{name}**  \n{text}" in shown


def test_a_channel_without_history_says_so_never_zero(app: AppTest) -> None:
    from crm.placements.scorecard import scorecards

    cards = scorecards(get_store().cursor())
    fresh = int(cards.filter(~cards["has_history"])["channel_id"][0])
    _open_profile(app, fresh)
    assert any(c.value.startswith("No history") for c in app.caption)
    assert not any(m.value.startswith("**Delivery**") for m in app.markdown)


def test_campaigns_tab_shows_status_and_priority_in_words(app: AppTest) -> None:
    from crm.outreach.shortlist import channel_campaigns

    cur = get_store().cursor()
    channel_id = int(cur.execute("select min(channel_id) from shortlist").fetchall()[0][0])
    _open_profile(app, channel_id)
    shown = app.dataframe(key="channel.campaigns").value
    expected = channel_campaigns(cur, channel_id)
    labels = {"active": "Active", "closed": "Closed", "draft": "Draft"}
    assert list(shown["status"]) == [labels[s] for s in expected["status"]]
    assert set(shown["priority"]) <= {"High", "Normal", "Low"}
