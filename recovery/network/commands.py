"""``import-sims``, ``worker`` and ``reconcile-network`` (DESIGN 3.1)."""

from __future__ import annotations

import signal

import click
from flask import current_app
from flask.cli import with_appcontext

from recovery.network.inventory import import_sims
from recovery.network.worker import Worker


@click.command("import-sims")
@with_appcontext
@click.argument("path")
def import_sims_command(path: str) -> None:
    """Import the card vendor's sims.csv (iccid,imsi,ki,opc; ``-`` for stdin, ``.gz`` accepted)."""
    from recovery.cli import _run_import

    _run_import(path, "sims", import_sims)


@click.command("worker")
@with_appcontext
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit (cron, tests).")
@click.option("--poll", default=1.0, show_default=True, help="Seconds to sleep when nothing is due.")
def worker_command(once: bool, poll: float) -> None:
    """Deliver the provisioning and notification outboxes until SIGTERM or Ctrl-C."""
    worker = Worker(current_app._get_current_object(), poll_seconds=poll)  # type: ignore[attr-defined]
    if once:
        handled = worker.run_once()
        click.echo(f"handled {handled}")
        return
    signal.signal(signal.SIGTERM, worker.stop)
    signal.signal(signal.SIGINT, worker.stop)
    click.echo(f"worker started ({type(worker.backend).__name__}); SIGTERM stops it", err=True)
    worker.run()
    click.echo("worker stopped", err=True)


COMMANDS = (import_sims_command, worker_command)
