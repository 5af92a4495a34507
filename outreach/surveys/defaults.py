"""The seeded surveys, in English, Dutch and Swedish, with each question traced to its source.

The employer evaluation follows igma ch. 6 ("a final evaluation: were the expectations met and the
goals reached, and what can be learned") and draws on the question bank in Flora analysis §4.9
(E1-E25). These are the defaults for new databases: a data migration loads them; an administrator
edits them later as new versions. E1, E2, E12 and E13 (what employers valued, §4.8) came later: a
database seeded before them gets them as a new version from migration 0010, which writes them out
again, with their added-value dimension (a seeded question gets its dimension from 0009 and 0010).
"""

from __future__ import annotations

from typing import Any

Row = dict[str, Any]


def _labels(*triples: tuple[str, str, str], keys: list[str] | None = None) -> list[dict[str, str]]:
    """Options from (en, nl, sv) triples, keyed "1".."n" unless keys are given."""
    keys = keys or [str(number) for number in range(1, len(triples) + 1)]
    return [{"key": key, "en": en, "nl": nl, "sv": sv} for key, (en, nl, sv) in zip(keys, triples, strict=True)]


AGREE = _labels(
    ("Not at all", "Helemaal niet", "Inte alls"),
    ("A little", "Weinig", "Lite"),
    ("Partly", "Gedeeltelijk", "Delvis"),
    ("Mostly", "Grotendeels", "Till stor del"),
    ("Fully", "Volledig", "Helt"),
)
QUALITY = _labels(
    ("Very poor", "Zeer slecht", "Mycket dåligt"),
    ("Poor", "Slecht", "Dåligt"),
    ("Fair", "Redelijk", "Godtagbart"),
    ("Good", "Goed", "Bra"),
    ("Very good", "Zeer goed", "Mycket bra"),
)
NPS_ENDS = _labels(
    ("Not at all likely", "Helemaal niet waarschijnlijk", "Inte alls troligt"),
    ("Extremely likely", "Zeer waarschijnlijk", "Mycket troligt"),
    keys=["0", "10"],
)


def q(key: str, type_: str, en: str, nl: str, sv: str, source: str, **extra: Any) -> Row:
    """One question row."""
    return {"key": key, "type": type_, "text_en": en, "text_nl": nl, "text_sv": sv, "source": source, **extra}


EMPLOYER_END: list[Row] = [
    q(
        "expectations_met",
        "scale_1_5",
        "Were your expectations of the collaboration met?",
        "Werden uw verwachtingen van de samenwerking ingelost?",
        "Uppfylldes era förväntningar på samarbetet?",
        "igma ch. 6 final evaluation",
        options=AGREE,
    ),
    q(
        "goals_reached",
        "scale_1_5",
        "Were the goals agreed at the start of the placement reached?",
        "Werden de doelen die bij de start van de plaatsing werden afgesproken bereikt?",
        "Nåddes de mål som bestämdes när placeringen började?",
        "igma ch. 6 final evaluation",
        options=AGREE,
    ),
    q(
        "e1_overall",
        "scale_1_5",
        "Overall, how do you rate the collaboration with the job coach?",
        "Hoe beoordeelt u, alles samen, de samenwerking met de jobcoach?",
        "Hur bedömer ni samarbetet med jobbcoachen som helhet?",
        "E1, Flora IV.3 werkgever C",
        options=QUALITY,
    ),
    q(
        "e3_candidate_fit",
        "scale_1_5",
        "Did the candidate match the profile of the job?",
        "Paste de kandidaat bij het profiel van de functie?",
        "Motsvarade kandidaten profilen för tjänsten?",
        "E3, Flora IV.3 werkgever C",
        options=AGREE,
    ),
    q(
        "e4_weeks_to_productive",
        "number",
        "How many weeks did it take before the new employee could work independently?",
        "Na hoeveel weken kon de nieuwe medewerker zelfstandig werken?",
        "Hur många veckor tog det innan den nya medarbetaren kunde arbeta självständigt?",
        "E4, Flora IV.3 werkgever C",
        help_en="An estimate is fine.",
        help_nl="Een schatting volstaat.",
        help_sv="En uppskattning räcker.",
    ),
    q(
        "e2_time_saved",
        "scale_1_5",
        "Did working with the job coach save you time in recruiting and onboarding?",
        "Heeft de samenwerking met de jobcoach u tijd bespaard bij het aanwerven en inwerken?",
        "Sparade samarbetet med jobbcoachen er tid vid rekrytering och introduktion?",
        "E2, Flora IV.3 werkgever C (tijdswinst)",
        options=AGREE,
    ),
    q(
        "e2_hours_saved",
        "number",
        "About how many hours did it save you?",
        "Hoeveel uur heeft het u ongeveer bespaard?",
        "Ungefär hur många timmar sparade det er?",
        "E2, Flora IV.3 werkgever C (tijdswinst)",
        required=False,
        help_en="An estimate is fine.",
        help_nl="Een schatting volstaat.",
        help_sv="En uppskattning räcker.",
    ),
    q(
        "e5_dropout_prevention",
        "scale_1_5",
        "Did the coaching help prevent problems that could have led to an early departure?",
        "Hielp de begeleiding problemen voorkomen die tot vroegtijdige uitval hadden kunnen leiden?",
        "Hjälpte coachningen till att förebygga problem som kunde ha lett till ett tidigt avbrott?",
        "E5, Flora IV.3 werkgever B",
        options=AGREE,
    ),
    q(
        "e6_information_at_start",
        "scale_1_5",
        "Were you informed well enough at the start about the new employee and the mutual expectations?",
        "Werd u bij de start voldoende geïnformeerd over de nieuwe medewerker en de wederzijdse verwachtingen?",
        "Fick ni tillräcklig information i början om den nya medarbetaren och de ömsesidiga förväntningarna?",
        "E6, Flora IV.3 werkgever B",
        options=AGREE,
    ),
    q(
        "e7_integration_advice",
        "scale_1_5",
        "How useful was the advice on welcoming and integrating the new employee?",
        "Hoe nuttig was het advies over het onthaal en de integratie van de nieuwe medewerker?",
        "Hur användbara var råden om att ta emot och introducera den nya medarbetaren?",
        "E7, Flora IV.3 werkgever C",
        options=QUALITY,
    ),
    q(
        "e8_communication",
        "scale_1_5",
        "Did the coach help communication between you, your supervisors and the employee?",
        "Hielp de jobcoach de communicatie tussen u, uw leidinggevenden en de medewerker?",
        "Hjälpte coachen kommunikationen mellan er, era arbetsledare och medarbetaren?",
        "E8, Flora IV.3 werkgever C",
        options=AGREE,
    ),
    q(
        "e12_employment_measures",
        "yes_no",
        "Did you use an employment measure for this placement, such as a wage subsidy or on-the-job training?",
        "Heeft u voor deze plaatsing een tewerkstellingsmaatregel gebruikt, zoals een loonsubsidie "
        "of een opleiding op de werkvloer?",
        "Använde ni en arbetsmarknadsåtgärd för den här placeringen, till exempel ett lönestöd "
        "eller en utbildning på arbetsplatsen?",
        "E12, Flora IV.3 werkgever C #4",
    ),
    q(
        "e12_measures_help",
        "scale_1_5",
        "If you did, how helpful was the job coach in informing you and arranging it?",
        "Zo ja, hoe nuttig was de jobcoach om u te informeren en het te regelen?",
        "Om ja, hur till hjälp var jobbcoachen med att informera er och ordna det?",
        "E12, Flora IV.3 werkgever C #4",
        options=QUALITY,
        required=False,
        help_en="Leave this empty if you did not use one.",
        help_nl="Laat dit leeg als u er geen gebruikte.",
        help_sv="Lämna tomt om ni inte använde någon.",
    ),
    q(
        "e13_admin_support",
        "scale_1_5",
        "How helpful was the support with administration, such as work permits?",
        "Hoe nuttig was de hulp bij de administratie, zoals arbeidsvergunningen?",
        "Hur till hjälp var stödet med administrationen, till exempel arbetstillstånd?",
        "E13, Flora IV.3 werkgever C #5",
        options=QUALITY,
        required=False,
        help_en="Leave this empty if you did not need any.",
        help_nl="Laat dit leeg als u die niet nodig had.",
        help_sv="Lämna tomt om ni inte behövde något.",
    ),
    q(
        "e14_role_clarity",
        "scale_1_5",
        "Before this placement, was it clear what the job coach could and could not do for you?",
        "Was het vóór deze plaatsing duidelijk wat de jobcoach wel en niet voor u kon doen?",
        "Var det före placeringen tydligt vad jobbcoachen kunde och inte kunde göra för er?",
        "E14, Flora IV.3 werkgever B",
        options=AGREE,
    ),
    q(
        "e15_reached_out",
        "single_choice",
        "When a difficulty arose, did you contact the job coach?",
        "Nam u contact op met de jobcoach toen er een moeilijkheid was?",
        "Kontaktade ni jobbcoachen när det uppstod en svårighet?",
        "E15, Flora IV.3 werkgever B",
        options=_labels(
            ("Yes, in time", "Ja, tijdig", "Ja, i tid"),
            ("Yes, but late", "Ja, maar laat", "Ja, men sent"),
            ("No, I did not know I could", "Nee, ik wist niet dat dat kon", "Nej, jag visste inte att jag kunde"),
            ("No, it was not needed", "Nee, dat was niet nodig", "Nej, det behövdes inte"),
            ("There were no difficulties", "Er waren geen moeilijkheden", "Det fanns inga svårigheter"),
            keys=["in_time", "late", "did_not_know", "not_needed", "no_difficulty"],
        ),
    ),
    q(
        "e18_followup_duration",
        "single_choice",
        "The follow-up period was…",
        "De opvolgingsperiode was…",
        "Uppföljningsperioden var…",
        "E18, Flora IV.3 werkgever B",
        options=_labels(
            ("Too short", "Te kort", "För kort"),
            ("About right", "Goed", "Lagom"),
            ("Too long", "Te lang", "För lång"),
            keys=["too_short", "right", "too_long"],
        ),
    ),
    q(
        "e19_outcome",
        "single_choice",
        "What is the employment situation at the end of the placement?",
        "Wat is de arbeidssituatie aan het einde van de plaatsing?",
        "Hur ser anställningen ut när placeringen avslutas?",
        "E19, Flora I.3",
        options=_labels(
            ("Still employed", "Nog in dienst", "Fortfarande anställd"),
            ("Contract converted or extended", "Contract omgezet of verlengd", "Avtalet omvandlat eller förlängt"),
            ("Ended by us", "Beëindigd door ons", "Avslutad av oss"),
            ("Ended by the employee", "Beëindigd door de medewerker", "Avslutad av medarbetaren"),
            ("Ended by mutual agreement", "In onderling overleg beëindigd", "Avslutad i samförstånd"),
            keys=["employed", "converted", "ended_employer", "ended_employee", "ended_mutual"],
        ),
    ),
    q(
        "e20_recommend",
        "nps_0_10",
        "How likely are you to recommend working with us to another employer?",
        "Hoe waarschijnlijk is het dat u een samenwerking met ons aanbeveelt aan een andere werkgever?",
        "Hur troligt är det att ni rekommenderar ett samarbete med oss till en annan arbetsgivare?",
        "E20, Flora IV.3 werkgever B",
        options=NPS_ENDS,
    ),
    q(
        "e20_another_candidate",
        "yes_no",
        "Would you take on another candidate through us?",
        "Zou u via ons opnieuw een kandidaat aannemen?",
        "Skulle ni ta emot ytterligare en kandidat genom oss?",
        "E20, Flora IV.3 werkgever B",
    ),
    q(
        "e25_learn",
        "long_text",
        "What should the job coach do differently, or what more would you expect?",
        "Wat zou de jobcoach anders moeten doen, of wat zou u nog meer verwachten?",
        "Vad borde jobbcoachen göra annorlunda, eller vad mer skulle ni förvänta er?",
        "E25, Flora IV.3 werkgever B; igma ch. 6 what can be learned",
        required=False,
    ),
    q(
        "e24_reference",
        "yes_no",
        "May we name your company as a reference?",
        "Mogen wij uw bedrijf als referentie vermelden?",
        "Får vi nämna ert företag som referens?",
        "E24, Flora III.1.B",
        help_en="We ask you again before naming you anywhere in particular.",
        help_nl="We vragen het u opnieuw voor we u ergens concreet vermelden.",
        help_sv="Vi frågar er igen innan vi nämner er någonstans.",
    ),
]

EMPLOYER_DECLINED: list[Row] = [
    q(
        "decline_reason",
        "multiple_choice",
        "Why did you decide not to take up our offer?",
        "Waarom besliste u niet op ons aanbod in te gaan?",
        "Varför valde ni att inte ta emot vårt erbjudande?",
        "Flora IV.3 werkgever A.a and B; §4.9 category C",
        options=_labels(
            ("The candidate's profile did not match", "Het profiel paste niet", "Profilen passade inte"),
            ("Not enough work experience", "Te weinig werkervaring", "För lite arbetslivserfarenhet"),
            ("Not independent enough yet", "Nog niet zelfstandig genoeg", "Inte tillräckligt självständig ännu"),
            ("Language skills", "Taalvaardigheid", "Språkkunskaper"),
            ("We found a stronger candidate", "We vonden een sterkere kandidaat", "Vi hittade en starkare kandidat"),
            (
                "We needed someone operational at once",
                "We hadden meteen iemand nodig die inzetbaar was",
                "Vi behövde någon som kunde börja arbeta direkt",
            ),
            (
                "Coaching did not seem feasible for us",
                "Begeleiding leek voor ons niet haalbaar",
                "Coachning verkade inte möjlig för oss",
            ),
            ("Another reason", "Een andere reden", "Ett annat skäl"),
            keys=["profile", "experience", "autonomy", "language", "stronger", "immediate", "feasibility", "other"],
        ),
    ),
    q(
        "decline_comment",
        "short_text",
        "Anything you would like to add?",
        "Wilt u nog iets toevoegen?",
        "Vill ni lägga till något?",
        "Flora IV.3 werkgever B",
        required=False,
    ),
    q(
        "aware_of_coaching",
        "yes_no",
        "Did you know that our job coach supports both you and the new employee during a placement?",
        "Wist u dat onze jobcoach tijdens een plaatsing zowel u als de nieuwe medewerker ondersteunt?",
        "Visste ni att vår jobbcoach stöttar både er och den nya medarbetaren under en placering?",
        "Flora IV.3 werkgever B; §4.9 category C",
    ),
    q(
        "future_contact",
        "single_choice",
        "May we contact you again about future candidates?",
        "Mogen we u opnieuw contacteren over toekomstige kandidaten?",
        "Får vi kontakta er igen om framtida kandidater?",
        "Flora IV.1 category C; §4.9 category C",
        options=_labels(
            ("Yes", "Ja", "Ja"),
            ("Perhaps later", "Misschien later", "Kanske senare"),
            ("No", "Nee", "Nej"),
            keys=["yes", "later", "no"],
        ),
    ),
]

MID_PLACEMENT: list[Row] = [
    q(
        "mid_going_well",
        "scale_1_5",
        "How is the placement going so far?",
        "Hoe verloopt de plaatsing tot nu toe?",
        "Hur går placeringen hittills?",
        "E1, Flora IV.3 werkgever C",
        options=QUALITY,
    ),
    q(
        "mid_work_attitudes",
        "scale_1_5",
        "How do you rate the employee's work attitudes (punctuality, notifying absence, safety rules)?",
        "Hoe beoordeelt u de arbeidsattitudes van de medewerker (stiptheid, afwezigheid melden, veiligheidsregels)?",
        "Hur bedömer ni medarbetarens arbetsattityd (punktlighet, sjukanmälan, säkerhetsregler)?",
        "E9, Flora IV.2.A.a",
        options=QUALITY,
    ),
    q(
        "mid_communication",
        "scale_1_5",
        "Is communication with the employee going well?",
        "Verloopt de communicatie met de medewerker goed?",
        "Fungerar kommunikationen med medarbetaren bra?",
        "E8, Flora IV.3 werkgever C",
        options=AGREE,
    ),
    q(
        "mid_call_me",
        "yes_no",
        "Would you like the job coach to contact you soon?",
        "Wilt u dat de jobcoach binnenkort contact met u opneemt?",
        "Vill ni att jobbcoachen kontaktar er snart?",
        "E15, Flora IV.3 werkgever B",
    ),
    q(
        "mid_comments",
        "long_text",
        "Is there anything we should know?",
        "Is er iets wat we moeten weten?",
        "Finns det något vi borde veta?",
        "Flora IV.3 werkgever B",
        required=False,
    ),
]

SEEDED: list[tuple[str, str, list[Row]]] = [
    ("employer_end", "Employer evaluation at the end of a placement", EMPLOYER_END),
    ("employer_declined", "Employers who declined: short survey", EMPLOYER_DECLINED),
    ("mid_placement", "Mid-placement check-in", MID_PLACEMENT),
]


def seed_templates(template_model: Any, question_model: Any) -> int:
    """Create the seeded templates (version 1, active) where a kind has none yet; returns how many were made."""
    made = 0
    for kind, name, rows in SEEDED:
        if template_model.objects.filter(kind=kind).exists():
            continue
        template = template_model.objects.create(kind=kind, name=name, version=1, is_active=True)
        question_model.objects.bulk_create(
            question_model(template=template, order=order, **row) for order, row in enumerate(rows, start=1)
        )
        made += 1
    return made
