"""Audience quality: an explainable 0–100 score per channel from the signals the workspace's data
allows (reach rate and ER against peers, follower jumps, members in many lists), each signal's
figures and part of the score, and a manual override with a note."""

import polars as pl
import streamlit as st

from crm.audience.quality import MAX_NOTE, RULES, SCORE_RULE, SIGNALS, clear_override, set_override
from crm.charts.audience import contributions_figure
from crm.formatting import format_count
from crm.ui import audience as ui
from crm.ui.columns import COUNT_FORMAT
from crm.ui.outreach import author_input, current_author
from crm.ui.state import get_store, pending_toast, run_write
from crm.ui.widgets import open_channel

CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
PICKED = "quality.channel"  # the channel whose signals are shown

store = get_store()
author_input()
st.title("Audience quality")
pending_toast("quality.saved")
st.caption(SCORE_RULE + " An override replaces the score where it is shown, with its note.")

table = ui.quality_table()
if table.is_empty():
    st.info("The workspace has no active channel to score yet.", icon=":material/inbox:")
    st.stop()

names = ui.labels(table["channel_id"].to_list())
view = table.select(
    "channel_id",
    pl.col("channel_id").replace_strict(names, default=pl.col("channel")).alias("name"),
    "score",
    "override_score",
    pl.coalesce("override_score", "score").alias("shown"),
    "signals_available",
    *(f"{k}_sub_score" for k in SIGNALS),
    "override_note",
).sort("shown", descending=False, nulls_last=True)
scored = table.filter(pl.col("score").is_not_null()).height
st.markdown(
    f"**{format_count(scored)}** of {format_count(table.height)} active channels have at least "
    "one signal; the lowest scores come first. Click a row to see how its score is made."
)
event = st.dataframe(
    view,
    hide_index=True,
    key="quality.table",
    on_select="rerun",
    selection_mode="single-row",
    height=380,
    placeholder="—",
    column_order=["name", "shown", "score", "override_score", "signals_available",
                  *(f"{k}_sub_score" for k in SIGNALS), "override_note"],  # fmt: skip
    column_config={
        "name": st.column_config.TextColumn("Channel", pinned=True, width=240),
        "shown": st.column_config.ProgressColumn(
            "Score", min_value=0, max_value=100, format="%d",
            help="The override where one is set, else the computed score",
        ),
        "score": st.column_config.NumberColumn("Computed", format="%d", help=SCORE_RULE),
        "override_score": st.column_config.NumberColumn("Override", format="%d"),
        "signals_available": st.column_config.NumberColumn(
            "Signals", format=COUNT_FORMAT, help=f"Signals with data, of {len(SIGNALS)}"
        ),
        **{
            f"{k}_sub_score": st.column_config.NumberColumn(
                label, format="%.0f", help=RULES[k]
            )
            for k, (label, _) in SIGNALS.items()
        },
        "override_note": st.column_config.TextColumn("Override note"),
    },
)  # fmt: skip
rows = event.selection.rows if event is not None else []
if rows:
    st.session_state[PICKED] = int(view["channel_id"][rows[0]])

ids = view["channel_id"].to_list()
held = st.session_state.get(PICKED)
channel_id = st.selectbox(
    "Channel",
    ids,
    index=ids.index(held) if held in ids else 0,
    format_func=lambda i: names.get(i, str(i)),
    key=f"quality.pick.{held}",
)
if channel_id is None:
    st.stop()
st.session_state[PICKED] = channel_id
result = ui.channel_quality(channel_id)

head, go_to = st.columns([5, 1], vertical_alignment="bottom")
with head:
    st.subheader(names.get(channel_id, str(channel_id)))
if go_to.button("Open profile", icon=":material/badge:", key="quality.open"):
    open_channel(channel_id)

left, mid, right = st.columns(3)
left.metric(
    "Computed score",
    "—" if result.score is None else str(result.score),
    help=SCORE_RULE,
    border=True,
)
if result.override is not None:
    mid.metric("Override", str(result.override.score), border=True)
    right.markdown(
        f"**Note:** {result.override.note}  \n"
        f"set by {result.override.author or 'someone'} on "
        f"{result.override.set_at:%d.%m.%Y %H:%M}"
    )
else:
    mid.metric("Override", "none", border=True)

signals = ui.signal_rows(result)
frame = pl.DataFrame(
    {
        "signal": [r["signal"] for r in signals],
        "value": [r["value_text"] for r in signals],
        "peer": [r["peer_text"] for r in signals],
        "sub_score": [r["sub_score"] for r in signals],
        "weight": [None if r["weight"] is None else round(r["weight"] * 100, 1) for r in signals],
        "contribution": [r["contribution"] for r in signals],
        "status": [r["status"] for r in signals],
    },
    schema={
        "signal": pl.String, "value": pl.String, "peer": pl.String, "sub_score": pl.Float64,
        "weight": pl.Float64, "contribution": pl.Float64, "status": pl.String,
    },
)  # fmt: skip
st.dataframe(
    frame,
    hide_index=True,
    placeholder="—",
    column_config={
        "signal": st.column_config.TextColumn("Signal"),
        "value": st.column_config.TextColumn("Value"),
        "peer": st.column_config.TextColumn("Compared with"),
        "sub_score": st.column_config.NumberColumn("Sub-score", format="%.0f"),
        "weight": st.column_config.NumberColumn("Weight", format="%.1f %%"),
        "contribution": st.column_config.NumberColumn("Points", format="%.1f"),
        "status": st.column_config.TextColumn("Data"),
    },
)
st.plotly_chart(
    contributions_figure(
        [r["signal"] for r in signals],
        [r["contribution"] if r["available"] else None for r in signals],
    ),
    width="stretch",
    config=CONFIG,
    key="quality.contributions",
)
for r in signals:
    mark = "" if r["available"] else " — *not available, weighs nothing*"
    st.markdown(f"**{r['signal']}**{mark}: {r['explanation']}")

st.subheader("Override the score")
current = result.override
with st.form(f"quality.override.{channel_id}.{current.version if current else 0}"):
    score = st.number_input(
        "Score (0–100)",
        min_value=0,
        max_value=100,
        step=1,
        value=current.score if current else None,
        placeholder="e.g. 40",
    )
    note = st.text_area(
        "Note (required: why the score is overridden)",
        value=current.note if current else "",
        max_chars=MAX_NOTE,
    )
    saved = st.form_submit_button("Save override", type="primary", icon=":material/edit:")
if saved:
    if score is None:
        st.error("Enter a score from 0 to 100.", icon=":material/error:")
    else:
        run_write(
            lambda: set_override(
                store,
                channel_id,
                int(score),
                note or "",
                author=current_author(),
                version=current.version if current else None,
            ),
            toast_key="quality.saved",
            toast="Override saved",
        )
if current is not None and st.button(
    "Remove the override", icon=":material/undo:", key="quality.clear"
):
    run_write(
        lambda: clear_override(store, channel_id, version=current.version),
        toast_key="quality.saved",
        toast="Override removed: the computed score stands again",
    )
