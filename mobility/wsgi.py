"""WSGI entry point: `gunicorn 'mobility.wsgi:app'` (settings from the environment)."""

from mobility.app import create_app

app = create_app()
