"""Questions say which added value employers named they measure (Flora IV.3 werkgever C, analysis §4.8).

The seeded evaluation questions get theirs by their stable key; the mapping is written out here so the
migration stays as it is whatever the live code says later.
"""

from django.db import migrations, models

DIMENSIONS = {
    "expectations_met": "overall",
    "goals_reached": "overall",
    "e20_recommend": "overall",
    "e20_another_candidate": "overall",
    "e3_candidate_fit": "supply",
    "e4_weeks_to_productive": "supply",
    "e5_dropout_prevention": "supply",
    "e6_information_at_start": "advice",
    "e7_integration_advice": "advice",
    "e14_role_clarity": "advice",
    "e8_communication": "contact",
    "e15_reached_out": "contact",
    "e18_followup_duration": "contact",
    "e12_employment_measures": "measures",
    "e13_admin_support": "administration",
}


def set_dimensions(apps, schema_editor):
    question = apps.get_model("outreach", "Question")
    for key, dimension in DIMENSIONS.items():
        question.objects.filter(key=key, dimension="").update(dimension=dimension)


class Migration(migrations.Migration):

    dependencies = [
        ('outreach', '0008_redundant_fk_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='question',
            name='dimension',
            field=models.CharField(blank=True, choices=[('', 'None'), ('overall', 'Overall'), ('supply', 'Suitable workers, onboarded faster'), ('advice', 'Information and advice on integration'), ('contact', 'A contact person during onboarding'), ('measures', 'Access to employment measures'), ('administration', 'Administrative support')], default='', help_text='Which of the added values employers named (Flora IV.3 werkgever C) the question measures.', max_length=16, verbose_name='value dimension'),
        ),
        migrations.RunPython(set_dimensions, migrations.RunPython.noop),
    ]
