"""The partner APIs' rules over plain values: SIM swap windows and the KYC property table."""

from datetime import UTC, datetime, timedelta

import pytest

from recovery.camara import services
from recovery.models import Subscriber
from recovery.passports import passport_digest
from recovery.verification import MatchSettings, MatchStatus

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
KEY = "k" * 32


@pytest.mark.parametrize(
    ("changed_hours_ago", "max_age", "swapped"),
    [
        (0, 1, True),
        (1, 1, True),  # exactly maxAge ago: inside the period
        (1.01, 1, False),
        (239, 240, True),
        (241, 240, False),
        (2400, 2400, True),
        (2401, 2400, False),
        (-1, 1, True),  # a clock ahead of ours: a change is a change
    ],
)
def test_swapped_within(changed_hours_ago, max_age, swapped):
    changed = NOW - timedelta(hours=changed_hours_ago)
    assert services.swapped_within(changed, NOW, max_age) is swapped


def test_a_number_without_a_sim_has_not_swapped():
    assert services.swapped_within(None, NOW, 240) is False


@pytest.mark.parametrize("max_age", [0, -5, 2401, 100000])
def test_max_age_outside_the_range_is_refused(max_age):
    with pytest.raises(services.MaxAgeOutOfRange):
        services.swapped_within(NOW, NOW, max_age)


def _subscriber(**overrides) -> Subscriber:
    values = {
        "msisdn": "+79161234567",
        "last_name": "Иванов",
        "first_name": "Иван",
        "patronymic": "Иванович",
        "passport_hmac": passport_digest("4509 123456", KEY),
        "registered_address": "г. Москва, ул. Ленина, д. 5, кв. 12",
        "home_region": "RU-MOW",
        "email": "ivanov@example.ru",
    }
    return Subscriber(**{**values, **overrides})


def _match(claimed, subscriber=None):
    return services.kyc_match(claimed, subscriber or _subscriber(), pii_key=KEY, settings=MatchSettings())


def test_kyc_results_come_in_the_order_asked():
    results = _match({"email": "ivanov@example.ru", "familyName": "Ivanov", "gender": "MALE"})
    assert list(results) == ["email", "familyName", "gender"]
    assert [r.status for r in results.values()] == [
        MatchStatus.MATCH,
        MatchStatus.MATCH,
        MatchStatus.NOT_AVAILABLE,
    ]


@pytest.mark.parametrize(
    ("claimed", "recorded", "status", "score"),
    [
        ("ivanov@example.ru", "ivanov@example.ru", MatchStatus.MATCH, 100),
        (" IVANOV@Example.ru ", "ivanov@example.ru", MatchStatus.MATCH, 100),
        ("ivanov@example.com", "ivanov@example.ru", MatchStatus.NO_MATCH, 94),
        ("petrov@mail.ru", "ivanov@example.ru", MatchStatus.NO_MATCH, None),
        ("ivanov@example.ru", None, MatchStatus.NOT_AVAILABLE, None),
    ],
)
def test_match_email(claimed, recorded, status, score):
    result = services.match_email(claimed, recorded)
    assert result.status is status
    if score is not None:
        assert result.score == score
    if status is MatchStatus.NO_MATCH:
        assert 0 <= result.score <= 99


@pytest.mark.parametrize(("claimed", "status"), [("RU", "true"), ("ru", "true"), ("KZ", "false")])
def test_match_country_has_no_score(claimed, status):
    assert services.match_country(claimed).camara("country") == {"countryMatch": status}


def test_passport_in_any_spacing_and_no_score_on_a_mismatch():
    assert _match({"idDocument": "45 09 123456"})["idDocument"].camara("idDocument") == {
        "idDocumentMatch": "true"
    }
    assert _match({"idDocument": "4509 123457"})["idDocument"].camara("idDocument") == {
        "idDocumentMatch": "false"
    }
