"""The per-recipient MIME template: headers, parts, encoding, escaping, injection."""

from __future__ import annotations

import random
import re
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

import pytest

from cac_news.mail.message import MessageTemplate, compile_body, fill, make_message_id, qp_encode

UNSUB = "CACNEWSxUNSUBSCRIBExURL"
PREFS = "CACNEWSxPREFERENCESxURL"
NAME = "CACNEWSxGREETINGxNAME"
FIXED_TIME = 1_790_000_000.0

HTML = (
    "<html><body><p>Bonjour CACNEWSxGREETINGxNAME,</p>\n"
    + "<p>" + "Financiarisation de l'action sociale : état des lieux. " * 40 + "</p>\n"
    + f'<p><a href="{UNSUB}">Se désinscrire</a> · <a href="{PREFS}">Préférences</a></p>\n'
    + "</body></html>\n"
)  # fmt: skip
TEXT = (
    f"Bonjour {NAME},\n\n"
    + "Financiarisation de l'action sociale : état des lieux. " * 40
    + "\n.ligne commençant par un point\nFrom the start\n"
    + f"Se désinscrire : {UNSUB}\nPréférences : {PREFS}\n"
)


def build(**overrides) -> MessageTemplate:
    """A template with sensible defaults."""
    fields = {
        "from_addr": "Lettre du CAC <lettre@cac-news.test>",
        "subject": "Lettre n°12 — la financiarisation de l'action sociale, où en est-on ?",
        "reply_to": "Groupe de travail <gt@cac-news.test>",
        "list_id": "Lettre du CAC <lettre.cac-news.test>",
        "list_archive_url": "https://cac-news.test/lettres/12",
        "html": HTML,
        "text": TEXT,
        "domain": "cac-news.test",
        "date_source": lambda: FIXED_TIME,
    }
    fields.update(overrides)
    return MessageTemplate.build(**fields)


def values(token: str, name: str) -> dict[str, str]:
    """Placeholder values for one recipient."""
    return {
        UNSUB: f"https://cac-news.test/u/{token}?a=1&b=2",
        PREFS: f"https://cac-news.test/p/{token}",
        NAME: name,
    }


def render(template: MessageTemplate, email: str, name: str, token: str) -> bytes:
    """Render one recipient's message."""
    return template.render(
        email,
        name,
        values(token, name),
        f"https://cac-news.test/u/{token}",
        f"mailto:desinscription@cac-news.test?subject={token}",
        make_message_id("cac-news.test"),
    )


def parse(data: bytes) -> EmailMessage:
    """Parse bytes with the modern policy."""
    return BytesParser(policy=policy.default).parsebytes(data)


def test_every_header_and_part() -> None:
    data = render(build(), "camille@exemple.org", "Camille Martin", "tok123")
    msg = parse(data)

    assert msg["From"].addresses[0].display_name == "Lettre du CAC"
    assert msg["From"].addresses[0].addr_spec == "lettre@cac-news.test"
    assert msg["To"].addresses[0].display_name == "Camille Martin"
    assert msg["To"].addresses[0].addr_spec == "camille@exemple.org"
    assert str(msg["Subject"]) == (
        "Lettre n°12 — la financiarisation de l'action sociale, où en est-on ?"
    )
    assert b"\r\nSubject: =?utf-8?" in data  # RFC 2047, not raw UTF-8
    assert msg["Reply-To"].addresses[0].addr_spec == "gt@cac-news.test"
    assert msg["List-Id"] == "Lettre du CAC <lettre.cac-news.test>"
    assert msg["List-Unsubscribe"] == (
        "<https://cac-news.test/u/tok123>, <mailto:desinscription@cac-news.test?subject=tok123>"
    )
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["List-Archive"] == "<https://cac-news.test/lettres/12>"
    assert msg["Message-ID"].startswith("<") and msg["Message-ID"].endswith("@cac-news.test>")
    assert parsedate_to_datetime(msg["Date"]).timestamp() == FIXED_TIME
    assert msg.get_all("MIME-Version") == ["1.0"]
    assert msg.get_content_type() == "multipart/alternative"
    assert not msg.defects

    plain, html = msg.get_payload()
    assert [plain.get_content_type(), html.get_content_type()] == ["text/plain", "text/html"]
    for part in (plain, html):
        assert part["MIME-Version"] is None
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
        assert not part.defects
    expected_text = TEXT.replace(UNSUB, "https://cac-news.test/u/tok123?a=1&b=2")
    expected_text = expected_text.replace(PREFS, "https://cac-news.test/p/tok123")
    expected_text = expected_text.replace(NAME, "Camille Martin")
    assert plain.get_content().replace("\r\n", "\n") == expected_text
    assert '<a href="https://cac-news.test/u/tok123?a=1&amp;b=2">' in html.get_content()
    assert "CACNEWSx" not in html.get_content()


def test_values_are_escaped_in_html_and_raw_in_text() -> None:
    name = 'Zoé <script>alert("x")</script> & Cie'
    msg = parse(render(build(), "zoe@exemple.org", name, "t"))
    plain, html = msg.get_payload()
    assert f"Bonjour {name}," in plain.get_content()
    assert "<script>" not in html.get_content()
    assert "Bonjour Zoé &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Cie," in (
        html.get_content()
    )


@pytest.mark.parametrize(
    "name",
    ["José Núñez-Élysée", "Ἀριστοτέλης Φιλόσοφος " * 4 + "Ω", 'Martin, "Camille"', "Анна"],
)
def test_non_ascii_and_special_names_round_trip(name: str) -> None:
    data = render(build(), "x@exemple.org", name, "t")
    head = data.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()
    msg = parse(data)
    # Python's address parser adds a space between adjacent encoded words (RFC 2047 says
    # to drop it), so compare words here and the exact text with decode_header below.
    assert msg["To"].addresses[0].display_name.split() == name.split()
    assert msg["To"].addresses[0].addr_spec == "x@exemple.org"
    raw_to = next(h for h in msg.raw_items() if h[0] == "To")[1]
    if not name.isascii():
        phrase = raw_to.rsplit("<", 1)[0].strip()
        assert str(make_header(decode_header(phrase))) == name
    assert all(len(line) <= 78 for line in raw_to.split("\r\n"))


def test_idn_domain_is_punycoded() -> None:
    msg = parse(render(build(), "marie@éxemple.fr", "Marie", "t"))
    assert msg["To"].addresses[0].addr_spec == "marie@xn--xemple-9ua.fr"


def test_ascii_subject_and_no_reply_to() -> None:
    subject = "A plain subject that is long enough to be folded " * 3
    data = render(build(subject=subject, reply_to=None), "a@b.org", "", "t")
    assert max(len(line) for line in data.split(b"\r\n\r\n")[0].split(b"\r\n")) <= 78
    msg = parse(data)
    assert msg["Subject"] == subject
    assert msg["Reply-To"] is None
    assert msg["To"] == "a@b.org"


def test_line_lengths() -> None:
    long_line = "<td>" + "é" * 6000 + "</td>"  # one huge line, as HTML minifiers produce
    data = render(build(html=long_line + HTML), "a@b.org", "A" * 300, "t")
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 998
    body = data.split(b"\r\n\r\n", 1)[1]
    assert max(len(line) for line in body.split(b"\r\n")) <= 76
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF only
    assert parse(data).get_payload()[1].get_content().startswith(long_line)


def test_two_renders_differ_only_in_recipient_fields() -> None:
    template = build()
    first = render(template, "alice@exemple.org", "Alice", "aaa111")
    second = render(template, "bob@exemple.org", "Bob", "bbb222")
    own = ("To:", "Message-ID:", "List-Unsubscribe:", " <mailto:")
    head1, head2 = (d.split(b"\r\n\r\n", 1)[0].decode().split("\r\n") for d in (first, second))
    assert [h for h in head1 if not h.startswith(own)] == [
        h for h in head2 if not h.startswith(own)
    ]
    assert head1 != head2
    m1, m2 = parse(first), parse(second)
    assert m1["Message-ID"] != m2["Message-ID"]
    for p1, p2 in zip(m1.get_payload(), m2.get_payload(), strict=True):
        swapped = p1.get_content().replace("aaa111", "bbb222").replace("Alice", "Bob")
        assert swapped == p2.get_content()


def test_token_prefix_of_another_token() -> None:
    template = build(text="A=CACNEWSxNAME B=CACNEWSxNAMExFULL\n", html="<p>CACNEWSxNAME</p>")
    msg = parse(
        template.render(
            "a@b.org",
            "",
            {"CACNEWSxNAME": "court", "CACNEWSxNAMExFULL": "long"},
            "https://x.test/u",
            None,
            "<1@x.test>",
        )
    )
    assert msg.get_payload()[0].get_content() == "A=court B=long\r\n"
    assert msg["List-Unsubscribe"] == "<https://x.test/u>"


def test_message_ids_are_unique() -> None:
    ids = {make_message_id("cac-news.test") for _ in range(1000)}
    assert len(ids) == 1000
    assert all(i.endswith("@cac-news.test>") for i in ids)


@pytest.mark.parametrize(
    ("field", "value", "header"),
    [
        ("subject", "Hello\r\nBcc: victim@example.org", "Subject"),
        ("from_addr", "Evil <a@b.org>\nBcc: x@y.org", "From"),
        ("reply_to", "r@b.org\rX: y", "Reply-To"),
        ("list_id", "L <l.b.org>\n", "List-Id"),
        ("list_archive_url", "https://b.org/\r\nX-Injected: 1", "List-Archive"),
    ],
)
def test_header_injection_refused_at_build(field: str, value: str, header: str) -> None:
    with pytest.raises(ValueError, match=header):
        build(**{field: value})


@pytest.mark.parametrize(
    ("index", "value", "header"),
    [
        (0, "a@b.org\r\nBcc: victim@example.org", "To"),
        (1, "Alice\r\nBcc: victim@example.org", "To"),
        (1, "Alice\x00", "To"),
        (3, "https://b.org/u\r\nBcc: v@e.org", "List-Unsubscribe"),
        (4, "mailto:u@b.org\nBcc: v@e.org", "List-Unsubscribe"),
        (5, "<1@b.org>\r\nBcc: v@e.org", "Message-ID"),
        (0, "a@b.org>, <victim@example.org", "To"),
    ],
)
def test_header_injection_refused_at_render(index: int, value: str, header: str) -> None:
    args = ["a@b.org", "A", {}, "https://b.org/u", "mailto:u@b.org", "<1@b.org>"]
    args[index] = value
    with pytest.raises(ValueError, match=header):
        build().render(*args)


def test_bad_token_name_refused() -> None:
    with pytest.raises(ValueError, match="token"):
        build().render("a@b.org", "", {"a.*": "x"}, "https://b.org/u", None, "<1@b.org>")


def test_compiled_body_encodes_like_the_whole_body() -> None:
    rng = random.Random(5)
    tokens = frozenset({"TOKxA", "TOKxAB"})
    alphabet = ["a", "é", " ", "\t", "=", ".", "\n", "\r\n", "TOKxA", "TOKxAB", "x" * 90]
    for _ in range(500):
        body = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        vals = {"TOKxA": rng.choice(["", "v", "a\nb", "<&>", "é" * 50]), "TOKxAB": "w "}
        expected = re.sub("TOKxAB|TOKxA", lambda m: vals[m.group()], body)
        assert fill(compile_body(body, tokens), vals, None) == qp_encode(expected), body
