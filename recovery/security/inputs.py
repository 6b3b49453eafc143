"""Request bodies no endpoint of ours accepts, refused before any form reads them."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from flask.json.provider import DefaultJSONProvider

#: Methods whose body a form or an API reads.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def refuse_file_uploads() -> None:
    """``before_request``: a body with a file part is 400 — nothing here takes uploads.

    Flask-WTF hands a file sent under a text field's name to that field as a
    ``FileStorage``, which text validators cannot measure: without this a
    crafted multipart body would be a 500 on every form (found by the bad-input
    fuzzing in ``tests/integration/security/test_bad_input.py``).
    """
    if request.method in BODY_METHODS and request.mimetype == "multipart/form-data" and request.files:
        abort(400)


def refuse_nul_characters() -> None:
    """``before_request``: a NUL character or un-encodable text in any value sent is 400.

    No one types U+0000, and PostgreSQL refuses it in text: a login or a
    ticket number carrying one would be a 500 at the first query (found by the
    bad-input fuzzing on the staff sign-in). A lone UTF-16 surrogate, which
    JSON can spell as ``"\\ud800"``, is a ``str`` no UTF-8 encoder takes: it was
    a 500 in the rate limiter's keyed hash of the number (issue 12). Query
    string, path, form fields and JSON strings (keys too) are all checked, so
    every form and API is covered at once. ``install_input_guards`` runs this
    before the rate limiter's own hook, whose key functions read the body.
    """
    values: list[Any] = [*request.args.listvalues(), *(request.view_args or {}).values()]
    if request.method in BODY_METHODS:
        if request.is_json:
            values.append(request.get_json(silent=True))
        else:
            values.extend(request.form.listvalues())
    if any(_holds_bad_text(value) for value in values):
        abort(400, description="Text must not contain NUL characters or unpaired surrogates.")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _holds_bad_text(value: Any) -> bool:
    """Whether ``value`` or any string inside it holds NUL or a lone surrogate; a loop, as JSON
    may nest deep."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item or not _encodable(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def install_input_guards(app: Flask) -> None:
    """Run the refusals above first of all ``before_request`` hooks, the rate limiter's included.

    Flask-Limiter checks limits in a ``before_request`` of its own, registered
    when it is bound (before the security hooks); its key functions hash the
    number in the body, so text they cannot encode must be refused before them.
    """
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks[:0] = [refuse_file_uploads, refuse_nul_characters]


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with a body nested too deeply for the parser read as invalid JSON.

    ``json.loads`` raises ``RecursionError`` on a few kilobytes of ``[[[[…``,
    which ``request.get_json`` does not catch: a 500 on every JSON endpoint and
    on the rate limiter, which reads the body first. As a ``ValueError`` it is
    what it is, a malformed body: 400, or ``None`` with ``silent=True``.
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse ``s``; too deep a nesting is a ``ValueError`` like any other bad JSON."""
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
