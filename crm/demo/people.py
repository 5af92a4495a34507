"""People at demo employers: names from the traditions common in each country, and their job titles."""

from __future__ import annotations

from typing import NamedTuple

from crm.choices import ContactRole


class NamePool(NamedTuple):
    """First names (women, men) and family names of one naming tradition."""

    women: tuple[str, ...]
    men: tuple[str, ...]
    family: tuple[str, ...]


NAME_POOLS: dict[str, NamePool] = {
    "dutch": NamePool(
        ("Anna", "Sanne", "Lotte", "Eva", "Marieke", "Inge", "Femke", "Esther", "Linda", "Petra", "Monique", "Judith"),
        ("Jan", "Pieter", "Mark", "Thijs", "Bas", "Ruud", "Erik", "Martijn", "Henk", "Joost", "Sander", "Wouter"),
        (
            "de Vries",
            "Jansen",
            "van Dijk",
            "Bakker",
            "Visser",
            "Smit",
            "Meijer",
            "de Boer",
            "Mulder",
            "de Groot",
            "Bos",
            "Vos",
            "Hendriks",
            "van Leeuwen",
            "Dekker",
            "Brouwer",
            "de Wit",
            "Dijkstra",
            "van den Berg",
            "Kuipers",
            "Verhoeven",
            "Hoekstra",
        ),
    ),
    "flemish": NamePool(
        ("Els", "Griet", "An", "Katrien", "Sofie", "Lien", "Nele", "Hilde", "Veerle", "Ine", "Leen", "Fien"),
        ("Koen", "Bart", "Wim", "Pieter", "Tom", "Jeroen", "Stijn", "Dries", "Geert", "Jens", "Wout", "Kris"),
        (
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
            "Van Damme",
            "De Backer",
            "Verstraete",
            "Lambrechts",
            "Hermans",
            "Michiels",
            "Coppens",
        ),
    ),
    "swedish": NamePool(
        ("Anna", "Maria", "Karin", "Sara", "Emma", "Lena", "Kristina", "Elin", "Ingrid", "Malin", "Sofia", "Johanna"),
        ("Erik", "Lars", "Anders", "Johan", "Per", "Karl", "Mikael", "Magnus", "Fredrik", "Oskar", "Niklas", "Henrik"),
        (
            "Andersson",
            "Johansson",
            "Karlsson",
            "Nilsson",
            "Eriksson",
            "Larsson",
            "Olsson",
            "Persson",
            "Svensson",
            "Gustafsson",
            "Pettersson",
            "Lindberg",
            "Lindqvist",
            "Bergström",
            "Sjöberg",
            "Holm",
            "Lundgren",
            "Åberg",
            "Wallin",
        ),
    ),
    "moroccan": NamePool(
        ("Fatima", "Khadija", "Nadia", "Samira", "Latifa", "Zineb", "Houda"),
        ("Mohamed", "Youssef", "Rachid", "Karim", "Mustafa", "Hamid", "Said"),
        ("El Amrani", "Bouzid", "Benali", "El Idrissi", "Ouahabi", "Tahiri", "Azzouz", "El Khattabi"),
    ),
    "turkish": NamePool(
        ("Ayşe", "Elif", "Fatma", "Zeynep", "Emine", "Hatice"),
        ("Mehmet", "Ahmet", "Mustafa", "Emre", "Murat", "Hasan"),
        ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın", "Arslan"),
    ),
    "syrian": NamePool(
        ("Rasha", "Lina", "Hiba", "Amal", "Rana", "Dima"),
        ("Omar", "Ahmad", "Khaled", "Bilal", "Tarek", "Ammar"),
        ("Al-Hassan", "Haddad", "Khalil", "Darwish", "Mansour", "Nasser", "Sabbagh"),
    ),
    "somali": NamePool(
        ("Hodan", "Fadumo", "Amina", "Sahra", "Ubah", "Ifrah"),
        ("Abdirahman", "Mohamed", "Abdi", "Hassan", "Yusuf", "Liban"),
        ("Warsame", "Farah", "Hussein", "Osman", "Abdullahi", "Jama", "Nur"),
    ),
    "polish": NamePool(
        ("Agnieszka", "Katarzyna", "Magdalena", "Joanna", "Ewa"),
        ("Piotr", "Tomasz", "Krzysztof", "Paweł", "Marek", "Łukasz"),
        ("Nowak", "Wójcik", "Mazur", "Krawczyk", "Zając", "Król", "Wieczorek", "Dudek"),
    ),
    "eritrean": NamePool(
        ("Senait", "Helen", "Selam", "Mebrat", "Rahel", "Luwam"),
        ("Yonas", "Tesfaye", "Dawit", "Samuel", "Habtom", "Mehari"),
        ("Tesfamariam", "Ghebremedhin", "Kidane", "Habte", "Berhane", "Tekle", "Asmerom"),
    ),
    "surinamese": NamePool(
        ("Sharmila", "Roshni", "Chantal", "Priya"),
        ("Ravi", "Dinesh", "Marvin", "Rajesh"),
        ("Ramdin", "Sewnath", "Biharie", "Jagesar", "Kromodimedjo", "Pinas"),
    ),
    "congolese": NamePool(
        ("Grâce", "Nadine", "Mireille", "Patience"),
        ("Patrick", "Jean-Pierre", "Serge", "Fabrice"),
        ("Mbuyi", "Kabeya", "Tshibangu", "Lukusa", "Ilunga", "Mutombo"),
    ),
    "iranian": NamePool(
        ("Maryam", "Shirin", "Parisa", "Leila", "Zahra"),
        ("Reza", "Ali", "Hamid", "Farid", "Mehdi"),
        ("Rahimi", "Hosseini", "Ahmadi", "Karimi", "Mohammadi", "Sadeghi"),
    ),
    "finnish": NamePool(
        ("Aino", "Riikka", "Sanna"), ("Jukka", "Mikko", "Timo"), ("Virtanen", "Korhonen", "Mäkinen", "Heikkinen")
    ),
    "bosnian": NamePool(
        ("Amra", "Lejla", "Selma"), ("Emir", "Adnan", "Haris"), ("Hodžić", "Begić", "Mehmedović", "Kovačević")
    ),
}

# Which naming traditions the people at an employer come from, per country (weights).
NAME_MIX: dict[str, dict[str, int]] = {
    "NL": {
        "dutch": 62,
        "moroccan": 8,
        "turkish": 8,
        "surinamese": 6,
        "syrian": 5,
        "polish": 5,
        "eritrean": 3,
        "somali": 3,
    },
    "BE": {
        "flemish": 62,
        "moroccan": 10,
        "turkish": 8,
        "congolese": 6,
        "polish": 5,
        "syrian": 4,
        "iranian": 3,
        "eritrean": 2,
    },
    "SE": {
        "swedish": 62,
        "syrian": 9,
        "iranian": 6,
        "somali": 6,
        "finnish": 5,
        "bosnian": 5,
        "eritrean": 4,
        "polish": 3,
    },
}

# Job titles per contact role, in the staff language of the country (BE shares Dutch with its own words).
JOB_TITLES: dict[str, dict[ContactRole, tuple[str, ...]]] = {
    "NL": {
        ContactRole.DECISION_MAKER: ("Directeur", "Eigenaar", "Bedrijfsleider", "Vestigingsmanager"),
        ContactRole.HR: ("HR-adviseur", "Personeelsfunctionaris", "HR-manager"),
        ContactRole.LINE_MANAGER: ("Teamleider", "Ploegleider", "Afdelingshoofd", "Leidinggevende"),
        ContactRole.MENTOR: ("Werkbegeleider", "Praktijkbegeleider", "Meewerkend voorman"),
        ContactRole.COLLEAGUE: ("Medewerker", "Collega op de werkvloer"),
        ContactRole.ADMIN: ("Salarisadministrateur", "Officemanager"),
    },
    "BE": {
        ContactRole.DECISION_MAKER: ("Zaakvoerder", "Directeur", "Directrice", "Bedrijfsleider"),
        ContactRole.HR: ("HR-verantwoordelijke", "Personeelsdienst", "HR-business partner"),
        ContactRole.LINE_MANAGER: ("Ploegverantwoordelijke", "Ploegbaas", "Teamcoach", "Afdelingsverantwoordelijke"),
        ContactRole.MENTOR: ("Meter", "Peter", "Werkplekbegeleider"),
        ContactRole.COLLEAGUE: ("Medewerker", "Collega"),
        ContactRole.ADMIN: ("Loonadministratie", "Administratief bediende"),
    },
    "SE": {
        ContactRole.DECISION_MAKER: ("VD", "Ägare", "Verksamhetschef", "Platschef"),
        ContactRole.HR: ("HR-ansvarig", "HR-specialist", "Personalchef"),
        ContactRole.LINE_MANAGER: ("Arbetsledare", "Gruppchef", "Enhetschef", "Teamledare"),
        ContactRole.MENTOR: ("Handledare", "Mentor på arbetsplatsen"),
        ContactRole.COLLEAGUE: ("Medarbetare", "Kollega"),
        ContactRole.ADMIN: ("Lönehandläggare", "Administratör"),
    },
}
