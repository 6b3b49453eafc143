"""``flask deliver-notifications``: hand queued outbox messages to the configured backend."""

from __future__ import annotations

import click
from flask import current_app

from recovery import clock
from recovery.claims.notifications import deliver_queued, load_backend
from recovery.extensions import db
from recovery.supervisor import bp


@bp.cli.command("deliver-notifications")
@click.option("--limit", default=100, show_default=True, help="Most messages to send in this run.")
def deliver_notifications_command(limit: int) -> None:
    """Send queued notifications through NOTIFICATION_BACKEND (run it from cron or a timer)."""
    backend = load_backend(current_app.config.get("NOTIFICATION_BACKEND"))
    sent = deliver_queued(db.session, backend, clock.now(), limit=limit)
    db.session.commit()
    click.echo(f"sent {sent} notification(s) with {type(backend).__name__}")
