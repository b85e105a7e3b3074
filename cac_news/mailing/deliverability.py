"""The deliverability checklist: what the settings say about reaching inboxes.

Static checks and advice only (no DNS lookups): the From domain, SPF, DKIM and DMARC
records to publish, the postal address, one-click unsubscribe, VERP and the bounce mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from flask_babel import gettext as _

from cac_news.mailing.bounces.verp import bounce_domain

FREE_MAIL_DOMAINS = frozenset(
    "gmail.com googlemail.com yahoo.com yahoo.fr ymail.com hotmail.com hotmail.fr "
    "outlook.com outlook.fr live.com live.fr msn.com aol.com icloud.com me.com "
    "orange.fr wanadoo.fr free.fr sfr.fr neuf.fr laposte.net bbox.fr gmx.fr gmx.com "
    "protonmail.com proton.me".split()
)


@dataclass(frozen=True)
class Check:
    """One line of the checklist: its state (ok, warning, info) and what to do."""

    key: str
    title: str
    state: str
    detail: str
    record: str = ""  # a DNS record to publish, when there is one


def from_domain(config) -> str:
    """The domain of MAIL_FROM, lower-case."""
    return parseaddr(config.get("MAIL_FROM") or "")[1].rpartition("@")[2].lower()


def same_organisation(domain: str, host: str) -> bool:
    """Whether two names share their last two labels (lettre.example.org ~ example.org)."""
    return bool(domain and host) and domain.split(".")[-2:] == host.split(".")[-2:]


def _from_check(config) -> Check:
    """The From domain: the organisation's own, not a free-mail provider's."""
    domain = from_domain(config)
    site = (urlsplit(config.get("SITE_URL") or "").hostname or "").lower()
    if not domain:
        return Check("from", _("From address"), "warning", _("MAIL_FROM has no address."))
    if domain in FREE_MAIL_DOMAINS:
        detail = _(
            "%(domain)s is a free-mail domain: its DMARC policy makes providers reject or "
            "file bulk mail sent from it by another server. Use an address on the "
            "organisation's own domain.",
            domain=domain,
        )
        return Check("from", _("From address"), "warning", detail)
    if not same_organisation(domain, site):
        detail = _(
            "The From domain %(domain)s differs from the site's %(site)s: links to another "
            "domain than the sender's look suspicious to filters.",
            domain=domain,
            site=site or "?",
        )
        return Check("from", _("From address"), "warning", detail)
    return Check("from", _("From address"), "ok", _("Sent from %(domain)s.", domain=domain))


def _dkim_check(config) -> Check:
    """DKIM: a key file and a selector, and the DNS record to publish."""
    domain = config.get("DKIM_DOMAIN") or from_domain(config)
    selector = config.get("DKIM_SELECTOR") or "cacnews"
    record = f'{selector}._domainkey.{domain} TXT "v=DKIM1; k=rsa; p=<public key>"'
    key_file = config.get("DKIM_KEY_FILE")
    if not key_file or not config.get("DKIM_SELECTOR"):
        detail = _("DKIM signing is off: set DKIM_KEY_FILE, DKIM_SELECTOR and DKIM_DOMAIN.")
        return Check("dkim", "DKIM", "warning", detail, record)
    if not Path(key_file).is_file():
        detail = _("DKIM_KEY_FILE %(path)s does not exist.", path=key_file)
        return Check("dkim", "DKIM", "warning", detail, record)
    detail = _("Messages are signed for %(domain)s; publish the public key.", domain=domain)
    return Check("dkim", "DKIM", "ok", detail, record)


def _unsubscribe_check(app: Flask) -> Check:
    """One-click unsubscribe: the route takes a POST without a CSRF token (RFC 8058)."""
    title = _("One-click unsubscribe")
    methods = {m for r in app.url_map.iter_rules("subscription.unsubscribe") for m in r.methods}
    view = app.view_functions.get("subscription.unsubscribe")
    csrf = app.extensions.get("csrf")
    exempt = bool(view and csrf) and f"{view.__module__}.{view.__name__}" in csrf._exempt_views
    if "POST" in methods and exempt:
        detail = _(
            "Every letter carries List-Unsubscribe and List-Unsubscribe-Post; the link "
            "accepts a one-click POST."
        )
        return Check("unsubscribe", title, "ok", detail)
    return Check(
        "unsubscribe", title, "warning", _("The unsubscribe link rejects one-click POSTs.")
    )


def _verp_check(config) -> Check:
    """VERP is the recommended setup: only bounces tied to a message of ours change a status."""
    domain = bounce_domain(config)
    # What the MTA receiving mail for the bounce domain needs: "+" as the recipient delimiter,
    # so that bounces+TOKEN@domain is delivered to the bounces mailbox.
    record = (
        f"Postfix: recipient_delimiter = +  (bounces@{domain} → the bounces mailbox); "
        "Exim: local_part_suffix = +* with local_part_suffix_optional; "
        "Dovecot/Sieve, OpenSMTPD: accept the + extension; "
        f"DNS: MX {domain} → your mail server"
    )
    if config.get("VERP_ENABLED"):
        detail = _("On: bounces go to bounces+…@%(domain)s.", domain=domain)
        return Check("verp", "VERP", "ok", detail, record)
    detail = _(
        "Recommended: set VERP_ENABLED. Without it a bounce only counts when it quotes the "
        "Message-ID of one of our letters; many servers quote none, and those bounces are "
        "recorded as unverified and change nothing."
    )
    return Check("verp", "VERP", "warning", detail, record)


def checklist(app: Flask) -> list[Check]:
    """Every check, in the order the page shows them."""
    config = app.config
    domain = from_domain(config) or "example.org"
    checks = [_from_check(config)]
    checks.append(
        Check(
            "spf",
            "SPF",
            "info",
            _(
                "Allow the mail server %(server)s to send for %(domain)s.",
                server=config.get("MAIL_SERVER"),
                domain=domain,
            ),
            f'{domain} TXT "v=spf1 a mx include:<your relay\'s SPF domain> ~all"',
        )
    )
    checks.append(_dkim_check(config))
    checks.append(
        Check(
            "dmarc",
            "DMARC",
            "info",
            _("Start with p=none and read the reports, then move to quarantine."),
            f'_dmarc.{domain} TXT "v=DMARC1; p=none; rua=mailto:postmaster@{domain}"',
        )
    )
    address = (config.get("ORGANISATION_ADDRESS") or "").strip()
    checks.append(
        Check(
            "address",
            _("Postal address"),
            "ok" if address else "warning",
            address or _("ORGANISATION_ADDRESS is empty: the law requires it in every letter."),
        )
    )
    checks.append(_unsubscribe_check(app))
    checks.append(_verp_check(config))
    host = config.get("BOUNCE_IMAP_HOST")
    checks.append(
        Check(
            "mailbox",
            _("Bounce mailbox"),
            "ok" if host else "warning",
            _(
                "`flask bounces fetch` reads %(user)s on %(host)s.",
                user=config.get("BOUNCE_IMAP_USER") or "?",
                host=host,
            )
            if host
            else _(
                "BOUNCE_IMAP_HOST is not set: run `flask bounces process` on the bounces "
                "your mail server delivers."
            ),
        )
    )
    return checks
