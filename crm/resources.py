"""Import and export of employers, contacts and vacancies (django-import-export 4).

The rules live here so that `manage.py import`, the admin's import form and any later task
apply the same ones:

- Headers are matched loosely (case, accents and punctuation do not matter): our column names, the
  fields' names in every site language, and a few common ones (`extra_aliases`). A header nobody
  understands is ignored and listed in the preview. Each column is explained (`column_help`) from
  the same definitions: the model field's name and help text, the widget's hint and an example.
- New employers get the importing user as relationship manager unless their row names one.
- Natural keys, never database ids: employers by registration number, or by name + postcode when
  the number is empty (normalised as Employer.normalise() does); contacts by email; vacancies by
  employer + reference. Related rows are named the same way (owner by username, ladder steps by
  position, "19,20"). The existing rows a file refers to are loaded in a few queries up front.
- Every cell is parsed strictly (a choice must be a stored value or its label, "ja"/"nee" work for
  yes/no, 32,5 for 32.5) and every row passes the checks of the model's full_clean(), with its
  messages (crm.importing.RowChecks); a bad cell is a per-row error, never a silent default. Two rows
  with the same natural key are reported, not merged.
- All or nothing: `import_data` always rolls back when any row is invalid.
- Export neutralises formulae. IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT in django-import-export
  4.4 only strips a leading "=" and turns every cell into text (None becomes "None", numbers become
  text in XLSX). Here every text cell that starts with = + - @ tab or CR gets a leading apostrophe
  (OWASP "CSV injection"), and import strips that apostrophe again, so export -> import round-trips.
  Numeric, date and yes/no columns are never escaped: their values come from typed model fields,
  so "-5" in a number column is the number -5, and XLSX stores it as a number.
- Speed (issue 15: at least half the speed of a plain bulk_create of the same rows; bench/README.md,
  "Employer import", has the figures): use_bulk with batch_size 1000 and skip_diff. The library's
  skip_unchanged needs the diff, so skip_row compares the row's exported values before and after
  instead. Each row is prepared once: a copy of one new instance (NewInstances), each cell parsed
  by its widget, each name folded once per import (normalised()), then RowChecks, which keeps the
  value of a field a cheap check settles (text within max_length, a known choice, a yes/no, a
  number in range, a plain web or email address) and gives every other value to the field's own
  clean(), then the model's clean(). The database-backed checks are skipped (one query per
  constraint per row): uniqueness is settled by the natural-key lookup and the in-file duplicate
  check, and the check constraints mirror field validators and clean(); the database still
  enforces them all, inside the import's transaction. A batch of new rows is written with COPY on
  PostgreSQL when large (crm.importing.insert_new, the same rows as bulk_create), with bulk_create
  otherwise, and new employers' first stages with one INSERT ... SELECT. Every row is checked
  before its batch is written, and once a row has failed nothing more is written: the import
  rolls back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources, widgets
from import_export.results import RowResult

from common.spreadsheets import ImportFileError, escape_formula, is_blank
from crm.choices import Stage, VacancyStatus
from crm.importing import (
    IN_CHUNK,
    TYPED_WIDGETS,
    ColumnHelp,
    LadderStepsWidget,
    NetworkField,
    NewInstances,
    RowChecks,
    TextWidget,
    UserWidget,
    clean_text,
    default_owner,
    insert_new,
    insert_per_row,
    widget_for,
)
from crm.models import (
    Contact,
    Employer,
    EmployerStageChange,
    Vacancy,
    normalise_name,
    normalise_postcode,
)


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    """Split values into lists small enough for an IN (...) on any database."""
    items = sorted(set(values))
    for start in range(0, len(items), IN_CHUNK):
        yield items[start : start + IN_CHUNK]


def _specific(errors: list[Any]) -> list[Any]:
    """Drop Django's generic "cannot be blank" when clean() said something more specific."""
    specific = [e for e in errors if getattr(e, "code", None) != "blank"]
    return specific or errors


def _employers(**lookup: Any) -> models.QuerySet[Employer]:
    """Employers by registration number or name, in a way SQLite can use the partial unique index for.

    The only index on registration_number is the constraint's, WHERE NOT (registration_number = '');
    SQLite uses a partial index only when the query repeats that condition, else it scans the table.
    """
    employers = Employer.objects.filter(**lookup)
    if "registration_number__in" in lookup:
        employers = employers.exclude(registration_number="")
    return employers


def _header_key(name: str) -> str:
    """Fold a column header for matching: case, accents, spaces and punctuation do not matter."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return re.sub(r"[^0-9a-z]+", "_", folded).strip("_")


# --- The shared resource --------------------------------------------------------------------


class NetworkResource(resources.ModelResource):
    """Shared behaviour: strict cells, natural keys, duplicates reported, all or nothing, escaped exports."""

    #: Columns a file must have.
    required_columns: ClassVar[tuple[str, ...]] = ()
    #: Groups of columns of which a file must have at least one.
    either_columns: ClassVar[tuple[tuple[str, ...], ...]] = ()
    #: What a column means, for columns that are not a model field of their own.
    column_meanings: ClassVar[dict[str, Any]] = {}
    #: An example cell per column (the widget gives one for the others).
    column_examples: ClassVar[dict[str, Any]] = {}
    #: Headers people use for a column besides its name and its field's name in the site languages.
    extra_aliases: ClassVar[dict[str, tuple[str, ...]]] = {}
    #: Model fields bulk_update writes besides the imported columns.
    extra_update_fields: ClassVar[tuple[str, ...]] = ("updated_at",)
    #: For each kind of natural key: the message for a second row with the same key.
    duplicate_messages: ClassVar[dict[str, Any]] = {}
    #: select_related / prefetch_related for exports.
    export_select: ClassVar[tuple[str, ...]] = ()
    export_prefetch: ClassVar[tuple[str, ...]] = ()

    class Meta:
        clean_model_instances = True
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        skip_unchanged = True  # done by skip_row without the diff
        use_transactions = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.actor: Any = None
        self.now = timezone.now()
        self.blank_rows = 0
        self._present: set[str] = set()
        self._not_in_file: set[str] = set()
        self._in_file: list[Any] = []
        self._checks = RowChecks(self._meta.model)
        self._new = NewInstances(self._meta.model)
        self._names: dict[str, str] = {}
        self._seen: dict[tuple[str, object], int] = {}
        self._row_number = 0
        self._failed = False
        self.header_map: list[tuple[str, str]] = []
        self.default_owner: Any = None

    @classmethod
    def field_from_django_field(cls, field_name: str, django_field: Any, readonly: bool) -> NetworkField:
        """Our widgets for every model field the resource lists."""
        may_be_empty = django_field.null or (
            django_field.blank and isinstance(django_field, models.CharField | models.TextField)
        )
        return NetworkField(
            attribute=field_name,
            column_name=field_name,
            widget=widget_for(django_field),
            readonly=readonly,
            default=django_field.default,
            keep_when_empty=not may_be_empty,
        )

    # Import ---------------------------------------------------------------------------------

    def import_data(
        self,
        dataset: tablib.Dataset,
        dry_run: bool = False,
        raise_errors: bool = False,
        use_transactions: bool | None = None,
        collect_failed_rows: bool = False,
        rollback_on_validation_errors: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Import in one transaction that rolls back when any row is invalid, whoever calls it (the admin too)."""
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=True,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=True,
            **kwargs,
        )

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        """Check and normalise the headers, then load the rows the file refers to."""
        user = kwargs.get("user")
        self.actor = user if getattr(user, "is_authenticated", False) else None
        self.now = kwargs.get("now") or timezone.now()
        self.default_owner = kwargs.get("owner")
        self.blank_rows, self._seen, self._failed, self._names = 0, {}, False, {}
        problems = self.normalise_headers(dataset)
        if problems:
            headers = dataset.headers
            dataset.wipe()  # no rows to go through: the header problem is the whole report
            dataset.headers = headers
            raise ImportFileError(" ".join(problems))
        self.preload(dataset)

    def normalise_headers(self, dataset: tablib.Dataset) -> list[str]:
        """Rename headers to our column names and drop the ones not understood; return what is wrong."""
        aliases = self.column_aliases()
        self.header_map = [(str(h), aliases.get(_header_key(str(h)), "")) for h in dataset.headers or []]
        renamed = [column for _header, column in self.header_map if column]
        problems = []
        doubled = sorted({c for c in renamed if renamed.count(c) > 1})
        if doubled:
            problems.append(_("Columns given twice: %(columns)s.") % {"columns": ", ".join(doubled)})
        missing = [c for c in self.required_columns if c not in renamed]
        if missing:
            problems.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        for group in self.either_columns:
            if not set(group) & set(renamed):
                either = _("%(columns)s or %(last)s") % {"columns": ", ".join(group[:-1]), "last": group[-1]}
                problems.append(_("Missing columns: %(columns)s.") % {"columns": either})
        if not problems:
            self._drop_ignored(dataset)
            dataset.headers = renamed
            self._present = set(renamed)
            self._not_in_file = self.fields_not_in_file()
            self._checks = RowChecks(self._meta.model, skip=self._not_in_file)
            self._in_file = [
                f
                for f in self.get_import_fields()
                if f.column_name in self._present
                and not f.readonly
                and not isinstance(f.widget, widgets.ManyToManyWidget)
            ]
        return problems

    def _drop_ignored(self, dataset: tablib.Dataset) -> None:
        """Remove the columns whose header was not understood, so that no cell of theirs is read."""
        keep = [index for index, (_header, column) in enumerate(self.header_map) if column]
        if len(keep) == len(self.header_map):
            return
        rows = [[row[index] for index in keep] for row in dataset]
        dataset.wipe()
        dataset.headers = [self.header_map[index][1] for index in keep]
        dataset.extend(rows)

    def fields_not_in_file(self) -> set[str]:
        """Model fields full_clean() may skip: no column, so a default or the stored value (required ones stay)."""
        model_fields = self._meta.model._meta.concrete_fields
        imported = {f.attribute for f in self.get_import_fields() if f.column_name in self._present}
        required = {f.name for f in model_fields if not f.blank and not f.has_default()}
        return {f.name for f in model_fields} - imported - required

    def column_aliases(self) -> dict[str, str]:
        """Folded header -> column name: our column names, the fields' names in every site language, common ones."""
        aliases: dict[str, str] = {}
        for column, names in self.header_names().items():
            aliases.update({_header_key(name): column for name in names})
        aliases.update({_header_key(f.column_name): f.column_name for f in self.get_import_fields()})
        return aliases

    def header_names(self) -> dict[str, list[str]]:
        """Column name -> the other headers read as it, as people write them ("Relationship manager")."""
        model_fields = {f.name: f for f in self._meta.model._meta.get_fields() if hasattr(f, "verbose_name")}
        names: dict[str, list[str]] = {f.column_name: [] for f in self.get_import_fields()}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                for resource_field in self.get_import_fields():
                    model_field = model_fields.get(resource_field.attribute or "")
                    if model_field is not None:
                        label = str(model_field.verbose_name)
                        names[resource_field.column_name].append(label[:1].upper() + label[1:])
        for column, extra in self.extra_aliases.items():
            names[column].extend(extra)
        for column, found in names.items():
            distinct: dict[str, str] = {}
            for name in found:
                distinct.setdefault(_header_key(name), name)
            distinct.pop(_header_key(column), None)
            names[column] = list(distinct.values())
        return names

    def column_help(self, *, user: Any = None) -> list[ColumnHelp]:
        """Every column explained: meaning, how to write it, an example, required or not, other headers.

        `user` is who reads it: the owner column's example is their username when they may own employers.
        """
        model_fields = {f.name: f for f in self._meta.model._meta.get_fields() if hasattr(f, "verbose_name")}
        aliases = self.header_names()
        owner = default_owner(user)
        columns = []
        for resource_field in self.get_import_fields():
            name = resource_field.column_name
            model_field = model_fields.get(resource_field.attribute or "")
            meaning = self.column_meanings.get(name) or (model_field.verbose_name if model_field else name)
            meaning = str(meaning)[:1].upper() + str(meaning)[1:]
            help_text = str(getattr(model_field, "help_text", None) or "")
            if help_text:
                meaning = f"{meaning}. {help_text}"
            example = self.column_examples.get(name, resource_field.widget.example())
            if isinstance(resource_field.widget, UserWidget):
                example = owner.get_username() if owner is not None else ""
            group = next((g for g in self.either_columns if name in g), ())
            columns.append(
                ColumnHelp(
                    name=name,
                    meaning=meaning,
                    hint=resource_field.widget.hint(),
                    example=str(example),
                    required=name in self.required_columns,
                    alternatives=tuple(c for c in group if c != name),
                    aliases=tuple(aliases.get(name, [])),
                )
            )
        return columns

    def get_import_id_fields(self) -> list[str]:
        """The natural-key columns this file has (the fallbacks may be missing)."""
        present = [name for name in self._meta.import_id_fields if self.fields[name].column_name in self._present]
        return present or list(self._meta.import_id_fields)

    def preload(self, dataset: tablib.Dataset) -> None:
        """Load the existing rows the file refers to, in a few queries."""

    def init_instance(self, row: Any = None) -> Any:
        """A new instance, as Model() makes it (crm.importing.NewInstances)."""
        return self._new.new()

    def normalised(self, cell: object) -> str:
        """A name cell as normalise_name() folds it, once per name and import (preload, lookup and keys all need it)."""
        text = clean_text(cell)
        found = self._names.get(text)
        if found is None:
            found = self._names[text] = normalise_name(text)
        return found

    def column(self, dataset: tablib.Dataset, name: str) -> list[Any]:
        """The cells of a column, or nothing when the file lacks it."""
        return list(dataset[name]) if name in self._present else []

    def import_row(self, row: dict[str, Any], instance_loader: Any, **kwargs: Any) -> RowResult:
        """Skip blank rows (numbering stays as in the file); remember failures to stop writing early."""
        if all(is_blank(value) for value in row.values()):
            self.blank_rows += 1
            result = self.get_row_result_class()()
            result.import_type = RowResult.IMPORT_TYPE_SKIP
            return result
        self._row_number = kwargs.get("row_number", 0)
        result = super().import_row(row, instance_loader, **kwargs)
        if result.import_type in (RowResult.IMPORT_TYPE_INVALID, RowResult.IMPORT_TYPE_ERROR):
            self._failed = True
        return result

    def find_existing(self, row: dict[str, Any]) -> Any:
        """The existing row this file row refers to, or None; raise ValidationError for a conflict."""
        raise NotImplementedError

    def natural_keys(self, row: dict[str, Any], instance: Any) -> list[tuple[str, object, str]]:
        """The keys no other row of the file may share: (kind, identity, how to show it)."""
        raise NotImplementedError

    def get_instance(self, instance_loader: Any, row: dict[str, Any]) -> Any:
        """Look up by natural key in what preload() loaded (the library's loader would query per row)."""
        return self.find_existing(row)

    def get_or_init_instance(self, instance_loader: Any, row: dict[str, Any]) -> tuple[Any, bool]:
        """The existing or a new instance; a second row with the same natural key is an error."""
        instance = self.get_instance(instance_loader, row)
        new = instance is None
        if new:
            instance = self.init_instance(row)
        keys = self.natural_keys(row, instance)
        for kind, identity, shown in keys:
            if (kind, identity) in self._seen:
                first = self._seen[(kind, identity)]
                raise ValidationError(self.duplicate_messages[kind] % {"row": first, "value": shown})
        for kind, identity, _shown in keys:
            self._seen[(kind, identity)] = self._row_number
        return instance, new

    def after_init_instance(self, instance: Any, new: bool, row: dict[str, Any], **kwargs: Any) -> None:
        """Remember how an existing row looks, to tell updates from unchanged rows."""
        if not new:
            instance._import_before = self.snapshot(instance)

    def import_instance(self, instance: Any, row: dict[str, Any], **kwargs: Any) -> None:
        """Set the fields this file has columns for; collect every bad cell (the library loops over all fields)."""
        errors = {}
        for field in self._in_file:
            try:
                field.save(instance, row)  # our widgets take nothing from the import's keyword arguments
            except ValueError as exc:
                errors[field.attribute] = ValidationError(str(exc), code="invalid")
        if errors:
            raise ValidationError(errors)

    def snapshot(self, instance: Any) -> tuple[Any, ...]:
        """The row as exported, for the columns this file has."""
        return tuple(field.export(instance) for field in self._in_file)

    def skip_row(self, instance: Any, original: Any, row: dict[str, Any], import_validation_errors: Any = None) -> bool:
        """Skip an existing row the file leaves as it is (skip_unchanged without the library's diff)."""
        if import_validation_errors or instance.pk is None:
            return False
        self.tidy(instance)
        return bool(getattr(instance, "_import_before", None) == self.snapshot(instance))

    def tidy(self, instance: Any) -> None:
        """Normalise values as save() would, so that "3511 ab" compares equal to the stored "3511AB"."""

    def validate_instance(
        self, instance: Any, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        """The cell errors, our row rules, and the model's full_clean() (see the module docstring)."""
        errors = dict(import_validation_errors or {})
        try:
            self.validate_row(instance)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        # A foreign key that is set came from our lookups, so it exists; ForeignKey.validate would ask again.
        found = [f.name for f in instance._meta.concrete_fields if f.many_to_one and getattr(instance, f.attname)]
        try:
            self._checks.full_clean(instance, exclude=[*errors, *found])  # the fields not in the file are left out
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError({name: _specific(messages) for name, messages in errors.items()})

    def validate_row(self, instance: Any) -> None:
        """Rules the services enforce that an import must enforce too."""

    def before_save_instance(self, instance: Any, row: dict[str, Any], **kwargs: Any) -> None:
        """bulk_update skips auto_now, so stamp updates by hand."""
        if instance.pk is not None:
            instance.updated_at = self.now

    def get_bulk_update_fields(self) -> list[str]:
        """The model fields an update writes: the imported columns and bookkeeping."""
        names = [
            f.attribute
            for f in self.get_import_fields()
            if f.attribute
            and not f.readonly
            and "__" not in f.attribute
            and not isinstance(f.widget, widgets.ManyToManyWidget)
        ]
        return list(dict.fromkeys([*names, *self.extra_update_fields]))

    def bulk_create(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Any = None,
    ) -> None:
        """Insert a batch (with COPY on PostgreSQL when large), then what depends on the new keys.

        As the library's bulk_create, with crm.importing.insert_new for the write; nothing is written
        once a row has failed, since the import will be rolled back.
        """
        instances = list(self.create_instances)
        self.create_instances.clear()
        if self._failed or not instances or not (using_transactions or not dry_run):
            return
        using = self.get_db_connection_name()
        try:
            with transaction.atomic(using=using, savepoint=False):
                insert_new(instances, batch_size=batch_size, using=using)
                self.after_bulk_write(instances, created=True)
        except Exception as exc:
            self.handle_import_error(result, exc, raise_errors)

    def bulk_update(self, using_transactions: bool, dry_run: bool, raise_errors: bool, **kwargs: Any) -> None:
        """Update a batch, then what depends on it; write nothing once a row has failed."""
        if self._failed:
            self.update_instances.clear()  # the import will be rolled back; what matters now is the other rows
            return
        instances, result = list(self.update_instances), kwargs.get("result")
        errors_before = len(result.base_errors) if result is not None else 0
        super().bulk_update(using_transactions, dry_run, raise_errors, **kwargs)
        if instances and (result is None or len(result.base_errors) == errors_before):
            self.after_bulk_write(instances, created=False)

    def after_bulk_write(self, instances: list[Any], *, created: bool) -> None:
        """Write what depends on a saved batch (history rows, many-to-many links)."""

    # Export ---------------------------------------------------------------------------------

    def get_queryset(self) -> Any:
        """Every row, in a stable order, with what the columns need."""
        return self.filter_export(self._meta.model.objects.order_by("pk"))

    def filter_export(self, queryset: Any, **kwargs: Any) -> Any:
        """Fetch related rows up front (the admin's export passes its own queryset through here too)."""
        if self.export_select:
            queryset = queryset.select_related(*self.export_select)
        if self.export_prefetch:
            queryset = queryset.prefetch_related(*self.export_prefetch)
        return queryset

    def export_field(self, field: Any, instance: Any, **kwargs: Any) -> Any:
        """The cell, with formula-like text escaped (typed columns are never text, so never escaped)."""
        value = super().export_field(field, instance, **kwargs)
        if isinstance(value, str) and not isinstance(field.widget, TYPED_WIDGETS):
            return escape_formula(value)
        return value


# --- Employers ------------------------------------------------------------------------------


class EmployerResource(NetworkResource):
    """Employers, keyed on registration number or name + postcode."""

    # An empty owner cell leaves an existing employer's relationship manager as it is.
    owner = NetworkField(attribute="owner", column_name="owner", widget=UserWidget(), keep_when_empty=True)

    required_columns = ("name",)
    column_examples: ClassVar[dict[str, Any]] = {
        "registration_number": "30123456",
        "name": "Bakkerij Van Dijk B.V.",
        "street": "Oudegracht 12",
        "postcode": "3511 AB",
        "city": "Utrecht",
        "country": "NL",
        "sector": "hospitality",
        "ownership": "profit",
        "website": "www.bakkerijvandijk.nl",
        "phone": "030 123 4567",
        "email": "info@bakkerijvandijk.nl",
        "stage": "prospect",
        "share_women_pct": "45",
        "share_women_supervisors_pct": "30",
        "collective_agreement": "CAO Bakkersbedrijf",
        "accessibility_notes": gettext_lazy("Bus stop at the door."),
        "do_not_engage": "0",
        "notes": gettext_lazy("Met at the business fair."),
    }
    extra_aliases: ClassVar[dict[str, tuple[str, ...]]] = {
        "registration_number": ("KvK", "KvK-nummer", "KBO-nummer", "Ondernemingsnummer", "Organisationsnummer"),
        "name": ("Bedrijfsnaam", "Company", "Organisation", "Företag"),
        "street": ("Adres", "Address", "Adress"),
        "city": ("Plaats", "Woonplaats", "Ort"),
        "owner": ("Owner", "Eigenaar", "Ansvarig"),
    }
    extra_update_fields = ("updated_at", "normalised_name", "stage_changed_at")
    export_select = ("owner",)
    duplicate_messages: ClassVar[dict[str, Any]] = {
        "registration_number": gettext_lazy(
            "Row %(row)s has the same registration number (%(value)s); an employer may appear only once in a file."
        ),
        "name_postcode": gettext_lazy(
            "Row %(row)s has the same name and postcode (%(value)s); an employer may appear only once in a file."
        ),
        "employer": gettext_lazy(
            "Row %(row)s refers to the same employer (%(value)s); an employer may appear only once in a file."
        ),
    }

    class Meta(NetworkResource.Meta):
        model = Employer
        import_id_fields = ("registration_number", "name", "postcode")
        fields = (
            "registration_number", "name", "street", "postcode", "city", "country",
            "sector", "size_band", "ownership", "website", "phone", "email",
            "stage", "source", "owner",
            "sector_gender", "share_women_pct", "share_women_supervisors_pct", "offers_flexitime",
            "childcare_support", "harassment_procedure", "union_delegation", "collective_agreement",
            "accessible_by_public_transport", "accessibility_notes",
            *Employer.VETTING_FIELDS, "vetted_at", "do_not_engage", "do_not_engage_reason", "notes",
        )  # fmt: skip

    def preload(self, dataset: tablib.Dataset) -> None:
        """Load employers by the registration numbers and the names in the file."""
        regs = {self._reg(v) for v in self.column(dataset, "registration_number")} - {""}
        names = {self.normalised(v) for v in self.column(dataset, "name")} - {""}
        self.by_reg: dict[str, Employer] = {}
        self.by_name_postcode: dict[tuple[str, str], Employer] = {}
        loaded: dict[int, Employer] = {}
        for lookup, values in (("registration_number__in", regs), ("normalised_name__in", names)):
            for chunk in _chunks(values):
                for employer in _employers(**{lookup: chunk}).select_related("owner"):
                    employer = loaded.setdefault(employer.pk, employer)
                    if employer.registration_number:
                        self.by_reg[employer.registration_number] = employer
                    self.by_name_postcode[(employer.normalised_name, employer.postcode)] = employer

    @staticmethod
    def _reg(value: object) -> str:
        """A registration number as Employer.normalise() stores it."""
        return clean_text(value).replace(" ", "")

    def _name_postcode(self, row: dict[str, Any], instance: Employer | None) -> tuple[str, str]:
        """The row's normalised name and postcode (the current postcode when the file has none)."""
        name = self.normalised(row.get("name"))
        if "postcode" in self._present:
            return name, normalise_postcode(clean_text(row.get("postcode")))
        return name, instance.postcode if instance is not None else ""

    def find_existing(self, row: dict[str, Any]) -> Employer | None:
        """By registration number first, else by name + postcode; a row matching two employers is an error."""
        reg = self._reg(row.get("registration_number"))
        by_reg = self.by_reg.get(reg) if reg else None
        by_name = self.by_name_postcode.get(self._name_postcode(row, by_reg))
        if by_reg is not None and by_name is not None and by_reg.pk != by_name.pk and "postcode" in self._present:
            raise ValidationError(
                _("Registration number %(reg)s belongs to %(one)s, but this name and postcode belong to %(other)s.")
                % {"reg": reg, "one": by_reg.name, "other": by_name.name}
            )
        if by_reg is None and by_name is not None and reg and by_name.registration_number:
            raise ValidationError(
                _("%(name)s at this postcode already exists with registration number %(existing)s, not %(reg)s.")
                % {"name": by_name.name, "existing": by_name.registration_number, "reg": reg}
            )
        return by_reg or by_name

    def natural_keys(self, row: dict[str, Any], instance: Employer) -> list[tuple[str, object, str]]:
        """The employer itself when it exists, its registration number, and its name + postcode."""
        keys: list[tuple[str, object, str]] = []
        if instance.pk is not None:
            keys.append(("employer", instance.pk, instance.name))
        reg = self._reg(row.get("registration_number"))
        if reg:
            keys.append(("registration_number", reg, reg))
        name_postcode = self._name_postcode(row, instance if instance.pk else None)
        shown = ", ".join(filter(None, [clean_text(row.get("name")), name_postcode[1]]))
        keys.append(("name_postcode", name_postcode, shown))
        return keys

    def tidy(self, instance: Employer) -> None:
        """Normalise name, postcode and registration number."""
        instance.normalise()

    def import_instance(self, instance: Any, row: dict[str, Any], **kwargs: Any) -> None:
        """The cells; a new employer whose row names no relationship manager gets the importing user's default."""
        super().import_instance(instance, row, **kwargs)
        if instance.pk is None and instance.owner_id is None:
            instance.owner = self.default_owner

    def after_init_instance(self, instance: Any, new: bool, row: dict[str, Any], **kwargs: Any) -> None:
        """Also remember the stage, to record a change of stage."""
        super().after_init_instance(instance, new, row, **kwargs)
        instance._import_stage = "" if new else instance.stage

    def validate_row(self, instance: Employer) -> None:
        """An employer flagged do-not-engage cannot be moved to engaged or active (as change_employer_stage)."""
        moved = instance.stage != getattr(instance, "_import_stage", "")
        if moved and instance.stage in (Stage.ENGAGED, Stage.ACTIVE) and instance.do_not_engage:
            raise ValidationError(
                {"stage": _("This employer is flagged do-not-engage, so it cannot be %(stage)s.")
                 % {"stage": Stage(instance.stage).label}}
            )  # fmt: skip

    def before_save_instance(self, instance: Any, row: dict[str, Any], **kwargs: Any) -> None:
        """Stamp the stage change; bulk writes skip save(), so normalise here."""
        super().before_save_instance(instance, row, **kwargs)
        instance.normalise()
        if instance.stage != instance._import_stage:
            instance.stage_changed_at = self.now

    def after_bulk_write(self, instances: list[Any], *, created: bool) -> None:
        """Record the first stage of new employers and every stage the file changed.

        New employers' first stages are one INSERT ... SELECT from the rows just written (their
        stage, from nothing): building an EmployerStageChange per employer and a second bulk_create
        was part of the 42 % the import spent preparing values (20,000 new employers, PostgreSQL).
        """
        changed = [employer for employer in instances if employer.stage != employer._import_stage]
        note = _("Imported from a file.")
        if created:
            first = EmployerStageChange(from_stage="", changed_at=self.now, changed_by=self.actor, note=note)
            insert_per_row(
                first,
                from_rows={"employer": "id", "to_stage": "stage"},
                source=Employer,
                ids=[employer.pk for employer in changed],
                using=self.get_db_connection_name(),
            )
            return
        changes = [
            EmployerStageChange(
                employer=employer,
                from_stage=employer._import_stage,
                to_stage=employer.stage,
                changed_at=self.now,
                changed_by=self.actor,
                note=note,
            )
            for employer in changed
        ]
        EmployerStageChange.objects.bulk_create(changes, batch_size=self._meta.batch_size)


# --- Contacts and vacancies: rows that name their employer ----------------------------------


class EmployerColumnsResource(NetworkResource):
    """Rows that name their employer by registration number, or by name and postcode."""

    employer_registration_number = NetworkField(
        attribute="employer__registration_number", column_name="employer_registration_number",
        widget=TextWidget(), readonly=True,
    )  # fmt: skip
    employer_name = NetworkField(
        attribute="employer__name", column_name="employer_name", widget=TextWidget(), readonly=True
    )
    employer_postcode = NetworkField(
        attribute="employer__postcode", column_name="employer_postcode", widget=TextWidget(), readonly=True
    )

    export_select: ClassVar[tuple[str, ...]] = ("employer",)
    either_columns = (("employer_registration_number", "employer_name"),)
    column_meanings: ClassVar[dict[str, Any]] = {
        "employer_registration_number": gettext_lazy("The employer's registration number (imported before)."),
        "employer_name": gettext_lazy("The employer's name, when the registration number is not known."),
        "employer_postcode": gettext_lazy("The employer's postcode, with its name."),
        "contact_email": gettext_lazy("The email address of the contact at this employer (imported before)."),
    }
    employer_examples: ClassVar[dict[str, Any]] = {
        "employer_registration_number": EmployerResource.column_examples["registration_number"],
        "employer_name": EmployerResource.column_examples["name"],
        "employer_postcode": EmployerResource.column_examples["postcode"],
    }
    extra_aliases: ClassVar[dict[str, tuple[str, ...]]] = {
        "employer_registration_number": ("KvK", "KvK-nummer", "Organisationsnummer"),
        "employer_name": ("Employer", "Werkgever", "Bedrijf", "Company", "Arbetsgivare", "Företag"),
        "employer_postcode": ("Employer postcode", "Postcode werkgever"),
    }

    #: What a contact or vacancy row reads of its employer (natural keys, names in messages, do-not-engage).
    EMPLOYER_COLUMNS = ("id", "name", "normalised_name", "registration_number", "postcode", "do_not_engage")

    def preload_employers(self, dataset: tablib.Dataset) -> None:
        """Load the employers the file names: the columns their rows use (the key, the name, do-not-engage).

        Whole employers (60 columns) made loading them 30 % of an import of 20,000 contacts (cProfile).
        """
        regs = {EmployerResource._reg(v) for v in self.column(dataset, "employer_registration_number")} - {""}
        names = {self.normalised(v) for v in self.column(dataset, "employer_name")} - {""}
        self.employers_by_reg: dict[str, Employer] = {}
        self.employers_by_name: dict[tuple[str, str], Employer] = {}
        for lookup, values in (("registration_number__in", regs), ("normalised_name__in", names)):
            for chunk in _chunks(values):
                found = _employers(**{lookup: chunk}).only(*self.EMPLOYER_COLUMNS)
                for employer in found:
                    self.employers_by_reg.setdefault(employer.registration_number, employer)
                    self.employers_by_name.setdefault((employer.normalised_name, employer.postcode), employer)

    def employer_of(self, row: dict[str, Any]) -> Employer:
        """The employer a row names; raise ValidationError when there is none."""
        reg = EmployerResource._reg(row.get("employer_registration_number"))
        name = clean_text(row.get("employer_name"))
        postcode = clean_text(row.get("employer_postcode"))
        if reg:
            employer = self.employers_by_reg.get(reg)
            missing = _("No employer has registration number %(value)s; import the employer first.") % {"value": reg}
        elif name:
            employer = self.employers_by_name.get((self.normalised(name), normalise_postcode(postcode)))
            missing = _("No employer is called %(name)s at postcode “%(postcode)s”; import the employer first.") % {
                "name": name,
                "postcode": postcode,
            }
        else:
            employer = None
            missing = _(
                "Say which employer: fill in employer_registration_number, or employer_name and employer_postcode."
            )
        if employer is None:
            raise ValidationError({"employer": missing})
        return employer


class ContactResource(EmployerColumnsResource):
    """Contacts, keyed on email."""

    required_columns = ("email",)
    column_examples: ClassVar[dict[str, Any]] = {
        **EmployerColumnsResource.employer_examples,
        "first_name": "Sanne",
        "last_name": "de Vries",
        "email": "sanne@bakkerijvandijk.nl",
        "role": "line_manager",
        "job_title": gettext_lazy("Shift manager"),
        "phone": "06 12345678",
        "preferred_language": "nl",
        "is_active": "1",
    }
    extra_update_fields = ("updated_at", "employer")
    duplicate_messages: ClassVar[dict[str, Any]] = {
        "email": gettext_lazy(
            "Row %(row)s has the same email address (%(value)s); a contact may appear only once in a file."
        ),
    }

    class Meta(NetworkResource.Meta):
        model = Contact
        import_id_fields = ("email",)
        fields = (
            "employer_registration_number", "employer_name", "employer_postcode",
            "first_name", "last_name", "email", "role", "job_title", "phone", "preferred_language",
            "is_active", "notes",
        )  # fmt: skip

    def preload(self, dataset: tablib.Dataset) -> None:
        """Load the employers and the contacts the file names."""
        self.preload_employers(dataset)
        emails = {clean_text(v).lower() for v in self.column(dataset, "email")} - {""}
        self.contacts: dict[str, Contact] = {}
        for chunk in _chunks(emails):
            self.contacts.update(
                (c.email, c) for c in Contact.objects.filter(email__in=chunk).select_related("employer")
            )

    def find_existing(self, row: dict[str, Any]) -> Contact | None:
        """The contact with this email address; a contact without one cannot be matched."""
        email = clean_text(row.get("email")).lower()
        if not email:
            raise ValidationError(
                {"email": _("Fill in the email address; it is how an imported contact is recognised.")}
            )
        return self.contacts.get(email)

    def natural_keys(self, row: dict[str, Any], instance: Contact) -> list[tuple[str, object, str]]:
        """The email address."""
        email = clean_text(row.get("email")).lower()
        return [("email", email, email)]

    def import_instance(self, instance: Contact, row: dict[str, Any], **kwargs: Any) -> None:
        """Set the employer from its natural key, then the cells."""
        errors: dict[str, Any] = {}
        try:
            instance.employer = self.employer_of(row)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def snapshot(self, instance: Any) -> tuple[Any, ...]:
        """The cells and the employer."""
        return (*super().snapshot(instance), instance.employer_id)


class VacancyResource(EmployerColumnsResource):
    """Vacancies, keyed on employer and reference."""

    ladder_steps = NetworkField(attribute="ladder_steps", column_name="ladder_steps", widget=LadderStepsWidget())
    contact_email = NetworkField(
        attribute="contact__email", column_name="contact_email", widget=TextWidget(lower=True), readonly=True
    )

    required_columns = ("reference", "title")
    column_examples: ClassVar[dict[str, Any]] = {
        **EmployerColumnsResource.employer_examples,
        "reference": "VD-2026-01",
        "title": gettext_lazy("Bakery assistant"),
        "description": gettext_lazy("Helping in the shop and the bakery, mornings."),
        "hours_per_week": "24",
        "places": "2",
        "starts_on": "2026-04-01",
        "ends_on": "2026-09-30",
        "status": "open",
        "contact_email": ContactResource.column_examples["email"],
    }
    extra_update_fields = ("updated_at", "contact", "opened_at", "closed_at")
    export_select = ("employer", "contact")
    export_prefetch = ("ladder_steps",)
    duplicate_messages: ClassVar[dict[str, Any]] = {
        "reference": gettext_lazy(
            "Row %(row)s has the same employer and reference (%(value)s); a vacancy may appear only once in a file."
        ),
    }

    class Meta(NetworkResource.Meta):
        model = Vacancy
        import_id_fields = ("employer_registration_number", "employer_name", "employer_postcode", "reference")
        fields = (
            "employer_registration_number", "employer_name", "employer_postcode", "reference", "title", "kind",
            "ladder_steps", "description", "hours_per_week", "schedule", "contract_type", "places",
            "starts_on", "ends_on", "language_level", "status", "contact_email", "close_reason",
        )  # fmt: skip

    def preload(self, dataset: tablib.Dataset) -> None:
        """Load the employers, their vacancies with these references, and the contacts named."""
        self.preload_employers(dataset)
        employer_ids = {e.pk for e in [*self.employers_by_reg.values(), *self.employers_by_name.values()]}
        references = {clean_text(v) for v in self.column(dataset, "reference")} - {""}
        self.vacancies: dict[tuple[int, str], Vacancy] = {}
        for chunk in _chunks(employer_ids):
            found = Vacancy.objects.filter(employer_id__in=chunk, reference__in=references)
            for vacancy in found.select_related("employer", "contact").prefetch_related("ladder_steps"):
                self.vacancies[(vacancy.employer_id, vacancy.reference)] = vacancy
        emails = {clean_text(v).lower() for v in self.column(dataset, "contact_email")} - {""}
        self.contacts: dict[str, Contact] = {}
        for chunk in _chunks(emails):
            self.contacts.update((c.email, c) for c in Contact.objects.filter(email__in=chunk))

    def find_existing(self, row: dict[str, Any]) -> Vacancy | None:
        """The employer's vacancy with this reference."""
        self._employer = self.employer_of(row)
        reference = clean_text(row.get("reference"))
        if not reference:
            raise ValidationError(
                {"reference": _("Fill in the reference; it is how an imported vacancy is recognised.")}
            )
        return self.vacancies.get((self._employer.pk, reference))

    def init_instance(self, row: Any = None) -> Vacancy:
        """A new vacancy at the row's employer."""
        return Vacancy(employer=self._employer)

    def natural_keys(self, row: dict[str, Any], instance: Vacancy) -> list[tuple[str, object, str]]:
        """The employer and the reference."""
        reference = clean_text(row.get("reference"))
        return [("reference", (self._employer.pk, reference), f"{self._employer.name}, {reference}")]

    def after_init_instance(self, instance: Any, new: bool, row: dict[str, Any], **kwargs: Any) -> None:
        """Also remember the status, to stamp opening and closing."""
        super().after_init_instance(instance, new, row, **kwargs)
        instance._import_status = "" if new else instance.status

    def import_instance(self, instance: Any, row: dict[str, Any], **kwargs: Any) -> None:
        """The cells, the contact by email and the ladder steps by position."""
        errors: dict[str, Any] = {}
        if "contact_email" in self._present:
            email = clean_text(row.get("contact_email")).lower()
            instance.contact = self.contacts.get(email) if email else None
            if email and instance.contact is None:
                errors["contact"] = [_("No contact has the email address %(value)s.") % {"value": email}]
        if "ladder_steps" in self._present:
            try:
                instance._import_ladder_steps = self.fields["ladder_steps"].widget.clean(row["ladder_steps"])
            except ValueError as exc:
                errors["ladder_steps"] = [str(exc)]
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def snapshot(self, instance: Any) -> tuple[Any, ...]:
        """The cells, the contact and the ladder steps (those from the file once it has been read)."""
        steps = getattr(instance, "_import_ladder_steps", None)
        if steps is None:
            steps = list(instance.ladder_steps.all()) if instance.pk else []
        return (*super().snapshot(instance), instance.contact_id, tuple(sorted(s.position for s in steps)))

    def validate_row(self, instance: Any) -> None:
        """As open_vacancy and close_vacancy: no opening at a do-not-engage employer; a reason to close unfilled."""
        if instance.status == instance._import_status:
            return
        if instance.status == VacancyStatus.OPEN and instance.employer.do_not_engage:
            raise ValidationError({"status": _("This employer is flagged do-not-engage.")})
        if instance.status == VacancyStatus.CLOSED and not instance.close_reason.strip():
            raise ValidationError({"close_reason": _("Say why the vacancy closed without being filled.")})

    def before_save_instance(self, instance: Any, row: dict[str, Any], **kwargs: Any) -> None:
        """Stamp when a vacancy opened or closed, as the services do."""
        super().before_save_instance(instance, row, **kwargs)
        if instance.status == VacancyStatus.OPEN and instance.opened_at is None:
            instance.opened_at = self.now
        if instance.status in (VacancyStatus.FILLED, VacancyStatus.CLOSED) and instance.closed_at is None:
            instance.closed_at = self.now

    def after_bulk_write(self, instances: list[Any], *, created: bool) -> None:
        """Link the ladder steps (bulk writes leave many-to-many alone)."""
        through = Vacancy.ladder_steps.through
        linked = [v for v in instances if hasattr(v, "_import_ladder_steps")]
        if not created:
            through.objects.filter(vacancy_id__in=[v.pk for v in linked]).delete()
        links = [through(vacancy_id=v.pk, ladderstep_id=step.pk) for v in linked for step in v._import_ladder_steps]
        through.objects.bulk_create(links, batch_size=self._meta.batch_size)


#: The resources by the name `manage.py import` and `manage.py export` take.
RESOURCES: dict[str, type[NetworkResource]] = {
    "employers": EmployerResource,
    "contacts": ContactResource,
    "vacancies": VacancyResource,
}


def column_reference(*, user: Any = None) -> list[tuple[str, str, list[ColumnHelp]]]:
    """For the import page: each kind of file, its name, and its columns explained."""
    return [
        (kind, str(resource._meta.model._meta.verbose_name_plural).capitalize(), resource().column_help(user=user))
        for kind, resource in RESOURCES.items()
    ]
