"""Member lists: load one or many files of member ids or usernames, each mapped to its channel;
the current list of every channel, its history, and its members to download again."""

from pathlib import PurePath

import polars as pl
import streamlit as st

from crm.audience import lists
from crm.errors import CrmError
from crm.formatting import format_count
from crm.ui import audience as ui
from crm.ui.columns import COUNT_FORMAT
from crm.ui.outreach import author_input, current_author
from crm.ui.state import get_store, pending_toast, run_write
from crm.ui.widgets import open_channel
from crm.vocab.platforms import PLATFORM_LABELS

ROUND = "lists.round"  # a new round draws an empty uploader after a load
RESULTS = "lists.results"  # (file name, ok, sentence) of the last load, shown once
PICKED = "lists.picked"  # the channel whose history is shown

store = get_store()
author_input()
st.title("Member lists")
pending_toast("lists.deleted")

if held := st.session_state.pop(RESULTS, None):
    for name, ok, sentence in held:
        if ok:
            st.success(f"**{name}**: {sentence}", icon=":material/check_circle:")
        else:
            st.error(f"**{name}**: {sentence}", icon=":material/error:")


def _size(n: int) -> str:
    """A file's size for people: 840 bytes, 12.5 KB, 96.3 MB."""
    if n < 1000:
        return f"{n} bytes"
    if n < 1_000_000:
        return f"{n / 1000:.1f} KB"
    return f"{n / 1_000_000:.1f} MB"


round_no = st.session_state.get(ROUND, 0)
with st.container(border=True):
    st.subheader("Load member lists")
    uploads = st.file_uploader(
        "Member files",
        type=ui.LIST_FILES,
        accept_multiple_files=True,
        key=f"lists.upload.{round_no}",
        help="One id or username per line (no header needed), or a CSV, TSV or Excel table "
        "with an id column. A file named after a channel (vk_club123.csv, durov.txt) is "
        "matched to it; others are mapped below.",
    )
    id_kind = st.segmented_control(
        "Ids are",
        list(ui.ID_KINDS),
        format_func=ui.ID_KINDS.__getitem__,
        default="auto",
        required=True,
        key="lists.id_kind",
        help="Auto: whole numbers are user ids, anything else usernames (@ and case ignored).",
    )
    names = ui.labels()
    choices = list(names)
    plans: list[tuple[int, int | None, str | None]] = []  # (file index, channel, column)
    for k, upload in enumerate(uploads or []):
        data = upload.getvalue()
        name_col, channel_col, column_col = st.columns([2, 3, 2], vertical_alignment="bottom")
        name_col.markdown(f"**{upload.name}**  \n{_size(len(data))}")
        matched = ui.match_file_to_channel(upload.name)
        channel = channel_col.selectbox(
            "Channel",
            choices,
            index=choices.index(matched) if matched in names else None,
            format_func=names.__getitem__,
            placeholder="Choose the channel of this list",
            key=f"lists.channel.{round_no}.{k}",
        )
        columns = ui.file_columns(data, upload.name)
        column = None
        if len(columns) > 1:
            column = column_col.selectbox(
                "Id column",
                [None, *columns],
                format_func=lambda c: "Guess (id, user_id …)" if c is None else str(c),
                key=f"lists.column.{round_no}.{k}",
            )
        else:
            column_col.caption("A plain list" if not columns else f"Column “{columns[0]}”")
        plans.append((k, channel, column))
    count = len(uploads or [])
    load = st.button(
        f"Load {count} list{'' if count == 1 else 's'}" if count else "Load",
        type="primary",
        icon=":material/upload:",
        disabled=not count,
        key="lists.load",
    )

if load and uploads:
    unmapped = [uploads[k].name for k, channel, _ in plans if channel is None]
    if unmapped:
        st.error(
            "Choose the channel of "
            + ", ".join(f"**{n}**" for n in unmapped)
            + " first: nothing was loaded.",
            icon=":material/error:",
        )
    else:
        keys = ui.keys(channel for _, channel, _ in plans if channel is not None)
        results: list[tuple[str, bool, str]] = []
        for k, channel, column in plans:
            upload = uploads[k]
            assert channel is not None
            bar = st.progress(0.0, text=f"{upload.name}: starting")

            def _progress(fraction: float, message: str, bar=bar, name=upload.name) -> None:
                bar.progress(min(max(float(fraction), 0.0), 1.0), text=f"{name}: {message}")

            try:
                result = lists.import_audience_file(
                    store,
                    upload.getvalue(),
                    upload.name,
                    keys[channel],
                    column=column,
                    id_kind=None if id_kind in (None, "auto") else id_kind,
                    progress=_progress,
                    author=current_author(),
                )
            except CrmError as exc:
                results.append((upload.name, False, str(exc)))
            except (ValueError, OSError, UnicodeError, pl.exceptions.PolarsError) as exc:
                # a file no reader understood: say so rather than show a traceback
                results.append((upload.name, False, f"The file could not be read ({exc})."))
            else:
                results.append((upload.name, True, result.summary()))
            bar.empty()
        st.session_state[RESULTS] = results
        st.session_state[ROUND] = round_no + 1
        st.rerun()

st.subheader("Current lists")
frame = ui.audiences()
if frame.is_empty():
    st.info(
        "No channel has a member list yet. Load a file above: the overlap, unique reach and "
        "the optimizer use these lists.",
        icon=":material/group_work:",
    )
    st.stop()
st.caption(
    f"**{format_count(frame.height)}** channels have a member list, "
    f"{format_count(int(frame['size'].sum()))} memberships in all. Click a row for its history "
    "and to download its members."
)
shown = frame.with_columns(
    pl.col("platform").replace_strict(PLATFORM_LABELS, default=pl.col("platform")),
    pl.col("id_kind").replace_strict(
        {"number": "user ids", "text": "usernames"}, default=pl.col("id_kind")
    ),
)
event = st.dataframe(
    shown,
    hide_index=True,
    key="lists.table",
    on_select="rerun",
    selection_mode="single-row",
    height=min(460, 38 + 35 * shown.height),
    placeholder="—",
    column_order=[
        "channel",
        "title",
        "platform",
        "size",
        "followers",
        "id_kind",
        "source",
        "loaded_at",
    ],  # fmt: skip
    column_config={
        "channel": st.column_config.TextColumn("Channel", pinned=True, width=200),
        "title": st.column_config.TextColumn("Title", width=200),
        "platform": st.column_config.TextColumn("Platform", width=90),
        "size": st.column_config.NumberColumn("Members", format=COUNT_FORMAT),
        "followers": st.column_config.NumberColumn(
            "Followers", format=COUNT_FORMAT, help="The latest measured followers"
        ),
        "id_kind": st.column_config.TextColumn("Ids"),
        "source": st.column_config.TextColumn("File"),
        "loaded_at": st.column_config.DatetimeColumn("Loaded", format="DD.MM.YYYY HH:mm"),
    },
)
rows = event.selection.rows if event is not None else []
if rows:
    st.session_state[PICKED] = int(frame["channel_id"][rows[0]])
picked = st.session_state.get(PICKED)
if picked not in frame["channel_id"].to_list():
    st.stop()
row = frame.filter(pl.col("channel_id") == picked).row(0, named=True)

with st.container(border=True):
    head, profile = st.columns([5, 1], vertical_alignment="bottom")
    head.markdown(f"#### {ui.label_for(row['channel'], row['title'])}")
    if profile.button("Open profile", icon=":material/badge:", key="lists.open"):
        open_channel(picked)
    past = ui.history(picked)
    st.dataframe(
        past,
        hide_index=True,
        placeholder="—",
        column_order=[
            "loaded_at",
            "source",
            "size",
            "dropped_duplicates",
            "id_kind",
            "loaded_by",
        ],  # fmt: skip
        column_config={
            "loaded_at": st.column_config.DatetimeColumn("Loaded", format="DD.MM.YYYY HH:mm"),
            "source": st.column_config.TextColumn("File"),
            "size": st.column_config.NumberColumn("Members", format=COUNT_FORMAT),
            "dropped_duplicates": st.column_config.NumberColumn(
                "Duplicates dropped", format=COUNT_FORMAT
            ),
            "id_kind": st.column_config.TextColumn("Ids"),
            "loaded_by": st.column_config.TextColumn("By"),
        },
    )
    stem = PurePath(str(row["channel"]).replace(":", "_")).name
    download, delete = st.columns([2, 1])
    download.download_button(
        f"Download its {format_count(row['size'])} members (CSV)",
        # built only when clicked: a list of millions is not read on every run
        data=lambda: lists.export_members(get_store().cursor(), picked).write_csv().encode(),
        file_name=f"{stem}_members.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"lists.download.{picked}",
        on_click="ignore",
    )
    with delete.popover("Delete the list", icon=":material/delete:"):
        st.caption("The channel keeps its history; overlap and reach no longer count it.")
        if st.button("Delete it", type="primary", key=f"lists.delete.{picked}"):
            run_write(
                lambda: lists.delete_members(store, picked),
                toast_key="lists.deleted",
                toast=f"The member list of {row['channel']} was deleted",
            )
