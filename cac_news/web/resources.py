"""Public library: the list with filters, a page per resource, its file, the Atom feed."""

from __future__ import annotations

from flask import abort, render_template, request, send_file

from cac_news.content.labels import OBJECTIVE_LABELS
from cac_news.pagination import PageOutOfRange
from cac_news.resources import files, public
from cac_news.resources.feed import build_resources_feed
from cac_news.web.archive import page_arg
from cac_news.web.caching import cacheable
from cac_news.web.public import bp


@bp.get("/ressources/")
def resources():
    """Published resources, newest first, filterable by kind, tag and objective."""
    try:
        filters = public.ResourceFilters.parse(request.args)
        page = public.published_resources(filters, page_arg())
    except (public.UnknownFilter, PageOutOfRange):
        abort(404)
    html = render_template(
        "public/resources/list.html",
        filters=filters,
        page=page,
        kinds=public.used_kinds(),
        tags=public.public_tags(),
        objective_labels=OBJECTIVE_LABELS,
    )
    return cacheable(html, last_modified=public.last_resource_change())


@bp.get("/ressources/<slug>")
def resource(slug: str):
    """One published resource (drafts are 404)."""
    item = public.published_resource(slug) or abort(404)
    html = render_template(
        "public/resources/detail.html", resource=item, objective_labels=OBJECTIVE_LABELS
    )
    return cacheable(html, last_modified=item.updated_at)


@bp.get("/ressources/<slug>/fichier")
def resource_file(slug: str):
    """The attached file of a published resource, always as a download."""
    item = public.published_resource(slug) or abort(404)
    return file_response(item)


def file_response(item):
    """The stored file as an attachment with its checked type (admin downloads use it too)."""
    path = files.stored_path(item.file_stored or "") or abort(404)
    response = send_file(
        path,
        mimetype=item.file_mime,
        as_attachment=True,
        download_name=item.file_name,
        conditional=True,
        etag=True,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/ressources.atom")
def resources_feed():
    """The Atom feed of the library (drafts left out)."""
    response = cacheable(
        build_resources_feed(), last_modified=public.last_resource_change(), vary_on_session=False
    )
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return response
