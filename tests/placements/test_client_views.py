"""The client's file in the workspace: intake, her file, consents, the ladder and closing, and who may use them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from crm.models import LadderStep
from crm.roles import Role
from outreach.followups.mails import employer_checkin_mail
from outreach.followups.models import FollowUpNotice, NoticeKind
from outreach.packs.render import gather_pack_data, render_pack_html
from placements import services
from placements.calendar import build_feed, feed_steps
from placements.choices import ClientStatus, StepKind, StepStatus, Track
from placements.models import AftercareStep, Client, CoachingAgreement, ConsentRecord, LadderPosition
from placements.services.clients import next_client_reference, take_in_client, users_in_role, withdraw_consent
from placements.services.ladder import ladder_history, place_on_ladder
from tests.placements.factories import ClientFactory, ConsentFactory, PlacementFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
START = dt.date(2027, 1, 4)
NOW = dt.datetime(2027, 1, 1, 9, 0, tzinfo=dt.UTC)
SHARED = "Amina prefers written instructions."


def _login(client, user) -> None:
    client.login(username=user.username, password=PASSWORD)


def _today() -> dt.date:
    return timezone.localdate()


def _active_placement(coach, **fields):
    placement = PlacementFactory.create(client=ClientFactory(coach=coach), start_on=START, **fields)
    services.activate_placement(placement=placement, actor=None, now=NOW)
    placement.refresh_from_db()
    return placement


def _intake_data(**overrides) -> dict:
    data = {
        "reference": "C-2026-0100",
        "first_name": "Amina",
        "email": "",
        "phone": "",
        "gender": "woman",
        "gender_description": "",
        "preferred_language": "nl",
        "coach": "",
        "case_manager": "",
        "consents": ["coaching", "workplace_visits"],
        "consents_given_on": "",
        "consent_source": "signed_form",
        "ladder_step": "",
    }
    return data | overrides


# --- Intake -------------------------------------------------------------------------------------


def test_the_client_list_offers_a_new_client_button_to_a_coach(client, alice, rita):
    _login(client, alice)
    assert reverse("placements:client-new") in client.get(reverse("placements:clients")).content.decode()
    _login(client, rita)  # a relationship manager reads clients but does not take them in
    assert reverse("placements:client-new") not in client.get(reverse("placements:clients")).content.decode()
    assert client.get(reverse("placements:client-new")).status_code == 403


def test_the_intake_form_suggests_the_next_free_reference_and_the_coach_herself(client, alice):
    year = _today().year
    ClientFactory(reference=f"C-{year}-0042", coach=alice)
    ClientFactory(reference=f"C-{year - 1}-0099", coach=alice)
    _login(client, alice)

    response = client.get(reverse("placements:client-new"))

    assert response.context["form"].initial == {"reference": f"C-{year}-0043", "coach": alice.pk}
    assert f'value="C-{year}-0043"' in response.content.decode()


def test_a_coach_takes_in_a_client_with_consents_and_a_ladder_step(client, alice, carl):
    step = LadderStep.objects.get(position=4)
    _login(client, alice)

    response = client.post(
        reverse("placements:client-new"),
        _intake_data(coach=alice.pk, case_manager=carl.pk, ladder_step=step.pk, email="amina@example.org"),
    )

    new = Client.objects.get(reference="C-2026-0100")
    assert response.status_code == 302 and response["Location"] == reverse("placements:client", args=[new.pk])
    assert (new.coach, new.case_manager, new.status, new.email) == (
        alice,
        carl,
        ClientStatus.INTAKE,
        "amina@example.org",
    )
    consents = ConsentRecord.objects.filter(client=new)
    assert sorted(c.purpose for c in consents) == ["coaching", "workplace_visits"]
    assert {(c.given_on, c.source, c.recorded_by) for c in consents} == {(_today(), "signed_form", alice)}
    assert [(p.step.position, p.entered_on, p.left_on) for p in new.ladder_positions.all()] == [(4, _today(), None)]


def test_a_taken_reference_is_refused_and_what_was_typed_is_kept(client, alice):
    ClientFactory(reference="C-2026-0100", coach=alice)
    _login(client, alice)

    response = client.post(
        reverse("placements:client-new"), _intake_data(coach=alice.pk, first_name="Fatima", phone="+31 6 1111")
    )

    assert response.status_code == 200
    assert "reference" in response.context["form"].errors
    page = response.content.decode()
    assert 'value="Fatima"' in page and 'value="+31 6 1111"' in page
    assert Client.objects.count() == 1


def test_a_coach_cannot_take_in_a_client_for_another_coach(client, alice, bob):
    _login(client, alice)

    response = client.post(reverse("placements:client-new"), _intake_data(coach=bob.pk))

    assert response.status_code == 200
    assert "coach" in response.context["form"].errors
    assert not Client.objects.exists()


def test_an_administrator_takes_in_a_client_for_any_coach(client, adam, bob):
    _login(client, adam)

    response = client.post(reverse("placements:client-new"), _intake_data(coach=bob.pk, consents=[]))

    assert response.status_code == 302
    assert Client.objects.get().coach == bob


def test_a_case_manager_takes_in_a_client_for_a_coach_when_she_manages_the_file(alice, carl):
    client = take_in_client(actor=carl, reference="C-2026-0200", coach=alice, case_manager=carl, now=NOW)

    assert (client.coach, client.case_manager) == (alice, carl)
    assert list(users_in_role(Role.CASE_MANAGER)) == [carl]


def test_consents_at_intake_cannot_be_dated_ahead(client, alice):
    _login(client, alice)

    response = client.post(
        reverse("placements:client-new"),
        _intake_data(coach=alice.pk, consents_given_on=(_today() + dt.timedelta(days=1)).isoformat()),
    )

    assert "consents_given_on" in response.context["form"].errors
    assert not Client.objects.exists()


def test_next_client_reference_counts_per_year_and_ignores_other_shapes(alice):
    ClientFactory(reference="C-2031-0007", coach=alice)
    ClientFactory(reference="C-2031-X", coach=alice)
    ClientFactory(reference="Z-2031-0500", coach=alice)

    assert next_client_reference(today=dt.date(2031, 5, 1)) == "C-2031-0008"
    assert next_client_reference(today=dt.date(2032, 1, 1)) == "C-2032-0001"


def test_next_client_reference_follows_the_highest_number_not_the_longest_or_last_text(alice):
    ClientFactory(reference="C-2031-9", coach=alice)
    ClientFactory(reference="C-2031-0012", coach=alice)
    assert next_client_reference(today=dt.date(2031, 5, 1)) == "C-2031-0013"

    ClientFactory(reference="C-2031-10000", coach=alice)
    assert next_client_reference(today=dt.date(2031, 5, 1)) == "C-2031-10001"


# --- Her file -----------------------------------------------------------------------------------


def test_a_coach_edits_the_contact_data_and_case_manager_of_her_client(client, alice, carl):
    amina = ClientFactory(coach=alice)
    _login(client, alice)

    response = client.post(
        reverse("placements:client-edit", args=[amina.pk]),
        {
            "first_name": "Amina",
            "email": "a@example.org",
            "phone": "+31 6 2222",
            "gender": "self_described",
            "gender_description": "vrouw, liever geen label",
            "preferred_language": "en",
            "case_manager": carl.pk,
        },
    )

    assert response.status_code == 302
    amina.refresh_from_db()
    assert (amina.email, amina.phone, amina.gender, amina.preferred_language, amina.case_manager) == (
        "a@example.org",
        "+31 6 2222",
        "self_described",
        "en",
        carl,
    )
    assert amina.coach == alice


def test_a_bad_email_keeps_the_form_and_changes_nothing(client, alice):
    amina = ClientFactory(coach=alice, phone="")
    _login(client, alice)

    response = client.post(
        reverse("placements:client-edit", args=[amina.pk]),
        {"first_name": "Amina", "email": "not-an-address", "phone": "+31 6 3333", "preferred_language": "nl"},
    )

    assert response.status_code == 200 and "email" in response.context["form"].errors
    assert 'value="+31 6 3333"' in response.content.decode()
    amina.refresh_from_db()
    assert amina.phone == ""


# --- Consents -----------------------------------------------------------------------------------


def test_the_client_page_shows_every_purpose_with_its_history(client, alice):
    amina = ClientFactory(coach=alice)
    ConsentFactory(client=amina, purpose="reference", given_on=dt.date(2026, 1, 1), withdrawn_on=dt.date(2026, 2, 1))
    ConsentFactory(client=amina, purpose="reference", given_on=dt.date(2026, 3, 1))
    _login(client, alice)

    response = client.get(reverse("placements:client", args=[amina.pk]))

    rows = {row.purpose: row for row in response.context["consent_rows"]}
    assert set(rows) == {"coaching", "workplace_visits", "share_with_employer", "reference"}
    assert [r.given_on for r in rows["reference"].history] == [dt.date(2026, 3, 1), dt.date(2026, 1, 1)]
    assert rows["reference"].in_force.given_on == dt.date(2026, 3, 1)
    assert rows["coaching"].in_force is None
    assert reverse("placements:consent-withdraw", args=[amina.pk, "reference"]) in response.content.decode()


def test_a_coach_records_a_consent_with_its_source(client, alice):
    amina = ClientFactory(coach=alice)
    _login(client, alice)

    response = client.post(
        reverse("placements:consent-record", args=[amina.pk]),
        {"purpose": "share_with_employer", "given_on": "2026-11-30", "source": "email", "note": "Mail van 30/11"},
    )

    assert response.status_code == 302
    record = ConsentRecord.objects.get(client=amina)
    assert (record.purpose, record.given_on, record.source, record.note, record.recorded_by) == (
        "share_with_employer",
        dt.date(2026, 11, 30),
        "email",
        "Mail van 30/11",
        alice,
    )


def test_a_consent_already_in_force_is_refused_on_the_client_page_with_the_input_kept(client, alice):
    amina = ClientFactory(coach=alice)
    ConsentFactory(client=amina, purpose="coaching")
    _login(client, alice)

    response = client.post(
        reverse("placements:consent-record", args=[amina.pk]),
        {"purpose": "coaching", "given_on": "2026-11-30", "source": "email", "note": "tweede keer"},
    )

    assert response.status_code == 200
    assert "purpose" in response.context["consent_form"].errors
    assert 'value="tweede keer"' in response.content.decode()
    assert ConsentRecord.objects.filter(client=amina).count() == 1


def test_withdrawing_asks_for_confirmation_and_says_what_stops(client, alice):
    amina = ClientFactory(coach=alice)
    ConsentFactory(client=amina, purpose="share_with_employer")
    _login(client, alice)

    response = client.get(reverse("placements:consent-withdraw", args=[amina.pk, "share_with_employer"]))

    assert response.status_code == 200
    assert "check-in mails" in response.content.decode()
    assert ConsentRecord.objects.get(client=amina).withdrawn_on is None


def test_a_coach_withdraws_a_consent_and_who_recorded_it_is_kept(client, alice):
    amina = ClientFactory(coach=alice)
    ConsentFactory(client=amina, purpose="share_with_employer", note="Getekend")
    _login(client, alice)

    response = client.post(
        reverse("placements:consent-withdraw", args=[amina.pk, "share_with_employer"]),
        {"withdrawn_on": _today().isoformat(), "source": "conversation", "note": "Belde zelf"},
    )

    assert response.status_code == 302
    record = ConsentRecord.objects.get(client=amina)
    assert (record.withdrawn_on, record.withdrawal_recorded_by) == (_today(), alice)
    assert record.note.startswith("Getekend · Belde zelf · ")
    assert not amina.has_consent("share_with_employer")


def test_a_withdrawal_cannot_be_dated_ahead(client, alice):
    amina = ClientFactory(coach=alice)
    ConsentFactory(client=amina, purpose="reference")
    _login(client, alice)

    response = client.post(
        reverse("placements:consent-withdraw", args=[amina.pk, "reference"]),
        {"withdrawn_on": (_today() + dt.timedelta(days=3)).isoformat(), "source": "email", "note": "later"},
    )

    assert response.status_code == 200 and "withdrawn_on" in response.context["form"].errors
    assert 'value="later"' in response.content.decode()
    assert ConsentRecord.objects.get(client=amina).withdrawn_on is None
    with pytest.raises(ValidationError):
        withdraw_consent(
            client=amina,
            purpose="reference",
            withdrawn_on=_today() + dt.timedelta(days=3),
            actor=alice,
        )


def test_withdrawing_workplace_visits_lists_the_open_visits_and_can_skip_them(client, alice):
    placement = _active_placement(alice)
    amina = placement.client
    ConsentFactory(client=amina, purpose="workplace_visits", given_on=dt.date(2026, 1, 1))
    visits = list(AftercareStep.objects.filter(placement=placement, kind=StepKind.VISIT))
    assert visits
    _login(client, alice)

    page = client.get(reverse("placements:consent-withdraw", args=[amina.pk, "workplace_visits"]))
    assert [s.pk for s in page.context["visits"]] == [s.pk for s in visits]

    client.post(
        reverse("placements:consent-withdraw", args=[amina.pk, "workplace_visits"]),
        {"withdrawn_on": _today().isoformat(), "source": "conversation", "skip_visits": "on"},
    )

    statuses = set(AftercareStep.objects.filter(pk__in=[s.pk for s in visits]).values_list("status", "reason"))
    assert statuses == {(StepStatus.SKIPPED, "The client withdrew her consent to workplace visits.")}
    others = AftercareStep.objects.filter(placement=placement).exclude(kind=StepKind.VISIT)
    assert not others.filter(status=StepStatus.SKIPPED).exists()


def test_open_visits_without_consent_are_flagged_on_the_client_page(client, alice):
    placement = _active_placement(alice)
    _login(client, alice)

    response = client.get(reverse("placements:client", args=[placement.client.pk]))

    assert response.context["visits_without_consent"]
    ConsentFactory(client=placement.client, purpose="workplace_visits")
    response = client.get(reverse("placements:client", args=[placement.client.pk]))
    assert response.context["visits_without_consent"] == []


# --- A withdrawal takes effect at once everywhere ------------------------------------------------


def test_after_withdrawing_sharing_nothing_shared_reaches_the_employer_or_the_calendar(client, alice):
    placement = _active_placement(alice)
    amina = placement.client
    ConsentFactory(client=amina, purpose="share_with_employer", given_on=dt.date(2026, 1, 1))
    CoachingAgreement.objects.create(
        client=amina,
        parties="Amina, Alice",
        joint_work="Werk",
        expected_result="Baan",
        success_measure="Contract",
        share_with_employer=SHARED,
    )
    checkin = AftercareStep.objects.filter(placement=placement, kind=StepKind.EMAIL_CHECKIN).first()
    notice = FollowUpNotice(step=checkin, kind=NoticeKind.EMPLOYER_CHECKIN, language="nl", for_due_on=checkin.due_on)
    notice.recipient_email = placement.mentor.email

    def shared_everywhere() -> list[bool]:
        mail = employer_checkin_mail(notice, today=_today())
        data = gather_pack_data(
            employer=placement.employer, placement=placement, language="nl", version=1, issued_on=_today()
        )
        pack = render_pack_html(data)
        feed = build_feed(steps=feed_steps(alice), host="werkbrug.test").decode()
        return [
            "Amina" in mail.subject + mail.body,
            SHARED in mail.body,
            "Amina" in pack,
            SHARED in pack,
            "Amina" in feed or SHARED in feed,
        ]

    assert shared_everywhere() == [True, True, True, True, False]  # the feed never names her
    _login(client, alice)
    client.post(
        reverse("placements:consent-withdraw", args=[amina.pk, "share_with_employer"]),
        {"withdrawn_on": _today().isoformat(), "source": "email"},
    )
    assert shared_everywhere() == [False, False, False, False, False]


# --- Ladder -------------------------------------------------------------------------------------


def test_a_coach_moves_her_client_up_and_down_and_sees_the_days_per_step(client, alice):
    amina = ClientFactory(coach=alice)
    today = _today()
    services.move_client_to_step(client=amina, step=4, on=today - dt.timedelta(days=30), actor=alice)
    _login(client, alice)

    client.post(
        reverse("placements:ladder-move", args=[amina.pk]),
        {"step": LadderStep.objects.get(position=8).pk, "on": (today - dt.timedelta(days=10)).isoformat(), "note": ""},
    )
    response = client.post(
        reverse("placements:ladder-move", args=[amina.pk]),
        {"step": LadderStep.objects.get(position=6).pk, "on": (today - dt.timedelta(days=4)).isoformat(), "note": "x"},
        follow=True,
    )

    stays = [(s.position.step.position, s.days, s.current, s.direction) for s in response.context["stays"]]
    assert stays == [(6, 4, True, "down"), (8, 6, False, "up"), (4, 20, False, "")]
    page = response.content.decode()
    assert "Moved up to" in page and "Moved down to" in page and "4 days so far" in page


def test_a_ladder_move_to_the_same_step_or_ahead_is_refused_with_the_note_kept(client, alice):
    amina = ClientFactory(coach=alice)
    services.move_client_to_step(client=amina, step=4, on=dt.date(2026, 3, 1), actor=alice)
    four = LadderStep.objects.get(position=4).pk
    _login(client, alice)

    same = client.post(
        reverse("placements:ladder-move", args=[amina.pk]), {"step": four, "on": "2026-11-01", "note": "n1"}
    )
    ahead = client.post(
        reverse("placements:ladder-move", args=[amina.pk]),
        {"step": four + 1, "on": (_today() + dt.timedelta(days=1)).isoformat(), "note": "n2"},
    )

    assert "step" in same.context["ladder_form"].errors and 'value="n1"' in same.content.decode()
    assert "on" in ahead.context["ladder_form"].errors
    assert LadderPosition.objects.filter(client=amina).count() == 1


def test_ladder_history_counts_days_up_to_today_on_the_current_step(alice):
    amina = ClientFactory(coach=alice)
    services.move_client_to_step(client=amina, step=3, on=dt.date(2026, 1, 1), actor=alice)
    services.move_client_to_step(client=amina, step=5, on=dt.date(2026, 1, 11), actor=alice)

    stays = ladder_history(amina.ladder_positions.select_related("step"), today=dt.date(2026, 1, 15))

    assert [(s.days, s.direction, s.current) for s in stays] == [(4, "up", True), (10, "", False)]


def test_a_stay_keeps_how_she_came_to_it_also_after_a_closed_stay(alice):
    amina = ClientFactory(coach=alice)
    services.move_client_to_step(client=amina, step=6, on=dt.date(2026, 1, 1), actor=alice)
    LadderPosition.objects.filter(client=amina).update(left_on=dt.date(2026, 2, 1))  # her file closed
    place_on_ladder(client=amina, step=LadderStep.objects.get(position=6), on=dt.date(2026, 3, 1))
    services.move_client_to_step(client=amina, step=2, on=dt.date(2026, 3, 5), actor=alice)
    services.move_client_to_step(client=amina, step=9, on=dt.date(2026, 3, 9), actor=alice)

    moves = list(LadderPosition.objects.filter(client=amina).order_by("entered_on").values_list("direction", flat=True))

    # first stay, back on the same step after the gap, down from 6 to 2, up from 2 to 9
    assert moves == ["", "", "down", "up"]


# --- Closing ------------------------------------------------------------------------------------


def _ended(alice):
    placement = _active_placement(alice)
    services.end_placement(
        placement=placement,
        actor=alice,
        end_on=START + dt.timedelta(days=20),
        ended_by="client",
        reason="Verhuisd",
        completed=False,
        now=dt.datetime.combine(START + dt.timedelta(days=21), dt.time(9), tzinfo=dt.UTC),
    )
    return placement


def test_the_close_preview_shows_the_cancelled_client_steps_and_changes_nothing(client, alice):
    placement = _ended(alice)
    open_before = set(AftercareStep.objects.open().filter(placement=placement).values_list("pk", "status"))
    _login(client, alice)

    response = client.post(
        reverse("placements:client-close", args=[placement.client.pk]),
        {"closing_reason": "moved", "destination": "", "closed_on": _today().isoformat(), "preview": "1"},
    )

    assert response.status_code == 200 and response.context["previewed"]
    changes = response.context["changes"]
    assert changes and {item["row"]["status"] for item in changes} == {StepStatus.CANCELLED}
    assert {item["row"]["track"] for item in changes} <= {Track.CLIENT, Track.JOINT}
    assert 'name="confirm"' in response.content.decode()
    placement.client.refresh_from_db()
    assert placement.client.status != ClientStatus.CLOSED
    assert set(AftercareStep.objects.open().filter(placement=placement).values_list("pk", "status")) == open_before


def test_confirming_closes_the_file_cancels_her_steps_and_keeps_the_employers(client, alice):
    placement = _ended(alice)
    _login(client, alice)

    response = client.post(
        reverse("placements:client-close", args=[placement.client.pk]),
        {"closing_reason": "moved", "destination": "not_working", "closed_on": _today().isoformat(), "confirm": "1"},
    )

    assert response.status_code == 302
    amina = Client.objects.get(pk=placement.client.pk)
    assert (amina.status, amina.closing_reason, amina.destination) == (ClientStatus.CLOSED, "moved", "not_working")
    still_open = AftercareStep.objects.open().filter(placement=placement)
    assert still_open.exists() and not still_open.filter(track__in=[Track.CLIENT, Track.JOINT]).exists()
    assert still_open.filter(kind=StepKind.EMPLOYER_EVALUATION).exists()


def test_a_file_with_a_running_placement_is_refused_with_a_clear_message(client, alice):
    placement = _active_placement(alice)
    _login(client, alice)

    response = client.post(
        reverse("placements:client-close", args=[placement.client.pk]),
        {"closing_reason": "moved", "destination": "", "closed_on": _today().isoformat(), "preview": "1"},
    )

    assert "End or cancel her running placements" in response.content.decode()
    assert not response.context["previewed"]
    placement.client.refresh_from_db()
    assert placement.client.status != ClientStatus.CLOSED


# --- Who may use these pages --------------------------------------------------------------------


def _forms_of(amina) -> list[tuple[str, dict]]:
    today = _today().isoformat()
    return [
        (reverse("placements:client-edit", args=[amina.pk]), {"first_name": "X", "preferred_language": "en"}),
        (
            reverse("placements:consent-record", args=[amina.pk]),
            {"purpose": "reference", "given_on": today, "source": "email"},
        ),
        (
            reverse("placements:consent-withdraw", args=[amina.pk, "coaching"]),
            {"withdrawn_on": today, "source": "email"},
        ),
        (
            reverse("placements:ladder-move", args=[amina.pk]),
            {"step": LadderStep.objects.get(position=1).pk, "on": today},
        ),
        (
            reverse("placements:client-close", args=[amina.pk]),
            {"closing_reason": "moved", "closed_on": today, "confirm": "1"},
        ),
    ]


def test_another_coach_gets_404_on_every_form_of_alices_client_and_nothing_changes(client, alice, bob):
    amina = ClientFactory(coach=alice, first_name="Amina")
    ConsentFactory(client=amina, purpose="coaching")
    _login(client, bob)

    for url, data in _forms_of(amina):
        if "consents/" not in url or "withdraw" in url:
            assert client.get(url).status_code in (404, 405), url
        assert client.post(url, data).status_code == 404, url

    amina.refresh_from_db()
    assert (amina.first_name, amina.preferred_language, amina.status) == ("Amina", "nl", ClientStatus.ACTIVE)
    assert ConsentRecord.objects.filter(client=amina).count() == 1
    assert ConsentRecord.objects.get(client=amina).withdrawn_on is None
    assert not LadderPosition.objects.filter(client=amina).exists()


def test_the_get_only_pages_of_alices_client_are_404_for_bob(client, alice, bob):
    amina = ClientFactory(coach=alice)
    ConsentFactory(client=amina, purpose="coaching")
    _login(client, bob)

    for name, args in [
        ("placements:client", [amina.pk]),
        ("placements:client-edit", [amina.pk]),
        ("placements:consent-withdraw", [amina.pk, "coaching"]),
        ("placements:client-close", [amina.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name


def test_the_next_step_links_show_when_their_pages_exist(client, alice):
    amina = ClientFactory(coach=alice)
    _login(client, alice)

    response = client.get(reverse("placements:client", args=[amina.pk]))

    for name, key in [("placements:agreement", "agreement_url"), ("placements:placement-new", "placement_new_url")]:
        try:
            url = reverse(name, args=[amina.pk])
        except NoReverseMatch:
            url = ""
        assert response.context[key] == url
        if url:
            assert url in response.content.decode()


# --- Query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 12])
def test_the_client_page_runs_the_same_queries_for_1_and_many_rows(client, alice, django_assert_max_num_queries, rows):
    amina = ClientFactory(coach=alice)
    for index in range(rows):
        ConsentFactory(
            client=amina,
            purpose="reference",
            given_on=dt.date(2020, 1, 1) + dt.timedelta(days=10 * index),
            withdrawn_on=(dt.date(2020, 1, 2) + dt.timedelta(days=10 * index)) if index < rows - 1 else None,
        )
        services.move_client_to_step(
            client=amina, step=1 + index % 2, on=dt.date(2020, 1, 1) + dt.timedelta(days=index), actor=alice
        )
        PlacementFactory(client=amina, status="cancelled", end_reason="x")
    _login(client, alice)

    with django_assert_max_num_queries(14):
        response = client.get(reverse("placements:client", args=[amina.pk]))

    assert response.status_code == 200
    assert len(response.context["stays"]) == rows
