"""Plans are versioned once used, so existing placements keep their schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from placements import services
from placements.models import AftercarePlan, AftercareStep, AftercareStepTemplate, KindPlan
from tests.placements.factories import PlacementFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2027, 1, 1, 9, 0, tzinfo=dt.UTC)


def _rows(plan: AftercarePlan) -> list[dict]:
    return services.template_rows(plan)


def test_an_unused_plan_is_edited_in_place():
    plan = AftercarePlan.objects.create(name="Short plan")
    AftercareStepTemplate.objects.create(plan=plan, order=1, title="Call", offset_days=7)

    revised = services.revise_plan(
        plan=plan,
        actor=None,
        changes={"description": "Two calls"},
        templates=[{"order": 1, "title": "Call", "offset_days": 7}, {"order": 2, "title": "Call 2", "offset_days": 14}],
    )

    assert revised.pk == plan.pk
    assert revised.version == 1
    assert list(revised.templates.values_list("title", flat=True)) == ["Call", "Call 2"]


def test_a_used_plan_becomes_a_new_version_and_the_placement_keeps_its_schedule():
    default = AftercarePlan.objects.get(is_default=True)
    placement = PlacementFactory()
    services.activate_placement(placement=placement, actor=None, now=NOW)
    waiting = PlacementFactory()
    rows = _rows(default)
    rows[1]["offset_days"] = 10

    new = services.revise_plan(plan=default, actor=None, changes={"description": "Call after 10 days"}, templates=rows)

    assert (new.version, new.previous, new.is_default, new.is_active) == (2, default, True, True)
    default.refresh_from_db()
    assert (default.is_default, default.is_active) == (False, False)
    assert default.templates.get(order=20).offset_days == 7
    assert new.templates.get(order=20).offset_days == 10
    assert AftercareStep.objects.filter(placement=placement, template__plan=default).count() == 15
    waiting.refresh_from_db()
    assert waiting.plan == new
    placement.refresh_from_db()
    assert placement.plan == default


def test_a_revision_with_a_bad_template_changes_nothing():
    default = AftercarePlan.objects.get(is_default=True)
    services.activate_placement(placement=PlacementFactory(), actor=None, now=NOW)
    rows = _rows(default)
    rows[0]["offset_days"] = 100_000
    plans = AftercarePlan.objects.count()

    with pytest.raises(ValidationError):
        services.revise_plan(plan=default, actor=None, templates=rows)

    assert AftercarePlan.objects.count() == plans
    default.refresh_from_db()
    assert default.is_default


# --- The plan per kind of placement -------------------------------------------------------------


def test_a_trial_day_is_proposed_the_trial_day_plan_and_a_paid_job_the_default():
    assert services.plan_for_kind("trial_day").name == "Trial day"
    assert services.plan_for_kind("shadowing").name == "Trial day"
    assert services.plan_for_kind("work_experience").name == "Short work-experience place"
    assert services.plan_for_kind("paid_job") == AftercarePlan.objects.get(is_default=True)


def test_a_kind_follows_the_plan_an_administrator_gives_it():
    own = AftercarePlan.objects.create(name="Internship plan")
    KindPlan.objects.create(kind="internship", plan=own)
    KindPlan.objects.filter(kind="trial_day").update(plan=own)

    assert services.plan_for_kind("internship") == own
    assert services.plan_for_kind("trial_day") == own


def test_a_kind_pointing_at_a_retired_plan_gets_its_newest_active_version():
    old = AftercarePlan.objects.get(name="Trial day")
    middle = AftercarePlan.objects.create(name="Trial day", version=2, previous=old, is_active=False)
    newest = AftercarePlan.objects.create(name="Trial day", version=3, previous=middle)
    AftercarePlan.objects.filter(pk=old.pk).update(is_active=False)

    assert services.plan_for_kind("trial_day") == newest


def test_a_kind_pointing_at_a_retired_plan_without_a_successor_gets_the_default():
    AftercarePlan.objects.filter(name="Trial day").update(is_active=False)

    assert services.plan_for_kind("trial_day") == AftercarePlan.objects.get(is_default=True)


def test_revising_a_used_plan_moves_the_kinds_that_were_proposed_it_to_the_new_version():
    trial = AftercarePlan.objects.get(name="Trial day")
    services.activate_placement(placement=PlacementFactory(kind="trial_day", plan=trial), actor=None, now=NOW)
    rows = _rows(trial)
    rows[0]["offset_days"] = 2

    new = services.revise_plan(plan=trial, actor=None, templates=rows)

    assert new.version == 2
    assert set(KindPlan.objects.filter(kind__in=["trial_day", "shadowing"]).values_list("plan", flat=True)) == {new.pk}
    assert services.plan_for_kind("trial_day") == new
