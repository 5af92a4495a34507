"""Admin for the employer network: the relationship manager's first working screens.

Pipeline moves go through the services: an employer's stage is read-only and changes through the
form's "move to stage" field (change_employer_stage); a vacancy's status through "change status"
(open_vacancy / close_vacancy). A refusal from a service is shown as an error and changes nothing.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelChoiceField, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm

from common.spreadsheets import CSVFormat, ImportFileError, XLSXFormat, check_size, typed_cells
from crm import services
from crm.choices import Stage
from crm.forms import PROFILE_FIELDS, EmployerAdminForm, VacancyAdminForm
from crm.models import Contact, Employer, EmployerStageChange, Interaction, LadderStep, Vacancy, normalise_postcode
from crm.querysets import EmployerQuerySet, LadderStepQuerySet, interaction_editable_q
from crm.resources import ContactResource, EmployerResource, VacancyResource
from crm.roles import may_change_interaction


def _refused(request: HttpRequest, what: str, exc: ValidationError) -> None:
    """Tell the user a service refused, and why."""
    messages.error(request, f"{what}: {' '.join(exc.messages)}")


def _save_typed_interaction(request: HttpRequest, interaction: Interaction) -> None:
    """Save an interaction typed in the admin as log_interaction would: its author, the employer's last
    contact, and a prospect becomes contacted."""
    is_new = interaction._state.adding
    if is_new and interaction.author_id is None:
        interaction.author_id = request.user.pk
    services.change_interaction(interaction=interaction, actor=request.user, save=interaction.save)
    employer = interaction.employer
    if is_new and employer.stage == Stage.PROSPECT:
        services.change_employer_stage(
            employer=employer, stage=Stage.CONTACTED, actor=request.user, note=gettext("First contact logged.")
        )


class BoundedImportForm(ImportForm):
    """The admin's import form, refusing a file larger than IMPORT_MAX_BYTES before it is read."""

    def clean_import_file(self) -> Any:
        """The upload, when its size is within the limit."""
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size)
        except ImportFileError as exc:
            raise ValidationError(str(exc)) from exc
        return upload


class NetworkImportExportAdmin(ImportExportModelAdmin):
    """Import and export buttons; importing needs add and change permission, exporting needs view."""

    # Our formats sniff `;` files, decode with a clear error and escape formulae cell by cell; both read
    # through common.spreadsheets.read_table, as every import does, with its limits on hostile files.
    import_formats = [CSVFormat, XLSXFormat]
    export_formats = [CSVFormat, XLSXFormat]
    import_form_class = BoundedImportForm
    # The admin decodes a CSV upload before our format sees it; Latin-1 maps every byte to one character
    # and back, so the format gets the file's bytes again and finds their encoding as every import does.
    from_encoding = "latin-1"

    def write_to_tmp_storage(self, import_file: Any, input_format: Any) -> Any:
        """Store the upload (the library adds chunk to chunk, which copies a big file many times)."""
        tmp_storage = self.get_tmp_storage_class()(
            encoding=None if input_format.is_binary() else self.from_encoding,
            read_mode=input_format.get_read_mode(),
            **self.get_tmp_storage_class_kwargs(),
        )
        tmp_storage.save(b"".join(import_file.chunks()))
        return tmp_storage

    def add_data_read_fail_error_to_form(self, form: Any, e: Exception) -> None:
        """Show why read_table refused a file in its own words; other errors as the library does."""
        if isinstance(e, ImportFileError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def has_import_permission(self, request: HttpRequest) -> bool:
        """Imports create and update rows."""
        return bool(self.has_add_permission(request) and self.has_change_permission(request))

    def has_export_permission(self, request: HttpRequest) -> bool:
        """Whoever may see the rows may export them."""
        return bool(self.has_view_permission(request))

    def get_export_data(self, file_format: Any, request: HttpRequest, queryset: Any, **kwargs: Any) -> Any:
        """Export as `manage.py export` does: typed cells in XLSX (the library asks only for its own XLSX class)."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        native = typed_cells(file_format.get_extension())
        data = self.get_data_for_export(request, queryset, **{**kwargs, "force_native_type": native})
        export_data = file_format.export_data(data)
        encoding = kwargs.get("encoding")
        if not file_format.is_binary() and encoding:
            export_data = export_data.encode(encoding)
        return export_data


# --- Ladder -----------------------------------------------------------------------------------------


@admin.register(LadderStep)
class LadderStepAdmin(admin.ModelAdmin):
    """The progression ladder (igma ch. 5), names editable in the list in all three languages."""

    list_display = [
        "position",
        "name",
        "name_nl",
        "name_sv",
        "is_active",
        "offers_places",
        "open_places",
        "offering_employers",
    ]
    list_display_links = ["position"]
    list_editable = ["name", "name_nl", "name_sv", "is_active", "offers_places"]
    list_filter = ["is_active", "offers_places"]
    search_fields = ["name", "name_nl", "name_sv"]
    ordering = ["position"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[LadderStep]:
        """With what the network supplies at each step (the coverage page's rule)."""
        return cast(LadderStepQuerySet, super().get_queryset(request)).with_supply()

    @admin.display(description=_("open places"), ordering="open_places")
    def open_places(self, step: LadderStep) -> int:
        """Annotated by with_supply."""
        return int(getattr(step, "open_places", 0))

    @admin.display(description=_("employers offering places"), ordering="offering_employers")
    def offering_employers(self, step: LadderStep) -> int:
        """Annotated by with_supply."""
        return int(getattr(step, "offering_employers", 0))


# --- Employers --------------------------------------------------------------------------------------


class ContactInline(admin.TabularInline):
    """The employer's people, edited in place."""

    model = Contact
    fields = ["first_name", "last_name", "role", "job_title", "email", "phone", "preferred_language", "is_active"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contact]:
        """Joined with the employer, which each row's title names."""
        return super().get_queryset(request).select_related("employer")


class InteractionInline(admin.TabularInline):
    """Interactions, newest first; new ones are added here, existing ones are edited on their own page."""

    model = Interaction
    fields = [
        "occurred_at",
        "kind",
        "contact",
        "minutes",
        "initiated_by",
        "summary",
        "outcome",
        "next_step",
        "next_step_due",
        "next_step_done_at",
        "author",
    ]
    readonly_fields = ["author"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_change_permission(self, request: HttpRequest, obj: Employer | None = None) -> bool:
        """Existing rows are shown read-only."""
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Interaction]:
        """Joined with what each row shows."""
        return super().get_queryset(request).select_related("employer", "contact", "author")

    def get_formset(
        self, request: HttpRequest, obj: Employer | None = None, **kwargs: Any
    ) -> type[BaseInlineFormSet[Interaction, Employer, ModelForm[Interaction]]]:
        """Offer only this employer's contacts."""
        formset = super().get_formset(request, obj, **kwargs)
        contact = formset.form.base_fields.get("contact")
        if isinstance(contact, ModelChoiceField):
            contact.queryset = Contact.objects.filter(employer=obj) if obj is not None else Contact.objects.none()
        return formset


class VacancyInline(admin.TabularInline):
    """The employer's offers; details and status changes on the vacancy's own page."""

    model = Vacancy
    fields = ["title", "reference", "kind", "places", "starts_on", "status"]
    readonly_fields = ["status"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_change_permission(self, request: HttpRequest, obj: Employer | None = None) -> bool:
        """Existing rows are shown read-only."""
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Vacancy]:
        """Joined with the employer, which each row's title names."""
        return super().get_queryset(request).select_related("employer")


class StageChangeInline(admin.TabularInline):
    """The stage history, read-only."""

    model = EmployerStageChange
    fields = readonly_fields = ("changed_at", "from_stage", "to_stage", "changed_by", "note")
    extra = 0
    can_delete = False
    verbose_name_plural = _("stage history")

    def has_add_permission(self, request: HttpRequest, obj: Employer | None = None) -> bool:
        """History is written by change_employer_stage only."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Employer | None = None) -> bool:
        """History is never edited."""
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[EmployerStageChange]:
        """Joined with what each row shows."""
        return super().get_queryset(request).select_related("employer", "changed_by")


@admin.register(Employer)
class EmployerAdmin(NetworkImportExportAdmin):
    """Employers: pipeline, profile (Flora III.5.C.b), vetting (Flora IV.3 werkgever A.b) and everything around them."""

    resource_classes = [EmployerResource]
    form = EmployerAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "stage", "owner", "city", "open_vacancies", "last_interaction", "do_not_engage"]
    list_select_related = ["owner"]
    list_filter = [
        "stage",
        "sector",
        "size_band",
        "ownership",
        "country",
        ("owner", admin.RelatedOnlyFieldListFilter),
        "do_not_engage",
        "source",
    ]
    search_fields = [
        "name",
        "registration_number",
        "postcode",
        "city",
        "contacts__first_name",
        "contacts__last_name",
        "contacts__email",
    ]
    readonly_fields = ["stage", "stage_changed_at", "vetting", "created_at", "updated_at"]
    inlines = [ContactInline, InteractionInline, VacancyInline, StageChangeInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Employer]:
        """Open vacancies counted in the same query; the last contact is a column of the row."""
        employers = cast(EmployerQuerySet, super().get_queryset(request))
        return employers.with_open_vacancy_count()

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Employer], search_term: str
    ) -> tuple[QuerySet[Employer], bool]:
        """Postcodes are stored without spaces, so "3511 ab" also finds 3511AB."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        postcode = normalise_postcode(search_term)
        if postcode and len(postcode) <= 12:
            results |= queryset.filter(postcode__startswith=postcode)
        return results, may_have_duplicates

    def get_fieldsets(self, request: HttpRequest, obj: Employer | None = None) -> Any:
        """Grouped as the method documents group them; the stage mover only for those who may edit."""
        can_edit = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        stage = ["stage", "stage_changed_at", *(["new_stage", "stage_note"] if can_edit else [])]
        vetting = [*Employer.VETTING_FIELDS, "vetting", "vetted_at", "do_not_engage", "do_not_engage_reason"]
        return [
            (None, {"fields": ["name", "registration_number", "sector", "size_band", "ownership", "source", "owner"]}),
            (_("Relationship stage"), {"fields": stage}),
            (_("Address"), {"fields": ["street", "postcode", "city", "country", "website", "phone", "email"]}),
            (
                _("Gender and job-quality profile (Flora III.5.C.b)"),
                {"fields": PROFILE_FIELDS, "classes": ["collapse"]},
            ),
            (_("Conditions for collaboration (Flora IV.3 werkgever A.b)"), {"fields": vetting}),
            (_("Notes"), {"fields": ["notes", "created_at", "updated_at"]}),
        ]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """A new employer belongs to whoever adds it, as with register_employer."""
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request: HttpRequest, obj: Employer, form: Any, change: bool) -> None:
        """Save, record the first stage of a new employer, then move the stage through the service if asked."""
        super().save_model(request, obj, form, change)
        if not change:
            # register_employer records this row too; the add form saves the employer itself.
            EmployerStageChange.objects.create(
                employer=obj,
                from_stage="",
                to_stage=obj.stage,
                changed_at=obj.stage_changed_at,
                changed_by_id=request.user.pk,
            )
        new_stage = form.cleaned_data.get("new_stage")
        if new_stage:
            try:
                services.change_employer_stage(
                    employer=obj, stage=new_stage, actor=request.user, note=form.cleaned_data.get("stage_note", "")
                )
            except ValidationError as exc:
                _refused(request, gettext("The stage did not change"), exc)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """New interactions typed on the employer page get their author and move a prospect on."""
        if formset.model is not Interaction:
            super().save_formset(request, form, formset, change)
            return
        for interaction in formset.save(commit=False):
            _save_typed_interaction(request, interaction)
        formset.save_m2m()

    @admin.display(description=_("open vacancies"), ordering="open_vacancy_count")
    def open_vacancies(self, employer: Employer) -> int:
        """Annotated in get_queryset."""
        return int(getattr(employer, "open_vacancy_count", 0))

    @admin.display(description=_("last interaction"), ordering="last_contact_at", empty_value="—")
    def last_interaction(self, employer: Employer) -> Any:
        """Kept on the row by refresh_last_contact."""
        return employer.last_contact_at

    @admin.display(description=_("conditions met"))
    def vetting(self, employer: Employer) -> str:
        """How many of the nine conditions for collaboration are confirmed."""
        return f"{employer.vetting_score} / {len(Employer.VETTING_FIELDS)}"


@admin.register(EmployerStageChange)
class EmployerStageChangeAdmin(admin.ModelAdmin):
    """The pipeline history of all employers, read-only."""

    list_display = ["changed_at", "employer", "from_stage", "to_stage", "changed_by", "note"]
    list_select_related = ["employer", "changed_by"]
    list_filter = ["to_stage", "from_stage"]
    search_fields = ["employer__name", "note"]
    date_hierarchy = "changed_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        """History is written by change_employer_stage only."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: EmployerStageChange | None = None) -> bool:
        """History is never edited."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: EmployerStageChange | None = None) -> bool:
        """History is never deleted by hand."""
        return False


# --- Contacts, interactions, vacancies ---------------------------------------------------------------


@admin.register(Contact)
class ContactAdmin(NetworkImportExportAdmin):
    """People at employers."""

    resource_classes = [ContactResource]
    list_display = ["full_name", "employer", "role", "email", "phone", "preferred_language", "is_active"]
    list_select_related = ["employer"]
    list_filter = ["role", "preferred_language", "is_active"]
    search_fields = ["first_name", "last_name", "email", "phone", "employer__name"]
    autocomplete_fields = ["employer"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    """Every contact with an employer and its next step."""

    list_display = [
        "occurred_at",
        "employer",
        "kind",
        "contact",
        "outcome",
        "next_step",
        "next_step_due",
        "next_step_done",
        "author",
    ]
    list_select_related = ["employer", "contact", "author"]
    list_filter = ["kind", "outcome", "initiated_by", "next_step_due"]
    search_fields = ["summary", "next_step", "employer__name"]
    date_hierarchy = "occurred_at"
    autocomplete_fields = ["employer", "contact"]
    readonly_fields = ["author", "created_at"]
    actions = ["complete_next_steps"]

    def has_change_permission(self, request: HttpRequest, obj: Interaction | None = None) -> bool:
        """Model permission, and for one row its author or an administrator (others read it only)."""
        allowed = super().has_change_permission(request, obj)
        return bool(allowed and (obj is None or may_change_interaction(request.user, obj)))

    def has_delete_permission(self, request: HttpRequest, obj: Interaction | None = None) -> bool:
        """Model permission, and for one row its author or an administrator."""
        allowed = super().has_delete_permission(request, obj)
        return bool(allowed and (obj is None or may_change_interaction(request.user, obj)))

    def save_model(self, request: HttpRequest, obj: Interaction, form: Any, change: bool) -> None:
        """A new interaction gets its author and moves a prospect on; its employer's last contact follows."""
        _save_typed_interaction(request, obj)

    def delete_model(self, request: HttpRequest, obj: Interaction) -> None:
        """Delete through the service, so the employer's last contact falls back to the latest one left."""
        services.delete_interactions(interactions=Interaction.objects.filter(pk=obj.pk), actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Interaction]) -> None:
        """The bulk "delete selected" action, through the same service."""
        services.delete_interactions(interactions=queryset, actor=request.user)

    @admin.display(description=_("done"), boolean=True)
    def next_step_done(self, interaction: Interaction) -> bool | None:
        """Empty when there is no next step."""
        return interaction.next_step_done_at is not None if interaction.next_step else None

    @admin.action(description=_("Mark the next steps done"), permissions=["change"])
    def complete_next_steps(self, request: HttpRequest, queryset: QuerySet[Interaction]) -> None:
        """complete_next_step for each selected interaction that has an open one and the user may change."""
        mine = queryset.filter(interaction_editable_q(request.user))
        done = sum(services.complete_next_step(interaction=i, actor=request.user) for i in mine)
        self.message_user(
            request, ngettext("%(n)d next step marked done.", "%(n)d next steps marked done.", done) % {"n": done}
        )


@admin.register(Vacancy)
class VacancyAdmin(NetworkImportExportAdmin):
    """Offers on the ladder; the status moves through open_vacancy and close_vacancy."""

    resource_classes = [VacancyResource]
    form = VacancyAdminForm
    list_display = ["title", "employer", "kind", "status", "places", "steps", "starts_on", "opened_at"]
    list_select_related = ["employer"]
    list_filter = ["status", "kind", "schedule", "contract_type", "language_level", "ladder_steps"]
    search_fields = ["title", "reference", "employer__name"]
    autocomplete_fields = ["employer", "contact"]
    filter_horizontal = ["ladder_steps"]
    readonly_fields = ["status", "opened_at", "closed_at", "close_reason", "created_at", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Vacancy]:
        """With the ladder steps in one more query."""
        return super().get_queryset(request).prefetch_related("ladder_steps")

    def get_fieldsets(self, request: HttpRequest, obj: Vacancy | None = None) -> Any:
        """The offer, its conditions, and its status with the status mover for those who may edit."""
        can_edit = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        mover = ["status_change", "status_reason"] if can_edit else []
        return [
            (None, {"fields": ["employer", "contact", "reference", "title", "kind", "ladder_steps", "description"]}),
            (
                _("Conditions"),
                {"fields": ["hours_per_week", "schedule", "contract_type", "places", "starts_on", "ends_on"]},
            ),
            (_("Language"), {"fields": ["language_level"]}),
            (_("Status"), {"fields": ["status", *mover, "opened_at", "closed_at", "close_reason"]}),
        ]

    def save_model(self, request: HttpRequest, obj: Vacancy, form: Any, change: bool) -> None:
        """Save, then open or close through the service if asked."""
        super().save_model(request, obj, form, change)
        move = form.cleaned_data.get("status_change")
        if not move:
            return
        try:
            if move == "open":
                services.open_vacancy(vacancy=obj, actor=request.user)
            else:
                reason = form.cleaned_data.get("status_reason", "")
                services.close_vacancy(vacancy=obj, actor=request.user, filled=move == "filled", reason=reason)
        except ValidationError as exc:
            _refused(request, gettext("The status did not change"), exc)

    @admin.display(description=_("ladder steps"))
    def steps(self, vacancy: Vacancy) -> str:
        """Positions of the steps it serves, from the prefetch."""
        return ", ".join(str(step.position) for step in vacancy.ladder_steps.all())
