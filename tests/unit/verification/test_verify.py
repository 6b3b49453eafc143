"""All answers of a claim at once, for known and unknown numbers."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from recovery.passports import passport_digest
from recovery.verification.decision import decide
from recovery.verification.names import PersonName
from recovery.verification.results import FieldResult, MatchStatus
from recovery.verification.verify import ClaimAnswers, SubscriberRecord, verify_claim
from recovery.vocabulary import Action

KEY = "test-pii-key-0123456789abcdef0123456789"
RECORD = SubscriberRecord(
    name=PersonName("Иванов", "Иван", "Иванович"),
    passport_digest=passport_digest("4509 123456", KEY),
    registered_address="101000, г. Москва, ул. Ленина, д. 5, кв. 12",
    home_region="RU-MOW",
)
REFERENCE = ("+79031112233", "+79254445566", "+74951234567")
RIGHT = ClaimAnswers(
    full_name="ИВАНОВ Иван Иванович",
    passport="45 09 123456",
    registered_address="Москва, Ленина 5, кв 12",
    recent_calls=("8 903 111-22-33", "8 925 444 55 66", "+79990000000"),
)


def test_every_answer_right():
    verification = verify_claim(RIGHT, RECORD, reference=REFERENCE, post_loss_events=2, pii_key=KEY)
    assert verification.ownership_proven
    assert verification.summary() == {
        "name": True,
        "passport": True,
        "address": True,
        "callsMatched": 2,
        "callsRequired": 2,
        "postLossActivity": 2,
    }


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        (ClaimAnswers("Иванов Иван Петрович", "4509 123456"), "name"),
        (ClaimAnswers("Иванов Иван Иванович", "4509 123457"), "passport"),
    ],
)
def test_one_wrong_answer(answers, field):
    verification = verify_claim(answers, RECORD, reference=REFERENCE, post_loss_events=0, pii_key=KEY)
    assert not verification.identity_proven
    assert verification.summary()[field] is False


@pytest.mark.parametrize(("typed", "matched"), [("4509 123456", True), ("4509 123457", False)])
def test_a_passport_given_as_its_digest_is_checked_like_the_typed_one(typed, matched):
    answers = ClaimAnswers("Иванов Иван Иванович", "", passport_digest=passport_digest(typed, KEY))
    verification = verify_claim(answers, RECORD, reference=REFERENCE, post_loss_events=0, pii_key=KEY)
    assert verification.passport.matched is matched and verification.identity_proven is matched


def test_a_block_needs_no_address_or_calls():
    answers = ClaimAnswers("Иванов Иван Иванович", "4509 123456")
    verification = verify_claim(answers, RECORD, reference=REFERENCE, post_loss_events=0, pii_key=KEY)
    assert verification.identity_proven and not verification.ownership_proven
    assert verification.calls.status is MatchStatus.NO_MATCH


def test_unknown_number_verifies_nothing_and_is_rejected_like_a_wrong_answer():
    unknown = verify_claim(RIGHT, None, reference=REFERENCE, post_loss_events=4, pii_key=KEY)
    assert (unknown.name, unknown.passport, unknown.address) == (FieldResult.not_available(),) * 3
    assert unknown.calls.status is MatchStatus.NOT_AVAILABLE
    assert unknown.post_loss_events == 0
    wrong = verify_claim(
        ClaimAnswers("Петров Пётр", "0000 000000"),
        RECORD,
        reference=REFERENCE,
        post_loss_events=0,
        pii_key=KEY,
    )
    now = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    context = {"action": Action.REISSUE, "current_region": "RU-MOW", "lost_at": now, "claimed_at": now}
    assert decide(unknown, home_region=None, **context) == decide(wrong, home_region="RU-MOW", **context)


def test_record_of_a_subscriber_row():
    row = SimpleNamespace(
        last_name="Иванов",
        first_name="Иван",
        patronymic=None,
        passport_hmac="ab" * 32,
        registered_address="г. Москва",
        home_region="RU-MOW",
        reissue_in_person_only=True,
    )
    assert SubscriberRecord.of(row) == SubscriberRecord(
        PersonName("Иванов", "Иван"), "ab" * 32, "г. Москва", "RU-MOW", reissue_in_person_only=True
    )
