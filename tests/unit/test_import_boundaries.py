"""The engine and the configuration import without the web framework or the models."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]

FORBIDDEN = ("flask", "flask_sqlalchemy", "recovery.models")


@pytest.mark.parametrize(
    "module", ["recovery.verification", "config", "recovery.vocabulary", "recovery.security.passwords"]
)
def test_module_imports_without_flask_or_models(module: str) -> None:
    # A fresh interpreter: the test process itself has long since imported Flask.
    probe = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = set(json.loads(result.stdout))
    for name in FORBIDDEN:
        assert name not in loaded, f"importing {module} loaded {name}"
    assert not {m for m in loaded if m.startswith(("flask.", "recovery.models."))}
