"""A real streaming replica of the test PostgreSQL server, made for one test run.

``pg_createcluster`` a second cluster on its own port, ``pg_basebackup -R``
from the server named by ``TEST_DATABASE_URL`` into it, start it as a hot
standby, and drop it afterwards. The server must accept replication
connections from 127.0.0.1: when its ``pg_hba.conf`` has no replication line,
one (trust, as the test server already is) is added and the server reloaded.
Debian's postgresql-common tools and root are needed; without them the tests
that need a replica are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

REPLICATION_LINE = "host replication all 127.0.0.1/32 trust\n"
STANDBY_HBA = "local all all trust\nhost all all 127.0.0.1/32 trust\n"
BASE_PORT = 5450


class ReplicaUnavailable(RuntimeError):
    """This machine cannot make a replica (no postgresql-common tools, not root)."""


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()}")


def _wait_streaming(url: str, timeout: float = 60.0) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with engine.connect() as connection:
                    if connection.scalar(text("SELECT status FROM pg_stat_wal_receiver")) == "streaming":
                        return
            except OperationalError:
                pass  # still starting
            if time.monotonic() > deadline:
                raise TimeoutError(f"the replica was not streaming after {timeout} s")
            time.sleep(0.1)
    finally:
        engine.dispose()


def _allow_replication(admin_url: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            hba = Path(connection.scalar(text("SHOW hba_file")))
            lines = hba.read_text().splitlines()
            if not any(line.split()[:2] == ["host", "replication"] for line in lines if line.strip()):
                with hba.open("a") as file:
                    file.write(REPLICATION_LINE)
                connection.execute(text("SELECT pg_reload_conf()"))
    finally:
        engine.dispose()


def wait_until_replayed(primary_url: str, replica_url: str, timeout: float = 90.0) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    primary = create_engine(primary_url, isolation_level="AUTOCOMMIT")
    replica = create_engine(replica_url, isolation_level="AUTOCOMMIT")
    deadline = time.monotonic() + timeout
    last: object = None
    try:
        with primary.connect() as connection:
            target = connection.scalar(text("SELECT pg_current_wal_lsn()"))
        while True:
            try:
                with replica.connect() as connection:
                    caught_up = connection.scalar(
                        text("SELECT pg_last_wal_replay_lsn() >= CAST(:target AS pg_lsn)"), {"target": target}
                    )
                if caught_up:
                    return
                last = "replay behind"
            except OperationalError as error:
                last = error.orig  # the database may not have reached the replica yet
            if time.monotonic() > deadline:
                raise TimeoutError(f"the replica did not replay up to {target} in {timeout} s: {last}")
            time.sleep(0.05)
    finally:
        primary.dispose()
        replica.dispose()


@contextmanager
def streaming_replica(primary_url: str, worker: str = "main") -> Iterator[str]:
    """A hot standby of ``primary_url``'s server; yields its URL (same user and database)."""
    if os.geteuid() != 0 or shutil.which("pg_createcluster") is None:
        raise ReplicaUnavailable("making a replica needs root and Debian's postgresql-common")
    primary = make_url(primary_url)
    engine = create_engine(primary)
    with engine.connect() as connection:
        version = str(connection.scalar(text("SHOW server_version_num")))[:-4]
    engine.dispose()
    _allow_replication(primary.render_as_string(hide_password=False))
    name = f"recovery-replica-{worker}"
    port = BASE_PORT + (int(worker[2:]) if worker.startswith("gw") else 0)
    data = Path(f"/var/lib/postgresql/{version}/{name}")
    subprocess.run(["pg_dropcluster", "--stop", version, name], capture_output=True, timeout=120)
    _run("pg_createcluster", version, name, "--port", str(port))
    try:
        Path(f"/etc/postgresql/{version}/{name}/pg_hba.conf").write_text(STANDBY_HBA)
        shutil.rmtree(data)
        data.mkdir(mode=0o700)  # pg_basebackup runs as postgres, who may not write the parent
        shutil.chown(data, "postgres", "postgres")
        _run(
            "runuser", "-u", "postgres", "--",
            "pg_basebackup", "-h", primary.host or "127.0.0.1", "-p", str(primary.port or 5432),
            "-U", primary.username or "postgres", "-D", str(data), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        _run("pg_ctlcluster", version, name, "start")
        replica = primary.set(port=port).render_as_string(hide_password=False)
        _wait_streaming(replica)
        yield replica
    finally:
        subprocess.run(["pg_dropcluster", "--stop", version, name], capture_output=True, timeout=120)
