"""Old import path: the statement capture lives in ``tests.helpers.statements``."""

from tests.helpers.statements import Statements, captured_statements, engine_of

__all__ = ["Statements", "captured_statements", "engine_of"]
