"""Forms of the personal account; messages are English source strings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional, ValidationError

from recovery.account.codes import CAPTCHA_LENGTH, CODE_LENGTH
from recovery.account.money import MAX_TOP_UP_KOPECKS, MIN_TOP_UP_KOPECKS, InvalidAmount, parse_rubles
from recovery.models import CallKind
from recovery.phones import InvalidPhoneNumber, to_e164
from recovery.security.passwords import MIN_PASSWORD_LENGTH, WeakPassword, check_password_strength
from recovery.support.services import MAX_MESSAGE_LENGTH


def valid_phone(form: FlaskForm, field: StringField) -> None:
    """A number we could send an SMS to (any format: +7…, 8…, spaces, dashes)."""
    try:
        field.data = to_e164(field.data or "")
    except InvalidPhoneNumber:
        raise ValidationError(_l("Enter a mobile number, for example +7 916 123-45-67.")) from None


def strong_password(form: FlaskForm, field: PasswordField) -> None:
    """Long enough and hard to guess; ``form.user_inputs`` (the number) counts as guessable."""
    try:
        check_password_strength(field.data or "", user_inputs=getattr(form, "user_inputs", ()))
    except WeakPassword:
        raise ValidationError(
            _l(
                "Choose a password of at least %(length)d characters that is hard to guess: "
                "not a common password, a keyboard pattern or your number.",
                length=MIN_PASSWORD_LENGTH,
            )
        ) from None


class NumberAndCaptchaForm(FlaskForm):
    """Step one of registration or password recovery."""

    phone = StringField(_l("Phone number"), validators=[DataRequired(), valid_phone])
    captcha = StringField(
        _l("Characters in the picture"), validators=[DataRequired(), Length(max=CAPTCHA_LENGTH + 4)]
    )
    submit = SubmitField(_l("Get a code by SMS"))


class CodeForm(FlaskForm):
    """Step two: the code from the SMS."""

    code = StringField(_l("Code from the SMS"), validators=[DataRequired(), Length(max=CODE_LENGTH + 4)])
    submit = SubmitField(_l("Confirm"))


class ResendForm(FlaskForm):
    """Ask for another code."""

    submit = SubmitField(_l("Send the code again"))


class NewPasswordForm(FlaskForm):
    """Step three: the permanent password."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), strong_password])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )
    submit = SubmitField(_l("Save the password"))


class LoginForm(FlaskForm):
    """Number and password."""

    phone = StringField(_l("Phone number"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    #: Asked for only after several failed logins for the number (``recovery.security.throttle``).
    captcha = StringField(_l("Characters in the picture"), validators=[Length(max=CAPTCHA_LENGTH + 4)])
    submit = SubmitField(_l("Log in"))


class LogoutForm(FlaskForm):
    """Logging out is a change, so a POST with a CSRF token."""

    submit = SubmitField(_l("Log out"))


KIND_CHOICES = [
    SelectChoice("", _l("All")),
    SelectChoice(CallKind.VOICE.value, _l("Calls")),
    SelectChoice(CallKind.SMS.value, _l("SMS")),
    SelectChoice(CallKind.USSD.value, _l("USSD requests")),
]


class DetailsFilterForm(FlaskForm):
    """Filters of the call details (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default="", validators=[Optional()])


def valid_amount(form: FlaskForm, field: StringField) -> None:
    """Roubles and kopecks within the top-up limits."""
    try:
        parse_rubles(field.data or "")
    except InvalidAmount:
        raise ValidationError(
            _l(
                "Enter an amount from %(min)d to %(max)d roubles, with at most two digits of kopecks.",
                min=MIN_TOP_UP_KOPECKS // 100,
                max=MAX_TOP_UP_KOPECKS // 100,
            )
        ) from None


class TopUpForm(FlaskForm):
    """Top the balance up; the hidden key makes a double submit charge once."""

    amount = StringField(_l("Amount, ₽"), validators=[DataRequired(), valid_amount])
    idempotency_key = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Pay"))


class TariffForm(FlaskForm):
    """Move to another tariff."""

    tariff = HiddenField(validators=[DataRequired()])
    #: Set by the confirmation page: the first press only shows what the move means.
    confirmed = HiddenField()
    submit = SubmitField(_l("Switch to this tariff"))


class SupportMessageForm(FlaskForm):
    """A message to support."""

    body = TextAreaField(_l("Your message"), validators=[DataRequired(), Length(max=MAX_MESSAGE_LENGTH)])
    submit = SubmitField(_l("Send"))


class LanguageForm(FlaskForm):
    """Interface language."""

    language = SelectField(
        _l("Language"), choices=[SelectChoice("ru", "Русский"), SelectChoice("en", "English")]
    )
    submit = SubmitField(_l("Save"))


class EmailForm(FlaskForm):
    """E-mail for notifications (blocks, reissues); empty removes it."""

    email = StringField(
        _l("E-mail for notifications"),
        validators=[
            Optional(),
            Length(max=254),
            Email(message=_l("Enter an e-mail address such as name@example.ru.")),
        ],
    )
    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(message=_l("Enter your password to change the e-mail."))],
    )
    submit = SubmitField(_l("Save"))


class ChangePasswordForm(FlaskForm):
    """A new password, proven by the current one."""

    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(), strong_password])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )
    submit = SubmitField(_l("Change the password"))


class SimLockForm(FlaskForm):
    """The SIM lock: reissue only in person. Turning it off needs the password and waits a day."""

    enabled = BooleanField(_l("Reissue my SIM only in person at an office"))
    password = PasswordField(_l("Password (needed to turn the lock off)"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class CancelLockReleaseForm(FlaskForm):
    """Keep the SIM lock on: cancel a release asked for and not yet due (no password: it only protects)."""

    submit = SubmitField(_l("Keep the SIM lock on"))


class BlockSimForm(FlaskForm):
    """Block my SIM now: the password is the proof."""

    password = PasswordField(_l("Your password"), validators=[InputRequired()])
    confirm = BooleanField(
        _l("I understand that the SIM stops working at once"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Block my SIM now"))


class UnblockSimForm(FlaskForm):
    """Unblock my SIM: the phone is found. The password is the proof."""

    password = PasswordField(_l("Your password"), validators=[InputRequired()])
    confirm = BooleanField(
        _l("I have the phone with this SIM card back"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Unblock my SIM"))
