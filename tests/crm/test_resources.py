"""The import/export rules in crm.resources and crm.importing, as the admin and the commands use them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.spreadsheets import (
    CSVFormat,
    ImportFileError,
    escape_formula,
    parse_csv,
    read_dataset,
    unescape_formula,
)
from crm.choices import Stage, VacancyStatus
from crm.importing import export_file, import_dataset
from crm.models import Contact, Employer, EmployerStageChange, Vacancy
from crm.resources import ContactResource, EmployerResource, VacancyResource
from tests.crm.factories import ContactFactory, EmployerFactory, VacancyFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


def dataset(headers: list[str], *rows: Sequence[object]) -> tablib.Dataset:
    """A dataset as a file reader would produce it."""
    return tablib.Dataset(*rows, headers=headers)


def import_employers(*rows: Sequence[object], headers: list[str] | None = None, actor=None, dry_run=False):
    """Import employer rows through the service the command uses."""
    data = dataset(headers or ["registration_number", "name", "postcode", "stage"], *rows)
    return import_dataset(resource=EmployerResource(), dataset=data, actor=actor, dry_run=dry_run, now=NOW)


def problems(report) -> list[tuple[int, str]]:
    """(row, message) pairs of a report."""
    return [(problem.row, message) for problem in report.problems for message in problem.messages]


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_trigger_is_escaped_and_unescaped(trigger):
    text = f"{trigger}cmd|' /C calc'!A0"

    assert escape_formula(text) == "'" + text
    assert unescape_formula(escape_formula(text)) == text


def test_plain_text_and_a_lone_apostrophe_are_left_alone():
    assert escape_formula("Bakkerij 't Hoekje") == "Bakkerij 't Hoekje"
    assert unescape_formula("'t Hoekje") == "'t Hoekje"


def test_a_negative_number_in_a_number_column_stays_a_number_on_export():
    resource = EmployerResource()
    row = dict(zip(resource.get_export_headers(), resource.export_resource(Employer(share_women_pct=-5)), strict=True))
    native = dict(
        zip(
            resource.get_export_headers(),
            resource.export_resource(Employer(share_women_pct=-5), force_native_type=True),
            strict=True,
        )
    )

    assert row["share_women_pct"] == "-5"
    assert native["share_women_pct"] == -5


def test_a_choice_may_be_given_as_value_or_label_in_any_case():
    report = import_employers(["1", "A", "", "ACTIVE"], ["2", "B", "", "Active partner"], ["3", "C", "", " engaged "])

    assert report.ok, problems(report)
    assert dict(Employer.objects.values_list("name", "stage")) == {
        "A": Stage.ACTIVE,
        "B": Stage.ACTIVE,
        "C": Stage.ENGAGED,
    }


def test_an_unknown_choice_is_refused_with_the_known_values():
    report = import_employers(["1", "A", "", "partner"])

    assert problems(report) == [
        (
            1,
            "stage: “partner” is not a known relationship stage; use one of: prospect, contacted, engaged, "
            "active, completed, ended_early, declined, dormant.",
        )
    ]
    assert not Employer.objects.exists()


@pytest.mark.parametrize(
    ("cell", "stored"), [("ja", True), ("Nej", False), ("yes", True), ("0", False), (1, True), ("", None)]
)
def test_yes_no_cells_are_read_in_three_languages(cell, stored):
    import_employers(["1", "A", "", cell], headers=["registration_number", "name", "postcode", "offers_flexitime"])

    assert Employer.objects.get().offers_flexitime is stored


def test_a_yes_no_cell_that_is_neither_is_an_error_not_false():
    report = import_employers(
        ["1", "A", "", "misschien"], headers=["registration_number", "name", "postcode", "union_delegation"]
    )

    assert problems(report) == [(1, "union_delegation: “misschien” is not yes or no; write 1 or 0.")]


def test_an_empty_cell_keeps_a_required_value_on_update_and_takes_the_default_on_create():
    EmployerFactory(registration_number="1", stage=Stage.ACTIVE)

    report = import_employers(["1", "A", "", ""], ["2", "B", "", ""])

    assert report.ok, problems(report)
    assert dict(Employer.objects.values_list("registration_number", "stage")) == {
        "1": Stage.ACTIVE,
        "2": Stage.PROSPECT,
    }


def test_an_employer_without_a_registration_number_is_found_by_name_and_postcode_as_normalised():
    existing = EmployerFactory(registration_number="", name="Café Het Hoekje V.O.F.", postcode="1012AB")

    report = import_employers(["30998877", "cafe het hoekje", "1012 ab", "contacted"])

    assert (report.created, report.updated) == (0, 1)
    existing.refresh_from_db()
    assert (existing.registration_number, existing.name, existing.stage) == ("30998877", "cafe het hoekje", "contacted")


def test_a_row_whose_number_and_name_point_at_two_employers_is_refused():
    EmployerFactory(registration_number="111", name="Alfa", postcode="1000AA")
    EmployerFactory(registration_number="222", name="Beta", postcode="2000BB")

    report = import_employers(["111", "Beta", "2000 BB", ""])

    assert problems(report) == [
        (1, "Registration number 111 belongs to Alfa, but this name and postcode belong to Beta.")
    ]


def test_a_known_name_and_postcode_with_another_registration_number_is_refused():
    EmployerFactory(registration_number="111", name="Alfa", postcode="1000AA")

    report = import_employers(["999", "Alfa", "1000AA", ""])

    assert problems(report) == [(1, "Alfa at this postcode already exists with registration number 111, not 999.")]


def test_two_rows_with_the_same_name_and_postcode_are_reported():
    report = import_employers(["", "Kringloop", "3811AB", ""], ["", "Kringloop B.V.", "3811 ab", ""])

    assert problems(report) == [
        (
            2,
            "Row 1 has the same name and postcode (Kringloop B.V., 3811AB); "
            "an employer may appear only once in a file.",
        )
    ]
    assert not Employer.objects.exists()


def test_importing_records_the_first_stage_and_every_stage_change_with_who_did_it(rita):
    EmployerFactory(registration_number="1", stage=Stage.CONTACTED)

    import_employers(["1", "A", "", "engaged"], ["2", "B", "", ""], actor=rita)

    changes = EmployerStageChange.objects.order_by("employer__registration_number")
    assert [(c.employer.registration_number, c.from_stage, c.to_stage, c.changed_by) for c in changes] == [
        ("1", Stage.CONTACTED, Stage.ENGAGED, rita),
        ("2", "", Stage.PROSPECT, rita),
    ]
    assert Employer.objects.get(registration_number="1").stage_changed_at == NOW


def test_an_employer_flagged_do_not_engage_cannot_be_made_active_by_import():
    EmployerFactory(registration_number="1", do_not_engage=True, do_not_engage_reason="Zwart werk")

    report = import_employers(["1", "A", "", "active"])

    assert problems(report) == [(1, "stage: This employer is flagged do-not-engage, so it cannot be Active partner.")]


def test_the_owner_is_named_by_username(rita):
    report = import_employers(
        ["1", "A", "rita"], ["2", "B", "nobody"], headers=["registration_number", "name", "owner"]
    )

    assert problems(report) == [
        (2, "owner: There is no active relationship manager with the username or email address “nobody”.")
    ]
    report = import_employers(["1", "A", "rita"], headers=["registration_number", "name", "owner"])
    assert Employer.objects.get().owner == rita


def test_headers_may_be_the_field_names_people_read():
    report = import_employers(
        ["1", "Alfa", "1000 AA", "NL"], headers=["Registration number", "NAME", "postcode ", "Country"]
    )

    assert report.ok, report.file_errors
    assert Employer.objects.get().postcode == "1000AA"


def test_missing_columns_stop_the_import_before_any_row_and_unknown_ones_are_listed_as_ignored():
    report = import_employers(["1", "Alfa", "x"], headers=["registration_number", "naamm", "sektor"])

    assert report.file_errors == ["Missing columns: name."]
    assert report.problems == []
    assert (report.columns, report.ignored) == ([("registration_number", "registration_number")], ["naamm", "sektor"])


class EmployerResourceInPairs(EmployerResource):
    """Writes every two rows, so a bad third row comes after a batch is in the database."""

    class Meta(EmployerResource.Meta):
        batch_size = 2


def test_the_admin_path_rolls_back_batches_already_written_when_a_later_row_is_bad():
    # The admin calls import_data itself, without rollback_on_validation_errors.
    data = dataset(["registration_number", "name"], ["1", "Alfa"], ["2", "Beta"], ["3", ""])

    result = EmployerResourceInPairs().import_data(data, dry_run=False, raise_errors=False)

    assert [row.number for row in result.invalid_rows] == [3]
    assert not Employer.objects.exists()


def test_the_admin_csv_format_reads_a_semicolon_upload_the_admin_has_decoded():
    data = CSVFormat(encoding="utf-8-sig").create_dataset('registration_number;name\r\n1;"Alfa; Beta"\r\n')

    assert data.dict == [{"registration_number": "1", "name": "Alfa; Beta"}]


def test_a_byte_order_mark_is_not_part_of_the_first_header():
    data = read_dataset("\ufeffregistration_number,name\r\n1,Alfa\r\n".encode())

    assert data.headers == ["registration_number", "name"]


def test_a_row_with_more_cells_than_headers_is_refused():
    with pytest.raises(ImportFileError, match="Row 1 has more cells than the header has columns"):
        parse_csv("a,b\r\n1,2,3\r\n")


def test_an_xlsx_named_csv_is_refused_with_advice():
    with pytest.raises(ImportFileError, match="pass --format xlsx"):
        read_dataset(export_file(resource=EmployerResource(), fmt="xlsx"), filename="x.csv", fmt="csv")


def test_an_import_queries_per_batch_not_per_row(rita):
    def queries(count: int, offset: int) -> tuple[int, int]:
        rows = [[str(offset + n), f"Werkgever {offset + n}", "rita"] for n in range(count)]
        with CaptureQueriesContext(connection) as captured:
            report = import_employers(*rows, headers=["registration_number", "name", "owner"], actor=rita)
        assert report.created == count
        inserts = sum(1 for q in captured if q["sql"].startswith("INSERT"))
        return len(captured) - inserts, inserts

    (ten_other, _ten_inserts), (many_other, many_inserts) = queries(10, 0), queries(200, 1000)

    assert ten_other == many_other
    # Django splits a bulk insert only where the database limits parameters (999 on SQLite).
    assert many_inserts <= 200 // 10


def test_reimporting_two_hundred_unchanged_rows_writes_nothing():
    rows = [[str(n), f"Werkgever {n}", "", ""] for n in range(200)]
    import_employers(*rows)

    with CaptureQueriesContext(connection) as captured:
        report = import_employers(*rows)

    assert report.unchanged == 200
    writes = [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


def test_a_contact_email_is_matched_in_any_case_and_may_move_to_another_employer():
    old, new = EmployerFactory(), EmployerFactory(registration_number="5550001")
    contact = ContactFactory(employer=old, email="anna@example.org")
    data = dataset(["employer_registration_number", "first_name", "email"], ["5550001", "Anna", "ANNA@Example.org"])

    report = import_dataset(resource=ContactResource(), dataset=data, actor=None)

    assert (report.created, report.updated) == (0, 1)
    contact.refresh_from_db()
    assert contact.employer == new


def test_a_contact_without_an_email_cannot_be_imported():
    employer = EmployerFactory()
    data = dataset(["employer_registration_number", "first_name", "email"], [employer.registration_number, "Anna", ""])

    report = import_dataset(resource=ContactResource(), dataset=data, actor=None)

    assert problems(report) == [(1, "email: Fill in the email address; it is how an imported contact is recognised.")]
    assert not Contact.objects.exists()


def vacancy_rows(*rows: Sequence[object]) -> tablib.Dataset:
    """Vacancy rows keyed on the employer's registration number."""
    return dataset(
        ["employer_registration_number", "reference", "title", "ladder_steps", "status", "close_reason"], *rows
    )


def test_reimporting_a_vacancy_replaces_its_ladder_steps():
    vacancy = VacancyFactory(employer=EmployerFactory(registration_number="777"), reference="R1")
    vacancy.ladder_steps.set([1, 2])

    report = import_dataset(
        resource=VacancyResource(), dataset=vacancy_rows(["777", "R1", "Kok", "19; 20", "open", ""]), actor=None
    )

    assert (report.created, report.updated) == (0, 1)
    assert sorted(vacancy.ladder_steps.values_list("position", flat=True)) == [19, 20]


def test_an_unknown_ladder_step_is_an_error():
    EmployerFactory(registration_number="777")

    report = import_dataset(
        resource=VacancyResource(), dataset=vacancy_rows(["777", "R1", "Kok", "19,99", "", ""]), actor=None
    )

    assert problems(report) == [(1, "ladder_steps: There is no ladder step 99.")]
    assert not Vacancy.objects.exists()


def test_closing_a_vacancy_by_import_needs_a_reason_as_the_service_does():
    vacancy = VacancyFactory(employer=EmployerFactory(registration_number="777"), reference="R1")

    report = import_dataset(
        resource=VacancyResource(), dataset=vacancy_rows(["777", "R1", "Kok", "", "closed", ""]), actor=None
    )

    assert problems(report) == [(1, "close_reason: Say why the vacancy closed without being filled.")]
    vacancy.refresh_from_db()
    assert vacancy.status == VacancyStatus.OPEN


def test_the_same_reference_at_two_employers_is_two_vacancies():
    EmployerFactory(registration_number="777")
    EmployerFactory(registration_number="888")

    report = import_dataset(
        resource=VacancyResource(),
        dataset=vacancy_rows(["777", "R1", "Kok", "", "", ""], ["888", "R1", "Kok", "", "", ""]),
        actor=None,
    )

    assert report.created == 2, problems(report)


def _admin_csv_format_index() -> str:
    """The position of CSV in the employer admin's import formats (the form posts an index)."""
    from django.contrib import admin

    employer_admin: Any = admin.site._registry[Employer]
    formats = employer_admin.get_import_formats()
    return str(next(i for i, fmt in enumerate(formats) if fmt.__name__ in ("CSV", "CSVFormat")))


def test_the_admin_import_form_checks_then_imports_through_the_same_resource(client, adam):
    client.force_login(adam)
    upload = SimpleUploadedFile("employers.csv", b"registration_number,name,stage\r\n1,Alfa,Active partner\r\n")

    checked = client.post(
        reverse("admin:crm_employer_import"), {"import_file": upload, "format": _admin_csv_format_index()}
    )
    assert not Employer.objects.exists()  # the first step is a dry run
    confirmed = client.post(reverse("admin:crm_employer_process_import"), checked.context["confirm_form"].initial)

    assert confirmed.status_code == 302
    employer = Employer.objects.get()
    assert (employer.registration_number, employer.stage) == ("1", Stage.ACTIVE)
    assert EmployerStageChange.objects.get(employer=employer).changed_by == adam


def test_the_admin_import_form_shows_row_errors_and_offers_no_confirmation(client, adam):
    client.force_login(adam)
    upload = SimpleUploadedFile("employers.csv", b"registration_number,name\r\n1,Alfa\r\n1,Alfa Twee\r\n")

    response = client.post(
        reverse("admin:crm_employer_import"), {"import_file": upload, "format": _admin_csv_format_index()}
    )

    assert "confirm_form" not in response.context
    assert "Row 1 has the same registration number (1)" in response.content.decode()
    assert not Employer.objects.exists()
