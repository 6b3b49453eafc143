"""Lost-SIM recovery and identity-verification service.

Importing the package loads nothing of Flask: the verification engine
(``recovery.verification``) and the vocabulary (``recovery.vocabulary``) stay
importable on their own. The application factory lives in ``recovery.app``;
``from recovery import create_app`` still works and imports it on first use.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    """Resolve ``create_app`` lazily, so that the package import stays Flask-free."""
    if name == "create_app":
        from recovery.app import create_app

        return create_app
    raise AttributeError(f"module 'recovery' has no attribute {name!r}")
