"""Owners: the people and admins you negotiate with, their contacts and their channels."""

import polars as pl
import streamlit as st

from crm import registry
from crm.errors import CrmError
from crm.fields import OWNERS, ColumnMeta
from crm.formatting import format_count, format_hours
from crm.outreach.events import reply_times
from crm.ui.columns import grid_config
from crm.ui.state import (
    get_store,
    opened_version,
    owner_choices,
    pending_toast,
    run_write,
    save_form,
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

# the grid's columns in order, with their widths in pixels: every contact in view at 1440 px
_FIELD = OWNERS.by_name
OWNER_COLUMNS = {
    "name": (_FIELD("name").meta(), 160),
    "channels": (_FIELD("channels").meta(), 70),
    "email": (_FIELD("email").meta(), 190),
    "telegram": (_FIELD("telegram").meta(), 150),
    "phone": (_FIELD("phone").meta(), 130),
    "followers": (
        ColumnMeta(
            "Followers, total",
            "Sum of the latest follower counts of their channels (audiences may overlap)",
            "count",
        ),
        100,
    ),
    "platforms": (ColumnMeta("Platforms", "Where their active channels are", "list"), 140),
}

store = get_store()
cur = store.cursor()


@st.cache_data(show_spinner=False, max_entries=16)
def _owners(path: str, generation: int, search: str) -> pl.DataFrame:
    # keyed by the registry's generation: any committed write makes the next run read afresh
    return registry.list_owners(get_store().cursor(), search)


@st.cache_data(show_spinner=False, max_entries=8)
def _duplicates(path: str, generation: int) -> list[registry.DuplicateOwners]:
    return registry.likely_duplicate_owners(get_store().cursor())


_MERGE = "owners.merge_pending"  # (the owner kept, the duplicate) while the merge is confirmed
_MD = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~"})


def _md(text: str) -> str:
    """People's text inside markdown, shown as typed (an underscore in @ivan_ads is no italic)."""
    return text.translate(_MD)


def ask_merge(keep_id: int, twin_id: int) -> None:
    """Open the merge dialog on one pair (a button's ``on_click``)."""
    st.session_state["owners.selected"] = keep_id
    st.session_state[_MERGE] = (keep_id, twin_id)


def _cancel_merge() -> None:
    st.session_state.pop(_MERGE, None)


@st.dialog("Merge these owners?", width="medium", on_dismiss=_cancel_merge)
def confirm_merge(keep_id: int, twin_id: int, opened_key: str) -> None:
    """What the merge does (registry.merge_preview), channel by channel, before it is done."""
    try:
        preview = registry.merge_preview(cur, keep_id, twin_id)
    except CrmError as exc:
        _cancel_merge()
        show_error(exc)
        return
    keep, twin = preview.keep, preview.drop
    titles = {
        f"{row['platform']}:{row['handle']}": row
        for row in registry.owner_channels(cur, twin.id).iter_rows(named=True)
    }
    n = len(preview.channels)
    if n:
        st.markdown(
            f"**{format_count(n)} channel{'' if n == 1 else 's'}** move from {_md(twin.name)} "
            f"to **{_md(keep.name)}**:"
        )
        rows = [titles.get(key) for key in preview.channels]
        st.markdown(
            "\n".join(
                f"- {_md(row['title'] or row['handle'])} · "
                f"{PLATFORM_LABELS.get(row['platform'], row['platform'])} · `{row['handle']}`"
                if row is not None
                else f"- `{key}`"
                for key, row in zip(preview.channels, rows, strict=True)
            )
        )
    # the rest of what the merge does, in the registry's own words
    st.markdown("\n".join(f"- {_md(line)}" for line in preview.lines()[1:]))
    st.caption("This cannot be undone.")
    go, stop = st.columns(2)
    if go.button(
        f"Merge into {keep.name}", type="primary", key="owners.merge_confirm", width="stretch"
    ):
        run_write(
            lambda: registry.merge_owners(store, keep.id, twin.id),
            toast_key="owners.saved",
            toast=lambda moved: f"Merged {twin.name} into {keep.name}: {moved} channels moved",
            opened_key=opened_key,
            then=lambda _: _cancel_merge(),
        )
    if stop.button("Cancel", key="owners.merge_cancel", width="stretch"):
        _cancel_merge()
        st.rerun()


st.title("Owners")
st.caption(
    "One admin often sells placements on a whole network of pages: keep them and their "
    "contacts here, and see everything they sell."
)

pending_toast("owners.saved")
generation = store.generation("registry")
pairs = _duplicates(store.path, generation)
if pairs:
    many = len(pairs) != 1
    st.warning(
        f"{len(pairs)} pair{'s' if many else ''} of owners look{'' if many else 's'} like the "
        "same person entered twice (same name, e-mail, Telegram or phone). Review them before "
        "they collect channels of their own.",
        icon=":material/group:",
    )
    with st.expander("Review the likely duplicates"):
        for pair in pairs[:50]:
            text, review = st.columns([4, 1], vertical_alignment="center")
            text.markdown(
                f"**{_md(pair.first_name)}** and **{_md(pair.second_name)}** · "
                + ", ".join(pair.reasons)
            )
            review.button(
                "Merge…",
                key=f"owners.pair.{pair.first_id}.{pair.second_id}",
                on_click=ask_merge,
                args=(pair.first_id, pair.second_id),
                width="stretch",
            )

search = st.text_input(
    "Search owners", placeholder="name, e-mail, Telegram, phone", key="owners.search"
)
owners = _owners(store.path, generation, search or "")
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
    column_order=list(OWNER_COLUMNS),
    column_config=grid_config(OWNER_COLUMNS, pinned="name"),
    height=min(320, 38 + 35 * max(owners.height, 1)),
    placeholder="—",
)
rows = event.selection.rows if event is not None else []
if rows:
    st.session_state["owners.selected"] = int(owners["id"][rows[0]])

# the form keeps what was typed when the owner is refused (a bad e-mail is corrected, not
# typed again); after an owner is added, a new round draws it empty
add_round = st.session_state.get("owners.add_round", 0)
with (
    st.expander("Add an owner", icon=":material/person_add:"),
    st.form(f"owners.add.{add_round}", clear_on_submit=False),
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
            then=lambda new_id: st.session_state.update(
                {"owners.selected": new_id, "owners.add_round": add_round + 1}
            ),
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
    replies = reply_times(cur, by="owner").filter(pl.col("owner_id") == owner.id)
    if replies.height:
        r = replies.row(0, named=True)
        st.caption(
            f":material/schedule: Time to first reply: median **{format_hours(r['median_hours'])}** "
            f"over {r['replies']} of {r['contacted']} contacted "
            f"{'channel' if r['contacted'] == 1 else 'channels'} (first contact to first reply, "
            "across campaigns)."
        )
    for pair in pairs:
        if owner.id not in (pair.first_id, pair.second_id):
            continue
        twin_id, twin_name = (
            (pair.second_id, pair.second_name)
            if pair.first_id == owner.id
            else (pair.first_id, pair.first_name)
        )
        hint, act = st.columns([3, 1], vertical_alignment="center")
        hint.info(
            f"Possibly the same person: **{_md(twin_name)}** ({', '.join(pair.reasons)}).",
            icon=":material/group:",
        )
        act.button(
            f"Merge {twin_name} into this owner…",
            key=f"owners.twin.{twin_id}",
            on_click=ask_merge,
            args=(owner.id, twin_id),
            width="stretch",
        )
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
            save_form(
                seen,
                shown,
                entered,
                lambda version, **edit: registry.update_owner(store, owner.id, version, **edit),
                toast_key="owners.saved",
                toast="Contacts saved",
                opened_key=opened_key,
            )
    with left:
        stale_notice(opened_key, labels=OWNER_LABELS)
        with st.expander("Merge a duplicate into this owner", icon=":material/merge:"):
            # contacts and channel counts tell two people of one name apart
            choices = {c.id: c.label for c in owner_choices() if c.id != owner.id}
            twin = st.selectbox(
                "The same person, entered again",
                list(choices),
                index=None,
                format_func=choices.__getitem__,
                placeholder="Choose the duplicate",
                key="owners.merge_twin",
            )
            st.caption(
                f"Its channels move to **{_md(seen.name)}**, contacts {_md(seen.name)} lacks "
                "are kept, notes are joined, and the duplicate is deleted. You see exactly what "
                "happens and confirm on the next step."
            )
            st.button(
                "Merge…",
                type="primary",
                key="owners.merge",
                disabled=twin is None,
                on_click=ask_merge,
                args=(owner.id, twin),
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
    pending = st.session_state.get(_MERGE)
    if pending is not None and pending[0] == owner.id:
        confirm_merge(owner.id, pending[1], opened_key)
    with right:
        st.markdown(f"**Channels ({theirs.height})**")
        if theirs.is_empty():
            st.write("None yet: open a channel's profile and choose this owner in its Edit tab.")
        elif (picked := channel_table(theirs, key="owners.channels")) is not None:
            open_channel(picked)
