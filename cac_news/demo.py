"""Demo data for `make run`: a demo pilot and about fifty subscribers."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from cac_news import territories
from cac_news.demo_content import seed_demo_content, seed_demo_events, seed_demo_resources
from cac_news.extensions import db
from cac_news.models import ParticipationMode, Pilot, Subscriber
from cac_news.timeutil import utcnow

DEMO_PILOT_EMAIL = "pilote.demo@example.org"
FIRST_NAMES = (
    "Camille Dominique Claude Sacha Alix Marie Jean Louise Karim Fatou Yasmine Hugo "
    "Léa Théo Inès Mathis Chloé Nadia Rémi Élodie Amadou Sofia Pierre Anne Lucie"
).split()
LAST_NAMES = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier"
).split()
ORGANISATIONS = (
    "Collectif des Associations Citoyennes",
    "Association Solidarités Locales",
    "Centre social du Vieux-Port",
    "Ligue de l'enseignement",
    "Maison des associations",
    "Fédération des centres sociaux",
    "",
)
DEMO_DEPARTEMENTS = ("75", "93", "13", "69", "33", "59", "35", "44", "31", "2A", "971", "67")


class DemoRefused(Exception):
    """The database already holds data; demo data would mix with it."""


@dataclass
class DemoLogin:
    """The demo pilot's credentials, shown once to the person who ran the command."""

    email: str
    password: str


def seed_demo(count: int = 50, seed: int = 2026) -> DemoLogin:
    """Add a demo admin pilot, `count` subscribers, a roadmap and action reports."""
    if db.session.scalar(select(func.count()).select_from(Subscriber)):
        raise DemoRefused("the database already has subscribers")
    rng = random.Random(seed)
    password = secrets.token_urlsafe(12)
    pilot = db.session.scalar(select(Pilot).where(Pilot.email == DEMO_PILOT_EMAIL))
    if pilot is None:
        pilot = Pilot(email=DEMO_PILOT_EMAIL, name="Pilote de démonstration", role="admin")
        db.session.add(pilot)
    pilot.set_password(password)
    modes = list(db.session.scalars(select(ParticipationMode)))
    db.session.flush()
    for index in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        status = rng.choices(
            ["active", "pending", "unsubscribed", "bounced"], weights=[80, 10, 7, 3]
        )[0]
        territory = rng.choice(DEMO_DEPARTEMENTS + (territories.NATIONAL,))
        subscriber = Subscriber(
            email=f"{_ascii(first)}.{_ascii(last)}.{index}@example.org",
            first_name=first,
            last_name=last,
            organisation=rng.choice(ORGANISATIONS),
            territory_code=territory,
            language="fr" if rng.random() < 0.9 else "en",
            modes=rng.sample(modes, k=rng.randint(1, min(2, len(modes)))) if modes else [],
            status="pending",
        )
        subscriber.set_status("pending", source="pilot", actor_id=pilot.id, detail="demo")
        if status != "pending":
            subscriber.set_status("active", source="confirmation", detail="demo")
            subscriber.consent_at = utcnow()
            subscriber.consent_source = "form"
            subscriber.consent_text = "demo"
        if status not in ("pending", "active"):
            subscriber.set_status(status, source="system", detail="demo")
        db.session.add(subscriber)
    seed_demo_content(pilot)
    seed_demo_resources()
    seed_demo_events()
    db.session.commit()
    _remember_login(pilot.email, password)
    return DemoLogin(email=pilot.email, password=password)


def _ascii(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def _remember_login(email: str, password: str) -> None:
    """Keep the demo login in instance/ so that `make run` can show it on every start."""
    path = Path(current_app.instance_path) / "demo-login.txt"
    path.write_text(f"{email} / {password}\n", encoding="utf-8")
    path.chmod(0o600)
