"""Reading bounces from a Maildir, an mbox file and a stream, and `process` over them."""

import io
import mailbox
from pathlib import Path

import pytest

from cac_news.mailing.bounces.process import process
from cac_news.mailing.bounces.sources import (
    iter_maildir,
    iter_mbox,
    iter_stream,
    mark_maildir_seen,
)

DATA = Path(__file__).parents[1] / "data" / "bounces"
SAMPLES = {
    "postfix_user_unknown.eml": "hard",
    "exim_failed.eml": "hard",
    "soft_mailbox_full.eml": "soft",
    "arf_complaint.eml": "complaint",
    "vacation_autoreply.eml": "not_bounce",
    "truncated_mime.eml": "malformed",
    "binary_garbage.bin": "malformed",
}


def build_maildir(root: Path) -> Path:
    """A Maildir with the samples: most in new/, one already read in cur/, one seen."""
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(parents=True)
    for index, name in enumerate(SAMPLES):
        target = root / ("cur" if name == "exim_failed.eml" else "new") / f"17000000{index}.M1.host"
        if name == "exim_failed.eml":
            target = target.with_name(target.name + ":2,")
        target.write_bytes((DATA / name).read_bytes())
    seen = root / "cur" / "1600000000.M9.host:2,S"
    seen.write_bytes((DATA / "yahoo_554.eml").read_bytes())  # processed by an earlier run
    (root / "new" / ".hidden").write_bytes(b"not a message")
    return root


def test_maildir_yields_new_and_cur_but_not_seen(tmp_path):
    """new/ and cur/ are read; seen and dot files are skipped unless asked."""
    root = build_maildir(tmp_path / "Maildir")
    items = list(iter_maildir(root))
    assert len(items) == len(SAMPLES)
    assert all(item.raw and item.can_mark for item in items)
    assert sum("/cur/" in item.ref for item in items) == 1
    assert len(list(iter_maildir(root, include_seen=True))) == len(SAMPLES) + 1


def test_maildir_rejects_a_plain_directory(tmp_path):
    """A folder without new/ and cur/ is refused up front."""
    with pytest.raises(NotADirectoryError):
        list(iter_maildir(tmp_path))


def test_mark_processed_moves_to_cur_with_seen_flag_and_keeps_bytes(tmp_path):
    """Marking moves new/X to cur/X:2,S and adds S to existing flags; nothing is deleted."""
    root = build_maildir(tmp_path / "Maildir")
    before = {p.read_bytes() for p in root.rglob("*") if p.is_file()}
    for item in iter_maildir(root):
        new_ref = item.mark_processed()
        assert new_ref.endswith(("S", ":2,S")) and "/cur/" in new_ref
    assert [p.name for p in (root / "new").iterdir()] == [".hidden"]
    assert {p.read_bytes() for p in root.rglob("*") if p.is_file()} == before
    assert list(iter_maildir(root)) == []
    flagged = mark_maildir_seen(next((root / "cur").glob("1600000000*")))
    assert flagged.name == "1600000000.M9.host:2,S"  # already seen: unchanged


def test_mark_keeps_other_flags(tmp_path):
    """Existing flags survive, sorted as the Maildir spec wants."""
    (tmp_path / "new").mkdir()
    (tmp_path / "cur").mkdir()
    path = tmp_path / "cur" / "1.M1.host:2,RF"
    path.write_bytes(b"Subject: x\n\nbody\n")
    assert mark_maildir_seen(path).name == "1.M1.host:2,FRS"


def test_process_counts_a_maildir(tmp_path):
    """process() counts each kind and, when asked, marks only what the predicate accepts."""
    root = build_maildir(tmp_path / "Maildir")
    summary = process(iter_maildir(root), mark_if=lambda report: report.is_bounce)
    assert summary.counts() == {
        "processed": 7,
        "bounces": 3,
        "hard": 2,
        "soft": 1,
        "complaints": 1,
        "not_bounce": 1,
        "malformed": 2,
    }
    marked = {item.report.kind for item in summary.items if item.marked}
    assert marked == {"hard", "soft"}
    assert all(Path(item.ref).exists() for item in summary.items)  # the refs follow the moves
    assert all(item.ref.endswith(",S") for item in summary.items if item.marked)
    # The malformed, the complaint and the auto-reply are left where they were, unread.
    left = sorted(p.read_bytes()[:20] for p in (root / "new").iterdir() if p.name != ".hidden")
    assert len(left) == 4
    assert len(list(iter_maildir(root))) == 4


def test_process_marks_nothing_by_default(tmp_path):
    """Without mark_if, the Maildir is left exactly as it was."""
    root = build_maildir(tmp_path / "Maildir")
    names = sorted(p.name for p in root.rglob("*"))
    summary = process(iter_maildir(root))
    assert summary.processed == 7 and not any(item.marked for item in summary.items)
    assert sorted(p.name for p in root.rglob("*")) == names


def test_unreadable_maildir_file_is_counted_malformed(tmp_path):
    """A file that vanishes between listing and reading is reported, not raised or skipped."""
    root = build_maildir(tmp_path / "Maildir")
    items = iter_maildir(root)
    first = next(items)
    for path in (root / "new").iterdir():
        if path.name != ".hidden" and str(path) != first.ref:
            path.unlink()
            break
    summary = process(items)
    assert summary.processed == len(SAMPLES) - 1 and summary.malformed >= 1
    assert any("could not be read" in (i.report.problem or "") for i in summary.items)


def write_mbox(path: Path, names: list[str]) -> None:
    """An mbox file written by the standard library, as a mail client would."""
    box = mailbox.mbox(path, create=True)
    for name in names:
        box.add((DATA / name).read_bytes())
    box.flush()
    box.close()


def test_process_counts_an_mbox(tmp_path):
    """An mbox with every kind: each message split out and counted."""
    path = tmp_path / "bounces.mbox"
    write_mbox(path, [n for n in SAMPLES if n != "binary_garbage.bin"])
    items = list(iter_mbox(path))
    assert len(items) == 6
    assert all("#" in item.ref and not item.can_mark for item in items)
    assert not items[0].raw.startswith(b"From ")
    summary = process(iter_mbox(path), mark_if=lambda report: True)
    assert (summary.hard, summary.soft, summary.complaints) == (2, 1, 1)
    assert (summary.not_bounce, summary.malformed) == (1, 1)
    assert not any(item.marked for item in summary.items)  # an mbox cannot be marked
    assert summary.items[0].report.recipients == ["jeanne.martin@example.org"]


def test_mbox_with_garbage_before_the_first_message(tmp_path):
    """Bytes before the first From line are yielded (and counted malformed), not dropped."""
    path = tmp_path / "odd.mbox"
    write_mbox(path, ["exim_failed.eml"])
    path.write_bytes((DATA / "binary_garbage.bin").read_bytes() + b"\n\n" + path.read_bytes())
    summary = process(iter_mbox(path))
    assert (summary.processed, summary.malformed, summary.hard) == (2, 1, 1)


def test_mbox_truncated_in_the_middle(tmp_path):
    """An mbox cut in its last message still yields everything before the cut."""
    path = tmp_path / "cut.mbox"
    write_mbox(path, ["postfix_user_unknown.eml", "postfix_user_unknown.eml"])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 1500])
    summary = process(iter_mbox(path))
    assert summary.processed == 2
    assert summary.hard == 1 and summary.malformed == 1


def test_stream_yields_one_message():
    """A binary stream (standard input) is one message."""
    stream = io.BytesIO((DATA / "gmail_address_not_found.eml").read_bytes())
    items = list(iter_stream(stream))
    assert len(items) == 1 and items[0].ref == "<stdin>" and items[0].mark_processed() is None
    summary = process(iter_stream(io.BytesIO((DATA / "gmail_address_not_found.eml").read_bytes())))
    assert summary.hard == 1
    assert summary.items[0].report.recipients == ["lucie.bernard.cac@gmail.com"]


def test_empty_stream_is_malformed():
    """Nothing on standard input is one malformed message, not a crash."""
    summary = process(iter_stream(io.BytesIO(b"")))
    assert (summary.processed, summary.malformed) == (1, 1)
