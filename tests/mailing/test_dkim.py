"""DKIM signing: the signature covers the RFC 8058 headers and verifies with dkimpy."""

from __future__ import annotations

import re
from pathlib import Path

import dkim
import pytest

from cac_news.mail.dkim import DKIMSigner
from cac_news.mail.message import MessageTemplate, make_message_id
from tests.dkim_keys import make_dkim_key


@pytest.fixture(scope="module")
def rsa_key(tmp_path_factory) -> tuple[Path, bytes]:
    """A fresh RSA-2048 private key file and its DNS TXT record."""
    return make_dkim_key(tmp_path_factory.mktemp("dkim"))


def rendered() -> bytes:
    """A newsletter message for one recipient."""
    template = MessageTemplate.build(
        from_addr="Lettre du CAC <lettre@example.org>",
        subject="Lettre n°3 — état des lieux",
        reply_to="gt@example.org",
        list_id="Lettre du CAC <lettre.cac-news.test>",
        list_archive_url="https://cac-news.test/lettres/3",
        html="<p>Bonjour NAME</p>\n",
        text="Bonjour NAME\n",
        domain="cac-news.test",
    )
    return template.render(
        "zoe@exemple.org",
        "Zoé",
        {"NAME": "Zoé"},
        "https://cac-news.test/u/abc",
        "mailto:desinscription@example.org?subject=abc",
        make_message_id("cac-news.test"),
    )


def dns_for(record: bytes):
    """A dnsfunc answering the selector's TXT query, and nothing else."""

    def dnsfunc(name, timeout=5):
        assert name == b"lettre._domainkey.cac-news.test."
        return record

    return dnsfunc


def test_sign_and_verify(rsa_key) -> None:
    key, record = rsa_key
    signer = DKIMSigner.from_config(
        {"DKIM_KEY_FILE": str(key), "DKIM_SELECTOR": "lettre", "DKIM_DOMAIN": "cac-news.test"}
    )
    signed = signer.sign(rendered())
    assert signed.startswith(b"DKIM-Signature: ")
    assert dkim.verify(signed, dnsfunc=dns_for(record))

    sig = dkim.DKIM(signed)
    sig.verify(dnsfunc=dns_for(record))
    h_tag = re.sub(rb"\s", b"", sig.signature_fields[b"h"]).lower()
    signed_headers = set(h_tag.split(b":"))
    for name in (b"from", b"to", b"subject", b"date", b"message-id", b"list-id",
                 b"list-unsubscribe", b"list-unsubscribe-post", b"mime-version",
                 b"content-type"):  # fmt: skip
        assert name in signed_headers


def test_tampering_breaks_the_signature(rsa_key) -> None:
    key, record = rsa_key
    signed = DKIMSigner(key.read_bytes(), "lettre", "cac-news.test").sign(rendered())
    without_post = signed.replace(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", b"")
    assert without_post != signed
    assert not dkim.verify(without_post, dnsfunc=dns_for(record))
    other_link = signed.replace(b"https://cac-news.test/u/abc>", b"https://evil.test/u/abc>")
    assert other_link != signed
    assert not dkim.verify(other_link, dnsfunc=dns_for(record))


def test_off_by_default() -> None:
    assert DKIMSigner.from_config({}) is None
    assert DKIMSigner.from_config({"DKIM_KEY_FILE": None}) is None
