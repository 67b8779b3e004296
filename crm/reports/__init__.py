"""Reports for clients: files that stand on their own, made from the figures the app shows."""

from crm.reports.campaign import LANGUAGES, STRINGS, Language, campaign_report_html

__all__ = ["LANGUAGES", "STRINGS", "Language", "campaign_report_html"]
