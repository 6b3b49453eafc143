"""The staff sign-in form, and the reason in words that staff actions are audited with."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

#: An unlock or a cancellation is audited with its reason; a word or two ("ok", "checked")
#: tells a later reader nothing.
MIN_REASON_WORDS = 3


class ReasonInWords:
    """At least ``MIN_REASON_WORDS`` words; ``message`` (with ``%(words)d``) says what to write."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        """Refuse a reason of fewer words."""
        if len((field.data or "").split()) < MIN_REASON_WORDS:
            raise ValidationError(self.message % {"words": MIN_REASON_WORDS})


class LoginForm(FlaskForm):
    """Login and password of a member of staff."""

    login = StringField(
        _l("Login"),
        validators=[DataRequired(_l("Enter your login.")), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    #: Asked for only after several failed sign-ins for the login (``recovery.security.throttle``).
    captcha = StringField(_l("Characters in the picture"), validators=[Length(max=12)])
    next = HiddenField()
