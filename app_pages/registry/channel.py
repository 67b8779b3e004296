"""Channel profile: every field, the owner and their other channels, snapshots over time, edits."""

import datetime as dt

import polars as pl
import streamlit as st

from crm import charts, registry
from crm.charts.pricing import price_history_figure
from crm.errors import NotFound
from crm.fields import CHANNELS, SNAPSHOTS
from crm.formatting import format_compact, format_count, format_money, format_percent
from crm.metrics import FORMULAS
from crm.outreach.shortlist import add_to_shortlist, channel_campaigns
from crm.placements.scorecard import Scorecard, channel_scorecard, scorecard_lines
from crm.pricing import PriceRow, channel_prices
from crm.pricing.currencies import base_currency
from crm.pricing.intelligence import PriceHint, price_hint
from crm.pricing.prices import add_price, delete_price, price_history
from crm.ui.audience import show_channel_audience
from crm.ui.columns import as_percent_points, grid_config, metric_meta
from crm.ui.nav import page
from crm.ui.outreach import (
    PRIORITY_LABELS,
    STATUS_LABELS,
    campaign_list,
    campaign_picker,
    currency_options,
    current_author,
    open_campaign,
)
from crm.ui.state import (
    get_store,
    known_values,
    opened_version,
    owner_choices,
    owner_names,
    pending_toast,
    requested_id,
    run_write,
    save_form,
    show_error,
    stale_notice,
)
from crm.ui.widgets import channel_table, open_channel
from crm.vocab.platforms import PLATFORM_LABELS
from crm.vocab.terms import (
    FORMAT_LABELS,
    FORMATS,
    KIND_LABELS,
    KINDS,
    PRICE_KIND_LABELS,
    PRICE_KINDS,
    PROVENANCE_LABELS,
    PROVENANCES,
    label,
)

# the edit form's labels, also naming the fields of a refused save
FIELD_LABELS = {
    "title": "Title",
    "kind": "Kind",
    "owner_id": "Owner",
    "url": "Link",
    "niches": "Niches",
    "tags": "Tags",
    "country": "Country",
    "city": "City",
    "language": "Language",
    "email": "E-mail",
    "telegram": "Telegram",
    "phone": "Phone",
    "notes": "Notes",
}

# the snapshot table's columns in order, with their widths in pixels: the numbers first
SNAPSHOT_COLUMNS = {
    "measured_on": (SNAPSHOTS.by_name("measured_on").meta(), 110),
    "followers": (SNAPSHOTS.by_name("followers").meta(), 95),
    "avg_reach": (SNAPSHOTS.by_name("avg_reach").meta(), 115),
    "er": (CHANNELS.by_name("er").meta(), 72),
    "err": (CHANNELS.by_name("err").meta(), 72),
    "reach_rate": (metric_meta("reach_rate"), 95),
    "avg_views": (SNAPSHOTS.by_name("avg_views").meta(), 115),
    "avg_engagement": (SNAPSHOTS.by_name("avg_engagement").meta(), 150),
    "provenance": (SNAPSHOTS.by_name("provenance").meta(), 150),
    "source": (SNAPSHOTS.by_name("source").meta(), 200),
}

store = get_store()


# what the Prices and Campaigns tabs read (the price hint compares with every peer, the
# scorecard with every campaign): once per change of the data, not on every rerun of the page
_PARTS = ("registry", "pricing", "outreach", "placements")


def _generations() -> tuple[int, ...]:
    return tuple(store.generation(part) for part in _PARTS)


@st.cache_data(show_spinner=False, max_entries=32)
def _hint(path: str, generations: tuple[int, ...], channel_id: int, fmt: str) -> PriceHint:
    return price_hint(get_store().cursor(), channel_id, fmt)


@st.cache_data(show_spinner=False, max_entries=16)
def _deals(
    path: str, generations: tuple[int, ...], channel_id: int
) -> tuple[pl.DataFrame, list[PriceRow], Scorecard, pl.DataFrame]:
    read = get_store().cursor()
    return (
        price_history(read, channel_id),
        channel_prices(read, channel_id),
        channel_scorecard(read, channel_id),
        channel_campaigns(read, channel_id),
    )


def _price_label(history: pl.DataFrame, price_id: int) -> str:
    row = history.filter(pl.col("id") == price_id).row(0, named=True)
    return (
        f"{row['date']:%d.%m.%Y} · {label(FORMAT_LABELS, row['format'])} · "
        f"{label(PRICE_KIND_LABELS, row['kind'])} · {format_money(row['amount'], row['currency'])}"
    )


cur = store.cursor()


# the channel comes from the URL (?id=) first, so a profile link can be shared and reloaded
channel_id = requested_id("registry.channel_id")

if channel_id is None:
    st.title("Channel profile")
    st.write("Pick a channel on the **Channels** page, or find it here:")
    query = st.text_input("Title or handle", key="channel.pick")
    if query:
        found = registry.list_channels(cur, registry.ChannelFilter(search=query, archived="all"))
        if found.is_empty():
            st.info("No channel matches.")
        elif (picked := channel_table(found.head(50), key="channel.pick_table")) is not None:
            open_channel(picked)
    st.stop()

try:
    ch = registry.get_channel(cur, int(channel_id))
except NotFound as exc:
    show_error(exc)
    st.stop()
st.query_params["id"] = str(ch.id)
opened_key = "channel.opened"  # the record as the edit form first showed it on this visit
st.session_state["registry.channel_id"] = ch.id

pending_toast("channel.saved")
if notice := st.session_state.pop("channel.notice", None):
    st.info(notice, icon=":material/info:")

snaps = registry.list_snapshots(cur, ch.id)
owner = registry.get_owner(cur, ch.owner_id) if ch.owner_id else None

head, actions = st.columns([4, 1], vertical_alignment="bottom")
head.title(ch.title or ch.handle)
head.markdown(
    f"**{PLATFORM_LABELS.get(ch.platform, ch.platform)}** · `{ch.key}` · "
    f"{KIND_LABELS.get(ch.kind, ch.kind)}"
    + (f" · [open ↗]({ch.link})" if ch.link else "")
    + (" · :orange-badge[archived]" if ch.archived else "")
)
with actions:
    if st.button(
        "Restore" if ch.archived else "Archive",
        icon=":material/unarchive:" if ch.archived else ":material/archive:",
        width="stretch",
    ):
        run_write(
            lambda: registry.set_archived(store, ch.id, ch.version, not ch.archived),
            toast_key="channel.saved",
            toast="Restored" if ch.archived else "Archived",
            opened_key=opened_key,
        )

# each number as the newest snapshot that knows it says, each ratio from the newest snapshot
# that knows both its terms (registry.latest_known): a snapshot with followers only hides nothing
known = registry.latest_known(cur, ch.id)
m = st.columns(5)
if known:
    delta = registry.followers_change(snaps)
    shown = {
        "followers": ("Followers", format_count(known["followers"])),
        "avg_reach": ("Avg reach", format_compact(known["avg_reach"])),
        "er": ("ER", format_percent(known["er"], 2)),
        "err": ("ERR", format_percent(known["err"], 2)),
        "reach_rate": ("Reach rate", format_percent(known["reach_rate"])),
    }
    helps = {
        "followers": "Latest known; the change is against the snapshot before",
        "avg_reach": "Average reach per post, latest known",
        "er": FORMULAS["er"],
        "err": FORMULAS["err"],
        "reach_rate": FORMULAS["reach_rate"],
    }
    for column, (name, (text, value)) in zip(m, shown.items(), strict=True):
        column.metric(
            text,
            value,
            delta=(
                None
                if name != "followers" or delta is None
                else ("+" if delta > 0 else "") + format_count(delta)
            ),
            help=helps[name],
        )
    st.caption(
        f"Measured {known['measured_on']:%d.%m.%Y} · "
        f"{label(PROVENANCE_LABELS, known['provenance'])}"
        + (f" · {known['source']}" if known["source"] else "")
    )
    # numbers the newest snapshot lacks come from an older one: say from which day
    older: dict[dt.date, list[str]] = {}
    for name, (text, _) in shown.items():
        day = known[f"{name}_on"]
        if day is not None and day != known["measured_on"]:
            older.setdefault(day, []).append(text)
    for day, texts in sorted(older.items()):
        which = ", ".join(texts[:-1]) + (" and " if len(texts) > 1 else "") + texts[-1]
        st.caption(
            f":material/history: {which} as of {day:%d.%m.%Y}: the snapshot of "
            f"{known['measured_on']:%d.%m.%Y} does not have {'them' if len(texts) > 1 else 'it'}."
        )
else:
    st.info("No numbers yet: add the first snapshot in the **Metrics** tab.")

if warnings := st.session_state.pop("channel.snapshot_warnings", None):
    for warning in warnings:
        st.warning(warning, icon=":material/warning:")

tab_info, tab_metrics, tab_prices, tab_campaigns, tab_audience, tab_edit = st.tabs(
    ["Profile", "Metrics", "Prices", "Campaigns", "Audience", "Edit"]
)

with tab_info:
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("Details")
        rows = {
            "Niches": ", ".join(ch.niches) or "—",
            "Country / city": " / ".join(x for x in (ch.country, ch.city) if x) or "—",
            "Language": ch.language or "—",
            "Tags": ", ".join(ch.tags) or "—",
            "E-mail": ch.email or "—",
            "Telegram": ch.telegram or "—",
            "Phone": ch.phone or "—",
            "Link": ch.link or "—",
            "Added": f"{ch.created_at:%d.%m.%Y}",
        }
        st.markdown("\n".join(f"- **{k}:** {v}" for k, v in rows.items()))
        if ch.notes:
            st.markdown("**Notes**")
            st.text(ch.notes)
    with right:
        st.subheader("Owner")
        if owner:
            st.markdown(f"**{owner.name}**")
            contacts = [
                x for x in (owner.email, owner.telegram, owner.phone, owner.other_contact) if x
            ]
            st.write(" · ".join(contacts) or "No contacts yet.")
            if st.button("Open the owner", icon=":material/contacts:", key="channel.owner"):
                st.session_state["owners.selected"] = owner.id
                st.switch_page(page("owners"))
            others = registry.owner_channels(cur, owner.id).filter(pl.col("id") != ch.id)
            if others.height:
                st.markdown(f"**Other channels of this owner ({others.height})**")
                if (pick := channel_table(others, key="channel.others")) is not None:
                    open_channel(pick)
            else:
                st.caption("This owner has no other channels in the registry.")
        else:
            st.write(
                "No owner yet. Pick one in the **Edit** tab (create owners on the Owners page)."
            )

with tab_prices:
    hint_format = st.selectbox(
        "Format",
        FORMATS,
        format_func=FORMAT_LABELS.__getitem__,
        key="channel.hint_format",
        width=260,
    )
    hint = _hint(store.path, _generations(), ch.id, hint_format)
    h = st.columns(5)
    h[0].metric(
        "Price",
        format_money(hint.price, hint.price_currency) if hint.price is not None else "—",
        help="The latest agreed, else quoted, else listed price of this format"
        + (f" ({label(PRICE_KIND_LABELS, hint.price_kind).lower()})" if hint.price_kind else ""),
    )
    h[1].metric(
        "est. CPM", format_money(hint.est_cpm, hint.base_currency), help=FORMULAS["est_cpm"]
    )
    h[2].metric(
        "Percentile among peers",
        "—" if hint.percentile is None else f"{hint.percentile:.0f}",
        help="Share of peers whose est. CPM is lower (ties count half): 0 is the cheapest, "
        "100 the dearest",
    )
    h[3].metric(
        "Peer median est. CPM",
        format_money(hint.peer_median, hint.base_currency),
        help=f"{hint.peers} peers: {hint.peer_group}",
    )
    h[4].metric(
        "Walk-away price",
        format_money(hint.walk_away, hint.base_currency),
        help="The price at which this channel's est. CPM would equal the peer median "
        "(peer median × avg reach / 1000)",
    )
    st.caption(hint.basis)
    if hint.note:
        st.info(hint.note, icon=":material/info:")

    history, prices, card, entries = _deals(store.path, _generations(), ch.id)
    if history.height:
        st.plotly_chart(price_history_figure(history), width="stretch")
    # the newest price of each format and kind, with what it costs per thousand
    if prices:
        st.markdown("**Latest price of each format and kind**")
        st.dataframe(
            [
                {
                    "Format": label(FORMAT_LABELS, p.format),
                    "Kind": label(PRICE_KIND_LABELS, p.kind),
                    "Price": format_money(p.amount, p.currency),
                    "CPF": format_money(p.cpf, p.currency),
                    "est. CPM": format_money(p.est_cpm, p.currency),
                    "Date": p.date,
                    "Source": p.source,
                }
                for p in prices
            ],
            hide_index=True,
            placeholder="—",
            column_config={
                "Format": st.column_config.TextColumn(width=200),
                "Kind": st.column_config.TextColumn(width=80),
                "Price": st.column_config.TextColumn(width=130),
                "CPF": st.column_config.TextColumn(width=100, help=FORMULAS["cpf"]),
                "est. CPM": st.column_config.TextColumn(width=100, help=FORMULAS["est_cpm"]),
                "Date": st.column_config.DateColumn(width=100, format="DD.MM.YYYY"),
                "Source": st.column_config.TextColumn(width=220),
            },
        )
    else:
        st.write("No prices yet: add one below, or import a price list.")

    st.subheader("Add a price")
    with st.form("channel.price", clear_on_submit=True):
        c1, c2, c3, c4 = st.columns(4)
        p_format = c1.selectbox(
            "Format", FORMATS, format_func=FORMAT_LABELS.__getitem__, key="channel.price.format"
        )
        p_kind = c2.selectbox(
            "Kind", PRICE_KINDS, format_func=PRICE_KIND_LABELS.__getitem__, key="channel.price.kind"
        )
        # text, not a number box: an amount keeps every cent as written (11 000,50)
        p_amount = c3.text_input(
            "Amount", placeholder="e.g. 12 000 or 150,50", key="channel.price.amount"
        )
        p_currency = c4.selectbox(
            "Currency", currency_options(base_currency(cur)), key="channel.price.currency"
        )
        d1, d2, d3, d4 = st.columns(4)
        p_date = d1.date_input("Date", value=dt.date.today(), format="DD.MM.YYYY")
        campaigns = campaign_list(include_closed=False)
        campaign_names = dict(
            zip(campaigns["id"].to_list(), campaigns["name"].to_list(), strict=True)
        )
        p_campaign = d2.selectbox(
            "Campaign",
            [None, *campaign_names],
            format_func=lambda i: "— none —" if i is None else campaign_names[i],
            help="Quoted, agreed and paid prices usually belong to a campaign",
        )
        p_source = d3.text_input("Source", placeholder="media kit, chat with the admin …")
        p_note = d4.text_input("Note")
        if st.form_submit_button("Add price", icon=":material/add:"):
            run_write(
                lambda: add_price(
                    store,
                    ch.id,
                    format=p_format,
                    kind=p_kind,
                    amount=p_amount,
                    currency=p_currency,
                    on=p_date,
                    source=p_source or None,
                    note=p_note or None,
                    campaign_id=p_campaign,
                ),
                toast_key="channel.saved",
                toast="Price added",
            )
    if history.height:
        with st.expander("All prices, and removing one entered by mistake", icon=":material/list:"):
            st.dataframe(
                history.reverse().with_columns(
                    pl.col("format").replace_strict(FORMAT_LABELS, default=pl.col("format")),
                    pl.col("kind").replace_strict(PRICE_KIND_LABELS, default=pl.col("kind")),
                ),
                column_order=[
                    "date",
                    "format",
                    "kind",
                    "amount",
                    "currency",
                    "amount_base",
                    "rate_date",
                    "campaign",
                    "source",
                    "note",
                ],
                column_config={
                    "date": st.column_config.DateColumn("Date", format="DD.MM.YYYY"),
                    "format": "Format",
                    "kind": "Kind",
                    "amount": st.column_config.NumberColumn("Amount", format="%.2f"),
                    "currency": "Currency",
                    "amount_base": st.column_config.NumberColumn(
                        f"In {base_currency(cur)}",
                        format="%.2f",
                        help="At the rate of the price's date (the nearest earlier rate); "
                        "— where no rate is known",
                    ),
                    "rate_date": st.column_config.DateColumn("Rate of", format="DD.MM.YYYY"),
                    "campaign": "Campaign",
                    "source": "Source",
                    "note": "Note",
                },
                hide_index=True,
                placeholder="—",
            )
            doomed_price = st.selectbox(
                "Price",
                history["id"].to_list()[::-1],
                format_func=lambda i: _price_label(history, i),
                key="channel.doomed_price",
            )
            if st.button("Remove this price", key="channel.remove_price"):
                run_write(
                    lambda: delete_price(store, doomed_price),
                    toast_key="channel.saved",
                    toast="Price removed",
                )

with tab_campaigns:
    st.subheader("Scorecard")
    lines = scorecard_lines(card)
    if len(lines) == 1:
        st.caption(
            "No history: no placement and no outreach with this channel yet, so there is "
            "nothing to score (never shown as zero)."
        )
    else:
        cells = st.columns(4)
        for i, (name, text) in enumerate(lines):
            cells[i % 4].markdown(f"**{name}**  \n{text}")
    st.subheader("Campaigns")
    if entries.height:
        picked = st.dataframe(
            # words, not codes
            entries.with_columns(
                pl.col("status").replace_strict(STATUS_LABELS, default=pl.col("status")),
                pl.col("priority").replace_strict(PRIORITY_LABELS, default=pl.col("priority")),
            ),
            column_order=[
                "campaign",
                "status",
                "stage_label",
                "priority",
                "manager",
                "next_follow_up",
                "days_in_stage",
            ],
            column_config={
                "campaign": st.column_config.TextColumn("Campaign", width=240),
                "status": st.column_config.TextColumn("Status", width=90),
                "stage_label": st.column_config.TextColumn("Stage", width=130),
                "priority": st.column_config.TextColumn("Priority", width=90),
                "manager": st.column_config.TextColumn("Manager", width=130),
                "next_follow_up": st.column_config.DateColumn(
                    "Next follow-up", format="DD.MM.YYYY", width=120
                ),
                "days_in_stage": st.column_config.NumberColumn("Days in stage", width=110),
            },
            hide_index=True,
            on_select="rerun",
            selection_mode="single-row",
            key="channel.campaigns",
            placeholder="—",
        )
        st.caption("Tick a row to open this channel in that campaign.")
        rows = [
            r for r in (picked.selection.rows if picked is not None else []) if r < entries.height
        ]
        if rows:
            open_campaign(int(entries["campaign_id"][rows[0]]), channel_id=ch.id)
    else:
        st.write("Not on any campaign's shortlist yet.")
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    with c1:
        to_campaign = campaign_picker(
            "Add to the shortlist of", key="channel.add_campaign", include_closed=False
        )
    if c2.button(
        "Add to shortlist",
        icon=":material/playlist_add:",
        disabled=to_campaign is None,
        width="stretch",
        key="channel.shortlist",
    ):
        run_write(
            lambda: add_to_shortlist(store, to_campaign, [ch.id], author=current_author()),
            toast_key="channel.saved",
            toast=lambda result: result.message(),
        )

with tab_metrics:
    if snaps.height:
        st.plotly_chart(charts.followers_er_figure(snaps), width="stretch")
        st.dataframe(
            as_percent_points(
                snaps.reverse().with_columns(
                    pl.col("provenance").replace_strict(
                        PROVENANCE_LABELS, default=pl.col("provenance")
                    )
                ),
                SNAPSHOT_COLUMNS,
            ),
            hide_index=True,
            column_order=list(SNAPSHOT_COLUMNS),
            column_config=grid_config(SNAPSHOT_COLUMNS),
            placeholder="—",
        )
        with st.expander("Remove a snapshot entered by mistake", icon=":material/delete:"):
            labels = {
                r["id"]: f"{r['measured_on']:%d.%m.%Y} · {format_count(r['followers'])} followers"
                f" · {label(PROVENANCE_LABELS, r['provenance'])}"
                for r in snaps.reverse().iter_rows(named=True)
            }
            doomed = st.selectbox(
                "Snapshot", list(labels), format_func=lambda i: labels[i], key="channel.doomed"
            )
            if st.button("Remove this snapshot", key="channel.remove_snapshot"):
                run_write(
                    lambda: registry.delete_snapshot(store, ch.id, doomed),
                    toast_key="channel.saved",
                    toast="Snapshot removed",
                )
    st.subheader("Add a snapshot")
    with st.form("channel.snapshot", clear_on_submit=True):
        c1, c2, c3 = st.columns(3)
        measured_on = c1.date_input(
            "Measured on", value=dt.date.today(), max_value=dt.date.today(), format="DD.MM.YYYY"
        )
        provenance = c2.selectbox(
            "Where the numbers come from",
            PROVENANCES,
            index=PROVENANCES.index("platform_stats"),
            format_func=PROVENANCE_LABELS.__getitem__,
        )
        source = c3.text_input("Source note", placeholder="e.g. screenshot from the admin")
        n = st.columns(4)
        values = {
            "followers": n[0].number_input("Followers", min_value=0, step=1, value=None),
            "avg_reach": n[1].number_input("Avg reach per post", min_value=0, step=1, value=None),
            "avg_views": n[2].number_input("Avg views per post", min_value=0, step=1, value=None),
            "avg_likes": n[3].number_input("Avg likes per post", min_value=0, step=1, value=None),
        }
        n2 = st.columns(4)
        values["avg_comments"] = n2[0].number_input("Avg comments", min_value=0, step=1, value=None)
        values["avg_shares"] = n2[1].number_input("Avg shares", min_value=0, step=1, value=None)
        values["avg_engagement"] = n2[2].number_input(
            "Avg engagement",
            min_value=0,
            step=1,
            value=None,
            help="Leave empty to use likes + comments + shares (" + FORMULAS["engagement"] + ")",
        )
        if st.form_submit_button("Add snapshot", icon=":material/add_chart:"):
            # one snapshot a day: the registry replaces the day's earlier one and says so, and
            # saves numbers that look wrong with a warning (shown after the rerun)
            run_write(
                lambda: registry.save_snapshot(
                    store,
                    ch.id,
                    measured_on=measured_on,
                    provenance=provenance,
                    source=source,
                    **values,
                ),
                toast_key="channel.saved",
                toast=lambda saved: saved.message,
                then=lambda saved: st.session_state.update(
                    {"channel.snapshot_warnings": list(saved.warnings)}
                ),
            )

with tab_audience:
    show_channel_audience(channel_id)

with tab_edit:
    names = owner_names()
    # contacts and channel counts tell two owners of one name apart
    choice_labels = {c.id: c.label for c in owner_choices()}
    owner_ids = [None, *names]
    seen = opened_version(opened_key, ch)
    if seen.version != ch.version:
        st.caption(
            ":material/sync: This channel was changed elsewhere since you opened the form. "
            "Saving keeps those changes, unless you changed the same field."
        )
    # what the widgets start from: a save sends only the fields whose value the user changed
    shown = {
        "title": seen.title or "",
        "kind": seen.kind,
        "owner_id": seen.owner_id if seen.owner_id in owner_ids else None,
        "url": seen.url or "",
        "niches": seen.niches,
        "tags": seen.tags,
        "country": seen.country or "",
        "city": seen.city or "",
        "language": seen.language or "",
        "email": seen.email or "",
        "telegram": seen.telegram or "",
        "phone": seen.phone or "",
        "notes": seen.notes or "",
    }
    # known values first, so "Beauty" and "beauty" do not both end up in the filters
    known = known_values()
    with st.form(f"channel.edit.{ch.id}.{seen.version}"):
        c1, c2 = st.columns(2)
        entered = {
            "title": c1.text_input(FIELD_LABELS["title"], value=shown["title"]),
            "kind": c2.selectbox(
                FIELD_LABELS["kind"],
                KINDS,
                index=KINDS.index(shown["kind"]),
                format_func=KIND_LABELS.get,
            ),
            "owner_id": c1.selectbox(
                FIELD_LABELS["owner_id"],
                owner_ids,
                index=owner_ids.index(shown["owner_id"]),
                format_func=lambda i: (
                    "— none —" if i is None else choice_labels.get(i, names.get(i, str(i)))
                ),
            ),
            "url": c2.text_input(FIELD_LABELS["url"], value=shown["url"]),
            "niches": c1.multiselect(
                FIELD_LABELS["niches"],
                sorted({*known["niches"], *shown["niches"]}),
                default=shown["niches"],
                accept_new_options=True,
                placeholder="Choose or type a new one",
            ),
            "tags": c2.multiselect(
                FIELD_LABELS["tags"],
                sorted({*known["tags"], *shown["tags"]}),
                default=shown["tags"],
                accept_new_options=True,
                placeholder="Choose or type a new one",
            ),
        }
        g1, g2, g3 = st.columns(3)
        entered["country"] = g1.text_input(FIELD_LABELS["country"], value=shown["country"])
        entered["city"] = g2.text_input(FIELD_LABELS["city"], value=shown["city"])
        entered["language"] = g3.text_input(
            FIELD_LABELS["language"], value=shown["language"], placeholder="ru, en …"
        )
        k1, k2, k3 = st.columns(3)
        entered["email"] = k1.text_input(FIELD_LABELS["email"], value=shown["email"])
        entered["telegram"] = k2.text_input(
            FIELD_LABELS["telegram"], value=shown["telegram"], placeholder="@name"
        )
        entered["phone"] = k3.text_input(
            FIELD_LABELS["phone"], value=shown["phone"], placeholder="+7 …"
        )
        entered["notes"] = st.text_area(FIELD_LABELS["notes"], value=shown["notes"])
        if st.form_submit_button("Save changes", type="primary", icon=":material/save:"):
            save_form(
                seen,
                shown,
                entered,
                lambda version, **edit: registry.update_channel(store, ch.id, version, **edit),
                toast_key="channel.saved",
                toast="Changes saved",
                opened_key=opened_key,
            )
    stale_notice(
        opened_key,
        labels=FIELD_LABELS,
        formats={
            "owner_id": lambda i: "— none —" if i is None else names.get(i, f"owner {i}"),
            "kind": lambda k: KIND_LABELS.get(k, k),
        },
    )
