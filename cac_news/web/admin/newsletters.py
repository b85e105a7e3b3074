"""Admin views of newsletters: list, composer, preview and test sends."""

from __future__ import annotations

import smtplib

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from cac_news.archive.copies import copy_of
from cac_news.audience.segments import count_active_subscribers, count_segment, list_segments
from cac_news.compose.collect import cutoff_for, propose_sections
from cac_news.compose.newsletters import (
    NewsletterData,
    SectionData,
    create_newsletter,
)
from cac_news.compose.render import (
    RenderedNewsletter,
    personalise,
    render_newsletter,
    render_web_copy,
    sample_values,
)
from cac_news.content.labels import NEWSLETTER_STATUS_LABELS
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.admin import ConfirmForm
from cac_news.forms.compose import NewsletterForm, SinceForm, TestSendForm
from cac_news.forms.mapping import form_data
from cac_news.mailing.bounces.queries import bounce_figures
from cac_news.mailing.progress import send_progress
from cac_news.mailing.test_send import parse_recipients, send_test
from cac_news.models import Newsletter
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import apply_errors

BLANK_TEXT_SECTIONS = 2  # empty free-text slots offered at the end of the composer
# Previews show content written by pilots: forbid scripts, frames and forms whatever happens.
PREVIEW_CSP = "default-src 'none'; img-src https: http:; style-src 'unsafe-inline'; sandbox"


@bp.get("/newsletters/")
def newsletters():
    """Every newsletter, newest first."""
    items = db.session.scalars(select(Newsletter).order_by(Newsletter.number.desc())).all()
    return render_template(
        "admin/newsletters/list.html", newsletters=items, status_labels=NEWSLETTER_STATUS_LABELS
    )


def _add_blank_sections(form: NewsletterForm, start: int) -> None:
    for offset in range(BLANK_TEXT_SECTIONS):
        form.sections.append_entry(
            {"kind": "text", "include": True, "position": (start + offset) * 10}
        )


def _kept(section) -> bool:
    """A ticked section that is not an empty free-text slot."""
    blank = section.kind.data == "text" and not (section.title.data or "").strip()
    return bool(section.include.data) and not (blank and not (section.body_md.data or "").strip())


def newsletter_data(form: NewsletterForm) -> NewsletterData:
    """The composer's fields; unticked sections and blank free-text slots are left out."""
    sections = [form_data(e.form, SectionData) for e in form.sections if _kept(e.form)]
    for section in sections:
        section.kind = section.kind or "text"
    return form_data(form, NewsletterData, sections=sections)


def flash_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        flash(warning, "info")


def segment_choices(form: NewsletterForm) -> None:
    """Audience options: every active subscriber, or one saved segment, with counts."""
    everyone = count_active_subscribers()
    form.segment_id.choices = [("", _("Every active subscriber (%(n)d)", n=everyone))] + [
        (str(segment.id), f"{segment.name} ({count_segment(segment)})")
        for segment in list_segments()
    ]


@bp.route("/newsletters/new", methods=["GET", "POST"])
def newsletter_new():
    """The composer: proposes what changed since the last issue (or a chosen date)."""
    since_form = SinceForm(request.args)
    since = since_form.since.data if since_form.validate() else None
    form = NewsletterForm()
    segment_choices(form)
    if request.method == "GET":
        # Internal events come unticked; saving refuses them in a letter to everyone.
        proposals = propose_sections(since, internal_events=True)
        for index, proposal in enumerate(proposals, start=1):
            form.sections.append_entry(
                {
                    "kind": proposal.kind,
                    "source_id": proposal.source_id,
                    "include": proposal.include,
                    "position": index * 10,
                    "group_label": proposal.group_label,
                    "title": proposal.title,
                    "body_md": proposal.body_md,
                }
            )
        _add_blank_sections(form, len(proposals) + 1)
    elif form.validate_on_submit():
        try:
            newsletter, warnings = create_newsletter(newsletter_data(form), current_user)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Letter no. %(number)d saved as a draft.", number=newsletter.number), "success")
            flash_warnings(warnings)
            return redirect(url_for("admin.newsletter_edit", newsletter_id=newsletter.id))
    return render_template(
        "admin/newsletters/new.html",
        form=form,
        since_form=since_form,
        cutoff=cutoff_for(since),
        newsletter=None,
    )


@bp.route("/newsletters/<int:newsletter_id>/", methods=["GET", "POST"])
def newsletter_preview(newsletter_id: int):
    """Preview (desktop, mobile, text, web copy) and the test-send form."""
    newsletter = db.get_or_404(Newsletter, newsletter_id)
    form = TestSendForm()
    if request.method == "GET":
        form.recipients.data = current_user.email
    elif form.validate_on_submit():
        try:
            count = send_test(newsletter, parse_recipients(form.recipients.data))
        except ValidationError as exc:
            apply_errors(form, exc)
        except (OSError, smtplib.SMTPException) as exc:
            flash(_("The test could not be sent: %(error)s", error=str(exc)), "error")
        else:
            flash(_("Test sent to %(count)d address(es).", count=count), "success")
            return redirect(url_for("admin.newsletter_preview", newsletter_id=newsletter.id))
    _html, text = personalise(_email_of(newsletter), sample_values(current_user.name))
    return render_template(
        "admin/newsletters/preview.html",
        newsletter=newsletter,
        form=form,
        text=text,
        status_labels=NEWSLETTER_STATUS_LABELS,
        archived=copy_of(newsletter),
        archive_form=ConfirmForm(),
        bounce_figures=bounce_figures(newsletter.id),
        progress=None if newsletter.is_editable else send_progress(newsletter),
        action_form=ConfirmForm(formdata=None),
    )


def _email_of(newsletter: Newsletter) -> RenderedNewsletter:
    """The email as it was frozen when the send started (what recipients got), or, for a
    draft, rendered now: the preview frames need no premailer run once a letter is sent."""
    if newsletter.email_html is not None and newsletter.email_text is not None:
        return RenderedNewsletter(newsletter.email_html, newsletter.email_text, web_html="")
    return render_newsletter(newsletter)


def _raw_preview(html: str):
    response = make_response(html)
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.get("/newsletters/<int:newsletter_id>/preview/email")
def newsletter_preview_email(newsletter_id: int):
    """The email's HTML, personalised with the pilot's name, for the preview frames."""
    html, _text = personalise(
        _email_of(db.get_or_404(Newsletter, newsletter_id)), sample_values(current_user.name)
    )
    return _raw_preview(html)


@bp.get("/newsletters/<int:newsletter_id>/preview/web")
def newsletter_preview_web(newsletter_id: int):
    """The web copy: the archived one once frozen, else as the archive will show it."""
    newsletter = db.get_or_404(Newsletter, newsletter_id)
    archived = copy_of(newsletter)
    return _raw_preview(archived.html if archived else render_web_copy(newsletter))
