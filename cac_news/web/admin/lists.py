"""Admin views of the discussion lists: the lists, their settings, their members."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cac_news.audience.modes import list_modes
from cac_news.audience.segments import get_by_name, list_segments
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.admin import ConfirmForm
from cac_news.forms.lists import ListForm, MembersForm
from cac_news.lists import manage, members, moderation
from cac_news.models import DiscussionList, ListMember
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import apply_errors


def get_list_or_404(list_id: int) -> DiscussionList:
    """The list, or a 404."""
    mailing_list = db.session.get(DiscussionList, list_id)
    if mailing_list is None:
        abort(404)
    return mailing_list


def _choices(form) -> None:
    form.segment.choices = [("", _("None"))] + [(s.name, s.name) for s in list_segments()]
    form.mode_slugs.choices = [(m.slug, m.name) for m in list_modes()]


@bp.get("/lists/")
def lists():
    """Every list with its members and its held posts."""
    rows = [
        (item, members.count_receiving(item), len(moderation.held_posts(item)))
        for item in manage.all_lists()
    ]
    return render_template("admin/lists/list.html", rows=rows, domain=manage.domain())


def _edit(mailing_list: DiscussionList | None):
    form = ListForm(obj=manage.as_data(mailing_list) if mailing_list else None)
    _choices(form)
    if mailing_list is not None and request.method == "GET":
        form.segment.data = mailing_list.segment.name if mailing_list.segment else ""
    if form.validate_on_submit():
        data = manage.ListData(
            name=form.name.data,
            address=form.address.data,
            description=form.description.data or "",
            posting_policy=form.posting_policy.data,
            reply_policy=form.reply_policy.data,
            subject_prefix=form.subject_prefix.data if mailing_list else None,
            footer=form.footer.data or "",
            max_bytes=form.max_bytes.data,
            archive=form.archive.data,
            segment_name=form.segment.data or None,
            mode_slugs=list(form.mode_slugs.data or []),
        )
        try:
            saved = manage.save_list(data, mailing_list)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("List %(name)s saved.", name=saved.name), "success")
            return redirect(url_for("admin.list_members", list_id=saved.id))
    return render_template(
        "admin/lists/form.html", form=form, mailing_list=mailing_list, domain=manage.domain()
    )


@bp.route("/lists/new", methods=["GET", "POST"])
def list_new():
    """Create a list."""
    return _edit(None)


@bp.route("/lists/<int:list_id>/settings", methods=["GET", "POST"])
def list_settings(list_id: int):
    """A list's settings."""
    return _edit(get_list_or_404(list_id))


@bp.route("/lists/<int:list_id>/members", methods=["GET", "POST"])
def list_members(list_id: int):
    """The members; add active subscribers on asserted consent, or invite them."""
    mailing_list = get_list_or_404(list_id)
    form = MembersForm()
    _choices(form)
    if form.validate_on_submit():
        segment = get_by_name(form.segment.data) if form.segment.data else None
        emails = (form.emails.data or "").split()
        try:
            people = members.chosen(segment, form.mode_slugs.data or [], emails)
            if not people:
                raise ValidationError.single("emails", _("Choose at least one subscriber."))
            if request.form.get("action") == "invite":
                count = members.invite(mailing_list, people)
                flash(_("%(n)d invitations queued.", n=count), "success")
            else:
                actor = current_user.id
                count = members.add_with_consent(
                    mailing_list, people, form.consent.data or "", actor
                )
                flash(_("%(n)d members added.", n=count), "success")
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            return redirect(url_for("admin.list_members", list_id=list_id))
    return render_template(
        "admin/lists/members.html",
        mailing_list=mailing_list,
        members=members.members(mailing_list),
        form=form,
        remove_form=ConfirmForm(formdata=None),
        address=manage.address_of(mailing_list),
    )


@bp.post("/lists/<int:list_id>/members/<int:member_id>/remove")
def list_member_remove(list_id: int, member_id: int):
    """Take a member off the list."""
    mailing_list = get_list_or_404(list_id)
    member = db.session.get(ListMember, member_id)
    if member is None or member.list_id != list_id or not ConfirmForm().validate_on_submit():
        abort(404)
    members.leave(mailing_list, member.subscriber_id)
    flash(_("%(email)s no longer receives the list.", email=member.subscriber.email), "success")
    return redirect(url_for("admin.list_members", list_id=list_id))
