"""Placement (being built)."""

import streamlit as st

st.title("Placement")
st.info("Coming in this release.")
