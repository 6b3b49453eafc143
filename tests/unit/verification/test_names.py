"""Names: Фамилия Имя Отчество in any case, order, script, with one typo per word."""

import pytest

from recovery.verification.names import (
    PersonName,
    looks_like_patronymic,
    match_family_name,
    match_full_name,
    match_given_name,
    match_middle_names,
    name_parts,
    normalise_name,
    words_match,
)
from recovery.verification.results import FieldResult, MatchStatus
from recovery.verification.settings import MatchSettings

IVANOV = PersonName("Иванов", "Иван", "Иванович")
KOROLEVA = PersonName("Королёва", "Алёна", "Сергеевна")
RIMSKY = PersonName("Римский-Корсаков", "Николай", "Андреевич")
SHCHERBAKOV = PersonName("Щербаков", "Юрий", "Дмитриевич")
NO_PATRONYMIC = PersonName("Смирнов", "Олег")

ZWSP, SOFT_HYPHEN, ZWJ, BOM = "\u200b", "\u00ad", "\u200d", "\ufeff"


@pytest.mark.parametrize(
    ("claimed", "record"),
    [
        # case, spacing, punctuation, word order
        ("Иванов Иван Иванович", IVANOV),
        ("ИВАНОВ ИВАН ИВАНОВИЧ", IVANOV),
        ("иванов иван иванович", IVANOV),
        ("  Иванов,   Иван.  Иванович!  ", IVANOV),
        ("Иван Иванович Иванов", IVANOV),
        ("Иванович Иван Иванов", IVANOV),
        ("Иванов\tИван\nИванович", IVANOV),
        # ё = е, either side
        ("Королева Алена Сергеевна", KOROLEVA),
        ("КОРОЛЁВА АЛЁНА СЕРГЕЕВНА", KOROLEVA),
        # hyphenated surname, however the hyphen is typed
        ("Римский-Корсаков Николай Андреевич", RIMSKY),
        ("Римский - Корсаков Николай Андреевич", RIMSKY),
        ("Римский—Корсаков Николай Андреевич", RIMSKY),
        ("Римский Корсаков Николай Андреевич", RIMSKY),
        ("Николай Андреевич Римский-Корсаков", RIMSKY),
        # Latin transliteration and its common variants
        ("Ivanov Ivan Ivanovich", IVANOV),
        ("IVANOV IVAN IVANOVICH", IVANOV),
        ("Shcherbakov Yuri Dmitrievich", SHCHERBAKOV),
        ("Shcherbakov Iurii Dmitrievich", SHCHERBAKOV),
        ("Scherbakov Yury Dmitriyevich", SHCHERBAKOV),
        ("Shherbakov Yuriy Dmitrievich", SHCHERBAKOV),
        ("Ščerbakov Jurij Dmitrievič", SHCHERBAKOV),
        ("Koroleva Alyona Sergeyevna", KOROLEVA),
        ("Koroleva Alena Sergeevna", KOROLEVA),
        ("Rimsky-Korsakov Nikolai Andreyevich", RIMSKY),
        ("Rimskiy-Korsakov Nikolay Andreevich", RIMSKY),
        ("Rimskii-Korsakov Nikolai Andreevich", RIMSKY),
        ("Aleksandrov Aleksandr Ivanovich", PersonName("Александров", "Александр", "Иванович")),
        ("Alexandrov Alexander Ivanovich", PersonName("Александров", "Александр", "Иванович")),
        ("Khabarov Zhan Tsoi", PersonName("Хабаров", "Жан", "Цой")),
        ("Habarov Zhan Tsoy", PersonName("Хабаров", "Жан", "Цой")),
        ("Zhukova Natalya Vasilyevna", PersonName("Жукова", "Наталья", "Васильевна")),
        ("Zhukova Natalia Vasil'evna", PersonName("Жукова", "Наталья", "Васильевна")),
        ("Khrushchev Dmitry Fyodorovich", PersonName("Хрущёв", "Дмитрий", "Фёдорович")),
        ("Khrushchev Dmitrii Fedorovich", PersonName("Хрущёв", "Дмитрий", "Фёдорович")),
        ("Tsvetkova Kseniya Ilyinichna", PersonName("Цветкова", "Ксения", "Ильинична")),
        ("Tsvetkova Xenia Ilinichna", PersonName("Цветкова", "Ксения", "Ильинична")),
        ("Yevgeniy Pyotrovich Zaytsev", PersonName("Зайцев", "Евгений", "Петрович")),
        ("Evgeny Petrovich Zaitsev", PersonName("Зайцев", "Евгений", "Петрович")),
        # mixed scripts in one claim: surname in Cyrillic, the rest in Latin
        ("Иванов Ivan Ivanovich", IVANOV),
        # one typo per word: swapped, dropped, doubled, replaced letter
        ("Иавнов Иван Иванович", IVANOV),
        ("Иванов Ивна Иванович", IVANOV),
        ("Иванов Иван Иванвич", IVANOV),
        ("Иваннов Иван Иванович", IVANOV),
        ("Иванов Иван Иваносич", IVANOV),
        ("Ивановв Иваан Иваноич", IVANOV),
        # look-alike Latin letters inside Cyrillic words, and the other way round
        ("Ивaнoв Ивaн Ивaнoвич", IVANOV),
        ("ИBAHOB ИBAH ИBAHOBИЧ", IVANOV),
        ("Ivаnov Ivаn Ivаnovich", IVANOV),
        ("Kopoлева Aлена Cepгеевна", KOROLEVA),
        # zero-width and other format characters
        (f"Ива{ZWSP}нов Иван{SOFT_HYPHEN} Ивано{ZWJ}вич{BOM}", IVANOV),
        # stress marks
        ("Ива\u0301нов Ива\u0301н Ива\u0301нович", IVANOV),
        # a patronymic given where none is on record (see names.py)
        ("Смирнов Олег Петрович", NO_PATRONYMIC),
        ("Smirnov Oleg Petrovich", NO_PATRONYMIC),
        ("Смирнов Олег", NO_PATRONYMIC),
    ],
)
def test_same_person(claimed, record):
    assert match_full_name(claimed, record) == FieldResult.match()


@pytest.mark.parametrize(
    ("claimed", "record"),
    [
        # similar but different people
        ("Иванов Иван Петрович", IVANOV),
        ("Иванов Пётр Иванович", IVANOV),
        ("Петров Иван Иванович", IVANOV),
        ("Иванова Мария Ивановна", IVANOV),
        ("Иванов Иван Иванов", IVANOV),
        ("Иванович Иван Иванович", IVANOV),
        ("Королева Алена Сергеевич", KOROLEVA),
        ("Королева Елена Сергеевна", KOROLEVA),
        ("Королева Алина Сергеевна", KOROLEVA),
        ("Ivanov Petr Ivanovich", IVANOV),
        ("Petrov Ivan Ivanovich", IVANOV),
        # short names: one changed letter is another name
        ("Смирнова Анна", PersonName("Смирнова", "Инна")),
        ("Смирнова Ирина", PersonName("Смирнова", "Арина")),
        ("Смирнова Дарья", PersonName("Смирнова", "Марья")),
        ("Ли Ян", PersonName("Ли", "Яна")),
        # missing parts
        ("Иванов Иван", IVANOV),
        ("Иванов", IVANOV),
        ("Римский Николай Андреевич", RIMSKY),
        ("Иванов И. И.", IVANOV),
        ("Иванов И И", IVANOV),
        ("", IVANOV),
        ("   ", IVANOV),
        ("...", IVANOV),
        # extra words
        ("Иванов Иван Иванович Петров", IVANOV),
        ("Иванов Иван Иванович Иванович", IVANOV),
        ("Смирнов Олег Васильевич Петрович", NO_PATRONYMIC),
        ("Смирнов Олег Вася", NO_PATRONYMIC),
        # two typos in one word
        ("Ианвов Иван Иванович", IVANOV),
        ("Иванов Иван Иваносиx", IVANOV),
        # a word mixing scripts that cannot be read either way
        ("Иvanов Иван Иванович", IVANOV),
        # digits are not letters
        ("Иван0в Иван Иванович", IVANOV),
    ],
)
def test_different_person(claimed, record):
    result = match_full_name(claimed, record)
    assert result.status is MatchStatus.NO_MATCH
    assert result.score is not None and 0 <= result.score <= 99


def test_nothing_on_record_is_not_available():
    assert match_full_name("Иванов Иван", PersonName("", "")) == FieldResult.not_available()


@pytest.mark.parametrize(
    ("claimed", "record", "low", "high"),
    [
        ("Иванов Иван Петрович", IVANOV, 85, 95),
        ("Петров Пётр Петрович", IVANOV, 40, 80),
        ("Сидорова Анна Павловна", IVANOV, 0, 70),
        # order does not lower the score: the words are aligned first
        ("Петрович Иван Иванов", IVANOV, 85, 95),
    ],
)
def test_score_of_a_mismatch_is_jaro_winkler_of_aligned_words(claimed, record, low, high):
    result = match_full_name(claimed, record)
    assert result.status is MatchStatus.NO_MATCH
    assert low <= result.score <= high


@pytest.mark.parametrize(
    ("matcher", "claimed", "recorded", "status"),
    [
        (match_given_name, "Иван", "Иван", MatchStatus.MATCH),
        (match_given_name, "IVAN", "Иван", MatchStatus.MATCH),
        (match_given_name, "Yury", "Юрий", MatchStatus.MATCH),
        (match_given_name, "Пётр", "Петр", MatchStatus.MATCH),
        (match_given_name, "Пётр", "Иван", MatchStatus.NO_MATCH),
        (match_given_name, "", "Иван", MatchStatus.NO_MATCH),
        (match_given_name, "Иван Петрович", "Иван", MatchStatus.NO_MATCH),
        (match_given_name, "Иван", None, MatchStatus.NOT_AVAILABLE),
        (match_given_name, "Иван", "", MatchStatus.NOT_AVAILABLE),
        (match_family_name, "Римский Корсаков", "Римский-Корсаков", MatchStatus.MATCH),
        (match_family_name, "Rimsky-Korsakov", "Римский-Корсаков", MatchStatus.MATCH),
        (match_family_name, "Корсаков", "Римский-Корсаков", MatchStatus.NO_MATCH),
        (match_family_name, "Иавнов", "Иванов", MatchStatus.MATCH),
        (match_family_name, "Петров", "Иванов", MatchStatus.NO_MATCH),
        (match_middle_names, "Иванович", "Иванович", MatchStatus.MATCH),
        (match_middle_names, "Ivanovich", "Иванович", MatchStatus.MATCH),
        (match_middle_names, "Петрович", "Иванович", MatchStatus.NO_MATCH),
        (match_middle_names, "Иванович", None, MatchStatus.NOT_AVAILABLE),
        (match_middle_names, "Гейдар оглы", "Гейдар оглы", MatchStatus.MATCH),
    ],
)
def test_camara_name_parts(matcher, claimed, recorded, status):
    result = matcher(claimed, recorded)
    assert result.status is status
    if status is MatchStatus.MATCH:
        assert result.score == 100
    elif status is MatchStatus.NO_MATCH:
        assert 0 <= result.score <= 99
    else:
        assert result.score is None


@pytest.mark.parametrize(
    ("claimed", "recorded", "score"),
    [
        # rapidfuzz JaroWinkler of the folded words, scaled and rounded down
        ("Пётр", "Иван", 0),
        ("Иванко", "Иван", 93),
        ("IVANKO", "Иван", 93),
        ("Ванька", "Иван", 75),
    ],
)
def test_camara_part_scores(claimed, recorded, score):
    assert match_given_name(claimed, recorded) == FieldResult.no_match(score)


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [
        ("иванов", "иванов", True),
        ("иванов", "иавнов", True),
        ("иванов", "ivanov", True),
        ("иванов", "ivanoff", True),
        ("иванов", "ivanoffa", False),
        ("юрий", "iurii", True),
        ("юрий", "yury", True),
        ("юрий", "yuriy", True),
        ("юрий", "jurij", True),
        ("александр", "aleksandr", True),
        ("александр", "alexander", True),
        ("харитонов", "kharitonov", True),
        ("харитонов", "haritonov", True),
        ("жуков", "zhukov", True),
        ("цветков", "tsvetkov", True),
        ("щукин", "shchukin", True),
        ("щукин", "schukin", True),
        ("дмитрий", "dmitriy", True),
        ("дмитрий", "dmitry", True),
        ("дмитрий", "dmitrii", True),
        ("анатолий", "anatoly", True),
        ("наталья", "natalia", True),
        ("ольга", "olga", True),
        ("фёдор", "fyodor", True),
        ("федор", "fiodor", True),
        ("иосиф", "iosif", True),
        ("анна", "инна", False),
        ("ирина", "арина", False),
        ("елена", "алена", False),
        ("ян", "яна", False),
        ("сергеевич", "сергеевна", False),
    ],
)
def test_words_match(left, right, same):
    assert words_match(left, right) is same
    assert words_match(right, left) is same


def test_thresholds_are_settings():
    strict = MatchSettings(max_typos_per_word=0)
    assert match_full_name("Иавнов Иван Иванович", IVANOV, strict).status is MatchStatus.NO_MATCH
    lenient = MatchSettings(name_threshold=80)
    assert match_given_name("Ирина", "Арина", lenient).status is MatchStatus.MATCH


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("  ИВАНОВ-петров,  Ёжик ", "иванов-петров ежик"),
        ("Римский - Корсаков", "римский-корсаков"),
        ("-Иванов-", "иванов"),
        ("Ol'ga O’Brien", "olga obrien"),
        (f"Ива{ZWSP}нов", "иванов"),
        ("Ивaнoв", "иванов"),
        ("Ivаnov", "ivanov"),
        ("ＩＶＡＮＯＶ", "ivanov"),
        ("Иванов И.И.", "иванов и и"),
        ("", ""),
    ],
)
def test_normalise_name(raw, normal):
    assert normalise_name(raw) == normal


@pytest.mark.parametrize(
    ("raw", "parts"),
    [
        ("Салтыков-Щедрин Михаил Евграфович", ("салтыков", "щедрин", "михаил", "евграфович")),
        ("Алиев Рашид Гейдар оглы", ("алиев", "рашид", "гейдар", "оглы")),
    ],
)
def test_name_parts(raw, parts):
    assert name_parts(raw) == parts


@pytest.mark.parametrize(
    ("word", "patronymic"),
    [
        ("Иванович", True),
        ("Сергеевна", True),
        ("Ильинична", True),
        ("Ильич", True),
        ("Ivanovich", True),
        ("Sergeyevna", True),
        ("Иван", False),
        ("Вася", False),
    ],
)
def test_looks_like_patronymic(word, patronymic):
    assert looks_like_patronymic(word) is patronymic


def test_full_name_of_record():
    assert IVANOV.full == "Иванов Иван Иванович"
    assert NO_PATRONYMIC.full == "Смирнов Олег"
    assert IVANOV.has_middle and not NO_PATRONYMIC.has_middle
