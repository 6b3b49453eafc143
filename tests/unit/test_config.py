"""Configuration: environments, defaults and the production guard."""

import pytest

from config import (
    DEFAULT_PII_KEY,
    DEFAULT_SECRET_KEY,
    ConfigError,
    DevelopmentConfig,
    ProductionConfig,
    load_config,
)

STRONG = "x" * 40
GOOD_PRODUCTION = {
    "RECOVERY_ENV": "production",
    "SECRET_KEY": STRONG,
    "PII_KEY": "y" * 40,
    "DATABASE_URL": "postgresql+psycopg://db/recovery",
}


def test_development_is_the_default_and_uses_embedded_sqlite():
    config = load_config({})
    assert isinstance(config, DevelopmentConfig)
    assert config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert config.SQLALCHEMY_DATABASE_URI.endswith("instance/recovery.sqlite3")
    assert config.RATELIMIT_STORAGE_URI == "memory://"


def test_database_url_is_honoured_in_every_environment():
    assert load_config({"DATABASE_URL": "sqlite:///x.db"}).SQLALCHEMY_DATABASE_URI == "sqlite:///x.db"
    assert GOOD_PRODUCTION["DATABASE_URL"] == load_config(GOOD_PRODUCTION).SQLALCHEMY_DATABASE_URI


def test_production_starts_with_real_secrets_and_hardened_cookies():
    config = load_config(GOOD_PRODUCTION)
    assert isinstance(config, ProductionConfig)
    assert config.SESSION_COOKIE_SECURE is True
    assert config.SESSION_COOKIE_HTTPONLY is True
    assert config.SESSION_COOKIE_SAMESITE == "Strict"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": DEFAULT_SECRET_KEY}, "SECRET_KEY"),
        ({"PII_KEY": DEFAULT_PII_KEY}, "PII_KEY"),
        ({"PII_KEY": "short"}, "PII_KEY"),
        ({"DATABASE_URL": ""}, "DATABASE_URL"),
    ],
)
def test_production_refuses_missing_or_default_secrets(change, message):
    environ = {**GOOD_PRODUCTION, **change}
    with pytest.raises(ConfigError, match=message):
        load_config(environ)


def test_production_refuses_an_absent_secret():
    environ = {k: v for k, v in GOOD_PRODUCTION.items() if k != "SECRET_KEY"}
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(environ)


def test_unknown_environment_is_an_error():
    with pytest.raises(ConfigError, match="RECOVERY_ENV"):
        load_config({"RECOVERY_ENV": "staging"})


def test_the_verification_policy_is_read_from_the_config():
    from recovery.verification.settings import CONFIG_KEYS, Policy

    config = load_config({})
    assert all(hasattr(config, key) for key in CONFIG_KEYS)
    overridden = {key: getattr(config, key) for key in CONFIG_KEYS} | {"MAX_FAILED_CLAIMS": 3}
    assert Policy.from_config(overridden).max_failed_claims == 3
    assert Policy.from_config({key: getattr(config, key) for key in CONFIG_KEYS}) == Policy()
