"""The field specification: one place for each field's name, type, synonyms, check and export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from crm.errors import ValidationError
from crm.fields import (
    CHANNEL_FIELDS,
    CHANNELS,
    ENTITIES,
    OWNERS,
    PRICES,
    SNAPSHOT_METRICS,
    SNAPSHOTS,
    ColumnMeta,
    Entity,
)
from crm.importing.mapping import CHANNEL_FIELDS as CHANNEL_TARGETS
from crm.importing.mapping import FIELD_LABELS, normalise_header
from crm.parsing.types import TYPES

DESIGN_CHANNEL_FIELDS = (
    "platform", "handle", "url", "title", "kind", "owner", "niche", "country", "city",
    "language", "email", "telegram", "phone", "tags", "notes", "followers", "avg_reach",
    "avg_views", "avg_engagement", "avg_likes", "avg_comments", "avg_shares", "measured_on",
    "er", "err",
)  # fmt: skip
# the owner's own contacts, beside the channel's (export only), and the reach rate
OWNER_CONTACTS = ("owner_email", "owner_telegram", "owner_phone")
EXPORTED = (
    *DESIGN_CHANNEL_FIELDS[:13], *OWNER_CONTACTS, *DESIGN_CHANNEL_FIELDS[13:], "reach_rate",
)  # fmt: skip


def test_channel_fields_are_design_names_in_order() -> None:
    assert CHANNEL_FIELDS == EXPORTED
    assert CHANNELS.export_columns() == EXPORTED
    # import targets: the design names, the reach rate, then the price of a post and its currency
    assert (*DESIGN_CHANNEL_FIELDS, "reach_rate", "price", "currency") == CHANNEL_TARGETS
    assert set(FIELD_LABELS) == set(CHANNEL_TARGETS)
    assert SNAPSHOT_METRICS == (
        "followers", "avg_reach", "avg_views", "avg_engagement", "avg_likes", "avg_comments",
        "avg_shares",
    )  # fmt: skip


def test_export_columns_match_the_exports() -> None:
    from crm import exports

    assert OWNERS.export_columns() == exports.OWNER_FIELDS
    assert SNAPSHOTS.export_columns() == exports.SNAPSHOT_FIELDS
    assert PRICES.export_columns() == exports.PRICE_FIELDS


@pytest.mark.parametrize("entity", list(ENTITIES.values()), ids=list(ENTITIES))
def test_every_field_is_well_formed(entity: Entity) -> None:
    headers: dict[str, str] = {}
    for field in entity.fields:
        assert field.type in TYPES, field.name
        assert field.label and field.label[0].isupper(), field.name
        for synonym in field.synonyms:
            # stored as the mapping sees a header, and meaning one field only
            assert normalise_header(synonym) == synonym, (field.name, synonym)
            assert headers.setdefault(synonym, field.name) == field.name, synonym
        assert entity.by_name(field.name) is field
        assert entity.by_column(field.db_column) is field
    assert all(k in entity for k in entity.key)


def test_lookups() -> None:
    assert CHANNELS.by_column("niches").name == "niche"
    assert CHANNELS.for_header("подписчики") is CHANNELS.by_name("followers")
    assert CHANNELS.for_header("avg reach") is CHANNELS.by_name("avg_reach")  # the name itself
    assert CHANNELS.for_header("nonsense") is None
    assert PRICES.for_header("дата") is PRICES.by_name("date")  # entity by entity
    assert CHANNELS.for_header("дата") is CHANNELS.by_name("measured_on")
    assert [f.name for f in CHANNELS.stored_in("prices")] == ["price", "currency"]


def test_column_config_is_plain_metadata() -> None:
    config = CHANNELS.column_config()
    assert list(config) == list(EXPORTED)
    assert config["followers"] == ColumnMeta(
        "Followers", "Followers, subscribers or members on the date measured", "count"
    )
    assert config["er"].kind == "ratio"
    assert config["er"].formula == "er"
    assert config["measured_on"].kind == "date"
    assert config["niche"].kind == "list"
    assert config["url"].kind == "link"
    assert PRICES.column_config()["amount"].kind == "money"


def test_form_check_and_import_normaliser_are_one_rule() -> None:
    followers = CHANNELS.by_name("followers")
    values, reasons = followers.normalise(pl.Series("f", ["12,5K", "-5", "abc", None]))
    assert values.to_list() == [12_500, None, None, None]
    assert reasons.to_list() == [
        None,
        "followers cannot be negative",
        "followers “abc” is not a number",
        None,
    ]
    assert followers.check("12,5K") == 12_500
    assert followers.check(12.6) == 13
    assert followers.check(None) is None
    with pytest.raises(ValidationError, match=r"^Followers cannot be negative\.$"):
        followers.check(-5)
    with pytest.raises(ValidationError, match=r"^Followers “abc” is not a number\.$"):
        followers.check("abc")


def test_checks_by_type() -> None:
    field = CHANNELS.by_name
    assert field("kind").check("Паблик") == "public_page"
    assert field("kind").check(None) == "person"  # the default of a blank form field
    with pytest.raises(ValidationError, match=r"^Kind must be one of person, public_page"):
        field("kind").check("robot")
    assert field("niche").check("Еда; Спорт, еда") == ["food", "sport"]
    assert field("niche").check(["Cinema/actors", " ", "cinema/ACTORS"]) == ["Cinema/actors"]
    assert field("niche").check(None) == []
    assert field("er").check("3,4") == 0.034
    assert field("er").check("0.034") == pytest.approx(0.034)
    assert field("er").check("3.4%") == pytest.approx(0.034)
    assert field("price").check("5 000 ₽") == Decimal("5000.00")
    assert field("currency").check("руб.") == "RUB"
    assert field("country").check("РФ") == "Russia"
    assert field("language").check("Русский") == "ru"
    assert field("telegram").check("https://t.me/admin_name") == "@admin_name"
    assert field("url").check("vk.com/x") == "https://vk.com/x"
    assert field("platform").check("ВКонтакте") == "vk"
    assert field("handle").check("@Anna") == "anna"
    with pytest.raises(ValidationError, match="A channel needs a handle"):
        field("handle").check("  ")


def test_dates_cannot_lie_ahead_when_measured() -> None:
    measured = SNAPSHOTS.by_name("measured_on")
    assert measured.check("01.03.2024") == dt.date(2024, 3, 1)
    assert measured.check("1990-01-01") == dt.date(1990, 1, 1)
    for old in ("0001-01-01", "1989-12-31", "01.01.1900"):
        with pytest.raises(ValidationError, match=f"“{old}” is before 1990: not a measurement"):
            measured.check(old)
    assert measured.check(dt.datetime(2024, 3, 1, 12, 30)) == dt.date(2024, 3, 1)
    assert measured.check(None) == dt.date.today()
    ahead = dt.date.today() + dt.timedelta(days=9)
    with pytest.raises(ValidationError, match="is in the future"):
        measured.check(ahead)
    with pytest.raises(ValidationError, match="is not a date"):
        measured.check("вчера")
    # a price's date is not a measurement: it may be ahead (an agreed future placement)
    assert PRICES.by_name("date").check(ahead) == ahead


def test_required_fields_refuse_blank() -> None:
    with pytest.raises(ValidationError, match="An owner needs a name"):
        OWNERS.by_name("name").check("  ")
    assert OWNERS.by_name("name").check(" Ирина ") == "Ирина"


def test_entity_clean_refuses_fields_that_cannot_be_edited() -> None:
    assert OWNERS.clean({"email": "A@B.ru"}, ["email"]) == {"email": "a@b.ru"}
    with pytest.raises(
        ValidationError, match="“version” is not a field of owners that can be edited"
    ):
        OWNERS.clean({"version": 3}, ["email"])


def test_the_field_types_are_one_closed_set() -> None:
    from typing import get_args

    from crm.parsing.types import FieldType

    assert set(get_args(FieldType)) == set(TYPES)
    for spec in TYPES.values():
        clean, reasons = spec.normalise(pl.Series("x", [None, "  "], pl.String), "x")
        # blank in, null out, and no reason: a blank cell is never an error by itself
        assert clean.dtype == spec.dtype, spec.name
        assert clean.to_list() == [None, None], spec.name
        assert reasons.to_list() == [None, None], spec.name


# ---------------------------------------------------------------- units and orders per column


def test_ratio_unit_is_decided_once_per_column() -> None:
    from crm.parsing.types import Reading

    er = CHANNELS.by_name("er")
    # a value above 1 makes the whole column percents: 0.5 is 0.5 %, not 50 %
    reading = Reading()
    values, _ = er.normalise(pl.Series("er", ["0.5", "3.4", None]), reading=reading)
    assert values.to_list() == [0.005, 0.034, None]
    assert reading.units == {"er": "percent"}
    # every value at most 1 and no % sign: ratios
    reading = Reading()
    values, _ = er.normalise(pl.Series("er", ["0.5", "0.034"]), reading=reading)
    assert values.to_list() == [0.5, 0.034]
    assert reading.units == {"er": "ratio"}
    # a % sign on one value makes the bare ones percents too; a % sign is always percent
    values, _ = er.normalise(pl.Series("er", ["0.5", "3,4 %", "1"]))
    assert values.to_list() == [0.005, 0.034, 0.01]
    values, _ = er.normalise(pl.Series("er", ["0.5%"]))
    assert values.to_list() == [0.005]
    assert [n for n in reading.notes if n.startswith("er")] == [
        "er: read as ratios (0.034 means 3.4 %), since every value is at most 1 and none has %"
    ]


def test_reach_rate_headers() -> None:
    for header in (
        "ERR (Telegram)", "Telegram ERR", "views per subscriber", "Просмотры на подписчика",
        "ERR просмотров", "Reach rate",
    ):  # fmt: skip
        found = CHANNELS.for_header(normalise_header(header))
        assert found is not None and found.name == "reach_rate", header
    assert CHANNELS.for_header("err") is CHANNELS.by_name("err")


@pytest.mark.parametrize(
    ("texts", "order", "dates"),
    [
        # a first part above 12 settles day first
        (["03/04/2024", "25/04/2024"], "dmy", [dt.date(2024, 4, 3), dt.date(2024, 4, 25)]),
        # a second part above 12 settles month first
        (["03/04/2024", "04/25/2024"], "mdy", [dt.date(2024, 3, 4), dt.date(2024, 4, 25)]),
        (["3-4-2024", "12-31-2023"], "mdy", [dt.date(2024, 3, 4), dt.date(2023, 12, 31)]),
        # dots are day first wherever they are written; ISO dates are never ambiguous
        (["03.04.2024", "2024-04-03"], "dmy", [dt.date(2024, 4, 3), dt.date(2024, 4, 3)]),
    ],
)
def test_day_and_month_order_is_decided_per_column(
    texts: list[str], order: str, dates: list[dt.date]
) -> None:
    from crm.parsing.types import Reading

    reading = Reading()
    values, reasons = SNAPSHOTS.by_name("measured_on").normalise(
        pl.Series("d", texts), reading=reading
    )
    assert values.to_list() == dates
    assert reasons.to_list() == [None] * len(texts)
    assert reading.ambiguous == []
    if "/" in texts[0] or "-" in texts[0]:
        assert reading.date_orders == {"measured_on": order}


def test_dates_nothing_settles_are_ambiguous_until_the_user_chooses() -> None:
    from crm.parsing.types import Reading

    measured = SNAPSHOTS.by_name("measured_on")
    texts = pl.Series("d", ["03/04/2024", "05/06/2024", "07/07/2024"])
    reading = Reading()
    measured.normalise(texts, reading=reading)
    assert reading.ambiguous == ["measured_on"]
    reading = Reading(date_order="mdy")
    values, _ = measured.normalise(texts, reading=reading)
    assert values.to_list() == [dt.date(2024, 3, 4), dt.date(2024, 5, 6), dt.date(2024, 7, 7)]
    assert (reading.ambiguous, reading.date_orders) == ([], {"measured_on": "mdy"})
    reading = Reading(date_order="dmy")
    values, _ = measured.normalise(texts, reading=reading)
    assert values.to_list() == [dt.date(2024, 4, 3), dt.date(2024, 6, 5), dt.date(2024, 7, 7)]
    # the values win over a choice they contradict, and the plan says so
    reading = Reading(date_order="mdy")
    values, _ = measured.normalise(pl.Series("d", ["25/12/2023"]), reading=reading)
    assert values.to_list() == [dt.date(2023, 12, 25)]
    assert reading.notes == [
        "measured_on: day first (25/12/2023 settles it); the month-first order chosen is not used"
    ]
