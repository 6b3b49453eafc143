"""The one-page claim form of the agent console: the wizard's questions, typed by the agent."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from recovery.lost.forms import (
    MAX_ADDRESS_LENGTH,
    MAX_NAME_LENGTH,
    PhoneNumber,
    action_choices,
    as_aware,
    check_loss_moment,
    claimant_zone,
    localised_regions,
    passport_format,
)


class AgentClaimForm(FlaskForm):
    """The caller's answers. Same rules as the wizard; the passport is never kept."""

    msisdn = StringField(
        _l("Lost number"),
        validators=[DataRequired(_l("Enter the lost number.")), PhoneNumber()],
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )
    full_name = StringField(
        _l("Caller's full name"),
        validators=[DataRequired(_l("Enter the caller's full name.")), Length(max=MAX_NAME_LENGTH)],
        render_kw={"autocomplete": "off"},
    )
    passport = StringField(
        _l("Passport series and number"),
        validators=[DataRequired(_l("Enter the passport series and number.")), passport_format],
        render_kw={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"},
    )
    registered_address = TextAreaField(
        _l("Registered address"),
        validators=[Optional(), Length(max=MAX_ADDRESS_LENGTH)],
        render_kw={"autocomplete": "off", "rows": 2},
    )
    call_1 = StringField(_l("Recently called number 1"), validators=[Optional(), PhoneNumber()])
    call_2 = StringField(_l("Recently called number 2"), validators=[Optional(), PhoneNumber()])
    call_3 = StringField(_l("Recently called number 3"), validators=[Optional(), PhoneNumber()])
    current_region = SelectField(
        _l("Region where the caller is now"),
        validators=[DataRequired(_l("Choose the caller's current region."))],
        validate_choice=True,
    )
    lost_at = DateTimeLocalField(
        _l("Lost at, the caller's local time in the region above (empty: just now)"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )
    action = RadioField(
        _l("The caller asks to"),
        choices=action_choices,
        validators=[DataRequired(_l("Choose what the caller asks for."))],
    )

    def validate_lost_at(self, field: DateTimeLocalField) -> None:
        """Not in the future, not over a year ago, read in the zone of the caller's region."""
        check_loss_moment(as_aware(field.data, claimant_zone(self.current_region.data)))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.current_region.choices = localised_regions()

    @property
    def recent_calls(self) -> tuple[str, ...]:
        """The numbers given, in E.164, each once."""
        given = [field.data for field in (self.call_1, self.call_2, self.call_3) if field.data]
        return tuple(dict.fromkeys(given))
