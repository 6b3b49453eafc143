"""The agent's reply form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from recovery.support.services import MAX_MESSAGE_LENGTH


class ReplyForm(FlaskForm):
    """An agent's answer to a subscriber."""

    body = TextAreaField(_l("Reply"), validators=[DataRequired(), Length(max=MAX_MESSAGE_LENGTH)])
    submit = SubmitField(_l("Send"))
