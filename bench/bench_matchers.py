"""Microbenchmark of the pure matchers: names and addresses compared per second.

Run: ``python bench/bench_matchers.py [seconds-per-case]``. Prints one line per
case; not a test, so that timings never make the suite flaky.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recovery.verification.addresses import match_address, normalise_address
from recovery.verification.calls import check_calls
from recovery.verification.names import PersonName, match_full_name, normalise_name

RECORD = PersonName("Римский-Корсаков", "Николай", "Андреевич")
ADDRESS = "141400, Московская обл., г. Химки, пр-т Мира, д. 7, корп. 2, стр. 1, кв. 45"
REFERENCE = tuple(f"+7916555{i:04d}" for i in range(10))

CASES: dict[str, Callable[[], object]] = {
    "normalise_name": lambda: normalise_name("  РИМСКИЙ - корсаков,  Николай Андреевич "),
    "name, exact": lambda: match_full_name("Римский-Корсаков Николай Андреевич", RECORD),
    "name, reordered with a typo": lambda: match_full_name("Николай Андреевчи Римский Корсаков", RECORD),
    "name, Latin": lambda: match_full_name("Rimsky-Korsakov Nikolai Andreyevich", RECORD),
    "name, different person": lambda: match_full_name("Римский-Корсаков Николай Петрович", RECORD),
    "normalise_address": lambda: normalise_address(ADDRESS),
    "address, same": lambda: match_address("Химки, просп. Мира д 7 к. 2 стр 1 кв 45", ADDRESS),
    "address, neighbour's flat": lambda: match_address("Химки, просп. Мира д 7 к. 2 стр 1 кв 46", ADDRESS),
    "calls, three claimed": lambda: check_calls(
        ["8 916 555-00-01", "+7 916 5550002", "9031112233"], REFERENCE
    ),
}


def ops_per_second(case: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``case`` over about ``seconds``."""
    case()  # warm caches (Unidecode tables, regexes) before timing
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(100):
            case()
        calls += 100
    return calls / elapsed


def main() -> None:
    """Print ops/s for every case."""
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    width = max(map(len, CASES))
    for name, case in CASES.items():
        print(f"{name:<{width}}  {ops_per_second(case, seconds):>10,.0f} ops/s")


if __name__ == "__main__":
    main()
