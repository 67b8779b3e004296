"""Campaigns (being built)."""

import streamlit as st

st.title("Campaigns")
st.info("Coming in this release.")
