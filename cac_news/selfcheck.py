"""`cac-news check`: the configuration and reachability checklist of a deployment.

Each check returns a Finding; a FATAL one makes the command exit non-zero. DNS lookups
(SPF, DKIM, DMARC) need network access: without it they are SKIPPED, never fatal.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

from cac_news.mailing.deliverability import from_domain

MIN_SECRET_KEY_LENGTH = 32
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
DNS_LIFETIME = 3.0  # seconds per lookup


class Level(StrEnum):
    """How a finding weighs."""

    OK = "ok"
    WARNING = "warning"
    FATAL = "fatal"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Finding:
    """One line of the checklist."""

    name: str
    level: Level
    message: str


def check_secret_key(config) -> Finding:
    """SECRET_KEY set, long enough to sign sessions and links."""
    key = config.get("SECRET_KEY") or ""
    if len(str(key)) < MIN_SECRET_KEY_LENGTH:
        return Finding(
            "SECRET_KEY",
            Level.FATAL,
            f"missing or shorter than {MIN_SECRET_KEY_LENGTH} characters; make one with "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'",
        )
    return Finding("SECRET_KEY", Level.OK, f"{len(str(key))} characters")


def check_site_url(config) -> Finding:
    """SITE_URL is https (tokens travel in links), except on a loopback test install."""
    site = urlsplit(str(config.get("SITE_URL") or ""))
    if site.scheme == "https" and site.hostname:
        return Finding("SITE_URL", Level.OK, config["SITE_URL"])
    if site.scheme == "http" and site.hostname in LOOPBACK_HOSTS:
        return Finding(
            "SITE_URL", Level.WARNING, f"{config['SITE_URL']}: fine on this machine only"
        )
    return Finding(
        "SITE_URL", Level.FATAL, f"{config.get('SITE_URL')!r} is not https: links carry tokens"
    )


def check_smtp(config) -> Finding:
    """Connect, EHLO, STARTTLS or SSL, AUTH: every step the worker will take."""
    host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    where = f"MAIL_SERVER {host}:{port}"
    timeout = min(float(config.get("MAIL_TIMEOUT") or 30), 15)
    step = "connect"
    try:
        context = ssl.create_default_context()
        if config.get("MAIL_USE_SSL"):
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=context
            )
        else:
            connection = smtplib.SMTP(host, port, timeout=timeout)
        with connection:
            step = "EHLO"
            code, answer = connection.ehlo()
            if code != 250:
                return Finding("SMTP", Level.FATAL, f"{where}: EHLO answered {code} {answer!r}")
            if config.get("MAIL_USE_TLS"):
                step = "STARTTLS"
                connection.starttls(context=context)
                connection.ehlo()
            if config.get("MAIL_USERNAME"):
                step = "AUTH"
                authenticate_smtp(connection, config)
    except smtplib.SMTPResponseException as exc:
        answer = exc.smtp_error.decode("utf-8", "replace")
        return Finding("SMTP", Level.FATAL, f"{where}: {step} refused: {exc.smtp_code} {answer}")
    except (OSError, smtplib.SMTPException) as exc:
        return Finding("SMTP", Level.FATAL, f"{where}: {step} failed: {exc}")
    steps = ["connect", "EHLO"] + (["STARTTLS"] if config.get("MAIL_USE_TLS") else [])
    steps += ["AUTH"] if config.get("MAIL_USERNAME") else []
    return Finding("SMTP", Level.OK, f"{where}: {', '.join(steps)} ok")


def authenticate_smtp(connection: smtplib.SMTP, config) -> None:
    """AUTH PLAIN when offered, so that the server's own refusal is what we report
    (smtplib's login() tries every mechanism and keeps only the last answer)."""
    user, password = config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or ""
    if "PLAIN" in connection.esmtp_features.get("auth", "").upper().split():
        connection.user, connection.password = user, password
        connection.auth("PLAIN", connection.auth_plain)
    else:
        connection.login(user, password)


def check_rate_limit_store(config, web_processes: int) -> Finding:
    """A memory store counts per process: several web processes need Redis."""
    uri = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if uri.startswith("memory"):
        if web_processes > 1:
            return Finding(
                "RATELIMIT_STORAGE_URI",
                Level.FATAL,
                f"in memory while {web_processes} web processes run: each counts alone; "
                "use redis://…",
            )
        return Finding("RATELIMIT_STORAGE_URI", Level.OK, "memory (one web process)")
    from limits.storage import storage_from_string

    try:
        reachable = storage_from_string(uri).check()
    except Exception as exc:  # noqa: BLE001  (any driver error means unreachable)
        reachable, uri = False, f"{uri}: {exc}"
    level = Level.OK if reachable else Level.FATAL
    return Finding("RATELIMIT_STORAGE_URI", level, uri if reachable else f"{uri} unreachable")


def check_dkim_key(config) -> Finding:
    """DKIM_KEY_FILE readable and a private key dkimpy can sign with."""
    key_file = config.get("DKIM_KEY_FILE")
    if not key_file:
        return Finding("DKIM_KEY_FILE", Level.WARNING, "not set: letters are not signed")
    try:
        from dkim.crypto import parse_pem_private_key

        parse_pem_private_key(Path(key_file).read_bytes())
    except OSError as exc:
        return Finding("DKIM_KEY_FILE", Level.FATAL, f"{key_file} unreadable: {exc}")
    except Exception as exc:  # noqa: BLE001  (dkimpy raises several kinds)
        return Finding("DKIM_KEY_FILE", Level.FATAL, f"{key_file} is not a private key: {exc}")
    return Finding("DKIM_KEY_FILE", Level.OK, f"{key_file} readable")


def check_bounce_mailbox(config) -> Finding:
    """When a bounce mailbox is configured, it accepts our login."""
    if not config.get("BOUNCE_IMAP_HOST"):
        return Finding("BOUNCE_IMAP_HOST", Level.SKIPPED, "no bounce mailbox configured")
    from cac_news.mailing.bounces.imap import ImapError, connect

    try:
        connect(config).logout()
    except ImapError as exc:
        return Finding("BOUNCE_IMAP_HOST", Level.FATAL, f"unreachable: {exc}")
    return Finding("BOUNCE_IMAP_HOST", Level.OK, f"{config['BOUNCE_IMAP_HOST']}: login ok")


def check_dns(config, resolver=None) -> list[Finding]:
    """SPF, DKIM and DMARC records of the From domain; what to publish when missing."""
    import dns.exception
    import dns.resolver

    domain = from_domain(config)
    selector = config.get("DKIM_SELECTOR") or "cacnews"
    dkim_domain = config.get("DKIM_DOMAIN") or domain
    wanted = [
        ("SPF", domain, "v=spf1", f'{domain} TXT "v=spf1 a mx include:<relay> ~all"'),
        (
            "DKIM",
            f"{selector}._domainkey.{dkim_domain}",
            "v=DKIM1",
            f'{selector}._domainkey.{dkim_domain} TXT "v=DKIM1; k=rsa; p=<public key>"',
        ),
        ("DMARC", f"_dmarc.{domain}", "v=DMARC1", f'_dmarc.{domain} TXT "v=DMARC1; p=none"'),
    ]
    if resolver is None:
        try:
            resolver = dns.resolver.Resolver()
        except dns.resolver.NoResolverConfiguration:
            return [Finding(n, Level.SKIPPED, "no DNS resolver configured") for n, *_ in wanted]
    resolver.lifetime = DNS_LIFETIME
    findings: list[Finding] = []
    for index, (name, qname, prefix, record) in enumerate(wanted):
        try:
            answer = resolver.resolve(qname, "TXT")
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            findings.append(Finding(name, Level.WARNING, f"no record; publish {record}"))
            continue
        except (dns.exception.Timeout, dns.resolver.NoNameservers, OSError) as exc:
            # Offline: say so once for what is left, never fail the check.
            for rest, *_ in wanted[index:]:
                findings.append(
                    Finding(rest, Level.SKIPPED, f"no DNS access ({exc.__class__.__name__})")
                )
            return findings
        texts = [b"".join(r.strings).decode("utf-8", "replace") for r in answer]
        found = [t for t in texts if t.startswith(prefix)]
        if found:
            findings.append(Finding(name, Level.OK, f"{qname}: {found[0]}"))
        else:
            findings.append(Finding(name, Level.WARNING, f"no {prefix} record; publish {record}"))
    return findings


def run_checks(
    app: Flask, web_processes: int = 1, dns: bool = True, resolver=None
) -> list[Finding]:
    """Every check, in the order the command prints them."""
    config = app.config
    findings = [
        check_secret_key(config),
        check_site_url(config),
        check_smtp(config),
        check_rate_limit_store(config, web_processes),
        check_dkim_key(config),
        check_bounce_mailbox(config),
    ]
    if dns:
        findings += check_dns(config, resolver)
    return findings
