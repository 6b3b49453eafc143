"""The Markdown table of a benchmark run: each figure, its baseline, the ratio and the target."""

from __future__ import annotations

from bench import enumeration


def _rate(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def _verdict(ratio: float | None, target: float | None, higher_is_better: bool) -> str:
    if ratio is None or target is None:
        return "reported"
    met = ratio >= target if higher_is_better else ratio <= target
    return "met" if met else "**missed**"


def _row(figure: str, ours: str, baseline: str, ratio: float | None, target: str, verdict: str) -> str:
    shown = f"{ratio:.2f}×" if ratio is not None else "—"
    return f"| {figure} | {ours} | {baseline} | {shown} | {target} | {verdict} |"


def _ledger_rows(ledger: dict) -> list[str]:
    label = ledger["label"]
    best = f", best of {ledger['rounds']}" if ledger.get("rounds", 1) > 1 else ""
    return [
        _row(
            f"import-calls, {label} events (rows/s{best})",
            _rate(ledger["import_rows_per_s"]),
            f"{_rate(ledger['copy_rows_per_s'])} (psql COPY)",
            ledger["import_vs_copy"],
            "≥ 0.5×",
            _verdict(ledger["import_vs_copy"], 0.5, True),
        ),
        *_call_check_rows(ledger),
    ]


def _call_check_rows(ledger: dict) -> list[str]:
    rows = []
    label = ledger["label"]
    for name, title in (("mix", "the whole mix"), ("heavy", "heavy users")):
        check = ledger["call_check"][name]
        app, floor, raw = check["app"], check["floor"], check["raw"]
        for percentile in ("p50", "p99"):
            ratio = app[f"{percentile}_ms"] / floor[f"{percentile}_ms"]
            target = percentile == "p99"
            rows.append(
                _row(
                    f"call check {percentile}, {label} events, {title} (ms)",
                    f"{app[f'{percentile}_ms']:.2f}",
                    f"{floor[f'{percentile}_ms']:.2f} (floor: one statement, unpartitioned copy)",
                    ratio,
                    "≤ 1.5×" if target else "—",
                    _verdict(ratio, 1.5, False) if target else "reported",
                )
            )
        rows.append(
            _row(
                f"call check p99, {label} events, {title}: the app's statement raw, and the floor's"
                " statement on the partitioned ledger (ms)",
                f"{raw['p99_ms']:.2f} (raw psycopg)",
                f"{check['floor_partitioned']['p99_ms']:.2f} (floor statement, partitioned)",
                check["p99_vs_raw"],
                "—",
                "reported",
            )
        )
    return rows


def _http_rows(http: dict) -> list[str]:
    if not http.get("available"):
        return [f"| HTTP figures | not available: {http.get('reason', '')} | | | | |"]
    health = http["healthz"]
    baseline = f"{_rate(health['requests_per_s'])} req/s, p99 {health['p99_ms']:.1f} ms (GET /healthz)"
    bare = http["bare"]
    rows = [
        _row(
            "GET /healthz (req/s, p99)",
            f"{_rate(health['requests_per_s'])} req/s, p99 {health['p99_ms']:.1f} ms",
            f"{_rate(bare['requests_per_s'])} req/s, p99 {bare['p99_ms']:.1f} ms (bare Flask JSON route)",
            health["ratio_to_bare"],
            "≥ 0.5×",
            _verdict(health["ratio_to_bare"], 0.5, True),
        )
    ]
    for kind, title, target in (
        ("sim_swap", "POST /camara/sim-swap/v2/check", 0.6),
        ("kyc_match", "POST /camara/kyc-match/v0.4/match", 0.5),
    ):
        partner = http[kind]
        errors = f", {partner['non_2xx']} non-2xx" if partner["non_2xx"] else ""
        rows.append(
            _row(
                f"{title} (req/s, p99)",
                f"{_rate(partner['requests_per_s'])} req/s, p99 {partner['p99_ms']:.1f} ms{errors}",
                baseline,
                partner["ratio_to_healthz"],
                f"≥ {target}×",
                _verdict(partner["ratio_to_healthz"], target, True),
            )
        )
    claims = http["claims"]
    if claims.get("available"):
        rows.append(
            _row(
                "POST /api/v1/claims (req/s, p99)",
                f"{_rate(claims['requests_per_s'])} req/s, p99 {claims['p99_ms']:.1f} ms",
                baseline,
                claims["ratio_to_healthz"],
                "≥ 0.3×",
                _verdict(claims["ratio_to_healthz"], 0.3, True),
            )
        )
    else:
        rows.append(
            f"| POST /api/v1/claims | not available: {claims['reason']} | {baseline} | — | ≥ 0.3× | — |"
        )
    wizard = http["wizard"]
    if wizard.get("available"):
        rows.append(
            _row(
                "/lost wizard, full submissions (per s)",
                f"{wizard['submissions_per_s']:.1f}",
                baseline,
                wizard["ratio_to_healthz"],
                "reported",
                "reported",
            )
        )
    else:
        rows.append(
            f"| /lost wizard, full submissions | not available: {wizard['reason']} | | — | reported | — |"
        )
    return rows


def render_markdown(results: dict) -> str:
    """The results of one run as a Markdown section (machine, then the table)."""
    machine = results["machine"]
    small, large = results["ledgers"]
    lines = [
        f"Run of {results['started_at']} (scale `{results['scale']}`, {results['duration_s']:.0f} s) on"
        f" {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB;"
        f" PostgreSQL {machine['postgresql']}, Python {machine['python']}.",
        "",
        "| figure | ours | baseline, same run | ratio | target | |",
        "|---|---|---|---|---|---|",
    ]
    for ledger in results["ledgers"]:
        lines.extend(_ledger_rows(ledger))
    lines.append(
        _row(
            f"import-calls peak RSS, {large['label']} vs {small['label']} (MiB)",
            f"{large['import_peak_rss_kib'] / 1024:.0f}",
            f"{small['import_peak_rss_kib'] / 1024:.0f} ({small['label']})",
            results["rss_ratio"],
            "≤ 1.2×",
            _verdict(results["rss_ratio"], 1.2, False),
        )
    )
    lines.extend(_http_rows(results["http"]))
    lines.append("")
    sizes = ", ".join(
        f"{ledger['label']}: {ledger['ledger_bytes'] / 2**30:.2f} GiB with indexes"
        f" ({ledger['subscribers']} subscribers, import {ledger['import_seconds']:.0f} s,"
        f" COPY {ledger['copy_seconds']:.0f} s)"
        for ledger in results["ledgers"]
    )
    lines.append(f"Ledger on disk — {sizes}.")
    if results.get("enumeration"):
        # Reported, never asserted: the tests compare the pairs' SQL statements instead.
        lines.extend(["", enumeration.render(results["enumeration"]).rstrip("\n")])
    return "\n".join(lines) + "\n"
