"""The default newsletter template scores at most 1.0 on SpamAssassin's local rules."""

import os
import re
import subprocess

import pytest

from cac_news.compose.newsletters import SectionData
from cac_news.compose.render import (
    GREETING_NAME,
    PREFERENCES_URL,
    UNSUBSCRIBE_URL,
    render_newsletter,
    web_copy_url,
)
from cac_news.mail.message import MessageTemplate, make_message_id

SPAMASSASSIN = "/usr/bin/spamassassin"
MAX_SCORE = 1.0
STATUS_RE = re.compile(
    r"^X-Spam-Status: (\w+), score=(-?[\d.]+).*?tests=(.*?)(?:autolearn|version)", re.M | re.S
)


@pytest.fixture
def config_overrides():
    """A site on a real-looking https address, as in production."""
    return {
        "SITE_URL": "https://lettre.cac-asso.org",
        "MAIL_FROM": "Lettre du CAC <lettre@cac-asso.org>",
    }


def realistic_newsletter(make_newsletter, make_roadmap_update, make_action_report):
    """An issue like the group's: introduction, roadmap updates, action reports, closing."""
    update = make_roadmap_update(
        body_md="La note sur les **contrats à impact social** est relue par le groupe ; "
        "elle sera présentée en plénière le 12 décembre.",
    )
    report = make_action_report(
        body_md="Une centaine de personnes devant le conseil départemental de Paris pour "
        "demander un territoire sans contrats à impact social. Compte rendu et photos "
        "sur [le site du collectif](https://www.associations-citoyennes.net/).",
    )
    return make_newsletter(
        subject="Lettre n°3 : la note sur les contrats à impact social avance",
        preheader="Note, mobilisations locales et prochaines réunions",
        intro_md="Bonjour à toutes et à tous,\n\nVoici les nouvelles du groupe de travail "
        "sur la financiarisation de l'action sociale depuis la dernière lettre.",
        closing_md="Merci à toutes les associations mobilisées. Prochaine réunion du groupe "
        "le jeudi 10 décembre à 18 h, en visioconférence.",
        sections=[
            SectionData(
                kind="roadmap_update",
                source_id=update.id,
                title=update.item.title,
                body_md=update.body_md,
                group_label="Feuille de route",
            ),
            SectionData(
                kind="action_report",
                source_id=report.id,
                title=report.title,
                body_md=report.body_md,
                group_label="Actions locales",
                position=1,
            ),
        ],
    )


def full_message(app, newsletter) -> bytes:
    """The message as the delivery engine builds it for one recipient."""
    rendered = render_newsletter(newsletter)
    template = MessageTemplate.build(
        from_addr=app.config["MAIL_FROM"],
        subject=newsletter.subject,
        reply_to=None,
        list_id="Lettre du groupe Financiarisation <lettre.cac-asso.org>",
        list_archive_url=web_copy_url(newsletter),
        html=rendered.html,
        text=rendered.text,
        domain="cac-asso.org",
    )
    return template.render(
        "camille.martin@example.org",
        "Camille Martin",
        {
            GREETING_NAME: "Camille",
            UNSUBSCRIBE_URL: "https://lettre.cac-asso.org/unsubscribe/eyJzIjoxMjN9.abc",
            PREFERENCES_URL: "https://lettre.cac-asso.org/preferences/eyJzIjoxMjN9.def",
        },
        "https://lettre.cac-asso.org/unsubscribe/eyJzIjoxMjN9.abc",
        "mailto:lettre+unsubscribe@cac-asso.org",
        make_message_id("cac-asso.org"),
    )


def test_newsletter_scores_low_on_spamassassin(
    app, tmp_path, make_newsletter, make_roadmap_update, make_action_report
):
    """`spamassassin -t -L` with Bayes off: score <= 1.0; the rules hit are printed."""
    newsletter = realistic_newsletter(make_newsletter, make_roadmap_update, make_action_report)
    raw = full_message(app, newsletter)
    result = subprocess.run(
        [SPAMASSASSIN, "-t", "-L", "--cf=use_bayes 0"],
        input=raw,
        capture_output=True,
        timeout=120,
        env={**os.environ, "HOME": str(tmp_path)},  # never learn into ~/.spamassassin
        check=False,
    )
    output = result.stdout.decode("utf-8", "replace")
    match = STATUS_RE.search(output)
    assert match, f"no X-Spam-Status in the output:\n{output[:3000]}\n{result.stderr[-2000:]!r}"
    score, rules = float(match.group(2)), re.sub(r"\s+", "", match.group(3))
    print(f"SpamAssassin score {score}, rules: {rules}")
    assert score <= MAX_SCORE, f"score {score} > {MAX_SCORE}; rules hit: {rules}"
