"""Analysis (being built)."""

import streamlit as st

st.title("Analysis")
st.info("Coming in this release.")
