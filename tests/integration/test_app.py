"""The factory, the front page, the language switch and the health check."""

from sqlalchemy import text

from recovery import create_app
from recovery.extensions import db
from tests.helpers.databases import make_config


def test_front_page_is_russian_and_links_the_three_ways_in(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="ru">' in page
    assert "Сообщить о потере SIM-карты" in page
    assert 'href="/lost"' in page
    assert 'href="/account"' in page
    assert 'href="/staff/login"' in page


def test_english_is_chosen_from_the_browser_then_by_the_switch(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Report a lost SIM" in page

    page = client.get("/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<html lang="ru">' in page
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/lang/en", data={"csrf_token": csrf, "next": "/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Report a lost SIM" in client.get("/", headers={"Accept-Language": "ru"}).get_data(as_text=True)


def test_language_switch_refuses_a_foreign_redirect(client):
    page = client.get("/").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/lang/en", data={"csrf_token": csrf, "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_language_switch_needs_csrf(client):
    assert client.post("/lang/en", data={"next": "/"}).status_code == 400


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_is_one_statement_in_autocommit(app, client):
    """``SELECT 1`` on an autocommit connection: no BEGIN before it, no ROLLBACK after it on
    PostgreSQL (issue 16; ``bench.profile_requests`` counts the round trips: one)."""
    from sqlalchemy import event

    from tests.helpers.statements import captured_statements, engine_of

    levels = []
    engine = engine_of(app)

    def note(connection, _cursor, _statement, _params, _context, _many):
        levels.append(connection.get_execution_options().get("isolation_level"))

    event.listen(engine, "before_cursor_execute", note)
    try:
        with captured_statements(app) as statements:
            assert client.get("/healthz").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert statements == ["SELECT 1"]
    assert levels == ["AUTOCOMMIT"]


def test_healthz_answers_503_when_the_database_does_not(tmp_path):
    app = create_app(make_config(f"sqlite:///{tmp_path}/missing-dir/nothing/x.sqlite3"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


def test_the_factory_binds_a_fresh_database(app):
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM subscribers")).scalar_one() == 0
