"""The composer's section cards: the form's sections in order, each with the kind, title
and first line its collapsed card shows; moving one; proposals not yet in the letter."""

from __future__ import annotations

from dataclasses import dataclass

from cac_news.compose.collect import ProposedSection
from cac_news.compose.newsletters import SectionData, is_divider
from cac_news.compose.text import Footnotes, html_to_text
from cac_news.content.labels import SECTION_KIND_LABELS
from cac_news.content.markdown import render_markdown
from cac_news.forms.compose import NewsletterForm
from cac_news.models import Newsletter

FIRST_LINE_LENGTH = 90
POSITION_STEP = 10  # positions in the form: 10, 20, 30... (the script renumbers alike)


@dataclass(frozen=True)
class Card:
    """One section of the composer's list."""

    form: object  # the section's sub-form
    kind: str
    kind_label: str
    title: str
    first_line: str
    position: int


def first_line(body_md: str) -> str:
    """The first line of a section's text, as readable text, cut to fit a card."""
    text = html_to_text(render_markdown(body_md or ""), Footnotes())
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= FIRST_LINE_LENGTH else line[: FIRST_LINE_LENGTH - 1] + "…"


def fill_form(form: NewsletterForm, newsletter: Newsletter) -> None:
    """The composer's fields from a saved draft."""
    form.version.data = str(newsletter.version)
    form.sections.entries = []
    form.sections.last_index = -1
    for section in newsletter.sections:
        form.sections.append_entry(
            {
                "kind": section.kind,
                "source_id": section.roadmap_update_id
                or section.action_report_id
                or section.event_id,
                "include": True,
                "position": section.position * POSITION_STEP,
                "group_label": section.group_label,
                "title": section.title,
                "body_md": section.body_md,
            }
        )


def section_cards(form: NewsletterForm) -> list[Card]:
    """The form's sections as cards, in the order of their positions."""
    cards = []
    for entry in form.sections:
        s = entry.form
        title, body = s.title.data or "", s.body_md.data or ""
        kind = "divider" if is_divider(s.kind.data or "text", title, body) else s.kind.data
        label = SECTION_KIND_LABELS.get(kind, kind)
        cards.append(Card(s, kind, str(label), title, first_line(body), s.position.data or 0))
    return sorted(cards, key=lambda card: card.position)


def moved(sections: list[SectionData], move: str) -> list[SectionData]:
    """The sections with one moved: ``move`` is "<position>:up" or "<position>:down"."""
    position, _, direction = move.partition(":")
    ordered = sorted(sections, key=lambda s: s.position)
    index = next((i for i, s in enumerate(ordered) if str(s.position) == position), None)
    if index is not None and direction in ("up", "down"):
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
    for rank, section in enumerate(ordered, start=1):
        section.position = rank * POSITION_STEP
    return ordered


def proposals_for(newsletter: Newsletter, proposals: list[ProposedSection]) -> list:
    """What changed since the last issue and is not in the letter yet, with kind labels."""
    present = {(s.kind, s.roadmap_update_id or s.action_report_id) for s in newsletter.sections}
    titles = {s.title for s in newsletter.sections}
    kept = []
    for proposal in proposals:
        if proposal.source_id is not None and (proposal.kind, proposal.source_id) in present:
            continue
        if proposal.source_id is None and proposal.title in titles:
            continue
        label = SECTION_KIND_LABELS.get(proposal.kind, proposal.kind)
        kept.append((proposal, str(label), first_line(proposal.body_md)))
    return kept
