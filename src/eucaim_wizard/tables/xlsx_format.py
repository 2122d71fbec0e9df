"""Excel (XLSX) reading and writing for :mod:`eucaim_wizard.tables` (private).

Cells become text "as written" by :func:`cell_text`, the one rule for typed cells that
Parquet columns follow too.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from pathlib import Path
from typing import BinaryIO

from ..errors import TableError
from .common import check_column_names
from .model import Table, TableFormat

MAX_ROWS = 1_048_576      # Excel's limits per sheet
MAX_COLUMNS = 16_384
MAX_CELL_CHARS = 32_767
# Characters XML 1.0 cannot hold (openpyxl checks only the C0 controls and then writes a
# workbook that no one can open).
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def cell_text(value: object) -> str:
    """A typed cell value as the text a curator sees in the cell.

    ``None`` is ``""``; integers and integral floats have no decimal point (``45``, not
    ``45.0``); other floats are the shortest repr; booleans ``TRUE``/``FALSE`` as Excel shows
    them; dates ISO ``YYYY-MM-DD``, date-times ``YYYY-MM-DDTHH:MM:SS`` unless midnight.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(timespec="seconds" if not value.microsecond else "auto")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, decimal.Decimal):
        return str(value)
    return str(value)


#: a workbook's parts may inflate to this much in all (an Excel sheet at its limits, text
#: cells, takes a few hundred MB), and a part past ``_BOMB_FLOOR`` to at most ``_MAX_RATIO``
#: times its compressed size (XML compresses 5-20:1; a zip bomb 1,000:1)
MAX_INFLATED = 2 << 30
_MAX_RATIO, _BOMB_FLOOR = 100, 64 << 20
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _check_inflation(path: Path) -> None:
    """Refuse a workbook whose parts would inflate past :data:`MAX_INFLATED`, or one part
    past :data:`_MAX_RATIO` times its compressed size: read from the zip's directory before
    anything is inflated (Python's zip reader stops at the sizes declared there)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return  # (openpyxl says it is not a workbook)
    for info in parts:
        if info.file_size > _BOMB_FLOOR and info.file_size > _MAX_RATIO * max(info.compress_size, 1):
            raise TableError(f"{path}: the part {info.filename} inflates to {info.file_size >> 20:,} MB from "
                             f"{info.compress_size:,} compressed bytes, which no spreadsheet holds; it is refused as "
                             f"a zip bomb. Export the sheet as CSV from the program that made it.")
    total = sum(info.file_size for info in parts)
    if total > MAX_INFLATED:
        raise TableError(f"{path}: the workbook inflates to {total >> 20:,} MB, more than the {MAX_INFLATED >> 20:,} MB "
                         f"read from a workbook. Export the sheet as CSV (read in blocks, with no such bound).")


def _uncached_formulas(path: Path, part: str) -> list[str]:
    """The cells of the sheet ``part`` that hold a formula without a saved value (a workbook
    written by a program that does not compute formulas): read as values, they would be
    empty.  One pass over the part, and a second, parsing it, only when it holds formulas;
    a damaged sheet gives none here (openpyxl says what is wrong in its own message)."""
    import zipfile
    from xml.etree.ElementTree import ParseError, iterparse

    part = part.lstrip("/")
    try:
        with zipfile.ZipFile(path) as archive:
            if not _holds_formulas(archive, part):
                return []
            cells = []
            with archive.open(part) as stream:
                for _, element in iterparse(stream):
                    if element.tag == _MAIN + "c":
                        value = element.find(_MAIN + "v")
                        if element.find(_MAIN + "f") is not None and (value is None or not value.text):
                            cells.append(element.get("r") or "?")
                        element.clear()
            return cells
    except (ParseError, KeyError, zipfile.BadZipFile, OSError):
        return []


def _holds_formulas(archive, part: str) -> bool:
    """Whether the sheet ``part`` has a formula element, read in blocks of 1 MiB."""
    tail = b""
    with archive.open(part) as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            if b"<f>" in tail + block or b"<f " in tail + block:
                return True
            tail = block[-2:]
    return False


def read_xlsx(path: Path, sheet: str | int | None):
    """Read one sheet: ``(format, notes, {name: [text, ...]})``; row 1 is the header.

    Raises
    ------
    TableError
        Besides what is not a workbook: a workbook that inflates past its bounds
        (:func:`_check_inflation`), and formula cells without a saved value, named.
    """
    import openpyxl

    _check_inflation(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors alike mean "not a workbook"
        raise TableError(f"{path} cannot be opened as an Excel workbook ({exc}). Save it again "
                         "as .xlsx from Excel, or export the sheet as CSV.") from None
    try:
        names = book.sheetnames
        name = _sheet_name(path, names, sheet)
        unsaved = _uncached_formulas(path, book[name]._worksheet_path)
        if unsaved:
            shown = ", ".join(unsaved[:8]) + (", …" if len(unsaved) > 8 else "")
            raise TableError(f"{path}, sheet {name!r}: {len(unsaved):,} cell(s) hold formulas without a saved value "
                             f"({shown}): the program that wrote the file did not compute them, and they would be "
                             f"read as empty. Open the file in Excel or LibreOffice and save it (which computes "
                             f"them), or export the sheet as CSV.")
        rows = book[name].iter_rows(values_only=True)
        header = [cell_text(v) for v in next(rows, ())]
        while header and header[-1] == "":  # formatted but empty cells right of the table
            header.pop()
        if not header:
            raise TableError(f"{path}, sheet {name!r}: the first row is empty. Put the column "
                             "names in row 1.")
        check_column_names(header, f"{path}, sheet {name!r}")
        columns: list[list[str]] = [[] for _ in header]
        blank_run = 0  # empty rows are kept only when a non-empty row follows them
        for number, row in enumerate(rows, 2):
            if all(v is None for v in row):
                blank_run += 1
                continue
            for column in columns:
                column.extend([""] * blank_run)
            blank_run = 0
            for j, value in enumerate(row):
                if j < len(header):
                    columns[j].append(cell_text(value))
                elif value is not None:
                    from openpyxl.utils import get_column_letter

                    raise TableError(
                        f"{path}, sheet {name!r}: cell {get_column_letter(j + 1)}{number} holds "
                        f"a value but its column has no name in row 1. Name the column or "
                        "delete the stray value.")
            for column in columns[len(row):]:
                column.append("")
    except TableError:
        raise
    except Exception as exc:  # (a sheet whose XML is cut or damaged: openpyxl fails while reading it)
        raise TableError(f"{path}: a sheet of the workbook cannot be read ({type(exc).__name__}: {exc}); the file is "
                         f"damaged. Save it again as .xlsx from Excel, or export the sheet as CSV.") from None
    finally:
        book.close()
    index = names.index(name)
    notes = [f"sheet {name!r} (sheet {index + 1} of {len(names)})"]
    return TableFormat("xlsx", sheet=name), notes, dict(zip(header, columns))


def _sheet_name(path: Path, names: list[str], sheet: str | int | None) -> str:
    if sheet is None:
        return names[0]
    if isinstance(sheet, int) and not isinstance(sheet, bool) and 0 <= sheet < len(names):
        return names[sheet]
    if isinstance(sheet, str) and sheet in names:
        return sheet
    listing = ", ".join(f"{i}: {n!r}" for i, n in enumerate(names))
    raise TableError(f"{path} has no sheet {sheet!r}. Its sheets are (0-based index: name) "
                     f"{listing}; pass one of these as sheet.")


#: the time written into every XLSX file (zip entries and document properties): no clock
#: time, so that the same table always gives the same bytes
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def write_xlsx(table: Table, out: BinaryIO, fmt: TableFormat) -> None:
    """Write ``table`` as one sheet of text cells to the binary file ``out``.

    The bytes depend only on the table (and the zlib version): openpyxl's time stamps, in the
    zip entries and ``docProps/core.xml``, are replaced by :data:`FIXED_TIME`.
    """
    import datetime
    import io
    import re
    import zipfile

    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    if table.n_rows + 1 > MAX_ROWS or len(table.columns) > MAX_COLUMNS:
        raise TableError(f"The table has {table.n_rows} rows and {len(table.columns)} columns; "
                         f"an Excel sheet holds at most {MAX_ROWS - 1} rows below the header and "
                         f"{MAX_COLUMNS} columns. Write CSV or Parquet instead.")
    # Check before writing: openpyxl fails in the middle of a row and leaves a broken sheet.
    for name in table.columns:
        for value in (name, *table.categories(name)):
            if NOT_IN_XML.search(value) or len(value) > MAX_CELL_CHARS:
                raise TableError(
                    f"Column {name!r} holds {value[:40]!r}, which an Excel cell cannot hold "
                    f"(control characters, U+FFFE, U+FFFF, or more than {MAX_CELL_CHARS}"
                    " characters). Write "
                    "CSV or Parquet instead.")
    book = openpyxl.Workbook(write_only=True)
    book.properties.created = book.properties.modified = datetime.datetime(*FIXED_TIME)
    sheet = book.create_sheet(fmt.sheet if isinstance(fmt.sheet, str) else "Sheet1")

    def cell(value: str):
        # openpyxl would store "=..." as a formula and "#N/A" as an error; keep them text.
        if value.startswith("=") or value in ERROR_CODES:
            text = WriteOnlyCell(sheet, value=value)
            text.data_type = "s"
            return text
        return value

    sheet.append([cell(n) for n in table.columns])
    values = [table.column(n) for n in table.columns]
    for row in zip(*values):
        sheet.append([cell(v) for v in row])
    raw = io.BytesIO()
    book.save(raw)
    stamp = datetime.datetime(*FIXED_TIME).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", lambda m: m.group(1) + stamp, data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, data)
