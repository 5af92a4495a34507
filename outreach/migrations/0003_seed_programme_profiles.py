"""Seed the organisation's texts for employers in English, Dutch and Swedish; administrators edit them afterwards.

It reads outreach/packs/defaults.py, the defaults for new databases: a database migrated earlier keeps
the texts it got (get_or_create), so later edits to the defaults change only new installations.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from outreach.packs.defaults import DEFAULT_PROFILE_TEXTS, ORGANISATION_NAME

    ProgrammeProfile = apps.get_model("outreach", "ProgrammeProfile")
    for language, texts in DEFAULT_PROFILE_TEXTS.items():
        ProgrammeProfile.objects.get_or_create(
            language=language, defaults={"organisation_name": ORGANISATION_NAME, **texts}
        )


class Migration(migrations.Migration):
    dependencies = [("outreach", "0002_info_packs")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
