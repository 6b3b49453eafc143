"""docs/OPERATIONS.md's tables of environment variables are the ones the code reads, no more, no fewer."""

from __future__ import annotations

import re
from pathlib import Path

from cryptography.fernet import Fernet

from config import load_config

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "OPERATIONS.md"
ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]*)` \|", re.MULTILINE)


class RecordingEnviron(dict):
    """An environment that notes every name the configuration asks for."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)


def table(marker: str) -> set[str]:
    """The variable names of the table between ``<!-- marker -->`` and ``<!-- /marker -->``."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split(f"<!-- {marker} -->")[1].split(f"<!-- /{marker} -->")[0]
    return set(ROW.findall(section))


def read_by_config() -> set[str]:
    asked: set[str] = set()
    production = {
        "RECOVERY_ENV": "production",
        "SECRET_KEY": "s" * 40,
        "PII_KEY": "p" * 40,
        "DATABASE_URL": "postgresql+psycopg://recovery@db/recovery",
        "PII_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
    }
    for values in ({"RECOVERY_ENV": "development"}, {"RECOVERY_ENV": "testing"}, production):
        environ = RecordingEnviron(values)
        load_config(environ)
        asked |= environ.asked
    return asked


def test_the_config_table_is_what_config_py_reads():
    assert table("env:config") == read_by_config()


def test_the_process_table_is_what_gunicorn_conf_reads():
    source = (ROOT / "gunicorn.conf.py").read_text(encoding="utf-8")
    read = set(re.findall(r"os\.environ(?:\.get\(|\.setdefault\(|\[)\s*\"([A-Z0-9_]+)\"", source))
    assert "PROMETHEUS_MULTIPROC_DIR" in read
    assert table("env:process") == read
