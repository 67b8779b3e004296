"""Audience: member lists per channel, their overlap, the unique reach and price of a selection,
a budgeted shortlist optimizer, owner bundles and audience quality signals."""
