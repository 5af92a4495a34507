"""Admin for the evaluation surveys: templates and their questions, invitations (resend, cancel), responses.

A template that has been answered is read-only here; "Make a new version" copies it so old answers
keep their questions (outreach.survey_services.revise_template). Coaches see the invitations of
placements they may see, as in the API.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from outreach.surveys import services as survey_services
from outreach.surveys.models import Answer, Question, SurveyInvitation, SurveyResponse, SurveyTemplate


class QuestionInline(admin.StackedInline):
    """The questions of a template, editable until someone answers it."""

    model = Question
    extra = 0
    fields = (
        ("order", "key", "type", "required"),
        ("text_en", "text_nl", "text_sv"),
        ("help_en", "help_nl", "help_sv"),
        "options",
        ("source", "dimension"),
    )

    def _locked(self, obj: Any) -> bool:
        return obj is not None and survey_services.template_is_used(obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_delete_permission(request, obj)


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(admin.ModelAdmin):
    """Survey versions; an answered version is changed by making a new one."""

    list_display = ("name", "kind", "version", "is_active", "created_at")
    list_filter = ("kind", "is_active")
    inlines = [QuestionInline]
    actions = ["make_new_version"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is not None and survey_services.template_is_used(obj):
            return ("name", "kind", "version", "previous", "created_at")
        return ("version", "previous", "created_at")

    @admin.action(description=_("Make a new version of the selected answered surveys"))
    def make_new_version(self, request: HttpRequest, queryset: QuerySet[SurveyTemplate]) -> None:
        for template in queryset:
            revised = survey_services.revise_template(template=template, actor=request.user)
            if revised.pk == template.pk:
                self.message_user(request, _("%(name)s has no answers yet; edit it directly.") % {"name": template})
            else:
                self.message_user(request, _("Made %(name)s.") % {"name": revised}, messages.SUCCESS)


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(admin.ModelAdmin):
    """Who was invited, and where each link stands; resend or cancel from the list."""

    list_display = ("email", "template", "placement", "employer", "mail_status", "sent_at", "reminders_sent", "state")
    list_filter = ("template__kind", "mails__status")
    search_fields = ("email", "employer__name")
    date_hierarchy = "created_at"
    actions = ["resend", "cancel"]
    readonly_fields = [
        field.name for field in SurveyInvitation._meta.fields if field.name not in ("token_hash", "token_seed")
    ]
    exclude = ("token_hash", "token_seed")

    def get_queryset(self, request: HttpRequest) -> QuerySet[SurveyInvitation]:
        return (
            SurveyInvitation.objects.visible_to(request.user)
            .select_related("template", "placement__client", "placement__employer", "employer")
            .prefetch_related("mails")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("mail status"))
    def mail_status(self, obj: SurveyInvitation) -> str:
        return obj.mail_status

    @admin.display(description=_("status"))
    def state(self, obj: SurveyInvitation) -> str:
        return obj.status(now=timezone.now())

    def _each(self, request: HttpRequest, queryset: QuerySet[SurveyInvitation], service: Any) -> int:
        """Call the service for each invitation; a refused one is reported and the rest go on."""
        count = 0
        for invitation in queryset:
            try:
                service(invitation=invitation, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{invitation}: {' '.join(exc.messages)}", messages.WARNING)
            else:
                count += 1
        return count

    @admin.action(description=_("Send a new link (the old one stops working)"), permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet[SurveyInvitation]) -> None:
        count = self._each(request, queryset, survey_services.resend_invitation)
        self.message_user(request, ngettext("%d link sent again.", "%d links sent again.", count) % count)

    @admin.action(description=_("Cancel the link"), permissions=["change"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[SurveyInvitation]) -> None:
        count = self._each(request, queryset, survey_services.cancel_invitation)
        self.message_user(request, ngettext("%d link cancelled.", "%d links cancelled.", count) % count)


class AnswerInline(admin.TabularInline):
    """The answers of a response, read-only."""

    model = Answer
    extra = 0
    fields = ("question", "number", "text", "choices")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    """Submitted surveys, read-only."""

    list_display = ("template", "submitted_at", "language", "invitation")
    list_filter = ("template__kind", "language")
    date_hierarchy = "submitted_at"
    readonly_fields = ("invitation", "template", "submitted_at", "language", "interaction")
    inlines = [AnswerInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SurveyResponse]:
        visible = SurveyInvitation.objects.visible_to(request.user)
        return SurveyResponse.objects.filter(invitation__in=visible).select_related("template", "invitation__template")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
