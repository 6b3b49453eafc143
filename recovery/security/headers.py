"""Security headers on every response.

A strict Content-Security-Policy: scripts and styles only from this site, no
inline ones (templates put JS in ``static/js/<feature>.js``), no framing.
Flask-Talisman covers the same ground and more (HTTPS redirects, nonces, cookie
flags), which we either do not need or already set in config; these few
headers are clearer written out than configured away.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, current_app, request

# object-src and base-uri 'none': ASVS 5.0 3.4.3 asks for both; no page uses plugins or <base>.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
# No feature of ours needs any of these browser powers.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)


def security_headers(config: Mapping[str, object]) -> dict[str, str]:
    """The headers every response carries under ``config``."""
    headers = {
        "Content-Security-Policy": str(config.get("CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if config.get("SECURITY_HSTS"):
        headers["Strict-Transport-Security"] = f"max-age={config['HSTS_MAX_AGE']}; includeSubDomains"
    return headers


def add_security_headers(response: Response) -> Response:
    """``after_request``: set the security headers, and keep pages out of shared caches.

    ``no-store`` on pages: a claimant often borrows someone else's phone, and the
    back button must not bring their passport answers back.
    """
    for name, value in security_headers(current_app.config).items():
        response.headers.setdefault(name, value)
    is_static = request.endpoint is not None and request.endpoint.rsplit(".", 1)[-1] == "static"
    if not is_static and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response
