"""Helpers of the tests: plain functions and data, imported by tests and conftests.

* ``databases`` — test configs and fresh, migrated databases (SQLite files, PostgreSQL databases);
* ``people`` — the README's Иванов, subscribers, ledgers, account holders, staff and API clients;
* ``web`` — forms as a browser fills them: CSRF tokens, posts, sign-in;
* ``probes`` — test-only routes for the security helpers (``@pytest.mark.probes`` adds them);
* ``statements`` — the SQL statements a request sends, to compare two paths without a clock.

Conftests define fixtures only; anything a test imports lives here.
"""
