"""Message templates (being built)."""

import streamlit as st

st.title("Message templates")
st.info("Coming in this release.")
