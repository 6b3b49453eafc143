"""Property (issue 12, item 1): the claimant's ``lostAt`` never makes a remote reissue easier.

The ledger and the answers are generated; the verification is built from the
engine's own pure functions (reference set, call check, post-loss count) at a
chosen ``lostAt`` and at ``lostAt = now``, as the repository would feed them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from recovery.verification.calls import LedgerCall, check_calls, known_cutoff, reference_set
from recovery.verification.decision import decide
from recovery.verification.results import FieldResult
from recovery.verification.settings import (
    CALLS_REQUIRED,
    DEFAULT_POLICY,
    MAX_POST_LOSS_FOR_REISSUE,
    MAX_REMOTE_LOSS_AGE_HOURS,
    MIN_KNOWN_DAYS,
    POST_LOSS_COUNT_CAP,
)
from recovery.verification.verify import Verification
from recovery.vocabulary import Action, Outcome

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
HOME = "RU-MOW"
#: A dozen contacts, so that a claim of three may hit or miss.
CONTACTS = [f"+7916{n:07d}" for n in range(1, 13)]
MINUTE = 60

calls = st.builds(
    LedgerCall,
    callee=st.sampled_from(CONTACTS),
    started_at=st.integers(0, 400 * 24 * 60).map(lambda minutes: NOW - timedelta(minutes=minutes)),
    kind=st.sampled_from(["voice", "voice", "sms"]),
)
ledgers = st.lists(calls, max_size=60)
claims = st.lists(st.sampled_from(CONTACTS), min_size=0, max_size=3, unique=True)
loss_times = st.integers(0, 366 * 24 * 60).map(lambda minutes: NOW - timedelta(minutes=minutes))


def verification_at(ledger: list[LedgerCall], claimed: list[str], lost_at: datetime) -> Verification:
    """Every answer right but the calls, which are checked against ``ledger`` as of ``lost_at``."""
    cutoff = known_cutoff(lost_at)
    known = {call.callee for call in ledger if call.started_at <= cutoff}
    reference = reference_set(ledger, known, lost_at)
    post_loss = min(POST_LOSS_COUNT_CAP, sum(call.started_at >= lost_at for call in ledger))
    ok = FieldResult.match()
    return Verification(ok, ok, ok, check_calls(claimed, reference), post_loss)


def reissued(ledger: list[LedgerCall], claimed: list[str], lost_at: datetime) -> bool:
    verification = verification_at(ledger, claimed, lost_at)
    decision = decide(
        verification,
        action=Action.REISSUE,
        current_region=HOME,
        home_region=HOME,
        lost_at=lost_at,
        claimed_at=NOW,
        policy=DEFAULT_POLICY,
    )
    return decision.outcome is Outcome.REISSUE


@settings(max_examples=300, deadline=None)
@given(ledgers, claims, loss_times)
def test_a_remote_reissue_needs_a_recent_loss_two_numbers_and_a_quiet_sim(ledger, claimed, lost_at):
    """Whatever the ledger and the lostAt, a remote reissue meets every limit of DESIGN 2.2."""
    if reissued(ledger, claimed, lost_at):
        verification = verification_at(ledger, claimed, lost_at)
        assert NOW - lost_at <= timedelta(hours=MAX_REMOTE_LOSS_AGE_HOURS)
        assert verification.calls.matched >= CALLS_REQUIRED
        assert verification.post_loss_events <= MAX_POST_LOSS_FOR_REISSUE


#: Events at least this long before the claim are on either side of every
#: cutoff the same way, whatever lostAt within MAX_REMOTE_LOSS_AGE_HOURS: the
#: reference sets of lostAt and of now are then built from the same facts, and
#: the comparison isolates what the claimant chose.
SETTLED = timedelta(hours=MAX_REMOTE_LOSS_AGE_HOURS) + timedelta(days=MIN_KNOWN_DAYS)
settled_calls = st.builds(
    LedgerCall,
    callee=st.sampled_from(CONTACTS),
    started_at=st.integers(int(SETTLED.total_seconds() // MINUTE), 26 * 24 * 60).map(
        lambda minutes: NOW - timedelta(minutes=minutes)
    ),
    kind=st.sampled_from(["voice", "voice", "sms"]),
)
recent_calls = st.builds(
    LedgerCall,
    callee=st.sampled_from(CONTACTS),
    started_at=st.integers(0, int(SETTLED.total_seconds() // MINUTE)).map(
        lambda minutes: NOW - timedelta(minutes=minutes)
    ),
    kind=st.sampled_from(["voice", "sms", "ussd"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(settled_calls, max_size=40), st.lists(recent_calls, max_size=40), claims, loss_times)
def test_no_loss_time_gives_a_reissue_that_now_refuses(settled, recent, claimed, lost_at):
    """For the same answers and ledger, lostAt = now is never harder than a lostAt the claimant picks.

    ``recent`` events (the last days, possibly a finder's) count as post-loss
    activity at an early lostAt; at lostAt = now they are evidence or nothing.
    They are kept only where they cannot change the reference set at now
    (numbers already among the settled contacts), so the comparison is of the
    same reference facts.
    """
    contacts = {call.callee for call in settled if call.kind == "voice"}
    ledger = settled + [call for call in recent if call.callee in contacts and call.kind != "voice"]
    if reissued(ledger, claimed, lost_at):
        assert reissued(ledger, claimed, NOW)
