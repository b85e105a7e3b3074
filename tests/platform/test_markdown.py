"""Markdown is rendered with tables and autolinks, and nothing executable survives."""

import pytest

from cac_news.content.markdown import render_markdown
from tests.xss_payloads import XSS_PAYLOADS, assert_harmless


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_is_neutralised(payload):
    assert_harmless(str(render_markdown(f"Avant\n\n{payload}\n\nAprès")))


def test_commonmark_tables_and_autolinks():
    html = str(
        render_markdown(
            "# Titre\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nVoir https://cac.example.org"
        )
    )
    assert "<h1>Titre</h1>" in html
    assert "<table>" in html and "<td>1</td>" in html
    assert '<a href="https://cac.example.org" rel="noopener noreferrer">' in html


def test_links_get_rel_noopener():
    html = str(render_markdown("[site](https://cac.example.org)"))
    assert 'rel="noopener noreferrer"' in html


def test_empty_source_gives_empty_markup():
    assert str(render_markdown("")) == ""
    assert str(render_markdown(None)) == ""
