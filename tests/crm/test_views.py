"""The relationship manager's workspace: sign-in, employers, the board, the employer page, coverage and import."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common.pagination import capped_count, keyset_page
from crm.choices import InteractionKind, Sector, Stage, VacancyStatus
from crm.models import Employer, EmployerStageChange, Interaction, LadderStep
from tests.crm.factories import ContactFactory, EmployerFactory, InteractionFactory, VacancyFactory
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


# --- Sign-in, home and access -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/", "/network/employers/", "/network/board/", "/network/coverage/", "/network/import/"]
)
def test_an_anonymous_visitor_is_sent_to_the_sign_in_page(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_signing_in_leads_to_the_home_page(client, rita):
    response = client.post(reverse("login"), {"username": "rita", "password": "correct-horse-battery"})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_wrong_password_keeps_the_username_and_says_what_is_wrong(client, rita):
    response = client.post(reverse("login"), {"username": "rita", "password": "wrong"})

    assert response.status_code == 200
    assert 'value="rita"' in text(response)
    assert 'class="error-summary"' in text(response)
    assert "Please enter a correct username and password" in text(response)
    assert "_auth_user_id" not in client.session


def test_navigation_follows_the_role(rita, alice):
    manager_page = text(signed_in(rita).get("/"))
    coach_page = text(signed_in(alice).get("/"))

    assert reverse("crm:board") in manager_page and reverse("crm:import") in manager_page
    assert reverse("placements:followups") not in manager_page
    assert reverse("placements:followups") in coach_page
    assert reverse("crm:board") not in coach_page and reverse("crm:import") not in coach_page


def test_the_home_page_lists_a_managers_employers_that_need_a_follow_up(rita):
    today = timezone.localdate()
    due = EmployerFactory(owner=rita, name="Bakkerij Volgende Stap", stage=Stage.ENGAGED)
    InteractionFactory(employer=due, next_step="Offerte nabellen", next_step_due=today - dt.timedelta(days=1))
    quiet = EmployerFactory(owner=rita, name="Stille Partner", stage=Stage.ACTIVE)
    InteractionFactory(employer=quiet, occurred_at=timezone.now())
    EmployerFactory(name="Niet van Rita", stage=Stage.ENGAGED)

    page = text(signed_in(rita).get("/"))

    assert "Bakkerij Volgende Stap" in page and "Offerte nabellen" in page
    assert "Stille Partner" not in page
    assert "Niet van Rita" not in page


def test_the_home_page_has_a_clear_empty_state(rita):
    page = text(signed_in(rita).get("/"))

    assert "All your employers are up to date." in page
    assert "No open next steps due this week." in page


def test_a_coach_cannot_move_employers_or_import(alice):
    employer = EmployerFactory()
    client = signed_in(alice)

    assert client.post(reverse("crm:move", args=[employer.pk]), {"stage": Stage.CONTACTED}).status_code == 403
    assert client.get(reverse("crm:import")).status_code == 403
    employer.refresh_from_db()
    assert employer.stage == Stage.PROSPECT


def test_the_language_switch_shows_the_pages_in_dutch(rita):
    client = signed_in(rita)
    client.post("/i18n/setlang/", {"language": "nl", "next": "/network/employers/"})

    page = text(client.get("/network/employers/"))

    assert '<html lang="nl">' in page


# --- Employer list ----------------------------------------------------------------------------


def names(response) -> set[str]:
    return {employer.name for employer in response.context["page"].rows}


def test_the_employer_list_searches_names_cities_and_registration_numbers(rita):
    EmployerFactory(name="Bakkerij De Vries B.V.", city="Utrecht", registration_number="30111222")
    EmployerFactory(name="Schoonmaak Noord", city="Groningen", registration_number="30999888")
    client = signed_in(rita)

    assert names(client.get("/network/employers/", {"q": "bakkerij de vries"})) == {"Bakkerij De Vries B.V."}
    assert names(client.get("/network/employers/", {"q": "Groningen"})) == {"Schoonmaak Noord"}
    assert names(client.get("/network/employers/", {"q": "30111222"})) == {"Bakkerij De Vries B.V."}
    assert names(client.get("/network/employers/", {"q": "nothing like it"})) == set()


def test_the_employer_list_filters_by_stage_sector_owner_step_and_follow_up(rita):
    step = LadderStep.objects.get(position=19)
    mine = EmployerFactory(name="Mine", owner=rita, stage=Stage.ACTIVE, sector=Sector.CARE)
    nobody = EmployerFactory(name="Nobody's", stage=Stage.PROSPECT, sector=Sector.CLEANING)
    offering = EmployerFactory(name="Offers step 19", stage=Stage.ENGAGED)
    VacancyFactory(employer=offering, status=VacancyStatus.OPEN).ladder_steps.add(step)
    VacancyFactory(employer=nobody, status=VacancyStatus.CLOSED).ladder_steps.add(step)
    InteractionFactory(
        employer=nobody, next_step="Terugbellen", next_step_due=timezone.localdate() - dt.timedelta(days=2)
    )
    client = signed_in(rita)

    assert names(client.get("/network/employers/", {"stage": Stage.ACTIVE})) == {mine.name}
    assert names(client.get("/network/employers/", {"sector": Sector.CLEANING})) == {nobody.name}
    assert names(client.get("/network/employers/", {"owner": "me"})) == {mine.name}
    assert names(client.get("/network/employers/", {"owner": "none"})) == {nobody.name, offering.name}
    assert names(client.get("/network/employers/", {"owner": str(rita.pk)})) == {mine.name}
    assert names(client.get("/network/employers/", {"step": step.pk})) == {offering.name}
    # Active and engaged employers nobody has spoken to in 90 days need a follow-up too.
    assert names(client.get("/network/employers/", {"follow_up": "on"})) == {mine.name, nobody.name, offering.name}
    InteractionFactory(employer=mine, occurred_at=timezone.now())
    InteractionFactory(employer=offering, occurred_at=timezone.now())
    assert names(client.get("/network/employers/", {"follow_up": "on"})) == {nobody.name}


def test_a_bad_filter_value_is_ignored_rather_than_failing(rita):
    EmployerFactory(name="Still listed")

    response = signed_in(rita).get("/network/employers/", {"stage": "nonsense", "step": "abc"})

    assert response.status_code == 200
    assert names(response) == {"Still listed"}


def test_the_employer_list_pages_by_cursor_without_gaps_or_repeats(rita):
    for n in range(120):
        EmployerFactory(name=f"Werkgever {n:03d}")
    client = signed_in(rita)

    first = client.get("/network/employers/")
    second = client.get("/network/employers/", {"cursor": first.context["page"].next_cursor})
    third = client.get("/network/employers/", {"cursor": second.context["page"].next_cursor})
    back = client.get("/network/employers/", {"cursor": second.context["page"].prev_cursor})

    pages = [[e.name for e in r.context["page"].rows] for r in (first, second, third)]
    assert [len(p) for p in pages] == [50, 50, 20]
    assert sorted(pages[0] + pages[1] + pages[2]) == [f"Werkgever {n:03d}" for n in range(120)]
    assert pages[0] == sorted(pages[0]) and pages[0][-1] < pages[1][0] < pages[2][0]
    assert third.context["page"].next_cursor == ""
    assert [e.name for e in back.context["page"].rows] == pages[0]
    assert back.context["page"].prev_cursor == ""


def test_a_tampered_cursor_shows_the_first_page(rita):
    EmployerFactory(name="First")

    response = signed_in(rita).get("/network/employers/", {"cursor": "not-a-cursor!"})

    assert names(response) == {"First"}


def test_keyset_pages_keep_ties_in_primary_key_order(rita):
    employers = [EmployerFactory(name="Zelfde Naam", postcode=f"{1000 + n} AA") for n in range(5)]

    first = keyset_page(Employer.objects.all(), key="normalised_name", cursor="", size=2)
    second = keyset_page(Employer.objects.all(), key="normalised_name", cursor=first.next_cursor, size=2)
    third = keyset_page(Employer.objects.all(), key="normalised_name", cursor=second.next_cursor, size=2)

    assert [e.pk for e in first.rows + second.rows + third.rows] == [e.pk for e in employers]


def test_the_count_stops_at_the_cap():
    EmployerFactory.create_batch(7)

    assert capped_count(Employer.objects.all(), cap=5) == (5, True)
    assert capped_count(Employer.objects.all(), cap=7) == (7, False)


def test_an_htmx_filter_request_gets_only_the_results(rita):
    EmployerFactory(name="Fragment")

    response = signed_in(rita).get("/network/employers/", {"q": "frag"}, HTTP_HX_TARGET="employer-results", **HTMX)

    assert "Fragment" in text(response)
    assert "<html" not in text(response)


def _employers_with_everything(rows, owner):
    step = LadderStep.objects.get(position=19)
    for _ in range(rows):
        employer = EmployerFactory(owner=owner, stage=Stage.ENGAGED)
        VacancyFactory(employer=employer).ladder_steps.add(step)
        InteractionFactory(employer=employer, next_step="Bellen", next_step_due=timezone.localdate())


@pytest.mark.parametrize("rows", [1, 50])
def test_the_employer_list_runs_the_same_queries_for_1_and_50_rows(rita, django_assert_max_num_queries, rows):
    _employers_with_everything(rows, rita)
    client = signed_in(rita)

    with django_assert_max_num_queries(8):
        response = client.get("/network/employers/", {"owner": "me", "follow_up": "on"})

    assert len(response.context["page"].rows) == rows


# --- Board ------------------------------------------------------------------------------------


def test_the_board_shows_my_employers_by_stage_unless_everyone_is_asked_for(rita):
    EmployerFactory(name="Mijn prospect", owner=rita, stage=Stage.PROSPECT)
    EmployerFactory(name="Mijn partner", owner=rita, stage=Stage.ACTIVE)
    EmployerFactory(name="Van een ander", stage=Stage.ACTIVE)
    client = signed_in(rita)

    mine = {c.stage: [e.name for e in c.cards] for c in client.get("/network/board/").context["columns"]}
    everyone = {
        c.stage: {e.name for e in c.cards} for c in client.get("/network/board/", {"everyone": "on"}).context["columns"]
    }

    assert mine[Stage.PROSPECT] == ["Mijn prospect"] and mine[Stage.ACTIVE] == ["Mijn partner"]
    assert everyone[Stage.ACTIVE] == {"Mijn partner", "Van een ander"}


def test_moving_an_employer_on_the_board_records_the_move(rita):
    employer = EmployerFactory(name="Op weg", owner=rita, stage=Stage.CONTACTED)

    response = signed_in(rita).post(reverse("crm:move", args=[employer.pk]), {"stage": Stage.ENGAGED}, **HTMX)

    employer.refresh_from_db()
    assert employer.stage == Stage.ENGAGED
    change = EmployerStageChange.objects.get(employer=employer, to_stage=Stage.ENGAGED)
    assert change.from_stage == Stage.CONTACTED and change.changed_by == rita
    columns = {c.stage: [e.pk for e in c.cards] for c in response.context["columns"]}
    assert columns[Stage.ENGAGED] == [employer.pk] and columns[Stage.CONTACTED] == []
    assert "<html" not in text(response)


def test_a_move_without_htmx_redirects_back_to_the_board(rita):
    employer = EmployerFactory(owner=rita)

    response = signed_in(rita).post(reverse("crm:move", args=[employer.pk]), {"stage": Stage.CONTACTED})

    assert response.status_code == 302 and response["Location"] == reverse("crm:board")
    employer.refresh_from_db()
    assert employer.stage == Stage.CONTACTED


def test_a_move_from_the_employer_page_returns_there_but_never_to_another_site(rita):
    employer = EmployerFactory(owner=rita)
    page = reverse("crm:employer", args=[employer.pk])
    client = signed_in(rita)

    back = client.post(reverse("crm:move", args=[employer.pk]), {"stage": Stage.CONTACTED, "next": page})
    elsewhere = client.post(
        reverse("crm:move", args=[employer.pk]), {"stage": Stage.ENGAGED, "next": "https://evil.example/"}
    )

    assert back["Location"] == page
    assert elsewhere["Location"] == reverse("crm:board")
    assert EmployerStageChange.objects.filter(employer=employer).count() == 2


def test_a_refused_move_changes_nothing_and_says_why(rita):
    employer = EmployerFactory(owner=rita, do_not_engage=True, do_not_engage_reason="Zwartwerk vastgesteld")

    response = signed_in(rita).post(reverse("crm:move", args=[employer.pk]), {"stage": Stage.ACTIVE}, **HTMX)

    assert "Zwartwerk vastgesteld" in text(response)
    employer.refresh_from_db()
    assert employer.stage == Stage.PROSPECT
    assert not EmployerStageChange.objects.filter(employer=employer).exists()


def test_an_unknown_stage_is_refused(rita):
    employer = EmployerFactory(owner=rita)

    response = signed_in(rita).post(reverse("crm:move", args=[employer.pk]), {"stage": "heaven"}, **HTMX)

    assert response.context["error"]
    employer.refresh_from_db()
    assert employer.stage == Stage.PROSPECT


# --- Employer page ----------------------------------------------------------------------------


def test_the_employer_page_shows_profile_contacts_vacancies_placements_and_one_timeline(rita):
    employer = EmployerFactory(name="Zorggroep Zon", owner=rita)
    ContactFactory(employer=employer, first_name="Petra", last_name="Smit")
    VacancyFactory(employer=employer, title="Helpende zorg")
    placement = PlacementFactory(employer=employer, job_title="Gastvrouw")
    InteractionFactory(employer=employer, summary="Kennismaking op locatie", kind=InteractionKind.VISIT)
    EmployerStageChange.objects.create(employer=employer, from_stage=Stage.PROSPECT, to_stage=Stage.CONTACTED)

    response = signed_in(rita).get(reverse("crm:employer", args=[employer.pk]))

    page = text(response)
    for expected in ("Zorggroep Zon", "Petra Smit", "Helpende zorg", "Gastvrouw", "Kennismaking op locatie"):
        assert expected in page
    assert reverse("placements:placement", args=[placement.pk]) in page
    kinds = [bool(entry.interaction) for entry in response.context["timeline"]]
    assert sorted(kinds) == [False, True]
    assert "No info packs yet." in page and "No survey results yet." in page


def test_a_coach_sees_only_her_own_placements_on_an_employer_page(alice, bob):
    employer = EmployerFactory()
    PlacementFactory(employer=employer, client=ClientFactory(coach=alice), job_title="Alice haar plaatsing")
    PlacementFactory(employer=employer, client=ClientFactory(coach=bob), job_title="Bob zijn plaatsing")

    page = text(signed_in(alice).get(reverse("crm:employer", args=[employer.pk])))

    assert "Alice haar plaatsing" in page
    assert "Bob zijn plaatsing" not in page


def test_logging_a_call_with_a_next_step_adds_it_to_the_timeline(rita):
    employer = EmployerFactory(owner=rita, stage=Stage.PROSPECT)
    contact = ContactFactory(employer=employer)
    due = timezone.localdate() + dt.timedelta(days=3)
    form = {
        "kind": InteractionKind.CALL,
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "contact": contact.pk,
        "minutes": "15",
        "summary": "Gebeld over een proefplaats",
        "outcome": "positive",
        "next_step": "Rondleiding plannen",
        "next_step_due": due.isoformat(),
    }

    response = signed_in(rita).post(reverse("crm:log-interaction", args=[employer.pk]), form, **HTMX)

    interaction = Interaction.objects.get(employer=employer)
    assert interaction.author == rita and interaction.contact == contact and interaction.minutes == 15
    assert interaction.next_step == "Rondleiding plannen" and interaction.next_step_due == due
    assert "Gebeld over een proefplaats" in text(response)
    employer.refresh_from_db()
    assert employer.stage == Stage.CONTACTED  # the first contact moves a prospect on


def test_a_next_step_without_a_date_is_refused_and_the_form_keeps_what_was_typed(rita):
    employer = EmployerFactory(owner=rita)
    form = {
        "kind": InteractionKind.VISIT,
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "minutes": "30",
        "summary": "Bezoek aan de werkvloer",
        "next_step": "Contract opsturen",
    }

    response = signed_in(rita).post(reverse("crm:log-interaction", args=[employer.pk]), form, **HTMX)

    assert response.status_code == 200
    assert not Interaction.objects.filter(employer=employer).exists()
    page = text(response)
    assert "A next step needs a due date." in page
    assert "Bezoek aan de werkvloer" in page and 'value="Contract opsturen"' in page


def test_a_contact_of_another_employer_cannot_be_chosen(rita):
    employer = EmployerFactory(owner=rita)
    stranger = ContactFactory()
    form = {
        "kind": InteractionKind.CALL,
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "contact": stranger.pk,
        "minutes": "5",
        "summary": "Verkeerd nummer",
    }

    signed_in(rita).post(reverse("crm:log-interaction", args=[employer.pk]), form, **HTMX)

    assert not Interaction.objects.exists()


def test_logging_without_htmx_redirects_to_the_employer_page(rita):
    employer = EmployerFactory(owner=rita)
    form = {
        "kind": InteractionKind.EMAIL,
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "minutes": "0",
        "summary": "Mail gestuurd",
    }

    response = signed_in(rita).post(reverse("crm:log-interaction", args=[employer.pk]), form)

    assert response.status_code == 302 and response["Location"] == reverse("crm:employer", args=[employer.pk])
    assert Interaction.objects.filter(employer=employer, summary="Mail gestuurd").exists()


@pytest.mark.parametrize("rows", [1, 50])
def test_the_employer_page_runs_the_same_queries_for_1_and_50_rows(rita, django_assert_max_num_queries, rows):
    employer = EmployerFactory(owner=rita)
    step = LadderStep.objects.get(position=19)
    for _ in range(rows):
        contact = ContactFactory(employer=employer)
        VacancyFactory(employer=employer).ladder_steps.add(step)
        InteractionFactory(employer=employer, contact=contact, author=rita)
        EmployerStageChange.objects.create(employer=employer, to_stage=Stage.CONTACTED, changed_by=rita)
        PlacementFactory(employer=employer, mentor=contact)
    client = signed_in(rita)

    # 14 for the page itself, 5 for the info pack and evaluation sections; none per row.
    with django_assert_max_num_queries(19):
        response = client.get(reverse("crm:employer", args=[employer.pk]))

    assert len(response.context["timeline"]) == 2 * rows


# --- Import -----------------------------------------------------------------------------------

GOOD_CSV = (
    "registration_number,name,postcode,city,sector\n"
    "30700001,Bakkerij Het Anker,3511 AB,Utrecht,hospitality\n"
    "30700002,Wasserij Oost,3512 CD,Utrecht,cleaning\n"
)
BAD_CSV = (
    "registration_number,name,postcode,city,sector\n"
    "30700003,Goed Bedrijf,3511 AB,Utrecht,hospitality\n"
    "30700004,Fout Bedrijf,3512 CD,Utrecht,bakery-of-dreams\n"
)


def upload(client: Client, content: str, name: str = "employers.csv", kind: str = "employers"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(name, content.encode(), content_type="text/csv")
    return client.post(reverse("crm:import"), {"kind": kind, "file": file})


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def ticket_of(response) -> str:
    found = re.search(r'name="ticket" value="([^"]+)"', text(response))
    assert found, "no confirm button"
    return found.group(1)


def test_an_import_previews_as_a_dry_run_then_imports_on_confirmation(rita, media):
    client = signed_in(rita)

    preview = upload(client, GOOD_CSV)

    assert preview.context["report"].ok and preview.context["report"].created == 2
    assert not Employer.objects.filter(registration_number__in=["30700001", "30700002"]).exists()

    done = client.post(reverse("crm:import"), {"ticket": ticket_of(preview)})

    assert done.context["confirmed"] and done.context["report"].ok
    assert set(Employer.objects.values_list("name", flat=True)) == {"Bakkerij Het Anker", "Wasserij Oost"}
    assert list((media / "imports").iterdir()) == []


def test_an_import_with_a_bad_row_shows_the_row_and_offers_no_confirmation(rita, media):
    response = upload(signed_in(rita), BAD_CSV)

    page = text(response)
    assert "bakery-of-dreams" in page
    assert re.search(r">\s*3\s*<", page)  # line 3 of the file: the header is line 1
    assert 'name="ticket"' not in page
    assert not Employer.objects.exists()


def test_an_unreadable_file_is_refused_with_a_message(rita, media):
    response = upload(signed_in(rita), "", name="empty.csv")

    assert response.status_code == 200
    assert 'name="ticket"' not in text(response)
    assert not Employer.objects.exists()


def test_a_file_that_is_not_csv_or_xlsx_is_refused(rita, media):
    response = upload(signed_in(rita), "%PDF-1.4", name="employers.pdf")

    assert "Upload a .csv or .xlsx file." in text(response)


def test_a_confirmation_cannot_be_replayed_forged_or_used_by_someone_else(rita, adam, media):
    client = signed_in(rita)
    ticket = ticket_of(upload(client, GOOD_CSV))

    stolen = signed_in(adam).post(reverse("crm:import"), {"ticket": ticket})
    forged = client.post(reverse("crm:import"), {"ticket": ticket[:-3] + "xyz"})

    assert stolen.status_code == 302 and forged.status_code == 302
    assert not Employer.objects.exists()
    client.post(reverse("crm:import"), {"ticket": ticket})
    assert Employer.objects.count() == 2
    replay = client.post(reverse("crm:import"), {"ticket": ticket})
    assert replay.status_code == 302
    assert Employer.objects.count() == 2


# --- Background import ------------------------------------------------------------------------


def job_id_of(response) -> str:
    assert response.status_code == 302, response.status_code
    return response["Location"].rstrip("/").rsplit("/", 1)[1]


def test_a_big_file_is_dry_run_and_imported_by_a_queued_task_with_progress(
    rita, media, settings, django_capture_on_commit_callbacks
):
    from crm.import_jobs import perform_import_job

    settings.IMPORT_BACKGROUND_BYTES = 10
    client = signed_in(rita)

    with django_capture_on_commit_callbacks() as queued:
        job_id = job_id_of(upload(client, GOOD_CSV))
    waiting = client.get(reverse("crm:import-job", args=[job_id]))

    assert len(queued) == 1
    assert "Waiting for a worker" in text(waiting) and 'hx-trigger="every 1s"' in text(waiting)
    assert not Employer.objects.exists()

    job = perform_import_job(job_id)
    checked = client.get(reverse("crm:import-job", args=[job_id]), **HTMX)

    assert job is not None and (job.processed, job.total, job.percent) == (2, 2, 100)
    assert "Dry run, nothing saved" in text(checked) and "every 1s" not in text(checked)
    # The poll that finds it done reads the outcome out and puts the focus on the report.
    assert '<div id="live" hx-swap-oob="innerHTML"><p>Dry run, nothing saved' in text(checked)
    assert 'id="import-report" aria-labelledby="report-title" tabindex="-1" autofocus>' in text(checked)
    assert not Employer.objects.exists()

    with django_capture_on_commit_callbacks() as queued_again:
        second = job_id_of(client.post(reverse("crm:import"), {"ticket": ticket_of(checked)}))
    perform_import_job(second)
    done = client.get(reverse("crm:import-job", args=[second]))

    assert len(queued_again) == 1
    assert "Imported 2 rows" in text(done)
    assert set(Employer.objects.values_list("name", flat=True)) == {"Bakkerij Het Anker", "Wasserij Oost"}


def test_a_big_file_with_a_bad_row_reports_it_and_offers_no_confirmation(rita, media, settings):
    from crm.import_jobs import ImportJob, perform_import_job

    settings.IMPORT_BACKGROUND_BYTES = 10
    client = signed_in(rita)
    job_id = job_id_of(upload(client, BAD_CSV))

    perform_import_job(job_id)
    page = text(client.get(reverse("crm:import-job", args=[job_id])))

    assert "bakery-of-dreams" in page and 'name="ticket"' not in page
    job = ImportJob.load(job_id)
    assert job is not None and not job.upload.exists()
    assert not Employer.objects.exists()


def test_a_queued_import_runs_once_however_often_it_is_delivered(rita, media, settings):
    from crm.import_jobs import perform_import_job

    settings.IMPORT_BACKGROUND_BYTES = 10
    client = signed_in(rita)
    checked = job_id_of(upload(client, GOOD_CSV))
    perform_import_job(checked)
    real = job_id_of(
        client.post(reverse("crm:import"), {"ticket": ticket_of(client.get(f"/network/import/jobs/{checked}/"))})
    )

    perform_import_job(real)
    again = perform_import_job(real)

    assert again is not None and again.state == "done"
    assert Employer.objects.count() == 2
    assert EmployerStageChange.objects.count() == 2


def test_an_import_job_is_only_visible_to_the_user_who_started_it(rita, adam, media, settings):
    settings.IMPORT_BACKGROUND_BYTES = 10
    job_id = job_id_of(upload(signed_in(rita), GOOD_CSV))

    assert signed_in(adam).get(reverse("crm:import-job", args=[job_id])).status_code == 404
    assert signed_in(rita).get("/network/import/jobs/..%2F..%2Fetc/").status_code == 404
    assert signed_in(rita).get(reverse("crm:import-job", args=["0" * 32])).status_code == 404


def test_uploads_nobody_came_back_for_are_removed_after_a_day(media):
    import os
    import time

    from crm.import_jobs import jobs_dir, remove_stale_files

    jobs_dir().mkdir(parents=True)
    old, fresh = jobs_dir() / "old.csv", jobs_dir() / "fresh.csv"
    old.write_text("x")
    fresh.write_text("y")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))

    assert remove_stale_files() == 1
    assert not old.exists() and fresh.exists()
