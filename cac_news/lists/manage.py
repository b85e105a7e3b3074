"""Create, find and change discussion lists (no request needed)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from cac_news.audience.modes import slugify
from cac_news.audience.segments import get_by_name
from cac_news.errors import ErrorCollector, ValidationError
from cac_news.extensions import db
from cac_news.mailing.mailer import mail_domain
from cac_news.models import (
    ARCHIVE_POLICIES,
    POSTING_POLICIES,
    REPLY_POLICIES,
    DiscussionList,
    ParticipationMode,
)

LOCAL_PART_RE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$")
# Addresses the MTA or the letters already use: a list cannot take them.
RESERVED_LOCAL_PARTS = {"postmaster", "abuse", "bounces", "unsubscribe", "mailer-daemon"}


@dataclass
class ListData:
    """A list's settings as typed by a pilot (CLI or form)."""

    name: str
    address: str
    description: str = ""
    posting_policy: str = "members"
    reply_policy: str = "list"
    subject_prefix: str | None = None  # None: "[name]"
    footer: str = ""
    max_bytes: int = 2_000_000
    archive: str = "members"
    segment_name: str | None = None
    mode_slugs: list[str] = field(default_factory=list)


def domain() -> str:
    """The site's mail domain: every list address lives there."""
    return mail_domain(current_app.config)


def address_of(mailing_list: DiscussionList) -> str:
    """The list's posting address."""
    return f"{mailing_list.local_part}@{domain()}"


def list_id_of(mailing_list: DiscussionList) -> str:
    """The List-Id value (RFC 2919): ``Name <local.domain>``."""
    return f"{mailing_list.name} <{mailing_list.local_part}.{domain()}>"


def _local_part(address: str) -> str:
    """The local part of ADDR (``gt`` or ``gt@<our domain>``), or a ValidationError."""
    local, at, host = address.strip().lower().rpartition("@")
    if not at:
        local, host = host, domain()
    if host != domain():
        raise ValidationError.single(
            "address",
            str(_l("The address must be on the site's mail domain (%(d)s).", d=domain())),
        )
    if not LOCAL_PART_RE.match(local) or local in RESERVED_LOCAL_PARTS:
        raise ValidationError.single(
            "address", str(_l("%(local)s cannot be a list address.", local=local))
        )
    return local


def _check(data: ListData, mailing_list: DiscussionList | None) -> dict:
    """The model's fields from the typed data; a ValidationError names every bad field."""
    errors = ErrorCollector()

    def wrong(name: str, message) -> None:
        errors.add(name, str(message))

    name = data.name.strip()
    if not name or len(name) > 120:
        wrong("name", _l("Give the list a name of 1 to 120 characters."))
    choices = (
        ("posting_policy", data.posting_policy, POSTING_POLICIES),
        ("reply_policy", data.reply_policy, REPLY_POLICIES),
        ("archive", data.archive, ARCHIVE_POLICIES),
    )
    for key, value, allowed in choices:
        if value not in allowed:
            wrong(key, _l("Choose one of: %(values)s.", values=", ".join(allowed)))
    local = ""
    try:
        local = _local_part(data.address)
    except ValidationError as exc:
        errors.extend(exc.errors)
    if not 1_000 <= data.max_bytes <= 50_000_000:
        wrong("max_bytes", _l("The maximum size is between 1,000 and 50,000,000 bytes."))
    segment = None
    if data.segment_name:
        segment = get_by_name(data.segment_name)
        if segment is None:
            wrong("segment", _l("No segment is named %(name)s.", name=data.segment_name))
    known = set(db.session.scalars(select(ParticipationMode.slug)))
    for slug in data.mode_slugs:
        if slug not in known:
            wrong("mode", _l("No participation mode has the slug %(slug)s.", slug=slug))
    for key, value in (("name", name), ("local_part", local), ("slug", slugify(name))):
        taken = db.session.scalar(
            select(DiscussionList).where(getattr(DiscussionList, key) == value)
        )
        if value and taken is not None and taken is not mailing_list:
            wrong("address" if key == "local_part" else "name", _l("Another list has it."))
    prefix = f"[{name}]" if data.subject_prefix is None else data.subject_prefix.strip()
    if len(prefix) > 40 or any(c in prefix for c in "\r\n"):
        wrong("subject_prefix", _l("The subject prefix is one line of at most 40 characters."))
    errors.raise_if_any()
    return {
        "name": name,
        "slug": slugify(name) or local,
        "local_part": local,
        "description": data.description.strip(),
        "posting_policy": data.posting_policy,
        "reply_policy": data.reply_policy,
        "subject_prefix": prefix,
        "footer": data.footer.strip(),
        "max_bytes": data.max_bytes,
        "archive": data.archive,
        "segment": segment,
        "mode_slugs": " ".join(data.mode_slugs),
    }


def save_list(data: ListData, mailing_list: DiscussionList | None = None) -> DiscussionList:
    """Create (or update) a list; commits. Nothing is written when a field is wrong."""
    values = _check(data, mailing_list)
    mailing_list = mailing_list or DiscussionList()
    for key, value in values.items():
        setattr(mailing_list, key, value)
    db.session.add(mailing_list)
    db.session.commit()
    return mailing_list


def as_data(mailing_list: DiscussionList) -> ListData:
    """The list's settings as editable data."""
    return ListData(
        name=mailing_list.name,
        address=mailing_list.local_part,
        description=mailing_list.description,
        posting_policy=mailing_list.posting_policy,
        reply_policy=mailing_list.reply_policy,
        subject_prefix=mailing_list.subject_prefix,
        footer=mailing_list.footer,
        max_bytes=mailing_list.max_bytes,
        archive=mailing_list.archive,
        segment_name=mailing_list.segment.name if mailing_list.segment else None,
        mode_slugs=mailing_list.mode_slugs.split(),
    )


def all_lists() -> list[DiscussionList]:
    """Every list by name."""
    return list(db.session.scalars(select(DiscussionList).order_by(DiscussionList.name)))


def find(name_or_slug: str) -> DiscussionList | None:
    """The list with this name, slug or local part."""
    return db.session.scalar(
        select(DiscussionList).where(
            (DiscussionList.name == name_or_slug)
            | (DiscussionList.slug == name_or_slug)
            | (DiscussionList.local_part == name_or_slug)
        )
    )


def for_recipient(recipient: str, config: Mapping | None = None) -> DiscussionList | None:
    """The list an envelope recipient is addressed to (``gt@domain``, any case), or None.

    A ``gt+anything@`` sub-address is the same list.
    """
    local, _, host = recipient.strip().strip("<>").lower().rpartition("@")
    if host != mail_domain(config or current_app.config):
        return None
    local = local.split("+", 1)[0]
    return db.session.scalar(select(DiscussionList).where(DiscussionList.local_part == local))
