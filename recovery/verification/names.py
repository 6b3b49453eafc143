"""Matching of personal names: Фамилия Имя Отчество (DESIGN 2.1).

Rules, applied to the claimed name and the name on record alike:

* text folding as in :mod:`recovery.verification.text` (NFKC, casefold, format
  characters dropped, ``ё`` = ``е``, look-alike letters read in the word's own
  script); apostrophes dropped (``Ol'ga`` = ``Olga``), any other punctuation is
  a space, dashes of any kind are hyphens and spaces around them go;
* a name is the multiset of its words, a hyphenated surname counting as its
  parts, so word order is free and ``Римский - Корсаков`` = ``Римский-Корсаков``;
* two words match when equal, or when both have at least
  ``MIN_TYPO_WORD_LENGTH`` letters, differ by at most ``MAX_TYPOS_PER_WORD``
  typo (a letter inserted, dropped, replaced, or two neighbours swapped) *and*
  their Jaro-Winkler similarity reaches ``NAME_THRESHOLD`` (see settings for
  why: Анна/Инна and Ирина/Арина are different names and fail);
* a Latin word is compared with a Cyrillic one (or another Latin one) through
  :mod:`recovery.verification.translit`, so ``Iurii`` = ``Юрий`` = ``Yury``;
* every word on record must be matched by its own claimed word and vice versa:
  a different first name or surname fails, and so does a missing patronymic
  when one is on record;
* **a patronymic given when none is on record is accepted**: exactly one extra
  word, shaped like a patronymic (``-ич``, ``-вна``, ``-чна`` in either
  script). Records of older contracts often lack it; the claimant is then not
  contradicting the record, only adding to it, and any other extra word still
  fails.

Scores (for CAMARA) are Jaro-Winkler over the claimed words put in the order of
the words on record, in Cyrillic-skeleton form when any word is Latin.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import permutations

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from recovery.verification.results import FieldResult, text_result
from recovery.verification.settings import MatchSettings
from recovery.verification.text import fold, fold_lookalikes, has_cyrillic
from recovery.verification.translit import comparison_form

#: More words than this are not a Russian name, and trying every order of
#: them would cost factorial time.
MAX_NAME_PARTS = 6
_DEFAULT = MatchSettings()

_APOSTROPHES = frozenset("'’‘ʼʹʻ`")
_MINUS = "\u2212"
_HYPHEN_RUNS = re.compile(r"\s*-[\s-]*")
#: Endings of Russian patronymics in the Cyrillic skeleton: -ович/-евич/-ич,
#: -овна/-евна, -ична/-инична.
_PATRONYMIC_ENDINGS = ("ич", "вна", "чна")


@dataclass(frozen=True)
class PersonName:
    """A name as held on record: surname, given name and patronymic (optional)."""

    family: str
    given: str
    middle: str | None = None

    @property
    def full(self) -> str:
        """Фамилия Имя Отчество, the patronymic only when there is one."""
        return " ".join(part for part in (self.family, self.given, self.middle) if part)

    @property
    def has_middle(self) -> bool:
        """True when a patronymic is on record."""
        return bool(name_parts(self.middle or ""))


def normalise_name(text: str) -> str:
    """The folded form of a name: ``"  ИВАНОВ-петров,  Ёжик "`` → ``"иванов-петров ежик"``.

    Idempotent: normalising the result again changes nothing.
    """
    text = "".join(_name_char(char) for char in fold(text))
    text = _HYPHEN_RUNS.sub("-", " ".join(text.split())).strip("-")
    return " ".join(_tidy_word(word) for word in text.split(" ") if word.strip("-"))


def _name_char(char: str) -> str:
    if char in _APOSTROPHES:
        return ""
    if char == _MINUS or unicodedata.category(char) == "Pd":
        return "-"
    return char if char.isalpha() else " "


def _tidy_word(word: str) -> str:
    return "-".join(fold_lookalikes(part) for part in word.split("-") if part)


def name_parts(text: str) -> tuple[str, ...]:
    """The words of a name, hyphenated ones split: ``Салтыков-Щедрин М.`` → 3 words."""
    return tuple(part for part in re.split(r"[\s-]+", normalise_name(text)) if part)


def words_match(left: str, right: str, settings: MatchSettings = _DEFAULT) -> bool:
    """Whether two normalised name words are the same, allowing one typo.

    Symmetric. Two Cyrillic words are compared letter for letter; a Latin word
    is first read into the Cyrillic skeleton, as is the word it is compared with.
    """
    return _Word(left).matches(_Word(right), settings)


class _Word:
    """A name word with its cross-script form worked out once, when first needed."""

    __slots__ = ("_form", "cyrillic", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.cyrillic = has_cyrillic(text)
        self._form: str | None = None

    @property
    def form(self) -> str:
        if self._form is None:
            self._form = comparison_form(self.text)
        return self._form

    def matches(self, other: _Word, settings: MatchSettings) -> bool:
        if self.cyrillic and other.cyrillic:
            left, right = self.text, other.text
        else:
            left, right = self.form, other.form
        if left == right:
            return True
        if min(len(left), len(right)) < settings.min_typo_word_length:
            return False
        typos = OSA.distance(left, right, score_cutoff=settings.max_typos_per_word)
        similarity = JaroWinkler.normalized_similarity(left, right) * 100
        return typos <= settings.max_typos_per_word and similarity >= settings.name_threshold


def looks_like_patronymic(word: str) -> bool:
    """True for ``Иванович``, ``Sergeevna``, ``Ильинична`` and the like."""
    return comparison_form(word).endswith(_PATRONYMIC_ENDINGS)


def match_full_name(claimed: str, record: PersonName, settings: MatchSettings = _DEFAULT) -> FieldResult:
    """Compare a typed full name with the name on record (wizard, console, API, CAMARA ``name``)."""
    recorded = name_parts(record.full)
    if not recorded:
        return FieldResult.not_available()
    typed = name_parts(claimed)
    matched = _all_words_match(typed, recorded, settings) or (
        not record.has_middle and _matches_with_extra_patronymic(typed, recorded, settings)
    )
    return _scored(matched, typed, recorded)


def match_family_name(claimed: str, recorded: str | None, settings: MatchSettings = _DEFAULT) -> FieldResult:
    """Compare a surname alone (CAMARA ``familyName``)."""
    return _match_component(claimed, recorded, settings)


def match_given_name(claimed: str, recorded: str | None, settings: MatchSettings = _DEFAULT) -> FieldResult:
    """Compare a given name alone (CAMARA ``givenName``)."""
    return _match_component(claimed, recorded, settings)


def match_middle_names(claimed: str, recorded: str | None, settings: MatchSettings = _DEFAULT) -> FieldResult:
    """Compare a patronymic alone (CAMARA ``middleNames``); not available without one on record."""
    return _match_component(claimed, recorded, settings)


def _match_component(claimed: str, recorded: str | None, settings: MatchSettings) -> FieldResult:
    recorded_parts = name_parts(recorded or "")
    if not recorded_parts:
        return FieldResult.not_available()
    typed = name_parts(claimed)
    return _scored(_all_words_match(typed, recorded_parts, settings), typed, recorded_parts)


def _all_words_match(typed: Sequence[str], recorded: Sequence[str], settings: MatchSettings) -> bool:
    """True when the words pair off one to one, each pair matching, in some order."""
    if len(typed) != len(recorded) or not typed or len(typed) > MAX_NAME_PARTS:
        return False
    typed_words, recorded_words = [_Word(t) for t in typed], [_Word(r) for r in recorded]
    table = [[t.matches(r, settings) for r in recorded_words] for t in typed_words]
    return any(all(table[t][r] for r, t in enumerate(order)) for order in permutations(range(len(typed))))


def _matches_with_extra_patronymic(
    typed: Sequence[str], recorded: Sequence[str], settings: MatchSettings
) -> bool:
    if len(typed) != len(recorded) + 1:
        return False
    return any(
        looks_like_patronymic(word) and _all_words_match([*typed[:i], *typed[i + 1 :]], recorded, settings)
        for i, word in enumerate(typed)
    )


def _scored(matched: bool, typed: Sequence[str], recorded: Sequence[str]) -> FieldResult:
    if matched:
        return FieldResult.match()
    left, right = _aligned_texts(typed, recorded)
    return text_result(False, left, right)


def _aligned_texts(typed: Sequence[str], recorded: Sequence[str]) -> tuple[str, str]:
    """Both names in comparison form, the typed words in the order of the recorded ones."""
    if not all(has_cyrillic(word) for word in (*typed, *recorded)):
        typed = [comparison_form(word) for word in typed]
        recorded = [comparison_form(word) for word in recorded]
    size = max(len(typed), len(recorded))
    if size > MAX_NAME_PARTS:
        return " ".join(typed), " ".join(recorded)
    padded_typed = [*typed, *[""] * (size - len(typed))]
    padded_recorded = [*recorded, *[""] * (size - len(recorded))]
    table = [[fuzz.ratio(t, r) for r in padded_recorded] for t in padded_typed]
    best = max(permutations(range(size)), key=lambda order: sum(table[t][r] for r, t in enumerate(order)))
    aligned = " ".join(padded_typed[t] for t in best if padded_typed[t])
    return aligned, " ".join(recorded)
