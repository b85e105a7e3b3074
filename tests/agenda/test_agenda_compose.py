"""The composer and `flask newsletters create --from-changes`: upcoming events proposed
until a letter that announces them has gone out (however far ahead), internal events only
for letters to a segment and never in the public web copy."""

from __future__ import annotations

from datetime import datetime, timedelta

from cac_news.archive.copies import freeze_copy
from cac_news.audience.segments import SegmentRule, save_segment
from cac_news.compose.collect import propose_sections
from cac_news.compose.render import render_newsletter
from cac_news.extensions import db
from cac_news.models import Newsletter
from tests.agenda_helpers import make_event
from tests.resource_helpers import make_resource


def _local(delta_days: int) -> str:
    return (datetime.now() + timedelta(days=delta_days)).strftime("%Y-%m-%d 10:00")


def _from_changes(runner, *extra) -> Newsletter:
    result = runner.invoke(
        args=["newsletters", "create", "--subject", "Lettre de quinzaine", "--from-changes", *extra]
    )
    assert result.exit_code == 0, result.output
    return db.session.get(Newsletter, int(result.output.strip()))


def _sent(newsletter: Newsletter) -> None:
    newsletter.status = "sent"
    newsletter.sent_at = datetime.now()
    db.session.commit()


def test_from_changes_holds_the_upcoming_event_and_the_new_resource(app, runner):
    far = make_event("Assemblée nationale du réseau", start=_local(700), kind="assemblee")
    make_event("Réunion passée", start=_local(-3))
    cancelled = make_event("Webinaire annulé", start=_local(9), kind="webinaire")
    cancelled.cancelled = True
    db.session.commit()
    resource = make_resource("Note sur les contrats à impact social")
    newsletter = _from_changes(runner)
    assert newsletter.status == "draft" and newsletter.segment_id is None
    by_kind = {s.kind: s for s in newsletter.sections}
    assert by_kind["event"].event_id == far.id
    assert by_kind["event"].group_label == "À vos agendas"
    body = by_kind["event"].body_md
    assert f"http://localhost/agenda/{far.id}.ics" in body and "Ajouter à mon agenda" in body
    assert "108 rue Saint-Maur" in body and "Voir l’événement" in body.replace("'", "’")
    titles = [s.title for s in newsletter.sections]
    assert resource.title in titles
    assert "Réunion passée" not in titles and "Webinaire annulé" not in titles
    html = render_newsletter(newsletter).html
    assert f"http://localhost/agenda/{far.id}.ics" in html


def test_an_event_is_proposed_until_a_letter_announcing_it_goes_out(app, runner):
    event = make_event(start=_local(20))
    draft = _from_changes(runner)
    assert [s.event_id for s in draft.sections if s.kind == "event"] == [event.id]
    # A draft announces nothing yet: the next proposal still has the event.
    assert [p.source_id for p in propose_sections() if p.kind == "event"] == [event.id]
    _sent(draft)
    assert [p for p in propose_sections() if p.kind == "event"] == []


def test_internal_events_only_for_segments_and_never_in_the_web_copy(app, runner):
    internal = make_event("Réunion interne des pilotes", start=_local(10), internal=True)
    public = make_event("Réunion publique", start=_local(12))
    everyone = _from_changes(runner)
    assert [s.event_id for s in everyone.sections if s.kind == "event"] == [public.id]
    save_segment("Groupe de travail", "", SegmentRule(territory_codes=["FR"]))
    members = _from_changes(runner, "--segment", "Groupe de travail")
    sections = {s.event_id: s for s in members.sections if s.kind == "event"}
    assert set(sections) == {internal.id, public.id}
    assert sections[internal.id].group_label == "À vos agendas (interne)"
    assert ".ics" not in sections[internal.id].body_md  # no public calendar file for it
    rendered = render_newsletter(members)
    assert "Réunion interne des pilotes" in rendered.html
    assert "Réunion interne des pilotes" in rendered.text
    assert "Réunion interne des pilotes" not in rendered.web_html
    _sent(members)
    copy = freeze_copy(members)
    db.session.commit()
    assert "Réunion interne des pilotes" not in copy.html and "interne" not in copy.text
    assert "Réunion publique" in copy.html


def test_the_composer_offers_internal_events_unticked_and_refuses_them_for_everyone(
    app, admin_client
):
    internal = make_event("Réunion interne des pilotes", start=_local(10), internal=True)
    page = admin_client.get("/admin/newsletters/new").get_data(as_text=True)
    assert "Réunion interne des pilotes" in page and "À vos agendas (interne)" in page
    form = {
        "subject": "Lettre",
        "segment_id": "",
        "sections-0-kind": "event",
        "sections-0-source_id": str(internal.id),
        "sections-0-include": "y",
        "sections-0-position": "10",
        "sections-0-group_label": "À vos agendas",
        "sections-0-title": internal.title,
        "sections-0-body_md": "Le 12.",
    }
    response = admin_client.post("/admin/newsletters/new", data=form)
    assert response.status_code == 200
    assert "est un événement interne" in response.get_data(as_text=True)
    assert db.session.query(Newsletter).count() == 0


def test_editing_a_draft_keeps_its_event_section(app, admin_client, runner):
    event = make_event("Webinaire du réseau", start=_local(30), kind="webinaire")
    draft = _from_changes(runner)
    page = admin_client.get(f"/admin/newsletters/{draft.id}/edit").get_data(as_text=True)
    assert 'value="event"' in page and f'value="{event.id}"' in page
    assert "Événement" in page
    form = {
        "subject": "Lettre modifiée",
        "segment_id": "",
        "sections-0-kind": "event",
        "sections-0-source_id": str(event.id),
        "sections-0-include": "y",
        "sections-0-position": "10",
        "sections-0-group_label": "À vos agendas",
        "sections-0-title": "Webinaire du réseau (nouvelle date)",
        "sections-0-body_md": "Le 30.",
    }
    assert admin_client.post(f"/admin/newsletters/{draft.id}/edit", data=form).status_code == 302
    db.session.refresh(draft)
    assert [(s.kind, s.event_id) for s in draft.sections] == [("event", event.id)]
