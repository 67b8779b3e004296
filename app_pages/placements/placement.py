"""Placement: one paid post, its flags, its edit form, its tracked link, its measurements and
KPIs, and the screenshots kept as evidence."""

import datetime as dt
from typing import Any, NoReturn

import polars as pl
import streamlit as st

from crm import registry
from crm.errors import CrmError, NotFound
from crm.formatting import format_count, format_money
from crm.metrics import FORMULAS
from crm.outreach.campaigns import get_campaign
from crm.placements import evidence, placements, results, utm
from crm.pricing.currencies import base_currency
from crm.ui.columns import COUNT_FORMAT
from crm.ui.nav import page
from crm.ui.outreach import (
    author_input,
    campaign_list,
    currency_options,
    label_of,
    open_campaign,
)
from crm.ui.placements import (
    CONTENT_TYPE_LABELS,
    METRIC_LABELS,
    PLACEMENT_KEY,
    STATUS_BADGES,
    STATUS_LABELS,
    evidence_file,
    evidence_table,
    kpi_text,
    open_placement,
    placement_flags,
    placement_kpis,
    placements_table,
    results_table,
)
from crm.ui.state import (
    forget_opened,
    get_store,
    opened_version,
    pending_toast,
    requested_id,
    run_write,
    save_form,
    show_error,
    stale_notice,
)
from crm.ui.widgets import open_channel
from crm.vocab.platforms import PLATFORM_LABELS
from crm.vocab.terms import CONTENT_TYPES, FORMAT_LABELS, FORMATS, PROVENANCE_LABELS, PROVENANCES

TABS = ["Results", "Tracked link", "Evidence", "Edit"]
# the edit form's labels, also naming the fields of a refused save
FIELD_LABELS = {
    "campaign_id": "Campaign",
    "format": "Format",
    "content_type": "Content type",
    "planned_on": "Planned date",
    "published_at": "Published",
    "post_url": "Post URL",
    "price_agreed": "Price agreed",
    "price_paid": "Price paid",
    "currency": "Currency",
    "erid": "erid (ad label)",
    "promo_code": "Promo code",
    "planned_reach": "Planned reach",
    "planned_clicks": "Planned clicks",
    "planned_conversions": "Planned conversions",
    "notes": "Notes",
}
# the KPIs shown for one placement, in rows (money in rows of four: ₽194 788.00 needs the room)
KPI_ROWS = (
    ("cost", "revenue", "romi", "roas"),
    ("cpm", "cpc", "cpa", "cpv"),
    ("reach", "impressions", "views", "clicks", "conversions"),
    ("ctr", "cr", "cpe", "err", "delivery"),
)
KPI_NAMES = {
    "cost": "Cost",
    "revenue": "Revenue",
    "reach": "Reach",
    "impressions": "Impressions",
    "clicks": "Clicks",
    "conversions": "Conversions",
    "views": "Views",
    "cpm": "CPM",
    "cpc": "CPC",
    "ctr": "CTR",
    "cr": "CR",
    "cpa": "CPA",
    "romi": "ROMI",
    "cpv": "CPV",
    "cpe": "CPE",
    "err": "ERR",
    "roas": "ROAS",
    "delivery": "Delivery",
}
KPI_HELP = {
    "cost": FORMULAS["cost"] + ", converted at the rate of the placement's date",
    "revenue": "Revenue of the measurement, converted at the rate of its date",
    "err": FORMULAS["placement_err"],
    **{k: FORMULAS[k] for k in ("cpm", "cpc", "ctr", "cr", "cpa", "romi", "cpv", "cpe", "roas")},
    "delivery": FORMULAS["delivery"],
}

store = get_store()
cur = store.cursor()
base = base_currency(cur)
author = author_input()


def _ask_for_placement(note: str | None = None) -> NoReturn:
    st.title("Placement")
    if note:
        st.warning(note, icon=":material/search_off:")
    every = placements_table()
    if every.is_empty():
        st.info(
            "No placements yet: log one on the **Placements** page, or from a campaign's "
            "Channel tab.",
            icon=":material/list_alt:",
        )
    else:
        st.write("Pick a placement on the **Placements** page, or here:")
        recent = every.head(300)
        names = {
            int(r["id"]): " · ".join(
                x
                for x in (
                    r["title"] or r["channel"],
                    r["campaign"],
                    f"{(r['published_at'] or r['planned_on']):%d.%m.%Y}"
                    if (r["published_at"] or r["planned_on"])
                    else None,
                    label_of(STATUS_LABELS, r["status"]),
                )
                if x
            )
            for r in recent.iter_rows(named=True)
        }
        picked = st.selectbox(
            "Placement",
            list(names),
            index=None,
            format_func=names.__getitem__,
            placeholder="Choose a placement",
            key="placement.pick",
            width=640,
        )
        if picked is not None:
            open_placement(picked)
    st.page_link(page("placements"), label="All placements", icon=":material/list_alt:")
    st.stop()


# the placement comes from the URL (?id=) first, so a placement link can be shared and reloaded
placement_id = requested_id(PLACEMENT_KEY)
if placement_id is None:
    _ask_for_placement()
try:
    p = placements.get_placement(cur, int(placement_id))
except NotFound as exc:
    st.session_state.pop(PLACEMENT_KEY, None)
    _ask_for_placement(str(exc))
st.query_params["id"] = str(p.id)
st.session_state[PLACEMENT_KEY] = p.id
ch = registry.get_channel(cur, p.channel_id)
camp = get_campaign(cur, p.campaign_id) if p.campaign_id is not None else None
opened_key = "placement.opened"  # the placement as the edit form first showed it on this visit

pending_toast("placement.saved")

# ---------------------------------------------------------------- header

head, actions = st.columns([3.6, 1.6], vertical_alignment="bottom")
head.title(ch.title or ch.handle)
when = (
    f"published {p.published_at:%d.%m.%Y %H:%M}"
    if p.published_at
    else (f"planned for {p.planned_on:%d.%m.%Y}" if p.planned_on else "no date yet")
)
head.markdown(
    " · ".join(
        x
        for x in (
            STATUS_BADGES.get(p.status, p.status),
            f"**{PLATFORM_LABELS.get(ch.platform, ch.platform)}** `{ch.key}`",
            f"Campaign: **{camp.name}**" if camp else "no campaign",
            label_of(FORMAT_LABELS, p.format).split(" (", 1)[0],
            label_of(CONTENT_TYPE_LABELS, p.content_type).split(" (", 1)[0]
            if p.content_type
            else None,
            when,
            f"[post ↗]({p.post_url})" if p.post_url else None,
        )
        if x
    )
)
with actions:
    a1, a2 = st.columns(2)
    if a1.button("Channel", icon=":material/badge:", width="stretch", key="placement.channel"):
        open_channel(ch.id)
    if camp is not None and a2.button(
        "Campaign", icon=":material/flag:", width="stretch", key="placement.campaign"
    ):
        open_campaign(camp.id, channel_id=ch.id)
for flag in placement_flags(p.id):
    st.warning(flag, icon=":material/flag:")
if p.status == "cancelled":
    st.info("This placement was cancelled: it counts in no KPI.", icon=":material/block:")

tab_results, tab_link, tab_evidence, tab_edit = st.tabs(
    TABS, key="placement.tab", on_change="rerun"
)

# ---------------------------------------------------------------- results


def _when(value: dt.datetime) -> str:
    return f"{value:%d.%m.%Y %H:%M}"


def _kpis(measured: pl.DataFrame) -> None:
    times = [t for t in measured["measured_at"].to_list() if t is not None]
    head_col, pick_col = st.columns([3, 1.2], vertical_alignment="bottom")
    head_col.markdown("**KPIs**")
    as_of: dt.datetime | None = None
    if len(times) > 1:
        choice = pick_col.selectbox(
            "Measurement",
            [None, *times[1:]],
            format_func=lambda t: f"Latest ({_when(times[0])})" if t is None else _when(t),
            key=f"placement.as_of.{p.id}",
            help="KPIs use the latest measurement; pick an earlier one to see them at that point",
        )
        as_of = choice
    row = placement_kpis(p, ch.platform, ch.handle, as_of)
    if row is None:
        st.caption("No KPIs: a cancelled placement counts in none.")
        return
    for names in KPI_ROWS:
        cols = st.columns(len(names))
        for col, name in zip(cols, names, strict=True):
            label = KPI_NAMES[name]
            tip = KPI_HELP.get(name)
            if name in ("cpm", "ctr") and row.get("cpm_basis") == "reach":
                label += " (by reach)"
                tip = (tip or "") + ". No impressions measured: computed over reach."
            col.metric(label, kpi_text(name, row.get(name), base), help=tip)
    if p.cost is None:
        st.caption(
            ":material/info: No price yet: enter the price agreed or paid in the **Edit** tab; "
            "cost, CPM, CPC, CPA and ROMI need it."
        )
    if row.get("missing_rates"):
        st.warning(
            f"The cost or revenue could not be converted to {base}: no exchange rate at its "
            "date. Figures that need it show “—”: add the rate in Settings.",
            icon=":material/currency_exchange:",
        )


# the measurement table's count columns: (label, width in pixels)
COUNT_COLUMNS = {
    "reach": ("Reach", 72), "impressions": ("Impressions", 88), "views": ("Views", 64),
    "likes": ("Likes", 54), "comments": ("Comments", 76), "shares": ("Shares", 60),
    "saves": ("Saves", 54), "clicks": ("Clicks", 56), "conversions": ("Conversions", 86),
}  # fmt: skip


def _measurements(measured: pl.DataFrame) -> None:
    st.markdown("**Measurements**, newest first")
    shown = [
        {
            "Measured": r["measured_at"],
            "Provenance": label_of(PROVENANCE_LABELS, r["provenance"]),
            **{label: r[name] for name, (label, _) in COUNT_COLUMNS.items()},
            "Revenue": format_money(r["revenue"], r["currency"]),
            "Source": r["source"],
        }
        for r in measured.iter_rows(named=True)
    ]
    st.dataframe(
        shown,
        hide_index=True,
        placeholder="—",
        height=min(320, 38 + 35 * len(shown)),
        column_config={
            "Measured": st.column_config.DatetimeColumn(format="DD.MM.YYYY HH:mm", width=122),
            "Provenance": st.column_config.TextColumn(width=110),
            **{
                label: st.column_config.NumberColumn(width=width, format=COUNT_FORMAT)
                for label, width in COUNT_COLUMNS.values()
            },
            "Revenue": st.column_config.TextColumn(width=96),
            "Source": st.column_config.TextColumn(width=160),
        },
    )
    with st.expander("Remove a measurement entered by mistake", icon=":material/delete:"):
        names = {
            int(r["id"]): f"{_when(r['measured_at'])} · "
            f"{label_of(PROVENANCE_LABELS, r['provenance'])}"
            for r in measured.iter_rows(named=True)
        }
        doomed = st.selectbox(
            "Measurement", list(names), format_func=names.__getitem__, key="placement.doomed"
        )
        if st.button("Remove this measurement", key="placement.remove_result") and doomed:
            run_write(
                lambda: results.delete_result(store, doomed),
                toast_key="placement.saved",
                toast="Measurement removed",
            )


def _record() -> None:
    rec_round = st.session_state.get("placement.rec_round", 0)
    # the form starts at the time it was first drawn (kept, so a minute passing does not
    # redraw it)
    held = st.session_state.get("placement.rec_opened")
    if held is None or held[0] != (p.id, rec_round):
        held = ((p.id, rec_round), dt.datetime.now().replace(second=0, microsecond=0))
        st.session_state["placement.rec_opened"] = held
    opened: dt.datetime = held[1]
    k = f"placement.record.{p.id}.{rec_round}"
    with st.form(k):
        st.markdown("**Record a measurement**")
        c1, c2, c3, c4 = st.columns([1, 0.7, 1.3, 2])
        day = c1.date_input("Measured on", value=opened.date(), format="DD.MM.YYYY", key=k + ".day")
        time = c2.time_input("at", value=opened.time(), step=60, key=k + ".time")
        provenance = c3.selectbox(
            "Where the numbers come from",
            PROVENANCES,
            index=PROVENANCES.index("platform_stats"),
            format_func=PROVENANCE_LABELS.__getitem__,
            key=k + ".provenance",
        )
        source = c4.text_input(
            "Source note", placeholder="e.g. screenshot from the admin, 72 h", key=k + ".source"
        )
        cols = st.columns(len(results.METRIC_FIELDS))
        numbers: dict[str, Any] = {
            name: col.number_input(
                METRIC_LABELS[name], min_value=0, step=1, value=None, key=f"{k}.{name}"
            )
            for col, name in zip(cols, results.METRIC_FIELDS, strict=True)
        }
        r1, r2, _ = st.columns([1.2, 0.8, 4])
        revenue = r1.text_input("Revenue", placeholder="e.g. 48 000", key=k + ".revenue")
        currencies = currency_options(p.currency or base)
        currency = r2.selectbox("Currency", currencies, key=k + ".currency")
        if st.form_submit_button("Record measurement", type="primary", icon=":material/add_chart:"):
            at = dt.datetime.combine(day, time) if isinstance(day, dt.date) and time else None
            run_write(
                lambda: results.record_result(
                    store,
                    p.id,
                    measured_at=at,
                    provenance=provenance,
                    source=source or None,
                    revenue=(revenue or "").strip() or None,
                    currency=currency if (revenue or "").strip() else None,
                    **{n: None if v is None else int(v) for n, v in numbers.items()},
                ),
                toast_key="placement.saved",
                toast="Measurement recorded",
                then=lambda _: st.session_state.update({"placement.rec_round": rec_round + 1}),
            )


if tab_results.open:
    with tab_results:
        measured = results_table(p.id)
        if measured.is_empty():
            st.info(
                "No measurements yet: record the first one below (for example at 24 h, then "
                "72 h and 7 days; KPIs use the latest).",
                icon=":material/monitoring:",
            )
        else:
            _kpis(measured)
            _measurements(measured)
        _record()

# ---------------------------------------------------------------- tracked link


def _tracked_link() -> None:
    st.caption(
        "The landing page's link with UTM tags: utm_source is the platform, utm_medium "
        "influencer or public_page by the channel's kind, utm_campaign the campaign's slug, "
        "utm_content the channel's handle and this placement's number. The page's own "
        "parameters and #anchor are kept."
    )
    landing = st.text_input(
        "Landing URL",
        value=p.landing_url or "",
        placeholder="https://shop.example/spring?ref=blog",
        key=f"placement.landing.{p.id}.{p.version}",
    )
    text = (landing or "").strip()
    if not text:
        if p.utm_url:
            st.markdown("**Saved link**")
            st.code(p.utm_url, language=None, wrap_lines=True)
        return
    try:
        link = utm.utm_link(
            text,
            platform=ch.platform,
            kind=ch.kind,
            campaign=camp.name if camp else "",
            handle=ch.handle,
            placement_id=p.id,
        )
    except CrmError as exc:
        show_error(exc)
        return
    st.markdown("**Tracked link** (copy it with the button at its right)")
    st.code(link, language=None, wrap_lines=True)
    saved = p.utm_url == link and p.landing_url == text
    if saved:
        st.caption(":material/check: This link is saved with the placement.")
    elif p.utm_url:
        st.caption(f"Saved now: `{p.utm_url}`")
    if st.button(
        "Save link",
        icon=":material/link:",
        type="primary",
        disabled=saved,
        key="placement.save_link",
    ):
        run_write(
            lambda: utm.set_utm(store, p.id, p.version, text),
            toast_key="placement.saved",
            toast="Tracked link saved",
            then=lambda _: forget_opened(opened_key),
        )


if tab_link.open:
    with tab_link:
        _tracked_link()

# ---------------------------------------------------------------- evidence


def _evidence() -> None:
    up_round = st.session_state.get("placement.up_round", 0)
    measured = results_table(p.id)
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    upload = c1.file_uploader(
        "Screenshot (PNG, JPEG, WebP or GIF, up to 10 MB)",
        key=f"placement.upload.{p.id}.{up_round}",
        max_upload_size=evidence.MAX_BYTES // (1024 * 1024),
    )
    names: dict[int | None, str] = {None: "— the placement as a whole —"}
    names.update(
        {
            int(r["id"]): f"{_when(r['measured_at'])} · "
            f"{label_of(PROVENANCE_LABELS, r['provenance'])}"
            for r in measured.iter_rows(named=True)
        }
    )
    result_id = c2.selectbox(
        "Shows the numbers of",
        list(names),
        format_func=names.__getitem__,
        key=f"placement.upload_result.{p.id}.{up_round}",
    )
    if (
        st.button(
            "Attach screenshot",
            icon=":material/attach_file:",
            disabled=upload is None,
            key="placement.attach",
        )
        and upload is not None
    ):
        run_write(
            lambda: evidence.attach_evidence(
                store, p.id, upload.getvalue(), upload.name, result_id=result_id
            ),
            toast_key="placement.saved",
            toast=f"Attached {upload.name}",
            then=lambda _: st.session_state.update({"placement.up_round": up_round + 1}),
        )
    kept = evidence_table(p.id)
    if kept.is_empty():
        st.caption("No screenshots yet.")
        return
    cols = st.columns(3, gap="medium")
    for i, r in enumerate(kept.iter_rows(named=True)):
        with cols[i % 3], st.container(border=True):
            name, mime, data = evidence_file(int(r["id"]))
            st.image(data, caption=name, width="stretch")
            of = names.get(r["result_id"]) if r["result_id"] is not None else None
            st.caption(
                f"{format_count(round(r['size'] / 1024))} KB · added "
                f"{r['created_at']:%d.%m.%Y %H:%M}" + (f" · measurement {of}" if of else "")
            )
            if st.button("Remove", icon=":material/delete:", key=f"placement.drop.{r['id']}"):
                run_write(
                    lambda eid=int(r["id"]): evidence.delete_evidence(store, eid),
                    toast_key="placement.saved",
                    toast=f"Removed {name}",
                )


if tab_evidence.open:
    with tab_evidence:
        _evidence()

# ---------------------------------------------------------------- edit


def _edit() -> None:
    seen = opened_version(opened_key, p)
    if seen.version != p.version:
        st.caption(
            ":material/sync: This placement was changed elsewhere since you opened the form. "
            "Saving keeps those changes, unless you changed the same field."
        )
    every = campaign_list(include_closed=True)
    campaign_names = {int(r["id"]): r["name"] for r in every.iter_rows(named=True)}
    campaign_ids: list[int | None] = [None, *campaign_names]
    published = seen.published_at
    # what the widgets start from: a save sends only the fields whose value the user changed
    shown: dict[str, Any] = {
        "campaign_id": seen.campaign_id if seen.campaign_id in campaign_names else None,
        "format": seen.format,
        "content_type": seen.content_type,
        "planned_on": seen.planned_on,
        "published_at": published,
        "post_url": seen.post_url or "",
        "price_agreed": "" if seen.price_agreed is None else str(seen.price_agreed),
        "price_paid": "" if seen.price_paid is None else str(seen.price_paid),
        "currency": seen.currency or base,
        "erid": seen.erid or "",
        "promo_code": seen.promo_code or "",
        "planned_reach": seen.planned_reach,
        "planned_clicks": seen.planned_clicks,
        "planned_conversions": seen.planned_conversions,
        "notes": seen.notes or "",
    }
    with st.form(f"placement.edit.{p.id}.{seen.version}"):
        c1, c2, c3 = st.columns(3)
        entered: dict[str, Any] = {
            "campaign_id": c1.selectbox(
                FIELD_LABELS["campaign_id"],
                campaign_ids,
                index=campaign_ids.index(shown["campaign_id"]),
                format_func=lambda i: "— none —" if i is None else campaign_names[i],
            ),
            "format": c2.selectbox(
                FIELD_LABELS["format"],
                FORMATS,
                index=FORMATS.index(shown["format"]) if shown["format"] in FORMATS else 0,
                format_func=lambda f: label_of(FORMAT_LABELS, f),
            ),
            "content_type": c3.selectbox(
                FIELD_LABELS["content_type"],
                CONTENT_TYPES,
                index=CONTENT_TYPES.index(shown["content_type"])
                if shown["content_type"] in CONTENT_TYPES
                else None,
                format_func=lambda c: label_of(CONTENT_TYPE_LABELS, c),
                placeholder="Choose",
            ),
        }
        d1, d2, d3, d4 = st.columns([1, 1, 0.7, 2.3])
        entered["planned_on"] = d1.date_input(
            FIELD_LABELS["planned_on"], value=shown["planned_on"], format="DD.MM.YYYY"
        )
        pub_day = d2.date_input(
            "Published on", value=published.date() if published else None, format="DD.MM.YYYY"
        )
        pub_time = d3.time_input("at", value=published.time() if published else None, step=60)
        entered["post_url"] = d4.text_input(FIELD_LABELS["post_url"], value=shown["post_url"])
        m1, m2, m3, m4, m5 = st.columns([1.2, 1.2, 0.8, 1.4, 1.4])
        entered["price_agreed"] = m1.text_input(
            FIELD_LABELS["price_agreed"], value=shown["price_agreed"]
        )
        entered["price_paid"] = m2.text_input(FIELD_LABELS["price_paid"], value=shown["price_paid"])
        currencies = currency_options(shown["currency"])
        entered["currency"] = m3.selectbox(
            FIELD_LABELS["currency"], currencies, index=currencies.index(shown["currency"])
        )
        entered["erid"] = m4.text_input(FIELD_LABELS["erid"], value=shown["erid"])
        entered["promo_code"] = m5.text_input(FIELD_LABELS["promo_code"], value=shown["promo_code"])
        n1, n2, n3 = st.columns(3)
        for col, name in (
            (n1, "planned_reach"),
            (n2, "planned_clicks"),
            (n3, "planned_conversions"),
        ):
            value = col.number_input(FIELD_LABELS[name], min_value=0, step=1, value=shown[name])
            entered[name] = None if value is None else int(value)
        entered["notes"] = st.text_area(FIELD_LABELS["notes"], value=shown["notes"], height=80)
        if st.form_submit_button("Save placement", type="primary", icon=":material/save:"):
            if isinstance(pub_day, dt.date):
                entered["published_at"] = dt.datetime.combine(pub_day, pub_time or dt.time(0, 0))
            else:
                entered["published_at"] = None
            # a time left as shown keeps the stored seconds: only a real change is sent
            if (
                published is not None
                and entered["published_at"] is not None
                and entered["published_at"] == published.replace(second=0, microsecond=0)
            ):
                entered["published_at"] = published
            save_form(
                seen,
                shown,
                entered,
                lambda version, seen=None, **changes: placements.update_placement(
                    store, p.id, version, changes, seen=seen, author=author
                ),
                toast_key="placement.saved",
                toast="Placement saved",
                opened_key=opened_key,
            )
    stale_notice(
        opened_key,
        labels=FIELD_LABELS,
        formats={
            "campaign_id": lambda i: "— none —" if i is None else campaign_names.get(i, str(i)),
            "format": lambda f: label_of(FORMAT_LABELS, f),
            "content_type": lambda c: label_of(CONTENT_TYPE_LABELS, c),
            "price_agreed": lambda v: format_money(v, p.currency),
            "price_paid": lambda v: format_money(v, p.currency),
        },
    )
    if p.status == "cancelled":
        if st.button("Restore the placement", icon=":material/undo:", key="placement.restore"):
            # the status follows the record again: published with a publication time
            run_write(
                lambda: placements.update_placement(
                    store, p.id, p.version, {"status": "planned"}, author=author
                ),
                toast_key="placement.saved",
                toast="Placement restored",
                then=lambda _: forget_opened(opened_key),
            )
    else:
        with st.popover("Cancel placement", icon=":material/block:"):
            st.write(
                "The deal fell through? The placement stays in the list as cancelled and counts "
                "in no KPI."
            )
            if st.button("Cancel the placement", type="primary", key="placement.cancel"):
                run_write(
                    lambda: placements.cancel_placement(store, p.id, p.version),
                    toast_key="placement.saved",
                    toast="Placement cancelled",
                    then=lambda _: forget_opened(opened_key),
                )


if tab_edit.open:
    with tab_edit:
        _edit()
