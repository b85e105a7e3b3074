"""The composer proposes what changed since the last sent newsletter, grouped and ordered."""

from datetime import date, datetime

from cac_news.compose.collect import cutoff_for, propose_sections
from cac_news.extensions import db

SENT_AT = datetime(2026, 10, 10, 12, 0)


def sent_newsletter(make_newsletter, sent_at=SENT_AT):
    newsletter = make_newsletter(subject="Lettre précédente")
    newsletter.status = "sent"
    newsletter.sent_at = sent_at
    db.session.commit()
    return newsletter


def test_everything_is_proposed_before_the_first_newsletter(
    make_roadmap_update, make_action_report
):
    make_roadmap_update(created_at=datetime(2020, 1, 1))
    make_action_report(published_at=datetime(2020, 1, 2))
    assert cutoff_for(None) is None
    assert [s.kind for s in propose_sections()] == ["roadmap_update", "action_report"]


def test_only_what_changed_after_the_last_sent_newsletter(
    make_newsletter, make_roadmap_update, make_action_report
):
    sent_newsletter(make_newsletter)
    draft = make_newsletter(subject="Brouillon")  # drafts do not move the cut-off
    draft.sent_at = datetime(2026, 10, 20)
    db.session.commit()
    before = make_roadmap_update(body_md="avant", created_at=datetime(2026, 10, 10, 11, 59))
    after = make_roadmap_update(body_md="après", created_at=datetime(2026, 10, 10, 12, 1))
    old_report = make_action_report(title="Ancienne", published_at=datetime(2026, 10, 9))
    new_report = make_action_report(title="Nouvelle", published_at=datetime(2026, 10, 11))
    make_action_report(title="Brouillon d'action", published=False)

    sections = propose_sections()

    ids = {(s.kind, s.source_id) for s in sections}
    assert ("roadmap_update", after.id) in ids
    assert ("roadmap_update", before.id) not in ids
    assert ("action_report", new_report.id) in ids
    assert ("action_report", old_report.id) not in ids
    assert len(sections) == 2


def test_a_date_picked_by_the_pilot_replaces_the_cut_off(make_newsletter, make_roadmap_update):
    sent_newsletter(make_newsletter)
    older = make_roadmap_update(created_at=datetime(2026, 10, 5, 9, 0))
    make_roadmap_update(created_at=datetime(2026, 10, 3, 23, 59))
    sections = propose_sections(since=date(2026, 10, 4))
    assert [s.source_id for s in sections] == [older.id]


def test_roadmap_grouped_by_objective_and_actions_by_region(
    make_roadmap_update, make_action_report
):
    platform = make_roadmap_update(objective="platform", title="Site public")
    expertise_late = make_roadmap_update(
        objective="expertise", title="Étude", date=date(2026, 10, 5)
    )
    expertise_early = make_roadmap_update(
        item=expertise_late.item, date=date(2026, 10, 2), body_md="premier"
    )
    organisation = make_roadmap_update(objective="organisation", title="Réunion des pilotes")
    lyon = make_action_report(title="Lyon", territory_code="69")  # Auvergne-Rhône-Alpes
    paris = make_action_report(title="Paris", territory_code="75")  # Île-de-France
    national = make_action_report(title="Tribune", territory_code="FR")
    grenoble = make_action_report(title="Grenoble", territory_code="38", date=date(2026, 9, 1))

    sections = propose_sections()

    assert [(s.kind, s.source_id) for s in sections] == [
        ("roadmap_update", expertise_early.id),
        ("roadmap_update", expertise_late.id),
        ("roadmap_update", platform.id),
        ("roadmap_update", organisation.id),
        ("action_report", national.id),
        ("action_report", grenoble.id),
        ("action_report", lyon.id),
        ("action_report", paris.id),
    ]
    labels = [s.group_label for s in sections]
    assert labels[0] == labels[1] != labels[2]
    assert labels[5] == labels[6] == "Auvergne-Rhône-Alpes"
    assert labels[7] == "Île-de-France"
    assert sections[6].title == "Lyon"
    assert "Une centaine de personnes." in sections[6].body_md


def test_a_status_change_is_shown_in_the_proposed_section(make_roadmap_update):
    update = make_roadmap_update(new_status="done", body_md="Publié.")
    (section,) = propose_sections()
    assert section.source_id == update.id
    assert "Done" in section.body_md or "Fait" in section.body_md
    assert section.body_md.endswith("Publié.")
