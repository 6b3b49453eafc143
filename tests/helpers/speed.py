"""What makes the suite cheaper without changing what it checks.

* argon2's cheapest parameters: a production hash costs about half a second of CPU,
  and the suite hashes and verifies thousands of passwords. The rules under test
  (which password is accepted, that an unknown login verifies a hash too) do not
  depend on the cost.
* One compiled copy of each template for the whole run: every test builds its own
  app, and each app's Jinja environment would otherwise parse and compile every
  template it renders again. The cache is keyed by the template's name and checked
  against its source, so an edited template is compiled afresh.
* Commits that do not wait for the disk: SQLite's ``synchronous=OFF`` and
  PostgreSQL's ``synchronous_commit=off`` keep what other connections see, the
  locks and the isolation exactly as they are; only a power cut could lose a
  committed transaction, and each test's database is thrown away anyway. Without
  them most of an integration test's time is spent in fsync.
* URL builders generated once per rule: werkzeug writes and compiles a small Python
  function for every URL rule of every app (two per rule), a third of what building
  an app costs. The function depends only on the rule's text, its parts and its
  defaults' names, and reaches the rule's converters through the rule it is bound
  to, so two apps' copies of one rule can share it. A rule with a default for one
  of its own variables is built as before.
"""

from __future__ import annotations

from typing import Any

from argon2.profiles import CHEAPEST
from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing.rules import Rule

from recovery.security import passwords


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept in memory, shared by every app of the run."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill ``bucket`` from the cache, if the template was compiled before."""
        compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep the template just compiled."""
        self._compiled[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        """Forget every compiled template."""
        self._compiled.clear()


TEMPLATES = MemoryBytecodeCache()


def _commit_without_fsync(dbapi_connection: Any, _record: Any) -> None:
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        dbapi_connection.execute("PRAGMA synchronous=OFF")
    elif module.startswith("psycopg"):
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        dbapi_connection.execute("SET synchronous_commit TO off")
        dbapi_connection.autocommit = autocommit


_build_rule_function = Rule._compile_builder
_url_builders: dict[tuple, Any] = {}


def _shared_url_builder(rule: Rule, append_unknown: bool = True) -> Any:
    defaults = rule.defaults or {}
    if any(is_dynamic and part in defaults for is_dynamic, part in rule._trace):
        return _build_rule_function(rule, append_unknown)
    key = (rule.rule, tuple(rule._trace), tuple(defaults), append_unknown)
    builder = _url_builders.get(key)
    if builder is None:
        builder = _url_builders[key] = _build_rule_function(rule, append_unknown)
    return builder


def make_tests_cheaper() -> None:
    """Apply the savings above to everything the test process builds."""
    passwords.use_parameters(CHEAPEST)
    Rule._compile_builder = _shared_url_builder
    Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": TEMPLATES}
    if not event.contains(Engine, "connect", _commit_without_fsync):
        event.listen(Engine, "connect", _commit_without_fsync)
