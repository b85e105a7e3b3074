"""`flask bounces fetch` against a real Dovecot IMAP server on loopback."""

import imaplib
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from cac_news.extensions import db
from cac_news.models import Subscriber
from tests import dovecot
from tests.bounce_helpers import sent_delivery

DATA = Path(__file__).parents[1] / "data" / "bounces"
BOUNCE = "postfix_user_unknown.eml"  # Jeanne: matched
LEFT_ALONE = ("exim_failed.eml", "vacation_autoreply.eml", "truncated_mime.eml")


@pytest.fixture
def imap_server(app, tmp_path):
    """Dovecot with the samples in INBOX; the app's BOUNCE_IMAP_* settings point at it."""
    server, process, root = dovecot.start(tmp_path)
    for index, name in enumerate((BOUNCE, *LEFT_ALONE)):
        server.deliver(f"17000000{index}.M{index}.host", (DATA / name).read_bytes())
    app.config.update(
        BOUNCE_IMAP_HOST="127.0.0.1",
        BOUNCE_IMAP_PORT=server.port,
        BOUNCE_IMAP_SSL=False,
        BOUNCE_IMAP_USER=dovecot.USER,
        BOUNCE_IMAP_PASSWORD=dovecot.PASSWORD,
        BOUNCE_IMAP_FOLDER="INBOX",
    )
    try:
        yield server
    finally:
        dovecot.stop(process, root, remove=os.getuid() == 0)


def mailbox_state(server, folder: str) -> tuple[int, int]:
    """(all, unseen) message counts of a folder, read over IMAP."""
    conn = imaplib.IMAP4("127.0.0.1", server.port)
    try:
        conn.login(dovecot.USER, dovecot.PASSWORD)
        status, _ = conn.select(f'"{folder}"', readonly=True)
        if status != "OK":
            return (0, 0)
        every = conn.search(None, "ALL")[1][0].split()
        unseen = conn.search(None, "UNSEEN")[1][0].split()
        return (len(every), len(unseen))
    finally:
        conn.logout()


def test_fetch_flags_processed_messages_seen(app, runner, make_subscriber, imap_server):
    """No processed folder: the matched message is flagged \\Seen; the rest stay unseen."""
    app.config["VERP_ENABLED"] = True  # the Postfix sample bounces delivery 42's VERP address
    sent_delivery(make_subscriber(email="jeanne.martin@example.org"), delivery_id=42)
    result = runner.invoke(args=["bounces", "fetch"])
    assert result.exit_code == 0, result.output
    assert "processed 4, matched 1, unmatched 1, not a bounce 1, malformed 1" in result.stdout
    assert "jeanne.martin@example.org: active -> bounced" in result.stdout
    assert mailbox_state(imap_server, "INBOX") == (4, 3)  # nothing deleted
    db.session.expire_all()
    jeanne = db.session.scalar(select(Subscriber))
    assert jeanne.status == "bounced"
    # A second fetch reads the three unseen ones again and changes nothing.
    again = runner.invoke(args=["bounces", "fetch"])
    assert "processed 3, matched 0" in again.stdout
    assert mailbox_state(imap_server, "INBOX") == (4, 3)


def test_fetch_moves_processed_messages(app, runner, make_subscriber, imap_server):
    """With BOUNCE_IMAP_PROCESSED_FOLDER, the matched message moves there; others stay."""
    make_subscriber(email="jeanne.martin@example.org")
    app.config["BOUNCE_IMAP_PROCESSED_FOLDER"] = "Processed"
    result = runner.invoke(args=["bounces", "fetch"])
    assert result.exit_code == 0, result.output
    assert "matched 1" in result.stdout
    assert mailbox_state(imap_server, "INBOX") == (3, 3)
    assert mailbox_state(imap_server, "Processed")[0] == 1


def test_fetch_reports_a_wrong_password(app, runner, imap_server):
    """A login failure is a clear error, not a traceback."""
    app.config["BOUNCE_IMAP_PASSWORD"] = "wrong"
    result = runner.invoke(args=["bounces", "fetch"])
    assert result.exit_code == 1 and "127.0.0.1" in result.output
    assert mailbox_state(imap_server, "INBOX") == (4, 4)
