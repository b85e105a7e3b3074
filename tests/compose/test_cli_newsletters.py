"""`flask newsletters create` makes a draft from a Markdown file and prints its id."""

from cac_news.extensions import db
from cac_news.models import Newsletter


def test_create_prints_only_the_id(app, runner, tmp_path):
    body = tmp_path / "lettre.md"
    body.write_text("# Bonjour\n\nLes nouvelles du groupe.", encoding="utf-8")
    result = runner.invoke(
        args=["newsletters", "create", "--subject", "Lettre de rentrée", "--body", str(body)]
    )
    assert result.exit_code == 0, result.output
    newsletter_id = int(result.stdout.strip())
    newsletter = db.session.get(Newsletter, newsletter_id)
    assert newsletter.status == "draft"
    assert newsletter.subject == "Lettre de rentrée"
    assert newsletter.intro_md.startswith("# Bonjour")
    assert newsletter.number == 1
    assert newsletter.segment_id is None

    again = runner.invoke(args=["newsletters", "create", "--subject", "Deux", "--body", str(body)])
    assert db.session.get(Newsletter, int(again.stdout.strip())).number == 2


def test_long_subject_warns_on_stderr_only(app, runner, tmp_path):
    body = tmp_path / "lettre.md"
    body.write_text("Texte", encoding="utf-8")
    subject = "x" * 90
    result = runner.invoke(
        args=["newsletters", "create", "--subject", subject, "--body", str(body)]
    )
    assert result.exit_code == 0
    assert result.stdout.strip().isdigit()
    assert "90" in result.stderr


def test_header_injection_is_refused(app, runner, tmp_path):
    body = tmp_path / "lettre.md"
    body.write_text("Texte", encoding="utf-8")
    result = runner.invoke(
        args=["newsletters", "create", "--subject", "A\nBcc: x@y.org", "--body", str(body)]
    )
    assert result.exit_code != 0
    assert "subject" in result.output
    assert db.session.query(Newsletter).count() == 0


def test_segment_by_name_or_a_clear_error(app, runner, tmp_path):
    from cac_news.audience.segments import SegmentRule, save_segment

    segment = save_segment("Île-de-France", "", SegmentRule(territory_codes=["R11"]))
    body = tmp_path / "lettre.md"
    body.write_text("Texte", encoding="utf-8")
    unknown = runner.invoke(
        args=["newsletters", "create", "--subject", "S", "--body", str(body), "--segment", "x"]
    )
    assert unknown.exit_code != 0
    assert "segment" in unknown.output and "'x'" in unknown.output
    assert db.session.query(Newsletter).count() == 0
    known = runner.invoke(
        args=[
            "newsletters",
            "create",
            "--subject",
            "S",
            "--body",
            str(body),
            "--segment",
            "Île-de-France",
        ]
    )
    assert known.exit_code == 0, known.output
    newsletter = db.session.get(Newsletter, int(known.output.strip()))
    assert newsletter.segment_id == segment.id


def test_a_segment_in_use_cannot_be_deleted(app, admin_client, runner, tmp_path):
    from cac_news.audience.segments import SegmentRule, delete_segment, save_segment
    from cac_news.errors import ValidationError
    from cac_news.models import Segment

    segment = save_segment("Corse", "", SegmentRule(territory_codes=["R94"]))
    body = tmp_path / "lettre.md"
    body.write_text("Texte", encoding="utf-8")
    runner.invoke(
        args=["newsletters", "create", "--subject", "S", "--body", str(body), "--segment", "Corse"]
    )
    try:
        delete_segment(segment)
    except ValidationError as exc:
        assert "n°1" in str(exc)
    else:
        raise AssertionError("deleting a segment in use must be refused")
    db.session.rollback()
    response = admin_client.post(f"/admin/segments/{segment.id}/delete")
    assert response.status_code == 302
    assert db.session.get(Segment, segment.id) is not None
