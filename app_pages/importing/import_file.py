"""Import channels from a CSV, TSV or Excel file: read, map the columns, preview, import."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from crm.errors import CrmError
from crm.importing.channels import apply_import, plan_channel_import
from crm.importing.mapping import CHANNEL_FIELDS, FIELD_LABELS, infer_defaults, suggest_mapping
from crm.importing.read import LINE, read_table
from crm.importing.report import rejects_csv
from crm.ui.nav import page
from crm.ui.state import get_store
from crm.vocab.platforms import PLATFORM_LABELS, PLATFORMS
from crm.vocab.terms import PROVENANCES

st.title("Import channels")
st.caption(
    "Upload a list of channels: CSV (any delimiter, UTF-8 or Windows-1251), TSV or Excel. "
    "Rows are matched on platform + handle: new channels are added, known ones updated. "
    "Nothing is written until you press Import."
)

upload = st.file_uploader("Channel list", type=["csv", "tsv", "txt", "xlsx"], key="import.file")
if upload is None:
    st.info("Choose a file to start. Column names may be English or Russian.")
    st.stop()

data = upload.getvalue()
try:
    table = read_table(data, upload.name)
except CrmError as exc:
    st.error(str(exc))
    st.stop()

st.markdown(f"**{table.filename}**: {table.describe()}.")
st.dataframe(table.frame.drop(LINE).head(10), hide_index=True, placeholder="")

st.subheader("What each column holds")
suggested = suggest_mapping(table.columns)
hints = infer_defaults(table.columns)
choices: list[str | None] = [None, *CHANNEL_FIELDS]
file_key = f"{table.filename}.{len(data)}"
mapping: dict[str, str | None] = {}
grid = st.columns(3)
for i, column in enumerate(table.columns):
    with grid[i % 3]:
        mapping[column] = st.selectbox(
            f"Column “{column}”",
            choices,
            index=choices.index(suggested.get(column)),
            format_func=lambda f: "— skip this column —" if f is None else FIELD_LABELS[f],
            key=f"import.map.{file_key}.{i}",
        )

platforms: list[str | None] = [None, *PLATFORMS]
platform = st.selectbox(
    "Platform of rows that have no platform column or link",
    platforms,
    index=platforms.index(hints["platform"]),
    format_func=lambda p: "— none —" if p is None else PLATFORM_LABELS[p],
    key=f"import.platform.{file_key}",
)

source_col, date_col = st.columns(2)
provenance = source_col.selectbox(
    "Where the file's numbers come from",
    PROVENANCES,
    index=PROVENANCES.index("manual"),
    help="Kept with every snapshot the import makes, so you know later how far to trust it.",
    key=f"import.provenance.{file_key}",
)
measured_on = date_col.date_input(
    "Measured on (rows without a date of their own)",
    value=dt.date.today(),
    max_value=dt.date.today(),
    format="DD.MM.YYYY",
    key=f"import.measured_on.{file_key}",
)

signature = (file_key, tuple(mapping.items()), platform, provenance, measured_on)
if st.button("Preview", key="import.preview", type="secondary"):
    st.session_state.pop("import.done", None)
    try:
        plan = plan_channel_import(
            get_store().cursor(),
            table,
            mapping,
            platform,
            provenance=provenance,
            measured_on=measured_on,
        )
    except CrmError as exc:
        st.error(str(exc))
        st.session_state.pop("import.plan", None)
    else:
        st.session_state["import.plan"] = (signature, plan)

done = st.session_state.get("import.done")
if done:
    st.success(f"Imported {done}.")
    st.page_link(page("channels"), label="See them on the Channels page", icon=":material/groups:")

stored = st.session_state.get("import.plan")
if stored is None or stored[0] != signature:
    if not done:
        st.info("Press Preview to see what the import would do.")
    st.stop()
plan = stored[1]
counts = plan.counts()

st.subheader("Preview")
for col, (label, key) in zip(
    st.columns(5),
    (
        ("New", "new"),
        ("Updated", "updated"),
        ("Unchanged", "unchanged"),
        ("Rejected", "rejected"),
        ("Duplicates", "duplicates"),
    ),
    strict=True,
):
    col.metric(label, f"{counts[key]:,}".replace(",", "\u202f"))
if counts["duplicates"]:
    st.caption(
        f"{counts['duplicates']} rows repeat a channel that appears again later in the file; "
        "the later row wins."
    )
changing = plan.preview.filter(plan.preview["status"] != "unchanged")
if changing.height:
    st.markdown("**New and updated rows**")
    st.dataframe(
        changing.head(500),
        hide_index=True,
        key="import.changes",
        placeholder="—",
        column_config={
            "line": st.column_config.NumberColumn("Line", width="small", format="plain"),
            "status": st.column_config.TextColumn("Status", width="small"),
            "platform": "Platform",
            "handle": "Handle",
            "title": "Title",
            "followers": st.column_config.NumberColumn("Followers", format="localized"),
            "changes": st.column_config.TextColumn("What changes", width="large"),
        },
    )
if plan.rejects:
    st.markdown("**Rejected rows** (not imported)")
    st.dataframe(
        [{"line": r.line, "reason": r.reason} for r in plan.rejects[:500]],
        hide_index=True,
        key="import.rejects",
        column_config={
            "line": st.column_config.NumberColumn("Line", width="small", format="plain"),
            "reason": st.column_config.TextColumn("Why it was rejected", width="large"),
        },
    )
    st.download_button(
        "Download the rejected rows (CSV)",
        rejects_csv(plan, table),
        file_name=f"rejected-{table.filename}.csv",
        mime="text/csv",
        key="import.rejects_csv",
    )

to_write = counts["new"] + counts["updated"]
if st.button(
    f"Import {to_write:,} row{'' if to_write == 1 else 's'}".replace(",", "\u202f"),
    key="import.apply",
    type="primary",
    disabled=to_write == 0,
):
    try:
        with st.status("Importing…", expanded=True) as status:
            bar = st.progress(0.0)
            result = apply_import(
                get_store(), plan, progress=lambda done_, text: bar.progress(done_, text=text)
            )
            status.update(label="Import finished", state="complete")
    except CrmError as exc:
        st.error(str(exc))
    else:
        st.session_state.pop("import.plan", None)
        st.session_state["import.done"] = result.summary()
        st.success(f"Imported {result.summary()}.")
        st.page_link(
            page("channels"), label="See them on the Channels page", icon=":material/groups:"
        )
        st.toast(f"Imported {result.new} new and {result.updated} updated channels.")
