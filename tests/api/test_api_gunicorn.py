"""The API through a real gunicorn process on a loopback port: a token lists subscribers,
no token gets a problem+json 401."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cac_news.extensions import db
from tests.api_helpers import new_token
from tests.fixtures.database import free_port
from tests.site.test_proxy import wait_until_answering

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def gunicorn_port(app, tmp_path):
    """gunicorn serving the test database; yields its port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAC_NEWS_")}
    settings = {
        "SQLALCHEMY_DATABASE_URI": db.engine.url.render_as_string(hide_password=False),
        "SECRET_KEY": "api-gunicorn-test-secret-key-0123456789",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SITE_URL": f"http://127.0.0.1:{port}",
    }
    env.update({f"CAC_NEWS_{k}": v for k, v in settings.items()})
    db.session.commit()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "-w", "2", "app:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_answering(port, process, "gunicorn")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def call(port: int, path: str, headers: dict | None = None) -> tuple[int, str, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    return response.status, response.getheader("Content-Type"), body


def test_list_call_with_a_token_through_gunicorn(gunicorn_port, make_subscriber):
    port = gunicorn_port
    people = [make_subscriber(email=f"g{n}@exemple.org", territory_code="35") for n in range(3)]
    make_subscriber(email="ailleurs@exemple.org", territory_code="75")
    secret = new_token("read", name="gunicorn")
    headers = {"Authorization": f"Bearer {secret}"}
    status, content_type, body = call(port, "/api/v1/subscribers?limit=2&territory=35", headers)
    assert status == 200 and content_type == "application/json"
    assert [item["id"] for item in body["data"]] == [p.id for p in people[:2]]
    assert body["next"].startswith(f"http://127.0.0.1:{port}/api/v1/subscribers?")
    path = body["next"].split(str(port), 1)[1]
    status, _type, body = call(port, path, headers)
    assert status == 200 and [item["email"] for item in body["data"]] == ["g2@exemple.org"]
    assert body["next"] is None
    status, content_type, body = call(port, "/api/v1/subscribers")
    assert status == 401 and content_type == "application/problem+json"
    assert body["errors"][0]["field"] == "Authorization"
