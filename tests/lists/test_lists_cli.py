"""`flask lists create|add-members|deliver`: sysexits codes an MTA's pipe understands."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cac_news import create_app
from cac_news.extensions import db
from cac_news.lists import manage
from cac_news.models import ListMember, ListPost, SubscriptionEvent
from tests.fixtures.database import base_config
from tests.lists_helpers import LIST_CONFIG, make_list, message


@pytest.fixture
def config_overrides():
    return dict(LIST_CONFIG)


def test_create_and_add_members_by_mode_with_the_consent_recorded(runner, make_subscriber):
    ana = make_subscriber(email="ana@example.net", modes=["groupe-de-travail"])
    make_subscriber(email="bob@example.net", modes=["groupe-de-travail"], status="unsubscribed")
    make_subscriber(email="chloe@example.net", modes=["information"])
    result = runner.invoke(
        args=["lists", "create", "Groupe de travail", "--address", "gt", "--mode",
              "groupe-de-travail", "--policy", "members", "--archive", "public"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "gt@example.org" in result.output
    mailing_list = manage.find("gt")
    assert mailing_list.subject_prefix == "[Groupe de travail]"
    assert mailing_list.mode_slugs == "groupe-de-travail"

    result = runner.invoke(
        args=["lists", "add-members", "gt", "--mode", "groupe-de-travail",
              "--consent", "Réunion du 3 mars"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 members added" in result.output  # the unsubscribed one is not
    member = db.session.scalar(select(ListMember))
    assert (member.subscriber_id, member.status, member.consent_source) == (
        ana.id,
        "active",
        "pilot",
    )
    assert member.consent_text == "Réunion du 3 mars"
    event = db.session.scalar(
        select(SubscriptionEvent).where(
            SubscriptionEvent.subscriber_id == ana.id, SubscriptionEvent.kind == "consent"
        )
    )
    assert "Réunion du 3 mars" in event.detail and event.source == "pilot"


def test_add_members_refuses_an_address_that_is_not_an_active_subscriber(runner, make_subscriber):
    make_list(make_subscriber, people=["ana@example.net"])
    make_subscriber(email="gone@example.net", status="unsubscribed")
    result = runner.invoke(
        args=["lists", "add-members", "GT", "gone@example.net", "--consent", "AG 2026"]
    )
    assert result.exit_code != 0
    assert "gone@example.net" in result.output
    assert db.session.scalar(select(ListMember).where(ListMember.subscriber_id != 1)) is None


def test_create_refuses_an_address_on_another_domain(runner):
    result = runner.invoke(args=["lists", "create", "GT", "--address", "gt@elsewhere.example"])
    assert result.exit_code != 0
    assert "example.org" in result.output
    assert manage.all_lists() == []


def test_deliver_accepts_a_post_and_answers_67_for_an_unknown_list(runner, make_subscriber):
    make_list(make_subscriber)
    ok = runner.invoke(
        args=["lists", "deliver", "--recipient", "gt@example.org"], input=message(subject="Hop")
    )
    assert ok.exit_code == 0, ok.output
    assert db.session.scalar(select(ListPost.subject)) == "Hop"
    unknown = runner.invoke(
        args=["lists", "deliver", "--recipient", "nope@example.org"], input=message()
    )
    assert unknown.exit_code == 67
    assert db.session.scalar(select(ListPost).where(ListPost.subject != "Hop")) is None


def test_deliver_answers_75_when_the_database_is_down(tmp_path):
    unreadable = tmp_path / "missing-folder" / "cac_news.db"  # its folder does not exist
    app = create_app(
        {**base_config(tmp_path / "instance", f"sqlite:///{unreadable}"), **LIST_CONFIG}
    )
    result = app.test_cli_runner().invoke(
        args=["lists", "deliver", "--recipient", "gt@example.org"], input=message()
    )
    assert result.exit_code == 75
    assert "temporary" in result.output


def test_deliver_answers_75_when_postgresql_is_down(tmp_path):
    """A PostgreSQL URI on a port nothing listens on: refused at once, retried by the MTA."""
    from tests.fixtures.database import free_port

    uri = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"
    app = create_app({**base_config(tmp_path / "instance", uri), **LIST_CONFIG})
    result = app.test_cli_runner().invoke(
        args=["lists", "deliver", "--recipient", "gt@example.org"], input=message()
    )
    assert result.exit_code == 75


def test_deliver_drops_a_bounce_passed_as_mailer_daemon(runner, make_subscriber):
    make_list(make_subscriber)
    result = runner.invoke(
        args=["lists", "deliver", "--recipient", "gt@example.org", "--sender", "MAILER-DAEMON"],
        input=message(subject="Undelivered"),
    )
    assert result.exit_code == 0
    post = db.session.scalar(select(ListPost))
    assert (post.status, post.hold_reason) == ("dropped", "bounce")
