"""Public pages of the discussion lists: archive (threads, a thread, search, Atom feed),
the members-only archive's magic link, joining by invitation and leaving in one click."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, session, url_for

from cac_news.errors import ValidationError
from cac_news.extensions import csrf, db
from cac_news.lists import access, attachments, manage, members, tokens
from cac_news.lists import archive as list_archive
from cac_news.lists.feed import build_feed
from cac_news.models import DiscussionList, ListPost

bp = Blueprint("lists", __name__, url_prefix="/listes")
SESSION_KEY = "list_archives"  # ids of the members-only archives this browser may read


def _archive_list(slug: str) -> DiscussionList:
    """The list whose archive this visitor may read; 404 (off, unknown) or the access page."""
    mailing_list = manage.find(slug)
    if mailing_list is None or mailing_list.slug != slug or mailing_list.archive == "off":
        abort(404)
    if mailing_list.archive == "members" and mailing_list.id not in session.get(SESSION_KEY, []):
        abort(redirect(url_for("lists.access_form", slug=slug)))
    return mailing_list


@bp.get("/<slug>/")
def archive(slug: str):
    """The threads of the list, the most recently active first."""
    mailing_list = _archive_list(slug)
    return render_template(
        "lists/index.html", mailing_list=mailing_list, threads=list_archive.threads(mailing_list)
    )


@bp.get("/<slug>/messages/<int:post_id>/")
def post(slug: str, post_id: int):
    """A post (Archived-At) shown in its thread."""
    mailing_list = _archive_list(slug)
    nodes = list_archive.thread(mailing_list, post_id)
    if nodes is None:
        abort(404)
    files = {node.post.id: attachments.attachments_of(node.post) for node in nodes}
    return render_template(
        "lists/thread.html", mailing_list=mailing_list, nodes=nodes, focus=post_id, files=files
    )


@bp.get("/<slug>/messages/<int:post_id>/pieces/<int:index>")
def attachment(slug: str, post_id: int, index: int):
    """An attachment the media rules let out, as a download; 404 for any other."""
    mailing_list = _archive_list(slug)
    post = db.session.get(ListPost, post_id)
    if post is None or post.list_id != mailing_list.id or post.status != "accepted":
        abort(404)
    found = attachments.served(post, index)
    if found is None:
        abort(404)
    data, mime, name = found
    return Response(
        data,
        mimetype=mime,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.get("/<slug>/recherche")
def search(slug: str):
    """Posts matching the words typed (accents and endings folded)."""
    mailing_list = _archive_list(slug)
    query = request.args.get("q", "").strip()
    hits = list_archive.search(mailing_list, query) if query else []
    return render_template("lists/search.html", mailing_list=mailing_list, query=query, hits=hits)


@bp.get("/<slug>/flux.atom")
def feed(slug: str):
    """The list's newest posts as Atom (public archives only: a feed reader has no session)."""
    mailing_list = manage.find(slug)
    if mailing_list is None or mailing_list.slug != slug or mailing_list.archive != "public":
        abort(404)
    return Response(build_feed(mailing_list), mimetype="application/atom+xml")


@bp.route("/<slug>/acces", methods=["GET", "POST"])
def access_form(slug: str):
    """A members-only archive: a member types their address and gets a link by mail."""
    mailing_list = manage.find(slug)
    if mailing_list is None or mailing_list.slug != slug or mailing_list.archive != "members":
        abort(404)
    sent = False
    if request.method == "POST":
        access.request_link(mailing_list, request.form.get("email", ""))
        sent = True  # the same answer whoever asks: membership is not disclosed
    return render_template("lists/access.html", mailing_list=mailing_list, sent=sent)


@bp.get("/<slug>/acces/<token>")
def access_open(slug: str, token: str):
    """The magic link: this browser may read the members-only archive."""
    found = tokens.read(tokens.ARCHIVE, token)
    mailing_list = manage.find(slug)
    if found is None or mailing_list is None or found[0] != mailing_list.id:
        return render_template("lists/link_error.html"), 400
    if not access.is_member(mailing_list, found[1]):
        return render_template("lists/link_error.html"), 400
    allowed = set(session.get(SESSION_KEY, []))
    session[SESSION_KEY] = sorted(allowed | {mailing_list.id})
    return redirect(url_for("lists.archive", slug=slug))


@bp.route("/quitter/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click POSTs carry no cookie and no CSRF token
def leave(token: str):
    """GET asks; POST (also the mail client's one-click) takes the member off the list, or,
    with a delivery_mode, switches them to digests (or back to every message)."""
    found = tokens.read(tokens.LEAVE, token)
    mailing_list = db.session.get(DiscussionList, found[0]) if found else None
    if mailing_list is None:
        return render_template("lists/link_error.html"), 400
    member = members.membership(mailing_list, found[1])
    if request.method == "POST":
        mode = request.form.get("delivery_mode")
        if mode and member is not None and member.status == "active":
            try:
                members.set_delivery_mode(member, mode)
            except ValidationError:
                abort(400)
            return render_template(
                "lists/leave.html", mailing_list=mailing_list, member=member, saved=True
            )
        members.leave(mailing_list, found[1])  # a plain POST: the RFC 8058 one-click
        return render_template("lists/left.html", mailing_list=mailing_list)
    return render_template("lists/leave.html", mailing_list=mailing_list, member=member)


@bp.route("/<slug>/rejoindre/<token>", methods=["GET", "POST"])
def join(slug: str, token: str):
    """An invitation's link: GET asks (link scanners only GET), POST joins."""
    mailing_list = manage.find(slug)
    if mailing_list is None or tokens.read(tokens.JOIN, token) is None:
        return render_template("lists/link_error.html"), 400
    if request.method == "POST":
        member = members.confirm_invitation(token)
        if member is None:
            return render_template("lists/link_error.html"), 400
        return render_template("lists/joined.html", mailing_list=mailing_list)
    return render_template("lists/join.html", mailing_list=mailing_list)


@bp.post("/<slug>/rejoindre-depuis/<token>")
def join_from_preferences(slug: str, token: str):
    """The Join button of a subscriber's preferences page (their preferences link)."""
    from cac_news.audience import tokens as audience_tokens

    mailing_list = manage.find(slug)
    try:
        subscriber, _extra = audience_tokens.load_token(token, audience_tokens.PREFERENCES)
    except audience_tokens.TokenError:
        subscriber = None
    if mailing_list is None or subscriber is None:
        return render_template("lists/link_error.html"), 400
    if members.join_from_preferences(mailing_list, subscriber) is None:
        abort(403)
    return render_template("lists/joined.html", mailing_list=mailing_list)
