"""Russian federal subjects by ISO 3166-2:RU code, named from pycountry.

Russian names come from pycountry's ``ru`` catalogue; where the catalogue has no
entry, the ISO romanisation (BGN/PCGN style) is read back into Cyrillic, which
restores the official spelling for every current subject.

English names are the ones English uses (Moscow, Saint Petersburg, Novosibirsk
Oblast), not pycountry's romanisation (``Moskva``, ``Novosibirskaya oblast'``):
the name from Unicode CLDR (``recovery.cldr_regions``) with the kind of subject
pycountry gives (Oblast, Republic, Autonomous Okrug), the way English writes it.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from functools import cache

import pycountry

from recovery import cldr_regions

COUNTRY = "RU"


class UnknownRegion(ValueError):
    """Not an ISO 3166-2:RU code."""


@dataclass(frozen=True)
class Region:
    """A federal subject: code (``RU-MOW``) and names in both languages."""

    code: str
    name_en: str
    name_ru: str

    def name(self, locale: str) -> str:
        """The name in ``locale`` (``ru`` or anything else for English)."""
        return self.name_ru if str(locale).startswith("ru") else self.name_en


# Romanisation → Cyrillic, longest first. ``ts`` in "Irkutsk" and "Udmurtskaya"
# is т+с, the places the romanisation is ambiguous among the subjects' names.
_EXCEPTIONS = {"Irkuts": "Иркутс", "Udmurts": "Удмуртс"}
_MULTI = [
    ("shch", "щ"),
    ("kh", "х"),
    ("ts", "ц"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("zh", "ж"),
    ("yy", "ый"),
    ("iy", "ий"),
    ("ya", "я"),
    ("yu", "ю"),
    ("ye", "е"),
    ("yo", "ё"),
]
_SINGLE = dict(zip("abvgdezijklmnoprstufhc'", "абвгдезийклмнопрстуфхць", strict=True))
_VOWELS = set("аеёиоуыэюя")


def _blocked(latin: str, lower: str, i: int, out: list[str]) -> bool:
    # "iya" is и+я, not ий+а; "yy" after a vowel is read one letter at a time.
    if latin == "iy":
        return lower[i + 2 : i + 3] in ("a", "u", "e", "o")
    if latin == "yy":
        return not out or out[-1] in _VOWELS
    return False


def _cyrillic_word(word: str, *, at_start: bool = True) -> str:
    for latin, cyrillic in _EXCEPTIONS.items():
        if word.startswith(latin):
            return cyrillic + _cyrillic_word(word[len(latin) :], at_start=False)
    out: list[str] = []
    lower = word.lower()
    i = 0
    while i < len(lower):
        if at_start and i == 0 and lower[0] == "e":
            out.append("э")
            i += 1
            continue
        for latin, cyrillic in _MULTI:
            if lower.startswith(latin, i) and not _blocked(latin, lower, i, out):
                out.append(cyrillic)
                i += len(latin)
                break
        else:
            char = lower[i]
            if char == "y":
                out.append("й" if out and out[-1] in _VOWELS else "ы")
            else:
                out.append(_SINGLE.get(char, char))
            i += 1
    text = "".join(out)
    return text[:1].upper() + text[1:] if word[:1].isupper() else text


def _cyrillic_name(romanised: str) -> str:
    # ISO lists republics as "Adygeya, Respublika"; Russian says "Республика Адыгея".
    head, _, tail = romanised.partition(", ")
    ordered = f"{tail} {head}" if tail else romanised
    return re.sub(r"[A-Za-z']+", lambda m: _cyrillic_word(m.group(0)), ordered)


def _english_name(romanised: str, kind: str, cldr: str | None) -> str:
    """``Novosibirsk`` + "Administrative region" → ``Novosibirsk Oblast``; no CLDR name: ISO's."""
    if not cldr:
        return romanised
    if kind == "Administrative region":  # oblast; CLDR says "Moscow Province" for one
        return cldr.removesuffix(" Province") + " Oblast"
    if kind == "Autonomous region":
        return f"{cldr} Autonomous Oblast"
    if kind == "Autonomous district":
        return cldr.removesuffix(" Okrug") + " Autonomous Okrug"
    if kind == "Administrative territory":
        return cldr if cldr.endswith(" Krai") else f"{cldr} Krai"
    if kind == "Republic":
        head, _, tail = romanised.partition(", ")
        # ISO names a republic by an adjective ("Chuvashskaya Respublika") or a noun
        # ("Tatarstan, Respublika"); CLDR's adjective for a noun ("Buryat" for
        # "Buryatiya") reads as an adjective too: "Chuvash Republic", "Republic of Tatarstan".
        adjective = not tail or (head.lower().startswith(cldr.lower()) and len(head) > len(cldr))
        return f"{cldr} Republic" if adjective else f"Republic of {cldr}"
    return cldr  # the federal cities: Moscow, Saint Petersburg


@cache
def all_regions() -> tuple[Region, ...]:
    """Every ISO 3166-2:RU subdivision, sorted by code."""
    catalogue = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["ru"], fallback=True)
    english = cldr_regions.load()
    regions = []
    for sub in pycountry.subdivisions.get(country_code=COUNTRY):
        translated = catalogue.gettext(sub.name)
        name_ru = translated if translated != sub.name else _cyrillic_name(sub.name)
        name_en = _english_name(sub.name, sub.type, english.get(sub.code))
        regions.append(Region(code=sub.code, name_en=name_en, name_ru=name_ru))
    return tuple(sorted(regions, key=lambda r: r.code))


@cache
def _by_code() -> dict[str, Region]:
    return {region.code: region for region in all_regions()}


def get_region(code: str) -> Region:
    """The region for an ISO code (case-insensitive) or ``UnknownRegion``."""
    if not isinstance(code, str):
        raise UnknownRegion("region must be an ISO 3166-2:RU code")
    try:
        return _by_code()[code.strip().upper()]
    except KeyError:
        raise UnknownRegion(f"unknown region code {code!r}") from None


def is_region(code: str) -> bool:
    """True for a known ISO 3166-2:RU code."""
    try:
        get_region(code)
    except UnknownRegion:
        return False
    return True


def region_choices(locale: str = "ru") -> list[tuple[str, str]]:
    """(code, name) pairs sorted by the name in ``locale``, for select fields."""
    return sorted(((r.code, r.name(locale)) for r in all_regions()), key=lambda pair: pair[1])
