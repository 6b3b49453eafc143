"""Where a request's time goes: cProfile over the application's WSGI callable, in process.

``python -m bench.profile_requests DATABASE_URL [--requests N]`` on a database kept by
``python -m bench.run --keep`` run with ``PII_KEY`` and ``PII_ENCRYPTION_KEYS`` set (the same
two here) serves GET /healthz,
the SIM Swap check and KYC Match (a partner token is created) from the
production config with the rate limits off, as ``make bench`` does, and
prints the functions with the most cumulative time per request kind. The
numbers of a bench database (``--keep``) make the answers realistic.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import secrets
import time

from cryptography.fernet import Fernet


def main() -> None:
    """Profile each request kind and print the top of each profile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--subscribers", type=int, default=2_000, help="How many the database holds.")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    os.environ.update(
        {
            "RECOVERY_ENV": "production",
            "DATABASE_URL": args.database_url,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "PII_KEY": os.environ.get("PII_KEY", secrets.token_urlsafe(32)),
            "PII_ENCRYPTION_KEYS": os.environ.get("PII_ENCRYPTION_KEYS", Fernet.generate_key().decode()),
        }
    )
    from bench.wsgi_bench import app
    from recovery.ledger.generator import subscriber_msisdn

    runner = app.test_cli_runner()
    count = args.subscribers
    token = runner.invoke(args=["create-api-client", f"profile-{time.time_ns()}", "--role", "partner"])
    headers = {"Authorization": f"Bearer {token.output.strip().splitlines()[-1]}"}
    client = app.test_client()
    kinds = {
        "healthz": lambda i: client.get("/healthz"),
        "sim_swap": lambda i: client.post(
            "/camara/sim-swap/v2/check",
            json={"phoneNumber": subscriber_msisdn(i % count), "maxAge": 240},
            headers=headers,
        ),
        "kyc_match": lambda i: client.post(
            "/camara/kyc-match/v0.4/match",
            json={
                "phoneNumber": subscriber_msisdn(i % count),
                "familyName": "Иванов",
                "idDocument": "4509 123456",
            },
            headers=headers,
        ),
    }
    for name, call in kinds.items():
        for i in range(20):
            call(i)
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        statuses = {call(100 + i).status_code for i in range(args.requests)}
        profile.disable()
        elapsed = time.perf_counter() - started
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(f"== {name}: {elapsed / args.requests * 1000:.2f} ms a request (profiled), statuses {statuses}")
        print(out.getvalue())
    print(json.dumps({"requests": args.requests}))


if __name__ == "__main__":
    main()
