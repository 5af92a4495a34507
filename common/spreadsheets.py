"""Spreadsheet files: reading CSV and XLSX into a tablib Dataset, writing them back, and escaping formulae.

Every import and export goes through here (DESIGN "Non-negotiables": exports escape spreadsheet
formulae; imports report a file they cannot read in words the person importing it understands).
What a cell means (widgets) and how rows become models stay with the app that imports them.

read_table is the one reader of every import (the page, the admin, manage.py import, the background
job). It refuses hostile files with an ImportFileError before they cost more than the limits allow:
the limits and the rows kept within them are in common.import_limits, the checks an XLSX workbook
passes (zip and XML bombs, absurd ranges) in common.xlsx_guard, the CSV checks (cell and line length,
NUL bytes, rows and columns) here.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Protocol

import openpyxl
import tablib
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.formats import base_formats

from common.import_limits import ImportFileError, Limits, collect_rows, is_blank, megabytes
from common.xlsx_guard import sheet_rows

# OWASP "CSV injection": a cell starting with one of these may be run as a formula by a spreadsheet.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
_DELIMITERS = ";,\t"
_SNIFF_BYTES = 64 * 1024
_XLSX_MAGIC = b"PK\x03\x04"
# Characters openpyxl refuses in a cell (control characters other than tab, LF and CR).
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def escape_formula(value: str) -> str:
    """Prefix a cell that a spreadsheet would read as a formula with an apostrophe."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def unescape_formula(value: str) -> str:
    """Undo escape_formula, so an exported file imports back to the same text."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


# --- Reading --------------------------------------------------------------------------------


# Encodings a CSV file from a spreadsheet may be in, in the order we prefer them: Excel's "CSV UTF-8",
# "CSV (puntkomma)" on Windows (cp1252), the same on Unix (Latin-9), "CSV (MS-DOS)" and "CSV (Macintosh)".
ENCODINGS: dict[str, Any] = {
    "utf-8": gettext_lazy("Unicode (UTF-8)"),
    "utf-16": gettext_lazy("Unicode (UTF-16)"),
    "cp1252": gettext_lazy("Windows (Western European)"),
    "iso8859-15": gettext_lazy("ISO Latin-9 (Western European)"),
    "cp850": gettext_lazy("MS-DOS (Western European)"),
    "mac-roman": gettext_lazy("Mac (Western European)"),
}
_GUESSES = ("utf-8", "cp1252", "iso8859-15", "cp850", "mac-roman")
# Symbols nobody types in a name or an address, but which a wrong reading of é, ë or € produces.
_ODD_SYMBOLS = frozenset("¤¦¨¯´¸¬¶ƒˆ˜‰‡†‹›‚¹µ")
_SAMPLE_LENGTH = 100
_ASCII_CONTROLS = tuple(chr(code) for code in (*range(0, 9), 11, 12, *range(14, 32), 127))
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@dataclass(frozen=True)
class EncodingChoice:
    """One way to read a file, and a line of it read that way."""

    encoding: str
    sample: str

    @property
    def label(self) -> str:
        """The encoding as people know it."""
        return encoding_label(self.encoding)


@dataclass(frozen=True)
class DecodedText:
    """A text file's content, the encoding it was read in and how sure that is."""

    text: str
    encoding: str
    #: Not UTF-8, so read in a Windows or older encoding without being told.
    guessed: bool = False
    #: The readings to choose from when no encoding reads the file cleanly; empty when sure.
    choices: tuple[EncodingChoice, ...] = ()

    @property
    def unsure(self) -> bool:
        """True when the person importing has to say which reading is right."""
        return bool(self.choices)


def encoding_label(encoding: str) -> str:
    """A codec name as people know it ("Windows (Western European)"), or the name itself."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return encoding
    name = {"utf-8-sig": "utf-8", "utf-16-le": "utf-16", "utf-16-be": "utf-16"}.get(name, name)
    return str(ENCODINGS.get(name, encoding))


def oddities(text: str) -> int:
    """How many characters look like a wrong reading: control characters, odd symbols, "CafÃ©"-like capitals.

    ASCII characters are odd only as control characters, counted by str.count; only the other characters
    are looked at one by one, so a large file that is mostly ASCII is scored in a fraction of a second.
    """
    count = sum(text.count(control) for control in _ASCII_CONTROLS)
    for match in _NON_ASCII.finditer(text):
        start = match.start()
        count += _odd(match.group(), text[start - 1] if start else " ")
    return count


def _odd(char: str, previous: str) -> bool:
    """A character no spreadsheet of names and addresses holds, or a capital inside a word ("CafŽ")."""
    if char.isascii():
        return unicodedata.category(char) == "Cc" and char not in "\t\n\r"
    if unicodedata.category(char) in ("Cc", "Co", "Cn", "Cs") or char == "\ufffd" or char in _ODD_SYMBOLS:
        return True
    if "\u2200" <= char <= "\u22ff" or "\u2500" <= char <= "\u259f":  # maths and box drawing: DOS and Mac
        return True
    return char.isupper() and previous.islower()


def detect_encoding(data: bytes) -> DecodedText:
    """Read a text file without being told its encoding (the one rule for the page, the command and the task).

    A byte order mark decides. Otherwise UTF-8 when the bytes are valid UTF-8 and read cleanly; else
    Windows-1252 (Excel's "CSV" on a Dutch or Swedish Windows) when that reads cleanly. When neither does,
    every reading is offered, the cleanest first, each with a line that differs between them.
    """
    if data.startswith(codecs.BOM_UTF8):
        return DecodedText(data.decode("utf-8-sig", errors="replace"), "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export.
        return DecodedText(data.decode("utf-16", errors="replace"), "utf-16")
    _refuse_nul(data)
    # One reading in memory at a time (a 50 MB file read five ways would hold five copies): each is
    # scored and remembered by a hash and a sample; the one kept is decoded again at the end.
    readings: dict[str, tuple[int, int, str]] = {}
    for encoding in _GUESSES:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = oddities(text)
        if score == 0 and encoding in ("utf-8", "cp1252"):  # the first two guesses: UTF-8 wins when clean
            return DecodedText(text, encoding, guessed=encoding != "utf-8")
        readings[encoding] = (score, hash(text), _sample(text))
        del text
    distinct: dict[str, str] = {}
    seen: set[int] = set()
    for encoding in sorted(readings, key=lambda e: (readings[e][0], _GUESSES.index(e))):
        if readings[encoding][1] not in seen:
            seen.add(readings[encoding][1])
            distinct[encoding] = readings[encoding][2]
    best = next(iter(distinct))
    choices = tuple(EncodingChoice(encoding, sample) for encoding, sample in distinct.items())
    return DecodedText(data.decode(best), best, guessed=True, choices=choices)


def _refuse_nul(data: bytes) -> None:
    """No text file holds NUL bytes; one that does is binary, or UTF-16 saved without its byte order mark."""
    if b"\x00" in data:
        raise ImportFileError(
            _(
                "The file contains NUL characters, so it is not a CSV text file. If it was saved as "
                "“Unicode text” (UTF-16), save it again as “CSV UTF-8”."
            )
        )


def _sample(text: str) -> str:
    """The first line with a character outside ASCII (where readings differ), shortened; the text is not split."""
    found = _NON_ASCII.search(text)
    at = found.start() if found else 0
    start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
    end = min(index for index in (text.find("\n", at), text.find("\r", at), len(text)) if index >= 0)
    line = text[start:end]
    if len(line) > _SAMPLE_LENGTH:
        odd = found.start() - start if found else 0
        begin = max(0, min(len(line) - _SAMPLE_LENGTH, odd - 20))
        line = ("…" if begin else "") + line[begin : begin + _SAMPLE_LENGTH] + "…"
    return line


def decode_text(data: bytes, *, encoding: str | None = None) -> DecodedText:
    """Decode a text file in the encoding asked for, or the one detect_encoding() finds."""
    if not encoding:
        return detect_encoding(data)
    try:
        codec = codecs.lookup(encoding).name
    except LookupError as exc:
        raise ImportFileError(_("Unknown encoding: %(encoding)s.") % {"encoding": encoding}) from exc
    codec = "utf-8-sig" if codec == "utf-8" else codec
    if not codec.startswith(("utf-16", "utf-32")):
        _refuse_nul(data)
    try:
        return DecodedText(data.decode(codec), codec.removesuffix("-sig"))
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("The file cannot be read as %(encoding)s (byte %(position)s).")
            % {"encoding": encoding_label(encoding), "position": exc.start + 1}
        ) from exc


def sniff_delimiter(text: str) -> str:
    """Find the delimiter among ; , and tab (Dutch Excel writes ;), from the first lines of the file."""
    sample = text[:_SNIFF_BYTES]
    if len(text) > _SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        # One-column files and odd quoting: the header line has no quoted delimiters, so count there.
        header = sample.splitlines()[0] if sample else ""
        counts = {delimiter: header.count(delimiter) for delimiter in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def parse_csv(text: str, *, delimiter: str | None = None, limits: Limits | None = None) -> tablib.Dataset:
    """Parse CSV text into a Dataset; short rows are padded, trailing blank lines dropped.

    The text is fed to the csv module line by line, each line checked against the longest row the limits
    allow, and cells are capped by csv.field_size_limit: no row or cell beyond the limits is ever built.
    """
    limits = limits or Limits.from_settings()
    text = text.removeprefix("\ufeff")
    if not text or text.isspace():
        raise ImportFileError(_("The file is empty."))
    # The longest line a row within the limits can take: every cell quoted, every character a doubled quote.
    longest = limits.max_columns * (2 * limits.max_cell_chars + 3)
    reader = csv.reader(_lines(text, longest), delimiter=delimiter or sniff_delimiter(text))
    try:
        with _field_size_limit(limits.max_cell_chars):
            rows = collect_rows(reader, limits)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise ImportFileError(
                _("A cell on line %(line)s holds more than %(max)s characters, more than a spreadsheet cell can.")
                % {"line": reader.line_num, "max": limits.max_cell_chars}
            ) from exc
        raise ImportFileError(_("The file is not valid CSV: %(error)s.") % {"error": exc}) from exc
    return build_dataset(rows)


# One line with its end (\n, \r\n, or \r as old Mac files have), or the last line without one.
_LINE = re.compile(r"[^\r\n]*+(?:\r\n|\r|\n)|[^\r\n]++\Z")


def _lines(text: str, longest: int) -> Iterator[str]:
    """The lines of text with their ends, refusing a line longer than `longest` before it is copied."""
    for number, match in enumerate(_LINE.finditer(text), start=1):
        if match.end() - match.start() > longest:
            raise ImportFileError(
                _("Line %(line)s is longer than any row of a table the import reads (%(max)s characters).")
                % {"line": number, "max": longest}
            )
        yield match.group()


@contextmanager
def _field_size_limit(limit: int) -> Iterator[None]:
    """Cap the characters of one CSV cell while a file is parsed (the csv module's limit is process-wide)."""
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def parse_xlsx(data: bytes, *, limits: Limits | None = None) -> tablib.Dataset:
    """Read the first sheet of an XLSX workbook (Excel or LibreOffice) into a Dataset.

    common.xlsx_guard checks the workbook before and while openpyxl streams it (zip and XML bombs,
    sheets whose declared or used range is beyond the limits).
    """
    return build_dataset(sheet_rows(data, limits or Limits.from_settings()))


def build_dataset(rows: Sequence[Sequence[Any]]) -> tablib.Dataset:
    """Turn rows (the first is the header) into a Dataset, ignoring trailing blank rows and columns."""
    rows = list(rows)
    while rows and all(is_blank(cell) for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise ImportFileError(_("The file is empty."))
    header = [None if is_blank(cell) else str(cell).strip() for cell in rows[0]]
    width = len(header)
    while width and header[width - 1] is None and all(is_blank(_cell(row, width - 1)) for row in rows[1:]):
        width -= 1
    if None in header[:width]:
        column = header.index(None) + 1
        raise ImportFileError(_("Column %(column)s has no header.") % {"column": column})
    dataset = tablib.Dataset(headers=header[:width])
    for number, row in enumerate(rows[1:], start=1):
        if any(not is_blank(cell) for cell in row[width:]):
            raise ImportFileError(_("Row %(row)s has more cells than the header has columns.") % {"row": number})
        dataset.append([_cell(row, index) for index in range(width)])
    return dataset


def _cell(row: Sequence[Any], index: int) -> Any:
    """The cell at index, or an empty string past the end of a short row."""
    return row[index] if index < len(row) else ""


def detect_format(data: bytes, *, filename: str = "", fmt: str | None = None) -> str:
    """Decide between csv and xlsx from --format, the file name, or the file's first bytes."""
    looks_xlsx = data.startswith(_XLSX_MAGIC)
    if fmt:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise ImportFileError(_("Unknown format %(format)s; use csv or xlsx.") % {"format": fmt})
        if fmt == "csv" and looks_xlsx:
            raise ImportFileError(_("This is an XLSX workbook, not a CSV file; pass --format xlsx."))
        return fmt
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".xls", ".ods"):
        raise ImportFileError(
            _("%(suffix)s files are not supported; save the sheet as XLSX or CSV.") % {"suffix": suffix}
        )
    return "xlsx" if looks_xlsx or suffix == ".xlsx" else "csv"


@dataclass(frozen=True)
class Table:
    """A file read as a table, and how it was read (what the import preview tells the person importing)."""

    dataset: tablib.Dataset
    format: str
    #: For CSV: the encoding read in, whether it was guessed, and the readings to choose from when unsure.
    text: DecodedText | None = None
    delimiter: str = ""


class Readable(Protocol):
    """An open binary file, such as an upload."""

    def read(self, size: int = ..., /) -> bytes:
        """Read up to size bytes."""
        ...


Source = bytes | os.PathLike[str] | Readable


def read_upload(source: Source, *, limits: Limits | None = None) -> bytes:
    """The bytes of a file, refused before it is read whole when it is larger than IMPORT_MAX_BYTES.

    A path's size and an upload's declared size are checked first; whatever the source, at most one
    byte more than the limit is ever read.
    """
    limits = limits or Limits.from_settings()
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, os.PathLike):
        try:
            check_size(os.stat(source).st_size, limits)
            with open(source, "rb") as file:
                data = file.read(limits.max_bytes + 1)
        except OSError as exc:
            raise ImportFileError(_("The file cannot be read: %(error)s.") % {"error": exc.strerror}) from exc
    else:
        size = getattr(source, "size", None)
        if isinstance(size, int):
            check_size(size, limits)
        data = source.read(limits.max_bytes + 1)
    check_size(len(data), limits)
    return data


def check_size(size: int, limits: Limits | None = None) -> None:
    """Refuse a file larger than IMPORT_MAX_BYTES (for a form that knows an upload's size before reading it)."""
    limits = limits or Limits.from_settings()
    if size > limits.max_bytes:
        raise ImportFileError(
            _("The file is larger than %(max)s MB, the most the import reads; split it into smaller files.")
            % {"max": megabytes(limits.max_bytes)}
        )


def read_table(
    source: Source,
    *,
    filename: str = "",
    fmt: str | None = None,
    encoding: str | None = None,
    limits: Limits | None = None,
) -> Table:
    """Read an uploaded or local file (CSV in any of our encodings and delimiters, or XLSX) into a Table.

    The one reader of every import (page, admin, command, background job): a file beyond the limits
    (IMPORT_* settings) is refused with an ImportFileError whose message says why, before it costs
    more memory than the limits allow.
    """
    limits = limits or Limits.from_settings()
    data = read_upload(source, limits=limits)
    if not data:
        raise ImportFileError(_("The file is empty."))
    fmt = detect_format(data, filename=filename, fmt=fmt)
    if fmt == "xlsx":
        return Table(parse_xlsx(data, limits=limits), fmt)
    text = decode_text(data, encoding=encoding)
    del data
    content = text.text.removeprefix("\ufeff")
    delimiter = sniff_delimiter(content) if content and not content.isspace() else ","
    return Table(parse_csv(content, delimiter=delimiter, limits=limits), fmt, text=text, delimiter=delimiter)


def read_dataset(
    data: Source, *, filename: str = "", fmt: str | None = None, encoding: str | None = None
) -> tablib.Dataset:
    """Read an uploaded or local file into a Dataset (read_table without how it was read)."""
    return read_table(data, filename=filename, fmt=fmt, encoding=encoding).dataset


# --- Writing --------------------------------------------------------------------------------


def typed_cells(fmt: str) -> bool:
    """Whether an export in this format writes numbers, dates and yes/no as typed cells (XLSX) or as text (CSV).

    The one rule for `manage.py export` and the admin's export: resources render native values when this
    is true (their force_native_type), and write_xlsx stores them as number, date and boolean cells.
    """
    return fmt == "xlsx"


def write_csv(dataset: tablib.Dataset, *, delimiter: str = ",") -> bytes:
    """CSV as UTF-8 with a BOM, so Excel shows accents right; every line ends in CRLF."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(dataset.headers or [])
    writer.writerows(dataset)
    return out.getvalue().encode("utf-8-sig")


def write_xlsx(dataset: tablib.Dataset, *, title: str = "") -> bytes:
    """An XLSX workbook with one sheet; text cells are stored as text, never as formulas."""
    return write_xlsx_sheets([(title or "Sheet1", list(dataset.headers or []), list(dataset))], escape=False)


def write_xlsx_sheets(
    sheets: list[tuple[str, list[Any], list[Any]]], *, header_row: int = 1, escape: bool = True
) -> bytes:
    """An XLSX workbook with one sheet per (title, headers, rows); text is stored as text, never as formulas.

    Titles are cut to Excel's 31 characters and made unique; `header_row` is the row shown in bold and
    frozen (rows above it, such as a table's title, scroll with the sheet). Text that a spreadsheet would
    read as a formula is escaped unless the caller escaped it already (`escape=False`).
    """

    def value(v: Any) -> Any:
        return _xlsx_value(escape_formula(v) if escape and isinstance(v, str) else v)

    book = openpyxl.Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for title, headers, rows in sheets:
        name = _sheet_name(title, used)
        sheet = book.create_sheet(name)
        for row in rows[: header_row - 1]:
            sheet.append([value(v) for v in row])
        sheet.append([value(v) for v in headers])
        for row in rows[header_row - 1 :]:
            sheet.append([value(v) for v in row])
        for cell in sheet[header_row]:
            cell.font = openpyxl.styles.Font(bold=True)
        sheet.freeze_panes = f"A{header_row + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
    name, number = base, 2
    while name.lower() in used:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    used.add(name.lower())
    return name


def _xlsx_value(value: Any) -> Any:
    """A value openpyxl accepts: local naive datetimes, text without control characters."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str):
        return _ILLEGAL_XLSX.sub("\N{REPLACEMENT CHARACTER}", value)
    return value


class CSVFormat(base_formats.CSV):
    """CSV for the admin's import and export: BOM-aware, delimiter sniffed, formulae escaped by the resource."""

    def create_dataset(self, in_stream: str | bytes, **kwargs: Any) -> tablib.Dataset:
        """Read an upload through read_table, as every import does, which finds its encoding.

        The admin hands over text it decoded in its from_encoding; encoding it back gives the file's bytes.
        """
        data = in_stream.encode(self.encoding or "utf-8") if isinstance(in_stream, str) else in_stream
        return read_table(data, fmt="csv").dataset

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> str:
        """Write CSV without the library's IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT pass (resources escape)."""
        return write_csv(dataset).decode("utf-8-sig")


class XLSXFormat(base_formats.XLSX):
    """XLSX for the admin: blank trailing rows ignored, numbers exported as numbers."""

    def create_dataset(self, in_stream: bytes, **kwargs: Any) -> tablib.Dataset:
        """Read the first sheet through read_table, as every import does."""
        return read_table(in_stream, fmt="xlsx").dataset

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        """Write the workbook without the library's escape pass, which turns every cell into text."""
        return write_xlsx(dataset)
