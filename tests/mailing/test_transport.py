"""SMTP transport over a real aiosmtpd server on loopback: outcomes, faults, reconnects."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller

from cac_news.mail.message import MessageTemplate, make_message_id
from cac_news.mailing.parallel import ParallelSender
from cac_news.mailing.throttle import TokenBucket
from cac_news.mailing.transport import (
    PERMANENT,
    SENT,
    SKIPPED,
    TEMPORARY,
    Job,
    SMTPSender,
)


def free_port() -> int:
    """A loopback port that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SENDER = "rebonds@example.org"


@dataclass
class Handler:
    """aiosmtpd handler: records messages, answers per recipient, can drop connections."""

    rcpt_replies: dict[str, str] = field(default_factory=dict)
    drop_at_mail: set[int] = field(default_factory=set)  # MAIL numbers whose connection drops
    drop_at_data: set[str] = field(default_factory=set)  # recipients whose DATA is cut off
    mail_replies: dict[int, str] = field(default_factory=dict)  # MAIL number -> answer
    received: list[tuple[list[str], bytes]] = field(default_factory=list)
    ehlo_count: int = 0
    mail_count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        with self.lock:
            self.ehlo_count += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        with self.lock:
            self.mail_count += 1
            number = self.mail_count
        if number in self.drop_at_mail:
            server.transport.close()
            return "250 OK"  # never reaches the client
        if number in self.mail_replies:
            return self.mail_replies[number]
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        reply = self.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if set(envelope.rcpt_tos) & self.drop_at_data:
            server.transport.close()
            return "250 OK"  # lost with the connection: the client never hears it
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Queued"

    def rcpts(self) -> list[str]:
        """Every recipient of every received message."""
        return [r for rcpts, _ in self.received for r in rcpts]


@pytest.fixture
def handler() -> Handler:
    return Handler()


@pytest.fixture
def server(handler):
    """A real SMTP server on a free loopback port, with its config mapping."""
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), server_hostname="smtp.test"
    )
    controller.start()
    try:
        yield {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port, "MAIL_TIMEOUT": 5}
    finally:
        controller.stop()


def template() -> MessageTemplate:
    """A small newsletter template."""
    return MessageTemplate.build(
        from_addr="Lettre du CAC <lettre@example.org>",
        subject="Lettre d'information n°1",
        reply_to=None,
        list_id="Lettre du CAC <lettre.cac-news.test>",
        list_archive_url="https://cac-news.test/lettres/1",
        html="<p>Bonjour NAME</p>\n",
        text="Bonjour NAME\n.point en début de ligne\n",
        domain="cac-news.test",
    )


def message(rcpt: str, tpl: MessageTemplate | None = None) -> bytes:
    """A rendered message for one recipient."""
    return (tpl or template()).render(
        rcpt,
        rcpt.split("@")[0].title(),
        {"NAME": rcpt.split("@")[0]},
        f"https://cac-news.test/u/{rcpt}",
        "mailto:desinscription@example.org",
        make_message_id("cac-news.test"),
    )


def jobs(rcpts: list[str]) -> list[Job]:
    """One job per recipient."""
    tpl = template()
    return [Job(SENDER, rcpt, message(rcpt, tpl), key=rcpt) for rcpt in rcpts]


def run(config: dict, rcpts: list[str], concurrency: int = 2) -> dict:
    """Send to every recipient and return their results."""
    results = {}
    with ParallelSender(config, concurrency) as sender:
        counts = sender.send_all(jobs(rcpts), lambda job, r: results.__setitem__(job.key, r))
    assert sum(counts.values()) == len(rcpts)
    return results


def test_sends_and_the_server_parses(server, handler) -> None:
    rcpts = [f"abonne{i}@exemple.org" for i in range(30)]
    results = run(server, rcpts, concurrency=3)
    assert {r.status for r in results.values()} == {SENT}
    assert all(r.code == 250 for r in results.values())
    assert sorted(handler.rcpts()) == sorted(rcpts)
    assert handler.ehlo_count == 3  # one persistent connection per thread
    for rcpts_, data in handler.received:
        msg = BytesParser(policy=policy.default).parsebytes(data)
        assert msg["To"].addresses[0].addr_spec == rcpts_[0]
        text = msg.get_payload()[0].get_content()
        assert text.startswith(f"Bonjour {rcpts_[0].split('@')[0]}\r\n.point en")  # unstuffed
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_temporary_and_permanent_refusals(server, handler) -> None:
    handler.rcpt_replies = {
        "greylisted@exemple.org": "451 4.7.1 Greylisted, try later",
        "closing@exemple.org": "421 4.3.2 Service shutting down",
        "unknown@exemple.org": "550 5.1.1 No such user",
        "full@exemple.org": "552 5.2.2 Mailbox full",
    }
    ok = [f"ok{i}@exemple.org" for i in range(6)]
    rcpts = ok[:3] + list(handler.rcpt_replies) + ok[3:]
    results = run(server, rcpts, concurrency=1)

    assert all(results[r].status == SENT for r in ok)
    assert sorted(handler.rcpts()) == sorted(ok)
    for rcpt in ("greylisted@exemple.org", "closing@exemple.org"):
        assert results[rcpt].status == TEMPORARY and not results[rcpt].at_rcpt
    assert results["greylisted@exemple.org"].code == 451
    assert results["closing@exemple.org"].code == 421
    unknown = results["unknown@exemple.org"]
    assert (unknown.status, unknown.code, unknown.at_rcpt) == (PERMANENT, 550, True)
    assert unknown.text == "5.1.1 No such user"
    assert results["full@exemple.org"].code == 552 and results["full@exemple.org"].at_rcpt
    # RSET kept the connection usable; only the 421 made the client open a new one.
    assert handler.ehlo_count == 2


def test_connection_dropped_mid_batch(server, handler) -> None:
    handler.drop_at_mail = {4, 9}  # the server hangs up as the 4th and 9th MAIL arrive
    handler.drop_at_data = {"cut@exemple.org"}  # and once after receiving a message
    rcpts = [f"r{i}@exemple.org" for i in range(6)] + ["cut@exemple.org"]
    rcpts += [f"s{i}@exemple.org" for i in range(6)]
    results = run(server, rcpts, concurrency=1)

    # Dropped before the content went out: reopened once, transparently, and sent.
    assert sorted(r for r, res in results.items() if res.status == SENT) == sorted(
        set(rcpts) - {"cut@exemple.org"}
    )
    # Dropped after the content went out: reported, never silently lost, not re-sent here.
    cut = results["cut@exemple.org"]
    assert (cut.status, cut.stage) == (TEMPORARY, "message")
    assert sorted(handler.rcpts()) == sorted(set(rcpts) - {"cut@exemple.org"})
    assert handler.ehlo_count == 4  # first connection + one per drop


def test_server_down_at_start_is_temporary() -> None:
    config = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port(), "MAIL_TIMEOUT": 2}
    results = run(config, ["a@exemple.org", "b@exemple.org", "c@exemple.org"])
    assert len(results) == 3
    for result in results.values():
        assert (result.status, result.stage, result.code) == (TEMPORARY, "connect", None)
        assert "refused" in result.text.lower()


def test_sender_recovers_when_server_comes_back(handler) -> None:
    port = free_port()
    config = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_TIMEOUT": 2}
    sender = SMTPSender(config)
    assert sender.send(SENDER, "a@exemple.org", message("a@exemple.org")).status == TEMPORARY
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert sender.send(SENDER, "a@exemple.org", message("a@exemple.org")).ok
        controller.stop()  # the server goes away while the connection is held
        gone = sender.send(SENDER, "b@exemple.org", message("b@exemple.org"))
        assert gone.status == TEMPORARY
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        assert sender.send(SENDER, "c@exemple.org", message("c@exemple.org")).ok
    finally:
        sender.close()
        controller.stop()
    assert handler.rcpts() == ["a@exemple.org", "c@exemple.org"]


def test_idle_connection_checked_with_noop(server, handler) -> None:
    now = [0.0]
    sender = SMTPSender(server, idle_check=30, clock=lambda: now[0])
    try:
        assert sender.send(SENDER, "a@exemple.org", message("a@exemple.org")).ok
        now[0] = 10.0
        assert sender.send(SENDER, "b@exemple.org", message("b@exemple.org")).ok
        assert handler.ehlo_count == 1
        sender._conn.sock.shutdown(socket.SHUT_RDWR)  # the connection died while idle
        now[0] = 100.0
        assert sender.send(SENDER, "c@exemple.org", message("c@exemple.org")).ok
        assert handler.ehlo_count == 2
    finally:
        sender.close()
    assert handler.rcpts() == ["a@exemple.org", "b@exemple.org", "c@exemple.org"]


def test_stop_reports_queued_jobs_as_skipped(server, handler) -> None:
    rcpts = [f"r{i}@exemple.org" for i in range(50)]
    pulled = []

    def lazy_jobs():
        for job in jobs(rcpts):
            pulled.append(job.rcpt)
            yield job

    results = {}
    with ParallelSender(server, 2) as sender:

        def on_result(job, result):
            results[job.key] = result
            if len(results) == 5:
                sender.stop()

        sender.send_all(lazy_jobs(), on_result)
    assert len(pulled) < len(rcpts)  # the generator was not drained
    assert set(results) == set(pulled)  # every pulled job got a result
    sent = sorted(r for r, res in results.items() if res.status == SENT)
    assert sent == sorted(handler.rcpts())
    assert {res.status for res in results.values()} <= {SENT, SKIPPED}


def test_rate_limit_spaces_messages(server, handler) -> None:
    rcpts = [f"r{i}@exemple.org" for i in range(11)]
    bucket = TokenBucket(rate=50, burst=1)
    results = {}
    start = time.monotonic()
    with ParallelSender(server, 3, bucket=bucket) as sender:
        sender.send_all(jobs(rcpts), lambda job, r: results.__setitem__(job.key, r))
    # 1 token at start, then 10 more at 50/s: at least 0.2 s, whatever the machine.
    assert time.monotonic() - start >= 0.2
    assert len(handler.rcpts()) == 11


def test_on_result_error_propagates_and_stops(server, handler) -> None:
    rcpts = [f"r{i}@exemple.org" for i in range(40)]
    with ParallelSender(server, 2) as sender, pytest.raises(RuntimeError, match="db down"):

        def on_result(job, result):
            raise RuntimeError("db down")

        sender.send_all(jobs(rcpts), on_result)
    assert len(handler.rcpts()) < 40


def test_421_at_mail_reconnects_once_then_reports(server, handler) -> None:
    # An idle timeout noticed at MAIL: retried at once on a new connection.
    handler.mail_replies = {2: "421 4.4.2 Idle timeout", 4: "421 4.3.2 Busy", 5: "421 Busy"}
    sender = SMTPSender(server)
    try:
        results = [
            sender.send(SENDER, f"r{i}@exemple.org", message("x@exemple.org")) for i in range(3)
        ]
    finally:
        sender.close()
    assert [r.status for r in results[:2]] == [SENT, SENT]
    # Third message: 421 on the open connection, then 421 again on the new one: reported.
    assert (results[2].status, results[2].stage) == (TEMPORARY, "mail")
    assert "421" in results[2].text
    assert handler.rcpts() == ["r0@exemple.org", "r1@exemple.org"]


@pytest.mark.parametrize("smtputf8", [False, True])
def test_non_ascii_envelope_needs_smtputf8(handler, smtputf8) -> None:
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=smtputf8
    )
    controller.start()
    sender = SMTPSender({"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port})
    try:
        result = sender.send(SENDER, "josé@exemple.org", message("jose@exemple.org"))
        after = sender.send(SENDER, "ok@exemple.org", message("ok@exemple.org"))
    finally:
        sender.close()
        controller.stop()
    assert after.ok
    if smtputf8:
        assert result.ok
        assert handler.rcpts() == ["josé@exemple.org", "ok@exemple.org"]
    else:
        assert (result.status, result.at_rcpt) == (PERMANENT, True)
        assert handler.rcpts() == ["ok@exemple.org"]
