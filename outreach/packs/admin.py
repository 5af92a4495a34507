"""Admin for info packs: programme texts (administrators), staff contact cards, and the packs themselves.

Staff who work with employers (relationship managers, coaches, case managers, administrators) can
generate, preview, download and send packs here for the employers and placements they may see; every
view is thin and calls one service in outreach.pack_services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crm.choices import Language
from crm.models import Contact, Employer
from crm.roles import Role, has_role
from outreach.api.views import html_preview_response, pdf_response
from outreach.packs import services as pack_services
from outreach.packs.models import (
    InfoPack,
    InfoPackDelivery,
    InfoPackStatus,
    ProgrammeProfile,
    StaffCard,
    can_work_with_packs,
)
from placements.models import Placement

FORM_TEMPLATE = "outreach/packs/admin_form.html"


def _is_administrator(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_staff and has_role(request.user, Role.ADMINISTRATOR))


class _AdministratorsOnly(admin.ModelAdmin):
    """Configuration that only administrators see and edit."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)


@admin.register(ProgrammeProfile)
class ProgrammeProfileAdmin(_AdministratorsOnly):
    """The organisation's texts for employers, one row per language (igma ch. 6; Flora §4.10)."""

    list_display = ("language", "organisation_name", "contact_phone", "on_call_phone", "updated_at")
    fieldsets = (
        (None, {"fields": ("language", "organisation_name", "logo", "website")}),
        (_("Contact"), {"fields": ("contact_phone", "contact_email", "on_call_phone")}),
        (
            _("The programme"),
            {"fields": ("programme_description", "results_for_employer", "results_for_individual", "support_offered")},
        ),
        (
            _("Working together"),
            {"fields": ("employer_expectations", "coach_role", "coach_limits", "call_early", "questions_and_answers")},
        ),
        (_("Practical help"), {"fields": ("employment_measures", "administrative_help", "on_call", "onboarding_plan")}),
        (_("Principles"), {"fields": ("confidentiality", "job_quality", "no_promised_results")}),
    )

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Websites typed without a scheme are https (Django 6's default, chosen now)."""
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(StaffCard)
class StaffCardAdmin(_AdministratorsOnly):
    """The phone and mail employers see for each staff member on a pack."""

    list_display = ("user", "phone", "email")
    search_fields = ("user__username", "user__first_name", "user__last_name", "phone")
    autocomplete_fields = ("user",)


class GenerateForm(forms.Form):
    """Which pack to generate or preview, and in which languages."""

    employer = forms.ModelChoiceField(Employer.objects.engageable(), label=_("employer"), required=False)
    placement = forms.ModelChoiceField(Placement.objects.none(), label=_("placement"), required=False)
    languages = forms.MultipleChoiceField(
        choices=Language.choices,
        label=_("languages"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for the languages of the employer's contacts."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["placement"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Placement.objects.visible_to(user).select_related("client", "employer").order_by("-start_on")

    def clean(self) -> dict[str, Any]:
        """An employer or a placement; the placement decides the employer."""
        data = super().clean() or {}
        employer, placement = data.get("employer"), data.get("placement")
        if employer is None and placement is None:
            raise ValidationError(_("Choose an employer or a placement."))
        if employer is not None and placement is not None and placement.employer_id != employer.pk:
            raise ValidationError(_("This placement is with another employer."))
        data["employer"] = placement.employer if placement is not None else employer
        return data


class _ContactChoices(forms.ModelMultipleChoiceField):
    """Contacts shown with their address and language, so staff see who gets which version."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} <{obj.email}> ({obj.get_preferred_language_display()})"


class SendForm(forms.Form):
    """The employer's contacts to mail the pack to."""

    contacts = _ContactChoices(Contact.objects.none(), label=_("contacts"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, pack: InfoPack, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["contacts"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Contact.objects.filter(employer_id=pack.employer_id, is_active=True).exclude(email="")


@admin.register(InfoPack)
class InfoPackAdmin(admin.ModelAdmin):
    """Generated packs: every version is kept; build, preview, download and send from here."""

    list_display = ("employer", "kind", "placement", "language", "version", "status", "trigger", "built_at", "links")
    list_filter = ("status", "kind", "language", "trigger")
    list_select_related = ("employer", "placement__client", "placement__employer")
    search_fields = ("employer__name", "placement__job_title")
    date_hierarchy = "created_at"
    readonly_fields = (
        "employer",
        "placement",
        "kind",
        "language",
        "version",
        "status",
        "trigger",
        "error",
        "pdf",
        "sha256",
        "size",
        "requested_by",
        "created_at",
        "claimed_at",
        "built_at",
    )
    fields = readonly_fields
    actions = ["generate_new_version", "build_again"]
    change_list_template = "outreach/packs/admin_change_list.html"

    # Permissions: the pack roles, on the rows they may see.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_staff and can_work_with_packs(request.user))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # packs are generated through the "Generate" page, never typed in

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[InfoPack]:
        return InfoPack.objects.visible_to(request.user).select_related("employer", "placement")

    def get_urls(self) -> list[URLPattern]:
        """Pages for generating, previewing, downloading and sending."""
        view = self.admin_site.admin_view
        return [
            path("generate/", view(self.generate_view), name="outreach_infopack_generate"),
            path("<int:pk>/preview/", view(self.preview_view), name="outreach_infopack_preview"),
            path("<int:pk>/download/", view(self.download_view), name="outreach_infopack_download"),
            path("<int:pk>/send/", view(self.send_view), name="outreach_infopack_send"),
            *super().get_urls(),
        ]

    @admin.display(description=_("actions"))
    def links(self, pack: InfoPack) -> str:
        """Preview, download and send links for one row."""
        preview = reverse("admin:outreach_infopack_preview", args=[pack.pk])
        if pack.status != InfoPackStatus.READY:
            return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', preview, _("preview"))
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            preview,
            _("preview"),
            reverse("admin:outreach_infopack_download", args=[pack.pk]),
            _("PDF"),
            reverse("admin:outreach_infopack_send", args=[pack.pk]),
            _("send"),
        )

    def _pack(self, request: HttpRequest, pk: int) -> InfoPack:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _form_page(self, request: HttpRequest, form: forms.Form, title: str, **extra: Any) -> TemplateResponse:
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "title": title}
        return TemplateResponse(request, FORM_TEMPLATE, {**context, **extra})

    def generate_view(self, request: HttpRequest) -> HttpResponse:
        """Generate the next version of a general or placement pack, or preview it first."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = GenerateForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if "_preview" in request.POST:
                    return self._preview(request, data)
                packs = pack_services.generate_info_pack(
                    actor=request.user,
                    employer=data["employer"],
                    placement=data["placement"],
                    languages=data["languages"] or None,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(request, _("Version %(version)s is being built.") % {"version": packs[0].version})
                return HttpResponseRedirect(reverse("admin:outreach_infopack_changelist"))
        return self._form_page(request, form, str(_("Generate an info pack")), show_preview=True)

    def _preview(self, request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
        employer, placement = data["employer"], data["placement"]
        language = (data["languages"] or pack_services.default_languages(employer=employer, placement=placement))[0]
        html = pack_services.preview_info_pack(
            actor=request.user,
            employer=employer,
            placement=placement,
            language=language,
            asset_base=settings.STATIC_URL,
        )
        return html_preview_response(html)

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """This pack's scope and language as HTML, with today's data."""
        pack = self._pack(request, pk)
        return self._preview(
            request, {"employer": pack.employer, "placement": pack.placement, "languages": [pack.language]}
        )

    def download_view(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        """The built PDF."""
        pack = self._pack(request, pk)
        if pack.status != InfoPackStatus.READY:
            self.message_user(request, _("This pack is not built yet."), messages.WARNING)
            return HttpResponseRedirect(reverse("admin:outreach_infopack_changelist"))
        reason = pack_services.withheld_reason(pack)
        if reason:
            self.message_user(request, reason, messages.WARNING)
            return HttpResponseRedirect(reverse("admin:outreach_infopack_changelist"))
        return pdf_response(pack)

    def send_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Choose the contacts and mail them this version, each in her language."""
        pack = self._pack(request, pk)
        form = SendForm(request.POST or None, pack=pack)
        if request.method == "POST" and form.is_valid():
            try:
                deliveries = pack_services.send_info_pack(
                    pack=pack, contacts=form.cleaned_data["contacts"], actor=request.user
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                message = ngettext(
                    "The pack is being mailed to %(count)d contact.",
                    "The pack is being mailed to %(count)d contacts.",
                    len(deliveries),
                )
                self.message_user(request, message % {"count": len(deliveries)})
                return HttpResponseRedirect(reverse("admin:outreach_infopack_changelist"))
        return self._form_page(request, form, str(_("Send %(pack)s") % {"pack": pack}), pack=pack)

    @admin.action(description=_("Generate a new version of the selected packs"), permissions=["change"])
    def generate_new_version(self, request: HttpRequest, queryset: QuerySet[InfoPack]) -> None:
        """One new version per selected scope, in the languages of that scope's latest version."""
        scopes: dict[tuple[int, int | None], set[str]] = {}
        for pack in queryset:
            scopes.setdefault((pack.employer_id, pack.placement_id), set()).add(pack.language)
        made = 0
        for (employer_id, placement_id), languages in scopes.items():
            try:
                pack_services.generate_info_pack(
                    actor=request.user,
                    employer=Employer.objects.get(pk=employer_id),
                    placement=Placement.objects.get(pk=placement_id) if placement_id else None,
                    languages=sorted(languages),
                )
                made += 1
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
        message = ngettext("%(count)d new version is being built.", "%(count)d new versions are being built.", made)
        self.message_user(request, message % {"count": made})

    @admin.action(description=_("Build failed packs again"), permissions=["change"])
    def build_again(self, request: HttpRequest, queryset: QuerySet[InfoPack]) -> None:
        """Queue the failed ones among the selected packs."""
        count = 0
        for pack in queryset.filter(status=InfoPackStatus.FAILED):
            pack_services.retry_info_pack(pack=pack, actor=request.user)
            count += 1
        message = ngettext("%(count)d pack queued again.", "%(count)d packs queued again.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS if count else messages.WARNING)


@admin.register(InfoPackDelivery)
class InfoPackDeliveryAdmin(admin.ModelAdmin):
    """Packs mailed to contacts: a record of what went out; nobody edits it."""

    list_display = ("pack", "contact", "recipient_email", "status", "attempts", "sent_at", "created_at")
    list_filter = ("status",)
    list_select_related = ("pack__employer", "contact")
    search_fields = ("recipient_email", "pack__employer__name")
    readonly_fields = (
        "pack",
        "contact",
        "recipient_email",
        "language",
        "status",
        "attempts",
        "last_error",
        "closed_reason",
        "next_attempt_at",
        "requested_by",
        "interaction",
        "created_at",
        "sent_at",
    )
    fields = readonly_fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_staff and can_work_with_packs(request.user))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[InfoPackDelivery]:
        visible = InfoPack.objects.visible_to(request.user)
        return InfoPackDelivery.objects.filter(pack__in=visible).select_related("pack__employer", "contact")
