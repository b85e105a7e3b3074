"""Admin subscriber pages: create, edit, delete, validation, search, filters, pagination."""

from sqlalchemy import func, select

from cac_news.extensions import db
from cac_news.models import ParticipationMode, Subscriber


def mode_id(slug: str) -> int:
    return db.session.scalar(select(ParticipationMode.id).where(ParticipationMode.slug == slug))


def form(**overrides):
    data = {
        "email": "Lea.Petit@Exemple.ORG",
        "first_name": "Léa",
        "last_name": "Petit",
        "organisation": "Centre social",
        "territory_code": "93",
        "language": "fr",
        "status": "active",
        "mode_ids": [mode_id("relais-local"), mode_id("information")],
    }
    data.update(overrides)
    return data


def count_subscribers() -> int:
    return db.session.scalar(select(func.count()).select_from(Subscriber))


def test_create_normalises_and_records_consent_and_events(admin_client, admin):
    response = admin_client.post("/admin/subscribers/new", data=form())
    assert response.status_code == 302
    subscriber = db.session.scalar(select(Subscriber))
    assert subscriber.email == "lea.petit@exemple.org"
    assert subscriber.territory_code == "93"
    assert {m.slug for m in subscriber.modes} == {"relais-local", "information"}
    assert subscriber.status == "active"
    assert subscriber.consent_source == "pilot" and subscriber.consent_detail == admin.email
    assert [(e.old_status, e.new_status) for e in subscriber.events] == [
        (None, "pending"),
        ("pending", "active"),
    ]
    detail = admin_client.get(response.headers["Location"]).data.decode()
    assert "lea.petit@exemple.org" in detail and "Alice Admin" in detail


def test_bad_input_names_the_field_and_writes_nothing(admin_client, make_subscriber):
    make_subscriber(email="taken@exemple.org")
    cases = {
        "email": form(email="not an address"),
        "territory_code": form(territory_code="99"),
        "first_name": form(first_name="x" * 101),
    }
    for field, data in cases.items():
        response = admin_client.post("/admin/subscribers/new", data=data)
        assert response.status_code == 200
        page = response.data.decode()
        assert f'id="{field}-error"' in page, field
        assert f'id="{field}"' in page and 'aria-invalid="true"' in page
    duplicate = admin_client.post("/admin/subscribers/new", data=form(email="TAKEN@exemple.org"))
    assert 'id="email-error"' in duplicate.data.decode()
    empty = admin_client.post("/admin/subscribers/new", data=form(email=""))
    assert 'id="email-error"' in empty.data.decode()
    assert count_subscribers() == 1


def test_a_region_is_not_a_subscriber_territory(admin_client):
    response = admin_client.post("/admin/subscribers/new", data=form(territory_code="R11"))
    assert 'id="territory_code-error"' in response.data.decode()
    assert count_subscribers() == 0


def test_edit_logs_changes_and_status(admin_client, make_subscriber):
    subscriber = make_subscriber(email="camille@exemple.org", territory_code="75")
    response = admin_client.post(
        f"/admin/subscribers/{subscriber.id}/edit",
        data=form(email="camille@exemple.org", status="unsubscribed", territory_code="2A"),
    )
    assert response.status_code == 302
    db.session.refresh(subscriber)
    assert subscriber.territory_code == "2A" and subscriber.status == "unsubscribed"
    kinds = [(e.kind, e.new_status) for e in subscriber.events]
    assert ("profile", None) in kinds and ("status", "unsubscribed") in kinds


def test_edit_with_a_taken_email_changes_nothing(admin_client, make_subscriber):
    make_subscriber(email="first@exemple.org")
    second = make_subscriber(email="second@exemple.org", organisation="Avant")
    response = admin_client.post(
        f"/admin/subscribers/{second.id}/edit",
        data=form(email="first@exemple.org", organisation="Après"),
    )
    assert 'id="email-error"' in response.data.decode()
    db.session.expire_all()
    again = db.session.get(Subscriber, second.id)
    assert again.email == "second@exemple.org" and again.organisation == "Avant"


def test_delete(admin_client, make_subscriber):
    subscriber_id = make_subscriber().id
    assert admin_client.post(f"/admin/subscribers/{subscriber_id}/delete").status_code == 302
    assert count_subscribers() == 0
    assert admin_client.get(f"/admin/subscribers/{subscriber_id}").status_code == 404


def test_search_and_filters(admin_client, make_subscriber):
    make_subscriber(
        email="a@exemple.org", first_name="Élodie", territory_code="13", modes=["relais-local"]
    )
    make_subscriber(
        email="b@exemple.org",
        organisation="Ligue",
        territory_code="75",
        modes=["information"],
        status="unsubscribed",
    )
    make_subscriber(email="c@exemple.org", territory_code="2B", modes=["pilote"])

    def emails(query: str) -> set[str]:
        page = admin_client.get(f"/admin/subscribers/?{query}").data.decode()
        return {e for e in ("a@exemple.org", "b@exemple.org", "c@exemple.org") if e in page}

    assert emails("q=elodie") == {"a@exemple.org"}  # accent-insensitive
    assert emails("q=LIGUE") == {"b@exemple.org"}
    assert emails("q=%25") == set()  # a LIKE wildcard is searched literally
    assert emails("status=unsubscribed") == {"b@exemple.org"}
    assert emails(f"mode={mode_id('pilote')}") == {"c@exemple.org"}
    assert emails("territory=R94") == {"c@exemple.org"}  # a région means its départements
    assert emails("territory=R93&status=active") == {"a@exemple.org"}
    assert emails("territory=13") == {"a@exemple.org"}
    assert emails("territory=nowhere") == {"a@exemple.org", "b@exemple.org", "c@exemple.org"}


def test_pagination_loads_one_page(app, admin_client, make_subscriber):
    app.config["ADMIN_PAGE_SIZE"] = 2
    for index in range(5):
        make_subscriber(email=f"p{index}@exemple.org")
    first = admin_client.get("/admin/subscribers/").data.decode()
    assert "p4@exemple.org" in first and "p3@exemple.org" in first
    assert "p2@exemple.org" not in first
    last = admin_client.get("/admin/subscribers/?page=3").data.decode()
    assert "p0@exemple.org" in last and "p1@exemple.org" not in last
    beyond = admin_client.get("/admin/subscribers/?page=999").data.decode()
    assert "p0@exemple.org" in beyond  # clamped to the last page
    odd = admin_client.get("/admin/subscribers/?page=abc")
    assert odd.status_code == 200


def test_dashboard_counts(admin_client, make_subscriber):
    make_subscriber(territory_code="75", modes=["pilote"])
    make_subscriber(territory_code="93", modes=["pilote"])
    make_subscriber(territory_code="13", status="pending")
    page = admin_client.get("/admin/").data.decode()
    from cac_news.audience import queries

    assert queries.counts_by_status() == {"active": 2, "pending": 1}
    regions = {code: n for code, _name, n in queries.active_counts_by_region()}
    assert regions["R11"] == 2 and regions["R93"] == 0
    modes = {mode.slug: n for mode, n in queries.active_counts_by_mode()}
    assert modes["pilote"] == 2
    assert "Île-de-France" in page


def test_pilot_management_by_an_admin(admin_client, admin):
    created = admin_client.post(
        "/admin/pilots/new",
        data={
            "email": "ed@exemple.org",
            "name": "Ed",
            "role": "editor",
            "active": "y",
            "password": "long enough pw",
        },
    )
    assert created.status_code == 302
    short = admin_client.post(
        "/admin/pilots/new",
        data={"email": "ed2@exemple.org", "name": "Ed", "role": "editor", "password": "short"},
    )
    assert 'id="password-error"' in short.data.decode()
    # The last admin cannot demote themselves.
    demote = admin_client.post(
        f"/admin/pilots/{admin.id}/edit",
        data={"email": admin.email, "name": admin.name, "role": "editor", "active": "y"},
    )
    assert 'id="role-error"' in demote.data.decode()
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_modes_are_editable(admin_client):
    admin_client.post("/admin/modes/", data={"name": "Expert·e associé·e"})
    mode = db.session.scalar(
        select(ParticipationMode).where(ParticipationMode.slug == "expert-e-associe-e")
    )
    assert mode is not None
    admin_client.post(f"/admin/modes/{mode.id}/edit", data={"name": "Expert·e"})
    db.session.refresh(mode)
    assert mode.name == "Expert·e" and mode.slug == "expert-e-associe-e"
    duplicate = admin_client.post("/admin/modes/", data={"name": "Pilote"})
    assert 'id="name-error"' in duplicate.data.decode()
