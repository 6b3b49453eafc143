"""The call check over fetched rows: reference set, claimed numbers, verdict."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recovery.verification.calls import (
    CallCheck,
    LedgerCall,
    TooManyClaimedCalls,
    candidate_numbers,
    check_calls,
    claimed_numbers,
    known_cutoff,
    known_in_window,
    numbers_to_probe,
    reference_set,
    window_start,
)
from recovery.verification.results import FieldResult, MatchStatus
from recovery.verification.settings import CallSettings

MSK = timezone(timedelta(hours=3), "MSK")
LOST = datetime(2026, 11, 20, 18, 0, tzinfo=MSK)
SUPPORT = ("+78002500890",)

MUM, DAD, WORK, GYM, SCAM = "+79031112233", "+79254445566", "+74951234567", "+79160000001", "+79990001122"


def call(callee, before, kind="voice"):
    """An outgoing event ``before`` (a timedelta) the loss."""
    return LedgerCall(callee, LOST - before, kind)


def days(n, **extra):
    return timedelta(days=n, **extra)


EVERYONE = frozenset({MUM, DAD, WORK, GYM})


@pytest.mark.parametrize(
    ("calls", "known", "expected"),
    [
        # most recent first, each number once
        (
            [call(MUM, days(3)), call(DAD, days(1)), call(WORK, days(2)), call(MUM, days(1, hours=5))],
            EVERYONE,
            (DAD, MUM, WORK),
        ),
        # any stored format of the callee is one number
        ([call("89031112233", days(1)), call("+7 903 111-22-33", days(2))], EVERYONE, (MUM,)),
        # service numbers only: short numbers, USSD, the support line
        (
            [
                call("0890", days(1)),
                call("*100#", days(1), "ussd"),
                call("0500", days(2)),
                call("+78002500890", days(3)),
                call("8 800 250 08 90", days(4)),
            ],
            EVERYONE,
            (),
        ),
        # the claimant phoned 0890 to report the loss: it is not the last call
        ([call("0890", timedelta(minutes=5)), call(MUM, days(1))], EVERYONE, (MUM,)),
        # SMS and USSD are not calls
        ([call(MUM, days(1), "sms"), call(DAD, days(1), "ussd")], EVERYONE, ()),
        # only calls after the loss
        ([call(MUM, -days(1)), call(DAD, -timedelta(seconds=1))], EVERYONE, ()),
        # the window: exactly 30 days before counts, a second earlier does not
        ([call(MUM, days(30)), call(DAD, days(30, seconds=1))], EVERYONE, (MUM,)),
        # the loss itself: a second before counts, exactly at lostAt does not
        ([call(MUM, timedelta(seconds=1)), call(DAD, timedelta(0))], EVERYONE, (MUM,)),
        # a call-back number first seen 3 days before the loss never counts
        ([call(SCAM, days(0, hours=1)), call(MUM, days(2))], EVERYONE, (MUM,)),
        # ... and does not take one of the ten places
        (
            [call(SCAM, days(0, hours=1))]
            + [call(f"+7916000{i:04d}", days(1, minutes=i)) for i in range(10)],
            frozenset(f"+7916000{i:04d}" for i in range(10)),
            tuple(f"+7916000{i:04d}" for i in range(10)),
        ),
        # at most ten distinct numbers, the most recent
        (
            [call(f"+7916000{i:04d}", days(1, minutes=i)) for i in range(15)],
            frozenset(f"+7916000{i:04d}" for i in range(15)),
            tuple(f"+7916000{i:04d}" for i in range(10)),
        ),
        # nothing at all
        ([], EVERYONE, ()),
    ],
)
def test_reference_set(calls, known, expected):
    assert reference_set(calls, known, LOST, support_numbers=SUPPORT) == expected


def test_reference_set_does_not_trust_row_order():
    rows = [call(MUM, days(5)), call(DAD, days(1)), call(WORK, days(3))]
    assert (
        reference_set(rows[::-1], EVERYONE, LOST) == reference_set(rows, EVERYONE, LOST) == (DAD, WORK, MUM)
    )


def test_candidates_are_probed_before_the_known_filter():
    rows = [call(SCAM, days(0, hours=1)), call(MUM, days(2)), call("0890", days(1))]
    assert candidate_numbers(rows, LOST, support_numbers=SUPPORT) == (SCAM, MUM)


def test_call_at_2330_moscow_on_the_day_of_loss():
    # 23:30 in Moscow is 20:30 UTC the same day: before a loss at 23:45 MSK,
    # after a loss at 18:00 MSK, whatever zone the rows come back in.
    late_call = LedgerCall(MUM, datetime(2026, 11, 20, 20, 30, tzinfo=UTC), "voice")
    lost_late = datetime(2026, 11, 20, 23, 45, tzinfo=MSK)
    assert reference_set([late_call], {MUM}, lost_late) == (MUM,)
    assert reference_set([late_call], {MUM}, LOST) == ()


def test_window_and_cutoff():
    assert window_start(LOST) == LOST - timedelta(days=30)
    assert known_cutoff(LOST) == LOST - timedelta(days=7)
    assert window_start(LOST, CallSettings(window_days=10)) == LOST - timedelta(days=10)


def test_naive_lost_at_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        window_start(datetime(2026, 11, 20, 18, 0))


REFERENCE = (MUM, DAD, WORK, GYM)


@pytest.mark.parametrize(
    ("claimed", "reference", "status", "matched", "required"),
    [
        ([MUM, DAD, WORK], REFERENCE, MatchStatus.MATCH, 3, 2),
        ([MUM, DAD, SCAM], REFERENCE, MatchStatus.MATCH, 2, 2),
        (["8 903 111-22-33", "8 (925) 444 55 66", "84951234567"], REFERENCE, MatchStatus.MATCH, 3, 2),
        (["9031112233", "+7 925 4445566"], REFERENCE, MatchStatus.MATCH, 2, 2),
        ([MUM, SCAM, "+79990000000"], REFERENCE, MatchStatus.NO_MATCH, 1, 2),
        # one number in three formats counts once
        ([MUM, "8 903 111 22 33", "79031112233"], REFERENCE, MatchStatus.NO_MATCH, 1, 2),
        # service numbers and junk are never evidence
        (["0890", "*100#", MUM], REFERENCE, MatchStatus.NO_MATCH, 1, 2),
        (["8 800 250 08 90", "not a number", MUM], REFERENCE, MatchStatus.NO_MATCH, 1, 2),
        ([], REFERENCE, MatchStatus.NO_MATCH, 0, 2),
        # fewer than two on record: all of them
        ([MUM], (MUM,), MatchStatus.MATCH, 1, 1),
        ([MUM, DAD, WORK], (MUM,), MatchStatus.MATCH, 1, 1),
        ([DAD, WORK], (MUM,), MatchStatus.NO_MATCH, 0, 1),
        # none on record
        ([MUM, DAD, WORK], (), MatchStatus.NOT_AVAILABLE, 0, 2),
        ([], (), MatchStatus.NOT_AVAILABLE, 0, 2),
    ],
)
def test_check_calls(claimed, reference, status, matched, required):
    assert check_calls(claimed, reference) == CallCheck(status, matched, required)


def test_more_than_three_claimed_numbers_is_guessing():
    with pytest.raises(TooManyClaimedCalls):
        check_calls([MUM, DAD, WORK, GYM], REFERENCE)


def test_calls_required_is_a_setting():
    settings = CallSettings(calls_required=3)
    assert check_calls([MUM, DAD, SCAM], REFERENCE, settings).status is MatchStatus.NO_MATCH
    assert check_calls([MUM, DAD, WORK], REFERENCE, settings).status is MatchStatus.MATCH


def test_claimed_numbers_are_e164():
    assert claimed_numbers(["8 903 111-22-33", "+7 903 1112233", "0890"]) == frozenset({MUM})


def test_call_check_as_a_field():
    assert CallCheck(MatchStatus.MATCH, 2, 2).field == FieldResult(MatchStatus.MATCH)
    assert CallCheck(MatchStatus.MATCH, 2, 2).passed
    assert not CallCheck(MatchStatus.NOT_AVAILABLE, 0, 2).passed


def test_the_window_proves_numbers_called_before_the_cutoff():
    calls = [
        call(MUM, days(20)),  # before the cutoff: known without asking the ledger
        call(DAD, days(2)),  # only after the cutoff: the ledger must be asked
        call("8 495 123-45-67", days(8), "sms"),  # any kind, any format
        call("0890", days(10)),  # a service number is never a reference
        call(GYM, days(7)),  # exactly at the cutoff counts, as in the probe (<=)
    ]
    assert known_in_window(calls, LOST, support_numbers=SUPPORT) == {MUM, WORK, GYM}


def test_only_unproven_numbers_before_the_set_is_full_are_probed():
    settings = CallSettings(max_reference_numbers=2)
    assert numbers_to_probe((DAD, MUM, SCAM, WORK, GYM), {MUM, WORK}, settings) == (DAD, SCAM)
    assert numbers_to_probe((MUM, WORK, DAD), {MUM, WORK}, settings) == ()
    assert numbers_to_probe((), set(), settings) == ()


NUMBERS = (MUM, DAD, WORK, GYM, SCAM, "+79160000002", "+79160000003")


@given(
    events=st.lists(
        st.tuples(st.sampled_from(NUMBERS), st.integers(0, 30 * 24), st.sampled_from(["voice", "sms"])),
        max_size=40,
    ),
    earlier=st.sets(st.sampled_from(NUMBERS)),
    limit=st.integers(1, 4),
)
def test_probing_only_what_the_window_cannot_prove_gives_the_same_reference_set(events, earlier, limit):
    """Whatever the ledger holds, the shortcut finds the set that probing every candidate finds."""
    settings = CallSettings(max_reference_numbers=limit)
    calls = [call(number, timedelta(hours=hours, minutes=1), kind) for number, hours, kind in events]
    cutoff = known_cutoff(LOST, settings)
    # What the ledger knows at the cutoff: events in the window at or before it, and ``earlier`` ones.
    ledger_knows = earlier | {c.callee for c in calls if c.started_at <= cutoff}
    candidates = candidate_numbers(calls, LOST, settings=settings)
    proven = known_in_window(calls, LOST, settings=settings)
    assert proven <= ledger_knows
    probed = ledger_knows & set(numbers_to_probe(candidates, proven, settings))
    assert reference_set(calls, proven | probed, LOST, settings=settings) == reference_set(
        calls, ledger_knows, LOST, settings=settings
    )
