"""A campaign's client report: one HTML file that opens offline, in Russian or English.

Header (campaign, brand, goal, dates, when it was made), the summary KPIs (crm.placements.kpis
``kpi_totals``), budget against spend (crm.outreach.budget ``campaign_money`` and its bar), the
charts of crm.charts.analysis, the placements table (``placements_frame`` with each
placement's CPM and CPA from ``kpi_table``), where the numbers come from (measurements by
provenance) and how they are computed. Nothing is computed here that the app computes
elsewhere: the report only lays out, translates and formats.

plotly.js is embedded once, inline, so the file needs no network; every piece of user data
(channel titles, campaign names, notes) is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import duckdb
import plotly.graph_objects as go
import polars as pl

from crm.charts import analysis
from crm.charts.outreach import budget_figure
from crm.errors import ValidationError
from crm.formatting import UNKNOWN, format_count, format_money, format_percent
from crm.metrics import FORMULAS
from crm.outreach.budget import CampaignMoney, campaign_money
from crm.outreach.campaigns import Campaign, get_campaign
from crm.placements.kpis import kpi_table, kpi_totals
from crm.placements.placements import PlacementFilter, placements_frame
from crm.pricing import base_currency
from crm.vocab.platforms import PLATFORM_LABELS
from crm.vocab.terms import (
    CONTENT_TYPE_LABELS,
    FORMAT_LABELS,
    PLACEMENT_STATUS_LABELS,
    PROVENANCE_LABELS,
)

Language = Literal["ru", "en"]
LANGUAGES: tuple[Language, ...] = ("en", "ru")

# ---------------------------------------------------------------- words

# every sentence and label of the report, per language (placeholders filled by str.format)
STRINGS: dict[Language, dict[str, str]] = {
    "en": {
        "title": "Campaign report",
        "brand": "Brand",
        "goal": "Goal",
        "dates": "Dates",
        "no_dates": "no dates set",
        "status": "Status",
        "generated": "Generated",
        "results_latest": "Results: the latest measurement of each placement",
        "results_as_of": "Results as of {when}: each placement's latest measurement by then",
        "summary": "Summary",
        "placements": "Placements",
        "cost": "Cost",
        "reach": "Reach",
        "impressions": "Impressions",
        "clicks": "Clicks",
        "conversions": "Conversions",
        "revenue": "Revenue",
        "cpm": "CPM",
        "cpc": "CPC",
        "ctr": "CTR",
        "cr": "CR",
        "cpa": "CPA",
        "romi": "ROMI",
        "money_note": "Money in {currency}, the base currency of the workspace: each "
        "placement's cost converted at the rate of its date, revenue at the rate of its "
        "measurement date.",
        "over_reach": "CPM and CTR are computed over reach: no placement has impressions.",
        "missing_rates": "Placements left out of the money figures, no exchange rate for their "
        "date: {count}.",
        "unknown_note": "“—”: the figure cannot be computed (nothing measured, or a zero "
        "denominator).",
        "budget_title": "Budget against spend",
        "budget": "Budget",
        "planned": "Planned",
        "committed": "Committed",
        "spent": "Spent",
        "budget_note": "In {currency}, the campaign's currency. Planned: the latest agreed price "
        "of each shortlisted channel; committed: agreed, not yet paid; spent: every paid price. "
        "Each price converted at the rate of its date.",
        "over_budget": "The plan exceeds the budget.",
        "budget_missing": "Some prices have no exchange rate for their date; the figures that "
        "need them show “—”.",
        "charts": "Charts",
        "placements_title": "Placements",
        "channel": "Channel",
        "platform": "Platform",
        "format": "Format",
        "content_type": "Content type",
        "published": "Published",
        "flags": "Flags",
        "post": "post",
        "over_reach_short": "over reach",
        "cancelled": "Cancelled placements, not in the table nor in the figures: {count}.",
        "no_placements": "There are no placements in this campaign yet: the figures, charts and "
        "table appear once placements are logged and their results recorded.",
        "provenance_title": "Where the numbers come from",
        "source": "Source",
        "measurements": "Measurements",
        "placements_from": "Placements whose figures it gives",
        "latest": "Latest measurement",
        "total": "Total",
        "no_results": "No results have been recorded for this campaign yet.",
        "provenance_note": "A placement may be measured several times (after 24 hours, 3 days, "
        "a week); its figures are its latest measurement, never a sum of them.",
        "formulas_title": "How the figures are computed",
        "ratio_of_sums": "Totals are ratios of sums (total cost / total impressions × 1000), "
        "never averages of the placements' own ratios.",
        "formula.cost": FORMULAS["cost"],
        "formula.cpm": FORMULAS["cpm"],
        "formula.cpc": FORMULAS["cpc"],
        "formula.ctr": FORMULAS["ctr"],
        "formula.cr": FORMULAS["cr"],
        "formula.cpa": FORMULAS["cpa"],
        "formula.romi": FORMULAS["romi"],
    },
    "ru": {
        "title": "Отчёт по кампании",
        "brand": "Бренд",
        "goal": "Цель",
        "dates": "Сроки",
        "no_dates": "сроки не заданы",
        "status": "Статус",
        "generated": "Сформирован",
        "results_latest": "Результаты: последний замер каждого размещения",
        "results_as_of": "Результаты на {when}: последний замер каждого размещения к этому времени",
        "summary": "Итоги",
        "placements": "Размещения",
        "cost": "Стоимость",
        "reach": "Охват",
        "impressions": "Показы",
        "clicks": "Клики",
        "conversions": "Конверсии",
        "revenue": "Выручка",
        "cpm": "CPM",
        "cpc": "CPC",
        "ctr": "CTR",
        "cr": "CR",
        "cpa": "CPA",
        "romi": "ROMI",
        "money_note": "Суммы в {currency}, базовой валюте: стоимость каждого размещения "
        "пересчитана по курсу на его дату, выручка — по курсу на дату замера.",
        "over_reach": "CPM и CTR посчитаны от охвата: показов нет ни у одного размещения.",
        "missing_rates": "Размещения, не вошедшие в денежные показатели (нет курса валюты на их "
        "дату): {count}.",
        "unknown_note": "«—»: показатель не вычисляется (нет замеров или знаменатель равен нулю).",
        "budget_title": "Бюджет и расходы",
        "budget": "Бюджет",
        "planned": "Запланировано",
        "committed": "Согласовано",
        "spent": "Оплачено",
        "budget_note": "В {currency}, валюте кампании. Запланировано: последняя согласованная "
        "цена каждого канала из подборки; согласовано: согласовано, но ещё не оплачено; "
        "оплачено: все оплаты. Каждая цена пересчитана по курсу на её дату.",
        "over_budget": "План превышает бюджет.",
        "budget_missing": "Для некоторых цен нет курса валюты на их дату; суммы, которым он "
        "нужен, показаны как «—».",
        "charts": "Графики",
        "placements_title": "Размещения",
        "channel": "Канал",
        "platform": "Площадка",
        "format": "Формат",
        "content_type": "Тип контента",
        "published": "Дата публикации",
        "flags": "Замечания",
        "post": "пост",
        "over_reach_short": "от охвата",
        "cancelled": "Отменённые размещения, не вошедшие ни в таблицу, ни в показатели: {count}.",
        "no_placements": "В этой кампании пока нет размещений: показатели, графики и таблица "
        "появятся, когда размещения будут добавлены и их результаты записаны.",
        "provenance_title": "Откуда цифры",
        "source": "Источник",
        "measurements": "Замеров",
        "placements_from": "Размещений, чьи цифры из него",
        "latest": "Последний замер",
        "total": "Всего",
        "no_results": "Результаты по этой кампании ещё не записаны.",
        "provenance_note": "Размещение можно замерять несколько раз (через сутки, 3 дня, "
        "неделю); его цифры — последний замер, замеры не складываются.",
        "formulas_title": "Как считаются показатели",
        "ratio_of_sums": "Итоги — отношения сумм (общая стоимость / все показы × 1000), а не "
        "средние показателей отдельных размещений.",
        "formula.cost": "Стоимость = оплаченная цена, иначе согласованная (в одной валюте)",
        "formula.cpm": "CPM = стоимость / показы × 1000 (от охвата, если показы неизвестны)",
        "formula.cpc": "CPC = стоимость / клики",
        "formula.ctr": "CTR = клики / показы (от охвата, если показы неизвестны)",
        "formula.cr": "CR = конверсии / клики",
        "formula.cpa": "CPA = стоимость / конверсии",
        "formula.romi": "ROMI = (выручка − стоимость) / стоимость",
    },
}

# the labels of codes: English from the vocabulary, Russian here
GOAL_LABELS: dict[Language, dict[str, str]] = {
    "en": {
        "reach": "Reach",
        "sales": "Sales",
        "subscribers": "Subscribers",
        "awareness": "Awareness",
    },
    "ru": {
        "reach": "Охват",
        "sales": "Продажи",
        "subscribers": "Подписчики",
        "awareness": "Узнаваемость",
    },
}
CAMPAIGN_STATUS_LABELS: dict[Language, dict[str, str]] = {
    "en": {"draft": "Draft", "active": "Active", "closed": "Closed"},
    "ru": {"draft": "Черновик", "active": "Идёт", "closed": "Завершена"},
}
_LABELS_RU: dict[str, dict[str, str]] = {
    "platform": {
        "vk": "ВКонтакте",
        "ok": "Одноклассники",
        "dzen": "Дзен",
        "other": "Другое",
    },
    "format": {
        "post": "Пост",
        "story": "Сторис",
        "reel": "Рилс",
        "video_integration": "Видеоинтеграция",
        "dedicated_video": "Отдельный ролик",
        "1/24": "1/24 (час в топе, сутки в ленте)",
        "native": "Нативная реклама",
        "pinned": "Закреп",
        "repost": "Репост",
        "live": "Эфир",
        "other": "Другое",
    },
    "content_type": {
        "provocation": "Провокация",
        "instruction": "Инструкция",
        "medal": "Медаль (чем похвастаться)",
        "humor": "Юмор",
        "giveaway": "Розыгрыш",
        "review": "Обзор",
        "announcement": "Анонс",
        "other": "Другое",
    },
    "status": {"planned": "Запланировано", "published": "Опубликовано", "cancelled": "Отменено"},
    "provenance": {
        "platform_api": "API площадки",
        "platform_stats": "Статистика площадки",
        "screenshot": "Скриншот",
        "shop_analytics": "Аналитика магазина",
        "utm_analytics": "UTM-аналитика",
        "estimate": "Оценка",
        "manual": "Введено вручную",
    },
}
_LABELS_EN: dict[str, Mapping[str, str]] = {
    "platform": PLATFORM_LABELS,
    "format": FORMAT_LABELS,
    "content_type": CONTENT_TYPE_LABELS,
    "status": PLACEMENT_STATUS_LABELS,
    "provenance": PROVENANCE_LABELS,
}


def code_label(kind: str, code: str | None, language: Language) -> str:
    """The label of a vocabulary code (kind: platform, format, content_type, status,
    provenance) in ``language``; the English label, then the code, when there is no other."""
    if code is None:
        return UNKNOWN
    english = _LABELS_EN[kind].get(code, code)
    if language == "ru":
        return _LABELS_RU[kind].get(code, english)
    return english


# ---------------------------------------------------------------- formatting


def _e(value: object) -> str:
    """Text for HTML: escaped, quotes included (user data may be anywhere)."""
    return html.escape(str(value), quote=True)


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return UNKNOWN
    return f"{value:%d.%m.%Y}"


def _moment(value: dt.datetime | None) -> str:
    if value is None:
        return UNKNOWN
    return f"{value:%d.%m.%Y %H:%M}"


def _money(currency: str) -> Callable[[Any], str]:
    return lambda v: format_money(v, currency)


# the summary's figures, in order, and how each is written (money in the base currency)
SUMMARY_KPIS = (
    "placements", "cost", "reach", "impressions", "clicks", "conversions", "revenue",
    "cpm", "cpc", "ctr", "cr", "cpa", "romi",
)  # fmt: skip
_MONEY_KPIS = frozenset({"cost", "revenue", "cpm", "cpc", "cpa"})
PERCENT_DIGITS = {"ctr": 2, "cr": 2, "romi": 1}


def kpi_text(name: str, value: object, currency: str) -> str:
    """One KPI of the report as people read it: money in ``currency``, CTR and CR with two
    decimals, ROMI with one, counts grouped; "—" when unknown."""
    if name in _MONEY_KPIS:
        return format_money(value, currency)
    if name in PERCENT_DIGITS:
        return format_percent(value if isinstance(value, int | float | Decimal) else None,
                              PERCENT_DIGITS[name])  # fmt: skip
    return format_count(value if isinstance(value, int | float | Decimal) else None)


# ---------------------------------------------------------------- figures in Russian

# the chart builders (crm.charts) write English; in a Russian report their words are replaced
# here, piece by piece, and user data (channel names in categories and hovers) is never touched
_RU_WORDS = {
    "Reach": "Охват",
    "Clicks": "Клики",
    "Conversions": "Конверсии",
    "Planned reach": "Плановый охват",
    "Actual reach": "Фактический охват",
    "Planned": "Запланировано",
    "Committed": "Согласовано",
    "Spent": "Оплачено",
    "Clicks, conversions": "Клики, конверсии",
    "Funnel": "Воронка",
    "Cost against reach": "Стоимость и охват",
    "Results over time": "Результаты во времени",
    "Delivery: planned against actual reach": "Выполнение плана: плановый и фактический охват",
    "By content type": "По типам контента",
}
_RU_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^(.+) by channel$", r"\1 по каналам"),
    (r"^Cost, (.+)$", r"Стоимость, \1"),
    (r"^Budget (.+)$", r"Бюджет \1"),
    (r"^All: (.+)$", r"Все: \1"),
    (r"^all: (.+)$", r"все: \1"),
    (r"^bubble size = conversions$", "размер пузыря — конверсии"),
    (r"^(\S+) without a cost or a reach left out$", r"без стоимости или охвата: \1"),
    (r"^a random (\S+) of (\S+) placements shown$", r"показаны случайные \1 из \2"),
    (r"^reach → clicks → conversions, latest measurements$",
     "охват → клики → конверсии, последние замеры"),
    (r"^by week, each placement at its publication date \(else its planned date\)$",
     "по неделям, каждое размещение — на дату публикации (иначе на плановую)"),
    (r"^by month, each placement at its publication date \(else its planned date\)$",
     "по месяцам, каждое размещение — на дату публикации (иначе на плановую)"),
    (r"^the same types in the same order in every panel$",
     "одни и те же типы в одном порядке на каждой панели"),
    (r"^the (\S+) (?:cheapest|highest) of (\S+) channels$", r"лучшие \1 из \2 каналов"),
    (r"^(\S+) without a (\S+) \(no denominator\)$", r"без \2 (нет знаменателя): \1"),
    (r"^the (\S+) furthest below plan of (\S+)$", r"\1 с наибольшим отставанием из \2"),
    (r"^(\S+) planned without a measured reach yet$", r"запланировано, охват ещё не замерен: \1"),
    (r"^(\S+) conversions$", r"конверсий: \1"),
    (r"^(\S+) placements$", r"размещений: \1"),
    (r"^(\S+) placements · cost (.+)$", r"размещений: \1 · стоимость \2"),
    (r"^(.+) · over reach$", r"\1 · от охвата"),
    (r"^(.+) · (.+) of reach$", r"\1 · \2 от охвата"),
    (r"^(.+) · (.+) of clicks$", r"\1 · \2 от кликов"),
)  # fmt: skip
_RU_RULES = tuple((re.compile(p), r) for p, r in _RU_PATTERNS)
# words inside hover templates: these hold no user data (that comes in through %{…})
_RU_HOVER = (
    ("Planned reach", "Плановый охват"),
    ("Actual reach", "Фактический охват"),
    ("delivery", "выполнение"),
    ("Reach", "Охват"),
    ("Cost", "Стоимость"),
    ("Clicks", "Клики"),
    ("Conversions", "Конверсии"),
)


_RU_DATES = (
    ("Week of ", "Неделя с "),
    ("Month ", "Месяц "),
    ("%d %b %Y", "%d.%m.%Y"),
    ("%b %Y", "%m.%Y"),
)


def _ru_text(text: str) -> str:
    """One English piece of a figure in Russian: a known word, a known pattern, else as is.
    A title's subtitle (after <br>) and notes joined by " · " are taken piece by piece."""
    if "<br>" in text:
        head, _, rest = text.partition("<br>")
        match = re.fullmatch(r"(<span[^>]*>)(.*)(</span>)", rest)
        if match:
            notes = " · ".join(_ru_text(n) for n in match.group(2).split(" · "))
            return f"{_ru_text(head)}<br>{match.group(1)}{notes}{match.group(3)}"
        return f"{_ru_text(head)}<br>{_ru_text(rest)}"
    if text in _RU_WORDS:
        return _RU_WORDS[text]
    for rule, repl in _RU_RULES:
        if rule.fullmatch(text):
            return rule.sub(repl, text)
    return text


def _ru_hover(template: str) -> str:
    for old, new in _RU_HOVER:
        template = template.replace(old, new)
    return template


def _ru_dates(fmt: str) -> str:
    for old, new in _RU_DATES:
        fmt = fmt.replace(old, new)
    return fmt


def _ru_trace(trace: dict[str, Any]) -> None:
    if isinstance(trace.get("name"), str):
        trace["name"] = _RU_WORDS.get(trace["name"], trace["name"])
    if isinstance(trace.get("hovertemplate"), str):
        trace["hovertemplate"] = _ru_hover(trace["hovertemplate"])
    # categories: only a whole known word (a channel called "Reach" is rare, and is data)
    for axis in ("x", "y"):
        values = trace.get(axis)
        if trace.get("type") in ("funnel", "bar") and isinstance(values, list | tuple):
            trace[axis] = [
                _RU_WORDS.get(v, v) if isinstance(v, str) and v in _FIGURE_CATEGORIES else v
                for v in values
            ]
    # texts the builders write; a scatter's hover text names placements (data), left alone,
    # and customdata is translated only where the hover shows it (elsewhere it holds keys)
    keys = ["text"]
    if trace.get("type") == "bar":
        keys.append("hovertext")
    if "%{customdata}" in str(trace.get("hovertemplate", "")):
        keys.append("customdata")
    for key in keys:
        values = trace.get(key)
        if isinstance(values, list | tuple):
            trace[key] = [_ru_text(v) if isinstance(v, str) else v for v in values]


# the category labels the builders write (funnel steps, the budget's bars)
_FIGURE_CATEGORIES = frozenset({"Reach", "Clicks", "Conversions", "Planned", "Committed", "Spent"})


def localise_figure(fig: go.Figure, language: Language) -> go.Figure:
    """The figure with the builders' English words in ``language`` (English: unchanged)."""
    if language == "en":
        return fig
    spec = fig.to_dict()
    for trace in spec.get("data", []):
        _ru_trace(trace)
    layout = spec.get("layout", {})
    title = layout.get("title")
    if isinstance(title, dict) and isinstance(title.get("text"), str):
        title["text"] = _ru_text(title["text"])
    for name, value in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(value, dict):
            # dates as 05.03.2026: plotly's month names are English only
            for fmt in ("tickformat", "hoverformat"):
                if isinstance(value.get(fmt), str):
                    value[fmt] = _ru_dates(value[fmt])
            axis_title = value.get("title")
            if isinstance(axis_title, dict) and isinstance(axis_title.get("text"), str):
                axis_title["text"] = _ru_text(axis_title["text"])
    for note in layout.get("annotations", []):
        if isinstance(note.get("text"), str):
            note["text"] = _ru_text(note["text"])
    return go.Figure(spec)


# ---------------------------------------------------------------- the numbers


# measurements of the campaign's placements by provenance, up to ``as_of`` when given
_PROVENANCE_SQL = """
    select r.provenance, count(*) as measurements, max(r.measured_at) as latest
    from results r
    join placements p on p.id = r.placement_id
    where p.campaign_id = ? and p.status <> 'cancelled'
      and (?::timestamp is null or r.measured_at <= ?::timestamp)
    group by r.provenance
"""


def provenance_frame(
    cur: duckdb.DuckDBPyConnection, placements: pl.DataFrame, campaign_id: int, as_of: Any
) -> pl.DataFrame:
    """Where the campaign's numbers come from, one row per provenance: how many measurements
    were recorded, how many placements' figures (their latest measurement) it gives, and the
    latest measurement's time; most measurements first."""
    recorded = pl.DataFrame(
        cur.execute(_PROVENANCE_SQL, [campaign_id, as_of, as_of]).fetchall(),
        schema={"provenance": pl.String, "measurements": pl.Int64, "latest": pl.Datetime("us")},
        orient="row",
    )
    used = (
        placements.filter(pl.col("provenance").is_not_null())
        .group_by("provenance")
        .agg(pl.len().cast(pl.Int64).alias("placements"))
    )
    return (
        recorded.join(used, on="provenance", how="left")
        .with_columns(pl.col("placements").fill_null(0))
        .sort(["measurements", "provenance"], descending=[True, False])
    )


@dataclass(frozen=True)
class ReportData:
    """Everything a campaign's report shows, read once."""

    campaign: Campaign
    currency: str  # the base currency of the KPIs
    totals: dict[str, Any]
    money: CampaignMoney
    placements: pl.DataFrame  # placements_frame rows (not cancelled) with cpm, cpm_basis, cpa
    by_channel: pl.DataFrame
    by_content_type: pl.DataFrame
    provenance: pl.DataFrame
    cancelled: int


def report_data(
    cur: duckdb.DuckDBPyConnection, campaign_id: int, *, as_of: dt.datetime | None = None
) -> ReportData:
    """The figures of a campaign's report, each from the function the app shows it with."""
    campaign = get_campaign(cur, campaign_id)
    flt = PlacementFilter(campaign_ids=(campaign.id,))
    frame = placements_frame(cur, flt, as_of=as_of)
    # the KPIs leave cancelled placements out (a deal called off spent nothing): so does the table
    kept = frame.filter(pl.col("status") != "cancelled")
    per_placement = kpi_table(cur, "placement", flt, as_of=as_of).select(
        pl.col("key").cast(pl.Int64).alias("id"), "cpm", "cpm_basis", "cpa"
    )
    rows = kept.join(per_placement, on="id", how="left").sort(["date", "id"], nulls_last=True)
    return ReportData(
        campaign=campaign,
        currency=base_currency(cur),
        totals=kpi_totals(cur, flt, as_of=as_of),
        money=campaign_money(cur, campaign.id),
        placements=rows,
        by_channel=kpi_table(cur, "channel", flt, as_of=as_of),
        by_content_type=kpi_table(cur, "content_type", flt, as_of=as_of),
        provenance=provenance_frame(cur, kept, campaign.id, as_of),
        cancelled=frame.height - kept.height,
    )


# ---------------------------------------------------------------- charts


def report_figures(data: ReportData) -> list[go.Figure]:
    """The Analysis page's figures for this campaign, those that have something to draw."""
    rows, totals, currency = data.placements, data.totals, data.currency
    figures: list[go.Figure] = []
    for kpi in ("cpm", "cpa"):
        if data.by_channel.filter(pl.col(kpi).is_not_null()).height:
            figures.append(
                analysis.kpi_by_group_figure(
                    data.by_channel, kpi, totals[kpi], currency=currency, group_label="channel"
                )
            )
    if rows.filter(pl.col("cost_base").is_not_null() & pl.col("reach").is_not_null()).height:
        figures.append(analysis.cost_reach_figure(rows, currency=currency))
    if totals["reach"] is not None:
        figures.append(analysis.funnel_figure(totals))
    series = analysis.results_by_period(rows, "week")
    if series.height and series["reach"].is_not_null().any():
        figures.append(analysis.over_time_figure(series, period="week", currency=currency))
    if analysis.delivery_rows(rows).height:
        figures.append(analysis.delivery_figure(rows, overall=totals["delivery"]))
    if data.by_content_type.filter(pl.col("key").is_not_null()).height:
        figures.append(analysis.content_type_figure(data.by_content_type, currency=currency))
    return figures


_PLOT_CONFIG = {"displaylogo": False, "responsive": True}


def _figures_html(figures: Iterable[go.Figure], language: Language) -> list[str]:
    """Each figure as a <div>, plotly.js inline with the first one only (so the file opens
    offline and carries the library once)."""
    out = []
    for i, fig in enumerate(figures):
        out.append(
            localise_figure(fig, language).to_html(
                full_html=False,
                include_plotlyjs=i == 0,
                div_id=f"chart-{i + 1}",
                config=_PLOT_CONFIG,
            )
        )
    return out


# ---------------------------------------------------------------- flags in Russian

# the flags of crm.placements (short English sentences) as Russian ones; an unknown flag
# stays as it is
_FLAG_RULES_RU = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"^No erid \(ad label\) on a published (\S+) placement$",
         r"Нет erid (маркировки рекламы) у опубликованного размещения (\1)"),
        (r"^Clicks \((\d+)\) above impressions \((\d+)\)$", r"Кликов (\1) больше, чем показов (\2)"),
        (r"^Published (\d+) days before planned$", r"Опубликовано на \1 дн. раньше плана"),
        (r"^No (\S+) rate on or before (\S+): the cost is not converted$",
         r"Нет курса \1 на \2 или раньше: стоимость не пересчитана"),
        (r"^No (\S+) rate on or before (\S+): the revenue is not converted$",
         r"Нет курса \1 на \2 или раньше: выручка не пересчитана"),
    )
)  # fmt: skip


def flag_text(flag: str, language: Language) -> str:
    """A placement's flag in ``language``."""
    if language == "ru":
        for rule, repl in _FLAG_RULES_RU:
            if rule.fullmatch(flag):
                return rule.sub(repl, flag)
    return flag


# ---------------------------------------------------------------- HTML

_CSS = """
:root { --ink: #111827; --muted: #6b7280; --line: #e5e7eb; --soft: #f9fafb; --bad: #b91c1c; }
* { box-sizing: border-box; }
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1180px; padding: 32px 28px 48px;
       line-height: 1.45; font-size: 14px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
.kicker { text-transform: uppercase; letter-spacing: .08em; color: var(--muted); font-size: 12px; }
.meta { color: var(--muted); margin: 6px 0 0; }
.meta b { color: var(--ink); font-weight: 600; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: var(--soft); }
.card .label { color: var(--muted); font-size: 12px; }
.card .value { font-size: 20px; font-weight: 600; white-space: nowrap; }
.note { color: var(--muted); font-size: 12.5px; margin: 8px 0 0; }
.warn { color: var(--bad); font-weight: 600; }
.chart { margin: 8px 0 18px; break-inside: avoid; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td .sub { display: block; color: var(--muted); font-size: 12px; }
td.flags { color: var(--bad); font-size: 12px; }
ul.formulas { padding-left: 18px; color: var(--muted); }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print { body { padding: 0; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
"""


def _cards(items: Iterable[tuple[str, str]]) -> str:
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><div class="label">{_e(label)}</div>'
            f'<div class="value">{_e(value)}</div></div>'
            for label, value in items
        )
        + "</div>"
    )


def _note(text: str, *, warn: bool = False) -> str:
    return f'<p class="note{" warn" if warn else ""}">{_e(text)}</p>'


def _header(data: ReportData, t: Mapping[str, str], language: Language, as_of: Any) -> str:
    camp = data.campaign
    if camp.starts_on or camp.ends_on:
        dates = " – ".join(_day(d) if d else "…" for d in (camp.starts_on, camp.ends_on))
    else:
        dates = t["no_dates"]
    facts = [
        (t["brand"], camp.brand),
        (t["goal"], GOAL_LABELS[language].get(camp.goal, camp.goal)),
        (t["dates"], dates),
        (t["status"], CAMPAIGN_STATUS_LABELS[language].get(camp.status, camp.status)),
    ]
    meta = " · ".join(f"{_e(label)}: <b>{_e(value)}</b>" for label, value in facts if value)
    made = _moment(dt.datetime.now().replace(microsecond=0))
    results = t["results_as_of"].format(when=_moment(as_of)) if as_of else t["results_latest"]
    return (
        f'<header><div class="kicker">{_e(t["title"])}</div><h1>{_e(camp.name)}</h1>'
        f'<p class="meta">{meta}</p>'
        f'<p class="meta">{_e(t["generated"])}: {_e(made)} · {_e(results)}</p></header>'
    )


def _summary(data: ReportData, t: Mapping[str, str]) -> str:
    totals = data.totals
    cards = _cards(
        (t[name], kpi_text(name, totals.get(name), data.currency)) for name in SUMMARY_KPIS
    )
    notes = [_note(t["money_note"].format(currency=data.currency))]
    if totals.get("cpm_basis") == "reach":
        notes.append(_note(t["over_reach"]))
    if totals.get("missing_rates"):
        notes.append(_note(t["missing_rates"].format(count=format_count(totals["missing_rates"])),
                           warn=True))  # fmt: skip
    notes.append(_note(t["unknown_note"]))
    empty = "" if data.placements.height else _note(t["no_placements"], warn=True)
    return (
        f'<section id="summary"><h2>{_e(t["summary"])}</h2>{empty}{cards}{"".join(notes)}</section>'
    )


def _budget(data: ReportData, t: Mapping[str, str], chart: str) -> str:
    money = data.money
    cards = _cards(
        (t[name], format_money(getattr(money, name), money.currency))
        for name in ("budget", "planned", "committed", "spent")
    )
    notes = []
    if money.over_budget:
        notes.append(_note(t["over_budget"], warn=True))
    if money.missing_rates:
        notes.append(_note(t["budget_missing"], warn=True))
    notes.append(_note(t["budget_note"].format(currency=money.currency)))
    return (
        f'<section id="budget"><h2>{_e(t["budget_title"])}</h2>{cards}'
        f'<div class="chart">{chart}</div>{"".join(notes)}</section>'
    )


def _charts(t: Mapping[str, str], charts: list[str]) -> str:
    if not charts:
        return ""
    body = "".join(f'<div class="chart">{c}</div>' for c in charts)
    return f'<section id="charts"><h2>{_e(t["charts"])}</h2>{body}</section>'


def _post_link(url: object, t: Mapping[str, str]) -> str:
    text = str(url or "")
    if not re.match(r"https?://", text, re.IGNORECASE):
        return ""
    return f' <a href="{_e(text)}" rel="noopener noreferrer">{_e(t["post"])}</a>'


def _placements(data: ReportData, t: Mapping[str, str], language: Language) -> str:
    if not data.placements.height:
        return ""
    money = _money(data.currency)
    heads = [
        ("channel", ""), ("platform", ""), ("format", ""), ("content_type", ""),
        ("published", ""), ("cost", "num"), ("reach", "num"), ("clicks", "num"),
        ("conversions", "num"), ("cpm", "num"), ("cpa", "num"), ("flags", ""),
    ]  # fmt: skip
    head = "".join(f'<th class="{cls}">{_e(t[name])}</th>' for name, cls in heads)
    body = []
    for row in data.placements.iter_rows(named=True):
        title = row.get("title") or row["channel"]
        channel = (
            f"<b>{_e(title)}</b>{_post_link(row.get('post_url'), t)}"
            f'<span class="sub">{_e(row["channel"])}</span>'
        )
        if row.get("published_at") is not None:
            when = _day(row["published_at"])
        else:
            status = code_label("status", row["status"], language)
            when = f"{status}: {_day(row['planned_on'])}" if row.get("planned_on") else status
        cpm = money(row["cpm"])
        if row.get("cpm_basis") == "reach" and row["cpm"] is not None:
            cpm = f'{_e(cpm)} <span class="sub">{_e(t["over_reach_short"])}</span>'
        else:
            cpm = _e(cpm)
        flags = "<br>".join(_e(flag_text(f, language)) for f in row.get("flags") or [])
        cells = [
            ("", channel),
            ("", _e(code_label("platform", row["platform"], language))),
            ("", _e(code_label("format", row["format"], language))),
            ("", _e(code_label("content_type", row["content_type"], language))),
            ("", _e(when)),
            ("num", _e(money(row["cost_base"]))),
            ("num", _e(format_count(row["reach"]))),
            ("num", _e(format_count(row["clicks"]))),
            ("num", _e(format_count(row["conversions"]))),
            ("num", cpm),
            ("num", _e(money(row["cpa"]))),
            ("flags", flags),
        ]
        body.append(
            "<tr>" + "".join(f'<td class="{cls}">{cell}</td>' for cls, cell in cells) + "</tr>"
        )
    notes = [_note(t["money_note"].format(currency=data.currency))]
    if data.cancelled:
        notes.append(_note(t["cancelled"].format(count=format_count(data.cancelled))))
    return (
        f'<section id="placements"><h2>{_e(t["placements_title"])}</h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f"{''.join(notes)}</section>"
    )


def _provenance(data: ReportData, t: Mapping[str, str], language: Language) -> str:
    prov = data.provenance
    if not prov.height:
        return (
            f'<section id="provenance"><h2>{_e(t["provenance_title"])}</h2>'
            f"{_note(t['no_results'])}</section>"
        )
    head = (
        f'<th>{_e(t["source"])}</th><th class="num">{_e(t["measurements"])}</th>'
        f'<th class="num">{_e(t["placements_from"])}</th><th>{_e(t["latest"])}</th>'
    )
    rows = [
        f"<tr><td>{_e(code_label('provenance', r['provenance'], language))}</td>"
        f'<td class="num">{_e(format_count(r["measurements"]))}</td>'
        f'<td class="num">{_e(format_count(r["placements"]))}</td>'
        f"<td>{_e(_moment(r['latest']))}</td></tr>"
        for r in prov.iter_rows(named=True)
    ]
    latest = prov["latest"].max()
    rows.append(
        f"<tr><th>{_e(t['total'])}</th>"
        f'<th class="num">{_e(format_count(int(prov["measurements"].sum())))}</th>'
        f'<th class="num">{_e(format_count(int(prov["placements"].sum())))}</th>'
        f"<th>{_e(_moment(latest if isinstance(latest, dt.datetime) else None))}</th></tr>"
    )
    return (
        f'<section id="provenance"><h2>{_e(t["provenance_title"])}</h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"{_note(t['provenance_note'])}</section>"
    )


def _formulas(t: Mapping[str, str]) -> str:
    items = "".join(
        f"<li>{_e(t['formula.' + name])}</li>"
        for name in ("cost", "cpm", "cpc", "ctr", "cr", "cpa", "romi")
    )
    return (
        f'<section id="formulas"><h2>{_e(t["formulas_title"])}</h2>'
        f'<ul class="formulas">{items}</ul>{_note(t["ratio_of_sums"])}</section>'
    )


def campaign_report_html(
    cur: duckdb.DuckDBPyConnection,
    campaign_id: int,
    *,
    language: Language = "en",
    as_of: dt.datetime | None = None,
) -> str:
    """The campaign's client report as one self-contained HTML document (inline CSS, plotly.js
    inline once, no network needed) in ``language``; results as of ``as_of`` when given."""
    if language not in STRINGS:
        raise ValidationError(f"A report is in Russian (ru) or English (en), not “{language}”.")
    t = STRINGS[language]
    data = report_data(cur, campaign_id, as_of=as_of)
    # the budget bar first: it is always there, so it carries plotly.js
    budget_chart, *charts = _figures_html([budget_figure(data.money), *report_figures(data)],
                                          language)  # fmt: skip
    title = f"{t['title']}: {data.campaign.name}"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{language}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            _header(data, t, language, as_of),
            _summary(data, t),
            _budget(data, t, budget_chart),
            _charts(t, charts),
            _placements(data, t, language),
            _provenance(data, t, language),
            _formulas(t),
            f"<footer>{_e(title)}</footer>",
            "</body>",
            "</html>",
        ]
    )


__all__ = [
    "LANGUAGES",
    "STRINGS",
    "SUMMARY_KPIS",
    "Language",
    "ReportData",
    "campaign_report_html",
    "code_label",
    "flag_text",
    "kpi_text",
    "localise_figure",
    "provenance_frame",
    "report_data",
    "report_figures",
]
