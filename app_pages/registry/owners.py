"""Owners: the people and admins you negotiate with, their contacts and their channels."""

import polars as pl
import streamlit as st

from crm import registry
from crm.errors import CrmError
from crm.formatting import format_count
from crm.ui.state import (
    form_changes,
    get_store,
    opened_version,
    owner_names,
    pending_toast,
    run_write,
    show_error,
    stale_notice,
)
from crm.ui.widgets import channel_table, open_channel
from crm.vocab.platforms import PLATFORM_LABELS

# the edit form's labels, also naming the fields of a refused save
OWNER_LABELS = {
    "name": "Name",
    "email": "E-mail",
    "telegram": "Telegram",
    "phone": "Phone",
    "other_contact": "Other contact",
    "notes": "Notes",
}

store = get_store()
cur = store.cursor()


@st.cache_data(show_spinner=False, max_entries=16)
def _owners(path: str, generation: int, search: str) -> pl.DataFrame:
    # keyed by the registry's generation: any committed write makes the next run read afresh
    return registry.list_owners(get_store().cursor(), search)


st.title("Owners")
st.caption(
    "One admin often sells placements on a whole network of pages: keep them and their "
    "contacts here, and see everything they sell."
)

pending_toast("owners.saved")

search = st.text_input(
    "Search owners", placeholder="name, e-mail, Telegram, phone", key="owners.search"
)
owners = _owners(store.path, store.generation("registry"), search or "")
shown = owners.with_columns(
    pl.col("platforms").list.eval(
        pl.element().replace_strict(PLATFORM_LABELS, default=pl.element())
    )
)
st.caption(
    f"**{format_count(owners.height)}** owners. Tick one to see and edit their contacts and channels."
)
event = st.dataframe(
    shown,
    hide_index=True,
    key="owners.table",
    on_select="rerun",
    selection_mode="single-row",
    column_order=["name", "channels", "platforms", "followers", "email", "telegram", "phone"],
    column_config={
        "name": st.column_config.TextColumn("Name", pinned=True),
        "channels": st.column_config.NumberColumn("Channels", help="Active channels they sell"),
        "platforms": st.column_config.ListColumn("Platforms"),
        "followers": st.column_config.NumberColumn(
            "Followers, total",
            format="localized",
            help="Sum of the latest follower counts of their channels (audiences may overlap)",
        ),
        "email": "E-mail",
        "telegram": "Telegram",
        "phone": "Phone",
    },
    height=min(320, 38 + 35 * max(owners.height, 1)),
    placeholder="—",
)
rows = event.selection.rows if event is not None else []
if rows:
    st.session_state["owners.selected"] = int(owners["id"][rows[0]])

with (
    st.expander("Add an owner", icon=":material/person_add:"),
    st.form("owners.add", clear_on_submit=True),
):
    c1, c2 = st.columns(2)
    name = c1.text_input("Name *")
    email = c2.text_input("E-mail")
    telegram = c1.text_input("Telegram", placeholder="@name")
    phone = c2.text_input("Phone", placeholder="+7 …")
    other = st.text_input("Other contact", placeholder="WhatsApp, VK page, agency manager …")
    if st.form_submit_button("Add owner", icon=":material/add:"):
        run_write(
            lambda: registry.add_owner(
                store, name, email=email, telegram=telegram, phone=phone, other_contact=other
            ),
            toast_key="owners.saved",
            toast=f"Added {name.strip()}",
            then=lambda new_id: st.session_state.update({"owners.selected": new_id}),
        )

selected = st.session_state.get("owners.selected")
if selected is not None:
    try:
        owner = registry.get_owner(cur, selected)
    except CrmError as exc:
        show_error(exc)
        st.stop()
    st.divider()
    st.subheader(owner.name)
    theirs = registry.owner_channels(cur, owner.id)
    left, right = st.columns([2, 3], gap="large")
    opened_key = "owners.opened"  # the owner as the edit form first showed them on this visit
    seen = opened_version(opened_key, owner)
    # what the widgets start from: a save sends only the fields whose value the user changed
    shown = {
        "name": seen.name,
        "email": seen.email or "",
        "telegram": seen.telegram or "",
        "phone": seen.phone or "",
        "other_contact": seen.other_contact or "",
        "notes": seen.notes or "",
    }
    with left, st.form(f"owners.edit.{owner.id}.{seen.version}"):
        entered = {
            field: st.text_input(OWNER_LABELS[field], value=shown[field])
            for field in ("name", "email", "telegram", "phone", "other_contact")
        }
        entered["notes"] = st.text_area(OWNER_LABELS["notes"], value=shown["notes"])
        if st.form_submit_button("Save contacts", type="primary", icon=":material/save:"):
            changes, before = form_changes(seen, shown, entered)
            if not changes:
                st.toast("Nothing to save: no field was changed.", icon=":material/info:")
            else:
                run_write(
                    lambda: registry.update_owner(
                        store, owner.id, seen.version, seen=before, **changes
                    ),
                    toast_key="owners.saved",
                    toast="Contacts saved",
                    opened_key=opened_key,
                )
    with left:
        stale_notice(opened_key, labels=OWNER_LABELS)
        with st.popover("Merge a duplicate into this owner…", icon=":material/merge:"):
            names = {i: n for i, n in owner_names().items() if i != owner.id}
            twin = st.selectbox(
                "The same person, entered again",
                list(names),
                index=None,
                format_func=lambda i: names[i],
                placeholder="Choose the duplicate",
                key="owners.merge_twin",
            )
            st.caption(
                f"Its channels move to **{seen.name}**, contacts {seen.name} lacks are copied, "
                "notes are joined, and the duplicate is deleted."
            )
            if st.button("Merge", type="primary", key="owners.merge", disabled=twin is None):
                run_write(
                    lambda: registry.merge_owners(store, owner.id, twin),
                    toast_key="owners.saved",
                    toast=lambda moved: (
                        f"Merged {names[twin]} into {seen.name}: {moved} channels moved"
                    ),
                    opened_key=opened_key,
                )
        with st.popover("Delete this owner…", icon=":material/person_remove:"):
            count = theirs.height
            st.write(
                f"Delete **{seen.name}**? Their {count} channels stay in the registry, "
                "without an owner."
            )
            if st.button(f"Delete {seen.name}", type="primary", key="owners.delete"):
                run_write(
                    lambda: registry.delete_owner(store, owner.id, seen.version),
                    toast_key="owners.saved",
                    toast=f"Deleted {seen.name}",
                    opened_key=opened_key,
                    then=lambda _: st.session_state.pop("owners.selected", None),
                )
    with right:
        st.markdown(f"**Channels ({theirs.height})**")
        if theirs.is_empty():
            st.write("None yet: open a channel's profile and choose this owner in its Edit tab.")
        elif (picked := channel_table(theirs, key="owners.channels")) is not None:
            open_channel(picked)
