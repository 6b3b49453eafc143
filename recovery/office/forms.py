"""Handing over a new SIM, cancelling a reissue, and unblocking a found SIM on the passport."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from recovery.iccid import InvalidIccid, normalise_iccid
from recovery.lost.forms import PhoneNumber
from recovery.passports import InvalidPassport, normalise_passport
from recovery.staff.forms import ReasonInWords


class FulfilForm(FlaskForm):
    """The passport seen in person and the ICCID printed on the new SIM."""

    passport = StringField(
        _l("Passport series and number, from the document shown"),
        validators=[DataRequired(_l("Enter the series and number of the passport shown."))],
        render_kw={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"},
    )
    iccid = StringField(
        _l("ICCID of the new SIM card"),
        validators=[DataRequired(_l("Enter the ICCID printed on the new SIM card."))],
        render_kw={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"},
    )

    def validate_passport(self, field: StringField) -> None:
        """Series (4 digits) and number (6 digits)."""
        try:
            normalise_passport(field.data)
        except InvalidPassport:
            raise ValidationError(_l("A passport has a 4-digit series and a 6-digit number.")) from None

    def validate_iccid(self, field: StringField) -> None:
        """19–20 digits with a valid check digit."""
        try:
            field.data = normalise_iccid(field.data)
        except InvalidIccid:
            raise ValidationError(
                _l("An ICCID has 19 or 20 digits and a valid check digit: check the number on the card.")
            ) from None


class CancelForm(FlaskForm):
    """Why a reissue is cancelled, and that the clerk means it (a cancel cannot be undone)."""

    reason = TextAreaField(
        _l("Reason for cancelling"),
        validators=[
            DataRequired(_l("Give the reason for cancelling.")),
            ReasonInWords(_l("Give the reason in at least %(words)d words: who asked to cancel, and why.")),
            Length(max=500),
        ],
        render_kw={"rows": 2},
    )
    confirm = BooleanField(
        _l("I understand: the ticket closes for good, the SIM card stays blocked"),
        validators=[DataRequired(_l("Tick the box to confirm the cancellation."))],
    )


class UnblockForm(FlaskForm):
    """The owner found the phone: the number and the passport seen in person."""

    msisdn = StringField(
        _l("Phone number of the blocked SIM card"),
        validators=[DataRequired(_l("Enter the number of the blocked SIM card.")), PhoneNumber()],
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )
    passport = StringField(
        _l("Passport series and number, from the document shown"),
        validators=[DataRequired(_l("Enter the series and number of the passport shown."))],
        render_kw={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"},
    )

    def validate_passport(self, field: StringField) -> None:
        """Series (4 digits) and number (6 digits)."""
        FulfilForm.validate_passport(self, field)  # type: ignore[arg-type]
