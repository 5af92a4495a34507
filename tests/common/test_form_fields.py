"""Workspace forms mark their optional and required fields and link every error to its field (WCAG 2.1 SC 1.3.1,
3.3.1 and 3.3.2), as the GOV.UK Design System's error summary and form fields do: each form comes back from the real
view with an error summary whose links lead to the invalid fields, and each invalid field says it is invalid and
names its error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client as WebClient
from django.test.html import Element, parse_html
from django.urls import reverse

from crm.choices import ContactRole, Language, VacancyKind
from placements.models import Client, Placement
from placements.services import activate_placement
from tests.crm.factories import EmployerFactory
from tests.placements.factories import ClientFactory, ConsentFactory, PlacementFactory

pytestmark = pytest.mark.django_db


# --- Reading the page ---------------------------------------------------------------------------------------------


@dataclass
class Page:
    """A rendered page as a tree, with the lookups the assertions need."""

    root: Element

    @classmethod
    def of(cls, response: object) -> Page:
        return cls(parse_html(response.content.decode()))  # type: ignore[attr-defined]

    def elements(self, node: Element | None = None) -> Iterator[Element]:
        node = self.root if node is None else node
        yield node
        for child in node.children:
            if isinstance(child, Element):
                yield from self.elements(child)

    def by_id(self, id_: str) -> Element:
        found = [element for element in self.elements() if attrs(element).get("id") == id_]
        assert len(found) == 1, f"{len(found)} elements with id {id_!r}"
        return found[0]

    def summary(self) -> Element:
        found = [element for element in self.elements() if "error-summary" in classes(element)]
        assert len(found) == 1, f"{len(found)} error summaries"
        return found[0]

    def label_for(self, id_: str) -> str:
        found = [e for e in self.elements() if e.name == "label" and attrs(e).get("for") == id_]
        assert len(found) == 1, f"{len(found)} labels for {id_!r}"
        return text(found[0])

    def fieldset_around(self, id_: str) -> Element:
        """The innermost fieldset that holds the element with this id."""
        target = self.by_id(id_)
        holders = [e for e in self.elements() if e.name == "fieldset" and target in list(self.elements(e))]
        assert holders, f"no fieldset around {id_!r}"
        return holders[-1]


def attrs(element: Element) -> dict[str, str | None]:
    return dict(element.attributes)


def classes(element: Element) -> list[str]:
    return (attrs(element).get("class") or "").split()


def text(element: Element) -> str:
    parts = [child if isinstance(child, str) else text(child) for child in element.children]
    return " ".join(" ".join(parts).split())


def signed_in(user: User) -> WebClient:
    web = WebClient()
    web.force_login(user)
    return web


# --- What every form with errors shows ----------------------------------------------------------------------------


def assert_errors_linked(page: Page, *fields: str) -> None:
    """The summary links each field; the field (or its group) is invalid and described by its own error list."""
    summary = page.summary()
    assert attrs(summary).get("tabindex") == "-1" and "autofocus" in attrs(summary)
    links = {attrs(a).get("href") for a in page.elements(summary) if a.name == "a"}
    for name in fields:
        auto_id = f"id_{name}"
        error_id = f"{auto_id}_error"
        assert "errorlist" in classes(page.by_id(error_id))
        group = not any(attrs(e).get("id") == auto_id and e.name != "div" for e in page.elements())
        target = f"{auto_id}_0" if group else auto_id
        assert f"#{target}" in links, f"the summary does not link {target}: {links}"
        field = page.by_id(target)
        assert attrs(field).get("aria-invalid") == "true", f"{target} is not aria-invalid"
        described = attrs(page.fieldset_around(target) if group else field).get("aria-describedby") or ""
        assert error_id in described.split(), f"{target} is not described by {error_id}: {described!r}"


def assert_marked(page: Page, *, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    """Required fields carry `required` and no optional mark; optional ones say "(optional)" in their label.

    A required select without an empty first choice always has an answer, and HTML allows `required` on a select
    only with that empty choice (Django leaves it out otherwise); it is required in that it is not marked optional.
    """
    for name in required:
        field = page.by_id(f"id_{name}")
        answered = field.name == "select" and all(
            attrs(option).get("value") for option in page.elements(field) if option.name == "option"
        )
        assert answered or "required" in attrs(field), f"{name} lacks required"
        assert "(optional)" not in page.label_for(f"id_{name}")
    for name in optional:
        assert "required" not in attrs(page.by_id(f"id_{name}")), f"{name} is marked required"
        assert "(optional)" in page.label_for(f"id_{name}"), f"{name} does not say (optional)"


def legend(fieldset: Element) -> str:
    legends = [child for child in fieldset.children if isinstance(child, Element) and child.name == "legend"]
    assert len(legends) == 1, "the fieldset has no legend of its own"
    return text(legends[0])


# --- The forms ----------------------------------------------------------------------------------------------------


def test_a_new_employer_with_errors_links_them_and_marks_its_fields(rita):
    response = signed_in(rita).post(
        reverse("crm:employer-new"), {"name": "", "ownership": "private", "country": "NL", "website": "geen adres"}
    )

    page = Page.of(response)
    assert response.status_code == 200
    assert_errors_linked(page, "name", "website")
    assert_marked(page, required=("name", "country"), optional=("postcode", "notes", "website"))
    # What was typed is kept.
    assert attrs(page.by_id("id_website")).get("value") == "geen adres"


def test_a_contact_with_errors_links_them_and_marks_its_fields(rita):
    employer = EmployerFactory()

    response = signed_in(rita).post(
        reverse("crm:contact-new", args=[employer.pk]),
        {
            "first_name": "",
            "last_name": "Smit",
            "role": ContactRole.MENTOR,
            "email": "geen-adres",
            "preferred_language": Language.NL,
        },
    )

    page = Page.of(response)
    assert_errors_linked(page, "first_name", "email")
    assert_marked(page, required=("first_name", "role"), optional=("job_title", "phone"))


def test_a_vacancy_with_errors_links_them_and_its_ladder_steps_are_a_group(rita):
    employer = EmployerFactory()

    response = signed_in(rita).post(
        reverse("crm:vacancy-new", args=[employer.pk]),
        {"title": "", "kind": VacancyKind.PAID_JOB, "places": "1", "ladder_steps": ["999999"]},
    )

    page = Page.of(response)
    assert_errors_linked(page, "title", "ladder_steps")
    assert_marked(page, required=("title", "places"), optional=("reference", "description"))
    steps = page.fieldset_around("id_ladder_steps_0")
    assert legend(steps) == "Ladder steps it serves (optional)"


def test_a_new_client_with_errors_links_them_and_her_consents_are_a_group_with_a_legend(alice):
    response = signed_in(alice).post(
        reverse("placements:client-new"),
        {
            "reference": "",
            "coach": alice.pk,
            "preferred_language": "nl",
            "consents": ["no-such-purpose"],
            "consent_source": "signed_form",
        },
    )

    page = Page.of(response)
    assert_errors_linked(page, "reference", "consents")
    assert_marked(page, required=("reference", "coach", "consent_source"), optional=("first_name", "email"))
    consents = page.fieldset_around("id_consents_0")
    assert legend(consents) == "Consents she gives now (optional)"
    # The help and the error are inside the group, and the group names both.
    described = (attrs(consents).get("aria-describedby") or "").split()
    assert described == ["id_consents_helptext", "id_consents_error"]
    assert page.by_id("id_consents_helptext") in list(page.elements(consents))


def test_a_placement_with_errors_links_them_and_marks_its_fields(alice):
    client = ClientFactory(coach=alice)
    employer = EmployerFactory()

    response = signed_in(alice).post(
        reverse("placements:placement-new", args=[client.pk]) + f"?employer={employer.pk}",
        {
            "employer": employer.pk,
            "kind": VacancyKind.PAID_JOB,
            "job_title": "",
            "start_on": "",
            "schedule": "day",
            "action": "preview",
        },
    )

    page = Page.of(response)
    assert_errors_linked(page, "job_title", "start_on")
    assert_marked(page, required=("job_title", "start_on", "schedule"), optional=("planned_end_on", "plan"))


def active_placement(coach: User, client: Client | None = None) -> Placement:
    placement = PlacementFactory.create(client=client or ClientFactory(coach=coach), start_on=dt.date(2026, 10, 5))
    activate_placement(placement=placement, actor=None, now=dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
    placement.refresh_from_db()
    return placement


def test_ending_a_placement_without_saying_how_links_the_radio_group(alice):
    placement = active_placement(alice)

    response = signed_in(alice).post(
        reverse("placements:placement-end", args=[placement.pk]), {"how": "", "end_on": "", "action": "preview"}
    )

    page = Page.of(response)
    assert_errors_linked(page, "how", "end_on")
    group = page.fieldset_around("id_how_0")
    assert legend(group) == "How did it end?"
    assert all("required" in attrs(page.by_id(f"id_how_{index}")) for index in (0, 1))


def test_an_agreement_with_errors_links_them_and_marks_its_fields(alice):
    client = ClientFactory(coach=alice)

    response = signed_in(alice).post(reverse("placements:agreement-edit", args=[client.pk]), {"agreed_on": ""})

    page = Page.of(response)
    assert "agreed_on" in response.context["form"].errors
    assert_errors_linked(page, "agreed_on")
    assert_marked(page, required=("agreed_on",), optional=("goals_work", "share_with_employer", "change_note"))


def test_closing_a_file_with_errors_links_them(alice):
    client = ClientFactory(coach=alice)

    response = signed_in(alice).post(
        reverse("placements:client-close", args=[client.pk]),
        {"closing_reason": "", "destination": "", "closed_on": "", "preview": "1"},
    )

    page = Page.of(response)
    assert_errors_linked(page, "closing_reason", "closed_on")
    assert_marked(page, required=("closing_reason", "closed_on"), optional=("destination",))


def test_withdrawing_a_consent_with_errors_links_them_and_its_checkbox_comes_before_its_label(alice):
    client = ClientFactory(coach=alice)
    ConsentFactory(client=client, purpose="workplace_visits")
    active_placement(alice, client)

    response = signed_in(alice).post(
        reverse("placements:consent-withdraw", args=[client.pk, "workplace_visits"]),
        {"withdrawn_on": "", "source": "", "note": ""},
    )

    page = Page.of(response)
    assert_errors_linked(page, "withdrawn_on", "source")
    assert_marked(page, required=("withdrawn_on", "source"), optional=("note",))
    assert response.context["visits"]
    check = page.by_id("id_skip_visits")
    holder = next(e for e in page.elements() if "check" in classes(e) and check in e.children)
    names = [child.name for child in holder.children if isinstance(child, Element)]
    assert names == ["input", "label"] and "(optional)" not in page.label_for("id_skip_visits")


def test_a_failed_sign_in_is_summarised_and_an_empty_password_is_linked(client, rita):
    wrong = client.post(reverse("login"), {"username": "rita", "password": "wrong"})
    empty = client.post(reverse("login"), {"username": "rita", "password": ""})

    assert "Please enter a correct username and password" in text(Page.of(wrong).summary())
    page = Page.of(empty)
    assert_errors_linked(page, "password")
    assert_marked(page, required=("username", "password"), optional=())


def test_the_employer_profile_asks_its_yes_no_questions_as_radio_groups_with_legends(rita):
    employer = EmployerFactory()

    page = Page.of(signed_in(rita).get(reverse("crm:employer-profile", args=[employer.pk])))

    group = page.fieldset_around("id_offers_flexitime_0")
    assert legend(group) == "Flexitime possible (optional)"
    assert {attrs(e).get("type") for e in page.elements(group) if e.name == "input"} == {"radio"}


def test_a_form_without_errors_has_no_summary(rita):
    page = Page.of(signed_in(rita).get(reverse("crm:employer-new")))

    assert not [e for e in page.elements() if "error-summary" in classes(e)]
    assert_marked(page, required=("name",), optional=("notes",))


def test_the_vetting_checkboxes_come_before_their_labels(rita):
    employer = EmployerFactory()

    page = Page.of(signed_in(rita).get(reverse("crm:employer-vetting", args=[employer.pk])))

    check = page.by_id("id_vet_no_prejudice")
    holder = next(e for e in page.elements() if "check" in classes(e) and check in e.children)
    assert [child.name for child in holder.children if isinstance(child, Element)] == ["input", "label"]
    assert "(optional)" not in page.label_for("id_vet_no_prejudice")
