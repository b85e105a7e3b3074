"""The suite's plugins (tests/fixtures/) and its markers.

The database is SQLite in a temporary folder, or the PostgreSQL server named by
CAC_NEWS_SQLALCHEMY_DATABASE_URI (the second CI run). The schema always comes from the
Alembic migrations, never from `create_all`, so that the migrations are what is tested.
"""

from __future__ import annotations

import pytest

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.people",
    "tests.fixtures.mail",
    "tests.fixtures.browser",
    "tests.fixtures.content",
]

# Test modules that drive a Debian program tools/system-deps.sh installs (beyond chromium).
NEEDS_SYSTEM_PROGRAMS = {
    "test_bounce_imap",  # dovecot
    "test_deploy",  # systemd-analyze, nginx, caddy
    "test_proxy",  # nginx
    "test_spamassassin",  # spamassassin
    "test_html_validity",  # java for the W3C checker
}


def pytest_collection_modifyitems(items):
    """Mark what `make test-fast` leaves out: tests using chromium, and the modules that
    need Debian programs; so no test can be forgotten by a missing decorator."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        if item.module.__name__.rpartition(".")[2] in NEEDS_SYSTEM_PROGRAMS:
            item.add_marker(pytest.mark.system)
