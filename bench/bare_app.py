"""The floor of ``GET /healthz``: a bare Flask app with one JSON route, served by the same gunicorn.

No extensions, no hooks, no database: what Flask and gunicorn cost for a JSON
answer on this machine, so that ``/healthz`` (which asks the database) is
compared with what a request cannot do without.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/healthz")
def healthz() -> dict[str, str]:
    """The same body as the application's ``/healthz``."""
    return {"status": "ok"}
