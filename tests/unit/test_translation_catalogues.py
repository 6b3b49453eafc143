"""The catalogues are merged at run time into one: a msgid must mean one thing in all of them.

Flask-Babel reads the shell's catalogue and each feature's
(``BABEL_TRANSLATION_DIRECTORIES``) into one; where two give a msgid different
translations, one of them silently wins on every page. A word that needs two
translations needs two msgids (or a ``pgettext`` context).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(
    [
        *ROOT.glob("translations/*/LC_MESSAGES/messages.po"),
        *ROOT.glob("recovery/*/translations/*/LC_MESSAGES/messages.po"),
    ]
)


def _translations() -> dict[tuple[str, str | None, str], dict[str, object]]:
    found: dict[tuple[str, str | None, str], dict[str, object]] = defaultdict(dict)
    for path in CATALOGUES:
        locale = path.parents[1].name
        with path.open("rb") as handle:
            catalogue = read_po(handle)
        for message in catalogue:
            if not message.id or not message.string:
                continue
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            string = message.string if isinstance(message.string, str) else tuple(message.string)
            found[(locale, message.context, msgid)][str(path.relative_to(ROOT))] = string
    return found


def test_there_are_catalogues_to_check() -> None:
    assert len(CATALOGUES) >= 5


def test_no_msgid_has_two_translations() -> None:
    clashes = {key: where for key, where in _translations().items() if len(set(where.values())) > 1}
    assert clashes == {}
