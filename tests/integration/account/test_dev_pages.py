"""Developer pages: /dev/sms in development and testing only, the captcha hook in testing only."""

from __future__ import annotations

import secrets

import pytest
from cryptography.fernet import Fernet

from config import DevelopmentConfig, ProductionConfig
from recovery import create_app
from recovery.extensions import db
from tests.helpers.account import Flow, latest_sms


def test_dev_sms_shows_the_latest_codes(client, session, subscriber):
    Flow(client).submit_number(subscriber.msisdn)
    page = client.get("/dev/sms").get_data(as_text=True)
    assert subscriber.msisdn in page and latest_sms(session, subscriber.msisdn) in page


@pytest.mark.parametrize(
    ("config_class", "sms", "hook"), [(DevelopmentConfig, 200, 404), (ProductionConfig, 404, 404)]
)
def test_dev_pages_exist_only_where_they_should(database_url, config_class, sms, hook):
    config = config_class(
        {
            "SECRET_KEY": secrets.token_urlsafe(32),
            "PII_KEY": secrets.token_urlsafe(32),
            "DATABASE_URL": database_url,
            "PII_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        }
    )
    app = create_app(config)
    try:
        client = app.test_client()
        assert client.get("/dev/sms").status_code == sms
        assert client.get("/dev/captcha-answer").status_code == hook
        assert ("dev.sms_outbox" in app.view_functions) == (sms == 200)
        assert "dev_testing.captcha_answer" not in app.view_functions
    finally:
        with app.app_context():
            db.engine.dispose()  # before the test's database is dropped


def test_the_config_flag_is_off_in_production():
    assert DevelopmentConfig.DEV_PAGES and not ProductionConfig.DEV_PAGES
