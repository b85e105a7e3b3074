"""WSGI entry point of an installed package: `gunicorn cac_news.wsgi:app`."""

from cac_news import create_app

app = create_app()
