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


def test_channel_fields_are_design_names_in_order() -> None:
    assert CHANNEL_FIELDS == DESIGN_CHANNEL_FIELDS
    assert CHANNELS.export_columns() == DESIGN_CHANNEL_FIELDS
    # import targets: the same, then the import-only price of a post and its currency
    assert (*DESIGN_CHANNEL_FIELDS, "price", "currency") == CHANNEL_TARGETS
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
    assert list(config) == list(DESIGN_CHANNEL_FIELDS)
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
    assert field("niche").check("Еда; Спорт, еда") == ["Еда", "Спорт"]
    assert field("niche").check(["Cinema/actors", " ", "cinema/ACTORS"]) == ["Cinema/actors"]
    assert field("niche").check(None) == []
    assert field("er").check("3,4") == pytest.approx(0.034)
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
