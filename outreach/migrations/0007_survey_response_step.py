"""A survey response points at the employer-evaluation step it answers."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0006_one_mail_life_cycle"),
        ("placements", "0003_calendar_feed_token"),
    ]

    operations = [
        migrations.AddField(
            model_name="surveyresponse",
            name="step",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="survey_responses",
                to="placements.aftercarestep",
                verbose_name="aftercare step",
            ),
        ),
    ]
