"""The staff sign-in form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


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
