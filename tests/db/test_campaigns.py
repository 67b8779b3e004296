"""Campaigns: creation, edits, closing, the list, and every refusal leaving nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from crm.errors import StaleEdit, ValidationError
from crm.outreach.campaigns import (
    Campaign,
    campaign_id_by_name,
    campaigns_frame,
    close_campaign,
    create_campaign,
    get_campaign,
    update_campaign,
)
from crm.outreach.events import move_cards
from crm.outreach.shortlist import add_to_shortlist
from crm.registry import add_channel
from crm.store import Store


def _count(store: Store) -> int:
    return int(store.cursor().execute("select count(*) from campaigns").fetchall()[0][0])


def test_create_and_read(store: Store) -> None:
    cid = create_campaign(
        store, name="  Spring launch ", brand="Kefir", goal="Sales", budget="150 000,50",
        currency="usd", starts_on="2026-03-01", ends_on=dt.date(2026, 3, 31),
        audience_notes="Moms 25-40",
    )  # fmt: skip
    assert get_campaign(store.cursor(), cid) == Campaign(
        cid, "Spring launch", "Kefir", "sales", Decimal("150000.50"), "USD",
        dt.date(2026, 3, 1), dt.date(2026, 3, 31), "Moms 25-40", "active", 1,
    )  # fmt: skip
    assert campaign_id_by_name(store.cursor(), "SPRING LAUNCH") == cid
    assert campaign_id_by_name(store.cursor(), "Autumn") is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "  "}, "A campaign needs a name."),
        ({"name": "B", "budget": "0"}, "A budget must be more than zero (leave it blank for none)."),
        ({"name": "B", "budget": "-5"}, "Budget cannot be negative."),
        ({"name": "B", "budget": "lots"}, "Budget “lots” is not a number."),
        ({"name": "B", "currency": "XYZ"}, "Currency “XYZ” is not a known ISO 4217 currency code."),
        ({"name": "B", "currency": "dollars"}, "Currency “dollars” is not a currency code."),
        ({"name": "B", "goal": "fame"},
         "Goal must be one of reach, sales, subscribers, awareness, not “fame”."),
        ({"name": "B", "status": "paused"},
         "Status must be one of draft, active, closed, not “paused”."),
        ({"name": "B", "starts_on": "2026-03-10", "ends_on": "2026-03-01"},
         "The campaign cannot end (2026-03-01) before it starts (2026-03-10)."),
        ({"name": "x" * 201}, "A campaign's name can be at most 200 characters long."),
        ({"name": "spring LAUNCH"},
         "A campaign called “spring LAUNCH” exists already; choose another name."),
    ],
)  # fmt: skip
def test_refusals_write_nothing(store: Store, kwargs: dict, message: str) -> None:
    create_campaign(store, name="Spring launch")
    with pytest.raises(ValidationError) as err:
        create_campaign(store, **kwargs)
    assert str(err.value) == message
    assert _count(store) == 1


def test_update_checks_dates_against_stored_values_and_versions(store: Store) -> None:
    cid = create_campaign(store, name="A", starts_on="2026-03-10", ends_on="2026-03-20")
    other = create_campaign(store, name="B")
    with pytest.raises(ValidationError, match="cannot end"):
        update_campaign(store, cid, 1, {"ends_on": "2026-03-01"})
    with pytest.raises(ValidationError, match="exists already"):
        update_campaign(store, cid, 1, {"name": "b"})
    v = update_campaign(store, cid, 1, {"budget": "5000", "currency": "EUR"})
    assert v == 2
    with pytest.raises(StaleEdit):
        update_campaign(store, cid, 1, {"brand": "X"})
    # another person's budget edit does not block a brand edit made with what was seen
    v = update_campaign(store, cid, 1, {"brand": "X"}, seen={"brand": None})
    c = get_campaign(store.cursor(), cid)
    assert (c.brand, c.budget, c.currency, c.version) == ("X", Decimal("5000.00"), "EUR", 3)
    assert close_campaign(store, cid, v) == 4
    assert get_campaign(store.cursor(), cid).status == "closed"
    assert get_campaign(store.cursor(), other).status == "active"


def test_campaigns_frame_counts_channels_and_open_ones(store: Store) -> None:
    a = create_campaign(store, name="Alpha", starts_on="2026-01-01")
    b = create_campaign(store, name="Beta", starts_on="2026-02-01")
    closed = create_campaign(store, name="Old", status="closed")
    chans = [add_channel(store, "telegram", f"ch{i}") for i in range(3)]
    add_to_shortlist(store, a, chans)
    entry = (
        store.cursor()
        .execute("select id, version from shortlist where channel_id = ?", [chans[0]])
        .fetchall()[0]
    )
    move_cards(store, {entry[0]: entry[1]}, "declined")
    frame = campaigns_frame(store.cursor())
    assert frame.select("name", "channels", "open").rows() == [
        ("Beta", 0, 0), ("Alpha", 3, 2), ("Old", 0, 0),
    ]  # fmt: skip
    assert campaigns_frame(store.cursor(), include_closed=False)["id"].to_list() == [b, a]
    assert closed not in campaigns_frame(store.cursor(), False)["id"].to_list()
