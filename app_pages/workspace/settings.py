"""Settings of the workspace: the pipeline's stages, the base currency and its exchange rates,
and after how many days an unanswered channel is proposed for "No response"."""

import datetime as dt
from collections.abc import Callable

import streamlit as st

from crm.errors import CrmError
from crm.formatting import format_count
from crm.outreach.events import no_response_days, set_no_response_days
from crm.outreach.stages import (
    PROTECTED,
    Stage,
    add_stage,
    delete_stage,
    rename_stage,
    reorder_stages,
)
from crm.pricing.currencies import delete_rate, set_base_currency, set_rate
from crm.ui.nav import page
from crm.ui.outreach import currency_options, stage_list
from crm.ui.pipeline import rate_list, stage_counts, workspace_base_currency
from crm.ui.state import get_store, pending_toast, run_write, show_error

store = get_store()
_TOAST = "settings.saved"
_STAGE_ERROR = "settings.stage_error"  # a refused stage action, shown above the stage list


def _stage_action(action: Callable[[], object], done: str) -> None:
    """Run one stage write from a widget's callback: its toast on success, else its refusal
    (shown above the list on this run)."""
    try:
        action()
    except CrmError as exc:
        st.session_state[_STAGE_ERROR] = exc
    else:
        st.session_state[_TOAST] = done


def rename(stage: Stage, key: str) -> None:
    """Rename a stage to what its box holds (the box's ``on_change``); a refused name goes back
    to the stored one, the refusal saying why."""
    label = str(st.session_state.get(key) or "")
    if " ".join(label.split()) == stage.label:
        return
    _stage_action(lambda: rename_stage(store, stage.key, label), f"Renamed “{stage.label}”.")
    if _STAGE_ERROR in st.session_state:
        st.session_state[key] = stage.label


def move(keys: list[str], index: int, step: int) -> None:
    """Swap a stage with its neighbour above (-1) or below (+1) (a button's ``on_click``)."""
    order = list(keys)
    order[index], order[index + step] = order[index + step], order[index]
    _stage_action(lambda: reorder_stages(store, order), "Stages reordered.")


def remove(stage: Stage) -> None:
    """Delete a stage (a button's ``on_click``); refused while cards sit in it."""
    _stage_action(lambda: delete_stage(store, stage.key), f"Deleted the stage “{stage.label}”.")


st.title("Settings")
pending_toast(_TOAST)

stages_col, side_col = st.columns([3, 2], gap="large")

with stages_col:
    st.subheader("Pipeline stages")
    st.caption(
        "The columns of the Pipeline board, in order. Renaming keeps a stage's history; a stage "
        "that still holds cards cannot be deleted until they are moved. Closing stages end a "
        "deal without a placement."
    )
    if exc := st.session_state.pop(_STAGE_ERROR, None):
        show_error(exc)
    stages = stage_list()
    counts = stage_counts()
    keys = [s.key for s in stages]
    widths = [0.5, 3, 2, 0.45, 0.45, 0.45]
    head = st.columns(widths)
    head[1].caption("Name (press Enter to rename)")
    head[2].caption(
        "Cards in it",
        help="Cards of every campaign, closed ones too: a stage that holds any cannot be deleted.",
    )
    for index, stage in enumerate(stages):
        pos, name, info, up, down, drop = st.columns(widths, vertical_alignment="center")
        pos.markdown(f"**{index + 1}.**")
        box = f"settings.stage.{stage.key}.{stage.version}"
        name.text_input(
            f"Name of stage {index + 1}",
            value=stage.label,
            key=box,
            label_visibility="collapsed",
            on_change=rename,
            args=(stage, box),
            max_chars=60,
        )
        held = counts.get(stage.key, 0)
        marks = [format_count(held)]
        if stage.closing:
            marks.append(":orange-badge[closing]")
        info.markdown(" · ".join(marks))
        up.button(
            "",
            key=f"settings.up.{stage.key}",
            icon=":material/arrow_upward:",
            help="Move up",
            disabled=index == 0,
            on_click=move,
            args=(keys, index, -1),
        )
        down.button(
            "",
            key=f"settings.down.{stage.key}",
            icon=":material/arrow_downward:",
            help="Move down",
            disabled=index == len(stages) - 1,
            on_click=move,
            args=(keys, index, 1),
        )
        if stage.key in PROTECTED:
            drop.button(
                "",
                key=f"settings.delete.{stage.key}",
                icon=":material/lock:",
                disabled=True,
                help=f"Cannot be deleted: {PROTECTED[stage.key]}. You can rename it.",
            )
        else:
            drop.button(
                "",
                key=f"settings.delete.{stage.key}",
                icon=":material/delete:",
                help="Delete this stage (only when no card sits in it)",
                on_click=remove,
                args=(stage,),
            )

    with st.expander("Add a stage", icon=":material/add:"), st.form("settings.add_stage"):
        new_label = st.text_input("Name *", max_chars=60, placeholder="e.g. Contract sent")
        after = st.selectbox(
            "After",
            [None, *keys],
            format_func=lambda k: (
                "Default: after the last open stage (a closing one at the end)"
                if k is None
                else next(s.label for s in stages if s.key == k)
            ),
        )
        closing = st.checkbox(
            "Closing stage", help="A stage that ends the deal without a placement (like Declined)."
        )
        if st.form_submit_button("Add stage", icon=":material/add:"):
            run_write(
                lambda: add_stage(store, new_label, closing=closing, after=after),
                toast_key=_TOAST,
                toast=f"Added the stage “{' '.join(new_label.split())}”.",
            )

with side_col:
    st.subheader("Base currency")
    base = workspace_base_currency()
    st.caption(
        "Prices in other currencies are converted to it (at the rate of the price's date) "
        "whenever they are compared or added up."
    )
    with st.form("settings.base_form", border=False):
        pick, save = st.columns([2, 1], vertical_alignment="bottom")
        chosen = pick.selectbox("Base currency", currency_options(base), key="settings.base")
        if save.form_submit_button("Save", width="stretch"):
            if chosen == base:
                st.toast(f"{base} is the base currency already.", icon=":material/info:")
            else:
                run_write(
                    lambda: set_base_currency(store, chosen),
                    toast_key=_TOAST,
                    toast=f"The base currency is {chosen} now.",
                )

    st.subheader("No response")
    days_now = no_response_days(store.cursor())
    with st.form("settings.no_response_form", border=False):
        pick, save = st.columns([2, 1], vertical_alignment="bottom")
        days = pick.number_input(
            "Propose “No response” after (days)",
            min_value=1,
            max_value=365,
            step=1,
            value=days_now,
            key="settings.no_response",
            help="A channel contacted this many days ago without a reply is proposed for the "
            "“No response” stage on its campaign's page.",
        )
        if save.form_submit_button("Save", width="stretch"):
            run_write(
                lambda: set_no_response_days(store, int(days)),
                toast_key=_TOAST,
                toast=f"Channels silent for {int(days)} days are proposed for “No response”.",
            )

st.divider()
st.subheader("Exchange rates")
st.caption(
    f"How many {base} one unit of a currency buys on a day. A price is converted at the "
    "nearest rate on or before its date; with no such rate its figure shows “—”, never a "
    "guess."
)
rates_col, add_col = st.columns([3, 2], gap="large")
with rates_col:
    every = rate_list()
    codes = sorted(set(every["currency"].to_list()))
    which = st.selectbox(
        "Currency",
        [None, *codes],
        format_func=lambda c: "All currencies" if c is None else c,
        key="settings.rates_currency",
    )
    rates = rate_list(which) if which else every
    if rates.is_empty():
        st.info(
            "No exchange rate yet: add one here, or import a file of rates.",
            icon=":material/currency_exchange:",
        )
    else:
        st.caption(
            f"**{format_count(rates.height)}** rates. Tick one to delete it."
            if rates.height != 1
            else "**1** rate. Tick it to delete it."
        )
        event = st.dataframe(
            rates,
            hide_index=True,
            key=f"settings.rates.{which}",
            on_select="rerun",
            selection_mode="single-row",
            height=min(360, 38 + 35 * rates.height),
            column_config={
                "currency": st.column_config.TextColumn("Currency", width=90),
                "date": st.column_config.DateColumn("Date", format="DD.MM.YYYY", width=110),
                "rate": st.column_config.NumberColumn(f"Rate, {base} per unit", width=150),
                "source": st.column_config.TextColumn("Source", width=160),
            },
        )
        rows = event.selection.rows if event is not None else []
        if rows:
            row = rates.row(int(rows[0]), named=True)
            code, on = str(row["currency"]), row["date"]
            if st.button(
                f"Delete the {code} rate of {on:%d.%m.%Y}",
                key="settings.rate_delete",
                icon=":material/delete:",
            ):
                run_write(
                    lambda: delete_rate(store, code, on),
                    toast_key=_TOAST,
                    toast=f"Deleted the {code} rate of {on:%d.%m.%Y}.",
                )

with add_col:
    with st.form("settings.add_rate"):
        st.markdown("**Add a rate by hand**")
        currency = st.selectbox(
            "Currency",
            [c for c in currency_options("USD") if c != base],
            key="settings.rate_currency",
        )
        c1, c2 = st.columns(2)
        on_day = c1.date_input(
            "Date", value=dt.date.today(), format="DD.MM.YYYY", key="settings.rate_date"
        )
        rate_text = c2.text_input(
            f"{base} per one unit", placeholder="e.g. 92.4537", key="settings.rate_value"
        )
        source = st.text_input(
            "Source", placeholder="e.g. Central Bank", key="settings.rate_source"
        )
        if st.form_submit_button("Add rate", icon=":material/add:", type="primary"):
            run_write(
                lambda: set_rate(store, currency, on_day, rate_text.strip(), source or None),
                toast_key=_TOAST,
                toast=f"Saved the {currency} rate of {on_day:%d.%m.%Y}.",
            )
    st.caption("A whole history of rates comes in faster as a file (date, currency, rate).")
    st.page_link(page("import"), label="Import a rates file", icon=":material/upload_file:")
    st.caption(f"A second rate on the same day replaces the first; {base} itself is always 1.")
