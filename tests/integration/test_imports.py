"""CSV imports through the CLI: good files, every kind of bad row, idempotence."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from sqlalchemy import func, select

from recovery.iccid import with_check_digit
from recovery.ledger.imports import CALL_HEADER, SUBSCRIBER_HEADER
from recovery.models import AuditEvent, CallEvent, CallKind, Sim, Subscriber
from recovery.passports import passport_digest

ICCID_1 = with_check_digit("897010100000000001")
ICCID_2 = with_check_digit("897010100000000002")
SUB_ROWS = [
    f'+79161234567,Иванов Иван Иванович,4509 123456,"г. Москва, ул. Ленина, д. 5, кв. 12",RU-MOW,{ICCID_1},'
    "2024-01-15T10:00:00+03:00,ivanov@example.ru,smart,350.50",
    f'8 (921) 765-43-21,Петрова Анна,40 10 654321,"г. Санкт-Петербург, Невский пр-т, д. 28",ru-spe,{ICCID_2},'
    "2023-06-01T09:30:00+03:00,,basic,-12",
]
CALL_ROWS = [
    "+79161234567,+79031112233,2026-11-10T18:30:00+03:00,125,voice,RU-MOW",
    "8 916 123-45-67,0890,2026-11-20T19:00:00+03:00,60,voice,RU-MOW",
    "+79161234567,*100#,2026-11-21T08:00:00+03:00,0,ussd,RU-MOW",
    "+74951234567,+79161234567,2026-11-11T12:00:00Z,0,sms,RU-MOW",
]


def write_csv(path: Path, header: tuple[str, ...], rows: list[str], *, raw: bytes | None = None) -> Path:
    data = raw if raw is not None else ("\n".join([",".join(header), *rows]) + "\n").encode()
    path.write_bytes(data)
    return path


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_subscribers_import_stores_normalised_values_and_only_a_passport_hash(runner, session, app, tmp_path):
    path = write_csv(tmp_path / "subscribers.csv", SUBSCRIBER_HEADER, SUB_ROWS)
    result = runner.invoke(args=["import-subscribers", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 rows read, 2 added" in result.output

    petrova = session.scalar(select(Subscriber).where(Subscriber.msisdn == "+79217654321"))
    assert (petrova.last_name, petrova.first_name, petrova.patronymic) == ("Петрова", "Анна", None)
    assert petrova.home_region == "RU-SPE"
    assert petrova.email is None
    assert petrova.balance_kopecks == -1200
    assert petrova.passport_hmac == passport_digest("4010654321", app.config["PII_KEY"])
    ivanov = session.scalar(select(Subscriber).where(Subscriber.msisdn == "+79161234567"))
    assert ivanov.balance_kopecks == 35050
    assert ivanov.current_sim.iccid == ICCID_1
    assert ivanov.current_sim.activated_at.isoformat() == "2024-01-15T07:00:00+00:00"
    stored = " ".join(str(v) for v in session.execute(select(Subscriber.__table__)).all())
    assert "4509123456" not in stored and "4509 123456" not in stored and "4010654321" not in stored
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "import.subscribers")).one()
    assert audit.details == {"rows": 2, "added": 2, "updated": 0}


def test_subscribers_reimport_updates_without_duplicating(runner, session, tmp_path):
    path = write_csv(tmp_path / "s.csv", SUBSCRIBER_HEADER, SUB_ROWS)
    assert runner.invoke(args=["import-subscribers", str(path)]).exit_code == 0
    changed = [SUB_ROWS[0].replace("ivanov@example.ru", "new@example.ru"), SUB_ROWS[1]]
    path = write_csv(tmp_path / "s2.csv", SUBSCRIBER_HEADER, changed)
    result = runner.invoke(args=["import-subscribers", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 added, 1 updated, 1 already present" in result.output
    assert count(session, Subscriber) == 2 and count(session, Sim) == 2
    assert (
        session.scalar(select(Subscriber.email).where(Subscriber.msisdn == "+79161234567"))
        == "new@example.ru"
    )


BAD_SUBSCRIBER_ROWS = [
    ("+7916,Иванов Иван,4509 123456,addr,RU-MOW,{iccid},2024-01-15T10:00:00+03:00,,smart,0", "msisdn"),
    ("+79161112233,Иванов,4509 123456,addr,RU-MOW,{iccid},2024-01-15T10:00:00+03:00,,smart,0", "full_name"),
    (
        "+79161112233,Иванов Иван,4509 12345,addr,RU-MOW,{iccid},2024-01-15T10:00:00+03:00,,smart,0",
        "passport",
    ),
    (
        "+79161112233,Иванов Иван,4509 123456,addr,RU-XXX,{iccid},2024-01-15T10:00:00+03:00,,smart,0",
        "home_region",
    ),
    (
        "+79161112233,Иванов Иван,4509 123456,addr,RU-MOW,{bad_iccid},2024-01-15T10:00:00+03:00,,smart,0",
        "iccid",
    ),
    ("+79161112233,Иванов Иван,4509 123456,addr,RU-MOW,{iccid},2024-01-15 10:00,,smart,0", "activated_at"),
    ("+79161112233,Иванов Иван,4509 123456,addr,RU-MOW,{iccid},yesterday,,smart,0", "activated_at"),
    (
        "+79161112233,Иванов Иван,4509 123456,addr,RU-MOW,{iccid},2024-01-15T10:00:00+03:00,not-mail,smart,0",
        "email",
    ),
    (
        "+79161112233,Иванов Иван,4509 123456,addr,RU-MOW,{iccid},2024-01-15T10:00:00+03:00,,smart,12.345",
        "balance",
    ),
    (
        "+79161112233,Иванов Иван,4509 123456,,RU-MOW,{iccid},2024-01-15T10:00:00+03:00,,smart,0",
        "registered_address",
    ),
    ("+79161112233,Иванов Иван,4509 123456,addr,RU-MOW,{iccid}", "expected 10 columns"),
    (
        "+79161234567,Дубль Дубль,4509 123456,addr,RU-MOW,{iccid},2024-01-15T10:00:00+03:00,,smart,0",
        "msisdn: repeats line 2",
    ),
]


@pytest.mark.parametrize(("row", "reason"), BAD_SUBSCRIBER_ROWS)
def test_a_bad_subscriber_row_rejects_the_whole_file(runner, session, tmp_path, row, reason):
    bad = row.format(
        iccid=with_check_digit("897010100000000099"),
        bad_iccid=ICCID_1[:-1] + "0" if ICCID_1[-1] != "0" else ICCID_1[:-1] + "1",
    )
    path = write_csv(tmp_path / "s.csv", SUBSCRIBER_HEADER, [SUB_ROWS[0], bad])
    result = runner.invoke(args=["import-subscribers", str(path)])
    assert result.exit_code != 0
    assert f"line 3: {reason}" in result.output, result.output
    assert "nothing imported" in result.output
    assert count(session, Subscriber) == 0 and count(session, Sim) == 0


def test_calls_import_normalises_parties_and_keeps_time_zones(runner, session, tmp_path):
    path = write_csv(tmp_path / "calls.csv", CALL_HEADER, CALL_ROWS)
    result = runner.invoke(args=["import-calls", str(path)])
    assert result.exit_code == 0, result.output
    assert "4 rows read, 4 added" in result.output
    events = session.scalars(select(CallEvent).order_by(CallEvent.started_at)).all()
    assert [(e.caller, e.callee, e.kind) for e in events] == [
        ("+79161234567", "+79031112233", CallKind.VOICE),
        ("+74951234567", "+79161234567", CallKind.SMS),
        ("+79161234567", "0890", CallKind.VOICE),
        ("+79161234567", "*100#", CallKind.USSD),
    ]
    assert events[0].started_at.isoformat() == "2026-11-10T15:30:00+00:00"
    assert events[0].duration_s == 125


def test_calls_reimport_adds_nothing(runner, session, tmp_path):
    path = write_csv(tmp_path / "calls.csv", CALL_HEADER, CALL_ROWS)
    assert runner.invoke(args=["import-calls", str(path)]).exit_code == 0
    # The same events written differently (other number format, other offset) are the same events.
    same = [
        "89161234567,+7 903 111-22-33,2026-11-10T15:30:00+00:00,125,voice,RU-MOW",
        *CALL_ROWS[1:],
    ]
    result = runner.invoke(args=["import-calls", str(write_csv(tmp_path / "again.csv", CALL_HEADER, same))])
    assert result.exit_code == 0, result.output
    assert "0 added" in result.output and "4 already present" in result.output
    assert count(session, CallEvent) == 4


BAD_CALL_ROWS = [
    ("+7916,+79031112233,2026-11-10T18:30:00+03:00,1,voice,RU-MOW", "caller"),
    ("+79161234567,hello,2026-11-10T18:30:00+03:00,1,voice,RU-MOW", "callee"),
    ("+79161234567,+79031112233,2026-11-10T18:30:00,1,voice,RU-MOW", "started_at: needs a UTC offset"),
    ("+79161234567,+79031112233,2026-13-10T18:30:00+03:00,1,voice,RU-MOW", "started_at"),
    ("+79161234567,+79031112233,2026-11-10T18:30:00+03:00,-5,voice,RU-MOW", "duration_s"),
    ("+79161234567,+79031112233,2026-11-10T18:30:00+03:00,ten,voice,RU-MOW", "duration_s"),
    ("+79161234567,+79031112233,2026-11-10T18:30:00+03:00,1,fax,RU-MOW", "kind"),
    ("+79161234567,+79031112233,2026-11-10T18:30:00+03:00,1,voice,RU-ZZZ", "region"),
    ("+79161234567,+79031112233,2026-11-10T18:30:00+03:00,1,voice", "expected 6 columns, found 5"),
    (
        "+79161234567,+79031112233,2026-11-10T18:30:00+03:00,1,voice,RU-MOW,extra",
        "expected 6 columns, found 7",
    ),
]


@pytest.mark.parametrize(("row", "reason"), BAD_CALL_ROWS)
def test_a_bad_call_row_rejects_the_whole_file(runner, session, tmp_path, row, reason):
    path = write_csv(tmp_path / "calls.csv", CALL_HEADER, [*CALL_ROWS, row])
    result = runner.invoke(args=["import-calls", str(path)])
    assert result.exit_code != 0
    assert f"line 6: {reason}" in result.output, result.output
    assert count(session, CallEvent) == 0


def test_undecodable_bytes_are_reported_by_line(runner, session, tmp_path):
    header = ",".join(CALL_HEADER).encode()
    raw = b"\n".join(
        [header, CALL_ROWS[0].encode(), b"+79161234567,\xff\xfe,2026-11-10T18:30:00+03:00,1,voice,RU-MOW"]
    )
    result = runner.invoke(
        args=["import-calls", str(write_csv(tmp_path / "c.csv", CALL_HEADER, [], raw=raw))]
    )
    assert result.exit_code != 0
    assert "line 3: not valid UTF-8" in result.output
    assert count(session, CallEvent) == 0


def test_a_wrong_header_is_refused(runner, session, tmp_path):
    path = write_csv(
        tmp_path / "c.csv", ("caller", "callee", "when", "duration_s", "kind", "region"), CALL_ROWS
    )
    result = runner.invoke(args=["import-calls", str(path)])
    assert result.exit_code != 0
    assert "line 1: header must be caller,callee,started_at,duration_s,kind,region" in result.output


def test_at_most_twenty_errors_are_listed(runner, session, tmp_path):
    rows = [f"+79161234567,+79031112233,2026-11-10T18:{m:02d}:00+03:00,1,fax,RU-MOW" for m in range(30)]
    result = runner.invoke(args=["import-calls", str(write_csv(tmp_path / "c.csv", CALL_HEADER, rows))])
    assert result.exit_code != 0
    listed = [line for line in result.output.splitlines() if line.startswith("line ")]
    assert len(listed) == 20 and listed[0].startswith("line 2:") and listed[-1].startswith("line 21:")


def test_gzip_and_stdin_are_accepted(runner, session, tmp_path):
    body = ("\n".join([",".join(CALL_HEADER), *CALL_ROWS]) + "\n").encode()
    gz = tmp_path / "calls.csv.gz"
    gz.write_bytes(gzip.compress(body))
    result = runner.invoke(args=["import-calls", str(gz)])
    assert result.exit_code == 0, result.output
    assert count(session, CallEvent) == 4

    subscribers = ("\n".join([",".join(SUBSCRIBER_HEADER), *SUB_ROWS]) + "\n").encode()
    result = runner.invoke(args=["import-subscribers", "-"], input=subscribers)
    assert result.exit_code == 0, result.output
    assert count(session, Subscriber) == 2


def test_a_missing_file_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["import-calls", str(tmp_path / "nope.csv")])
    assert result.exit_code != 0
    assert "cannot open" in result.output
