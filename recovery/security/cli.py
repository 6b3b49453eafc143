"""Security commands: ``flask --app wsgi rotate-keys``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from recovery.cli import record_cli_event
from recovery.extensions import db
from recovery.security.crypto import PiiKeyring
from recovery.security.rotation import rotate_keys


@click.command("rotate-keys")
@with_appcontext
@click.option("--batch-size", default=500, show_default=True, help="Rows re-encrypted per transaction.")
def rotate_keys_command(batch_size: int) -> None:
    """Re-encrypt all personal data under the newest key in PII_ENCRYPTION_KEYS.

    Put the new key first in PII_ENCRYPTION_KEYS (keeping the old ones after
    it), run this, then the old keys may be removed. Safe to run again.
    """
    keyring = PiiKeyring.from_config(current_app.config)
    result = rotate_keys(
        db.session, db.metadata, keyring, batch_size=batch_size, checkpoint=db.session.commit
    )
    record_cli_event(
        "pii.rotate_keys",
        rows=result.rows,
        rotated=result.rotated,
        already_current=result.current,
        keys_configured=keyring.size,
    )
    db.session.commit()
    click.echo(
        f"rotate-keys: {result.rows} rows read, {result.rotated} values re-encrypted,"
        f" {result.current} already under the newest key"
    )
