"""Two sweeps at once on PostgreSQL: a step another sweep holds is skipped, not waited for, and claimed next time."""

from __future__ import annotations

import pytest
from django.db import connection

from outreach.followups.models import FollowUpNotice, NoticeKind
from outreach.followups.services import sweep_followups
from placements.choices import StepStatus
from placements.models import AftercareStep
from tests.outreach.helpers import START, at, step

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _other_connection():
    """A second session on the test database, as a second beat or worker would have."""
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
    )


def test_a_step_locked_by_another_sweep_is_skipped_and_claimed_by_the_next(make_placement):
    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("SQLite has no row locks: its IMMEDIATE transactions make two sweeps take turns")
    held = step(make_placement(), offset=0)
    free = step(make_placement(), offset=0)
    AftercareStep.objects.filter(pk=held.pk).update(status=StepStatus.DUE)  # the other sweep got this far

    with _other_connection() as other:
        other.execute("SELECT id FROM placements_aftercarestep WHERE id = %s FOR UPDATE", [held.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")  # a sweep that waited instead of skipping fails here
        sweep_followups(now=at(START))
        claimed = set(FollowUpNotice.objects.filter(kind=NoticeKind.REMINDER_DUE).values_list("step", flat=True))
        assert claimed == {free.pk}
        other.rollback()

    sweep_followups(now=at(START, minute=5))

    assert FollowUpNotice.objects.filter(kind=NoticeKind.REMINDER_DUE).count() == 2
    assert FollowUpNotice.objects.filter(step=held, kind=NoticeKind.REMINDER_DUE).exists()
