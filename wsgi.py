"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi``."""

from config import load_config
from recovery import create_app

app = create_app(load_config())
