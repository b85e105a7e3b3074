"""The Atom 1.0 feed of the library, built like the archive's (same helpers, same escaping)."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

from flask import current_app

from cac_news.archive.feed import ATOM, FEED_ENTRIES, atom_element, atom_time
from cac_news.content.markdown import render_markdown
from cac_news.resources.public import last_resource_change, latest_resources
from cac_news.urls import external_url


def build_resources_feed(limit: int = FEED_ENTRIES) -> bytes:
    """The feed document: the latest published resources, summary and body as HTML."""
    ET.register_namespace("", ATOM)
    config = current_app.config
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": config["BABEL_DEFAULT_LOCALE"]})
    self_url = external_url("public.resources_feed")
    atom_element(feed, "id", self_url)
    atom_element(feed, "title", f"{config['SITE_NAME']} — ressources")
    atom_element(feed, "subtitle", config["ORGANISATION_NAME"])
    atom_element(feed, "updated", atom_time(last_resource_change() or datetime(2026, 1, 1)))
    author = atom_element(feed, "author")
    atom_element(author, "name", config["ORGANISATION_NAME"])
    atom_element(author, "uri", external_url("public.home"))
    atom_element(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    atom_element(
        feed, "link", rel="alternate", type="text/html", href=external_url("public.resources")
    )
    for resource in latest_resources(limit):
        url = external_url("public.resource", slug=resource.slug)
        entry = atom_element(feed, "entry")
        # The id is the resource's number, not its address: a renamed slug keeps its entry.
        atom_element(entry, "id", f"{self_url}#resource-{resource.id}")
        atom_element(entry, "title", resource.title)
        atom_element(entry, "published", atom_time(resource.published_at))
        atom_element(entry, "updated", atom_time(resource.updated_at))
        atom_element(entry, "link", rel="alternate", type="text/html", href=url)
        if resource.authors:
            atom_element(atom_element(entry, "author"), "name", resource.authors)
        atom_element(entry, "category", term=resource.kind.slug, label=resource.kind.name)
        if resource.summary:
            atom_element(entry, "summary", resource.summary)
        atom_element(entry, "content", str(render_markdown(resource.body_md)), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
