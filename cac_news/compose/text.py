"""Sanitised HTML -> readable plain text, with links listed as numbered footnotes."""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCK_TAGS = {"p", "div", "blockquote", "pre", "table", "tr", "ul", "ol", "hr", "h4", "h5", "h6"}
UNDERLINED = {"h1": "=", "h2": "-", "h3": "-"}


class Footnotes:
    """Links met while converting, numbered once each, shared across several fragments."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def number(self, url: str) -> int:
        """The footnote number of a URL, adding it on first sight."""
        if url not in self.urls:
            self.urls.append(url)
        return self.urls.index(url) + 1


class _TextWriter(HTMLParser):
    def __init__(self, footnotes: Footnotes) -> None:
        super().__init__(convert_charrefs=True)
        self.footnotes = footnotes
        self.out: list[str] = []
        self.href_stack: list[tuple[str | None, int]] = []
        self.list_stack: list[list[int | None]] = []
        self.heading: tuple[str, int] | None = None
        self.in_pre = 0

    def _newlines(self, count: int = 2) -> None:
        self.out.append("\n" * count)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in BLOCK_TAGS or tag in UNDERLINED:
            self._newlines()
        if tag in UNDERLINED:
            self.heading = (tag, len(self.out))
        elif tag == "pre":
            self.in_pre += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag in ("ul", "ol"):
            self.list_stack.append([1 if tag == "ol" else None])
        elif tag == "li":
            counter = self.list_stack[-1] if self.list_stack else [None]
            indent = "  " * max(0, len(self.list_stack) - 1)
            if counter[0] is None:
                self.out.append(f"\n{indent}- ")
            else:
                self.out.append(f"\n{indent}{counter[0]}. ")
                counter[0] += 1
        elif tag == "a":
            self.href_stack.append((attributes.get("href"), len(self.out)))
        elif tag == "img" and attributes.get("alt"):
            self.out.append(f"[{attributes['alt']}]")
        elif tag == "td" or tag == "th":
            self.out.append(" | ")

    def handle_endtag(self, tag):
        if tag in UNDERLINED and self.heading:
            start = self.heading[1]
            title = " ".join("".join(self.out[start:]).split())
            del self.out[start:]
            self.out.append(f"{title}\n{UNDERLINED[tag] * len(title)}")
            self.heading = None
            self._newlines()
        elif tag == "pre":
            self.in_pre -= 1
            self._newlines()
        elif tag in ("ul", "ol"):
            if self.list_stack:
                self.list_stack.pop()
            self._newlines()
        elif tag == "a" and self.href_stack:
            href, start = self.href_stack.pop()
            label = " ".join("".join(self.out[start:]).split())
            if href and href.startswith("mailto:"):
                if label != href[7:]:
                    self.out.append(f" <{href[7:]}>")
            elif href and label != href and not href.startswith("#"):
                self.out.append(f" [{self.footnotes.number(href)}]")
        elif tag in BLOCK_TAGS:
            self._newlines()

    def handle_data(self, data):
        if self.in_pre:
            self.out.append(data)
        else:
            self.out.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        raw = "".join(self.out)
        lines = [line.rstrip() if self.in_pre else line.strip() for line in raw.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str, footnotes: Footnotes) -> str:
    """Convert a sanitised HTML fragment; its links go into the shared footnotes."""
    writer = _TextWriter(footnotes)
    writer.feed(str(html))
    writer.close()
    return writer.text()
