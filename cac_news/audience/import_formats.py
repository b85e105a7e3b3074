"""The exports of the tools people leave, recognised from their header line alone.

Each format maps its column names to our fields and says how its status columns read.
Sources (the sample files in tests/data/imports/ follow them; see its README):
Mailchimp's audience export (subscribed, unsubscribed and cleaned files), Brevo's contact
export, listmonk's subscriber export, Mailman 3 (`mailman members` and Postorius' list of
addresses, both without a header), Google Contacts' "Google CSV", and spreadsheets.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

FORMATS = ("mailchimp", "brevo", "listmonk", "mailman", "google", "csv")
FORMAT_LABELS = {
    "mailchimp": "Mailchimp",
    "brevo": "Brevo (Sendinblue)",
    "listmonk": "listmonk",
    "mailman": "Mailman",
    "google": "Google Contacts",
    "csv": "CSV",
}
# Fields a column may feed. `name` is split into first and last name; `mailbox` is a
# `Name <address>` cell; `status` is read with STATUS_WORDS; `left_flag` is a yes/no
# column (Brevo's blacklist); `left_time`/`cleaned_time` are set when the person left.
FIELDS = (
    "email", "mailbox", "first_name", "last_name", "name", "organisation", "territory",
    "country", "modes", "language", "status", "left_flag", "left_time", "cleaned_time",
    "attributes",
)  # fmt: skip

# Folded header name (letters and digits only) -> field, for every format.
COMMON_ALIASES = {
    "email": (
        "email", "courriel", "mail", "adressemail", "adresseemail", "adresseelectronique",
        "emailaddress", "adressecourriel", "email1value", "emailadresse",
    ),
    "first_name": ("firstname", "prenom", "givenname", "fname"),
    "last_name": ("lastname", "nom", "nomdefamille", "surname", "familyname", "lname"),
    "name": ("name", "nomcomplet", "fullname", "displayname", "nometprenom", "prenometnom"),
    "organisation": (
        "organisation", "organization", "structure", "association", "organisme",
        "organization1name", "organizationname", "company", "societe", "entreprise",
    ),
    "territory": (
        "territory", "departement", "territoire", "department", "codepostal", "postcode",
        "cp", "zip", "zipcode", "postalcode", "address1postalcode", "region", "commune",
        "codeinsee", "codecommune",
    ),
    "country": ("country", "pays", "cc", "countrycode", "address1country", "codepays"),
    "modes": ("modes", "mode", "participation", "modesdeparticipation"),
    "language": ("language", "langue", "lang"),
    "status": ("status", "statut", "etat", "subscriptionstatus"),
    "left_flag": (
        "emailblacklisted", "blacklisted", "blacklist", "emailblacklist", "blocklisted",
        "desinscrit", "unsubscribed", "optout",
    ),
    "left_time": ("unsubtime", "unsubscribedat", "datededesinscription"),
    "cleaned_time": ("cleantime", "cleanedat"),
    "attributes": ("attributes", "attribs"),
}  # fmt: skip
ALIASES = {alias: name for name, aliases in COMMON_ALIASES.items() for alias in aliases}

MAILCHIMP_MARKERS = {
    "memberrating", "optintime", "leid", "euid", "confirmtime", "unsubtime", "cleantime",
}  # fmt: skip
# Mailchimp guesses these from the opening IP address: not where the person said they live.
MAILCHIMP_GEOLOCATION = {"cc", "region", "latitude", "longitude", "timezone"}
# A status cell -> the status it imposes; anything else keeps the import's own status.
STATUS_WORDS = {
    "unsubscribed": "unsubscribed", "unsubscribe": "unsubscribed", "desinscrit": "unsubscribed",
    "desinscrite": "unsubscribed", "desabonne": "unsubscribed", "desabonnee": "unsubscribed",
    "blocklisted": "unsubscribed", "blacklisted": "unsubscribed", "blacklist": "unsubscribed",
    "optout": "unsubscribed", "optedout": "unsubscribed", "disabled": "unsubscribed",
    "cleaned": "bounced", "bounced": "bounced", "hardbounce": "bounced", "invalid": "bounced",
    "complained": "complained", "spam": "complained", "plainte": "complained",
}  # fmt: skip
YES_WORDS = {"1", "yes", "oui", "true", "vrai", "x", "y", "o"}
_MAILBOX = re.compile(r"^\s*(?P<name>.*?)\s*<(?P<address>[^<>\s]+@[^<>\s]+)>\s*$")
_BARE_ADDRESS = re.compile(r"^\s*[^\s@<>,;\"]+@[^\s@<>,;\"]+\.[^\s@<>,;\"]+\s*$")
PARTICLES = {
    "de", "du", "des", "d", "le", "la", "les", "van", "von", "der", "den", "ter", "di", "da",
    "del", "della", "dos", "das", "do", "ben", "ibn", "al", "el", "mac", "st", "saint",
}  # fmt: skip


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key of a header or a cell."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^0-9a-z]+", "", plain)


@dataclass
class Layout:
    """How to read one file: its format, whether it has a header, which column is what."""

    format: str
    columns: dict[str, int]
    headerless: bool = False
    whole_lines: bool = False  # `Name <address>` lines: one cell per line, never split
    labels: list[str] = field(default_factory=list)  # the header cells, for the mapping page

    def mapping(self, width: int) -> list[str]:
        """The field of each column ("" when ignored)."""
        by_index = {index: name for name, index in self.columns.items()}
        return [by_index.get(index, "") for index in range(width)]


def looks_like_mailbox(cell: str) -> bool:
    """`Anne Person <anne@example.org>`."""
    return bool(_MAILBOX.match(cell))


def looks_like_address(cell: str) -> bool:
    """A bare address, as a header-less member list holds them."""
    return bool(_BARE_ADDRESS.match(cell))


def parse_mailbox(cell: str) -> tuple[str, str]:
    """(display name, address) of a `Name <address>` cell, or ("", cell)."""
    match = _MAILBOX.match(cell)
    if match is None:
        return "", cell.strip()
    name = match.group("name").strip().strip('"').strip()
    return name, match.group("address")


def guess_format(cells: list[str]) -> str:
    """The tool that wrote this header line."""
    folded = {fold(c) for c in cells}
    if {"uuid", "email", "attributes"} <= folded:
        return "listmonk"
    if "emailaddress" in folded and folded & MAILCHIMP_MARKERS:
        return "mailchimp"
    if "email1value" in folded:
        return "google"
    exact = {c.strip() for c in cells}
    if "EMAIL" in exact and (
        exact & {"CONTACT ID", "CONTACT_ID", "SMS", "ADDED_TIME", "MODIFIED_TIME"}
        or folded & {"emailblacklisted", "blacklisted"}
    ):
        return "brevo"
    return "csv"


def headerless_layout(cells: list[str]) -> Layout | None:
    """A member list without a header: addresses, or `Name <address>` lines."""
    stripped = [c.strip() for c in cells]
    if len(stripped) == 1 and looks_like_mailbox(stripped[0]):
        return Layout("mailman", {"mailbox": 0}, headerless=True, whole_lines=True)
    for index, cell in enumerate(stripped):
        if looks_like_address(cell):
            columns = {"email": index}
            others = [i for i in range(len(stripped)) if i != index]
            if len(others) == 1:
                columns["name"] = others[0]
            return Layout("mailman", columns, headerless=True)
    return None


def detect(cells: list[str], wanted: str | None = None) -> Layout | None:
    """The layout of a file from its first line; None when no column holds addresses."""
    if wanted == "mailman" or (wanted is None and headerless_layout(cells) is not None):
        layout = headerless_layout(cells)
        if layout is not None:
            return layout
    fmt = wanted if wanted and wanted != "mailman" else guess_format(cells)
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        if fmt == "mailchimp" and fold(cell) in MAILCHIMP_GEOLOCATION:
            continue
        name = ALIASES.get(fold(cell))
        if name is not None and name not in columns:
            columns[name] = index
    if fmt == "google" and "name" in columns and "first_name" in columns:
        columns.pop("name")  # Google gives both; the parts are the person's own split
    if "email" not in columns:
        return None
    return Layout(fmt, columns, labels=list(cells))


def status_of(record_cells: dict[str, str]) -> str | None:
    """The status the source gives this person, when they left there; else None."""
    if record_cells.get("cleaned_time", "").strip():
        return "bounced"
    if record_cells.get("left_time", "").strip():
        return "unsubscribed"
    if fold(record_cells.get("left_flag", "")) in YES_WORDS:
        return "unsubscribed"
    return STATUS_WORDS.get(fold(record_cells.get("status", "")))


def split_name(full: str) -> tuple[str, str]:
    """(first name, last name) of a name written in one cell, kept as the person wrote it.

    "Dupont, Marie" and "DUPONT Marie" (the family name in capitals, as French forms
    write it) put the family name first; "Jean-Pierre de La Fontaine" keeps its particle
    with the family name; otherwise the last word is the family name.
    """
    text = " ".join(full.split())
    if not text:
        return "", ""
    if "," in text:
        last, _, first = text.partition(",")
        return first.strip(), last.strip()
    words = text.split(" ")
    if len(words) == 1:
        return words[0], ""

    def shouting(word: str) -> bool:
        letters = [c for c in word if c.isalpha()]
        return len(letters) > 1 and all(c.isupper() for c in letters)

    if not all(shouting(w) for w in words):
        if shouting(words[0]):
            cut = next(i for i, w in enumerate(words) if not shouting(w))
            return " ".join(words[cut:]), " ".join(words[:cut])
        if shouting(words[-1]):
            cut = max(i for i, w in enumerate(words) if not shouting(w)) + 1
            return " ".join(words[:cut]), " ".join(words[cut:])
    for index in range(1, len(words) - 1):
        if fold(words[index].rstrip("'’")) in PARTICLES:
            return " ".join(words[:index]), " ".join(words[index:])
    return " ".join(words[:-1]), words[-1]
