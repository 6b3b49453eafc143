"""Key rotation covers the SIM keys: after ``rotate-keys`` a card's Ki and OPc read without the old key."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import text

from recovery.extensions import db
from recovery.models import InventorySim
from recovery.network import inventory
from tests.helpers.databases import make_config

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()
ICCID = "8970199000000000012"
KI = "000102030405060708090a0b0c0d0e0f"
OPC = "f0e0d0c0b0a090807060504030201000"


@pytest.fixture
def config(config):
    config.PII_ENCRYPTION_KEYS = (OLD,)
    return config


def _stored_keys(session) -> list[str]:
    (row,) = session.execute(text("SELECT ki, opc FROM sim_inventory")).all()
    return list(row)


def test_rotate_keys_re_encrypts_ki_and_opc_so_the_old_key_can_go(config, make_app, database_url, session):
    session.add(InventorySim(iccid=ICCID, imsi="250990000000012", ki=KI, opc=OPC))
    session.commit()
    assert all(Fernet(OLD).decrypt(token.encode()) for token in _stored_keys(session))

    rotated = make_app(make_config(database_url, PII_ENCRYPTION_KEYS=(NEW, OLD)))
    result = rotated.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    assert KI not in result.output and OPC not in result.output

    for token in _stored_keys(session):
        assert KI not in token and OPC not in token
        Fernet(NEW).decrypt(token.encode())
        with pytest.raises(InvalidToken):
            Fernet(OLD).decrypt(token.encode())
    new_only = make_app(make_config(database_url, PII_ENCRYPTION_KEYS=(NEW,)))
    with new_only.app_context():
        card = inventory.find(db.session, ICCID)
        assert (card.ki, card.opc) == (KI, OPC)
