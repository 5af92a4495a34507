"""Seed the igma example ladder (handbook ch. 5); the network edits it afterwards."""

from django.db import migrations


def seed(apps, schema_editor):
    from crm.ladder import IGMA_LADDER

    LadderStep = apps.get_model("crm", "LadderStep")
    for position, en, nl, sv in IGMA_LADDER:
        LadderStep.objects.get_or_create(position=position, defaults={"name": en, "name_nl": nl, "name_sv": sv})


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
