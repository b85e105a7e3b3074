# Copy to instance/config.py and adapt. Every key can also be set from the environment
# as CAC_NEWS_<KEY> (values are parsed as JSON when they can be: CAC_NEWS_MAIL_PORT=587).

# Required outside debug mode: a long random string, kept secret.
# python -c 'import secrets; print(secrets.token_urlsafe(48))'
SECRET_KEY = "change-me"

# Public address of the site, used in every link of every email.
SITE_URL = "https://lettre.example.org"

# The organisation's time zone: schedules and events are typed and shown in it.
# TIMEZONE = "Europe/Paris"

# Default: SQLite in instance/cac_news.db. For PostgreSQL (psycopg 3):
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://user:password@db.example.org:5432/cac_news"

# Your organisation's SMTP relay (default: the local mail catcher on 127.0.0.1:8025).
# MAIL_SERVER = "smtp.example.org"
# MAIL_PORT = 587
# MAIL_USE_TLS = True      # STARTTLS
# MAIL_USE_SSL = False     # implicit TLS, usually port 465
# MAIL_USERNAME = "lettre@example.org"
# MAIL_PASSWORD = "..."
# MAIL_FROM = "Lettre du CAC <lettre@example.org>"

# Delivery: messages per second (0 = unlimited) and SMTP connections per worker.
# SEND_RATE = 10
# SEND_CONCURRENCY = 2
# Several relays instead (README, "Delivery"); /admin/relays can replace this list.
# SMTP_RELAYS = [
#     {"name": "ovh", "host": "ssl0.ovh.net", "tls": "ssl", "username": "lettre@example.org",
#      "password": "...", "connections": 2, "hourly": 200, "daily": 2000, "weight": 1},
#     {"name": "postfix", "host": "mail.example.org", "port": 587, "tls": "starttls",
#      "connections": 4, "rate": 20, "weight": 3},
# ]
# Messages per minute per destination domain (unset: conservative defaults; {}: off).
# DOMAIN_RATES = {"orange.fr,wanadoo.fr": 30, "free.fr": 60, "gmail.com": 300}

# Optional DKIM signing in the app (off by default). Signing at the MTA (OpenDKIM, rspamd)
# is cheaper: RSA-2048 signing here costs about 10 ms a message.
# DKIM_KEY_FILE = "/etc/cac_news/dkim.pem"
# DKIM_SELECTOR = "lettre"
# DKIM_DOMAIN = "example.org"

# Rate-limit store: memory by default; Redis when several web processes run.
# RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"
