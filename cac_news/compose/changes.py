"""A draft made of what changed: the composer's proposals, kept as they are proposed.

`flask newsletters create --from-changes` (a fortnightly letter prepared by cron, reviewed
by a pilot) saves what the composer's "new letter" page would show ticked, in its order.
"""

from __future__ import annotations

from datetime import date

from cac_news.compose.collect import ProposedSection, propose_sections
from cac_news.compose.newsletters import NewsletterData, SectionData, create_newsletter
from cac_news.models import Newsletter, Pilot

POSITION_STEP = 10  # the composer numbers its proposals 10, 20, 30…


def proposal_sections(proposals: list[ProposedSection]) -> list[SectionData]:
    """The ticked proposals as sections, in the composer's order."""
    return [
        SectionData(
            kind=p.kind,
            source_id=p.source_id,
            group_label=p.group_label,
            title=p.title,
            body_md=p.body_md,
            position=index * POSITION_STEP,
        )
        for index, p in enumerate(proposals, start=1)
        if p.include
    ]


def create_from_changes(
    subject: str,
    since: date | None = None,
    segment_id: int | None = None,
    author: Pilot | None = None,
) -> tuple[Newsletter, list[str]]:
    """A draft of everything proposed since the cut-off (internal events only for a
    segment, ticked since the audience is known); returns it and any warnings."""
    proposals = propose_sections(since, internal_events=segment_id is not None)
    if segment_id is not None:
        for proposal in proposals:
            proposal.include = True
    data = NewsletterData(
        subject=subject, segment_id=segment_id, sections=proposal_sections(proposals)
    )
    return create_newsletter(data, author)
