"""Configuration, read from the environment at the edge of the application.

Each class is a complete configuration; ``load_config()`` picks one from
``RECOVERY_ENV``. The production configuration refuses to start with a
missing or default secret: a default key would let anyone forge sessions and
recompute passport hashes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from recovery.verification import settings as policy

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

#: Development-only placeholders. Production refuses to run with them.
DEFAULT_SECRET_KEY = "dev-secret-key-change-me"  # noqa: S105 - refused in production
DEFAULT_PII_KEY = "dev-pii-key-change-me"


class ConfigError(RuntimeError):
    """The environment does not describe a configuration that may run."""


class BaseConfig:
    """Settings shared by every environment; policy numbers live here."""

    ENV_NAME = "base"
    DEBUG = False
    TESTING = False

    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    MAX_CONTENT_LENGTH = 64 * 1024
    WTF_CSRF_TIME_LIMIT = 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"

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
    REFERENCE_SCAN_ROWS = policy.REFERENCE_SCAN_ROWS
    POST_LOSS_COUNT_CAP = policy.POST_LOSS_COUNT_CAP
    MAX_FAILED_CLAIMS = policy.MAX_FAILED_CLAIMS
    LOCK_HOURS = policy.LOCK_HOURS
    REISSUE_HOME_REGION_ONLY = policy.REISSUE_HOME_REGION_ONLY
    REISSUE_COOLING_HOURS = policy.REISSUE_COOLING_HOURS

    # Service numbers that never count as evidence (DESIGN 2.2): besides every
    # short number, the operator's full-length support lines.
    SUPPORT_NUMBERS: tuple[str, ...] = ("+78002500890",)

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.SECRET_KEY = env.get("SECRET_KEY", DEFAULT_SECRET_KEY)
        self.PII_KEY = env.get("PII_KEY", DEFAULT_PII_KEY)
        self.SQLALCHEMY_DATABASE_URI = env.get("DATABASE_URL") or self.default_database_url()
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI", self.RATELIMIT_STORAGE_URI)

    def default_database_url(self) -> str:
        """The embedded database used when ``DATABASE_URL`` is not set."""
        return f"sqlite:///{INSTANCE_DIR / 'recovery.sqlite3'}"


class DevelopmentConfig(BaseConfig):
    """The embedded default: SQLite in ``instance/``, demo data, dev pages."""

    ENV_NAME = "development"
    DEBUG = True


class TestingConfig(BaseConfig):
    """Used by the test-suite, which passes its own secrets and database."""

    ENV_NAME = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = True
    RATELIMIT_ENABLED = True


class ProductionConfig(BaseConfig):
    """Hardened settings; refuses to start on default or missing secrets."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_SAMESITE = "Strict"
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

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
