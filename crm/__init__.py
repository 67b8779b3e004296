"""Outreach CRM for opinion leaders and public pages.

The application lives here and never imports streamlit (only ``crm.ui`` does).
"""

__version__ = "0.1.0"
