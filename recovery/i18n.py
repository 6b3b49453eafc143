"""Locale selection: the user's choice, else the browser's, else Russian.

The choice made with the switcher in the header is kept in the session, so it
follows the person through a multi-step form. Before any choice the browser's
``Accept-Language`` decides; without a usable one the page is Russian
(``BABEL_DEFAULT_LOCALE``), the language of most subscribers.
"""

from __future__ import annotations

from babel import Locale
from flask import Response, current_app, request, session
from flask_babel import get_locale

#: Session key holding the language chosen with the switcher.
SESSION_KEY = "lang"


def select_locale() -> str:
    """Pick the interface language for this request."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get(SESSION_KEY)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_language(code: str) -> bool:
    """Keep ``code`` as this session's language; False (and nothing kept) for an unknown one."""
    if code not in current_app.config["LANGUAGES"]:
        return False
    session[SESSION_KEY] = code
    return True


def language_name(code: str) -> str:
    """A language's name in that language, as a switcher shows it: ``Русский``, ``English``."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def language_choices() -> list[dict[str, object]]:
    """The switcher's entries: code, own name, and whether it is the current language."""
    current = str(get_locale())
    return [
        {"code": code, "name": language_name(code), "current": code == current}
        for code in current_app.config["LANGUAGES"]
    ]


def add_language_headers(response: Response) -> Response:
    """Say which language a page is in, and that it depends on the browser's language.

    ``Vary: Accept-Language`` keeps a shared cache from serving one person's
    English page to another who asked for Russian.
    """
    if response.mimetype == "text/html":
        response.headers["Content-Language"] = str(get_locale())
        response.vary.add("Accept-Language")
    return response
