"""A list's archive: accepted posts threaded by References/In-Reply-To, searched with the
letters' folding and stemming, names only (addresses are scrubbed when a post is stored)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from cac_news.archive.search import highlight, query_terms, stem
from cac_news.extensions import db
from cac_news.lists import incoming
from cac_news.models import DiscussionList, ListPost

SEARCH_LIMIT = 50


@dataclass
class ThreadSummary:
    """One thread of the index: its first post, how many posts, the last one's time."""

    root: ListPost
    count: int
    last_at: datetime


@dataclass
class Node:
    """A post in a thread page, with its replies under it."""

    post: ListPost
    depth: int
    children: list[Node] = field(default_factory=list)


def _visible(mailing_list: DiscussionList):
    return select(ListPost).where(
        ListPost.list_id == mailing_list.id, ListPost.status == "accepted"
    )


def threads(mailing_list: DiscussionList) -> list[ThreadSummary]:
    """Every thread, the most recently active first."""
    posts = db.session.scalars(_visible(mailing_list).order_by(ListPost.received_at, ListPost.id))
    grouped: dict[str, list[ListPost]] = {}
    for post in posts:
        grouped.setdefault(post.thread_key, []).append(post)
    summaries = [ThreadSummary(p[0], len(p), p[-1].received_at) for p in grouped.values()]
    return sorted(summaries, key=lambda s: s.last_at, reverse=True)


def thread(mailing_list: DiscussionList, post_id: int) -> list[Node] | None:
    """The thread holding this post, as a flat list of nodes in reading order (depth set)."""
    post = db.session.scalar(_visible(mailing_list).where(ListPost.id == post_id))
    if post is None:
        return None
    posts = list(
        db.session.scalars(
            _visible(mailing_list)
            .where(ListPost.thread_key == post.thread_key)
            .order_by(ListPost.received_at, ListPost.id)
        )
    )
    by_id = {p.message_id: Node(p, 0) for p in posts}
    roots: list[Node] = []
    for node in by_id.values():
        parents = incoming.message_ids(node.post.references) + [node.post.in_reply_to]
        parent = next((by_id[m] for m in reversed(parents) if m in by_id), None)
        if parent is None or parent is node:
            roots.append(node)
        else:
            parent.children.append(node)
    flat: list[Node] = []

    def walk(node: Node, depth: int) -> None:
        node.depth = depth
        flat.append(node)
        for child in node.children:
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return flat


def latest(mailing_list: DiscussionList, limit: int = 20) -> list[ListPost]:
    """The newest posts (the Atom feed)."""
    statement = _visible(mailing_list).order_by(ListPost.received_at.desc(), ListPost.id.desc())
    return list(db.session.scalars(statement.limit(limit)))


def search(mailing_list: DiscussionList, query: str) -> list[tuple[ListPost, object]]:
    """Posts whose subject and body hold every word (folded, stemmed), with an excerpt."""
    stems = [stem(word) for word in query_terms(query)]
    if not stems:
        return []
    statement = _visible(mailing_list)
    for word in stems:
        statement = statement.where(ListPost.search_text.contains(word, autoescape=True))
    posts = db.session.scalars(statement.order_by(ListPost.received_at.desc()).limit(SEARCH_LIMIT))
    return [(post, highlight(f"{post.subject} — {post.body_text}", set(stems))) for post in posts]


def count(mailing_list: DiscussionList) -> int:
    """How many posts the archive shows."""
    statement = select(func.count(ListPost.id)).where(
        ListPost.list_id == mailing_list.id, ListPost.status == "accepted"
    )
    return int(db.session.scalar(statement) or 0)
