"""French territories (national, régions, départements) and lookup helpers.

Territory codes are a contract shared across the app:

* a département's code is its INSEE code ("75", "2A", "971");
* a région's code is "R" + its INSEE code ("R11", "R94");
* the whole country is "FR" ("National").

Data comes from ``cac_news/data/territories.json`` (INSEE Code officiel géographique) and is
loaded once at import time. This module has no Flask or database dependency.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files

NATIONAL = "FR"
NATIONAL_NAME = "National"
REGION_PREFIX = "R"

KIND_NATIONAL = "national"
KIND_REGION = "region"
KIND_DEPARTEMENT = "departement"


@dataclass(frozen=True)
class Territory:
    """A territory an article or a subscriber can be attached to."""

    code: str
    name: str
    kind: str  # "departement" | "region" | "national"
    region_code: str | None  # "R84" for a département, None otherwise


def _departement_sort_key(code: str) -> tuple[int, str]:
    """Order département codes as INSEE does: 01..19, 2A, 2B, 21..95, 971..976."""
    if code in ("2A", "2B"):
        return (20, code)
    return (int(code), "")


def _fold(text: str) -> str:
    """Lower-case, strip accents and turn every non-alphanumeric run into a single space."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.split(r"[^0-9a-z]+", ascii_text.casefold())).strip()


# Abbreviations people commonly type in names ("Seine-St-Denis").
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}


def _name_key(text: str) -> str:
    """Key used to match names: accent-, case-, punctuation- and space-insensitive."""
    return "".join(_ABBREVIATIONS.get(token, token) for token in _fold(text).split())


def _load() -> tuple[Territory, dict[str, Territory], dict[str, list[str]]]:
    """Read the JSON data file and build the territory tables."""
    raw = (files("cac_news") / "data" / "territories.json").read_text(encoding="utf-8")
    data = json.loads(raw)

    regions_by_code = {
        REGION_PREFIX + r["code"]: Territory(
            code=REGION_PREFIX + r["code"], name=r["name"], kind=KIND_REGION, region_code=None
        )
        for r in data["regions"]
    }
    deps = [
        Territory(
            code=d["code"],
            name=d["name"],
            kind=KIND_DEPARTEMENT,
            region_code=REGION_PREFIX + d["region"],
        )
        for d in data["departements"]
    ]
    deps.sort(key=lambda t: _departement_sort_key(t.code))

    national = Territory(code=NATIONAL, name=NATIONAL_NAME, kind=KIND_NATIONAL, region_code=None)
    by_code: dict[str, Territory] = {NATIONAL: national, **regions_by_code}
    members: dict[str, list[str]] = {code: [] for code in regions_by_code}
    for dep in deps:
        if dep.code in by_code:
            raise ValueError(f"duplicate territory code in data: {dep.code!r}")
        if dep.region_code not in members:
            raise ValueError(f"département {dep.code!r} has unknown région {dep.region_code!r}")
        by_code[dep.code] = dep
        members[dep.region_code].append(dep.code)
    return national, by_code, members


_NATIONAL_TERRITORY, _BY_CODE, _REGION_MEMBERS = _load()
_REGIONS = sorted(
    (t for t in _BY_CODE.values() if t.kind == KIND_REGION), key=lambda t: _fold(t.name)
)
_DEPARTEMENTS = [t for t in _BY_CODE.values() if t.kind == KIND_DEPARTEMENT]
_ALL = [_NATIONAL_TERRITORY, *_REGIONS, *_DEPARTEMENTS]

# Name keys -> département code. Built from official names plus a few common variants.
_DEPARTEMENT_BY_NAME: dict[str, str] = {_name_key(t.name): t.code for t in _DEPARTEMENTS}
_DEPARTEMENT_BY_NAME.update(
    {
        _name_key("Réunion"): "974",
        _name_key("Île de la Réunion"): "974",
        _name_key("Belfort"): "90",
    }
)
_NATIONAL_KEYS = {
    _name_key(v)
    for v in ("FR", "France", "National", "Nationale", "France entière", "Toute la France")
}

# Overseas département codes, also the 3-digit prefixes of their postcodes. Other 97x/98x
# postcodes belong to collectivités that are not départements.
_OVERSEAS_CODES = {"971", "972", "973", "974", "976"}
# Saint-Barthélemy and Saint-Martin kept Guadeloupe postcodes but left the département in 2007.
_NON_DEPARTEMENT_POSTCODES = {"97133", "97150"}


def all_territories() -> list[Territory]:
    """Return national, then régions by name, then départements in INSEE code order."""
    return list(_ALL)


def departements() -> list[Territory]:
    """Return all départements in INSEE code order."""
    return list(_DEPARTEMENTS)


def regions() -> list[Territory]:
    """Return all régions sorted by name."""
    return list(_REGIONS)


def get(code: str) -> Territory | None:
    """Return the territory with this exact code, or None."""
    return _BY_CODE.get(code)


def departements_of_region(region_code: str) -> list[str]:
    """Return the codes of a région's départements (région code like "R84"), in code order."""
    try:
        return list(_REGION_MEMBERS[region_code])
    except KeyError:
        raise ValueError(f"unknown région code: {region_code!r}") from None


def region_of(departement_code: str) -> str | None:
    """Return the région code ("R84") of a département, or None if it is not a département."""
    territory = _BY_CODE.get(departement_code)
    if territory is None or territory.kind != KIND_DEPARTEMENT:
        return None
    return territory.region_code


def expand(codes: Iterable[str]) -> set[str]:
    """Replace région codes by their départements' codes; keep département codes and "FR"."""
    result: set[str] = set()
    for code in codes:
        territory = _BY_CODE.get(code)
        if territory is None:
            raise ValueError(f"unknown territory code: {code!r}")
        if territory.kind == KIND_REGION:
            result.update(_REGION_MEMBERS[code])
        else:
            result.add(code)
    return result


def _departement_from_code(token: str) -> str | None:
    """Map a typed département code ("75", "1", "2a", "971") to its INSEE code, or None."""
    token = token.upper()
    if token in ("2A", "2B"):
        return token
    if not token.isdigit() or len(token) > 3:
        return None
    if len(token) == 3:
        return token if token in _OVERSEAS_CODES else None
    code = token.zfill(2)
    return code if code in _BY_CODE else None


def _departement_from_postcode(digits: str) -> str | None:
    """Map a 5-digit French postcode to its département code, or None."""
    prefix = digits[:2]
    if prefix == "97":
        code = digits[:3]
        if code not in _OVERSEAS_CODES or digits in _NON_DEPARTEMENT_POSTCODES:
            return None
        return code
    if prefix == "20":
        number = int(digits)
        if 20000 <= number <= 20199:
            return "2A"
        if 20200 <= number <= 20699:
            return "2B"
        return None
    territory = _BY_CODE.get(prefix)
    return prefix if territory is not None and territory.kind == KIND_DEPARTEMENT else None


_ARTICLES = {"le", "la", "les", "l"}


def _departement_from_name(folded: str) -> str | None:
    """Map a folded département name, optionally with a leading article, to its code."""
    code = _DEPARTEMENT_BY_NAME.get(_name_key(folded))
    if code is None:
        first, _, rest = folded.partition(" ")
        if first in _ARTICLES and rest:
            code = _DEPARTEMENT_BY_NAME.get(_name_key(rest))
    return code


def _resolve_single(folded: str) -> str | None:
    """Resolve a folded value that is a single code, postcode, name or national keyword."""
    if _name_key(folded) in _NATIONAL_KEYS:
        return NATIONAL
    corsican = _commune_departement(folded)
    if corsican is not None:
        return corsican
    if re.fullmatch(r"\d{5}|\d{2} \d{3}", folded):
        return _departement_from_postcode(folded.replace(" ", ""))
    if re.fullmatch(r"\d{4}", folded):
        # A postcode whose leading zero was eaten by a spreadsheet ("1000" for "01000").
        return _departement_from_postcode("0" + folded)
    if " " not in folded:
        code = _departement_from_code(folded)
        if code is not None:
            return code
    return _departement_from_name(folded)


# Names and codes people write for France; overseas départements have their own ISO codes.
_FRANCE_KEYS = {
    _name_key(v)
    for v in ("FR", "FRA", "France", "République française", "GP", "MQ", "GF", "RE", "YT")
}
_REGION_BY_NAME: dict[str, str] = {_name_key(t.name): t.code for t in _REGIONS}
_REGION_BY_NAME.update({_name_key("PACA"): "R93", _name_key("Région Sud"): "R93"})


def in_france(country: str | None) -> bool:
    """Whether a typed country ("FR", "France", "fr", or nothing) is France."""
    return _is_france(country)


def _is_france(country: str | None) -> bool:
    """Whether a typed country is France (an empty country means France)."""
    folded = _fold(country or "")
    return not folded or _name_key(folded) in _FRANCE_KEYS


def _commune_departement(folded: str) -> str | None:
    """Map a Corsican INSEE commune code ("2a004", "2b033") to its département."""
    if re.fullmatch(r"2[ab]\d{3}", folded):
        return folded[:2].upper()
    return None


def _region(folded: str) -> str | None:
    """Map a région code ("R84") or name ("Auvergne-Rhône-Alpes") to its code."""
    code = folded.upper()
    if code.startswith(REGION_PREFIX) and code in _REGION_MEMBERS:
        return code
    name = folded.removeprefix("region ").strip()
    return _REGION_BY_NAME.get(_name_key(name))


def resolve(value: str, country: str | None = None, regions: bool = False) -> str | None:
    """Turn a typed code, name, postcode or INSEE commune code into a département code or
    "FR", or None. Outside France (`country` given and not France) there is no territory.
    With `regions`, a région's code or name gives that région's code ("R84"); a name both
    a région and a département (Guadeloupe…) stays the département, the finer one."""
    if value is None or not _is_france(country):
        return None
    if regions:
        folded = _fold(value.strip())
        code = resolve(value)
        return code if code is not None else _region(folded)
    text = value.strip()
    # Spreadsheets often turn numeric cells into floats: "75.0", "75011.0".
    text = re.sub(r"^(\d+)\.0+$", r"\1", text)
    folded = _fold(text)
    if not folded:
        return None

    direct = _resolve_single(folded)
    if direct is not None:
        return direct

    # "75 - Paris", "75 Paris", "Paris (75)": a code next to a name; both must agree.
    tokens = folded.split()
    if len(tokens) >= 2:
        for code_token, name_part in (
            (tokens[0], " ".join(tokens[1:])),
            (tokens[-1], " ".join(tokens[:-1])),
        ):
            code = _departement_from_code(code_token)
            if code is not None and _departement_from_name(name_part) == code:
                return code
    return None
