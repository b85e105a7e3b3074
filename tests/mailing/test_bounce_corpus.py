"""Detection and agreement rates on the labelled corpus (tests/data/bounces/corpus/labels.json).

Detection: the expected failed recipients are exactly the ones found. Agreement: the kind of
the message and of each recipient is the labelled one. flufl.bounce's own samples add to the
detection count (their table lists addresses, not our policy's kinds). The floors are the
levels reached; a change that loses a sample fails here and names it.
"""

import json
from pathlib import Path

from cac_news.mailing.bounces.parse import analyse
from tests.mailing.test_bounce_flufl_samples import FLUFL_DATA, FLUFL_EXPECTED

CORPUS = Path(__file__).parents[1] / "data" / "bounces" / "corpus"
LABELS = json.loads((CORPUS / "labels.json").read_text())
DETECTION_FLOOR = 1.0
AGREEMENT_FLOOR = 1.0
FLUFL_DETECTION_FLOOR = 1.0


def found_recipients(report) -> dict[str, str]:
    """Each address the report names, with its own kind."""
    if report.failures:
        return {f.address: f.kind for f in report.failures}
    return dict.fromkeys(report.recipients, report.kind)


def test_labels_cover_the_corpus():
    """Every sample has a label and every label a sample."""
    assert set(LABELS) == {p.name for p in CORPUS.glob("*.eml")}


def test_detection_and_agreement_rates(capsys):
    """Print the rates; fail below the floors, naming the samples that missed."""
    detected, agreed, missed, disagreed = 0, 0, [], []
    for name, label in sorted(LABELS.items()):
        report = analyse((CORPUS / name).read_bytes())
        found = found_recipients(report)
        if set(found) == set(label["recipients"]):
            detected += 1
        else:
            missed.append(f"{name}: {sorted(found)}")
        if report.kind == label["kind"] and found == label["recipients"]:
            agreed += 1
        else:
            disagreed.append(f"{name}: {report.kind} {found}")
    flufl_hits = sum(
        sorted(analyse((FLUFL_DATA / name).read_bytes()).recipients)
        == sorted({a.lower() for a in addresses})
        for name, (addresses, _) in FLUFL_EXPECTED.items()
    )
    total = len(LABELS)
    rates = (detected / total, agreed / total, flufl_hits / len(FLUFL_EXPECTED))
    with capsys.disabled():
        print(
            f"\nbounce corpus: detection {detected}/{total} ({rates[0]:.0%}), "
            f"agreement {agreed}/{total} ({rates[1]:.0%}); flufl.bounce samples: "
            f"detection {flufl_hits}/{len(FLUFL_EXPECTED)} ({rates[2]:.0%})"
        )
    assert rates[0] >= DETECTION_FLOOR, missed
    assert rates[1] >= AGREEMENT_FLOOR, disagreed
    assert rates[2] >= FLUFL_DETECTION_FLOOR


def test_two_recipient_dsn_keeps_each_status():
    """One recipient full (soft, 5.2.2), the other unknown (hard, 5.1.1): each its own."""
    report = analyse((CORPUS / "postfix_two_recipients.eml").read_bytes())
    statuses = {f.address: (f.kind, f.status) for f in report.failures}
    assert statuses == {
        "paul.durand@example.net": ("soft", "5.2.2"),
        "ines.roux@example.net": ("hard", "5.1.1"),
    }


def test_ses_notifications():
    """SES: the address from emailAddress (never a JSON fragment), delivery is no bounce."""
    bounce = analyse((CORPUS / "ses_bounce_sns.eml").read_bytes())
    assert (bounce.kind, bounce.recipients, bounce.detector) == (
        "hard",
        ["julie.perrin@example.fr"],
        "ses",
    )
    assert bounce.message_id == "<n13.504.0123456789abcdef@cac-news.test>"
    assert analyse((CORPUS / "ses_delivery.eml").read_bytes()).kind == "not_bounce"
    complaint = analyse((CORPUS / "ses_complaint.eml").read_bytes())
    assert (complaint.kind, complaint.recipients) == ("complaint", ["camille.girard@example.com"])


def test_jmrp_complaint_names_the_original_recipient():
    """Hotmail's JMRP: X-HmXmrOriginalRecipient, and the quoted Message-ID of ours."""
    report = analyse((CORPUS / "hotmail_jmrp.eml").read_bytes())
    assert (report.kind, report.recipients) == ("complaint", ["emma.fontaine@hotmail.example.com"])
    assert report.message_id == "<n13.505.0123456789abcdef@cac-news.test>"


def test_unreadable_recipient_is_never_guessed():
    """ "<not an address>" is not an address: no recipient, soft, and the reason said."""
    report = analyse((CORPUS / "unreadable_recipient.eml").read_bytes())
    assert (report.kind, report.recipients) == ("soft", [])
    assert "without a readable recipient" in report.problem


def test_binary_garbage_is_still_unreadable():
    """Dropping NUL bytes does not make random bytes pass for a message."""
    report = analyse((CORPUS.parent / "binary_garbage.bin").read_bytes())
    assert report.kind == "malformed"
