"""Demo roadmap and local action reports, so that `make run` shows a living group."""

from __future__ import annotations

from datetime import date, timedelta

from cac_news.extensions import db
from cac_news.models import ActionReport, Pilot, RoadmapItem, RoadmapUpdate
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
