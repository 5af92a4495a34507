"""The rest of the employer's gender and job-quality profile (Flora III.5.C.b), and which ladder steps employers supply.

The igma ladder's steps 13 to 22 are the ones where an employer offers something (from job shadowing and
trial days to a job with aftercare); the others are coaching steps. Administrators change the flag.
"""

import django.core.validators
from django.conf import settings
from django.db import migrations, models


SUPPLIED_STEPS = range(13, 23)


def mark_supplied_steps(apps, schema_editor):
    LadderStep = apps.get_model("crm", "LadderStep")
    LadderStep.objects.filter(position__in=SUPPLIED_STEPS).update(offers_places=True)


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0002_seed_ladder'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='employer',
            name='atmosphere',
            field=models.TextField(blank=True, help_text='For example with sexual harassment.', verbose_name='atmosphere, and how management steps in'),
        ),
        migrations.AddField(
            model_name='employer',
            name='career_break_attitude',
            field=models.TextField(blank=True, verbose_name='attitude to career breaks'),
        ),
        migrations.AddField(
            model_name='employer',
            name='childcare_notes',
            field=models.TextField(blank=True, verbose_name='what they do to make childcare easier'),
        ),
        migrations.AddField(
            model_name='employer',
            name='gendered_functions',
            field=models.TextField(blank=True, help_text='Flora III.5.C.b question 3.', verbose_name='functions held mostly by men or by women'),
        ),
        migrations.AddField(
            model_name='employer',
            name='hard_to_fill_functions',
            field=models.TextField(blank=True, verbose_name='functions that are hard to fill'),
        ),
        migrations.AddField(
            model_name='employer',
            name='hiring_motivation',
            field=models.TextField(blank=True, verbose_name='why they hire women or men'),
        ),
        migrations.AddField(
            model_name='employer',
            name='influence_channels',
            field=models.TextField(blank=True, verbose_name='how staff have a say, formal and informal'),
        ),
        migrations.AddField(
            model_name='employer',
            name='schedules_and_peaks',
            field=models.TextField(blank=True, verbose_name='working hours, and how peaks are handled'),
        ),
        migrations.AddField(
            model_name='employer',
            name='status_offered',
            field=models.TextField(blank=True, help_text='Open-ended, fixed-term, with a hiring subsidy, full-time, part-time.', verbose_name='contracts offered to women and to men'),
        ),
        migrations.AddField(
            model_name='employer',
            name='union_women_pct',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='women in the union delegation (%)'),
        ),
        migrations.AddField(
            model_name='ladderstep',
            name='offers_places',
            field=models.BooleanField(default=False, help_text='Steps where the network supplies places (work experience, trial days, jobs); coverage compares their open places with the clients who need them. Coaching steps without an employer stay off.', verbose_name='employers offer places at this step'),
        ),
        migrations.AddConstraint(
            model_name='employer',
            constraint=models.CheckConstraint(condition=models.Q(('union_women_pct__isnull', True), ('union_women_pct__lte', 100), _connector='OR'), name='crm_employer_union_women_pct_range'),
        ),
        migrations.RunPython(mark_supplied_steps, migrations.RunPython.noop),
    ]
