"""Overview, call details (filters, pages, CSV, post-loss highlighting), expenses and tariff."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from recovery.models import (
    Action,
    AuditEvent,
    CallEvent,
    CallKind,
    Channel,
    Claim,
    Outcome,
    Subscriber,
)
from tests.helpers.account import OTHER_NUMBER
from tests.helpers.web import csrf_token, log_in_as

NUMBER = "+79161234567"
FRIEND = "+79031112233"


def call(session, caller, callee, at, kind=CallKind.VOICE, duration_s=60, region="RU-MOW"):
    session.add(
        CallEvent(
            caller=caller, callee=callee, started_at=at, duration_s=duration_s, kind=kind, region=region
        )
    )


def report_loss(session, subscriber, lost_at, outcome=Outcome.BLOCK):
    session.add(
        Claim(
            msisdn=subscriber.msisdn,
            subscriber_id=subscriber.id,
            channel=Channel.WEB,
            requested_action=Action.BLOCK,
            current_region="RU-MOW",
            lost_at=lost_at,
            outcome=outcome,
            created_at=lost_at + timedelta(hours=1),
        )
    )
    session.commit()


def read_csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_overview_shows_number_tariff_balance_and_sim(holder):
    page = holder.get("/account/").get_data(as_text=True)
    assert "+7 916 123-45-67" in page  # grouped
    assert "Смарт" in page
    assert "100,00\u00a0₽" in page
    assert "Активна" in page


def test_details_list_both_directions_in_the_subscribers_time_zone(holder, session, subscriber, now):
    call(session, NUMBER, FRIEND, now - timedelta(hours=2), duration_s=61)
    call(session, FRIEND, NUMBER, now - timedelta(hours=3))
    call(session, NUMBER, "*100#", now - timedelta(hours=4), kind=CallKind.USSD, duration_s=0)
    call(session, NUMBER, FRIEND, now - timedelta(hours=5), kind=CallKind.SMS, duration_s=0)
    call(session, FRIEND, "+79990000000", now - timedelta(hours=1))  # not this subscriber's
    session.commit()

    response = holder.get("/account/details.csv")
    assert response.get_data(as_text=True).splitlines() == [
        "started_at,direction,other_party,kind,duration_s,region,cost_rub,possibly_not_you",
        f"2026-11-20T16:00:00+03:00,out,{FRIEND},voice,61,RU-MOW,3.00,no",
        f"2026-11-20T15:00:00+03:00,in,{FRIEND},voice,60,RU-MOW,0.00,no",
        "2026-11-20T14:00:00+03:00,out,*100#,ussd,0,RU-MOW,0.00,no",
        f"2026-11-20T13:00:00+03:00,out,{FRIEND},sms,0,RU-MOW,1.50,no",
    ]
    page = holder.get("/account/details").get_data(as_text=True)
    assert "4 события" in page and "+79990000000" not in page
    assert "20 нояб. 2026\u202fг., 16:00" in page  # the month by name


def test_times_follow_the_home_region(client, session, other_subscriber, now):
    from recovery.models import Account

    call(session, OTHER_NUMBER, FRIEND, now, region="RU-NVS")
    session.commit()
    log_in_as(
        client, session.scalars(select(Account).where(Account.subscriber_id == other_subscriber.id)).one()
    )
    rows = read_csv(client.get("/account/details.csv"))
    assert [row["started_at"] for row in rows] == ["2026-11-20T22:00:00+07:00"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=sms", ["sms"]),
        ("kind=voice", ["voice", "voice"]),
        ("kind=ussd", []),
        ("date_from=2026-11-19&date_to=2026-11-19", ["voice"]),
        ("date_from=2026-11-01&date_to=2026-11-10", ["voice"]),
        ("date_from=2026-11-20&date_to=2026-11-01", ["sms", "voice", "voice"]),  # inverted: last 30 days
    ],
)
def test_details_filter_by_kind_and_period(holder, session, subscriber, now, query, expected):
    call(session, NUMBER, FRIEND, now - timedelta(hours=1), kind=CallKind.SMS, duration_s=0)
    call(session, NUMBER, FRIEND, now - timedelta(days=1))
    call(session, NUMBER, FRIEND, now - timedelta(days=15))
    session.commit()
    assert [row["kind"] for row in read_csv(holder.get(f"/account/details.csv?{query}"))] == expected


def test_an_inverted_period_is_explained(holder, subscriber):
    page = holder.get("/account/details?date_from=2026-11-20&date_to=2026-11-01").get_data(as_text=True)
    assert "Начало периода позже его конца" in page


def test_details_are_paginated(holder, session, subscriber, now):
    for n in range(55):
        call(session, NUMBER, FRIEND, now - timedelta(minutes=10 * n + 1))
    session.commit()
    first = holder.get("/account/details").get_data(as_text=True)
    second = holder.get("/account/details?page=2").get_data(as_text=True)
    assert first.count("<tr class=") == 50 and second.count("<tr class=") == 5
    assert 'href="/account/details?page=2' in first
    assert holder.get("/account/details?page=99").status_code == 200  # clamped to the last page


def test_events_after_the_reported_loss_are_highlighted(holder, session, subscriber, now):
    lost_at = now - timedelta(days=2)
    call(session, NUMBER, FRIEND, lost_at - timedelta(hours=1))
    call(session, NUMBER, "+79995554433", lost_at + timedelta(hours=1))
    call(session, NUMBER, "*100#", lost_at + timedelta(hours=2), kind=CallKind.USSD, duration_s=0)
    call(session, FRIEND, NUMBER, lost_at + timedelta(hours=3))
    session.commit()
    report_loss(session, subscriber, lost_at - timedelta(days=10), outcome=Outcome.REJECTED)
    report_loss(session, subscriber, lost_at)

    page = holder.get("/account/details").get_data(as_text=True)
    # DESIGN 2.2: the events the SIM made (not the calls it received) at or after lostAt.
    assert "2 события с вашей SIM-карты после времени потери" in page
    assert "потерян 18 нояб. 2026\u202fг., 18:00 (Москва, UTC+3)" in page
    assert page.count("возможно, не вы</span>") == 2
    rows = read_csv(holder.get("/account/details.csv"))
    assert [row["possibly_not_you"] for row in rows] == ["no", "yes", "yes", "no"]
    overview = holder.get("/account/").get_data(as_text=True)
    assert "После времени потери с вашей SIM-карты было 2 события" in overview


def test_an_event_at_the_moment_of_the_loss_counts_and_the_alert_needs_one(holder, session, subscriber, now):
    lost_at = now - timedelta(days=1)
    report_loss(session, subscriber, lost_at)
    assert 'data-testid="post-loss"' not in holder.get("/account/").get_data(as_text=True)
    assert "не было звонков, SMS и USSD-запросов" in holder.get("/account/details").get_data(as_text=True)
    call(session, NUMBER, FRIEND, lost_at)
    session.commit()
    assert "было 1 событие" in holder.get("/account/").get_data(as_text=True)
    assert "1 событие с вашей SIM-карты" in holder.get("/account/details").get_data(as_text=True)


def test_no_highlighting_without_a_successful_claim(holder, session, subscriber, now):
    call(session, NUMBER, FRIEND, now - timedelta(hours=1))
    session.commit()
    report_loss(session, subscriber, now - timedelta(days=1), outcome=Outcome.REJECTED)
    page = holder.get("/account/details").get_data(as_text=True)
    assert "после сообщения о потере" not in page and "возможно, не вы</span>" not in page


def test_csv_export_is_an_attachment_and_neutralises_formulas(holder, session, subscriber, now):
    call(session, "=HYPERLINK(1)", NUMBER, now - timedelta(hours=1), kind=CallKind.SMS)
    session.commit()
    response = holder.get("/account/details.csv?date_from=2026-11-01&date_to=2026-11-20")
    assert response.mimetype == "text/csv"
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="details-2026-11-01-2026-11-20.csv"'
    )
    assert read_csv(response)[0]["other_party"] == "'=HYPERLINK(1)"


def test_expenses_per_month_and_kind_with_a_server_side_chart(holder, session, subscriber, now):
    call(session, NUMBER, FRIEND, datetime(2026, 11, 2, 9, 0, tzinfo=UTC), duration_s=125)  # 3 min × 1.50
    call(session, NUMBER, FRIEND, datetime(2026, 11, 3, 9, 0, tzinfo=UTC), kind=CallKind.SMS, duration_s=0)
    call(session, NUMBER, "0890", datetime(2026, 11, 4, 9, 0, tzinfo=UTC), duration_s=600)  # free
    call(session, NUMBER, FRIEND, datetime(2026, 10, 31, 21, 30, tzinfo=UTC))  # 1 Nov in Moscow
    call(session, NUMBER, FRIEND, datetime(2026, 9, 15, 9, 0, tzinfo=UTC), duration_s=60)
    call(session, FRIEND, NUMBER, datetime(2026, 9, 16, 9, 0, tzinfo=UTC), duration_s=600)  # incoming: free
    session.commit()
    page = holder.get("/account/expenses").get_data(as_text=True)
    table = page.split("<tbody>", 1)[1]
    november = table.split("ноябрь 2026", 1)[1].split("</tr>", 1)[0]  # the month by name
    cells = [cell.split(">")[-1] for cell in november.split("</td>")[:-1]]
    assert cells == ["6,00\u00a0₽", "1,50\u00a0₽", "0,00\u00a0₽", "7,50\u00a0₽"]
    september = table.split("сентябрь 2026", 1)[1].split("</tr>", 1)[0]
    assert "1,50\u00a0₽</td>" in september
    assert "<svg" in page and 'class="bar-voice"' in page
    assert "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")


def test_the_tariff_page_lists_the_seed_tariffs_and_switching_is_audited(holder, session, subscriber):
    page = holder.get("/account/tariff").get_data(as_text=True)
    for name in ("Базовый", "Смарт", "Смарт+", "Безлимит"):
        assert f'<h2 class="h5">{name}</h2>' in page
    confirm = holder.post("/account/tariff", data={"csrf_token": csrf_token(page), "tariff": "unlimited"})
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Перейти на тариф «Безлимит»?" in text
    assert "Новый тариф начинает действовать сразу, с 20 нояб. 2026\u202fг., 18:00 (Москва, UTC+3)" in text
    session.expire_all()
    assert session.get(Subscriber, subscriber.id).tariff == "smart"  # nothing changes before the confirmation
    response = holder.post(
        "/account/tariff", data={"csrf_token": csrf_token(text), "tariff": "unlimited", "confirmed": "yes"}
    )
    assert response.headers["Location"] == "/account/tariff"
    assert "Ваш тариф теперь «Безлимит»" in holder.get("/account/tariff").get_data(as_text=True)
    session.expire_all()
    assert session.get(Subscriber, subscriber.id).tariff == "unlimited"
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "account.tariff_changed")).one()
    assert event.details == {"previous": "smart", "tariff": "unlimited"}
    assert event.actor.startswith("account:")


def test_an_unknown_tariff_changes_nothing(holder, session, subscriber):
    page = holder.get("/account/tariff").get_data(as_text=True)
    holder.post(
        "/account/tariff", data={"csrf_token": csrf_token(page), "tariff": "free-forever", "confirmed": "yes"}
    )
    assert "Этот тариф недоступен" in holder.get("/account/tariff").get_data(as_text=True)
    session.expire_all()
    assert session.get(Subscriber, subscriber.id).tariff == "smart"


def test_a_tariff_change_never_reprices_past_usage(holder, session, subscriber, clock):
    # Issue 17: after Смарт → Базовый a past 7-minute call went from 10,50 to 17,50 ₽.
    call(session, NUMBER, FRIEND, clock.current - timedelta(days=3), duration_s=420)
    session.commit()
    page = holder.get("/account/tariff").get_data(as_text=True)
    holder.post(
        "/account/tariff", data={"csrf_token": csrf_token(page), "tariff": "basic", "confirmed": "yes"}
    )
    clock.advance(hours=1)
    call(session, NUMBER, FRIEND, clock.current, duration_s=420)  # the same call under «Базовый»
    session.commit()
    assert [row["cost_rub"] for row in read_csv(holder.get("/account/details.csv"))] == ["17.50", "10.50"]
    table = holder.get("/account/expenses").get_data(as_text=True).split("<tbody>", 1)[1]
    november = table.split("ноябрь 2026", 1)[1].split("</tr>")[0]
    assert "28,00\u00a0₽</td>" in november


def test_an_unlisted_tariff_shows_no_costs(holder, session, subscriber, now):
    subscriber.tariff = "legacy-2009"
    call(session, NUMBER, FRIEND, now - timedelta(hours=1))
    session.commit()
    assert read_csv(holder.get("/account/details.csv"))[0]["cost_rub"] == ""
    assert "для вашего тарифа здесь нет цен" in holder.get("/account/expenses").get_data(as_text=True)


def test_the_migration_seeds_every_tariff_the_demo_data_uses(session):
    from recovery.models import Tariff
    from recovery.seed import TARIFFS

    codes = set(session.scalars(select(Tariff.code)))
    assert set(TARIFFS) <= codes
    assert all(tariff.is_available for tariff in session.scalars(select(Tariff)))
