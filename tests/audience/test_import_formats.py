"""Other tools' exports (tests/data/imports, see its README) imported person by person."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from cac_news.audience.import_formats import split_name
from cac_news.audience.importer import ImportOptions, import_csv
from cac_news.extensions import db
from cac_news.models import Subscriber, SubscriptionEvent

DATA = Path(__file__).parents[1] / "data" / "imports"


def person(email: str) -> Subscriber | None:
    db.session.expire_all()
    return db.session.scalar(select(Subscriber).where(Subscriber.email == email))


def run(name: str, **options):
    return import_csv(DATA / name, ImportOptions(source_name=name, **options))


def test_mailchimp_subscribed_export(app):
    report = run("mailchimp_subscribed.csv")
    assert report.format == "mailchimp"
    assert (report.created, report.merged, report.invalid) == (2, 1, 1)
    corse = person("corse@exemple.org")
    assert corse.territory_code == "2A" and corse.status == "active"  # INSEE 2A004, Ajaccio
    aura = person("aura@exemple.org")
    assert (aura.first_name, aura.last_name) == ("Léa", "D'Artagnan")
    assert aura.territory_code is None and aura.region_code == "R84"  # not the US geolocation
    assert [line for line, _ in report.errors] == [6]  # the quoted newline counts as a line


@pytest.mark.parametrize(
    ("name", "emails", "status"),
    [
        ("mailchimp_unsubscribed.csv", ["parti@exemple.org", "partie@exemple.org"], "unsubscribed"),
        ("mailchimp_cleaned.csv", ["disparu@exemple.org"], "bounced"),
    ],
)
def test_mailchimp_left_exports_are_never_active(app, name, emails, status):
    report = run(name)
    assert report.format == "mailchimp" and report.departed == len(emails)
    assert report.created == 0
    for email in emails:
        subscriber = person(email)
        assert subscriber.status == status and subscriber.consent_at is None
        [event] = db.session.scalars(
            select(SubscriptionEvent).where(SubscriptionEvent.subscriber_id == subscriber.id)
        )
        assert event.new_status == status and "mailchimp" in event.detail


def test_a_left_export_retires_a_known_active_person_but_never_the_reverse(app, make_subscriber):
    make_subscriber(email="parti@exemple.org")
    run("mailchimp_unsubscribed.csv")
    assert person("parti@exemple.org").status == "unsubscribed"
    again = run("mailchimp_subscribed.csv")  # an older "subscribed" file cannot bring them back
    assert again.created == 2 and person("parti@exemple.org").status == "unsubscribed"


def test_brevo_export_with_blacklist(app):
    report = run("brevo_contacts.csv")
    assert report.format == "brevo" and (report.created, report.departed) == (2, 1)
    claire = person("claire.morel@exemple.org")
    assert (claire.first_name, claire.last_name, claire.territory_code) == ("Claire", "MOREL", "93")
    assert person("refus@exemple.org").status == "unsubscribed"
    assert person("noel@exemple.org").first_name == "François"


def test_listmonk_export_names_attributes_and_blocklist(app):
    report = run("listmonk_subscribers.csv")
    assert report.format == "listmonk" and (report.created, report.departed) == (3, 1)
    marie = person("marie.dupont@exemple.org")
    assert (marie.first_name, marie.last_name) == ("Marie", "Dupont")
    assert marie.territory_code == "69" and marie.organisation == "Asso des Pentes"
    blocked = person("bloque@exemple.org")
    assert blocked.status == "unsubscribed"
    assert (blocked.first_name, blocked.last_name) == ("Jean-Pierre", "de La Fontaine")
    assert person("solo@exemple.org").first_name == "Prince"
    upper = person("nom.majuscules@exemple.org")
    assert (upper.first_name, upper.last_name) == ("Anne-Sophie", "DUPUIS")


def test_mailman_members_output_and_postorius_list(app):
    report = run("mailman_members.txt")
    assert report.format == "mailman" and report.created == 4 and report.errors == []
    assert (person("anne@exemple.org").first_name, person("anne@exemple.org").last_name) == (
        "Anne",
        "Person",
    )
    bernard = person("bernard@exemple.org")
    assert (bernard.first_name, bernard.last_name) == ("Bernard", "Dupont")
    assert person("elodie@exemple.org").last_name == "Château"
    assert person("cecile@exemple.org").first_name == ""
    again = run("postorius_members.csv")
    assert again.format == "mailman" and (again.created, again.unchanged) == (0, 3)


def test_google_contacts_export(app):
    report = run("google_contacts.csv")
    assert report.format == "google" and report.created == 2, report.errors
    sophie = person("sophie.martin@exemple.org")
    assert (sophie.first_name, sophie.last_name) == ("Sophie", "Martin")
    assert sophie.territory_code == "93" and sophie.organisation == "Collectif 93"
    jan = person("jan.peeters@exemple.be")  # Brussels 1000, BE: not Ain
    assert jan.territory_code is None and jan.region_code is None


def test_french_excel_file(app):
    report = run("excel_fr.csv")
    assert report.format == "csv"
    assert (report.created, report.departed, report.merged, report.invalid) == (2, 1, 1, 1)
    gerard = person("gerard.lenoir@exemple.org")
    assert gerard.organisation == "Secours d'à côté" and gerard.territory_code == "22"
    assert person("desinscrite@exemple.org").status == "unsubscribed"
    assert person("belge@exemple.be").territory_code is None
    [(line, reason)] = report.errors
    assert line == 5 and "adresse" in reason.lower()


def test_english_spreadsheet_with_regions(app):
    report = run("spreadsheet_en.csv")
    assert report.created == 2
    nora = person("nora@exemple.org")
    assert nora.region_code == "R76" and nora.language == "en"
    assert nora.organisation == 'Friends of "CIS-free" towns'
    assert person("yann@exemple.org").region_code == "R53"


def test_from_overrides_the_guess(app, runner):
    result = runner.invoke(
        args=["subscribers", "import", str(DATA / "postorius_members.csv"), "--from", "google"]
    )
    assert result.exit_code != 0 and "email" in result.output.lower()
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
    ok = runner.invoke(
        args=["subscribers", "import", str(DATA / "mailman_members.txt"), "--from", "mailman"]
    )
    assert ok.exit_code == 0 and "format: mailman" in ok.output


@pytest.mark.parametrize(
    ("written", "first", "last"),
    [
        ("Marie Dupont", "Marie", "Dupont"),
        ("DUPONT Marie", "Marie", "DUPONT"),
        ("Marie DUPONT", "Marie", "DUPONT"),
        ("Dupont, Marie", "Marie", "Dupont"),
        ("Jean-Pierre de La Fontaine", "Jean-Pierre", "de La Fontaine"),
        ("Jeanne d'Arc", "Jeanne", "d'Arc"),
        ("Marie Claire Martin", "Marie Claire", "Martin"),
        ("Prince", "Prince", ""),
        ("  ", "", ""),
    ],
)
def test_split_name(written, first, last):
    assert split_name(written) == (first, last)


def test_the_offered_sample_file_imports_as_it_says(admin_client, app, tmp_path):
    response = admin_client.get("/admin/subscribers/import/sample.csv")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    path = tmp_path / "exemple-import.csv"
    path.write_bytes(response.data)
    report = import_csv(path, ImportOptions())
    assert (report.created, report.departed, report.errors) == (3, 1, [])
    assert person("lea.dupont@exemple.org").region_code == "R84"
    assert person("jan.peeters@exemple.be").territory_code is None
    assert person("parti@exemple.org").status == "unsubscribed"
