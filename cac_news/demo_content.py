"""Demo roadmap, local action reports, resources and events, so that `make run` shows a
living group."""

from __future__ import annotations

import io
from datetime import date, timedelta

from cac_news.extensions import db
from cac_news.models import ActionReport, Pilot, Resource, RoadmapItem, RoadmapUpdate
from cac_news.timeutil import utcnow

ROADMAP = (
    (
        "expertise",
        "Note d'analyse sur les contrats à impact social",
        "1re quinzaine d'octobre",
        "in_progress",
        "Pilote expertise",
        "Recenser les **contrats à impact social** signés en France et leurs évaluations.",
    ),
    (
        "expertise",
        "Fiche sur les obligations à impact",
        "novembre",
        "planned",
        "Pilote expertise",
        "Une fiche courte pour les associations : qui finance, qui décide, qui évalue.",
    ),
    (
        "local_actions",
        "Kit « Territoire sans CIS » pour les conseils municipaux",
        "2e quinzaine d'octobre",
        "done",
        "Relais locaux",
        "Modèle de délibération, argumentaire et liste de contacts.",
    ),
    (
        "platform",
        "Ouverture de l'archive publique de la lettre",
        "décembre",
        "planned",
        "Pilote plateforme",
        "Chaque numéro lisible en ligne, avec recherche et flux Atom.",
    ),
    (
        "organisation",
        "Réunion mensuelle du groupe de travail",
        "chaque mois",
        "in_progress",
        "Pilotes",
        "Visioconférence ouverte à tous les membres.",
    ),
)
ACTIONS = (
    ("Délibération « territoire sans CIS » votée", "93", "deliberation", 12),
    ("Réunion publique sur la financiarisation du social", "13", "public_meeting", 9),
    ("Mobilisation devant le conseil départemental", "33", "mobilisation", 20),
    ("Formation des relais locaux", "69", "training", 5),
    ("Publication d'une tribune collective", "FR", "publication", 3),
    ("Rencontre avec les centres sociaux", "2A", "public_meeting", 15),
)


def seed_demo_content(pilot: Pilot) -> None:
    """Add roadmap items with an update each, and published action reports."""
    today = date.today()
    for position, (objective, title, period, status, owner, body) in enumerate(ROADMAP):
        item = RoadmapItem(
            objective=objective,
            title=title,
            period_label=period,
            period_start=today - timedelta(days=30),
            period_end=today + timedelta(days=30),
            status=status,
            owner=owner,
            position=position,
            description_md=body,
        )
        item.updates.append(
            RoadmapUpdate(
                date=today - timedelta(days=position + 1),
                body_md=f"Point d'étape : {title.lower()} avance comme prévu.",
                author_id=pilot.id,
            )
        )
        db.session.add(item)
    for title, territory, kind, days_ago in ACTIONS:
        db.session.add(
            ActionReport(
                title=title,
                date=today - timedelta(days=days_ago),
                territory_code=territory,
                kind=kind,
                body_md=f"Compte rendu : {title}. Merci à toutes celles et ceux qui sont venus.",
                published=True,
                published_at=utcnow() - timedelta(days=days_ago),
            )
        )


RESOURCES = (
    (
        "note-d-analyse",
        "Les contrats à impact social : ce que disent les évaluations",
        "Groupe de travail Financiarisation",
        "Une synthèse des évaluations publiées en France et au Royaume-Uni.",
        "cis, évaluation, financement",
        "expertise",
        True,
    ),
    (
        "fiche",
        "Fiche : qui finance, qui décide, qui évalue ?",
        "Groupe de travail",
        "Une page pour comprendre le montage d'une obligation à impact.",
        "cis, fiche pratique",
        "expertise",
        False,
    ),
    (
        "tribune",
        "Pour des territoires sans contrats à impact social",
        "Fédération des centres sociaux, CAC",
        "La tribune signée par les associations du réseau.",
        "territoires sans cis, mobilisation",
        "local_actions",
        False,
    ),
)


def seed_demo_resources() -> None:
    """Published resources of the library; the first has a small PDF attached."""
    from cac_news.resources import files
    from cac_news.resources.kinds import kind_by_slug
    from cac_news.resources.library import unique_slug
    from cac_news.resources.pdf import one_page_pdf

    today = date.today()
    for days_ago, (kind, title, authors, summary, tags, objective, with_pdf) in enumerate(
        RESOURCES
    ):
        resource = Resource(
            slug=unique_slug(title),
            title=title,
            kind_id=kind_by_slug(kind).id,
            date=today - timedelta(days=7 * days_ago + 2),
            authors=authors,
            summary=summary,
            body_md=f"## {title}\n\n{summary}\n\nLe **financement** de l'action sociale change.",
            tags=",".join(t.strip() for t in tags.split(",")),
            objective=objective,
        )
        if with_pdf:
            data = one_page_pdf(title)
            stored = files.store_upload(io.BytesIO(data), "note-cis.pdf")
            resource.file_stored, resource.file_name = stored.stored, stored.name
            resource.file_mime, resource.file_size = stored.mime, stored.size
        resource.publish()
        db.session.add(resource)
        db.session.flush()


# (days from today, local start and end times or None for all day, kind, title, place,
#  online link, territory, internal)
EVENTS = (
    (
        -12,
        ("18:30", "20:30"),
        "reunion-du-groupe",
        "Réunion du groupe de travail : bilan des actions locales",
        "108 rue Saint-Maur, 75011 Paris",
        "",
        "75",
        False,
    ),
    (
        16,
        ("18:00", "19:30"),
        "webinaire",
        "Webinaire : comprendre les contrats à impact social",
        "",
        "https://visio.example.org/cac-cis",
        "FR",
        False,
    ),
    (
        23,
        None,
        "mobilisation",
        "Journée « Territoires sans CIS » à Lyon",
        "Place des Terreaux, Lyon",
        "",
        "69",
        False,
    ),
    (
        9,
        ("12:30", "13:15"),
        "reunion-du-groupe",
        "Point des pilotes : préparation de la lettre",
        "",
        "https://visio.example.org/pilotes",
        "FR",
        True,
    ),
)


def seed_demo_events() -> None:
    """A past meeting, upcoming public events (one all day) and an internal one; checked
    by the agenda's own rules, committed with the rest of the demo."""
    from cac_news.agenda.events import EventData, check_event
    from cac_news.agenda.kinds import kind_by_slug
    from cac_news.models import Event

    today = date.today()
    for days, hours, kind, title, place, online, territory, internal in EVENTS:
        day = (today + timedelta(days=days)).isoformat()
        data = EventData(
            title=title,
            start=f"{day} {hours[0]}" if hours else day,
            end=f"{day} {hours[1]}" if hours else "",
            all_day=hours is None,
            kind_id=kind_by_slug(kind).id,
            place=place,
            online_url=online,
            territory_code=territory,
            description_md=f"{title}.\n\nOrdre du jour : les **financements** de l'action sociale.",
            internal=internal,
        )
        times = check_event(data)
        db.session.add(
            Event(
                title=title,
                kind_id=data.kind_id,
                starts_at=times.starts_at,
                ends_at=times.ends_at,
                all_day=data.all_day,
                start_date=times.start_date,
                end_date=times.end_date,
                place=place,
                online_url=online,
                territory_code=territory,
                description_md=data.description_md,
                internal=internal,
                sequence=0,
                cancelled=False,
            )
        )
    db.session.flush()
