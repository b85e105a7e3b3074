"""The newsletter is rendered once (CSS inlined) and personalised by token substitution."""

from html.parser import HTMLParser

import pytest

from cac_news.compose import render
from cac_news.compose.collect import propose_sections
from cac_news.compose.newsletters import SectionData
from cac_news.compose.render import (
    GREETING_NAME,
    PREFERENCES_URL,
    TOKENS,
    UNSUBSCRIBE_URL,
    inline_css,
    personalise,
    render_newsletter,
)
from tests.xss_payloads import XSS_PAYLOADS, assert_harmless

VALUES = {
    GREETING_NAME: "Zoé <Dupont> & Cie",
    UNSUBSCRIBE_URL: "https://lettre.example.org/u/abc?x=1&y=2",
    PREFERENCES_URL: "https://lettre.example.org/p/abc",
}


class Links(HTMLParser):
    """Collect (href, text) of every link, and each tag's style attribute."""

    def __init__(self):
        super().__init__()
        self.links: list[list[str]] = []
        self.styles: dict[str, list[str]] = {}
        self.open_link: list[str] | None = None
        self.lang = None
        self.headings: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag in ("h1", "h2", "h3"):
            self.headings.append(tag)
        if "style" in attributes:
            self.styles.setdefault(tag, []).append(attributes["style"])
        if tag == "a":
            self.open_link = [attributes.get("href", ""), ""]
            self.links.append(self.open_link)

    def handle_endtag(self, tag):
        if tag == "a":
            self.open_link = None

    def handle_data(self, data):
        if self.open_link is not None:
            self.open_link[1] += data


@pytest.fixture
def newsletter(make_newsletter):
    return make_newsletter(
        subject="Rentrée du groupe",
        preheader="Les nouvelles de septembre",
        intro_md="Chers amis, lisez [notre note](https://cac.example.org/note).",
        closing_md="À bientôt.",
        sections=[
            SectionData(
                kind="text", title="Agenda", body_md="Réunion le **5**.", group_label="Divers"
            ),
        ],
    )


def parse(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def test_every_token_survives_premailer_inside_href(newsletter):
    rendered = render_newsletter(newsletter)
    for token in TOKENS:
        assert token in rendered.html
        assert token in rendered.text
    hrefs = [href for href, _text in parse(rendered.html).links]
    assert UNSUBSCRIBE_URL in hrefs
    assert PREFERENCES_URL in hrefs


def test_tokens_survive_premailer_with_base_url_and_styles():
    html = (
        "<html><head><style>a { color: #0b6e5f; }</style></head><body>"
        f'<p>Bonjour {GREETING_NAME},</p><a href="{UNSUBSCRIBE_URL}">u</a>'
        f'<a href="{PREFERENCES_URL}">p</a></body></html>'
    )
    inlined = inline_css(html)
    assert f'href="{UNSUBSCRIBE_URL}"' in inlined
    assert f'href="{PREFERENCES_URL}"' in inlined
    assert f"Bonjour {GREETING_NAME}," in inlined
    assert 'style="color:#0b6e5f"' in inlined


def test_rendered_email_has_inlined_styles_links_and_footer(app, newsletter):
    rendered = render_newsletter(newsletter)
    html, text = personalise(rendered, VALUES)
    parsed = parse(html)

    assert parsed.lang == "fr"
    assert parsed.headings[:2] == ["h1", "h2"]
    assert any("font-family" in style for style in parsed.styles["td"])
    assert any("color:#0b6e5f" in style for style in parsed.styles["a"])
    head = html.split("<body", 1)[0]
    assert "@media" in head and ".content {" not in head  # only what cannot be inlined stays
    links = {text_.strip(): href for href, text_ in parsed.links}
    assert "https://lettre.example.org/u/abc?x=1&y=2" in links.values()
    assert "https://lettre.example.org/p/abc" in links.values()
    assert "http://localhost/archives/1/" in links.values()
    assert links["notre note"] == "https://cac.example.org/note"
    assert app.config["ORGANISATION_ADDRESS"] in html
    assert "Zoé &lt;Dupont&gt; &amp; Cie" in html
    assert "Les nouvelles de septembre" in html  # visible preheader
    assert "display:none" not in html.replace(" ", "")
    assert not any(token in html or token in text for token in TOKENS)

    assert "Rentrée du groupe" in text
    assert "Bonjour" in text or "Hello" in text
    assert "Zoé <Dupont> & Cie" in text
    assert "notre note [1]" in text
    assert "[1] https://cac.example.org/note" in text
    assert "https://lettre.example.org/u/abc?x=1&y=2" in text
    assert app.config["ORGANISATION_ADDRESS"] in text
    assert "Réunion le 5." in text


def test_empty_greeting_name_leaves_no_stray_space(newsletter):
    html, text = personalise(render_newsletter(newsletter), {**VALUES, GREETING_NAME: ""})
    assert ("Bonjour," in text) or ("Hello," in text)
    assert " ," not in text


def test_personalise_requires_the_links(newsletter):
    with pytest.raises(ValueError):
        personalise(render_newsletter(newsletter), {GREETING_NAME: "Zoé"})


def test_web_copy_has_no_tokens_nor_personal_links(newsletter):
    rendered = render_newsletter(newsletter)
    assert not any(token in rendered.web_html for token in TOKENS)
    assert "Rentrée du groupe" in rendered.web_html
    assert "Réunion le <strong>5</strong>." in rendered.web_html


def test_xss_payloads_in_every_markdown_field_are_neutralised(
    make_newsletter, make_roadmap_update, make_action_report
):
    payload = "\n\n".join(XSS_PAYLOADS)
    make_roadmap_update(body_md=payload, new_status="in_progress")
    make_action_report(body_md=payload)
    sections = [
        SectionData(
            kind=s.kind,
            source_id=s.source_id,
            title=s.title,
            body_md=s.body_md,
            group_label=s.group_label,
        )
        for s in propose_sections()
    ]
    sections.append(SectionData(kind="text", title="<script>alert(1)</script>", body_md=payload))
    newsletter = make_newsletter(intro_md=payload, closing_md=payload, sections=sections)
    rendered = render_newsletter(newsletter)
    html, text = personalise(rendered, VALUES)
    for document in (html, rendered.web_html):
        body = document.split("<body", 1)[1]
        assert_harmless(body)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body  # the title, escaped


def test_render_uses_premailer_once(monkeypatch, newsletter):
    calls = []
    original = render.inline_css
    monkeypatch.setattr(render, "inline_css", lambda html: calls.append(1) or original(html))
    rendered = render_newsletter(newsletter)
    for n in range(3):
        personalise(rendered, {**VALUES, GREETING_NAME: f"N{n}"})
    assert len(calls) == 1


def test_a_value_containing_a_token_is_not_filled_in_again(app, make_newsletter):
    from cac_news.compose.render import (
        GREETING_NAME,
        PREFERENCES_URL,
        UNSUBSCRIBE_URL,
        personalise,
        render_newsletter,
    )

    rendered = render_newsletter(make_newsletter())
    html, text = personalise(
        rendered,
        {
            GREETING_NAME: f"Eve {UNSUBSCRIBE_URL}",
            UNSUBSCRIBE_URL: "https://example.org/unsubscribe/secret",
            PREFERENCES_URL: "https://example.org/preferences/secret",
        },
    )
    assert f"Eve {UNSUBSCRIBE_URL}" in text
    assert f"Eve {UNSUBSCRIBE_URL}" in html
