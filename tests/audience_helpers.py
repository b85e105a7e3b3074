"""Helpers for audience tests: read links out of received mail."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

LINK = re.compile(r"https?://\S+")


def links_in(mail) -> list[str]:
    """Every URL in the text body of a received message."""
    body = mail.message.get_body(preferencelist=("plain",)).get_content()
    return LINK.findall(body)


def path_of(url: str) -> str:
    """The path of an absolute URL, for the test client."""
    return urlsplit(url).path
