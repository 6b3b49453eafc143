"""HTTP figures: claims and the self-service wizard under gunicorn, against ``GET /healthz``.

The server is gunicorn with two workers on a loopback port; the load
generator is ``wrk`` (bounded by ``--duration`` and by a per-thread request
count in ``bench/wrk/requests.lua``). An endpoint that does not exist yet is
reported as not available, so the same script measures it once it lands.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from bench.callcheck import known_numbers
from bench.wizard import wizard_throughput
from recovery.ledger.generator import synthetic_subscriber

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "wrk" / "requests.lua"
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]
WORKERS = 2
DURATION_S = 15
CONNECTIONS = 8
THREADS = 2
# Safety bounds on the count; the duration is what normally ends a run (wrk divides by it).
MAX_REQUESTS_PER_THREAD = {
    "bare": 400_000,
    "healthz": 200_000,
    "claims": 50_000,
    "sim_swap": 50_000,
    "kyc_match": 50_000,
}
#: The partner APIs: path, body of one subscriber. Each number is asked a couple of times at most
#: (a number's daily budget of partner lookups is 30, docs/CAMARA.md).
PARTNER_POOL = 6_000
CLAIM_POOL = 4_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(port: int, method: str, path: str, body: str | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


class Server:
    """gunicorn serving ``bench.wsgi_bench:app`` until the ``with`` block ends."""

    def __init__(self, env: dict[str, str], logs: Path, app: str = "bench.wsgi_bench:app") -> None:
        self.env = env
        self.app = app
        self.port = _free_port()
        self.log = open(logs / "gunicorn.log", "ab")  # noqa: SIM115 - closed in __exit__
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            [GUNICORN, "-w", str(WORKERS), "-b", f"127.0.0.1:{self.port}", self.app],
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if _status(self.port, "GET", "/healthz") == 200:
                    return self
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise SystemExit("gunicorn did not answer /healthz within 60 s (see bench/results/logs/gunicorn.log)")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()

    def url(self, path: str) -> str:
        """The URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict:
    """Requests/s, latency percentiles and error counts from wrk's report."""
    result: dict = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percent in ("50", "99"):
        found = re.search(rf"^\s+{percent}%\s+(\S+)", output, re.MULTILINE)
        result[f"p{percent}_ms"] = _ms(found.group(1)) if found else None
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    result["non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    errors = re.search(r"Socket errors:.*", output)
    result["socket_errors"] = errors.group(0) if errors else ""
    return result


def wrk(server: Server, path: str, name: str, logs: Path, **lua_env: str) -> dict:
    """Load ``path`` with wrk, bounded in time and in count; return the parsed figures."""
    env = {**os.environ, "WRK_MAX_REQUESTS": str(MAX_REQUESTS_PER_THREAD[name]), **lua_env}
    command = [
        "wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{DURATION_S}s", "--timeout", "10s", "--latency",
        "-s", str(LUA), server.url(path),
    ]  # fmt: skip
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    (logs / f"wrk-{name}.txt").write_text(output)
    return parse_wrk(output)


def _api_token(env: dict[str, str], role: str = "agent") -> str:
    name = f"bench-{role}-{random.randrange(10**9)}"
    output = subprocess.run(
        [*FLASK, "create-api-client", name, "--role", role],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return output.strip().splitlines()[-1]


def claim_body(person: Any, known: Sequence[str], action: str, ledger_end: datetime) -> dict:
    """The claim of a generated subscriber with the right answers: three of ``known`` called."""
    return {
        "phoneNumber": person.msisdn,
        "fullName": person.full_name,
        "passport": person.passport,
        "registeredAddress": person.registered_address,
        "recentCalls": list(known[:3]),
        "currentRegion": person.home_region,
        "action": action,
        "lostAt": ledger_end.isoformat(),
    }


def claim_bodies(libpq_url: str, subscribers: int, ledger_end: datetime, path: Path) -> int:
    """Write one JSON claim per line: real subscribers' answers, half blocks and half reissues."""
    rng = random.Random(8)
    indices = rng.sample(range(subscribers), min(CLAIM_POOL, subscribers))
    written = 0
    with open(path, "w") as out:
        for n, index in enumerate(indices):
            person = synthetic_subscriber(index)
            known = known_numbers(libpq_url, person.msisdn, ledger_end)
            body = claim_body(person, known, "reissue" if n % 2 else "block", ledger_end)
            out.write(json.dumps(body, ensure_ascii=False) + "\n")
            written += 1
    return written


def partner_bodies(subscribers: int, path: Path, kind: str) -> int:
    """One JSON body per line for ``kind`` (sim_swap or kyc_match): real subscribers, right answers."""
    rng = random.Random(9 if kind == "sim_swap" else 10)
    indices = rng.sample(range(subscribers), min(PARTNER_POOL, subscribers))
    with open(path, "w") as out:
        for index in indices:
            person = synthetic_subscriber(index)
            if kind == "sim_swap":
                body: dict = {"phoneNumber": person.msisdn, "maxAge": 240}
            else:
                family, given, *_ = person.full_name.split()
                body = {
                    "phoneNumber": person.msisdn,
                    "familyName": family,
                    "givenName": given,
                    "idDocument": person.passport,
                    "address": person.registered_address,
                }
            out.write(json.dumps(body, ensure_ascii=False) + "\n")
    return len(indices)


PARTNER_PATHS = {"sim_swap": "/camara/sim-swap/v2/check", "kyc_match": "/camara/kyc-match/v0.4/match"}


def _partners(server: Server, env: dict[str, str], subscribers: int, healthz: dict, logs: Path) -> dict:
    token = _api_token(env, "partner")
    results = {}
    for kind, path in PARTNER_PATHS.items():
        bodies = logs / f"{kind}.jsonl"
        count = partner_bodies(subscribers, bodies, kind)
        print(f"HTTP: POST {path} ({count} numbers)", file=sys.stderr)
        figures = wrk(server, path, kind, logs, WRK_METHOD="POST", WRK_BODIES=str(bodies), WRK_TOKEN=token)
        figures["ratio_to_healthz"] = figures["requests_per_s"] / healthz["requests_per_s"]
        results[kind] = figures
    return results


def _claim_outcomes(libpq_url: str) -> dict[str, int]:
    with psycopg.connect(libpq_url) as conn:
        rows = conn.execute("SELECT outcome, count(*) FROM claims GROUP BY outcome").fetchall()
    return {outcome: count for outcome, count in rows}


def run_all(env: dict[str, str], libpq_url: str, subscribers: int, ledger_end: datetime, logs: Path) -> dict:
    """Every HTTP figure; unavailable endpoints and tools are reported as such."""
    if shutil.which("wrk") is None:
        print("HTTP figures: not available (wrk is not installed: apt-get install -y wrk)", file=sys.stderr)
        return {"available": False, "reason": "wrk is not installed"}
    results: dict = {
        "available": True,
        "workers": WORKERS,
        "connections": CONNECTIONS,
        "duration_s": DURATION_S,
    }
    with Server(env, logs, app="bench.bare_app:app") as bare:
        print("HTTP: GET /healthz of a bare Flask app (the floor)", file=sys.stderr)
        results["bare"] = wrk(bare, "/healthz", "bare", logs)
    with Server(env, logs) as server:
        print("HTTP: GET /healthz (baseline)", file=sys.stderr)
        results["healthz"] = wrk(server, "/healthz", "healthz", logs)
        results["healthz"]["ratio_to_bare"] = (
            results["healthz"]["requests_per_s"] / results["bare"]["requests_per_s"]
        )
        results.update(_partners(server, env, subscribers, results["healthz"], logs))
        claims_status = _status(server.port, "POST", "/api/v1/claims", "{}")
        if claims_status == 404:
            print("HTTP: POST /api/v1/claims not available (404): skipped", file=sys.stderr)
            results["claims"] = {"available": False, "reason": "POST /api/v1/claims answers 404"}
        else:
            bodies = logs / "claims.jsonl"
            count = claim_bodies(libpq_url, subscribers, ledger_end, bodies)
            token = _api_token(env)
            print(f"HTTP: POST /api/v1/claims ({count} distinct claims)", file=sys.stderr)
            claims = wrk(
                server, "/api/v1/claims", "claims", logs,
                WRK_METHOD="POST", WRK_BODIES=str(bodies), WRK_TOKEN=token,
            )  # fmt: skip
            claims["available"] = True
            claims["outcomes"] = _claim_outcomes(libpq_url)
            claims["ratio_to_healthz"] = claims["requests_per_s"] / results["healthz"]["requests_per_s"]
            results["claims"] = claims
        if _status(server.port, "GET", "/lost") == 404:
            print("HTTP: the /lost wizard is not available (404): skipped", file=sys.stderr)
            results["wizard"] = {"available": False, "reason": "GET /lost answers 404"}
        else:
            print("HTTP: the /lost wizard, full submissions", file=sys.stderr)
            results["wizard"] = wizard_throughput(server.port, subscribers, ledger_end, libpq_url)
            if results["wizard"].get("available"):
                results["wizard"]["ratio_to_healthz"] = (
                    results["wizard"]["submissions_per_s"] / results["healthz"]["requests_per_s"]
                )
    return results
