"""Entry point: page config, workspace banner, navigation over app_pages/."""

import streamlit as st

from crm.demo import workspace_kind
from crm.errors import CrmError
from crm.ui.state import get_store

st.set_page_config(page_title="Outreach CRM", page_icon=":material/campaign:", layout="wide")

try:
    store = get_store()
except CrmError as exc:
    st.error(str(exc))
    st.stop()

pages = {
    "": [st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True)],
    "Registry": [
        st.Page("app_pages/channels.py", title="Channels", icon=":material/groups:"),
        st.Page("app_pages/channel.py", title="Channel profile", icon=":material/badge:"),
        st.Page("app_pages/owners.py", title="Owners", icon=":material/contacts:"),
        st.Page("app_pages/import_channels.py", title="Import", icon=":material/upload_file:"),
    ],
}
nav = st.navigation(pages)
if workspace_kind(store.cursor()) == "demo":
    st.sidebar.info(
        "**Demo workspace**: made-up channels to explore. Start an empty one from Home.",
        icon=":material/science:",
    )
nav.run()
