"""`manage.py import` and `manage.py export` on real-world files: encodings, delimiters, XLSX, bad rows."""

from __future__ import annotations

import csv
import importlib
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl.styles import PatternFill

from crm.choices import Stage, VacancyStatus
from crm.models import Contact, Employer, Vacancy
from tests.crm.factories import ContactFactory, EmployerFactory, VacancyFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
# The module is called `import`, a keyword, so it cannot be named in an import statement.
ImportCommand = importlib.import_module("crm.management.commands.import").Command
ExportCommand = importlib.import_module("crm.management.commands.export").Command


def run_import(*args: str) -> tuple[str, str]:
    """Run `manage.py import` and return its standard output and error."""
    out, err = io.StringIO(), io.StringIO()
    call_command(ImportCommand(), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failed_import(*args: str) -> tuple[str, str]:
    """Run an import that must fail; return the final message and the report on standard error."""
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(ImportCommand(), *args, stdout=io.StringIO(), stderr=err)
    return str(caught.value), err.getvalue()


def run_export(*args: str) -> str:
    """Run `manage.py export` and return what it wrote to standard output."""
    out = io.StringIO()
    call_command(ExportCommand(), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_utf8_file_with_a_byte_order_mark_imports_every_row():
    out, _err = run_import("employers", str(FIXTURES / "employers_bom.csv"))

    assert "3 new" in out
    van_dijk = Employer.objects.get(registration_number="30123456")
    assert (van_dijk.name, van_dijk.postcode, van_dijk.normalised_name) == (
        "Bakkerij Van Dijk B.V.",
        "3511AB",
        "bakkerij van dijk",
    )
    assert Employer.objects.get(registration_number="556677-8899").name == "Åkessons Städ AB"


def test_a_semicolon_file_from_dutch_excel_is_read_with_its_labels_and_yes_no_words():
    run_import("employers", str(FIXTURES / "employers_semicolon.csv"))

    noord = Employer.objects.get(registration_number="30223344")
    assert noord.sector == "cleaning"  # given as its label, "Cleaning and maintenance"
    assert noord.share_women_pct == 45  # given as "45%"
    assert noord.offers_flexitime is True  # "ja"
    assert noord.notes == "Facilitair; kantoren, scholen"
    assert Employer.objects.get(registration_number="30223345").offers_flexitime is False  # "nee"
    assert Employer.objects.get(registration_number="30223346").offers_flexitime is None  # empty: not asked


def test_a_cp1252_file_is_recognised_without_being_told():
    run_import("employers", str(FIXTURES / "employers_cp1252.csv"))

    assert set(Employer.objects.values_list("name", flat=True)) == {
        "Café Het Hoekje",
        "Zeeuwse Bolus – Bakkerij Noord",
    }


def test_a_cp1252_file_imports_when_the_encoding_is_given():
    run_import("employers", str(FIXTURES / "employers_cp1252.csv"), "--encoding", "cp1252")

    assert set(Employer.objects.values_list("name", flat=True)) == {
        "Café Het Hoekje",
        "Zeeuwse Bolus – Bakkerij Noord",
    }


def test_an_unknown_encoding_is_refused():
    _message, report = failed_import("employers", str(FIXTURES / "employers_bom.csv"), "--encoding", "klingon")

    assert "Unknown encoding: klingon." in report


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row_and_the_reason():
    message, report = failed_import("employers", str(FIXTURES / "employers_bad_row.csv"))

    assert "Row 2 (line 3): sector: “horeca” is not a known sector; use one of: forestry," in report
    assert "Row 1" not in report and "Row 3" not in report
    assert message == "Nothing was imported: 1 of 3 rows has errors."
    assert not Employer.objects.exists()


def test_the_same_employer_twice_in_a_file_is_reported_not_merged():
    message, report = failed_import("employers", str(FIXTURES / "employers_duplicate.csv"))

    assert (
        "Row 3 (line 4): Row 1 has the same registration number (30556677); an employer may appear only once in a file."
    ) in report
    assert message.startswith("Nothing was imported")
    assert not Employer.objects.exists()


def test_a_row_for_an_employer_in_the_database_updates_it():
    existing = EmployerFactory(registration_number="30123456", name="Van Dijk", city="Zeist", stage=Stage.ACTIVE)

    out, _err = run_import("employers", str(FIXTURES / "employers_bom.csv"))

    assert "2 new, 1 updated" in out
    existing.refresh_from_db()
    assert (existing.name, existing.city, existing.stage) == ("Bakkerij Van Dijk B.V.", "Utrecht", Stage.PROSPECT)
    assert Employer.objects.count() == 3


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    run_import("employers", str(FIXTURES / "employers_semicolon.csv"))
    before = dict(Employer.objects.values_list("registration_number", "updated_at"))

    out, _err = run_import("employers", str(FIXTURES / "employers_semicolon.csv"))

    assert "0 new, 0 updated, 3 unchanged" in out
    assert dict(Employer.objects.values_list("registration_number", "updated_at")) == before


def test_a_dry_run_reports_what_would_happen_and_changes_nothing():
    existing = EmployerFactory(registration_number="30123456", city="Zeist")

    out, _err = run_import("employers", str(FIXTURES / "employers_bom.csv"), "--dry-run")

    assert "Dry run, nothing saved: 2 new, 1 updated, 0 unchanged." in out
    assert list(Employer.objects.all()) == [existing]
    existing.refresh_from_db()
    assert existing.city == "Zeist"


def _workbook_with_trailing_blank_rows(path: Path) -> Path:
    """An XLSX as Excel and LibreOffice leave it: formatted empty rows, a row of None cells, a stray space."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["registration_number", "name", "postcode", "share_women_pct", "vetted_at", None])
    sheet.append([30667788, "Tuincentrum De Groene Vinger", "2611 AB", 61.0, None])  # numbers as Excel stores them
    sheet.append(["30667789", "Wasserette Schoon", "2612 CD", None, None])
    sheet.append([None, None, None, None, None])
    sheet.append([" ", None, "", None, None])
    for column in range(1, 7):
        sheet.cell(row=9, column=column).fill = PatternFill("solid", fgColor="FFFF00")
    book.save(path)
    return path


def test_an_xlsx_with_trailing_blank_rows_imports_only_the_rows_with_data(tmp_path):
    path = _workbook_with_trailing_blank_rows(tmp_path / "employers.xlsx")
    assert openpyxl.load_workbook(path).active.max_row == 9  # the blank rows really are in the file

    out, _err = run_import("employers", str(path))

    assert "Imported 2 rows" in out
    groene_vinger = Employer.objects.get(registration_number="30667788")  # not "30667788.0"
    assert (groene_vinger.postcode, groene_vinger.share_women_pct) == ("2611AB", 61)
    assert Employer.objects.count() == 2


def test_contacts_name_their_employer_by_registration_number_or_by_name_and_postcode():
    run_import("employers", str(FIXTURES / "employers_bom.csv"))

    run_import("contacts", str(FIXTURES / "contacts.csv"))

    fatima = Contact.objects.get(email="fatima.elamrani@vandijk.example")  # stored in lower case
    assert (fatima.employer.registration_number, fatima.role) == ("30123456", "hr")
    assert Contact.objects.get(email="luc.peeters@dupont.example").employer.name == "Boulangerie Dupont SRL"


def test_a_contact_row_for_an_unknown_employer_is_an_error():
    _message, report = failed_import("contacts", str(FIXTURES / "contacts.csv"))

    assert (
        "Row 1 (line 2): employer: No employer has registration number 30123456; import the employer first." in report
    )
    assert "Row 2 (line 3): employer: No employer is called Boulangerie Dupont SRL" in report
    assert not Contact.objects.exists()


def test_vacancies_import_with_their_ladder_steps_contact_and_dutch_numbers_and_dates():
    run_import("employers", str(FIXTURES / "employers_bom.csv"))
    run_import("contacts", str(FIXTURES / "contacts.csv"))

    run_import("vacancies", str(FIXTURES / "vacancies.csv"))

    vacancy = Vacancy.objects.get(reference="VD-2026-01")
    assert sorted(vacancy.ladder_steps.values_list("position", flat=True)) == [19, 20]
    assert (vacancy.hours_per_week, vacancy.places, str(vacancy.starts_on)) == (Decimal("24.5"), 2, "2026-03-01")
    assert vacancy.contact is not None and vacancy.contact.first_name == "Fatima"
    assert vacancy.status == VacancyStatus.OPEN and vacancy.opened_at is not None
    assert list(Vacancy.objects.get(reference="AS-7").ladder_steps.values_list("position", flat=True)) == [22]


def test_export_escapes_every_cell_a_spreadsheet_would_run_as_a_formula():
    EmployerFactory(
        registration_number="30778899",
        name='=HYPERLINK("http://evil.example","Klik")',
        street="+31 en verder",
        phone="-1+1",
        email="",
        notes="@SUM(A1:A9)",
        collective_agreement="\tcmd",
        accessibility_notes="\rcmd",
        city="Den Haag",
    )

    rows = list(csv.DictReader(io.StringIO(run_export("employers"))))

    assert rows[0]["name"] == '\'=HYPERLINK("http://evil.example","Klik")'
    assert rows[0]["street"] == "'+31 en verder"
    assert rows[0]["phone"] == "'-1+1"
    assert rows[0]["notes"] == "'@SUM(A1:A9)"
    assert rows[0]["collective_agreement"] == "'\tcmd"
    assert rows[0]["accessibility_notes"] == "'\rcmd"
    assert rows[0]["city"] == "Den Haag"


def test_xlsx_export_stores_escaped_text_as_text_and_numbers_as_numbers(tmp_path):
    EmployerFactory(name="=1+2", share_women_pct=40, offers_flexitime=True)
    path = tmp_path / "employers.xlsx"

    call_command(ExportCommand(), "employers", "-o", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    sheet = openpyxl.load_workbook(path).active
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))
    assert (row["name"].value, row["name"].data_type) == ("'=1+2", "s")
    assert (row["share_women_pct"].value, row["share_women_pct"].data_type) == (40, "n")
    assert row["offers_flexitime"].value is True


def test_export_then_import_gives_back_the_same_rows(tmp_path):
    employer = EmployerFactory(
        name="=Kapsalon Knip & Krul",
        phone="+31 30 123 4567",
        share_women_pct=90,
        offers_flexitime=False,
        do_not_engage=True,
        do_not_engage_reason="Zwart werk gezien",
    )
    other = EmployerFactory(registration_number="", name="Fietsenmaker Jansen", postcode="1234 AB")
    ContactFactory(employer=employer, email="mentor@knipkrul.example", phone="-")
    ContactFactory(employer=other, email="jan@fietsen.example")
    vacancy = VacancyFactory(employer=other, reference="F1", hours_per_week=Decimal("12.5"), status=VacancyStatus.DRAFT)
    vacancy.ladder_steps.set([19, 21])
    files = {}
    for kind, fmt in (("employers", "csv"), ("contacts", "xlsx"), ("vacancies", "csv")):
        files[kind] = tmp_path / f"{kind}.{fmt}"
        call_command(ExportCommand(), kind, "-o", str(files[kind]), stdout=io.StringIO(), stderr=io.StringIO())
    exported = {kind: run_export(kind) for kind in files}

    Employer.objects.all().delete()
    for kind, path in files.items():
        run_import(kind, str(path))

    assert {kind: run_export(kind) for kind in files} == exported
    assert Employer.objects.get(name="=Kapsalon Knip & Krul").phone == "+31 30 123 4567"


def test_reimporting_an_export_leaves_every_row_unchanged(tmp_path):
    EmployerFactory.create_batch(3, phone="+32 2 555 12 12", notes="=zie map")
    path = tmp_path / "employers.csv"
    path.write_text(run_export("employers"), encoding="utf-8")

    out, _err = run_import("employers", str(path))

    assert "0 new, 0 updated, 3 unchanged" in out


def test_export_to_xlsx_needs_an_output_file():
    with pytest.raises(CommandError, match="pass -o FILE"):
        run_export("employers", "--format", "xlsx")
