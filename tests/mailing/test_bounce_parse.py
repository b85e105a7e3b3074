"""`analyse` on samples written from the public formats of real MTAs, and on bad input."""

from pathlib import Path

import pytest

from cac_news.mailing.bounces.parse import analyse, classify_status
from cac_news.mailing.bounces.verp import decode_token

DATA = Path(__file__).parents[1] / "data" / "bounces"
SECRET = "test-secret-key"


def sample(name: str) -> bytes:
    """The bytes of one sample file."""
    return (DATA / name).read_bytes()


def test_postfix_rfc3464_user_unknown():
    """A Postfix DSN: hard, 5.1.1, the address, the diagnostic, the Message-ID, the VERP token."""
    report = analyse(sample("postfix_user_unknown.eml"))
    assert report.kind == "hard"
    assert report.detector == "dsn"
    assert report.recipients == ["jeanne.martin@example.org"]
    assert report.status == "5.1.1"
    assert report.diagnostic.startswith("550 5.1.1 <jeanne.martin@example.org>: Recipient")
    assert "smtp;" not in report.diagnostic
    assert report.message_id == "<nl-12.42@example.org>"
    assert report.verp_token == "42-i2nnkfx3nzkgbt3m"
    assert decode_token(report.verp_token, SECRET) == 42
    assert decode_token(report.verp_token, "another-secret") is None
    assert report.delivery_id(SECRET) == 42
    assert report.delivery_id("another-secret") is None


def test_exim_non_standard_bounce():
    """Exim's plain-text bounce, read by flufl.bounce, with the code found in the text."""
    report = analyse(sample("exim_failed.eml"))
    assert (report.kind, report.detector) == ("hard", "flufl")
    assert report.recipients == ["paul.durand@example.net"]
    assert report.status == "5.1.1"
    assert "User unknown" in report.diagnostic
    assert report.message_id == "<nl-12.77@example.org>"  # from the inlined copy
    assert report.verp_token is None


def test_exchange_ndr():
    """An Exchange Online NDR: Status 5.1.10, RESOLVER.ADR.RecipNotFound, token from To."""
    report = analyse(sample("exchange_ndr.eml"))
    assert report.kind == "hard"
    assert report.recipients == ["claire.petit@association-exemple.fr"]
    assert report.status == "5.1.10"
    assert "RESOLVER.ADR.RecipNotFound" in report.diagnostic
    assert report.message_id == "<nl-12.57@example.org>"
    assert report.verp_token == "57-zzzzzzzzzzzzzzzz"
    assert decode_token(report.verp_token, SECRET) is None  # a forged token is rejected


def test_gmail_address_not_found():
    """Gmail's "Address not found": 550-5.1.1, the folded diagnostic unfolded."""
    report = analyse(sample("gmail_address_not_found.eml"))
    assert report.kind == "hard"
    assert report.recipients == ["lucie.bernard.cac@gmail.com"]
    assert report.status == "5.1.1"
    assert report.diagnostic.startswith("550-5.1.1 The email account that you tried to reach")
    assert "\n" not in report.diagnostic
    assert report.message_id == "<nl-12.88@example.org>"


def test_yahoo_554_delivery_error():
    """Yahoo's DSN: 554 delivery error, token from X-Original-To / Delivered-To / To."""
    report = analyse(sample("yahoo_554.eml"))
    assert report.kind == "hard"
    assert report.recipients == ["marc.leroy@yahoo.fr"]
    assert report.status == "5.0.0"
    assert report.diagnostic.startswith("554 delivery error: dd This user doesn't have")
    assert report.message_id == "<nl-12.88@example.org>"  # from text/rfc822-headers
    assert report.verp_token == "88-bbbbbbbbbbbbbbbb"


def test_soft_bounce_mailbox_full_delayed():
    """Action: delayed with 4.2.2 mailbox full is a soft bounce."""
    report = analyse(sample("soft_mailbox_full.eml"))
    assert report.kind == "soft"
    assert report.recipients == ["sophie.moreau@example.com"]
    assert report.status == "4.2.2"
    assert report.diagnostic == "452 4.2.2 Mailbox full"
    assert report.failures[0].kind == "soft"


def test_arf_complaint():
    """A Yahoo feedback-loop ARF report: a complaint about the original To address."""
    report = analyse(sample("arf_complaint.eml"))
    assert report.kind == "complaint"
    assert report.detector == "arf"
    assert report.recipients == ["anne.dubois@yahoo.fr"]
    assert report.message_id == "<nl-12.99@example.org>"
    assert report.verp_token == "99-cccccccccccccccc"
    assert "abuse" in report.diagnostic


def test_arf_original_rcpt_to_wins_over_to():
    """Original-Rcpt-To, when the report has it, names the complainant."""
    raw = sample("arf_complaint.eml").replace(
        b"Reported-Domain:", b"Original-Rcpt-To: <Other@Example.org>\nReported-Domain:"
    )
    assert analyse(raw).recipients == ["other@example.org"]


def test_arf_not_spam_is_not_a_complaint():
    """A "not-spam" feedback report is no complaint."""
    raw = sample("arf_complaint.eml").replace(b"Feedback-Type: abuse", b"Feedback-Type: not-spam")
    assert analyse(raw).kind == "not_bounce"


def test_arf_without_its_feedback_part_is_malformed():
    """report-type=feedback-report with no message/feedback-report part is malformed."""
    raw = sample("arf_complaint.eml").replace(b"message/feedback-report", b"text/plain")
    report = analyse(raw)
    assert report.kind == "malformed"
    assert "feedback-report" in report.problem


def test_vacation_auto_reply_is_not_a_bounce():
    """An out-of-office reply sent to the VERP address is not a bounce."""
    report = analyse(sample("vacation_autoreply.eml"))
    assert report.kind == "not_bounce"
    assert report.recipients == []
    assert report.problem == "auto-reply"
    assert report.verp_token == "100-dddddddddddddddd"


def test_auto_reply_known_by_its_encoded_subject_alone():
    """Without Auto-Submitted or X-Autoreply, the RFC 2047 French subject still tells."""
    raw = sample("vacation_autoreply.eml")
    raw = raw.replace(b"Auto-Submitted: auto-replied\n", b"").replace(b"X-Autoreply: yes\n", b"")
    report = analyse(raw)
    assert (report.kind, report.problem) == ("not_bounce", "auto-reply")


def test_truncated_mime_is_malformed():
    """A DSN cut before its delivery-status part is malformed, not a guess."""
    report = analyse(sample("truncated_mime.eml"))
    assert report.kind == "malformed"
    assert report.recipients == []
    assert "delivery-status" in report.problem


def test_binary_garbage_is_malformed():
    """Random bytes are malformed, with no exception."""
    report = analyse(sample("binary_garbage.bin"))
    assert report.kind == "malformed"
    assert "no mail headers" in report.problem


@pytest.mark.parametrize(
    "raw", [b"", b"   \r\n", b"\x00\x01\x02From: x\n\n", b"Subject: hi\n\n" + bytes(range(256))]
)
def test_odd_input_never_raises(raw):
    """Empty, NUL-laden or binary-bodied input comes back as a report, never an exception."""
    report = analyse(raw)
    assert report.kind in ("malformed", "not_bounce")


def test_success_dsn_is_not_a_bounce():
    """A DSN whose only recipient was delivered is not a bounce."""
    raw = sample("postfix_user_unknown.eml").replace(b"Action: failed", b"Action: delivered")
    raw = raw.replace(b"Status: 5.1.1", b"Status: 2.0.0")
    report = analyse(raw)
    assert report.kind == "not_bounce"
    assert report.problem == "success notification"


def test_dsn_with_mixed_recipients_reports_each():
    """Two recipients, one failed hard and one delayed: both listed, the report is hard."""
    raw = sample("soft_mailbox_full.eml").replace(
        b"Will-Retry-Until",
        b"X-Dummy: 1\n\nFinal-Recipient: rfc822; gone@example.com\nAction: failed\n"
        b"Status: 5.1.1\n\nX-Other",
    )
    report = analyse(raw)
    assert report.kind == "hard"
    assert {(f.address, f.kind) for f in report.failures} == {
        ("gone@example.com", "hard"),
        ("sophie.moreau@example.com", "soft"),
    }


@pytest.mark.parametrize(
    ("status", "action", "text", "kind"),
    [
        ("5.1.1", "failed", "", "hard"),
        ("5.1.10", "failed", "RecipientNotFound", "hard"),
        ("5.0.0", "failed", "", "soft"),
        ("5.0.0", "failed", "550 User unknown", "hard"),
        ("5.0.0", "failed", "550 Too many messages, rate limit exceeded", "soft"),
        ("4.4.1", "delayed", "", "soft"),
        ("4.4.7", "failed", "", "soft"),
        ("4.1.1", "failed", "user unknown", "soft"),
        ("5.2.2", "failed", "", "soft"),
        ("5.2.1", "failed", "The email account that you tried to reach is disabled", "hard"),
        ("5.2.1", "failed", "Mailbox temporarily suspended", "soft"),
        ("5.7.1", "failed", "user unknown or blocked", "soft"),
        ("5.3.0", "failed", "internal error", "soft"),
        (None, "failed", "", "soft"),
        (None, "failed", "Adresse inconnue : ce destinataire n'existe pas.", "hard"),
        (None, "failed", "la boîte aux lettres est pleine", "soft"),
        (None, "failed", "host not found", "hard"),
        (None, "delayed", "user unknown", "soft"),
    ],
)
def test_classify_status(status, action, text, kind):
    """Hard only for a non-existent address or domain (codes, English and French texts)."""
    assert classify_status(status, action, text) == kind
