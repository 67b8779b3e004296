"""Campaign (being built)."""

import streamlit as st

st.title("Campaign")
st.info("Coming in this release.")
