"""Hostile files: every import refuses bombs, absurd ranges and broken text quickly, in bounded memory.

The corpus is built here. Each file is read by common.spreadsheets.read_table in a fresh Python process
(the settings' default limits, unless a test says otherwise), which prints what happened and its peak
memory (ru_maxrss), so a refusal is checked together with what it cost. Then each upload path (the
import page, the admin, manage.py import, the background job) is shown to give the clear message and
change nothing.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from openpyxl.styles import Font

from crm.models import Employer

REPOSITORY = Path(__file__).resolve().parents[2]
# Peak memory of a whole Python process with Django set up, reading one file (the issue: "a few hundred MB").
PEAK_MB = 300
MB = 1024 * 1024

# One Python process reads every file of the corpus, one request per line, so Django is set up once.
# Before each file it frees the last one and resets its memory high-water mark (Linux: writing 5 to
# /proc/self/clear_refs resets VmHWM), so each file's peak is measured on its own; ru_maxrss cannot be
# reset, and after exec it even carries the peak of the pytest process that started the reader.
_READER = """
import dataclasses, gc, json, sys
from pathlib import Path
import django
django.setup()
from common.spreadsheets import ImportFileError, Limits, read_table

def peak_mb():
    status = Path("/proc/self/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024

for request in sys.stdin:
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")
    asked = json.loads(request)
    limits = dataclasses.replace(Limits.from_settings(), **asked.pop("limits"))
    try:
        outcome = {"rows": len(read_table(Path(asked.pop("path")), limits=limits, **asked).dataset)}
    except ImportFileError as exc:
        outcome = {"refused": str(exc)}
    outcome["peak_mb"] = peak_mb()
    print(json.dumps(outcome), flush=True)
"""


@pytest.fixture(scope="module")
def reader() -> Any:
    """read(path, limits={...}, **read_table arguments): {"refused": message} or {"rows": n}, with "peak_mb"."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", _READER],
        cwd=REPOSITORY,
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdin, stdout, stderr = process.stdin, process.stdout, process.stderr
    assert stdin is not None and stdout is not None and stderr is not None

    def read(path: Path, limits: dict[str, int] | None = None, **kwargs: Any) -> dict[str, Any]:
        stdin.write(json.dumps({"path": str(path), "limits": limits or {}, **kwargs}) + "\n")
        stdin.flush()
        line = stdout.readline()
        assert line, stderr.read()[-3000:] if process.poll() is not None else "the reader said nothing"
        return dict(json.loads(line))

    yield read
    stdin.close()
    process.wait(timeout=30)


def assert_refused(outcome: dict[str, Any], *words: str) -> None:
    """Refused with a message that says why, within the memory bound."""
    assert "refused" in outcome, outcome
    for word in words:
        assert word in outcome["refused"], outcome
    assert outcome["peak_mb"] < PEAK_MB, outcome


# --- Building workbooks ----------------------------------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0"?><workbook xmlns="{MAIN}" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Employers" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        '<Relationship Id="rId2" Target="sharedStrings.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'
    ),
    "xl/sharedStrings.xml": f'<?xml version="1.0"?><sst xmlns="{MAIN}"><si><t>name</t></si></sst>',
}
SHEET = (
    '<?xml version="1.0"?><worksheet xmlns="{main}">{dimension}<sheetData>'
    '<row r="1"><c r="A1" t="s"><v>0</v></c></row>{rows}</sheetData></worksheet>'
)
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
    + "]>"
)


def workbook(path: Path, *, sheet: str = "", dimension: str = "", rows: str = "", **parts: str) -> Path:
    """A minimal workbook (one sheet, header "name") with the given sheet XML, rows or parts replaced."""
    sheet = sheet or SHEET.format(main=MAIN, dimension=dimension, rows=rows)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in {**PARTS, "xl/worksheets/sheet1.xml": sheet, **parts}.items():
            archive.writestr(name, content)
    return path


def test_the_minimal_workbook_of_this_corpus_is_read(reader, tmp_path):
    outcome = reader(workbook(tmp_path / "ok.xlsx", rows='<row r="2"><c r="A2" t="s"><v>0</v></c></row>'))

    assert outcome["rows"] == 1, outcome


def test_a_workbook_of_thousands_of_rows_from_a_spreadsheet_program_is_read_whole(reader, tmp_path):
    book = openpyxl.Workbook()
    book.active.append([f"column {n}" for n in range(10)])
    for row in range(5000):
        book.active.append([f"value {row}.{n}" for n in range(10)])
    book.active.cell(row=5001, column=10).font = Font(bold=True)  # formatted, within the range
    book.save(tmp_path / "normal.xlsx")

    outcome = reader(tmp_path / "normal.xlsx")

    assert outcome["rows"] == 5000 and outcome["peak_mb"] < PEAK_MB, outcome


def test_a_windows_csv_of_thousands_of_rows_is_read_whole(reader, tmp_path):
    path = tmp_path / "normal.csv"
    path.write_bytes(("naam;plaats\n" + "".join(f"Café {n};Zoë\n" for n in range(5000))).encode("cp1252"))

    outcome = reader(path)

    assert outcome["rows"] == 5000 and outcome["peak_mb"] < PEAK_MB, outcome


def test_a_zip_bomb_of_hundreds_of_megabytes_of_zeros_is_refused_from_the_zip_directory(reader, tmp_path):
    path = workbook(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/media/image1.png", "w") as part:
        zeros = bytes(MB)
        for _megabyte in range(300):
            part.write(zeros)

    assert path.stat().st_size < MB
    assert_refused(reader(path), "unpacks to 30", "MB")


def test_a_part_compressed_far_more_than_a_spreadsheet_is_refused_as_a_zip_bomb(reader, tmp_path):
    sheet = SHEET.format(main=MAIN, dimension="", rows="") + " " * (20 * MB)

    assert_refused(reader(workbook(tmp_path / "ratio.xlsx", sheet=sheet)), "zip bomb", "sheet1.xml")


def test_a_workbook_of_thousands_of_parts_is_refused(reader, tmp_path):
    parts = {f"xl/media/p{n}.bin": "x" for n in range(2000)}

    assert_refused(reader(workbook(tmp_path / "parts.xlsx", **parts)), "2006 parts")


def far_cell_workbook(path: Path) -> Path:
    """What a spreadsheet program saves when the last cell of the sheet (XFD1048576) has a format: 5 KB."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["registration_number", "name"])
    sheet.append(["30700001", "Bakkerij Het Anker"])
    sheet["XFD1048576"].font = Font(bold=True)
    book.save(path)
    return path


def test_a_formatted_last_cell_of_the_sheet_is_refused_by_its_declared_range(reader, tmp_path):
    path = far_cell_workbook(tmp_path / "far.xlsx")

    assert path.stat().st_size < 10_000
    assert_refused(reader(path), "A1:XFD1048576", "20000 rows")


def test_a_far_cell_is_refused_at_the_first_row_beyond_the_limit_when_no_range_is_declared(reader, tmp_path):
    rows = '<row r="2"><c r="A2" t="s"><v>0</v></c></row><row r="1048576"><c r="XFD1048576" s="1"/></row>'

    assert_refused(reader(workbook(tmp_path / "far.xlsx", rows=rows)), "more than 20000 rows")


def test_a_cell_beyond_the_last_column_the_import_reads_is_refused(reader, tmp_path):
    rows = '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="XFD2" t="s"><v>0</v></c></row>'

    assert_refused(reader(workbook(tmp_path / "wide.xlsx", rows=rows)), "Row 2", "column 100")


def test_a_declared_range_of_the_whole_sheet_is_refused_however_little_it_holds(reader, tmp_path):
    path = workbook(tmp_path / "declared.xlsx", dimension='<dimension ref="A1:XFD1048576"/>')

    assert_refused(reader(path), "A1:XFD1048576")


def test_a_row_of_a_hundred_thousand_cells_is_refused_without_building_it(reader, tmp_path):
    cells = "".join(f"<c><v>{n * 7919 % 100_003}</v></c>" for n in range(100_000))

    outcome = reader(workbook(tmp_path / "row.xlsx", rows=f'<row r="2">{cells}</row>'))

    assert_refused(outcome, "Row 2", "beyond column 100")


def test_a_sheet_of_more_formatted_empty_cells_than_the_limit_is_refused_while_it_is_scanned(reader, tmp_path):
    rows = "".join(f'<row r="{r}">' + '<c s="1"/>' * 10 + "</row>" for r in range(2, 1002))

    outcome = reader(workbook(tmp_path / "formatted.xlsx", rows=rows), limits={"max_cells": 2000})

    assert_refused(outcome, "more than 4000 cells")


def test_billion_laughs_in_the_sheet_are_refused_as_unsafe(reader, tmp_path):
    sheet = LAUGHS + f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
    sheet += "<is><t>&lol9;</t></is></c></row></sheetData></worksheet>"

    assert_refused(reader(workbook(tmp_path / "laughs.xlsx", sheet=sheet)), "entity", "unsafe")


def test_billion_laughs_in_the_shared_strings_are_refused_as_unsafe(reader, tmp_path):
    strings = LAUGHS + f'<sst xmlns="{MAIN}"><si><t>&lol9;</t></si></sst>'
    path = workbook(tmp_path / "laughs.xlsx", **{"xl/sharedStrings.xml": strings})

    assert_refused(reader(path), "entity", "unsafe")


def test_more_shared_strings_than_the_file_may_have_cells_are_refused(reader, tmp_path):
    strings = "".join(f"<si><t>{n * 7919 % 1_000_003}</t></si>" for n in range(30_000))
    strings = f'<?xml version="1.0"?><sst xmlns="{MAIN}">{strings}</sst>'
    path = workbook(tmp_path / "strings.xlsx", **{"xl/sharedStrings.xml": strings})

    assert_refused(reader(path, limits={"max_cells": 20_000}), "sharedStrings.xml", "far more than its cells need")


# --- CSV --------------------------------------------------------------------------------------------


def test_a_csv_cell_of_fifty_megabytes_is_refused(reader, tmp_path):
    path = tmp_path / "field.csv"
    with path.open("wb") as file:
        file.write(b"registration_number,name\n1,")
        for _megabyte in range(50):
            file.write(b"x" * 1_000_000)
        file.write(b"\n")

    assert_refused(reader(path), "Line 2")


def test_a_csv_cell_longer_than_a_spreadsheet_cell_is_refused_even_across_lines(reader, tmp_path):
    path = tmp_path / "field.csv"
    path.write_bytes(b'registration_number,name\n1,"' + b"xxxxxxxxx\n" * 10_000 + b'"\n')

    assert_refused(reader(path), "more than 32767 characters")


def test_a_csv_row_of_a_hundred_thousand_columns_is_refused(reader, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(b"name\n" + b"x," * 100_000 + b"x\n")

    assert_refused(reader(path), "Row 2", "column 100")


def test_a_csv_longer_than_the_row_limit_is_refused_at_the_first_row_beyond_it(reader, tmp_path):
    path = tmp_path / "long.csv"
    path.write_bytes(b"name\n" + b"x\n" * 5000)

    assert_refused(reader(path, limits={"max_rows": 1000}), "more than 1000 rows")


def test_a_csv_in_utf16_without_a_byte_order_mark_is_refused_with_how_to_save_it(reader, tmp_path):
    path = tmp_path / "unicode.csv"
    path.write_bytes("registration_number,name\n1,Café\n".encode("utf-16-le"))

    assert_refused(reader(path), "NUL", "CSV UTF-8")


def test_a_csv_in_the_wrong_encoding_for_the_one_given_is_refused(reader, tmp_path):
    path = tmp_path / "windows.csv"
    path.write_bytes("registration_number,name\n1,Café\n".encode("cp1252"))

    assert_refused(reader(path, encoding="utf-8"), "cannot be read as Unicode (UTF-8)")


def test_binary_noise_named_csv_is_refused(reader, tmp_path):
    path = tmp_path / "noise.csv"
    path.write_bytes(os.urandom(2 * MB))

    assert_refused(reader(path), "NUL")


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(reader, tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"name\n" + b"x\n" * MB)

    assert_refused(reader(path, limits={"max_bytes": MB}), "larger than 1.0 MB")


def test_a_file_that_never_ends_is_read_only_up_to_the_limit(reader):
    assert_refused(reader(Path("/dev/zero"), filename="zero.csv"), "larger than 50 MB")


# --- Every upload path: the clear message, and nothing changed ----------------------------------------


def hostile_xlsx() -> bytes:
    """The 5 KB workbook whose formatted last cell once took the import past 6 GB."""
    out = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append(["registration_number", "name", "postcode", "city", "sector"])
    book.active.append(["30700001", "Bakkerij Het Anker", "3511 AB", "Utrecht", "hospitality"])
    book.active["XFD1048576"].font = Font(bold=True)
    book.save(out)
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_import_page_shows_why_a_hostile_workbook_is_refused_and_keeps_nothing(rita, media):
    from crm.import_jobs import jobs_dir

    file = SimpleUploadedFile("employers.xlsx", hostile_xlsx())
    response = signed_in(rita).post(reverse("crm:import"), {"kind": "employers", "file": file})

    assert response.status_code == 200
    assert "A1:XFD1048576" in response.content.decode()
    assert 'name="ticket"' not in response.content.decode()
    assert not Employer.objects.exists()
    assert not any(jobs_dir().glob("*.xlsx")) if jobs_dir().exists() else True


@pytest.mark.django_db
def test_the_import_page_refuses_a_file_over_the_size_limit(rita, media, settings):
    settings.IMPORT_MAX_BYTES = 100
    file = SimpleUploadedFile("employers.csv", b"registration_number,name\n" + b"1,x\n" * 100)

    response = signed_in(rita).post(reverse("crm:import"), {"kind": "employers", "file": file})

    assert "larger than" in response.content.decode()
    assert not Employer.objects.exists()


@pytest.mark.django_db
def test_the_background_import_reports_a_hostile_file_and_imports_nothing(rita, media):
    from crm.import_jobs import jobs_dir, perform_import_job, start_import_job

    job = start_import_job(user=rita, kind="employers", data=hostile_xlsx(), filename="big.xlsx", dry_run=False)
    done = perform_import_job(job.id)

    assert done is not None and done.state == "done"
    report = done.import_report()
    assert report is not None and not report.ok and "A1:XFD1048576" in report.file_errors[0]
    assert not Employer.objects.exists()
    assert not (jobs_dir() / job.stored).exists()


@pytest.mark.django_db
def test_the_background_import_refuses_a_stored_file_over_the_size_limit(rita, media, settings):
    from crm.import_jobs import perform_import_job, start_import_job

    job = start_import_job(user=rita, kind="employers", data=b"name\n" + b"x\n" * 100, filename="a.csv", dry_run=True)
    settings.IMPORT_MAX_BYTES = 100
    done = perform_import_job(job.id)

    assert done is not None and done.report is not None and "larger than" in done.report["file_errors"][0]


@pytest.mark.django_db
def test_manage_py_import_refuses_a_hostile_workbook_with_the_reason(tmp_path, capsys):
    path = tmp_path / "employers.xlsx"
    path.write_bytes(hostile_xlsx())

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import", "employers", str(path))

    assert "A1:XFD1048576" in capsys.readouterr().err
    assert not Employer.objects.exists()


@pytest.mark.django_db
def test_manage_py_import_refuses_a_file_over_the_size_limit_without_reading_it(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 100
    path = tmp_path / "employers.csv"
    path.write_bytes(b"registration_number,name\n" + b"1,x\n" * 100)

    with pytest.raises(CommandError, match="larger than"):
        call_command("import", "employers", str(path))
    assert not Employer.objects.exists()


def _admin_format(name: str) -> str:
    """The position of a format in the employer admin's import form (the form posts an index)."""
    from django.contrib import admin

    employer_admin: Any = admin.site._registry[Employer]
    formats = employer_admin.get_import_formats()
    return str(next(i for i, fmt in enumerate(formats) if fmt().get_extension() == name))


@pytest.mark.django_db
def test_the_admin_import_shows_why_a_hostile_workbook_is_refused(adam):
    file = SimpleUploadedFile("employers.xlsx", hostile_xlsx())

    response = signed_in(adam).post(
        reverse("admin:crm_employer_import"), {"import_file": file, "format": _admin_format("xlsx")}
    )

    assert response.status_code == 200
    assert "A1:XFD1048576" in response.content.decode()
    assert "confirm_form" not in response.context
    assert not Employer.objects.exists()


@pytest.mark.django_db
def test_the_admin_import_refuses_a_file_over_the_size_limit(adam, settings):
    settings.IMPORT_MAX_BYTES = 100
    file = SimpleUploadedFile("employers.csv", b"registration_number,name\n" + b"1,x\n" * 100)

    response = signed_in(adam).post(
        reverse("admin:crm_employer_import"), {"import_file": file, "format": _admin_format("csv")}
    )

    assert "larger than" in response.content.decode()
    assert not Employer.objects.exists()


@pytest.mark.django_db
def test_the_admin_import_reads_a_windows_csv_as_every_import_does(adam):
    content = "registration_number,name\n30700001,Café De Hoek\n".encode("cp1252")
    client = signed_in(adam)

    checked = client.post(
        reverse("admin:crm_employer_import"),
        {"import_file": SimpleUploadedFile("employers.csv", content), "format": _admin_format("csv")},
    )
    client.post(reverse("admin:crm_employer_process_import"), checked.context["confirm_form"].initial)

    assert Employer.objects.get().name == "Café De Hoek"
