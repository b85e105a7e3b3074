"""Admin views over subscribers: list with search and filters, create, edit, delete."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cac_news import territories
from cac_news.accounts import audit
from cac_news.audience import queries
from cac_news.audience.modes import list_modes
from cac_news.audience.reconfirm import invite_to_reconfirm
from cac_news.audience.subscribers import (
    SubscriberData,
    create_subscriber,
    delete_subscriber,
    update_subscriber,
)
from cac_news.content.labels import DELIVERY_STATUS_LABELS, SUBSCRIBER_STATUS_LABELS
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.admin import (
    EVENT_KIND_LABELS,
    EVENT_SOURCE_LABELS,
    ConfirmForm,
    SubscriberForm,
)
from cac_news.forms.mapping import form_data
from cac_news.mailing.bounces.queries import subscriber_bounces
from cac_news.mailing.progress import letters_of
from cac_news.models import Subscriber
from cac_news.models.audience import LEFT_STATUSES
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import apply_errors, id_param, page_number


def territory_choices(with_regions: bool = False) -> list[tuple[str, str]]:
    """Options for a territory select: national, optionally régions, then départements."""
    choices = [(territories.NATIONAL, _("National"))]
    if with_regions:
        choices += [(r.code, _("Région: %(name)s", name=r.name)) for r in territories.regions()]
    choices += [(d.code, f"{d.code} – {d.name}") for d in territories.departements()]
    return choices


def _filters_from_args() -> queries.SubscriberFilters:
    args = request.args
    mode = args.get("mode", "")
    status = args.get("status", "")
    territory = args.get("territory", "")
    return queries.SubscriberFilters(
        query=args.get("q", "").strip(),
        status=status if status in SUBSCRIBER_STATUS_LABELS else "",
        mode_id=id_param(mode),
        territory=territory if territories.get(territory) else "",
    )


@bp.get("/subscribers/")
def subscribers():
    """Searchable, filterable, paginated list of subscribers."""
    filters = _filters_from_args()
    page = queries.list_subscribers(
        filters, page_number(request.args.get("page")), current_app.config["ADMIN_PAGE_SIZE"]
    )
    return render_template(
        "admin/subscribers/list.html",
        page=page,
        filters=filters,
        modes=list_modes(),
        status_labels=SUBSCRIBER_STATUS_LABELS,
        territory_choices=territory_choices(with_regions=True),
    )


def _form(subscriber: Subscriber | None = None) -> SubscriberForm:
    form = SubscriberForm(obj=subscriber)
    form.territory_code.choices = [("", _("Not specified"))] + territory_choices()
    form.mode_ids.choices = [(m.id, m.name) for m in list_modes()]
    if subscriber is not None and request.method == "GET":
        form.mode_ids.data = [m.id for m in subscriber.modes]
        form.territory_code.data = subscriber.territory_code or ""
    return form


@bp.route("/subscribers/new", methods=["GET", "POST"])
def subscriber_new():
    """Add a subscriber by hand."""
    form = _form()
    if request.method == "GET":
        form.status.data = "active"
    if form.validate_on_submit():
        try:
            subscriber = create_subscriber(form_data(form, SubscriberData), current_user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Subscriber %(email)s added.", email=subscriber.email), "success")
            return redirect(url_for("admin.subscriber_detail", subscriber_id=subscriber.id))
    return render_template("admin/subscribers/form.html", form=form, subscriber=None)


@bp.get("/subscribers/<int:subscriber_id>")
def subscriber_detail(subscriber_id: int):
    """A subscriber's profile, consent and history of changes."""
    subscriber = db.get_or_404(Subscriber, subscriber_id)
    return render_template(
        "admin/subscribers/detail.html",
        subscriber=subscriber,
        status_labels=SUBSCRIBER_STATUS_LABELS,
        kind_labels=EVENT_KIND_LABELS,
        source_labels=EVENT_SOURCE_LABELS,
        delete_form=ConfirmForm(),
        can_reconfirm=subscriber.status in LEFT_STATUSES,
        bounces=subscriber_bounces(subscriber.id),
        letters=letters_of(subscriber.id),
        delivery_labels=DELIVERY_STATUS_LABELS,
    )


@bp.route("/subscribers/<int:subscriber_id>/edit", methods=["GET", "POST"])
def subscriber_edit(subscriber_id: int):
    """Edit a subscriber."""
    subscriber = db.get_or_404(Subscriber, subscriber_id)
    form = _form(subscriber)
    if form.validate_on_submit():
        try:
            update_subscriber(subscriber, form_data(form, SubscriberData), current_user)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.subscriber_detail", subscriber_id=subscriber.id))
    return render_template("admin/subscribers/form.html", form=form, subscriber=subscriber)


@bp.post("/subscribers/<int:subscriber_id>/reconfirm")
def subscriber_reconfirm(subscriber_id: int):
    """Send a person who left an invitation to confirm their subscription again."""
    subscriber = db.get_or_404(Subscriber, subscriber_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        queued = invite_to_reconfirm(subscriber, current_user, current_app.config)
    except ValidationError as exc:
        flash(exc.errors["status"][0], "error")
    else:
        if queued:
            flash(
                _(
                    "A re-confirmation invitation will be sent to %(email)s; they become a "
                    "recipient again only if they confirm.",
                    email=subscriber.email,
                ),
                "success",
            )
        else:
            flash(_("This address already received its mails for today; try tomorrow."), "error")
    return redirect(url_for("admin.subscriber_detail", subscriber_id=subscriber.id))


@bp.post("/subscribers/<int:subscriber_id>/delete")
def subscriber_delete(subscriber_id: int):
    """Delete a subscriber after confirmation."""
    subscriber = db.get_or_404(Subscriber, subscriber_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    email = subscriber.email
    delete_subscriber(subscriber)
    audit.record("subscriber.deleted", target_type="subscriber", target_id=subscriber_id)
    flash(_("Subscriber %(email)s deleted.", email=email), "success")
    return redirect(url_for("admin.subscribers"))
