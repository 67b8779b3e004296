"""Campaigns: every campaign with its budget and the money planned and spent; start a new one."""

import datetime as dt

import polars as pl
import streamlit as st

from crm.charts.outreach import budget_share
from crm.formatting import format_count, format_money
from crm.outreach.campaigns import GOALS, create_campaign
from crm.pricing.currencies import base_currency
from crm.ui.columns import DATE_FORMAT
from crm.ui.outreach import (
    GOAL_LABELS,
    STATUS_LABELS,
    campaign_list,
    campaign_money,
    currency_options,
    label_of,
    money_by_campaign,
    open_campaign,
)
from crm.ui.state import get_store, pending_toast, run_write

_SHOW = {"open": "Active and drafts", "closed": "Closed", "all": "All"}

store = get_store()

st.title("Campaigns")
st.caption(
    "A campaign is one brand's push: a goal, a budget in one currency, dates, and the channels "
    "you are talking to. Tick a row to open it."
)
pending_toast("campaigns.saved")

every = campaign_list(include_closed=True)
top, new_col = st.columns([4, 1], vertical_alignment="bottom")
st.session_state.setdefault("campaigns.show", "open")
show = top.segmented_control(
    "Show", list(_SHOW), format_func=_SHOW.__getitem__, required=True, key="campaigns.show"
)
if show == "open":
    frame = every.filter(pl.col("status") != "closed")
elif show == "closed":
    frame = every.filter(pl.col("status") == "closed")
else:
    frame = every

# the money of every campaign in its own currency, read at once (budget.campaigns_money)
money = money_by_campaign()
# a campaign created after that read (by someone else, just now) is read on its own
money.update({int(i): campaign_money(int(i)) for i in frame["id"] if int(i) not in money})
rows = []
for r in frame.iter_rows(named=True):
    m = money[int(r["id"])]
    share = budget_share(m.planned, m.budget)
    rows.append(
        {
            "Name": r["name"],
            "Brand": r["brand"],
            "Goal": label_of(GOAL_LABELS, r["goal"]),
            "Status": label_of(STATUS_LABELS, r["status"]),
            "Starts": r["starts_on"],
            "Ends": r["ends_on"],
            "Budget": format_money(m.budget, m.currency),
            "Planned": format_money(m.planned, m.currency),
            "Spent": format_money(m.spent, m.currency),
            "Of budget": None if share is None else round(share * 100),
            "Channels": r["channels"],
            "Open": r["open"],
        }
    )

if every.is_empty():
    st.info(
        "No campaigns yet. Start the first one below: name it, give it a budget and dates, "
        "then add channels to its shortlist.",
        icon=":material/campaign:",
    )
elif not rows:
    st.info("No campaign matches: choose another filter above.")
else:
    st.caption(f"**{format_count(len(rows))}** of {format_count(every.height)} campaigns.")
    event = st.dataframe(
        rows,
        hide_index=True,
        key="campaigns.table",
        on_select="rerun",
        selection_mode="single-row",
        placeholder="—",
        height=min(460, 38 + 35 * len(rows)),
        column_config={
            "Name": st.column_config.TextColumn(width=200, pinned=True),
            "Brand": st.column_config.TextColumn(width=110),
            "Goal": st.column_config.TextColumn(width=90),
            "Status": st.column_config.TextColumn(width=70),
            "Starts": st.column_config.DateColumn(width=88, format=DATE_FORMAT),
            "Ends": st.column_config.DateColumn(width=88, format=DATE_FORMAT),
            "Budget": st.column_config.TextColumn(width=112),
            "Planned": st.column_config.TextColumn(
                width=112, help="Sum of the latest agreed price of each shortlisted channel"
            ),
            "Spent": st.column_config.TextColumn(width=112, help="Sum of the paid prices"),
            "Of budget": st.column_config.ProgressColumn(
                width=80,
                help="Planned as a share of the budget; over 100 % the plan exceeds it",
                format="%d %%",
                min_value=0,
                max_value=100,
            ),
            "Channels": st.column_config.NumberColumn(width=75, help="Shortlisted channels"),
            "Open": st.column_config.NumberColumn(
                width=60, help="Shortlisted channels not in a closing stage"
            ),
        },
    )
    missing = {
        r["name"]: money[int(r["id"])].missing_rates
        for r in frame.iter_rows(named=True)
        if money[int(r["id"])].missing_rates
    }
    for name, reasons in missing.items():
        st.caption(f":material/currency_exchange: **{name}**: {' '.join(reasons)}")
    picked = event.selection.rows if event is not None else []
    if picked and picked[0] < frame.height:
        open_campaign(int(frame["id"][picked[0]]))

# the form keeps what was typed when the campaign is refused (an end before the start is
# corrected, not typed again); after a campaign is created, a new round draws it empty
add_round = st.session_state.get("campaigns.add_round", 0)
base = base_currency(store.cursor())
with (
    st.expander("New campaign", icon=":material/add:", expanded=every.is_empty()),
    st.form(f"campaigns.new.{add_round}"),
):
    c1, c2, c3 = st.columns([2, 2, 1])
    name = c1.text_input("Name *", placeholder="e.g. Spring sale 2026")
    brand = c2.text_input("Brand or product")
    goal = c3.selectbox("Goal", GOALS, format_func=GOAL_LABELS.__getitem__)
    d1, d2, d3, d4, d5 = st.columns([2, 1, 1.2, 1.2, 1])
    amount = d1.text_input(
        "Budget", placeholder="e.g. 500 000", help="Leave empty if there is no budget yet."
    )
    currencies = currency_options(base)
    currency = d2.selectbox("Currency", currencies, index=currencies.index(base))
    starts_on = d3.date_input("Starts on", value=None, format="DD.MM.YYYY")
    ends_on = d4.date_input("Ends on", value=None, format="DD.MM.YYYY")
    status = d5.selectbox("Status", ["active", "draft"], format_func=STATUS_LABELS.__getitem__)
    audience = st.text_area(
        "Target audience", placeholder="Who the campaign is for: age, interests, cities …"
    )

    def _created(new_id: int) -> None:
        # the next round draws an empty form; the new campaign opens, with its toast there
        st.session_state["campaigns.add_round"] = add_round + 1
        st.session_state["campaign.saved"] = f"Created the campaign {name.strip()}"
        open_campaign(new_id)

    if st.form_submit_button("Create campaign", type="primary", icon=":material/add:"):
        run_write(
            lambda: create_campaign(
                store,
                name=name,
                brand=brand or None,
                goal=goal,
                budget=amount.strip() or None,
                currency=currency,
                starts_on=starts_on if isinstance(starts_on, dt.date) else None,
                ends_on=ends_on if isinstance(ends_on, dt.date) else None,
                audience_notes=audience or None,
                status=status,
            ),
            toast_key="campaigns.saved",
            toast=f"Created the campaign {name.strip()}",
            then=_created,
        )
