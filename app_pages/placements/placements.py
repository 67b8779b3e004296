"""Placements: every paid post with its latest results, cost in the base currency and flags;
log a new one."""

import datetime as dt
from typing import Any

import polars as pl
import streamlit as st

from crm.formatting import format_count, format_money
from crm.placements.placements import STATUSES, PlacementFilter, log_placement
from crm.pricing.currencies import base_currency
from crm.ui.columns import COUNT_FORMAT, DATE_FORMAT
from crm.ui.outreach import campaign_list, currency_options, current_author, label_of
from crm.ui.placements import (
    CONTENT_TYPE_LABELS,
    STATUS_LABELS,
    channel_choices,
    flags_text,
    open_placement,
    placements_table,
    take_prefill,
)
from crm.ui.state import get_store, pending_toast, run_write
from crm.vocab.platforms import PLATFORM_LABELS, PLATFORMS
from crm.vocab.terms import CONTENT_TYPES, FORMAT_LABELS, FORMATS

SHOWN = 1000  # rows drawn at most: more is narrowed by the filters, not scrolled
_F = "placements.filter."  # the list's filters
_NEW = "placements.new"  # the log form: its round, and its widgets under "<_NEW>.<round>."

store = get_store()
cur = store.cursor()
base = base_currency(cur)

st.title("Placements")
st.caption(
    "Every paid post: its plan, price and latest measured results. Costs are in "
    f"{base}, each converted at the rate of the placement's date. Tick a row to open it."
)
pending_toast("placements.saved")

campaigns = campaign_list(include_closed=True)
campaign_names = {int(r["id"]): r["name"] for r in campaigns.iter_rows(named=True)}

# ---------------------------------------------------------------- log a placement

if (prefill := take_prefill()) is not None:
    # a new round draws the form afresh, with the campaign and channel it was opened for
    new_round = st.session_state.get(_NEW + ".round", 0) + 1
    st.session_state[_NEW + ".round"] = new_round
    st.session_state[f"{_NEW}.{new_round}.campaign"] = prefill[0]
    st.session_state[f"{_NEW}.{new_round}.channel"] = prefill[1]
    st.session_state[_NEW + ".open"] = True
log_round = st.session_state.get(_NEW + ".round", 0)
k = f"{_NEW}.{log_round}."


def _optional_date(value: object) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def _log_form() -> None:
    st.caption(
        "A channel on the campaign's shortlist moves to Scheduled, or to Published once the "
        "post's link and time are filled in. Only the channel is required."
    )
    c1, c2, c3 = st.columns([1.3, 1.2, 1.8])
    campaign_ids: list[int | None] = [None, *campaign_names]
    campaign_id = c1.selectbox(
        "Campaign",
        campaign_ids,
        format_func=lambda i: "— none —" if i is None else campaign_names[i],
        key=k + "campaign",
    )
    search = c2.text_input(
        "Find a channel",
        placeholder="title, handle or a link",
        key=k + "search",
        help="The campaign's shortlisted channels are offered without searching.",
    )
    choices = channel_choices(search or "", campaign_id, st.session_state.get(k + "channel"))
    channel_id = c3.selectbox(
        "Channel *",
        list(choices),
        index=None,
        format_func=lambda i: choices.get(i, str(i)),
        placeholder="Choose a channel" if choices else "Pick a campaign or find a channel first",
        key=k + "channel",
    )
    d1, d2, d3, d4, d5 = st.columns([1.2, 1.2, 1, 1, 0.8])
    fmt = d1.selectbox(
        "Format", FORMATS, format_func=lambda f: label_of(FORMAT_LABELS, f), key=k + "format"
    )
    content_type = d2.selectbox(
        "Content type",
        CONTENT_TYPES,
        index=None,
        format_func=lambda c: label_of(CONTENT_TYPE_LABELS, c),
        placeholder="Choose",
        key=k + "content_type",
    )
    planned_on = d3.date_input("Planned date", value=None, format="DD.MM.YYYY", key=k + "planned")
    published_on = d4.date_input(
        "Published on", value=None, format="DD.MM.YYYY", key=k + "published_on"
    )
    published_time = d5.time_input("at", value=None, step=60, key=k + "published_time")
    u1, u2, u3 = st.columns([2.4, 1.3, 1])
    post_url = u1.text_input("Post URL", placeholder="https://t.me/channel/123", key=k + "post_url")
    erid = u2.text_input(
        "erid (ad label)",
        key=k + "erid",
        help="The ad label token; a published placement on VK, OK, Telegram, Dzen or RUTUBE "
        "without one is flagged.",
    )
    promo = u3.text_input("Promo code", key=k + "promo")
    m1, m2, m3, m4, m5, m6 = st.columns([1.2, 1.2, 0.8, 1, 1, 1])
    # text, not a number box: an amount keeps every cent as written (11 000,50)
    price_agreed = m1.text_input("Price agreed", placeholder="e.g. 25 000", key=k + "agreed")
    price_paid = m2.text_input("Price paid", placeholder="e.g. 25 000", key=k + "paid")
    currencies = currency_options(base)
    currency = m3.selectbox("Currency", currencies, key=k + "currency")
    planned: dict[str, Any] = {
        name: col.number_input(label, min_value=0, step=1, value=None, key=k + name)
        for col, name, label in (
            (m4, "planned_reach", "Planned reach"),
            (m5, "planned_clicks", "Planned clicks"),
            (m6, "planned_conversions", "Planned conv."),
        )
    }
    notes = st.text_input("Notes", key=k + "notes")
    if not st.button("Log placement", type="primary", icon=":material/add:", key=k + "submit"):
        return
    if channel_id is None:
        st.error("Choose the channel of the placement.", icon=":material/error:")
        return
    day = _optional_date(published_on)
    if day is None and published_time is not None:
        st.error("Enter the date of publication too, or clear its time.", icon=":material/error:")
        return
    published_at = (
        dt.datetime.combine(day, published_time or dt.time(0, 0)) if day is not None else None
    )

    def _logged(new_id: int) -> None:
        # the next visit draws an empty form; the new placement opens, with its toast there
        st.session_state[_NEW + ".round"] = log_round + 1
        st.session_state["placement.saved"] = "Placement logged"
        open_placement(new_id)

    run_write(
        lambda: log_placement(
            store,
            channel_id=int(channel_id),
            campaign_id=campaign_id,
            format=fmt or "post",
            content_type=content_type,
            planned_on=_optional_date(planned_on),
            published_at=published_at,
            post_url=(post_url or "").strip() or None,
            price_agreed=(price_agreed or "").strip() or None,
            price_paid=(price_paid or "").strip() or None,
            currency=currency,
            erid=(erid or "").strip() or None,
            promo_code=(promo or "").strip() or None,
            notes=(notes or "").strip() or None,
            author=current_author(),
            **{name: None if v is None else int(v) for name, v in planned.items()},
        ),
        toast_key="placements.saved",
        toast="Placement logged",
        then=_logged,
    )


with st.expander(
    "Log a placement", icon=":material/add_circle:", key=_NEW + ".open", on_change="rerun"
):
    _log_form()

# ---------------------------------------------------------------- filters

f1, f2, f3, f4, f5 = st.columns([1.9, 1.4, 1.2, 1.6, 1.1], vertical_alignment="bottom")
picked_campaigns = f1.multiselect(
    "Campaign",
    list(campaign_names),
    format_func=lambda i: campaign_names.get(i, str(i)),
    placeholder="All campaigns",
    key=_F + "campaigns",
    persist_state="session",
)
platforms = f2.multiselect(
    "Platform",
    list(PLATFORMS),
    format_func=PLATFORM_LABELS.__getitem__,
    placeholder="All platforms",
    key=_F + "platforms",
    persist_state="session",
)
statuses = f3.multiselect(
    "Status",
    list(STATUSES),
    format_func=lambda s: label_of(STATUS_LABELS, s),
    placeholder="Any status",
    key=_F + "status",
    persist_state="session",
)
search = f4.text_input(
    "Search",
    placeholder="channel, campaign, promo code, erid",
    key=_F + "search",
    persist_state="session",
)
flagged = f5.toggle(
    "Flagged only",
    key=_F + "flagged",
    help="Placements with something to check: no erid, clicks above impressions, dates",
    persist_state="session",
)
flt = PlacementFilter(
    campaign_ids=tuple(picked_campaigns),
    platforms=tuple(platforms),
    status=tuple(statuses),
    search=search or "",
)
frame = placements_table(flt, flagged_only=bool(flagged))

# ---------------------------------------------------------------- the list

if frame.is_empty():
    narrowed = bool(picked_campaigns or platforms or statuses or search or flagged)
    st.info(
        "No placement matches: change the filters above."
        if narrowed
        else "No placements yet: log the first one above, or import them on the Import page.",
        icon=":material/list_alt:",
    )
    st.stop()

shown = frame.head(SHOWN)
rows = [
    {
        "Channel": r["title"] or r["channel"],
        "Platform": PLATFORM_LABELS.get(r["platform"], r["platform"]),
        "Status": label_of(STATUS_LABELS, r["status"]),
        "Date": r["published_at"].date() if r["published_at"] else r["planned_on"],
        "Cost": format_money(r["cost_base"], base),
        "Reach": r["reach"],
        "Clicks": r["clicks"],
        "Conv.": r["conversions"],
        "Revenue": format_money(r["revenue_base"], base),
        "Flags": flags_text(r["flags"]),
        "Campaign": r["campaign"],
        "Format": label_of(FORMAT_LABELS, r["format"]).split(" (", 1)[0],
        "Content": label_of(CONTENT_TYPE_LABELS, r["content_type"]).split(" (", 1)[0]
        if r["content_type"]
        else None,
        "Impressions": r["impressions"],
        "Promo code": r["promo_code"],
    }
    for r in shown.iter_rows(named=True)
]
flagged_count = frame.filter(pl.col("flags").list.len() > 0).height
st.caption(
    f"**{format_count(frame.height)}** placements"
    + (
        f", showing the first {format_count(SHOWN)}: narrow the filters"
        if frame.height > SHOWN
        else ""
    )
    + (f" · ⚠ {format_count(flagged_count)} flagged" if flagged_count else "")
)
_LATEST = "Latest measurement"
# at 1440 × 900 (main column about 950 px beside the sidebar) the columns up to Flags are in
# view; campaign, format, content type, impressions and promo code scroll
event = st.dataframe(
    rows,
    hide_index=True,
    key="placements.table",
    on_select="rerun",
    selection_mode="single-row",
    placeholder="—",
    height=min(640, 38 + 35 * len(rows)),
    column_config={
        "Channel": st.column_config.TextColumn(width=150, pinned=True),
        "Platform": st.column_config.TextColumn(width=74),
        "Status": st.column_config.TextColumn(width=78),
        "Date": st.column_config.DateColumn(
            width=86, format=DATE_FORMAT, help="Published, else planned"
        ),
        "Cost": st.column_config.TextColumn(
            width=96,
            help=f"Price paid, else agreed, in {base} at the rate of the placement's date",
        ),
        "Reach": st.column_config.NumberColumn(width=72, format=COUNT_FORMAT, help=_LATEST),
        "Clicks": st.column_config.NumberColumn(width=58, format=COUNT_FORMAT, help=_LATEST),
        "Conv.": st.column_config.NumberColumn(
            width=54, format=COUNT_FORMAT, help="Conversions, latest measurement"
        ),
        "Revenue": st.column_config.TextColumn(
            width=96, help=f"Latest measurement, in {base} at the rate of its date"
        ),
        "Flags": st.column_config.TextColumn(width=150, help="What to check"),
        "Campaign": st.column_config.TextColumn(width=170),
        "Format": st.column_config.TextColumn(width=110),
        "Content": st.column_config.TextColumn(width=100, help="Content type"),
        "Impressions": st.column_config.NumberColumn(width=90, format=COUNT_FORMAT, help=_LATEST),
        "Promo code": st.column_config.TextColumn(width=100),
    },
)
picked = event.selection.rows if event is not None else []
if picked and picked[0] < shown.height:
    open_placement(int(shown["id"][picked[0]]))
