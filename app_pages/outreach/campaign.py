"""Campaign: its money against the budget, its shortlist and pipeline, and the conversation with
each shortlisted channel (timeline, activities, message templates)."""

import datetime as dt
from typing import Any, NoReturn

import polars as pl
import streamlit as st

from crm.charts.outreach import MONEY_HELP, budget_figure, budget_share, pipeline_figure
from crm.errors import CrmError, NotFound, StaleEdit
from crm.formatting import format_count, format_hours, format_money, format_percent
from crm.importing.lists import channel_refs
from crm.metrics import FORMULAS
from crm.outreach import board, events, templates
from crm.outreach.campaigns import GOALS, STATUSES, close_campaign, get_campaign, update_campaign
from crm.outreach.shortlist import PRIORITIES, AddResult, add_from_text, update_entries
from crm.reports import campaign_report_html
from crm.ui.columns import COUNT_FORMAT, DATE_FORMAT
from crm.ui.nav import page
from crm.ui.outreach import (
    ACTIVITY_LABELS,
    CAMPAIGN_KEY,
    CHANNEL_KEY,
    CHANNEL_TAB,
    CHANNEL_TAB_KEY,
    GOAL_LABELS,
    LANGUAGE_LABELS,
    PRIORITY_LABELS,
    STATUS_BADGES,
    STATUS_LABELS,
    author_input,
    campaign_money,
    campaign_picker,
    currency_options,
    current_author,
    label_of,
    no_response_list,
    open_campaign,
    pick_channel,
    shortlist_grid,
    stage_labels,
    template_list,
)
from crm.ui.placements import new_placement
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
from crm.vocab.terms import FORMAT_LABELS, FORMATS

# the edit form's labels, also naming the fields of a refused save
CAMPAIGN_LABELS = {
    "name": "Name",
    "brand": "Brand or product",
    "goal": "Goal",
    "status": "Status",
    "budget": "Budget",
    "currency": "Currency",
    "starts_on": "Starts on",
    "ends_on": "Ends on",
    "audience_notes": "Target audience",
}
# the shortlist fields people edit in the grid ("pick" is the tick, never saved)
EDITABLE = ("stage", "priority", "manager", "next_follow_up", "notes")
TABS = ["Shortlist", "Pipeline", CHANNEL_TAB, "Details"]
REPORT_LANGUAGES = {"en": "English", "ru": "Русский"}  # the client report's languages

store = get_store()
cur = store.cursor()
author = author_input()


def _ask_for_campaign(note: str | None = None) -> NoReturn:
    st.title("Campaign")
    if note:
        st.warning(note, icon=":material/search_off:")
    st.write("Pick a campaign on the **Campaigns** page, or here:")
    picked = campaign_picker(key="campaign.pick")
    if picked is not None:
        open_campaign(picked)
    st.page_link(page("campaigns"), label="All campaigns", icon=":material/campaign:")
    st.stop()


# the campaign comes from the URL (?id=) first, so a campaign link can be shared and reloaded
campaign_id = requested_id(CAMPAIGN_KEY)
if campaign_id is None:
    _ask_for_campaign()
try:
    camp = get_campaign(cur, int(campaign_id))
except NotFound as exc:
    st.session_state.pop(CAMPAIGN_KEY, None)
    _ask_for_campaign(str(exc))
st.query_params["id"] = str(camp.id)
st.session_state[CAMPAIGN_KEY] = camp.id
# a link to one channel in this campaign (?channel=, from a board card or a follow-up) opens
# its tab once; afterwards the page's own choices rule
if (wanted := st.query_params.pop("channel", None)) and wanted.isdigit():
    pick_channel(int(wanted))
closed = camp.status == "closed"
labels = stage_labels()

pending_toast("campaign.saved")
if notice := st.session_state.pop("campaign.notice", None):
    st.error(notice, icon=":material/sync_problem:")

# ---------------------------------------------------------------- header

head, actions = st.columns([5, 1], vertical_alignment="bottom")
head.title(camp.name)
if camp.starts_on or camp.ends_on:
    dates = " – ".join(f"{d:%d.%m.%Y}" if d else "…" for d in (camp.starts_on, camp.ends_on))
else:
    dates = "no dates yet"
head.markdown(
    " · ".join(
        x
        for x in (
            STATUS_BADGES.get(camp.status, camp.status),
            f"**{camp.brand}**" if camp.brand else None,
            f"Goal: {label_of(GOAL_LABELS, camp.goal)}",
            dates,
        )
        if x
    )
)
with actions:
    if closed:
        if st.button("Reopen", icon=":material/lock_open:", width="stretch", key="campaign.reopen"):
            run_write(
                lambda: update_campaign(store, camp.id, camp.version, {"status": "active"}),
                toast_key="campaign.saved",
                toast="Campaign reopened",
                then=lambda _: forget_opened("campaign.opened"),
            )
    else:
        with st.popover("Close…", icon=":material/lock:", width="stretch"):
            st.write(
                f"Close **{camp.name}**? Its shortlist, prices and history stay; the campaign "
                "becomes read-only until someone reopens it."
            )
            if st.button("Close the campaign", type="primary", key="campaign.close"):
                run_write(
                    lambda: close_campaign(store, camp.id, camp.version),
                    toast_key="campaign.saved",
                    toast="Campaign closed",
                    then=lambda _: forget_opened("campaign.opened"),
                )
    # the client report: one HTML file (KPIs, charts, placements, budget, provenance) that
    # opens offline; built only when the button is clicked
    with st.popover("Client report", icon=":material/summarize:", width="stretch"):
        st.caption(
            "One HTML file for the client: summary KPIs, charts, the placements, budget "
            "against spend and where the numbers come from. It opens offline."
        )
        report_language = st.radio(
            "Language",
            list(REPORT_LANGUAGES),
            format_func=REPORT_LANGUAGES.__getitem__,
            horizontal=True,
            key="campaign.report_language",
        )
        st.download_button(
            "Download the report",
            data=lambda lang=report_language: campaign_report_html(
                store.cursor(), camp.id, language=lang
            ).encode("utf-8"),
            file_name=f"campaign-{camp.id}-report-{report_language}.html",
            mime="text/html",
            key="campaign.report",
            on_click="ignore",
            icon=":material/download:",
            type="primary",
            width="stretch",
        )
if closed:
    st.info(
        "This campaign is closed: its shortlist, pipeline and details are read-only. "
        "Reopen it to change them.",
        icon=":material/lock:",
    )

# ---------------------------------------------------------------- money

money = campaign_money(camp.id)
figures, chart = st.columns([2, 3], gap="medium")
with figures:
    share = budget_share(money.planned, money.budget)
    row1, row2 = st.columns(2), st.columns(2)
    row1[0].metric(
        "Budget",
        format_money(money.budget, money.currency),
        help="The campaign's budget, in its currency",
    )
    row1[1].metric(
        "Planned",
        format_money(money.planned, money.currency),
        delta=None if share is None else f"{format_percent(share, 0)} of budget",
        delta_color="inverse" if money.over_budget else "off",
        delta_arrow="off",
        help=MONEY_HELP["planned"],
    )
    row2[0].metric(
        "Committed", format_money(money.committed, money.currency), help=MONEY_HELP["committed"]
    )
    row2[1].metric("Spent", format_money(money.spent, money.currency), help=MONEY_HELP["spent"])
with chart:
    st.plotly_chart(
        budget_figure(money), width="stretch", config={"displayModeBar": False}, key="campaign.bar"
    )
    st.caption(
        f"{format_count(money.planned_channels)} channels with an agreed price · "
        f"{format_count(money.paid_channels)} paid · in {money.currency}, each price converted "
        "at the rate of its date"
    )
if money.over_budget:
    st.error(
        f"The plan ({format_money(money.planned, money.currency)}) exceeds the budget "
        f"({format_money(money.budget, money.currency)}).",
        icon=":material/warning:",
    )
for reason in money.missing_rates:
    st.warning(
        f"{reason} Figures that need it are shown as “—”: add the rate in Settings.",
        icon=":material/currency_exchange:",
    )

# ---------------------------------------------------------------- tabs

tab_list, tab_pipe, tab_channel, tab_details = st.tabs(TABS, key=CHANNEL_TAB_KEY, on_change="rerun")

# ---------------------------------------------------------------- shortlist


def _add_channels() -> None:
    with st.expander("Add channels", icon=":material/playlist_add:"):
        add_round = st.session_state.get("campaign.add_round", 0)
        left, right = st.columns([3, 2])
        text = left.text_area(
            "Links or PLATFORM:HANDLE, one per line",
            placeholder="https://t.me/name\nvk:club123\nyoutube.com/@name",
            height=120,
            key=f"campaign.add_text.{add_round}",
        )
        upload = right.file_uploader(
            "…or a file of them: a list, or a table (CSV, TSV, XLSX) with a channel column",
            type=["txt", "csv", "tsv", "xlsx"],
            key=f"campaign.add_file.{add_round}",
        )
        if st.button("Add to the shortlist", icon=":material/add:", key="campaign.add"):

            def _add() -> AddResult:
                # the file is read by the one reader (encodings, delimiters, workbooks)
                refs = (
                    [
                        (f"{upload.name}, line {n}", ref)
                        for n, ref in channel_refs(upload.getvalue(), upload.name)
                    ]
                    if upload is not None
                    else []
                )
                return add_from_text(store, camp.id, text or "", refs=refs, author=author)

            run_write(
                _add,
                toast_key="campaign.saved",
                toast=lambda result: f"Added {len(result.added)} channels",
                then=lambda result: st.session_state.update(
                    {
                        "campaign.add_round": add_round + 1,
                        "campaign.add_result": (
                            result.message(),
                            bool(result.already or result.unknown),
                        ),
                    }
                ),
            )
    if held := st.session_state.pop("campaign.add_result", None):
        message, partly = held
        (st.warning if partly else st.success)(message, icon=":material/playlist_add_check:")


def _no_response_proposals() -> None:
    proposals = no_response_list(camp.id)
    if proposals.is_empty():
        return
    n, days = proposals.height, events.no_response_days(cur)
    with st.container(border=True):
        text, act = st.columns([4, 1], vertical_alignment="center")
        text.markdown(
            f":material/hourglass_bottom: **{n} channel{'' if n == 1 else 's'}** contacted more "
            f"than {days} days ago never replied. Move {'it' if n == 1 else 'them'} to "
            f"**{labels.get('no_response', 'No response')}**?"
        )
        if act.button(f"Move {n}", key="campaign.no_response", width="stretch"):
            moves = dict(
                zip(proposals["entry_id"].to_list(), proposals["version"].to_list(), strict=True)
            )
            _move(moves, "no_response")
        st.dataframe(
            proposals.select("title", "channel", "manager", "contacted_on", "days_waiting"),
            hide_index=True,
            placeholder="—",
            height=min(220, 38 + 35 * n),
            column_config={
                "title": st.column_config.TextColumn("Channel", width=200),
                "channel": st.column_config.TextColumn("Handle", width=200),
                "manager": st.column_config.TextColumn("Manager", width=120),
                "contacted_on": st.column_config.DateColumn(
                    "Contacted", format=DATE_FORMAT, width=100
                ),
                "days_waiting": st.column_config.NumberColumn("Days waiting", width=100),
            },
        )


def _bump_round() -> None:
    st.session_state["campaign.round"] = st.session_state.get("campaign.round", 0) + 1


def _move(moves: dict[int, int], to_stage: str) -> None:
    """Move cards (entry → version shown) in one transaction; a card that moved on since
    refuses the whole move and the table reloads."""
    try:
        moved = events.move_cards(store, moves, to_stage, author=author)
    except StaleEdit as exc:
        st.session_state["campaign.notice"] = f"Nothing was moved. {exc}"
    except CrmError as exc:
        show_error(exc)
        return
    else:
        st.session_state["campaign.saved"] = (
            f"Moved {moved} channel{'' if moved == 1 else 's'} to {labels.get(to_stage, to_stage)}"
        )
    _bump_round()
    st.rerun()


def _plain(value: Any) -> Any:
    """A grid value as the crm takes it: an empty text is no value, a timestamp its day."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _row_changes(
    grid: pl.DataFrame, edited: pl.DataFrame, rows: list[int]
) -> dict[int, dict[str, Any]]:
    """The fields changed in each edited row (row position → {field: new value})."""
    out: dict[int, dict[str, Any]] = {}
    for r in rows:
        if r >= grid.height:
            continue
        before, after = grid.row(r, named=True), edited.row(r, named=True)
        changed = {c: _plain(after[c]) for c in EDITABLE if _plain(after[c]) != _plain(before[c])}
        if changed:
            out[r] = changed
    return out


def _save_rows(grid: pl.DataFrame, changes: dict[int, dict[str, Any]]) -> int:
    """Every edited row in one transaction (crm.outreach.shortlist.update_entries), each
    against the version and values the grid showed."""
    edits = {
        int(grid["entry_id"][r]): (
            int(grid["version"][r]),
            changed,
            {c: _plain(grid[c][r]) for c in changed},
        )
        for r, changed in changes.items()
    }
    return update_entries(store, edits, author=author)


def _shortlist() -> None:
    fresh = shortlist_grid(camp.id)
    if not closed:
        _add_channels()
        _no_response_proposals()
    if fresh.is_empty():
        st.info(
            "No channels on the shortlist yet: add them above, from the Channels page, or from "
            "a channel's profile.",
            icon=":material/playlist_add:",
        )
        return
    options = list(labels)
    config = {
        "pick": st.column_config.CheckboxColumn("✓", width=34, help="Tick to move together"),
        "title": st.column_config.TextColumn("Channel", width=150, pinned=True),
        "platform": st.column_config.TextColumn("Platform", width=78),
        "followers": st.column_config.NumberColumn("Followers", format=COUNT_FORMAT, width=80),
        "price": st.column_config.TextColumn(
            "Latest price", width=140, help="The latest agreed, else quoted, else listed price"
        ),
        "est_cpm": st.column_config.TextColumn(
            "est. CPM", width=80, help=FORMULAS["est_cpm"] + ", in the base currency"
        ),
        "vs_peers": st.column_config.TextColumn(
            "vs peers",
            width=82,
            help="Percentile of the est. CPM among channels of the same platform and niche "
            "(and size band with enough of them): p35 = 35 % of the peers are cheaper per "
            "thousand views. With fewer than 5 peers there is no comparison.",
        ),
        "walk_away": st.column_config.TextColumn(
            "Walk-away",
            width=92,
            help="The price at which this channel's est. CPM equals its peers' median",
        ),
        "stage": st.column_config.SelectboxColumn(
            "Stage",
            options=options,
            format_func=lambda k: label_of(labels, str(k)),
            required=True,
            width=112,
        ),
        "days_in_stage": st.column_config.NumberColumn("Days", width=46, help="Days in stage"),
        "next_follow_up": st.column_config.DateColumn(
            "Follow-up", format=DATE_FORMAT, width=88, help="Next follow-up"
        ),
        "overdue": st.column_config.TextColumn("", width=28, help="⚠ The follow-up is overdue"),
        "priority": st.column_config.SelectboxColumn(
            "Priority",
            options=list(PRIORITIES),
            format_func=lambda k: label_of(PRIORITY_LABELS, str(k)),
            required=True,
            width=70,
        ),
        "manager": st.column_config.TextColumn("Manager", width=85),
        "notes": st.column_config.TextColumn("Notes", width=100),
    }
    # at 1440 × 900 (content about 1,300 px wide) every column is in view: the widths add up
    # to 1,265 px; the platform beside the title tells apart two channels of one name
    order = [
        c
        for c in (
            "pick", "title", "platform", "stage", "days_in_stage", "next_follow_up", "overdue",
            "priority", "price", "est_cpm", "vs_peers", "walk_away", "followers", "manager",
            "notes",
        )
        if not (closed and c == "pick")
    ]  # fmt: skip
    height = min(560, 38 + 35 * fresh.height)
    if closed:
        st.dataframe(
            fresh,
            column_order=order,
            column_config=config,
            hide_index=True,
            placeholder="—",
            height=height,
        )
        return

    # the grid's edits are row positions in the table as drawn when they were made: while any
    # are pending, the grid keeps showing (and saving against) that table, so a change made
    # meanwhile in another session is refused as stale rather than edited blindly
    table_key = f"campaign.table.{camp.id}.{st.session_state.get('campaign.round', 0)}"
    st.session_state["campaign.table_key"] = table_key
    pending = (st.session_state.get(table_key) or {}).get("edited_rows") or {}
    held = st.session_state.get("campaign.held")
    grid = held[1] if held is not None and held[0] == table_key and pending else fresh
    st.session_state["campaign.held"] = (table_key, grid)

    bar = st.container()
    edited = st.data_editor(
        grid,
        key=table_key,
        column_order=order,
        column_config=config,
        disabled=[c for c in grid.columns if c not in (*EDITABLE, "pick")],
        hide_index=True,
        height=height,
        placeholder="—",
    )
    rows = sorted(int(r) for r in pending)
    changes = _row_changes(grid, edited, rows)
    ticked = [r for r in range(edited.height) if edited["pick"][r]]
    with bar:
        note, target, move, save, discard = st.columns(
            [3, 1.6, 1.2, 1.1, 0.9], vertical_alignment="bottom"
        )
        n_changed = len(changes)
        if n_changed:
            note.markdown(
                f":material/edit: **{n_changed} row{'' if n_changed == 1 else 's'} changed**, "
                "not saved yet."
            )
        else:
            note.caption(
                f"**{format_count(grid.height)}** channels. Edit stage, priority, manager, "
                "follow-up and notes in the table, then save; tick rows to move them together."
            )
        to_stage = target.selectbox(
            "Move ticked to",
            options,
            format_func=lambda k: label_of(labels, str(k)),
            key="campaign.move_to",
        )
        go = move.button(
            f"Move {len(ticked)} ticked" if ticked else "Move ticked",
            icon=":material/move_item:",
            disabled=not ticked or bool(n_changed),
            help="Save or discard the edited rows first." if n_changed else None,
            width="stretch",
            key="campaign.move",
        )
        do_save = save.button(
            "Save",
            type="primary",
            icon=":material/save:",
            disabled=not n_changed,
            width="stretch",
            key="campaign.save",
        )
        if discard.button(
            "Discard", disabled=not (n_changed or ticked), width="stretch", key="campaign.discard"
        ):
            _bump_round()
            st.rerun()
    if go and ticked and to_stage is not None:
        _move({int(grid["entry_id"][r]): int(grid["version"][r]) for r in ticked}, to_stage)
    if do_save and changes:
        try:
            saved = _save_rows(grid, changes)
        except StaleEdit as exc:
            st.session_state["campaign.notice"] = (
                f"Nothing was saved. {exc} The table now shows the current data: make your "
                "change again."
            )
        except CrmError as exc:
            # a refused value (a manager's name too long …): the edits stay to be corrected
            show_error(exc)
            return
        else:
            st.session_state["campaign.saved"] = (
                f"Saved {saved} row{'' if saved == 1 else 's'} of the shortlist"
            )
        _bump_round()
        st.rerun()


if tab_list.open:
    with tab_list:
        _shortlist()

# ---------------------------------------------------------------- pipeline


def _pipeline() -> None:
    result = board.board(cur, board.BoardFilter(campaign_id=camp.id), default_limit=0)
    stages = [(s.key, s.label, s.closing) for s in result.stages]
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("Channels per stage")
        st.plotly_chart(
            pipeline_figure(stages, result.counts),
            width="stretch",
            config={"displayModeBar": False},
            key="campaign.pipeline",
        )
    with right:
        st.subheader("Time to first reply")
        replies = events.reply_times(cur, by="entry", campaign_id=camp.id)
        if replies.is_empty():
            st.write("No channel has been contacted yet in this campaign.")
            return
        summary = events.campaign_reply_summary(cur, camp.id)
        st.metric(
            "Median time to first reply",
            format_hours(summary.median_hours),
            delta=f"{format_count(summary.replied)} of {format_count(summary.contacted)} "
            "contacted channels replied",
            delta_color="off",
            delta_arrow="off",
            help="The median, over this campaign's channels that replied, of the time from "
            "their first move to Contacted to their first reply",
        )
        st.dataframe(
            [
                {
                    "Channel": r["title"] or r["channel"],
                    "Contacted": r["first_contacted"],
                    "Reply after": format_hours(r["hours"])
                    if r["hours"] is not None
                    else "no reply yet",
                }
                for r in replies.iter_rows(named=True)
            ],
            hide_index=True,
            height=min(420, 38 + 35 * replies.height),
            column_config={
                "Channel": st.column_config.TextColumn(width=170),
                "Contacted": st.column_config.DatetimeColumn(format="DD.MM.YYYY HH:mm", width=130),
                "Reply after": st.column_config.TextColumn(
                    width=100, help="From the first move to Contacted to the first to Replied"
                ),
            },
        )


if tab_pipe.open:
    with tab_pipe:
        _pipeline()

# ---------------------------------------------------------------- one channel


def _timeline(channel_id: int) -> None:
    st.markdown("**Timeline**")
    frame = events.timeline(cur, camp.id, channel_id)
    if frame.is_empty():
        st.caption("Nothing logged yet.")
        return
    rows = []
    for r in frame.iter_rows(named=True):
        if r["type"] == "stage":
            what = (
                f"→ {label_of(labels, r['stage_to'])}"
                if r["stage_from"] is None
                else f"{label_of(labels, r['stage_from'])} → {label_of(labels, r['stage_to'])}"
            )
        else:
            what = label_of(ACTIVITY_LABELS, r["type"])
        rows.append({"When": r["occurred_at"], "What": what, "Who": r["author"], "Text": r["text"]})
    st.dataframe(
        rows,
        hide_index=True,
        placeholder="—",
        height=min(300, 38 + 35 * len(rows)),
        column_config={
            "When": st.column_config.DatetimeColumn(format="DD.MM.YYYY HH:mm", width=125),
            "What": st.column_config.TextColumn(width=190),
            "Who": st.column_config.TextColumn(width=140),
            "Text": st.column_config.TextColumn(width=500),
        },
    )


def _log_activity(channel_id: int) -> None:
    log_round = st.session_state.get("campaign.log_round", 0)
    # the form starts at the time it was first drawn (kept, so a minute passing does not
    # redraw it); left as it is, the activity is logged at the time of saving
    held = st.session_state.get("campaign.log_opened")
    if held is None or held[0] != log_round:
        held = (log_round, dt.datetime.now().replace(second=0, microsecond=0))
        st.session_state["campaign.log_opened"] = held
    opened: dt.datetime = held[1]
    k = f"campaign.activity.{log_round}"
    with st.form(k):
        st.markdown("**Log an activity**")
        c1, c2, c3, c4 = st.columns([1.1, 1.4, 0.9, 1.3])
        kind = c1.selectbox(
            "Type",
            list(events.ACTIVITY_TYPES),
            format_func=ACTIVITY_LABELS.__getitem__,
            key=k + ".type",
        )
        day = c2.date_input("Date", value=opened.date(), format="DD.MM.YYYY", key=k + ".day")
        time = c3.time_input("Time", value=opened.time(), step=60, key=k + ".time")
        who = c4.text_input("Author", value=current_author() or "", key=k + ".author")
        text = st.text_area("What was said or done", height=90, key=k + ".text")
        if st.form_submit_button("Log activity", icon=":material/add_comment:"):
            at = (
                dt.datetime.combine(day, time)
                if isinstance(day, dt.date) and (day, time) != (opened.date(), opened.time())
                else None
            )
            run_write(
                lambda: events.log_activity(
                    store, camp.id, channel_id, kind, text, author=who or None, at=at
                ),
                toast_key="campaign.saved",
                toast=f"Logged: {ACTIVITY_LABELS[kind].lower()}",
                then=lambda _: st.session_state.update({"campaign.log_round": log_round + 1}),
            )


def _messages(channel_id: int) -> None:
    st.markdown("**Message**")
    st.session_state.setdefault("campaign.language", "ru")
    c1, c3 = st.columns([1, 1], vertical_alignment="bottom")
    language = c1.segmented_control(
        "Language",
        list(LANGUAGE_LABELS),
        format_func=LANGUAGE_LABELS.__getitem__,
        required=True,
        key="campaign.language",
        persist_state="session",
    )
    found = template_list(language)
    if found.is_empty():
        st.info(
            f"No templates in {LANGUAGE_LABELS[language or 'ru']} yet: write one on the "
            "Message templates page.",
            icon=":material/mail:",
        )
        st.page_link(page("templates"), label="Message templates", icon=":material/mail:")
        return
    names = {int(r["id"]): r["name"] for r in found.iter_rows(named=True)}
    if st.session_state.get("campaign.template") not in names:
        st.session_state["campaign.template"] = next(iter(names))
    template_id = st.selectbox(
        "Template",
        list(names),
        format_func=names.__getitem__,
        key="campaign.template",
        persist_state="session",
    )
    st.session_state.setdefault("campaign.format", "post")
    fmt = c3.selectbox(
        "Format",
        list(FORMATS),
        format_func=lambda f: label_of(FORMAT_LABELS, f).split(" (", 1)[0],
        key="campaign.format",
        persist_state="session",
    )
    chosen = found.filter(pl.col("id") == template_id).row(0, named=True)
    try:
        values = templates.template_values(
            cur, camp.id, channel_id, format=fmt or "post", language=language or "ru"
        )
        rendered = templates.render(
            chosen["body"], values, subject=chosen["subject"] or "", language=language or "ru"
        )
        links = templates.contact_links(
            cur, channel_id, subject=rendered.subject, body=rendered.text
        )
    except CrmError as exc:
        show_error(exc)
        return
    if rendered.subject:
        st.caption("Subject")
        st.code(rendered.subject, language=None, wrap_lines=True)
    st.code(rendered.text, language=None, wrap_lines=True)
    if rendered.unknown:
        st.error(
            "This template uses placeholders the app does not know: "
            + ", ".join(f"{{{p}}}" for p in rendered.unknown)
            + ". Fix it on the Message templates page (known: "
            + ", ".join(f"{{{p}}}" for p in templates.PLACEHOLDERS)
            + ").",
            icon=":material/data_object:",
        )
    if rendered.missing:
        st.warning(
            "No value for this channel: "
            + ", ".join(f"{{{p}}}" for p in rendered.missing)
            + ". They are marked in the text: fill them in before sending.",
            icon=":material/edit_note:",
        )
    b1, b2, b3 = st.columns(3)
    if "mailto" in links:
        b1.link_button("E-mail", links["mailto"], icon=":material/mail:", width="stretch")
    if "telegram" in links:
        b2.link_button("Telegram", links["telegram"], icon=":material/send:", width="stretch")
    if b3.button(
        "Log as sent",
        icon=":material/outgoing_mail:",
        type="primary",
        disabled=closed or bool(rendered.unknown),
        width="stretch",
        key="campaign.sent",
        help="Fix the unknown placeholders first"
        if rendered.unknown
        else "Adds the message, as shown, to this channel's timeline",
    ):
        run_write(
            lambda: templates.send_template(
                store, camp.id, channel_id, template_id, rendered, author=author
            ),
            toast_key="campaign.saved",
            toast="Logged the message as sent",
        )
    if not links:
        st.caption(
            "No e-mail or Telegram contact is known for this channel or its owner: add one on "
            "the channel's profile to get a link here."
        )


def _channel() -> None:
    grid = shortlist_grid(camp.id)
    if grid.is_empty():
        st.info("Add channels to the shortlist first.", icon=":material/playlist_add:")
        return
    names = {
        int(r["channel_id"]): f"{r['title']} · {r['platform']} · {label_of(labels, r['stage'])}"
        for r in grid.iter_rows(named=True)
    }
    if st.session_state.get(CHANNEL_KEY) not in names:
        st.session_state.pop(CHANNEL_KEY, None)
    pick_col, open_col, log_col = st.columns([3.6, 1, 1.2], vertical_alignment="bottom")
    channel_id = pick_col.selectbox(
        "Channel",
        list(names),
        index=None,
        format_func=names.__getitem__,
        placeholder="Choose a shortlisted channel",
        key=CHANNEL_KEY,
        persist_state="session",
    )
    if channel_id is None:
        st.caption("Its timeline, activities and messages show here.")
        return
    if open_col.button("Open profile", icon=":material/badge:", width="stretch"):
        open_channel(channel_id)
    if log_col.button(
        "Log a placement",
        icon=":material/post_add:",
        width="stretch",
        disabled=closed,
        key="campaign.log_placement",
        help="Opens the placement form filled with this campaign and channel",
    ):
        new_placement(camp.id, channel_id)
    row = grid.filter(pl.col("channel_id") == channel_id).row(0, named=True)
    replies = events.reply_times(cur, by="entry", campaign_id=camp.id).filter(
        pl.col("channel_id") == channel_id
    )
    # a reply time, else why there is none (under the dash, where it has room)
    if replies.is_empty():
        reply, why = "—", "not contacted yet"
    elif replies["hours"][0] is None:
        reply, why = "—", "no reply yet"
    else:
        reply, why = format_hours(replies["hours"][0]), None
    m = st.columns(5)
    m[0].metric("Stage", label_of(labels, row["stage"]))
    m[1].metric("Days in stage", format_count(row["days_in_stage"]))
    m[2].metric("Latest price", row["price"].split(" · ")[0])
    m[3].metric(
        "Next follow-up",
        f"{row['next_follow_up']:%d.%m.%Y}" if row["next_follow_up"] else "—",
        delta="overdue" if row["overdue"] else None,
        delta_color="inverse",
        delta_arrow="off",
    )
    m[4].metric(
        "First reply after",
        reply,
        delta=why,
        delta_color="off",
        delta_arrow="off",
        help="From the first move to Contacted to the first move to Replied",
    )
    _timeline(channel_id)
    left, right = st.columns(2, gap="medium")
    with left:
        if closed:
            st.caption("The campaign is closed: no new activities.")
        else:
            _log_activity(channel_id)
    with right, st.container(border=True):
        _messages(channel_id)


if tab_channel.open:
    with tab_channel:
        _channel()

# ---------------------------------------------------------------- details


def _details() -> None:
    if closed:
        st.markdown(
            "\n".join(
                f"- **{CAMPAIGN_LABELS[k]}:** {v}"
                for k, v in {
                    "brand": camp.brand or "—",
                    "goal": label_of(GOAL_LABELS, camp.goal),
                    "budget": format_money(camp.budget, camp.currency),
                    "starts_on": f"{camp.starts_on:%d.%m.%Y}" if camp.starts_on else "—",
                    "ends_on": f"{camp.ends_on:%d.%m.%Y}" if camp.ends_on else "—",
                    "audience_notes": camp.audience_notes or "—",
                }.items()
            )
        )
        return
    opened_key = "campaign.opened"  # the campaign as the form first showed it on this visit
    seen = opened_version(opened_key, camp)
    if seen.version != camp.version:
        st.caption(
            ":material/sync: This campaign was changed elsewhere since you opened the form. "
            "Saving keeps those changes, unless you changed the same field."
        )
    # what the widgets start from: a save sends only the fields whose value the user changed
    shown: dict[str, Any] = {
        "name": seen.name,
        "brand": seen.brand or "",
        "goal": seen.goal,
        "status": seen.status,
        "budget": "" if seen.budget is None else str(seen.budget),
        "currency": seen.currency,
        "starts_on": seen.starts_on,
        "ends_on": seen.ends_on,
        "audience_notes": seen.audience_notes or "",
    }
    with st.form(f"campaign.edit.{camp.id}.{seen.version}"):
        c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
        entered: dict[str, Any] = {
            "name": c1.text_input(CAMPAIGN_LABELS["name"], value=shown["name"]),
            "brand": c2.text_input(CAMPAIGN_LABELS["brand"], value=shown["brand"]),
            "goal": c3.selectbox(
                CAMPAIGN_LABELS["goal"],
                GOALS,
                index=GOALS.index(shown["goal"]) if shown["goal"] in GOALS else 0,
                format_func=GOAL_LABELS.__getitem__,
            ),
            "status": c4.selectbox(
                CAMPAIGN_LABELS["status"],
                STATUSES,
                index=STATUSES.index(shown["status"]) if shown["status"] in STATUSES else 0,
                format_func=STATUS_LABELS.__getitem__,
            ),
        }
        d1, d2, d3, d4 = st.columns([2, 1, 1.5, 1.5])
        entered["budget"] = d1.text_input(CAMPAIGN_LABELS["budget"], value=shown["budget"])
        currencies = currency_options(shown["currency"])
        entered["currency"] = d2.selectbox(
            CAMPAIGN_LABELS["currency"], currencies, index=currencies.index(shown["currency"])
        )
        entered["starts_on"] = d3.date_input(
            CAMPAIGN_LABELS["starts_on"], value=shown["starts_on"], format="DD.MM.YYYY"
        )
        entered["ends_on"] = d4.date_input(
            CAMPAIGN_LABELS["ends_on"], value=shown["ends_on"], format="DD.MM.YYYY"
        )
        entered["audience_notes"] = st.text_area(
            CAMPAIGN_LABELS["audience_notes"], value=shown["audience_notes"]
        )
        if st.form_submit_button("Save campaign", type="primary", icon=":material/save:"):
            save_form(
                seen,
                shown,
                entered,
                lambda version, seen=None, **edit: update_campaign(
                    store, camp.id, version, edit, seen=seen
                ),
                toast_key="campaign.saved",
                toast="Campaign saved",
                opened_key=opened_key,
            )
    stale_notice(
        opened_key,
        labels=CAMPAIGN_LABELS,
        formats={
            "goal": lambda g: label_of(GOAL_LABELS, g),
            "status": lambda s: label_of(STATUS_LABELS, s),
            "budget": lambda b: format_money(b, camp.currency),
        },
    )


if tab_details.open:
    with tab_details:
        _details()
