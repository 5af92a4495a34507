"""The workplace mentor's page (issue 14): her link, what the page shows and hides, what she does on it, and the
coach's side of it."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from common import links
from crm.models import Interaction
from outreach.followups.mails import employer_checkin_mail
from outreach.followups.models import FollowUpNotice, NoticeKind
from outreach.mentors import services
from outreach.mentors.models import MentorConcern, MentorLink, MentorMail, VisitReply, VisitReplyKind
from outreach.packs.models import InfoPack, InfoPackKind, InfoPackStatus
from outreach.packs.render import gather_pack_data
from outreach.surveys import links as survey_links
from outreach.surveys.models import SurveyInvitation, SurveyKind, SurveyMail
from placements.choices import ConsentPurpose, PlacementStatus, StepKind, StepStatus, Track
from placements.models import AftercareStep, ConsentRecord, Placement
from placements.services import cancel_placement, end_placement

KEY = "k" * 32


def _consent(placement: Placement) -> None:
    ConsentRecord.objects.create(
        client=placement.client, purpose=ConsentPurpose.SHARE_WITH_EMPLOYER, given_on=dt.date(2026, 1, 1)
    )


def _visit(placement: Placement) -> AftercareStep:
    """The first open visit on the employer's track."""
    return next(step for step in services.mentor_steps(placement) if services.is_visit(step))


def _state(placement: Placement) -> dict[str, Any]:
    """Everything a mentor's post could change."""
    return {
        "concerns": MentorConcern.objects.count(),
        "replies": VisitReply.objects.count(),
        "mails": MentorMail.objects.count(),
        "interactions": Interaction.objects.count(),
        "steps": sorted(placement.steps.values_list("pk", "status", "due_on")),
    }


def _concern(page: str, client: Any, **data: str) -> Any:
    form = {"action": "concern", "key": KEY, "what_happened": "She did not come in today.", "urgency": "today"}
    return client.post(page, {**form, **data})


# --- The link -----------------------------------------------------------------------------------------------------


def test_a_link_is_256_bits_stored_only_as_a_hash_and_compared_in_constant_time(link, page, client, monkeypatch):
    token = services.link_text(link)
    secret = token[links.PREFIX_LENGTH :]
    assert len(secret) == 43  # 256 bits, base64url
    assert link.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = MentorLink.objects.filter(pk=link.pk).values().get()
    assert not any(secret in str(value) for value in stored.values())
    compared = []
    real = links.hmac.compare_digest
    monkeypatch.setattr(links.hmac, "compare_digest", lambda a, b: compared.append(1) or real(a, b))
    assert client.get(page).status_code == 200
    assert compared


def test_survey_links_keep_their_purpose_so_links_already_sent_still_work(settings):
    import hmac

    digest = hmac.new(settings.SECRET_KEY.encode(), b"werkbrug.survey:seed", hashlib.sha256).digest()
    import base64

    assert survey_links.derive_secret("seed") == base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert links.derive_secret("seed", purpose=services.PURPOSE) != survey_links.derive_secret("seed")


def test_issuing_twice_keeps_the_one_working_link(placement, link):
    assert services.issue_link(placement=placement, actor=None).pk == link.pk
    assert services.mentor_page_url(placement).endswith(f"/m/{services.link_text(link)}/")


def test_the_first_placement_pack_issues_the_link_and_the_pack_and_the_check_in_carry_it(placement, alice):
    from outreach.packs.services import generate_info_pack

    assert services.mentor_page_url(placement) is None
    generate_info_pack(actor=alice, placement=placement, languages=["nl"])
    url = services.mentor_page_url(placement)
    assert url is not None
    data = gather_pack_data(
        employer=placement.employer, placement=placement, language="nl", version=1, issued_on=placement.start_on
    )
    assert data.mentor_page == url
    step = AftercareStep.objects.filter(placement=placement, kind=StepKind.EMAIL_CHECKIN).first()
    notice = FollowUpNotice.objects.create(
        step=step, kind=NoticeKind.EMPLOYER_CHECKIN, recipient_email="m@example.test", language="nl"
    )
    assert url in employer_checkin_mail(notice, today=step.due_on).body


def test_a_check_in_mail_issues_a_link_when_the_mentor_has_none(placement):
    step = AftercareStep.objects.filter(placement=placement, kind=StepKind.EMAIL_CHECKIN).first()
    notice = FollowUpNotice.objects.create(
        step=step, kind=NoticeKind.EMPLOYER_CHECKIN, recipient_email="m@example.test", language="nl"
    )
    body = employer_checkin_mail(notice, today=step.due_on).body
    link = MentorLink.objects.get(placement=placement)
    assert f"/m/{services.link_text(link)}/" in body


def test_the_first_check_in_mail_opens_the_check_in_questions_on_her_page_without_a_mail_of_their_own(
    placement, client
):
    steps = AftercareStep.objects.filter(placement=placement, kind=StepKind.EMAIL_CHECKIN)
    notice = FollowUpNotice.objects.create(
        step=steps.first(), kind=NoticeKind.EMPLOYER_CHECKIN, recipient_email="m@example.test", language="nl"
    )
    employer_checkin_mail(notice, today=notice.step.due_on)
    employer_checkin_mail(notice, today=notice.step.due_on)  # a second check-in opens nothing more
    invitation = SurveyInvitation.objects.get(placement=placement)
    assert invitation.template.kind == SurveyKind.MID_PLACEMENT
    assert invitation.contact_id == placement.mentor_id
    assert not SurveyMail.objects.filter(invitation=invitation).exists()
    assert invitation.sent_at is None  # reminders count from a first mail: there is none
    page = client.get(f"/m/{services.link_text(MentorLink.objects.get(placement=placement))}/")
    assert f'name="invitation" value="{invitation.pk}"' in page.content.decode()


# --- Failures ---------------------------------------------------------------------------------------------------


def test_every_link_that_does_not_work_gets_the_survey_links_page_byte_for_byte(
    make_placement, placement, link, client, alice
):
    token = services.link_text(link)
    other = services.issue_link(placement=make_placement(), actor=None)
    other_token = services.link_text(other)
    survey = client.get("/s/" + "x" * 51 + "/", HTTP_ACCEPT_LANGUAGE="nl")
    bodies = {}
    cases = {
        "unknown": "A" * 51,
        "malformed": "abc",
        "tampered": token[: links.PREFIX_LENGTH] + other_token[links.PREFIX_LENGTH :],
    }
    for name, bad in cases.items():
        response = client.get(f"/m/{bad}/", HTTP_ACCEPT_LANGUAGE="nl")
        bodies[name] = (response.status_code, response.content)
    MentorLink.objects.filter(pk=other.pk).update(valid_until=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(f"/m/{other_token}/", HTTP_ACCEPT_LANGUAGE="nl")
    bodies["expired"] = (response.status_code, response.content)
    services.revoke_link(placement=placement, actor=alice)
    response = client.get(f"/m/{token}/", HTTP_ACCEPT_LANGUAGE="nl")
    bodies["revoked"] = (response.status_code, response.content)
    assert set(bodies.values()) == {(survey.status_code, survey.content)}
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def test_the_link_works_until_the_configured_days_after_the_end_and_never_for_a_cancelled_placement(
    make_placement, settings, alice
):
    settings.MENTOR_LINK_DAYS_AFTER_END = 60
    placement = make_placement(start_on=timezone.localdate() - dt.timedelta(days=40))
    token = services.link_text(services.issue_link(placement=placement, actor=None))
    end_on = placement.start_on + dt.timedelta(days=30)
    end_placement(
        placement=placement, actor=alice, ended_by="employer", reason="Closed", end_on=end_on, completed=False
    )
    last_day = timezone.make_aware(dt.datetime.combine(end_on + dt.timedelta(days=60), dt.time(23, 0)))
    assert services.find_link(token, now=last_day) is not None
    assert services.find_link(token, now=last_day + dt.timedelta(hours=2)) is None
    Placement.objects.filter(pk=placement.pk).update(status=PlacementStatus.CANCELLED)
    assert services.find_link(token, now=timezone.now()) is None


def test_a_link_stops_when_the_mentor_changes_or_the_placement_is_cancelled(make_placement, alice):
    from tests.crm.factories import ContactFactory

    placement = make_placement(start_on=timezone.localdate() + dt.timedelta(days=30))
    old = services.link_text(services.issue_link(placement=placement, actor=None))
    placement.mentor = ContactFactory(employer=placement.employer, first_name="Noor")
    placement.save(update_fields=["mentor"])
    assert services.find_link(old, now=timezone.now()) is None
    token = services.link_text(services.issue_link(placement=placement, actor=None))
    assert services.find_link(token, now=timezone.now()) is not None
    cancel_placement(placement=placement, actor=alice, reason="She found other work")
    assert services.find_link(token, now=timezone.now()) is None


# --- What the page shows ----------------------------------------------------------------------------------------


def test_without_consent_the_page_shows_neither_her_first_name_nor_her_role(placement, page, client):
    html = client.get(page).content.decode()
    assert "Amina" not in html
    assert placement.job_title not in html
    assert 'lang="nl"' in html


def test_with_consent_the_page_shows_her_first_name_and_role(placement, page, client):
    _consent(placement)
    html = client.get(page).content.decode()
    assert "Amina" in html
    assert placement.job_title in html


def test_the_page_shows_the_schedule_the_coach_and_speaks_the_mentors_language(placement, page, client):
    response = client.get(page)
    html = response.content.decode()
    assert response["Content-Language"] == "nl"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "Welkomstbezoek op de werkplek" in html
    assert placement.coach.email in html
    english = client.get(page + "?lang=en").content.decode()
    assert "Welcome visit at the workplace" in english


# --- GET changes nothing ----------------------------------------------------------------------------------------


def test_a_mail_scanner_get_and_head_change_nothing_not_even_when_she_last_opened_it(placement, link, page, client):
    before = _state(placement)
    assert client.head(page).status_code == 200
    assert client.get(page).status_code == 200
    assert client.get(page + "?done=concern").status_code == 200
    assert _state(placement) == before
    assert MentorLink.objects.get(pk=link.pk).last_opened_at is None


def test_her_browser_notes_that_she_opened_the_page_once_it_loaded(placement, link, page, client):
    html = client.get(page).content.decode()
    assert "outreach/mentor.js" in html  # the script that sends the note once the page has loaded
    before = _state(placement)
    response = client.post(page, {"action": "opened"})
    assert response.status_code == 204
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert MentorLink.objects.get(pk=link.pk).last_opened_at is not None
    assert _state(placement) == before  # nothing else changes


def test_opening_the_page_is_written_at_most_once_a_minute(link):
    now = timezone.now()
    assert services.record_open(link=link, now=now)
    assert not services.record_open(link=link, now=now + dt.timedelta(seconds=30))
    assert services.record_open(link=link, now=now + dt.timedelta(seconds=61))


# --- A concern ----------------------------------------------------------------------------------------------------


def test_a_concern_posted_twice_is_stored_once_with_one_follow_up_and_one_pair_of_mails(placement, page, client):
    first = _concern(page, client)
    second = _concern(page, client)
    assert first.status_code == second.status_code == 302
    assert MentorConcern.objects.count() == 1
    assert AftercareStep.objects.filter(placement=placement, mentor_concerns__isnull=False).count() == 1
    assert MentorMail.objects.count() == 2


def test_a_concern_makes_an_urgent_step_for_the_coach_mails_her_and_the_case_manager_and_shows_up(
    placement, page, client, alice, carl, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = _concern(page, client, call_back="yes", phone="+31 6 1234 5678")
    assert response["Location"].endswith("done=concern#done")
    concern = MentorConcern.objects.get()
    step = concern.step
    assert (step.assignee, step.due_on, step.status, step.track) == (
        alice,
        timezone.localdate(),
        StepStatus.DUE,
        Track.EMPLOYER,
    )
    assert "Concern from the workplace mentor" in step.title
    placement.employer.refresh_from_db()
    assert placement.employer.last_contact_at == concern.interaction.occurred_at
    assert {mail.recipient for mail in MentorMail.objects.all()} == {alice, carl}
    assert [callback.args for callback in callbacks if hasattr(callback, "args")] == [
        ("mentor", sorted(MentorMail.objects.values_list("pk", flat=True)))
    ]
    shown = client.get(page + "?done=concern").content.decode()
    assert "Received" in shown or "Ontvangen" in shown
    client.force_login(alice)
    employer_page = client.get(f"/network/employers/{placement.employer_id}/").content.decode()
    assert "raised a concern on the mentor" in employer_page
    assert "She did not come in today." not in employer_page  # the words are casework, not for the timeline
    home = client.get("/").content.decode()
    assert "Concerns from mentors" in home and "She did not come in today." in home


def test_the_concern_mail_says_what_happened_and_how_to_call_back(placement, page, client, mailoutbox):
    _concern(page, client, call_back="yes", phone="+31 6 1234 5678")
    for mail in MentorMail.objects.all():
        services.deliver_mentor_mail(mail_pk=mail.pk)
    assert len(mailoutbox) == 2
    body = mailoutbox[0].body
    assert "She did not come in today." in body and "+31 6 1234 5678" in body
    assert f"/placements/{placement.pk}/" in body


def test_a_refused_concern_changes_nothing_and_keeps_what_was_typed(placement, page, client):
    before = _state(placement)
    response = _concern(page, client, what_happened="", phone="+31 6 1234 5678", call_back="yes")
    html = response.content.decode()
    assert response.status_code == 400
    assert _state(placement) == before
    assert 'id="error-summary"' in html and 'href="#concern-what_happened"' in html
    assert 'aria-invalid="true" aria-describedby="concern-what_happened-error"' in html
    assert 'value="+31 6 1234 5678"' in html and f'value="{KEY}"' in html


def test_when_the_coach_marks_it_answered_the_mentor_sees_when(placement, page, client, alice):
    _concern(page, client)
    concern = MentorConcern.objects.get()
    client.force_login(alice)
    response = client.post(f"/placements/{placement.pk}/concerns/{concern.pk}/answer/", {"answer": "Called her."})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.answered_at is not None and concern.step.status == StepStatus.DONE
    client.logout()
    assert (
        "Beantwoord" in client.get(page).content.decode()
        or "Answered" in client.get(page + "?lang=en").content.decode()
    )


# --- Visits -------------------------------------------------------------------------------------------------------


def test_confirming_a_visit_records_it_and_leaves_the_step_alone(placement, page, client):
    step = _visit(placement)
    response = client.post(page, {"action": "confirm", "step": step.pk, "key": KEY})
    assert response.status_code == 302
    reply = VisitReply.objects.get()
    assert (reply.kind, reply.for_due_on) == (VisitReplyKind.CONFIRMED, step.due_on)
    assert AftercareStep.objects.get(pk=step.pk).due_on == step.due_on


def test_proposing_a_date_tells_the_coach_but_does_not_move_the_step(placement, page, client, alice):
    step = _visit(placement)
    proposed = step.due_on + dt.timedelta(days=3)
    data = {"action": "propose", "step": step.pk, "key": KEY, "proposed_on": proposed.isoformat(), "note": "Monday"}
    assert client.post(page, data).status_code == 302
    assert client.post(page, data).status_code == 302  # the same form twice: stored once
    reply = VisitReply.objects.get()
    assert reply.proposed_on == proposed
    assert AftercareStep.objects.get(pk=step.pk).due_on == step.due_on
    assert list(MentorMail.objects.values_list("recipient", flat=True)) == [alice.pk]
    client.force_login(alice)
    html = client.get(f"/placements/{placement.pk}/").content.decode()
    assert 'id="mentor-proposals"' in html and "Monday" in html


def test_a_refused_proposal_changes_nothing_and_keeps_the_note(placement, page, client):
    step = _visit(placement)
    before = _state(placement)
    data = {"action": "propose", "step": step.pk, "key": KEY, "proposed_on": "2020-01-01", "note": "Mornings only"}
    response = client.post(page, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert _state(placement) == before
    assert f'href="#step-{step.pk}-proposed_on"' in html and 'value="Mornings only"' in html


def test_a_step_of_another_placement_cannot_be_answered(make_placement, placement, page, client):
    other = _visit(make_placement())
    response = client.post(page, {"action": "confirm", "step": other.pk, "key": KEY})
    assert response.status_code == 400
    assert not VisitReply.objects.exists()


# --- Packs ----------------------------------------------------------------------------------------------------------


def _ready_pack(placement: Placement) -> InfoPack:
    pack = InfoPack(
        employer=placement.employer, placement=placement, kind=InfoPackKind.PLACEMENT, language="nl", version=1
    )
    pack.pdf.save("pack.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    pack.status, pack.sha256, pack.size = InfoPackStatus.READY, "0" * 64, 13
    pack.save()
    return pack


def test_a_pack_downloads_only_through_the_link_of_its_own_placement(
    make_placement, placement, link, page, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    own = _ready_pack(placement)
    foreign = _ready_pack(make_placement())
    response = client.get(f"{page}packs/{own.pk}/pdf/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    refused = client.get(f"{page}packs/{foreign.pk}/pdf/")
    unknown = client.get("/m/" + "A" * 51 + "/")
    assert (refused.status_code, refused.content) == (unknown.status_code, unknown.content)


# --- The coach's side -----------------------------------------------------------------------------------------------


def test_the_coach_issues_revokes_and_reissues_and_another_coach_may_not(placement, client, alice, bob):
    client.force_login(bob)
    assert client.post(f"/placements/{placement.pk}/mentor-link/issue/").status_code == 404
    assert not MentorLink.objects.exists()
    client.force_login(alice)
    response = client.post(f"/placements/{placement.pk}/mentor-link/issue/", follow=True)
    first = MentorLink.objects.get()
    assert services.link_url(first) in response.content.decode()
    client.post(f"/placements/{placement.pk}/mentor-link/reissue/")
    second = MentorLink.objects.live().get()
    assert second.pk != first.pk
    assert services.find_link(services.link_text(first), now=timezone.now()) is None
    assert services.find_link(services.link_text(second), now=timezone.now()) is not None
    client.force_login(bob)
    assert client.post(f"/placements/{placement.pk}/mentor-link/revoke/").status_code == 404
    client.force_login(alice)
    client.post(f"/placements/{placement.pk}/mentor-link/revoke/")
    assert services.find_link(services.link_text(second), now=timezone.now()) is None
    assert client.get(f"/placements/{placement.pk}/mentor-link/issue/").status_code == 405


def test_the_placement_page_shows_when_the_mentor_last_opened_her_page(placement, link, page, client, alice):
    client.post(page, {"action": "opened"})
    client.force_login(alice)
    html = client.get(f"/placements/{placement.pk}/").content.decode()
    assert 'id="mentor-page"' in html and "last opened" in html


# --- Query counts ----------------------------------------------------------------------------------------------------


def _many_concerns(link: MentorLink, count: int) -> None:
    for number in range(count):
        services.raise_concern(
            link=link,
            what_happened=f"Concern {number}",
            urgency="this_week",
            call_back=False,
            phone="",
            key=f"key-{number:04d}-abcdefghijkl",
        )


@pytest.mark.parametrize("count", [1, 8])
def test_the_page_runs_a_fixed_number_of_queries(placement, link, page, client, count, django_assert_max_num_queries):
    _consent(placement)
    _many_concerns(link, count)
    for step in services.mentor_steps(placement)[:count]:
        VisitReply.objects.create(
            step=step, link=link, kind=VisitReplyKind.CONFIRMED, for_due_on=step.due_on, idempotency_key=f"c{step.pk}"
        )
    # The link, its open-write, surveys, consent, agreement, steps, replies, staff card, profile, packs, concerns.
    with django_assert_max_num_queries(12):
        assert client.get(page).status_code == 200


@pytest.mark.parametrize("count", [1, 8])
def test_the_home_block_runs_a_fixed_number_of_queries(
    placement, link, client, alice, count, django_assert_max_num_queries
):
    _many_concerns(link, count)
    client.force_login(alice)
    client.get("/")
    with django_assert_max_num_queries(20):
        html = client.get("/").content.decode()
    assert html.count("Concern from ") >= min(count, 10)


# --- The check-in and the evaluation, answered on the page -------------------------------------------------------


def test_the_open_check_in_is_answered_on_the_page_once_and_a_scanner_answers_nothing(placement, page, client):
    from outreach.surveys.answers import field_name
    from outreach.surveys.models import SurveyResponse
    from tests.outreach.surveys.helpers import full_answers, invite

    invitation, _link = invite(placement, kind="mid_placement")
    html = client.get(page).content.decode()
    assert 'id="surveys"' in html and f'value="{invitation.pk}"' in html
    assert not SurveyResponse.objects.exists()
    answers = full_answers(invitation.template)
    first_field = field_name(invitation.template.questions.order_by("order").first())
    refused = client.post(page, {"action": "survey", "invitation": invitation.pk, **answers, first_field: ""})
    assert refused.status_code == 400 and not SurveyResponse.objects.exists()
    data = {"action": "survey", "invitation": invitation.pk, **answers}
    assert client.post(page, data)["Location"].endswith("done=survey#done")
    again = client.post(page, data)
    assert again.status_code == 400 and SurveyResponse.objects.count() == 1
    assert 'id="surveys"' not in client.get(page).content.decode()


def test_two_tabs_posting_the_same_concern_at_once_store_it_once(placement, link, monkeypatch):
    real = services._existing
    calls = []

    def racing(model, link, key):
        # The first look finds nothing, as when the other tab's insert commits just after it.
        calls.append(model)
        return None if len(calls) == 1 else real(model, link, key)

    form = {"what_happened": "Late again.", "urgency": "today", "call_back": False, "phone": "", "key": KEY}
    first = services.raise_concern(link=link, **form)
    monkeypatch.setattr(services, "_existing", racing)
    second = services.raise_concern(link=link, **form)
    assert second.pk == first.pk
    assert MentorConcern.objects.count() == 1 and MentorMail.objects.count() == 2
    assert AftercareStep.objects.filter(mentor_concerns__isnull=False).count() == 1


def test_the_page_is_rate_limited_like_the_survey_page(page, client, settings):
    settings.SURVEY_GETS_PER_MINUTE = 2
    assert [client.get(page).status_code for _ in range(3)] == [200, 200, 429]


def test_her_subject_access_export_holds_the_concerns_without_the_mentors_phone(placement, page, client):
    from privacy.sar import collect

    _concern(page, client, call_back="yes", phone="+31 6 1234 5678")
    data = collect(placement.client)
    assert [c["what_happened"] for c in data["concerns_from_mentors"]] == ["She did not come in today."]
    assert "+31 6 1234 5678" not in str(data)
    assert {mail["type"] for mail in data["mails_about_her"]} >= {"mentor's page"}


def test_erasing_her_file_erases_what_her_mentor_wrote_and_closes_the_page(placement, link, page, client, adam):
    from placements.models import Client
    from privacy.erasure import ERASED, erase_client

    _concern(page, client, call_back="yes", phone="+31 6 1234 5678")
    Client.objects.filter(pk=placement.client_id).update(
        status="closed", closed_on=timezone.localdate(), closing_reason="goal_reached"
    )
    erase_client(Client.objects.get(pk=placement.client_id), adam)
    concern = MentorConcern.objects.get()
    assert (concern.what_happened, concern.phone) == (ERASED, "")
    assert services.find_link(services.link_text(link), now=timezone.now()) is None
