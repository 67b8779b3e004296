"""Settings (being built)."""

import streamlit as st

st.title("Settings")
st.info("Coming in this release.")
