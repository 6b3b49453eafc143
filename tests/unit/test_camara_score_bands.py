"""KYC Match scores are coarse bands a letter-by-letter climb cannot read (issue 12 item 2).

The engine's Jaro-Winkler score moved with every letter, so a partner could
try each letter in each position and keep the best: about 250 requests for a
stranger's full name. The partner now sees only a band (0, 25, 50, 75) of how
many of the record's *words* were typed right by the engine's own word rule;
below a word's match threshold (more than one typo away) no letter changes it.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from recovery.camara import services
from recovery.models import Subscriber
from recovery.verification import MatchSettings, MatchStatus
from recovery.verification.names import words_match

RUSSIAN = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
MATCH = MatchSettings()
#: A ten-letter word of Russian letters.
WORD = st.text(alphabet=RUSSIAN, min_size=10, max_size=10)


def _subscriber(last: str = "Иванов", first: str = "Иван", middle: str = "Иванович") -> Subscriber:
    return Subscriber(
        msisdn="+79161234567",
        last_name=last,
        first_name=first,
        patronymic=middle,
        passport_hmac=None,
        registered_address="г. Москва, ул. Ленина, д. 5, кв. 12",
        home_region="RU-MOW",
        email="ivanov@example.ru",
    )


def _answer(field: str, value: str, subscriber: Subscriber) -> dict:
    results = services.kyc_match({field: value}, subscriber, pii_key="k" * 32, settings=MATCH)
    return results[field].camara(field)


def _one_letter_changes(word: str) -> list[str]:
    return [
        word[:i] + letter + word[i + 1 :] for i in range(len(word)) for letter in RUSSIAN if letter != word[i]
    ]


@settings(max_examples=40, deadline=None)
@given(recorded=WORD, guess=WORD)
def test_a_letter_by_letter_climb_gets_no_signal_below_the_match_threshold(recorded, guess):
    # Every probe of a climb from ``guess``: each letter in each position. While the probe is no
    # match for the record (more than one typo away), its answer is exactly the start's answer.
    subscriber = _subscriber(last=recorded.capitalize())
    start = _answer("familyName", guess, subscriber)
    if start["familyNameMatch"] == "true":
        return
    for probe in _one_letter_changes(guess):
        answer = _answer("familyName", probe, subscriber)
        if answer["familyNameMatch"] == "false":
            assert answer == start


@settings(max_examples=25, deadline=None)
@given(family=WORD, given_name=WORD, middle=WORD, guess=WORD)
def test_in_a_full_name_a_letter_moves_the_band_only_when_a_whole_word_becomes_right(
    family, given_name, middle, guess
):
    subscriber = _subscriber(family.capitalize(), given_name.capitalize(), middle.capitalize())
    typed_rest = f"{family} {given_name}"  # two words right, the patronymic guessed
    start = _answer("name", f"{typed_rest} {guess}", subscriber)
    if start["nameMatch"] == "true":
        return
    for probe in _one_letter_changes(guess)[::7]:
        answer = _answer("name", f"{typed_rest} {probe}", subscriber)
        if not words_match(probe, middle, MATCH):
            assert answer == start


def test_the_bands_are_the_only_scores():
    subscriber = _subscriber()
    seen = set()
    for value in ("Петров", "Иванов Пётр Петрович", "Иванов Иван Петрович", "Иванов Иван Иванович Ещё"):
        answer = _answer("name", value, subscriber)
        if answer["nameMatch"] == "false":
            seen.add(answer["nameMatchScore"])
    assert seen <= set(services.SCORE_BANDS) and len(seen) > 1


def test_address_numbers_never_move_the_score():
    # The flat cannot be found through the score: only the named words (city, street) count.
    subscriber = _subscriber()
    answers = {
        _answer("address", f"г. Москва, ул. Садовая, д. 5, кв. {flat}", subscriber)["addressMatchScore"]
        for flat in range(1, 60)
    }
    assert len(answers) == 1


def test_climbing_a_strangers_name_by_score_recovers_nothing():
    # The attack: greedy climb on familyName, keep the letter with the best score.
    recorded = "Шереметьев"
    subscriber = _subscriber(last=recorded)
    guess = "а" * len(recorded)
    requests = 0
    for position in range(len(guess)):
        best, best_score = guess, _answer("familyName", guess, subscriber).get("familyNameMatchScore")
        for letter in RUSSIAN:
            probe = guess[:position] + letter + guess[position + 1 :]
            answer = _answer("familyName", probe, subscriber)
            requests += 1
            if answer["familyNameMatch"] == "true":
                raise AssertionError(f"recovered after {requests} requests")
            if answer["familyNameMatchScore"] > best_score:
                best, best_score = probe, answer["familyNameMatchScore"]
        guess = best
    # No probe ever scored above the start, so the climb never moved: nothing recovered.
    assert guess == "а" * len(recorded)
    assert sum(a == b for a, b in zip(guess, recorded.lower(), strict=True)) == 0
    assert MatchStatus.NO_MATCH.value == _answer("familyName", guess, subscriber)["familyNameMatch"]
