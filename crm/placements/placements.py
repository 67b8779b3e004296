"""Placements: each paid post with its plan, its price, its link and its ad label.

Logging or publishing a placement of a shortlisted channel moves the channel's card forward
(to ``scheduled``, or ``published`` once the post's link and time are known) in the same
transaction; a card never moves back. ``placements_frame`` reads every placement with its cost
in the base currency, its latest measurement and its flags in one set-based query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import duckdb
import polars as pl

from crm.errors import NotFound, ValidationError
from crm.fields import PLACEMENTS
from crm.metrics import cost_sql
from crm.outreach.campaigns import get_campaign
from crm.outreach.events import move_cards
from crm.outreach.sql import frame
from crm.placements.results import (
    FUTURE_GRACE,
    METRIC_FIELDS,
    check_moment,
    latest_results_sql,
    now,
)
from crm.pricing.currencies import check_currency, converted_sql
from crm.store import Store, columns, refusal, update_versioned
from crm.vocab.platforms import HOSTS, PLATFORM_LABELS
from crm.vocab.terms import CONTENT_TYPE_ALIASES, CONTENT_TYPES, PLACEMENT_STATUSES

STATUSES = PLACEMENT_STATUSES  # ("planned", "published", "cancelled")
# platforms where Russian law requires an ad label (erid) on every paid post
ERID_PLATFORMS = ("vk", "ok", "telegram", "dzen", "rutube")
# published this long before the planned day: a typo in a date, refused
MAX_EARLY = dt.timedelta(days=730)
# published more than this many days before the planned day: flagged
EARLY_FLAG_DAYS = 30
MAX_TEXT = {"ref": 200, "erid": 200, "promo_code": 100, "notes": 10_000}

# the columns a form (update_placement) may change; landing and UTM links go through set_utm
PLACEMENT_EDITABLE = (
    "ref", "campaign_id", "channel_id", "format", "content_type", "planned_on", "published_at",
    "post_url", "price_agreed", "price_paid", "currency", "erid", "promo_code", "planned_reach",
    "planned_clicks", "planned_conversions", "notes", "status",
)  # fmt: skip
_COUNTS = ("planned_reach", "planned_clicks", "planned_conversions")
_MONEY = ("price_agreed", "price_paid")


@dataclass(frozen=True)
class Placement:
    """One placement as stored (money as Decimal, in ``currency``)."""

    id: int
    ref: str | None
    campaign_id: int | None
    channel_id: int
    format: str
    content_type: str | None
    status: str
    planned_on: dt.date | None
    published_at: dt.datetime | None
    post_url: str | None
    landing_url: str | None
    utm_url: str | None
    price_agreed: Decimal | None
    price_paid: Decimal | None
    currency: str | None
    erid: str | None
    promo_code: str | None
    planned_reach: int | None
    planned_clicks: int | None
    planned_conversions: int | None
    notes: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def cost(self) -> Decimal | None:
        """Price paid, else price agreed, in ``currency``."""
        return self.price_agreed if self.price_paid is None else self.price_paid


_COLS = ", ".join(f.name for f in fields(Placement))


def get_placement(cur: duckdb.DuckDBPyConnection, placement_id: int) -> Placement:
    """One placement by id."""
    rows = cur.execute(f"select {_COLS} from placements where id = ?", [placement_id]).fetchall()
    if not rows:
        raise NotFound(f"Placement {placement_id} does not exist.")
    return Placement(*rows[0])


# ---------------------------------------------------------------- checks


def check_content_type(value: object) -> str | None:
    """A content type code (провокация, how-to → provocation, instruction); None for blank."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    code = CONTENT_TYPE_ALIASES.get("_".join(text.lower().replace("-", " ").split()))
    if code is None:
        raise ValidationError(
            f"Content type must be one of {', '.join(CONTENT_TYPES)}, not “{value}”."
        )
    return code


def post_platform(url: str) -> str | None:
    """The platform a link's host belongs to (``t.me`` → telegram), None for any other host."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    if host in HOSTS:
        return HOSTS[host]
    return "tiktok" if host.endswith(".tiktok.com") else None


def _text(name: str, value: object) -> str | None:
    text = " ".join(str(value).split()) if name != "notes" else str(value).strip()
    if not text:
        return None
    if len(text) > MAX_TEXT[name]:
        label = PLACEMENTS.by_column(name).short_label if name in PLACEMENTS else "Notes"
        raise ValidationError(f"{label} can be at most {MAX_TEXT[name]} characters long.")
    return text


def _id(name: str, value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError(f"{name} must be a record id, not “{value}”.")
    try:
        return int(value)
    except ValueError:
        raise ValidationError(f"{name} must be a record id, not “{value}”.") from None


def clean_placement_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Form values of a placement (keyed by column) checked one by one, by the rules imports
    use (crm.fields.PLACEMENTS); refuses a column a form may not change."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in PLACEMENT_EDITABLE:
            raise ValidationError(f"“{name}” is not a field of a placement that can be edited.")
        if name in ("campaign_id", "channel_id"):
            out[name] = _id("Campaign" if name == "campaign_id" else "Channel", value)
        elif name == "content_type":
            out[name] = check_content_type(value)
        elif name == "published_at":
            out[name] = check_moment(value, "Published at")
        elif name == "currency":
            out[name] = check_currency(value) if value not in (None, "") else None
        elif name == "status":
            code = str(value or "").strip().lower()
            if code not in STATUSES:
                raise ValidationError(
                    f"A placement's status is one of {', '.join(STATUSES)}, not “{value}”."
                )
            out[name] = code
        elif name in MAX_TEXT:
            out[name] = _text(name, value) if value is not None else None
        else:
            out[name] = PLACEMENTS.by_column(name).check(value)
    if "format" in out and out["format"] is None:
        out["format"] = "post"
    return out


def _channel(cur: duckdb.DuckDBPyConnection, channel_id: int | None) -> tuple[str, str]:
    if channel_id is None:
        raise ValidationError("A placement needs a channel.")
    rows = cur.execute(
        "select platform, handle from channels where id = ?", [channel_id]
    ).fetchall()
    if not rows:
        raise NotFound(f"Channel {channel_id} does not exist.")
    return str(rows[0][0]), str(rows[0][1])


def _check_record(record: Mapping[str, Any], platform: str, handle: str) -> None:
    """The rules between fields of a whole placement (after each field was checked)."""
    url = record.get("post_url")
    if url and platform != "other":
        found = post_platform(url)
        name = PLATFORM_LABELS.get(platform, platform)
        if found is None:
            raise ValidationError(
                f"The post link “{url}” is not a link to {name}, where the channel "
                f"{platform}:{handle} is: paste the link of the post itself."
            )
        if found != platform:
            raise ValidationError(
                f"The post link “{url}” is on {PLATFORM_LABELS.get(found, found)}, but the "
                f"channel {platform}:{handle} is on {name}: paste the link of its post on {name}."
            )
    for name in _MONEY:
        amount = record.get(name)
        if amount is not None and amount > 0 and not record.get("currency"):
            label = PLACEMENTS.by_column(name).short_label
            raise ValidationError(f"{label} needs a currency: choose one (RUB, USD …).")
    planned, published = record.get("planned_on"), record.get("published_at")
    early = planned is not None and published is not None and planned - published.date()
    if early and early > MAX_EARLY:
        raise ValidationError(
            f"Published {published:%Y-%m-%d}, {early.days} days before it was planned "
            f"({planned:%Y-%m-%d}): check the dates."
        )
    if published is not None and published > now() + FUTURE_GRACE:
        raise ValidationError(
            f"Published at {published:%Y-%m-%d %H:%M} is in the future: a post not out yet "
            "has a planned day, and its time of publication once it is out."
        )
    if record.get("status") == "published" and published is None:
        raise ValidationError("A published placement needs the date and time it was published.")


def _check_ref_free(
    cur: duckdb.DuckDBPyConnection, ref: str | None, placement_id: int | None
) -> None:
    if ref is None:
        return
    rows = cur.execute("select id from placements where ref = ?", [ref]).fetchall()
    if rows and int(rows[0][0]) != placement_id:
        raise ValidationError(
            f"Placement {rows[0][0]} has the ref “{ref}” already: a ref names one placement."
        )


def _advance_card(
    store: Store,
    cur: duckdb.DuckDBPyConnection,
    campaign_id: int | None,
    channel_id: int,
    published: bool,
    author: str | None,
) -> bool:
    """Move the channel's card in the campaign to ``scheduled`` (``published`` when the post
    is out), only forward: a card at that stage or a later open one stays where it is. A card
    in a closing stage (declined, no response) moves, since the placement shows a deal was
    made after all. A workspace that deleted the stage keeps its cards where they are. Whether
    the card moved."""
    if campaign_id is None:
        return False
    target = "published" if published else "scheduled"
    rows = cur.execute(
        """
        select s.id, s.version, coalesce(cur.closing, false), cur.position, t.position
        from shortlist s
        join stages t on t.key = ?
        left join stages cur on cur.key = s.stage
        where s.campaign_id = ? and s.channel_id = ?
        """,
        [target, campaign_id, channel_id],
    ).fetchall()
    if not rows:
        return False
    entry, version, closing, position, target_position = rows[0]
    if not closing and position is not None and position >= target_position:
        return False
    move_cards(store, {int(entry): int(version)}, target, author=author)
    return True


def advance_cards(
    store: Store,
    placements: Iterable[tuple[int | None, int, bool]],
    *,
    author: str | None = None,
) -> int:
    """Move the cards of placements' channels on their campaigns' pipelines, as logging each
    placement does (``scheduled``, or ``published`` when one of them is out; only forward),
    all in one transaction. ``placements``: (campaign id, channel id, published). Returns how
    many cards moved."""
    wanted: dict[tuple[int, int], bool] = {}
    for campaign_id, channel_id, published in placements:
        if campaign_id is not None:
            key = (int(campaign_id), int(channel_id))
            wanted[key] = wanted.get(key, False) or bool(published)
    if not wanted:
        return 0
    with store.transaction(("outreach", "placements")) as cur:
        # only the channels on their campaign's shortlist have a card to move
        listed = {
            (int(a), int(b))
            for a, b in cur.execute(
                "select campaign_id, channel_id from shortlist "
                "where list_contains(?::bigint[], campaign_id)",
                [sorted({c for c, _ in wanted})],
            ).fetchall()
        }
        return sum(
            _advance_card(store, cur, campaign, channel, published, author)
            for (campaign, channel), published in wanted.items()
            if (campaign, channel) in listed
        )


def _derive_status(cur: duckdb.DuckDBPyConnection, placement_id: int) -> str:
    """Keep the status in step with the record: published once its time is known, planned
    before; a cancelled placement stays cancelled (the status is derived, not an edit)."""
    rows = cur.execute(
        """
        update placements
        set status = case when published_at is not null then 'published' else 'planned' end
        where id = ? and status <> 'cancelled'
        returning status
        """,
        [placement_id],
    ).fetchall()
    if rows:
        return str(rows[0][0])
    return "cancelled"


# ---------------------------------------------------------------- writes


def log_placement(
    store: Store,
    *,
    channel_id: int,
    campaign_id: int | None = None,
    format: str = "post",
    content_type: str | None = None,
    planned_on: dt.date | str | None = None,
    published_at: dt.datetime | dt.date | str | None = None,
    post_url: str | None = None,
    landing_url: str | None = None,
    price_agreed: Decimal | str | float | None = None,
    price_paid: Decimal | str | float | None = None,
    currency: str | None = None,
    erid: str | None = None,
    promo_code: str | None = None,
    planned_reach: int | str | None = None,
    planned_clicks: int | str | None = None,
    planned_conversions: int | str | None = None,
    notes: str | None = None,
    ref: str | None = None,
    author: str | None = None,
) -> int:
    """Log a placement; returns its id. Refuses a post link of another platform than the
    channel's, a price without a currency, negative numbers and a publication more than two
    years before the plan. A shortlisted channel's card moves forward in the same transaction."""
    clean = clean_placement_fields(
        {
            "ref": ref, "campaign_id": campaign_id, "channel_id": channel_id, "format": format,
            "content_type": content_type, "planned_on": planned_on, "published_at": published_at,
            "post_url": post_url, "price_agreed": price_agreed, "price_paid": price_paid,
            "currency": currency, "erid": erid, "promo_code": promo_code,
            "planned_reach": planned_reach, "planned_clicks": planned_clicks,
            "planned_conversions": planned_conversions, "notes": notes,
        }
    )  # fmt: skip
    if landing_url not in (None, ""):
        # the landing link is kept with its tracked link (crm.placements.utm.set_utm)
        raise ValidationError("Set the landing link with the UTM builder (set_utm).")
    clean["status"] = "published" if clean["published_at"] is not None else "planned"
    with store.transaction(("placements", "outreach")) as cur:
        platform, handle = _channel(cur, clean["channel_id"])
        if clean["campaign_id"] is not None:
            get_campaign(cur, clean["campaign_id"])
        _check_record(clean, platform, handle)
        _check_ref_free(cur, clean["ref"], None)
        names = list(clean)
        row = cur.execute(
            f"insert into placements ({columns(names)}) values "
            f"({', '.join('?' for _ in names)}) returning id",
            list(clean.values()),
        ).fetchall()
        placement_id = int(row[0][0])
        published = bool(clean["post_url"] and clean["published_at"])
        _advance_card(store, cur, clean["campaign_id"], clean["channel_id"], published, author)
    return placement_id


def update_placement(
    store: Store,
    placement_id: int,
    version: int,
    changes: Mapping[str, Any],
    *,
    seen: Mapping[str, Any] | None = None,
    author: str | None = None,
) -> int:
    """Apply edits made to the placement at ``version`` (checked as when logged); returns the
    new version. Publishing moves the channel's card forward as logging does."""
    clean = clean_placement_fields(changes)
    if not clean:
        return version
    with store.transaction(("placements", "outreach")) as cur:
        current = get_placement(cur, placement_id)
        merged = {**asdict(current), **clean}
        platform, handle = _channel(cur, merged["channel_id"])
        if "campaign_id" in clean and clean["campaign_id"] is not None:
            get_campaign(cur, clean["campaign_id"])
        _check_record(merged, platform, handle)
        if "ref" in clean:
            _check_ref_free(cur, clean["ref"], placement_id)
        new_version = update_versioned(cur, "placements", placement_id, version, clean, seen=seen)
        after = get_placement(cur, placement_id)
        status = _derive_status(cur, placement_id)
        if status != "cancelled":
            published = bool(after.post_url and after.published_at)
            _advance_card(store, cur, after.campaign_id, after.channel_id, published, author)
    return new_version


def cancel_placement(store: Store, placement_id: int, version: int) -> int:
    """Mark the placement cancelled (its record and results stay); returns the new version."""
    with store.transaction("placements") as cur:
        get_placement(cur, placement_id)
        return update_versioned(cur, "placements", placement_id, version, {"status": "cancelled"})


def delete_placement(store: Store, placement_id: int, version: int) -> None:
    """Delete a placement with its measurements and screenshots, if it is still at ``version``."""
    with store.transaction("placements") as cur:
        current = get_placement(cur, placement_id)
        if current.version != version:
            raise refusal(cur, "placements", placement_id)
        cur.execute("delete from evidence where placement_id = ?", [placement_id])
        cur.execute("delete from results where placement_id = ?", [placement_id])
        cur.execute("delete from placements where id = ?", [placement_id])


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class PlacementFilter:
    """What the Placements and Analysis pages narrow placements by; empty means everything."""

    campaign_ids: tuple[int, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    platforms: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    content_types: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # the channel's kind: person, public_page
    status: tuple[str, ...] = ()
    search: str = ""


# a placement's date: when it was published, else planned, else logged (the day its cost is
# converted at, and the day date filters and months go by)
PLACEMENT_DATE_SQL = "coalesce(p.published_at::date, p.planned_on, p.created_at::date)"
SEARCH_WORDS = 8
_HAYSTACK = """lower(concat_ws(' ', p.ref, c.handle, c.title, k.name, p.post_url, p.promo_code,
                              p.erid, p.notes))"""


def filter_sql(flt: PlacementFilter | None) -> tuple[str, list[Any]]:
    """The where condition over placements p, channels c and campaigns k (left joined), and its
    parameters; ``true`` for no filter."""
    clauses = ["true"]
    params: list[Any] = []
    if flt is None:
        return "true", params
    for column, chosen, kind in (
        ("p.campaign_id", flt.campaign_ids, "bigint"),
        ("c.platform", flt.platforms, "varchar"),
        ("p.format", flt.formats, "varchar"),
        ("p.content_type", flt.content_types, "varchar"),
        ("c.kind", flt.kinds, "varchar"),
        ("p.status", flt.status, "varchar"),
    ):
        if chosen:
            clauses.append(f"list_contains(?::{kind}[], {column})")
            params.append(list(chosen))
    if flt.date_from is not None:
        clauses.append(f"{PLACEMENT_DATE_SQL} >= ?::date")
        params.append(flt.date_from)
    if flt.date_to is not None:
        clauses.append(f"{PLACEMENT_DATE_SQL} <= ?::date")
        params.append(flt.date_to)
    for word in (flt.search or "").lower().split()[:SEARCH_WORDS]:
        clauses.append(f"contains({_HAYSTACK}, ?)")
        params.append(word.lstrip("@") or word)
    return " and ".join(clauses), params


def flags_sql() -> str:
    """The flags of a placement as an SQL list of short sentences, over the columns of
    ``placements_sql`` (platform, status, erid, clicks, impressions, planned_on, published_at,
    cost and revenue and their missing rates)."""
    sentences = [
        f"""case when status = 'published' and erid is null
                  and list_contains({list(ERID_PLATFORMS)!r}::varchar[], platform)
             then 'No erid (ad label) on a published ' || platform || ' placement' end""",
        # CTR falls back to reach without impressions: clicks above reach are as suspect
        """case when clicks > impressions
                  then 'Clicks (' || clicks || ') above impressions (' || impressions || ')'
             when impressions is null and clicks > reach
                  then 'Clicks (' || clicks || ') above reach (' || reach || ')' end""",
        f"""case when planned_on - published_at::date > {EARLY_FLAG_DAYS}
             then 'Published ' || (planned_on - published_at::date) || ' days before planned'
             end""",
        """case when cost_rate_missing is not null
             then 'No ' || cost_rate_missing || ' rate on or before ' || cast(date as varchar)
                  || ': the cost is not converted' end""",
        """case when revenue_rate_missing is not null
             then 'No ' || revenue_rate_missing || ' rate on or before '
                  || cast(measured_at::date as varchar)
                  || ': the revenue is not converted' end""",
    ]
    return f"list_filter([{', '.join(sentences)}], lambda x: x is not null)"


FLAGS_SQL = flags_sql()


def placements_sql(
    flt: PlacementFilter | None = None,
    *,
    as_of: dt.datetime | None = None,
    ids: tuple[int, ...] | None = None,
) -> tuple[str, list[Any]]:
    """The query behind ``placements_frame`` and the KPIs: one row per placement that passes
    the filter (and is one of ``ids``, when given), with its channel, campaign, cost in the
    base currency (``cost_base``), latest measurement (at or before ``as_of``) with revenue in
    the base currency (``revenue_base``), and flags; (sql, params). Set-based: one ASOF join
    per converted amount."""
    where, where_params = filter_sql(flt)
    if ids is not None:
        where += " and list_contains(?::bigint[], p.id)"
        where_params.append([int(i) for i in ids])
    latest = latest_results_sql(as_of_param=as_of is not None)
    latest_params: list[Any] = [as_of] if as_of is not None else []
    # each amount converted on its own day; the conversion's ASOF join sorts its input, so it
    # gets the narrow (id, amount, currency, date) rows and the rest is joined back by id
    costs, _ = converted_sql("select id, amount, currency, date from base")
    revenues, _ = converted_sql(
        "select id, revenue as amount, currency, measured_at::date as date from lr "
        "where revenue is not null"
    )
    metrics = ", ".join(f"lr.{m}" for m in METRIC_FIELDS)
    sql = f"""
    with base as (
        select p.id, p.ref, p.campaign_id, k.name as campaign, p.channel_id,
               c.platform || ':' || c.handle as channel, c.title, c.platform, c.kind,
               p.format, p.content_type, p.status, p.planned_on, p.published_at,
               {PLACEMENT_DATE_SQL} as date, p.post_url, p.landing_url, p.utm_url, p.erid,
               p.promo_code, p.price_agreed, p.price_paid, p.currency,
               {cost_sql("p")} as amount, p.planned_reach, p.planned_clicks,
               p.planned_conversions, p.notes, p.version
        from placements p
        join channels c on c.id = p.channel_id
        left join campaigns k on k.id = p.campaign_id
        where {where}
    ),
    lr as ({latest}),
    pc as ({costs}),
    rc as ({revenues}),
    rows as (
        select base.* exclude (amount, notes, version),
               base.amount as cost,
               -- an amount of 0 needs no rate (and may have no currency)
               case when base.amount = 0 then 0::decimal(18, 2) else pc.amount_to end
                   as cost_base,
               case when base.amount <> 0 then pc.rate_missing end as cost_rate_missing,
               lr.id as result_id, {metrics}, lr.revenue, lr.currency as revenue_currency,
               case when lr.revenue = 0 then 0::decimal(18, 2) else rc.amount_to end
                   as revenue_base,
               case when lr.revenue <> 0 then rc.rate_missing end as revenue_rate_missing,
               lr.provenance, lr.measured_at, base.notes, base.version
        from base
        join pc on pc.id = base.id
        left join lr on lr.placement_id = base.id
        left join rc on rc.id = lr.id
    )
    select * exclude (notes, version), {FLAGS_SQL} as flags, notes, version from rows
    """
    # parameters in the order their ? appear: the filter's, then the latest measurement's
    return sql, [*where_params, *latest_params]


def placements_frame(
    cur: duckdb.DuckDBPyConnection,
    flt: PlacementFilter | None = None,
    *,
    as_of: dt.datetime | None = None,
) -> pl.DataFrame:
    """One row per placement (newest first): channel, campaign, plan, prices, ``cost_base`` in
    the base currency (None when a rate is missing, never at a rate of 1), the latest
    measurement (at or before ``as_of``), ``revenue_base``, and ``flags`` (short sentences)."""
    sql, params = placements_sql(flt, as_of=as_of)
    return frame(cur, f"select * from ({sql}) order by date desc, id desc", params)


def flags(cur: duckdb.DuckDBPyConnection, placement_id: int) -> list[str]:
    """The flags of one placement (no erid, clicks above impressions, published long before
    planned, a rate missing), as short sentences."""
    sql, params = placements_sql(ids=(placement_id,))
    rows = cur.execute(f"select flags from ({sql})", params).fetchall()
    if not rows:
        raise NotFound(f"Placement {placement_id} does not exist.")
    return list(rows[0][0])
