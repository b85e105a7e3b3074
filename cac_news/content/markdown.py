"""Markdown -> safe HTML: markdown-it-py (CommonMark, tables, autolinks), then nh3.

Raw HTML in the source is not interpreted (``html=False``) and the output is cleaned again
with an explicit allow-list, so no script, event handler, ``javascript:`` or ``data:`` URL
reaches an admin preview, an email or a public page, whatever markdown-it lets through.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import unescape

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """The shared parser: CommonMark without raw HTML, plus tables and autolinks."""
    parser = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    return parser.enable(["table", "linkify"])


def sanitize_html(html: str) -> str:
    """Clean HTML against the allow-list: tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(source: str | None) -> Markup:
    """Markdown source -> sanitised HTML, marked safe for Jinja."""
    if not source or not source.strip():
        return Markup("")
    return Markup(sanitize_html(_parser().render(source)))  # noqa: S704 (nh3-cleaned)


_BLOCK_TAG = re.compile(
    r"</?(?:p|h[1-6]|li|ul|ol|tr|td|th|table|thead|tbody|br|hr|pre|blockquote)\b[^>]*>"
)
_TAG = re.compile(r"<[^>]*>")


def markdown_text(source: str | None) -> str:
    """The visible text of Markdown (what search indexes and excerpts quote), one line."""
    html = render_markdown(source)
    # The sanitised HTML holds no comment nor script: cutting its tags leaves its text.
    return " ".join(unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", str(html)))).split())
