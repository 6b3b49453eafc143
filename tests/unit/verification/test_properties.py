"""Properties: normalising is idempotent; format, order, ё/е and case never change a result."""

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from recovery.phones import to_e164
from recovery.verification.addresses import match_address, normalise_address
from recovery.verification.calls import check_calls
from recovery.verification.names import (
    PersonName,
    match_family_name,
    match_full_name,
    match_given_name,
    normalise_name,
    words_match,
)
from recovery.verification.results import MatchStatus, partner_score
from recovery.verification.text import fold

SURNAMES = ["Иванов", "Королёва", "Римский-Корсаков", "Щербаков", "Зайцев", "Хрущёв", "Петрова", "Ли"]
GIVEN = ["Иван", "Алёна", "Юрий", "Пётр", "Наталья", "Ксения", "Артём", "Ян"]
PATRONYMICS = ["Иванович", "Сергеевна", "Фёдорович", "Ильинична", "Петрович", None]
LATIN = ["Ivanov", "Koroleva", "Yury", "Iurii", "Pyotr", "Natalia", "Artyom", "Shcherbakov", "Aleksandr"]

records = st.builds(
    PersonName, st.sampled_from(SURNAMES), st.sampled_from(GIVEN), st.sampled_from(PATRONYMICS)
)
name_words = st.sampled_from([*SURNAMES, *GIVEN, *[p for p in PATRONYMICS if p], *LATIN])
typed_names = st.lists(name_words, min_size=1, max_size=4).map(" ".join)
cyrillic_words = st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяabcehkmoptxy", min_size=1, max_size=12)
any_text = st.text(max_size=60)
MOSCOW = "101000, г. Москва, ул. Ленина, д. 5, кв. 12"
addresses = st.sampled_from(
    [
        MOSCOW,
        "Москва Ленина 5-12",
        "г. Москва, ул. Лёнина, д. 5, кв. 13",
        "Московская обл., г. Химки, пр-т Мира, д. 7, корп. 2, кв. 45",
        "ул. 1-я Тверская-Ямская, д. 5А",
        "д. Ивановка, д. 5 лит. Б",
    ]
)


def scramble_case_and_yo(text: str, seed: int) -> str:
    """Change case letter by letter and swap е/ё at random."""
    rng = random.Random(seed)
    swapped = {"е": "ё", "ё": "е", "Е": "Ё", "Ё": "Е"}
    out = []
    for char in text:
        if char in swapped and rng.random() < 0.5:
            char = swapped[char]
        out.append(char.upper() if rng.random() < 0.5 else char.lower())
    return "".join(out)


@given(any_text)
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@given(st.one_of(any_text, typed_names))
def test_normalise_name_is_idempotent(text):
    once = normalise_name(text)
    assert normalise_name(once) == once


@given(st.one_of(any_text, addresses))
def test_normalise_address_is_idempotent(text):
    once = normalise_address(text)
    assert normalise_address(once) == once


@settings(deadline=None)
@given(typed_names, records, st.integers())
def test_case_and_yo_never_change_a_name_result(claimed, record, seed):
    assert match_full_name(scramble_case_and_yo(claimed, seed), record) == match_full_name(claimed, record)


@given(typed_names, records, st.randoms())
def test_word_order_never_changes_a_name_verdict(claimed, record, rng):
    words = claimed.split()
    rng.shuffle(words)
    assert match_full_name(" ".join(words), record).status is match_full_name(claimed, record).status


@given(addresses, addresses, st.integers())
def test_case_and_yo_never_change_an_address_result(claimed, record, seed):
    assert match_address(scramble_case_and_yo(claimed, seed), record) == match_address(claimed, record)


@given(st.integers(min_value=1, max_value=999).filter(lambda n: n != 12))
def test_another_flat_never_matches(flat):
    claimed = f"г. Москва, ул. Ленина, д. 5, кв. {flat}"
    assert match_address(claimed, MOSCOW).status is MatchStatus.NO_MATCH


@given(cyrillic_words, cyrillic_words)
def test_word_matching_is_symmetric(left, right):
    left, right = normalise_name(left), normalise_name(right)
    assert words_match(left, right) is words_match(right, left)


@given(st.sampled_from([*GIVEN, *LATIN]), st.sampled_from([*GIVEN, *LATIN]))
def test_single_part_matching_is_symmetric(left, right):
    assert match_given_name(left, right) == match_given_name(right, left)


@given(st.sampled_from(SURNAMES), st.sampled_from(SURNAMES))
def test_family_name_verdict_is_symmetric(left, right):
    assert match_family_name(left, right).status is match_family_name(right, left).status


@given(st.text(max_size=20), st.text(max_size=20))
def test_partner_score_is_symmetric_and_below_100(left, right):
    assert partner_score(left, right) == partner_score(right, left)
    assert 0 <= partner_score(left, right) <= 99


#: Mobile codes in service (not every 9xx is: 930 is not a valid range).
MOBILE_CODES = ["903", "905", "909", "910", "916", "925", "926", "929", "950", "960", "977", "985", "999"]
mobile = st.builds(
    str.__add__, st.sampled_from(MOBILE_CODES), st.from_regex(re.compile(r"[0-9]{7}"), fullmatch=True)
)
formats = st.sampled_from(
    [
        "{n}",
        "8{n}",
        "7{n}",
        "+7{n}",
        "+7 {a} {b}",
        "8 ({a}) {c}-{d}-{e}",
        "+7 ({a}) {c} {d} {e}",
        "8-{a}-{c}-{d}-{e}",
    ]
)


def reformat(number: str, template: str) -> str:
    a, b = number[:3], number[3:]
    return template.format(n=number, a=a, b=b, c=b[:3], d=b[3:5], e=b[5:])


@given(mobile, formats, formats)
def test_any_format_of_a_mobile_number_is_one_number(number, first, second):
    assert to_e164(reformat(number, first)) == to_e164(reformat(number, second)) == f"+7{number}"


@settings(deadline=None)
@given(
    st.lists(mobile, min_size=0, max_size=3),
    st.lists(mobile, min_size=0, max_size=10, unique=True),
    st.lists(formats, min_size=3, max_size=3),
    st.randoms(),
)
def test_format_and_order_of_claimed_calls_never_change_the_result(claimed, reference, templates, rng):
    reference_e164 = tuple(f"+7{n}" for n in reference)
    expected = check_calls([f"+7{n}" for n in claimed], reference_e164)
    typed = [reformat(n, t) for n, t in zip(claimed, templates, strict=False)]
    rng.shuffle(typed)
    assert check_calls(typed, reference_e164) == expected


@given(st.lists(mobile, min_size=1, max_size=3), st.lists(mobile, min_size=1, max_size=10, unique=True))
def test_duplicates_among_claimed_calls_count_once(claimed, reference):
    reference_e164 = tuple(f"+7{n}" for n in reference)
    first = f"+7{claimed[0]}"
    once = check_calls([first], reference_e164)
    twice = check_calls([first, f"8{claimed[0]}", claimed[0]], reference_e164)
    assert once == twice
