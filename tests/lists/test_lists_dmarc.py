"""DMARC policies read from the DNS (a fake resolver here), cached, or configured."""

from __future__ import annotations

from types import SimpleNamespace

import dns.resolver
import pytest

from cac_news.lists import dmarc

RECORDS = {
    "_dmarc.strict.example": "v=DMARC1; p=reject; rua=mailto:d@strict.example",
    "_dmarc.soft.example": "v=DMARC1; p=none",
    "_dmarc.parent.example": "v=DMARC1; p=none; sp=quarantine",
}


@pytest.fixture
def fake_dns(monkeypatch):
    asked = []

    def resolve(name, kind, lifetime=None):
        asked.append(name)
        if name not in RECORDS:
            raise dns.resolver.NXDOMAIN()
        return [SimpleNamespace(strings=[RECORDS[name].encode()])]

    monkeypatch.setattr(dns.resolver, "resolve", resolve)
    monkeypatch.setattr(dmarc, "_cache", {})
    return asked


def test_policies_from_the_dns_are_cached(fake_dns):
    config = {"DMARC_LOOKUP": True}
    assert dmarc.is_strict("strict.example", config, now=0)
    assert not dmarc.is_strict("soft.example", config, now=0)
    assert dmarc.is_strict("mail.parent.example", config, now=0)  # the parent's sp=
    assert not dmarc.is_strict("nowhere.example", config, now=0)
    asked = len(fake_dns)
    assert dmarc.is_strict("STRICT.example", config, now=10)  # cached, case folded
    assert len(fake_dns) == asked
    assert dmarc.is_strict("strict.example", config, now=dmarc.CACHE_SECONDS + 1)
    assert len(fake_dns) == asked + 1  # a day later: asked again


def test_configured_domains_need_no_lookup(fake_dns):
    config = {"DMARC_LOOKUP": False, "DMARC_STRICT_DOMAINS": "a.example, B.example"}
    assert dmarc.is_strict("b.example", config)
    assert not dmarc.is_strict("strict.example", config)
    assert fake_dns == []


def test_policy_of_reads_the_record():
    assert dmarc.policy_of("v=DMARC1; p=quarantine") == "quarantine"
    assert dmarc.policy_of("v=DMARC1;p=reject;sp=none", subdomain=True) == "none"
    assert dmarc.policy_of("v=spf1 -all") == ""
