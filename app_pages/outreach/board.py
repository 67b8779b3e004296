"""Pipeline board (being built)."""

import streamlit as st

st.title("Pipeline board")
st.info("Coming in this release.")
