"""Configuration defaults; overridden by instance/config.py, then CAC_NEWS_* variables."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    """Embedded defaults: SQLite in instance/, SMTP to the local mail catcher."""

    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # computed from the instance path
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SITE_URL = "http://127.0.0.1:5000"
    SITE_NAME = "Lettre du groupe Financiarisation de l'action sociale"
    ORGANISATION_NAME = "Collectif des Associations Citoyennes"
    ORGANISATION_ADDRESS = "Collectif des Associations Citoyennes, 108 rue Saint-Maur, 75011 Paris"

    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 8025
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM = "Lettre CAC <lettre@cac-news.localhost>"
    MAIL_TIMEOUT = 30

    SEND_RATE = 0  # messages per second; 0 means unlimited
    SEND_CONCURRENCY = 2  # persistent SMTP connections per worker
    SEND_BATCH_SIZE = 100  # deliveries claimed at a time by a worker
    SEND_MAX_ATTEMPTS = 6  # temporary failures (4xx, connection) before a delivery fails
    SEND_RETRY_DELAY = 60  # seconds before the first retry; doubles on each attempt
    SEND_RETRY_MAX_DELAY = 6 * 3600
    SEND_PAUSE_AFTER_ERRORS = 20  # errors in a row after which a newsletter pauses itself
    # Several relays: a list of dicts (or its JSON in CAC_NEWS_SMTP_RELAYS) with name, host,
    # port, tls (none|starttls|ssl), username, password, connections, rate (per second),
    # hourly, daily (quotas, 0 = none), weight. Unset: the MAIL_* relay alone.
    SMTP_RELAYS: list | str | None = None
    RELAY_FAILURES = 3  # relay failures in a row that take a relay out of service...
    RELAY_RETRY_SECONDS = 60  # ... until it is tried again after this long
    # Messages per minute per destination domain; None: mailing.pacing.DEFAULT_DOMAIN_RATES.
    DOMAIN_RATES: dict | str | None = None
    LEASE_SECONDS = 120  # a claim held by a worker that stops renewing it is taken over
    WORKER_POLL_SECONDS = 2.0  # idle worker's wait between looks at the queue
    LIST_ID: str | None = None  # "Name <slug.domain>"; derived from MAIL_FROM when unset
    LIST_UNSUBSCRIBE_MAILTO: str | None = None  # default: unsubscribe@<MAIL_FROM's domain>
    DKIM_KEY_FILE: str | None = None  # PEM private key; DKIM signing is off when unset
    DKIM_SELECTOR: str | None = None
    DKIM_DOMAIN: str | None = None
    # Discussion lists: authors' domains whose DMARC policy is reject or quarantine get
    # From rewritten; these are treated so without a DNS lookup (DMARC_LOOKUP off: only these).
    DMARC_STRICT_DOMAINS: list | str = []
    DMARC_LOOKUP = True
    DMARC_LOOKUP_TIMEOUT = 3.0

    RATELIMIT_STORAGE_URI = "memory://"
    # Seconds a worker keeps an archive page in memory (0: off). A withdrawal clears the
    # worker that made it at once, other workers within this delay.
    ARCHIVE_CACHE_SECONDS = 5
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT_IP = "10 per 5 minutes"
    LOGIN_RATE_LIMIT_ACCOUNT = "5 per 5 minutes"
    # "Forgot password": requests per client address (429 past it), and per typed address
    # (silent past it: the same page, no mail queued).
    PASSWORD_RESET_RATE_LIMIT_IP = "5 per hour"  # noqa: S105 (a rate, not a password)
    PASSWORD_RESET_RATE_LIMIT_ADDRESS = "3 per hour"  # noqa: S105

    BABEL_DEFAULT_LOCALE = "fr"
    # The organisation's time zone: times typed and shown (schedules, events). TIMEZONE,
    # when set, wins and sets BABEL_DEFAULT_TIMEZONE (create_app makes both agree).
    TIMEZONE: str | None = None
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("fr", "en")

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12

    ADMIN_PAGE_SIZE = 50
    RESOURCE_MAX_BYTES = 20 * 1024 * 1024  # largest file attached to a resource (PDF, ODT, DOCX)

    BOUNCE_HARD_THRESHOLD = 1  # hard bounces that make a subscriber "bounced"
    BOUNCE_SOFT_THRESHOLD = 5  # soft bounces within the window that do the same
    BOUNCE_SOFT_WINDOW_DAYS = 30
    BOUNCE_SOFT_CONSECUTIVE_ISSUES = 3  # or soft bounces on this many issues in a row
    # VERP: the envelope sender names the delivery (bounces+TOKEN@BOUNCE_DOMAIN).
    VERP_ENABLED = False
    BOUNCE_DOMAIN: str | None = None  # default: the domain of MAIL_FROM
    # The mailbox `flask bounces fetch` reads (IMAP); unset host: fetching is off.
    BOUNCE_IMAP_HOST: str | None = None
    BOUNCE_IMAP_PORT = 993
    BOUNCE_IMAP_SSL = True
    BOUNCE_IMAP_USER: str | None = None
    BOUNCE_IMAP_PASSWORD: str | None = None
    BOUNCE_IMAP_FOLDER = "INBOX"
    BOUNCE_IMAP_PROCESSED_FOLDER: str | None = None  # move processed messages here; else \\Seen
    # Subscribers' side: public forms and consent.
    CONSENT_STORE_IP = False  # keep the confirming IP address with the consent record
    SUBSCRIBE_RATE_LIMIT = "5 per minute;30 per hour"
    MY_LINK_RATE_LIMIT = "5 per minute;20 per hour"
    # Confirmation and "my link" mails one address may get per 24 h, whatever the client IP.
    TRANSACTIONAL_DAILY_ALLOWANCE = 3
    CONFIRM_TOKEN_MAX_AGE = 7 * 24 * 3600
    # Letters' links go through SITE_URL/l/<code>, counted per (letter, link, day) only.
    LINK_COUNTING = True
    # Outgoing webhooks may post to private, loopback and link-local addresses (tests, or a
    # receiver on the same network); off, such URLs are refused, also at connection time.
    WEBHOOK_ALLOW_PRIVATE = False
    # Production (issue 12): proxy, request bodies, content security policy.
    TRUSTED_PROXIES = 0  # X-Forwarded-For/-Proto/-Host hops set by trusted reverse proxies
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024  # admin requests, CSV imports included
    PUBLIC_FORM_MAX_LENGTH = 16 * 1024  # public forms and the login
    CSP_IMG_SRC = "'self' data:"  # where site pages may load images from
    MEDIA_MAX_BYTES = 10 * 1024 * 1024  # largest image upload (issue 13)
    # REST API (issue 15): calls per token, in Flask-Limiter's notation ("a;b" for several).
    API_RATE_LIMIT = "300 per minute"
