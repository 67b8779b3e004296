"""Campaigns: a brand's push with a goal, a budget in one currency, dates and a status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

import duckdb
import polars as pl

from crm.errors import NotFound, ValidationError
from crm.fields import CAMPAIGNS
from crm.outreach.sql import frame
from crm.pricing.currencies import is_known_currency
from crm.store import Store, columns, update_versioned

GOALS = ("reach", "sales", "subscribers", "awareness")
STATUSES = ("draft", "active", "closed")
CAMPAIGN_EDITABLE = tuple(f.db_column for f in CAMPAIGNS.fields if f.editable)
_CHOICES = {"goal": GOALS, "status": STATUSES}
MAX_NAME = 200


@dataclass(frozen=True)
class Campaign:
    """One campaign as stored."""

    id: int
    name: str
    brand: str | None
    goal: str
    budget: Decimal | None
    currency: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    audience_notes: str | None
    status: str
    version: int


_COLS = ", ".join(f.name for f in fields(Campaign))


def clean_campaign_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Form values of a campaign checked by the field specification (crm.fields.CAMPAIGNS) and
    the campaign's own rules (goal, status, budget above zero, known currency)."""
    out = CAMPAIGNS.clean(values, CAMPAIGN_EDITABLE)
    if len(out.get("name") or "") > MAX_NAME:
        raise ValidationError(f"A campaign's name can be at most {MAX_NAME} characters long.")
    for name, allowed in _CHOICES.items():
        if name not in out:
            continue
        code = (out[name] or CAMPAIGNS.by_name(name).default).strip().lower()
        if code not in allowed:
            label = CAMPAIGNS.by_name(name).label
            raise ValidationError(
                f"{label} must be one of {', '.join(allowed)}, not “{values[name]}”."
            )
        out[name] = code
    if "budget" in out and out["budget"] is not None and out["budget"] <= 0:
        raise ValidationError("A budget must be more than zero (leave it blank for none).")
    if "currency" in out:
        code = out["currency"] or "RUB"
        if not is_known_currency(code):
            raise ValidationError(
                f"Currency “{values['currency']}” is not a known ISO 4217 currency code."
            )
        out["currency"] = code
    return out


def _check_dates(starts_on: dt.date | None, ends_on: dt.date | None) -> None:
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise ValidationError(
            f"The campaign cannot end ({ends_on.isoformat()}) before it starts "
            f"({starts_on.isoformat()})."
        )


def _check_name_free(cur: duckdb.DuckDBPyConnection, name: str, campaign_id: int | None) -> None:
    other = campaign_id_by_name(cur, name)
    if other is not None and other != campaign_id:
        raise ValidationError(f"A campaign called “{name}” exists already; choose another name.")


def create_campaign(
    store: Store,
    *,
    name: str,
    brand: str | None = None,
    goal: str = "reach",
    budget: Decimal | str | float | None = None,
    currency: str = "RUB",
    starts_on: dt.date | str | None = None,
    ends_on: dt.date | str | None = None,
    audience_notes: str | None = None,
    status: str = "active",
) -> int:
    """Create a campaign; refuses a blank or taken name, an end before the start, a budget of
    zero or less, an unknown currency, goal or status. Returns its id."""
    clean = clean_campaign_fields(
        {
            "name": name, "brand": brand, "goal": goal, "budget": budget, "currency": currency,
            "starts_on": starts_on, "ends_on": ends_on, "audience_notes": audience_notes,
            "status": status,
        }
    )  # fmt: skip
    _check_dates(clean["starts_on"], clean["ends_on"])
    with store.transaction("outreach") as cur:
        _check_name_free(cur, clean["name"], None)
        names = list(clean)
        row = cur.execute(
            f"insert into campaigns ({columns(names)}) values ({', '.join('?' for _ in names)}) "
            "returning id",
            list(clean.values()),
        ).fetchall()
    return int(row[0][0])


def update_campaign(
    store: Store,
    campaign_id: int,
    version: int,
    changes: Mapping[str, Any],
    *,
    seen: Mapping[str, Any] | None = None,
) -> int:
    """Apply edits made to the campaign at ``version`` (checked as on creation); returns the new
    version. With ``seen`` an edit over someone else's change to other fields still applies."""
    clean = clean_campaign_fields(changes)
    if not clean:
        return version
    with store.transaction("outreach") as cur:
        current = get_campaign(cur, campaign_id)
        _check_dates(
            clean.get("starts_on", current.starts_on), clean.get("ends_on", current.ends_on)
        )
        if "name" in clean:
            _check_name_free(cur, clean["name"], campaign_id)
        return update_versioned(cur, "campaigns", campaign_id, version, clean, seen=seen)


def close_campaign(store: Store, campaign_id: int, version: int) -> int:
    """Mark the campaign closed (its shortlist and history stay); returns the new version."""
    return update_campaign(store, campaign_id, version, {"status": "closed"})


def get_campaign(cur: duckdb.DuckDBPyConnection, campaign_id: int) -> Campaign:
    """One campaign by id."""
    rows = cur.execute(f"select {_COLS} from campaigns where id = ?", [campaign_id]).fetchall()
    if not rows:
        raise NotFound(f"Campaign {campaign_id} does not exist.")
    return Campaign(*rows[0])


def campaign_id_by_name(cur: duckdb.DuckDBPyConnection, name: str) -> int | None:
    """The id of the campaign with this name (case and surrounding spaces ignored), if any."""
    rows = cur.execute(
        "select id from campaigns where lower(name) = lower(trim(?))", [name or ""]
    ).fetchall()
    return int(rows[0][0]) if rows else None


def campaigns_frame(cur: duckdb.DuckDBPyConnection, include_closed: bool = True) -> pl.DataFrame:
    """Every campaign with how many channels it has shortlisted and how many of them are still
    open (not in a closing stage), newest start first."""
    return frame(
        cur,
        """
        select c.id, c.name, c.brand, c.goal, c.status, c.currency, c.budget, c.starts_on,
               c.ends_on, count(s.id) as channels,
               count(s.id) filter (where not coalesce(st.closing, false)) as open,
               c.version
        from campaigns c
        left join shortlist s on s.campaign_id = c.id
        left join stages st on st.key = s.stage
        where ? or c.status <> 'closed'
        group by c.id, c.name, c.brand, c.goal, c.status, c.currency, c.budget, c.starts_on,
                 c.ends_on, c.version
        order by c.status = 'closed', c.starts_on desc nulls last, lower(c.name)
        """,
        [include_closed],
    )
