"""Message codes: every one has an English msgid that renders with its parameters."""

from datetime import UTC, datetime

import pytest

from recovery.verification.messages import MSGIDS, Message, MessageCode

PARAMS = {
    MessageCode.VERIFICATION_FAILED: {},
    MessageCode.NUMBER_LOCKED: {"until": datetime(2026, 11, 21, 12, 0, tzinfo=UTC)},
    MessageCode.SIM_BLOCKED: {},
    MessageCode.REISSUE_TICKET_OPENED: {"region": "RU-MOW"},
    MessageCode.REISSUE_TICKET_EXISTS: {"region": "RU-MOW"},
    MessageCode.REISSUE_HOME_REGION_ONLY: {"region": "RU-MOW"},
    MessageCode.REISSUE_NEEDS_OFFICE_VISIT: {"region": "RU-MOW"},
    MessageCode.REISSUE_IN_PERSON_ONLY: {"region": "RU-MOW"},
    MessageCode.POST_LOSS_ACTIVITY: {"count": 3},
    MessageCode.COOLING_PERIOD: {"hours": 24},
}


def test_every_code_has_a_msgid_and_documented_parameters():
    assert set(MSGIDS) == set(MessageCode) == set(PARAMS)


@pytest.mark.parametrize("code", list(MessageCode))
def test_every_message_renders(code):
    text = Message.of(code, **PARAMS[code]).render()
    assert text and "%(" not in text


def test_render_translates_and_names_regions():
    message = Message.of(MessageCode.REISSUE_HOME_REGION_ONLY, region="RU-MOW")
    text = message.render(
        gettext=lambda s: s.replace("home region", "HOME REGION"), region_name=lambda code: f"<{code}>"
    )
    assert "<RU-MOW>" in text and "HOME REGION" in text


def test_render_formats_dates():
    message = Message.of(MessageCode.NUMBER_LOCKED, **PARAMS[MessageCode.NUMBER_LOCKED])
    assert "2026-11-21T12:00:00+00:00" in message.render()
    assert "tomorrow noon" in message.render(format_datetime=lambda moment: "tomorrow noon")


def test_messages_compare_and_hash_by_value():
    assert Message.of(MessageCode.COOLING_PERIOD, hours=24) == Message.of(
        MessageCode.COOLING_PERIOD, hours=24
    )
    assert len({Message.of(MessageCode.SIM_BLOCKED), Message.of(MessageCode.SIM_BLOCKED)}) == 1
    assert Message.of(MessageCode.POST_LOSS_ACTIVITY, count=3).params == {"count": 3}
