"""A relationship manager's walk in real Chromium, through the workspace only (never the admin).

Rita adds an employer (the duplicate check warns her while she types), a contact and an open vacancy at
ladder step 19, moves the employer to active, generates, previews and sends the general info pack, and
imports a semicolon CSV that Dutch Excel saved in Windows-1252. She opens only the home page by
address; everything after is clicks and typing, and a request listener fails the test if the page ever
asks for an admin address.

The test's live server runs no worker: the pack build and the mail are queued, and the test stands in
for the worker by running the same services the tasks run, for exactly what was queued.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from crm.choices import ContactRole, Stage, VacancyStatus
from crm.models import Contact, Employer, EmployerStageChange, Vacancy
from outreach.mail.models import MailStatus
from outreach.packs import services as pack_services
from outreach.packs.models import InfoPack, InfoPackDelivery, InfoPackKind, InfoPackStatus
from tests.browser.helpers import DESKTOP, assert_accessible, assert_no_admin, shoot, sign_in, watch_requests
from tests.crm.factories import EmployerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

KNOWN = "Bakkerij De Zon"
NEW = "Bakkerij De Korenaar"
POSTCODE = "3511 AB"
IMPORTED = "Café De Gouden Leeuw"
# What Dutch Excel writes for "CSV (gescheiden door lijstscheidingsteken)": semicolons, CRLF, Windows-1252.
EXCEL_CSV = f"naam;postcode;plaats\r\n{IMPORTED};3512 CD;Utrecht\r\n".encode("cp1252")


@pytest.fixture
def queues(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """What the pages queue for a worker (pack builds, mail batches), kept here instead of sent to a broker.

    The live server runs in this process, so the patches apply to its requests too; uploads and built
    PDFs go to a temporary media folder.
    """
    settings.MEDIA_ROOT = tmp_path
    queued: dict[str, list[Any]] = {"builds": [], "mails": []}
    monkeypatch.setattr(pack_services, "_enqueue_build", queued["builds"].append)
    monkeypatch.setattr("outreach.mail.queue.publish_batch", lambda kind, pks: queued["mails"].append((kind, pks)))
    return queued


def test_a_relationship_manager_walks_an_employer_from_new_to_a_sent_pack_and_imports_a_csv(
    live_server, browser, rita, screenshots: Path, queues, mailoutbox
):
    known: Employer = EmployerFactory(name=KNOWN, postcode=POSTCODE, city="Utrecht", stage=Stage.ENGAGED)  # type: ignore[assignment]
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(10_000)
    seen = watch_requests(page)
    nav = page.get_by_role("navigation", name="Main")
    status = page.get_by_role("main").get_by_role("status")  # the messages of a full page load

    sign_in(page, live_server.url, "rita")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rita")

    # A new employer: the name and postcode of one the network has bring up a warning as she types.
    nav.get_by_role("link", name="Employers").click()
    page.get_by_role("link", name="New employer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New employer")
    duplicates = page.locator("#duplicates")
    page.get_by_label("Name").fill(KNOWN)
    page.get_by_label("Postcode").fill(POSTCODE)
    expect(duplicates).to_contain_text("This employer may already exist")
    expect(page.locator("#live")).to_contain_text(f"This employer may already exist: {KNOWN}")  # read out
    expect(duplicates.get_by_role("link", name=KNOWN)).to_have_attribute("href", f"/network/employers/{known.pk}/")
    expect(duplicates).to_contain_text("3511AB Utrecht · Engaged")  # postcodes are kept without the space
    # The phone field is drawn like its neighbours (type="tel" inputs were once left unstyled).
    phone, email = page.get_by_label("Phone").bounding_box(), page.get_by_label("Email").bounding_box()
    assert phone and email and phone["width"] == pytest.approx(email["width"], abs=2)
    assert_accessible(page, label="the new employer form with a possible duplicate")
    shoot(page, screenshots, "rm-employer-new")
    page.get_by_label("Name").fill(NEW)
    expect(duplicates).to_contain_text("No employer with this name and postcode or this registration number yet.")
    expect(duplicates).not_to_contain_text(KNOWN)
    page.get_by_label("City").fill("Utrecht")
    expect(page.get_by_label("Relationship manager")).to_have_value(str(rita.pk))
    page.get_by_role("button", name="Add the employer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(NEW)
    expect(status).to_contain_text(f"{NEW} is added.")
    assert_accessible(page, label="the new employer's page")
    employer = Employer.objects.get(name=NEW)
    assert employer.postcode == "3511AB" and employer.owner == rita and employer.stage == Stage.PROSPECT
    assert Employer.objects.filter(name=KNOWN).count() == 1

    # A contact: the workplace mentor, who reads Dutch.
    page.get_by_role("link", name="Add a contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a contact")
    assert_accessible(page, label="the contact form")
    page.get_by_label("First name").fill("Sanne")
    page.get_by_label("Last name").fill("de Vries")
    page.get_by_label("Role").select_option(label="Workplace mentor")
    page.get_by_label("Job title").fill("Bedrijfsleider")
    page.get_by_label("Email").fill("sanne@korenaar.example")
    page.get_by_label("Preferred language").select_option(label="Dutch")
    page.get_by_role("button", name="Add the contact").click()

    expect(status).to_contain_text("Sanne de Vries is added.")
    contacts = page.locator("section#contacts")
    expect(contacts).to_contain_text("Sanne de Vries")
    expect(contacts).to_contain_text("Workplace mentor")
    assert_accessible(page, label="the employer page with a contact")
    contact = Contact.objects.get(employer=employer)
    assert (contact.full_name, contact.role, contact.preferred_language, contact.email) == (
        "Sanne de Vries",
        ContactRole.MENTOR,
        "nl",
        "sanne@korenaar.example",
    )

    # A vacancy serving ladder step 19, opened as it is saved.
    page.get_by_role("link", name="Add a vacancy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a vacancy")
    page.get_by_label("Title").fill("Medewerker bakkerij")
    page.get_by_label("Kind").select_option(label="Work-experience place")
    page.get_by_label("Contact").select_option(label="Sanne de Vries")
    page.get_by_label(re.compile(r"^19\. ")).check()
    page.get_by_label("Hours per week").fill("24")
    assert_accessible(page, label="the vacancy form")
    shoot(page, screenshots, "rm-vacancy")
    page.get_by_role("button", name="Save and open").click()

    expect(status).to_contain_text("Medewerker bakkerij is open.")
    vacancy = Vacancy.objects.get(employer=employer)
    row = page.locator(f"#vacancy-{vacancy.pk}")
    expect(row).to_contain_text("Open")
    expect(row).to_contain_text("ladder steps 19")
    expect(row).to_contain_text("contact Sanne de Vries")
    assert_accessible(page, label="the employer page with a vacancy")
    assert vacancy.status == VacancyStatus.OPEN and vacancy.opened_at is not None
    assert [step.position for step in vacancy.ladder_steps.all()] == [19] and vacancy.contact == contact

    # To the active stage, from the employer page.
    page.get_by_label("Move to stage").select_option(label="Active partner")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(status).to_contain_text(f"{NEW} moved to Active partner.")
    expect(page.locator("#employer-stage")).to_have_text("Active partner")
    expect(page.locator("#timeline")).to_contain_text("Stage: Prospect → Active partner")
    employer.refresh_from_db()
    assert employer.stage == Stage.ACTIVE
    change = EmployerStageChange.objects.filter(employer=employer).latest("changed_at")
    assert (change.from_stage, change.to_stage, change.changed_by) == (Stage.PROSPECT, Stage.ACTIVE, rita)
    assert_accessible(page, label="the employer page after a move")
    shoot(page, screenshots, "rm-employer", phone=True)

    # The general info pack: generated in her contact's language, built by the queued task, previewed.
    packs = page.locator("section#packs")
    expect(packs).not_to_contain_text("#}")  # no template comment leaks into the page
    packs.get_by_role("button", name="Generate the general pack").click()
    expect(packs.locator("#pack-notice")).to_have_text("Version 1 is being built.")
    expect(packs.locator("#pack-notice")).to_be_focused()  # the button's form was redrawn, disabled
    expect(page.locator("#live")).to_have_text("Version 1 is being built.")
    expect(packs).to_contain_text("The pack is being built; this section updates by itself.")
    assert_accessible(page, label="the employer page, pack being built")
    pack = InfoPack.objects.get(employer=employer)
    assert (pack.kind, pack.version, pack.language, pack.requested_by) == (InfoPackKind.GENERAL, 1, "nl", rita)
    assert queues["builds"] == [pack.pk]
    built = pack_services.build_info_pack(pack_id=queues["builds"].pop())  # what the worker runs
    assert built is not None and built.status == InfoPackStatus.READY, built and built.error
    expect(packs.locator("#packs-latest")).to_contain_text("Ready", timeout=10_000)  # the section polls
    expect(page.locator("#live")).to_have_text("The pack is ready.")
    expect(packs).not_to_contain_text("being built")
    expect(packs).to_contain_text("Not sent to anyone yet.")
    assert_accessible(page, label="the employer page, pack ready")
    packs.get_by_role("link", name="Preview").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"General pack: {NEW}, version 1")
    document = page.frame_locator("#pack-preview")
    expect(document.locator("body")).to_contain_text(NEW)
    assert_accessible(page, label="the pack preview")
    page.get_by_role("link", name="Send", exact=True).click()

    # Sent to the mentor; the worker's send logs it on the employer's timeline.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Send the general pack: {NEW}, version 1")
    page.get_by_label("Sanne de Vries <sanne@korenaar.example>").check()
    assert_accessible(page, label="sending the pack")
    page.get_by_role("button", name="Send the pack").click()
    expect(status).to_contain_text("The pack is queued for 1 contact.")
    delivery = InfoPackDelivery.objects.get(pack__employer=employer)
    assert (delivery.contact, delivery.pack, delivery.recipient_email, delivery.language) == (
        contact,
        pack,
        "sanne@korenaar.example",
        "nl",
    )
    assert queues["mails"] == [(InfoPackDelivery.kind_label, [delivery.pk])]
    assert pack_services.deliver_info_pack(delivery_id=delivery.pk) == MailStatus.SENT  # what the worker runs
    assert [mail.to for mail in mailoutbox] == [["sanne@korenaar.example"]]
    page.reload()
    expect(page.locator("#delivery-list")).to_contain_text("Sanne de Vries")
    expect(page.locator("#delivery-list")).to_contain_text("Sent")
    assert_accessible(page, label="the pack's send page after sending")
    shoot(page, screenshots, "rm-pack-send")
    page.get_by_role("link", name="Back to the employer").click()
    expect(page.locator("#timeline")).to_contain_text(
        "Info pack mailed: general pack, version 1 (Dutch), to Sanne de Vries <sanne@korenaar.example>."
    )
    expect(packs).to_contain_text("Sent to Sanne de Vries (sanne@korenaar.example)")
    assert_accessible(page, label="the employer page after sending")

    # An employer list from Dutch Excel: semicolons, Windows-1252, Dutch headers.
    nav.get_by_role("link", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import employers, contacts or vacancies")
    assert_accessible(page, label="the import page")
    page.get_by_label("The file holds").select_option(label="Employers")
    page.get_by_label("CSV or XLSX file").set_input_files(
        files=[{"name": "werkgevers.csv", "mimeType": "text/csv", "buffer": EXCEL_CSV}]
    )
    page.get_by_role("button", name="Preview").click()

    report = page.locator("#import-report")
    expect(report.get_by_role("heading", level=2)).to_have_text("Preview (dry run, nothing saved yet): werkgevers.csv")
    expect(report).to_contain_text("Dry run, nothing saved: 1 new, 0 updated, 0 unchanged")
    expect(report).to_contain_text("it was read as Windows (Western European)")
    expect(report).to_contain_text("Columns separated by")
    headers = report.get_by_role("table", name="How your headers were understood")
    for header, column in (("naam", "name"), ("postcode", "postcode"), ("plaats", "city")):
        expect(headers.get_by_role("row").filter(has_text=header).locator("code")).to_have_text(column)
    assert not Employer.objects.filter(name=IMPORTED).exists()  # the preview saved nothing
    assert_accessible(page, label="the import preview")
    shoot(page, screenshots, "rm-import-preview", phone=True)
    page.get_by_role("button", name="Confirm and import").click()

    expect(report.get_by_role("heading", level=2)).to_have_text("Import: werkgevers.csv")
    assert_accessible(page, label="the import done")
    imported = Employer.objects.get(postcode="3512CD")
    assert imported.name == IMPORTED and imported.city == "Utrecht" and imported.owner == rita
    nav.get_by_role("link", name="Employers").click()
    page.get_by_label("Search").fill("gouden leeuw")
    expect(page.locator("#employer-results").get_by_role("link", name=IMPORTED)).to_be_visible()
    assert_accessible(page, label="the employer list, searched")

    assert_no_admin(seen)
