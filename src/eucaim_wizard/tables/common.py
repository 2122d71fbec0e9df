"""What every table format shares (private): file checks and column names (outputs: :mod:`.output`).

Nothing here imports pyarrow at module level, so :mod:`eucaim_wizard.tables` stays fast to
import.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import TableError

KINDS = ("csv", "xlsx", "parquet")
#: bounds on what a table may hold (a table of records, not of documents): columns (Excel's
#: limit too), characters of a column name, characters of one cell
MAX_COLUMNS = 16_384
MAX_NAME_CHARS = 1_024
MAX_CELL_CHARS = 1 << 20
SUFFIXES = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".tab": "csv",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".parquet": "parquet", ".pq": "parquet",
}


def kind_from_suffix(path: Path) -> str:
    """The table kind for ``path``'s suffix, or a TableError listing the supported ones."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise TableError(
            f"{path}: cannot tell the table format from the suffix {path.suffix or '(none)'!r}. "
            "Supported are .csv, .tsv, .txt, .tab (CSV), .xlsx, .xlsm (Excel) and .parquet, .pq "
            "(Parquet); or give the format explicitly (kind: csv, xlsx or parquet).")
    return kind


def special_file(path: str | os.PathLike) -> str | None:
    """What ``path`` is when it is neither a regular file nor missing (``"a folder"``, ``"a
    device"``, ``"a pipe"``, ``"a socket"``), else None.  A device such as ``/dev/zero`` never
    ends: reading it would hang, so every reader refuses what is not a regular file."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # (missing or unreadable: the reader says so)
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a regular file"


def existing_file(path: str | os.PathLike) -> Path:
    """``path`` as a Path, or a TableError if it is missing, a folder or a special file."""
    path = Path(path)
    kind = special_file(path)
    if kind == "a folder":
        raise TableError(f"{path} is a folder, not a table file; name the CSV, XLSX or Parquet "
                         "file inside it.")
    if kind is not None:
        raise TableError(f"{path} is {kind}, not a table file (reading it would never end); give the path "
                         f"of a CSV, XLSX or Parquet file.")
    try:
        os.stat(path)
    except OSError as error:
        import errno

        shown = str(path) if len(str(path)) <= 120 else f"{str(path)[:60]}…{str(path)[-40:]}"
        if error.errno == errno.ENAMETOOLONG:
            raise TableError(f"{shown}: the path is too long ({len(str(path)):,} characters; the system allows "
                             f"fewer). Check the name you gave.") from None
        if error.errno != errno.ENOENT:
            raise TableError(f"{shown} cannot be read ({error.strerror}). Check the path and its "
                             f"permissions.") from None
        raise TableError(f"{shown}: no such file (relative paths start from {Path.cwd()}). "
                         "Check the file name and folder.") from None
    return path


def check_column_names(names: Sequence[str], where: str | os.PathLike) -> None:
    """Raise a TableError for an empty, repeated or overlong column name in ``names``, or for
    more than :data:`MAX_COLUMNS` columns."""
    if len(names) > MAX_COLUMNS:
        raise TableError(f"{where} has {len(names):,} columns; at most {MAX_COLUMNS:,} are read (a spreadsheet's "
                         f"limit too). Check the delimiter, or keep only the columns to release.")
    for position, name in enumerate(names, 1):
        if not isinstance(name, str) or name == "":
            raise TableError(f"{where}: column {position} has no name (its header cell is "
                             "empty). Give every column a name in the header.")
        if len(name) > MAX_NAME_CHARS:
            raise TableError(f"{where}: the name of column {position} is {len(name):,} characters long (at most "
                             f"{MAX_NAME_CHARS:,}): the first line does not look like a header. Check that the "
                             f"file starts with the column names, one line.")
    repeated = [name for name, count in Counter(names).items() if count > 1]
    if repeated:
        which = "; ".join(
            f"{name!r} (columns {', '.join(str(i) for i, n in enumerate(names, 1) if n == name)})"
            for name in repeated)
        raise TableError(f"{where}: column names must be unique, but these repeat: {which}. "
                         "Rename the duplicates in the header.")


def check_cell_sizes(codes: np.ndarray, categories: np.ndarray, name: str, where: str | os.PathLike) -> None:
    """Raise a TableError when a cell of column ``name`` holds more than :data:`MAX_CELL_CHARS`
    characters, naming its row (1 = the first record) but not its content; linear in the
    column's distinct values and rows."""
    if not len(categories):
        return
    lengths = np.fromiter((len(v) for v in categories), dtype=np.int64, count=len(categories))
    longest = int(lengths.argmax())
    if lengths[longest] > MAX_CELL_CHARS:
        row = int(np.flatnonzero(codes == longest)[0]) + 1 if len(codes) else 0
        raise TableError(f"{where}: column {name!r}, record {row:,} holds {int(lengths[longest]):,} characters in "
                         f"one cell (at most {MAX_CELL_CHARS:,}): a table to release holds records, not documents. "
                         f"Remove that text (or the column) and read the table again.")


def listing(names: Sequence[str], limit: int = 20) -> str:
    """``'a', 'b', ...`` for a message, shortened past ``limit`` names."""
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def arrow_to_encoded(array) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, categories)`` of a pyarrow dictionary<string> (Chunked)Array without nulls."""
    import pyarrow as pa

    if isinstance(array, pa.ChunkedArray):
        # Each chunk has its own dictionary; unifying maps all chunks onto one (each value once).
        chunks = array.unify_dictionaries().chunks
    else:
        chunks = [array]
    if not chunks:
        return np.empty(0, np.int32), np.empty(0, object)
    # read through the buffers: pyarrow's to_numpy would import pandas (0.2 s of a CLI run)
    codes = np.concatenate([_integers(c.indices) for c in chunks]) if len(chunks) > 1 else _integers(chunks[0].indices)
    categories = np.empty(len(chunks[0].dictionary), dtype=object)
    categories[:] = chunks[0].dictionary.to_pylist()
    return codes.astype(np.int32, copy=False), categories


def _integers(array) -> np.ndarray:
    """The values of a pyarrow integer array without nulls, as numpy (a view where possible)."""
    dtype = np.dtype(str(array.type))
    if len(array) == 0:
        return np.empty(0, dtype)
    data = np.frombuffer(array.buffers()[1], dtype=dtype, count=array.offset + len(array))
    return data[array.offset:]


