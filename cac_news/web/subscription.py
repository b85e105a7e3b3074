"""Subscribers' pages: subscribe, confirm, preferences, unsubscribe, my data, my link."""

from __future__ import annotations

import json
import smtplib
import socket
from functools import wraps

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import gettext as _

from cac_news import territories
from cac_news.audience import rights, subscription, tokens
from cac_news.audience.modes import list_public_modes
from cac_news.errors import ValidationError
from cac_news.extensions import csrf, limiter
from cac_news.forms.admin import ConfirmForm
from cac_news.forms.public import EraseForm, MyLinkForm, PreferencesForm, SubscribeForm
from cac_news.i18n import current_locale
from cac_news.insight.departures import letter_detail
from cac_news.web.admin.helpers import apply_errors

bp = Blueprint("subscription", __name__)
MAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, socket.gaierror)


def mail_unavailable(error):
    """The SMTP server is unreachable: say so (for every address alike) instead of a 500."""
    current_app.logger.warning("mail server unavailable on %s: %r", request.path, error)
    message = _("We cannot send email right now. Please try again in a few minutes.")
    return render_template("error.html", code=503, message=message), 503


for _mail_error in MAIL_ERRORS:
    bp.register_error_handler(_mail_error, mail_unavailable)


def _fill_choices(form) -> None:
    form.territory_code.choices = [
        ("", _("Not specified")),
        (territories.NATIONAL, _("National")),
    ] + [(d.code, f"{d.code} – {d.name}") for d in territories.departements()]
    form.mode_ids.choices = [(m.id, m.name) for m in list_public_modes()]


def make_subscribe_form() -> SubscribeForm:
    """The subscription form with its choices (also embedded on the home page)."""
    form = SubscribeForm()
    _fill_choices(form)
    form.consent.label.text = str(subscription.CONSENT_TEXT)
    if request.method == "GET":
        form.language.data = current_locale()
    return form


def _profile(form) -> subscription.Profile:
    return subscription.Profile(
        first_name=form.first_name.data or "",
        last_name=form.last_name.data or "",
        organisation=form.organisation.data or "",
        territory_code=form.territory_code.data or None,
        language=form.language.data or "fr",
        mode_ids=form.mode_ids.data or [],
    )


def with_token(purpose: str):
    """Load the subscriber a signed link names, or answer with the link-error page."""

    def decorate(view):
        @wraps(view)
        def guarded(token: str):
            try:
                subscriber, _extra = tokens.load_token(token, purpose)
            except tokens.TokenError as exc:
                return _link_error(exc)
            return view(token, subscriber)

        return guarded

    return decorate


def _link_error(error: tokens.TokenError):
    return render_template("public/link_error.html", reason=error.reason), 400


@bp.route("/subscribe", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["SUBSCRIBE_RATE_LIMIT"], methods=["POST"], scope="subscribe"
)
def subscribe():
    """The public subscription form; the answer never tells whether the address is known."""
    form = make_subscribe_form()
    if form.validate_on_submit():
        if form.website.data:
            return render_template("public/subscribe_done.html")  # a bot: do nothing
        try:
            subscription.request_subscription(
                form.email.data, _profile(form), consent=bool(form.consent.data)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render_template("public/subscribe_done.html")
    return render_template("public/subscribe.html", form=form)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@with_token(tokens.CONFIRM)
def confirm(token: str, subscriber):
    """GET shows a button (link scanners only GET); POST confirms the subscription."""
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            subscriber = subscription.confirm_subscription(token, ip=request.remote_addr)
        except tokens.TokenError as exc:
            return _link_error(exc)
        preferences_token = tokens.make_token(subscriber, tokens.PREFERENCES)
        return render_template(
            "public/confirmed.html", subscriber=subscriber, token=preferences_token
        )
    return render_template("public/confirm.html", form=form, subscriber=subscriber)


@bp.route("/unsubscribe/test-send", methods=["GET", "POST"])
@csrf.exempt  # a mail client's one-click POST on a test send: it changes nothing
def test_send_link():
    """Where every link of a test send's footer and List-Unsubscribe header leads."""
    return render_template("public/test_send_link.html")


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click POSTs carry no cookie and no CSRF token
@with_token(tokens.UNSUBSCRIBE)
def unsubscribe(token: str, subscriber):
    """GET asks for confirmation and changes nothing; POST (also one-click) unsubscribes."""
    if request.method == "POST":
        one_click = request.form.get("List-Unsubscribe") == "One-Click"
        how = "one-click" if one_click else "link"
        rights.unsubscribe(subscriber, detail=letter_detail(how, request.args.get("n")))
        return render_template("public/unsubscribed.html", subscriber=subscriber), 200
    return render_template("public/unsubscribe.html", subscriber=subscriber)


def _preferences_form(subscriber) -> PreferencesForm:
    form = PreferencesForm(obj=subscriber)
    _fill_choices(form)
    if request.method == "GET":
        form.mode_ids.data = [m.id for m in subscriber.modes]
        form.territory_code.data = subscriber.territory_code or ""
    return form


def _render_preferences(subscriber, form, erase_form=None, saved=False):
    return render_template(
        "public/preferences.html",
        form=form,
        subscriber=subscriber,
        saved=saved,
        token=request.view_args["token"],
        unsubscribe_token=tokens.make_token(subscriber, tokens.UNSUBSCRIBE),
        erase_form=erase_form or EraseForm(formdata=None),
        data_form=ConfirmForm(formdata=None),
        discussion_lists=list_choices(subscriber),
    )


def list_choices(subscriber) -> list[tuple]:
    """(list, membership or None, the member's own page URL) for the preferences page."""
    from cac_news.lists import members
    from cac_news.lists import tokens as list_tokens

    return [
        (
            item,
            member,
            url_for(
                "lists.leave", token=list_tokens.make(list_tokens.LEAVE, item.id, subscriber.id)
            ),
        )
        for item, member in members.offered(subscriber)
    ]


@bp.route("/preferences/<token>", methods=["GET", "POST"])
@with_token(tokens.PREFERENCES)
def preferences(token: str, subscriber):
    """A subscriber's preferences, with unsubscribe, download and erase."""
    form = _preferences_form(subscriber)
    saved = False
    if form.validate_on_submit():
        try:
            rights.update_preferences(subscriber, _profile(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            saved = True
    return _render_preferences(subscriber, form, saved=saved)


@bp.post("/preferences/<token>/data")
@with_token(tokens.PREFERENCES)
def download_data(token: str, subscriber):
    """Everything stored about the subscriber, as a JSON download."""
    if not ConfirmForm().validate_on_submit():
        return _link_error(tokens.TokenError("invalid"))
    body = json.dumps(rights.personal_data(subscriber), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-data.json"'},
    )


@bp.post("/preferences/<token>/erase")
@with_token(tokens.PREFERENCES)
def erase(token: str, subscriber):
    """Erase the subscriber's personal data after an explicit confirmation."""
    form = EraseForm()
    if not form.validate_on_submit():
        return _render_preferences(subscriber, _preferences_form(subscriber), erase_form=form)
    rights.erase(subscriber)
    return render_template("public/erased.html")


@bp.route("/my-link", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["MY_LINK_RATE_LIMIT"], methods=["POST"], scope="my-link")
def my_link():
    """Mail the preferences link; the answer is the same for unknown addresses."""
    form = MyLinkForm()
    if form.validate_on_submit():
        try:
            subscription.send_my_link(form.email.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render_template("public/my_link_sent.html")
    return render_template("public/my_link.html", form=form)
