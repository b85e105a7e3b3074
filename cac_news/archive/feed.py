"""The Atom 1.0 feed of the archive, built with xml.etree (escaping done by the library)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from flask import current_app

from cac_news.archive.queries import last_change, latest_copies
from cac_news.models import ArchivedCopy
from cac_news.urls import external_url

ATOM = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 20
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)


def atom_time(moment: datetime) -> str:
    """RFC 3339 date-time in UTC (the stored datetimes are naive UTC)."""
    return moment.replace(tzinfo=UTC, microsecond=0).isoformat()


def atom_element(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def body_of(html: str) -> str:
    """The inside of a web copy's <body>: the entry's content."""
    match = _BODY.search(html)
    return match.group(1).strip() if match else html


def entry_id(copy: ArchivedCopy) -> str:
    """A permanent id for the entry: the copy's URL never changes."""
    return external_url("public.newsletter_copy", number=copy.number)


def build_feed(limit: int = FEED_ENTRIES) -> bytes:
    """The feed document: the newest public copies, full content as escaped HTML."""
    ET.register_namespace("", ATOM)
    config = current_app.config
    copies = latest_copies(limit)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": config["BABEL_DEFAULT_LOCALE"]})
    atom_element(feed, "id", external_url("public.archive_feed"))
    atom_element(feed, "title", config["SITE_NAME"])
    atom_element(feed, "subtitle", config["ORGANISATION_NAME"])
    updated = last_change() or datetime(2026, 1, 1)
    atom_element(feed, "updated", atom_time(updated))
    author = atom_element(feed, "author")
    atom_element(author, "name", config["ORGANISATION_NAME"])
    atom_element(author, "uri", external_url("public.home"))
    atom_element(feed, "link", rel="self", type="application/atom+xml", href=entry_id_feed())
    atom_element(
        feed, "link", rel="alternate", type="text/html", href=external_url("public.archive")
    )
    for copy in copies:
        entry = atom_element(feed, "entry")
        atom_element(entry, "id", entry_id(copy))
        atom_element(entry, "title", copy.subject)
        atom_element(entry, "published", atom_time(copy.published_at))
        atom_element(entry, "updated", atom_time(copy.published_at))
        atom_element(entry, "link", rel="alternate", type="text/html", href=entry_id(copy))
        if copy.preheader:
            atom_element(entry, "summary", copy.preheader)
        atom_element(entry, "content", body_of(copy.html), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def entry_id_feed() -> str:
    """The feed's own URL."""
    return external_url("public.archive_feed")
