"""The employer's own forms: add and edit with the duplicate check, vetting, the profile, and declining."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from crm import services
from crm.choices import SectorGender, Stage
from crm.models import Employer, EmployerStageChange, Interaction
from tests.crm.factories import EmployerFactory, InteractionFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
NEW = reverse("crm:employer-new")
DUPLICATES = reverse("crm:employer-duplicates")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def core(**extra: str) -> dict[str, str]:
    """What a relationship manager types into the new-employer form."""
    data = {"name": "Bakkerij De Vries", "postcode": "3511 AB", "city": "Utrecht", "country": "NL"}
    data.update({"ownership": "profit", **extra})
    return data


def linked_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/network/employers/(\d+)/"', html)]


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


# --- Adding and editing -------------------------------------------------------------------------


def test_a_relationship_manager_adds_an_employer_and_owns_it_by_default(rita):
    client = signed_in(rita)
    form = client.get(NEW).context["form"]

    response = client.post(NEW, core(registration_number="1234 5678", owner=str(form["owner"].value())))

    employer = Employer.objects.get()
    assert response["Location"] == reverse("crm:employer", args=[employer.pk])
    assert employer.owner == rita and employer.registration_number == "12345678" and employer.postcode == "3511AB"
    assert EmployerStageChange.objects.filter(employer=employer, from_stage="", changed_by=rita).exists()


def test_the_duplicates_shown_as_you_type_are_the_ones_the_api_answers_409_with(rita):
    same_name = EmployerFactory(name="Bakkerij de Vries B.V.", postcode="3511AB", registration_number="")
    same_number = EmployerFactory(name="Iets Heel Anders", registration_number="87654321")
    EmployerFactory(name="Bakkerij De Vries", postcode="9999ZZ", registration_number="")
    typed = {"name": "bakkerij de vries", "postcode": "3511 ab", "registration_number": "8765 4321"}

    shown = signed_in(rita).get(DUPLICATES, typed, **HTMX)
    api = APIClient()
    api.force_authenticate(rita)
    conflict = api.post("/api/v1/employers/", {**typed, "country": "NL"}, format="json")

    assert conflict.status_code == 409
    assert linked_ids(text(shown)) == [m["id"] for m in conflict.json()["matches"]] == [same_name.pk, same_number.pk]
    assert 'aria-live="polite"' not in text(shown) and "<html" not in text(shown)
    # read out by the page's live region, with the names found, while the focus stays in the field
    assert (
        '<div id="live" hx-swap-oob="innerHTML"><p>This employer may already exist, 2 employers look like it:</p>\n'
        "<p>Bakkerij de Vries B.V., Iets Heel Anders</p>" in text(shown)
    )


def test_the_new_employer_form_asks_for_the_duplicate_check_as_you_type(rita):
    page = text(signed_in(rita).get(NEW))

    assert f'hx-get="{DUPLICATES}"' in page
    assert 'hx-trigger="input changed delay:400ms"' in page
    assert '<div id="duplicates">' in page and '<div id="live" class="visually-hidden" role="status"' in page


def test_the_edit_form_leaves_the_employer_itself_out_of_its_duplicates(rita):
    employer = EmployerFactory(name="Eigen Naam", postcode="1000AA")

    response = signed_in(rita).get(
        DUPLICATES, {"name": "Eigen Naam", "postcode": "1000AA", "exclude": str(employer.pk)}, **HTMX
    )

    assert linked_ids(text(response)) == []


def test_saving_a_duplicate_shows_the_match_with_a_link_and_creates_nothing(rita):
    known = EmployerFactory(name="Café Het Hoekje", postcode="1012AB")

    response = signed_in(rita).post(NEW, core(name="cafe het hoekje vof", postcode="1012 ab"))

    assert response.status_code == 200
    assert linked_ids(text(response)) == [known.pk]
    assert "An employer with this name and postcode already exists." in text(response)
    assert 'value="cafe het hoekje vof"' in text(response)
    assert Employer.objects.count() == 1


def test_create_anyway_never_gets_past_a_taken_registration_number(rita):
    EmployerFactory(registration_number="11112222")

    response = signed_in(rita).post(NEW, core(registration_number="11112222", create_anyway="on"))

    assert "An employer with this registration number already exists." in text(response)
    assert 'name="create_anyway"' not in text(response)
    assert Employer.objects.count() == 1


def test_a_look_alike_that_breaks_no_unique_rule_is_created_after_create_anyway(rita, monkeypatch):
    # Today every match of the shared rule also breaks a unique constraint; should the rule ever match more
    # loosely (e.g. the same name elsewhere), the form asks to confirm instead of refusing.
    similar = EmployerFactory(name="Bakkerij De Vries", postcode="9999ZZ")
    monkeypatch.setattr(services, "find_duplicate_employers", lambda **kwargs: [similar])
    client = signed_in(rita)

    asked = client.post(NEW, core())
    created = client.post(NEW, core(create_anyway="on"))

    assert 'name="create_anyway"' in text(asked) and linked_ids(text(asked)) == [similar.pk]
    assert created.status_code == 302
    assert Employer.objects.filter(normalised_name="bakkerij de vries").count() == 2


def test_editing_saves_the_core_data(rita, adam):
    employer = EmployerFactory(name="Oud", owner=rita)

    response = signed_in(rita).post(
        reverse("crm:employer-edit", args=[employer.pk]),
        core(name="Nieuw B.V.", website="nieuw.example", owner=str(adam.pk), notes="Belt liever 's ochtends"),
    )

    assert response.status_code == 302
    employer.refresh_from_db()
    assert employer.name == "Nieuw B.V." and employer.normalised_name == "nieuw"
    assert employer.website == "https://nieuw.example" and employer.owner == adam
    assert employer.notes == "Belt liever 's ochtends"


def test_editing_into_another_employers_number_is_refused_naming_it(rita):
    other = EmployerFactory(registration_number="55556666")
    employer = EmployerFactory(name="Blijft Zo", registration_number="12121212")

    response = signed_in(rita).post(
        reverse("crm:employer-edit", args=[employer.pk]), core(name="Blijft Zo", registration_number="55556666")
    )

    assert linked_ids(text(response)) == [other.pk, employer.pk]  # the match, then "Cancel"
    assert "An employer with this registration number already exists." not in text(response)
    employer.refresh_from_db()
    assert employer.registration_number == "12121212"


def test_an_empty_name_is_refused_with_the_input_kept(rita):
    response = signed_in(rita).post(NEW, core(name="  ", city="Zwolle"))

    assert response.status_code == 200 and "errorlist" in text(response)
    assert 'value="Zwolle"' in text(response)
    assert not Employer.objects.exists()


# --- Vetting and profile ------------------------------------------------------------------------


def test_ticking_all_nine_conditions_vets_the_employer_and_the_page_shows_it(rita):
    employer = EmployerFactory()
    checks = dict.fromkeys(Employer.VETTING_FIELDS, "on")
    client = signed_in(rita)

    response = client.post(reverse("crm:employer-vetting", args=[employer.pk]), checks)

    employer.refresh_from_db()
    assert response.status_code == 302
    assert employer.is_vetted and employer.vetted_at is not None
    page = text(client.get(reverse("crm:employer", args=[employer.pk])))
    assert "All nine conditions confirmed on" in page


def test_unticking_a_condition_clears_the_vetted_date(rita):
    employer = EmployerFactory(vetted_at=timezone.now(), **dict.fromkeys(Employer.VETTING_FIELDS, True))
    checks = dict.fromkeys(Employer.VETTING_FIELDS[1:], "on")

    signed_in(rita).post(reverse("crm:employer-vetting", args=[employer.pk]), checks)

    employer.refresh_from_db()
    assert employer.vetting_score == 8 and employer.vetted_at is None


def test_do_not_engage_without_a_reason_is_refused_and_changes_nothing(rita):
    employer = EmployerFactory()

    response = signed_in(rita).post(
        reverse("crm:employer-vetting", args=[employer.pk]), {"do_not_engage": "on", "vet_no_prejudice": "on"}
    )

    assert "Say why this employer should not be engaged." in text(response)
    employer.refresh_from_db()
    assert not employer.do_not_engage and not employer.vet_no_prejudice


def test_do_not_engage_with_a_reason_is_shown_on_the_employer_page(rita):
    employer = EmployerFactory()
    client = signed_in(rita)

    client.post(
        reverse("crm:employer-vetting", args=[employer.pk]),
        {"do_not_engage": "on", "do_not_engage_reason": "Zwartwerk vastgesteld"},
    )

    employer.refresh_from_db()
    assert employer.do_not_engage and employer.do_not_engage_reason == "Zwartwerk vastgesteld"
    assert "Zwartwerk vastgesteld" in text(client.get(reverse("crm:employer", args=[employer.pk])))


def test_the_profile_form_asks_all_thirteen_questions_with_three_way_answers(rita):
    employer = EmployerFactory(offers_flexitime=False)

    response = signed_in(rita).get(reverse("crm:employer-profile", args=[employer.pk]))

    page = text(response)
    assert len(response.context["form"].questions()) == 13
    assert page.count('<legend class="question">') == 13
    assert re.search(r'name="offers_flexitime" value="false"[^>]*checked', page)
    assert re.search(r'name="childcare_support" value="unknown"[^>]*checked', page)


def test_the_profile_keeps_yes_no_and_not_asked_apart(rita):
    employer = EmployerFactory(union_delegation=True, harassment_procedure=True)
    data = {
        "sector_gender": SectorGender.FEMALE,
        "share_women_pct": "70",
        "offers_flexitime": "true",
        "childcare_support": "false",
        "union_delegation": "unknown",
        "influence_channels": "Werkoverleg elke maandag",
    }

    response = signed_in(rita).post(reverse("crm:employer-profile", args=[employer.pk]), data)

    assert response.status_code == 302
    employer.refresh_from_db()
    assert (employer.offers_flexitime, employer.childcare_support) == (True, False)
    assert employer.union_delegation is None and employer.harassment_procedure is None
    assert employer.share_women_pct == 70 and employer.influence_channels == "Werkoverleg elke maandag"


def test_a_share_over_100_percent_is_refused_and_nothing_changes(rita):
    employer = EmployerFactory(share_women_pct=40)

    response = signed_in(rita).post(
        reverse("crm:employer-profile", args=[employer.pk]), {"share_women_pct": "140", "atmosphere": "Goed"}
    )

    assert response.status_code == 200 and "errorlist" in text(response)
    assert "Goed" in text(response)
    employer.refresh_from_db()
    assert employer.share_women_pct == 40 and employer.atmosphere == ""


def test_the_employer_page_summarises_the_profile(rita):
    employer = EmployerFactory(childcare_support=True, hard_to_fill_functions="Nachtdiensten")

    page = text(signed_in(rita).get(reverse("crm:employer", args=[employer.pk])))

    assert "2 of 13 questions answered." in page
    assert "Nachtdiensten" in page


# --- Declining ----------------------------------------------------------------------------------


def test_declining_on_the_board_records_the_reason_and_plans_the_retry(rita):
    employer = EmployerFactory(owner=rita, stage=Stage.CONTACTED)
    old_step = InteractionFactory(employer=employer, next_step="Terugbellen", next_step_due=timezone.localdate())
    retry = timezone.localdate() + dt.timedelta(days=90)

    response = signed_in(rita).post(
        reverse("crm:move", args=[employer.pk]),
        {
            "stage": Stage.DECLINED,
            "decline_reason": "no_need",
            "reason": "Geen ruimte na de reorganisatie",
            "retry_on": retry.isoformat(),
        },
        **HTMX,
    )

    employer.refresh_from_db()
    assert employer.stage == Stage.DECLINED
    change = EmployerStageChange.objects.get(employer=employer, to_stage=Stage.DECLINED)
    assert change.note == "Geen ruimte na de reorganisatie" and change.decline_reason == "no_need"
    step = Interaction.objects.open_next_steps().get(employer=employer)
    assert step.next_step == "Try again: Geen ruimte na de reorganisatie"
    assert step.next_step_due == retry and step.author == rita
    old_step.refresh_from_db()
    assert old_step.next_step_done_at is not None
    assert "moved to Declined" in text(response)


def test_declining_from_the_employer_page_returns_there(rita):
    employer = EmployerFactory(owner=rita, stage=Stage.CONTACTED)
    page = reverse("crm:employer", args=[employer.pk])

    response = signed_in(rita).post(
        reverse("crm:move", args=[employer.pk]),
        {
            "stage": Stage.DECLINED,
            "decline_reason": "other",
            "reason": "Te druk",
            "retry_on": tomorrow().isoformat(),
            "next": page,
        },
    )

    assert response["Location"] == page
    assert Interaction.objects.open_next_steps().get(employer=employer).next_step_due == tomorrow()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decline_reason": "language", "retry_on": "2099-01-01"}, "Say why the employer declined."),
        ({"decline_reason": "language", "reason": "Te druk"}, "Pick a date to try again."),
        (
            {"decline_reason": "language", "reason": "Te druk", "retry_on": "2000-01-01"},
            "Pick a date after today to try again.",
        ),
        ({"reason": "Te druk", "retry_on": "2099-01-01"}, "Choose the main reason they declined."),
        (
            {"decline_reason": "bored", "reason": "Te druk", "retry_on": "2099-01-01"},
            "Select a valid choice. bored is not one of the available choices.",
        ),
    ],
)
def test_declining_without_a_reason_or_a_future_date_is_refused_and_changes_nothing(rita, data, message):
    employer = EmployerFactory(owner=rita, stage=Stage.CONTACTED)

    page = signed_in(rita).post(reverse("crm:move", args=[employer.pk]), {"stage": Stage.DECLINED, **data})
    card = signed_in(rita).post(reverse("crm:move", args=[employer.pk]), {"stage": Stage.DECLINED, **data}, **HTMX)

    assert page.status_code == 200 and message in text(page) and "<html" in text(page)
    assert message in text(card) and card["HX-Retarget"] == f"#decline-{employer.pk}"
    assert data.get("reason", "") in text(page)
    # The error summary takes the focus and links the message to its field, whose id is the card's own.
    summary = re.search(
        r'<div class="error-summary" id="decline-(\d+)-error-summary" tabindex="-1" autofocus', text(card)
    )
    assert summary and summary.group(1) == str(employer.pk)
    field = re.search(rf'<li><a href="#(decline-{employer.pk}-\w+)">[^<]*: {re.escape(message)}</a></li>', text(card))
    assert field and f'id="{field.group(1)}"' in text(card)
    assert '<div id="live" hx-swap-oob="innerHTML"><p>Not moved: the form lists what needs changing.</p>' in text(card)
    assert 'role="alert"' in text(page) and 'id="live" hx-swap-oob' not in text(page)
    employer.refresh_from_db()
    assert employer.stage == Stage.CONTACTED
    assert not EmployerStageChange.objects.filter(employer=employer).exists()
    assert not Interaction.objects.filter(employer=employer).exists()


def test_the_decline_page_asks_for_the_reason_and_date_without_javascript(rita):
    employer = EmployerFactory(owner=rita)

    page = signed_in(rita).get(reverse("crm:employer-decline", args=[employer.pk]), {"board": "1", "q": "bak"})
    fragment = signed_in(rita).get(reverse("crm:employer-decline", args=[employer.pk]), {"board": "1"}, **HTMX)

    assert "<html" in text(page) and 'name="retry_on"' in text(page) and "hx-post" not in text(page)
    assert f'value="{reverse("crm:board")}?q=bak"' in text(page)
    assert "<html" not in text(fragment) and "hx-post" in text(fragment) and "autofocus" in text(fragment)


def test_the_board_sends_declined_to_the_decline_form(rita):
    EmployerFactory(owner=rita, stage=Stage.CONTACTED)

    page = text(signed_in(rita).get(reverse("crm:board")))

    assert 'name="stage" value="declined"' not in page
    assert "/decline/?board=1" in page


# --- Links, permissions and query counts ---------------------------------------------------------


def test_the_list_and_the_employer_page_link_to_the_forms_for_those_who_may_change(rita, alice):
    employer = EmployerFactory()
    page = reverse("crm:employer", args=[employer.pk])

    manager = text(signed_in(rita).get(page)) + text(signed_in(rita).get(reverse("crm:employers")))
    coach = text(signed_in(alice).get(page)) + text(signed_in(alice).get(reverse("crm:employers")))

    for name in ("crm:employer-edit", "crm:employer-vetting", "crm:employer-profile"):
        assert reverse(name, args=[employer.pk]) in manager and reverse(name, args=[employer.pk]) not in coach
    assert NEW in manager and NEW not in coach


def test_a_coach_may_open_none_of_the_forms(alice):
    employer = EmployerFactory(stage=Stage.CONTACTED)
    client = signed_in(alice)
    forms = [NEW, DUPLICATES] + [
        reverse(name, args=[employer.pk])
        for name in ("crm:employer-edit", "crm:employer-vetting", "crm:employer-profile", "crm:employer-decline")
    ]

    assert [client.get(url).status_code for url in forms] == [403] * len(forms)
    assert [client.post(url, core()).status_code for url in forms if url != DUPLICATES] == [403] * (len(forms) - 1)
    move = {"stage": Stage.DECLINED, "reason": "x", "retry_on": tomorrow().isoformat()}
    assert client.post(reverse("crm:move", args=[employer.pk]), move).status_code == 403
    employer.refresh_from_db()
    assert employer.stage == Stage.CONTACTED and Employer.objects.count() == 1


@pytest.mark.parametrize("rows", [1, 50])
def test_the_duplicate_check_runs_the_same_queries_for_1_and_50_employers(rita, django_assert_max_num_queries, rows):
    for n in range(rows):
        EmployerFactory(name=f"Bakkerij {n}", postcode="3511AB", registration_number=f"{20000000 + n}")
    client = signed_in(rita)
    typed = {"name": "Bakkerij 0", "postcode": "3511 AB", "registration_number": f"{20000000 + rows - 1}"}

    with django_assert_max_num_queries(5):  # session, user, two permission reads, the match
        response = client.get(DUPLICATES, typed, **HTMX)

    assert len(response.context["matches"]) == (1 if rows == 1 else 2)
