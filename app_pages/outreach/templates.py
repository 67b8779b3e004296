"""Message templates: texts with placeholders, in Russian and English, previewed for a channel
of a campaign, ready to copy or to open in the owner's e-mail or Telegram."""

import streamlit as st

from crm.formatting import format_count
from crm.outreach.templates import (
    PLACEHOLDERS,
    contact_links,
    delete_template,
    render,
    save_template,
    send_template,
    template_values,
)
from crm.ui.outreach import (
    LANGUAGE_LABELS,
    author_input,
    campaign_picker,
    current_author,
    shortlist_table,
    template_list,
)
from crm.ui.pipeline import (
    NEW_TEMPLATE,
    PLACEHOLDER_HELP,
    md,
    template_record,
)
from crm.ui.state import (
    forget_opened,
    get_store,
    opened_version,
    pending_toast,
    run_write,
    stale_notice,
)
from crm.vocab.platforms import PLATFORM_LABELS
from crm.vocab.terms import FORMAT_LABELS, FORMATS

store = get_store()
_TOAST = "templates.saved"
_SELECTED = "templates.selected"  # the id of the template in the editor (None: a new one)
_OPENED = "templates.opened"  # the template as the editor first showed it on this visit
_ROUND = "templates.round"  # a new round draws the editor afresh (after "New template")
_LANGUAGES = {"all": "All", **LANGUAGE_LABELS}


def new_template() -> None:
    """Open an empty editor (a button's ``on_click``)."""
    st.session_state[_SELECTED] = None
    st.session_state[_ROUND] = st.session_state.get(_ROUND, 0) + 1
    forget_opened(_OPENED)


st.title("Message templates")
author_input()
pending_toast(_TOAST)

list_col, edit_col = st.columns([2, 3], gap="large")

with list_col:
    st.session_state.setdefault("templates.language", "all")
    language_filter = st.segmented_control(
        "Language",
        list(_LANGUAGES),
        format_func=_LANGUAGES.__getitem__,
        required=True,
        key="templates.language",
    )
    frame = template_list(None if language_filter in (None, "all") else language_filter)
    if frame.is_empty():
        st.info("No template in this language yet: write the first one here.")
    else:
        st.caption(f"**{format_count(frame.height)}** templates. Tick one to edit it.")
        shown = frame.select("id", "name", "language", "subject").with_columns(
            frame["language"].replace_strict(LANGUAGE_LABELS, default=frame["language"])
        )
        event = st.dataframe(
            shown,
            hide_index=True,
            key=f"templates.table.{language_filter}.{st.session_state.get(_ROUND, 0)}",
            on_select="rerun",
            selection_mode="single-row",
            column_order=["name", "language", "subject"],
            column_config={
                "name": st.column_config.TextColumn("Name", width=150),
                "language": st.column_config.TextColumn("Language", width=70),
                "subject": st.column_config.TextColumn("Subject"),
            },
            height=min(420, 38 + 35 * frame.height),
            placeholder="—",
        )
        rows = event.selection.rows if event is not None else []
        picked = int(frame["id"][int(rows[0])]) if rows and rows[0] < frame.height else None
        # a new tick opens that template; a tick left in place does not undo "New template"
        if picked != st.session_state.get("templates.picked"):
            st.session_state["templates.picked"] = picked
            if picked is not None:
                st.session_state[_SELECTED] = picked
    st.button("New template", icon=":material/add:", on_click=new_template, key="templates.new")
    with st.expander("Placeholders", icon=":material/data_object:", expanded=True):
        st.markdown(
            "\n".join(
                f"- `{{{name}}}`: {PLACEHOLDER_HELP.get(name, name)}" for name in PLACEHOLDERS
            )
        )
        st.caption(
            "A placeholder this channel has no value for is shown as a visible marker, never as "
            "the raw placeholder; an unknown one is named and the template is not saved."
        )

with edit_col:
    stored = template_record(st.session_state.get(_SELECTED))
    seen = opened_version(_OPENED, stored) if stored is not None else NEW_TEMPLATE
    st.subheader(seen.name or "New template")
    key = f"templates.{seen.id}.{seen.version}.{st.session_state.get(_ROUND, 0)}."
    name_col, language_col = st.columns([3, 2], vertical_alignment="bottom")
    name = name_col.text_input("Name *", value=seen.name, key=key + "name", max_chars=200)
    language = language_col.segmented_control(
        "Language",
        list(LANGUAGE_LABELS),
        format_func=LANGUAGE_LABELS.__getitem__,
        default=seen.language,
        required=True,
        key=key + "language",
    )
    subject = st.text_input(
        "Subject",
        value=seen.subject,
        key=key + "subject",
        help="The e-mail's subject line; placeholders work here too.",
    )
    body = st.text_area(
        "Text *",
        value=seen.body,
        key=key + "body",
        height=220,
        placeholder="Здравствуйте, {owner}! Мы готовим кампанию {campaign} для {brand} …",
        help="Press Ctrl+Enter (or click outside the box) to refresh the preview.",
    )
    save_col, delete_col = st.columns([1, 1])
    if save_col.button("Save template", type="primary", icon=":material/save:", key=key + "save"):
        run_write(
            lambda: save_template(
                store,
                name=name,
                language=language or "ru",
                body=body,
                subject=subject or None,
                template_id=seen.id or None,
                version=seen.version or None,
            ),
            toast_key=_TOAST,
            toast=f"Saved the template “{' '.join(name.split())}”.",
            opened_key=_OPENED,
            then=lambda saved: st.session_state.update({_SELECTED: saved}),
        )
    stale_notice(_OPENED)
    if seen.id:
        with delete_col.popover("Delete…", icon=":material/delete:"):
            st.write(f"Delete the template **{md(seen.name)}**? Messages already logged stay.")
            if st.button(f"Delete {seen.name}", type="primary", key="templates.delete"):
                run_write(
                    lambda: delete_template(store, seen.id),
                    toast_key=_TOAST,
                    toast=f"Deleted the template “{seen.name}”.",
                    opened_key=_OPENED,
                    then=lambda _: st.session_state.pop(_SELECTED, None),
                )

st.divider()
st.subheader("Preview")
pick_campaign, pick_channel, pick_format = st.columns([2, 2, 1])
with pick_campaign:
    campaign_id = campaign_picker(key="templates.preview_campaign")
channel_id: int | None = None
with pick_channel:
    if campaign_id is None:
        st.selectbox("Channel", [], placeholder="Choose a campaign first", disabled=True)
    else:
        entries = shortlist_table(campaign_id)
        names = {
            int(r["channel_id"]): f"{r['title'] or r['handle']} · "
            f"{PLATFORM_LABELS.get(r['platform'], r['platform'])}"
            for r in entries.iter_rows(named=True)
        }
        channel_id = st.selectbox(
            "Channel",
            list(names),
            index=None,
            format_func=names.__getitem__,
            placeholder="Choose a channel" if names else "This campaign's shortlist is empty",
            key=f"templates.preview_channel.{campaign_id}",
        )
fmt = pick_format.selectbox(
    "Format", list(FORMATS), format_func=FORMAT_LABELS.__getitem__, key="templates.format"
)

cur = store.cursor()
values = (
    template_values(cur, campaign_id, channel_id, format=fmt, language=language or "ru")
    if campaign_id is not None and channel_id is not None
    else {}
)
rendered = render(body, values, subject=subject, language=language or "ru")
if rendered.unknown:
    st.error(
        "Unknown placeholder"
        + ("s " if len(rendered.unknown) > 1 else " ")
        + ", ".join(f"`{{{u}}}`" for u in rendered.unknown)
        + ": correct or remove "
        + ("them" if len(rendered.unknown) > 1 else "it")
        + " before saving. Known ones are listed beside the list of templates.",
        icon=":material/error:",
    )
if channel_id is None:
    st.caption("Choose a campaign and a channel to fill the placeholders with its values.")
elif rendered.missing:
    st.warning(
        "No value for "
        + ", ".join(f"`{{{m}}}`" for m in rendered.missing)
        + " for this channel: the text shows a marker there. Fill it in before sending.",
        icon=":material/warning:",
    )
if rendered.subject:
    st.markdown("**Subject**")
    st.code(rendered.subject, language=None, wrap_lines=True)
st.markdown("**Text**, ready to copy (the button at its top right copies it)")
st.code(rendered.text or " ", language=None, wrap_lines=True)

if campaign_id is not None and channel_id is not None:
    links = contact_links(cur, channel_id, subject=rendered.subject, body=rendered.text)
    buttons = st.columns(4)
    for column, (kind, label, icon) in zip(
        buttons,
        (
            ("mailto", "Open in e-mail", ":material/mail:"),
            ("telegram", "Open in Telegram", ":material/send:"),
        ),
        strict=False,
    ):
        if kind in links:
            column.link_button(label, links[kind], icon=icon, width="stretch")
    unchanged = (name, language, subject, body) == (
        seen.name,
        seen.language,
        seen.subject,
        seen.body,
    )
    if not links:
        st.caption("No e-mail or Telegram contact is known for this channel or its owner.")
    if buttons[3].button(
        "Log as sent",
        key="templates.send",
        icon=":material/outgoing_mail:",
        disabled=not seen.id or not unchanged,
        help="Adds a message with this text to the channel's activity log in this campaign. "
        "Save the template first.",
        width="stretch",
    ):
        run_write(
            lambda: send_template(
                store, campaign_id, channel_id, seen.id, rendered, author=current_author()
            ),
            toast_key=_TOAST,
            toast="Logged the message in the channel's activity.",
        )
