"""Under gunicorn (the repository's gunicorn.conf.py, two workers) a scrape adds up every worker's figures."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[3]
REQUESTS = 24


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a loopback URL of ours
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def server(database_url, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "RECOVERY_ENV": "development",
        "DATABASE_URL": database_url,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # until the server answers (the readiness probe: not counted below)
            try:
                if _get(f"{base}/readyz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not come up")
        yield base, tmp_path / "metrics"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_scrape_sums_the_workers(server):
    base, metrics_dir = server
    for _ in range(REQUESTS):
        assert _get(f"{base}/healthz")[0] == 200
    status, body = _get(f"{base}/metrics")
    assert status == 200
    total = 0.0
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == "recovery_http_requests_total" and sample.labels["endpoint"] == "main.healthz":
                total += sample.value
    assert total == REQUESTS
    assert any(metrics_dir.glob("counter_*.db"))  # the workers wrote their figures to files
