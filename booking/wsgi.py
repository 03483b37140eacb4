"""WSGI entry point for gunicorn: `gunicorn 'booking.wsgi:app'` (settings from the environment)."""

from booking.app import create_app

app = create_app()
