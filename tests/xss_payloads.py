"""XSS payloads and a check that rendered HTML carries nothing executable."""

from html.parser import HTMLParser

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](<javascript:alert(1)>)",
    "![img](javascript:alert(1))",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<details open ontoggle=alert(1)>",
    '[x](https://ok.example "title" onclick="alert(1)")',
    "<<script>script>alert(1)<</script>/script>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]


class AttributeCollector(HTMLParser):
    """Every (tag, attribute, value) of a fragment."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]


def assert_harmless(html: str) -> None:
    """No script-capable tag, no event handler, only http(s)/mailto/relative URLs."""
    collector = AttributeCollector()
    collector.feed(html)
    forbidden_tags = {"script", "iframe", "svg", "math", "form", "style", "details", "object"}
    assert not forbidden_tags & set(collector.tags), html
    for tag, name, value in collector.attributes:
        assert not name.startswith("on"), html
        assert name != "style" or "javascript" not in value.lower(), html
        if name in {"href", "src", "action", "formaction"}:
            scheme = value.split(":", 1)[0].lower() if ":" in value else ""
            assert scheme in {"", "http", "https", "mailto"}, (tag, name, value)
            assert not value.lower().lstrip().startswith(("javascript", "data", "vbscript"))
    # Escaped payloads may show as text; an unescaped tag may not.
    assert "<script" not in html.lower()
