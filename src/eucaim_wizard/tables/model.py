"""The in-memory table: :class:`Table` (every cell as text, columns dictionary-encoded) and
:class:`TableFormat` (how a file is laid out), shared by the format modules and the reader."""

from __future__ import annotations

import codecs
import difflib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import TableError
from .common import KINDS, arrow_to_encoded, check_column_names, listing

if TYPE_CHECKING:
    import pandas


@dataclass(frozen=True)
class TableFormat:
    """How a table file is laid out.

    Parameters
    ----------
    kind : {"csv", "xlsx", "parquet"}
    delimiter : str
        CSV only: the field separator, one ASCII character (pyarrow's parser works on bytes).
    encoding : str
        CSV only: ``"utf-8"``, ``"utf-8-sig"`` (with byte-order mark), ``"cp1252"``, ...
    quotechar : str
        CSV only: the quote around values holding the delimiter, a quote or a line break.
    sheet : str or int or None
        XLSX only: sheet name or 0-based index; ``None`` is the first sheet.
    """

    kind: str
    delimiter: str = ","
    encoding: str = "utf-8"
    quotechar: str = '"'
    sheet: str | int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise TableError(f"Unknown table format {self.kind!r}: use one of csv, xlsx, parquet.")
        for what, char in (("delimiter", self.delimiter), ("quote character", self.quotechar)):
            if not (isinstance(char, str) and len(char) == 1 and char.isascii()) or char in "\r\n":
                raise TableError(f"The CSV {what} must be one ASCII character other than a line "
                                 f"break, not {char!r}.")
        if self.delimiter == self.quotechar:
            raise TableError(f"The CSV delimiter and quote character are both {self.delimiter!r}; "
                             "they must differ.")
        try:
            codecs.lookup(self.encoding)
        except (LookupError, TypeError):
            raise TableError(f"Unknown text encoding {self.encoding!r}: use e.g. utf-8, "
                             "utf-8-sig, cp1252 or latin-1.") from None
        if isinstance(self.sheet, bool) or (isinstance(self.sheet, int) and self.sheet < 0):
            raise TableError(f"A sheet is a name or a 0-based index, not {self.sheet!r}.")


class Table:
    """A table whose every cell is text, stored dictionary-encoded per column.

    Column ``name`` holds ``categories(name)[codes(name)]``: ``codes`` is an int32 array
    with one entry per row, ``categories`` an object array of the distinct values (Python
    ``str``, each exactly once).  Tables from :func:`read_table`, :meth:`from_columns` and
    :meth:`take` hold only values that occur; :meth:`from_encoded` keeps the categories it
    is given.  The arrays are read-only, so :meth:`select` and :meth:`take` can share them.

    Build tables with :func:`read_table`, :meth:`from_columns` or :meth:`from_encoded`.

    Attributes
    ----------
    path : Path or None
        The file the table was read from (``None`` if built in memory).
    format : TableFormat
        The resolved format, e.g. with the detected delimiter and encoding.
    notes : list of str
        What detection decided, e.g. ``"delimiter ';' detected"``.

    Examples
    --------
    >>> t = Table.from_columns({"sex": ["F", "M", "F"], "zip": ["007", "NA", ""]})
    >>> t.n_rows, t.columns
    (3, ['sex', 'zip'])
    >>> t.codes("sex").tolist(), sorted(t.categories("sex"))
    ([0, 1, 0], ['F', 'M'])
    >>> t.column("zip").tolist()
    ['007', 'NA', '']
    """

    def __init__(self, encoded: Mapping[str, tuple[np.ndarray, np.ndarray]], n_rows: int, *,
                 format: TableFormat | None = None, path: str | os.PathLike | None = None,
                 notes: Iterable[str] = ()) -> None:
        # Trusted constructor: the arrays are already int32 codes / unique str categories.
        self.path = Path(path) if path is not None else None
        self.format = format or TableFormat("csv")
        self.notes = list(notes)
        self.n_rows = int(n_rows)
        self._codes = {name: _read_only(codes) for name, (codes, _) in encoded.items()}
        self._categories = {name: _read_only(cats) for name, (_, cats) in encoded.items()}

    @property
    def columns(self) -> list[str]:
        """Column names in file order."""
        return list(self._codes)

    def codes(self, name: str) -> np.ndarray:
        """Per row, the int32 index of the row's value in ``categories(name)``."""
        return self._codes[self._known(name)]

    def categories(self, name: str) -> np.ndarray:
        """The distinct values of column ``name`` (object array of ``str``)."""
        return self._categories[self._known(name)]

    def column(self, name: str) -> np.ndarray:
        """The values of column ``name``, one ``str`` per row (object array)."""
        name = self._known(name)
        return self._categories[name][self._codes[name]]

    @classmethod
    def from_columns(cls, data: Mapping[str, Sequence[str]], *, format: TableFormat | None = None,
                     path: str | os.PathLike | None = None) -> Table:
        """Build a table from columns of strings (``""`` for an empty cell, never ``None``)."""
        import pyarrow as pa

        check_column_names(list(data), "the table built in memory")
        encoded, lengths = {}, set()
        for name, values in data.items():
            try:
                array = pa.array(values, type=pa.string())
            except (pa.ArrowTypeError, pa.ArrowInvalid):
                bad = next((v for v in values if not isinstance(v, str)), None)
                raise TableError(f"Column {name!r} holds {bad!r}, which is not text: every cell "
                                 "of a table is a str.") from None
            if array.null_count:
                row = array.is_null().to_numpy(zero_copy_only=False).argmax()
                raise TableError(f"Column {name!r} holds None in row {row}: write an empty cell "
                                 'as "".')
            encoded[name] = arrow_to_encoded(array.dictionary_encode())
            lengths.add(len(array))
        if len(lengths) > 1:
            sizes = ", ".join(f"{n!r}: {len(v)}" for n, v in data.items())
            raise TableError(f"The columns have different numbers of rows ({sizes}).")
        return cls(encoded, lengths.pop() if lengths else 0, format=format, path=path)

    @classmethod
    def from_encoded(cls, data: Mapping[str, tuple[np.ndarray, np.ndarray]], n_rows: int, *,
                     format: TableFormat | None = None,
                     path: str | os.PathLike | None = None) -> Table:
        """Build a table from ``(codes, categories)`` per column, checked but not copied."""
        check_column_names(list(data), "the table built in memory")
        encoded = {}
        for name, (codes, categories) in data.items():
            cats = np.asarray(categories, dtype=object)
            codes = np.asarray(codes)
            if cats.ndim != 1 or not all(isinstance(v, str) for v in cats):
                raise TableError(f"Column {name!r}: the categories must be a 1-d sequence of str.")
            if len(set(cats)) != len(cats):
                raise TableError(f"Column {name!r}: the categories repeat a value; each distinct "
                                 "value must appear once.")
            if codes.shape != (n_rows,) or codes.dtype.kind not in "iu":
                raise TableError(f"Column {name!r}: the codes must be {n_rows} integers, one per "
                                 f"row (got shape {codes.shape}, dtype {codes.dtype}).")
            if n_rows and (codes.min() < 0 or codes.max() >= len(cats)):
                raise TableError(f"Column {name!r}: a code is outside 0..{len(cats) - 1}, the "
                                 "range of its categories.")
            encoded[name] = (codes.astype(np.int32, copy=False), cats)
        return cls(encoded, n_rows, format=format, path=path)

    def select(self, names: Sequence[str]) -> Table:
        """The columns ``names``, in that order (shares the arrays)."""
        names = [self._known(name) for name in names]
        check_column_names(names, self._where())
        return Table({n: (self._codes[n], self._categories[n]) for n in names}, self.n_rows,
                     format=self.format, path=self.path, notes=self.notes)

    def take(self, rows: np.ndarray) -> Table:
        """The rows ``rows`` (integer positions, or a boolean mask of length ``n_rows``)."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            if rows.shape != (self.n_rows,):
                raise IndexError(f"a row mask needs {self.n_rows} entries, not {rows.shape}")
            rows = np.flatnonzero(rows)
        elif rows.dtype.kind not in "iu" and rows.size:
            raise IndexError(f"rows must be integer positions or a boolean mask, not {rows.dtype}")
        encoded = {}
        for name, codes in self._codes.items():
            picked, cats = codes[rows.astype(np.intp, copy=False)], self._categories[name]
            used = np.bincount(picked, minlength=len(cats)) > 0
            if not used.all():  # keep "each category occurs" true after a subset
                picked = (np.cumsum(used) - 1).astype(np.int32)[picked]
                cats = cats[used]
            encoded[name] = (picked, cats)
        return Table(encoded, len(rows), format=self.format, path=self.path, notes=self.notes)

    def to_pandas(self) -> pandas.DataFrame:
        """A pandas DataFrame with every column of dtype ``str``."""
        import pandas as pd

        return pd.DataFrame({name: pd.Series(self.column(name), dtype=str) for name in self._codes},
                            index=pd.RangeIndex(self.n_rows))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Table):
            return NotImplemented
        return (self.columns == other.columns and self.n_rows == other.n_rows
                and all(np.array_equal(self.column(n), other.column(n)) for n in self._codes))

    __hash__ = None  # type: ignore[assignment]  # equal tables can be encoded differently

    def __repr__(self) -> str:
        source = f" from {self.path}" if self.path else ""
        return f"<Table {self.n_rows} rows x {len(self._codes)} columns{source}>"

    def _where(self) -> str:
        return str(self.path) if self.path else "the table"

    def _known(self, name: str) -> str:
        if name in self._codes:
            return name
        near = difflib.get_close_matches(str(name), self._codes, n=1)
        hint = f" Did you mean {near[0]!r}?" if near else ""
        raise TableError(f"There is no column {name!r} in {self._where()}; its columns are "
                         f"{listing(self.columns)}.{hint}")


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view
