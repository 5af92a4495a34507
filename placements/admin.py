"""Admin for clients, placements, aftercare plans and steps; state changes go through placements.services."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Model, OuterRef, QuerySet, Subquery
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from placements import services
from placements.choices import PlacementStatus
from placements.forms import PlacementActionForm, StepActionForm
from placements.models import (
    AftercarePlan,
    AftercareStep,
    AftercareStepTemplate,
    Client,
    CoachingAgreement,
    ConsentRecord,
    KindPlan,
    LadderPosition,
    Placement,
    Team,
)


def _run_each(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, rows: Iterable[Model], call: Callable[[Any], object]
) -> None:
    """Call a service per selected row; report how many succeeded and why the others were refused."""
    done = 0
    for row in rows:
        try:
            call(row)
        except ValidationError as exc:
            modeladmin.message_user(request, f"{row}: {' '.join(exc.messages)}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(
            request, ngettext("%(count)d row updated.", "%(count)d rows updated.", done) % {"count": done}
        )


# --- Clients ----------------------------------------------------------------------------------


class ConsentInline(admin.TabularInline):
    """Consents per purpose, with given and withdrawn dates."""

    model = ConsentRecord
    extra = 0
    fields = ["purpose", "given_on", "withdrawn_on", "note", "recorded_by"]
    readonly_fields = ["recorded_by"]


class LadderPositionInline(admin.TabularInline):
    """The client's ladder history; it moves with her placements and through the API, never edited here."""

    model = LadderPosition
    extra = 0
    fields = readonly_fields = ("step", "entered_on", "left_on", "note")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """History is written by the ladder service."""
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[LadderPosition]:
        """Steps joined so each row costs no query."""
        return super().get_queryset(request).select_related("step")


class AgreementInline(admin.TabularInline):
    """The versions of the client's coaching agreement (Flora III.4), read-only: coaches write them in the workspace."""

    model = CoachingAgreement
    extra = 0
    can_delete = False
    show_change_link = False
    fields = readonly_fields = ("version", "agreed_on", "change_note", "created_by", "created_at", "superseded_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Versions are written in the workspace."""
        return False


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    """Clients by pseudonymous reference; coaches see only their own caseload."""

    list_display = ["reference", "coach", "case_manager", "status", "ladder_position", "updated_at"]
    list_filter = ["status", "coach", "case_manager"]
    list_select_related = ["coach", "case_manager"]
    search_fields = ["reference"]
    inlines = [ConsentInline, LadderPositionInline, AgreementInline]
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Client]:
        """Only the clients the user may see, with the current ladder step in the same query."""
        current = LadderPosition.objects.filter(client=OuterRef("pk"), left_on__isnull=True).values("step__position")
        return Client.objects.visible_to(request.user).annotate(current_step=Subquery(current[:1]))

    @admin.display(description=_("ladder step"), ordering="current_step")
    def ladder_position(self, obj: Client) -> int | None:
        """The position of the client's current ladder step."""
        return getattr(obj, "current_step", None)

    def save_model(self, request: HttpRequest, obj: Client, form: ModelForm[Client], change: bool) -> None:
        """A new coach takes over the client's open placements and steps through the service."""
        new_coach = obj.coach
        if change and "coach" in form.changed_data:
            obj.coach_id = Client.objects.values_list("coach_id", flat=True).get(pk=obj.pk)
        super().save_model(request, obj, form, change)
        if obj.coach_id != new_coach.pk:
            services.reassign_coach(client=obj, new_coach=new_coach, actor=request.user)

    def save_formset(
        self, request: HttpRequest, form: Any, formset: BaseInlineFormSet[Any, Any, Any], change: bool
    ) -> None:
        """Record who entered a consent."""
        for instance in formset.save(commit=False):
            if isinstance(instance, ConsentRecord) and instance.recorded_by_id is None:
                instance.recorded_by = request.user  # type: ignore[assignment]
            instance.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()


# --- Placements -------------------------------------------------------------------------------


class StepInline(admin.TabularInline):
    """The placement's schedule, read-only here: steps change through their own actions."""

    model = AftercareStep
    extra = 0
    fields = readonly_fields = (
        "due_on",
        "title",
        "track",
        "kind",
        "assignee",
        "status",
        "moved_by_hand",
        "completed_at",
    )
    can_delete = False
    show_change_link = True
    ordering = ["due_on", "pk"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Steps come from the plan or from the add-step workflow."""
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AftercareStep]:
        """Assignees joined so the schedule costs one query."""
        return super().get_queryset(request).select_related("assignee")


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    """Employment episodes; activate, complete and cancel through the actions so the schedule follows."""

    list_display = ["client", "job_title", "employer", "start_on", "planned_end_on", "status", "coach"]
    list_filter = ["status", "kind", "coach", ("start_on", admin.DateFieldListFilter)]
    list_select_related = ["client", "employer", "coach"]
    search_fields = ["client__reference", "job_title", "employer__name"]
    autocomplete_fields = ["client"]
    raw_id_fields = ["employer", "vacancy", "mentor"]
    readonly_fields = [
        "status",
        "activated_at",
        "actual_end_on",
        "ended_by",
        "end_reason",
        "end_recorded_by",
        "created_at",
        "updated_at",
    ]
    inlines = [StepInline]
    action_form = PlacementActionForm
    actions = ["activate", "mark_completed", "cancel"]
    date_hierarchy = "start_on"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Placement]:
        """Only the user's casework: the admin shows the whole row (its steps' notes, the reason in words), so a
        relationship manager's restricted view of placements at her employers stays in the workspace."""
        return Placement.objects.in_casework_of(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Placement | None = None) -> list[str]:
        """Dates and plan of a running placement change through rescheduling, not by editing the row."""
        fields = list(self.readonly_fields)
        if obj is not None and obj.status != PlacementStatus.PLANNED:
            fields += ["start_on", "planned_end_on", "plan", "client"]
        return fields

    @admin.action(description=_("Activate: start the aftercare schedule"), permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[Placement]) -> None:
        """activate_placement for each selected placement."""
        _run_each(self, request, queryset, lambda p: services.activate_placement(placement=p, actor=request.user))

    @admin.action(description=_("Mark completed (on the planned end, or today)"), permissions=["change"])
    def mark_completed(self, request: HttpRequest, queryset: QuerySet[Placement]) -> None:
        """end_placement as completed, on the planned end when that has passed, otherwise today."""
        today = timezone.localdate()

        def complete(placement: Placement) -> None:
            end_on = min(placement.planned_end_on or today, today)
            reason = request.POST.get("reason", "")
            services.end_placement(
                placement=placement, actor=request.user, ended_by="", reason=reason, end_on=end_on, completed=True
            )

        _run_each(self, request, queryset, complete)

    @admin.action(description=_("Cancel (not started yet; give the reason)"), permissions=["change"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Placement]) -> None:
        """cancel_placement with the reason typed in the action bar."""
        reason = request.POST.get("reason", "")
        _run_each(
            self, request, queryset, lambda p: services.cancel_placement(placement=p, actor=request.user, reason=reason)
        )


# --- Plans ------------------------------------------------------------------------------------


class TemplateInline(admin.TabularInline):
    """The plan's steps."""

    model = AftercareStepTemplate
    extra = 1
    fields = ["order", "title", "title_nl", "title_sv", "track", "kind", "anchor", "offset_days", "assignee_role"]


def _template_rows(formsets: Iterable[BaseInlineFormSet[Any, Any, Any]]) -> list[dict[str, Any]]:
    """The templates the admin submitted, as values, leaving out deleted and untouched empty rows."""
    rows = []
    for formset in formsets:
        if formset.model is not AftercareStepTemplate:
            continue
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            rows.append({field: data[field] for field in services.TEMPLATE_FIELDS if field in data})
    return rows


@admin.register(AftercarePlan)
class AftercarePlanAdmin(admin.ModelAdmin):
    """Aftercare plans; saving a plan a placement already follows makes a new version (revise_plan)."""

    list_display = ["name", "version", "is_default", "is_active", "counts_working_days", "previous", "created_at"]
    list_filter = ["is_active", "is_default", "counts_working_days"]
    list_select_related = ["previous"]
    search_fields = ["name"]
    fields = ["name", "description", "counts_working_days", "is_default", "is_active", "version", "previous"]
    readonly_fields = ["version", "previous"]
    inlines = [TemplateInline]

    def save_model(
        self, request: HttpRequest, obj: AftercarePlan, form: ModelForm[AftercarePlan], change: bool
    ) -> None:
        """A used plan is not saved in place; save_related makes the new version from the form."""
        if change and services.plan_is_used(obj):
            request._revise_plan = True  # type: ignore[attr-defined]
            return
        if obj.is_default:
            AftercarePlan.objects.filter(is_default=True).exclude(pk=obj.pk).update(is_default=False)
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: Any, formsets: list[BaseInlineFormSet[Any, Any, Any]], change: bool
    ) -> None:
        """Save the templates in place, or revise the used plan into a new version with them."""
        if not getattr(request, "_revise_plan", False):
            super().save_related(request, form, formsets, change)
            return
        new = services.revise_plan(
            plan=form.instance, actor=request.user, changes=form.cleaned_data, templates=_template_rows(formsets)
        )
        if form.cleaned_data.get("is_default") and not new.is_default:
            services.make_default_plan(plan=new, actor=request.user)
        for formset in formsets:  # the change message reads what the formsets saved: nothing, on the old plan
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        request._revised_plan = new  # type: ignore[attr-defined]

    def response_change(self, request: HttpRequest, obj: AftercarePlan) -> HttpResponse:
        """Point the user at the new version when one was made."""
        new = getattr(request, "_revised_plan", None)
        if new is not None and new.pk != obj.pk:
            message = _("Placements already follow %(old)s, so the changes were saved as %(new)s.")
            self.message_user(request, message % {"old": obj, "new": new}, messages.WARNING)
            obj = new
        return super().response_change(request, obj)


@admin.register(KindPlan)
class KindPlanAdmin(admin.ModelAdmin):
    """Which plan each kind of placement is proposed: configuration, so administrators change it here."""

    list_display = ["kind", "plan"]
    list_select_related = ["plan"]
    fields = ["kind", "plan"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Only active plans: a retired version is kept for the placements that follow it, not offered anew."""
        if db_field.name == "plan":
            kwargs["queryset"] = AftercarePlan.objects.filter(is_active=True).order_by("name", "-version")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """Which case managers supervise which coaches (Flora IV.4): configuration, so it lives here."""

    list_display = ["name", "lead_names", "coach_count"]
    search_fields = ["name"]
    filter_horizontal = ["leads", "coaches"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        """Leads and coach counts in a constant number of queries."""
        return super().get_queryset(request).prefetch_related("leads").annotate(coach_total=Count("coaches"))

    @admin.display(description=_("case managers"))
    def lead_names(self, obj: Team) -> str:
        """The team's case managers."""
        return ", ".join(lead.get_full_name() or lead.get_username() for lead in obj.leads.all())

    @admin.display(description=_("coaches"), ordering="coach_total")
    def coach_count(self, obj: Team) -> int:
        """How many coaches the team has."""
        return int(getattr(obj, "coach_total", 0))


# --- Steps ------------------------------------------------------------------------------------


@admin.register(AftercareStep)
class AftercareStepAdmin(admin.ModelAdmin):
    """Every follow-up, filterable; complete and skip through the actions so the rules hold."""

    list_display = ["title", "placement", "due_on", "status", "kind", "track", "assignee", "moved_by_hand"]
    list_filter = ["status", "kind", "track", "assignee", ("due_on", admin.DateFieldListFilter)]
    list_select_related = ["placement__client", "placement__employer", "assignee"]
    search_fields = ["title", "placement__client__reference", "placement__employer__name"]
    date_hierarchy = "due_on"
    fields = STEP_FIELDS = (
        "placement",
        "template",
        "title",
        "track",
        "kind",
        "due_on",
        "planned_due_on",
        "moved_by_hand",
        "assignee",
        "status",
        "reason",
        "outcome",
        "notes",
        "minutes_spent",
        "completed_at",
        "completed_by",
    )
    # Dates and status move through the services (move, complete, skip); only notes are free text here.
    readonly_fields = tuple(field for field in STEP_FIELDS if field != "notes")
    action_form = StepActionForm
    actions = ["complete", "skip"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AftercareStep]:
        """Only the steps of placements the user may see."""
        return AftercareStep.objects.visible_to(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Steps come from the plan or the add-step workflow of the API."""
        return False

    @admin.action(description=_("Complete (type the outcome)"), permissions=["change"])
    def complete(self, request: HttpRequest, queryset: QuerySet[AftercareStep]) -> None:
        """complete_step with the outcome and minutes typed in the action bar."""
        outcome = request.POST.get("text", "")
        raw_minutes = request.POST.get("minutes", "").strip()
        minutes = int(raw_minutes) if raw_minutes.isdigit() else None
        _run_each(
            self,
            request,
            queryset,
            lambda s: services.complete_step(step=s, actor=request.user, outcome=outcome, minutes_spent=minutes),
        )

    @admin.action(description=_("Skip (type the reason)"), permissions=["change"])
    def skip(self, request: HttpRequest, queryset: QuerySet[AftercareStep]) -> None:
        """skip_step with the reason typed in the action bar."""
        reason = request.POST.get("text", "")
        _run_each(self, request, queryset, lambda s: services.skip_step(step=s, actor=request.user, reason=reason))
