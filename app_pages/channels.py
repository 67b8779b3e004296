"""Channels: the registry, filtered from the sidebar; add a channel by pasting its link."""

import streamlit as st

from crm import registry
from crm.errors import CrmError
from crm.numbers import format_count
from crm.ui.state import clear_reads, get_store, show_error
from crm.ui.widgets import channel_filters, channel_table, open_channel

store = get_store()


@st.cache_data(show_spinner=False, max_entries=32)
def _options(path: str) -> dict[str, list[str]]:
    return registry.filter_options(get_store().cursor())


@st.cache_data(show_spinner=False, max_entries=16)
def _channels(path: str, flt: registry.ChannelFilter, sort: str):
    return registry.list_channels(get_store().cursor(), flt, sort)


@st.cache_data(show_spinner=False, max_entries=32)
def _total(path: str) -> int:
    return registry.count_channels(get_store().cursor())


flt, sort = channel_filters(_options(store.path))

st.title("Channels")

with st.form("channels.add", clear_on_submit=True, border=False):
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
        clear_reads()
        if created:
            channel = registry.get_channel(store.cursor(), channel_id)
            st.session_state["channels.added"] = channel.key
            st.session_state["registry.channel_id"] = channel_id
        else:
            st.session_state["channels.existing"] = channel_id
            open_channel(channel_id)

if key := st.session_state.pop("channels.added", None):
    st.success(f"Added **{key}**. Open its profile to fill in the title, owner and numbers.")
    st.toast(f"Added {key}", icon=":material/check:")

frame = _channels(store.path, flt, sort)
st.caption(
    f"**{format_count(frame.height)}** of {format_count(_total(store.path))} "
    "channels match. Click a row to open the profile; click a column header to sort."
)
if frame.is_empty():
    st.info("No channel matches these filters. Loosen them or reset them in the sidebar.")
else:
    picked = channel_table(frame, key="channels.table")
    if picked is not None:
        open_channel(picked)
