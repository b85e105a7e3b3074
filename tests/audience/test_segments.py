"""Segments: the rule as SQL, the admin form with its live count, export by segment."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from cac_news.audience import segments as ops
from cac_news.audience.exporter import neutralise
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.models import ParticipationMode, Segment


def mode(slug):
    return db.session.scalar(select(ParticipationMode.id).where(ParticipationMode.slug == slug))


@pytest.fixture
def people(make_subscriber):
    make_subscriber(email="lyon@x.org", territory_code="69", modes=["relais-local"])
    make_subscriber(email="grenoble@x.org", territory_code="38", modes=["pilote"], language="en")
    make_subscriber(email="paris@x.org", territory_code="75", modes=["relais-local", "pilote"])
    make_subscriber(email="national@x.org", territory_code="FR", modes=["information"])
    make_subscriber(email="nowhere@x.org", modes=["relais-local"])
    make_subscriber(
        email="gone@x.org", territory_code="69", modes=["relais-local"], status="unsubscribed"
    )
    make_subscriber(email="wait@x.org", territory_code="69", status="pending")


def emails(rule):
    return sorted(s.email for s in db.session.scalars(ops.segment_query(rule)))


def test_rule_semantics(people):
    assert ops.count_segment(ops.SegmentRule()) == 5  # only active ones
    aura = ops.SegmentRule(territory_codes=["R84"])  # Auvergne-Rhône-Alpes
    assert emails(aura) == ["grenoble@x.org", "lyon@x.org"]
    both = ops.SegmentRule(territory_codes=["R84", "75", "FR"])
    assert ops.count_segment(both) == 4
    relais = ops.SegmentRule(mode_ids=[mode("relais-local"), mode("pilote")])
    assert emails(relais) == ["grenoble@x.org", "lyon@x.org", "nowhere@x.org", "paris@x.org"]
    assert ops.count_segment(relais) == 4  # a member of two modes counts once
    english = ops.SegmentRule(territory_codes=["R84"], language="en")
    assert emails(english) == ["grenoble@x.org"]
    assert [s.email for s in ops.preview_members(aura, limit=1)] == ["grenoble@x.org"]


def test_count_is_one_query(app, people):
    from sqlalchemy import event

    rule = ops.SegmentRule(mode_ids=[mode("pilote")], territory_codes=["R84"])
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert ops.count_segment(rule) == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 1 and "count" in statements[0].lower()


def test_save_validates(app):
    with pytest.raises(ValidationError) as error:
        ops.save_segment("", "", ops.SegmentRule(territory_codes=["R00"], mode_ids=[999]))
    assert set(error.value.errors) == {"name", "territory_codes", "mode_ids"}
    ops.save_segment("Lyon", "", ops.SegmentRule(territory_codes=["69"]))
    with pytest.raises(ValidationError) as error:
        ops.save_segment("Lyon", "", ops.SegmentRule())
    assert "name" in error.value.errors


def test_admin_create_with_live_count_then_edit_delete(admin_client, people):
    page = admin_client.get("/admin/segments/new")
    assert page.status_code == 200 and b"hx-post" in page.data
    preview = admin_client.post("/admin/segments/preview", data={"regions": ["R84"]})
    assert b'class="segment-count">2<' in preview.data and b"lyon@x.org" in preview.data
    bad = admin_client.post("/admin/segments/preview", data={"departements": ["99"]})
    assert bad.status_code == 200 and b"segment-count" not in bad.data
    response = admin_client.post(
        "/admin/segments/new",
        data={
            "name": "AURA relais",
            "regions": ["R84"],
            "mode_ids": [mode("relais-local")],
            "national": "y",
            "language": "",
        },
    )
    assert response.status_code == 302
    segment = db.session.scalar(select(Segment))
    assert sorted(segment.territory_codes) == ["FR", "R84"]
    assert ops.count_segment(segment) == 1
    listing = admin_client.get("/admin/segments/")
    assert b"AURA relais" in listing.data and b"Segments" in listing.data
    edit = admin_client.get(f"/admin/segments/{segment.id}/edit")
    assert (
        b'value="R84" checked' in edit.data
        or b'checked id="regions' in edit.data
        or b"checked" in edit.data
    )
    admin_client.post(
        f"/admin/segments/{segment.id}/edit", data={"name": "AURA", "regions": ["R84"]}
    )
    db.session.expire_all()
    assert db.session.get(Segment, segment.id).name == "AURA"
    assert admin_client.post(f"/admin/segments/{segment.id}/delete").status_code == 302
    assert db.session.scalar(select(Segment)) is None


def test_export_cli_by_segment_with_bom_and_neutralised(
    app, runner, tmp_path, make_subscriber, people
):
    make_subscriber(
        email="evil@x.org",
        first_name='=HYPERLINK("http://x")',
        territory_code="69",
        organisation="+33 1 23",
    )
    ops.save_segment("Rhône", "", ops.SegmentRule(territory_codes=["69"]))
    out = tmp_path / "out.csv"
    result = runner.invoke(args=["subscribers", "export", str(out), "--segment", "Rhône"])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert sorted(r["email"] for r in rows) == ["evil@x.org", "lyon@x.org"]
    evil = next(r for r in rows if r["email"] == "evil@x.org")
    assert evil["first_name"].startswith("'=") and evil["organisation"] == "'+33 1 23"
    lyon = next(r for r in rows if r["email"] == "lyon@x.org")
    assert (lyon["territory"], lyon["modes"], lyon["status"]) == ("69", "relais-local", "active")
    missing = runner.invoke(args=["subscribers", "export", str(out), "--segment", "Nope"])
    assert missing.exit_code != 0


def test_neutralise():
    assert [neutralise(v) for v in ("=1", "+1", "-1", "@a", "ok", None)] == [
        "'=1",
        "'+1",
        "'-1",
        "'@a",
        "ok",
        "",
    ]


def test_admin_export_and_upload(admin_client, people, tmp_path):
    response = admin_client.get("/admin/subscribers/export.csv")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    assert response.data.count(b"@x.org") == 7
    data = {
        "file": (io.BytesIO("courriel;prénom\nnew@x.org;Nina\nbad;X\n".encode()), "list.csv"),
        "status": "active",
        "territory": "",
        "mode_ids": [mode("information")],
    }
    upload = admin_client.post(
        "/admin/subscribers/import", data=data, content_type="multipart/form-data"
    )
    assert upload.status_code == 303
    mapping = admin_client.get(upload.location)
    text = mapping.get_data(as_text=True)
    assert "new@x.org" in text and "Nina" in text  # the first values of each column
    assert 'name="column_0"' in text and '<option value="email" selected>' in text
    from cac_news.audience.import_jobs import ImportJobRunner
    from cac_news.models import Subscriber

    assert db.session.scalar(select(Subscriber).where(Subscriber.email == "new@x.org")) is None
    started = admin_client.post(
        upload.location, data={"action": "import", "column_0": "email", "column_1": "first_name"}
    )
    assert started.status_code == 303 and "/admin/subscribers/imports/" in started.location
    assert "Waiting for the delivery worker" in admin_client.get(started.location).get_data(
        as_text=True
    ) or "attente" in admin_client.get(started.location).get_data(as_text=True)
    runner = ImportJobRunner("test-worker")
    while runner.tick():
        pass
    done = admin_client.get(started.location).get_data(as_text=True)
    assert "Importer maintenant" not in done and "bad" in done or "1" in done
    created = db.session.scalar(select(Subscriber).where(Subscriber.email == "new@x.org"))
    assert created.first_name == "Nina" and [m.slug for m in created.modes] == ["information"]
    assert "admin@example.org" in created.consent_detail
    assert admin_client.get(upload.location).status_code == 404  # the staged file is gone


def test_admin_upload_bad_file(admin_client):
    data = {"file": (io.BytesIO(b"nom\nx\n"), "list.csv"), "status": "active", "territory": ""}
    page = admin_client.post(
        "/admin/subscribers/import", data=data, content_type="multipart/form-data"
    )
    assert page.status_code == 200 and "aucune colonne d&#39;adresse e-mail" in page.get_data(
        as_text=True
    )


def masks_match_table() -> bool:
    from cac_news.models import Subscriber, subscriber_modes
    from cac_news.models.segment import mode_mask

    db.session.expire_all()
    for subscriber in db.session.scalars(select(Subscriber)):
        ids = db.session.scalars(
            select(subscriber_modes.c.mode_id).where(
                subscriber_modes.c.subscriber_id == subscriber.id
            )
        )
        if subscriber.mode_mask != mode_mask(ids):
            return False
    return True


def test_mode_mask_follows_every_writer(admin_client, people, tmp_path):
    from cac_news.audience import modes as mode_ops
    from cac_news.audience.importer import ImportOptions, import_csv
    from cac_news.audience.rights import update_preferences
    from cac_news.audience.subscription import Profile
    from cac_news.models import Subscriber

    assert masks_match_table()
    lyon = db.session.scalar(select(Subscriber).where(Subscriber.email == "lyon@x.org"))
    update_preferences(lyon, Profile(territory_code="69", mode_ids=[mode("pilote")]))
    path = tmp_path / "f.csv"
    path.write_text("email,modes\nparis@x.org,information\nnew@x.org,pilote;contributeur\n")
    import_csv(path, ImportOptions())
    admin_client.post(
        f"/admin/subscribers/{lyon.id}/edit",
        data={"email": "lyon@x.org", "territory_code": "69", "language": "fr",
              "status": "active", "mode_ids": [mode("information")]},
    )  # fmt: skip
    assert masks_match_table()
    relais = ops.SegmentRule(mode_ids=[mode("relais-local")])
    assert "paris@x.org" in emails(relais)
    # Deleting a mode clears its bit: a new mode that reuses the id matches nobody.
    doomed = db.session.get(ParticipationMode, mode("relais-local"))
    doomed_id = doomed.id
    mode_ops.delete_mode(doomed)
    assert masks_match_table()
    assert ops.count_segment(ops.SegmentRule(mode_ids=[doomed_id])) == 0
    fresh = mode_ops.save_mode("Nouveau mode")
    assert ops.count_segment(ops.SegmentRule(mode_ids=[fresh.id])) == 0


def test_modes_beyond_mask_fall_back_to_join(app, make_subscriber):
    from cac_news.models import Subscriber

    big = ParticipationMode(id=70, slug="big", name="Big", position=70)
    db.session.add(big)
    db.session.commit()
    person = make_subscriber(email="big@x.org", modes=["big", "pilote"])
    assert person.mode_mask == 1 << mode("pilote")
    assert emails(ops.SegmentRule(mode_ids=[70])) == ["big@x.org"]
    assert emails(ops.SegmentRule(mode_ids=[70, mode("information")])) == ["big@x.org"]
    assert db.session.get(Subscriber, person.id) is not None


def test_a_region_only_subscriber_is_in_its_region_segments(people, make_subscriber):
    make_subscriber(email="auvergnat@x.org", region_code="R84", modes=["relais-local"])
    make_subscriber(email="breton@x.org", region_code="R53")
    assert emails(ops.SegmentRule(territory_codes=["R84"])) == [
        "auvergnat@x.org",
        "grenoble@x.org",
        "lyon@x.org",
    ]
    assert ops.count_segment(ops.SegmentRule(territory_codes=["R84"])) == 3
    # A département's segment does not guess which département of the région they live in.
    assert emails(ops.SegmentRule(territory_codes=["69"])) == ["lyon@x.org"]
    assert emails(ops.SegmentRule(territory_codes=["R53", "75"])) == ["breton@x.org", "paris@x.org"]


def test_export_is_safe_when_french_excel_splits_on_semicolons(
    app, runner, tmp_path, make_subscriber
):
    """French Excel reads a comma CSV with ";" as its separator: no piece may start a formula."""
    make_subscriber(
        email="semi@x.org",
        last_name='Dupont;=HYPERLINK("http://evil.example";"clic")',
        organisation="Asso; +33 1 23;\t@SUM(A1)",
    )
    out = tmp_path / "out.csv"
    assert runner.invoke(args=["subscribers", "export", str(out)]).exit_code == 0
    text = out.read_bytes().decode("utf-8-sig")
    as_french_excel = [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]
    dangerous = [c for c in as_french_excel if c.strip().startswith(("=", "+", "-", "@"))]
    assert dangerous == []
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["last_name"] == 'Dupont;\'=HYPERLINK("http://evil.example";"clic")'
    assert neutralise("Asso; +33") == "Asso; '+33" and neutralise("a;b") == "a;b"
