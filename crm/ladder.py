"""The example progression ladder of the igma handbook (ch. 5 "Iigma progressieladder").

The network defines its own ladder; this is what a new installation starts with. Swedish names
for steps 6-10 are the handbook's own (seed 004); the others are our translations.
"""

from __future__ import annotations

# (position, English, Dutch, Swedish)
IGMA_LADDER: tuple[tuple[int, str, str, str], ...] = (
    (1, "Identification", "Identificatie", "Identifiering"),
    (2, "Engaging", "Betrekken", "Engagemang"),
    (3, "Initial guidance", "Eerste begeleiding", "Inledande vägledning"),
    (4, "Exploration", "Verkenning", "Utforskning"),
    (5, "Prior and mutual commitment", "Voorafgaande en wederzijdse betrokkenheid", "Tidigt och ömsesidigt åtagande"),
    (6, "Indication", "Indicatie", "Indikation"),
    (7, "Self-management", "Zelfmanagement", "Självförvaltning"),
    (8, "Setting goals", "Doelen stellen", "Sätta upp mål"),
    (9, "Progress planning", "Voortgangsplanning", "Framstegplanering"),
    (10, "Commitment", "Toewijding", "Hängivenhet"),
    (11, "Follow-up exploration / assessment", "Vervolgverkenning / assessment", "Uppföljande utforskning / bedömning"),
    (12, "Case review", "Casusbespreking", "Ärendegenomgång"),
    (13, "Personal and social skills", "Persoonlijke en sociale vaardigheden", "Personliga och sociala färdigheter"),
    (14, "Basic skills", "Basisvaardigheden", "Grundläggande färdigheter"),
    (15, "Employability skills", "Werknemersvaardigheden", "Anställningsbarhet"),
    (
        16,
        "Personal orientation to the labour market",
        "Persoonlijke oriëntatie op de arbeidsmarkt",
        "Personlig orientering på arbetsmarknaden",
    ),
    (17, "Linking learning", "Leren verbinden", "Länka lärande"),
    (18, "Job search skills", "Sollicitatievaardigheden", "Jobbsökarfärdigheter"),
    (19, "Training period / work placement", "Opleidingsperiode / werkplek", "Utbildningsperiod / praktikplats"),
    (
        20,
        "Mediation (employment, training, education)",
        "Bemiddeling (werk, opleiding, onderwijs)",
        "Matchning (arbete, utbildning, studier)",
    ),
    (21, "Mediated", "Bemiddeld", "Matchad"),
    (
        22,
        "Aftercare in employment, training or education",
        "Nazorg in werk, opleiding of onderwijs",
        "Eftervård i arbete, utbildning eller studier",
    ),
    (
        23,
        "Functioning successfully in a job or programme for at least half a year",
        "Ten minste een half jaar succesvol functioneren in een baan of opleiding",
        "Fungerar väl i ett arbete eller en utbildning i minst ett halvår",
    ),
)
