"""Admin edit and delete respect consent: no reactivation by a pilot, delete is erasure."""

from pathlib import Path

import pytest
from sqlalchemy import String, Text, cast, func, or_, select

from cac_news.extensions import db
from cac_news.models import OutboxMail, Subscriber
from tests.bounce_helpers import sent_delivery

DATA = Path(__file__).parents[1] / "data" / "bounces"
ADDRESS = "jeanne.martin@example.org"  # the recipient of the Postfix bounce sample


def edit_form(subscriber, **overrides):
    data = {
        "email": subscriber.email,
        "first_name": subscriber.first_name,
        "last_name": subscriber.last_name,
        "organisation": "",
        "territory_code": "",
        "language": "fr",
        "status": subscriber.status,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("left", ["unsubscribed", "bounced", "complained"])
@pytest.mark.parametrize("wanted", ["active", "pending"])
def test_a_pilot_cannot_bring_back_a_person_who_left(admin_client, make_subscriber, left, wanted):
    subscriber = make_subscriber(status=left)
    events_before = len(subscriber.events)
    response = admin_client.post(
        f"/admin/subscribers/{subscriber.id}/edit",
        data=edit_form(subscriber, status=wanted, first_name="Autre"),
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "seule sa propre confirmation" in page
    assert "Envoyer une invitation à confirmer de nouveau" in page
    db.session.expire_all()
    kept = db.session.get(Subscriber, subscriber.id)
    assert kept.status == left and kept.first_name == "Camille"
    assert len(kept.events) == events_before


def test_a_pilot_can_still_record_a_departure(admin_client, make_subscriber):
    subscriber = make_subscriber(status="active")
    response = admin_client.post(
        f"/admin/subscribers/{subscriber.id}/edit",
        data=edit_form(subscriber, status="unsubscribed"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Subscriber, subscriber.id).status == "unsubscribed"


def rows_mentioning(*needles: str) -> list[tuple[str, str]]:
    """Every (table, column) of every table whose text holds one of the needles."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text):
                continue
            text = func.lower(cast(column, Text))
            hit = db.session.scalar(
                select(func.count())
                .select_from(table)
                .where(or_(*(text.contains(needle.lower()) for needle in needles)))
            )
            if hit:
                found.append((table.name, column.name))
    return found


def test_delete_erases_everywhere_and_import_does_not_bring_back(
    app, admin_client, runner, make_subscriber, tmp_path
):
    app.config["VERP_ENABLED"] = True
    subscriber = make_subscriber(email=ADDRESS, first_name="Zéphyrine", last_name="Quillebeuf")
    sent_delivery(subscriber, delivery_id=42)
    result = runner.invoke(
        args=["bounces", "process", "-"], input=(DATA / "postfix_user_unknown.eml").read_bytes()
    )
    assert result.exit_code == 0, result.output
    db.session.add(OutboxMail(kind="confirm", email=ADDRESS, payload='{"first_name": "Zéphyrine"}'))
    db.session.commit()
    assert rows_mentioning(ADDRESS, "Quillebeuf")  # the search does see them before

    subscriber_id = db.session.scalar(select(Subscriber.id).where(Subscriber.email == ADDRESS))
    page = admin_client.get(f"/admin/subscribers/{subscriber_id}").get_data(as_text=True)
    assert "suppression" in page.lower()
    response = admin_client.post(f"/admin/subscribers/{subscriber_id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert rows_mentioning(ADDRESS, "Zéphyrine", "Quillebeuf") == []

    csv = tmp_path / "list.csv"
    csv.write_text(f"email,first_name\n{ADDRESS},Zéphyrine\n", encoding="utf-8")
    result = runner.invoke(args=["subscribers", "import", str(csv), "--status", "active"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(Subscriber).where(Subscriber.email == ADDRESS)) is None


def test_reconfirmation_invitation_over_smtp(
    app, admin_client, client, smtp_server, make_subscriber
):
    from tests.audience.test_subscription import confirm_from_mail
    from tests.engine_helpers import run_worker

    subscriber = make_subscriber(email="revient@exemple.org", status="unsubscribed")
    response = admin_client.post(
        f"/admin/subscribers/{subscriber.id}/reconfirm",
        headers={"Accept-Language": "fr"},
        follow_redirects=True,
    )
    assert "invitation à confirmer de nouveau sera envoyée" in response.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.get(Subscriber, subscriber.id)
    assert kept.status == "unsubscribed"
    assert [e.kind for e in kept.events][-1] == "reconfirm"
    run_worker(app)
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["revient@exemple.org"]
    path = confirm_from_mail(client, mail)
    db.session.expire_all()
    assert db.session.get(Subscriber, subscriber.id).status == "unsubscribed"  # GET: nothing
    assert client.post(path).status_code == 200
    db.session.expire_all()
    assert db.session.get(Subscriber, subscriber.id).status == "active"


def test_reconfirmation_respects_the_daily_allowance(app, admin_client, make_subscriber):
    app.config["TRANSACTIONAL_DAILY_ALLOWANCE"] = 0
    subscriber = make_subscriber(email="revient@exemple.org", status="bounced")
    page = admin_client.post(
        f"/admin/subscribers/{subscriber.id}/reconfirm",
        headers={"Accept-Language": "fr"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "réessayez demain" in page
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0


def test_an_active_person_is_not_invited(admin_client, make_subscriber):
    subscriber = make_subscriber(status="active")
    admin_client.post(f"/admin/subscribers/{subscriber.id}/reconfirm")
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0


def test_history_is_in_french(admin_client, make_subscriber):
    subscriber = make_subscriber(status="unsubscribed")
    admin_client.post(f"/admin/subscribers/{subscriber.id}/reconfirm")
    page = admin_client.get(
        f"/admin/subscribers/{subscriber.id}", headers={"Accept-Language": "fr"}
    ).get_data(as_text=True)
    history = page[page.index("<h2>Historique</h2>") :]
    assert "Invitation à confirmer de nouveau" in history and "Pilote" in history
    assert "<td>reconfirm</td>" not in history and "<td>pilot</td>" not in history


def test_a_pilot_cannot_recreate_an_erased_person(admin_client, make_subscriber):
    from cac_news.audience.rights import erase

    erase(make_subscriber(email="parti@exemple.org"))
    data = {"email": "parti@exemple.org", "first_name": "Léa", "last_name": "Petit"}
    data.update(organisation="", territory_code="", language="fr", status="active")
    response = admin_client.post(
        "/admin/subscribers/new", data=data, headers={"Accept-Language": "fr"}
    )
    assert response.status_code == 200
    assert "a demandé son effacement" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
