"""Measuring two request paths against each other: interleaved tries, medians, a margin.

An enumeration test asks whether a stranger can tell "this number is not
ours" from "one of the answers was wrong" by the clock. Each path runs
``TRIES`` times, alternating (so that a slow moment of a shared machine falls
on both), and the medians must lie within ``MARGIN_RATIO`` of each other or
``MARGIN_SECONDS``, whichever is larger. It measures; nothing sleeps.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

#: Tries per path.
TRIES = 40
#: Allowed difference of the medians: 25 % of the faster one, or 5 ms, whichever is larger.
MARGIN_RATIO = 0.25
MARGIN_SECONDS = 0.005


@dataclass(frozen=True)
class Timings:
    """Median seconds of two paths measured side by side."""

    label: str
    first: float
    second: float

    @property
    def margin(self) -> float:
        """The largest difference of the medians that still counts as alike."""
        return max(MARGIN_RATIO * min(self.first, self.second), MARGIN_SECONDS)

    @property
    def alike(self) -> bool:
        """Whether the medians are within the margin."""
        return abs(self.first - self.second) <= self.margin

    def __str__(self) -> str:
        return (
            f"{self.label}: median {self.first * 1000:.2f} ms vs {self.second * 1000:.2f} ms "
            f"(difference {abs(self.first - self.second) * 1000:.2f} ms, margin {self.margin * 1000:.2f} ms)"
        )


def timed(action: Callable[[], object]) -> float:
    """Seconds ``action`` took."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def compare(
    label: str,
    first: Callable[[int], float],
    second: Callable[[int], float],
    tries: int = TRIES,
) -> Timings:
    """Run ``first(n)`` and ``second(n)`` alternately ``tries`` times each; each returns its seconds.

    The functions time only the request under test (``timed``), so that
    preparing a try (a fresh form, a captcha) does not count.
    """
    a: list[float] = []
    b: list[float] = []
    for n in range(tries):
        # Alternate which path goes first, so neither always follows the other's cache misses.
        if n % 2:
            b.append(second(n))
            a.append(first(n))
        else:
            a.append(first(n))
            b.append(second(n))
    result = Timings(label, statistics.median(a), statistics.median(b))
    print(result)  # the figures, for the report (pytest -s)
    return result
