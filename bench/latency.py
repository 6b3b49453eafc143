"""What the latency benches share (``bench.network``, ``bench.subscription_events``): the
figures of a list of timings, and one run on SQLite and one on the local PostgreSQL."""

from __future__ import annotations

import os
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path


def figures(times: list[float], counted: str) -> dict[str, float]:
    """``counted`` (how many), median, p99 and max in milliseconds."""
    ordered = sorted(times)
    return {
        counted: len(times),
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def on_both_databases(run: Callable[[str, Path], list[float]], counted: str) -> dict[str, dict[str, float]]:
    """``run(database_url, scratch_directory)`` on SQLite, then on PostgreSQL when ``BENCH_PG``
    (default ``postgresql://postgres@127.0.0.1:5432``) answers; the figures of each."""
    from tests.helpers.databases import PostgresDatabases

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "sqlite").mkdir()
        results["sqlite"] = figures(run(f"sqlite:///{root}/bench.sqlite3", root / "sqlite"), counted)
        pg_url = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432").replace(
            "postgresql://", "postgresql+psycopg://", 1
        )
        try:
            server = PostgresDatabases(f"{pg_url}/postgres")
            name = server.create()
        except Exception as exc:  # no PostgreSQL here: SQLite's figure stands alone
            print(f"PostgreSQL skipped: {type(exc).__name__}")
        else:
            try:
                (root / "pg").mkdir()
                results["postgresql"] = figures(run(server.url_for(name), root / "pg"), counted)
            finally:
                server.drop(name)
    return results
