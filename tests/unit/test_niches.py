"""Niches: one English vocabulary, whatever language or wording a file uses."""

from __future__ import annotations

import polars as pl
import pytest

from crm.demo.words import NICHES as DEMO_NICHES
from crm.fields import CHANNELS
from crm.vocab.niches import NICHE_ALIASES, NICHES, normalise_niche, normalise_niche_column


def test_the_demo_niches_are_the_base_vocabulary() -> None:
    assert set(NICHES) == set(DEMO_NICHES)
    for niche in NICHES:
        assert normalise_niche(niche) == niche
        assert normalise_niche(niche.upper()) == niche


@pytest.mark.parametrize(
    ("typed", "niche"),
    [
        ("finance", "finance"),
        ("Финансы", "finance"),
        ("Finance & Economics", "finance"),
        ("Sports with a ball", "sport"),
        ("Спорт", "sport"),
        ("Еда", "food"),
        ("Food & Cooking", "food"),
        ("Рецепты", "food"),
        ("Путешествия", "travel"),
        ("Технологии", "tech"),
        ("IT", "tech"),
        ("Юмор", "humor"),
        ("Humour", "humor"),
        ("Недвижимость", "real estate"),
        ("real_estate", "real estate"),
        ("  Красота ", "beauty"),
        ("Образование", "education"),
        ("Новости", "news"),
        ("Игры", "gaming"),
        ("Здоровье", "health"),
        ("Авто", "auto"),
        ("Cars & Motorbikes", "auto"),
        ("Мода", "fashion"),
        ("Материнство", "parenting"),
        ("Ёлки", "Ёлки"),  # unknown: kept as typed
        ("Cinema & Actors/actresses", "Cinema & Actors/actresses"),
        ("  ", None),
        (None, None),
    ],
)
def test_synonyms_in_russian_and_english(typed: str | None, niche: str | None) -> None:
    assert normalise_niche(typed) == niche


def test_aliases_name_base_niches_only() -> None:
    assert set(NICHE_ALIASES.values()) <= set(NICHES)


def test_column_and_one_value_agree() -> None:
    texts = ["Финансы", "finance", "Sports with a ball", "Narnia", None, " "]
    column = normalise_niche_column(pl.Series("n", texts)).to_list()
    assert column == [normalise_niche(t) for t in texts]


def test_the_niche_field_uses_the_vocabulary_in_forms_and_imports() -> None:
    niche = CHANNELS.by_name("niche")
    # three vocabularies, one niche; repeats after normalising are dropped
    assert niche.check("finance; Финансы, Sports with a ball|Music") == [
        "finance",
        "sport",
        "Music",
    ]
    assert niche.check(["Еда", "Рецепты", "food"]) == ["food"]
    values, reasons = niche.normalise(pl.Series("n", ["Еда, Рецепты", "Спорт", None, "Music"]))
    assert values.to_list() == [["food"], ["sport"], None, ["Music"]]
    assert reasons.to_list() == [None] * 4
