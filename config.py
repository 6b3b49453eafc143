"""Configuration, read from the environment at the edge of the application.

Each class is a complete configuration; ``load_config()`` picks one from
``RECOVERY_ENV``. The production configuration refuses to start with a
missing or default secret: a default key would let anyone forge sessions and
recompute passport hashes.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from recovery.verification import settings as policy

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

#: Development-only placeholders. Production refuses to run with them.
DEFAULT_SECRET_KEY = "dev-secret-key-change-me"  # noqa: S105 - refused in production
DEFAULT_PII_KEY = "dev-pii-key-change-me"


class ConfigError(RuntimeError):
    """The environment does not describe a configuration that may run."""


def derive_pii_encryption_key(pii_key: str) -> str:
    """A Fernet key derived from ``PII_KEY``: the development default for ``PII_ENCRYPTION_KEYS``.

    HKDF with its own ``info`` label, so the encryption key is not the HMAC key
    itself. Production refuses this shortcut and needs keys of their own.
    """
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"recovery pii-encryption v1")
    return base64.urlsafe_b64encode(hkdf.derive(pii_key.encode())).decode()


def parse_pii_encryption_keys(raw: str) -> tuple[str, ...]:
    """Split ``PII_ENCRYPTION_KEYS`` (comma-separated, newest first) and check each is a Fernet key."""
    keys = tuple(part.strip() for part in raw.split(",") if part.strip())
    for position, key in enumerate(keys, start=1):
        try:
            valid = len(base64.urlsafe_b64decode(key.encode())) == 32
        except (binascii.Error, ValueError):
            valid = False
        if not valid:
            # The key itself is never echoed: the message may end up in a log.
            raise ConfigError(
                f"PII_ENCRYPTION_KEYS: key {position} is not a Fernet key (32 url-safe base64 bytes)"
            )
    return keys


class BaseConfig:
    """Settings shared by every environment; policy numbers live here."""

    ENV_NAME = "base"
    DEBUG = False
    TESTING = False

    # hide_parameters: SQL errors and echo never carry the values (names, hashes) into a log.
    # No pool_pre_ping: recovery/observability/connections.py checks a pooled connection at
    # checkout without a round trip on PostgreSQL (the real ping on SQLite), issue 16.
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"hide_parameters": True}
    #: A pooled PostgreSQL connection unused for longer than this is pinged (SELECT 1) before a
    #: request gets it; a busier one only when the server has said something on its socket.
    DATABASE_PING_AFTER_IDLE_SECONDS = 30.0
    #: A bearer token that resolved to an enabled client is trusted for this long in each process
    #: (recovery/api/auth.py) without asking the database: the bound on a revocation made outside
    #: the process (one made through the ORM in the process is seen at once). 0: asked every time.
    API_TOKEN_CACHE_SECONDS = 5.0
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    #: A PostgreSQL streaming replica for the partner APIs' read-only look-ups (recovery/replica.py);
    #: None: everything reads the primary.
    DATABASE_REPLICA_URL: str | None = None
    #: The replica answers only while its replay trails what it received by at most this long …
    REPLICA_MAX_LAG_SECONDS = 1.0
    #: … asked at most this often per process; after a failure the primary answers for this long.
    REPLICA_CHECK_SECONDS = 1.0
    REPLICA_RETRY_SECONDS = 10.0

    MAX_CONTENT_LENGTH = 64 * 1024
    WTF_CSRF_TIME_LIMIT = 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # A signed session older than this (since its last change) is refused.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    #: Staff are signed out after this long without a request (recovery/security/sessions.py) …
    STAFF_IDLE_MINUTES = 30
    #: … and this long after their session began, however active (one shift).
    STAFF_SESSION_MAX_HOURS = 12
    #: Turning the account's SIM lock off takes effect this long after it is asked for
    #: (an intruder in the account cannot switch it off and reissue at once; the owner is e-mailed).
    SIM_LOCK_RELEASE_HOURS = 24
    REMEMBER_COOKIE_HTTPONLY = True

    BABEL_DEFAULT_LOCALE = "ru"
    BABEL_DEFAULT_TIMEZONE = "Europe/Moscow"
    # One catalogue for the shell and one per feature (recovery/<feature>/translations).
    BABEL_TRANSLATION_DIRECTORIES = ";".join(
        str(path) for path in [BASE_DIR / "translations", *sorted(BASE_DIR.glob("recovery/*/translations"))]
    )
    LANGUAGES = ("ru", "en")

    BOOTSTRAP_SERVE_LOCAL = True

    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = "recovery"
    # Storage errors arrive as limits.errors.StorageError, quickly, so that the
    # limiter can fail closed (claims) or open (elsewhere): recovery/security/limiter.py.
    RATELIMIT_STORAGE_OPTIONS: ClassVar[dict] = {
        "wrap_exceptions": True,
        "socket_connect_timeout": 1,
        "socket_timeout": 1,
    }
    #: Paths whose limits fail closed (503) when the rate-limit store is down.
    RATELIMIT_FAIL_CLOSED_PATHS: tuple[str, ...] = ("/lost", "/api/v1/claims")

    #: Token-only JSON APIs: JSON errors, no CSRF (no cookie authentication there).
    API_PATH_PREFIXES: tuple[str, ...] = ("/api/", "/camara/")
    #: Strict-Transport-Security; only behind HTTPS, so production only.
    SECURITY_HSTS = False
    HSTS_MAX_AGE = 365 * 24 * 3600
    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust (0: none).
    PROXY_FIX_X_FOR = 0

    # Verification policy (DESIGN 2.1–2.3): every threshold, window and rule of
    # recovery/verification/settings.py, overridable here under the same name
    # (``Policy.from_config(app.config)`` reads them).
    NAME_THRESHOLD = policy.NAME_THRESHOLD
    MAX_TYPOS_PER_WORD = policy.MAX_TYPOS_PER_WORD
    MIN_TYPO_WORD_LENGTH = policy.MIN_TYPO_WORD_LENGTH
    ADDRESS_THRESHOLD = policy.ADDRESS_THRESHOLD
    CALL_WINDOW_DAYS = policy.CALL_WINDOW_DAYS
    MIN_KNOWN_DAYS = policy.MIN_KNOWN_DAYS
    MAX_REFERENCE_NUMBERS = policy.MAX_REFERENCE_NUMBERS
    CALLS_REQUIRED = policy.CALLS_REQUIRED
    MAX_CLAIMED_CALLS = policy.MAX_CLAIMED_CALLS
    POST_LOSS_COUNT_CAP = policy.POST_LOSS_COUNT_CAP
    MAX_FAILED_CLAIMS = policy.MAX_FAILED_CLAIMS
    LOCK_HOURS = policy.LOCK_HOURS
    REISSUE_HOME_REGION_ONLY = policy.REISSUE_HOME_REGION_ONLY
    REISSUE_COOLING_HOURS = policy.REISSUE_COOLING_HOURS
    MAX_REMOTE_LOSS_AGE_HOURS = policy.MAX_REMOTE_LOSS_AGE_HOURS
    MAX_POST_LOSS_FOR_REISSUE = policy.MAX_POST_LOSS_FOR_REISSUE
    MAX_FAILED_REISSUE_PROOFS = policy.MAX_FAILED_REISSUE_PROOFS
    REISSUE_PROOF_WINDOW_HOURS = policy.REISSUE_PROOF_WINDOW_HOURS
    MAX_FAILED_NUMBERS_PER_CLIENT = policy.MAX_FAILED_NUMBERS_PER_CLIENT
    CLIENT_FAILURE_WINDOW_HOURS = policy.CLIENT_FAILURE_WINDOW_HOURS

    # Service numbers that never count as evidence (DESIGN 2.2): besides every
    # short number, the operator's full-length support lines.
    SUPPORT_NUMBERS: tuple[str, ...] = ("+78002500890",)

    # Pages for a developer (/dev/sms shows the SMS outbox); never in production.
    DEV_PAGES = False
    # Delivery of SMS codes: an import path "module:Class" (recovery/sms.py).
    SMS_BACKEND = "recovery.sms:OutboxSmsBackend"
    # The network (recovery/network, docs/NETWORK.md): how provisioning reaches the HLR
    # ("module:Class"; RecordOnly logs and reports done, OsmoHlr speaks osmo-hlr's CTRL).
    PROVISIONING_BACKEND = "recovery.network.backends:RecordOnly"
    HLR_CTRL_ADDRESS = "127.0.0.1:4259"
    #: A new SIM at hand-over must be a card of the SIM inventory (import-sims), unused.
    SIM_INVENTORY_REQUIRED = True

    # Operations (docs/OPERATIONS.md): logs, metrics, readiness, e-mail over SMTP, SMS over SMPP.
    #: ``text`` (development) or ``json`` (one object per line, production's default).
    LOG_FORMAT = "text"
    LOG_LEVEL = "INFO"
    #: Who may read ``/metrics``: these address ranges, or a request bearing ``METRICS_TOKEN``.
    METRICS_ALLOWED_NETWORKS = "127.0.0.1/32,::1/128"
    METRICS_TOKEN = ""
    #: ``/readyz`` fails when an outbox's oldest waiting row is older than this (seconds).
    OUTBOX_MAX_AGE_SECONDS = 900
    #: ``/readyz`` fails when a network change (a block above all) waits for the HLR longer than this.
    PROVISIONING_MAX_AGE_SECONDS = 300
    #: Delivery of the outbox: "module:Class" (recovery/claims/notifications.py, recovery/delivery/).
    NOTIFICATION_BACKEND = "recovery.claims.notifications:OutboxOnly"
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_FROM = "noreply@localhost"
    SMPP_HOST = ""
    SMPP_PORT = 2775
    SMPP_SYSTEM_ID = ""
    SMPP_PASSWORD = ""
    SMPP_SOURCE_ADDR = "0890"
    #: How long a delivery run waits, after submitting, for delivery receipts on the same bind.
    SMPP_RECEIPT_WAIT_SECONDS = 2.0

    # CAMARA SIM Swap Subscriptions (docs/CAMARA.md): delivering events to partners' sinks.
    #: Accept ``http://`` sinks and sinks on private, loopback or reserved addresses (a developer's
    #: http://127.0.0.1). Off by default; on in development and testing; production refuses it.
    SUBSCRIPTION_SINKS_ALLOW_PRIVATE = False
    #: Seconds to connect to a sink and to wait for its answer.
    SUBSCRIPTION_SINK_TIMEOUT_SECONDS = 5.0
    #: Attempts of one event before the subscription is marked failed.
    SUBSCRIPTION_DELIVERY_MAX_ATTEMPTS = 6
    #: The wait after an event's first failed attempt, doubling after each (at most 600 s).
    SUBSCRIPTION_DELIVERY_BACKOFF_SECONDS = 10.0
    #: No attempt later than this many seconds after the event was queued.
    SUBSCRIPTION_DELIVERY_MAX_SECONDS = 1800.0
    #: The CloudEvents ``source`` of our events: set it to this service's public API root.
    SUBSCRIPTION_EVENT_SOURCE = "urn:lost-sim-recovery:camara:sim-swap-subscriptions"
    #: Active subscriptions one partner client may hold (more: 429).
    MAX_SUBSCRIPTIONS_PER_CLIENT = 1000

    def read_subscriptions(self, env: Mapping[str, str]) -> None:
        """The SIM Swap Subscriptions settings from the environment (docs/OPERATIONS.md has the table)."""
        self.SUBSCRIPTION_EVENT_SOURCE = env.get("SUBSCRIPTION_EVENT_SOURCE", self.SUBSCRIPTION_EVENT_SOURCE)
        allow = env.get("SUBSCRIPTION_SINKS_ALLOW_PRIVATE", str(self.SUBSCRIPTION_SINKS_ALLOW_PRIVATE))
        self.SUBSCRIPTION_SINKS_ALLOW_PRIVATE = allow.lower() in ("1", "true", "yes", "on")
        numbers: dict[str, type] = {
            "SUBSCRIPTION_SINK_TIMEOUT_SECONDS": float,
            "SUBSCRIPTION_DELIVERY_MAX_ATTEMPTS": int,
            "SUBSCRIPTION_DELIVERY_BACKOFF_SECONDS": float,
            "SUBSCRIPTION_DELIVERY_MAX_SECONDS": float,
            "MAX_SUBSCRIPTIONS_PER_CLIENT": int,
        }
        for name, kind in numbers.items():
            try:
                setattr(self, name, kind(env.get(name, getattr(self, name))))
            except ValueError:
                raise ConfigError(f"{name} must be a number") from None

    def read_operations(self, env: Mapping[str, str]) -> None:
        """The operations settings from the environment (docs/OPERATIONS.md has the table)."""
        text = ("LOG_FORMAT", "LOG_LEVEL", "METRICS_ALLOWED_NETWORKS", "METRICS_TOKEN")
        text += ("NOTIFICATION_BACKEND", "SMS_BACKEND", "MAIL_SERVER", "MAIL_USERNAME")
        text += ("MAIL_PASSWORD", "MAIL_FROM")
        text += ("SMPP_HOST", "SMPP_SYSTEM_ID", "SMPP_PASSWORD", "SMPP_SOURCE_ADDR")
        for name in text:
            setattr(self, name, env.get(name, getattr(self, name)))
        if self.LOG_FORMAT not in ("text", "json"):
            raise ConfigError("LOG_FORMAT must be text or json")
        numbers = {"OUTBOX_MAX_AGE_SECONDS": int, "PROVISIONING_MAX_AGE_SECONDS": int}
        numbers |= {"MAIL_PORT": int, "SMPP_PORT": int}
        numbers["SMPP_RECEIPT_WAIT_SECONDS"] = float
        numbers |= dict.fromkeys(
            ("REPLICA_MAX_LAG_SECONDS", "REPLICA_CHECK_SECONDS", "REPLICA_RETRY_SECONDS"), float
        )
        numbers |= dict.fromkeys(("API_TOKEN_CACHE_SECONDS", "DATABASE_PING_AFTER_IDLE_SECONDS"), float)
        for name, kind in numbers.items():
            try:
                setattr(self, name, kind(env.get(name, getattr(self, name))))
            except ValueError:
                raise ConfigError(f"{name} must be a number") from None
        use_tls = env.get("MAIL_USE_TLS", str(self.MAIL_USE_TLS))
        self.MAIL_USE_TLS = use_tls.lower() in ("1", "true", "yes", "on")

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.SECRET_KEY = env.get("SECRET_KEY", DEFAULT_SECRET_KEY)
        self.PII_KEY = env.get("PII_KEY", DEFAULT_PII_KEY)
        self.SQLALCHEMY_DATABASE_URI = env.get("DATABASE_URL") or self.default_database_url()
        self.DATABASE_REPLICA_URL = env.get("DATABASE_REPLICA_URL") or None
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI", self.RATELIMIT_STORAGE_URI)
        self.PROVISIONING_BACKEND = env.get("PROVISIONING_BACKEND", self.PROVISIONING_BACKEND)
        self.HLR_CTRL_ADDRESS = env.get("HLR_CTRL_ADDRESS", self.HLR_CTRL_ADDRESS)
        self.PII_ENCRYPTION_KEYS = parse_pii_encryption_keys(env.get("PII_ENCRYPTION_KEYS", "")) or (
            derive_pii_encryption_key(self.PII_KEY),
        )
        try:
            self.PROXY_FIX_X_FOR = int(env.get("PROXY_FIX_X_FOR", self.PROXY_FIX_X_FOR))
        except ValueError:
            raise ConfigError("PROXY_FIX_X_FOR must be a whole number of proxies") from None
        self.read_operations(env)
        self.read_subscriptions(env)

    def default_database_url(self) -> str:
        """The embedded database used when ``DATABASE_URL`` is not set."""
        return f"sqlite:///{INSTANCE_DIR / 'recovery.sqlite3'}"


class DevelopmentConfig(BaseConfig):
    """The embedded default: SQLite in ``instance/``, demo data, dev pages."""

    ENV_NAME = "development"
    DEBUG = True
    DEV_PAGES = True
    SUBSCRIPTION_SINKS_ALLOW_PRIVATE = True


class TestingConfig(BaseConfig):
    """Used by the test-suite, which passes its own secrets and database."""

    ENV_NAME = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = True
    RATELIMIT_ENABLED = True
    DEV_PAGES = True
    # The suite's hand-overs predate the inventory; tests/…/network turn this on and arrange cards.
    SIM_INVENTORY_REQUIRED = False
    # Test sinks listen on http://127.0.0.1.
    SUBSCRIPTION_SINKS_ALLOW_PRIVATE = True


class ProductionConfig(BaseConfig):
    """Hardened settings; refuses to start on default or missing secrets."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_SAMESITE = "Strict"
    # __Host-: the browser keeps the cookie to this exact host, over HTTPS, path / (ASVS 3.3.1, 3.3.3).
    SESSION_COOKIE_NAME = "__Host-session"
    REMEMBER_COOKIE_NAME = "__Host-remember"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_SAMESITE = "Strict"
    PREFERRED_URL_SCHEME = "https"
    SECURITY_HSTS = True
    # Limits shared by every worker and server; claims fail closed without it.
    RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379"
    DEV_PAGES = False
    LOG_FORMAT = "json"

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        super().__init__(env)
        for name, default in (("SECRET_KEY", DEFAULT_SECRET_KEY), ("PII_KEY", DEFAULT_PII_KEY)):
            value = env.get(name, "")
            if not value or value == default:
                raise ConfigError(f"{name} must be set to a secret value in production")
            if len(value) < 32:
                raise ConfigError(f"{name} must be at least 32 characters long")
        if not env.get("DATABASE_URL"):
            raise ConfigError("DATABASE_URL must be set in production")
        # A key derived from PII_KEY would put both secrets in one: one leak, both gone.
        if not parse_pii_encryption_keys(env.get("PII_ENCRYPTION_KEYS", "")):
            raise ConfigError("PII_ENCRYPTION_KEYS must be set in production (Fernet keys, newest first)")
        if self.SUBSCRIPTION_SINKS_ALLOW_PRIVATE:
            raise ConfigError("SUBSCRIPTION_SINKS_ALLOW_PRIVATE must be off in production (SSRF)")
        if self.RATELIMIT_STORAGE_URI.startswith("memory://"):
            raise ConfigError("RATELIMIT_STORAGE_URI must name a shared store (redis://…) in production")


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(environ: Mapping[str, str] | None = None) -> BaseConfig:
    """Build the configuration named by ``RECOVERY_ENV`` (default: development)."""
    env = os.environ if environ is None else environ
    name = env.get("RECOVERY_ENV", "development")
    try:
        config_class = CONFIGS[name]
    except KeyError:
        raise ConfigError(f"RECOVERY_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
    return config_class(env)
