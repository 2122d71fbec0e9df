"""Parquet reading and writing for :mod:`eucaim_wizard.tables` (private)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np

from .xlsx_format import cell_text
from ..errors import TableError
from .common import arrow_to_encoded, check_cell_sizes, check_column_names
from .model import Table, TableFormat


def read_parquet(path: Path):
    """Read ``path``: ``({name: (codes, categories)}, n_rows)``, every column as text.

    String columns are read dictionary-encoded and keep their text; other types become the
    text :func:`cell_text` gives (as for Excel cells); nulls become ``""``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        strings = [f.name for f in schema if pa.types.is_string(f.type)
                   or pa.types.is_large_string(f.type)]
        table = pq.read_table(path, read_dictionary=strings)
    except (pa.ArrowException, OSError) as exc:
        raise TableError(f"{path} cannot be read as a Parquet file ({exc}). Check that it is "
                         "Parquet, or give its real format (kind: csv or xlsx).") from None
    check_column_names(table.column_names, path)
    encoded = {}
    for name, column in zip(table.column_names, table.columns):
        try:
            encoded[name] = _as_text(column)
            check_cell_sizes(*encoded[name], name, path)
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            raise TableError(f"{path}: column {name!r} has type {column.type}, which cannot be "
                             "read as text. Store it as strings or numbers.") from None
    return encoded, table.num_rows


def _as_text(column) -> tuple[np.ndarray, np.ndarray]:
    import pyarrow as pa

    if not pa.types.is_dictionary(column.type):
        column = column.dictionary_encode()
    column = column.unify_dictionaries()
    value_type = column.type.value_type
    if not column.null_count and pa.types.is_string(value_type):
        return arrow_to_encoded(column)
    chunks = column.chunks
    dictionary = chunks[0].dictionary if chunks else pa.array([], value_type)
    null = len(dictionary)  # nulls get one more category, ""
    codes = np.concatenate([c.indices.fill_null(null).to_numpy(zero_copy_only=False)
                            for c in chunks]) if chunks else np.empty(0, np.int64)
    texts = [cell_text(v) for v in dictionary.to_pylist()] + [""]
    # Different values may give the same text (0.0 and -0.0, a null and ""): merge them.
    first: dict[str, int] = {}
    remap = np.array([first.setdefault(t, len(first)) for t in texts], dtype=np.int32)
    codes = remap[codes]
    used = np.bincount(codes, minlength=len(first)) > 0
    categories = np.array(list(first), dtype=object)
    if not used.all():
        codes = (np.cumsum(used) - 1).astype(np.int32)[codes]
        categories = categories[used]
    return codes.astype(np.int32, copy=False), categories


def write_parquet(table: Table, out: BinaryIO, fmt: TableFormat) -> None:
    """Write ``table`` with one string column per column to the binary file ``out``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {name: pa.array(table.categories(name), pa.string()).take(pa.array(table.codes(name)))
               for name in table.columns}
    pq.write_table(pa.table(columns), out)
