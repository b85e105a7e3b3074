"""The shipped deployment files are valid for the real tools: systemd, nginx and Caddy."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
INSTALLED_COMMAND = "/srv/cac-news/venv/bin/cac-news"


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: tools/system-deps.sh installs it"
    return path


def test_systemd_units_verify(tmp_path):
    """`systemd-analyze verify` on every unit, the app's command replaced by a stand-in
    at a temporary path (the units name the installed path, which this machine lacks)."""
    analyze = _tool("systemd-analyze")
    stand_in = tmp_path / "cac-news"
    stand_in.write_text("#!/bin/sh\nexit 0\n")
    stand_in.chmod(0o755)
    units = sorted((DEPLOY / "systemd").glob("*.*"))
    assert {u.suffix for u in units} == {".service", ".timer"}
    for unit in units:
        text = unit.read_text().replace(INSTALLED_COMMAND, str(stand_in))
        (tmp_path / unit.name).write_text(text)
    result = subprocess.run(
        [analyze, "verify", *[str(tmp_path / u.name) for u in units]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        # This machine has no "cac-news" account and no running systemd; neither is the
        # units' fault.
        if line.strip()
        and "cac-news' not found" not in line
        and "System has not been booted with systemd" not in line
        and "Failed to connect to bus" not in line
    ]
    assert problems == [], "\n".join(problems)
    assert (
        "ExecStart=" + INSTALLED_COMMAND + " worker"
        in (DEPLOY / "systemd/cac-news-worker.service").read_text()
    )


def test_nginx_site_block_passes_nginx_t(tmp_path):
    """The site block, inside a minimal http context, passes `nginx -t`."""
    nginx = _tool("nginx")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=lettre.example.org", "-keyout", str(tmp_path / "key.pem"),
         "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    site = (DEPLOY / "nginx/cac-news.conf").read_text()
    site = site.replace(
        "/etc/letsencrypt/live/lettre.example.org/fullchain.pem", str(tmp_path / "cert.pem")
    ).replace("/etc/letsencrypt/live/lettre.example.org/privkey.pem", str(tmp_path / "key.pem"))
    site = site.replace("/var/log/nginx/", str(tmp_path) + "/")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{\n  access_log {tmp_path}/access.log;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
         "-e", str(tmp_path / "error.log")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "proxy_set_header X-Forwarded-For $remote_addr" in site


def test_caddyfile_validates(tmp_path):
    """`caddy validate` accepts the Caddyfile (log path moved to a temporary folder)."""
    caddy = _tool("caddy")
    text = (DEPLOY / "caddy/Caddyfile").read_text()
    text = text.replace("/var/log/caddy/", str(tmp_path) + "/")
    (tmp_path / "Caddyfile").write_text(text)
    result = subprocess.run(
        [caddy, "validate", "--adapter", "caddyfile", "--config", str(tmp_path / "Caddyfile")],
        capture_output=True, text=True, timeout=60,
        env={"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("unit", ["cac-news-web.service", "cac-news-worker.service"])
def test_units_keep_the_instance_writable_and_nothing_else(unit):
    text = (DEPLOY / "systemd" / unit).read_text()
    assert "ProtectSystem=strict" in text
    assert "ReadWritePaths=/srv/cac-news/instance" in text
