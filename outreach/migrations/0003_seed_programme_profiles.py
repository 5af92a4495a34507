"""Seed the organisation's texts for employers in English, Dutch and Swedish; administrators edit them afterwards."""

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
