"""What the mentor's posts cost and keep: a fixed number of queries however many concerns came before, the whole
concern or nothing of it when its form was stored meanwhile, and the link found among others with its prefix."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.models import Interaction
from outreach.mentors import services
from outreach.mentors.models import MentorConcern, MentorLink, MentorMail
from placements.models import AftercareStep, Placement

pytestmark = pytest.mark.django_db

# Measured: 31 statements in a test's transaction (savepoints included) on SQLite and PostgreSQL, a few to spare.
CONCERN_POST_QUERIES = 34


def _concern(page: str, client: Any, key: str) -> Any:
    form = {"action": "concern", "key": key, "what_happened": "She did not come in today.", "urgency": "today"}
    response = client.post(page, form)
    assert response.status_code == 302
    return response


def test_a_concern_post_runs_a_fixed_number_of_queries_however_many_came_before(
    placement: Placement, page: str, client: Any, django_assert_max_num_queries: Any
) -> None:
    # The first contact with the employer moves it from prospect to contacted, once; the posts after it are alike.
    _concern(page, client, "first-" + "k" * 26)
    with CaptureQueriesContext(connection) as second:
        _concern(page, client, "second-" + "k" * 25)
    count = len(second.captured_queries)
    for n in range(10):
        _concern(page, client, f"more-{n}-" + "k" * 24)
    with django_assert_max_num_queries(count):
        _concern(page, client, "last-" + "k" * 27)
    assert count <= CONCERN_POST_QUERIES
    assert MentorConcern.objects.count() == 13 and MentorMail.objects.count() == 26


def test_a_concern_whose_form_was_stored_meanwhile_leaves_no_step_timeline_line_or_mail(
    placement: Placement, link: MentorLink, monkeypatch: pytest.MonkeyPatch
) -> None:
    form: dict[str, Any] = {
        "what_happened": "Late again.",
        "urgency": "today",
        "call_back": False,
        "phone": "",
        "key": "k" * 32,
    }
    first = services.raise_concern(link=link, **form)
    before = (Interaction.objects.count(), AftercareStep.objects.count(), MentorMail.objects.count())
    real = services._existing
    looks: list[object] = []

    def racing(*args: Any) -> Any:
        # The other tab's insert commits just after this post looked: the look finds nothing, the insert collides.
        looks.append(args)
        return real(*args) if len(looks) > 1 else None

    monkeypatch.setattr(services, "_existing", racing)
    second = services.raise_concern(link=link, **form)
    assert second.pk == first.pk and len(looks) == 2
    assert (Interaction.objects.count(), AftercareStep.objects.count(), MentorMail.objects.count()) == before
    assert MentorConcern.objects.get().step is not None and MentorConcern.objects.get().interaction is not None


def test_the_mails_of_a_concern_are_both_stored_and_published_together(
    placement: Placement, page: str, client: Any, alice: Any, carl: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _concern(page, client, "k" * 32)
    mails = list(MentorMail.objects.order_by("pk"))
    assert [(mail.recipient, mail.recipient_email) for mail in mails] == [(alice, alice.email), (carl, carl.email)]
    assert all(mail.next_attempt_at is not None and mail.queued_at is not None for mail in mails)
    published = [callback.args for callback in callbacks if hasattr(callback, "args")]
    assert published == [("mentor", [mail.pk for mail in mails])]


def test_a_link_is_found_among_other_links_with_the_same_prefix(make_placement: Any, link: MentorLink) -> None:
    other = services.issue_link(placement=make_placement(), actor=None)
    MentorLink.objects.filter(pk=other.pk).update(token_prefix=link.token_prefix)
    other.refresh_from_db()
    assert services.link_text(other)[:8] == services.link_text(link)[:8]
    found = [services.find_link(services.link_text(row), now=timezone.now()) for row in (link, other)]
    assert [row.pk if row is not None else None for row in found] == [link.pk, other.pk]
