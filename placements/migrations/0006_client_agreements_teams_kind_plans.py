"""Agreements move from the placement to the client and keep versions; teams; a plan per kind of placement."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def agreements_to_clients(apps, schema_editor):
    """Agreements belonged to a placement; they now belong to the client, one version per former agreement.

    A client with agreements on several placements keeps them all as versions, oldest first; only the
    newest stays in force. A review date is kept in the version's change note.
    """
    Agreement = apps.get_model("placements", "CoachingAgreement")
    current = {}
    for agreement in Agreement.objects.select_related("placement").order_by("placement__client_id", "created_at", "pk"):
        client_id = agreement.placement.client_id
        previous = current.get(client_id)
        agreement.client_id = client_id
        agreement.version = previous.version + 1 if previous else 1
        if agreement.reviewed_on:
            agreement.change_note = f"Reviewed on {agreement.reviewed_on.isoformat()}"
        agreement.save(update_fields=["client", "version", "change_note"])
        if previous is not None:
            previous.superseded_at = agreement.created_at
            previous.save(update_fields=["superseded_at"])
        current[client_id] = agreement


class Migration(migrations.Migration):

    dependencies = [
        ('placements', '0005_redundant_fk_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='KindPlan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('paid_job', 'Paid job'), ('work_experience', 'Work-experience place'), ('trial_day', 'Trial day'), ('internship', 'Internship'), ('volunteering', 'Volunteering'), ('training', 'Training place'), ('shadowing', 'Job shadowing')], max_length=16, unique=True, verbose_name='kind of placement')),
            ],
            options={
                'verbose_name': 'plan per kind of placement',
                'verbose_name_plural': 'plans per kind of placement',
                'ordering': ['kind'],
            },
        ),
        migrations.CreateModel(
            name='Team',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, unique=True, verbose_name='name')),
            ],
            options={
                'verbose_name': 'team',
                'verbose_name_plural': 'teams',
                'ordering': ['name'],
            },
        ),
        migrations.AlterModelOptions(
            name='coachingagreement',
            options={'ordering': ['client', '-version'], 'verbose_name': 'coaching agreement', 'verbose_name_plural': 'coaching agreements'},
        ),
        migrations.AddField(
            model_name='coachingagreement',
            name='change_note',
            field=models.CharField(blank=True, max_length=300, verbose_name='what changed'),
        ),
        migrations.AddField(
            model_name='coachingagreement',
            name='client',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='agreements', to='placements.client', verbose_name='client'),
        ),
        migrations.AddField(
            model_name='coachingagreement',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='written by'),
        ),
        migrations.AddField(
            model_name='coachingagreement',
            name='superseded_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='superseded'),
        ),
        migrations.AddField(
            model_name='coachingagreement',
            name='version',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='version'),
        ),
        migrations.RunPython(agreements_to_clients, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='coachingagreement',
            name='placement',
        ),
        migrations.RemoveField(
            model_name='coachingagreement',
            name='reviewed_on',
        ),
        migrations.RemoveField(
            model_name='coachingagreement',
            name='updated_at',
        ),
        migrations.AlterField(
            model_name='coachingagreement',
            name='client',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='agreements', to='placements.client', verbose_name='client'),
        ),
        migrations.AddConstraint(
            model_name='coachingagreement',
            constraint=models.UniqueConstraint(fields=('client', 'version'), name='placements_agreement_version_unique'),
        ),
        migrations.AddConstraint(
            model_name='coachingagreement',
            constraint=models.UniqueConstraint(condition=models.Q(('superseded_at__isnull', True)), fields=('client',), name='placements_one_current_agreement'),
        ),
        migrations.AddField(
            model_name='consentrecord',
            name='source',
            field=models.CharField(choices=[('signed_form', 'Signed form'), ('conversation', 'In a conversation, noted by the coach'), ('email', 'By email'), ('other', 'Other')], default='signed_form', max_length=16, verbose_name='source'),
        ),
        migrations.AddField(
            model_name='consentrecord',
            name='withdrawal_recorded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='kindplan',
            name='plan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='kinds', to='placements.aftercareplan', verbose_name='aftercare plan'),
        ),
        migrations.AddField(
            model_name='team',
            name='coaches',
            field=models.ManyToManyField(blank=True, related_name='teams', to=settings.AUTH_USER_MODEL, verbose_name='coaches'),
        ),
        migrations.AddField(
            model_name='team',
            name='leads',
            field=models.ManyToManyField(blank=True, related_name='led_teams', to=settings.AUTH_USER_MODEL, verbose_name='case managers'),
        ),
    ]
