"""The import's fast path: the same rows and the same per-row errors as full_clean() and bulk_create gave.

The resources check each row with crm.importing.RowChecks (cheap checks, then the field's own clean()
for anything they do not settle) and write large batches of new rows with COPY on PostgreSQL
(crm.importing.insert_new). The references below are the resources as they were before: Django's
full_clean() on every row and bulk_create for every batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
import tablib
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.importing import ImportReport, import_dataset, insert_new
from crm.models import Contact, Employer, EmployerStageChange
from crm.resources import ContactResource, EmployerResource
from tests.crm.factories import EmployerFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)
CLOCK = dt.datetime(2026, 11, 2, 10, 0, 7, tzinfo=dt.UTC)  # what auto_now and auto_now_add read
COLUMNS = [
    "registration_number", "name", "street", "postcode", "city", "country", "sector", "size_band", "ownership",
    "website", "phone", "email", "stage", "source", "owner", "sector_gender", "share_women_pct",
    "share_women_supervisors_pct", "offers_flexitime", "childcare_support", "collective_agreement",
    "accessibility_notes", "vet_no_prejudice", "vetted_at", "do_not_engage", "do_not_engage_reason", "notes",
]  # fmt: skip


def _full_clean_as_before(resource: Any, instance: Any, import_validation_errors: Any = None) -> None:
    """validate_instance as it was: the model's full_clean() on every row."""
    from django.core.exceptions import ValidationError

    from crm.resources import _specific

    errors = dict(import_validation_errors or {})
    try:
        resource.validate_row(instance)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    found = [f.name for f in instance._meta.concrete_fields if f.many_to_one and getattr(instance, f.attname)]
    exclude = [*errors, *found, *resource._not_in_file]
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError({name: _specific(messages) for name, messages in errors.items()})


class EmployersAsBefore(EmployerResource):
    """EmployerResource with Django's full_clean() per row."""

    def validate_instance(self, instance: Any, import_validation_errors: Any = None, validate_unique: bool = True):
        _full_clean_as_before(self, instance, import_validation_errors)


class ContactsAsBefore(ContactResource):
    """ContactResource with Django's full_clean() per row."""

    def validate_instance(self, instance: Any, import_validation_errors: Any = None, validate_unique: bool = True):
        _full_clean_as_before(self, instance, import_validation_errors)


def employer_row(n: int, **cells: object) -> list[object]:
    """A good employer row with every column filled; `cells` overrides some."""
    row: dict[str, object] = {
        "registration_number": f"30{n:06d}",
        "name": f"  Bakkerij  Nummer {n} B.V.",
        "street": f"Oudegracht {n}",
        "postcode": f"35{n % 100:02d} ab",
        "city": "Utrecht",
        "country": "nl",
        "sector": "Hospitality" if n % 2 else "care",
        "size_band": "small",
        "ownership": "",
        "website": f"www.bakkerij{n}.nl",
        "phone": "030 123 4567",
        "email": f"Info@Bakkerij{n}.NL",
        "stage": ["", "prospect", "active", "Contacted"][n % 4],
        "source": "",
        "owner": "rita" if n % 3 else "",
        "sector_gender": "",
        "share_women_pct": str(n % 101),
        "share_women_supervisors_pct": "",
        "offers_flexitime": ["", "ja", "0"][n % 3],
        "childcare_support": "1",
        "collective_agreement": "CAO Bakkersbedrijf",
        "accessibility_notes": "'=formula, escaped on export",
        "vet_no_prejudice": "ja" if n % 2 else "",
        "vetted_at": "2026-03-31 14:30" if n % 2 else "",
        "do_not_engage": "",
        "do_not_engage_reason": "",
        "notes": "Met at the fair.\nTwice.",
    }
    row.update(cells)
    return [row[column] for column in COLUMNS]


def run(resource: Any, rows: Sequence[Sequence[object]], *, headers: list[str] | None = None, **kwargs: Any):
    """Import rows with a resource, as the import page does."""
    data = tablib.Dataset(*rows, headers=headers or COLUMNS)
    return import_dataset(resource=resource, dataset=data, actor=kwargs.pop("actor", None), now=NOW, **kwargs)


def problems(report: ImportReport) -> list[tuple[int, str]]:
    """(row, message) pairs of a report."""
    return [(problem.row, message) for problem in report.problems for message in problem.messages]


def employers() -> list[dict[str, Any]]:
    """Every employer's stored values but its id, by registration number."""
    names = [f.attname for f in Employer._meta.concrete_fields if not f.primary_key]
    return list(Employer.objects.order_by("registration_number", "name").values(*names))


def stage_history() -> list[tuple[Any, ...]]:
    """Every stage change but its ids, by employer."""
    return sorted(
        EmployerStageChange.objects.values_list(
            "employer__registration_number", "from_stage", "to_stage", "changed_at", "changed_by_id", "note",
            "decline_reason",
        )
    )  # fmt: skip


BAD_ROWS = [
    employer_row(1, email="info@@bakkerij"),
    employer_row(2, name="B" * 201),
    employer_row(3, postcode="1234 ABCDEFGHIJ"),
    employer_row(4, country="NLD"),
    employer_row(5, sector="bakery"),
    employer_row(6, share_women_pct="150"),
    employer_row(7, share_women_pct="-3"),
    employer_row(8, share_women_pct="12,5"),
    employer_row(9, website="http://exa mple"),
    employer_row(10, name="B.V."),
    employer_row(11, do_not_engage="1"),
    employer_row(12, website="www." + "a" * 200 + ".nl", street="Oude\x00gracht"),  # NUL is allowed in a model
    employer_row(13, phone="0" * 41, city="U" * 101, email="x" * 250 + "@a.nl"),
    employer_row(14, registration_number="30000015"),  # row 15's number, which comes later: reported there
    employer_row(15),
    employer_row(16, registration_number="77777777", name="Bestaand", postcode="1000AA"),  # two employers
    employer_row(17, name="Bestaand", postcode="1000AA"),  # name and postcode known with another number
    employer_row(18, owner="nobody", stage="partner", offers_flexitime="misschien", vetted_at="gisteren"),
    employer_row(19, stage="active", do_not_engage="1", do_not_engage_reason="Zwart werk"),
    employer_row(20, collective_agreement="C" * 201, ownership="private", size_band="Huge"),
    employer_row(21),  # good
]


@pytest.fixture
def network(rita) -> None:
    """Two employers the bad rows collide with."""
    EmployerFactory(registration_number="77777777", name="Ander", postcode="9999ZZ")
    EmployerFactory(registration_number="88888888", name="Bestaand", postcode="1000AA")


def test_bad_rows_get_the_messages_full_clean_gave(network, rita):
    fast = run(EmployerResource(), BAD_ROWS, actor=rita, owner=rita)
    before = run(EmployersAsBefore(), BAD_ROWS, actor=rita, owner=rita)

    assert problems(fast) == problems(before)
    assert [problem.row for problem in fast.problems] == [*range(1, 14), *range(15, 21)]
    assert Employer.objects.count() == 2


def test_bad_rows_are_reported_in_words(network, rita):
    found = dict(problems(run(EmployerResource(), BAD_ROWS, actor=rita, owner=rita)))

    assert found[1] == "email: Enter a valid email address."
    assert found[2] == "name: Ensure this value has at most 200 characters (it has 201)."
    assert found[4] == "country: Ensure this value has at most 2 characters (it has 3)."
    assert found[5].startswith("sector: “bakery” is not a known sector; use one of: ")
    assert found[6] == "share_women_pct: Ensure this value is less than or equal to 100."
    assert found[7] == "share_women_pct: Ensure this value is greater than or equal to 0."
    assert found[8] == "share_women_pct: “12,5” is not a whole number."
    assert found[9] == "website: Enter a valid URL."
    assert found[10] == "name: Enter the employer's name."
    assert found[11] == "do_not_engage_reason: Say why this employer should not be engaged."
    assert found[12] == "website: Ensure this value has at most 200 characters (it has 215)."
    assert found[15] == (
        "Row 14 has the same registration number (30000015); an employer may appear only once in a file."
    )
    assert found[16] == "Registration number 77777777 belongs to Ander, but this name and postcode belong to Bestaand."
    assert found[17] == "Bestaand at this postcode already exists with registration number 88888888, not 30000017."
    assert found[19] == "stage: This employer is flagged do-not-engage, so it cannot be Active partner."


def test_good_rows_are_stored_as_full_clean_and_bulk_create_stored_them(rita):
    rows = [employer_row(n) for n in range(1, 41)]
    with time_machine.travel(CLOCK, tick=False):
        before = run(EmployersAsBefore(), rows, actor=rita, owner=rita)
        stored_before, history_before = employers(), stage_history()
        Employer.objects.all().delete()
        fast = run(EmployerResource(), rows, actor=rita, owner=rita)

    assert before.ok and fast.ok, problems(fast)
    assert employers() == stored_before
    assert stage_history() == history_before
    first = employers()[0]
    assert (first["name"], first["normalised_name"], first["postcode"]) == (
        "Bakkerij Nummer 1 B.V.",
        "bakkerij nummer 1",
        "3501AB",
    )
    assert (first["created_at"], first["updated_at"], first["stage_changed_at"]) == (CLOCK, CLOCK, NOW)


def test_contacts_get_the_same_rows_and_messages_as_before():
    employer = EmployerFactory(registration_number="5550001")
    headers = ["employer_registration_number", "first_name", "last_name", "email", "role", "preferred_language"]
    rows = [
        ["5550001", "Anna", "de Vries", "ANNA@example.org", "", "sv"],
        ["5550001", "", "Bakker", "piet@example.org", "line_manager", "nl"],
        ["5550001", "Piet", "B" * 101, "piet@@example.org", "boss", ""],
        ["5550002", "Joke", "", "joke@example.org", "", ""],
        ["5550001", "Anna", "", "anna@Example.org", "", ""],
    ]
    with time_machine.travel(CLOCK, tick=False):
        before = run(ContactsAsBefore(), rows, headers=headers)
        fast = run(ContactResource(), rows, headers=headers)
        good = run(ContactResource(), rows[:1], headers=headers)

    assert problems(fast) == problems(before)
    assert [problem.row for problem in fast.problems] == [2, 3, 4, 5]
    assert good.ok
    assert list(Contact.objects.values_list("employer", "first_name", "email", "role", "preferred_language")) == [
        (employer.pk, "Anna", "anna@example.org", "line_manager", "sv")
    ]


def test_a_bad_row_after_written_batches_leaves_nothing_behind(rita):
    # 1,000 rows are a batch: the first is written (with COPY on PostgreSQL) before row 1,201 is read.
    rows = [employer_row(n, owner="") for n in range(1, 1201)] + [employer_row(1201, email="not an address")]

    report = run(EmployerResource(), rows, actor=rita)

    assert problems(report) == [(1201, "email: Enter a valid email address.")]
    assert not Employer.objects.exists()
    assert not EmployerStageChange.objects.exists()


@pytest.fixture(params=["bulk_create", "copy"])
def writer(request, monkeypatch) -> str:
    """Write every batch of new rows with bulk_create, or with COPY where the database has it."""
    if request.param == "copy" and connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite always uses bulk_create")
    monkeypatch.setattr("crm.importing.COPY_MIN_ROWS", 1 if request.param == "copy" else 10**9)
    return str(request.param)


def test_a_batch_the_database_refuses_is_a_file_error_and_nothing_is_written(writer, monkeypatch, rita):
    EmployerFactory(registration_number="30000002", name="Al bekend", postcode="1000AA")
    # As if the lookup missed the employer in the database: the unique constraint refuses the batch.
    monkeypatch.setattr(EmployerResource, "find_existing", lambda self, row: None)

    report = run(EmployerResource(), [employer_row(n) for n in range(1, 4)], actor=rita)

    assert not report.ok
    assert "unique" in " ".join(report.file_errors).casefold()
    assert list(Employer.objects.values_list("registration_number", flat=True)) == ["30000002"]
    assert not EmployerStageChange.objects.exists()
    assert Employer.objects.count() == 1  # the connection is usable after the refused batch


def test_copy_writes_the_rows_bulk_create_wrote(monkeypatch, rita):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite always uses bulk_create")
    rows = [employer_row(n) for n in range(1, 31)]
    stored = {}
    for name, threshold in (("bulk_create", 10**9), ("copy", 1)):
        monkeypatch.setattr("crm.importing.COPY_MIN_ROWS", threshold)
        with time_machine.travel(CLOCK, tick=False), CaptureQueriesContext(connection) as queries:
            report = run(EmployerResource(), rows, actor=rita, owner=rita)
        assert report.ok, problems(report)
        copies = [q["sql"] for q in queries if q["sql"].startswith("COPY ")]
        assert len(copies) == (1 if name == "copy" else 0)
        stored[name] = (employers(), stage_history())
        Employer.objects.all().delete()

    assert stored["copy"] == stored["bulk_create"]
    employer = stored["copy"][0][0]
    assert (employer["created_at"], employer["updated_at"], employer["stage_changed_at"]) == (CLOCK, CLOCK, NOW)
    assert (employer["normalised_name"], employer["postcode"], employer["country"]) == (
        "bakkerij nummer 1",
        "3501AB",
        "NL",
    )
    assert (employer["ownership"], employer["sector_gender"], employer["do_not_engage"]) == ("profit", "", False)


def test_copy_takes_its_keys_from_the_sequence_and_marks_the_instances_saved():
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite always uses bulk_create")
    existing = EmployerFactory()
    new = [Employer(name=f"Werkgever {n}", normalised_name=f"werkgever {n}") for n in range(600)]

    insert_new(new)

    ids = [employer.pk for employer in new]
    assert ids == sorted(ids) and ids[0] > existing.pk and len(set(ids)) == 600
    assert not any(employer._state.adding for employer in new)
    assert Employer.objects.filter(pk__in=ids).count() == 600
    later = EmployerFactory()  # the sequence moved on: no key is handed out twice
    assert later.pk > ids[-1]
    stored = Employer.objects.get(pk=ids[0])
    assert (stored.name, stored.ownership, stored.stage, stored.created_at) == (
        "Werkgever 0",
        "profit",
        "prospect",
        new[0].created_at,
    )


def test_copy_writes_contacts_as_bulk_create_did(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite always uses bulk_create")
    EmployerFactory(registration_number="5550001")
    headers = ["employer_registration_number", "first_name", "last_name", "email", "is_active", "notes"]
    rows = [["5550001", f"Anna {n}", "", f"Anna{n}@Example.org", ["", "0", "1"][n % 3], ""] for n in range(20)]
    names = [f.attname for f in Contact._meta.concrete_fields if not f.primary_key]
    stored = {}
    for name, threshold in (("bulk_create", 10**9), ("copy", 1)):
        monkeypatch.setattr("crm.importing.COPY_MIN_ROWS", threshold)
        with time_machine.travel(CLOCK, tick=False):
            report = run(ContactResource(), rows, headers=headers)
        assert report.ok, problems(report)
        stored[name] = list(Contact.objects.order_by("email").values(*names))
        Contact.objects.all().delete()

    assert stored["copy"] == stored["bulk_create"]
    assert stored["copy"][0]["email"] == "anna0@example.org"
    assert stored["copy"][0]["is_active"] is True


def _errors(check: Any) -> dict[str, list[str]]:
    """The messages a check raised, by field; empty when it passed."""
    from django.core.exceptions import ValidationError

    try:
        check()
    except ValidationError as exc:
        return {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
    return {}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        *[
            ("website", url)
            for url in [
                "https://www.example.nl",
                "HTTP://WWW.EXAMPLE.NL/Pad?q=1#deel",
                "http://a.bc",
                "https://exa mple.nl",
                "httpſ://www.example.nl",
                "https://-a.nl",
                "https://a-.nl",
                "https://x.n",
                "https://x.nl:8080/",
                "ftp://x.nl",
                "https://xn--bcher-kva.de",
                "https://bücher.de",
                "https://localhost",
                "https://1.2.3.4",
                "https://[::1]/",
                "https://x.nl/a\\b",
                "https://" + "a" * 64 + ".nl",
                "https://" + "a" * 63 + ".nl/" + "p" * 120,
                "https://x.nl/\t",
                "https://x.nl/%",
                "https://user:pw@x.nl",
                "www.x.nl",
            ]
        ],
        ("name", "A" * 200),
        ("name", "A" * 201),
        ("name", ""),
        ("name", "Nul\x00teken"),
        ("country", "NL"),
        ("country", ""),
        ("stage", "active"),
        ("stage", "ACTIVE"),
        ("stage", ""),
        ("sector", ""),
        ("sector", "care"),
        ("sector", "bakery"),
        ("share_women_pct", 0),
        ("share_women_pct", 100),
        ("share_women_pct", 101),
        ("share_women_pct", -1),
        ("share_women_pct", None),
        ("share_women_pct", True),
        ("offers_flexitime", None),
        ("do_not_engage", None),
        ("do_not_engage", True),
        *[
            ("email", address)
            for address in [
                "Info@Example.nl",
                "info@@example.nl",
                "a.b-c+d@sub.example.co.uk",
                "a..b@x.nl",
                ".a@x.nl",
                "a@x",
                "a@localhost",
                "a@[1.2.3.4]",
                "a@-x.nl",
                "a@x-.nl",
                '"quoted name"@x.nl',
                "ſ@x.nl",
                "a@xn--bcher-kva.de",
                "a@bücher.de",
                "a b@x.nl",
                "a@x.nl\n",
                "x" * 250 + "@a.nl",
            ]
        ],
        ("normalised_name", ""),
    ],
)
def test_the_quick_checks_raise_what_full_clean_raises(field, value):
    from crm.importing import RowChecks

    with time_machine.travel(CLOCK, tick=False):
        quick, django = Employer(name="Alfa"), Employer(name="Alfa")
    setattr(quick, field, value)
    setattr(django, field, value)

    expected = _errors(lambda: django.full_clean(validate_unique=False, validate_constraints=False))
    assert _errors(lambda: RowChecks(Employer).full_clean(quick)) == expected
    assert quick.__dict__ == django.__dict__ | {"_state": quick._state}


def test_a_new_instance_is_what_the_model_makes():
    from crm.importing import NewInstances

    with time_machine.travel(CLOCK, tick=False):
        made, model = NewInstances(Employer).new(), Employer()

    assert made.__dict__.keys() == model.__dict__.keys()
    assert {k: v for k, v in made.__dict__.items() if k != "_state"} == {
        k: v for k, v in model.__dict__.items() if k != "_state"
    }
    assert (made._state.adding, made._state.db, made.pk) == (True, None, None)
    with time_machine.travel(CLOCK + dt.timedelta(minutes=1), tick=False):
        later = NewInstances(Employer).new()
    assert later.stage_changed_at == CLOCK + dt.timedelta(minutes=1)  # a callable default is called for each
    assert NewInstances(Employer).copy  # the defaults are plain values and choices: copied, not rebuilt


@pytest.mark.parametrize("kind", ["contacts", "vacancies"])
def test_rows_naming_employers_read_them_in_a_few_queries_whatever_the_count(kind):
    from crm.resources import VacancyResource

    def queries(count: int, offset: int) -> int:
        numbers = [str(5550000 + offset + n) for n in range(count)]
        for number in numbers:
            EmployerFactory(registration_number=number)
        if kind == "contacts":
            headers = ["employer_registration_number", "first_name", "email"]
            rows = [[number, "Anna", f"anna{number}@example.org"] for number in numbers]
            resource: Any = ContactResource()
        else:
            headers = ["employer_registration_number", "reference", "title", "status"]
            rows = [[number, "R1", "Kok", "open"] for number in numbers]
            resource = VacancyResource()
        with CaptureQueriesContext(connection) as captured:
            report = run(resource, rows, headers=headers)
        assert report.ok, problems(report)
        return sum(1 for q in captured if not q["sql"].startswith(("INSERT", "COPY")))

    assert queries(3, 0) == queries(30, 100)


def test_copy_writes_vacancies_with_their_ladder_steps_as_bulk_create_did(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite always uses bulk_create")
    from crm.models import Vacancy
    from crm.resources import VacancyResource

    EmployerFactory(registration_number="5550001")
    headers = ["employer_registration_number", "reference", "title", "ladder_steps", "status", "hours_per_week"]
    rows = [["5550001", f"R{n}", "Kok", "19,20" if n % 2 else "", "open", "32,5"] for n in range(12)]
    names = [f.attname for f in Vacancy._meta.concrete_fields if f.attname not in ("id", "employer_id")]
    stored = {}
    for name, threshold in (("bulk_create", 10**9), ("copy", 1)):
        monkeypatch.setattr("crm.importing.COPY_MIN_ROWS", threshold)
        with time_machine.travel(CLOCK, tick=False):
            report = run(VacancyResource(), rows, headers=headers)
        assert report.ok, problems(report)
        vacancies = Vacancy.objects.order_by("reference").prefetch_related("ladder_steps")
        stored[name] = [
            ({n: getattr(v, n) for n in names}, sorted(s.position for s in v.ladder_steps.all())) for v in vacancies
        ]
        Vacancy.objects.all().delete()

    assert stored["copy"] == stored["bulk_create"]
    values, steps = stored["copy"][1]
    assert (values["opened_at"], values["hours_per_week"], steps) == (NOW, Decimal("32.5"), [19, 20])
