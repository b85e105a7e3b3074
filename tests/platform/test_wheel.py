"""The wheel as a deployer gets it: built from the checkout, installed in a fresh venv,
run with `cac-news` from a folder that is not the checkout — migrations, a pilot login
in French through gunicorn (`cac-news serve`), and a letter sent to a real SMTP server."""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.fixtures.database import free_port
from tests.fixtures.mail import SMTPRecorder

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def run(command: list[str], cwd: Path, env: dict, stdin: str = "") -> str:
    """Run a command, fail with its output when it fails, return its output."""
    result = subprocess.run(  # noqa: S603
        command, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{command}: {result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv (outside the checkout) with the wheel built from the checkout."""
    base = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAC_NEWS_", "PYTHON"))}
    build_log = run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-w", str(base / "dist")],
        cwd=base,
        env=env,
    )
    assert "deprecat" not in build_log.lower(), build_log
    (wheel,) = (base / "dist").glob("cac_news-*.whl")
    run([sys.executable, "-m", "venv", str(base / "venv")], cwd=base, env=env)
    run([str(base / "venv/bin/pip"), "install", "-q", str(wheel)], cwd=base, env=env)
    return base / "venv"


def test_installed_wheel_migrates_logs_in_in_french_and_sends(installed, tmp_path):
    site = tmp_path / "site"  # a deployer's folder: instance/ is created here
    site.mkdir()
    recorder = SMTPRecorder()
    smtp = Controller(recorder, hostname="127.0.0.1", port=free_port())
    smtp.start()
    web_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAC_NEWS_", "PYTHON"))}
    env.update(
        {
            "CAC_NEWS_SECRET_KEY": "a-long-secret-key-for-the-wheel-test-0123456789",
            "CAC_NEWS_SITE_URL": f"http://127.0.0.1:{web_port}",
            "CAC_NEWS_MAIL_SERVER": "127.0.0.1",
            "CAC_NEWS_MAIL_PORT": str(smtp.port),
            "CAC_NEWS_MAIL_FROM": "Lettre CAC <lettre@example.org>",
        }
    )
    cac_news = str(installed / "bin/cac-news")
    python = str(installed / "bin/python")
    server = None
    try:
        where = run([python, "-c", "import cac_news; print(cac_news.__file__)"], site, env)
        assert str(installed) in where and str(ROOT) not in where

        run([cac_news, "db", "upgrade"], site, env)
        assert (site / "instance" / "cac_news.db").is_file()
        run(
            [cac_news, "pilots", "create", "pilote@example.org", "--name", "Paule Pilote"],
            site,
            env,
            stdin="motdepasse-solide-42\nmotdepasse-solide-42\n",
        )

        server = subprocess.Popen(  # noqa: S603
            [cac_news, "serve", "--bind", f"127.0.0.1:{web_port}", "--workers", "1"],
            cwd=site,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        base_url = f"http://127.0.0.1:{web_port}"
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        login_page = wait_for_page(opener, f"{base_url}/login", server)
        assert "Connexion des pilotes" in login_page and "Se connecter" in login_page
        assert 'lang="fr"' in login_page
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
        assert token, login_page
        form = urllib.parse.urlencode(
            {
                "csrf_token": token.group(1),
                "email": "pilote@example.org",
                "password": "motdepasse-solide-42",
            }
        ).encode()
        with opener.open(f"{base_url}/login", data=form, timeout=10) as response:
            dashboard = response.read().decode()
            assert response.url.rstrip("/").endswith("/admin")
        assert "Se déconnecter" in dashboard
        with opener.open(f"{base_url}/static/vendor/htmx/htmx.min.js", timeout=10) as response:
            assert response.status == 200

        csv_path = site / "abonnes.csv"
        csv_path.write_text("E-Mail;Prénom;NOM\nlea@exemple.org;Léa;Dupont\n", encoding="utf-8")
        run([cac_news, "subscribers", "import", str(csv_path)], site, env)
        body = site / "lettre.md"
        body.write_text("Bonjour à toutes et à tous.\n", encoding="utf-8")
        output = run(
            [cac_news, "newsletters", "create", "--subject", "Lettre n°1", "--body", str(body)],
            site,
            env,
        )
        newsletter_id = output.strip().splitlines()[-1]
        run([cac_news, "newsletters", "send", newsletter_id], site, env)
        run([cac_news, "worker", "--until-idle"], site, env)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        smtp.stop()

    assert len(recorder.messages) == 1
    received = recorder.messages[0]
    assert received.rcpt_tos == ["lea@exemple.org"]
    message = BytesParser(policy=policy.default).parsebytes(received.data)
    assert message["Subject"] == "Lettre n°1"
    text = message.get_body(("plain",)).get_content()
    assert "Bonjour à toutes et à tous." in text
    assert "désinscri" in text.lower()  # the French footer, from the compiled catalogue


def wait_for_page(opener, url: str, server: subprocess.Popen) -> str:
    """GET url once gunicorn answers, or fail with its output."""
    deadline = time.monotonic() + 60
    while True:
        try:
            with opener.open(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"cac-news serve did not answer: {server.stdout.read()}")
            time.sleep(0.2)
