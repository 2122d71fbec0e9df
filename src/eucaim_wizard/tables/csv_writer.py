"""CSV writing for :mod:`eucaim_wizard.tables` (private).

Each column's distinct values are rendered once (quoted where needed) and the lines are
assembled with pyarrow compute in batches of rows: about twice as fast as :mod:`csv` on
millions of rows, and it quotes a lone CR, which :mod:`csv` does not (so a CR would come
back as a line end).  pyarrow's own ``write_csv`` cannot be used: its ``"needed"`` quoting
quotes every text value.
"""

from __future__ import annotations

import codecs
from typing import BinaryIO

import numpy as np

from ._packing import code_bits, group_of_rows, indices, pack, sort_rows
from .csv_format import is_utf8
from ..errors import TableError
from .model import Table, TableFormat

_BATCH_ROWS = 1 << 18
_BATCH_BYTES = 1 << 26
# Up to this many cells the lines are joined in plain Python: for small tables that is as
# fast, and creating pyarrow arrays would import pandas (about 0.2 s of a short CLI run).
_PYTHON_CELLS = 1 << 21


def write_csv(table: Table, out: BinaryIO, fmt: TableFormat) -> None:
    """Write ``table`` as CSV to the binary file ``out``."""
    import pyarrow as pa

    names = table.columns
    single = len(names) == 1
    _check_encodable(table, fmt.encoding)
    # A leading U+FEFF unquoted would be read back as a byte-order mark and dropped.
    header = fmt.delimiter.join(_quote(n, fmt, force=i == 0 and n.startswith("\ufeff"))
                                for i, n in enumerate(names)) + "\n"
    encode = _encoder(fmt.encoding)
    if codecs.lookup(fmt.encoding).name == "utf-8-sig":
        out.write(codecs.BOM_UTF8)
    out.write(encode(header.encode("utf-8")))
    if table.n_rows * len(names) <= _PYTHON_CELLS:
        codes = [table.codes(name) for name in names]
        # an anonymized table repeats its rows (a class's records are alike): each distinct row
        # is joined once
        distinct, line_of = _distinct_rows(codes, [len(table.categories(name)) for name in names])
        cells = []
        for name, column in zip(names, codes):
            rendered = np.array([_quote(v, fmt, force=single and v == "") for v in table.categories(name)] or [""],
                                dtype=object)
            cells.append(rendered[column if distinct is None else column[distinct]])
        lines = map(fmt.delimiter.join, zip(*cells)) if len(cells) > 1 else iter(cells[0])
        if distinct is not None:
            lines = np.array(list(lines), dtype=object)[line_of]
        body = "\n".join(lines)
        if table.n_rows:
            out.write(encode((body + "\n").encode("utf-8")))
        return
    rendered = [_render(table.categories(n), fmt, single) for n in names]
    row_bytes = sum(r.nbytes / max(len(r), 1) for r in rendered) + len(names)
    step = int(min(_BATCH_ROWS, max(1024, _BATCH_BYTES // row_bytes)))
    for start in range(0, table.n_rows, step):
        codes = [pa.array(table.codes(n)[start:start + step]) for n in names]
        out.write(encode(_render_rows(rendered, codes, fmt.delimiter)))


def _distinct_rows(codes: list[np.ndarray], radices: list[int]) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``(first record of each distinct row, distinct row of every record)`` when the rows
    repeat (at most half as many distinct rows as records) and their codes pack into an int64;
    else ``(None, None)``: rendering every line costs less than finding the repeats.
    (Sorted packed (:mod:`._packing`): np.unique would import numpy.ma at start-up.)"""
    n = len(codes[0]) if codes else 0
    if len(codes) < 2 or n < 2:
        return None, None
    bits = code_bits(radices)
    sample = np.sort(pack(codes, bits, slice(0, 4096)))  # (a table whose first rows do not repeat is not sorted)
    if 2 * (1 + np.count_nonzero(sample[1:] != sample[:-1])) > len(sample):
        return None, None
    rows = sort_rows(codes, bits)
    if rows is None or 2 * len(rows[1]) > n:
        return None, None
    packed, starts, index_bits = rows
    return indices(np.take(packed, starts), index_bits), group_of_rows(*rows)


def _render(categories: np.ndarray, fmt: TableFormat, single: bool):
    """Each distinct value as written in the file: quoted if it holds a special character."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.array(categories, type=pa.large_string())
    needs = pc.match_substring(values, fmt.delimiter)
    for special in (fmt.quotechar, "\r", "\n"):
        needs = pc.or_(needs, pc.match_substring(values, special))
    if single:  # an unquoted empty value would be a blank line
        needs = pc.or_(needs, pc.equal(values, ""))
    q, empty = pa.scalar(fmt.quotechar, pa.large_string()), pa.scalar("", pa.large_string())
    doubled = pc.replace_substring(values, fmt.quotechar, fmt.quotechar * 2)
    quoted = pc.binary_join_element_wise(q, doubled, q, empty)
    return pc.if_else(needs, quoted, values)


def _render_rows(rendered, codes, delimiter: str) -> memoryview:
    """The bytes of the rows whose codes are given, one ``\\n``-terminated line each."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def text(s: str):
        return pa.scalar(s, pa.large_string())

    cells = [values.take(c) for values, c in zip(rendered, codes)]
    lines = pc.binary_join_element_wise(*cells, text(delimiter)) if len(cells) > 1 else cells[0]
    lines = pc.binary_join_element_wise(lines, text("\n"), text(""))
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return memoryview(lines.buffers()[2])[first:last]


def _quote(value: str, fmt: TableFormat, force: bool = False) -> str:
    q = fmt.quotechar
    if force or any(c in value for c in (fmt.delimiter, q, "\r", "\n")):
        return q + value.replace(q, q + q) + q
    return value


def _encoder(encoding: str):
    if is_utf8(encoding):
        return lambda data: data
    # Incremental, so an encoding with a byte-order mark (UTF-16) writes it once, not per batch.
    encoder = codecs.getincrementalencoder(encoding)()
    return lambda data: encoder.encode(bytes(data).decode("utf-8"))


def _check_encodable(table: Table, encoding: str) -> None:
    if is_utf8(encoding):
        return
    for name in table.columns:
        for value in (name, *table.categories(name)):
            try:
                value.encode(encoding)
            except UnicodeEncodeError:
                raise TableError(f"Column {name!r} holds {value!r}, which cannot be written in "
                                 f"{encoding}. Write the file as UTF-8 (encoding: utf-8) instead."
                                 ) from None
