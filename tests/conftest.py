"""Fixtures: an app on a fresh database per test, clients, factories and a real SMTP server.

The database is SQLite in a temporary folder, or the PostgreSQL server named by
CAC_NEWS_SQLALCHEMY_DATABASE_URI (the second CI run). The schema always comes from the
Alembic migrations, never from `create_all`, so that the migrations are what is tested.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from cac_news import create_app
from cac_news.extensions import db, limiter
from cac_news.models import ParticipationMode, Pilot, Subscriber

PG_URI = os.environ.get("CAC_NEWS_SQLALCHEMY_DATABASE_URI", "")
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


USING_POSTGRESQL = PG_URI.startswith("postgresql")
PASSWORD = "correct horse battery"
KEEP_TABLES = {"alembic_version", "territory"}


def base_config(instance_path: Path, database_uri: str) -> dict:
    """Configuration shared by every test app."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SITE_URL": "http://localhost",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": free_port(),  # nothing listens unless a test starts a server
        "MAIL_FROM": "Lettre CAC <lettre@example.org>",
    }


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def migrate_database(instance_path: Path, database_uri: str) -> None:
    """Run every Alembic migration against the database."""
    app = create_app(base_config(instance_path, database_uri))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def reset_postgresql(uri: str) -> None:
    """Drop everything in the public schema of the test database."""
    engine = create_engine(uri)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> str:
    """A migrated database: a SQLite file to copy per test, or the PostgreSQL URI."""
    instance = tmp_path_factory.mktemp("template")
    if USING_POSTGRESQL:
        reset_postgresql(PG_URI)
        migrate_database(instance, PG_URI)
        return PG_URI
    path = instance / "template.db"
    migrate_database(instance, f"sqlite:///{path}")
    return str(path)


def truncate_postgresql(uri: str) -> None:
    """Empty every table but the reference data, then restore the default modes and kinds."""
    from cac_news.agenda.kinds import DEFAULT_EVENT_KINDS
    from cac_news.audience.modes import DEFAULT_MODES, PILOT_ASSIGNED_MODES
    from cac_news.resources.kinds import DEFAULT_RESOURCE_KINDS

    engine = create_engine(uri)
    tables = [t for t in inspect(engine).get_table_names() if t not in KEEP_TABLES]
    with engine.begin() as conn:
        if tables:
            quoted = ", ".join(f'"{t}"' for t in tables)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        for position, (slug, name) in enumerate(DEFAULT_MODES, start=1):
            conn.execute(
                text(
                    "INSERT INTO participation_mode (slug, name, description, position, "
                    "public_choice) VALUES (:slug, :name, '', :position, :public)"
                ),
                {
                    "slug": slug,
                    "name": name,
                    "position": position,
                    "public": slug not in PILOT_ASSIGNED_MODES,
                },
            )
        for position, (slug, name) in enumerate(DEFAULT_RESOURCE_KINDS, start=1):
            conn.execute(
                text(
                    "INSERT INTO resource_kind (slug, name, position) "
                    "VALUES (:slug, :name, :position)"
                ),
                {"slug": slug, "name": name, "position": position},
            )
        for position, (slug, name) in enumerate(DEFAULT_EVENT_KINDS, start=1):
            conn.execute(
                text(
                    "INSERT INTO event_kind (slug, name, position) VALUES (:slug, :name, :position)"
                ),
                {"slug": slug, "name": name, "position": position},
            )
    engine.dispose()


@pytest.fixture
def database_uri(migrated_template, tmp_path) -> str:
    """A fresh, migrated database for one test."""
    if USING_POSTGRESQL:
        truncate_postgresql(migrated_template)
        return migrated_template
    path = tmp_path / "cac_news.db"
    shutil.copyfile(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def config_overrides() -> dict:
    """Override in a test module to change the app's configuration."""
    return {}


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, hence its own `g` and database session.

    The test's app context stays pushed for test code; without this, requests would
    reuse it and share `g` and the session with the test, hiding a missing commit.
    Afterwards the test's session is committed (ending its snapshot) and expired, so
    that the test reads what the request really stored.
    """

    def open(self, *args, **kwargs):
        """Send the request from a fresh app context."""
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.commit()
        return response


@pytest.fixture
def app(database_uri, tmp_path, config_overrides):
    """The application on its own database, with an app context pushed for test code."""
    app = create_app({**base_config(tmp_path / "instance", database_uri), **config_overrides})
    app.test_client_class = IsolatedClient
    limiter.reset()  # the in-memory store outlives an app; each test starts with none
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client (CSRF off unless a test turns it on)."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner bound to the app."""
    return app.test_cli_runner()


@pytest.fixture
def make_pilot(app):
    """Factory: create a pilot with the shared test password."""
    counter = iter(range(1, 10_000))

    def factory(role: str = "admin", email: str | None = None, **fields) -> Pilot:
        pilot = Pilot(
            email=email or f"pilot{next(counter)}@example.org",
            name=fields.pop("name", "Pilote Test"),
            role=role,
            **fields,
        )
        pilot.set_password(PASSWORD)
        db.session.add(pilot)
        db.session.commit()
        return pilot

    return factory


@pytest.fixture
def make_subscriber(app):
    """Factory: create a subscriber (active by default) with its events."""
    counter = iter(range(1, 1_000_000))

    def factory(
        email: str | None = None,
        status: str = "active",
        modes: list[str] | None = None,
        **fields,
    ) -> Subscriber:
        from sqlalchemy import select

        subscriber = Subscriber(
            email=email or f"abonne{next(counter)}@exemple.org",
            first_name=fields.pop("first_name", "Camille"),
            last_name=fields.pop("last_name", "Martin"),
            status="pending",
            **fields,
        )
        if modes:
            subscriber.modes = list(
                db.session.scalars(
                    select(ParticipationMode).where(ParticipationMode.slug.in_(modes))
                )
            )
        subscriber.set_status("pending", source="pilot", detail="test factory")
        if status != "pending":
            subscriber.set_status(status, source="pilot", detail="test factory")
        db.session.add(subscriber)
        db.session.commit()
        return subscriber

    return factory


def login(client, email: str, password: str = PASSWORD):
    """Log a pilot in through the real login form."""
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def admin(make_pilot) -> Pilot:
    """An admin pilot."""
    return make_pilot(role="admin", email="admin@example.org", name="Alice Admin")


@pytest.fixture
def admin_client(client, admin):
    """A client logged in as an admin."""
    response = login(client, admin.email)
    assert response.status_code == 302
    return client


@pytest.fixture
def editor_client(client, make_pilot):
    """A client logged in as an editor."""
    editor = make_pilot(role="editor", email="editor@example.org", name="Eddy Editor")
    response = login(client, editor.email)
    assert response.status_code == 302
    return client


@dataclass
class ReceivedMail:
    """One message as the SMTP server received it."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        """The message parsed with the modern email policy."""
        return BytesParser(policy=policy.default).parsebytes(self.data)


@dataclass
class SMTPRecorder:
    """aiosmtpd handler that keeps every message it receives."""

    messages: list[ReceivedMail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        with self.lock:
            self.messages.append(
                ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
            )
        return "250 OK"


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on a free loopback port; the app's settings point at it."""
    recorder = SMTPRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config["MAIL_SERVER"] = "127.0.0.1"
    app.config["MAIL_PORT"] = controller.port
    try:
        yield recorder
    finally:
        controller.stop()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free loopback port, in a background thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["SITE_URL"] = base_url
    try:
        yield base_url
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab with French as its language, on the live server."""
    context = browser.new_context(locale="fr-FR", base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def make_roadmap_update(app):
    """Factory: a roadmap update (and its item unless one is given), written at `created_at`."""
    from datetime import date

    from cac_news.models import RoadmapItem, RoadmapUpdate

    def factory(
        item: RoadmapItem | None = None,
        objective: str = "expertise",
        title: str = "Note sur les contrats à impact social",
        body_md: str = "Avancement du travail.",
        **fields,
    ) -> RoadmapUpdate:
        if item is None:
            item = RoadmapItem(
                objective=objective,
                title=title,
                position=fields.pop("position", 0),
                period_label="Octobre",
            )
            db.session.add(item)
        update = RoadmapUpdate(
            item=item, date=fields.pop("date", date(2026, 10, 1)), body_md=body_md, **fields
        )
        db.session.add(update)
        db.session.commit()
        return update

    return factory


@pytest.fixture
def make_action_report(app):
    """Factory: an action report, published at `published_at` unless published=False."""
    from datetime import date

    from cac_news.models import ActionReport
    from cac_news.timeutil import utcnow

    def factory(
        title: str = "Rassemblement devant le conseil départemental",
        territory_code: str = "75",
        published: bool = True,
        **fields,
    ) -> ActionReport:
        report = ActionReport(
            title=title,
            territory_code=territory_code,
            date=fields.pop("date", date(2026, 10, 2)),
            kind=fields.pop("kind", "mobilisation"),
            body_md=fields.pop("body_md", "Une centaine de personnes."),
            published=published,
            published_at=fields.pop("published_at", utcnow() if published else None),
            **fields,
        )
        db.session.add(report)
        db.session.commit()
        return report

    return factory


@pytest.fixture
def make_newsletter(app):
    """Factory: a draft newsletter with the given sections (SectionData) and fields."""
    from cac_news.compose.newsletters import NewsletterData, create_newsletter

    def factory(subject: str = "Rentrée du groupe", sections=None, **fields):
        data = NewsletterData(subject=subject, sections=list(sections or []), **fields)
        newsletter, _warnings = create_newsletter(data)
        return newsletter

    return factory
