"""The only package in crm/ that imports streamlit: shared state and widgets for the pages."""
