"""Home as a new user meets it: where to start is a row of buttons, and starting an empty
workspace says exactly what is deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from crm import registry
from crm.formatting import format_count
from crm.outreach.followups import follow_ups
from crm.ui.state import get_store
from crm.workspace import workspace_kind


@pytest.mark.parametrize(
    ("label", "title"),
    [
        ("Import a file", "Import channels"),
        ("Browse channels", "Channels"),
        ("Owners", "Owners"),
    ],
)
def test_where_to_start_links_are_buttons(app: AppTest, label: str, title: str) -> None:
    next(b for b in app.button if b.label == label).click().run()
    assert not app.exception
    assert app.title[0].value == title


def test_start_empty_counts_archived_channels_explicitly(app: AppTest) -> None:
    counts = registry.registry_counts(get_store().cursor())
    assert counts["archived"] > 0
    app.button(key="home.clear").click().run()
    total = counts["channels"] + counts["archived"]
    text = "\n".join(m.value for m in app.markdown)
    assert (
        f"{format_count(total)} channels, {format_count(counts['archived'])} of them archived"
        in text
    ), text
    app.button(key="app.clear_confirm").click().run()
    assert not app.exception
    assert registry.registry_counts(get_store().cursor())["channels"] == 0
    assert workspace_kind(get_store().cursor()) == "empty"
    assert [t.value for t in app.toast] == ["The workspace is empty now. Import your first file."]


def test_home_lists_todays_and_overdue_follow_ups_and_opens_one_in_its_campaign(
    app: AppTest,
) -> None:
    due = follow_ups(get_store().cursor(), today=dt.date.today())
    assert due.height > 0  # the demo's follow-ups fall on and before its own today
    overdue = int((due["overdue_days"] > 0).sum())
    heading = (
        f"Follow-ups: {format_count(due.height - overdue)} today, {format_count(overdue)} overdue"
    )
    assert heading in [s.value for s in app.subheader]
    shown = app.dataframe(key="home.follow_ups").value
    assert list(shown["campaign"]) == due["campaign"].to_list()
    assert [d.date() for d in shown["next_follow_up"]] == due["next_follow_up"].to_list()
    first = due.row(0, named=True)
    app.session_state["home.follow_ups"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    app.run()
    assert not app.exception
    assert app.title[0].value == first["campaign"]
    # straight to that channel's own tab in the campaign
    assert app.session_state["campaign.channel"] == first["channel_id"]
    assert app.selectbox(key="campaign.channel").value == first["channel_id"]
