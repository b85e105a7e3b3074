"""Cursor pagination over 10,000 subscribers: every id exactly once, by `next` links."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from sqlalchemy import insert, select

from cac_news.api.cursor import decode_cursor, encode_cursor
from cac_news.extensions import db
from cac_news.models import Subscriber
from cac_news.timeutil import utcnow
from tests.api_helpers import assert_problem, bearer, new_token

COUNT = 10_000


def bulk_insert_subscribers(count: int) -> None:
    """Insert subscribers in one executemany (the ORM one by one would take minutes)."""
    now = utcnow()
    rows = [
        {
            "email": f"abonne{n:05d}@exemple.org",
            "first_name": "Camille",
            "last_name": f"N{n}",
            "organisation": "",
            "territory_code": "69" if n % 2 else "75",
            "language": "fr",
            "status": "active" if n % 3 else "pending",
            "search_text": f"camille n{n} abonne{n:05d}@exemple.org",
            "mode_mask": 0,
            "created_at": now,
            "updated_at": now,
            "status_changed_at": now,
        }
        for n in range(count)
    ]
    db.session.execute(insert(Subscriber.__table__), rows)
    db.session.commit()


def walk(client, url: str, headers) -> tuple[list[int], int]:
    """Follow `next` from url to the last page; return every id seen and the page count."""
    seen: list[int] = []
    pages = 0
    while url:
        split = urlsplit(url)
        response = client.get(f"{split.path}?{split.query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert len(body["data"]) <= 200
        seen += [item["id"] for item in body["data"]]
        pages += 1
        url = body["next"]
    return seen, pages


def test_cursor_pagination_over_ten_thousand(client, app):
    bulk_insert_subscribers(COUNT)
    ids = set(db.session.scalars(select(Subscriber.id)))
    assert len(ids) == COUNT
    headers = bearer(new_token("read"))
    app.config["API_RATE_LIMIT"] = "1000 per minute"
    started = time.perf_counter()
    seen, pages = walk(client, "/api/v1/subscribers?limit=200", headers)
    elapsed = time.perf_counter() - started
    assert len(seen) == COUNT and set(seen) == ids  # every id exactly once
    assert seen == sorted(seen)
    assert pages == COUNT // 200
    print(f"\n{COUNT} subscribers in {pages} pages of 200: {elapsed:.2f} s")
    # With a filter, the next links keep it: only Lyon's active subscribers, each once.
    lyon = set(
        db.session.scalars(
            select(Subscriber.id).where(
                Subscriber.territory_code == "69", Subscriber.status == "active"
            )
        )
    )
    seen, _pages = walk(client, "/api/v1/subscribers?territory=69&status=active&limit=150", headers)
    assert len(seen) == len(lyon) and set(seen) == lyon


def test_rows_added_between_pages_are_neither_skipped_nor_repeated(client, make_subscriber):
    headers = bearer(new_token("read"))
    first = [make_subscriber().id for _ in range(5)]
    page = client.get("/api/v1/subscribers?limit=3", headers=headers).get_json()
    assert [item["id"] for item in page["data"]] == first[:3]
    added = make_subscriber().id
    split = urlsplit(page["next"])
    rest = client.get(f"{split.path}?{split.query}", headers=headers).get_json()
    assert [item["id"] for item in rest["data"]] == [*first[3:], added]
    assert rest["next"] is None


def test_bad_cursor_and_limit_are_400_naming_the_parameter(client):
    headers = bearer(new_token("read"))
    assert decode_cursor(encode_cursor(1234)) == 1234
    for cursor in ("garbage!", "djI6MTA", encode_cursor(5)[:-2] + "$$"):
        response = client.get(f"/api/v1/subscribers?cursor={cursor}", headers=headers)
        assert_problem(response, 400, "cursor")
    for limit in ("0", "201", "ten", "-5"):
        response = client.get(f"/api/v1/subscribers?limit={limit}", headers=headers)
        assert_problem(response, 400, "limit")
