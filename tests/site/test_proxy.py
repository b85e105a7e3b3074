"""A real gunicorn behind Debian's nginx, as deployed: with TRUSTED_PROXIES=1, login
rate limits key on the real client (X-Forwarded-For set by nginx, not the proxy's
address, nor a header the client forges), and generated links stay on SITE_URL.

Clients are told apart by their source address: Linux routes all of 127.0.0.0/8 to
loopback, so connecting from 127.0.0.2 and 127.0.0.3 gives nginx two real clients.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from cac_news.extensions import db
from tests.fixtures.database import free_port

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = pytest.mark.slow

NGINX_CONF = """
daemon off;
master_process off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port} default_server;
        server_name lettre.example.org;
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
        }}
    }}
}}
"""


class Visitor:
    """An HTTP client connecting from its own loopback address, keeping its cookies."""

    def __init__(self, port: int, source: str) -> None:
        self.port, self.source, self.cookies = port, source, {}

    def request(self, method: str, path: str, form=None, headers=None):
        """One request through nginx; returns (status, headers, body)."""
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=15, source_address=(self.source, 0)
        )
        all_headers = {"Host": "lettre.example.org", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, response.headers, text

    def failed_login(self, email: str, headers=None) -> int:
        """Try a wrong password with a real CSRF token; the answer's status."""
        _, _, page = self.request("GET", "/login", headers=headers)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        status, _, _ = self.request(
            "POST",
            "/login",
            {"csrf_token": token, "email": email, "password": "mauvais-mdp"},
            headers,
        )
        return status


def wait_until_answering(port: int, process: subprocess.Popen, name: str) -> None:
    """Wait for a TCP server to accept connections, or fail with its output."""
    deadline = time.monotonic() + 30
    while True:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=2).connect()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"{name} did not start: {process.stdout.read()}")
            time.sleep(0.1)


@pytest.fixture
def proxied_site(app, tmp_path):
    """gunicorn serving the test database, behind nginx; yields nginx's port."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: apt-get install nginx-light (tools/system-deps.sh)")
    upstream, port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAC_NEWS_")}
    settings = {
        "SQLALCHEMY_DATABASE_URI": db.engine.url.render_as_string(hide_password=False),
        "SECRET_KEY": "proxy-test-secret-key-0123456789abcdef",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SITE_URL": "https://lettre.example.org",
        "TRUSTED_PROXIES": "1",
        "LOGIN_RATE_LIMIT_IP": "3 per 5 minutes",
    }
    env.update({f"CAC_NEWS_{k}": v for k, v in settings.items()})
    db.session.commit()
    gunicorn = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{upstream}", "-w", "1", "app:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp_path, port=port, upstream=upstream))
    nginx = subprocess.Popen(  # noqa: S603
        [NGINX, "-c", str(conf), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_answering(upstream, gunicorn, "gunicorn")
        wait_until_answering(port, nginx, "nginx")
        yield port
    finally:
        for process in (nginx, gunicorn):
            process.terminate()
            process.wait(timeout=20)


def test_login_limit_keys_on_the_real_client_behind_nginx(proxied_site):
    attacker = Visitor(proxied_site, "127.0.0.2")
    for index in range(3):
        assert attacker.failed_login(f"inconnu{index}@example.org") == 200
    assert attacker.failed_login("encore@example.org") == 429
    # A forged X-Forwarded-For does not buy a fresh address: nginx appends the real one.
    forged = {"X-Forwarded-For": "203.0.113.9"}
    assert attacker.failed_login("x@example.org", forged) == 429
    # Another client behind the same proxy is not held by the attacker's failures.
    neighbour = Visitor(proxied_site, "127.0.0.3")
    assert neighbour.failed_login("voisine@example.org") == 200


def test_generated_links_stay_on_site_url_whatever_the_host(proxied_site):
    visitor = Visitor(proxied_site, "127.0.0.4")
    status, _, page = visitor.request(
        "GET", "/", headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    )
    assert status == 200
    assert 'property="og:url" content="https://lettre.example.org/"' in page
    assert "evil.example" not in page
    status, headers, _ = visitor.request("GET", "/admin/", headers={"Host": "evil.example"})
    assert status == 302
    assert "evil.example" not in headers["Location"]
    # HSTS because SITE_URL is https, even though nginx spoke plain http on loopback.
    assert headers["Strict-Transport-Security"].startswith("max-age=")
