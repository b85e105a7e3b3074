"""Tests for cac_news.territories (pure Python, no Flask app needed)."""

import json
from importlib.resources import files

import pytest

from cac_news import territories as t

# Number of départements per région (INSEE COG), keyed by région code.
EXPECTED_REGION_SIZES = {
    "R01": 1,
    "R02": 1,
    "R03": 1,
    "R04": 1,
    "R06": 1,
    "R11": 8,
    "R24": 6,
    "R27": 8,
    "R28": 5,
    "R32": 5,
    "R44": 10,
    "R52": 5,
    "R53": 4,
    "R75": 12,
    "R76": 13,
    "R84": 12,
    "R93": 6,
    "R94": 2,
}


# --- data -----------------------------------------------------------------------------------


def test_data_file_ships_inside_package():
    data = json.loads((files("cac_news") / "data" / "territories.json").read_text(encoding="utf-8"))
    assert len(data["regions"]) == 18
    assert len(data["departements"]) == 101


def test_counts():
    assert len(t.departements()) == 101
    assert len(t.regions()) == 18
    assert len(t.all_territories()) == 1 + 18 + 101


def test_departement_codes_are_exactly_the_insee_list():
    expected = (
        [f"{n:02d}" for n in range(1, 20)]
        + ["2A", "2B"]
        + [f"{n:02d}" for n in range(21, 96)]
        + ["971", "972", "973", "974", "976"]
    )
    assert [d.code for d in t.departements()] == expected
    assert t.get("975") is None
    assert t.get("20") is None


def test_region_codes():
    assert {r.code for r in t.regions()} == set(EXPECTED_REGION_SIZES)


def test_codes_are_unique():
    codes = [x.code for x in t.all_territories()]
    assert len(codes) == len(set(codes))


def test_every_departement_has_an_existing_region():
    for dep in t.departements():
        assert dep.kind == "departement"
        region = t.get(dep.region_code)
        assert region is not None, dep
        assert region.kind == "region"


def test_every_region_has_departements_and_expected_size():
    for region in t.regions():
        assert region.kind == "region"
        assert region.region_code is None
        members = t.departements_of_region(region.code)
        assert members, region
        assert len(members) == EXPECTED_REGION_SIZES[region.code], region


def test_region_members_partition_departements():
    seen = []
    for region in t.regions():
        seen.extend(t.departements_of_region(region.code))
    assert sorted(seen) == sorted(d.code for d in t.departements())


@pytest.mark.parametrize(
    ("dep", "region"),
    [
        ("75", "R11"),
        ("93", "R11"),
        ("2A", "R94"),
        ("2B", "R94"),
        ("976", "R06"),
        ("971", "R01"),
        ("974", "R04"),
        ("13", "R93"),
        ("67", "R44"),
        ("68", "R44"),
        ("90", "R27"),
        ("44", "R52"),
        ("22", "R53"),
        ("69", "R84"),
        ("64", "R75"),
        ("31", "R76"),
        ("60", "R32"),
        ("50", "R28"),
        ("28", "R24"),
    ],
)
def test_known_mappings(dep, region):
    assert t.region_of(dep) == region
    assert t.get(dep).region_code == region
    assert dep in t.departements_of_region(region)


def test_official_names_keep_accents():
    assert t.get("22").name == "Côtes-d'Armor"
    assert t.get("2A").name == "Corse-du-Sud"
    assert t.get("2B").name == "Haute-Corse"
    assert t.get("974").name == "La Réunion"
    assert t.get("R11").name == "Île-de-France"
    assert t.get("R93").name == "Provence-Alpes-Côte d'Azur"


def test_national_entry():
    national = t.get(t.NATIONAL)
    assert t.NATIONAL == "FR"
    assert national == t.Territory(code="FR", name="National", kind="national", region_code=None)


def test_all_territories_order():
    everything = t.all_territories()
    assert everything[0].code == "FR"
    kinds = [x.kind for x in everything]
    assert kinds == ["national"] + ["region"] * 18 + ["departement"] * 101
    region_names = [x.name for x in everything[1:19]]
    assert region_names[0] == "Auvergne-Rhône-Alpes"
    # Accent-insensitive ordering: Île-de-France sits between Hauts-de-France and La Réunion.
    idf = region_names.index("Île-de-France")
    assert region_names[idf - 1] == "Hauts-de-France"
    assert region_names[idf + 1] == "La Réunion"
    assert everything[19:] == t.departements()


def test_territory_is_frozen():
    with pytest.raises(AttributeError):
        t.get("75").name = "Lutèce"


def test_returned_lists_are_copies():
    t.departements().clear()
    t.regions().clear()
    t.all_territories().clear()
    t.departements_of_region("R94").clear()
    assert len(t.departements()) == 101
    assert len(t.regions()) == 18
    assert len(t.all_territories()) == 120
    assert t.departements_of_region("R94") == ["2A", "2B"]


def test_get_unknown_and_exact():
    assert t.get("R84").kind == "region"
    assert t.get("84").kind == "departement"
    assert t.get("r84") is None
    assert t.get("2a") is None
    assert t.get("") is None


def test_region_of_non_departements():
    assert t.region_of("FR") is None
    assert t.region_of("R84") is None
    assert t.region_of("975") is None


def test_departements_of_region_order_and_unknown():
    assert t.departements_of_region("R11") == ["75", "77", "78", "91", "92", "93", "94", "95"]
    with pytest.raises(ValueError, match="R99"):
        t.departements_of_region("R99")
    with pytest.raises(ValueError):
        t.departements_of_region("11")


# --- expand ---------------------------------------------------------------------------------


def test_expand_region():
    assert t.expand(["R94"]) == {"2A", "2B"}
    assert t.expand(["R53"]) == {"22", "29", "35", "56"}


def test_expand_mixed():
    assert t.expand(["FR", "R94", "75", "2A"]) == {"FR", "2A", "2B", "75"}
    assert t.expand(iter(["971"])) == {"971"}
    assert t.expand([]) == set()


def test_expand_unknown_code_raises_naming_it():
    with pytest.raises(ValueError, match="R99"):
        t.expand(["R11", "R99"])
    with pytest.raises(ValueError, match="975"):
        t.expand(["975"])
    with pytest.raises(ValueError, match="Paris"):
        t.expand(["Paris"])


# --- resolve --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Codes, any case, missing leading zero, surrounding whitespace.
        ("75", "75"),
        ("01", "01"),
        ("1", "01"),
        ("9", "09"),
        ("2A", "2A"),
        ("2a", "2A"),
        (" 2b ", "2B"),
        ("971", "971"),
        ("976", "976"),
        ("  13\t", "13"),
        ("75.0", "75"),
        # Names: case, accents, hyphens, apostrophes, spaces, abbreviations.
        ("Paris", "75"),
        ("cotes d armor", "22"),
        ("CÔTES-D'ARMOR", "22"),
        ("Côtes d’Armor", "22"),
        ("cotesdarmor", "22"),
        ("Seine-Saint-Denis", "93"),
        ("seine st denis", "93"),
        ("Seine-St-Denis", "93"),
        ("corse du sud", "2A"),
        ("HAUTE CORSE", "2B"),
        ("la reunion", "974"),
        ("Réunion", "974"),
        ("Ardeche", "07"),
        ("puy de dome", "63"),
        ("val d'oise", "95"),
        ("Territoire de Belfort", "90"),
        ("Guadeloupe", "971"),
        ("mayotte", "976"),
        ("Les Landes", "40"),
        ("l'Ain", "01"),
        # Code and name together.
        ("75 - Paris", "75"),
        ("75 Paris", "75"),
        ("75-Paris", "75"),
        ("1 - Ain", "01"),
        ("2A Corse-du-Sud", "2A"),
        ("2b - haute corse", "2B"),
        ("971 Guadeloupe", "971"),
        ("Paris (75)", "75"),
        ("93 - Seine St Denis", "93"),
        # Postcodes.
        ("75011", "75"),
        ("01000", "01"),
        ("1000", "01"),
        ("75 011", "75"),
        ("75011.0", "75"),
        ("20000", "2A"),
        ("20090", "2A"),
        ("20199", "2A"),
        ("20200", "2B"),
        ("20600", "2B"),
        ("20699", "2B"),
        ("97100", "971"),
        ("97110", "971"),
        ("97200", "972"),
        ("97300", "973"),
        ("97400", "974"),
        ("97600", "976"),
        ("95000", "95"),
        # National.
        ("national", "FR"),
        ("National", "FR"),
        ("nationale", "FR"),
        ("NATIONALE", "FR"),
        ("France", "FR"),
        ("france", "FR"),
        ("FR", "FR"),
        ("fr", "FR"),
        (" France ", "FR"),
    ],
)
def test_resolve(value, expected):
    assert t.resolve(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "-",
        "20",  # Corsica has no plain "20" département any more
        "975",  # Saint-Pierre-et-Miquelon is not a département
        "977",
        "0",
        "00",
        "96",
        "100",
        "R84",  # région codes are not resolved
        "r11",
        "Bretagne",  # région names are not resolved
        "Île-de-France",
        "Corse",
        "97500",  # Saint-Pierre-et-Miquelon
        "97700",  # Saint-Barthélemy
        "97150",  # Saint-Martin
        "97133",  # Saint-Barthélemy
        "98000",  # Monaco
        "98800",  # Nouvelle-Calédonie
        "00100",
        "20700",
        "123456",
        "1 2",
        "75 - Lyon",  # code and name disagree
        "13 Paris",
        "Lutèce",
        "Saint Denis",
        "Paris 11e",
    ],
)
def test_resolve_unrecognised(value):
    assert t.resolve(value) is None


def test_resolve_every_official_name_and_code():
    for dep in t.departements():
        assert t.resolve(dep.code) == dep.code
        assert t.resolve(dep.name) == dep.code
        assert t.resolve(dep.name.upper()) == dep.code
        assert t.resolve(f"{dep.code} - {dep.name}") == dep.code


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2A004", "2A"), ("2b033", "2B"), ("75056", "75"), ("97101", "971"), ("13055", "13")],
)
def test_insee_commune_codes_give_their_departement(value, expected):
    assert t.resolve(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("R84", "R84"),
        ("r53", "R53"),
        ("Auvergne-Rhône-Alpes", "R84"),
        ("région Bretagne", "R53"),
        ("PACA", "R93"),
        ("Guadeloupe", "971"),  # a région and a département: the finer one
        ("84", "84"),  # a bare number is the département (Vaucluse), never région 84
    ],
)
def test_regions_resolve_when_asked(value, expected):
    assert t.resolve(value, regions=True) == expected


def test_regions_are_not_resolved_unless_asked():
    assert t.resolve("Bretagne") is None
    assert t.resolve("R84") is None


@pytest.mark.parametrize("country", ["Belgique", "BE", "Suisse", "Deutschland"])
def test_another_country_has_no_territory(country):
    assert t.resolve("75001", country=country) is None
    assert t.resolve("Bretagne", country=country, regions=True) is None


@pytest.mark.parametrize("country", [None, "", "France", "FR", "fra", "République française"])
def test_france_however_written(country):
    assert t.resolve("75001", country=country) == "75"
