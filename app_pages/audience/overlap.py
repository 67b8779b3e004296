"""Overlap: how much of one channel's audience another reaches, what a selection reaches once
duplicates are counted once, and what that means in money (dedup CPM, what to add next)."""

import polars as pl
import streamlit as st

from crm.charts.audience import (
    METRIC_LABELS,
    exclusive_figure,
    overlap_heatmap_figure,
    upset_figure,
    venn_figure,
)
from crm.formatting import format_count, format_money, format_percent
from crm.metrics import FORMULAS, NAMES
from crm.ui import audience as ui
from crm.ui.analysis import short_count, short_money
from crm.ui.columns import COUNT_FORMAT, percent_format
from crm.ui.nav import page
from crm.ui.widgets import PLOTLY_CONFIG
from crm.vocab.terms import FORMAT_LABELS

TABS = ("Heatmap", "Pairs", "Exclusive audience", "Intersections", "In money")

st.title("Overlap")
listed = ui.audiences()
if listed.is_empty():
    st.info(
        "**No member lists yet.** Load the member list of two or more channels (one id or "
        "username per line, or a table with an id column) to see how their audiences overlap.",
        icon=":material/group_work:",
    )
    st.page_link(page("audience_lists"), label="Load member lists", icon=":material/upload:")
    st.stop()

chosen, where = ui.choose_channels("overlap", {**ui.SOURCES, "all": "All channels with a list"})
if not chosen:
    st.info("Choose at least one channel to see its audience figures.", icon=":material/touch_app:")
    st.stop()

view = ui.overlap(chosen)
names = ui.keys(chosen)
labels = ui.labels(chosen)
if view.missing:
    missing = [labels.get(i, str(i)) for i in view.missing]
    st.warning(
        f"{format_count(len(view.missing))} of the {format_count(len(chosen))} channels "
        f"{where} {'has' if len(view.missing) == 1 else 'have'} **no member list**: left out "
        "of every figure below, not counted as zero.",
        icon=":material/person_off:",
    )
    with st.expander(f"Channels with no member list ({format_count(len(missing))})"):
        st.dataframe(
            pl.DataFrame({"channel": missing, "member list": ["no member list"] * len(missing)}),
            hide_index=True,
        )
if not view.ids:
    st.info(
        "None of these channels has a member list yet. Load their lists on the Member lists page.",
        icon=":material/group_work:",
    )
    st.page_link(page("audience_lists"), label="Load member lists", icon=":material/upload:")
    st.stop()

reach = view.reach
summary = [
    ("Channels with a list", format_count(len(view.ids)), f"Channels {where} that have a list"),
    (NAMES["unique_reach"], short_count(reach.unique_reach),
     f"{FORMULAS['unique_reach']}. Exactly: {format_count(reach.unique_reach)}"),
    (NAMES["sum_of_audiences"], short_count(reach.sum_of_audiences),
     f"{FORMULAS['sum_of_audiences']}. Exactly: {format_count(reach.sum_of_audiences)}"),
    (NAMES["duplication"], format_percent(reach.duplication), FORMULAS["duplication"]),
    (NAMES["expected_frequency"],
     "—" if reach.expected_frequency is None else f"{reach.expected_frequency:.2f}",
     FORMULAS["expected_frequency"]),
]  # fmt: skip
for column, (label, value, tip) in zip(st.columns(len(summary)), summary, strict=True):
    column.metric(label, value, help=tip, border=True)

order = view.ids
shown_names = [names[i] for i in order]


def _heatmap() -> None:
    metric = st.segmented_control(
        "Show",
        ["share", "count", "jaccard"],
        format_func=lambda m: {"share": "Share", "count": "Count", "jaccard": "Jaccard"}[m],
        default="share",
        required=True,
        key="overlap.metric",
    )
    matrix = view.matrices[metric]
    limit = ui.MAX_MATRIX
    if len(order) > limit:
        # the largest lists: the cells people read; the figures above count every channel
        top = sorted(range(len(order)), key=lambda k: -view.sizes[k])[:limit]
        top.sort()
        matrix = [[matrix[i][j] for j in top] for i in top]
        heat_names = [shown_names[k] for k in top]
        st.caption(
            f"The {limit} largest of {format_count(len(order))} lists; the figures above "
            "count them all."
        )
    else:
        heat_names = shown_names
    st.plotly_chart(
        overlap_heatmap_figure(heat_names, matrix, metric),
        width="stretch",
        config=PLOTLY_CONFIG,
        key=f"overlap.heatmap.{metric}",
    )
    st.caption(
        f"{METRIC_LABELS[metric]}. Read a row: how much of that channel's audience is found in "
        "each column's. Blank cells: a channel with itself, or two platforms (their members "
        "cannot be matched)."
    )


def _pairs() -> None:
    table = ui.pairs(view, shown_names)
    if table.is_empty():
        st.info("Pick two channels of one platform to compare them pair by pair.")
        return
    shown = table.with_columns((pl.col(c) * 100).round(1) for c in ("a_in_b", "b_in_a", "jaccard"))
    st.dataframe(
        shown,
        hide_index=True,
        placeholder="—",
        height=min(520, 38 + 35 * shown.height),
        column_config={
            "a": st.column_config.TextColumn("Channel A"),
            "b": st.column_config.TextColumn("Channel B"),
            "both": st.column_config.NumberColumn(
                "Members in both", format=COUNT_FORMAT, help=FORMULAS["overlap"]
            ),
            "a_in_b": st.column_config.NumberColumn(
                "A's audience in B", format=percent_format(1), help=FORMULAS["share"]
            ),
            "b_in_a": st.column_config.NumberColumn(
                "B's audience in A", format=percent_format(1), help=FORMULAS["share"]
            ),
            "jaccard": st.column_config.NumberColumn(
                NAMES["jaccard"], format=percent_format(1), help=FORMULAS["jaccard"]
            ),
        },
    )
    st.caption("Most overlapping first (by Jaccard).")


def _exclusive() -> None:
    st.plotly_chart(
        exclusive_figure(shown_names, view.sizes, reach.exclusive),
        width="stretch",
        config=PLOTLY_CONFIG,
        key="overlap.exclusive",
    )
    table = pl.DataFrame(
        {
            "channel": [labels[i] for i in order],
            "size": view.sizes,
            "exclusive": reach.exclusive,
            "share": [
                round(e / s * 100, 1) if s else None
                for e, s in zip(reach.exclusive, view.sizes, strict=True)
            ],
        }
    ).sort("exclusive", descending=True)
    st.dataframe(
        table,
        hide_index=True,
        placeholder="—",
        column_config={
            "channel": st.column_config.TextColumn("Channel"),
            "size": st.column_config.NumberColumn("Members", format=COUNT_FORMAT),
            "exclusive": st.column_config.NumberColumn(
                NAMES["exclusive"], format=COUNT_FORMAT, help=FORMULAS["exclusive"]
            ),
            "share": st.column_config.NumberColumn(
                "Exclusive share", format=percent_format(1), help="Exclusive audience / members"
            ),
        },
    )


def _intersections() -> None:
    if len(order) < 2:
        st.info("Pick two or more channels with a member list to see what they share.")
        return
    with st.spinner("Counting the members of every combination of lists…"):
        regions = ui.intersections(view)
    if regions is None:
        st.info(
            f"Intersections are listed for up to {ui.MAX_REGIONS} channels at a time: narrow "
            "the selection."
        )
        return
    if len(order) <= 3:
        fig = venn_figure(shown_names, view.sizes, regions)
        st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key="overlap.venn")
        st.caption("Each region: members in exactly those channels and no other.")
    else:
        fig = upset_figure(shown_names, regions, limit=ui.UPSET_BARS)
        st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key="overlap.upset")
        st.caption(
            f"The {min(ui.UPSET_BARS, len(regions))} largest intersections: each bar "
            "counts the members in exactly the channels marked below it and no other."
        )


def _money() -> None:
    fmt = st.selectbox(
        "Format",
        list(FORMAT_LABELS),
        format_func=FORMAT_LABELS.__getitem__,
        key="overlap.format",
        help="Each channel's latest agreed (else quoted, else listed) price of this format.",
    )
    result = ui.selection_money(chosen, fmt)
    base = result.base_currency
    money_row = [
        ("Total price", short_money(result.total_price, base),
         f"Sum of the prices of the channels with a price for {FORMAT_LABELS[fmt].lower()}, "
         f"in {base}. Exactly: {format_money(result.total_price, base)}"),
        (NAMES["dedup_cpm"], format_money(result.dedup_cpm, base),
         FORMULAS["dedup_cpm"] + " (channels with both a price and a list)"),
        ("Naive CPM", format_money(result.naive_cpm, base),
         "Naive CPM = total price / sum of audiences × 1000: what the price per thousand "
         "looks like when duplicates are counted as people"),
        ("Unique reach counted", short_count(result.unique_reach),
         f"Unique reach of the {format_count(len(result.counted))} channels with both a price "
         f"and a list. Exactly: {format_count(result.unique_reach)}"),
    ]  # fmt: skip
    if not result.counted:
        # no CPM without a channel that has both: say so rather than show a zero reach
        money_row[3] = (money_row[3][0], "—", money_row[3][2])
        st.warning(
            f"None of these channels has both a price for {FORMAT_LABELS[fmt].lower()} and a "
            "member list, so there is no CPM to show: the list below says what each lacks.",
            icon=":material/money_off:",
        )
    for column, (label, value, tip) in zip(st.columns(4), money_row, strict=True):
        column.metric(label, value, help=tip, border=True)
    if result.counted_price != result.total_price:
        st.caption(
            f"CPMs count {format_money(result.counted_price, base)} of the total: the channels "
            "with both a price and a member list."
        )
    if result.left_out:
        left = pl.DataFrame(
            {
                "channel": [labels.get(i, str(i)) for i, _ in result.left_out],
                "reason": [why for _, why in result.left_out],
            }
        )
        with st.expander(f"Left out of the CPMs ({format_count(left.height)})"):
            st.dataframe(left, hide_index=True)
    head, other = st.columns([3, 2], vertical_alignment="bottom")
    head.subheader("Add next")
    everywhere = other.toggle(
        "Other platforms too",
        key="overlap.other_platforms",
        help="Members of two platforms cannot be matched, so a channel of another platform "
        "adds its whole list.",
    )
    platforms = set(listed.filter(pl.col("channel_id").is_in(view.ids))["platform"].to_list())
    taken = set(chosen)
    candidates = [
        int(r["channel_id"])
        for r in listed.iter_rows(named=True)
        if int(r["channel_id"]) not in taken and (everywhere or r["platform"] in platforms)
    ]
    ranked = ui.add_next(chosen, candidates, fmt)
    if not ranked:
        st.info(
            "No other channel of these platforms has both a member list and a price for this "
            "format to add.",
            icon=":material/playlist_add:",
        )
        return
    cand_labels = ui.labels(r.channel_id for r in ranked)
    table = pl.DataFrame(
        {
            "channel": [cand_labels.get(r.channel_id, str(r.channel_id)) for r in ranked],
            "added_reach": [r.added_reach for r in ranked],
            "price": [format_money(r.price_base, base) for r in ranked],
            "per_money": [float(r.reach_per_money) for r in ranked],
            "cpm_after": [format_money(r.dedup_cpm_after, base) for r in ranked],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        placeholder="—",
        column_config={
            "channel": st.column_config.TextColumn("Channel"),
            "added_reach": st.column_config.NumberColumn(
                NAMES["added_reach"], format=COUNT_FORMAT, help=FORMULAS["added_reach"]
            ),
            "price": st.column_config.TextColumn(f"Price, {base}"),
            "per_money": st.column_config.NumberColumn(
                f"Added reach per 1 000 {base}",
                format="%'\u202f,.0f",
                help=f"Added reach / price × 1000 (price in {base})",
            ),
            "cpm_after": st.column_config.TextColumn(
                "Dedup CPM after adding", help=FORMULAS["dedup_cpm"]
            ),
        },
    )
    st.caption("Channels with a member list and a price, most added unique reach per money first.")


tabs = st.tabs(list(TABS), key="overlap.tab", on_change="rerun")
for tab, draw in zip(tabs, (_heatmap, _pairs, _exclusive, _intersections, _money), strict=True):
    if tab.open:
        with tab:
            draw()
