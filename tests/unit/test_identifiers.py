"""ICCIDs, passports, regions, passwords and redirect targets."""

import re

import pytest

from recovery import cldr_regions
from recovery.iccid import InvalidIccid, normalise_iccid, with_check_digit
from recovery.passports import InvalidPassport, normalise_passport, passport_digest
from recovery.regions import UnknownRegion, all_regions, get_region, is_region, region_choices
from recovery.security.passwords import WeakPassword, check_password_strength, hash_password, verify_password
from recovery.security.safe_redirect import safe_next
from recovery.verification.passport import match_passport

VALID_ICCID = with_check_digit("897010100000000001")


@pytest.mark.parametrize(
    "raw",
    [VALID_ICCID, f"{VALID_ICCID[:4]} {VALID_ICCID[4:]}", with_check_digit("8970101000000000012")],
)
def test_valid_iccids(raw):
    assert normalise_iccid(raw) == raw.replace(" ", "")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (VALID_ICCID[:-1] + str((int(VALID_ICCID[-1]) + 1) % 10), "check digit"),
        ("8970101", "19 or 20"),
        ("8" * 21, "19 or 20"),
        ("89701010000000000a1", "19 or 20"),
        ("", "19 or 20"),
    ],
)
def test_invalid_iccids(raw, reason):
    with pytest.raises(InvalidIccid, match=reason):
        normalise_iccid(raw)


def test_a_known_real_world_iccid_shape_passes_luhn():
    # Luhn example digits from ITU-T E.118 style numbering.
    assert normalise_iccid("8944110068256270054") == "8944110068256270054"


@pytest.mark.parametrize(
    "raw", ["4509 123456", "45 09 123456", "4509123456", " 4509-123456 ", "4509 № 123456"]
)
def test_passport_spacing_is_free(raw):
    assert normalise_passport(raw) == "4509123456"


@pytest.mark.parametrize("raw", ["4509 12345", "45091234567", "ABCD 123456", "", "4509 12345x"])
def test_invalid_passports(raw):
    with pytest.raises(InvalidPassport):
        normalise_passport(raw)


def test_passport_digest_is_keyed_and_never_the_number():
    digest = passport_digest("4509 123456", "key-one")
    assert "4509" not in digest and "123456" not in digest
    assert digest != passport_digest("4509 123456", "key-two")
    # Compared by the one passport rule (recovery.verification.passport).
    assert match_passport("45 09 123456", digest, "key-one").matched
    assert not match_passport("4509 123457", digest, "key-one").matched
    assert not match_passport("garbage", digest, "key-one").matched


def test_regions_come_from_pycountry_with_both_languages():
    regions = all_regions()
    assert len(regions) >= 80
    moscow = get_region("ru-mow")
    assert (moscow.code, moscow.name_ru, moscow.name_en) == ("RU-MOW", "Москва", "Moscow")
    assert get_region("RU-NVS").name_ru == "Новосибирская область"
    assert get_region("RU-TA").name_ru == "Республика Татарстан"
    assert get_region("RU-IRK").name_ru == "Иркутская область"
    assert get_region("RU-KR").name_ru == "Республика Карелия"
    assert get_region("RU-UD").name_ru == "Удмуртская Республика"


def test_english_region_names_are_the_ones_english_uses_not_the_romanisation():
    # CLDR's names with the kind of subject from pycountry (recovery.cldr_regions).
    expected = {
        "RU-MOW": "Moscow",
        "RU-SPE": "Saint Petersburg",
        "RU-NVS": "Novosibirsk Oblast",
        "RU-MOS": "Moscow Oblast",
        "RU-KDA": "Krasnodar Krai",
        "RU-TA": "Republic of Tatarstan",
        "RU-CU": "Chuvash Republic",
        "RU-BU": "Buryat Republic",
        "RU-KHM": "Khanty-Mansi Autonomous Okrug",
        "RU-YEV": "Jewish Autonomous Oblast",
    }
    assert {code: get_region(code).name_en for code in expected} == expected
    romanised = re.compile(r"oblast'|kray|Respublika|skaya|skiy")
    assert not [r.name_en for r in all_regions() if romanised.search(r.name_en)]
    assert all(code in {r.code for r in all_regions()} for code in cldr_regions.load())


def test_every_russian_region_name_is_cyrillic():
    for region in all_regions():
        letters = [ch for ch in region.name_ru if ch.isalpha()]
        assert all("а" <= ch.lower() <= "я" or ch.lower() == "ё" for ch in letters), region


@pytest.mark.parametrize("code", ["RU-XXX", "US-CA", "", "MOW"])
def test_unknown_regions(code):
    assert not is_region(code)
    with pytest.raises(UnknownRegion):
        get_region(code)


def test_region_choices_are_sorted_by_local_name():
    names = [name for _, name in region_choices("ru")]
    assert names == sorted(names)
    assert ("RU-MOW", "Moscow") in region_choices("en")


@pytest.mark.parametrize("password", ["short", "qwerty12345", "1234567890", "aaaaaaaaaaaa", "пароль123"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(WeakPassword):
        check_password_strength(password)


def test_password_hash_round_trip():
    stored = hash_password("correct-horse-battery")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct-horse-battery")
    assert not verify_password(stored, "correct-horse-battery!")
    assert not verify_password("not-a-hash", "anything")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/agent", "/agent"),
        ("/account?tab=calls", "/account?tab=calls"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_safe_next_only_allows_local_paths(target, expected):
    assert safe_next(target, "/") == expected
