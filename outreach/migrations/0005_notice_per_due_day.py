"""A follow-up notice is per due day of its step, so a moved step is reminded again on its new day."""

import datetime

from django.db import migrations, models


def fill_due_days(apps, schema_editor):
    Notice = apps.get_model("outreach", "FollowUpNotice")
    for notice in Notice.objects.select_related("step").iterator():
        notice.for_due_on = notice.step.due_on
        notice.save(update_fields=["for_due_on"])


class Migration(migrations.Migration):
    dependencies = [("outreach", "0004_surveys"), ("placements", "0003_calendar_feed_token")]

    operations = [
        migrations.AddField(
            model_name="followupnotice",
            name="for_due_on",
            field=models.DateField(default=datetime.date(1970, 1, 1), verbose_name="for the step due on"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_due_days, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="followupnotice", name="outreach_one_notice_per_step_kind"),
        migrations.AddConstraint(
            model_name="followupnotice",
            constraint=models.UniqueConstraint(
                fields=("step", "kind", "days_before", "for_due_on"), name="outreach_one_notice_per_step_kind_day"
            ),
        ),
        migrations.AddConstraint(
            model_name="followupnotice",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "evaluation_due")),
                fields=("step", "kind"),
                name="outreach_one_evaluation_handoff_per_step",
            ),
        ),
    ]
