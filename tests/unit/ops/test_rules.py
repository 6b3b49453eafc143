"""The small rules of the ops modules, on plain values: request ids, labels, languages, receipts, ranges."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from recovery.delivery.language import in_language
from recovery.delivery.smpp import parse_receipt
from recovery.observability.events import lookup_result
from recovery.observability.logs import request_id_from
from recovery.observability.routes import parse_networks

SUBJECT = "SIM-карта номера +79161234567 заблокирована / SIM card blocked"
BODY = "Здравствуйте! SIM-карта заблокирована.\n\nHello! The SIM card has been blocked."


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "ru",
            ("SIM-карта номера +79161234567 заблокирована", "Здравствуйте! SIM-карта заблокирована.", "ru"),
        ),
        ("en", ("SIM card blocked", "Hello! The SIM card has been blocked.", "en")),
        (None, (SUBJECT, BODY, "ru, en")),
        ("de", (SUBJECT, BODY, "ru, en")),  # not one of ours: both
    ],
)
def test_a_message_goes_in_the_holders_language_or_both(language, expected):
    assert in_language(SUBJECT, BODY, language) == expected


def test_a_text_that_does_not_split_in_two_goes_whole():
    body = "one\n\ntwo\n\nthree"
    assert in_language(SUBJECT, body, "en") == (SUBJECT, body, "ru, en")


@pytest.mark.parametrize(
    ("result", "label"),
    [
        (True, "true"),
        (False, "false"),
        ("not_found", "not_found"),
        ({"idDocument": "true", "familyName": "true"}, "all_true"),
        ({"idDocument": "true", "familyName": "false"}, "some_false"),
        ({"idDocument": "true", "birthdate": "not_available"}, "not_available"),
    ],
)
def test_partner_lookup_results_become_few_labels(result, label):
    assert lookup_result(result) == label


def test_request_ids_are_kept_only_in_their_shape():
    assert request_id_from("abc-123_4.5:6") == "abc-123_4.5:6"
    made = request_id_from("bad\nid")
    assert len(made) == 32 and made != request_id_from(None)


@pytest.mark.parametrize(
    ("pdu", "expected"),
    [
        (
            SimpleNamespace(esm_class=4, short_message=b"id:abc1 sub:001 dlvrd:001 stat:DELIVRD err:000"),
            ("abc1", "DELIVRD"),
        ),
        (
            SimpleNamespace(esm_class=4, short_message=b"id:9 sub:001 dlvrd:000 stat:UNDELIV err:001 text:"),
            ("9", "UNDELIV"),
        ),
        (
            SimpleNamespace(esm_class=0, short_message=b"id:abc1 stat:DELIVRD"),
            None,
        ),  # a mobile-originated SMS
        (SimpleNamespace(esm_class=4, short_message=b"no receipt here"), None),
    ],
)
def test_delivery_receipts_are_read_from_their_text(pdu, expected):
    assert parse_receipt(pdu) == expected


def test_metrics_networks_take_addresses_and_ranges():
    networks = parse_networks(" 10.0.0.0/8, ::1 ,192.0.2.7")
    assert [str(n) for n in networks] == ["10.0.0.0/8", "::1/128", "192.0.2.7/32"]
    assert parse_networks("") == ()
