"""Send throughput: the engine's path (render + ParallelSender) against a raw smtplib loop.

Starts an aiosmtpd sink in a separate process (so that client and server do not share a
GIL), then, over the same number of persistent connections and with ~20 KB messages:
(a) N threads each looping ``sendmail`` over pre-built message bytes;
(b) MessageTemplate.render per recipient feeding ParallelSender.
Prints messages per second of each, the ratio b/a (target >= 0.9), and the per-message cost
of render() against building an EmailMessage per recipient.

    python bench/send.py [--messages 2000] [--connections 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import socket
import statistics
import sys
import threading
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cac_news.mail.message import MessageTemplate, make_message_id  # noqa: E402
from cac_news.mail.smtp import open_connection  # noqa: E402
from cac_news.mailing.parallel import ParallelSender  # noqa: E402
from cac_news.mailing.transport import Job  # noqa: E402

SENDER = "rebonds@cac-news.test"
DOMAIN = "cac-news.test"
UNSUB, NAME = "CACNEWSxUNSUBSCRIBExURL", "CACNEWSxGREETINGxNAME"
PARAGRAPH = (
    "La financiarisation de l'action sociale transforme les associations en prestataires "
    "évalués sur des indicateurs de performance ; le groupe de travail en recense les effets. "
)


def serve(port: int, ready, stop) -> None:
    """Child process: an aiosmtpd server that discards every message."""
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port, server_hostname="sink")
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def newsletter() -> tuple[str, str]:
    """About 20 KB of HTML and text with per-recipient tokens."""
    items = [
        f'<h2>Actualité {i}</h2><p style="margin:0 0 12px;color:#333">{PARAGRAPH * 2}</p>'
        for i in range(32)
    ]
    html = (
        f"<html><body><p>Bonjour {NAME},</p>\n"
        + "\n".join(items)
        + f'\n<p><a href="{UNSUB}">Se désinscrire</a></p></body></html>\n'
    )
    text = f"Bonjour {NAME},\n\n" + "\n\n".join(PARAGRAPH for _ in range(24))
    return html, text + f"\n\nSe désinscrire : {UNSUB}\n"


def build_template() -> MessageTemplate:
    """The template of the benchmark newsletter."""
    html, text = newsletter()
    return MessageTemplate.build(
        from_addr="Lettre du CAC <lettre@cac-news.test>",
        subject="Lettre n°7 — financiarisation de l'action sociale",
        reply_to="gt@cac-news.test",
        list_id="Lettre du CAC <lettre.cac-news.test>",
        list_archive_url="https://cac-news.test/lettres/7",
        html=html,
        text=text,
        domain=DOMAIN,
    )


def render(template: MessageTemplate, i: int) -> bytes:
    """Recipient i's message."""
    url = f"https://cac-news.test/u/{i:08d}tokentokentoken"
    return template.render(
        f"abonne{i}@exemple.org",
        f"Camille Martin {i}",
        {UNSUB: url, NAME: f"Camille {i}"},
        url,
        f"mailto:desinscription@cac-news.test?subject={i}",
        make_message_id(DOMAIN),
    )


def build_email_message(i: int, html: str, text: str) -> bytes:
    """The slow way: an EmailMessage per recipient."""
    url = f"https://cac-news.test/u/{i:08d}tokentokentoken"
    msg = EmailMessage()
    msg["Subject"] = "Lettre n°7 — financiarisation de l'action sociale"
    msg["From"] = "Lettre du CAC <lettre@cac-news.test>"
    msg["To"] = f"Camille Martin {i} <abonne{i}@exemple.org>"
    msg["Message-ID"] = make_message_id(DOMAIN)
    msg["List-Unsubscribe"] = f"<{url}>, <mailto:desinscription@cac-news.test?subject={i}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text.replace(UNSUB, url).replace(NAME, f"Camille {i}"), cte="quoted-printable")
    msg.add_alternative(
        html.replace(UNSUB, url).replace(NAME, f"Camille {i}"),
        subtype="html",
        cte="quoted-printable",
    )
    return msg.as_bytes(policy=policy.SMTP)


def raw_loop(config: dict, messages: list[bytes], connections: int) -> tuple[float, float]:
    """N threads, each on one persistent smtplib connection; msgs/s and client CPU ms/msg."""

    def worker(chunk: list[tuple[int, bytes]]) -> None:
        conn = open_connection(config)
        for i, data in chunk:
            conn.sendmail(SENDER, [f"abonne{i}@exemple.org"], data)
        conn.quit()

    indexed = list(enumerate(messages))
    threads = [
        threading.Thread(target=worker, args=(indexed[k::connections],)) for k in range(connections)
    ]
    start, cpu = time.perf_counter(), time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cpu_ms = (time.process_time() - cpu) * 1000 / len(messages)
    return len(messages) / (time.perf_counter() - start), cpu_ms


def engine(config: dict, template: MessageTemplate, count: int, connections: int):
    """Render per recipient and send with ParallelSender; msgs/s and client CPU ms/msg."""
    sent = 0

    def on_result(job, result) -> None:
        nonlocal sent
        if not result.ok:
            raise RuntimeError(f"{job.rcpt}: {result}")
        sent += 1

    jobs = (Job(SENDER, f"abonne{i}@exemple.org", render(template, i)) for i in range(count))
    start, cpu = time.perf_counter(), time.process_time()
    with ParallelSender(config, connections, rate=0) as sender:
        sender.send_all(jobs, on_result)
    elapsed = time.perf_counter() - start
    assert sent == count
    return count / elapsed, (time.process_time() - cpu) * 1000 / count


def per_message(func, count: int) -> float:
    """Milliseconds per call."""
    start = time.perf_counter()
    for i in range(count):
        func(i)
    return (time.perf_counter() - start) * 1000 / count


def main() -> None:
    """Run both measurements against one sink server and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="alternate raw/engine runs")
    args = parser.parse_args()

    port = free_port()
    ctx = multiprocessing.get_context("spawn")
    ready, stop = ctx.Event(), ctx.Event()
    server = ctx.Process(target=serve, args=(port, ready, stop), daemon=True)
    server.start()
    if not ready.wait(30):
        sys.exit("SMTP sink did not start")
    config = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_TIMEOUT": 30}
    try:
        template = build_template()
        html, text = newsletter()
        sample = render(template, 0)
        print(f"message size: {len(sample) / 1024:.1f} KB, {args.messages} messages, "
              f"{args.connections} connections, SMTP sink in process {server.pid}")  # fmt: skip
        prebuilt = [render(template, i) for i in range(args.messages)]
        raw_rates, engine_rates, raw_cpu, engine_cpu = [], [], [], []
        for r in range(args.rounds):
            rate, cpu = raw_loop(config, prebuilt, args.connections)
            raw_rates.append(rate)
            raw_cpu.append(cpu)
            rate, cpu = engine(config, template, args.messages, args.connections)
            engine_rates.append(rate)
            engine_cpu.append(cpu)
            print(f"round {r + 1}: raw smtplib {raw_rates[-1]:7.1f} msg/s   "
                  f"engine {engine_rates[-1]:7.1f} msg/s")  # fmt: skip
        raw, eng = max(raw_rates), max(engine_rates)
        raw_med, eng_med = statistics.median(raw_rates), statistics.median(engine_rates)
        print(f"raw smtplib loop (pre-built bytes): best {raw:7.1f} msg/s, median {raw_med:7.1f}")
        print(f"engine (render + ParallelSender):   best {eng:7.1f} msg/s, median {eng_med:7.1f}")
        print(f"ratio engine / raw: {eng / raw:.2f} best-to-best, {eng_med / raw_med:.2f} "
              "median-to-median (target >= 0.9)")  # fmt: skip
        raw_c, eng_c = statistics.median(raw_cpu), statistics.median(engine_cpu)
        print(f"client CPU per message (all threads, median): raw {raw_c:.3f} ms, "
              f"engine {eng_c:.3f} ms")  # fmt: skip
        render_ms = per_message(lambda i: render(template, i), 1000)
        email_ms = per_message(lambda i: build_email_message(i, html, text), 200)
        print(f"per message: MessageTemplate.render {render_ms:.3f} ms, EmailMessage + "
              f"as_bytes() {email_ms:.3f} ms ({email_ms / render_ms:.0f}x)")  # fmt: skip
    finally:
        stop.set()
        server.join(10)


if __name__ == "__main__":
    main()
