"""Seed content for whole-site checks (HTML validity, accessibility, benchmarks)."""

from __future__ import annotations

from datetime import date

from cac_news.archive.copies import freeze_copy
from cac_news.compose.newsletters import NewsletterData, SectionData, create_newsletter
from cac_news.extensions import db
from cac_news.models import ActionReport, RoadmapItem, RoadmapUpdate
from cac_news.timeutil import utcnow

# Every public page, with a path that exists once seed_public_content() has run.
PUBLIC_PAGES = [
    "/",
    "/archives/",
    "/archives/1/",
    "/archives/recherche/?q=economie",
    "/feuille-de-route/",
    "/actions/",
    "/actions/1/",
    "/actions/?departement=75",
    "/ressources/",
    "/ressources/?kind=note-d-analyse&tag=cis",
    "/ressources/note-sur-la-federation",
    "/archives/recherche/?q=federation",
    "/listes/gt/",
    "/listes/gt/messages/1/",
    "/listes/gt/recherche?q=reunion",
    "/listes/bureau/acces",
    "/agenda/",
    "/agenda/?territory=R11&kind=webinaire",
    "/agenda/1/",
    "/agenda/2/",
    "/archives/recherche/?q=reunion&kind=event",
]


def seed_public_content() -> None:
    """A sent issue with its frozen copy, a roadmap item with updates, action reports."""
    item = RoadmapItem(
        objective="expertise",
        title="Note sur les contrats à impact social",
        description_md="Une note de synthèse sur l'**économie** des CIS.",
        period_label="Automne 2026",
        period_start=date(2026, 9, 1),
        status="in_progress",
    )
    db.session.add(item)
    db.session.add(RoadmapUpdate(item=item, date=date(2026, 10, 1), body_md="Premier jet relu."))
    for code, kind in (("75", "mobilisation"), ("75", "public_meeting"), ("69", "training")):
        db.session.add(
            ActionReport(
                title=f"Action {kind} ({code})",
                date=date(2026, 10, 2),
                territory_code=code,
                kind=kind,
                body_md="Une centaine de personnes devant le **conseil départemental**.",
                published=True,
                published_at=utcnow(),
            )
        )
    db.session.commit()
    seed_public_resource()
    seed_public_events()
    newsletter, _warnings = create_newsletter(
        NewsletterData(
            subject="Rentrée du groupe",
            preheader="Économie sociale, financements et actions locales",
            intro_md="Bonjour à toutes et à tous.",
            sections=[
                SectionData(
                    kind="text",
                    title="Économie",
                    body_md="De nouveaux [financements](https://example.org/) de l'action sociale.",
                    group_label="Expertise",
                )
            ],
        )
    )
    newsletter.status = "sent"
    db.session.commit()
    freeze_copy(newsletter)
    db.session.commit()
    seed_public_list()


def seed_public_list() -> None:
    """A public list archive with a thread of two posts, and a members-only list."""
    from cac_news.lists import incoming, manage
    from tests.lists_helpers import message

    manage.save_list(manage.ListData(name="GT", address="gt", archive="public"))
    manage.save_list(manage.ListData(name="Bureau", address="bureau", archive="members"))
    incoming.receive(
        "gt@example.org",
        message(subject="Réunion de rentrée", message_id="<r1@example.net>"),
    )
    incoming.receive(
        "gt@example.org",
        message(
            sender="bob@example.net", name="Bob", subject="Re: [GT] Réunion de rentrée",
            message_id="<r2@example.net>", in_reply_to="<r1@example.net>",
            body="Une ligne très longue " * 30,
        ),
    )  # fmt: skip
    from sqlalchemy import update

    from cac_news.extensions import db
    from cac_news.models import ListPost

    db.session.execute(update(ListPost).values(status="accepted"))  # non-members: approved
    db.session.commit()


def seed_public_resource() -> None:
    """A published resource with a PDF attached (the library's pages)."""
    import io

    from cac_news.resources.kinds import kind_by_slug
    from cac_news.resources.library import ResourceData, Upload, save_resource, set_published
    from cac_news.resources.pdf import one_page_pdf

    data = ResourceData(
        title="Note sur la Fédération",
        kind_id=kind_by_slug("note-d-analyse").id,
        date=date(2026, 10, 5),
        authors="Groupe de travail",
        summary="Une synthèse des **évaluations**.",
        body_md="La Fédération des centres sociaux et les [financements](https://example.org/).",
        tags="cis, financement",
        objective="expertise",
    )
    upload = Upload(io.BytesIO(one_page_pdf("Note")), "note.pdf")
    set_published(save_resource(data, upload=upload), True)


def seed_public_events() -> None:
    """Two public events (ids 1 and 2: a timed webinar, an all-day meeting, cancelled)."""
    from cac_news.agenda.events import EventData, save_event, set_cancelled
    from cac_news.agenda.kinds import kind_by_slug

    save_event(
        EventData(
            title="Webinaire : les contrats à impact social en Île-de-France",
            start="2027-03-29 18:00",
            end="2027-03-29 19:30",
            kind_id=kind_by_slug("webinaire").id,
            online_url="https://visio.example.org/cis?salle=1&langue=fr",
            territory_code="R11",
            description_md="Avec la **Fédération** et des [élus](https://example.org/).",
        )
    )
    meeting = save_event(
        EventData(
            title="Réunion du groupe de travail",
            start="2026-10-03",
            all_day=True,
            kind_id=kind_by_slug("reunion-du-groupe").id,
            place="108 rue Saint-Maur, 75011 Paris",
            territory_code="75",
        )
    )
    set_cancelled(meeting)
