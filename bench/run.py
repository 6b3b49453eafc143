"""``make bench``: the ledger at 1 M and 10 M events on the local PostgreSQL, each figure
beside a baseline measured in the same run (issue 8).

Run from the project root: ``python -m bench.run [--scale small|full]``
(``BENCH_SCALE`` is the default). Writes ``bench/results/latest.json`` and
``bench/results/latest.md`` and prints the table. Needs PostgreSQL at
``BENCH_PG`` (default ``postgresql://postgres@127.0.0.1:5432``), ``psql`` and,
for the HTTP figures, ``wrk``. Generated files go to ``bench/data/`` (reused
when the same shape was generated before) and databases are named
``bench_*`` (dropped and re-created).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from cryptography.fernet import Fernet
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bench import enumeration, http_load
from bench.callcheck import measure, sample_checks
from bench.floor import create_floor
from bench.report import render_markdown
from recovery.ledger.generator import DEFAULT_SEED, subscriber_msisdn
from recovery.ledger.mix import Profile, mix_events_per_subscriber, profile
from recovery.ledger.partitions import month_of

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]
HISTORY_MONTHS = 6
#: Ledger sizes per scale, as subscriber counts: the generator's mix (recovery/ledger/mix.py)
#: averages ~550 events a subscriber in six months, so ~1.1 M and ~11 M events at full scale.
SCALES = {"small": (200, 2_000), "full": (2_000, 20_000)}
CALL_CHECKS = 1_000
#: Checks of heavy users only (the 5 % tail with 3 000+ events), reported apart.
HEAVY_CHECKS = 300
#: Alternating COPY/import rounds for the smaller and the larger ledger (the larger takes minutes).
ROUNDS = (2, 1)
#: Part of the generated files' names: bump it when the generator's output changes.
GENERATOR_VERSION = 3
# The ledger ends at the start of today (UTC): losses are reported "now", after it, and
# files generated earlier the same day are reused.
LEDGER_END = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
COPY_COLUMNS = "caller, callee, started_at, duration_s, kind, region"


def log(message: str) -> None:
    """Progress on stderr, with the time."""
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


class Postgres:
    """Creates, drops and addresses the benchmark's databases."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def admin(self) -> psycopg.Connection:
        """An autocommit connection to the maintenance database."""
        return psycopg.connect(f"{self.url}/postgres", autocommit=True)

    def recreate(self, name: str) -> None:
        """Drop ``name`` if it exists and create it empty."""
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')

    def drop(self, name: str) -> None:
        """Drop ``name``."""
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def sqlalchemy_url(self, name: str) -> str:
        """The application's URL of ``name``."""
        return f"{self.url.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"

    def libpq_url(self, name: str) -> str:
        """The libpq URL of ``name`` (psql, psycopg)."""
        return f"{self.url}/{name}"

    def checkpoint(self, name: str) -> None:
        """Write dirty pages out so one measurement does not pay for the previous one."""
        with psycopg.connect(self.libpq_url(name), autocommit=True) as conn:
            conn.execute("CHECKPOINT")

    def version(self) -> str:
        """The server's version string."""
        with self.admin() as conn:
            return conn.execute("SHOW server_version").fetchone()[0]


def app_env(pg: Postgres, database: str, secrets_env: dict[str, str]) -> dict[str, str]:
    """The environment of the application's commands and server for ``database``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "DATABASE_URL"))}
    env.update(secrets_env)
    env["DATABASE_URL"] = pg.sqlalchemy_url(database)
    return env


def run(cmd: list[str], env: dict[str, str] | None = None, log_path: Path | None = None) -> None:
    """Run a command to completion; on failure show its log and stop."""
    with open(log_path or os.devnull, "ab") as out:
        result = subprocess.run(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        tail = log_path.read_text(errors="replace")[-3000:] if log_path else ""
        raise SystemExit(f"command failed ({result.returncode}): {' '.join(cmd)}\n{tail}")


def run_measured(cmd: list[str], env: dict[str, str], log_path: Path) -> tuple[float, int]:
    """Run a command; return its wall time in seconds and its peak RSS in KiB."""
    with open(log_path, "ab") as out:
        start = time.perf_counter()
        process = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"command failed: {' '.join(cmd)}\n{log_path.read_text(errors='replace')[-3000:]}")
    return elapsed, usage.ru_maxrss


def events_per_subscriber(subscribers: int) -> int:
    """The mean of the generator's mix for ``subscribers`` over the bench's months."""
    return mix_events_per_subscriber(subscribers, HISTORY_MONTHS, DEFAULT_SEED)


def generate(subscribers: int) -> tuple[Path, Path]:
    """The ledger and subscribers files for ``subscribers`` (generated once, then reused)."""
    DATA.mkdir(parents=True, exist_ok=True)
    version = GENERATOR_VERSION
    mean = events_per_subscriber(subscribers)
    calls = DATA / f"calls-v{version}-{subscribers}x{mean}-{LEDGER_END:%Y%m%d}.csv"
    people = DATA / f"subscribers-v{version}-{subscribers}.csv"
    if not calls.exists():
        log(f"generating {calls.name}")
        partial = calls.with_suffix(".partial")
        run(
            [
                *FLASK, "bench", "generate-ledger", "--subscribers", str(subscribers),
                "--events-per-subscriber", str(mean), "--months", str(HISTORY_MONTHS),
                "--end", LEDGER_END.isoformat(), "--out", str(partial),
            ]
        )  # fmt: skip
        partial.rename(calls)
    if not people.exists():
        log(f"generating {people.name}")
        partial = people.with_suffix(".partial")
        run(
            [
                *FLASK,
                "bench",
                "generate-subscribers",
                "--subscribers",
                str(subscribers),
                "--out",
                str(partial),
            ]
        )
        partial.rename(people)
    return calls, people


def migrated(pg: Postgres, database: str, env: dict[str, str], log_path: Path) -> None:
    """A fresh database at ``upgrade head`` with partitions for the ledger's months."""
    pg.recreate(database)
    run([*FLASK, "db", "upgrade"], env, log_path)
    first = month_of(LEDGER_END - timedelta(days=HISTORY_MONTHS * 31))
    now = datetime.now(UTC)
    months_back = (now.year - first.year) * 12 + now.month - first.month
    run([*FLASK, "ledger-partitions", "--back", str(months_back)], env, log_path)


def copy_baseline(
    pg: Postgres, subscribers: int, calls: Path, secrets_env: dict[str, str], logs: Path, label: str
) -> float:
    """Seconds ``psql \\copy`` takes to load ``calls`` into a fresh ledger like the application's."""
    baseline_db = f"bench_copy_{subscribers}"
    env = app_env(pg, baseline_db, secrets_env)
    migrated(pg, baseline_db, env, logs / "migrate.log")
    pg.checkpoint(baseline_db)
    log(f"{label}: COPY via psql (baseline)")
    copy = f"\\copy call_events ({COPY_COLUMNS}) FROM '{calls}' WITH (FORMAT csv, HEADER true)"
    seconds, _ = run_measured(
        ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-d", pg.libpq_url(baseline_db), "-c", copy],
        env,
        logs / "copy.log",
    )
    pg.drop(baseline_db)
    return seconds


def bench_ledger(
    pg: Postgres, subscribers: int, rounds: int, secrets_env: dict[str, str], logs: Path
) -> dict:
    """Import throughput and peak memory against psql's COPY, then call-check latency."""
    calls, people = generate(subscribers)
    events = subscribers * events_per_subscriber(subscribers)
    label = f"{events / 1_000_000:.1f}M" if events >= 1_000_000 else f"{events // 1_000}k"
    result: dict = {
        "events": events,
        "subscribers": subscribers,
        "label": label,
        "file_bytes": calls.stat().st_size,
    }

    database = f"bench_{subscribers}"
    copy_times, import_times, peaks = [], [], []
    for round_ in range(rounds):
        copy_times.append(copy_baseline(pg, subscribers, calls, secrets_env, logs, label))
        env = app_env(pg, database, secrets_env)
        migrated(pg, database, env, logs / "migrate.log")
        pg.checkpoint(database)
        log(f"{label}: flask import-calls (round {round_ + 1} of {rounds})")
        seconds, rss = run_measured([*FLASK, "import-calls", str(calls)], env, logs / f"import-{label}.log")
        import_times.append(seconds)
        peaks.append(rss)
    # Best of the rounds for each: the machine is shared, and a slow run measures the neighbours.
    result["rounds"] = rounds
    result["copy_seconds"] = min(copy_times)
    result["copy_rows_per_s"] = events / result["copy_seconds"]
    result["import_seconds"] = min(import_times)
    result["import_rows_per_s"] = events / result["import_seconds"]
    result["import_peak_rss_kib"] = max(peaks)
    result["import_vs_copy"] = result["import_rows_per_s"] / result["copy_rows_per_s"]
    result["all_copy_seconds"] = copy_times
    result["all_import_seconds"] = import_times

    log(f"{label}: flask import-subscribers")
    seconds, _ = run_measured(
        [*FLASK, "import-subscribers", str(people)], env, logs / f"subscribers-{label}.log"
    )
    result["subscribers_seconds"] = seconds
    with psycopg.connect(pg.libpq_url(database), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE call_events")
        # A partitioned table holds no rows itself: its size is its partitions'.
        size = conn.execute(
            "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits"
            " WHERE inhparent = 'call_events'::regclass"
        ).fetchone()[0]
        result["ledger_bytes"] = int(size or 0)

    log(f"{label}: the floor's unpartitioned copy of the ledger")
    started = time.perf_counter()
    result["floor_bytes"] = create_floor(pg.libpq_url(database))
    result["floor_seconds"] = time.perf_counter() - started

    numbers = [subscriber_msisdn(i) for i in range(subscribers)]
    heavy = [n for i, n in enumerate(numbers) if profile(DEFAULT_SEED, subscribers, i) is Profile.HEAVY]
    samples = {
        "mix": sample_checks(numbers, LEDGER_END, CALL_CHECKS, seed=subscribers),
        "heavy": sample_checks(heavy, LEDGER_END, HEAVY_CHECKS, seed=subscribers + 1),
    }
    result["call_check"] = {}
    engine = create_engine(pg.sqlalchemy_url(database))
    for name, checks in samples.items():
        log(f"{label}: call check x{len(checks)} ({name}): app, raw, floor, floor on the partitions")
        with Session(engine) as session, psycopg.connect(pg.libpq_url(database)) as raw:
            timings = measure(session, raw, checks)
        series = {way: asdict(timings[way]) for way in ("app", "raw", "floor", "floor_partitioned")}
        result["call_check"][name] = {
            **series,
            "reference_numbers_mean": timings["reference_numbers_mean"],
            "p99_vs_floor": timings["app"].p99_ms / timings["floor"].p99_ms,
            "p50_vs_floor": timings["app"].p50_ms / timings["floor"].p50_ms,
            "p99_vs_raw": timings["app"].p99_ms / timings["raw"].p99_ms,
        }
    engine.dispose()
    result["database"] = database
    return result


def machine(pg: Postgres) -> dict:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        memory_kib = 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": pg.version(),
        "wrk": shutil.which("wrk") is not None,
    }


def main() -> None:
    """Run every figure of the chosen scale and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default=os.environ.get("BENCH_SCALE", "full"))
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--keep", action="store_true", help="Keep the bench_* databases afterwards.")
    parser.add_argument("--no-http", action="store_true", help="The ledger figures only (a quick look).")
    args = parser.parse_args()

    pg = Postgres(args.pg)
    logs = RESULTS / "logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    # The application's secrets for this run: the passport hashes of the imported
    # subscribers and the server that checks claims must share the PII key.
    # Keys set in the environment are used instead (to profile a kept database afterwards:
    # bench/profile_requests.py).
    secrets_env = {
        "RECOVERY_ENV": "production",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(32),
        "PII_KEY": os.environ.get("PII_KEY") or secrets.token_urlsafe(32),
        "PII_ENCRYPTION_KEYS": os.environ.get("PII_ENCRYPTION_KEYS") or Fernet.generate_key().decode(),
    }
    started = time.perf_counter()
    results: dict = {
        "scale": args.scale,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(pg),
        "ledgers": [],
    }
    for subscribers, rounds in zip(SCALES[args.scale], ROUNDS, strict=True):
        results["ledgers"].append(bench_ledger(pg, subscribers, rounds, secrets_env, logs))
    small, large = results["ledgers"]
    results["rss_ratio"] = large["import_peak_rss_kib"] / small["import_peak_rss_kib"]

    largest = large["database"]
    if args.no_http:
        results["http"] = {"available": False, "reason": "--no-http"}
    else:
        results["http"] = http_load.run_all(
            env=app_env(pg, largest, secrets_env),
            libpq_url=pg.libpq_url(largest),
            subscribers=large["subscribers"],
            ledger_end=LEDGER_END,
            logs=logs,
        )
        log("enumeration pairs: medians of paired requests (reported, not asserted)")
        results["enumeration"] = enumeration.run(pg)
    results["duration_s"] = round(time.perf_counter() - started, 1)
    if not args.keep:
        for ledger in results["ledgers"]:
            pg.drop(ledger["database"])

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    table = render_markdown(results)
    (RESULTS / "latest.md").write_text(table)
    if args.scale == "full" and not args.no_http:
        update_readme(table)
    print(table)


def update_readme(table: str) -> None:
    """Put the table of a full run in the README, between its ``bench:results`` markers."""
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = "<!-- bench:results -->\n", "<!-- /bench:results -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        readme.write_text(f"{head}{start}{table}{end}{tail}")


if __name__ == "__main__":
    main()
