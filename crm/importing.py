"""Parsing the network's spreadsheet cells, and the atomic import service.

The resources in crm/resources.py hold the rules (natural keys, validation, escaping); files become
a tablib Dataset in common/spreadsheets.py; this module turns each cell into a value (the widgets)
and runs a resource over a dataset in one transaction (`import_file`, used by `manage.py import`, the
import page and the background job). Each widget also explains its cells (`hint`, `example`), so the
import page's column reference and the downloadable templates come from the same definitions.
What makes a big import fast without changing its result is here too: RowChecks (full_clean()'s
checks, cheap ones first), NewInstances (Model() for many rows) and insert_new (COPY on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast

import tablib
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import (
    EmailValidator,
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
    URLValidator,
)
from django.db import connections, models, transaction
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import QuerySet, signals
from django.db.models.base import ModelState
from django.db.models.expressions import DatabaseDefault
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export import fields, widgets
from import_export.results import Result

from common.spreadsheets import (
    FORMATS,
    EncodingChoice,
    ImportFileError,
    Table,
    encoding_label,
    is_blank,
    read_table,
    typed_cells,
    unescape_formula,
    write_csv,
    write_xlsx,
)
from crm.models import LadderStep
from crm.roles import Role, has_role

if TYPE_CHECKING:
    from crm.resources import NetworkResource

_TRUE = {"1", "true", "yes", "y", "ja", "j", "waar", "sant"}
_FALSE = {"0", "false", "no", "n", "nee", "nej", "onwaar", "falskt"}
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")
# Who may own (be the relationship manager of) an employer; as the workspace's owner filter.
OWNER_ROLES = (Role.RELATIONSHIP_MANAGER, Role.ADMINISTRATOR)


def possible_owners() -> QuerySet[Any]:
    """Active users who may be an employer's relationship manager."""
    return get_user_model().objects.filter(is_active=True, groups__name__in=OWNER_ROLES).distinct()


def default_owner(user: Any) -> Any:
    """The owner of the employers a user imports: the user, when they may own employers; else nobody."""
    if getattr(user, "is_active", False) and any(has_role(user, role) for role in OWNER_ROLES):
        return user
    return None


def clean_text(value: object) -> str:
    """A cell as trimmed text: spreadsheet numbers as typed (12345678.0 -> "12345678"), escapes undone."""
    if type(value) is str:  # most cells: CSV cells are all text; only an escaped formula starts with '
        text = value.strip()
        return unescape_formula(text).strip() if text[:1] == "'" else text
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.date):
        value = value.isoformat()
    return unescape_formula(str(value).strip()).strip()


# --- Cells: widgets that turn one cell into one value and back ----------------------------


class TextWidget(widgets.CharWidget):
    """Text; optionally lower-cased (email addresses)."""

    def __init__(self, *, lower: bool = False) -> None:
        super().__init__(coerce_to_string=True, allow_blank=True)
        self.lower = lower

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        """The trimmed text of the cell."""
        text = clean_text(value)
        return text.lower() if self.lower else text

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        """The text, or an empty cell for None."""
        return "" if value is None else str(value)

    def hint(self) -> str:
        """How to write the cell, for the column reference; empty when any text will do."""
        return _("An email address.") if self.lower else ""

    def example(self) -> str:
        """An example cell when the resource gives none."""
        return ""


class URLWidget(TextWidget):
    """A web address; "www.example.nl" gets https:// as a browser would add it."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        """The address with a scheme."""
        text = super().clean(value, row, **kwargs)
        return f"https://{text}" if text and "://" not in text else text

    def hint(self) -> str:
        """How to write the cell."""
        return _("A web address; https:// may be left out.")


class ChoiceWidget(TextWidget):
    """A choice: the stored value or its label in English, Dutch or Swedish, in any case."""

    def __init__(self, choices: Iterable[tuple[Any, Any]], label: Any) -> None:
        super().__init__()
        self.choices = list(choices)
        self.label = label
        self._lookup: dict[str, str] | None = None

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        """The stored value for the cell; an unknown value is an error that lists the known ones."""
        text = clean_text(value)
        if not text:
            return ""
        found = self.lookup().get(text.casefold())
        if found is None:
            known = ", ".join(str(v) for v, _label in self.choices if v)
            raise ValueError(
                _("“%(value)s” is not a known %(label)s; use one of: %(choices)s.")
                % {"value": text, "label": self.label, "choices": known}
            )
        return found

    def hint(self) -> str:
        """The stored values to choose from."""
        known = ", ".join(str(v) for v, _label in self.choices if v)
        return _("One of: %(choices)s (the names shown on the site work too).") % {"choices": known}

    def example(self) -> str:
        """The first stored value."""
        return next((str(v) for v, _label in self.choices if v), "")

    def lookup(self) -> dict[str, str]:
        """Folded values and labels (in every site language) to the stored value."""
        if self._lookup is None:
            lookup: dict[str, str] = {}
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    lookup.update({str(label).casefold(): str(v) for v, label in self.choices})
            lookup.update({str(v).casefold(): str(v) for v, _label in self.choices})
            self._lookup = lookup
        return self._lookup


class BoolWidget(widgets.Widget):
    """Yes/no: 1/0, true/false, yes/no, ja/nee, ja/nej; an empty cell is "unknown"."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool | None:
        """True, False or None; anything else is an error."""
        if is_blank(value):
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        text = clean_text(value).casefold()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ValueError(_("“%(value)s” is not yes or no; write 1 or 0.") % {"value": value})

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        """1, 0 or empty (a real boolean in XLSX)."""
        if kwargs.get("force_native_type"):
            return value
        return "" if value is None else ("1" if value else "0")

    def hint(self) -> str:
        """How to write yes and no."""
        return _("Yes or no: 1 or 0 (ja/nee and yes/no work too); empty means not known.")

    def example(self) -> str:
        """Yes."""
        return "1"


def _to_decimal(value: Any) -> Decimal:
    """Parse a number written with a decimal point or a decimal comma (32.5, 32,5, 45%)."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        text = clean_text(value).replace(" ", "").replace("\u00a0", "").removesuffix("%")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
    if not number.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value})
    return number


class NumberWidget(widgets.Widget):
    """A number, written with a decimal point or a decimal comma."""

    def hint(self) -> str:
        """How to write a number."""
        return _("A number; a decimal comma works too (32,5).")

    def example(self) -> str:
        """A number."""
        return "32.5"

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Decimal | int | None:
        """The number, or None for an empty cell."""
        return None if is_blank(value) else _to_decimal(value)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        """The number as plain digits (a number cell in XLSX)."""
        if kwargs.get("force_native_type"):
            return value
        return "" if value is None else str(value)


class IntWidget(NumberWidget):
    """A whole number."""

    def hint(self) -> str:
        """How to write a whole number."""
        return _("A whole number.")

    def example(self) -> str:
        """A whole number."""
        return "1"

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        """The number, or None for an empty cell."""
        if is_blank(value):
            return None
        number = _to_decimal(value)
        if number != number.to_integral_value():
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})
        return int(number)


class DateWidget(widgets.Widget):
    """A date: 2026-03-31, 31-03-2026, 31/03/2026 or 31.03.2026, or a spreadsheet date cell."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> dt.date | None:
        """The date, or None for an empty cell."""
        if is_blank(value):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = clean_text(value)
        for fmt in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(_("“%(value)s” is not a date; write it as 2026-03-31 or 31-03-2026.") % {"value": text})

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        """ISO 8601 text (a date cell in XLSX)."""
        if kwargs.get("force_native_type"):
            return value
        return "" if value is None else value.isoformat()

    def hint(self) -> str:
        """How to write a date."""
        return _("A date: 2026-03-31 or 31-03-2026.")

    def example(self) -> str:
        """A date."""
        return "2026-03-31"


class DateTimeWidget(DateWidget):
    """A moment, read and written in the site's time zone."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> dt.datetime | None:
        """An aware datetime, or None for an empty cell."""
        if is_blank(value):
            return None
        if not isinstance(value, dt.datetime):
            try:
                value = dt.datetime.fromisoformat(clean_text(value))
            except ValueError:
                day = super().clean(value)
                if day is None:
                    return None
                value = dt.datetime.combine(day, dt.time.min)
        return value if timezone.is_aware(value) else timezone.make_aware(value)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        """Local time to the second (a naive local datetime in XLSX, which has no time zones)."""
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        local = timezone.localtime(value).replace(microsecond=0)
        return local.replace(tzinfo=None) if kwargs.get("force_native_type") else local.strftime("%Y-%m-%d %H:%M:%S")

    def hint(self) -> str:
        """How to write a moment."""
        return _("A date, or a date and time: 2026-03-31 14:30.")

    def example(self) -> str:
        """A moment."""
        return "2026-03-31 14:30"


class UserWidget(TextWidget):
    """An employer's relationship manager: the username or email address of an active one."""

    def __init__(self) -> None:
        super().__init__()
        self._owners: dict[str, list[Any]] | None = None

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        """The user, or None for an empty cell; the possible owners are read once per import."""
        name = clean_text(value)
        if not name:
            return None
        if self._owners is None:
            self._owners = {}
            for user in possible_owners():
                self._owners.setdefault(user.get_username().casefold(), []).append(user)
                if user.email:
                    self._owners.setdefault(user.email.casefold(), []).append(user)
        found = {user.pk: user for user in self._owners.get(name.casefold(), [])}
        if not found:
            raise ValueError(
                _("There is no active relationship manager with the username or email address “%(value)s”.")
                % {"value": name}
            )
        if len(found) > 1:
            raise ValueError(
                _("Several relationship managers have the email address “%(value)s”; write the username.")
                % {"value": name}
            )
        return next(iter(found.values()))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        """The username."""
        return "" if value is None else str(value.get_username())

    def hint(self) -> str:
        """Who may be named."""
        return _(
            "The username or email address of an active relationship manager. Without this column, or with "
            "an empty cell, a new employer gets the person importing as relationship manager."
        )


class LadderStepsWidget(widgets.ManyToManyWidget):
    """Ladder steps by position, "19,20" (a ManyToManyWidget, so the library leaves saving to us)."""

    def __init__(self) -> None:
        super().__init__(LadderStep, separator=",", field="position")
        self._steps: dict[int, LadderStep] | None = None

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> list[LadderStep]:
        """The steps named in the cell, in ladder order."""
        if is_blank(value):
            return []
        parts = [value] if isinstance(value, int | float) else re.split(r"[,;\s]+", clean_text(value))
        try:
            positions = sorted({IntWidget().clean(part) or 0 for part in parts if not is_blank(part)})
        except ValueError as exc:
            raise ValueError(
                _("“%(value)s” is not a list of ladder step numbers such as 19,20.") % {"value": value}
            ) from exc
        if self._steps is None:
            self._steps = {step.position: step for step in LadderStep.objects.all()}
        missing = [str(p) for p in positions if p not in self._steps]
        if missing:
            raise ValueError(_("There is no ladder step %(positions)s.") % {"positions": ", ".join(missing)})
        return [self._steps[p] for p in positions]

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        """The positions, comma-separated."""
        if value is None:
            return ""
        return ",".join(str(step.position) for step in sorted(value.all(), key=lambda s: s.position))

    def hint(self) -> str:
        """How to name ladder steps."""
        return _("Ladder step numbers, separated by commas: 19,20.")

    def example(self) -> str:
        """Two steps."""
        return "19,20"


# Typed columns hold numbers, dates and booleans: never text, so never formula-escaped.
TYPED_WIDGETS = (BoolWidget, NumberWidget, DateWidget)


def widget_for(field: models.Field[Any, Any]) -> widgets.Widget:
    """The widget for a model field."""
    if field.choices:
        return ChoiceWidget(field.flatchoices, field.verbose_name)
    if isinstance(field, models.BooleanField):
        return BoolWidget()
    if isinstance(field, models.DecimalField):
        return NumberWidget()
    if isinstance(field, models.IntegerField):
        return IntWidget()
    if isinstance(field, models.DateTimeField):
        return DateTimeWidget()
    if isinstance(field, models.DateField):
        return DateWidget()
    if isinstance(field, models.URLField):
        return URLWidget()
    return TextWidget(lower=isinstance(field, models.EmailField))


class NetworkField(fields.Field):
    """A column; an empty cell in a column that cannot be empty keeps the current value (or the default)."""

    def __init__(self, *args: Any, keep_when_empty: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keep_when_empty = keep_when_empty

    def save(self, instance: models.Model, row: dict[str, Any], is_m2m: bool = False, **kwargs: Any) -> None:
        """Set the attribute from the cell."""
        if self.readonly:
            return
        value = self.widget.clean(row[self.column_name], row=row, **kwargs)
        if value is None or value == "":
            if self.keep_when_empty and instance.pk is not None:
                return
            if self.default is not NOT_PROVIDED:
                value = self.default() if callable(self.default) else self.default
        setattr(instance, self.attribute, value)


# --- Checking rows: full_clean() without repeating what the cells settled ----------------------


class RowChecks:
    """Model.full_clean(exclude, validate_unique=False, validate_constraints=False), with cheap checks first.

    Profiled on 20,000 new employers, full_clean() was 22 % of the import: every field ran to_python,
    validate and its validators, although our widgets already hand over typed values (text, True,
    42). Here a field whose value passes a check that implies Django's would pass (text within
    max_length without NUL characters, a known choice, a boolean, a whole number in range) keeps it;
    any other value goes through the field's own clean(), so a bad cell gets Django's message, word for
    word. Then the model's clean(), as full_clean() runs it. Fields with validators of their own
    (email, URL, anything unusual) and other kinds of field always take the field's clean().
    """

    def __init__(self, model: type[models.Model], skip: Iterable[str] = ()) -> None:
        skipped = set(skip)
        self.fields = [(f, _quick_check(f)) for f in model._meta.fields if f.name not in skipped and not f.generated]

    def full_clean(self, instance: models.Model, exclude: Iterable[str] = ()) -> None:
        """Raise the ValidationError full_clean() would raise (uniqueness and constraints left to the caller)."""
        excluded = set(exclude)
        errors: dict[str, Any] = {}
        field_errors = {}
        for f, quick in self.fields:
            if f.name in excluded:
                continue
            raw = getattr(instance, f.attname)
            if (f.blank and raw in f.empty_values) or (quick is not None and quick(raw)):
                continue
            if isinstance(raw, DatabaseDefault):
                continue
            try:
                setattr(instance, f.attname, f.clean(raw, instance))
            except ValidationError as exc:
                field_errors[f.name] = exc.error_list
        if field_errors:
            errors = ValidationError(field_errors).update_error_dict(errors)
        try:
            instance.clean()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


def _quick_check(f: models.Field[Any, Any]) -> Callable[[Any], bool] | None:
    """A test that, when it passes, means f.clean(value) returns the value unchanged; None: always clean.

    Only the validators Django gives such a field itself are understood; a field with any other
    validator, and every other kind of field, has no quick check.
    """
    kinds = {type(v) for v in f.validators}
    if type(f) is models.EmailField and kinds == {EmailValidator, MaxLengthValidator} and f.max_length is not None:
        limit = f.max_length
        return lambda value: type(value) is str and len(value) <= limit and bool(_PLAIN_EMAIL.match(value))
    if type(f) in (models.CharField, models.TextField) and kinds <= {
        MaxLengthValidator,
        ProhibitNullCharactersValidator,
    }:
        longest = f.max_length
        allowed = {str(key) for key, _label in f.flatchoices} if f.choices else None
        required = not f.blank and f.editable  # Django validates no value of a field that is not editable

        def text(value: Any) -> bool:
            return (
                type(value) is str
                and (longest is None or len(value) <= longest)
                and "\x00" not in value
                and (allowed is None or value in allowed)
                and (bool(value) or not required)
            )

        return text
    if type(f) is models.URLField and kinds == {URLValidator, MaxLengthValidator}:
        schemes = set(next(v for v in f.validators if isinstance(v, URLValidator)).schemes)
        if {"http", "https"} <= schemes and f.max_length is not None:
            url_limit = f.max_length
            return lambda value: type(value) is str and len(value) <= url_limit and bool(_PLAIN_URL.match(value))
    if f.choices:
        return None
    if type(f) is models.BooleanField and not kinds:
        nullable = f.null
        return lambda value: value is True or value is False or (value is None and nullable)
    if isinstance(f, models.IntegerField) and kinds <= {MinValueValidator, MaxValueValidator}:
        return _int_check(f, nullable=f.null)
    return None


# A web address URLValidator accepts: http(s), an ASCII host name of labels of 1 to 63 letters, digits
# and inner hyphens with a top-level domain of letters, and a path without spaces or control characters.
# URLValidator took 12 % of an import of 20,000 employers with websites (cProfile); this match, a tenth.
_PLAIN_URL = re.compile(
    r"https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?:/[!-~]*)?\Z", re.IGNORECASE | re.ASCII
)


# An address EmailValidator accepts: a dot-atom local part, an ASCII domain as in _PLAIN_URL.
_PLAIN_EMAIL = re.compile(
    r"[-!#$%&'*+/=?^_`{}|~0-9a-z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9a-z]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z",
    re.IGNORECASE | re.ASCII,
)


def _int_check(f: models.Field[Any, Any], *, nullable: bool) -> Callable[[Any], bool]:
    """A whole number within every Min/MaxValueValidator of the field (None when it may be null)."""
    low = max((v.limit_value for v in f.validators if isinstance(v, MinValueValidator)), default=None)
    high = min((v.limit_value for v in f.validators if isinstance(v, MaxValueValidator)), default=None)

    def whole(value: Any) -> bool:
        if value is None:
            return nullable
        return type(value) is int and (low is None or value >= low) and (high is None or value <= high)

    return whole


# --- New instances: Model() for many rows ---------------------------------------------------------

# Values a copy may share with its template (and enum members, such as a TextChoices default).
_IMMUTABLE = (str, int, bool, float, Decimal, dt.date, dt.datetime, dt.time, type(None))


class NewInstances:
    """What Model() gives, for each new row: a copy of one new instance, callable defaults called afresh.

    Model() on a model of 60 fields took 10 % of an import of 20,000 new employers (cProfile): it
    looks up every field's default each time. A copy is what Model() makes when no signal listens to
    the model's pre_init or post_init and every other default is an immutable value; otherwise
    Model() is called.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        template = model()
        self.values = {name: value for name, value in template.__dict__.items() if name != "_state"}
        self.fresh = [
            (f.attname, f.get_default) for f in model._meta.concrete_fields if f.has_default() and callable(f.default)
        ]
        self.copy = (
            not signals.pre_init.has_listeners(model)
            and not signals.post_init.has_listeners(model)
            and all(type(value) in _IMMUTABLE or isinstance(value, enum.Enum) for value in self.values.values())
        )

    def new(self) -> Any:
        """A new, unsaved instance."""
        if not self.copy:
            return self.model()
        instance = self.model.__new__(self.model)
        instance.__dict__.update(self.values)
        instance._state = ModelState()
        for attname, default in self.fresh:
            instance.__dict__[attname] = default()
        return instance


# --- Writing new rows: COPY on PostgreSQL --------------------------------------------------------

#: A batch of at least this many new rows is written with COPY on PostgreSQL; fewer with bulk_create,
#: whose cost is small at that size (500 employers: about 0.14 s) and which is one statement fewer.
COPY_MIN_ROWS = 500
#: Values in one IN (...): under SQLite's 999 parameters on old builds.
IN_CHUNK = 900


def can_copy(model: type[models.Model], count: int, *, using: str = "default") -> bool:
    """Whether insert_new() writes `count` new rows of the model with COPY here."""
    fields = model._meta.concrete_fields
    return (
        count >= COPY_MIN_ROWS
        and connections[using].vendor == "postgresql"
        and not model._meta.parents  # one table per model: bulk_create refuses multi-table inheritance too
        and all(f.db_default is NOT_PROVIDED and not f.generated for f in fields)
        and isinstance(model._meta.pk, models.AutoField | models.BigAutoField | models.SmallAutoField)
    )


def insert_new(instances: list[Any], *, batch_size: int | None = None, using: str = "default") -> None:
    """Insert new instances as bulk_create(instances) would, with COPY on PostgreSQL for a large batch.

    The same rows as bulk_create, without its cost: on 20,000 new employers bulk_create spent most
    of its 5.5 s turning each of 59 values into SQL parameters (prepare_value, the UNNEST arrays),
    where COPY of the same rows took 0.7 s (bench/README.md, "Employer import"). What bulk_create
    does per row, this does too: each field's pre_save() (auto_now and auto_now_add stamp the time
    and set it on the instance), the related objects checked as for bulk_create, each value prepared
    for the database (plain text, numbers, booleans and None as they are, anything else through the
    field's get_db_prep_save()), and the new primary keys set on the instances, in order: they are
    taken from the table's sequence first. No signals, as with bulk_create. It runs in the caller's
    transaction, so a failure rolls back with everything else.
    """
    if not instances:
        return
    model = type(instances[0])
    # Keys come from the sequence: rows that bring their own go through bulk_create.
    if not can_copy(model, len(instances), using=using) or any(obj.pk is not None for obj in instances):
        model._default_manager.using(using).bulk_create(instances, batch_size=batch_size)
        return
    connection = connections[using]
    meta = model._meta
    pk = meta.pk
    fields = [f for f in meta.concrete_fields if f is not pk]
    # Fields with a pre_save() of their own (auto_now, auto_now_add) get it called, as bulk_create does.
    stamped = {f.attname for f in fields if type(f).pre_save is not models.Field.pre_save}
    plain = [_plain_types(f) for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in [pk, *fields])
    sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
    # As bulk_create: a failure marks the caller's atomic block for rollback (its savepoint, if any).
    with (
        transaction.atomic(using=using, savepoint=False),
        connection.wrap_database_errors,
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(instances)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
        # Logged like any query when Django logs them (DEBUG, tests counting queries).
        logged = cursor.debug_sql(sql) if isinstance(cursor, CursorDebugWrapper) else nullcontext()
        with logged, cursor.cursor.copy(sql) as copy:
            for obj, pk_value in zip(instances, ids, strict=True):
                obj._prepare_related_fields_for_save(operation_name="bulk_create")
                row = [pk_value]
                for f, types in zip(fields, plain, strict=True):
                    value = f.pre_save(obj, True) if f.attname in stamped else getattr(obj, f.attname)
                    if value is not None and type(value) not in types:
                        value = f.get_db_prep_save(value, connection)
                    row.append(value)
                copy.write_row(row)
    for obj, pk_value in zip(instances, ids, strict=True):
        setattr(obj, pk.attname, pk_value)
        obj._state.adding = False
        obj._state.db = using


def _plain_types(f: models.Field[Any, Any]) -> tuple[type, ...]:
    """The Python types the field stores as they are on PostgreSQL (get_db_prep_save returns them unchanged)."""
    target = getattr(f, "target_field", f) if f.is_relation else f
    if isinstance(target, models.CharField | models.TextField) and not isinstance(target, models.UUIDField):
        return (str,)
    if isinstance(target, models.BooleanField):
        return (bool,)
    if isinstance(target, models.IntegerField):
        return (int,)
    return ()


def insert_per_row(
    template: models.Model,
    *,
    from_rows: dict[str, str],
    source: type[models.Model],
    ids: list[Any],
    using: str = "default",
) -> int:
    """One INSERT ... SELECT: a row like `template` for each source row in `ids`, some columns copied from it.

    `from_rows` maps the template's field names to the source's: {"employer": "id", "to_stage":
    "stage"}. The other columns take the template's values, prepared as bulk_create would. For the
    stage history of 20,000 new employers this replaced building 20,000 instances and a second
    bulk_create. Returns the number of rows written.
    """
    if not ids:
        return 0
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = template._meta
    columns, selected, params = [], [], []
    for f in meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(quote(str(f.column)))
        if f.name in from_rows:
            copied = cast("models.Field[Any, Any]", source._meta.get_field(from_rows[f.name]))
            selected.append(quote(str(copied.column)))
        else:
            selected.append("%s")
            params.append(f.get_db_prep_save(f.pre_save(template, True), connection))
    source_pk = quote(str(source._meta.pk.column)) if source._meta.pk else "id"
    written = 0
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        # Every name is a model column and every value a parameter.
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {', '.join(selected)} FROM {quote(source._meta.db_table)} "
            f"WHERE {source_pk} IN ({', '.join(['%s'] * len(chunk))}) ORDER BY {source_pk}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *chunk])
            written += cursor.rowcount
    return written


# --- What the columns mean --------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnHelp:
    """One column of an import file, explained for the import page and the templates."""

    name: str
    meaning: str
    hint: str
    example: str
    #: The file must have this column.
    required: bool = False
    #: Columns that may stand in for this one ("employer_name"), when it is one of a required pair.
    alternatives: tuple[str, ...] = ()
    #: Other headers read as this column: the field's name in every site language, and common ones.
    aliases: tuple[str, ...] = ()


# --- The import service ---------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one data row; rows count from 1 at the first row under the header."""

    row: int
    messages: tuple[str, ...]

    @property
    def line(self) -> int:
        """The row's line in a spreadsheet, where the header is line 1."""
        return self.row + 1


@dataclass
class ImportReport:
    """The outcome of one import: counts, and the problems that stopped it."""

    dry_run: bool
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    blank: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    #: How the file was read: csv or xlsx; for CSV the encoding, whether it was guessed, the delimiter.
    file_format: str = ""
    encoding: str = ""
    encoding_guessed: bool = False
    delimiter: str = ""
    #: The readings to choose from when the encoding is unsure; nothing is imported until one is chosen.
    encoding_choices: list[EncodingChoice] = field(default_factory=list)
    #: Each header of the file and the column it was understood as; the headers that were not understood.
    columns: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every row was valid (and, unless a dry run, the import was saved)."""
        return not self.problems and not self.file_errors and not self.encoding_choices

    @property
    def encoding_label(self) -> str:
        """The encoding the file was read in, as people know it."""
        return encoding_label(self.encoding) if self.encoding else ""

    @property
    def delimiter_label(self) -> str:
        """The CSV delimiter in words."""
        names = {";": _("semicolons"), ",": _("commas"), "\t": _("tabs")}
        return str(names.get(self.delimiter, self.delimiter))

    def summary(self) -> str:
        """One line for the person importing."""
        if self.encoding_choices:
            return _("Check how the file was read: choose the reading in which the sample looks right.")
        counts = _("%(created)s new, %(updated)s updated, %(unchanged)s unchanged") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.ok and self.dry_run:
            return _("Dry run, nothing saved: %(counts)s.") % {"counts": counts}
        if self.ok:
            return _("Imported %(total)s rows: %(counts)s.") % {"total": self.total_rows, "counts": counts}
        if not self.problems:
            return _("Nothing was imported.")
        failing = len(self.problems)
        return ngettext(
            "Nothing was imported: %(count)s of %(total)s rows has errors.",
            "Nothing was imported: %(count)s of %(total)s rows have errors.",
            failing,
        ) % {"count": failing, "total": self.total_rows}


def import_dataset(
    *,
    resource: NetworkResource,
    dataset: tablib.Dataset,
    actor: Any,
    owner: Any = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Import a dataset all or nothing: one bad row (or a dry run) rolls everything back.

    `owner` is the relationship manager of new employers whose row names none.
    """
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=actor,
            owner=owner,
            now=now,
        )
        report = report_from_result(result, resource=resource, dry_run=dry_run)
        if dry_run or not report.ok:
            transaction.set_rollback(True)
    return report


def import_file(
    *,
    resource: NetworkResource,
    data: bytes,
    actor: Any,
    owner: Any = None,
    filename: str = "",
    fmt: str | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Read a CSV or XLSX file and import it atomically; an unreadable file changes nothing."""
    try:
        table = read_table(data, filename=filename, fmt=fmt, encoding=encoding)
    except ImportFileError as exc:
        return ImportReport(dry_run=dry_run, file_errors=[str(exc)])
    return import_table(resource=resource, table=table, actor=actor, owner=owner, dry_run=dry_run, now=now)


def import_table(
    *,
    resource: NetworkResource,
    table: Table,
    actor: Any,
    owner: Any = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Import a file that has been read, and say how it was read; an unsure encoding is only ever a dry run."""
    unsure = table.text is not None and table.text.unsure
    report = import_dataset(
        resource=resource, dataset=table.dataset, actor=actor, owner=owner, dry_run=dry_run or unsure, now=now
    )
    report.file_format = table.format
    report.delimiter = table.delimiter
    if table.text is not None:
        report.encoding = table.text.encoding
        report.encoding_guessed = table.text.guessed
        report.encoding_choices = list(table.text.choices)
    return report


def report_from_result(result: Result, *, resource: NetworkResource, dry_run: bool) -> ImportReport:
    """Translate django-import-export's Result into our report, with column names in the messages."""
    report = ImportReport(dry_run=dry_run, total_rows=result.total_rows, blank=resource.blank_rows)
    report.created = result.totals["new"]
    report.updated = result.totals["update"]
    report.unchanged = result.totals["skip"] - resource.blank_rows
    report.file_errors = [str(error.error) for error in result.base_errors]
    report.columns = [(header, column) for header, column in resource.header_map if column]
    report.ignored = [header for header, column in resource.header_map if not column]
    problems: dict[int, list[str]] = {}
    for invalid in result.invalid_rows:
        problems.setdefault(invalid.number, []).extend(_field_messages(invalid.error_dict, resource))
    for error_row in result.error_rows:
        problems.setdefault(error_row.number, []).extend(str(error.error) for error in error_row.errors)
    report.problems = [RowProblem(row, tuple(messages)) for row, messages in sorted(problems.items())]
    return report


def _field_messages(error_dict: dict[str, Iterable[str]], resource: NetworkResource) -> list[str]:
    """ "column: message" for each field error, the bare message for errors about the whole row."""
    columns = {f.attribute: f.column_name for f in resource.fields.values() if f.attribute}
    messages = []
    for name, errors in error_dict.items():
        for message in errors:
            if name == NON_FIELD_ERRORS:
                messages.append(str(message))
            else:
                messages.append(f"{columns.get(name, name)}: {message}")
    return messages


def export_file(
    *, resource: NetworkResource, fmt: str = "csv", queryset: QuerySet[Any] | None = None, delimiter: str = ","
) -> bytes:
    """Export rows as CSV or XLSX bytes; the resource has already escaped formula-like text."""
    if fmt not in FORMATS:
        raise ImportFileError(_("Unknown format %(format)s; use csv or xlsx.") % {"format": fmt})
    dataset = resource.export(queryset, force_native_type=typed_cells(fmt))
    if fmt == "xlsx":
        return write_xlsx(dataset, title=str(resource._meta.model._meta.verbose_name_plural))
    return write_csv(dataset, delimiter=delimiter)


def template_file(*, resource: NetworkResource, fmt: str, user: Any = None) -> bytes:
    """An empty import file for the resource: the header row and one example row (typed cells in XLSX)."""
    if fmt not in FORMATS:
        raise ImportFileError(_("Unknown format %(format)s; use csv or xlsx.") % {"format": fmt})
    columns = resource.column_help(user=user)
    fields_by_column = {f.column_name: f for f in resource.get_import_fields()}
    row: list[Any] = []
    for column in columns:
        widget = fields_by_column[column.name].widget
        if typed_cells(fmt) and column.example and isinstance(widget, TYPED_WIDGETS):
            row.append(widget.render(widget.clean(column.example), force_native_type=True))
        else:
            row.append(column.example)
    dataset = tablib.Dataset(row, headers=[column.name for column in columns])
    if fmt == "xlsx":
        return write_xlsx(dataset, title=str(resource._meta.model._meta.verbose_name_plural))
    # Semicolons, as Excel expects in the Netherlands and Sweden; the import reads any delimiter.
    return write_csv(dataset, delimiter=";")
