"""`make run`'s supervisor: the three processes start, and Ctrl-C stops every one."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.fixtures.database import free_port

ROOT = Path(__file__).resolve().parents[2]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too: read its state.
    state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    return state != "Z"


def test_ctrl_c_stops_the_catcher_the_worker_and_the_web_app(tmp_path):
    web_port, smtp_port = free_port(), free_port()
    env = {
        **os.environ,
        "CAC_NEWS_SECRET_KEY": "devserver-test",
        "CAC_NEWS_INSTANCE_PATH": str(tmp_path),
        "CAC_NEWS_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'dev.db'}",
    }
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "cac_news.devtools.devserver", "--port", str(web_port),
         "--smtp-port", str(smtp_port), "--outbox", str(tmp_path / "outbox")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        started = supervisor.stdout.readline()
        pids = [int(pid) for pid in started.removeprefix("started:").split()]
        assert len(pids) == 3
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/login") as page:
                    assert page.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "the web app did not start"
                time.sleep(0.3)
        assert all(_alive(pid) for pid in pids)

        supervisor.send_signal(signal.SIGINT)  # what Ctrl-C sends
        assert supervisor.wait(timeout=30) == 0
        assert "stopped" in supervisor.stdout.read()
        assert not any(_alive(pid) for pid in pids)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
