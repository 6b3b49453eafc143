"""Phone numbers (recovery/phones.py): one E.164 form, and service numbers."""

import pytest

from recovery.phones import InvalidPhoneNumber, is_service_number, parse_party, to_e164

SUPPORT = ("+78002500890",)


@pytest.mark.parametrize(
    "raw",
    [
        "8 (916) 123-45-67",
        "+7 916 1234567",
        "79161234567",
        "9161234567",
        "+7 (916) 123-45-67",
        "8-916-123-45-67",
        " +79161234567 ",
        "8 916 123 45 67",
    ],
)
def test_formats_of_one_mobile_number_are_one_number(raw):
    assert to_e164(raw) == "+79161234567"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("84951234567", "+74951234567"),
        ("8 (495) 123-45-67", "+74951234567"),
        ("8 800 250 08 90", "+78002500890"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_landlines_toll_free_and_foreign_numbers(raw, e164):
    assert to_e164(raw) == e164


@pytest.mark.parametrize("raw", ["0890", "*100#", "0500", "112", "", "   ", "abc", "+7 916", "1" * 40])
def test_service_numbers_and_garbage_are_not_full_numbers(raw):
    with pytest.raises(InvalidPhoneNumber):
        to_e164(raw)


@pytest.mark.parametrize(
    ("raw", "value", "service"),
    [
        ("0890", "0890", True),
        ("*100#", "*100#", True),
        ("0500", "0500", True),
        ("8 800 250 08 90", "+78002500890", True),
        ("+78002500890", "+78002500890", True),
        ("8 (916) 123-45-67", "+79161234567", False),
        ("9161234567", "+79161234567", False),
    ],
)
def test_parse_party(raw, value, service):
    party = parse_party(raw, SUPPORT)
    assert (party.value, party.is_service) == (value, service)


@pytest.mark.parametrize(
    ("raw", "service"),
    [
        ("0890", True),
        ("*100#", True),
        ("0500", True),
        ("8 800 250 08 90", True),
        ("not a number", True),
        ("8 916 123 45 67", False),
        ("+7 495 123 45 67", False),
    ],
)
def test_is_service_number(raw, service):
    assert is_service_number(raw, SUPPORT) is service


def test_support_line_is_a_full_number_unless_configured():
    assert is_service_number("8 800 250 08 90") is False
    assert is_service_number("8 800 250 08 90", SUPPORT) is True
