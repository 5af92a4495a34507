"""How much of an import file is read: the limits on hostile files, and the rows kept within them.

Shared by common.spreadsheets (CSV and the reader every import uses) and common.xlsx_guard (the
checks an XLSX workbook passes before openpyxl reads it). Imports no app.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _


class ImportFileError(Exception):
    """A file that cannot be read as a table; the message is meant for the person importing it."""


@dataclass(frozen=True)
class Limits:
    """How much of a file the import reads (the IMPORT_* settings); beyond them a file is refused, not read.

    Together they bound the memory and time one import costs, whatever the file holds (issue "hostile
    files"): the file's size, an XLSX workbook's unpacked size, parts and compression ratio (zip bombs),
    and the rows, columns, filled cells and characters per cell of the table itself.
    """

    max_bytes: int
    max_rows: int
    max_columns: int
    max_cells: int
    max_cell_chars: int
    max_uncompressed_bytes: int
    max_compression_ratio: int
    max_zip_members: int

    @classmethod
    def from_settings(cls) -> Limits:
        """The limits configured in settings."""
        return cls(
            max_bytes=settings.IMPORT_MAX_BYTES,
            max_rows=settings.IMPORT_MAX_ROWS,
            max_columns=settings.IMPORT_MAX_COLUMNS,
            max_cells=settings.IMPORT_MAX_CELLS,
            max_cell_chars=settings.IMPORT_MAX_CELL_CHARS,
            max_uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
            max_compression_ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
            max_zip_members=settings.IMPORT_MAX_ZIP_MEMBERS,
        )


def megabytes(size: int) -> str:
    """A size in MB for a message, one decimal when under ten."""
    value = size / (1024 * 1024)
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def is_blank(value: object) -> bool:
    """An empty cell: None, or text with nothing but whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def collect_rows(rows: Iterable[Sequence[Any]], limits: Limits) -> list[list[Any]]:
    """Keep a file's rows, refusing it at the first row, column or cell beyond the limits.

    Trailing blank cells are cut from each row and blank rows are only counted until a row with data
    follows, so a sheet's empty tail costs no memory; the header row comes on top of max_rows.
    """
    kept: list[list[Any]] = []
    blank_rows = cells = 0
    for number, row in enumerate(rows, start=1):
        if number > limits.max_rows + 1:
            raise ImportFileError(too_many_rows(limits))
        width = len(row)
        while width and is_blank(row[width - 1]):
            width -= 1
        if width > limits.max_columns:
            raise ImportFileError(too_many_columns(limits, number))
        if not width:
            blank_rows += 1
            continue
        kept.extend([] for _blank in range(blank_rows))
        blank_rows = 0
        cells += width if kept else 0  # the header is not counted: max_cells is about the data
        if cells > limits.max_cells:
            raise ImportFileError(too_many_cells(limits.max_cells))
        kept.append(list(row[:width]))
    return kept


def too_many_cells(most: int) -> str:
    """The message for a table with more cells than the limit."""
    return _(
        "The file has more than %(max)s cells, more than the import reads; split it into smaller files, or "
        "clear the formatting of empty cells."
    ) % {"max": most}


def too_many_rows(limits: Limits) -> str:
    """The message for a table longer than the limit."""
    return _(
        "The file has more than %(max)s rows under the header, more than the import reads. Split it into "
        "smaller files; if it has fewer rows, delete the empty (formatted) rows under the data."
    ) % {"max": limits.max_rows}


def too_many_columns(limits: Limits, row: int) -> str:
    """The message for a row wider than the limit."""
    return _(
        "Row %(row)s has cells beyond column %(max)s, more columns than the import reads. Delete the columns "
        "right of the data, or the empty (formatted) cells there."
    ) % {"row": row, "max": limits.max_columns}
