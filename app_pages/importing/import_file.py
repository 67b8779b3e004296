"""Import a CSV, TSV or Excel file of channels, prices or exchange rates: read, map the columns,
preview, import (crm.importing.kinds: one engine, one entry per kind)."""

from __future__ import annotations

import datetime as dt
import hashlib

import polars as pl
import streamlit as st

from crm.errors import CrmError
from crm.formatting import format_count
from crm.importing.kinds import IMPORT_KINDS
from crm.importing.mapping import infer_defaults, suggest_mapping
from crm.importing.read import LINE, RawTable, read_table
from crm.importing.report import rejects_csv
from crm.ui.nav import page
from crm.ui.state import get_store, pending_toast
from crm.ui.widgets import ask_to_clear_workspace, clear_workspace_dialog
from crm.vocab.currencies import CURRENCY_ALIASES
from crm.vocab.platforms import PLATFORM_LABELS, PLATFORMS
from crm.vocab.terms import PROVENANCE_LABELS, PROVENANCES
from crm.workspace import workspace_kind

# what the preview calls the status of a row
STATUS_LABELS = {"new": "New", "updated": "Updated", "unchanged": "Unchanged"}
CURRENCIES = sorted(set(CURRENCY_ALIASES.values()))
DATE_ORDER_LABELS = {"dmy": "Day first (03/04 is 3 April)", "mdy": "Month first (03/04 is 4 March)"}

store = get_store()

# the kind may come from a link (?kind=rates from Settings); afterwards the control rules
if (asked := st.query_params.pop("kind", None)) in IMPORT_KINDS:
    st.session_state["import.kind"] = asked
kind_name = st.session_state.get("import.kind") or "channels"
spec = IMPORT_KINDS[kind_name]

st.title(f"Import {spec.label.lower()}")
st.segmented_control(
    "What the file holds",
    list(IMPORT_KINDS),
    format_func=lambda k: IMPORT_KINDS[k].label,
    key="import.kind",
    default="channels",
    required=True,
)
st.caption(
    f"{spec.description} CSV (any delimiter, UTF-8 or Windows-1251), TSV or Excel; column "
    "names in English or Russian. Nothing is written until you press Import."
)
pending_toast("import.toast")
clear_workspace_dialog()

if workspace_kind(store.cursor()) == "demo":
    # before anything is previewed: the user's rows would be mixed with made-up ones
    notice, offer = st.columns([3, 1], vertical_alignment="center")
    notice.warning(
        "This is the **demo workspace**: rows imported here are mixed with made-up ones. "
        "Start an empty workspace first to keep your list on its own.",
        icon=":material/science:",
    )
    offer.button(
        "Start an empty workspace first",
        key="import.start_empty",
        icon=":material/delete_sweep:",
        width="stretch",
        on_click=ask_to_clear_workspace,
        args=("The workspace is empty now: preview your file and import it.",),
    )

upload = st.file_uploader(
    f"{spec.label} file", type=["csv", "tsv", "txt", "xlsx"], key="import.file"
)
if upload is None:
    st.info("Choose a file to start. Column names may be English or Russian.")
    st.stop()

# The file is read once: runs after the upload (every widget change is one) reuse the reading
# made for these bytes. Mapping, preview and result are keyed on the bytes too, so another
# file of the same name and size is never shown the first one's preview.
data = upload.getvalue()
digest = hashlib.sha256(data).hexdigest()
# the kind is part of the key: the same file read as prices is mapped and previewed afresh
file_key = f"{digest[:16]}.{kind_name}"
held = st.session_state.get("import.table")
if held is None or held[0] != (digest, upload.name):
    read: RawTable | str
    try:
        read = read_table(data, upload.name)
    except CrmError as exc:
        read = str(exc)
    held = ((digest, upload.name), read)
    st.session_state["import.table"] = held
table = held[1]
if isinstance(table, str):
    st.error(table)
    st.stop()

st.markdown(f"**{table.filename}**: {table.describe()}.")
st.dataframe(table.frame.drop(LINE).head(10), hide_index=True, placeholder="")

st.subheader("What each column holds")
suggested = suggest_mapping(table.columns, spec.entity)
hints = infer_defaults(table.columns)
field_labels = spec.entity.labels()
choices: list[str | None] = [None, *spec.entity.import_targets()]
mapping: dict[str, str | None] = {}
grid = st.columns(3)
for i, column in enumerate(table.columns):
    with grid[i % 3]:
        mapping[column] = st.selectbox(
            f"Column “{column}”",
            choices,
            index=choices.index(suggested.get(column)),
            format_func=lambda f: "— skip this column —" if f is None else field_labels[f],
            key=f"import.map.{file_key}.{i}",
        )

platform: str | None = None
provenance = "manual"
measured_on: dt.date | None = None
if "platform" in spec.choices:
    platforms: list[str | None] = [None, *PLATFORMS]
    platform = st.selectbox(
        "Platform of rows that have no platform column or link",
        platforms,
        index=platforms.index(hints["platform"]),
        format_func=lambda p: "— none —" if p is None else PLATFORM_LABELS[p],
        key=f"import.platform.{file_key}",
    )
if "provenance" in spec.choices:
    source_col, date_col = st.columns(2)
    provenance = source_col.selectbox(
        "Where the file's numbers come from",
        PROVENANCES,
        index=PROVENANCES.index("manual"),
        format_func=PROVENANCE_LABELS.__getitem__,
        help="Kept with every snapshot the import makes, so you know later how far to trust it.",
        key=f"import.provenance.{file_key}",
    )
    measured_on = date_col.date_input(
        "Measured on (rows without a date of their own)",
        value=None,
        max_value=dt.date.today(),
        format="DD.MM.YYYY",
        help="Left empty, such rows are dated today and the preview says how many there are.",
        key=f"import.measured_on.{file_key}",
    )
campaign: str | None = None
channel: str | None = None
if "campaign" in spec.choices:
    campaign_col, channel_col = st.columns(2)
    campaign = (
        campaign_col.text_input(
            "Campaign of rows that name none",
            key=f"import.campaign.{file_key}",
            placeholder="a campaign's name: a new one is created",
            help="Rows with a campaign column keep theirs; a campaign that does not exist yet "
            "is created, and the preview says so.",
        ).strip()
        or None
    )
    channel = (
        channel_col.text_input(
            "Channel of rows that name none",
            key=f"import.channel.{file_key}",
            placeholder="PLATFORM:HANDLE or a link, e.g. facebook:acme",
            help="For a file of one channel's (or one ad account's) results without a channel "
            "column. The channel must be in the registry.",
        ).strip()
        or None
    )
# a currency and the order of day and month are asked for once a preview found them needed
# (and stay asked for this file): most files need neither
needs = st.session_state.get("import.needs")
need_currency, need_order = needs[1:] if needs is not None and needs[0] == file_key else (0, 0)
currency: str | None = None
date_order: str | None = None
if need_currency or need_order:
    currency_col, order_col = st.columns(2)
    if need_currency:
        currency = currency_col.selectbox(
            "Currency of prices that name none",
            [None, *CURRENCIES],
            format_func=lambda c: "— choose —" if c is None else c,
            key=f"import.currency.{file_key}",
        )
    if need_order:
        date_order = order_col.selectbox(
            "Dates that read both ways (03/04/2024)",
            [None, *DATE_ORDER_LABELS],
            format_func=lambda o: "— choose —" if o is None else DATE_ORDER_LABELS[o],
            key=f"import.date_order.{file_key}",
        )

signature = (
    file_key,
    tuple(mapping.items()),
    platform,
    provenance,
    measured_on,
    campaign,
    channel,
    currency,
    date_order,
)
if st.button("Preview", key="import.preview", type="secondary"):
    st.session_state.pop("import.done", None)
    try:
        plan = spec.plan(
            store.cursor(),
            table,
            mapping,
            {
                "platform": platform,
                "campaign": campaign,
                "channel": channel,
                "provenance": provenance,
                "measured_on": measured_on,
                "currency": currency,
                "date_order": date_order,
            },
        )
    except CrmError as exc:
        # the refusal is the answer to these choices until one of them changes
        st.session_state["import.plan"] = (signature, str(exc))
    else:
        st.session_state["import.plan"] = (signature, plan)
        st.session_state["import.needs"] = (
            file_key,
            need_currency or plan.needs_currency,
            need_order or bool(plan.ambiguous_dates),
        )
        if plan.blockers:
            st.rerun()  # draw the choices the plan asks for

done = st.session_state.get("import.done")
if done is not None and done[0] == file_key:
    st.success(f"Imported {done[1]}.")
    if kind_name == "rates":
        st.page_link(page("settings"), label="See them in Settings", icon=":material/settings:")
    elif kind_name == "placements":
        st.page_link(page("placements"), label="See the placements", icon=":material/list_alt:")
        st.page_link(page("analysis"), label="Compare them", icon=":material/insights:")
    else:
        st.page_link(page("channels"), label="See the channels", icon=":material/groups:")
    st.stop()

stored = st.session_state.get("import.plan")
if stored is None or stored[0] != signature:
    st.info("Press Preview to see what the import would do.")
    st.stop()
if isinstance(stored[1], str):
    st.error(stored[1])
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
    col.metric(label, format_count(counts[key]))
if counts["duplicates"]:
    st.caption(
        f"{counts['duplicates']} rows repeat a {spec.record} that appears again later in the file; "
        "the later row wins."
    )
# how the file was read; what must still be chosen is among them and stops the import
for warning in plan.warnings:
    if warning in plan.blockers:
        st.error(warning, icon=":material/block:")
    else:
        st.warning(warning, icon=":material/info:")
changing = plan.preview.filter(pl.col("status") != "unchanged").with_columns(
    pl.col("status").replace_strict(STATUS_LABELS, default=pl.col("status")),
    *(
        [pl.col("platform").replace_strict(PLATFORM_LABELS, default=pl.col("platform"))]
        if "platform" in plan.preview.columns
        else []
    ),
)
if changing.height:
    st.markdown("**New and updated rows**")
    st.dataframe(
        changing.head(500),
        hide_index=True,
        key="import.changes",
        placeholder="—",
        column_config={
            # the kind's own columns under their field labels, then the engine's
            **{c: spec.entity.by_name(c).short_label for c in changing.columns if c in spec.entity},
            "line": st.column_config.NumberColumn("Line", width="small", format="plain"),
            "status": st.column_config.TextColumn("Status", width="small"),
            "platform": "Platform",
            "followers": st.column_config.NumberColumn("Followers", format="%'\u202f,d"),
            "price": st.column_config.NumberColumn("Price", format="%'\u202f,.2f"),
            "amount": st.column_config.NumberColumn("Amount", format="%'\u202f,.2f"),
            "rate": st.column_config.NumberColumn("Rate", format="%.4f"),
            "currency": st.column_config.TextColumn("Currency", width="small"),
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
    f"Import {format_count(to_write)} row{'' if to_write == 1 else 's'}",
    key="import.apply",
    type="primary",
    disabled=to_write == 0 or bool(plan.blockers),
    help="Choose what the red notes above ask for first." if plan.blockers else None,
):
    try:
        with st.status("Importing…", expanded=True) as status:
            bar = st.progress(0.0)
            # one transaction, which also stops calling the workspace a demo
            result = spec.apply(store, plan, lambda done_, text: bar.progress(done_, text=text))
            status.update(label="Import finished", state="complete")
    except CrmError as exc:
        st.error(str(exc))
    else:
        # drawn again without the preview and its Import button: the result is the answer
        st.session_state.pop("import.plan", None)
        st.session_state["import.done"] = (file_key, result.summary())
        st.session_state["import.toast"] = (
            f"Imported {result.new} new and {result.updated} updated {spec.record}s."
        )
        st.rerun()
