"""The app's pages, in one place: every page link and switch goes through ``page(name)``.

A part adds its screens here (file under ``app_pages/<part>/``, title, icon, section), and
nowhere else; pages never spell another page's path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

import streamlit as st
from streamlit.navigation.page import StreamlitPage

PageName = Literal[
    "home",
    "channels",
    "channel",
    "owners",
    "import",
    "campaigns",
    "campaign",
    "board",
    "templates",
    "placements",
    "placement",
    "analysis",
    "audience_lists",
    "overlap",
    "optimizer",
    "quality",
    "settings",
]


@dataclass(frozen=True)
class _Spec:
    path: str
    title: str
    icon: str
    section: str
    url_path: str | None = None
    default: bool = False


_PAGES: dict[PageName, _Spec] = {
    "home": _Spec("app_pages/workspace/home.py", "Home", ":material/home:", "", default=True),
    "channels": _Spec(
        "app_pages/registry/channels.py", "Channels", ":material/groups:", "Registry"
    ),
    "channel": _Spec(
        "app_pages/registry/channel.py", "Channel profile", ":material/badge:", "Registry"
    ),
    "owners": _Spec("app_pages/registry/owners.py", "Owners", ":material/contacts:", "Registry"),
    "import": _Spec(
        "app_pages/importing/import_file.py",
        "Import",
        ":material/upload_file:",
        "Registry",
        url_path="import",
    ),
    "campaigns": _Spec(
        "app_pages/outreach/campaigns.py", "Campaigns", ":material/campaign:", "Outreach"
    ),
    "campaign": _Spec("app_pages/outreach/campaign.py", "Campaign", ":material/flag:", "Outreach"),
    "board": _Spec(
        "app_pages/outreach/board.py", "Pipeline board", ":material/view_kanban:", "Outreach"
    ),
    "templates": _Spec(
        "app_pages/outreach/templates.py", "Message templates", ":material/mail:", "Outreach"
    ),
    "placements": _Spec(
        "app_pages/placements/placements.py", "Placements", ":material/list_alt:", "Placements"
    ),
    "placement": _Spec(
        "app_pages/placements/placement.py", "Placement", ":material/article:", "Placements"
    ),
    "analysis": _Spec(
        "app_pages/placements/analysis.py", "Analysis", ":material/insights:", "Placements"
    ),
    "audience_lists": _Spec(
        "app_pages/audience/lists.py", "Member lists", ":material/group_add:", "Audience"
    ),
    "overlap": _Spec(
        "app_pages/audience/overlap.py", "Overlap", ":material/join_inner:", "Audience"
    ),
    "optimizer": _Spec(
        "app_pages/audience/optimize.py", "Optimizer", ":material/auto_awesome:", "Audience"
    ),
    "quality": _Spec(
        "app_pages/audience/quality.py",
        "Audience quality",
        ":material/verified_user:",
        "Audience",
    ),
    "settings": _Spec(
        "app_pages/workspace/settings.py", "Settings", ":material/settings:", "Workspace"
    ),
}


def page(name: PageName) -> StreamlitPage:
    """The ``st.Page`` of one screen, for ``st.switch_page`` and ``st.page_link``."""
    spec = _PAGES[name]
    return st.Page(
        spec.path,
        title=spec.title,
        icon=spec.icon,
        url_path=spec.url_path,
        default=spec.default,
    )


def sections() -> dict[str, list[StreamlitPage]]:
    """Every page grouped by the part it belongs to, for ``st.navigation``."""
    out: dict[str, list[StreamlitPage]] = {}
    for name, spec in _PAGES.items():
        out.setdefault(spec.section, []).append(page(name))
    return out


def names() -> list[PageName]:
    """Every page's name, in navigation order."""
    return list(_PAGES)


def path_of(name: PageName) -> str:
    """The page's file, relative to the app's folder (for AppTest's ``switch_page``)."""
    return _PAGES[name].path


def url_of(name: PageName) -> str:
    """The page's URL path under the app's address ("" for the default page), for links and
    browser tests; Streamlit takes it from the file's name when the spec gives none."""
    spec = _PAGES[name]
    if spec.default:
        return ""
    return spec.url_path or PurePosixPath(spec.path).stem


def section_of(name: PageName) -> str:
    """The part a page belongs to: its menu in the navigation ("" for Home)."""
    return _PAGES[name].section


def title_of(name: PageName) -> str:
    """The page's title, as the navigation shows it."""
    return _PAGES[name].title
