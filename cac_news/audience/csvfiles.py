"""Reading CSV files as spreadsheets write them: encoding, delimiter, header aliases."""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from flask_babel import lazy_gettext as _l

from cac_news.errors import ValidationError

CHUNK = 1 << 20
DELIMITERS = (",", ";", "\t")
# Folded header name (letters and digits only) -> field.
HEADER_ALIASES = {
    "email": (
        "email",
        "courriel",
        "mail",
        "adressemail",
        "adresseemail",
        "adresseelectronique",
        "emailaddress",
        "adressecourriel",
    ),
    "first_name": ("firstname", "prenom", "givenname"),
    "last_name": ("lastname", "nom", "nomdefamille", "surname", "familyname"),
    "organisation": ("organisation", "organization", "structure", "association", "organisme"),
    "territory": (
        "territory",
        "departement",
        "territoire",
        "department",
        "codepostal",
        "postcode",
        "cp",
        "zip",
    ),
    "modes": ("modes", "mode", "participation", "modesdeparticipation"),
    "language": ("language", "langue", "lang"),
}
_BY_ALIAS = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}


def fold_header(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key of a header cell."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^0-9a-z]+", "", plain)


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


def map_header(cells: list[str]) -> dict[str, int]:
    """Field name -> column index; raises when there is no email column."""
    mapping: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _BY_ALIAS.get(fold_header(cell))
        if name is not None and name not in mapping:
            mapping[name] = index
    if "email" not in mapping:
        raise ValidationError.single(
            "file",
            str(_l("Line 1: no email column (expected a header such as email, courriel, e-mail).")),
        )
    return mapping


class CsvSource:
    """An open CSV file: its header mapping and its rows, read one at a time."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.size = self.path.stat().st_size
        if self.size == 0:
            raise ValidationError.single("file", str(_l("The file is empty.")))
        self.encoding = detect_encoding(self.path)
        self._file = self.path.open("r", encoding=self.encoding, errors="replace", newline="")
        sample = self._file.read(64 * 1024)
        self._file.seek(0)
        self.delimiter = sniff_delimiter(sample)
        self._reader = csv.reader(self._file, delimiter=self.delimiter)
        try:
            header = next(self._reader, None)
        except csv.Error as exc:
            self.close()
            raise ValidationError.single("file", f"Line 1: {exc}") from exc
        if not header or not any(cell.strip() for cell in header):
            self.close()
            raise ValidationError.single("file", str(_l("The file is empty.")))
        self.header = header
        try:
            self.columns = map_header(header)
        except ValidationError:
            self.close()
            raise

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
