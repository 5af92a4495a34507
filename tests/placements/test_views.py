"""The coach's workspace: follow-ups with inline forms, her clients, the placement page and the calendar feed."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from placements.calendar import hash_token
from placements.choices import PlacementStatus, StepKind, StepStatus, Track
from placements.models import AftercareStep, CalendarFeedToken, CoachingAgreement, Placement
from placements.services import activate_placement
from tests.crm.factories import ContactFactory
from tests.placements.factories import ClientFactory, PlacementFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 2)  # a Monday
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC), tick=False):
        yield


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def placement_of(coach, **kwargs):
    kwargs.setdefault("status", PlacementStatus.ACTIVE)
    return PlacementFactory(client=ClientFactory(coach=coach), start_on=dt.date(2026, 9, 1), **kwargs)


def step(placement, due, title="Belafspraak", **kwargs):
    kwargs.setdefault("assignee", placement.coach)
    return AftercareStep.objects.create(placement=placement, title=title, due_on=due, **kwargs)


# --- My follow-ups ----------------------------------------------------------------------------


def section_titles(response) -> dict[str, list[str]]:
    return {s["key"]: [row.step.title for row in s["rows"]] for s in response.context["sections"]}


def test_my_follow_ups_are_split_into_overdue_today_and_this_week(alice, bob):
    mine = placement_of(alice)
    step(mine, TODAY - dt.timedelta(days=3), "Te laat")
    step(mine, TODAY, "Vandaag")
    step(mine, TODAY + dt.timedelta(days=6), "Deze week")
    step(mine, TODAY + dt.timedelta(days=30), "Volgende maand")
    step(mine, TODAY, "Al gedaan", status=StepStatus.DONE, completed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    step(placement_of(bob), TODAY, "Van Bob")

    response = signed_in(alice).get(reverse("placements:followups"))

    assert section_titles(response) == {"overdue": ["Te laat"], "today": ["Vandaag"], "week": ["Deze week"]}
    page = text(response)
    assert mine.client.reference in page and mine.employer.name in page


def test_my_follow_ups_say_so_when_there_is_nothing(alice):
    page = text(signed_in(alice).get(reverse("placements:followups")))

    assert "Nothing overdue." in page and "Nothing due today." in page


def test_completing_a_follow_up_inline_records_outcome_minutes_and_note(alice):
    target = step(placement_of(alice), TODAY)
    form = {f"c{target.pk}-outcome": "Gaat goed", f"c{target.pk}-minutes_spent": "20", f"c{target.pk}-notes": "Bellen"}

    response = signed_in(alice).post(reverse("placements:complete-step", args=[target.pk]), form, **HTMX)

    target.refresh_from_db()
    assert target.status == StepStatus.DONE and target.completed_by == alice
    assert (target.outcome, target.minutes_spent, target.notes) == ("Gaat goed", 20, "Bellen")
    page = text(response)
    assert f'id="step-{target.pk}"' in page and "is-done" in page and "<html" not in page


def test_a_follow_up_without_an_outcome_is_refused_and_keeps_what_was_typed(alice):
    target = step(placement_of(alice), TODAY)
    form = {f"c{target.pk}-outcome": "  ", f"c{target.pk}-minutes_spent": "15", f"c{target.pk}-notes": "Mijn notitie"}

    response = signed_in(alice).post(reverse("placements:complete-step", args=[target.pk]), form, **HTMX)

    target.refresh_from_db()
    assert target.status == StepStatus.PLANNED
    page = text(response)
    assert "errorlist" in page and "Mijn notitie" in page and 'value="15"' in page
    assert 'data-form="complete"' in page


def test_the_done_and_move_forms_open_inside_the_row(alice):
    target = step(placement_of(alice), TODAY)
    client = signed_in(alice)

    complete = client.get(reverse("placements:complete-step", args=[target.pk]), **HTMX)
    move = client.get(reverse("placements:move-step", args=[target.pk]), **HTMX)
    cancel = client.get(reverse("placements:step-row", args=[target.pk]), **HTMX)

    assert 'data-form="complete"' in text(complete) and "<html" not in text(complete)
    assert 'data-form="move"' in text(move) and TODAY.isoformat() in text(move)
    assert "data-form" not in text(cancel) and f'id="step-{target.pk}"' in text(cancel)


def test_without_htmx_the_done_link_opens_the_list_with_that_form(alice):
    target = step(placement_of(alice), TODAY)

    page = text(signed_in(alice).get(reverse("placements:complete-step", args=[target.pk])))

    assert "<html" in page and page.count('data-form="complete"') == 1


def test_the_list_loads_no_forms_until_one_is_asked_for(alice):
    placement = placement_of(alice)
    for n in range(3):
        step(placement, TODAY + dt.timedelta(days=n))

    page = text(signed_in(alice).get(reverse("placements:followups")))

    assert "data-form" not in page and page.count('aria-expanded="false" aria-label="Done: ') == 3


def test_completing_without_htmx_returns_to_the_list(alice):
    target = step(placement_of(alice), TODAY)

    response = signed_in(alice).post(
        reverse("placements:complete-step", args=[target.pk]), {f"c{target.pk}-outcome": "Klaar"}
    )

    assert response.status_code == 302 and response["Location"] == reverse("placements:followups")
    target.refresh_from_db()
    assert target.status == StepStatus.DONE


def test_a_refused_completion_without_htmx_shows_the_list_with_the_form_and_its_errors(alice):
    target = step(placement_of(alice), TODAY)

    response = signed_in(alice).post(
        reverse("placements:complete-step", args=[target.pk]), {f"c{target.pk}-notes": "Blijft staan"}
    )

    assert response.status_code == 200
    assert "Blijft staan" in text(response)
    target.refresh_from_db()
    assert target.status == StepStatus.PLANNED


def test_a_step_that_is_already_done_cannot_be_completed_again(alice):
    target = step(
        placement_of(alice), TODAY, status=StepStatus.DONE, completed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    )

    response = signed_in(alice).post(
        reverse("placements:complete-step", args=[target.pk]), {f"c{target.pk}-outcome": "Nog eens"}, **HTMX
    )

    assert "already done" in text(response)
    target.refresh_from_db()
    assert target.outcome == ""


def test_moving_a_follow_up_inline_gives_it_the_new_date(alice):
    target = step(placement_of(alice), TODAY)
    new_date = TODAY + dt.timedelta(days=4)
    form = {f"m{target.pk}-due_on": new_date.isoformat(), f"m{target.pk}-reason": "Mentor op vakantie"}

    response = signed_in(alice).post(reverse("placements:move-step", args=[target.pk]), form, **HTMX)

    target.refresh_from_db()
    assert target.due_on == new_date and target.moved_by_hand and target.reason == "Mentor op vakantie"
    assert "is-done" in text(response)


def test_moving_without_a_reason_is_refused(alice):
    target = step(placement_of(alice), TODAY)
    form = {f"m{target.pk}-due_on": (TODAY + dt.timedelta(days=4)).isoformat(), f"m{target.pk}-reason": ""}

    response = signed_in(alice).post(reverse("placements:move-step", args=[target.pk]), form, **HTMX)

    target.refresh_from_db()
    assert target.due_on == TODAY and not target.moved_by_hand
    assert "errorlist" in text(response)


def _counts(page: str) -> dict[str, str]:
    """Section key -> the count its heading shows."""
    import re

    return dict(re.findall(r'data-count="(\w+)">(\d+)<', page))


def test_completing_a_follow_up_updates_the_section_counts_out_of_band(alice):
    mine = placement_of(alice)
    step(mine, TODAY - dt.timedelta(days=2), "Te laat")
    target = step(mine, TODAY, "Vandaag")
    step(mine, TODAY + dt.timedelta(days=3), "Deze week")
    client = signed_in(alice)
    assert _counts(text(client.get(reverse("placements:followups")))) == {"overdue": "1", "today": "1", "week": "1"}
    form = {f"c{target.pk}-outcome": "Gaat goed", f"c{target.pk}-minutes_spent": "", f"c{target.pk}-notes": ""}

    page = text(client.post(reverse("placements:complete-step", args=[target.pk]), form, **HTMX))

    assert _counts(page) == {"overdue": "1", "today": "0", "week": "1"}
    assert page.count('hx-swap-oob="true"') == 3  # the three headings
    # and the page's one live region, which stays in the page while its text changes
    live = '<div id="live" hx-swap-oob="innerHTML"><p>Done: Vandaag</p>\n<p>Now 1 overdue, 0 today and 1 this week.</p>'
    assert live in page


def test_moving_a_follow_up_moves_its_count_to_the_new_section(alice):
    target = step(placement_of(alice), TODAY - dt.timedelta(days=1))
    form = {f"m{target.pk}-due_on": (TODAY + dt.timedelta(days=2)).isoformat(), f"m{target.pk}-reason": "Ziek"}

    page = text(signed_in(alice).post(reverse("placements:move-step", args=[target.pk]), form, **HTMX))

    assert _counts(page) == {"overdue": "0", "today": "0", "week": "1"}
    assert "Moved to 04/11/2026" in page


def test_an_open_form_or_a_refusal_leaves_the_counts_alone(alice):
    target = step(placement_of(alice), TODAY)
    client = signed_in(alice)

    opened = text(client.get(reverse("placements:complete-step", args=[target.pk]), **HTMX))
    refused = text(client.post(reverse("placements:complete-step", args=[target.pk]), {}, **HTMX))

    assert "hx-swap-oob" not in opened and 'hx-swap-oob="true"' not in refused
    assert '<div id="live" hx-swap-oob="innerHTML"><p>Not saved: the form lists what needs changing.</p>' in refused


@pytest.mark.parametrize(("language", "shown"), [("en", "04/11/2026"), ("nl", "4-11-2026"), ("sv", "2026-11-04")])
def test_the_follow_up_list_shows_dates_in_the_readers_format(alice, language, shown):
    step(placement_of(alice), TODAY + dt.timedelta(days=2))
    client = signed_in(alice)

    page = text(client.get(reverse("placements:followups"), HTTP_ACCEPT_LANGUAGE=language))

    assert shown in page


def test_a_coach_cannot_complete_or_move_another_coachs_follow_up(alice, bob):
    target = step(placement_of(bob), TODAY)
    client = signed_in(alice)

    completed = client.post(
        reverse("placements:complete-step", args=[target.pk]), {f"c{target.pk}-outcome": "Niet van mij"}
    )
    moved = client.post(
        reverse("placements:move-step", args=[target.pk]),
        {f"m{target.pk}-due_on": "2026-12-01", f"m{target.pk}-reason": "x"},
    )

    assert completed.status_code == 404 and moved.status_code == 404
    target.refresh_from_db()
    assert target.status == StepStatus.PLANNED and target.due_on == TODAY


def test_a_relationship_manager_cannot_complete_follow_ups(rita, alice):
    target = step(placement_of(alice), TODAY)

    response = signed_in(rita).post(
        reverse("placements:complete-step", args=[target.pk]), {f"c{target.pk}-outcome": "x"}
    )

    assert response.status_code == 403


@pytest.mark.parametrize("rows", [1, 50])
def test_my_follow_ups_run_the_same_queries_for_1_and_50_rows(alice, django_assert_max_num_queries, rows):
    placement = placement_of(alice)
    for n in range(rows):
        step(placement, TODAY + dt.timedelta(days=n % 9 - 2))
    client = signed_in(alice)

    with django_assert_max_num_queries(5):
        response = client.get(reverse("placements:followups"))

    assert sum(len(s["rows"]) for s in response.context["sections"]) == sum(1 for n in range(rows) if n % 9 - 2 <= 7)


def test_the_home_page_shows_a_coach_what_is_overdue_and_due_today(alice):
    placement = placement_of(alice)
    step(placement, TODAY - dt.timedelta(days=1), "Gisteren al")
    step(placement, TODAY, "Vandaag bellen")
    step(placement, TODAY + dt.timedelta(days=2), "Woensdag")

    response = signed_in(alice).get("/")

    page = text(response)
    assert "Gisteren al" in page and "Vandaag bellen" in page and "Woensdag" not in page
    assert response.context["coach"]["overdue_count"] == 1 and response.context["coach"]["week_count"] == 1


# --- Clients and placements -------------------------------------------------------------------


def test_my_clients_lists_only_her_own_clients_with_their_placements(alice, bob):
    mine = placement_of(alice, job_title="Medewerker schoonmaak")
    theirs = placement_of(bob)

    response = signed_in(alice).get(reverse("placements:clients"))

    listed = [client.reference for client in response.context["page"].rows]
    assert listed == [mine.client.reference]
    assert theirs.client.reference not in text(response)
    assert "Medewerker schoonmaak" in text(response) and mine.employer.name in text(response)


def test_closed_files_are_hidden_unless_asked_for(alice):
    ClientFactory(coach=alice, reference="C-OPEN")
    ClientFactory(coach=alice, reference="C-CLOSED", status="closed", closing_reason="goal_reached")
    client = signed_in(alice)

    default = [c.reference for c in client.get(reverse("placements:clients")).context["page"].rows]
    everything = [c.reference for c in client.get(reverse("placements:clients"), {"closed": "on"}).context["page"].rows]

    assert default == ["C-OPEN"]
    assert everything == ["C-CLOSED", "C-OPEN"]


@pytest.mark.parametrize("rows", [1, 50])
def test_my_clients_run_the_same_queries_for_1_and_50_rows(alice, django_assert_max_num_queries, rows):
    for _ in range(rows):
        placement_of(alice)
    client = signed_in(alice)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("placements:clients"))

    assert len(response.context["page"].rows) == rows


def test_a_coach_cannot_open_another_coachs_client_or_placement(alice, bob):
    theirs = placement_of(bob)
    client = signed_in(alice)

    assert client.get(reverse("placements:client", args=[theirs.client_id])).status_code == 404
    assert client.get(reverse("placements:placement", args=[theirs.pk])).status_code == 404


def test_a_coach_opens_her_own_client_and_placement(alice):
    mine = placement_of(alice)
    client = signed_in(alice)

    assert client.get(reverse("placements:client", args=[mine.client_id])).status_code == 200
    assert client.get(reverse("placements:placement", args=[mine.pk])).status_code == 200


def test_the_placement_page_shows_the_agreement_both_tracks_the_mentor_and_the_placeholders(alice):
    mentor = ContactFactory(first_name="Marieke", last_name="Bos", phone="+31 6 1234 5678")
    placement = PlacementFactory(
        client=ClientFactory(coach=alice), employer=mentor.employer, mentor=mentor, start_on=TODAY
    )
    activate_placement(placement=placement, actor=alice, now=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC))
    CoachingAgreement.objects.create(
        client=placement.client,
        parties="Cliënt, coach en werkgever",
        joint_work="Wekelijks samen terugkijken",
        expected_result="Zelfstandig werken in de keuken",
        success_measure="Mentor bevestigt het",
    )

    response = signed_in(alice).get(reverse("placements:placement", args=[placement.pk]))

    page = text(response)
    assert "Wekelijks samen terugkijken" in page and "Marieke Bos" in page and "tel:+31 6 1234 5678" in page
    client_track, employer_track = response.context["client_track"], response.context["employer_track"]
    assert client_track and employer_track
    assert {s.track for s in client_track} <= {Track.CLIENT, Track.JOINT}
    assert {s.track for s in employer_track} <= {Track.EMPLOYER, Track.JOINT}
    assert "No info packs yet." in page and "No evaluation yet." in page


# --- Calendar feed ----------------------------------------------------------------------------


def issue_link(user: User) -> str:
    response = signed_in(user).post(reverse("placements:calendar"), {"action": "issue"})
    assert response.status_code == 200
    return response.context["feed_url"]


def test_the_calendar_feed_parses_and_holds_only_the_coachs_open_steps(alice, bob):
    mine = placement_of(alice)
    open_step = step(mine, TODAY + dt.timedelta(days=2), "Driegesprek", kind=StepKind.THREE_WAY)
    overdue = step(mine, TODAY - dt.timedelta(days=2), "Te laat")
    step(mine, TODAY, "Gedaan", status=StepStatus.DONE, completed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    step(mine, TODAY, "Overgeslagen", status=StepStatus.SKIPPED)
    step(placement_of(bob), TODAY, "Van Bob")
    url = issue_link(alice)

    response = Client().get(url)

    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"aftercare-step-{open_step.pk}@testserver", f"aftercare-step-{overdue.pk}@testserver"}
    event = events[f"aftercare-step-{open_step.pk}@testserver"]
    assert event.decoded("DTSTART") == TODAY + dt.timedelta(days=2)
    assert mine.client.reference in str(event["SUMMARY"]) and mine.employer.name in str(event["SUMMARY"])
    assert mine.client.first_name not in response.content.decode()


def test_only_a_hash_of_the_calendar_token_is_stored(alice):
    url = issue_link(alice)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")

    stored = CalendarFeedToken.objects.get(user=alice)

    assert stored.token_hash == hash_token(token) and token not in stored.token_hash


def test_a_new_calendar_link_retires_the_old_one(alice):
    old = issue_link(alice)
    new = issue_link(alice)

    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200


def test_a_switched_off_calendar_link_stops_working(alice):
    url = issue_link(alice)

    signed_in(alice).post(reverse("placements:calendar"), {"action": "revoke"})

    assert Client().get(url).status_code == 404
    assert not CalendarFeedToken.objects.filter(user=alice).exists()


def test_an_unknown_calendar_token_is_a_plain_404(alice):
    assert Client().get(reverse("placements:calendar-feed", args=["made-up-token"])).status_code == 404


def test_a_deactivated_users_calendar_link_stops_working(alice):
    url = issue_link(alice)
    User.objects.filter(pk=alice.pk).update(is_active=False)

    assert Client().get(url).status_code == 404


def test_plan_steps_are_shown_in_the_users_language(alice):
    placement = PlacementFactory(client=ClientFactory(coach=alice), start_on=TODAY)
    steps = activate_placement(placement=placement, actor=alice, now=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC))
    first = steps[0]
    assert first.template is not None and first.template.title_nl and first.template.title_nl != first.title
    client = signed_in(alice)
    client.post("/i18n/setlang/", {"language": "nl", "next": "/"})

    page = text(client.get(reverse("placements:placement", args=[placement.pk])))

    assert first.template.title_nl in page


@pytest.mark.parametrize("rows", [1, 50])
def test_the_coachs_home_page_runs_the_same_queries_for_1_and_50_steps(alice, django_assert_max_num_queries, rows):
    for n in range(rows):
        step(placement_of(alice), TODAY - dt.timedelta(days=n % 2))
    client = signed_in(alice)

    # 1 of them for the concerns from mentors.
    with django_assert_max_num_queries(6):
        response = client.get("/")

    coach = response.context["coach"]
    assert coach["overdue_count"] == rows // 2
    assert len(coach["due_today"]) == min(rows - rows // 2, 20)  # the home page lists the first 20


@pytest.mark.parametrize("rows", [1, 50])
def test_the_placement_page_runs_the_same_queries_for_1_and_50_steps(alice, django_assert_max_num_queries, rows):
    placement = placement_of(alice)
    for n in range(rows):
        step(placement, TODAY + dt.timedelta(days=n), track=[Track.CLIENT, Track.EMPLOYER, Track.JOINT][n % 3])
    client = signed_in(alice)

    # 9 for the page itself, 6 for the info pack and evaluation sections, 3 for the mentor's page; none per step.
    with django_assert_max_num_queries(18):
        response = client.get(reverse("placements:placement", args=[placement.pk]))

    assert len({s.pk for s in response.context["client_track"] + response.context["employer_track"]}) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_the_managers_home_page_runs_the_same_queries_for_1_and_50_employers(rita, django_assert_max_num_queries, rows):
    from crm.choices import Stage
    from tests.crm.factories import EmployerFactory, InteractionFactory

    for _ in range(rows):
        employer = EmployerFactory(owner=rita, stage=Stage.ENGAGED)
        InteractionFactory(employer=employer, author=rita, next_step="Bellen", next_step_due=TODAY)
    client = signed_in(rita)

    with django_assert_max_num_queries(6):
        response = client.get("/")

    assert len(response.context["manager"]["next_steps"]) == min(rows, 15)
    assert len(response.context["manager"]["needing"]) == min(rows, 10)


# --- Calendar feed: ETag and conditional GET --------------------------------------------------


def feed_url_with_a_step(coach: User) -> tuple[str, AftercareStep]:
    """A feed link of the coach's, whose feed holds one open step."""
    open_step = step(placement_of(coach), TODAY + dt.timedelta(days=3), "Driegesprek")
    return issue_link(coach), open_step


def test_an_unchanged_calendar_feed_is_a_304_without_building_the_file(alice, monkeypatch):
    url, _step = feed_url_with_a_step(alice)
    first = Client().get(url)
    cache.clear()  # built again, not read back from the kept file
    again = Client().get(url)
    monkeypatch.setattr("placements.views.calendar.build_feed", lambda **kwargs: pytest.fail("built an unchanged feed"))

    unchanged = Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200 and first["ETag"].startswith('"') and not first["ETag"].startswith("W/")
    # Strong: the same feed is the same bytes (DTSTAMP is the step's last change, not the request's time).
    assert (again["ETag"], again.content) == (first["ETag"], first.content)
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged["ETag"] == first["ETag"]
    assert "private" in unchanged["Cache-Control"] and "no-store" not in unchanged["Cache-Control"]


def test_an_unchanged_calendar_feed_asked_for_in_full_is_the_kept_file(alice, monkeypatch):
    url, _step = feed_url_with_a_step(alice)
    first = Client().get(url)
    monkeypatch.setattr("placements.views.calendar.build_feed", lambda **kwargs: pytest.fail("built an unchanged feed"))

    again = Client().get(url)  # a calendar app that keeps no copy asks without If-None-Match

    assert again.status_code == 200
    assert (again["ETag"], again.content) == (first["ETag"], first.content)


def _move_by_bulk_update(s: AftercareStep) -> str:
    AftercareStep.objects.filter(pk=s.pk).update(due_on=TODAY + dt.timedelta(days=9))  # updated_at untouched
    return "20261111"


def _cancelled_by_bulk_update(s: AftercareStep) -> str:
    # As ending a placement cancels its open steps, here without touching updated_at.
    AftercareStep.objects.filter(pk=s.pk).update(status=StepStatus.CANCELLED, reason="Placement ended")
    return ""


def _skip(s: AftercareStep) -> str:
    s.status = StepStatus.SKIPPED
    s.save()
    return ""


def _retitle(s: AftercareStep) -> str:
    AftercareStep.objects.filter(pk=s.pk).update(title="Evaluatiegesprek")
    return "Evaluatiegesprek"


def _rename_the_employer(s: AftercareStep) -> str:
    employer = s.placement.employer
    employer.name = "Bakkerij Nieuwnaam"
    employer.save()
    return "Bakkerij Nieuwnaam"


def _new_job_title(s: AftercareStep) -> str:
    Placement.objects.filter(pk=s.placement_id).update(job_title="Heftruckchauffeur")
    return "Heftruckchauffeur"


def _new_client_reference(s: AftercareStep) -> str:
    type(s.placement.client).objects.filter(pk=s.placement.client_id).update(reference="KL-NIEUW-9")
    return "KL-NIEUW-9"


def _another_kind(s: AftercareStep) -> str:
    AftercareStep.objects.filter(pk=s.pk).update(kind=StepKind.VISIT)
    return str(StepKind.VISIT.label)


def _reassign(s: AftercareStep) -> str:
    AftercareStep.objects.filter(pk=s.pk).update(assignee=UserFactory())
    return ""


@pytest.mark.parametrize(
    "change",
    [
        _move_by_bulk_update,
        _cancelled_by_bulk_update,
        _skip,
        _retitle,
        _rename_the_employer,
        _new_job_title,
        _new_client_reference,
        _another_kind,
        _reassign,
    ],
)
def test_a_changed_calendar_feed_has_a_new_etag_and_a_new_file(alice, change):
    url, open_step = feed_url_with_a_step(alice)
    before = Client().get(url)

    shown = change(open_step)
    after = Client().get(url, HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert after.content != before.content
    events = icalendar.Calendar.from_ical(after.content).walk("VEVENT")
    if shown:
        assert shown in after.content.decode().replace("\r\n ", "")
    else:
        assert events == []


def test_a_calendar_step_in_another_language_has_its_own_etag(alice):
    placement = PlacementFactory(client=ClientFactory(coach=alice), start_on=TODAY)
    activate_placement(placement=placement, actor=alice, now=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC))
    url = issue_link(alice)

    english = Client().get(url, HTTP_ACCEPT_LANGUAGE="en")
    dutch = Client().get(url, HTTP_ACCEPT_LANGUAGE="nl", HTTP_IF_NONE_MATCH=english["ETag"])

    assert dutch.status_code == 200 and dutch["ETag"] != english["ETag"] and dutch.content != english.content


def test_a_plan_templates_new_wording_changes_the_calendar_etag(alice):
    placement = PlacementFactory(client=ClientFactory(coach=alice), start_on=TODAY)
    first = activate_placement(placement=placement, actor=alice, now=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC))[0]
    url = issue_link(alice)
    before = Client().get(url, HTTP_ACCEPT_LANGUAGE="nl")

    type(first.template).objects.filter(pk=first.template_id).update(title_nl="Nieuwe bewoording")
    after = Client().get(url, HTTP_ACCEPT_LANGUAGE="nl", HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert "Nieuwe bewoording" in after.content.decode().replace("\r\n ", "")


def test_a_head_request_of_the_calendar_feed_gives_the_etag_and_answers_if_none_match(alice):
    url, _step = feed_url_with_a_step(alice)
    etag = Client().get(url)["ETag"]

    head = Client().head(url)
    head_unchanged = Client().head(url, HTTP_IF_NONE_MATCH=etag)

    assert head.status_code == 200 and head["ETag"] == etag and head.content == b""
    assert head_unchanged.status_code == 304


@pytest.mark.parametrize("rows", [1, 50])
def test_the_calendar_feed_runs_the_same_queries_for_1_and_50_steps(alice, django_assert_max_num_queries, rows):
    for n in range(rows):
        step(placement_of(alice), TODAY + dt.timedelta(days=n % 5))
    url = issue_link(alice)
    client = Client()

    # The token (read and its last use), the version, the steps.
    with django_assert_max_num_queries(4):
        full = client.get(url)
    with django_assert_max_num_queries(3):
        unchanged = client.get(url, HTTP_IF_NONE_MATCH=full["ETag"])

    assert len(icalendar.Calendar.from_ical(full.content).walk("VEVENT")) == rows
    assert unchanged.status_code == 304
