"""Per-recipient cost: personalise() on the once-inlined newsletter vs premailer per recipient.

Run from the repository root: `.venv/bin/python bench/render.py [RECIPIENTS]`.
Builds a throw-away SQLite database with a realistic newsletter (about 20 sections), renders
it once, then measures, in the same run, the per-recipient time of
  - personalise(): the substitution of the recipient's tokens (the project), and
  - rendering the template and calling premailer for every recipient (the baseline).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from cac_news import create_app
from cac_news.compose.newsletters import NewsletterData, SectionData, create_newsletter
from cac_news.compose.render import (
    GREETING_NAME,
    PREFERENCES_URL,
    UNSUBSCRIBE_URL,
    inline_css,
    personalise,
    render_newsletter,
)

BODY = (
    "Le groupe a **avancé** sur la note consacrée aux contrats à impact social. "
    "Voir [le document](https://cac.example.org/docs/note-{n}) et la "
    "[tribune](https://cac.example.org/tribune-{n}).\n\n"
    "- point un\n- point deux\n- point trois\n\n"
    "| Territoire | Action |\n|---|---|\n| Lyon | Rassemblement |\n| Paris | Réunion |"
)


def values(n: int) -> dict[str, str]:
    """A recipient's values."""
    return {
        GREETING_NAME: f"Camille{n}",
        UNSUBSCRIBE_URL: f"https://lettre.example.org/desabonnement/tok{n:08d}",
        PREFERENCES_URL: f"https://lettre.example.org/preferences/tok{n:08d}",
    }


def per_call(fn, count: int) -> float:
    """Median over 5 rounds of the mean seconds per call."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for i in range(count):
            fn(i)
        rounds.append((time.perf_counter() - start) / count)
    return statistics.median(rounds)


def main() -> None:
    """Build the newsletter, time both ways, print figures and the ratio."""
    recipients = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "INSTANCE_PATH": tmp,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
                "SITE_URL": "https://lettre.example.org",
            }
        )
        with app.app_context():
            upgrade()
            sections = [
                SectionData(
                    kind="text",
                    title=f"Section {n}",
                    body_md=BODY.format(n=n),
                    group_label=f"Groupe {n // 5}",
                    position=n,
                )
                for n in range(20)
            ]
            newsletter, _ = create_newsletter(
                NewsletterData(
                    subject="Lettre de banc d'essai", intro_md="Bonjour", sections=sections
                )
            )
            start = time.perf_counter()
            rendered = render_newsletter(newsletter)
            render_once = time.perf_counter() - start
            # The baseline re-inlines the raw template output for every recipient.
            from flask import render_template
            from flask_babel import force_locale

            from cac_news.compose.render import _context
            from cac_news.compose.text import Footnotes

            with force_locale("fr"):
                raw = render_template(
                    "email/newsletter.html",
                    lang="fr",
                    web=False,
                    **_context(newsletter, Footnotes()),
                )

            def baseline(i: int) -> None:
                html = inline_css(raw)
                personalise(
                    rendered.__class__(html=html, text=rendered.text, web_html=""), values(i)
                )

            project = per_call(lambda i: personalise(rendered, values(i)), recipients)
            base = per_call(baseline, max(20, recipients // 10))

    html_kib, text_kib = len(rendered.html) / 1024, len(rendered.text) / 1024
    print(f"email HTML: {html_kib:.1f} KiB, text: {text_kib:.1f} KiB")
    print(f"render once (Jinja x3 + premailer x1): {render_once * 1000:.1f} ms")
    print(f"personalise() per recipient:          {project * 1000:.4f} ms")
    print(f"premailer per recipient (baseline):   {base * 1000:.2f} ms")
    print(f"ratio baseline / personalise:         {base / project:.0f}x")
    print(
        f"ceiling from this step alone: {1 / project:,.0f} msg/s vs {1 / base:,.0f} msg/s per core"
    )


if __name__ == "__main__":
    main()
