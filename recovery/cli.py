"""Command-line interface: ``flask --app wsgi <command>`` (DESIGN 3.1)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import ExitStack

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from recovery import audit
from recovery.extensions import db
from recovery.ledger.imports import (
    ImportRejected,
    ImportResult,
    import_calls,
    import_subscribers,
    open_source,
)
from recovery.models import ApiClient, ApiRole, ApiToken, Channel, StaffRole, StaffUser
from recovery.regions import is_region
from recovery.security.passwords import WeakPassword, check_password_strength, hash_password
from recovery.security.tokens import ROLE_SCOPES, token_hash
from recovery.security.tokens import new_token as new_token_text


def _region_option(value: str | None) -> str | None:
    if value is None:
        return None
    if not is_region(value):
        raise click.BadParameter(f"{value!r} is not an ISO 3166-2:RU code such as RU-MOW")
    return value.upper()


class _ByteCounter:
    """Progress for a stream of unknown length (stdin, gzip): a line every 64 MiB."""

    STEP = 64 * 1024 * 1024

    def __init__(self, label: str) -> None:
        self.label = label
        self.total = 0
        self.next_report = self.STEP

    def update(self, n: int) -> None:
        self.total += n
        if self.total >= self.next_report:
            click.echo(f"{self.label}: {self.total // (1024 * 1024)} MiB read", err=True)
            self.next_report += self.STEP


def _run_import(path: str, kind: str, importer: Callable[..., ImportResult]) -> None:
    """Stream ``path`` through ``importer`` with a progress bar; all or nothing."""
    size = (
        os.path.getsize(path) if path != "-" and os.path.isfile(path) and not path.endswith(".gz") else None
    )
    label = f"Importing {kind}"
    with ExitStack() as stack:
        try:
            stream = stack.enter_context(open_source(path)) if path != "-" else open_source(path)
        except OSError as exc:
            raise click.ClickException(f"cannot open {path}: {exc.strerror}") from None
        if size is None:
            progress = _ByteCounter(label)
        else:
            progress = stack.enter_context(click.progressbar(length=size, label=label, file=sys.stderr))
        try:
            result = importer(db.session, stream, on_bytes=progress.update)
        except ImportRejected as rejected:
            db.session.rollback()
            for error in rejected.errors:
                click.echo(str(error), err=True)
            raise click.ClickException(f"{path}: rejected, nothing imported") from None
    counts = {"rows": result.rows, "added": result.added, "updated": result.updated}
    if result.owners_changed:
        counts["owners_changed"] = result.owners_changed
    record_cli_event(f"import.{kind}", **counts)
    db.session.commit()
    owners = f" ({result.owners_changed} to a new owner)" if result.owners_changed else ""
    click.echo(
        f"{kind}: {result.rows} rows read, {result.added} added, {result.updated} updated{owners},"
        f" {result.skipped} already present"
    )


def record_cli_event(action: str, subject: str | None = None, **details: object) -> None:
    """Audit what a ``flask`` command did (actor ``cli``, channel CLI); the command commits."""
    audit.record(db.session, actor="cli", action=action, channel=Channel.CLI, subject=subject, **details)


def _commit_new(taken: str) -> None:
    """Commit what a command created, or refuse with ``taken`` when its name is already used."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException(taken) from None


@click.command("import-subscribers")
@with_appcontext
@click.argument("path")
def import_subscribers_command(path: str) -> None:
    """Import subscribers.csv (``-`` for stdin, ``.gz`` accepted)."""
    key = current_app.config["PII_KEY"]
    _run_import(
        path,
        "subscribers",
        lambda session, stream, on_bytes: import_subscribers(session, stream, key, on_bytes),
    )


@click.command("import-calls")
@with_appcontext
@click.argument("path")
def import_calls_command(path: str) -> None:
    """Import calls.csv into the ledger (streaming; re-import adds nothing)."""
    _run_import(path, "calls", import_calls)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.command("create-user")
@with_appcontext
@click.argument("login")
@click.option("--role", type=click.Choice([r.value for r in StaffRole]), required=True)
@click.option("--region", callback=lambda ctx, param, value: _region_option(value), help="ISO 3166-2:RU code")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def create_user_command(login: str, role: str, region: str | None, password_stdin: bool) -> None:
    """Create a staff account (agent, office or supervisor)."""
    if role == StaffRole.OFFICE and region is None:
        raise click.UsageError("office staff need --region (the offices' region)")
    password = _read_password(password_stdin)
    try:
        check_password_strength(password, user_inputs=[login])
    except WeakPassword as exc:
        raise click.ClickException(f"password rejected: {exc}") from None
    db.session.add(
        StaffUser(login=login, password_hash=hash_password(password), role=StaffRole(role), region=region)
    )
    record_cli_event("staff.create", subject=login, role=role)
    _commit_new(f"a user named {login!r} already exists")
    click.echo(f"created {role} {login}" + (f" in {region}" if region else ""))


def _print_token(token: str) -> None:
    click.echo("The token is shown once; store it now:")
    click.echo(token)


@click.command("create-api-client")
@with_appcontext
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in ApiRole]))
@click.option("--region", callback=lambda ctx, param, value: _region_option(value), help="ISO 3166-2:RU code")
@click.option(
    "--scope", "scopes", multiple=True, help="Limit the client to these scopes (default: all of the role's)."
)
@click.option(
    "--new-token",
    is_flag=True,
    help="Issue another token for the existing client NAME (same role, region, scopes and limits).",
)
def create_api_client_command(
    name: str, role: str | None, region: str | None, scopes: tuple[str, ...], new_token: bool
) -> None:
    """Create an API client and print its bearer token once, alone on the last line.

    With ``--new-token``, issue one more token for the existing client instead:
    all its tokens share the client's rate limits and budgets.
    """
    if new_token:
        if role or region or scopes:
            raise click.UsageError("--new-token takes only the client's NAME")
        _issue_token(name)
        return
    if role is None:
        raise click.UsageError("Missing option '--role'.")
    if role == ApiRole.OFFICE and region is None:
        raise click.UsageError("office clients need --region")
    allowed = ROLE_SCOPES[role]
    unknown = set(scopes) - set(allowed)
    if unknown:
        raise click.UsageError(f"scopes not available to {role}: {', '.join(sorted(unknown))}")
    token = new_token_text()
    client = ApiClient(name=name, role=ApiRole(role), region=region, scopes=" ".join(scopes or allowed))
    client.tokens.append(ApiToken(token_hash=token_hash(token)))
    db.session.add(client)
    record_cli_event("api_client.create", subject=name, role=role)
    _commit_new(f"an API client named {name!r} already exists")
    click.echo(f"created {role} client {name} with scopes: {client.scopes}")
    _print_token(token)


def _issue_token(name: str) -> None:
    """Add a token to the client ``name`` and print it once, alone on the last line."""
    client = db.session.scalar(select(ApiClient).where(ApiClient.name == name))
    if client is None:
        raise click.ClickException(f"no API client named {name!r}")
    token = new_token_text()
    client.tokens.append(ApiToken(token_hash=token_hash(token)))
    record_cli_event("api_client.new_token", subject=name)
    db.session.commit()
    click.echo(f"issued a new token for {client.role.value} client {name} ({len(client.tokens)} in all)")
    _print_token(token)


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when subscribers already exist.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the reproducible demo data set and print the demo logins."""
    from recovery.network.demo import describe_spare_cards, seed_inventory
    from recovery.seed import DEMO_STAFF, database_is_empty, describe_demo, seed_demo

    if not database_is_empty(db.session):
        if if_empty:
            click.echo(describe_demo())
            click.echo(describe_spare_cards())
            return
        raise click.ClickException("the database already holds subscribers; seed-demo needs an empty one")
    summary = seed_demo(db.session, pii_key=current_app.config["PII_KEY"])
    summary["inventory_cards"] = seed_inventory(db.session)
    record_cli_event("seed.demo", **summary)
    db.session.commit()
    click.echo(
        f"seeded {summary['subscribers']} subscribers, {summary['calls']} ledger events,"
        f" {len(DEMO_STAFF)} staff"
    )
    click.echo(describe_demo())
    click.echo(describe_spare_cards())


COMMANDS = (
    import_subscribers_command,
    import_calls_command,
    create_user_command,
    create_api_client_command,
    seed_demo_command,
)


def register_commands(app: Flask) -> None:
    """Attach the commands to ``app.cli``."""
    from recovery.ledger.commands import COMMANDS as SCALE_COMMANDS
    from recovery.network.commands import COMMANDS as NETWORK_COMMANDS

    for command in (*COMMANDS, *SCALE_COMMANDS, *NETWORK_COMMANDS):
        app.cli.add_command(command)
