"""The synthetic ledger: valid for the importer, unique, in time order, shaped like billing's."""

from __future__ import annotations

import csv
import io
import itertools
import tracemalloc
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from recovery.ledger.generator import (
    LedgerShape,
    generate_ledger,
    subscriber_msisdn,
    synthetic_subscriber,
    write_ledger,
    write_subscribers,
    zipf_rank,
)
from recovery.ledger.imports import CALL_HEADER, SUBSCRIBER_HEADER, parse_call_row, parse_subscriber_row
from recovery.ledger.mix import Profile, bulk_senders, mix_events_per_subscriber, profile
from recovery.phones import is_service_number, to_e164

END = datetime(2026, 11, 25, tzinfo=UTC)
SHAPE = LedgerShape(subscribers=200, events_per_subscriber=60, end=END, months=2)


@pytest.fixture(scope="module")
def rows() -> list[list[str]]:
    out = io.StringIO()
    write_ledger(SHAPE, out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_the_file_has_the_importers_header_and_exactly_the_events_asked_for(rows):
    assert tuple(rows[0]) == CALL_HEADER
    assert len(rows) - 1 == SHAPE.total_events == 12_000


def test_every_row_passes_the_importers_checks(rows):
    for fields in rows[1:]:
        parse_call_row(fields)  # raises RowInvalid on a bad row


def test_the_natural_key_is_unique_so_a_plain_copy_never_conflicts(rows):
    keys = [(caller, callee, parse_time(at), kind) for caller, callee, at, _, kind, _ in rows[1:]]
    assert len(set(keys)) == len(keys)


def test_rows_come_in_time_order_within_the_history(rows):
    times = [parse_time(fields[2]) for fields in rows[1:]]
    assert times == sorted(times)
    assert END - timedelta(days=SHAPE.days + 1) <= times[0] and times[-1] < END


def test_callers_are_subscribers_or_the_outside_world_calling_in(rows):
    subscribers = {subscriber_msisdn(i) for i in range(SHAPE.subscribers)}
    for caller, callee, *_ in rows[1:]:
        assert caller in subscribers or callee in subscribers
    assert {caller for caller, *_ in rows[1:]} & subscribers == subscribers


def test_service_numbers_appear_as_billing_sends_them(rows):
    callees = Counter(callee for _, callee, *_ in rows[1:])
    for service in ("0890", "0500", "*100#"):
        assert callees[service] > 0
        assert is_service_number(service)
    kinds = Counter(fields[4] for fields in rows[1:])
    assert kinds["voice"] > kinds["sms"] > kinds["ussd"] > 0


def test_callee_popularity_is_heavy_tailed(rows):
    full = Counter(callee for _, callee, _, _, kind, _ in rows[1:] if callee.startswith("+"))
    counts = sorted(full.values(), reverse=True)
    median = counts[len(counts) // 2]
    assert counts[0] >= 20 * median


def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not():
    def text(seed: int) -> str:
        out = io.StringIO()
        write_ledger(LedgerShape(subscribers=20, events_per_subscriber=10, end=END, months=1, seed=seed), out)
        return out.getvalue()

    assert text(1) == text(1)
    assert text(1) != text(2)


def test_the_ledger_is_streamed_not_built_in_memory():
    # 36 million events: materialised they would take gigabytes.
    huge = LedgerShape(subscribers=10_000, events_per_subscriber=3_600, end=END, months=120)
    tracemalloc.start()
    try:
        first = list(itertools.islice(generate_ledger(huge), 1_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(first) == 1_000
    assert peak < 32 * 2**20


@pytest.mark.parametrize("u", [0.0, 1e-9, 0.5, 0.999999])
@pytest.mark.parametrize("size", [1, 10, 100_000])
def test_zipf_ranks_stay_within_the_pool(u, size):
    assert 1 <= zipf_rank(u, size) <= size


def test_zipf_ranks_favour_the_top():
    ranks = [zipf_rank(i / 10_000, 1_000) for i in range(10_000)]
    assert ranks.count(1) > ranks.count(10) > ranks.count(100)


def test_subscriber_numbers_are_valid_distinct_and_stable():
    numbers = [subscriber_msisdn(i) for i in range(5_000)]
    assert len(set(numbers)) == 5_000
    assert all(to_e164(number) == number for number in numbers[:500])


def test_generated_subscribers_pass_the_importers_checks_and_match_the_ledger():
    out = io.StringIO()
    assert write_subscribers(30, out) == 30
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == SUBSCRIBER_HEADER
    for index, fields in enumerate(rows[1:]):
        values = parse_subscriber_row(fields, pii_key="k" * 32)
        assert values["msisdn"] == subscriber_msisdn(index)
    assert len({fields[5] for fields in rows[1:]}) == 30  # one ICCID each


def test_a_subscriber_is_the_same_person_whichever_order_they_are_asked_for():
    assert synthetic_subscriber(7) == synthetic_subscriber(7)
    assert synthetic_subscriber(7) != synthetic_subscriber(8)


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


# --- The mix of subscribers (issue 16) ------------------------------------------

MIX_SUBSCRIBERS = 200


@pytest.fixture(scope="module")
def mix() -> dict:
    """Six months of 200 subscribers at the mix's mean: each subscriber's events, and SMS among them."""
    events = mix_events_per_subscriber(MIX_SUBSCRIBERS, 6, SHAPE.seed)
    shape = LedgerShape(subscribers=MIX_SUBSCRIBERS, events_per_subscriber=events, end=END, months=6)
    ours = {subscriber_msisdn(i): i for i in range(MIX_SUBSCRIBERS)}
    counts, sms, callees = Counter(), Counter(), set()
    for caller, callee, _, _, kind, _ in generate_ledger(shape):
        # The caller's event when the caller is ours, else the subscriber's it reached.
        owner = caller if caller in ours else callee
        counts[owner] += 1
        sms[owner] += kind == "sms"
        callees.add(callee)
    profiles = {number: profile(SHAPE.seed, MIX_SUBSCRIBERS, i) for number, i in ours.items()}
    return {"counts": counts, "sms": sms, "callees": callees, "profiles": profiles}


def of(mix: dict, kind: Profile) -> list[str]:
    return [number for number, p in mix["profiles"].items() if p is kind]


def test_most_subscribers_have_200_to_500_events_in_six_months(mix):
    ordinary = of(mix, Profile.ORDINARY)
    assert len(ordinary) >= 0.9 * MIX_SUBSCRIBERS
    within = [n for n in ordinary if 200 <= mix["counts"][n] <= 500]
    assert len(within) >= 0.9 * len(ordinary)


def test_a_tail_of_heavy_users_with_thousands_of_events_half_of_them_sms(mix):
    heavy = of(mix, Profile.HEAVY)
    assert 0.02 * MIX_SUBSCRIBERS <= len(heavy) <= 0.08 * MIX_SUBSCRIBERS
    for number in heavy:
        assert mix["counts"][number] >= 3_000
        assert 0.4 <= mix["sms"][number] / mix["counts"][number] <= 0.6


def test_bulk_senders_write_to_many_and_nobody_writes_to_them(mix):
    bulk = of(mix, Profile.BULK)
    assert len(bulk) == bulk_senders(MIX_SUBSCRIBERS) == 3
    for number in bulk:
        assert mix["counts"][number] == mix["sms"][number] >= 2 * (MIX_SUBSCRIBERS - 3)
        assert number not in mix["callees"]


def test_the_profiles_follow_from_the_seed():
    assert [profile(1, 1_000, i) for i in range(1_000)] == [profile(1, 1_000, i) for i in range(1_000)]
    assert [profile(1, 1_000, i) for i in range(1_000)] != [profile(2, 1_000, i) for i in range(1_000)]
    assert bulk_senders(40) == 0
