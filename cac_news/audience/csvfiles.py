"""Reading CSV files as spreadsheets write them: encoding, delimiter, header aliases."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

from flask_babel import lazy_gettext as _l

from cac_news.audience import import_formats as formats
from cac_news.audience.import_formats import Layout
from cac_news.errors import ValidationError

CHUNK = 1 << 20
DELIMITERS = (",", ";", "\t")
WHOLE_LINE = "\x1f"  # a delimiter no text file holds: `Name <address>` lines stay whole


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes so, else Windows-1252.

    Streams the file in chunks: a 50 MB file is never held in memory.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as raw:
        first = raw.read(CHUNK)
        if b"\x00" in first[:65536]:
            raise ValidationError.single("file", str(_l("This file is not a CSV text file.")))
        bom = first.startswith(codecs.BOM_UTF8)
        chunk = first
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = raw.read(CHUNK)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig" if bom else "utf-8"


def sniff_delimiter(sample: str) -> str:
    """The delimiter of the header line: `,`, `;` or a tab."""
    header = sample.splitlines()[0] if sample else ""
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        counts = {d: header.count(d) for d in DELIMITERS}
        return max(counts, key=counts.get) if any(counts.values()) else ","


class CsvSource:
    """An open CSV file: its layout (format and columns) and its rows, read one at a time.

    `wanted` forces a format (`--from`); `mapping` (the field of each column, "" for
    none) replaces the detected columns, as the pilot set them on the mapping page.
    """

    def __init__(self, path: Path, wanted: str | None = None, mapping: list[str] | None = None):
        self.path = Path(path)
        self.size = self.path.stat().st_size
        if self.size == 0:
            raise ValidationError.single("file", str(_l("The file is empty.")))
        self.encoding = detect_encoding(self.path)
        self._file = self.path.open("r", encoding=self.encoding, errors="replace", newline="")
        try:
            self.layout = self._read_layout(wanted, mapping)
        except BaseException:
            self.close()
            raise
        self.columns = self.layout.columns
        self.width = max(len(self.header), 1)

    def _read_layout(self, wanted: str | None, mapping: list[str] | None) -> Layout:
        sample = self._file.read(64 * 1024)
        self._file.seek(0)
        first_line = sample.splitlines()[0] if sample else ""
        whole = formats.looks_like_mailbox(first_line) and wanted in (None, "mailman")
        self.delimiter = WHOLE_LINE if whole else sniff_delimiter(sample)
        quoting = csv.QUOTE_NONE if whole else csv.QUOTE_MINIMAL
        self._reader = csv.reader(self._file, delimiter=self.delimiter, quoting=quoting)
        try:
            header = next(self._reader, None)
        except csv.Error as exc:
            raise ValidationError.single("file", f"Line 1: {exc}") from exc
        if not header or not any(cell.strip() for cell in header):
            raise ValidationError.single("file", str(_l("The file is empty.")))
        self.header = header
        layout = formats.detect(header, wanted)
        if mapping is not None:
            layout = self._mapped(layout, mapping)
        if layout is None or not ({"email", "mailbox"} & set(layout.columns)):
            raise ValidationError.single(
                "file",
                str(
                    _l(
                        "Line 1: no email column (expected a header such as email, courriel, e-mail)."  # noqa: E501 (one msgid)
                    )
                ),
            )
        if layout.headerless:
            # The first line is a member, not a header: read it again as a row.
            self._file.seek(0)
            self._reader = csv.reader(self._file, delimiter=self.delimiter, quoting=quoting)
        return layout

    def _mapped(self, detected: Layout | None, mapping: list[str]) -> Layout:
        columns: dict[str, int] = {}
        for index, name in enumerate(mapping[: len(self.header)]):
            if name in formats.FIELDS and name not in columns:
                columns[name] = index
        base = detected or Layout("csv", {})
        return Layout(
            base.format, columns, base.headerless, base.whole_lines, labels=list(self.header)
        )

    def rows(self) -> Iterator[tuple[int, list[str] | str]]:
        """(line number, cells) per data row; a string instead of cells is a parse error."""
        while True:
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield self._reader.line_num, str(exc)
                continue
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are common at the end of exports
            yield self._reader.line_num, cells

    def position(self) -> int:
        """Bytes read so far (approximate: the text layer reads ahead)."""
        try:
            return self._file.buffer.tell()
        except (OSError, ValueError):
            return self.size

    def close(self) -> None:
        """Close the file."""
        self._file.close()
