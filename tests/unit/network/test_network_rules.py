"""The CTRL framing, the sims.csv row rules, the backoff and the change's repr (no app)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from recovery.ledger.rows import RowInvalid
from recovery.models import ProvisioningOperation
from recovery.network.backends import Change
from recovery.network.ctrl import frame, parse_address
from recovery.network.inventory import parse_sim_row
from recovery.network.worker import BACKOFF_MAX_SECONDS, backoff

ICCID = "89701990000000000017"
KI = "00112233445566778899aabbccddeeff"


def test_a_ctrl_message_is_ipa_framed():
    # 2-byte length of what follows the protocol byte (extension byte + text), 0xEE, 0x00.
    assert frame("GET 1 subscriber.by-msisdn-1.info") == b"\x00\x22\xee\x00GET 1 subscriber.by-msisdn-1.info"


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("127.0.0.2:4259", ("127.0.0.2", 4259)),
        ("hlr.local", ("hlr.local", 4259)),
        (":5000", ("127.0.0.1", 5000)),
    ],
)
def test_addresses(text, address):
    assert parse_address(text) == address


def test_a_good_row_comes_back_with_lower_case_keys():
    assert parse_sim_row([f" {ICCID} ", "250010000000001", KI.upper(), KI]) == {
        "iccid": ICCID,
        "imsi": "250010000000001",
        "ki": KI,
        "opc": KI,
    }


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (["8970199000000000001", "250010000000001", KI, KI], "iccid"),
        ([ICCID, "25001000000000a", KI, KI], "imsi"),
        ([ICCID, "2500100000000012", KI, KI], "imsi"),
        ([ICCID, "250010000000001", KI[:-1], KI], "ki"),
        ([ICCID, "250010000000001", KI, KI + "0"], "opc"),
    ],
)
def test_bad_rows_name_the_field_never_the_key(fields, reason):
    with pytest.raises(RowInvalid) as raised:
        parse_sim_row(fields)
    assert str(raised.value).startswith(f"{reason}:")
    assert KI not in str(raised.value)


def test_the_backoff_doubles_up_to_its_bound():
    assert [backoff(n) for n in (1, 2, 3)] == [
        timedelta(seconds=5),
        timedelta(seconds=10),
        timedelta(seconds=20),
    ]
    assert backoff(40) == timedelta(seconds=BACKOFF_MAX_SECONDS)


def test_a_change_never_shows_its_keys():
    change = Change(ProvisioningOperation.HAND_OVER, "+79161234567", "250010000000001", KI, KI)
    assert KI not in repr(change) and change.digits == "79161234567"


def test_errors_never_carry_anything_shaped_like_a_key():
    from recovery.network.worker import _redacted

    assert _redacted(f"CtrlError: bad value milenage,{KI},opc,{KI.upper()}") == (
        "CtrlError: bad value milenage,[redacted],opc,[redacted]"
    )
