"""Workflows on clients, placements and their aftercare steps (DESIGN "The follow-up engine").

Every function is keyword-only, atomic, takes the `actor` for the audit trail and the current time
(`now=` or `today=`) where time matters, so operators and tests can run "as of" a date. One module
per part of the work; the workflows are re-exported here for callers outside this package.
"""

from placements.services.agreements import revise_agreement
from placements.services.clients import (
    close_client,
    reassign_coach,
    record_consent,
    take_in_client,
    update_client,
    withdraw_consent,
)
from placements.services.ladder import LADDER_AFTERCARE, LADDER_MEDIATED, LADDER_SUSTAINED, move_client_to_step
from placements.services.placements import (
    END_STEP_KINDS,
    FIXED_TERM_KINDS,
    ONE_DAY_KINDS,
    activate_placement,
    cancel_placement,
    create_placement,
    default_plan,
    end_placement,
    mark_sustained_placements,
    plan_for_kind,
    reschedule_placement,
    steps_of,
    update_placement,
)
from placements.services.plans import (
    PLAN_FIELDS,
    TEMPLATE_FIELDS,
    make_default_plan,
    plan_is_used,
    revise_plan,
    template_rows,
)
from placements.services.steps import add_step, complete_step, move_step, reassign_step, skip_step

__all__ = [
    "END_STEP_KINDS",
    "FIXED_TERM_KINDS",
    "LADDER_AFTERCARE",
    "LADDER_MEDIATED",
    "LADDER_SUSTAINED",
    "ONE_DAY_KINDS",
    "PLAN_FIELDS",
    "TEMPLATE_FIELDS",
    "activate_placement",
    "add_step",
    "cancel_placement",
    "close_client",
    "complete_step",
    "create_placement",
    "default_plan",
    "end_placement",
    "make_default_plan",
    "mark_sustained_placements",
    "move_client_to_step",
    "move_step",
    "plan_for_kind",
    "plan_is_used",
    "reassign_coach",
    "reassign_step",
    "record_consent",
    "reschedule_placement",
    "revise_agreement",
    "revise_plan",
    "skip_step",
    "steps_of",
    "take_in_client",
    "template_rows",
    "update_client",
    "update_placement",
    "withdraw_consent",
]
