"""Seed a plan for a trial day and one for a short work-experience place, and the kinds that follow them.

A trial day needs a debrief with the client the next day and a word with the employer, not monthly
calls to month 12 and an end-of-placement evaluation (Flora II.3.F scales the follow-up to the
placement). The data is written out here, not read from live code, so this migration keeps doing
what it did when the code moves on; administrators change plans and kinds afterwards.
"""

from django.db import migrations

# name, description, kinds, steps: (order, track, kind, anchor, offset_days, English, Dutch, Swedish)
PLANS = (
    (
        "Trial day",
        "A debrief with the client the day after and a check-in with the employer; no long aftercare.",
        ("trial_day", "shadowing"),
        (
            (10, "client", "call", "start", 1, "Debrief with the client the day after",
             "Nabespreking met de cliënt de dag erna", "Uppföljning med klienten dagen efter"),
            (20, "employer", "email_checkin", "start", 1, "Check-in with the employer about the day",
             "Navraag bij de werkgever over de dag", "Avstämning med arbetsgivaren om dagen"),
        ),
    ),
    (
        "Short work-experience place",
        "A welcome, a check-in in the first week with both sides, and a debrief with both after the last day.",
        ("work_experience",),
        (
            (10, "joint", "visit", "start", 0, "Welcome at the workplace",
             "Welkom op de werkplek", "Välkomnande på arbetsplatsen"),
            (20, "client", "call", "start", 3, "Check-in call after the first days",
             "Belafspraak na de eerste dagen", "Avstämningssamtal efter de första dagarna"),
            (30, "employer", "email_checkin", "start", 7, "Check-in with the workplace mentor",
             "Navraag bij de werkplekbegeleider", "Avstämning med handledaren"),
            (40, "client", "call", "end", 1, "Debrief with the client",
             "Nabespreking met de cliënt", "Uppföljning med klienten"),
            (50, "employer", "email_checkin", "end", 1, "Feedback from the workplace mentor",
             "Terugkoppeling van de werkplekbegeleider", "Återkoppling från handledaren"),
        ),
    ),
)


def seed(apps, schema_editor):
    Plan = apps.get_model("placements", "AftercarePlan")
    Template = apps.get_model("placements", "AftercareStepTemplate")
    KindPlan = apps.get_model("placements", "KindPlan")
    for name, description, kinds, steps in PLANS:
        plan, created = Plan.objects.get_or_create(name=name, version=1, defaults={"description": description})
        if created:
            for order, track, kind, anchor, offset, en, nl, sv in steps:
                Template.objects.create(
                    plan=plan, order=order, track=track, kind=kind, anchor=anchor, offset_days=offset,
                    title=en, title_nl=nl, title_sv=sv,
                )
        for kind in kinds:
            KindPlan.objects.get_or_create(kind=kind, defaults={"plan": plan})


class Migration(migrations.Migration):
    dependencies = [("placements", "0006_client_agreements_teams_kind_plans")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
