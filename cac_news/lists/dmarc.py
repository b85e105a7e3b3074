"""Whether an author's domain asks receivers to refuse or quarantine mail that fails DMARC:
then a list must not send under the author's From (it would fail, as the list re-sends it)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

log = logging.getLogger(__name__)
CACHE_SECONDS = 24 * 3600
STRICT = {"reject", "quarantine"}
_cache: dict[str, tuple[float, bool]] = {}


def strict_domains(config: Mapping) -> set[str]:
    """DMARC_STRICT_DOMAINS: a list, or a comma-separated string, of domains."""
    value = config.get("DMARC_STRICT_DOMAINS") or ()
    if isinstance(value, str):
        value = value.split(",")
    return {d.strip().lower() for d in value if d.strip()}


def policy_of(record: str, subdomain: bool = False) -> str:
    """The policy of a DMARC record ('' if none): p=, or for a subdomain sp= (else p=)."""
    tags = {
        key.strip().lower(): value.strip().lower()
        for key, _, value in (part.partition("=") for part in record.split(";"))
        if value
    }
    if tags.get("v", "").upper() != "DMARC1":
        return ""
    return tags.get("sp", tags.get("p", "")) if subdomain else tags.get("p", "")


def organisational(domain: str) -> str:
    """The domain's last two labels: where a subdomain without a record of its own takes its
    policy from (RFC 7489 uses the Public Suffix List; two labels cover .fr, .org, .com)."""
    return ".".join(domain.split(".")[-2:])


def _records(name: str, timeout: float) -> list[str]:
    """The TXT strings at a name; an unanswered question is none."""
    import dns.exception
    import dns.resolver

    try:
        answer = dns.resolver.resolve(name, "TXT", lifetime=timeout)
    except dns.exception.DNSException:
        return []
    return [b"".join(rdata.strings).decode("ascii", "replace") for rdata in answer]


def _lookup(domain: str, timeout: float) -> bool:
    """Ask the DNS for _dmarc.<domain>, else its organisational domain's sp= (or p=)."""
    records = [r for r in _records(f"_dmarc.{domain}", timeout) if policy_of(r)]
    subdomain = False
    if not records and organisational(domain) != domain:
        records = _records(f"_dmarc.{organisational(domain)}", timeout)
        subdomain = True
    return any(policy_of(record, subdomain) in STRICT for record in records)


def is_strict(domain: str, config: Mapping, now: float | None = None) -> bool:
    """True when mail From this domain must be rewritten (cached for a day per domain)."""
    domain = domain.strip().lower()
    if not domain:
        return False
    if domain in strict_domains(config):
        return True
    if not config.get("DMARC_LOOKUP", True):
        return False
    now = time.monotonic() if now is None else now
    cached = _cache.get(domain)
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    strict = _lookup(domain, float(config.get("DMARC_LOOKUP_TIMEOUT", 3.0)))
    _cache[domain] = (now, strict)
    log.info("DMARC of %s: %s", domain, "strict" if strict else "not strict")
    return strict
