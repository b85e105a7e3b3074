"""The Atom feed of a public list archive (names only, as the pages)."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

from cac_news.archive.feed import ATOM, atom_element, atom_time
from cac_news.lists import archive
from cac_news.models import DiscussionList
from cac_news.urls import external_url


def build_feed(mailing_list: DiscussionList) -> bytes:
    """The newest posts, their text as the entries' content."""
    ET.register_namespace("", ATOM)
    posts = archive.latest(mailing_list)
    feed = ET.Element(f"{{{ATOM}}}feed")
    self_url = external_url("lists.feed", slug=mailing_list.slug)
    atom_element(feed, "id", self_url)
    atom_element(feed, "title", mailing_list.name)
    updated = posts[0].received_at if posts else mailing_list.created_at or datetime(2026, 1, 1)
    atom_element(feed, "updated", atom_time(updated))
    atom_element(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    home = external_url("lists.archive", slug=mailing_list.slug)
    atom_element(feed, "link", rel="alternate", type="text/html", href=home)
    for post in posts:
        url = external_url("lists.post", slug=mailing_list.slug, post_id=post.id)
        entry = atom_element(feed, "entry")
        atom_element(entry, "id", url)
        atom_element(entry, "title", post.subject)
        atom_element(entry, "updated", atom_time(post.received_at))
        author = atom_element(entry, "author")
        atom_element(author, "name", post.author_name or mailing_list.name)
        atom_element(entry, "link", rel="alternate", type="text/html", href=url)
        atom_element(entry, "content", post.body_text, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
