"""Ledger commands: the monthly partitions, and the synthetic subscribers and calls of ``make bench``.

``flask --app wsgi ledger-partitions --ahead 3`` keeps PostgreSQL's ledger
partitioned ahead of billing; ``flask --app wsgi bench generate-ledger`` and
``bench generate-subscribers`` write the synthetic data ``make bench`` loads.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from recovery import audit
from recovery.extensions import db
from recovery.ledger.generator import (
    DEFAULT_MONTHS,
    DEFAULT_SEED,
    LedgerShape,
    open_output,
    write_ledger,
    write_subscribers,
)
from recovery.ledger.mix import mix_events_per_subscriber
from recovery.ledger.partitions import (
    DEFAULT_MONTHS_AHEAD,
    ensure_partitions,
    is_partitioned,
    months_in_default,
    plan_months,
)
from recovery.models import Channel


def _parse_end(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        end = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("an ISO 8601 date and time, e.g. 2026-11-26T00:00:00+03:00") from None
    if end.tzinfo is None:
        raise click.BadParameter("needs a UTC offset, e.g. +03:00")
    return end


@click.command("ledger-partitions")
@with_appcontext
@click.option(
    "--ahead",
    default=DEFAULT_MONTHS_AHEAD,
    show_default=True,
    type=click.IntRange(0, 120),
    help="Months after the current one to create.",
)
@click.option(
    "--back",
    default=0,
    show_default=True,
    type=click.IntRange(0, 240),
    help="Months before the current one to create (for importing history).",
)
def ledger_partitions_command(ahead: int, back: int) -> None:
    """Create the ledger's monthly partitions (PostgreSQL) and empty the DEFAULT partition."""
    connection = db.session.connection()
    if not is_partitioned(connection):
        click.echo("the ledger is not partitioned on this database (SQLite keeps one table); nothing to do")
        return
    months = plan_months(datetime.now(UTC), ahead=ahead, back=back) + months_in_default(connection)
    done = ensure_partitions(connection, months)
    created = [partition for partition in done if partition.created]
    moved = sum(partition.moved_rows for partition in created)
    audit.record(
        db.session,
        actor="cli",
        action="ledger.partitions",
        channel=Channel.CLI,
        created=len(created),
        moved_rows=moved,
    )
    db.session.commit()
    for partition in created:
        click.echo(f"created {partition.name} ({partition.moved_rows} rows moved from the DEFAULT partition)")
    click.echo(f"{len(created)} partition(s) created, {len(done) - len(created)} already present")


@click.group("bench")
def bench_group() -> None:
    """Benchmark tools: synthetic ledgers and subscribers (see bench/ and `make bench`)."""


@bench_group.command("generate-ledger")
@click.option("--subscribers", type=click.IntRange(1, 100_000_000), required=True)
@click.option(
    "--events-per-subscriber",
    type=click.IntRange(1, 100_000),
    help="The mean; default: the mix's own (recovery/ledger/mix.py), ~550 in six months.",
)
@click.option("--months", type=click.IntRange(1, 120), default=DEFAULT_MONTHS, show_default=True)
@click.option("--end", help="The last instant of the history (ISO 8601 with offset; default: now).")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
@click.option("--out", "path", required=True, help="calls.csv to write; .gz compresses; - is stdout.")
def generate_ledger_command(
    subscribers: int, events_per_subscriber: int | None, months: int, end: str | None, seed: int, path: str
) -> None:
    """Write a realistic calls.csv (ordinary, heavy and bulk senders; months of history), streaming."""
    shape = LedgerShape(
        subscribers=subscribers,
        events_per_subscriber=events_per_subscriber or mix_events_per_subscriber(subscribers, months, seed),
        end=_parse_end(end),
        months=months,
        seed=seed,
    )
    with nullcontext(sys.stdout) if path == "-" else open_output(path) as out:
        rows = write_ledger(shape, out)
    click.echo(f"wrote {rows} events of {subscribers} subscribers over {shape.days} days", err=True)


@bench_group.command("generate-subscribers")
@click.option("--subscribers", type=click.IntRange(1, 100_000_000), required=True)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
@click.option("--out", "path", required=True, help="subscribers.csv to write; .gz compresses; - is stdout.")
def generate_subscribers_command(subscribers: int, seed: int, path: str) -> None:
    """Write subscribers.csv for the callers of a generated ledger (same seed, same numbers)."""
    with nullcontext(sys.stdout) if path == "-" else open_output(path) as out:
        count = write_subscribers(subscribers, out, seed)
    click.echo(f"wrote {count} subscribers", err=True)


#: Registered by ``recovery.cli.register_commands``.
COMMANDS = (ledger_partitions_command, bench_group)
