"""Unlocking a number and searching the audit log."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from recovery.models import Channel
from recovery.phones import InvalidPhoneNumber, to_e164
from recovery.staff.forms import ReasonInWords
from recovery.supervisor.labels import CHANNEL_LABELS

reason_in_words = ReasonInWords(
    _l("Give the reason in at least %(words)d words: who asked, and how they were checked.")
)


class UnlockForm(FlaskForm):
    """Lift the lock on a number, with the reason."""

    msisdn = StringField(
        _l("Phone number"),
        validators=[DataRequired(_l("Enter the phone number."))],
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )
    reason = TextAreaField(
        _l("Reason for resuming the checks"),
        validators=[
            DataRequired(_l("Give the reason for resuming the checks.")),
            reason_in_words,
            Length(max=500),
        ],
        render_kw={"rows": 2},
    )
    confirm = BooleanField(
        _l("I understand: remote checks of this number resume at once, its failed attempts no longer count"),
        validators=[DataRequired(_l("Tick the box to confirm resuming the checks."))],
    )

    def validate_msisdn(self, field: StringField) -> None:
        """Any usual format; kept in E.164."""
        try:
            field.data = to_e164(field.data)
        except InvalidPhoneNumber:
            raise ValidationError(_l("Enter a phone number, for example +7 916 123-45-67.")) from None


class AuditSearchForm(FlaskForm):
    """Filters of the audit log (a GET form: no CSRF token, it changes nothing)."""

    class Meta:
        csrf = False

    text = StringField(
        _l("Number, ticket, claim or login"),
        validators=[Optional(), Length(max=64)],
        render_kw={"autocomplete": "off"},
    )
    action = StringField(
        _l("Action"), validators=[Optional(), Length(max=60)], render_kw={"autocomplete": "off"}
    )
    channel = SelectField(
        _l("Channel"),
        choices=[
            SelectChoice("", _l("Any")),
            *(SelectChoice(c.value, CHANNEL_LABELS[c.value]) for c in Channel),
        ],
        validators=[Optional()],
    )
    date_from = DateField(_l("From (date)"), validators=[Optional()])
    date_to = DateField(_l("To (date, inclusive)"), validators=[Optional()])
