"""The import that explains itself: column reference, templates, headers understood, encodings, owners, typed XLSX."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common.spreadsheets import detect_encoding
from crm.importing import default_owner, import_file
from crm.models import Contact, Employer, Vacancy
from crm.resources import RESOURCES, EmployerResource
from crm.roles import Role
from tests.crm.factories import EmployerFactory, VacancyFactory

pytestmark = pytest.mark.django_db
ImportCommand = importlib.import_module("crm.management.commands.import").Command
ExportCommand = importlib.import_module("crm.management.commands.export").Command

# A Dutch Excel "CSV (puntkomma)" file: semicolons, Windows-1252 bytes for é, ë and €.
CP1252_CSV = (
    "KvK-nummer;Naam;Plaats;Notities\r\n"
    "30990001;Café De Eënhoorn;Zwolle;Lunch € 12,50\r\n"
    "30990002;Brasserie Noël;Delft;Geen\r\n"
).encode("cp1252")
# Excel's "CSV (MS-DOS)": its é and ë read as Windows-1252 give ‚ and ‰, so the reading is unsure.
CP850_CSV = "registration_number;name;city\r\n30990003;Café België;Gent\r\n".encode("cp850")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def sven(db: None) -> User:
    """A second relationship manager."""
    user = User.objects.create_user(username="sven", password="correct-horse-battery", email="sven@werkbrug.test")
    user.groups.add(Group.objects.get(name=Role.RELATIONSHIP_MANAGER))
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, data: bytes, name: str = "employers.csv", kind: str = "employers"):
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(reverse("crm:import"), {"kind": kind, "file": file})


def form_value(response, name: str) -> str | None:
    found = re.search(rf'name="{name}" value="([^"]+)"', response.content.decode())
    return found.group(1) if found else None


def confirm(client: Client, response):
    ticket = form_value(response, "ticket")
    assert ticket, "no confirm button"
    return client.post(reverse("crm:import"), {"ticket": ticket})


# --- The column reference and the templates -------------------------------------------------------


def test_the_import_page_explains_every_column_of_every_kind(rita):
    response = signed_in(rita).get(reverse("crm:import"))

    references = {kind: {c.name: c for c in columns} for kind, _label, columns in response.context["references"]}
    assert set(references) == set(RESOURCES)
    employers = references["employers"]
    assert list(employers) == [f.column_name for f in EmployerResource().get_import_fields()]
    name, number = employers["name"], employers["registration_number"]
    assert (name.required, name.example) == (True, "Bakkerij Van Dijk B.V.")
    assert (number.required, number.example) == (False, "30123456")
    assert number.meaning.startswith("Registration number. Chamber of Commerce")
    assert {"Registratienummer", "Organisationsnummer", "KvK-nummer"} <= set(number.aliases)
    assert "registration_number" not in number.aliases  # the column's own name needs no mention
    assert employers["owner"].aliases[:3] == ("Relationship manager", "Relatiebeheerder", "Relationsansvarig")
    assert "One of: micro," in employers["size_band"].hint
    assert employers["owner"].example == "rita"  # whoever reads the page, when they may own employers
    assert references["contacts"]["employer_registration_number"].alternatives == ("employer_name",)
    page = response.content.decode()
    assert reverse("crm:import-template", kwargs={"kind": "vacancies", "format": "xlsx"}) in page
    assert "<code>19,20</code>" in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_templates_download_and_import_back_cleanly(rita, media, fmt):
    client = signed_in(rita)

    for kind in ("employers", "contacts", "vacancies"):
        download = client.get(reverse("crm:import-template", kwargs={"kind": kind, "format": fmt}))
        assert download.status_code == 200
        assert download["Content-Disposition"] == f'attachment; filename="{kind}.{fmt}"'
        preview = upload(client, download.content, name=f"{kind}.{fmt}", kind=kind)
        assert preview.context["report"].ok, (kind, preview.context["report"].problems)
        assert preview.context["report"].ignored == []
        assert confirm(client, preview).context["report"].created == 1

    employer = Employer.objects.get()
    assert (employer.name, employer.postcode, employer.owner, employer.offers_flexitime) == (
        "Bakkerij Van Dijk B.V.",
        "3511AB",
        rita,
        True,
    )
    vacancy = Vacancy.objects.get()
    assert vacancy.contact == Contact.objects.get(email="sanne@bakkerijvandijk.nl")
    assert sorted(step.position for step in vacancy.ladder_steps.all()) == [19, 20]
    assert (vacancy.hours_per_week, vacancy.starts_on) == (Decimal("24"), dt.date(2026, 4, 1))


def test_the_xlsx_template_holds_typed_example_cells_and_the_csv_one_semicolons(rita):
    client = signed_in(rita)

    xlsx = client.get(reverse("crm:import-template", kwargs={"kind": "vacancies", "format": "xlsx"})).content
    csv = client.get(reverse("crm:import-template", kwargs={"kind": "employers", "format": "csv"})).content

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    cells = {header.value: cell for header, cell in zip(sheet[1], sheet[2], strict=True)}
    assert (cells["places"].data_type, cells["places"].value) == ("n", 2)
    assert cells["starts_on"].is_date
    assert cells["title"].data_type == "s"
    assert csv.startswith(b"\xef\xbb\xbfregistration_number;name;street;")


def test_an_unknown_template_is_not_found(rita):
    client = signed_in(rita)

    assert client.get("/network/import/template/placements.csv").status_code == 404
    assert client.get("/network/import/template/employers.ods").status_code == 404


def test_a_coach_cannot_download_a_template(alice):
    url = reverse("crm:import-template", kwargs={"kind": "employers", "format": "csv"})

    assert signed_in(alice).get(url).status_code == 403


# --- The preview: headers ------------------------------------------------------------------------


def test_the_preview_shows_how_each_header_was_understood_and_which_were_ignored(rita, media):
    data = b"KvK-nummer,NAAM,Plaats,Favourite colour\n30990010,Bakkerij Zon,Assen,blue\n"

    preview = upload(signed_in(rita), data)

    report = preview.context["report"]
    assert report.ok
    assert [(h, c) for h, c, _meaning in preview.context["understood"]] == [
        ("KvK-nummer", "registration_number"),
        ("NAAM", "name"),
        ("Plaats", "city"),
    ]
    assert report.ignored == ["Favourite colour"]
    page = preview.content.decode()
    assert page.index("How your headers were understood") < page.index("Favourite colour")
    assert "These headers were not understood, so their columns are ignored" in page


# --- The preview: encodings ----------------------------------------------------------------------


def test_a_windows_1252_semicolon_file_imports_without_any_choice(rita, media):
    client = signed_in(rita)

    preview = upload(client, CP1252_CSV)

    page = preview.content.decode()
    assert "read as Windows (Western European)" in page
    assert "Columns separated by semicolons." in page
    assert form_value(preview, "reread") is None and 'name="encoding"' not in page
    confirm(client, preview)
    cafe = Employer.objects.get(registration_number="30990001")
    assert (cafe.name, cafe.city, cafe.notes) == ("Café De Eënhoorn", "Zwolle", "Lunch € 12,50")
    assert Employer.objects.get(registration_number="30990002").name == "Brasserie Noël"


def test_an_ambiguous_file_offers_a_choice_and_imports_in_the_chosen_encoding(rita, media):
    client = signed_in(rita)

    preview = upload(client, CP850_CSV)

    page = preview.content.decode()
    assert form_value(preview, "ticket") is None  # nothing to confirm until a reading is chosen
    assert '<option value="cp850" selected>MS-DOS (Western European): 30990003;Café België;Gent</option>' in page
    assert '<option value="cp1252">Windows (Western European): 30990003;Caf‚ Belgi‰;Gent</option>' in page
    chosen = client.post(reverse("crm:import"), {"reread": form_value(preview, "reread"), "encoding": "cp850"})
    assert "Read as MS-DOS (Western European), as you chose." in chosen.content.decode()
    assert not Employer.objects.exists()
    confirm(client, chosen)
    assert Employer.objects.get().name == "Café België"


def test_the_choice_is_refused_for_an_encoding_not_offered(rita, media):
    client = signed_in(rita)
    reread = form_value(upload(client, CP850_CSV), "reread")

    refused = client.post(reverse("crm:import"), {"reread": reread, "encoding": "rot13"}, follow=True)

    assert "Choose one of the readings offered." in refused.content.decode()
    assert not Employer.objects.exists()


def test_the_command_and_the_page_detect_encodings_the_same_way(rita, tmp_path):
    assert detect_encoding(CP1252_CSV).encoding == "cp1252"
    assert detect_encoding("Åkessons Städ AB".encode()).encoding == "utf-8"
    assert detect_encoding(b"\xff\xfe" + "Caf\u00e9".encode("utf-16-le")).text == "Café"
    path = tmp_path / "dos.csv"
    path.write_bytes(CP850_CSV)

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(ImportCommand(), "employers", str(path), stdout=io.StringIO(), stderr=err)
    assert "--encoding cp850  (MS-DOS (Western European)): 30990003;Café België;Gent" in err.getvalue()
    assert not Employer.objects.exists()
    call_command(ImportCommand(), "employers", str(path), "--encoding", "cp850", stdout=io.StringIO())
    assert Employer.objects.get().name == "Café België"


# --- Owners ----------------------------------------------------------------------------------------


def import_employers(text: str, *, owner=None, actor=None):
    return import_file(
        resource=EmployerResource(), data=text.encode(), actor=actor, owner=owner, filename="employers.csv"
    )


def test_new_employers_get_the_importing_manager_unless_their_row_names_one(rita, sven):
    kept = EmployerFactory(registration_number="30990020", name="Al Bekend", owner=sven)

    report = import_employers(
        "registration_number,name,owner\n30990021,Een,SVEN@werkbrug.test\n30990022,Twee,\n30990020,Al Bekend,\n",
        actor=rita,
        owner=default_owner(rita),
    )

    assert report.ok, report.problems
    owners = dict(Employer.objects.values_list("registration_number", "owner__username"))
    assert owners == {"30990021": "sven", "30990022": "rita", "30990020": "sven"}
    kept.refresh_from_db()
    assert kept.owner == sven  # an existing employer keeps its relationship manager


def test_without_an_owner_column_new_employers_get_the_default_and_existing_ones_keep_theirs(rita, sven):
    EmployerFactory(registration_number="30990030", name="Oud", owner=sven)

    import_employers("registration_number,name\n30990030,Oud\n30990031,Nieuw\n", owner=rita)

    owners = dict(Employer.objects.values_list("registration_number", "owner__username"))
    assert owners == {"30990030": "sven", "30990031": "rita"}


def test_an_owner_who_is_not_an_active_relationship_manager_is_a_row_error(rita, alice, sven):
    sven.is_active = False
    sven.save()

    report = import_employers("name,owner\nEen,rita\nTwee,alice\nDrie,sven\nVier,nobody\n", owner=rita)

    message = "owner: There is no active relationship manager with the username or email address “%s”."
    assert [(p.row, p.messages) for p in report.problems] == [
        (2, (message % "alice",)),
        (3, (message % "sven",)),
        (4, (message % "nobody",)),
    ]
    assert not Employer.objects.exists()


def test_only_those_who_may_own_employers_are_the_default_owner(rita, alice, adam):
    assert default_owner(rita) == rita
    assert default_owner(adam) == adam
    assert default_owner(alice) is None


def test_the_page_makes_the_importing_manager_the_owner(rita, media):
    client = signed_in(rita)

    confirm(client, upload(client, b"name\nBakkerij Zon\n"))

    assert Employer.objects.get().owner == rita


def test_the_command_takes_an_owner_for_new_employers(rita, sven, tmp_path):
    path = tmp_path / "employers.csv"
    path.write_text("name,owner\nEen,\nTwee,sven\n", encoding="utf-8")

    call_command(ImportCommand(), "employers", str(path), "--owner", "rita@werkbrug.test", stdout=io.StringIO())

    assert dict(Employer.objects.values_list("name", "owner__username")) == {"Een": "rita", "Twee": "sven"}
    with pytest.raises(CommandError, match="no active relationship manager"):
        call_command(ImportCommand(), "employers", str(path), "--owner", "nobody", stdout=io.StringIO())


def test_the_command_gives_no_owner_by_default(rita, tmp_path):
    path = tmp_path / "employers.csv"
    path.write_text("name\nEen\n", encoding="utf-8")

    call_command(ImportCommand(), "employers", str(path), "--user", "rita", stdout=io.StringIO())

    assert Employer.objects.get().owner is None


# --- The admin's XLSX export -------------------------------------------------------------------


def admin_export(client: Client, kind: str, model: str) -> openpyxl.worksheet.worksheet.Worksheet:
    resource = RESOURCES[kind]
    fields = {f"{resource.__name__.lower()}_{name}": "on" for name in resource().get_export_order()}
    response = client.post(reverse(f"admin:crm_{model}_export"), {"format": "1", "resource": "0", **fields})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def cells_by_header(sheet) -> dict[str, openpyxl.cell.cell.Cell]:
    return {header.value: cell for header, cell in zip(sheet[1], sheet[2], strict=True)}


def test_the_admin_xlsx_export_writes_typed_cells_as_the_command_does(adam, tmp_path):
    vetted = timezone.make_aware(dt.datetime(2026, 3, 31, 14, 30))
    EmployerFactory(
        registration_number="30990040",
        name="Bakkerij Zon",
        share_women_pct=45,
        offers_flexitime=True,
        vet_no_prejudice=False,
        vetted_at=vetted,
        notes="=HYPERLINK(1)",
    )

    cells = cells_by_header(admin_export(signed_in(adam), "employers", "employer"))

    assert (cells["share_women_pct"].data_type, cells["share_women_pct"].value) == ("n", 45)
    assert (cells["offers_flexitime"].data_type, cells["offers_flexitime"].value) == ("b", True)
    assert (cells["vet_no_prejudice"].data_type, cells["vet_no_prejudice"].value) == ("b", False)
    assert cells["vetted_at"].is_date and cells["vetted_at"].value == dt.datetime(2026, 3, 31, 14, 30)
    assert cells["registration_number"].data_type == "s"  # text stays text
    assert (cells["notes"].data_type, cells["notes"].value) == ("s", "'=HYPERLINK(1)")  # formulae still escaped
    assert cells["childcare_support"].value is None
    output = tmp_path / "employers.xlsx"
    call_command(ExportCommand(), "employers", "-o", str(output), stdout=io.StringIO(), stderr=io.StringIO())
    command = cells_by_header(openpyxl.load_workbook(output).active)
    assert {h: (c.data_type, c.is_date, c.value) for h, c in command.items()} == {
        h: (c.data_type, c.is_date, c.value) for h, c in cells.items()
    }


def test_the_admin_xlsx_export_of_vacancies_has_number_and_date_cells(adam):
    VacancyFactory(hours_per_week=Decimal("32.5"), places=3, starts_on=dt.date(2026, 5, 1))

    cells = cells_by_header(admin_export(signed_in(adam), "vacancies", "vacancy"))

    assert (cells["hours_per_week"].data_type, cells["hours_per_week"].value) == ("n", 32.5)
    assert (cells["places"].data_type, cells["places"].value) == ("n", 3)
    assert cells["starts_on"].is_date and cells["starts_on"].value == dt.datetime(2026, 5, 1)
