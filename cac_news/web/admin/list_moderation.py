"""The moderation queue of a list: approve, approve and add as member, reject, discard."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.admin import ConfirmForm
from cac_news.forms.lists import RejectForm
from cac_news.lists import moderation
from cac_news.models import ListPost
from cac_news.web.admin import bp
from cac_news.web.admin.lists import get_list_or_404

REASONS = {
    "non-member": lambda: _("Not a member"),
    "moderated": lambda: _("Moderated list"),
    "announce": lambda: _("Not a pilot (announcements)"),
    "size": lambda: _("Too large"),
    "spam": lambda: _("Suspected spam"),
}


@bp.get("/lists/<int:list_id>/queue")
def list_queue(list_id: int):
    """The posts waiting for a pilot."""
    mailing_list = get_list_or_404(list_id)
    return render_template(
        "admin/lists/queue.html",
        mailing_list=mailing_list,
        posts=moderation.held_posts(mailing_list),
        reasons={key: label() for key, label in REASONS.items()},
        confirm_form=ConfirmForm(formdata=None),
        reject_form=RejectForm(formdata=None),
    )


@bp.post("/lists/posts/<int:post_id>/<any(approve, approve_add, discard, reject):action>")
def list_post_decide(post_id: int, action: str):
    """One pilot's decision on one held post."""
    post = db.session.get(ListPost, post_id)
    if post is None:
        abort(404)
    back = redirect(url_for("admin.list_queue", list_id=post.list_id))
    form = RejectForm() if action == "reject" else ConfirmForm()
    if not form.validate_on_submit():
        flash(_("Say why the post is refused."), "error")
        return back
    try:
        if action == "approve":
            count = moderation.approve(post, current_user)
            flash(_("Post approved: %(n)d members will receive it.", n=count), "success")
        elif action == "approve_add":
            count = moderation.approve(post, current_user, add_member=True)
            flash(_("Post approved and author added: %(n)d recipients.", n=count), "success")
        elif action == "discard":
            moderation.discard(post, current_user)
            flash(_("Post discarded."), "success")
        else:
            moderation.reject(post, request.form.get("reason", ""), current_user)
            flash(_("Post refused; the author will be told why."), "success")
    except ValidationError as exc:
        db.session.rollback()
        flash(" ".join(m for msgs in exc.errors.values() for m in msgs), "error")
    return back
