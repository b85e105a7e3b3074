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


def policy_of(record: str) -> str:
    """The p= tag of a DMARC record ('' if none)."""
    tags = dict(part.strip().split("=", 1) for part in record.split(";") if "=" in part.strip())
    if tags.get("v", "").strip().upper() != "DMARC1":
        return ""
    return tags.get("p", "").strip().lower()


def _lookup(domain: str, timeout: float) -> bool:
    """Ask the DNS for _dmarc.<domain>; an unanswered question counts as not strict."""
    import dns.exception
    import dns.resolver

    try:
        answer = dns.resolver.resolve(f"_dmarc.{domain}", "TXT", lifetime=timeout)
    except dns.exception.DNSException:
        return False
    for rdata in answer:
        record = b"".join(rdata.strings).decode("ascii", "replace")
        if policy_of(record) in STRICT:
            return True
    return False


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
