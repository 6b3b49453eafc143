"""The wizard's forms, one per step, and the field rules the agent console shares.

Every field error is a sentence in the product's voice, shown next to its
field (Russian by default, English when chosen). Formats are checked here;
whether an answer *matches* is never told to a self-service claimant.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import get_locale, get_timezone
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    Field,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from recovery.account.timezones import DEFAULT_TIMEZONE, REGION_TIMEZONES, timezone_for
from recovery.claims.submit import MAX_LOSS_AGE_DAYS
from recovery.formatting import format_zone
from recovery.models import Action
from recovery.passports import InvalidPassport, normalise_passport
from recovery.phones import InvalidPhoneNumber, to_e164
from recovery.regions import region_choices

#: Longest answers accepted; longer text is not a name or an address.
MAX_NAME_LENGTH = 200
MAX_ADDRESS_LENGTH = 300

PHONE_EXAMPLE = "+7 916 123-45-67"


class PhoneNumber:
    """A valid full phone number in any usual format; the field keeps it in E.164."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if not field.data:
            return
        try:
            field.data = to_e164(field.data)
        except InvalidPhoneNumber:
            raise ValidationError(
                self.message or _l("Enter a phone number, for example %(example)s.", example=PHONE_EXAMPLE)
            ) from None


def passport_format(form: FlaskForm, field: Field) -> None:
    """Series (4 digits) and number (6 digits), spaces allowed."""
    if not field.data:
        return
    try:
        normalise_passport(field.data)
    except InvalidPassport:
        raise ValidationError(
            _l("A passport has a 4-digit series and a 6-digit number, e.g. 4509 123456.")
        ) from None


def forget_typed(field: Field) -> None:
    """Render ``field`` empty: a typed passport is never sent back in a page."""
    field.raw_data = []
    field.data = ""


def as_aware(value: datetime | None, zone: ZoneInfo | None = None) -> datetime | None:
    """A time typed in a ``datetime-local`` field, read in ``zone`` (default: the interface's), in UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=zone or ZoneInfo(str(get_timezone()))).astimezone(UTC)


#: The zones of Russia's regions, west to east, for the wizard's time-zone choice.
ZONE_IDS = tuple(
    sorted(
        {DEFAULT_TIMEZONE, *REGION_TIMEZONES.values()},
        key=lambda zone: (datetime(2026, 1, 1, tzinfo=ZoneInfo(zone)).utcoffset(), zone),
    )
)


def claimant_zone(region: str | None, chosen: str | None = None) -> ZoneInfo:
    """The zone a claimant's times are in: the one they chose, else that of the region they are in."""
    if chosen in ZONE_IDS:
        return ZoneInfo(chosen)
    return timezone_for(region)


def zone_choices() -> list[SelectChoice]:
    """The time-zone choice: the region's by default, or any zone of Russia by name and offset."""
    locale, moment = str(get_locale() or "ru"), datetime.now(UTC)
    return [
        SelectChoice("", _l("The time of the region chosen above")),
        *(SelectChoice(zone, format_zone(zone, locale, moment)) for zone in ZONE_IDS),
    ]


def not_in_future(form: FlaskForm, field: Field) -> None:
    """The loss cannot be later than now, nor more than a year ago (``MAX_LOSS_AGE_DAYS``)."""
    check_loss_moment(as_aware(field.data))


def check_loss_moment(moment: datetime | None) -> None:
    """Raise ``ValidationError`` for a loss in the future or more than a year ago."""
    if moment is None:
        return
    now = datetime.now(UTC)
    if moment > now:
        raise ValidationError(_l("This time is in the future. Enter when you lost the SIM card."))
    if moment < now - timedelta(days=MAX_LOSS_AGE_DAYS):
        raise ValidationError(_l("This is more than a year ago. Enter when you lost the SIM card."))


def localised_regions() -> list[SelectChoice]:
    """Region choices in the current language, with an empty first choice."""
    regions = region_choices(str(get_locale() or "ru"))
    return [SelectChoice("", _l("Choose a region")), *(SelectChoice(code, name) for code, name in regions)]


def action_choices() -> list[SelectChoice]:
    """What the claimant may ask for."""
    return [
        SelectChoice(Action.BLOCK.value, _l("Block the SIM card only")),
        SelectChoice(Action.REISSUE.value, _l("Block it and get a new SIM card with the same number")),
    ]


class WizardStep(FlaskForm):
    """A step of the wizard; ``then`` brings the claimant back to the review after a change."""

    then = HiddenField()


class NumberStep(WizardStep):
    """Step 1: the lost number and the owner's full name."""

    msisdn = StringField(
        _l("Phone number of the lost SIM card"),
        validators=[DataRequired(_l("Enter the phone number of the lost SIM card.")), PhoneNumber()],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    full_name = StringField(
        _l("Full name (surname, first name, patronymic)"),
        validators=[DataRequired(_l("Enter your full name.")), Length(max=MAX_NAME_LENGTH)],
        render_kw={"autocomplete": "name"},
    )


class PassportStep(WizardStep):
    """Step 2: the passport. Kept only as a keyed digest, so it is never shown back."""

    passport = StringField(
        _l("Passport series and number"),
        validators=[passport_format],
        render_kw={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"},
    )


class AddressStep(WizardStep):
    """Step 3: the registered address (адрес регистрации)."""

    registered_address = TextAreaField(
        _l("Registered address (as in the passport)"),
        validators=[Optional(), Length(max=MAX_ADDRESS_LENGTH)],
        render_kw={"autocomplete": "off", "rows": 2},
    )


class CallsStep(WizardStep):
    """Step 4: up to three numbers the owner called recently."""

    call_1 = StringField(
        _l("First number"), validators=[Optional(), PhoneNumber()], render_kw={"inputmode": "tel"}
    )
    call_2 = StringField(
        _l("Second number"), validators=[Optional(), PhoneNumber()], render_kw={"inputmode": "tel"}
    )
    call_3 = StringField(
        _l("Third number"), validators=[Optional(), PhoneNumber()], render_kw={"inputmode": "tel"}
    )

    @property
    def numbers(self) -> list[str]:
        """The numbers given, in E.164, each once."""
        given = [field.data for field in (self.call_1, self.call_2, self.call_3) if field.data]
        return list(dict.fromkeys(given))


class WhereStep(WizardStep):
    """Step 5: where the claimant is now, and when the SIM was lost."""

    current_region = SelectField(
        _l("Region where you are now"),
        validators=[DataRequired(_l("Choose the region where you are now."))],
        validate_choice=True,
    )
    lost_at = DateTimeLocalField(
        _l("When you lost the SIM card (your local time)"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )
    time_zone = SelectField(_l("Time zone of that time"), validators=[Optional()], validate_choice=True)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.current_region.choices = localised_regions()
        self.time_zone.choices = zone_choices()

    @property
    def zone(self) -> ZoneInfo:
        """The zone the typed time is read in."""
        return claimant_zone(self.current_region.data, self.time_zone.data)

    def validate_lost_at(self, field: DateTimeLocalField) -> None:
        """Not in the future, not over a year ago, read in the claimant's zone."""
        check_loss_moment(as_aware(field.data, self.zone))


class ActionStep(WizardStep):
    """Step 6: block only, or block and get a new SIM."""

    action = RadioField(
        _l("What would you like to do?"),
        choices=action_choices,
        validators=[DataRequired(_l("Choose what you would like to do."))],
    )


class SubmitForm(FlaskForm):
    """The review page's confirmation (a CSRF token only)."""
