"""API tokens in the admin (admins only): create (shown once), list, revoke."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cac_news.api.tokens import create_token, list_tokens, revoke_token
from cac_news.auth import admin_required
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.admin import ConfirmForm
from cac_news.forms.tokens import TokenForm
from cac_news.models import ApiToken
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import apply_errors


def _page(form: TokenForm, new_secret: str | None = None, new_token: ApiToken | None = None):
    return render_template(
        "admin/tokens/list.html",
        form=form,
        tokens=list_tokens(),
        revoke_form=ConfirmForm(),
        new_secret=new_secret,
        new_token=new_token,
    )


@bp.get("/tokens/")
@admin_required
def tokens():
    """Every token with its scopes, expiry and last use, and the form for a new one."""
    return _page(TokenForm())


@bp.post("/tokens/")
@admin_required
def token_create():
    """Create a token and show it on this answer only (never in a flash: the session
    cookie is signed, not encrypted)."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            created = create_token(
                form.name.data or "", form.scopes.data or [], form.expires.data, current_user
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _page(TokenForm(formdata=None), created.secret, created.token)
    return _page(form), 400


@bp.post("/tokens/<int:token_id>/revoke")
@admin_required
def token_revoke(token_id: int):
    """Revoke a token: calls with it get 401 from now on."""
    token = db.session.get(ApiToken, token_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    revoke_token(token)
    flash(_("Token %(name)s revoked.", name=token.name), "success")
    return redirect(url_for("admin.tokens"))
