"""Placements (being built)."""

import streamlit as st

st.title("Placements")
st.info("Coming in this release.")
