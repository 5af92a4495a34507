"""Workflows on clients, placements and their aftercare steps (DESIGN "The follow-up engine").

Every function is keyword-only, atomic, takes the `actor` for the audit trail and the current time
(`now=` or `today=`) where time matters, so operators and tests can run "as of" a date. One module
per part of the work; callers import from here.
"""

from placements.services.agreements import revise_agreement
from placements.services.clients import (
    close_client,
    reassign_coach,
    record_consent,
    withdraw_consent,
)
from placements.services.ladder import LADDER_AFTERCARE, LADDER_MEDIATED, LADDER_SUSTAINED, move_client_to_step
from placements.services.placements import (
    END_STEP_KINDS,
    activate_placement,
    FIXED_TERM_KINDS,
    ONE_DAY_KINDS,
    cancel_placement,
    default_plan,
    create_placement,
    end_placement,
    mark_sustained_placements,
    reschedule_placement,
    plan_for_kind,
    steps_of,
)
    update_placement,
from placements.services.plans import (
    PLAN_FIELDS,
    TEMPLATE_FIELDS,
    make_default_plan,
    plan_is_used,
    revise_plan,
    template_rows,
)
from placements.services.steps import add_step, complete_step, move_step, skip_step

__all__ = [
    "END_STEP_KINDS",
    "LADDER_AFTERCARE",
    "FIXED_TERM_KINDS",
    "LADDER_MEDIATED",
    "LADDER_SUSTAINED",
    "PLAN_FIELDS",
    "ONE_DAY_KINDS",
    "TEMPLATE_FIELDS",
    "activate_placement",
    "add_step",
    "cancel_placement",
    "close_client",
    "complete_step",
    "default_plan",
    "create_placement",
    "end_placement",
    "make_default_plan",
    "mark_sustained_placements",
    "move_client_to_step",
    "move_step",
    "plan_is_used",
    "plan_for_kind",
    "reassign_coach",
    "record_consent",
    "reschedule_placement",
    "revise_agreement",
    "revise_plan",
    "skip_step",
    "steps_of",
    "template_rows",
    "withdraw_consent",
]
    "update_placement",
