"""What the Audience pages read and share: member sets in memory (cached by the "audience"
generation, never under the write lock), cached overlap, money, plan and quality reads, channel
labels, and the three ways to choose channels (by hand, the registry filter, a campaign)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import Any

import polars as pl
import streamlit as st

from crm import registry
from crm.audience import lists, money, quality
from crm.audience import sets as audience_sets
from crm.audience.optimize import METHOD_ENUMERATION, METHOD_GREEDY, Pick
from crm.audience.quality import SCORE_RULE
from crm.audience.sets import Members
from crm.charts.audience import contributions_figure
from crm.errors import CrmError
from crm.formatting import format_count
from crm.importing.lists import channel_refs
from crm.store import resolve_db_path
from crm.ui.columns import COUNT_FORMAT
from crm.ui.nav import page
from crm.ui.outreach import shortlist_table
from crm.ui.state import get_store, known_values
from crm.ui.widgets import PLOTLY_CONFIG, channel_filters
from crm.vocab.platforms import PLATFORMS, ChannelRef, channel_key_frame, normalise_handle

# what the figures read: member lists (audience), channel names and followers (registry),
# prices and rates (pricing), campaigns' shortlists (outreach)
MAX_MATRIX = 60  # channels a heatmap draws: 3 600 cells still read at 1440 px
MAX_REGIONS = 62  # sets.regions lists intersections of at most this many channels
UPSET_BARS = 15
ADD_NEXT = 20  # rows of the "add next" list
SOURCES: dict[str, str] = {
    "hand": "Pick by hand",
    "filter": "Registry filter",
    "campaign": "Campaign shortlist",
}
ID_KINDS: dict[str, str] = {"auto": "Auto", "number": "Numbers (user ids)", "text": "Usernames"}
TABULAR = (".csv", ".tsv", ".xlsx", ".xls")
LIST_FILES = ["txt", "csv", "tsv", "xlsx", "xls", "lst"]


def _gen(*parts: str) -> tuple[int, ...]:
    store = get_store()
    return tuple(store.generation(p) for p in parts)


# ---------------------------------------------------------------- member sets in memory


@st.cache_resource(show_spinner=False, max_entries=2)
def _sets(path: str, generation: int) -> dict[int, Members]:
    # read-only: the bitmaps are deserialised from the store without the write lock; a load
    # commits under a new generation, so the next run reads the lists afresh
    return lists.member_sets(get_store().cursor())


def member_sets() -> dict[int, Members]:
    """Every channel's current member list in memory (lists.member_sets), cached until a list
    is loaded or deleted (the "audience" generation)."""
    path = resolve_db_path()
    return _sets(path, get_store().generation("audience"))


@st.cache_data(show_spinner=False, max_entries=8)
def _audiences(path: str, generation: tuple[int, ...]) -> pl.DataFrame:
    return lists.audiences_frame(get_store().cursor())


def audiences() -> pl.DataFrame:
    """The current list of every channel that has one (lists.audiences_frame), cached."""
    return _audiences(resolve_db_path(), _gen("audience", "registry"))


@st.cache_data(show_spinner=False, max_entries=16)
def _history(path: str, generation: tuple[int, ...], channel_id: int) -> pl.DataFrame:
    return lists.audience_history(get_store().cursor(), channel_id)


def history(channel_id: int) -> pl.DataFrame:
    """The lists loaded for one channel, newest first (lists.audience_history), cached."""
    return _history(resolve_db_path(), _gen("audience"), channel_id)


@st.cache_data(show_spinner=False, max_entries=8)
def _channel_names(path: str, generation: tuple[int, ...]) -> pl.DataFrame:
    frame = registry.list_channels(get_store().cursor(), registry.ChannelFilter(archived="all"))
    return frame.select(
        "id",
        "platform",
        "handle",
        "title",
        "followers",
        "archived",
    )


def channel_names() -> pl.DataFrame:
    """id, platform, handle, title and followers of every channel (archived too), cached."""
    return _channel_names(resolve_db_path(), _gen("registry"))


def label_for(key: str, title: str | None) -> str:
    """How a channel is named in pickers and tables: 'vk:club1 · Title' (the key alone when
    the title is missing or just repeats the handle)."""
    handle = key.split(":", 1)[-1]
    return key if not title or title == handle else f"{key} · {title}"


def labels(ids: Iterable[int] | None = None) -> dict[int, str]:
    """Each channel's label ('PLATFORM:HANDLE · title') by id; all channels for None."""
    frame = channel_names()
    if ids is not None:
        wanted = list(ids)
        frame = frame.filter(pl.col("id").is_in(wanted))
    return {
        int(r["id"]): label_for(f"{r['platform']}:{r['handle']}", r["title"])
        for r in frame.iter_rows(named=True)
    }


def keys(ids: Iterable[int]) -> dict[int, str]:
    """Each channel's PLATFORM:HANDLE by id: the short name charts use."""
    wanted = list(ids)
    frame = channel_names().filter(pl.col("id").is_in(wanted))
    return {int(r["id"]): f"{r['platform']}:{r['handle']}" for r in frame.iter_rows(named=True)}


# ---------------------------------------------------------------- choosing channels


@st.cache_data(show_spinner=False, max_entries=16)
def _matching(path: str, generation: tuple[int, ...], flt: registry.ChannelFilter) -> list[int]:
    return registry.matching_channel_ids(get_store().cursor(), flt)


def filter_ids() -> tuple[list[int], registry.ChannelFilter]:
    """The Channels page's sidebar filter (drawn here, its values shared with that page) and the
    ids of every channel it matches (registry.matching_channel_ids), cached."""
    flt, _ = channel_filters(known_values())
    return _matching(resolve_db_path(), _gen("registry", "placements"), flt), flt


def campaign_ids(campaign_id: int) -> list[int]:
    """The channels on a campaign's shortlist (shortlist.shortlist_frame), in board order."""
    return [int(i) for i in shortlist_table(campaign_id)["channel_id"].to_list()]


@dataclass(frozen=True)
class FileChannels:
    """The channels a file names that are in the registry, and what could not be matched."""

    ids: list[int]
    problems: list[str]


def channels_in_file(data: bytes, filename: str) -> FileChannels:
    """The registry channels a file of links or PLATFORM:HANDLE names (one per line, or a table
    with a channel column: crm.importing.lists.channel_refs), each once in file order; lines
    that name no channel of the registry are reported with their line number and why."""
    refs = channel_refs(data, filename)
    parsed = channel_key_frame(pl.Series("raw", [text.strip() for _, text in refs], pl.String))
    cur = get_store().cursor()
    ids: list[int] = []
    problems: list[str] = []
    for (line, text), row in zip(refs, parsed.iter_rows(named=True), strict=True):
        if row["error"] is not None:
            problems.append(f"line {line}: {row['error']}")
            continue
        found = registry.find_channel(cur, ChannelRef(row["platform"], row["handle"]))
        if found is None:
            problems.append(
                f"line {line}: {row['platform']}:{row['handle']} is not in the registry"
            )
        elif found not in ids:
            ids.append(int(found))
        del text
    return FileChannels(ids, problems)


def match_file_to_channel(filename: str) -> int | None:
    """The channel a member file's name names, when exactly one does: 'vk_club123.csv' or
    'vk-club123.txt' (platform, then handle), 'telegram:durov.csv', or a bare handle
    ('durov.txt') that one channel of one platform has."""
    stem = PurePath(filename).stem.strip()
    if not stem:
        return None
    cur = get_store().cursor()
    for separator in (":", "_", "-", " ", "."):
        head, sep, tail = stem.partition(separator)
        if sep and head.lower() in PLATFORMS and tail.strip():
            found = registry.find_channel(cur, ChannelRef(head.lower(), normalise_handle(tail)))
            if found is not None:
                return int(found)
    handle = normalise_handle(stem)
    hits = [
        int(found)
        for platform in PLATFORMS
        if (found := registry.find_channel(cur, ChannelRef(platform, handle))) is not None
    ]
    return hits[0] if len(hits) == 1 else None


def file_columns(data: bytes, filename: str) -> list[str]:
    """The header of a tabular member file (CSV, TSV, Excel), for the column picker; [] for a
    plain list of one id per line (nothing to pick) or a file whose header cannot be read."""
    suffix = PurePath(filename).suffix.lower()
    try:
        if suffix in (".xlsx", ".xls"):
            head = pl.read_excel(data, engine="calamine", read_options={"n_rows": 1})
            return [str(c) for c in head.columns]
        first = data[:65_536].split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").strip()
    except (CrmError, ValueError, OSError, pl.exceptions.PolarsError):
        return []
    separator = next((s for s in ("\t", ";", ",", "|") if s in first), None)
    if separator is None:
        return []
    return [c.strip().strip('"') for c in first.split(separator)]


# ---------------------------------------------------------------- overlap of a selection


@dataclass(frozen=True)
class Overlap:
    """The overlap figures of a selection's channels that have a member list (in ``ids``
    order), and the picked channels that have none."""

    ids: list[int]
    missing: list[int]
    sizes: list[int]
    matrices: dict[str, list[list[float | None]]]
    reach: audience_sets.Reach


@st.cache_data(show_spinner=False, max_entries=16)
def _overlap(path: str, generation: int, ids: tuple[int, ...]) -> Overlap:
    held = member_sets()
    with_list = [i for i in ids if i in held]
    chosen = [held[i] for i in with_list]
    matrices: dict[str, list[list[float | None]]] = {
        m: audience_sets.overlap_matrix(chosen, m) for m in audience_sets.METRICS
    }
    return Overlap(
        ids=with_list,
        missing=[i for i in ids if i not in held],
        sizes=[s.size for s in chosen],
        matrices=matrices,
        reach=audience_sets.reach(chosen),
    )


def overlap(ids: Sequence[int]) -> Overlap:
    """Overlap matrices (count, share, Jaccard), reach figures and intersection regions of the
    channels (crm.audience.sets), cached per selection until a list changes."""
    unique = tuple(dict.fromkeys(int(i) for i in ids))
    return _overlap(resolve_db_path(), get_store().generation("audience"), unique)


@st.cache_data(show_spinner=False, max_entries=16)
def _regions(
    path: str, generation: int, ids: tuple[int, ...], limit: int | None
) -> list[tuple[frozenset[int], int]]:
    held = member_sets()
    return audience_sets.regions([held[i] for i in ids], limit)


def intersections(view: Overlap) -> list[tuple[frozenset[int], int]] | None:
    """The members in exactly each combination of the selection's lists, largest first
    (sets.regions; indexes into ``view.ids``): all of them for a Venn picture of 2–3 channels,
    the ``UPSET_BARS`` largest for more; None beyond ``MAX_REGIONS`` channels. Cached, and
    only computed when asked for: it reads every member of every list."""
    if not view.ids or len(view.ids) > MAX_REGIONS:
        return None
    limit = None if len(view.ids) <= 3 else UPSET_BARS
    path = resolve_db_path()
    return _regions(path, get_store().generation("audience"), tuple(view.ids), limit)


def pairs(view: Overlap, names: Sequence[str]) -> pl.DataFrame:
    """Every pair of the selection that can be matched (one platform), most overlapping first
    (by Jaccard, then members in both): members in both, each side's share found in the other
    and Jaccard, all read from the overlap matrices."""
    count, share, jac = (view.matrices[m] for m in ("count", "share", "jaccard"))
    rows = [
        {
            "a": names[i],
            "b": names[j],
            "both": count[i][j],
            "a_in_b": share[i][j],
            "b_in_a": share[j][i],
            "jaccard": jac[i][j],
        }
        for i in range(len(view.ids))
        for j in range(i + 1, len(view.ids))
        if count[i][j] is not None
    ]
    schema = {
        "a": pl.String,
        "b": pl.String,
        "both": pl.Int64,
        "a_in_b": pl.Float64,
        "b_in_a": pl.Float64,
        "jaccard": pl.Float64,
    }
    frame = pl.DataFrame(rows, schema=schema)
    return frame.sort(["jaccard", "both"], descending=True, nulls_last=True)


# ---------------------------------------------------------------- money, plans, bundles


@st.cache_data(show_spinner=False, max_entries=16)
def _money(
    path: str, generation: tuple[int, ...], ids: tuple[int, ...], fmt: str
) -> money.SelectionMoney:
    return money.selection_money(get_store().cursor(), member_sets(), ids, fmt)


def selection_money(ids: Sequence[int], fmt: str) -> money.SelectionMoney:
    """The selection's price, dedup CPM and naive CPM (money.selection_money), cached."""
    gens = _gen("audience", "pricing", "registry")
    return _money(resolve_db_path(), gens, tuple(ids), fmt)


@st.cache_data(show_spinner=False, max_entries=16)
def _add_next(
    path: str,
    generation: tuple[int, ...],
    selected: tuple[int, ...],
    candidates: tuple[int, ...],
    fmt: str,
) -> list[money.AddNext]:
    cur = get_store().cursor()
    return money.add_next(cur, member_sets(), selected, candidates, fmt, limit=ADD_NEXT)


def add_next(selected: Sequence[int], candidates: Sequence[int], fmt: str) -> list[money.AddNext]:
    """The candidates ranked by added unique reach per unit of money (money.add_next), cached."""
    gens = _gen("audience", "pricing", "registry")
    return _add_next(resolve_db_path(), gens, tuple(selected), tuple(candidates), fmt)


@st.cache_data(show_spinner=False, max_entries=16)
def _plan(
    path: str,
    generation: tuple[int, ...],
    candidates: tuple[int, ...],
    budget: Decimal,
    currency: str,
    fmt: str,
    must_include: tuple[int, ...],
    must_exclude: tuple[int, ...],
    today: dt.date,
) -> money.Plan:
    return money.plan_shortlist(
        get_store().cursor(),
        member_sets(),
        candidates,
        budget=budget,
        currency=currency,
        format=fmt,
        must_include=must_include,
        must_exclude=must_exclude,
        on=today,
    )


@dataclass(frozen=True)
class PlanRequest:
    """What the optimizer was asked: kept in session state so the result stays on screen."""

    candidates: tuple[int, ...]
    budget: Decimal
    currency: str
    format: str
    must_include: tuple[int, ...] = ()
    must_exclude: tuple[int, ...] = ()


def plan(request: PlanRequest) -> money.Plan:
    """The optimizer's pick and the naive pick for a request (money.plan_shortlist), cached
    per day (rates are taken at today's date)."""
    gens = _gen("audience", "pricing", "registry")
    return _plan(
        resolve_db_path(),
        gens,
        request.candidates,
        request.budget,
        request.currency,
        request.format,
        request.must_include,
        request.must_exclude,
        dt.date.today(),
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _bundle(
    path: str,
    generation: tuple[int, ...],
    owner_id: int,
    fmt: str,
    budget: Decimal | None,
    currency: str | None,
    today: dt.date,
) -> money.Bundle:
    cur = get_store().cursor()
    return money.owner_bundle(cur, member_sets(), owner_id, fmt, budget, currency, on=today)


def bundle(
    owner_id: int, fmt: str, budget: Decimal | None = None, currency: str | None = None
) -> money.Bundle:
    """An owner's network in money and its best part within a budget (money.owner_bundle)."""
    gens = _gen("audience", "pricing", "registry")
    return _bundle(resolve_db_path(), gens, owner_id, fmt, budget, currency, dt.date.today())


@st.cache_data(show_spinner=False, max_entries=4)
def _networks(path: str, generation: tuple[int, ...]) -> pl.DataFrame:
    return money.owner_networks(get_store().cursor())


def networks() -> pl.DataFrame:
    """Owners with their number of channels and of member lists, largest networks first."""
    return _networks(resolve_db_path(), _gen("audience", "registry"))


# ---------------------------------------------------------------- quality


@st.cache_data(show_spinner=False, max_entries=8)
def _quality_frame(path: str, generation: tuple[int, ...]) -> pl.DataFrame:
    return quality.quality_frame(get_store().cursor(), sets=member_sets())


def quality_table() -> pl.DataFrame:
    """Every channel's audience quality score and override (quality.quality_frame), cached."""
    return _quality_frame(resolve_db_path(), _gen("audience", "quality", "registry"))


@st.cache_data(show_spinner=False, max_entries=32)
def _quality(path: str, generation: tuple[int, ...], channel_id: int) -> quality.Quality:
    return quality.channel_quality(get_store().cursor(), channel_id, sets=member_sets())


def channel_quality(channel_id: int) -> quality.Quality:
    """One channel's score with every signal (quality.channel_quality), cached."""
    return _quality(resolve_db_path(), _gen("audience", "quality", "registry"), channel_id)


def signal_rows(result: quality.Quality) -> list[dict[str, Any]]:
    """The signals of a score as table rows: value and peer figure (as quality words them),
    sub-score, weight, contribution, and "not available" where the data is missing."""
    return [
        {
            "signal": s.label,
            "value_text": s.value_text,
            "peer_text": s.peer_text,
            "sub_score": s.sub_score,
            "weight": s.weight,
            "contribution": s.contribution,
            "available": s.available,
            "status": "counted" if s.available else "not available",
            "explanation": s.explanation,
        }
        for s in result.signals
    ]


# ---------------------------------------------------------------- the channel chooser


def _default_picks(frame: pl.DataFrame, count: int = 6) -> list[int]:
    """A first view that has something to show: the largest list of the platform with the most
    lists and the lists that overlap it most (by Jaccard)."""
    if frame.is_empty():
        return []
    platform = frame["platform"].value_counts(sort=True)["platform"][0]
    largest = frame.filter(pl.col("platform") == platform).sort("size", descending=True)
    held = member_sets()
    ids = [int(i) for i in largest["channel_id"] if int(i) in held]
    if not ids:
        return []
    near = audience_sets.neighbours(held[ids[0]], {i: held[i] for i in ids[1:]})
    near.sort(key=lambda n: -(n.jaccard or 0.0))
    return [ids[0], *(n.key for n in near[: count - 1])]


def choose_channels(prefix: str, sources: dict[str, str]) -> tuple[list[int], str]:
    """The channels a page works on, from one of ``sources`` (keys of SOURCES, "all" and
    "file"): by hand among the channels with a member list, the registry filter (drawn in the
    sidebar), a campaign's shortlist, a file of links, or every channel with a list. Returns
    the ids and a sentence saying where they came from."""
    from crm.ui.outreach import campaign_picker

    source = st.segmented_control(
        "Channels from",
        list(sources),
        format_func=sources.__getitem__,
        default=next(iter(sources)),
        required=True,
        key=f"{prefix}.source",
    )
    listed = audiences()
    if source == "hand":
        names = {
            int(r["channel_id"]): label_for(r["channel"], r["title"])
            for r in listed.iter_rows(named=True)
        }
        key = f"{prefix}.picked"
        held = st.session_state.get(key)
        if held is None:
            st.session_state[key] = _default_picks(listed)
        elif any(i not in names for i in held):
            # a list deleted meanwhile drops out of the choice, not an error
            st.session_state[key] = [i for i in held if i in names]
        ids = st.multiselect(
            "Channels",
            list(names),
            format_func=names.__getitem__,
            key=key,
            placeholder="Choose channels with a member list",
            help="Only channels with a member list can be picked here; the registry filter "
            "and a campaign shortlist can bring in channels without one.",
        )
        return [int(i) for i in ids], "picked by hand"
    if source == "filter":
        ids, _ = filter_ids()
        return ids, "matching the registry filter in the sidebar"
    if source == "campaign":
        campaign = campaign_picker(key=f"{prefix}.campaign")
        if campaign is None:
            return [], "no campaign chosen"
        return campaign_ids(campaign), "on the campaign's shortlist"
    if source == "file":
        upload = st.file_uploader(
            "File of channels",
            type=["txt", "csv", "tsv", "xlsx"],
            key=f"{prefix}.channels_file",
            help="One link or PLATFORM:HANDLE per line, or a table with a channel column.",
        )
        if upload is None:
            return [], "no file chosen"
        try:
            found = channels_in_file(upload.getvalue(), upload.name)
        except CrmError as exc:
            st.error(str(exc), icon=":material/error:")
            return [], "the file could not be read"
        if found.problems:
            n = len(found.problems)
            lines = f"{n} line{'' if n == 1 else 's'} of the file {'was' if n == 1 else 'were'}"
            with st.expander(f"{lines} not used"):
                st.markdown("\n".join(f"- {p}" for p in found.problems[:200]))
        return found.ids, f"named in {upload.name}"
    return [int(i) for i in listed["channel_id"].to_list()], "every channel with a member list"


def method_text(pick: Pick) -> str:
    """How a pick was made and what that guarantees, in two sentences for people."""
    guarantee = pick.guarantee[:1].upper() + pick.guarantee[1:]
    source = (
        " (budgeted maximum coverage: Khuller, Moss and Naor, 1999)"
        if pick.method in (METHOD_ENUMERATION, METHOD_GREEDY)
        else ""
    )
    return f"**Method:** {pick.method}{source}.  \n**Guarantee:** {guarantee}."


def show_quality(result: quality.Quality, *, key: str) -> None:
    """A channel's audience quality: the computed score, the override and its note, and each
    signal's value, peer figure, sub-score, weight and points, with a chart of the points."""
    left, mid, right = st.columns(3)
    left.metric(
        "Computed score",
        "—" if result.score is None else str(result.score),
        help=SCORE_RULE,
        border=True,
    )
    if result.override is not None:
        mid.metric("Override", str(result.override.score), border=True)
        right.markdown(
            f"**Note:** {result.override.note}  \n"
            f"set by {result.override.author or 'someone'} on "
            f"{result.override.set_at:%d.%m.%Y %H:%M}"
        )
    else:
        mid.metric("Override", "none", border=True)

    signals = signal_rows(result)
    frame = pl.DataFrame(
        {
            "signal": [r["signal"] for r in signals],
            "value": [r["value_text"] for r in signals],
            "peer": [r["peer_text"] for r in signals],
            "sub_score": [r["sub_score"] for r in signals],
            "weight": [None if r["weight"] is None else round(r["weight"] * 100, 1) for r in signals],
            "contribution": [r["contribution"] for r in signals],
            "status": [r["status"] for r in signals],
        },
        schema={
            "signal": pl.String, "value": pl.String, "peer": pl.String, "sub_score": pl.Float64,
            "weight": pl.Float64, "contribution": pl.Float64, "status": pl.String,
        },
    )  # fmt: skip
    st.dataframe(
        frame,
        hide_index=True,
        placeholder="—",
        column_config={
            "signal": st.column_config.TextColumn("Signal"),
            "value": st.column_config.TextColumn("Value"),
            "peer": st.column_config.TextColumn("Compared with"),
            "sub_score": st.column_config.NumberColumn("Sub-score", format="%.0f"),
            "weight": st.column_config.NumberColumn("Weight", format="%.1f %%"),
            "contribution": st.column_config.NumberColumn("Points", format="%.1f"),
            "status": st.column_config.TextColumn("Data"),
        },
    )
    st.plotly_chart(
        contributions_figure(
            [r["signal"] for r in signals],
            [r["contribution"] if r["available"] else None for r in signals],
        ),
        width="stretch",
        config=PLOTLY_CONFIG,
        key=f"{key}.contributions",
    )
    for r in signals:
        mark = "" if r["available"] else " — *not available, weighs nothing*"
        st.markdown(f"**{r['signal']}**{mark}: {r['explanation']}")


@st.cache_data(show_spinner=False, max_entries=32)
def _neighbours(path: str, generation: int, channel_id: int) -> list[audience_sets.Neighbour]:
    held = member_sets()
    return audience_sets.neighbours(held[channel_id], held, limit=8)


def neighbours(channel_id: int) -> list[audience_sets.Neighbour]:
    """The 8 channels sharing most members with one (sets.neighbours), read once per change of
    the lists: the profile draws every tab on each rerun."""
    return _neighbours(resolve_db_path(), get_store().generation("audience"), channel_id)


def _points(share: float | None) -> float | None:
    return None if share is None else share * 100


def show_channel_audience(channel_id: int) -> None:
    """A channel's audience on its profile: its member list and the loads before it, the
    channels whose audiences it shares most, and its audience quality."""
    frame = audiences().filter(pl.col("channel_id") == channel_id)
    held = member_sets()
    if frame.is_empty() or channel_id not in held:
        st.info(
            "No member list yet: overlap and unique reach need one. Its quality score below "
            "uses the channel's numbers only.",
            icon=":material/group_work:",
        )
        st.page_link(page("audience_lists"), label="Load a member list", icon=":material/upload:")
    else:
        row = frame.row(0, named=True)
        kind = "user ids" if row["id_kind"] == "number" else "usernames"
        st.markdown(
            f"**Member list:** {format_count(row['size'])} members ({kind}) from "
            f"{row['source'] or 'a file'}, loaded {row['loaded_at']:%d.%m.%Y}."
        )
        near = neighbours(channel_id)
        if near:
            names = labels([n.key for n in near])
            st.markdown("**Shares most members with**")
            st.dataframe(
                pl.DataFrame(
                    {
                        "channel": [names.get(n.key, str(n.key)) for n in near],
                        "overlap": [n.overlap for n in near],
                        "share": [_points(n.share) for n in near],
                        "share_back": [_points(n.share_back) for n in near],
                        "jaccard": [_points(n.jaccard) for n in near],
                    }
                ),
                hide_index=True,
                placeholder="—",
                column_config={
                    "channel": st.column_config.TextColumn("Channel"),
                    "overlap": st.column_config.NumberColumn("Shared members", format=COUNT_FORMAT),
                    "share": st.column_config.NumberColumn(
                        "Of this audience", format="%.1f %%",
                        help="Share of this channel's members found in that channel",
                    ),
                    "share_back": st.column_config.NumberColumn(
                        "Of theirs", format="%.1f %%",
                        help="Share of that channel's members found in this one",
                    ),
                    "jaccard": st.column_config.NumberColumn("Jaccard", format="%.1f %%"),
                },
            )  # fmt: skip
        with st.expander("Lists loaded before"):
            st.dataframe(
                history(channel_id).select("loaded_at", "source", "size"),
                hide_index=True,
                column_config={
                    "loaded_at": st.column_config.DatetimeColumn("Loaded", format="DD.MM.YYYY"),
                    "source": st.column_config.TextColumn("File"),
                    "size": st.column_config.NumberColumn("Members", format=COUNT_FORMAT),
                },
            )
        st.page_link(
            page("overlap"), label="Compare on the Overlap page", icon=":material/join_inner:"
        )
    st.markdown("#### Audience quality")
    show_quality(channel_quality(channel_id), key=f"profile.quality.{channel_id}")
    st.page_link(
        page("quality"),
        label="Override the score on Audience quality",
        icon=":material/verified_user:",
    )
