"""The Audience pages on the demo workspace with four hand-made member lists: every page runs,
shows what crm.audience computes, and answers bad input with a sentence."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from crm import registry
from crm.audience import lists, money, quality
from crm.audience import sets as audience_sets
from crm.formatting import format_count, format_money, format_percent
from crm.outreach.campaigns import create_campaign
from crm.outreach.shortlist import add_to_shortlist
from crm.pricing.currencies import base_currency
from crm.store import Store
from crm.ui.analysis import short_count
from crm.ui.state import get_store

from .conftest import ROOT, open_page

# four VK channels of one owner: A 1–1000, B 501–1500, C 1001–2000, D 1–200 and 1901–2100
LISTS = {
    "a": range(1, 1001),
    "b": range(501, 1501),
    "c": range(1001, 2001),
    "d": [*range(1, 201), *range(1901, 2101)],
}
OWNER = 140  # the demo owner with the most VK channels


def _owner_vk(cur: object) -> list[tuple[int, str]]:
    rows = cur.execute(  # type: ignore[attr-defined]
        """
        select c.id, c.platform || ':' || c.handle from channels c
        where c.owner_id = ? and c.platform = 'vk'
          and exists (select 1 from prices p where p.channel_id = c.id and p.format = 'post')
        order by c.id
        """,
        [OWNER],
    ).fetchall()
    return [(int(i), str(k)) for i, k in rows]


@pytest.fixture(scope="module")
def audience_template(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audience") / "audience.duckdb"
    shutil.copy(demo_template, path)
    store = Store(str(path))
    channels = _owner_vk(store.cursor())
    assert len(channels) >= 5
    for (_, key), ids in zip(channels, LISTS.values(), strict=False):
        data = "\n".join(str(i) for i in ids).encode()
        lists.import_audience_file(store, data, "list.txt", key)
    store.close()
    return path


@pytest.fixture
def audience_db(tmp_path: Path, audience_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "crm.duckdb"
    shutil.copy(audience_template, path)
    monkeypatch.setenv("CRM_DB", str(path))
    monkeypatch.chdir(ROOT)
    return path


@pytest.fixture
def app(audience_db: Path) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def _channels() -> list[tuple[int, str]]:
    return _owner_vk(get_store().cursor())


def _unlisted() -> tuple[int, str]:
    """A VK channel without a member list (the demo gives lists to some pages only)."""
    row = (
        get_store()
        .cursor()
        .execute(
            """
            select c.id, c.platform || ':' || c.handle from channels c
            where c.platform = 'vk' and c.id not in (select channel_id from audiences)
            order by c.id limit 1
            """
        )
        .fetchall()[0]
    )
    return int(row[0]), str(row[1])


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _ok(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


# ---------------------------------------------------------------- member lists


def test_lists_page_shows_every_current_list(app: AppTest) -> None:
    open_page(app, "audience_lists")
    frame = lists.audiences_frame(get_store().cursor())
    table = app.dataframe[0].value
    assert len(table) == frame.height
    assert sorted(table["channel"]) == sorted(frame["channel"].to_list())
    assert sorted(table["size"]) == sorted(frame["size"].to_list())
    total = format_count(int(frame["size"].sum()))
    assert any(total in c.value for c in app.caption)


def test_a_file_named_after_a_channel_loads_into_it(app: AppTest) -> None:
    open_page(app, "audience_lists")
    target_id, key = _unlisted()
    handle = key.split(":", 1)[1]
    uploader = app.get("file_uploader")[0]
    uploader.upload(f"vk_{handle}.txt", b"7\n8\n9\n9\n", "text/plain")  # type: ignore[attr-defined]
    _ok(app)
    # matched by its name: the channel box holds it already
    assert app.selectbox(key="lists.channel.0.0").value == target_id
    app.button(key="lists.load").click()
    _ok(app)
    assert [s.value for s in app.success] == [
        f"**vk_{handle}.txt**: Loaded 3 members (user ids) for {key}; 1 duplicate dropped."
    ]
    sets = lists.member_sets(get_store().cursor(), [target_id])
    assert sets[target_id].size == 3


def test_a_table_loads_the_column_the_user_picks(app: AppTest) -> None:
    open_page(app, "audience_lists")
    target_id, key = _unlisted()
    uploader = app.get("file_uploader")[0]
    data = b"name;user_id\nAnna;15\nBoris;16\nVera;15\n"
    uploader.upload(f"{key.replace(':', '_')}.csv", data, "text/csv")  # type: ignore[attr-defined]
    _ok(app)
    picker = app.selectbox(key="lists.column.0.0")
    assert picker.options == ["Guess (id, user_id …)", "name", "user_id"]
    picker.set_value("user_id")
    _ok(app)
    app.button(key="lists.load").click()
    _ok(app)
    assert "Loaded 2 members" in app.success[0].value
    members = lists.export_members(get_store().cursor(), target_id)
    assert sorted(members["member"].cast(pl.Int64).to_list()) == [15, 16]


def test_a_bad_file_says_why_and_loads_nothing(app: AppTest) -> None:
    open_page(app, "audience_lists")
    target_id, key = _unlisted()
    uploader = app.get("file_uploader")[0]
    uploader.upload(f"{key.replace(':', '_')}.txt", b"12\n-5\n", "text/plain")  # type: ignore[attr-defined]
    _ok(app)
    app.button(key="lists.load").click()
    _ok(app)
    assert len(app.error) == 1
    assert "-5" in app.error[0].value or "negative" in app.error[0].value.lower()
    assert lists.member_sets(get_store().cursor(), [target_id]) == {}


def test_a_file_with_no_channel_is_refused_before_anything_loads(app: AppTest) -> None:
    open_page(app, "audience_lists")
    before = lists.audiences_frame(get_store().cursor()).height
    uploader = app.get("file_uploader")[0]
    uploader.upload("members-export.txt", b"1\n2\n", "text/plain")  # type: ignore[attr-defined]
    _ok(app)
    assert app.selectbox(key="lists.channel.0.0").value is None
    app.button(key="lists.load").click()
    _ok(app)
    assert "Choose the channel of **members-export.txt** first" in app.error[0].value
    assert lists.audiences_frame(get_store().cursor()).height == before


def test_picking_a_list_shows_its_history(app: AppTest) -> None:
    open_page(app, "audience_lists")
    frame = lists.audiences_frame(get_store().cursor())
    channel_id = int(frame["channel_id"][0])
    app.session_state["lists.picked"] = channel_id
    _ok(app)
    history = app.dataframe[1].value
    expected = lists.audience_history(get_store().cursor(), channel_id)
    assert list(history["size"]) == expected["size"].to_list()
    assert any(b.label.startswith("Download its") for b in app.get("download_button"))


# ---------------------------------------------------------------- overlap


def _pick(at: AppTest, ids: list[int]) -> AppTest:
    at.session_state["overlap.picked"] = ids
    return _ok(at)


def test_overlap_of_three_lists_matches_the_hand_count(app: AppTest) -> None:
    open_page(app, "overlap")
    (a, _), (b, _), (c, _) = _channels()[:3]
    _pick(app, [a, b, c])
    # union 1–2000; 3000 memberships; A alone 1–500, B nothing alone, C alone 1501–2000
    assert _metric(app, "Unique reach") == format_count(2000)
    assert _metric(app, "Sum of audiences") == format_count(3000)
    assert _metric(app, "Duplication") == format_percent(1 - 2000 / 3000)
    assert _metric(app, "Expected frequency") == "1.50"
    held = lists.member_sets(get_store().cursor(), [a, b, c])
    reach = audience_sets.reach([held[a], held[b], held[c]])
    assert reach.unique_reach == 2000 and reach.exclusive == [500, 0, 500]
    heat = json.loads(app.get("plotly_chart")[0].proto.spec)
    z = heat["data"][0]["z"]
    # share of the row's audience found in the column, in percent; diagonal blank
    assert z == [[None, 50.0, 0.0], [50.0, None, 50.0], [0.0, 50.0, None]]


def test_overlap_tabs_draw_pairs_exclusive_and_venn(app: AppTest) -> None:
    open_page(app, "overlap")
    (a, ka), (b, kb), (c, kc) = _channels()[:3]
    _pick(app, [a, b, c])
    app.session_state["overlap.tab"] = "Pairs"
    _ok(app)
    pairs = app.dataframe[0].value
    first = pairs.iloc[0]
    assert first["both"] == 500 and {first["a"], first["b"]} in ({ka, kb}, {kb, kc})
    assert set(pairs["both"]) == {500, 0}
    app.session_state["overlap.tab"] = "Exclusive audience"
    _ok(app)
    table = app.dataframe[0].value
    assert dict(zip(table["exclusive"], table["size"], strict=True)) == {500: 1000, 0: 1000}
    app.session_state["overlap.tab"] = "Intersections"
    _ok(app)
    venn = json.loads(app.get("plotly_chart")[0].proto.spec)
    texts = venn["data"][0]["text"]
    # regions in the figure's order: A, B, C, A∩B, A∩C, B∩C, A∩B∩C (exactly those)
    assert texts == ["500", "0", "500", "500", "0", "500", "0"]
    assert len(venn["layout"]["shapes"]) == 3


def test_four_lists_draw_an_upset_chart(app: AppTest) -> None:
    open_page(app, "overlap")
    ids = [i for i, _ in _channels()[:4]]
    _pick(app, ids)
    app.session_state["overlap.tab"] = "Intersections"
    _ok(app)
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    held = lists.member_sets(get_store().cursor(), ids)
    regions = audience_sets.regions([held[i] for i in ids])
    assert spec["data"][0]["y"] == [n for _, n in regions[:15]]


def test_channels_without_a_list_are_named_not_counted(app: AppTest) -> None:
    open_page(app, "overlap")
    app.session_state["overlap.source"] = "filter"
    _ok(app)
    app.sidebar.multiselect(key="registry.filter.platforms").set_value(["vk"])
    _ok(app)
    cur = get_store().cursor()
    matching = registry.matching_channel_ids(cur, registry.ChannelFilter(platforms=["vk"]))
    held = lists.member_sets(cur, matching)
    without = len(matching) - len(held)
    assert without > 0
    assert f"{format_count(without)} of the {format_count(len(matching))} channels" in (
        app.warning[0].value
    )
    assert "no member list" in app.warning[0].value
    reach = audience_sets.reach([held[i] for i in matching if i in held])
    assert _metric(app, "Unique reach") == short_count(reach.unique_reach)  # millions: 3.9M


def test_a_campaign_shortlist_names_its_channels_without_a_list(app: AppTest) -> None:
    store = get_store()
    channels = _channels()
    campaign = create_campaign(store, name="Audience test")
    add_to_shortlist(store, campaign, [channels[0][0], channels[1][0], channels[5][0]])
    open_page(app, "overlap")
    app.session_state["overlap.source"] = "campaign"
    _ok(app)
    app.selectbox(key="overlap.campaign").set_value(campaign)
    _ok(app)
    assert "1 of the 3 channels on the campaign's shortlist has **no member list**" in (
        app.warning[0].value
    )
    missing = app.expander[0].dataframe[0].value
    assert list(missing["channel"].str.split(" · ").str[0]) == [channels[5][1]]
    assert list(missing["member list"]) == ["no member list"]
    # A 1–1000 and B 501–1500
    assert _metric(app, "Unique reach") == format_count(1500)
    assert _metric(app, "Channels with a list") == "2"


def test_overlap_in_money_matches_selection_money(app: AppTest) -> None:
    open_page(app, "overlap")
    ids = [i for i, _ in _channels()[:3]]
    _pick(app, ids)
    app.session_state["overlap.tab"] = "In money"
    _ok(app)
    cur = get_store().cursor()
    result = money.selection_money(cur, lists.member_sets(cur), ids, "post")
    base = result.base_currency
    assert result.dedup_cpm is not None
    assert _metric(app, "Dedup CPM") == format_money(result.dedup_cpm, base)
    assert _metric(app, "Naive CPM") == format_money(result.naive_cpm, base)
    listed = lists.audiences_frame(cur).filter(pl.col("platform") == "vk")
    others = [i for i in listed["channel_id"].to_list() if i not in ids]
    ranked = money.add_next(cur, lists.member_sets(cur), ids, others, "post")
    table = app.dataframe[-1].value
    assert list(table["added_reach"]) == [r.added_reach for r in ranked]


# ---------------------------------------------------------------- optimizer and bundles


def _optimize(at: AppTest, budget: str) -> AppTest:
    at.text_input(key="optimizer.budget").set_value(budget)
    _ok(at)
    at.button(key="optimizer.run").click()
    return _ok(at)


def test_optimizer_shows_the_plan_money_computes(app: AppTest) -> None:
    open_page(app, "optimizer")
    cur = get_store().cursor()
    sets = lists.member_sets(cur)
    base = base_currency(cur)
    prices = money.channel_prices_base(cur, list(sets), "post")
    budget = sum((p.amount_base or Decimal(0) for p in prices.values()), Decimal(0)) / 2
    _optimize(app, str(budget.quantize(Decimal("1"))))
    plan = money.plan_shortlist(
        cur, sets, list(sets), budget=budget.quantize(Decimal("1")), currency=base
    )
    assert _metric(app, "Unique reach") == short_count(plan.chosen.unique_reach)
    assert _metric(app, "Dedup CPM") == format_money(plan.dedup_cpm, base)
    assert any(plan.chosen.method in i.value for i in app.info)
    curves = json.loads(app.get("plotly_chart")[0].proto.spec)["data"]
    assert [t["name"] for t in curves] == ["Optimizer", "Naive (largest first)"]
    assert curves[0]["y"][-1] == plan.chosen.unique_reach
    assert curves[1]["y"][-1] == plan.naive.unique_reach


def test_optimizer_candidates_from_a_file_say_which_lines_were_not_used(app: AppTest) -> None:
    open_page(app, "optimizer")
    app.session_state["optimizer.source"] = "file"
    _ok(app)
    (a, ka), (b, kb) = _channels()[:2]
    text = f"{ka}\nhttps://vk.com/{kb.split(':')[1]}\nvk:no_such_channel_here\n".encode()
    app.get("file_uploader")[0].upload("candidates.txt", text, "text/plain")  # type: ignore[attr-defined]
    _ok(app)
    assert any(c.value.startswith("2 candidate channels") for c in app.caption)
    assert app.expander[0].label == "1 line of the file was not used"
    assert "vk:no_such_channel_here is not in the registry" in app.expander[0].markdown[0].value
    options = app.multiselect(key="optimizer.include").options
    assert [o.split(" · ")[0] for o in options] == [ka, kb]


@pytest.mark.parametrize(
    ("budget", "words"), [("0", "budget"), ("-5", "budget"), ("lots", "not an amount")]
)
def test_a_bad_budget_gets_a_sentence(app: AppTest, budget: str, words: str) -> None:
    open_page(app, "optimizer")
    _optimize(app, budget)
    assert app.error and words in app.error[0].value.lower()


def test_owner_bundle_shows_the_networks_figures(app: AppTest) -> None:
    open_page(app, "optimizer")
    app.session_state["optimizer.tab"] = "Owner bundles"
    _ok(app)
    app.selectbox(key="bundle.owner").set_value(OWNER)
    _ok(app)
    cur = get_store().cursor()
    bundle = money.owner_bundle(cur, lists.member_sets(cur), OWNER, "post")
    base = base_currency(cur)
    counted = (
        f"{format_count(len(bundle.money.counted))} of {format_count(len(bundle.channel_ids))}"
    )
    assert _metric(app, "Channels") == counted
    assert _metric(app, "Dedup CPM") == format_money(bundle.dedup_cpm, base)
    assert _metric(app, "Naive CPM") == format_money(bundle.naive_cpm, base)


def test_owner_bundles_open_on_the_largest_network(app: AppTest) -> None:
    open_page(app, "optimizer")
    app.session_state["optimizer.tab"] = "Owner bundles"
    _ok(app)
    networks = money.owner_networks(get_store().cursor())
    assert app.selectbox(key="bundle.owner").value == networks["owner_id"][0]
    assert networks["with_list"][0] >= 2  # the demo's networks carry member lists
    assert _metric(app, "Channels").endswith(f"of {format_count(networks['channels'][0])}")


# ---------------------------------------------------------------- quality


def test_quality_shows_a_channels_signals(app: AppTest) -> None:
    open_page(app, "quality")
    channel_id = _channels()[0][0]
    app.session_state["quality.channel"] = channel_id
    _ok(app)
    result = quality.channel_quality(get_store().cursor(), channel_id)
    signals = app.dataframe[1].value
    assert list(signals["signal"]) == [s.label for s in result.signals]
    assert list(signals["status"]) == [
        "counted" if s.available else "not available" for s in result.signals
    ]
    computed = "—" if result.score is None else str(result.score)
    assert _metric(app, "Computed score") == computed


def test_an_override_needs_a_note_and_then_is_saved(app: AppTest) -> None:
    open_page(app, "quality")
    channel_id = _channels()[0][0]
    app.session_state["quality.channel"] = channel_id
    _ok(app)
    app.number_input[0].set_value(35)
    form_submit = next(b for b in app.button if b.label == "Save override")
    form_submit.click()
    _ok(app)
    assert app.error and "note" in app.error[0].value.lower()
    assert quality.channel_quality(get_store().cursor(), channel_id).override is None
    app.text_area[0].set_value("Bought followers in March, checked by hand")
    next(b for b in app.button if b.label == "Save override").click()
    _ok(app)
    saved = quality.channel_quality(get_store().cursor(), channel_id).override
    assert saved is not None and saved.score == 35
    assert _metric(app, "Override") == "35"
    app.button(key="quality.clear").click()
    _ok(app)
    assert quality.channel_quality(get_store().cursor(), channel_id).override is None
    assert _metric(app, "Override") == "none"


# ---------------------------------------------------------------- the channel profile


def test_profile_shows_the_channels_audience(app: AppTest) -> None:
    cur = get_store().cursor()
    held = lists.member_sets(cur)
    channel_id = max(held, key=lambda i: held[i].size)  # the largest list of the workspace
    app.session_state["registry.channel_id"] = channel_id
    open_page(app, "channel")
    assert not app.error, [e.value for e in app.error]
    near = audience_sets.neighbours(held[channel_id], held, limit=8)
    shown = next(d.value for d in app.dataframe if "overlap" in d.value.columns)
    assert list(shown["overlap"]) == [n.overlap for n in near]
    assert shown["share"][0] == pytest.approx(near[0].share * 100)
    assert any(format_count(held[channel_id].size) in m.value for m in app.markdown)
    score = quality.channel_quality(cur, channel_id, held).score
    assert _metric(app, "Computed score") == ("—" if score is None else str(score))


def test_profile_of_a_channel_without_a_list_says_so(app: AppTest) -> None:
    channel_id, _ = _unlisted()
    app.session_state["registry.channel_id"] = channel_id
    open_page(app, "channel")
    assert not app.error
    assert any("No member list yet" in i.value for i in app.info)
