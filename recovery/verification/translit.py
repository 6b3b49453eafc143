"""Latin spellings of Russian names read back into Cyrillic, and the reduced
form in which two spellings of one name become equal.

Russians' names reach us in Latin from foreign passports (ICAO: ``IURII``),
old Soviet-era passports (``Yuriy``), English habit (``Yury``, ``Alexander``)
and scholarly systems (``Jurij``, ``Ščerbakov``). A Latin word is read into
Cyrillic by the longest matching spelling, then both sides are reduced to a
*skeleton* in which the letters those systems disagree on coincide: ``й``,
``ы`` and ``и``; ``е``, ``ё`` and ``э``; soft and hard signs; doubled letters;
``ия``/``я``. The skeleton is used only when a comparison crosses scripts, so
two Cyrillic spellings are still compared letter for letter.
"""

from __future__ import annotations

import re

from unidecode import unidecode

from recovery.verification.text import is_cyrillic

#: Scholarly (ISO 9 / GOST 7.79) and Czech-style letters, spelled out before
#: Unidecode would flatten ``š`` to a bare ``s``.
_DIACRITICS = str.maketrans(
    {
        "č": "ch",
        "ć": "ch",
        "ĉ": "ch",
        "š": "sh",
        "ś": "sh",
        "ž": "zh",
        "ŝ": "shch",
        "ë": "yo",
        "â": "ya",
        "ä": "ya",
        "û": "yu",
        "ü": "yu",
        "è": "e",
        "ʹ": "",
        "ʺ": "",
    }
)

#: Spellings of one Cyrillic letter, longest first so that ``shch`` wins over
#: ``sh`` and ``kh`` over ``k``.
_SPELLINGS: tuple[tuple[str, str], ...] = (
    ("shch", "щ"),
    ("dzh", "дж"),
    ("shh", "щ"),
    ("sch", "щ"),
    ("tch", "ч"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ts", "ц"),
    ("tz", "ц"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("ph", "ф"),
    ("ck", "к"),
    ("yu", "ю"),
    ("ju", "ю"),
    ("iu", "ю"),
    ("ya", "я"),
    ("ja", "я"),
    ("ia", "я"),
    ("yo", "ё"),
    ("jo", "ё"),
    ("io", "ё"),
    ("ye", "е"),
    ("je", "е"),
)
_LETTERS = {**dict(zip("abdefghijklmnopqrstuvwz", "абдефгхийклмнопкрстуввз", strict=True)), "x": "кс"}
_VOWELS = frozenset("аеёиоуыэюя")

_SOFT_HARD = str.maketrans({"ь": None, "ъ": None})
_I_LIKE = str.maketrans({"й": "и", "ы": "и", "ё": "е", "э": "е"})
_DOUBLED = re.compile(r"(.)\1+")


#: One Cyrillic letter's spelling at a time: the digraphs (longest first), else one character.
_SPELLING = re.compile("|".join(spelling for spelling, _ in _SPELLINGS) + "|.", re.DOTALL)
_LETTER_OF = dict(_SPELLINGS)


def latin_to_cyrillic(word: str) -> str:
    """Read a Latin spelling of a Russian word into Cyrillic (``Iurii`` → ``юрии``).

    Letters of other scripts pass through unchanged.
    """
    word = word.lower().translate(_DIACRITICS)
    if not word.isascii():
        word = "".join(char if is_cyrillic(char) else unidecode(char).lower() for char in word)
    out: list[str] = []
    i = 0
    while i < len(word):
        letter, width = _read_letter(word, i, out)
        out.append(letter)
        i += width
    return "".join(out)


def _read_letter(word: str, i: int, out: list[str]) -> tuple[str, int]:
    """The Cyrillic letter spelled at ``word[i:]`` and how many characters it took."""
    spelled = _SPELLING.match(word, i)
    assert spelled is not None  # "." matches any character
    spelling = spelled.group()
    after_vowel = bool(out) and out[-1][-1] in _VOWELS
    if len(spelling) > 1:
        # "io" is ё only after a consonant (Fiodor, Piotr), never in Iosif or Ioann.
        if spelling != "io" or (out and not after_vowel):
            return _LETTER_OF[spelling], len(spelling)
        spelling = "i"
    if spelling == "y":
        # Yuriy, Sergey: й after a vowel; Ryzhov, Dmitry: ы after a consonant.
        return ("й" if after_vowel else "ы"), 1
    if spelling == "c":
        # English habit: Victor, Nicolai (к), but Cvetkov, Ceslav (ц) before e, i, y.
        return ("ц" if word[i + 1 : i + 2] in ("e", "i", "y") else "к"), 1
    return _LETTERS.get(spelling, spelling), 1


def skeleton(cyrillic: str) -> str:
    """Reduce a Cyrillic word so that its transliteration variants coincide.

    ``юрий``, ``юрии``, ``юры`` → ``юри``; ``наталья``, ``наталия`` → ``наталя``;
    ``геннадий`` → ``генади``.
    """
    text = cyrillic.translate(_SOFT_HARD).translate(_I_LIKE)
    text = _DOUBLED.sub(r"\1", text)
    text = text.replace("ия", "я").replace("ию", "ю")
    return _DOUBLED.sub(r"\1", text)


def comparison_form(word: str) -> str:
    """The skeleton of a word in either script, for cross-script comparison."""
    return skeleton(latin_to_cyrillic(word))
