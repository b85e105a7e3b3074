"""Segments: saved rules over active subscribers, turned into one indexed SQL query."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from cac_news import territories
from cac_news.audience.subscribers import modes_exist
from cac_news.errors import ErrorCollector, ValidationError
from cac_news.extensions import db
from cac_news.models import ParticipationMode, Segment, Subscriber, Territory, subscriber_modes
from cac_news.models.audience import LANGUAGES
from cac_news.models.segment import MASKABLE_MODE_IDS, mode_mask

PREVIEW_SIZE = 20


@dataclass
class SegmentRule:
    """A rule being edited: modes (any of), territory codes, language (None: any)."""

    mode_ids: list[int] = field(default_factory=list)
    territory_codes: list[str] = field(default_factory=list)
    language: str | None = None

    @classmethod
    def of(cls, segment: Segment | SegmentRule) -> SegmentRule:
        """The rule of a saved segment (or the rule itself)."""
        if isinstance(segment, SegmentRule):
            return segment
        return cls(
            mode_ids=[m.id for m in segment.modes],
            territory_codes=segment.territory_codes,
            language=segment.language,
        )


def segment_query(segment: Segment | SegmentRule) -> Select:
    """SELECT of the segment's subscribers: active, any of the modes, in the territories."""
    return _where(select(Subscriber), SegmentRule.of(segment))


def _where(statement: Select, rule: SegmentRule) -> Select:
    statement = statement.where(Subscriber.status == "active")
    if rule.territory_codes:
        # A région means its départements; the (status, territory_code) index serves this.
        codes = sorted(territories.expand(rule.territory_codes))
        in_territory = Subscriber.territory_code.in_(codes)
        region_codes = sorted(c for c in rule.territory_codes if c.startswith("R"))
        if region_codes:
            # People who gave only a région belong to that région's segments too.
            in_territory = or_(in_territory, Subscriber.region_code.in_(region_codes))
        statement = statement.where(in_territory)
    if rule.language:
        statement = statement.where(Subscriber.language == rule.language)
    if rule.mode_ids:
        mode_ids = sorted(set(rule.mode_ids))
        if all(m in MASKABLE_MODE_IDS for m in mode_ids):
            # "Any of these modes" as a bit test on the covering index: no join at all.
            statement = statement.where(Subscriber.mode_mask.op("&")(mode_mask(mode_ids)) != 0)
        else:
            statement = statement.where(
                exists().where(
                    subscriber_modes.c.subscriber_id == Subscriber.id,
                    subscriber_modes.c.mode_id.in_(mode_ids),
                )
            )
    return statement


def count_segment(segment: Segment | SegmentRule) -> int:
    """How many active subscribers the segment holds (one COUNT query)."""
    rule = SegmentRule.of(segment)
    return int(db.session.scalar(_where(select(func.count(Subscriber.id)), rule)) or 0)


def preview_members(segment: Segment | SegmentRule, limit: int = PREVIEW_SIZE) -> list[Subscriber]:
    """The first members of a segment, by address."""
    statement = segment_query(segment).order_by(Subscriber.email).limit(limit)
    return list(db.session.scalars(statement))


def list_segments() -> list[Segment]:
    """Every segment by name."""
    return list(db.session.scalars(select(Segment).order_by(Segment.name)))


def get_by_name(name: str) -> Segment | None:
    """The segment with this exact name, or None."""
    return db.session.scalar(select(Segment).where(Segment.name == name))


def validate_rule(rule: SegmentRule) -> SegmentRule:
    """Check the rule's modes, territories and language; raise ValidationError otherwise."""
    errors = ErrorCollector()
    mode_ids = sorted(set(rule.mode_ids))
    if mode_ids and not modes_exist(mode_ids):
        errors.add("mode_ids", str(_l("Unknown participation mode.")))
    codes = sorted(set(rule.territory_codes))
    if any(territories.get(code) is None for code in codes):
        errors.add("territory_codes", str(_l("Unknown territory.")))
    language = rule.language or None
    if language is not None and language not in LANGUAGES:
        errors.add("language", str(_l("Choose French or English.")))
    errors.raise_if_any()
    return SegmentRule(mode_ids=mode_ids, territory_codes=codes, language=language)


def save_segment(
    name: str, description: str, rule: SegmentRule, segment: Segment | None = None
) -> Segment:
    """Create or update a segment from a validated rule."""
    name = (name or "").strip()
    errors = ErrorCollector()
    if not name:
        errors.add("name", str(_l("A name is required.")))
    elif len(name) > 120:
        errors.add("name", str(_l("At most %(n)d characters.", n=120)))
    else:
        clash = get_by_name(name)
        if clash is not None and clash is not segment:
            errors.add("name", str(_l("A segment with this name already exists.")))
    try:
        clean = validate_rule(rule)
    except ValidationError as exc:
        errors.extend(exc.errors)
    errors.raise_if_any()
    if segment is None:
        segment = Segment()
        db.session.add(segment)
    segment.name = name
    segment.description = (description or "").strip()[:500]
    segment.language = clean.language
    segment.modes = list(
        db.session.scalars(
            select(ParticipationMode).where(ParticipationMode.id.in_(clean.mode_ids))
        )
    )
    segment.territories = list(
        db.session.scalars(select(Territory).where(Territory.code.in_(clean.territory_codes)))
    )
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ValidationError.single(
            "name", str(_l("A segment with this name already exists."))
        ) from exc
    return segment


def delete_segment(segment: Segment) -> None:
    """Delete a segment (subscribers are untouched); refused while a newsletter targets it."""
    from cac_news.models import Newsletter

    used_by = db.session.scalars(
        select(Newsletter.number).where(Newsletter.segment_id == segment.id)
    ).all()
    if used_by:
        numbers = ", ".join(f"n°{n}" for n in sorted(used_by))
        raise ValidationError.single(
            "segment",
            str(_l("This segment is the audience of newsletter %(numbers)s.", numbers=numbers)),
        )
    db.session.delete(segment)
    db.session.commit()


def count_active_subscribers() -> int:
    """Every active subscriber: the audience of a newsletter with no segment."""
    return db.session.scalar(
        select(func.count()).select_from(Subscriber).where(Subscriber.status == "active")
    )
