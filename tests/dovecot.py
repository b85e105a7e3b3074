"""A real Dovecot IMAP server for tests: a minimal config, started with `dovecot -F`.

Dovecot refuses to give mail access to uid 0 and its login process refuses to run as
root; so when the tests run as root the server's tree is a private directory owned by
`nobody` (pytest's tmp_path sits under a 0700 folder only root may enter), and the login
and internal processes run as Debian's `dovenull` and `dovecot` users.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.fixtures.database import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "bounces", "imap-test-password"


@dataclass
class Dovecot:
    """A running server: where it listens, and the Maildir of its one user."""

    port: int
    root: Path
    uid: int
    gid: int

    @property
    def maildir(self) -> Path:
        """The user's INBOX Maildir (maildir++: other folders are ".Name" inside it)."""
        return self.root / "mail" / USER

    def deliver(self, name: str, raw: bytes) -> Path:
        """Drop a message into INBOX/new as an MTA would."""
        path = self.maildir / "new" / name
        path.write_bytes(raw)
        os.chown(path, self.uid, self.gid)
        return path


def _config(root: Path, port: int, uid: int, gid: int, as_root: bool) -> str:
    """The dovecot.conf text."""
    me = pwd.getpwuid(os.getuid()).pw_name
    login_user, internal_user = ("dovenull", "dovecot") if as_root else (me, me)
    return f"""
base_dir = {root}/run
state_dir = {root}/state
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
mail_location = maildir:{root}/mail/%u
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    """Wait until the server accepts connections; fail with its log otherwise."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    text = log.read_text(errors="replace") if log.exists() else "(no log)"
    raise RuntimeError(f"dovecot did not start on port {port}:\n{text}")


def start(tmp_path: Path) -> tuple[Dovecot, subprocess.Popen, Path]:
    """Write the config, start the server and wait for it; returns what stop() needs."""
    as_root = os.getuid() == 0
    if as_root:
        nobody = pwd.getpwnam("nobody")
        uid, gid = nobody.pw_uid, nobody.pw_gid
        root = Path(tempfile.mkdtemp(prefix="cac-dovecot-"))
        os.chmod(root, 0o755)
    else:
        uid, gid, root = os.getuid(), os.getgid(), tmp_path / "dovecot"
        root.mkdir()
    for sub in ("run", "state", f"mail/{USER}/new", f"mail/{USER}/cur", f"mail/{USER}/tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for path in (root / "mail", root / "mail" / USER, *(root / "mail" / USER).iterdir()):
        os.chown(path, uid, gid)
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = free_port()
    conf = root / "dovecot.conf"
    conf.write_text(_config(root, port, uid, gid, as_root))
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        _wait_for_port(port, process, root / "dovecot.log")
    except Exception:
        stop(process, root, as_root)
        raise
    return Dovecot(port, root, uid, gid), process, root


def stop(process: subprocess.Popen, root: Path, remove: bool) -> None:
    """Stop the server (SIGTERM, then SIGKILL) and remove a private tree."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
    if remove:
        shutil.rmtree(root, ignore_errors=True)
