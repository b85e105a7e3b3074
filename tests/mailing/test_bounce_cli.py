"""`flask bounces process`: real samples from a Maildir, an mbox and stdin, end to end."""

import mailbox
from pathlib import Path

from sqlalchemy import select

from cac_news.extensions import db
from cac_news.models import Bounce, Subscriber
from tests.bounce_helpers import sent_delivery

DATA = Path(__file__).parents[1] / "data" / "bounces"
# sample file -> (subscriber address, status afterwards); None: no such subscriber.
# Only the Postfix DSN is tied to a message of ours (the VERP token of delivery 42, which
# each test creates); the others match by address alone (a forged token, or none): they are
# recorded as unverified and change nothing.
SAMPLES = {
    "postfix_user_unknown.eml": ("jeanne.martin@example.org", "bounced"),
    "gmail_address_not_found.eml": ("lucie.bernard.cac@gmail.com", "active"),
    "exchange_ndr.eml": ("claire.petit@association-exemple.fr", "active"),
    "soft_mailbox_full.eml": ("sophie.moreau@example.com", "active"),
    "arf_complaint.eml": ("anne.dubois@yahoo.fr", "active"),
    "exim_failed.eml": None,  # paul.durand@example.net is no subscriber: unmatched
    "foreign_dsn.eml": None,  # Jeanne's personal mail bounced: not this app's message
    "vacation_autoreply.eml": None,
    "truncated_mime.eml": None,
    "binary_garbage.bin": None,
}
MATCHED = {n for n, v in SAMPLES.items() if v}


def subscribers_for_samples(app, make_subscriber) -> None:
    """One active subscriber per address the samples bounce; Jeanne got delivery 42 (VERP)."""
    app.config["VERP_ENABLED"] = True
    for value in SAMPLES.values():
        if value:
            subscriber = make_subscriber(email=value[0])
            if value[0] == "jeanne.martin@example.org":
                sent_delivery(subscriber, delivery_id=42)


def build_maildir(root: Path) -> Path:
    """A Maildir holding every sample in new/."""
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(parents=True)
    for index, name in enumerate(SAMPLES):
        (root / "new" / f"170000000{index}.M{index}.host").write_bytes((DATA / name).read_bytes())
    return root


def statuses() -> dict[str, str]:
    """Every subscriber's status by address."""
    return {s.email: s.status for s in db.session.scalars(select(Subscriber))}


def test_maildir_through_the_whole_pipeline(app, runner, make_subscriber, tmp_path):
    """Counts printed, statuses and bounces stored, matched messages marked, none deleted."""
    subscribers_for_samples(app, make_subscriber)
    maildir = build_maildir(tmp_path / "Maildir")
    result = runner.invoke(args=["bounces", "process", "--maildir", str(maildir)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "processed 10, matched 5, unmatched 2, not a bounce 1, malformed 2, errors 0" in out
    assert "jeanne.martin@example.org: active -> bounced" in out
    assert "anne.dubois@yahoo.fr: unverified" in out
    assert "lucie.bernard.cac@gmail.com: unverified" in out
    assert "unknown address: paul.durand@example.net" in result.stderr
    assert "not sent by this app" in result.stderr
    db.session.expire_all()
    for name, value in SAMPLES.items():
        if value:
            assert statuses()[value[0]] == value[1], name
    # The foreign DSN names Jeanne too: it added no second bounce for her.
    jeanne = db.session.scalars(select(Bounce).where(Bounce.recipient.like("jeanne%"))).all()
    assert [b.original_message_id for b in jeanne] == ["<nl-12.42@example.org>"]
    kinds = sorted((b.kind, b.verified) for b in db.session.scalars(select(Bounce)))
    assert kinds == [
        ("complaint", False),
        ("hard", False),
        ("hard", False),
        ("hard", True),
        ("soft", False),
    ]
    # Matched messages moved to cur/ with S; the others untouched in new/; none deleted.
    cur = sorted((maildir / "cur").iterdir())
    new = sorted((maildir / "new").iterdir())
    assert len(cur) == len(MATCHED) and all(p.name.endswith(":2,S") for p in cur)
    assert len(new) == len(SAMPLES) - len(MATCHED)
    left = {p.read_bytes() for p in new}
    for name in SAMPLES.keys() - MATCHED:
        assert (DATA / name).read_bytes() in left, name
    # A second run reads only what was left and changes nothing more.
    again = runner.invoke(args=["bounces", "process", "--maildir", str(maildir)])
    assert "processed 5, matched 0, unmatched 2, not a bounce 1, malformed 2" in again.stdout
    assert len(db.session.scalars(select(Bounce)).all()) == 5


def test_mbox_and_stdin(app, runner, make_subscriber, tmp_path):
    """An mbox of samples, and one message on stdin; the mbox file is left as it was."""
    app.config["VERP_ENABLED"] = True
    sent_delivery(make_subscriber(email="jeanne.martin@example.org"), delivery_id=42)
    make_subscriber(email="marc.leroy@yahoo.fr")
    path = tmp_path / "bounces.mbox"
    box = mailbox.mbox(path)
    for name in ("postfix_user_unknown.eml", "vacation_autoreply.eml", "truncated_mime.eml"):
        box.add((DATA / name).read_bytes())
    box.close()
    before = path.read_bytes()
    result = runner.invoke(args=["bounces", "process", "--mbox", str(path)])
    assert result.exit_code == 0, result.output
    assert "processed 3, matched 1, unmatched 0, not a bounce 1, malformed 1" in result.stdout
    assert path.read_bytes() == before
    result = runner.invoke(
        args=["bounces", "process", "-"], input=(DATA / "yahoo_554.eml").read_bytes()
    )
    assert "processed 1, matched 1" in result.stdout
    assert "marc.leroy@yahoo.fr: unverified" in result.stdout  # its VERP token is forged


def test_process_needs_exactly_one_source(app, runner, tmp_path):
    """No source, or two: a usage error naming the options."""
    result = runner.invoke(args=["bounces", "process"])
    assert result.exit_code == 2 and "--maildir" in result.output
    (tmp_path / "m").mkdir()
    result = runner.invoke(args=["bounces", "process", "--maildir", str(tmp_path / "m")])
    assert result.exit_code == 1 and "not a Maildir" in result.output


def test_bounced_addresses_are_not_reactivated_by_import(app, runner, make_subscriber, tmp_path):
    """After a bounce run, re-importing the address leaves it bounced."""
    app.config["VERP_ENABLED"] = True
    sent_delivery(make_subscriber(email="jeanne.martin@example.org"), delivery_id=42)
    runner.invoke(
        args=["bounces", "process", "-"], input=(DATA / "postfix_user_unknown.eml").read_bytes()
    )
    csv = tmp_path / "list.csv"
    csv.write_text("email\njeanne.martin@example.org\n", encoding="utf-8")
    result = runner.invoke(args=["subscribers", "import", str(csv), "--status", "active"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert statuses()["jeanne.martin@example.org"] == "bounced"


def test_a_failing_message_does_not_stop_the_run(app, make_subscriber, tmp_path, monkeypatch):
    """An error while applying one message: rolled back, counted, left unmarked; others go on."""
    from cac_news.mailing.bounces import run as run_module
    from cac_news.mailing.bounces.sources import iter_maildir

    make_subscriber(email="jeanne.martin@example.org")
    make_subscriber(email="marc.leroy@yahoo.fr")
    maildir = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1.M1.host").write_bytes((DATA / "postfix_user_unknown.eml").read_bytes())
    (maildir / "new" / "2.M2.host").write_bytes((DATA / "yahoo_554.eml").read_bytes())
    real = run_module.apply_report

    def failing_once(report, **kwargs):
        if "jeanne.martin@example.org" in report.recipients:
            raise RuntimeError("database went away")
        return real(report, **kwargs)

    monkeypatch.setattr(run_module, "apply_report", failing_once)
    summary = run_module.run(iter_maildir(maildir), config=app.config)
    assert (summary.processed, summary.matched, summary.errors) == (2, 1, 1)
    assert any("database went away" in note for note in summary.notes)
    assert [p.name for p in (maildir / "new").iterdir()] == ["1.M1.host"]
    db.session.expire_all()
    assert statuses() == {"jeanne.martin@example.org": "active", "marc.leroy@yahoo.fr": "active"}
    recorded = db.session.scalars(select(Bounce)).all()  # Marc's, unverified; none for Jeanne
    assert [(b.recipient, b.verified) for b in recorded] == [("marc.leroy@yahoo.fr", False)]


def test_dry_run_classifies_and_changes_nothing(app, runner, make_subscriber, tmp_path):
    """--dry-run counts by kind; no status changes, the Maildir is left as it was."""
    subscriber = make_subscriber(email="jeanne.martin@example.org")
    root = tmp_path / "Maildir"
    box = mailbox.Maildir(root, create=True)
    for name in ("postfix_user_unknown.eml", "vacation_autoreply.eml", "arf_complaint.eml"):
        box.add((DATA / name).read_bytes())
    before = sorted(p.name for p in (root / "new").iterdir())
    result = runner.invoke(args=["bounces", "process", "--dry-run", "--maildir", str(root)])
    assert result.exit_code == 0, result.output
    assert "processed 3, hard 1, soft 0, complaints 1, not a bounce 1" in result.stdout
    assert "dry run" in result.stdout and "jeanne.martin@example.org" in result.stdout
    assert sorted(p.name for p in (root / "new").iterdir()) == before
    db.session.expire_all()
    assert db.session.get(Subscriber, subscriber.id).status == "active"
