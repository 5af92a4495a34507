"""Employer.last_contact_at: the latest interaction's moment, stored on the employer and filled in here.

The backfill is one set-based UPDATE that SQLite and PostgreSQL both run; it copies the rule of
crm.services.refresh_last_contact instead of importing it (a migration does not import live code).
"""

from django.db import migrations, models

BACKFILL = """
UPDATE crm_employer
SET last_contact_at = (
    SELECT MAX(crm_interaction.occurred_at)
    FROM crm_interaction
    WHERE crm_interaction.employer_id = crm_employer.id
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0008_search_trigram"),
    ]

    operations = [
        migrations.AddField(
            model_name="employer",
            name="last_contact_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last contact"),
        ),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop, elidable=False),
        migrations.AddIndex(
            model_name="employer",
            index=models.Index(fields=["last_contact_at", "id"], name="crm_employer_contact_order"),
        ),
        migrations.RemoveIndex(
            model_name="interaction",
            name="crm_inter_open_next_step",
        ),
        migrations.AddIndex(
            model_name="interaction",
            index=models.Index(
                condition=models.Q(("next_step_done_at__isnull", True), models.Q(("next_step", ""), _negated=True)),
                fields=["next_step_due", "employer"],
                name="crm_inter_open_due_employer",
            ),
        ),
    ]
