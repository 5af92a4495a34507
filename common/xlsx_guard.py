"""The checks an XLSX workbook passes before and while openpyxl reads it (issue "hostile files").

A workbook is a zip of XML parts. Its zip directory is checked first (zip bombs); every XML part is
walked once with defusedxml holding one element at a time (XML bombs, parts too big to load); the
first sheet's walk finds the rows and columns in use and refuses a range beyond the limits; openpyxl
then streams just those rows in read-only mode. The libraries' safe modes do the parsing: defusedxml
for every XML part (openpyxl uses it too when it is installed) and openpyxl's read-only worksheets.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator
from itertools import islice
from typing import IO, Any

import openpyxl
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse as safe_iterparse
from django.utils.translation import gettext as _
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries

from common.import_limits import (
    ImportFileError,
    Limits,
    collect_rows,
    megabytes,
    too_many_cells,
    too_many_columns,
    too_many_rows,
)


def sheet_rows(data: bytes, limits: Limits) -> list[list[Any]]:
    """The first sheet's rows within the limits; ImportFileError (with the reason) for a hostile workbook."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_archive(archive, limits)
        return _read_first_sheet(data, limits)
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises zipfile, KeyError, ValueError and XML errors for damaged files
        if _caused_by_unsafe_xml(exc):
            raise ImportFileError(
                _(
                    "The workbook contains XML entity or DTD declarations, which spreadsheet programs do not "
                    "write; it was refused as unsafe. Save it again from your spreadsheet program."
                )
            ) from exc
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from exc


# An XLSX part larger than this is refused when it is compressed more than IMPORT_MAX_COMPRESSION_RATIO.
_RATIO_FLOOR = 1024 * 1024
# Elements a sheet may hold outside its rows (column widths, views, merged cells, conditional formats).
_MAX_OTHER_ELEMENTS = 100_000


def _caused_by_unsafe_xml(exc: BaseException | None) -> bool:
    """Whether defusedxml refused the XML, even when openpyxl wrapped its error in another."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a zip bomb from the zip's directory, then walk every XML part but the sheets.

    The sizes in the directory can be trusted as upper bounds: zipfile stops reading a part at its
    declared size (and fails its checksum), and openpyxl reads the parts through zipfile.
    """
    parts = archive.infolist()
    if len(parts) > limits.max_zip_members:
        raise ImportFileError(
            _("The workbook holds %(count)s parts, far more than a spreadsheet has; it was refused.")
            % {"count": len(parts)}
        )
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.max_uncompressed_bytes:
        raise ImportFileError(
            _("The workbook unpacks to %(size)s MB, more than the %(max)s MB the import reads.")
            % {"size": megabytes(unpacked), "max": megabytes(limits.max_uncompressed_bytes)}
        )
    for part in parts:
        if part.file_size > _RATIO_FLOOR and part.file_size > limits.max_compression_ratio * max(1, part.compress_size):
            raise ImportFileError(
                _(
                    "A part of the workbook (%(name)s) is compressed %(ratio)s times, far more than a spreadsheet "
                    "is; it was refused as a possible zip bomb."
                )
                % {"name": part.filename, "ratio": part.file_size // max(1, part.compress_size)}
            )
    for part in parts:
        name = part.filename.lower()
        if name.endswith((".xml", ".rels")) and "worksheets/" not in name:
            with archive.open(part) as source:
                _scan_part(source, part.filename, limits)


def _elements(source: IO[bytes]) -> Iterator[tuple[str, Any]]:
    """Walk an XML part with defusedxml, yielding ("start" or "end", element) and keeping only open elements."""
    stack: list[Any] = []
    for event, element in safe_iterparse(source, events=("start", "end")):
        if event == "start":
            stack.append(element)
        else:
            stack.pop()
            if stack:
                stack[-1].remove(element)
        yield event, element


def _local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rpartition("}")[2]


def _scan_part(source: IO[bytes], name: str, limits: Limits) -> None:
    """Refuse a part openpyxl would load whole that holds more than the file's cells could need."""
    elements = strings = 0
    most = 4 * limits.max_cells
    for event, element in _elements(source):
        if event == "start":
            continue
        elements += 1
        if _local(element.tag) == "si":
            strings += 1
        if elements > most or strings > limits.max_cells:
            raise ImportFileError(
                _("A part of the workbook (%(name)s) holds far more than its cells need; it was refused.")
                % {"name": name}
            )


def _read_first_sheet(data: bytes, limits: Limits) -> list[list[Any]]:
    """The first sheet's rows, streamed by openpyxl in read-only mode within the range _scan_sheet found."""
    with warnings.catch_warnings():
        # openpyxl warns about styles and data validation it does not read; neither matters here.
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        if not book.worksheets:
            raise ImportFileError(_("The workbook has no sheet."))
        sheet = book.worksheets[0]
        # openpyxl builds each <row> whole and parses every element before the rows: walk it first.
        with sheet._get_source() as source:
            last_row, last_column = _scan_sheet(source, limits)
        if not last_row:
            return []
        rows = sheet.iter_rows(min_row=1, max_row=last_row, max_col=last_column, values_only=True)
        # Take exactly the rows in use: asking for one more would make openpyxl parse the rest of the sheet.
        return collect_rows(islice(rows, last_row), limits)
    finally:
        book.close()


def _scan_sheet(source: IO[bytes], limits: Limits) -> tuple[int, int]:
    """The last row and column holding a cell; refuses the sheet at the first cell beyond the limits.

    One pass with defusedxml that keeps at most one row: each child of <sheetData> is dropped when it
    ends, and a row is refused at its first cell beyond the column limit (or when it holds far more
    elements than its cells need), before it grows. The declared range (<dimension ref>) is refused
    too when it is beyond the limits: a spreadsheet program writes it as the range of cells that exist.
    """
    most_rows, most_columns, most_in_row = limits.max_rows + 1, limits.max_columns, 20 * limits.max_columns
    # Formatted empty cells cost openpyxl as much time as filled ones: twice the filled limit at most.
    most_cells = 2 * limits.max_cells
    last_row = last_column = row = column = other = in_row = depth = data_depth = cells = 0
    data: Any = None
    names: dict[str, str] = {}
    for event, element in safe_iterparse(source, events=("start", "end")):
        name = names.get(element.tag) or names.setdefault(element.tag, _local(element.tag))
        if event == "end":
            depth -= 1
            if data is not None and depth == data_depth:
                data.remove(element)  # a row (or anything else) of sheetData, read: drop it
            elif name == "sheetData":
                data = None
            continue
        depth += 1
        if data is None:
            if name == "sheetData":
                data, data_depth = element, depth
                continue
            other += 1
            if other > _MAX_OTHER_ELEMENTS:
                raise ImportFileError(_("The sheet holds far more formatting than its cells need; it was refused."))
            if name == "dimension":
                _check_dimension(element.get("ref", ""), limits)
            continue
        in_row += 1
        if in_row > most_in_row:
            raise ImportFileError(too_many_columns(limits, row))
        if name == "row":
            row, column, in_row = int(element.get("r") or row + 1), 0, 0
        elif name == "c":
            cells += 1
            if cells > most_cells:
                raise ImportFileError(too_many_cells(most_cells))
            reference = element.get("r")
            if reference:
                letters, cell_row = coordinate_from_string(reference)
                row, column = max(row, cell_row), column_index_from_string(letters)
            else:
                column += 1
            last_row, last_column = max(last_row, row), max(last_column, column)
        else:
            continue
        if row > most_rows:
            raise ImportFileError(too_many_rows(limits))
        if column > most_columns:
            raise ImportFileError(too_many_columns(limits, row))
    return last_row, last_column


def _check_dimension(reference: str, limits: Limits) -> None:
    """Refuse a sheet whose declared used range (A1:XFD1048576) is beyond the limits."""
    try:
        _min_col, _min_row, max_col, max_row = range_boundaries(reference)
    except (TypeError, ValueError):
        return  # openpyxl ignores a range it cannot read; the cells themselves are checked
    if (max_row or 0) > limits.max_rows + 1 or (max_col or 0) > limits.max_columns:
        raise ImportFileError(
            _(
                "The sheet's used range is %(range)s, more than the %(rows)s rows and %(columns)s columns the "
                "import reads. Delete the empty (formatted) rows and columns around the data and save it again."
            )
            % {"range": reference, "rows": limits.max_rows, "columns": limits.max_columns}
        )
