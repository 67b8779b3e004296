import polars as pl

from crm.vocab.geo import (
    normalise_country,
    normalise_country_column,
    normalise_language,
    normalise_language_column,
)


def test_countries_and_languages_share_one_vocabulary() -> None:
    assert normalise_country(" Россия ") == "Russia"
    assert normalise_country("РФ") == "Russia"
    assert normalise_country("kazakhstan") == "Kazakhstan"
    assert normalise_country("Narnia") == "Narnia"
    assert normalise_country("  ") is None
    assert normalise_language("Русский") == "ru"
    assert normalise_language("EN") == "en"
    assert normalise_language("Klingon") == "Klingon"


def test_vectorised_versions_agree() -> None:
    countries = pl.Series("c", ["Россия", "Казахстан", None, "Narnia", "United States"])
    assert normalise_country_column(countries).to_list() == [
        "Russia",
        "Kazakhstan",
        None,
        "Narnia",
        "United States",
    ]
    languages = pl.Series("l", ["ru", "русский", "English", None])
    assert normalise_language_column(languages).to_list() == ["ru", "ru", "en", None]


def test_one_normaliser_for_one_value_and_for_columns() -> None:
    texts = [" Россия ", "РФ", "russian federation", "  ", "", None, "Narnia", "КАЗАХСТАН"]
    column = normalise_country_column(pl.Series("c", texts)).to_list()
    assert column == [normalise_country(t) for t in texts]
    assert column == ["Russia", "Russia", "Russia", None, None, None, "Narnia", "Kazakhstan"]
    languages = ["Русский", " EN ", "ру", "", None, "Klingon"]
    assert normalise_language_column(pl.Series("l", languages)).to_list() == [
        normalise_language(t) for t in languages
    ]


def test_the_demo_countries_are_the_vocabulary_names() -> None:
    from crm.demo.words import _CITIES, _EN_CITIES

    # a country stored by the demo reads back as itself (an export imported back changes nothing)
    for city in (*_CITIES, *_EN_CITIES):
        assert normalise_country(city.country) == city.country
    assert normalise_country("ОАЭ") == normalise_country("United Arab Emirates") == "UAE"
