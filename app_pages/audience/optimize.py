"""Optimizer: the shortlist with the largest unique reach within a budget (overlap priced in),
against the naive pick of the same budget; and an owner's network as a bundle."""

from decimal import Decimal, InvalidOperation

import polars as pl
import streamlit as st

from crm.audience.money import Plan
from crm.audience.sets import Members, marginal_gains
from crm.charts.audience import pick_curve, picks_figure
from crm.errors import CrmError
from crm.formatting import format_count, format_money
from crm.metrics import FORMULAS, NAMES
from crm.pricing.currencies import base_currency
from crm.ui import audience as ui
from crm.ui.analysis import short_count, short_money
from crm.ui.columns import COUNT_FORMAT
from crm.ui.nav import page
from crm.ui.outreach import currency_options
from crm.ui.state import get_store, show_error
from crm.ui.widgets import PLOTLY_CONFIG
from crm.vocab.terms import FORMAT_LABELS

REQUEST = "optimizer.request"  # the last run's PlanRequest: the result stays while browsing
TABS = ("Shortlist", "Owner bundles")

store = get_store()
base = base_currency(store.cursor())
st.title("Optimizer")
if ui.audiences().is_empty():
    st.info(
        "**No member lists yet.** The optimizer counts each member once, so it needs the "
        "member lists of the candidate channels. Load them first.",
        icon=":material/group_work:",
    )
    st.page_link(page("audience_lists"), label="Load member lists", icon=":material/upload:")
    st.stop()


def _money_input(label: str, key: str) -> Decimal | None:
    """A budget box; the text is read as a Decimal (no float on the way)."""
    text = st.text_input(label, key=key, placeholder="e.g. 150000")
    if not text or not text.strip():
        return None
    try:
        return Decimal(text.strip().replace("\u202f", "").replace(" ", "").replace(",", "."))
    except InvalidOperation:
        st.error(f"“{text}” is not an amount: type digits, e.g. 150000 or 1250.50.")
        return None


def _adds(ids: tuple[int, ...], sets: dict[int, Members]) -> list[int | None]:
    """The added reach of each channel, in the pick's order (None for one without a list)."""
    listed = [i for i in ids if i in sets]
    gains = dict(zip(listed, marginal_gains([sets[i] for i in listed]), strict=True))
    return [gains.get(i) for i in ids]


def _pick_table(ids: tuple[int, ...], costs: dict[int, Decimal], labels: dict[int, str]) -> None:
    sets = ui.member_sets()
    table = pl.DataFrame(
        {
            "channel": [labels.get(i, str(i)) for i in ids],
            "price": [format_money(costs.get(i), base) for i in ids],
            "members": [sets[i].size if i in sets else None for i in ids],
            # in the order the pick took them: what each adds to the ones before it
            "adds": _adds(ids, sets),
        },
        schema={"channel": pl.String, "price": pl.String, "members": pl.Int64, "adds": pl.Int64},
    )
    st.dataframe(
        table,
        hide_index=True,
        placeholder="—",
        column_config={
            "channel": st.column_config.TextColumn("Channel"),
            "price": st.column_config.TextColumn(f"Price, {base}"),
            "members": st.column_config.NumberColumn("Members", format=COUNT_FORMAT),
            "adds": st.column_config.NumberColumn(
                "Adds (unique)",
                format=COUNT_FORMAT,
                help="Members this channel adds to the channels above it: its added reach",
            ),
        },
    )


def _left_out(left_out: tuple[tuple[int, str], ...], labels: dict[int, str], what: str) -> None:
    if not left_out:
        return
    frame = pl.DataFrame(
        {
            "channel": [labels.get(i, str(i)) for i, _ in left_out],
            "reason": [why for _, why in left_out],
        }
    )
    with st.expander(f"Left out of {what} ({format_count(frame.height)})"):
        st.dataframe(frame, hide_index=True)


def _shortlist() -> None:
    candidates, where = ui.choose_channels(
        "optimizer",
        {
            "all": "All channels with a list",
            "filter": ui.SOURCES["filter"],
            "campaign": ui.SOURCES["campaign"],
            "file": "File of channels",
        },
    )
    st.caption(f"{format_count(len(candidates))} candidate channels, {where}.")
    labels = ui.labels(candidates)
    budget_col, currency_col, format_col = st.columns([2, 1, 2])
    with budget_col:
        budget = _money_input("Budget", "optimizer.budget")
    currencies = currency_options(base)
    currency = currency_col.selectbox("Currency", currencies, key="optimizer.currency")
    fmt = format_col.selectbox(
        "Format",
        list(FORMAT_LABELS),
        format_func=FORMAT_LABELS.__getitem__,
        key="optimizer.format",
    )
    include_col, exclude_col = st.columns(2)
    # channels no longer among the candidates (another source, a new filter) drop out of the
    # must-lists rather than break them
    for key in ("optimizer.include", "optimizer.exclude"):
        held = st.session_state.get(key)
        if held and any(c not in labels for c in held):
            st.session_state[key] = [c for c in held if c in labels]
    if set(st.session_state.get("optimizer.exclude") or ()) & set(
        st.session_state.get("optimizer.include") or ()
    ):
        st.session_state["optimizer.exclude"] = [
            c
            for c in st.session_state["optimizer.exclude"]
            if c not in st.session_state["optimizer.include"]
        ]
    must_include = include_col.multiselect(
        "Must include",
        candidates,
        format_func=lambda i: labels.get(i, str(i)),
        key="optimizer.include",
        help="Bought whatever it costs; the rest of the budget is optimised around them.",
    )
    must_exclude = exclude_col.multiselect(
        "Must exclude",
        [c for c in candidates if c not in must_include],
        format_func=lambda i: labels.get(i, str(i)),
        key="optimizer.exclude",
    )
    run = st.button(
        "Find the best shortlist",
        type="primary",
        icon=":material/auto_awesome:",
        disabled=not candidates,
        key="optimizer.run",
    )
    if run:
        if budget is None:
            st.error("Enter the budget first.", icon=":material/error:")
            return
        st.session_state[REQUEST] = ui.PlanRequest(
            candidates=tuple(candidates),
            budget=budget,
            currency=currency or base,
            format=fmt or "post",
            must_include=tuple(must_include),
            must_exclude=tuple(must_exclude),
        )
    request: ui.PlanRequest | None = st.session_state.get(REQUEST)
    if request is None:
        st.info(
            "Set a budget and press **Find the best shortlist**: the pick with the most unique "
            "members within it, compared with buying the largest channels first.",
            icon=":material/auto_awesome:",
        )
        return
    try:
        with st.spinner("Optimising…"):
            result = ui.plan(request)
    except CrmError as exc:
        show_error(exc)
        return
    _show_plan(result, ui.labels(request.candidates), ui.keys(request.candidates))


def _show_plan(result: Plan, labels: dict[int, str], keys: dict[int, str]) -> None:
    chosen, naive = result.chosen, result.naive
    st.subheader("The optimizer's pick")
    gain = chosen.unique_reach - naive.unique_reach
    row = [
        ("Channels", format_count(len(chosen.ids)), None, None),
        ("Cost", short_money(chosen.cost, base),
         f"Sum of the chosen channels' prices, in {base}. Budget: "
         f"{format_money(result.budget_base, base)}. Exactly: {format_money(chosen.cost, base)}",
         None),
        (NAMES["unique_reach"], short_count(chosen.unique_reach),
         f"{FORMULAS['unique_reach']}. Exactly: {format_count(chosen.unique_reach)}",
         f"{gain:+,} vs naive".replace(",", "\u202f")),
        (NAMES["dedup_cpm"], format_money(result.dedup_cpm, base), FORMULAS["dedup_cpm"], None),
    ]  # fmt: skip
    for column, (label, value, tip, delta) in zip(st.columns(4), row, strict=True):
        column.metric(label, value, delta=delta, help=tip, border=True)
    if result.rate_note:
        st.caption(result.rate_note)
    if not chosen.ids:
        st.warning(
            "No candidate with both a price and a member list fits this budget: raise the "
            "budget or widen the candidates (why each was left out is listed below).",
            icon=":material/money_off:",
        )
    else:
        st.info(ui.method_text(chosen), icon=":material/verified:")
        _pick_table(chosen.ids, dict(result.costs), labels)

    st.subheader("Against the naive pick")
    st.caption(
        f"Naive: the largest channels (by followers) first, each added while the budget allows. "
        f"It buys {format_count(len(naive.ids))} channels for {format_money(naive.cost, base)} "
        f"and reaches {format_count(naive.unique_reach)} unique members (dedup CPM "
        f"{format_money(result.naive_dedup_cpm, base)})."
    )
    sets = ui.member_sets()
    costs = dict(result.costs)
    curves = [
        pick_curve("Optimizer", chosen.ids, sets, costs, keys, greedy=True),
        pick_curve("Naive (largest first)", naive.ids, sets, costs, keys),
    ]
    st.plotly_chart(
        picks_figure(curves, result.budget_base, base),
        width="stretch",
        config=PLOTLY_CONFIG,
        key="optimizer.curves",
    )
    st.caption(
        "Each point adds one channel: money spent so far and unique reach so far. The "
        "optimizer's channels are drawn best value first."
    )
    with st.expander(f"The naive pick ({format_count(len(naive.ids))} channels)"):
        _pick_table(naive.ids, costs, labels)
    _left_out(result.left_out, labels, "the candidates")


def _bundles() -> None:
    networks = ui.networks()
    if networks.is_empty():
        st.info("No owner is recorded yet: set owners on the Owners page.")
        return
    owners = {
        row["owner_id"]: (
            f"{row['owner']} · {format_count(row['channels'])} channels, "
            f"{format_count(row['with_list'])} with a member list"
        )
        for row in networks.iter_rows(named=True)
    }
    owner_col, format_col = st.columns([3, 2])
    # the largest network with member lists first: the page opens on a bundle worth studying
    first = networks.row(0, named=True)
    owner_id = owner_col.selectbox(
        "Owner (largest networks first)",
        list(owners),
        index=0 if first["with_list"] >= 2 else None,
        format_func=owners.__getitem__,
        placeholder="Choose the owner of a network",
        key="bundle.owner",
    )
    fmt = format_col.selectbox(
        "Format",
        list(FORMAT_LABELS),
        format_func=FORMAT_LABELS.__getitem__,
        key="bundle.format",
    )
    budget_col, currency_col = st.columns([3, 2])
    with budget_col:
        budget = _money_input("Budget for the best part (optional)", "bundle.budget")
    currency = currency_col.selectbox("Currency", currency_options(base), key="bundle.currency")
    if owner_id is None:
        st.caption("The unique reach and dedup CPM of buying an owner's whole network.")
        return
    try:
        result = ui.bundle(owner_id, fmt or "post", budget, currency if budget else None)
    except CrmError as exc:
        show_error(exc)
        return
    labels = ui.labels(result.channel_ids)
    counted = len(result.money.counted)
    if not counted:
        st.warning(
            f"None of the owner's {format_count(len(result.channel_ids))} channels has both a "
            f"price for {FORMAT_LABELS[fmt or 'post'].lower()} and a member list, so the "
            "network's unique reach and CPMs cannot be computed: the list below says what "
            "each one lacks.",
            icon=":material/person_off:",
        )
        _left_out(result.left_out, labels, "the network's figures")
        return
    row = [
        ("Channels", f"{format_count(counted)} of {format_count(len(result.channel_ids))}",
         "The owner's channels with both a price and a member list, of all their channels"),
        ("Total price", short_money(result.total_price, base),
         f"Sum of the priced channels' prices. Exactly: {format_money(result.total_price, base)}"),
        (NAMES["unique_reach"], short_count(result.unique_reach), FORMULAS["unique_reach"]),
        (NAMES["sum_of_audiences"], short_count(result.sum_of_audiences),
         FORMULAS["sum_of_audiences"]),
        (NAMES["dedup_cpm"], format_money(result.dedup_cpm, base), FORMULAS["dedup_cpm"]),
        ("Naive CPM", format_money(result.naive_cpm, base),
         "Naive CPM = total price / sum of audiences × 1000"),
    ]  # fmt: skip
    for column, (label, value, tip) in zip(st.columns(6), row, strict=True):
        column.metric(label, value, help=tip, border=True)
    if result.money.counted_price != result.total_price:
        st.caption(
            f"CPMs count {format_money(result.money.counted_price, base)} of the total: the "
            "channels with both a price and a member list."
        )
    if result.price_without_duplicates is not None:
        st.success(
            f"**Package price to ask for: {format_money(result.price_without_duplicates, base)}** "
            f"instead of {format_money(result.money.counted_price, base)}: at that price the "
            "network's dedup CPM equals its naive CPM, so every unique member is paid once "
            "at the rate the separate prices ask per audience member.",
            icon=":material/handshake:",
        )
    _left_out(result.left_out, labels, "the network's figures")
    if result.best is not None:
        best = result.best
        st.subheader("The best part within the budget")
        sub = [
            ("Channels", format_count(len(best.chosen.ids))),
            ("Cost", format_money(best.chosen.cost, base)),
            (NAMES["unique_reach"], format_count(best.chosen.unique_reach)),
            (NAMES["dedup_cpm"], format_money(best.dedup_cpm, base)),
        ]
        for column, (label, value) in zip(st.columns(4), sub, strict=True):
            column.metric(label, value, border=True)
        if best.rate_note:
            st.caption(best.rate_note)
        if best.chosen.ids:
            st.info(ui.method_text(best.chosen), icon=":material/verified:")
            _pick_table(best.chosen.ids, dict(best.costs), labels)
        else:
            st.warning(
                "No channel of the network with both a price and a member list fits this budget.",
                icon=":material/money_off:",
            )


tabs = st.tabs(list(TABS), key="optimizer.tab", on_change="rerun")
for tab, draw in zip(tabs, (_shortlist, _bundles), strict=True):
    if tab.open:
        with tab:
            draw()
