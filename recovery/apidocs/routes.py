"""The API reference page, built from the app's own OpenAPI document."""

from __future__ import annotations

from flask import current_app, render_template

from recovery.apidocs import bp
from recovery.apidocs.reference import build_reference


@bp.get("/api/v1/docs")
def reference() -> str:
    """Every operation of /api/v1 and /camara with its fields, errors and examples."""
    api = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    return render_template("apidocs/reference.html", reference=build_reference(api.spec.to_dict()))
