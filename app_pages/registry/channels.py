"""Channels: the registry, filtered from the sidebar; add a channel by pasting its link."""

import polars as pl
import streamlit as st

from crm import registry
from crm.errors import CrmError, StaleEdit
from crm.exports import channels_frame, frame_bytes
from crm.formatting import format_count
from crm.outreach.shortlist import add_to_shortlist
from crm.placements.scorecard import scorecards
from crm.ui.nav import page
from crm.ui.outreach import campaign_picker, current_author, open_campaign
from crm.ui.state import (
    get_store,
    known_values,
    owner_choices,
    pending_toast,
    run_write,
    show_error,
)
from crm.ui.widgets import channel_filters, channel_picker, open_channel

store = get_store()


PAGE_SIZE = 500


# both keyed by generations: any committed write makes the next run read afresh
@st.cache_data(show_spinner=False, max_entries=16)
def _channels(
    path: str, generation: tuple[int, int], flt: registry.ChannelFilter, sort: str, page_no: int
):
    cur = get_store().cursor()
    frame, matching = registry.page_channels(
        cur, flt, sort, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE
    )
    # each row's delivery from its scorecard (actual / planned reach; empty without history)
    cards = scorecards(cur, frame["id"].to_list()).select(
        pl.col("channel_id").alias("id"), "delivery"
    )
    frame = frame.join(cards, on="id", how="left", maintain_order="left")
    return registry.with_growth(cur, frame), matching


@st.cache_data(show_spinner=False, max_entries=32)
def _total(path: str, generation: int) -> int:
    return registry.count_channels(get_store().cursor())


flt, sort = channel_filters(known_values())

st.title("Channels")
pending_toast("channels.bulk_done")
if notice := st.session_state.pop("channels.notice", None):
    st.error(notice, icon=":material/sync_problem:")

# the box keeps what was pasted until a channel is added (a refused link can be corrected);
# a new round draws an empty box for the next link
add_round = st.session_state.get("channels.add_round", 0)
with st.form(f"channels.add.{add_round}", border=False):
    link_col, button_col = st.columns([5, 1], vertical_alignment="bottom")
    link = link_col.text_input(
        "Add a channel by its link",
        placeholder="https://t.me/name, vk.com/club123, youtube.com/@name, instagram.com/name …",
    )
    added = button_col.form_submit_button("Add channel", icon=":material/add:", width="stretch")
if added:
    try:
        channel_id, created = registry.add_channel_from_url(store, link)
    except CrmError as exc:
        show_error(exc)
    else:
        st.session_state["channels.add_round"] = add_round + 1
        channel = registry.get_channel(store.cursor(), channel_id)
        if created:
            st.session_state["channels.added"] = (channel.id, channel.key)
            st.rerun()
        else:
            st.session_state["channel.notice"] = (
                f"**{channel.key}** is already in the registry: here is its profile."
            )
            open_channel(channel_id)

if held := st.session_state.pop("channels.added", None):
    new_id, new_key = held
    done, go = st.columns([4, 1], vertical_alignment="center")
    done.success(f"Added **{new_key}**. Open its profile to fill in the title, owner and numbers.")
    go.page_link(
        page("channel"),
        label="Open its profile",
        icon=":material/badge:",
        query_params={"id": str(new_id)},
    )
    st.toast(f"Added {new_key}", icon=":material/check:")


def _shortlist(campaign_id: int | None, channel_ids: list[int]) -> None:
    """Add channels to a campaign's shortlist; says what happened, with a way to the campaign."""
    if campaign_id is None:
        return
    run_write(
        lambda: add_to_shortlist(store, campaign_id, channel_ids, author=current_author()),
        toast_key="channels.bulk_done",
        toast=lambda result: f"{len(result.added)} added to the shortlist",
        then=lambda result: st.session_state.update(
            {"channels.shortlisted": (campaign_id, result.message())}
        ),
    )


if held := st.session_state.pop("channels.shortlisted", None):
    done, go = st.columns([4, 1], vertical_alignment="center")
    done.success(held[1], icon=":material/playlist_add_check:")
    if go.button("Open the campaign", icon=":material/flag:", key="channels.open_campaign"):
        open_campaign(held[0])

# a new filter or sort starts again from the first page
view = (flt, sort)
if st.session_state.get("channels.view") != view:
    st.session_state["channels.view"] = view
    st.session_state["channels.page"] = 1
    st.session_state["channels.round"] = st.session_state.get("channels.round", 0) + 1
page_no = st.session_state.get("channels.page", 1)
# ticks belong to the rows on screen: a new filter, page or bulk edit starts with none ticked
table_key = f"channels.table.{st.session_state['channels.round']}.{page_no}"
st.session_state["channels.table_key"] = table_key
generation = store.generation("registry")
frame, matching = _channels(
    store.path, (generation, store.generation("placements")), flt, sort, page_no
)
# Ticks are row positions in the table as the user saw it, which is the one the previous run
# drew: a write meanwhile (in another session) may have reordered the rows this run reads.
# So a bulk edit acts on the channels of that table, against the versions it showed.
drawn = st.session_state.get("channels.drawn")
if drawn is None or drawn[0] != table_key:
    drawn = (table_key, frame["id"].to_list(), frame["version"].to_list())
st.session_state["channels.drawn"] = (table_key, frame["id"].to_list(), frame["version"].to_list())
pages = max(1, -(-matching // PAGE_SIZE))

total = _total(store.path, generation)
if total == 0:
    # nothing to filter yet: say how channels get in, not that the filters match nothing
    st.info(
        "The workspace is empty. **Import a file** of channels (CSV, TSV or Excel), or add "
        "one channel by pasting its link above.",
        icon=":material/inbox:",
    )
    st.page_link(page("import"), label="Import a file", icon=":material/upload_file:")
    st.stop()

summary, pager, shortlist, download = st.columns([4, 1, 1.6, 1.2], vertical_alignment="bottom")
first = (page_no - 1) * PAGE_SIZE + 1
shown = f"rows {first:,}–{first + frame.height - 1:,}" if pages > 1 else ""
summary.caption(
    f"**{format_count(matching)}** of {format_count(total)} channels match"
    + (f" · {shown}".replace(",", "\u202f") if shown else "")
    + ". Tick rows to open or edit them; “Sort by” in the sidebar orders the whole list."
)
if pages > 1:
    pager.number_input(
        f"Page (of {pages})", min_value=1, max_value=pages, key="channels.page", step=1
    )
if matching == 0:
    st.info("No channel matches these filters. Loosen them or reset them in the sidebar.")
    st.stop()
with shortlist.popover("Add to campaign", icon=":material/playlist_add:", width="stretch"):
    st.caption(
        f"Put all {format_count(matching)} matching channels on a campaign's shortlist "
        "(channels already on it are left as they are)."
    )
    target = campaign_picker(key="channels.all_campaign", include_closed=False)
    if st.button(
        f"Add all {format_count(matching)} matching",
        key="channels.add_all",
        type="primary",
        disabled=target is None,
        width="stretch",
    ):
        _shortlist(target, registry.matching_channel_ids(store.cursor(), flt))
with download.popover("Download", icon=":material/download:", width="stretch"):
    st.caption(f"All {format_count(matching)} matching channels, with their latest numbers.")
    for label, suffix, mime in (
        ("CSV", ".csv", "text/csv"),
        ("Excel", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        st.download_button(
            label,
            # built only when clicked, from the same filter as the table
            data=lambda suffix=suffix: frame_bytes(
                channels_frame(get_store().cursor(), flt), suffix
            ),
            file_name=f"channels{suffix}",
            mime=mime,
            key=f"channels.download{suffix}",
            on_click="ignore",
            width="stretch",
        )
if frame.is_empty():
    st.info("This page of the list is empty: go back to an earlier page.")
    st.stop()

# the actions sit above the table, so they are in view where the ticking happens
bar = st.container()
_, seen_ids, seen_versions = drawn
rows = [r for r in channel_picker(frame, key=table_key) if r < len(seen_ids)]
checked = [seen_ids[r] for r in rows]
if not checked:
    bar.caption("Tick one channel to open its profile, or several to tag, assign or archive them.")
    st.stop()

with bar.container(border=True):
    # "Open profile" sits in the heading row, wide enough for its whole label
    head, open_col = st.columns([3, 1], vertical_alignment="center")
    head.markdown(f"**{len(checked)} selected**")
    if len(checked) == 1 and open_col.button(
        "Open profile", icon=":material/badge:", type="primary", width="stretch"
    ):
        open_channel(checked[0])
    tag_col, owner_col, archive_col = st.columns([3, 3, 1.3], vertical_alignment="bottom")
    with tag_col:
        tag = st.text_input("Tag", placeholder="e.g. shortlist spring", key="channels.bulk_tag")
        add_col, remove_col = st.columns(2)
        add_tag = add_col.button("Add tag", icon=":material/sell:", width="stretch")
        remove_tag = remove_col.button("Remove tag", width="stretch")
    with owner_col:
        # contacts and channel counts tell two owners of one name apart
        owners = {c.id: c.label for c in owner_choices()}
        owner = st.selectbox(
            "Owner",
            [None, *owners],
            format_func=lambda i: "— no owner —" if i is None else owners[i],
            key="channels.bulk_owner",
        )
        set_owner = st.button("Set owner", icon=":material/person:", width="stretch")
    archive = archive_col.button("Archive", icon=":material/archive:", width="stretch")
    restore = archive_col.button("Restore", icon=":material/unarchive:", width="stretch")
    camp_col, add_col = st.columns([6, 1.3], vertical_alignment="bottom")
    with camp_col:
        to_campaign = campaign_picker(
            "Add to the shortlist of", key="channels.bulk_campaign", include_closed=False
        )
    if add_col.button(
        "Add to shortlist",
        icon=":material/playlist_add:",
        width="stretch",
        disabled=to_campaign is None,
        key="channels.bulk_shortlist",
    ):
        _shortlist(to_campaign, checked)

edits: dict | None = None
if (add_tag or remove_tag) and not (tag or "").strip():
    bar.warning("Type the tag first.")
elif add_tag:
    edits = {"add_tags": [tag]}
elif remove_tag:
    edits = {"remove_tags": [tag]}
elif set_owner:
    edits = {"owner_id": owner} if owner is not None else {"clear_owner": True}
elif archive or restore:
    edits = {"archived": bool(archive)}
if edits is None and rows != [
    r for r in rows if r < frame.height and frame["id"][r] == seen_ids[r]
]:
    # the table this run draws has other channels where the ticks are (someone archived or
    # re-measured channels meanwhile): the ticks would land on rows the user did not tick
    st.session_state["channels.notice"] = (
        "The list changed while channels were ticked (someone edited it meanwhile), so the "
        "ticks were cleared rather than left on other rows. Tick the channels again."
    )
    st.session_state["channels.round"] += 1
    st.rerun()
if edits is not None:
    try:
        changed = registry.bulk_edit(
            store, versions={seen_ids[r]: seen_versions[r] for r in rows}, **edits
        )
    except StaleEdit:
        # the ticked rows may have moved: start again from none ticked, on the current data
        st.session_state["channels.notice"] = (
            f"Nothing was changed: some of the {len(checked)} channels you ticked were changed "
            "elsewhere since the table showed them. The table now shows their current data; "
            "tick the channels again."
        )
    except CrmError as exc:
        bar.error(str(exc), icon=":material/error:")
        st.stop()
    else:
        st.session_state["channels.bulk_done"] = (
            f"{changed} of {len(checked)} selected channels changed"
        )
    st.session_state["channels.round"] += 1
    st.rerun()
