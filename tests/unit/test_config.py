"""Configuration: environments, defaults and the production guard."""

import pytest
from cryptography.fernet import Fernet

from config import (
    DEFAULT_PII_KEY,
    DEFAULT_SECRET_KEY,
    ConfigError,
    DevelopmentConfig,
    ProductionConfig,
    derive_pii_encryption_key,
    load_config,
)

STRONG = "x" * 40
NEW_KEY = Fernet.generate_key().decode()
OLD_KEY = Fernet.generate_key().decode()
GOOD_PRODUCTION = {
    "RECOVERY_ENV": "production",
    "SECRET_KEY": STRONG,
    "PII_KEY": "y" * 40,
    "PII_ENCRYPTION_KEYS": f"{NEW_KEY}, {OLD_KEY}",
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
    assert config.REMEMBER_COOKIE_SECURE is True
    assert config.SESSION_COOKIE_NAME.startswith("__Host-")
    assert config.SECURITY_HSTS is True
    assert config.RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379"
    assert config.PII_ENCRYPTION_KEYS == (NEW_KEY, OLD_KEY)


def test_development_derives_the_encryption_key_from_pii_key_and_has_no_hsts():
    config = load_config({"PII_KEY": "k" * 40})
    keys = config.PII_ENCRYPTION_KEYS
    assert keys == (derive_pii_encryption_key("k" * 40),)
    # A usable Fernet key, which depends on PII_KEY.
    Fernet(keys[0])
    assert keys[0] != derive_pii_encryption_key("other" * 8)
    assert config.SECURITY_HSTS is False
    assert config.STAFF_IDLE_MINUTES == 30
    assert config.PERMANENT_SESSION_LIFETIME.total_seconds() == 12 * 3600
    assert config.MAX_CONTENT_LENGTH == 64 * 1024


def test_explicit_encryption_keys_are_honoured_in_development_newest_first():
    config = load_config({"PII_ENCRYPTION_KEYS": f" {NEW_KEY} ,,{OLD_KEY},"})
    assert config.PII_ENCRYPTION_KEYS == (NEW_KEY, OLD_KEY)


@pytest.mark.parametrize(
    "bad", ["not-a-key", "x" * 44, NEW_KEY[:-4]], ids=["not-base64", "not-32-bytes", "truncated"]
)
def test_a_malformed_encryption_key_is_refused_without_echoing_it(bad):
    with pytest.raises(ConfigError, match="key 2 is not a Fernet key") as raised:
        load_config({"PII_ENCRYPTION_KEYS": f"{NEW_KEY},{bad}"})
    assert bad not in str(raised.value)


def test_proxy_hops_must_be_a_number():
    assert load_config({"PROXY_FIX_X_FOR": "1"}).PROXY_FIX_X_FOR == 1
    with pytest.raises(ConfigError, match="PROXY_FIX_X_FOR"):
        load_config({"PROXY_FIX_X_FOR": "yes"})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": DEFAULT_SECRET_KEY}, "SECRET_KEY"),
        ({"PII_KEY": DEFAULT_PII_KEY}, "PII_KEY"),
        ({"PII_KEY": "short"}, "PII_KEY"),
        ({"DATABASE_URL": ""}, "DATABASE_URL"),
        ({"PII_ENCRYPTION_KEYS": ""}, "PII_ENCRYPTION_KEYS"),
        ({"PII_ENCRYPTION_KEYS": " , "}, "PII_ENCRYPTION_KEYS"),
        ({"PII_ENCRYPTION_KEYS": "short"}, "PII_ENCRYPTION_KEYS"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
    ],
)
def test_production_refuses_missing_or_default_secrets(change, message):
    environ = {**GOOD_PRODUCTION, **change}
    with pytest.raises(ConfigError, match=message):
        load_config(environ)


@pytest.mark.parametrize("name", ["SECRET_KEY", "PII_ENCRYPTION_KEYS"])
def test_production_refuses_an_absent_secret(name):
    environ = {k: v for k, v in GOOD_PRODUCTION.items() if k != name}
    with pytest.raises(ConfigError, match=name):
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
