"""The contract history: a contract wherever a subscriber is made, new owners through the import,
and reissues that leave it alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from recovery.iccid import with_check_digit
from recovery.ledger.imports import SUBSCRIBER_HEADER
from recovery.models import Account, AuditEvent, Contract, Sim, SimStatus, Subscriber
from recovery.passports import passport_digest
from recovery.seed import SUBSCRIBER_COUNT, seed_demo
from tests.helpers.camara import reissue
from tests.helpers.claims import open_reissue
from tests.helpers.people import IVANOV, make_account, make_ivanov, make_subscriber

NUMBER = IVANOV["msisdn"]
ICCID_A = with_check_digit("897010100000000011")
ICCID_B = with_check_digit("897010100000000012")
ROW_A = (
    f'{NUMBER},Иванов Иван Иванович,4509 123456,"г. Москва, ул. Ленина, д. 5, кв. 12",RU-MOW,{ICCID_A},'
    "2024-01-15T10:00:00+03:00,ivanov@example.ru,smart,350.50"
)
ROW_B = (
    f'{NUMBER},Сидорова Мария Павловна,4012 222333,"г. Москва, ул. Тверская, д. 1, кв. 2",RU-MOW,{ICCID_B},'
    "2025-09-21T12:00:00+03:00,,basic,0"
)


def write_csv(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([",".join(SUBSCRIBER_HEADER), *rows]) + "\n", encoding="utf-8")
    return path


def contracts(session, msisdn: str = NUMBER) -> list[tuple[int, datetime, datetime | None]]:
    query = select(Contract).where(Contract.msisdn == msisdn).order_by(Contract.started_at)
    return [(c.subscriber_id, c.started_at, c.ended_at) for c in session.scalars(query)]


def test_a_new_number_in_the_import_opens_a_contract_from_its_sim_activation(runner, session, tmp_path):
    assert (
        runner.invoke(args=["import-subscribers", str(write_csv(tmp_path / "s.csv", ROW_A))]).exit_code == 0
    )
    subscriber = session.scalar(select(Subscriber))
    assert contracts(session) == [(subscriber.id, datetime(2024, 1, 15, 7, tzinfo=UTC), None)]
    # Re-importing the same row, or an updated address, changes no contract.
    moved = ROW_A.replace("д. 5, кв. 12", "д. 7, кв. 1")
    assert (
        runner.invoke(args=["import-subscribers", str(write_csv(tmp_path / "m.csv", moved))]).exit_code == 0
    )
    assert len(contracts(session)) == 1


def test_an_import_naming_another_person_hands_the_number_over(runner, session, app, tmp_path):
    runner.invoke(args=["import-subscribers", str(write_csv(tmp_path / "a.csv", ROW_A))])
    ivanov = session.scalar(select(Subscriber))
    ivanov.reissue_in_person_only = True
    session.commit()
    make_account(session, ivanov)
    result = runner.invoke(args=["import-subscribers", str(write_csv(tmp_path / "b.csv", ROW_B))])
    assert result.exit_code == 0, result.output
    assert "1 updated (1 to a new owner)" in result.output

    session.expunge_all()
    line = session.scalar(select(Subscriber))
    handed_over = datetime(2025, 9, 21, 9, tzinfo=UTC)
    assert contracts(session) == [
        (line.id, datetime(2024, 1, 15, 7, tzinfo=UTC), handed_over),
        (line.id, handed_over, None),
    ]
    assert line.current_contract.started_at == handed_over
    # The record is the new owner's: identity, tariff, a new SIM; the old SIM is retired.
    assert (line.last_name, line.tariff, line.email) == ("Сидорова", "basic", None)
    assert line.passport_hmac == passport_digest("4012 222333", app.config["PII_KEY"])
    sims = session.scalars(select(Sim).order_by(Sim.activated_at)).all()
    assert [(s.iccid, s.status, s.retired_at) for s in sims] == [
        (ICCID_A, SimStatus.RETIRED, handed_over),
        (ICCID_B, SimStatus.ACTIVE, None),
    ]
    # What was the old owner's own goes: the account login and the SIM lock.
    assert session.scalar(select(func.count()).select_from(Account)) == 0
    assert line.reissue_in_person_only is False
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.subject) for e in events][-2:] == [
        ("subscriber.owner_changed", NUMBER),
        ("import.subscribers", None),
    ]
    assert events[-1].details == {"rows": 1, "added": 0, "updated": 1, "owners_changed": 1}
    # The same file again: the new owner is already on record, nothing changes.
    again = runner.invoke(args=["import-subscribers", str(write_csv(tmp_path / "b.csv", ROW_B))])
    assert again.exit_code == 0 and len(contracts(session)) == 2


def test_a_hand_over_that_cannot_be_is_refused_and_nothing_is_written(runner, session, config, tmp_path):
    iccid_c = with_check_digit("897010100000000013")
    row_c = ROW_A.replace(NUMBER, "+79160000009").replace(ICCID_A, iccid_c)
    runner.invoke(args=["import-subscribers", str(write_csv(tmp_path / "a.csv", ROW_A, row_c))])
    cases = {
        "needs a new SIM": ROW_B.replace(ICCID_B, ICCID_A),
        "belongs to another number": ROW_B.replace(ICCID_B, iccid_c),
        "after the present owner's contract began": ROW_B.replace("2025-09-21T12:00", "2024-01-15T09:00"),
    }
    for reason, row in cases.items():
        result = runner.invoke(args=["import-subscribers", str(write_csv(tmp_path / "x.csv", row))])
        assert result.exit_code != 0 and reason in result.output, result.output
    assert len(contracts(session)) == 1
    assert session.scalar(select(Subscriber.last_name).where(Subscriber.msisdn == NUMBER)) == "Иванов"


def test_no_hand_over_while_a_reissue_is_open(runner, session, config, tmp_path):
    ivanov = make_ivanov(session, config.PII_KEY, datetime.now(UTC))
    open_reissue(session, config.PII_KEY, ivanov, IVANOV["calls"])
    result = runner.invoke(args=["import-subscribers", str(write_csv(tmp_path / "b.csv", ROW_B))])
    assert result.exit_code != 0 and "a reissue is open for the number" in result.output
    assert len(contracts(session)) == 1


def test_a_lost_sim_reissue_does_not_touch_the_contract(session, config):
    subscriber = make_subscriber(session, config.PII_KEY)
    before = contracts(session)
    assert before == [(subscriber.id, datetime(2024, 1, 1, tzinfo=UTC), None)]
    reissue(session, subscriber, datetime.now(UTC) - timedelta(hours=1))
    assert contracts(session) == before


def test_test_subscribers_and_the_demo_seed_have_contracts(session, config):
    make_subscriber(
        session, config.PII_KEY, msisdn="+79160000001", activated_at=datetime(2022, 3, 4, tzinfo=UTC)
    )
    assert contracts(session, "+79160000001")[0][1:] == (datetime(2022, 3, 4, tzinfo=UTC), None)
    session.execute(Contract.__table__.delete())
    session.execute(Sim.__table__.delete())
    session.execute(Subscriber.__table__.delete())
    seed_demo(session, config.PII_KEY)
    session.commit()
    assert session.scalar(select(func.count()).select_from(Contract)) == SUBSCRIBER_COUNT
    first_sim = select(func.min(Sim.activated_at)).where(Sim.subscriber_id == Contract.subscriber_id)
    mismatched = (
        select(func.count()).select_from(Contract).where(Contract.started_at != first_sim.scalar_subquery())
    )
    assert session.scalar(mismatched) == 0
    assert session.scalar(select(func.count()).where(Contract.ended_at.is_not(None))) == 0
