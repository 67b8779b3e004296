"""Normalising a read file into clean typed fields, with a reason for every refused row."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import polars as pl

from crm.errors import ValidationError
from crm.fields import SNAPSHOT_METRICS
from crm.importing.read import LINE, RawTable
from crm.importing.results import DuplicateRow
from crm.parsing.checks import check_email, check_phone, check_telegram, check_url
from crm.parsing.numbers import parse_number_column
from crm.vocab.currencies import CURRENCY_ALIASES
from crm.vocab.geo import normalise_country_column, normalise_language_column
from crm.vocab.platforms import (
    HOSTS,
    RESERVED_FIRST,
    check_platform,
    parse_channel_url,
)
from crm.vocab.terms import KIND_ALIASES

METRICS = SNAPSHOT_METRICS
_NUMERIC = (*METRICS, "er", "err", "price")
_TEXT = ("title", "owner", "country", "city", "language", "notes")
_LISTS = ("niche", "tags")
_URL_LIKE = r"(?i)^(https?://|www\.|[a-z0-9-]+(\.[a-z0-9-]+)+/)"


def _by_unique(column: pl.Series, check: Callable[[str], Any]) -> tuple[pl.Series, pl.Series]:
    """Run a Python check once per distinct value: (cleaned values, error messages)."""
    good: dict[str, Any] = {}
    bad: dict[str, str] = {}
    for value in column.drop_nulls().unique().to_list():
        try:
            good[value] = check(value)
        except ValidationError as exc:
            bad[value] = str(exc).rstrip(".")
    cleaned = column.replace_strict(
        list(good), list(good.values()), default=None, return_dtype=pl.String
    )
    errors = column.replace_strict(
        list(bad), list(bad.values()), default=None, return_dtype=pl.String
    )
    return cleaned, errors


_SIMPLE_LINK = (
    r"(?i)^(?:https?://)?(?:www\.)?("
    + "|".join(re.escape(h) for h in HOSTS)
    + r")/(@?[a-z0-9_][a-z0-9_.\-]*)/?$"
)


def parse_links(links: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Links to ``platform\\x00handle`` and errors, as crm.platforms.parse_channel_url would;
    plain profile links are parsed with expressions, the rest by it once per distinct value."""
    parts = links.str.extract_groups(_SIMPLE_LINK)
    frame = pl.DataFrame(
        {
            "host": parts.struct.field("1").str.to_lowercase(),
            "seg": parts.struct.field("2").str.strip_chars_start("@").str.to_lowercase(),
        }
    )
    platform = pl.col("host").replace_strict(
        list(HOSTS), list(HOSTS.values()), default=None, return_dtype=pl.String
    )
    reserved = pl.lit(False)
    for name, words in RESERVED_FIRST.items():
        reserved = reserved | ((platform == name) & pl.col("seg").is_in(list(words)))
    vk_numeric = (platform == "vk") & pl.col("seg").str.contains(r"^(club|public|event|id)\d+$")
    fast = frame.select(
        # rutube names a channel only as /channel/N or /u/name: left to parse_channel_url
        pl.when(
            platform.is_not_null()
            & (platform != "rutube")
            & ~reserved
            & ~vk_numeric
            & (pl.col("seg") != "")
        ).then(platform + pl.lit("\x00") + pl.col("seg"))
    ).to_series()
    rest = pl.select(pl.when(fast.is_null()).then(links)).to_series()
    slow, errors = _by_unique(rest, _parse_link)
    return pl.select(pl.coalesce(fast, slow)).to_series(), errors


def _parse_link(text: str) -> str:
    ref = parse_channel_url(text)
    return f"{ref.platform}\x00{ref.handle}"


def _precision(column: pl.Series) -> float:
    values = column.drop_nulls()
    if values.len() == 0:
        return 0.0
    return int(values.str.contains(r"^\d+$").sum()) / values.len()


def _combined(frame: pl.DataFrame, sources: list[str], numeric: bool) -> pl.Series | None:
    if not sources:
        return None
    if numeric and len(sources) > 1:
        # the same number twice ("409.8M" and "409800000"): the plain integer wins, and
        # a row empty there falls back to the next column
        sources = sorted(sources, key=lambda s: -_precision(frame[s]))
    return frame.select(pl.coalesce([pl.col(s) for s in sources])).to_series()


def _reason(series: pl.Series, mask: pl.Series, template: str) -> pl.Series:
    """Messages for the rows where mask holds; template gets {v} (the value)."""
    head, _, tail = template.partition("{v}")
    text = (
        (pl.lit(head) + series.cast(pl.String) + pl.lit(tail))
        if "{v}" in template
        else pl.lit(template)
    )
    return pl.select(pl.when(mask).then(text).otherwise(None)).to_series()


def _split_list(column: pl.Series) -> pl.Series:
    return column.str.split(";").list.eval(
        pl.element().str.split(",").explode().str.split("|").explode()
    )


def _normalise(
    table: RawTable,
    mapping: dict[str, str | None],
    platform: str | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows with clean typed fields, rejects with line and reason); one pass of expressions."""
    frame = table.frame
    n = frame.height
    sources: dict[str, list[str]] = {}
    for header in table.columns:
        target = mapping.get(header)
        if target:
            sources.setdefault(target, []).append(header)
    reasons: list[pl.Series] = []
    out: dict[str, pl.Series] = {"line": frame[LINE]}
    nulls = pl.Series([None] * n, dtype=pl.String)

    # identity: a handle column, else a link; a link also names the platform
    handle_raw = _combined(frame, sources.get("handle", []), False)
    url_raw = _combined(frame, sources.get("url", []), False)
    handle_raw = nulls if handle_raw is None else handle_raw
    url_raw = nulls if url_raw is None else url_raw
    handle_is_link = handle_raw.str.contains(_URL_LIKE).fill_null(False)
    ident_link = pl.select(
        pl.when(handle_is_link)
        .then(handle_raw)
        .otherwise(pl.when(handle_raw.is_null()).then(url_raw))
    ).to_series()
    links = pl.concat([ident_link, url_raw]).drop_nulls().unique()
    parsed, link_errors = parse_links(links)
    link_map = dict(zip(links.to_list(), parsed.to_list(), strict=True))
    err_map = dict(zip(links.to_list(), link_errors.to_list(), strict=True))

    def lookup(series: pl.Series, table_: dict[str, Any]) -> pl.Series:
        return series.replace_strict(
            list(table_), list(table_.values()), default=None, return_dtype=pl.String
        )

    ident_pair = lookup(ident_link, link_map)
    url_pair = lookup(url_raw, link_map)
    plain_handle = pl.select(
        pl.when(~handle_is_link).then(
            handle_raw.str.strip_chars()
            .str.strip_chars("/")
            .str.strip_chars_start("@")
            .str.strip_chars()
            .str.to_lowercase()
        )
    ).to_series()
    platform_col = _combined(frame, sources.get("platform", []), False)
    if platform_col is not None:
        platform_clean, platform_err = _by_unique(platform_col, check_platform)
        reasons.append(
            _reason(platform_col, platform_err.is_not_null(), "platform “{v}” is unknown")
        )
    else:
        platform_clean = nulls
    default = check_platform(platform) if platform else None
    ident_platform = ident_pair.str.split("\x00").list.get(0, null_on_oob=True)
    ident_handle = ident_pair.str.split("\x00").list.get(1, null_on_oob=True)
    url_platform = url_pair.str.split("\x00").list.get(0, null_on_oob=True)
    final = pl.DataFrame(
        {
            "plain": plain_handle,
            "ih": ident_handle,
            "ip": ident_platform,
            "pc": platform_clean,
            "up": url_platform,
        }
    ).select(
        handle=pl.coalesce("plain", "ih"),
        platform=pl.when(pl.col("plain").is_not_null())
        .then(pl.coalesce("pc", "up", pl.lit(default, pl.String)))
        .otherwise(pl.coalesce("ip", "pc", pl.lit(default, pl.String))),
    )
    out["handle"] = final["handle"]
    out["platform"] = final["platform"]
    ident_error = lookup(ident_link, err_map)
    no_identity = handle_raw.is_null() & url_raw.is_null()
    reasons.insert(0, _reason(nulls, no_identity, "no handle or link"))
    reasons.insert(1, ident_error)
    bad_handle = (
        final["handle"].is_not_null()
        & ~(
            final["handle"].str.replace_all(r"[?=]", "").str.contains(r"^[\w.\-/@]+$")
            & (final["handle"].str.len_chars() <= 200)
        )
    ).fill_null(False)
    reasons.append(_reason(handle_raw, bad_handle, "“{v}” is not a valid handle"))
    reasons.append(
        _reason(
            nulls,
            (final["handle"].is_not_null() & final["platform"].is_null()).fill_null(False),
            "no platform: add a platform column or a link, or choose a default platform",
        )
    )

    # url kept on the channel: the link column when it is a valid web address
    url_clean, url_err = _check_urls(url_raw, url_pair)
    reasons.append(url_err)
    out["url"] = url_clean

    # numbers
    for name in _NUMERIC:
        raw = _combined(frame, sources.get(name, []), True)
        if raw is None:
            out[name] = pl.Series([None] * n, dtype=pl.Float64)
            continue
        if name == "price":
            raw, symbol = _split_currency(raw)
            out["_price_currency"] = symbol
        values, invalid = parse_number_column(raw)
        reasons.append(_reason(raw, invalid, f"{name} “{{v}}” is not a number"))
        reasons.append(_reason(raw, (values < 0).fill_null(False), f"{name} cannot be negative"))
        if name in ("er", "err"):
            # "3.4" in an ER column means 3.4 %; "3.4%" and "0.034" already are ratios
            values = pl.select(
                pl.when(~raw.str.contains("%") & (values > 1)).then(values / 100).otherwise(values)
            ).to_series()
        out[name] = values
    out["followers"] = out["followers"].round(0).cast(pl.Int64)
    # ER = engagement / followers and ERR = engagement / reach (METRICS.md), so a file that
    # gives only a rate still gives the engagement; rounded to cents against float noise
    engagement = pl.select(
        pl.coalesce(
            out["avg_engagement"],
            (out["er"] * out["followers"].cast(pl.Float64)).round(2),
            (out["err"] * out["avg_reach"]).round(2),
        )
    ).to_series()
    out["avg_engagement"] = engagement

    # text
    for name in _TEXT:
        raw = _combined(frame, sources.get(name, []), False)
        out[name] = nulls if raw is None else raw
    out["country"] = normalise_country_column(out["country"])
    out["language"] = normalise_language_column(out["language"])
    kind_raw = _combined(frame, sources.get("kind", []), False)
    if kind_raw is not None:
        key = kind_raw.str.to_lowercase().str.replace_all(r"[\s\-]+", "_")
        kind = key.replace_strict(
            list(KIND_ALIASES), list(KIND_ALIASES.values()), default=None, return_dtype=pl.String
        )
        reasons.append(
            _reason(
                kind_raw,
                kind.is_null() & kind_raw.is_not_null(),
                "kind “{v}” is not person or public_page",
            )
        )
        out["kind"] = kind
    else:
        out["kind"] = nulls
    for name, check in (
        ("email", check_email),
        ("telegram", check_telegram),
        ("phone", check_phone),
    ):
        raw = _combined(frame, sources.get(name, []), False)
        if raw is None:
            out[name] = nulls
            continue
        clean, errors = _by_unique(raw, check)
        reasons.append(errors)
        out[name] = clean
    for name, column in (("niche", "niches"), ("tags", "tags")):
        cols = sources.get(name, [])
        if not cols:
            out[column] = pl.Series([None] * n, dtype=pl.List(pl.String))
            continue
        parts = pl.select(
            pl.concat_list([_split_list(frame[c]).fill_null([]) for c in cols])
            .list.eval(pl.element().str.strip_chars().filter(pl.element().str.len_chars() > 0))
            .list.unique(maintain_order=True)
        ).to_series()
        out[column] = pl.select(pl.when(parts.list.len() > 0).then(parts)).to_series()

    # date measured
    date_raw = _combined(frame, sources.get("measured_on", []), False)
    if date_raw is not None:
        measured = _parse_dates(date_raw)
        reasons.append(
            _reason(
                date_raw,
                measured.is_null() & date_raw.is_not_null(),
                "measured_on “{v}” is not a date",
            )
        )
        future = (measured > dt.date.today() + dt.timedelta(days=1)).fill_null(False)
        reasons.append(_reason(date_raw, future, "measured_on “{v}” is in the future"))
        out["measured_on"] = measured
    else:
        out["measured_on"] = pl.Series([None] * n, dtype=pl.Date)

    # currency of the price
    currency_raw = _combined(frame, sources.get("currency", []), False)
    symbol = out.pop("_price_currency", nulls)
    currency_src = pl.select(
        pl.coalesce(currency_raw if currency_raw is not None else nulls, symbol)
    ).to_series()
    currency, currency_bad = _currency(currency_src)
    reasons.append(_reason(currency_src, currency_bad, "currency “{v}” is not a currency code"))
    out["currency"] = currency

    reason = pl.select(pl.coalesce(reasons)).to_series() if reasons else nulls
    rows = pl.DataFrame(out)
    rows = rows.with_columns(reason=reason)
    rejected = rows.filter(pl.col("reason").is_not_null()).select("line", "reason")
    return rows.filter(pl.col("reason").is_null()).drop("reason"), rejected


def _check_urls(url_raw: pl.Series, pairs: pl.Series) -> tuple[pl.Series, pl.Series]:
    """crm.validation.check_url, vectorised for links already recognised as channel links."""
    known = pl.select(
        pl.when(pairs.is_not_null() & url_raw.str.contains(r"^https?://"))
        .then(url_raw)
        .when(pairs.is_not_null())
        .then(pl.lit("https://") + url_raw)
    ).to_series()
    rest = pl.select(pl.when(known.is_null()).then(url_raw)).to_series()
    clean, errors = _by_unique(rest, check_url)
    return pl.select(pl.coalesce(known, clean)).to_series(), errors


def _split_currency(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    pattern = r"(?i)\s*(₽|руб\.?|р\.|rub|rur|\$|usd|€|eur|₸|kzt)\s*"
    symbol = raw.str.extract(pattern, 1)
    return raw.str.replace_all(pattern, ""), symbol


def _currency(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    key = raw.str.strip_chars().str.to_lowercase()
    alias = key.replace_strict(
        list(CURRENCY_ALIASES),
        list(CURRENCY_ALIASES.values()),
        default=None,
        return_dtype=pl.String,
    )
    code = pl.select(
        pl.when(key.str.contains(r"^[a-z]{3}$")).then(key.str.to_uppercase())
    ).to_series()
    value = pl.select(pl.coalesce(alias, code)).to_series()
    return value, (value.is_null() & raw.is_not_null()).fill_null(False)


def _parse_dates(raw: pl.Series) -> pl.Series:
    text = raw.str.strip_chars()
    iso = text.str.slice(0, 10)
    return pl.select(
        pl.coalesce(
            iso.str.to_date("%Y-%m-%d", strict=False),
            text.str.to_date("%d.%m.%Y", strict=False),
            text.str.to_date("%d/%m/%Y", strict=False),
            text.str.to_date("%Y/%m/%d", strict=False),
            text.str.to_date("%d.%m.%y", strict=False),
        )
    ).to_series()


def _dedupe(rows: pl.DataFrame) -> tuple[pl.DataFrame, list[DuplicateRow]]:
    """One row per platform + handle: the later row wins; the earlier ones are reported."""
    keyed = rows.with_columns(
        kept=pl.col("line").max().over("platform", "handle"),
    )
    dropped = keyed.filter(pl.col("line") != pl.col("kept")).sort("line")
    duplicates = [
        DuplicateRow(line, f"{p}:{h}", kept)
        for line, p, h, kept in dropped.select("line", "platform", "handle", "kept").iter_rows()
    ]
    return keyed.filter(pl.col("line") == pl.col("kept")).drop("kept"), duplicates
