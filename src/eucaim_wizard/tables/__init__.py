"""Data tables: read and write CSV, XLSX and Parquet, every cell as text.

A curator's table arrives as a CSV export (any delimiter, UTF-8 or a Windows code page), an
Excel workbook or a Parquet file.  :func:`read_table` turns each into a :class:`Table` whose
every cell is the text as written -- ``007`` stays ``007``, ``NA`` stays ``NA``, nothing is
stripped -- because generalization hierarchies match cell text exactly.  Columns are stored
dictionary-encoded (int32 codes into the distinct values), which keeps a 10-million-row table
small and is the form the engine encodes from.

pandas and pyarrow are imported inside the functions that need them: importing this module,
and so starting the CLI, stays fast.  :mod:`.model` holds :class:`Table` and
:class:`TableFormat`; the format-specific code lives in :mod:`.csv_format` (reading),
:mod:`.csv_writer`, :mod:`.xlsx_format` and :mod:`.parquet_format`; :mod:`.common` holds what
they share (file and name checks) and :mod:`.output` the one writer of every output file
(atomic, never over an input).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import TableError
from .common import existing_file, kind_from_suffix
from .model import Table, TableFormat
from .output import atomic_output

__all__ = ["Table", "TableFormat", "detect_format", "read_table", "write_table"]


def detect_format(path: str | os.PathLike) -> TableFormat:
    """The format of ``path``: its kind from the suffix, and for CSV the sniffed layout.

    The delimiter is chosen among ``;`` ``,`` tab ``|`` as the one giving a consistent number
    (more than one) of fields over the first lines, quote-aware; the encoding is UTF-8
    (``utf-8-sig`` with a byte-order mark), else CP1252, else Latin-1.
    """
    path = existing_file(path)
    kind = kind_from_suffix(path)
    if kind != "csv":
        return TableFormat(kind)
    from . import csv_format

    return csv_format.sniff(path).format


def read_table(path: str | os.PathLike, *, kind: str | None = None, delimiter: str | None = None,
               encoding: str | None = None, quotechar: str | None = None,
               sheet: str | int | None = None) -> Table:
    """Read a CSV, XLSX or Parquet file into a :class:`Table` of text cells.

    Parameters
    ----------
    path : path-like
    kind : {"csv", "xlsx", "parquet"}, optional
        Overrides the kind given by the suffix.
    delimiter, encoding, quotechar : str, optional
        CSV only; each overrides what detection would choose.
    sheet : str or int, optional
        XLSX only: the sheet name or 0-based index (default: the first sheet).

    Raises
    ------
    TableError
        With one paragraph naming the file, the line/column/value at fault and the fix.
    """
    path = existing_file(path)
    kind = kind or kind_from_suffix(path)
    if kind == "csv":
        from . import csv_format

        fmt, notes, encoded, n_rows = csv_format.read_csv(
            path, delimiter=delimiter, encoding=encoding, quotechar=quotechar)
        return Table(encoded, n_rows, format=fmt, path=path, notes=notes)
    if kind == "xlsx":
        from . import xlsx_format

        fmt, notes, data = xlsx_format.read_xlsx(path, sheet)
        table = Table.from_columns(data, format=fmt, path=path)
        table.notes = notes
        return table
    if kind == "parquet":
        from . import parquet_format

        encoded, n_rows = parquet_format.read_parquet(path)
        return Table(encoded, n_rows, format=TableFormat("parquet"), path=path)
    raise TableError(f"Unknown table format {kind!r} for {path}: use one of csv, xlsx, parquet.")


def write_table(table: Table, path: str | os.PathLike, format: TableFormat | None = None, *,
                protect: Iterable[str | os.PathLike] = (),
                verify: Callable[[Path], None] | None = None) -> None:
    """Write ``table`` to ``path`` atomically, never over an input.

    The file is written to a temporary file in the same folder and renamed over ``path``
    only when complete, so a failure leaves no half-written output.  CSV is written with
    the format's delimiter and quote, quoting only values that hold the delimiter, the
    quote, CR or LF; ``\\n`` line ends; UTF-8 unless ``format.encoding`` says otherwise.

    Parameters
    ----------
    table : Table
    path : path-like
    format : TableFormat, optional
        Default: the kind from the suffix; for CSV the table's own delimiter (tab for
        ``.tsv``/``.tab``), UTF-8.
    protect : iterable of path-like
        Inputs that must not be overwritten, besides ``table.path``.
    verify : callable, optional
        Called with the path of the complete temporary file before it replaces ``path``
        (e.g. an independent re-check of an anonymized output); if it raises, nothing is
        written and the exception propagates.

    Raises
    ------
    TableError
        If ``path`` is an input, its folder does not exist, or the table cannot be
        written in that format (e.g. a control character in XLSX).
    """
    path = Path(path)
    fmt = format or _output_format(table, path)
    if not table.columns:
        raise TableError(f"Cannot write {path}: the table has no columns.")
    writer = _writer(fmt.kind)
    with atomic_output(path, inputs=[table.path, *protect], verify=verify) as out:
        writer(table, out, fmt)


def _output_format(table: Table, path: Path) -> TableFormat:
    kind = kind_from_suffix(path)
    if kind != "csv":
        return TableFormat(kind)
    if path.suffix.lower() in (".tsv", ".tab"):
        return TableFormat("csv", delimiter="\t")
    own = table.format
    return TableFormat("csv", delimiter=own.delimiter if own.kind == "csv" else ",",
                       quotechar=own.quotechar if own.kind == "csv" else '"')


def _writer(kind: str):
    if kind == "csv":
        from .csv_writer import write_csv
        return write_csv
    if kind == "xlsx":
        from .xlsx_format import write_xlsx
        return write_xlsx
    from .parquet_format import write_parquet
    return write_parquet
