"""Admin: withdraw a sent issue from the public archive, or restore it."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cac_news.accounts import audit
from cac_news.archive.copies import copy_of, restore, withdraw
from cac_news.extensions import db
from cac_news.forms.admin import ConfirmForm
from cac_news.models import Newsletter
from cac_news.web.admin import bp


def _copy_or_404(newsletter_id: int):
    newsletter = db.session.get(Newsletter, newsletter_id) or abort(404)
    return copy_of(newsletter) or abort(404)


@bp.post("/newsletters/<int:newsletter_id>/archive/withdraw")
def newsletter_archive_withdraw(newsletter_id: int):
    """Take the issue out of the archive, search and feed; its page answers 410."""
    copy = _copy_or_404(newsletter_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    withdraw(copy, current_user)
    audit.record("newsletter.withdrawn", target_type="newsletter", target_id=newsletter_id)
    flash(_("The issue was withdrawn from the public archive."), "success")
    return redirect(url_for("admin.newsletter_preview", newsletter_id=newsletter_id))


@bp.post("/newsletters/<int:newsletter_id>/archive/restore")
def newsletter_archive_restore(newsletter_id: int):
    """Put a withdrawn issue back in the archive."""
    copy = _copy_or_404(newsletter_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    restore(copy)
    audit.record("newsletter.restored", target_type="newsletter", target_id=newsletter_id)
    flash(_("The issue is back in the public archive."), "success")
    return redirect(url_for("admin.newsletter_preview", newsletter_id=newsletter_id))
