"""What staff write in the demo network: interaction notes, stage notes and reasons, in Dutch and Swedish."""

from __future__ import annotations

from typing import NamedTuple

CLOSE_REASONS: dict[str, tuple[str, ...]] = {
    "nl": ("Geen geschikte kandidaat gevonden.", "Werkgever heeft de vacature ingetrokken.", "Intern ingevuld."),
    "sv": ("Ingen lämplig kandidat.", "Arbetsgivaren drog tillbaka platsen.", "Tillsatt internt."),
}


class Note(NamedTuple):
    """One interaction as a member of staff would log it; {first} is the contact, {job} a job."""

    kind: str
    summary: str
    next_step: str
    outcome: str
    by_employer: bool = False


NOTES: dict[str, dict[str, tuple[Note, ...]]] = {
    "nl": {
        "intro": (
            Note(
                "call",
                "Kennismakingsgesprek met {first}: uitgelegd wat jobcoaching is en voor wie we werken.",
                "Informatiepakket mailen",
                "positive",
            ),
            Note(
                "email",
                "Introductiemail gestuurd naar aanleiding van hun vacature voor {job}.",
                "Nabellen over de vacature",
                "neutral",
            ),
            Note(
                "event",
                "Gesproken op de netwerkbijeenkomst van de ondernemersvereniging; interesse in werkervaringsplekken.",
                "Kennismakingsafspraak maken",
                "positive",
            ),
            Note("call", "{first} niet bereikt, voicemail ingesproken.", "Opnieuw bellen", "no_answer"),
            Note(
                "meeting",
                "Kennismaking op locatie met {first}: personeelstekort bij {job}, open voor een proefdag.",
                "Voorstel voor proefdagen sturen",
                "positive",
            ),
        ),
        "explore": (
            Note(
                "meeting",
                "Besproken welke taken passen bij een werkervaringsplek en wie de werkbegeleider wordt.",
                "Werkplan voor de inwerking opstellen",
                "positive",
            ),
            Note(
                "visit",
                "Rondleiding over de werkvloer; werktijden en kinderopvang besproken, vroege diensten zijn lastig.",
                "Afspraken over werktijden vastleggen",
                "neutral",
            ),
            Note(
                "call",
                "Voorwaarden voor samenwerking doorgenomen: contract, veiligheid, toegang van de jobcoach.",
                "Checklist samenwerking afronden",
                "positive",
            ),
            Note(
                "email",
                "Informatiepakket en vragen en antwoorden over de doelgroep gestuurd aan {first}.",
                "Reactie op het informatiepakket navragen",
                "neutral",
            ),
        ),
        "partner": (
            Note(
                "visit",
                "Werkplekbezoek met de werkbegeleider: inwerking loopt goed, taalsteun op de werkvloer afgesproken.",
                "Driegesprek na drie maanden plannen",
                "positive",
            ),
            Note(
                "call",
                "{first} belde over verzuim van een kandidaat; afspraken gemaakt over ziekmelden.",
                "Na een week terugbellen",
                "neutral",
                by_employer=True,
            ),
            Note(
                "meeting",
                "Driegesprek met kandidaat en leidinggevende: doelen voor de komende periode vastgelegd.",
                "Verslag van het driegesprek delen",
                "positive",
            ),
            Note(
                "email",
                "Nieuwe vacature ontvangen voor {job}; past bij twee kandidaten op de ladder.",
                "Kandidaten voorstellen",
                "positive",
                by_employer=True,
            ),
            Note(
                "event",
                "Werkgeversontbijt: {first} vertelde over de ervaringen met werkervaringsplekken.",
                "Bedankmail sturen",
                "positive",
            ),
        ),
        "closing": (
            Note(
                "meeting",
                "Eindevaluatie met {first}: verwachtingen grotendeels waargemaakt, wil in het najaar opnieuw meedoen.",
                "",
                "positive",
            ),
            Note(
                "call",
                "{first} laat weten dat er voorlopig geen plaatsen zijn door een reorganisatie.",
                "Over drie maanden opnieuw contact opnemen",
                "neutral",
                by_employer=True,
            ),
            Note(
                "call",
                "Werkgever stopt de samenwerking: te weinig tijd voor begeleiding op de werkvloer.",
                "",
                "negative",
            ),
            Note("email", "Geen reactie op de laatste twee mails.", "", "no_answer"),
        ),
    },
    "sv": {
        "intro": (
            Note(
                "call",
                "Introduktionssamtal med {first}: berättade om jobbcoachning och vår målgrupp.",
                "Mejla informationspaketet",
                "positive",
            ),
            Note(
                "email",
                "Skickade ett introduktionsmejl med anledning av deras annons för {job}.",
                "Ringa om annonsen",
                "neutral",
            ),
            Note(
                "event",
                "Träffades på företagarföreningens nätverksträff; intresse för praktikplatser.",
                "Boka ett första möte",
                "positive",
            ),
            Note("call", "Fick inte tag på {first}, lämnade ett röstmeddelande.", "Ringa igen", "no_answer"),
            Note(
                "meeting",
                "Första möte på plats med {first}: brist på {job}, öppen för en prova-på-dag.",
                "Skicka förslag på prova-på-dagar",
                "positive",
            ),
        ),
        "explore": (
            Note(
                "meeting",
                "Gick igenom vilka uppgifter som passar en praktikplats och vem som blir handledare.",
                "Ta fram en introduktionsplan",
                "positive",
            ),
            Note(
                "visit",
                "Rundvandring på arbetsplatsen; arbetstider och barnomsorg diskuterades, tidiga pass är svåra.",
                "Skriva ner överenskommelsen om arbetstider",
                "neutral",
            ),
            Note(
                "call",
                "Gick igenom villkoren för samarbetet: avtal, säkerhet, coachens tillgång till arbetsplatsen.",
                "Slutföra checklistan för samarbete",
                "positive",
            ),
            Note(
                "email",
                "Skickade informationspaketet och frågor och svar om målgruppen till {first}.",
                "Följa upp informationspaketet",
                "neutral",
            ),
        ),
        "partner": (
            Note(
                "visit",
                "Arbetsplatsbesök med handledaren: introduktionen går bra, språkstöd på arbetsplatsen avtalat.",
                "Boka trepartssamtal efter tre månader",
                "positive",
            ),
            Note(
                "call",
                "{first} ringde om en deltagares frånvaro; vi kom överens om hur sjukanmälan görs.",
                "Ringa tillbaka om en vecka",
                "neutral",
                by_employer=True,
            ),
            Note(
                "meeting",
                "Trepartssamtal med deltagare och chef: mål för nästa period satta.",
                "Dela anteckningarna från trepartssamtalet",
                "positive",
            ),
            Note(
                "email",
                "Fick en ny ledig plats som {job}; passar två deltagare på stegen.",
                "Föreslå kandidater",
                "positive",
                by_employer=True,
            ),
            Note(
                "event",
                "Arbetsgivarfrukost: {first} berättade om erfarenheterna av praktikplatser.",
                "Skicka ett tackmejl",
                "positive",
            ),
        ),
        "closing": (
            Note(
                "meeting",
                "Slututvärdering med {first}: förväntningarna i stort sett uppfyllda, vill vara med igen i höst.",
                "",
                "positive",
            ),
            Note(
                "call",
                "{first} meddelar att det inte finns några platser just nu på grund av en omorganisation.",
                "Höra av oss igen om tre månader",
                "neutral",
                by_employer=True,
            ),
            Note(
                "call",
                "Arbetsgivaren avslutar samarbetet: för lite tid för handledning på arbetsplatsen.",
                "",
                "negative",
            ),
            Note("email", "Inget svar på de två senaste mejlen.", "", "no_answer"),
        ),
    },
}

STAGE_NOTES: dict[str, dict[str, str]] = {
    "nl": {
        "contacted": "Eerste contact gelegd.",
        "engaged": "Concrete afspraken over een eerste plek.",
        "active": "Eerste kandidaat gestart.",
        "completed": "Samenwerking afgerond na de eindevaluatie.",
        "ended_early": "Werkgever stopte de samenwerking.",
        "declined": "Geen interesse op dit moment.",
        "dormant": "Al maanden geen contact meer.",
    },
    "sv": {
        "contacted": "Första kontakten tagen.",
        "engaged": "Konkreta överenskommelser om en första plats.",
        "active": "Första deltagaren har börjat.",
        "completed": "Samarbetet avslutat efter slututvärderingen.",
        "ended_early": "Arbetsgivaren avbröt samarbetet.",
        "declined": "Inget intresse just nu.",
        "dormant": "Ingen kontakt på flera månader.",
    },
}

# Flora IV.3 werkgever A.b: reasons an employer is not a partner for us.
DO_NOT_ENGAGE_REASONS: dict[str, tuple[str, ...]] = {
    "nl": (
        "Bood alleen werk zonder contract aan.",
        "Sprak zich uit tegen het aannemen van vrouwen met een hoofddoek.",
    ),
    "sv": ("Erbjöd bara arbete utan anställningsavtal.", "Uttalade fördomar mot vår målgrupp."),
}
