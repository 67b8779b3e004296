"""Entry point: page config, workspace banner, navigation over app_pages/ (crm/ui/nav.py)."""

import streamlit as st

from crm.errors import CrmError
from crm.ui.nav import sections
from crm.ui.state import get_store, note_page
from crm.workspace import workspace_kind

st.set_page_config(page_title="Outreach CRM", page_icon=":material/campaign:", layout="wide")
# Streamlit leaves 6rem above a page's first element, for a header this app keeps empty; the
# title moves up to just below the header's buttons (the one style rule of the app)
st.html("<style>[data-testid='stMainBlockContainer'] { padding-top: 3rem; }</style>")

try:
    store = get_store()
except CrmError as exc:
    st.error(str(exc))
    st.stop()

nav = st.navigation(sections(), position="top")
# arriving from another page starts a new visit: its edit forms show the stored values again
note_page(nav)
if workspace_kind(store.cursor()) == "demo":
    st.sidebar.info(
        "**Demo workspace**: made-up channels to explore. Start an empty one from Home.",
        icon=":material/science:",
    )
nav.run()
