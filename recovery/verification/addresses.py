"""Matching of the registered address (адрес регистрации, DESIGN 2.1).

Rules:

* text folding as for names (NFKC, casefold, ``ё`` = ``е``, format
  characters dropped, look-alike letters read in the word's script);
* the usual abbreviations are spelled out (``г.`` город, ``ул.`` улица,
  ``д.`` дом before a number and деревня otherwise, ``с.`` строение or село, ``кв.`` квартира,
  ``пр-т`` проспект, ``к.``/``корп.`` корпус, ``стр.`` строение …, see
  ``ABBREVIATIONS``), punctuation removed, ordinal endings dropped
  (``1-я`` = ``1``), a house letter kept with its number (``5а``, ``5-А``,
  ``5 лит. А`` are all ``5а``);
* a postcode (a six-digit number) is optional: it is left out on both sides;
* **the numbers must be equal** as a multiset (house, building, flat, and the
  numbers in street names): flat 12 against flat 13 fails whatever the text
  score, and so does a claim that leaves the flat out;
* the words, in any order, must reach ``ADDRESS_THRESHOLD`` by rapidfuzz
  ``token_set_ratio``, which forgives a left-out region or city but not a
  different one; checked for the names alone and for all words, so that
  a different city does not hide among shared words; a street type typed
  (``улица``, ``проспект`` …) must be one on record;
* the recorded street name (or, for a village, the settlement's name) must be
  typed, each word allowing one typo as names do: otherwise ``Москва 5 12``
  would be a subset of the record and pass, and ``Ленинская`` would pass for
  ``Ленина``.

The score for partners is Jaro-Winkler over the normalised words in sorted
order, so it does not depend on word order either.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from recovery.verification.names import words_match
from recovery.verification.results import FieldResult, text_result
from recovery.verification.settings import MatchSettings
from recovery.verification.text import fold, fold_lookalikes

_DEFAULT = MatchSettings()
_BREAK = ","

#: Abbreviation → word, applied to whole words after punctuation is removed.
ABBREVIATIONS: dict[str, str] = {
    "г": "город",
    "гор": "город",
    "ул": "улица",
    "кв": "квартира",
    "пр": "проспект",
    "просп": "проспект",
    "пер": "переулок",
    "обл": "область",
    "корп": "корпус",
    "стр": "строение",
    "мкр": "микрорайон",
    "мкрн": "микрорайон",
    "ш": "шоссе",
    "наб": "набережная",
    "бул": "бульвар",
    "бульв": "бульвар",
    "пл": "площадь",
    "пос": "поселок",
    "п": "поселок",
    "пгт": "поселок",
    "дер": "деревня",
    "туп": "тупик",
    "ал": "аллея",
    "респ": "республика",
    "кр": "край",
    "лит": "литера",
    "литер": "литера",
    "пом": "помещение",
    "вл": "владение",
    "влд": "владение",
    "х": "хутор",
}
#: Hyphenated abbreviations, spelled out before hyphens become spaces.
_HYPHENATED = (
    (re.compile(r"(?<![\w-])пр-к?т(?![\w-])"), " проспект "),
    (re.compile(r"(?<![\w-])р-о?н(?![\w-])"), " район "),
    (re.compile(r"(?<![\w-])б-р(?![\w-])"), " бульвар "),
    (re.compile(r"(?<![\w-])(?:мкр-н|м-н)(?![\w-])"), " микрорайон "),
    (re.compile(r"(?<![\w-])пр-д(?![\w-])"), " проезд "),
    (re.compile(r"(?<![\w-])ст-ца(?![\w-])"), " станица "),
)
#: ``1-я``, ``2-й``, ``3-го`` … : the number alone names the street.
_ORDINAL = re.compile(r"(\d+)\s*-\s*(?:ая|яя|ий|ый|ой|ое|ье|го|ого|его|му|ому|я|й|е|м|х)(?![^\W\d_])")
#: ``5-а``: a house letter joined to its number.
_HOUSE_LETTER = re.compile(r"(\d+)\s*-\s*([абвгджзи])(?![^\W\d_])")
#: ``5к2``, ``5с1``: корпус and строение written between two numbers.
_INFIX_PART = re.compile(r"(\d)([кс])(?=\d)")
_LETTER_DIGIT = re.compile(r"([^\W\d_])(\d)")
_DIGIT_WORD = re.compile(r"(\d)([^\W\d_]{2,})")
_NUMBER = re.compile(r"^0*(\d+[а-я]?)$")
_POSTCODE = re.compile(r"^\d{6}$")

#: Words that say what a part of an address is, not which one it is.
_STREET_TYPES = frozenset(
    {
        "улица", "проспект", "переулок", "шоссе", "набережная", "бульвар", "площадь",
        "проезд", "тупик", "аллея", "микрорайон", "линия", "квартал",
    }
)  # fmt: skip
_SETTLEMENT_TYPES = frozenset({"город", "поселок", "село", "деревня", "станица", "хутор", "аул"})
_OTHER_TYPES = frozenset(
    {
        "дом", "квартира", "область", "район", "корпус", "строение", "край",
        "республика", "округ", "автономный", "россия", "рф",
    }
)  # fmt: skip
_TYPE_WORDS = frozenset({*_STREET_TYPES, *_SETTLEMENT_TYPES, *_OTHER_TYPES, *ABBREVIATIONS.values()})


@dataclass(frozen=True)
class ParsedAddress:
    """An address as tokens: words and numbers in order, ``","`` between parts."""

    tokens: tuple[str, ...]

    @property
    def words(self) -> tuple[str, ...]:
        """Every word that is not a number."""
        return tuple(t for t in self.tokens if t != _BREAK and not _NUMBER.match(t))

    @property
    def numbers(self) -> tuple[str, ...]:
        """The numbers, sorted (a multiset), leading zeros dropped."""
        return tuple(sorted(_NUMBER.sub(r"\1", t) for t in self.tokens if _NUMBER.match(t)))

    @property
    def names(self) -> tuple[str, ...]:
        """Words that name something (not ``улица``, ``дом`` …)."""
        return tuple(w for w in self.words if w not in _TYPE_WORDS)

    @property
    def text(self) -> str:
        """The normalised address: tokens in order, without part breaks."""
        return " ".join(t for t in self.tokens if t != _BREAK)


def parse_address(text: str) -> ParsedAddress:
    """Fold, spell out abbreviations, drop the postcode, keep part breaks (commas)."""
    text = fold(text.replace("№", " "))
    for pattern, word in _HYPHENATED:
        text = pattern.sub(word, text)
    text = _ORDINAL.sub(r"\1 ", text)
    text = _HOUSE_LETTER.sub(r"\1\2", text)
    text = _INFIX_PART.sub(r"\1 \2 ", text)
    text = "".join(_address_char(char) for char in text)
    text = _DIGIT_WORD.sub(r"\1 \2", _LETTER_DIGIT.sub(r"\1 \2", text))
    tokens = [fold_lookalikes(token) for token in text.split()]
    return ParsedAddress(tuple(_join_house_letters(_expand(tokens))))


def _address_char(char: str) -> str:
    if char in ",;":
        return f" {_BREAK} "
    return char if char.isalnum() else " "


#: One-letter abbreviations that mean one thing before a number, another before a name.
_BEFORE_NUMBER = {"д": ("дом", "деревня"), "с": ("строение", "село"), "к": ("корпус", "к")}


def _expand(tokens: Sequence[str]) -> list[str]:
    out: list[str] = []
    for i, token in enumerate(tokens):
        if _POSTCODE.match(token):
            continue
        if token in _BEFORE_NUMBER:
            # "д. 5" is a house, "д. Ивановка" a village; "с. 1" a building, "с. Ивановское"
            # a village; "к. 2" a block, "ул. К. Маркса" an initial.
            following = tokens[i + 1] if i + 1 < len(tokens) else ""
            numbered, named = _BEFORE_NUMBER[token]
            out.append(numbered if following[:1].isdigit() else named)
        else:
            out.append(ABBREVIATIONS.get(token, token))
    return out


def _join_house_letters(tokens: Sequence[str]) -> list[str]:
    """``5 литера а`` → ``5а``."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if (
            tokens[i] == "литера"
            and out
            and out[-1].isdigit()
            and i + 1 < len(tokens)
            and re.fullmatch(r"[а-я]", tokens[i + 1])
        ):
            out[-1] += tokens[i + 1]
            i += 2
            continue
        out.append(tokens[i])
        i += 1
    return out


def normalise_address(text: str) -> str:
    """The normalised address text, idempotent.

    ``"101000, г. Москва, ул. Ленина, д.5"`` → ``"город москва улица ленина дом 5"``.
    """
    return parse_address(text).text


def match_address(claimed: str, recorded: str | None, settings: MatchSettings = _DEFAULT) -> FieldResult:
    """Compare a typed address with the registered address on record."""
    record = parse_address(recorded or "")
    if not record.names:
        return FieldResult.not_available()
    typed = parse_address(claimed)
    matched = (
        typed.numbers == record.numbers
        and bool(typed.names)
        and _words_agree(typed, record, settings)
        and _street_types_agree(typed, record)
        and all(any(words_match(w, t, settings) for t in typed.names) for w in _key_names(record))
    )
    return text_result(matched, _sorted_text(typed), _sorted_text(record))


def _words_agree(typed: ParsedAddress, record: ParsedAddress, settings: MatchSettings) -> bool:
    """Token-set similarity of the names, and of all words including ``улица`` and the like.

    Names alone catch a different city hidden among shared type words; all words
    catch ``проспект Ленина`` given for ``улица Ленина``.
    """
    return all(
        fuzz.token_set_ratio(" ".join(left), " ".join(right)) >= settings.address_threshold
        for left, right in ((typed.names, record.names), (typed.words, record.words))
    )


def _street_types_agree(typed: ParsedAddress, record: ParsedAddress) -> bool:
    """A street type typed must be one on record: ``проспект Ленина`` is not ``улица Ленина``.

    Either side may leave the type out.
    """
    typed_types = frozenset(typed.tokens) & _STREET_TYPES
    record_types = frozenset(record.tokens) & _STREET_TYPES
    return not typed_types or not record_types or typed_types <= record_types


def _sorted_text(address: ParsedAddress) -> str:
    return " ".join(sorted(address.text.split()))


def _key_names(record: ParsedAddress) -> tuple[str, ...]:
    """The words that must be typed: the street's name, else the settlement's, else all names."""
    for types in (_STREET_TYPES, _SETTLEMENT_TYPES):
        named = tuple(
            word
            for i, token in enumerate(record.tokens)
            if token in types
            for word in _named_by(record.tokens, i)
        )
        if named:
            return named
    return record.names


def _named_by(tokens: Sequence[str], at: int) -> list[str]:
    """The name a type word stands with: the words after it, else those before it.

    ``улица Ленина``, ``улица 8 Марта``; ``Тверской бульвар``. A run stops at a
    part break or another type word; numbers inside it are skipped.
    """
    return _run(tokens[at + 1 :]) or _run(tokens[:at][::-1])


def _run(tokens: Sequence[str]) -> list[str]:
    words: list[str] = []
    for token in tokens:
        if token == _BREAK or token in _TYPE_WORDS:
            break
        if not _NUMBER.match(token):
            words.append(token)
    return words
