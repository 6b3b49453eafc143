"""Registered address: abbreviations, order, postcode; numbers must be equal."""

import pytest

from recovery.verification.addresses import match_address, normalise_address, parse_address
from recovery.verification.results import FieldResult, MatchStatus
from recovery.verification.settings import MatchSettings

MOSCOW = "101000, г. Москва, ул. Ленина, д. 5, кв. 12"
KHIMKI = "141400, Московская обл., г. Химки, пр-т Мира, д. 7, корп. 2, стр. 1, кв. 45"
TVERSKAYA = "г. Москва, 1-я Тверская-Ямская ул., д. 5А, корп. 2, кв. 12"
BOULEVARD = "г. Москва, Тверской б-р, д. 5, кв. 3"
VILLAGE = "Тверская обл., Калининский р-н, д. Ивановка, д. 5"
MICRODISTRICT = "г. Зеленоград, мкр. 3, д. 301, кв. 7"


@pytest.mark.parametrize(
    ("claimed", "record"),
    [
        # abbreviations spelled out or not, either side
        ("город Москва, улица Ленина, дом 5, квартира 12", MOSCOW),
        ("г Москва ул Ленина д 5 кв 12", MOSCOW),
        ("г.Москва,ул.Ленина,д.5,кв.12", MOSCOW),
        ("Москва, ул. Ленина, д5, кв12", MOSCOW),
        # postcode optional
        ("101000 Москва ул Ленина 5 12", MOSCOW),
        ("Москва Ленина 5-12", MOSCOW),
        # word order
        ("ул. Ленина, д. 5, кв. 12, г. Москва", MOSCOW),
        ("Ленина улица дом 5 квартира 12 город Москва", MOSCOW),
        # case, ё, punctuation, look-alike letters, format characters
        ("Г. МОСКВА; УЛ. ЛЕНИНА; Д. 5; КВ. 12", MOSCOW),
        ("г. Mосква, yл. Ленинa, д. 5, кв. 12", MOSCOW),
        ("г. Мос\u200bква, ул. Ле\u00adнина, д. 5, кв. №12", MOSCOW),
        # left-out city; one typo in the city and in the street
        ("ул. Ленина, д. 5, кв. 12", MOSCOW),
        ("г. Мосвка, ул. Леинна, д. 5, кв. 12", MOSCOW),
        # the other abbreviations
        ("Московская область, город Химки, проспект Мира, дом 7, корпус 2, строение 1, квартира 45", KHIMKI),
        ("Химки, пр. Мира 7 к2 с1 кв 45", KHIMKI),
        ("Химки просп. Мира д 7 к. 2 стр 1 кв 45", KHIMKI),
        ("Московская обл, г Химки, пр-кт Мира, д.7 корп.2 стр.1 кв.45", KHIMKI),
        ("Москва, 1-ая Тверская-Ямская улица, дом 5-а, корпус 2, квартира 12", TVERSKAYA),
        ("Москва, ул. 1-я Тверская Ямская, д. 5 лит. А, корп. 2, кв. 12", TVERSKAYA),
        ("Москва, Тверская-Ямская 1-я ул, 5а, к2, кв 12", TVERSKAYA),
        ("Москва, Тверской бульвар, дом 5, квартира 3", BOULEVARD),
        ("Москва Тверской б-р 5-3", BOULEVARD),
        ("деревня Ивановка, дом 5", VILLAGE),
        ("Тверская область, Калининский район, дер. Ивановка, д. 5", VILLAGE),
        ("Зеленоград, микрорайон 3, дом 301, кв 7", MICRODISTRICT),
        ("г Зеленоград мкрн 3 д 301 кв 7", MICRODISTRICT),
        ("Санкт-Петербург, наб. реки Мойки, д. 12", "г. Санкт-Петербург, набережная реки Мойки, дом 12"),
        ("Москва, Каширское ш., д. 3", "г. Москва, Каширское шоссе, д. 3"),
        ("Москва, Красная пл., 1", "г. Москва, Красная площадь, д. 1"),
        ("Москва, Кривоколенный пер., д. 10", "г. Москва, Кривоколенный переулок, дом 10"),
        # a street type typed where the record has none
        ("г. Москва, ул. Ленина, д. 5, кв. 12", "Москва, Ленина 5, 12"),
        # "р." is a river, not a district
        ("Санкт-Петербург, наб. р. Мойки, 12", "г. Санкт-Петербург, наб. р. Мойки, д. 12"),
    ],
)
def test_same_address(claimed, record):
    assert match_address(claimed, record) == FieldResult.match()


@pytest.mark.parametrize(
    ("claimed", "record"),
    [
        # the neighbour's flat, whatever the text score
        ("г. Москва, ул. Ленина, д. 5, кв. 13", MOSCOW),
        ("г. Москва, ул. Ленина, д. 5, кв. 120", MOSCOW),
        # the house next door, another building or block
        ("г. Москва, ул. Ленина, д. 7, кв. 12", MOSCOW),
        ("Москва, 1-я Тверская-Ямская ул., д. 5Б, корп. 2, кв. 12", TVERSKAYA),
        ("Москва, 1-я Тверская-Ямская ул., д. 5, корп. 2, кв. 12", TVERSKAYA),
        ("Москва, 2-я Тверская-Ямская ул., д. 5А, корп. 2, кв. 12", TVERSKAYA),
        ("Химки, пр. Мира 7 к3 с1 кв 45", KHIMKI),
        # a number left out or added
        ("г. Москва, ул. Ленина, д. 5", MOSCOW),
        ("г. Москва, ул. Ленина, д. 5, корп. 1, кв. 12", MOSCOW),
        ("г. Москва, ул. Ленина, кв. 12", MOSCOW),
        # another street with the same numbers
        ("г. Москва, ул. Гагарина, д. 5, кв. 12", MOSCOW),
        ("г. Москва, ул. Ленинская, д. 5, кв. 12", MOSCOW),
        ("г. Москва, ул. Лесная, д. 5, кв. 12", MOSCOW),
        ("г. Москва, пр-т Ленина, д. 5, кв. 12", MOSCOW),
        # another city with the same street
        ("г. Химки, ул. Ленина, д. 5, кв. 12", MOSCOW),
        ("г. Санкт-Петербург, ул. Ленина, д. 5, кв. 12", MOSCOW),
        # numbers alone, or with the city only
        ("5 12", MOSCOW),
        ("Москва 5 12", MOSCOW),
        ("дом 5 квартира 12", MOSCOW),
        ("", MOSCOW),
        ("деревня Петровка, дом 5", VILLAGE),
    ],
)
def test_different_address(claimed, record):
    result = match_address(claimed, record)
    assert result.status is MatchStatus.NO_MATCH
    assert 0 <= result.score <= 99


@pytest.mark.parametrize("record", [None, "", "  ", ", ."])
def test_no_address_on_record_is_not_available(record):
    assert match_address("г. Москва, ул. Ленина, д. 5", record) == FieldResult.not_available()


def test_neighbours_flat_scores_high_but_fails():
    result = match_address("г. Москва, ул. Ленина, д. 5, кв. 13", MOSCOW)
    assert result.status is MatchStatus.NO_MATCH
    assert result.score >= 95


def test_threshold_is_a_setting():
    claim = "г. Мосвка, ул. Леинна, д. 5, кв. 12"
    assert match_address(claim, MOSCOW, MatchSettings(address_threshold=95)).status is MatchStatus.NO_MATCH


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("101000, г. Москва, ул. Ленина, д.5, кв.12", "город москва улица ленина дом 5 квартира 12"),
        ("Московская обл., р-н Ленинский", "московская область район ленинский"),
        (
            "пр-т Мира, б-р Цветной, мкр-н 3, пр-д Серебрякова",
            "проспект мира бульвар цветной микрорайон 3 проезд серебрякова",
        ),
        (
            "ш. Энтузиастов, наб. Мойки, пл. Ленина, пер. Малый",
            "шоссе энтузиастов набережная мойки площадь ленина переулок малый",
        ),
        ("д. Ивановка, д. 5", "деревня ивановка дом 5"),
        ("д. 5-А лит. Б", "дом 5а литера б"),
        ("д. 5 лит. Б", "дом 5б"),
        ("1-я Тверская-Ямская, 3-й пер.", "1 тверская ямская 3 переулок"),
        ("д.5к2с1", "дом 5 корпус 2 строение 1"),
        ("кв. 012", "квартира 012"),
        ("Ёлкина улица", "елкина улица"),
    ],
)
def test_normalise_address(raw, normal):
    assert normalise_address(raw) == normal


@pytest.mark.parametrize(
    ("raw", "numbers"),
    [
        (MOSCOW, ("12", "5")),
        (TVERSKAYA, ("1", "12", "2", "5а")),
        ("кв. 012, д. 5", ("12", "5")),
        ("д. 12, кв. 12", ("12", "12")),
        ("д. 5/2", ("2", "5")),
    ],
)
def test_numbers_are_a_multiset_without_postcode(raw, numbers):
    assert parse_address(raw).numbers == numbers
