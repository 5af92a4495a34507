"""Seed the default aftercare plan (Flora II.3.F, IV.2.A.a); administrators edit or replace it."""

from django.db import migrations


def seed(apps, schema_editor):
    from placements.plans import DEFAULT_PLAN_NAME, DEFAULT_PLAN_STEPS

    Plan = apps.get_model("placements", "AftercarePlan")
    Template = apps.get_model("placements", "AftercareStepTemplate")
    plan, created = Plan.objects.get_or_create(
        name=DEFAULT_PLAN_NAME,
        version=1,
        defaults={
            "is_default": True,
            "description": "Intensive in the first three months, on-site with the employer at 3 and 6 months, "
            "sparser to 9 months, then on request; closing evaluation at the end (about a year).",
        },
    )
    if created:
        for order, track, kind, anchor, offset, en, nl, sv in DEFAULT_PLAN_STEPS:
            Template.objects.create(
                plan=plan, order=order, track=track, kind=kind, anchor=anchor, offset_days=offset,
                title=en, title_nl=nl, title_sv=sv,
            )


class Migration(migrations.Migration):
    dependencies = [("placements", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
