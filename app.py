"""Entry point for `flask` and WSGI servers: `flask` finds `app` here."""

from cac_news import create_app

app = create_app()
