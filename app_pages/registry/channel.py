"""Channel profile: every field, the owner and their other channels, snapshots over time, edits."""

import datetime as dt

import polars as pl
import streamlit as st

from crm import charts, registry
from crm.errors import NotFound
from crm.formatting import format_compact, format_count, format_money, format_percent
from crm.metrics import FORMULAS, er, err, reach_rate
from crm.pricing import channel_prices
from crm.ui.nav import page
from crm.ui.state import (
    form_changes,
    get_store,
    known_values,
    opened_version,
    owner_names,
    pending_toast,
    run_write,
    show_error,
    stale_notice,
)
from crm.ui.widgets import KIND_LABELS, channel_table, open_channel
from crm.vocab.platforms import PLATFORM_LABELS
from crm.vocab.terms import KINDS, PROVENANCES

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

store = get_store()
cur = store.cursor()


# the channel comes from the URL (?id=) first, so a profile link can be shared and reloaded
param = st.query_params.get("id")
channel_id = (
    int(param) if param and param.isdigit() else st.session_state.get("registry.channel_id")
)

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
    label = "Restore" if ch.archived else "Archive"
    if st.button(
        label, icon=":material/unarchive:" if ch.archived else ":material/archive:", width="stretch"
    ):
        run_write(
            lambda: registry.set_archived(store, ch.id, ch.version, not ch.archived),
            toast_key="channel.saved",
            toast="Restored" if ch.archived else "Archived",
            opened_key=opened_key,
        )

last = snaps.row(-1, named=True) if snaps.height else None
m = st.columns(5)
if last:
    delta = registry.followers_change(snaps)
    m[0].metric(
        "Followers",
        format_count(last["followers"]),
        delta=None if delta is None else ("+" if delta > 0 else "") + format_count(delta),
        help="Latest snapshot; the change is against the one before",
    )
    m[1].metric("Avg reach", format_compact(last["avg_reach"]), help="Average reach per post")
    m[2].metric(
        "ER", format_percent(er(last["avg_engagement"], last["followers"]), 2), help=FORMULAS["er"]
    )
    m[3].metric(
        "ERR",
        format_percent(err(last["avg_engagement"], last["avg_reach"]), 2),
        help=FORMULAS["err"],
    )
    m[4].metric(
        "Reach rate",
        format_percent(reach_rate(last["avg_reach"], last["followers"])),
        help=FORMULAS["reach_rate"],
    )
    st.caption(
        f"Measured {last['measured_on']:%d.%m.%Y} · {last['provenance']}"
        + (f" · {last['source']}" if last["source"] else "")
    )
else:
    st.info("No numbers yet: add the first snapshot in the **Metrics** tab.")

tab_info, tab_metrics, tab_edit = st.tabs(["Profile", "Metrics", "Edit"])

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
        st.subheader("Prices")
        prices = channel_prices(cur, ch.id)
        if prices:
            st.dataframe(
                [
                    {
                        "Format": p.format,
                        "Kind": p.kind,
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
                    "CPF": st.column_config.TextColumn(help=FORMULAS["cpf"]),
                    "est. CPM": st.column_config.TextColumn(help=FORMULAS["est_cpm"]),
                    "Date": st.column_config.DateColumn(format="DD.MM.YYYY"),
                },
            )
            st.caption(
                "The newest price of each format and kind; CPF and est. CPM use the latest snapshot."
            )
        else:
            st.write("No prices yet: they come with imports that have a price column.")
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

with tab_metrics:
    if snaps.height:
        st.plotly_chart(charts.followers_er_figure(snaps), width="stretch")
        st.dataframe(
            snaps.reverse(),
            hide_index=True,
            column_order=[
                "measured_on",
                "followers",
                "avg_reach",
                "avg_views",
                "avg_engagement",
                "er",
                "err",
                "reach_rate",
                "provenance",
                "source",
            ],
            column_config={
                "measured_on": st.column_config.DateColumn("Measured", format="DD.MM.YYYY"),
                "followers": st.column_config.NumberColumn("Followers", format="localized"),
                "avg_reach": st.column_config.NumberColumn("Avg reach", format="localized"),
                "avg_views": st.column_config.NumberColumn("Avg views", format="localized"),
                "avg_engagement": st.column_config.NumberColumn(
                    "Avg engagement", format="localized", help=FORMULAS["engagement"]
                ),
                "er": st.column_config.NumberColumn("ER", format="percent", help=FORMULAS["er"]),
                "err": st.column_config.NumberColumn("ERR", format="percent", help=FORMULAS["err"]),
                "reach_rate": st.column_config.NumberColumn(
                    "Reach rate", format="percent", help=FORMULAS["reach_rate"]
                ),
                "provenance": "Provenance",
                "source": "Source",
            },
        )
        with st.expander("Remove a snapshot entered by mistake", icon=":material/delete:"):
            labels = {
                r["id"]: f"{r['measured_on']:%d.%m.%Y} · {format_count(r['followers'])} followers"
                f" · {r['provenance']}"
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
            "Where the numbers come from", PROVENANCES, index=PROVENANCES.index("platform_stats")
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
            help="Leave empty to use likes + comments + shares",
        )
        if st.form_submit_button("Add snapshot", icon=":material/add_chart:"):
            if values["avg_engagement"] is None:
                parts = [values[k] for k in ("avg_likes", "avg_comments", "avg_shares")]
                if any(p is not None for p in parts):
                    values["avg_engagement"] = sum(p or 0 for p in parts)
            run_write(
                lambda: registry.add_snapshot(
                    store,
                    ch.id,
                    measured_on=measured_on,
                    provenance=provenance,
                    source=source,
                    **values,
                ),
                toast_key="channel.saved",
                toast="Snapshot added",
            )

with tab_edit:
    names = owner_names()
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
                format_func=lambda i: "— none —" if i is None else names[i],
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
            changes, before = form_changes(seen, shown, entered)
            if not changes:
                st.toast("Nothing to save: no field was changed.", icon=":material/info:")
            else:
                run_write(
                    lambda: registry.update_channel(
                        store, ch.id, seen.version, seen=before, **changes
                    ),
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
