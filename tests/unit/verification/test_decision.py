"""Decisions (DESIGN 2.3): outcome, messages, ticket; locks."""

from datetime import UTC, datetime, timedelta

import pytest

from recovery.verification import settings
from recovery.verification.calls import CallCheck
from recovery.verification.decision import UNLOCKED, Decision, LockState, lock_state
from recovery.verification.decision import decide as decide_at
from recovery.verification.messages import Message, MessageCode
from recovery.verification.results import FieldResult, MatchStatus
from recovery.verification.settings import Policy
from recovery.verification.verify import Verification
from recovery.vocabulary import Action, Outcome

HOME, ELSEWHERE = "RU-MOW", "RU-NVS"
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def decide(verified, *, lost_at=NOW, claimed_at=NOW, **context):
    """The decision on a claim made at NOW about a loss at NOW, unless told otherwise."""
    return decide_at(verified, lost_at=lost_at, claimed_at=claimed_at, **context)


def verification(name=True, passport=True, address=True, calls=MatchStatus.MATCH, post_loss=0):
    def field(ok):
        return FieldResult.match() if ok else FieldResult.no_match(40)

    check = CallCheck(calls, 2 if calls is MatchStatus.MATCH else 0, 2)
    return Verification(field(name), field(passport), field(address), check, post_loss)


FULL = verification()
IDENTITY_ONLY = verification(address=False, calls=MatchStatus.NO_MATCH)

SIM_BLOCKED = Message.of(MessageCode.SIM_BLOCKED)
REJECTED = Decision(Outcome.REJECTED, (Message.of(MessageCode.VERIFICATION_FAILED),))
REISSUED = Decision(
    Outcome.REISSUE,
    (
        Message.of(MessageCode.REISSUE_TICKET_OPENED, region=HOME),
        Message.of(MessageCode.COOLING_PERIOD, hours=24),
    ),
    ticket_region=HOME,
)


def blocked(*reasons, failed_proof=False):
    return Decision(Outcome.BLOCK, (SIM_BLOCKED, *reasons), failed_reissue_proof=failed_proof)


OFFICE = Message.of(MessageCode.REISSUE_NEEDS_OFFICE_VISIT, region=HOME)


@pytest.mark.parametrize(
    ("verified", "action", "where", "expected"),
    [
        # block: name and passport, anywhere
        (IDENTITY_ONLY, Action.BLOCK, HOME, blocked()),
        (IDENTITY_ONLY, Action.BLOCK, ELSEWHERE, blocked()),
        (FULL, Action.BLOCK, ELSEWHERE, blocked()),
        # reissue: everything, in the home region
        (FULL, Action.REISSUE, HOME, REISSUED),
        (FULL, Action.REISSUE, "ru-mow", REISSUED),
        # reissue: everything, elsewhere → block, home region named
        (
            FULL,
            Action.REISSUE,
            ELSEWHERE,
            blocked(Message.of(MessageCode.REISSUE_HOME_REGION_ONLY, region=HOME)),
        ),
        # reissue: only name and passport → block, visit a home-region office
        (
            IDENTITY_ONLY,
            Action.REISSUE,
            HOME,
            blocked(OFFICE, failed_proof=True),
        ),
        (
            verification(address=False),
            Action.REISSUE,
            HOME,
            blocked(OFFICE, failed_proof=True),
        ),
        (
            verification(calls=MatchStatus.NO_MATCH),
            Action.REISSUE,
            HOME,
            blocked(OFFICE, failed_proof=True),
        ),
        (
            verification(calls=MatchStatus.NOT_AVAILABLE),
            Action.REISSUE,
            HOME,
            blocked(OFFICE, failed_proof=True),
        ),
        # less than name and passport → rejected, whatever else matched
        (verification(name=False), Action.BLOCK, HOME, REJECTED),
        (verification(passport=False), Action.BLOCK, HOME, REJECTED),
        (verification(name=False), Action.REISSUE, HOME, REJECTED),
        (verification(passport=False), Action.REISSUE, HOME, REJECTED),
        (verification(False, False, False, MatchStatus.NO_MATCH), Action.REISSUE, HOME, REJECTED),
    ],
)
def test_decision_table(verified, action, where, expected):
    assert decide(verified, action=action, current_region=where, home_region=HOME) == expected


def test_unknown_number_is_rejected_exactly_like_a_wrong_answer():
    unknown = decide(FULL, action=Action.REISSUE, current_region=HOME, home_region=None)
    wrong = decide(verification(passport=False), action=Action.REISSUE, current_region=HOME, home_region=HOME)
    assert unknown == wrong == REJECTED


@pytest.mark.parametrize("verified", [FULL, verification(name=False)])
@pytest.mark.parametrize("home", [HOME, None])
def test_a_lock_comes_first_for_every_number(verified, home):
    lock = LockState(locked=True, until=NOW + timedelta(hours=3))
    decision = decide(verified, action=Action.BLOCK, current_region=HOME, home_region=home, lock=lock)
    assert decision == Decision(
        Outcome.LOCKED,
        (Message.of(MessageCode.NUMBER_LOCKED, until=NOW + timedelta(hours=3)),),
        locked_until=NOW + timedelta(hours=3),
    )
    assert not decision.blocks_sim and not decision.counts_as_failure


def test_home_region_rule_off_reissues_where_the_claimant_is():
    policy = Policy(reissue_home_region_only=False)
    decision = decide(FULL, action=Action.REISSUE, current_region=ELSEWHERE, home_region=HOME, policy=policy)
    assert decision.outcome is Outcome.REISSUE
    assert decision.ticket_region == ELSEWHERE
    assert decision.messages[0] == Message.of(MessageCode.REISSUE_TICKET_OPENED, region=ELSEWHERE)


@pytest.mark.parametrize("where", [HOME, ELSEWHERE])
def test_reissue_in_person_only_turns_a_reissue_into_a_block(where):
    decision = decide(
        FULL, action=Action.REISSUE, current_region=where, home_region=HOME, reissue_in_person_only=True
    )
    assert decision == blocked(Message.of(MessageCode.REISSUE_IN_PERSON_ONLY, region=HOME))


def test_reissue_in_person_only_does_not_stop_a_block():
    decision = decide(
        FULL, action=Action.BLOCK, current_region=HOME, home_region=HOME, reissue_in_person_only=True
    )
    assert decision == blocked()


def test_an_open_reissue_ticket_is_reused():
    decision = decide(
        FULL, action=Action.REISSUE, current_region=HOME, home_region=HOME, open_reissue_region=HOME
    )
    assert decision == Decision(
        Outcome.REISSUE, (Message.of(MessageCode.REISSUE_TICKET_EXISTS, region=HOME),), reuse_open_ticket=True
    )
    assert decision.ticket_region is None


def test_an_open_ticket_is_not_revealed_to_a_failed_claim():
    decision = decide(
        verification(passport=False),
        action=Action.REISSUE,
        current_region=HOME,
        home_region=HOME,
        open_reissue_region=HOME,
    )
    assert decision == REJECTED


@pytest.mark.parametrize(
    ("verified", "action", "where", "shown"),
    [
        (verification(post_loss=3), Action.BLOCK, HOME, True),
        (verification(post_loss=3), Action.REISSUE, HOME, True),
        (verification(post_loss=3), Action.REISSUE, ELSEWHERE, True),
        (verification(passport=False, post_loss=3), Action.BLOCK, HOME, False),
        (verification(post_loss=0), Action.BLOCK, HOME, False),
    ],
)
def test_post_loss_activity_is_reported_to_a_proven_claimant(verified, action, where, shown):
    decision = decide(verified, action=action, current_region=where, home_region=HOME)
    assert (Message.of(MessageCode.POST_LOSS_ACTIVITY, count=3) in decision.messages) is shown


@pytest.mark.parametrize(
    ("outcome", "blocks", "fails"),
    [
        (Outcome.BLOCK, True, False),
        (Outcome.REISSUE, True, False),
        (Outcome.REJECTED, False, True),
        (Outcome.LOCKED, False, False),
    ],
)
def test_decision_properties(outcome, blocks, fails):
    decision = Decision(outcome, ())
    assert (decision.blocks_sim, decision.counts_as_failure) == (blocks, fails)


def hours_ago(*hours):
    return [NOW - timedelta(hours=h) for h in hours]


@pytest.mark.parametrize(
    ("failures", "unlocked_at", "expected"),
    [
        ([], None, UNLOCKED),
        (hours_ago(4, 3, 2, 1), None, UNLOCKED),
        (hours_ago(5, 4, 3, 2, 1), None, LockState(True, NOW + timedelta(hours=23))),
        # order of the rows does not matter
        (hours_ago(1, 3, 5, 2, 4), None, LockState(True, NOW + timedelta(hours=23))),
        # five within 24 h, the burst ending a day ago: expired exactly now
        (hours_ago(40, 30, 28, 26, 24), None, UNLOCKED),
        (hours_ago(40, 30, 28, 26, 23.5), None, LockState(True, NOW + timedelta(minutes=30))),
        # five failures, but never five within 24 h
        (hours_ago(60, 45, 30, 15, 1), None, UNLOCKED),
        # a supervisor's unlock forgives the earlier failures
        (hours_ago(5, 4, 3, 2, 1), NOW - timedelta(minutes=30), UNLOCKED),
        (hours_ago(9, 8, 4, 3, 2, 1), NOW - timedelta(hours=5), UNLOCKED),
        (hours_ago(9, 5, 4, 3, 2, 1), NOW - timedelta(hours=6), LockState(True, NOW + timedelta(hours=23))),
    ],
)
def test_lock_state(failures, unlocked_at, expected):
    assert lock_state(failures, NOW, unlocked_at=unlocked_at) == expected


def test_lock_numbers_are_settings():
    policy = Policy(max_failed_claims=3, lock_hours=2)
    assert lock_state(hours_ago(1.5, 1, 0.5), NOW, policy=policy) == LockState(
        True, NOW + timedelta(hours=1.5)
    )
    assert lock_state(hours_ago(3, 1, 0.5), NOW, policy=policy) == UNLOCKED


def test_lock_state_needs_aware_times():
    with pytest.raises(ValueError, match="timezone-aware"):
        lock_state([datetime(2026, 1, 1)] * 5, NOW)


# --- The claimant chooses lostAt: it never makes a remote reissue easier (issue 12, item 1) ---------


def one_of_one():
    """Every answer right, but the (old) window held one number only: the check passes on 1 of 1."""
    return Verification(
        FieldResult.match(), FieldResult.match(), FieldResult.match(), CallCheck(MatchStatus.MATCH, 1, 1), 0
    )


def test_a_reissue_needs_two_matched_numbers_even_where_fewer_are_on_record():
    decision = decide(one_of_one(), action=Action.REISSUE, current_region=HOME, home_region=HOME)
    assert decision == blocked(OFFICE, failed_proof=True)


@pytest.mark.parametrize(
    ("age", "outcome"),
    [
        (timedelta(0), Outcome.REISSUE),
        (timedelta(hours=settings.MAX_REMOTE_LOSS_AGE_HOURS), Outcome.REISSUE),
        (timedelta(hours=settings.MAX_REMOTE_LOSS_AGE_HOURS, seconds=1), Outcome.BLOCK),
        (timedelta(days=50), Outcome.BLOCK),
    ],
)
def test_a_remote_reissue_needs_a_recent_loss(age, outcome):
    decision = decide(FULL, action=Action.REISSUE, current_region=HOME, home_region=HOME, lost_at=NOW - age)
    assert decision.outcome is outcome
    if outcome is Outcome.BLOCK:
        # The office message, as for a wrong answer: nothing tells the loss time was the reason.
        assert decision == blocked(OFFICE)


@pytest.mark.parametrize("age", [timedelta(0), timedelta(days=50), timedelta(days=365)])
def test_a_block_stays_available_for_any_loss_time(age):
    decision = decide(
        IDENTITY_ONLY, action=Action.BLOCK, current_region=HOME, home_region=HOME, lost_at=NOW - age
    )
    assert decision == blocked()


@pytest.mark.parametrize(
    ("events", "outcome"),
    [
        (settings.MAX_POST_LOSS_FOR_REISSUE, Outcome.REISSUE),
        (settings.MAX_POST_LOSS_FOR_REISSUE + 1, Outcome.BLOCK),
        (92, Outcome.BLOCK),
    ],
)
def test_heavy_post_loss_activity_turns_a_reissue_into_an_office_visit(events, outcome):
    decision = decide(
        verification(post_loss=events), action=Action.REISSUE, current_region=HOME, home_region=HOME
    )
    assert decision.outcome is outcome
    if outcome is Outcome.BLOCK:
        assert decision.messages[:2] == (SIM_BLOCKED, OFFICE)
        assert not decision.failed_reissue_proof


@pytest.mark.parametrize(
    ("failed_before", "outcome"),
    [
        (0, Outcome.REISSUE),
        (settings.MAX_FAILED_REISSUE_PROOFS - 1, Outcome.REISSUE),
        (settings.MAX_FAILED_REISSUE_PROOFS, Outcome.BLOCK),
    ],
)
def test_spent_reissue_proofs_leave_reissue_in_person_only(failed_before, outcome):
    decision = decide(
        FULL,
        action=Action.REISSUE,
        current_region=HOME,
        home_region=HOME,
        failed_reissue_proofs=failed_before,
    )
    assert decision.outcome is outcome
    if outcome is Outcome.BLOCK:
        assert decision == blocked(OFFICE)


@pytest.mark.parametrize(
    ("verified", "action", "counted"),
    [
        (IDENTITY_ONLY, Action.REISSUE, True),
        (verification(address=False), Action.REISSUE, True),
        (verification(calls=MatchStatus.NO_MATCH), Action.REISSUE, True),
        (FULL, Action.REISSUE, False),
        (IDENTITY_ONLY, Action.BLOCK, False),
        (verification(passport=False), Action.REISSUE, False),
    ],
)
def test_which_claims_are_failed_reissue_proofs(verified, action, counted):
    decision = decide(verified, action=action, current_region=HOME, home_region=HOME)
    assert decision.failed_reissue_proof is counted


def test_every_office_reason_reads_the_same():
    reasons = [
        decide(IDENTITY_ONLY, action=Action.REISSUE, current_region=HOME, home_region=HOME),
        decide(one_of_one(), action=Action.REISSUE, current_region=HOME, home_region=HOME),
        decide(
            FULL,
            action=Action.REISSUE,
            current_region=HOME,
            home_region=HOME,
            lost_at=NOW - timedelta(days=9),
        ),
        decide(verification(post_loss=50), action=Action.REISSUE, current_region=HOME, home_region=HOME),
        decide(FULL, action=Action.REISSUE, current_region=HOME, home_region=HOME, failed_reissue_proofs=3),
    ]
    assert {decision.messages[:2] for decision in reasons} == {(SIM_BLOCKED, OFFICE)}


def test_the_post_loss_cap_stays_above_the_reissue_threshold():
    assert settings.POST_LOSS_COUNT_CAP > settings.MAX_POST_LOSS_FOR_REISSUE
    with pytest.raises(ValueError, match="POST_LOSS_COUNT_CAP"):
        Policy(max_post_loss_for_reissue=settings.POST_LOSS_COUNT_CAP)
