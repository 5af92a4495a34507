"""Parsing the network's spreadsheet cells, and the atomic import service.

The resources in crm/resources.py hold the rules (natural keys, validation, escaping); files become
a tablib Dataset in common/spreadsheets.py; this module turns each cell into a value (the widgets)
and runs a resource over a dataset in one transaction (`import_file`, used by `manage.py import`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import tablib
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models, transaction
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export import fields, widgets
from import_export.results import Result

from common.spreadsheets import (
    FORMATS,
    ImportFileError,
    is_blank,
    read_dataset,
    unescape_formula,
    write_csv,
    write_xlsx,
)
from crm.models import LadderStep

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from crm.resources import NetworkResource

_TRUE = {"1", "true", "yes", "y", "ja", "j", "waar", "sant"}
_FALSE = {"0", "false", "no", "n", "nee", "nej", "onwaar", "falskt"}
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")


def clean_text(value: object) -> str:
    """A cell as trimmed text: spreadsheet numbers as typed (12345678.0 -> "12345678"), escapes undone."""
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


class URLWidget(TextWidget):
    """A web address; "www.example.nl" gets https:// as a browser would add it."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        """The address with a scheme."""
        text = super().clean(value, row, **kwargs)
        return f"https://{text}" if text and "://" not in text else text


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


class UserWidget(TextWidget):
    """A user by username (the employer's relationship manager)."""

    def __init__(self) -> None:
        super().__init__()
        self._users: dict[str, Any] = {}

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        """The user, or None for an empty cell; each username is looked up once per import."""
        username = clean_text(value)
        if not username:
            return None
        if username not in self._users:
            self._users[username] = get_user_model().objects.filter(username=username).first()
        if self._users[username] is None:
            raise ValueError(_("There is no user with the username “%(value)s”.") % {"value": username})
        return self._users[username]

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        """The username."""
        return "" if value is None else str(value.get_username())


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

    @property
    def ok(self) -> bool:
        """True when every row was valid (and, unless a dry run, the import was saved)."""
        return not self.problems and not self.file_errors

    def summary(self) -> str:
        """One line for the person importing."""
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
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Import a dataset all or nothing: one bad row (or a dry run) rolls everything back."""
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=actor,
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
    filename: str = "",
    fmt: str | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Read a CSV or XLSX file and import it atomically; an unreadable file changes nothing."""
    try:
        dataset = read_dataset(data, filename=filename, fmt=fmt, encoding=encoding)
    except ImportFileError as exc:
        return ImportReport(dry_run=dry_run, file_errors=[str(exc)])
    return import_dataset(resource=resource, dataset=dataset, actor=actor, dry_run=dry_run, now=now)


def report_from_result(result: Result, *, resource: NetworkResource, dry_run: bool) -> ImportReport:
    """Translate django-import-export's Result into our report, with column names in the messages."""
    report = ImportReport(dry_run=dry_run, total_rows=result.total_rows, blank=resource.blank_rows)
    report.created = result.totals["new"]
    report.updated = result.totals["update"]
    report.unchanged = result.totals["skip"] - resource.blank_rows
    report.file_errors = [str(error.error) for error in result.base_errors]
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
    dataset = resource.export(queryset, force_native_type=fmt == "xlsx")
    if fmt == "xlsx":
        return write_xlsx(dataset, title=str(resource._meta.model._meta.verbose_name_plural))
    return write_csv(dataset, delimiter=delimiter)
