"""Home: what the workspace holds and where to start."""

import datetime as dt

import polars as pl
import streamlit as st

from crm import charts, registry
from crm.formatting import format_count
from crm.outreach.followups import follow_ups
from crm.ui.nav import page
from crm.ui.outreach import open_campaign, stage_labels
from crm.ui.state import get_store
from crm.ui.widgets import ask_to_clear_workspace, clear_workspace_dialog, show_lacking
from crm.vocab.platforms import PLATFORM_LABELS
from crm.workspace import workspace_kind

store = get_store()
cur = store.cursor()


@st.cache_data(show_spinner=False, max_entries=8)
def _counts(path: str, generation: int) -> tuple[dict, dict[str, int]]:
    # keyed by the registry's generation: any committed write makes the next run read afresh
    read = get_store().cursor()
    return registry.registry_counts(read), registry.needs_counts(read)


@st.cache_data(show_spinner=False, max_entries=8)
def _follow_ups(path: str, generation: tuple[int, int], today: dt.date) -> pl.DataFrame:
    # keyed by the day too: what is overdue changes at midnight without any write
    return follow_ups(get_store().cursor(), today=today)


counts, needs = _counts(store.path, store.generation("registry"))
kind = workspace_kind(cur)

st.title("Outreach CRM")
st.caption(
    "The bloggers and public pages you buy placements from: VK and OK communities, Telegram "
    "channels, Instagram, YouTube, TikTok, Dzen, RUTUBE, X and Facebook, with their owners and "
    "their numbers over time."
)

if kind == "demo":
    st.info(
        "You are looking at a **demo workspace** filled with made-up but realistic channels. "
        "Explore it freely; when you are ready, start an empty workspace and import your own list.",
        icon=":material/science:",
    )

cols = st.columns(4)
cols[0].metric(
    "Channels",
    format_count(counts["channels"]),
    help="Active channels (archived ones are not counted)",
)
cols[1].metric(
    "Owners", format_count(counts["owners"]), help="People and admins you negotiate with"
)
cols[2].metric("Metric snapshots", format_count(counts["snapshots"]))
last = counts["last_measured_on"]
cols[3].metric("Last measured", last.strftime("%d.%m.%Y") if last else "—")

today = dt.date.today()
due = _follow_ups(store.path, (store.generation("outreach"), store.generation("registry")), today)
if due.height:
    overdue = int((due["overdue_days"] > 0).sum())
    st.subheader(
        f"Follow-ups: {format_count(due.height - overdue)} today, {format_count(overdue)} overdue"
    )
    stages = stage_labels()
    shown = due.with_columns(
        pl.when(pl.col("overdue_days") > 0)
        .then(pl.format("⚠ {} d overdue", pl.col("overdue_days")))
        .otherwise(pl.lit("today"))
        .alias("when"),
        pl.col("title").fill_null(pl.col("handle")),
        pl.col("platform").replace_strict(PLATFORM_LABELS, default=pl.col("platform")),
        pl.col("stage").replace_strict(stages, default=pl.col("stage")),
    )
    event = st.dataframe(
        shown,
        column_order=[
            "when",
            "next_follow_up",
            "campaign",
            "title",
            "platform",
            "stage",
            "manager",
        ],
        column_config={
            "when": st.column_config.TextColumn("Due", width=120),
            "next_follow_up": st.column_config.DateColumn(
                "Follow-up date", format="DD.MM.YYYY", width=105
            ),
            "campaign": st.column_config.TextColumn("Campaign", width=250),
            "title": st.column_config.TextColumn("Channel", width=220),
            "platform": st.column_config.TextColumn("Platform", width=85),
            "stage": st.column_config.TextColumn("Stage", width=100),
            "manager": st.column_config.TextColumn("Manager", width=110),
        },
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="home.follow_ups",
        height=min(318, 38 + 35 * shown.height),
        placeholder="—",
    )
    st.caption("Tick a row to open that channel in its campaign.")
    picked = [r for r in (event.selection.rows if event is not None else []) if r < due.height]
    if picked:
        row = due.row(picked[0], named=True)
        open_campaign(int(row["campaign_id"]), channel_id=int(row["channel_id"]))

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Where to start")
    st.markdown(
        "1. **Import your list** of bloggers and pages from a spreadsheet (CSV, TSV or XLSX, "
        "English or Russian headers).\n"
        "2. **Find channels** by platform, niche, country, followers and ER on the Channels page, "
        "or add one by pasting its link.\n"
        "3. **Open a profile** to see its owner, the owner's other pages and its numbers over "
        "time, and to record a new measurement.\n"
        "4. **Keep owners' contacts** in one place: one admin often sells a whole network of pages."
    )
    # buttons, not links: they are the three ways on from here and should look it
    for column, (label, icon, target) in zip(
        st.columns(3),
        (
            ("Import a file", ":material/upload_file:", "import"),
            ("Browse channels", ":material/groups:", "channels"),
            ("Owners", ":material/contacts:", "owners"),
        ),
        strict=True,
    ):
        if column.button(label, icon=icon, width="stretch", type="secondary"):
            st.switch_page(page(target))
    if any(needs.values()):
        st.subheader("Gaps to fill")
        for column, (need, count) in zip(st.columns(len(needs)), needs.items(), strict=True):
            label = registry.NEEDS[need][0]
            column.metric(label, format_count(count), help=registry.NEEDS_HELP[need])
            if count and column.button("Show them", key=f"home.lacking.{need}"):
                show_lacking(need)
with right:
    st.subheader("Channels by platform")
    if counts["per_platform"]:
        st.plotly_chart(charts.platform_mix_figure(counts["per_platform"]), width="stretch")
    else:
        st.write("No channels yet: import a file or add one by its link on the Channels page.")


clear_workspace_dialog()
if kind == "demo" or counts["channels"] or counts["archived"]:
    with st.expander("Workspace"):
        st.write(f"Database file: `{store.path}`")
        st.button(
            "Start an empty workspace…",
            icon=":material/delete_sweep:",
            key="home.clear",
            on_click=ask_to_clear_workspace,
            args=("The workspace is empty now. Import your first file.",),
        )
