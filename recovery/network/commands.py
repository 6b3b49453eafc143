"""``import-sims``, ``worker`` and ``reconcile-network`` (DESIGN 3.1)."""

from __future__ import annotations

import signal

import click
from flask import current_app
from flask.cli import with_appcontext

from recovery.network.inventory import import_sims
from recovery.network.worker import POLL_SECONDS, Worker


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
@click.option("--poll", default=POLL_SECONDS, show_default=True, help="Seconds to sleep when nothing is due.")
def worker_command(once: bool, poll: float) -> None:
    """Deliver the provisioning and notification outboxes and partner events until SIGTERM or Ctrl-C."""
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


@click.command("reconcile-network")
@with_appcontext
@click.option("--fix", is_flag=True, help="Queue the provisioning that repairs each difference.")
def reconcile_network_command(fix: bool) -> None:
    """Compare our SIM states with the HLR's (HLR_CTRL_ADDRESS); exit 1 when they differ."""
    from recovery import audit, clock
    from recovery.extensions import db
    from recovery.network.ctrl import CtrlClient, CtrlUnavailable
    from recovery.network.reconcile import compare, queue_repairs

    now = clock.now()
    try:
        with CtrlClient(current_app.config["HLR_CTRL_ADDRESS"]) as ctrl:
            differences = compare(db.session, ctrl, now)
    except CtrlUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    for difference in differences:
        click.echo(str(difference))
    queued = queue_repairs(db.session, differences, now) if fix else 0
    audit.record(
        db.session,
        actor="cli",
        action="network.reconciled",
        channel="cli",
        differences=len(differences),
        queued=queued,
    )
    db.session.commit()
    click.echo(f"{len(differences)} difference(s)" + (f", {queued} repair(s) queued" if fix else ""))
    if differences and not fix:
        raise SystemExit(1)


COMMANDS = (import_sims_command, worker_command, reconcile_network_command)
