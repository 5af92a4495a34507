"""Words the demo network is made of: places, employers and what they offer.

Sectors follow the Flora project (Flora I.3; flora-analysis §4.1) and the offers follow the igma
ladder (igma ch. 5 "Betrokkenheid van de werkgever"). Job titles are in the staff's own language:
Dutch for the Netherlands and Flanders, Swedish for Sweden.
"""

from __future__ import annotations

from typing import NamedTuple

from crm.choices import Ownership, Sector, SizeBand, VacancyKind


class City(NamedTuple):
    """A city and the postcodes that belong to it."""

    name: str
    postcodes: tuple[str, ...]


class CuratedEmployer(NamedTuple):
    """A hand-written employer for the first rows of the demo network."""

    name: str
    country: str
    city: str
    sector: Sector
    size: SizeBand
    ownership: Ownership


# NL and SE postcodes are ranges of the leading digits ("3511-3585"); BE postcodes are whole codes.
CITIES: dict[str, tuple[City, ...]] = {
    "NL": (
        City("Utrecht", ("3511-3585",)),
        City("Amsterdam", ("1011-1109",)),
        City("Rotterdam", ("3011-3089",)),
        City("Den Haag", ("2491-2599",)),
        City("Nijmegen", ("6511-6546",)),
        City("Tiel", ("4001-4007",)),
        City("Culemborg", ("4101-4108",)),
        City("Arnhem", ("6811-6846",)),
        City("Eindhoven", ("5611-5658",)),
        City("Zwolle", ("8011-8048",)),
        City("Groningen", ("9711-9747",)),
        City("Leeuwarden", ("8911-8939",)),
        City("Tilburg", ("5011-5049",)),
        City("Almere", ("1311-1364",)),
    ),
    "BE": (
        City("Gent", ("9000", "9030", "9031", "9032", "9040", "9041", "9042", "9050", "9051", "9052")),
        City("Antwerpen", ("2000", "2018", "2020", "2030", "2040", "2050", "2060", "2100", "2140", "2170", "2660")),
        City("Brussel", ("1000", "1020", "1030", "1040", "1050", "1060", "1070", "1080", "1090", "1180", "1210")),
        City("Leuven", ("3000", "3001", "3010", "3012", "3018")),
        City("Mechelen", ("2800", "2801", "2811", "2812")),
        City("Brugge", ("8000", "8200", "8310", "8380")),
        City("Hasselt", ("3500", "3501", "3510", "3511", "3512")),
        City("Genk", ("3600",)),
        City("Aalst", ("9300", "9308", "9310", "9320")),
        City("Kortrijk", ("8500", "8501", "8510", "8511")),
        City("Sint-Niklaas", ("9100", "9111", "9112")),
    ),
    "SE": (
        City("Stockholm", ("111-129",)),
        City("Göteborg", ("411-418",)),
        City("Malmö", ("211-218",)),
        City("Uppsala", ("751-754",)),
        City("Örebro", ("702-703",)),
        City("Västerås", ("721-724",)),
        City("Linköping", ("581-587",)),
        City("Norrköping", ("602-603",)),
        City("Umeå", ("903-907",)),
        City("Södertälje", ("151-152",)),
    ),
}

STREETS: dict[str, tuple[str, ...]] = {
    "NL": (
        "Stationsstraat",
        "Kerkstraat",
        "Industrieweg",
        "Havenweg",
        "Nieuwe Gracht",
        "Dorpsstraat",
        "Marktplein",
        "Ambachtsweg",
        "Europalaan",
        "Spoorlaan",
    ),
    "BE": (
        "Stationsstraat",
        "Kerkstraat",
        "Nieuwstraat",
        "Brusselsesteenweg",
        "Industriepark",
        "Kortrijksesteenweg",
        "Koningin Astridlaan",
        "Dorp",
        "Vaartstraat",
        "Lange Ridderstraat",
    ),
    "SE": (
        "Storgatan",
        "Drottninggatan",
        "Kungsgatan",
        "Industrivägen",
        "Hamngatan",
        "Sveavägen",
        "Järnvägsgatan",
        "Verkstadsgatan",
        "Skolgatan",
        "Ringvägen",
    ),
}

# The first rows of every demo network, so a reader sees the same employers on every machine.
CURATED: tuple[CuratedEmployer, ...] = (
    CuratedEmployer("Zorggroep Rivierenland", "NL", "Tiel", Sector.CARE, SizeBand.LARGE, Ownership.NON_PROFIT),
    CuratedEmployer("Brasserie De Kade", "NL", "Utrecht", Sector.HOSPITALITY, SizeBand.SMALL, Ownership.PROFIT),
    CuratedEmployer("Städbolaget Norrsken AB", "SE", "Stockholm", Sector.CLEANING, SizeBand.MEDIUM, Ownership.PROFIT),
    CuratedEmployer("Schoonmaakbedrijf Van Dam", "NL", "Rotterdam", Sector.CLEANING, SizeBand.MEDIUM, Ownership.PROFIT),
    CuratedEmployer("Wasserij Het Anker vzw", "BE", "Gent", Sector.CLEANING, SizeBand.MEDIUM, Ownership.NON_PROFIT),
    CuratedEmployer("Hotel Plantage", "NL", "Amsterdam", Sector.HOSPITALITY, SizeBand.MEDIUM, Ownership.PROFIT),
    CuratedEmployer("Rusthuis Ter Linden", "BE", "Antwerpen", Sector.CARE, SizeBand.MEDIUM, Ownership.NON_PROFIT),
    CuratedEmployer("Restaurang Fyren", "SE", "Göteborg", Sector.HOSPITALITY, SizeBand.SMALL, Ownership.PROFIT),
    CuratedEmployer(
        "Distributiecentrum Waalhaven", "NL", "Rotterdam", Sector.LOGISTICS, SizeBand.LARGE, Ownership.PROFIT
    ),
    CuratedEmployer(
        "Maatwerkbedrijf De Brug vzw", "BE", "Mechelen", Sector.CLEANING, SizeBand.LARGE, Ownership.NON_PROFIT
    ),
    CuratedEmployer("Hemtjänst Solrosen AB", "SE", "Malmö", Sector.CARE, SizeBand.MEDIUM, Ownership.PROFIT),
    CuratedEmployer("Naaiatelier Zij aan Zij", "NL", "Amsterdam", Sector.SEWING, SizeBand.MICRO, Ownership.NON_PROFIT),
    CuratedEmployer("Thuiszorg De Linde", "NL", "Nijmegen", Sector.CARE, SizeBand.MEDIUM, Ownership.NON_PROFIT),
    CuratedEmployer("Brasserie 't Pleintje", "BE", "Leuven", Sector.HOSPITALITY, SizeBand.SMALL, Ownership.PROFIT),
    CuratedEmployer("Äldreboendet Lindgården", "SE", "Uppsala", Sector.CARE, SizeBand.MEDIUM, Ownership.PUBLIC),
    CuratedEmployer("Gemeente Culemborg", "NL", "Culemborg", Sector.PUBLIC, SizeBand.LARGE, Ownership.PUBLIC),
    CuratedEmployer(
        "Poetsdienst Propere Zaak", "BE", "Antwerpen", Sector.PERSONAL_SERVICES, SizeBand.SMALL, Ownership.PROFIT
    ),
    CuratedEmployer("Lagercentralen i Örebro AB", "SE", "Örebro", Sector.LOGISTICS, SizeBand.LARGE, Ownership.PROFIT),
    CuratedEmployer(
        "Kringloopwinkel De Ruilbeurs", "NL", "Arnhem", Sector.RETAIL, SizeBand.SMALL, Ownership.NON_PROFIT
    ),
    CuratedEmployer(
        "Logistiek Centrum Waasland", "BE", "Sint-Niklaas", Sector.LOGISTICS, SizeBand.LARGE, Ownership.PROFIT
    ),
    CuratedEmployer("Syateljén Tråd & Nål", "SE", "Malmö", Sector.SEWING, SizeBand.MICRO, Ownership.NON_PROFIT),
    CuratedEmployer("Bakkerij Bolder", "NL", "Zwolle", Sector.RETAIL, SizeBand.SMALL, Ownership.PROFIT),
    CuratedEmployer(
        "Administratiekantoor Yilmaz & Partners",
        "NL",
        "Den Haag",
        Sector.ADMINISTRATION,
        SizeBand.MICRO,
        Ownership.PROFIT,
    ),
    CuratedEmployer(
        "Confectieatelier Naald & Draad vzw", "BE", "Brussel", Sector.SEWING, SizeBand.SMALL, Ownership.NON_PROFIT
    ),
    CuratedEmployer("Café Kanelbullen", "SE", "Västerås", Sector.HOSPITALITY, SizeBand.MICRO, Ownership.PROFIT),
    CuratedEmployer(
        "Kinderopvang Het Speelhuis", "NL", "Almere", Sector.EDUCATION, SizeBand.MEDIUM, Ownership.NON_PROFIT
    ),
    CuratedEmployer("Woonzorgcentrum Sint-Jozef", "BE", "Brugge", Sector.CARE, SizeBand.LARGE, Ownership.NON_PROFIT),
    CuratedEmployer(
        "Fastighetsservice Berg & Son AB", "SE", "Linköping", Sector.CLEANING, SizeBand.SMALL, Ownership.PROFIT
    ),
    CuratedEmployer(
        "Groenvoorziening Buitengewoon", "NL", "Eindhoven", Sector.FORESTRY, SizeBand.SMALL, Ownership.NON_PROFIT
    ),
    CuratedEmployer("Sociaal Huis Aalst", "BE", "Aalst", Sector.PUBLIC, SizeBand.LARGE, Ownership.PUBLIC),
    CuratedEmployer("Förskolan Myrstacken", "SE", "Umeå", Sector.EDUCATION, SizeBand.SMALL, Ownership.PUBLIC),
    CuratedEmployer("Wasserij De Sluis", "NL", "Groningen", Sector.CLEANING, SizeBand.MEDIUM, Ownership.PROFIT),
    CuratedEmployer("Bakkerij Declercq", "BE", "Kortrijk", Sector.RETAIL, SizeBand.MICRO, Ownership.PROFIT),
    CuratedEmployer("Second hand Återbruket", "SE", "Norrköping", Sector.RETAIL, SizeBand.SMALL, Ownership.NON_PROFIT),
    CuratedEmployer("Buurtsupermarkt Oost", "NL", "Amsterdam", Sector.RETAIL, SizeBand.MEDIUM, Ownership.PROFIT),
    CuratedEmployer("Traiteur Mosaïek", "BE", "Brussel", Sector.HOSPITALITY, SizeBand.SMALL, Ownership.PROFIT),
    CuratedEmployer(
        "Redovisningsbyrån Ek & Partners AB",
        "SE",
        "Stockholm",
        Sector.ADMINISTRATION,
        SizeBand.MICRO,
        Ownership.PROFIT,
    ),
    CuratedEmployer(
        "Transportbedrijf Hoekstra", "NL", "Leeuwarden", Sector.LOGISTICS, SizeBand.MEDIUM, Ownership.PROFIT
    ),
    CuratedEmployer(
        "Kinderdagverblijf De Boomhut", "BE", "Gent", Sector.EDUCATION, SizeBand.SMALL, Ownership.NON_PROFIT
    ),
    CuratedEmployer("Hotell Sjöbris", "SE", "Göteborg", Sector.HOSPITALITY, SizeBand.MEDIUM, Ownership.PROFIT),
    CuratedEmployer("Restaurant Mezze", "NL", "Utrecht", Sector.HOSPITALITY, SizeBand.SMALL, Ownership.PROFIT),
    CuratedEmployer(
        "Boekhoudkantoor Peeters & Co", "BE", "Hasselt", Sector.ADMINISTRATION, SizeBand.MICRO, Ownership.PROFIT
    ),
    CuratedEmployer(
        "Trädgårdsservice Grönt Hopp AB", "SE", "Uppsala", Sector.FORESTRY, SizeBand.SMALL, Ownership.PROFIT
    ),
    CuratedEmployer("Woonzorgcentrum De Hofstede", "NL", "Tilburg", Sector.CARE, SizeBand.MEDIUM, Ownership.NON_PROFIT),
    CuratedEmployer("Groendienst Kempen vzw", "BE", "Genk", Sector.FORESTRY, SizeBand.SMALL, Ownership.NON_PROFIT),
    CuratedEmployer("Frisersalong Salam", "SE", "Malmö", Sector.PERSONAL_SERVICES, SizeBand.MICRO, Ownership.PROFIT),
    CuratedEmployer("Kapsalon Lotus", "NL", "Rotterdam", Sector.PERSONAL_SERVICES, SizeBand.MICRO, Ownership.PROFIT),
    CuratedEmployer("Hotel Scheldezicht", "BE", "Antwerpen", Sector.HOSPITALITY, SizeBand.MEDIUM, Ownership.PROFIT),
    CuratedEmployer("Tvätteriet i Umeå AB", "SE", "Umeå", Sector.CLEANING, SizeBand.SMALL, Ownership.PROFIT),
    CuratedEmployer(
        "Textielrecycling Van Leeuwen", "NL", "Tilburg", Sector.MANUFACTURING, SizeBand.MEDIUM, Ownership.PROFIT
    ),
    CuratedEmployer("Fietskoeriers Brussel", "BE", "Brussel", Sector.LOGISTICS, SizeBand.SMALL, Ownership.PROFIT),
    CuratedEmployer(
        "Serviceförvaltningen Södertälje", "SE", "Södertälje", Sector.PUBLIC, SizeBand.LARGE, Ownership.PUBLIC
    ),
    CuratedEmployer(
        "Hotel-Restaurant De Gouden Leeuw", "NL", "Zwolle", Sector.HOSPITALITY, SizeBand.SMALL, Ownership.PROFIT
    ),
    CuratedEmployer(
        "Tweedehandswinkel Het Warenhuis", "BE", "Gent", Sector.RETAIL, SizeBand.SMALL, Ownership.NON_PROFIT
    ),
    CuratedEmployer(
        "Stichting Buurtwerk Noord", "NL", "Groningen", Sector.PERSONAL_SERVICES, SizeBand.SMALL, Ownership.NON_PROFIT
    ),
    CuratedEmployer("Strijkatelier De Plooi", "BE", "Genk", Sector.PERSONAL_SERVICES, SizeBand.MICRO, Ownership.PROFIT),
    CuratedEmployer(
        "Kantoorservice Mondriaan", "NL", "Den Haag", Sector.ADMINISTRATION, SizeBand.SMALL, Ownership.PROFIT
    ),
    CuratedEmployer("Verpleeghuis Avondrood", "NL", "Eindhoven", Sector.CARE, SizeBand.LARGE, Ownership.NON_PROFIT),
    CuratedEmployer("Pakketdienst Snelpost", "NL", "Utrecht", Sector.LOGISTICS, SizeBand.MEDIUM, Ownership.PROFIT),
    CuratedEmployer("Hemstädarna i Västerås AB", "SE", "Västerås", Sector.CLEANING, SizeBand.SMALL, Ownership.PROFIT),
)

# Name patterns for the generated rows after the curated ones: {word} is a house name, {family} a family name.
NAME_PATTERNS: dict[str, dict[Sector, tuple[str, ...]]] = {
    "NL": {
        Sector.HOSPITALITY: (
            "Brasserie {word}",
            "Restaurant {word}",
            "Eetcafé {word}",
            "Hotel {word}",
            "Lunchroom {word}",
        ),
        Sector.CLEANING: (
            "Schoonmaakbedrijf {family}",
            "Schoonmaakdienst {word}",
            "Wasserij {word}",
            "Glazenwasserij {family}",
        ),
        Sector.CARE: ("Zorggroep {word}", "Thuiszorg {word}", "Woonzorgcentrum {word}", "Verpleeghuis {word}"),
        Sector.LOGISTICS: ("Transportbedrijf {family}", "Distributiecentrum {word}", "Koeriersdienst {family}"),
        Sector.SEWING: ("Naaiatelier {word}", "Confectiebedrijf {family}", "Textielatelier {word}"),
        Sector.ADMINISTRATION: ("Administratiekantoor {family}", "Kantoorservice {word}", "Boekhoudkantoor {family}"),
        Sector.RETAIL: ("Bakkerij {family}", "Kringloopwinkel {word}", "Buurtsuper {word}", "Slagerij {family}"),
        Sector.FORESTRY: ("Hoveniersbedrijf {family}", "Groenvoorziening {word}"),
        Sector.PERSONAL_SERVICES: ("Kapsalon {word}", "Strijkservice {word}", "Huishoudservice {family}"),
        Sector.MANUFACTURING: ("Verpakkingsbedrijf {word}", "Metaalbewerking {family}", "Drukkerij {family}"),
        Sector.EDUCATION: ("Kinderopvang {word}", "Buitenschoolse opvang {word}"),
    },
    "BE": {
        Sector.HOSPITALITY: ("Brasserie {word}", "Restaurant {word}", "Taverne {word}", "Traiteur {family}"),
        Sector.CLEANING: ("Schoonmaakbedrijf {family}", "Wasserij {word}", "Poetsbedrijf {family}"),
        Sector.CARE: ("Woonzorgcentrum {word}", "Rusthuis {word}", "Thuisverpleging {family}"),
        Sector.LOGISTICS: ("Transport {family}", "Logistiek {word}", "Koerierdienst {family}"),
        Sector.SEWING: ("Confectieatelier {word}", "Naaiatelier {family}"),
        Sector.ADMINISTRATION: ("Boekhoudkantoor {family}", "Sociaal secretariaat {word}"),
        Sector.RETAIL: ("Bakkerij {family}", "Tweedehandswinkel {word}", "Buurtwinkel {word}", "Beenhouwerij {family}"),
        Sector.FORESTRY: ("Tuinaanleg {family}", "Groendienst {word}"),
        Sector.PERSONAL_SERVICES: ("Strijkatelier {word}", "Dienstenchequebedrijf {word}", "Kapsalon {word}"),
        Sector.MANUFACTURING: ("Schrijnwerkerij {family}", "Verpakking {word}"),
        Sector.EDUCATION: ("Kinderdagverblijf {word}", "Kinderopvang {word}"),
    },
    "SE": {
        Sector.HOSPITALITY: ("Restaurang {word}", "Café {word}", "Hotell {word}", "Bistro {word}"),
        Sector.CLEANING: ("Städbolaget {word} AB", "{family}s Städservice AB", "Tvätteri {word} AB"),
        Sector.CARE: ("Hemtjänst {word} AB", "Äldreboendet {word}", "Assistansbolaget {word} AB"),
        Sector.LOGISTICS: ("{family}s Åkeri AB", "Lager {word} AB", "Budfirma {word} AB"),
        Sector.SEWING: ("Syateljé {word}", "Textilverkstan {word}"),
        Sector.ADMINISTRATION: ("Redovisningsbyrån {word} AB", "Kontorsservice {word} AB"),
        Sector.RETAIL: ("Bageri {word}", "Second hand {word}", "Livs {word}", "Konditori {word}"),
        Sector.FORESTRY: ("Trädgårdsservice {word} AB", "{family}s Skogsvård AB"),
        Sector.PERSONAL_SERVICES: ("Frisersalong {word}", "Hemservice {word} AB"),
        Sector.MANUFACTURING: ("{family}s Snickeri AB", "Förpackning {word} AB"),
        Sector.EDUCATION: ("Förskolan {word}", "Fritidshemmet {word}"),
    },
}

HOUSE_WORDS: dict[str, tuple[str, ...]] = {
    "NL": (
        "De Kade",
        "Het Anker",
        "De Linde",
        "De Zon",
        "Het Baken",
        "De Brug",
        "De Haven",
        "Het Plein",
        "De Molen",
        "De Toren",
        "Het Veer",
        "De Wilg",
        "De Eik",
        "Het Hof",
        "De Sluis",
        "De Oever",
        "De Zwaan",
        "Rivierenland",
        "De Regenboog",
        "Het Kompas",
        "De Horizon",
        "Het Gildehuis",
        "De Vlinder",
        "Zuiderpark",
        "De Parel",
        "Het Atelier",
        "De Kroon",
        "De Ster",
    ),
    "BE": (
        "Het Anker",
        "Ter Linden",
        "De Brug",
        "'t Pleintje",
        "De Plooi",
        "Den Appel",
        "Het Belfort",
        "De Leie",
        "De Schelde",
        "Sint-Jozef",
        "Ter Beuken",
        "De Boomhut",
        "Het Warenhuis",
        "De Kempen",
        "'t Hoekske",
        "De Vaart",
        "Het Begijnhof",
        "De Zonnebloem",
        "Den Uil",
        "De Kastanje",
        "Het Klaverblad",
        "De Regenboog",
        "Ter Meersen",
        "De Mosaïek",
    ),
    "SE": (
        "Norrsken",
        "Fyren",
        "Solrosen",
        "Linden",
        "Björken",
        "Ekbacken",
        "Hamnen",
        "Lotsen",
        "Stjärnan",
        "Vågen",
        "Granen",
        "Ängen",
        "Tallen",
        "Måsen",
        "Lindgården",
        "Myrstacken",
        "Kanelbullen",
        "Sjöbris",
        "Gläntan",
        "Nyponet",
        "Blåklockan",
        "Älven",
        "Vintergatan",
        "Kompassen",
    ),
}

FAMILY_NAMES_FOR_FIRMS: dict[str, tuple[str, ...]] = {
    "NL": (
        "Van Dam",
        "De Vries",
        "Jansen",
        "Bakker",
        "Visser",
        "Smit",
        "Meijer",
        "Mulder",
        "De Boer",
        "Bos",
        "Hoekstra",
        "Van Leeuwen",
        "Dekker",
        "Brouwer",
        "Yilmaz",
        "El Amrani",
        "Kaya",
        "Ramdin",
    ),
    "BE": (
        "Peeters",
        "Janssens",
        "Maes",
        "Jacobs",
        "Mertens",
        "Willems",
        "Claes",
        "Goossens",
        "Wouters",
        "De Smet",
        "Vermeulen",
        "Declercq",
        "Aydın",
        "Benali",
        "Mbuyi",
    ),
    "SE": (
        "Andersson",
        "Johansson",
        "Karlsson",
        "Nilsson",
        "Eriksson",
        "Larsson",
        "Olsson",
        "Persson",
        "Svensson",
        "Lindberg",
        "Berg",
        "Ahmed",
        "Haddad",
        "Virtanen",
    ),
}

# How often each sector comes up among generated employers (the Flora sectors dominate).
SECTOR_WEIGHTS: dict[Sector, int] = {
    Sector.HOSPITALITY: 18,
    Sector.CLEANING: 16,
    Sector.CARE: 16,
    Sector.LOGISTICS: 10,
    Sector.RETAIL: 10,
    Sector.SEWING: 4,
    Sector.ADMINISTRATION: 7,
    Sector.PERSONAL_SERVICES: 7,
    Sector.FORESTRY: 4,
    Sector.MANUFACTURING: 4,
    Sector.EDUCATION: 4,
}

SECTOR_GENDER: dict[Sector, str] = {
    Sector.CARE: "female",
    Sector.CLEANING: "female",
    Sector.SEWING: "female",
    Sector.EDUCATION: "female",
    Sector.PERSONAL_SERVICES: "female",
    Sector.LOGISTICS: "male",
    Sector.FORESTRY: "male",
    Sector.MANUFACTURING: "male",
}

# Collective agreements (CAO), Belgian joint committees (PC) and Swedish kollektivavtal per sector.
COLLECTIVE_AGREEMENTS: dict[str, dict[Sector, str]] = {
    "NL": {
        Sector.HOSPITALITY: "CAO Horeca",
        Sector.CLEANING: "CAO Schoonmaak- en Glazenwassersbedrijf",
        Sector.CARE: "CAO VVT",
        Sector.LOGISTICS: "CAO Beroepsgoederenvervoer",
        Sector.RETAIL: "CAO Levensmiddelenbedrijf",
        Sector.EDUCATION: "CAO Kinderopvang",
        Sector.PUBLIC: "CAO Gemeenten",
        Sector.SEWING: "CAO Textielverzorging",
    },
    "BE": {
        Sector.HOSPITALITY: "PC 302 (horeca)",
        Sector.CLEANING: "PC 121 (schoonmaak)",
        Sector.CARE: "PC 330 (gezondheidszorg)",
        Sector.LOGISTICS: "PC 226",
        Sector.RETAIL: "PC 201",
        Sector.SEWING: "PC 109 (kleding en confectie)",
        Sector.PERSONAL_SERVICES: "PC 322.01 (dienstencheques)",
        Sector.EDUCATION: "PC 331",
        Sector.FORESTRY: "PC 145",
        Sector.ADMINISTRATION: "PC 200",
    },
    "SE": {
        Sector.HOSPITALITY: "Gröna Riksavtalet",
        Sector.CLEANING: "Serviceentreprenadavtalet",
        Sector.CARE: "Vård- och omsorgsavtalet",
        Sector.LOGISTICS: "Transportavtalet",
        Sector.RETAIL: "Detaljhandelsavtalet",
        Sector.PUBLIC: "HÖK med Kommunal",
        Sector.EDUCATION: "HÖK med Kommunal",
        Sector.SEWING: "Teko-avtalet",
    },
}

# --- Offers on the ladder ------------------------------------------------------------------------

# Which ladder steps each kind of offer serves (igma ch. 5): tasting the trade at 16-18, a
# work-experience place at 19, paid work from mediation (20) to aftercare in the job (22).
KIND_STEPS: dict[VacancyKind, tuple[int, ...]] = {
    VacancyKind.VOLUNTEERING: (13, 14),
    VacancyKind.TRAINING: (14, 15),
    VacancyKind.SHADOWING: (16,),
    VacancyKind.TRIAL_DAY: (16, 17, 18),
    VacancyKind.INTERNSHIP: (17, 19),
    VacancyKind.WORK_EXPERIENCE: (19,),
    VacancyKind.PAID_JOB: (20, 21, 22),
}

KIND_TITLES: dict[str, dict[VacancyKind, str]] = {
    "nl": {
        VacancyKind.PAID_JOB: "{title}",
        VacancyKind.WORK_EXPERIENCE: "Werkervaringsplek {title}",
        VacancyKind.TRIAL_DAY: "Proefdag {title}",
        VacancyKind.INTERNSHIP: "Stage {title}",
        VacancyKind.VOLUNTEERING: "Vrijwilligerswerk {title}",
        VacancyKind.TRAINING: "Leerwerkplek {title}",
        VacancyKind.SHADOWING: "Meeloopdag {title}",
    },
    "sv": {
        VacancyKind.PAID_JOB: "{title}",
        VacancyKind.WORK_EXPERIENCE: "Praktikplats {title}",
        VacancyKind.TRIAL_DAY: "Prova-på-dag {title}",
        VacancyKind.INTERNSHIP: "Praktik {title}",
        VacancyKind.VOLUNTEERING: "Volontär {title}",
        VacancyKind.TRAINING: "Utbildningsplats {title}",
        VacancyKind.SHADOWING: "Jobbskuggning {title}",
    },
}

JOB_NAMES: dict[str, dict[Sector, tuple[str, ...]]] = {
    "nl": {
        Sector.HOSPITALITY: ("medewerker bediening", "keukenhulp", "afwasser", "medewerker ontbijtservice", "kok"),
        Sector.CLEANING: ("schoonmaakmedewerker", "medewerker wasserij", "glazenwasser", "huishoudelijk medewerker"),
        Sector.CARE: ("zorghulp", "helpende zorg en welzijn", "medewerker huishouding", "gastvrouw"),
        Sector.LOGISTICS: ("orderpicker", "magazijnmedewerker", "chauffeur bestelbus", "medewerker expeditie"),
        Sector.SEWING: ("naaister", "medewerker confectie", "medewerker textielsortering"),
        Sector.ADMINISTRATION: ("administratief medewerker", "receptionist", "medewerker postkamer"),
        Sector.RETAIL: ("verkoopmedewerker", "vakkenvuller", "kassamedewerker", "medewerker bakkerij"),
        Sector.FORESTRY: ("hovenier", "medewerker groenvoorziening", "medewerker bosonderhoud"),
        Sector.PERSONAL_SERVICES: ("kapper", "medewerker strijkatelier", "huishoudhulp"),
        Sector.MANUFACTURING: ("productiemedewerker", "inpakker", "machineoperator"),
        Sector.EDUCATION: ("pedagogisch medewerker", "overblijfkracht", "klassenassistent"),
        Sector.PUBLIC: ("medewerker stadsbeheer", "baliemedewerker", "conciërge"),
        Sector.OTHER: ("medewerker",),
    },
    "sv": {
        Sector.HOSPITALITY: ("servitör", "köksbiträde", "diskare", "frukostvärd", "kock"),
        Sector.CLEANING: ("lokalvårdare", "tvätteribiträde", "fönsterputsare", "städare"),
        Sector.CARE: ("vårdbiträde", "undersköterska", "måltidsbiträde", "aktivitetsbiträde"),
        Sector.LOGISTICS: ("truckförare", "lagerarbetare", "budbilsförare", "plockare"),
        Sector.SEWING: ("sömmerska", "konfektionsarbetare", "textilsorterare"),
        Sector.ADMINISTRATION: ("administratör", "receptionist", "kontorsassistent"),
        Sector.RETAIL: ("butiksbiträde", "kassapersonal", "varupåfyllare", "bagare"),
        Sector.FORESTRY: ("trädgårdsarbetare", "parkarbetare", "skogsarbetare"),
        Sector.PERSONAL_SERVICES: ("frisör", "hemservicearbetare", "tvätt- och strykbiträde"),
        Sector.MANUFACTURING: ("produktionsarbetare", "packare", "maskinoperatör"),
        Sector.EDUCATION: ("barnskötare", "elevassistent", "förskoleassistent"),
        Sector.PUBLIC: ("vaktmästare", "kundtjänstmedarbetare", "parkarbetare"),
        Sector.OTHER: ("medarbetare",),
    },
}
