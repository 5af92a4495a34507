"""The workplace mentor's page: her personal link, the concerns she raises, her replies to planned visits and the mails
that tell the coach (issue 14)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0004_decline_reason"),
        ("outreach", "0010_evaluation_employer_values"),
        ("placements", "0011_done_steps_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MentorLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "token_prefix",
                    models.CharField(db_index=True, editable=False, max_length=12, verbose_name="link prefix"),
                ),
                ("token_hash", models.CharField(editable=False, max_length=64, verbose_name="link hash")),
                ("token_seed", models.CharField(editable=False, max_length=64)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created")),
                (
                    "valid_until",
                    models.DateTimeField(
                        blank=True,
                        help_text="Empty while the placement runs: the link then works until MENTOR_LINK_DAYS_AFTER_END after its end.",
                        null=True,
                        verbose_name="valid until",
                    ),
                ),
                ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revoked")),
                (
                    "last_opened_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last opened by the mentor"),
                ),
                (
                    "contact",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="mentor_links",
                        to="crm.contact",
                        verbose_name="workplace mentor",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "placement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mentor_links",
                        to="placements.placement",
                        verbose_name="placement",
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="revoked by",
                    ),
                ),
            ],
            options={
                "verbose_name": "mentor link",
                "verbose_name_plural": "mentor links",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="MentorConcern",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("what_happened", models.TextField(max_length=2000, verbose_name="what happened")),
                (
                    "urgency",
                    models.CharField(
                        choices=[("today", "Today"), ("this_week", "This week"), ("no_hurry", "No hurry")],
                        max_length=10,
                        verbose_name="how urgent",
                    ),
                ),
                ("call_back", models.BooleanField(default=False, verbose_name="call me back")),
                ("phone", models.CharField(blank=True, max_length=40, verbose_name="phone")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="raised")),
                ("answered_at", models.DateTimeField(blank=True, null=True, verbose_name="answered")),
                ("answer", models.TextField(blank=True, max_length=1000, verbose_name="answer")),
                ("idempotency_key", models.CharField(editable=False, max_length=64, verbose_name="form key")),
                (
                    "answered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="answered by",
                    ),
                ),
                (
                    "interaction",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="crm.interaction",
                        verbose_name="interaction",
                    ),
                ),
                (
                    "placement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mentor_concerns",
                        to="placements.placement",
                        verbose_name="placement",
                    ),
                ),
                (
                    "step",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="mentor_concerns",
                        to="placements.aftercarestep",
                        verbose_name="follow-up",
                    ),
                ),
                (
                    "link",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="concerns",
                        to="outreach.mentorlink",
                        verbose_name="link",
                    ),
                ),
            ],
            options={
                "verbose_name": "concern from a mentor",
                "verbose_name_plural": "concerns from mentors",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="VisitReply",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("confirmed", "Confirmed"), ("proposed", "Proposed another date")],
                        max_length=10,
                        verbose_name="reply",
                    ),
                ),
                ("for_due_on", models.DateField(verbose_name="for the step due on")),
                ("proposed_on", models.DateField(blank=True, null=True, verbose_name="proposed date")),
                ("note", models.CharField(blank=True, max_length=500, verbose_name="note")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created")),
                ("idempotency_key", models.CharField(editable=False, max_length=64, verbose_name="form key")),
                (
                    "link",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="replies",
                        to="outreach.mentorlink",
                        verbose_name="link",
                    ),
                ),
                (
                    "step",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mentor_replies",
                        to="placements.aftercarestep",
                        verbose_name="step",
                    ),
                ),
            ],
            options={
                "verbose_name": "mentor's reply about a visit",
                "verbose_name_plural": "mentor's replies about visits",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="MentorMail",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("recipient_email", models.EmailField(blank=True, max_length=254, verbose_name="recipient")),
                (
                    "language",
                    models.CharField(
                        choices=[("en", "English"), ("nl", "Dutch"), ("sv", "Swedish")],
                        default="en",
                        max_length=2,
                        verbose_name="language",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("sending", "Sending"),
                            ("sent", "Sent"),
                            ("failed", "Failed"),
                            ("skipped", "Closed unsent (see the reason)"),
                        ],
                        default="pending",
                        max_length=8,
                        verbose_name="status",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                ("last_error", models.TextField(blank=True, verbose_name="last error")),
                (
                    "closed_reason",
                    models.CharField(
                        blank=True,
                        help_text="Set when a mail is closed unsent.",
                        max_length=300,
                        verbose_name="why it was not sent",
                    ),
                ),
                (
                    "claim_token",
                    models.CharField(
                        blank=True,
                        editable=False,
                        help_text="The sweep run that enqueued it.",
                        max_length=32,
                        verbose_name="claimed by sweep",
                    ),
                ),
                ("queued_at", models.DateTimeField(blank=True, null=True, verbose_name="enqueued")),
                (
                    "claimed_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="taken for sending"),
                ),
                (
                    "next_attempt_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="A pending mail is enqueued again from this moment: a lost message, or a retry after an error.",
                        null=True,
                        verbose_name="next attempt",
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
                (
                    "kind",
                    models.CharField(
                        choices=[("concern", "Concern from the mentor"), ("proposal", "Mentor proposed another date")],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "concern",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mails",
                        to="outreach.mentorconcern",
                        verbose_name="concern",
                    ),
                ),
                (
                    "recipient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member",
                    ),
                ),
                (
                    "reply",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mails",
                        to="outreach.visitreply",
                        verbose_name="reply",
                    ),
                ),
            ],
            options={
                "verbose_name": "mail about the mentor's page",
                "verbose_name_plural": "mails about the mentor's page",
                "ordering": ["created_at", "pk"],
            },
        ),
        migrations.AddConstraint(
            model_name="mentorlink",
            constraint=models.UniqueConstraint(
                condition=models.Q(("revoked_at__isnull", True)),
                fields=("placement", "contact"),
                name="outreach_one_live_mentor_link",
            ),
        ),
        migrations.AddIndex(
            model_name="mentorconcern",
            index=models.Index(
                condition=models.Q(("answered_at__isnull", True)), fields=["created_at"], name="outreach_concern_open"
            ),
        ),
        migrations.AddConstraint(
            model_name="mentorconcern",
            constraint=models.UniqueConstraint(
                fields=("link", "idempotency_key"), name="outreach_concern_once_per_form"
            ),
        ),
        migrations.AddConstraint(
            model_name="visitreply",
            constraint=models.UniqueConstraint(
                fields=("link", "idempotency_key"), name="outreach_visit_reply_once_per_form"
            ),
        ),
        migrations.AddConstraint(
            model_name="visitreply",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "confirmed"), ("proposed_on__isnull", True)),
                    models.Q(("kind", "proposed"), ("proposed_on__isnull", False)),
                    _connector="OR",
                ),
                name="outreach_visit_reply_proposal_has_date",
            ),
        ),
        migrations.AddIndex(
            model_name="mentormail",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["next_attempt_at"],
                name="outreach_mentormail_pending",
            ),
        ),
        migrations.AddIndex(
            model_name="mentormail",
            index=models.Index(
                condition=models.Q(("status", "sending")), fields=["claimed_at"], name="outreach_mentormail_sending"
            ),
        ),
        migrations.AddConstraint(
            model_name="mentormail",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("concern__isnull", False), ("kind", "concern"), ("reply__isnull", True)),
                    models.Q(("concern__isnull", True), ("kind", "proposal"), ("reply__isnull", False)),
                    _connector="OR",
                ),
                name="outreach_mentor_mail_has_its_subject",
            ),
        ),
    ]
