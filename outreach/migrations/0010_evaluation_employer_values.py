"""The end-of-placement evaluation asks what Flora's employers valued (analysis §4.8, question bank §4.9).

A new version of the active employer evaluation (kind employer_end) gets the questions it has plus:
E1 the overall rating; E2 time saved, as a 1-5 rating and an optional estimate in hours (§4.9 "1–5 +
number"); E12 the employment measures used, as yes/no and an optional 1-5 rating of the help
(§4.9 "Y/N + 1–5"); E13 the help with administration and work permits, a 1-5 rating left empty when
not applicable (§4.9 "1–5 / N.A."). Each carries its added-value dimension (Flora IV.3 werkgever C):
the time saved is the overall finding of §4.8 («aanzienlijke tijdswinst»).

The version it copies keeps its questions and answers untouched; results group answers by the stable
question key, so the versions add up. A database seeded with these questions already (new
installations read outreach/surveys/defaults.py in 0004) gets no new version, only the dimensions.
The rows are written out here, so the migration stays as it is whatever the live code says later.
"""

from django.db import migrations
from django.utils import timezone

KIND = "employer_end"

QUALITY = [
    {"key": "1", "en": "Very poor", "nl": "Zeer slecht", "sv": "Mycket dåligt"},
    {"key": "2", "en": "Poor", "nl": "Slecht", "sv": "Dåligt"},
    {"key": "3", "en": "Fair", "nl": "Redelijk", "sv": "Godtagbart"},
    {"key": "4", "en": "Good", "nl": "Goed", "sv": "Bra"},
    {"key": "5", "en": "Very good", "nl": "Zeer goed", "sv": "Mycket bra"},
]
AGREE = [
    {"key": "1", "en": "Not at all", "nl": "Helemaal niet", "sv": "Inte alls"},
    {"key": "2", "en": "A little", "nl": "Weinig", "sv": "Lite"},
    {"key": "3", "en": "Partly", "nl": "Gedeeltelijk", "sv": "Delvis"},
    {"key": "4", "en": "Mostly", "nl": "Grotendeels", "sv": "Till stor del"},
    {"key": "5", "en": "Fully", "nl": "Volledig", "sv": "Helt"},
]

# (the key of the question it follows, the question); one that is missing puts it at the end.
NEW_QUESTIONS = [
    (
        "goals_reached",
        {
            "key": "e1_overall",
            "type": "scale_1_5",
            "required": True,
            "text_en": "Overall, how do you rate the collaboration with the job coach?",
            "text_nl": "Hoe beoordeelt u, alles samen, de samenwerking met de jobcoach?",
            "text_sv": "Hur bedömer ni samarbetet med jobbcoachen som helhet?",
            "options": QUALITY,
            "source": "E1, Flora IV.3 werkgever C",
            "dimension": "overall",
        },
    ),
    (
        "e4_weeks_to_productive",
        {
            "key": "e2_time_saved",
            "type": "scale_1_5",
            "required": True,
            "text_en": "Did working with the job coach save you time in recruiting and onboarding?",
            "text_nl": "Heeft de samenwerking met de jobcoach u tijd bespaard bij het aanwerven en inwerken?",
            "text_sv": "Sparade samarbetet med jobbcoachen er tid vid rekrytering och introduktion?",
            "options": AGREE,
            "source": "E2, Flora IV.3 werkgever C (tijdswinst)",
            "dimension": "overall",
        },
    ),
    (
        "e2_time_saved",
        {
            "key": "e2_hours_saved",
            "type": "number",
            "required": False,
            "text_en": "About how many hours did it save you?",
            "text_nl": "Hoeveel uur heeft het u ongeveer bespaard?",
            "text_sv": "Ungefär hur många timmar sparade det er?",
            "help_en": "An estimate is fine.",
            "help_nl": "Een schatting volstaat.",
            "help_sv": "En uppskattning räcker.",
            "source": "E2, Flora IV.3 werkgever C (tijdswinst)",
            "dimension": "overall",
        },
    ),
    (
        "e8_communication",
        {
            "key": "e12_employment_measures",
            "type": "yes_no",
            "required": True,
            "text_en": "Did you use an employment measure for this placement, such as a wage subsidy or "
            "on-the-job training?",
            "text_nl": "Heeft u voor deze plaatsing een tewerkstellingsmaatregel gebruikt, zoals een loonsubsidie "
            "of een opleiding op de werkvloer?",
            "text_sv": "Använde ni en arbetsmarknadsåtgärd för den här placeringen, till exempel ett lönestöd "
            "eller en utbildning på arbetsplatsen?",
            "source": "E12, Flora IV.3 werkgever C #4",
            "dimension": "measures",
        },
    ),
    (
        "e12_employment_measures",
        {
            "key": "e12_measures_help",
            "type": "scale_1_5",
            "required": False,
            "text_en": "If you did, how helpful was the job coach in informing you and arranging it?",
            "text_nl": "Zo ja, hoe nuttig was de jobcoach om u te informeren en het te regelen?",
            "text_sv": "Om ja, hur till hjälp var jobbcoachen med att informera er och ordna det?",
            "help_en": "Leave this empty if you did not use one.",
            "help_nl": "Laat dit leeg als u er geen gebruikte.",
            "help_sv": "Lämna tomt om ni inte använde någon.",
            "options": QUALITY,
            "source": "E12, Flora IV.3 werkgever C #4",
            "dimension": "measures",
        },
    ),
    (
        "e12_measures_help",
        {
            "key": "e13_admin_support",
            "type": "scale_1_5",
            "required": False,
            "text_en": "How helpful was the support with administration, such as work permits?",
            "text_nl": "Hoe nuttig was de hulp bij de administratie, zoals arbeidsvergunningen?",
            "text_sv": "Hur till hjälp var stödet med administrationen, till exempel arbetstillstånd?",
            "help_en": "Leave this empty if you did not need any.",
            "help_nl": "Laat dit leeg als u die niet nodig had.",
            "help_sv": "Lämna tomt om ni inte behövde något.",
            "options": QUALITY,
            "source": "E13, Flora IV.3 werkgever C #5",
            "dimension": "administration",
        },
    ),
]

COPIED = [
    "key",
    "type",
    "required",
    "text_en",
    "text_nl",
    "text_sv",
    "help_en",
    "help_nl",
    "help_sv",
    "options",
    "source",
    "dimension",
]


BLANK = {"help_en": "", "help_nl": "", "help_sv": "", "options": []}


def with_new_questions(rows, new_questions=NEW_QUESTIONS):
    """The question rows in order with the missing new ones placed after the question each follows."""
    rows = list(rows)
    for after, row in new_questions:
        if any(existing["key"] == row["key"] for existing in rows):
            continue
        at = next((i + 1 for i, existing in enumerate(rows) if existing["key"] == after), len(rows))
        rows.insert(at, row)
    return rows


def add_employer_values(apps, schema_editor):
    template_model = apps.get_model("outreach", "SurveyTemplate")
    question_model = apps.get_model("outreach", "Question")
    active = template_model.objects.filter(kind=KIND, is_active=True).first()
    if active is None:
        return
    current = [
        {name: getattr(question, name) for name in COPIED}
        for question in question_model.objects.filter(template=active).order_by("order")
    ]
    rows = with_new_questions(current)
    if len(rows) == len(current):
        for _after, row in NEW_QUESTIONS:
            question_model.objects.filter(template=active, key=row["key"], dimension="").update(
                dimension=row["dimension"]
            )
        return
    latest = template_model.objects.filter(kind=KIND).order_by("-version").values_list("version", flat=True).first()
    template_model.objects.filter(pk=active.pk).update(is_active=False)
    version = template_model.objects.create(
        name=active.name, kind=KIND, version=latest + 1, previous=active, is_active=True, created_at=timezone.now()
    )
    question_model.objects.bulk_create(
        question_model(
            template=version, order=order, **{"help_en": "", "help_nl": "", "help_sv": "", "options": [], **row}
        )
        for order, row in enumerate(rows, start=1)
    )


class Migration(migrations.Migration):
    dependencies = [("outreach", "0009_question_dimension")]

    operations = [migrations.RunPython(add_employer_values, migrations.RunPython.noop)]
