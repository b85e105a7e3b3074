"""Configuration: defaults, instance file, CAC_NEWS_* variables, and the secret key rule."""

import pytest

from cac_news import create_app


def test_missing_secret_key_is_a_clear_startup_error(tmp_path, monkeypatch):
    monkeypatch.delenv("CAC_NEWS_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("CAC_NEWS_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app()


def test_instance_file_then_environment_override_defaults(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text(
        'SECRET_KEY = "from-file"\nSITE_URL = "https://lettre.example.org"\nSEND_RATE = 5\n'
    )
    monkeypatch.delenv("CAC_NEWS_SQLALCHEMY_DATABASE_URI", raising=False)
    monkeypatch.setenv("CAC_NEWS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CAC_NEWS_SEND_RATE", "12")
    monkeypatch.setenv("CAC_NEWS_MAIL_SERVER", "smtp.example.org")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-file"
    assert app.config["SEND_RATE"] == 12  # environment wins, parsed as JSON
    assert app.config["MAIL_SERVER"] == "smtp.example.org"
    assert app.config["MAIL_PORT"] == 8025  # default: the local mail catcher
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'cac_news.db'}"
    # https site: the session cookie is only sent over TLS
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_plain_http_site_does_not_mark_cookies_secure(app):
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_session_cookie_flags_on_login(client, admin):
    response = client.post(
        "/login", data={"email": admin.email, "password": "correct horse battery"}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
