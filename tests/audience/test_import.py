"""CSV import: files as spreadsheets write them, bad input, merging, all-or-nothing."""

from __future__ import annotations

import tracemalloc

import pytest
from sqlalchemy import func, select

from cac_news.audience import rights
from cac_news.audience.importer import ImportOptions, import_csv
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.models import Subscriber, SubscriptionEvent
from tests.audience_helpers import links_in, path_of


def write(tmp_path, text: str, encoding="utf-8", name="people.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Subscriber))


def by_email(email):
    db.session.expire_all()
    return db.session.scalar(select(Subscriber).where(Subscriber.email == email))


@pytest.mark.parametrize(
    ("encoding", "delimiter", "newline", "bom"),
    [("utf-8", ";", "\r\n", True), ("utf-8", ",", "\n", False), ("cp1252", "\t", "\r\n", False)],
)
def test_spreadsheet_variants(app, tmp_path, encoding, delimiter, newline, bom):
    rows = [
        ["E-Mail", "Prénom", "NOM", "Structure", "Département", "Participation", "Langue"],
        ["Léa@Exemple.ORG", "Léa", "Dupont", "Asso", "2A", "pilote", "français"],
        ["marc@exemple.org", "Marc", "Noël", "", "69003", "Relais local", "anglais"],
    ]
    text = newline.join(delimiter.join(r) for r in rows) + newline
    path = write(tmp_path, ("\ufeff" if bom else "") + text, encoding)
    report = import_csv(path, ImportOptions(source_name=path.name))
    assert (report.created, report.invalid, report.errors) == (2, 0, [])
    lea = by_email("léa@exemple.org")
    assert (lea.first_name, lea.territory_code, lea.language) == ("Léa", "2A", "fr")
    assert lea.status == "active" and lea.consent_source == "import"
    assert "people.csv" in lea.consent_detail
    marc = by_email("marc@exemple.org")
    assert (marc.last_name, marc.territory_code, marc.language) == ("Noël", "69", "en")
    assert [m.slug for m in marc.modes] == ["relais-local"]
    assert [(e.source, e.new_status) for e in marc.events] == [("import", "active")]


def test_bad_lines_are_reported_by_number(app, tmp_path):
    path = write(
        tmp_path,
        "email,first_name,territory\n"
        "ok@exemple.org,A,75\n"
        "not-an-address,B,75\n"
        "t@exemple.org,C,Atlantis\n"
        "few@exemple.org,D\n"
        "many@exemple.org,E,75,extra\n"
        "UP@EXEMPLE.ORG,F,\n",
    )
    report = import_csv(path, ImportOptions())
    assert report.created == 2 and report.invalid == 4
    assert [line for line, _ in report.errors] == [3, 4, 5, 6]
    assert "Atlantis" in report.errors[1][1]
    assert by_email("up@exemple.org") is not None


@pytest.mark.parametrize(
    "content",
    [b"", b"email\n", b"\x00\x01\x02\xff\xfe" * 100, b"nom,prenom\nDupont,Lea\n"],
    ids=["empty", "header-only", "binary", "no-email-column"],
)
def test_unusable_files(app, tmp_path, content):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    if content == b"email\n":
        report = import_csv(path, ImportOptions())
        assert (report.rows, report.created) == (0, 0)
        return
    with pytest.raises(ValidationError) as error:
        import_csv(path, ImportOptions())
    assert "file" in error.value.errors
    assert count() == 0


def test_duplicates_merged_and_existing_updated(app, tmp_path, make_subscriber):
    make_subscriber(email="known@exemple.org", first_name="Old", modes=["pilote"])
    path = write(
        tmp_path,
        "email;prenom;modes\n"
        "new@exemple.org;First;pilote\n"
        "known@exemple.org;New;information\n"
        "NEW@exemple.org;;contributeur\n",
    )
    report = import_csv(path, ImportOptions())
    assert (report.created, report.updated, report.merged) == (1, 1, 1)
    assert count() == 2
    new = by_email("new@exemple.org")
    assert new.first_name == "First"
    assert sorted(m.slug for m in new.modes) == ["contributeur", "pilote"]
    known = by_email("known@exemple.org")
    assert known.first_name == "New"
    assert sorted(m.slug for m in known.modes) == ["information", "pilote"]
    again = import_csv(path, ImportOptions())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_never_reactivates_and_skips_erased(app, tmp_path, make_subscriber):
    for status in ("unsubscribed", "bounced", "complained"):
        make_subscriber(email=f"{status}@exemple.org", status=status)
    rights.erase(make_subscriber(email="erased@exemple.org"))
    path = write(
        tmp_path,
        "email\nunsubscribed@exemple.org\nbounced@exemple.org\ncomplained@exemple.org\n"
        "erased@exemple.org\n",
    )
    report = import_csv(path, ImportOptions(status="active"))
    assert report.suppressed == 4 and report.created == 0
    assert [line for line, _ in report.errors] == [2, 3, 4, 5]
    assert by_email("erased@exemple.org") is None
    for status in ("unsubscribed", "bounced", "complained"):
        assert by_email(f"{status}@exemple.org").status == status


def test_dry_run_writes_nothing(app, tmp_path):
    path = write(tmp_path, "email\na@exemple.org\nb@exemple.org\n")
    report = import_csv(path, ImportOptions(dry_run=True))
    assert report.created == 2 and count() == 0


def test_interrupted_import_run_again_ends_as_if_run_once(
    app, tmp_path, monkeypatch, make_subscriber
):
    from cac_news.audience import importer

    make_subscriber(email="keep@exemple.org", first_name="Keep")
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    lines = [
        "email,first_name,statut",
        "keep@exemple.org,Changed,",
        "gone@exemple.org,G,désinscrit",
    ]
    lines += [f"p{i}@exemple.org,P," for i in range(5)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    calls = {"n": 0}
    original = importer.BatchWriter.write

    def failing(self, conn, batch):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return original(self, conn, batch)

    monkeypatch.setattr(importer.BatchWriter, "write", failing)
    with pytest.raises(RuntimeError):
        import_csv(path, ImportOptions())
    assert count() == 4  # the two committed batches stay; the failed one left nothing
    monkeypatch.setattr(importer.BatchWriter, "write", original)
    import_csv(path, ImportOptions())
    assert count() == 7
    assert by_email("keep@exemple.org").first_name == "Changed"
    assert by_email("gone@exemple.org").status == "unsubscribed"
    statuses = db.session.scalars(
        select(SubscriptionEvent.new_status).where(SubscriptionEvent.new_status.is_not(None))
    ).all()
    assert sorted(statuses).count("active") == 6  # 5 new + keep's own, no second event
    assert statuses.count("unsubscribed") == 1


def test_big_file_is_streamed(app, tmp_path):
    path = tmp_path / "big.csv"
    padding = "," + " " * 200 + ",\n"  # a blank row: skipped, but read and parsed
    with path.open("w", encoding="utf-8") as out:
        out.write("email,first_name,organisation\n")
        for i in range(5):
            out.write(f"person{i}@exemple.org,Name,Org\n")
        for _ in range(250_000):
            out.write(padding)
        out.write("last@exemple.org,Last,Org\n")
    assert path.stat().st_size > 50_000_000
    tracemalloc.start()
    report = import_csv(path, ImportOptions())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report.created == 6 and by_email("last@exemple.org").first_name == "Last"
    assert peak < 10_000_000  # a few MB of buffers, never the 50 MB file


def test_cli_import_pending_sends_confirmations(app, runner, tmp_path, smtp_server, client):
    path = write(tmp_path, "courriel,territoire\npending@exemple.org,Paris\n")
    result = runner.invoke(
        args=[
            "subscribers",
            "import",
            str(path),
            "--status",
            "pending",
            "--mode",
            "information",
            "--territory",
            "FR",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "created 1" in result.output
    subscriber = by_email("pending@exemple.org")
    assert subscriber.status == "pending" and subscriber.territory_code == "75"
    [mail] = smtp_server.messages
    [url] = [u for u in links_in(mail) if "/confirm/" in u]
    client.post(path_of(url))
    assert by_email("pending@exemple.org").status == "active"


def test_cli_dry_run_and_bad_options(app, runner, tmp_path):
    path = write(tmp_path, "email\na@exemple.org\n")
    result = runner.invoke(args=["subscribers", "import", str(path), "--dry-run"])
    assert result.exit_code == 0 and "[dry run] created 1" in result.output
    assert count() == 0
    bad = runner.invoke(args=["subscribers", "import", str(path), "--mode", "nope"])
    assert bad.exit_code != 0 and "nope" in bad.output
    assert db.session.scalar(select(func.count()).select_from(SubscriptionEvent)) == 0
