"""Text folding shared by the name and address matchers (DESIGN 2.1).

Both sides of every comparison go through the same steps: Unicode NFKC,
casefold, zero-width and other format characters (Cf) dropped, stray combining
marks such as stress accents dropped, ``ё`` read as ``е``, and look-alike
letters read in the script of the word they sit in. The last step is a
security rule: a Latin ``о`` inside ``Иванов`` must neither make a true name
fail ("hide" a match) nor let a forged one pass ("fake" a match).
"""

from __future__ import annotations

import unicodedata

#: Latin letters that look like Cyrillic ones, after casefolding (so the
#: capitals B, H, K, M, T that only look alike in upper case are included).
_LATIN_LOOKALIKES = "abcehkmoptxyë"
_CYRILLIC_OF_LATIN = "авсенкмортхуе"
#: Cyrillic letters that look like Latin ones (і, ј, ѕ are Ukrainian/Serbian
#: letters pasted from other keyboards).
_CYRILLIC_LOOKALIKES = "авсенкмортхуіјѕ"
_LATIN_OF_CYRILLIC = "abcehkmoptxyijs"

_TO_CYRILLIC = str.maketrans(_LATIN_LOOKALIKES, _CYRILLIC_OF_LATIN)
_TO_LATIN = str.maketrans(_CYRILLIC_LOOKALIKES, _LATIN_OF_CYRILLIC)
_LATIN_LOOKALIKE_SET = frozenset(_LATIN_LOOKALIKES)
_CYRILLIC_LOOKALIKE_SET = frozenset(_CYRILLIC_LOOKALIKES)

#: Character categories removed outright: format characters (zero-width
#: space/joiner, soft hyphen, bidi marks, BOM) and combining marks that NFKC
#: could not compose into a letter (stress accents over vowels).
_DROPPED_CATEGORIES = frozenset({"Cf", "Mn", "Me"})
#: Only ``ё`` is folded after casefolding; ``й`` stays a letter of its own.
_YO = str.maketrans({"ё": "е"})
_MAX_FOLD_ROUNDS = 4


def is_cyrillic(char: str) -> bool:
    """True for a letter of the Cyrillic block."""
    return "\u0400" <= char <= "\u04ff"


def is_latin(char: str) -> bool:
    """True for a letter of the Latin blocks (Basic Latin to Latin Extended-B)."""
    return char.isalpha() and ord(char) < 0x0250


def fold(text: str) -> str:
    """NFKC, casefold, format characters and stray marks dropped, ``ё`` → ``е``.

    Control characters (tabs, line breaks) become spaces. The result is stable:
    folding it again changes nothing.
    """
    # Casefolding can produce sequences NFKC composes again (and the reverse),
    # so repeat until nothing changes; real text settles in one round, and the
    # bound keeps a pathological input from looping.
    for _ in range(_MAX_FOLD_ROUNDS):
        folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
        folded = "".join(_fold_char(char) for char in folded).translate(_YO)
        if folded == text:
            break
        text = folded
    return text


def _fold_char(char: str) -> str:
    category = unicodedata.category(char)
    if category in _DROPPED_CATEGORIES:
        return ""
    if category == "Cc" or category.startswith("Z"):
        return " "
    return char


def fold_lookalikes(word: str) -> str:
    """Read look-alike letters in the script of the word they sit in.

    A word with Cyrillic letters that cannot be Latin (``и``, ``в``…) and no
    Latin letter that cannot be Cyrillic is Cyrillic: its Latin look-alikes
    become Cyrillic. The mirror rule makes a Latin word of a stray Cyrillic
    ``а``. A word made only of look-alikes keeps the script of its Cyrillic
    letters if it has any. A word with letters of both scripts that cannot be
    read either way is left as typed, so it matches neither.
    """
    strong_cyrillic = any(is_cyrillic(c) and c not in _CYRILLIC_LOOKALIKE_SET for c in word)
    strong_latin = any(is_latin(c) and c not in _LATIN_LOOKALIKE_SET for c in word)
    if strong_cyrillic and strong_latin:
        return word
    if strong_cyrillic or (not strong_latin and any(is_cyrillic(c) for c in word)):
        return word.translate(_TO_CYRILLIC)
    return word.translate(_TO_LATIN)


def has_cyrillic(word: str) -> bool:
    """True when the word has at least one Cyrillic letter."""
    return any(is_cyrillic(char) for char in word)
