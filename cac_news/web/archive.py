"""Public archive: issue pages (frozen copies), the list by year, search and Atom feed."""

from __future__ import annotations

from itertools import groupby

from flask import abort, render_template, request

from cac_news.archive import search as archive_search
from cac_news.archive.feed import build_feed
from cac_news.archive.queries import archive_page, copy_page, last_change
from cac_news.pagination import Page, PageOutOfRange, page_bounds
from cac_news.search import engine as site_search
from cac_news.web.caching import cacheable
from cac_news.web.public import bp

SEARCH_PER_PAGE = 10


MAX_PAGE = 1_000_000  # past this, a page number cannot exist (and would overflow SQL)


def page_arg() -> int:
    """The `page` query argument: not a number means page 1; below 1 or absurd is a 404."""
    number = request.args.get("page", 1, type=int)
    if number < 1 or number > MAX_PAGE:
        abort(404)
    return number


@bp.get("/archives/<int:number>/")
def newsletter_copy(number: int):
    """The frozen web copy of an issue, as stored; 404 if unknown, 410 once withdrawn."""
    copy = copy_page(number)
    if copy is None:
        abort(404)
    if copy.withdrawn:
        abort(410)
    # The stored document is the same for everyone: no Vary on the session.
    response = cacheable(
        copy.html, etag=copy.digest, last_modified=copy.published_at, vary_on_session=False
    )
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return response


@bp.get("/archives/")
def archive():
    """Sent issues, newest first, grouped by year, paginated."""
    try:
        page = archive_page(page_arg())
    except PageOutOfRange:
        abort(404)
    years = [
        (year, list(items)) for year, items in groupby(page.items, lambda c: c.published_at.year)
    ]
    html = render_template("public/archive/list.html", page=page, years=years)
    return cacheable(html, last_modified=last_change())


@bp.get("/archives/recherche/")
def archive_search_page():
    """Search letters, action reports and resources: a few hits of each kind, or one
    kind's hits page by page (`kind=`); excerpts with the matching words highlighted."""
    query = (request.args.get("q") or "").strip()[: archive_search.MAX_QUERY_CHARS]
    kind = (request.args.get("kind") or "").strip()
    labels = dict(site_search.kinds())
    if kind and kind not in labels:
        abort(404)
    number = page_arg()
    groups, page = [], None
    if kind:
        group = site_search.Group(kind, labels[kind], [], 0)
        if query:
            offset = (number - 1) * SEARCH_PER_PAGE
            group = site_search.search_kind(query, kind, SEARCH_PER_PAGE, offset)
        try:
            page_bounds(number, group.total, SEARCH_PER_PAGE)
        except PageOutOfRange:
            abort(404)
        page = Page(group.hits, group.total, number, SEARCH_PER_PAGE)
        groups = [group]
    else:
        if number != 1:
            abort(404)  # the overview has one page; each kind pages on its own
        groups = site_search.search_all(query) if query else []
    html = render_template(
        "public/archive/search.html",
        query=query,
        kind=kind,
        groups=groups,
        page=page,
        kinds=site_search.kinds(),
        per_group=site_search.GROUP_SIZE,
    )
    return cacheable(html, last_modified=None)


@bp.get("/archives/feed.atom")
def archive_feed():
    """The Atom feed of the archive (withdrawn issues left out)."""
    response = cacheable(build_feed(), last_modified=last_change(), vary_on_session=False)
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return response
