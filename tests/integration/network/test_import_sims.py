"""``flask --app wsgi import-sims``: the vendor's file, all-or-nothing, keys encrypted and never shown."""

from __future__ import annotations

import gzip
import logging

import pytest
from sqlalchemy import select, text

from recovery.iccid import with_check_digit
from recovery.models import AuditEvent, InventorySim
from tests.conftest import make_config

HEADER = "iccid,imsi,ki,opc"
KI = "00112233445566778899AABBCCDDEEFF"
OPC = "ffeeddccbbaa99887766554433221100"


@pytest.fixture
def config(database_url: str):
    """No HLR needed for an import."""
    return make_config(database_url)


def card(n: int, ki: str = KI, opc: str = OPC) -> str:
    return f"{with_check_digit(f'897019900000{n:07d}')},25001{n:010d},{ki},{opc}"


def write(tmp_path, *rows: str, name: str = "sims.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def test_the_import_stores_cards_with_their_keys_encrypted(runner, session, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    result = runner.invoke(args=["import-sims", str(write(tmp_path, card(1), card(2)))])
    assert result.exit_code == 0, result.output
    assert "sims: 2 rows read, 2 added" in result.output
    cards = session.scalars(select(InventorySim).order_by(InventorySim.id)).all()
    assert [(c.imsi, c.ki, c.opc) for c in cards] == [
        ("250010000000001", KI.lower(), OPC),
        ("250010000000002", KI.lower(), OPC),
    ]
    stored = session.execute(text("SELECT ki, opc FROM sim_inventory")).all()
    assert all(KI.lower() not in ki and OPC not in opc for ki, opc in stored)
    audit = session.scalars(select(AuditEvent)).one()
    assert audit.action == "import.sims" and audit.details["added"] == 2
    for shown in (result.output, caplog.text, str(audit.details), repr(cards)):
        assert KI.lower() not in shown.lower() and OPC not in shown


def test_a_reimport_adds_nothing(runner, session, tmp_path):
    path = write(tmp_path, card(1))
    assert runner.invoke(args=["import-sims", str(path)]).exit_code == 0
    again = runner.invoke(args=["import-sims", str(path)])
    assert again.exit_code == 0 and "0 added" in again.output and "1 already present" in again.output
    assert len(session.scalars(select(InventorySim)).all()) == 1


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("8970199000000000001,250010000000009," + KI + "," + OPC, "iccid: ICCID check digit is wrong"),
        (card(3).replace("25001", "2500", 1), "imsi: must be 15 digits"),
        (card(3, ki="00" * 15), "ki: must be 32 hexadecimal digits"),
        (card(3, opc="zz" * 16), "opc: must be 32 hexadecimal digits"),
        (card(1), "iccid: repeats line 2"),
        ("1,2,3", "expected 4 columns, found 3"),
    ],
)
def test_a_bad_row_rejects_the_whole_file(runner, session, tmp_path, row, reason):
    result = runner.invoke(args=["import-sims", str(write(tmp_path, card(1), row))])
    assert result.exit_code != 0
    assert f"line 3: {reason}" in result.output
    assert "nothing imported" in result.output
    assert KI.lower() not in result.output.lower()
    assert session.scalars(select(InventorySim)).all() == []


def test_a_card_already_held_under_another_imsi_is_refused(runner, session, tmp_path):
    assert runner.invoke(args=["import-sims", str(write(tmp_path, card(1)))]).exit_code == 0
    changed = card(1).replace("250010000000001", "250010000000077")
    result = runner.invoke(args=["import-sims", str(write(tmp_path, card(2), changed))])
    assert (
        result.exit_code != 0 and "line 3: iccid: already in the inventory with another IMSI" in result.output
    )
    assert len(session.scalars(select(InventorySim)).all()) == 1


def test_gzip_and_stdin_are_accepted(runner, session, tmp_path):
    packed = tmp_path / "sims.csv.gz"
    packed.write_bytes(gzip.compress(f"{HEADER}\n{card(1)}\n".encode()))
    assert runner.invoke(args=["import-sims", str(packed)]).exit_code == 0
    piped = runner.invoke(args=["import-sims", "-"], input=f"{HEADER}\n{card(2)}\n")
    assert piped.exit_code == 0, piped.output
    assert len(session.scalars(select(InventorySim)).all()) == 2


def test_the_demo_puts_every_sim_and_the_spare_cards_in_the_inventory(runner, session):
    from recovery.models import Sim
    from recovery.network.demo import SPARE_CARDS, spare_iccids

    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert all(iccid in result.output for iccid in spare_iccids())
    held = set(session.scalars(select(InventorySim.iccid)))
    sims = set(session.scalars(select(Sim.iccid)))
    assert sims <= held and len(held) == len(sims) + SPARE_CARDS
