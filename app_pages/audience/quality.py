"""Audience quality: an explainable 0–100 score per channel from the signals the workspace's data
allows (reach rate and ER against peers, follower jumps, members in many lists), each signal's
figures and part of the score, and a manual override with a note."""

import polars as pl
import streamlit as st

from crm.audience.quality import MAX_NOTE, RULES, SCORE_RULE, SIGNALS, clear_override, set_override
from crm.formatting import format_count
from crm.ui import audience as ui
from crm.ui.columns import COUNT_FORMAT
from crm.ui.outreach import author_input, current_author
from crm.ui.state import get_store, pending_toast, run_write
from crm.ui.widgets import open_channel

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

ui.show_quality(result, key="quality")

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
