"""Admin for the follow-up engine's records: what went out, what failed and why, with "send again"."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from outreach.followups.models import CoachDigest, FollowUpNotice
from outreach.followups.services import resend_notice
from placements.models import AftercareStep

_RECORD_FIELDS = (
    "recipient_email",
    "language",
    "status",
    "attempts",
    "last_error",
    "queued_at",
    "created_at",
    "sent_at",
)


class _RecordAdmin(admin.ModelAdmin):
    """Mails are records of what happened: nobody adds or edits them by hand."""

    date_hierarchy = "created_at"
    list_per_page = 100

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    @admin.display(description=_("error"))
    def error_summary(self, obj: FollowUpNotice | CoachDigest) -> str:
        """The first line of the last error."""
        return obj.last_error.splitlines()[0][:120] if obj.last_error else ""


@admin.register(FollowUpNotice)
class FollowUpNoticeAdmin(_RecordAdmin):
    """Follow-up notices per step; filter on failed to see what needs a hand."""

    list_display = (
        "step",
        "client",
        "kind",
        "status",
        "recipient_email",
        "language",
        "attempts",
        "sent_at",
        "error_summary",
    )
    list_filter = ("status", "kind", "language")
    search_fields = ("recipient_email", "step__title", "step__placement__client__reference")
    readonly_fields = ("step", "kind", "days_before", *_RECORD_FIELDS)
    fields = readonly_fields
    actions = ["send_again"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[FollowUpNotice]:
        return FollowUpNotice.objects.visible_to(request.user).select_related("step__placement__client")

    @admin.display(description=_("client"), ordering="step__placement__client__reference")
    def client(self, obj: FollowUpNotice) -> str:
        """The client's pseudonymous reference."""
        return obj.step.placement.client.reference

    @admin.action(description=_("Send again (failed or stuck notices)"), permissions=["change"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[FollowUpNotice]) -> None:
        """Put failed notices back in the queue."""
        count = sum(resend_notice(notice=notice, actor=request.user) for notice in queryset)
        message = ngettext("%(count)d notice enqueued again.", "%(count)d notices enqueued again.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS if count else messages.WARNING)


class FollowUpNoticeInline(admin.TabularInline):
    """A step's notices on the step's own page: what went out, and what failed and why."""

    model = FollowUpNotice
    fields = ("kind", "days_before", "status", "recipient_email", "attempts", "sent_at", "last_error")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("follow-up mails")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def show_notices_on_steps(site: admin.AdminSite = admin.site) -> None:
    """Add the notices inline to the step admin: outreach extends placements, which never imports outreach."""
    try:
        step_admin = site.get_model_admin(AftercareStep)
    except NotRegistered:
        return
    if FollowUpNoticeInline not in step_admin.inlines:
        type(step_admin).inlines = [*step_admin.inlines, FollowUpNoticeInline]


show_notices_on_steps()


@admin.register(CoachDigest)
class CoachDigestAdmin(_RecordAdmin):
    """Morning digests, one per coach and day."""

    list_display = ("date", "coach", "status", "recipient_email", "attempts", "sent_at", "error_summary")
    list_filter = ("status", "date")
    search_fields = ("recipient_email", "coach__username")
    readonly_fields = ("coach", "date", *_RECORD_FIELDS)
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[CoachDigest]:
        return CoachDigest.objects.visible_to(request.user).select_related("coach")
