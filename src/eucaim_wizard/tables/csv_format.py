"""CSV reading for :mod:`eucaim_wizard.tables` (private).

It sniffs a sample with the standard :mod:`csv` module -- encoding, delimiter, header --
and then parses the whole file with pyarrow's multi-threaded CSV reader straight into
dictionary-encoded text columns.  When pyarrow rejects a file, the file is re-scanned with
:mod:`csv` to name the offending line: pyarrow's messages name neither file nor line.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import TableError
from .common import MAX_COLUMNS, arrow_to_encoded, check_cell_sizes, check_column_names
from .model import TableFormat

SAMPLE_BYTES = 1 << 16
#: the header line may take this much; the sample (the header and the first records) at most
#: ``MAX_SAMPLE_BYTES``: a first record longer than that is left out of the sample
MAX_HEADER_BYTES = 1 << 20
#: one record (line) of the data at most: pyarrow's block, which no record may straddle
MAX_RECORD_BYTES = 1 << 20
MAX_SAMPLE_BYTES = 1 << 24
SAMPLE_RECORDS = 50
CANDIDATES = (";", ",", "\t", "|")
CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


@dataclass(frozen=True)
class Sniffed:
    """What the sample of a CSV file says about the whole file."""

    format: TableFormat
    notes: list[str]
    bom: int             # bytes of UTF-8 byte-order mark to skip
    header: list[str]
    header_only: bool    # the whole file is the header (plus blank lines): 0 rows


def sniff(path: Path, *, delimiter: str | None = None, encoding: str | None = None,
          quotechar: str | None = None) -> Sniffed:
    """Detect encoding and delimiter from the start of ``path``; check its header."""
    given = dict(delimiter=delimiter, encoding=encoding, quotechar=quotechar)
    TableFormat("csv", **{k: v for k, v in given.items() if v is not None})  # validates them
    head, complete = _head(path)
    if not head.strip(b" \t\r\n" + codecs.BOM_UTF8):
        raise TableError(f"{path} is empty: there is no header line. Export the table again "
                         "with the column names in its first line.")
    notes = []
    bom = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    if encoding is None:
        encoding, why = _detect_encoding(path, head, bom, complete)
        notes.append(f"encoding {encoding}{why}")
    elif not is_utf8(encoding):
        bom = 0  # in a code-page file these bytes are characters, not a marker
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(head[bom:], final=complete)
    except UnicodeError:  # (UTF-16 without a byte-order mark raises a plain UnicodeError)
        raise _undecodable(path, encoding) from None
    quotechar = quotechar or '"'
    default = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    sample = {d: _records(text, d, quotechar, complete)
              for d in dict.fromkeys((*CANDIDATES, delimiter or default)) if d != quotechar}
    if delimiter is None:
        delimiter = _choose_delimiter(sample, default if default != quotechar else ";")
        notes.append(f"delimiter {_show(delimiter)} detected")
    records = sample[delimiter]
    header = records[0]
    if len(header) == 1:
        _refuse_wrong_delimiter(path, delimiter, sample)
    check_column_names(header, path)
    fmt = TableFormat("csv", delimiter, encoding, quotechar)
    return Sniffed(fmt, notes, bom, header, complete and len(records) == 1)


def read_csv(path: Path, *, delimiter: str | None = None, encoding: str | None = None,
             quotechar: str | None = None):
    """Read ``path``; return ``(format, notes, {name: (codes, categories)}, n_rows)``."""
    sniffed = sniff(path, delimiter=delimiter, encoding=encoding, quotechar=quotechar)
    if sniffed.header_only:
        empty = (np.empty(0, np.int32), np.empty(0, object))
        return sniffed.format, sniffed.notes, {name: empty for name in sniffed.header}, 0
    try:
        return (sniffed.format, sniffed.notes, *_read_all(path, sniffed))
    except _NotUtf8:
        if encoding is not None:
            raise _undecodable(path, encoding) from None
    # The sample was UTF-8 but a later line is not: the file is in a code page after all.
    fallback, why = _fallback_encoding(path)
    sniffed = sniff(path, delimiter=sniffed.format.delimiter, encoding=fallback,
                    quotechar=quotechar)
    notes = [f"encoding {fallback}{why}"]
    if delimiter is None:
        notes.append(f"delimiter {_show(sniffed.format.delimiter)} detected")
    return (sniffed.format, notes, *_read_all(path, sniffed))


class _NotUtf8(Exception):
    """A value read as UTF-8 is not valid UTF-8."""


def _read_all(path: Path, sniffed: Sniffed):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    fmt = sniffed.format
    utf8 = is_utf8(fmt.encoding)
    text = pa.dictionary(pa.int32(), pa.string())
    buffer = pa.memory_map(str(path)).read_buffer()
    end = _content_end(buffer, fmt.encoding)
    source = pa.BufferReader(buffer.slice(sniffed.bom, end - sniffed.bom))
    options = dict(
        read_options=pacsv.ReadOptions(encoding="utf8" if utf8 else fmt.encoding, block_size=MAX_RECORD_BYTES),
        # Quoted line breaks parse correctly only with newlines_in_values; measured no slower.
        # Blank lines stay rows of empty cells: a one-column table may have empty values.
        parse_options=pacsv.ParseOptions(delimiter=fmt.delimiter, quote_char=fmt.quotechar,
                                         newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types={name: text for name in sniffed.header}, null_values=[],
            strings_can_be_null=False, quoted_strings_can_be_null=False,
            check_utf8=False),  # checked below on the distinct values only, far cheaper
    )
    try:
        table = pacsv.read_csv(source, **options)
    except pa.ArrowInvalid as exc:
        raise _parse_error(path, sniffed, exc) from None
    except UnicodeError:
        raise _undecodable(path, fmt.encoding) from None
    if table.column_names != sniffed.header or any(t != text for t in table.schema.types):
        raise TableError(f"{path}: the header line could not be read consistently (found "
                         f"columns {table.column_names[:10]}). Check its quoting.")
    del buffer, source
    n_rows = table.num_rows
    encoded = {}
    for name in sniffed.header:
        # each column is released as soon as it is converted: at 10 million rows the arrow
        # table and its numpy copy would otherwise both be held
        column = table.column(0).unify_dictionaries()
        table = table.remove_column(0)
        if utf8 and column.num_chunks:
            try:
                column.chunk(0).dictionary.validate(full=True)
            except pa.ArrowInvalid:
                raise _NotUtf8() from None
        codes, categories = arrow_to_encoded(column)
        del column
        check_cell_sizes(codes, categories, name, path)
        encoded[name] = (codes.copy() if codes.base is not None else codes, categories)
    del table
    pa.default_memory_pool().release_unused()
    # A quote that is never closed makes the rest of the file one value, and pyarrow accepts
    # that; only then does the last row hold a line break, so only then re-scan.
    if n_rows and any(_has_line_break(cats[codes[-1]]) for codes, cats in encoded.values()):
        unclosed = _unclosed_quote(path, sniffed)
        if unclosed:
            raise unclosed
    return encoded, n_rows


# --- sniffing ------------------------------------------------------------------------------

def _head(path: Path) -> tuple[bytes, bool]:
    """The first 64 KiB of ``path``, more if needed to hold two lines (at most
    :data:`MAX_SAMPLE_BYTES`: a longer first record is cut, and left out of the sample);
    whether that is all.  Linear in what is read: each block is searched once.

    Raises
    ------
    TableError
        When the first line (the header) is longer than :data:`MAX_HEADER_BYTES`.
    """
    blocks: list[bytes] = []
    size = newlines = 0
    complete = False
    with open(path, "rb") as f:
        while newlines < 2 and size < MAX_SAMPLE_BYTES:
            block = f.read(max(SAMPLE_BYTES, size))  # (growing blocks: few reads)
            if not block:
                complete = True
                break
            if newlines == 0:
                first = block.find(b"\n")
                if (size + first if first >= 0 else size + len(block)) > MAX_HEADER_BYTES:
                    raise TableError(
                        f"{path}: the first line is longer than {MAX_HEADER_BYTES >> 20} MiB without a line break: "
                        f"it is not a header line (a table's column names, at most {MAX_COLUMNS:,} of them). "
                        f"Check that this is a CSV/TSV table, with its column names in the first line.")
            blocks.append(block)
            size += len(block)
            newlines += block.count(b"\n")
        if not complete:
            complete = not f.read(1)
    return b"".join(blocks), complete


def is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")


def _detect_encoding(path: Path, head: bytes, bom: int, complete: bool) -> tuple[str, str]:
    if bom:
        return "utf-8-sig", " (byte-order mark)"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
    except UnicodeDecodeError:
        return _fallback_encoding(path)
    return "utf-8", ""


def _fallback_encoding(path: Path) -> tuple[str, str]:
    """CP1252 (what Excel on Windows writes) unless a byte undefined in CP1252 occurs."""
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 24), b""):
            if any(byte in block for byte in CP1252_UNDEFINED):
                return "latin-1", " (neither UTF-8 nor CP1252)"
    return "cp1252", " (not valid UTF-8)"


def _records(text: str, delimiter: str, quotechar: str, complete: bool) -> list[list[str]]:
    """The first non-blank records of ``text``, leaving out one the sample may cut short."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quotechar)
    records: list[list[str]] = []
    try:
        for record in reader:
            if len(records) == SAMPLE_RECORDS:
                return records
            if record:
                records.append(record)
    except csv.Error:
        pass
    if not complete and len(records) > 1:
        records.pop()
    return records or [[""]]


def _choose_delimiter(sample: dict[str, list[list[str]]], default: str) -> str:
    best, best_key = default, None
    for delimiter in (d for d in CANDIDATES if d in sample):  # ties: earlier candidate
        counts = [len(r) for r in sample[delimiter]]
        if counts[0] < 2:
            continue
        agree = sum(c == counts[0] for c in counts) / len(counts)
        # Mostly consistent beats inconsistent; then more columns (a ',' inside values of a
        # ';' file splits fewer fields); a ragged line or two must not lose the right one.
        key = (agree >= 0.8, counts[0], agree)
        if best_key is None or key > best_key:
            best, best_key = delimiter, key
    return best


def _refuse_wrong_delimiter(path: Path, delimiter: str, sample) -> None:
    for other in (d for d in CANDIDATES if d in sample):
        counts = [len(r) for r in sample[other]]
        if other != delimiter and counts[0] > 1 and all(c == counts[0] for c in counts):
            raise TableError(
                f"{path}: with the delimiter {_show(delimiter)} the header is one single column, "
                f"but with {_show(other)} it splits into {counts[0]} columns "
                f"({', '.join(repr(n) for n in sample[other][0][:5])}"
                f"{', ...' if counts[0] > 5 else ''}). Pass --delimiter {_arg(other)} (in the "
                f"project file: format: {{delimiter: {_arg(other)}}}).")


def _show(delimiter: str) -> str:
    return "tab ('\\t')" if delimiter == "\t" else repr(delimiter)


def _arg(delimiter: str) -> str:
    return "'\\t'" if delimiter == "\t" else f"'{delimiter}'"


def _content_end(buffer, encoding: str) -> int:
    """Where the data ends: trailing line breaks go, so trailing blank lines add no rows."""
    end = len(buffer)
    if "\n".encode(encoding) != b"\n":  # not ASCII-compatible (e.g. UTF-16): leave as is
        return end
    while end:
        tail = buffer.slice(max(0, end - 4096), min(end, 4096)).to_pybytes()
        kept = len(tail.rstrip(b"\r\n"))
        end -= len(tail) - kept
        if kept:
            break
    return end


# --- locating errors -----------------------------------------------------------------------

def _located_records(path: Path, sniffed: Sniffed, strict: bool = False):
    """Yield ``(first line, last line, record)`` for each record, parsed by :mod:`csv`."""
    fmt = sniffed.format
    encoding = "utf-8-sig" if sniffed.bom else fmt.encoding
    with open(path, encoding=encoding, errors="replace", newline="") as f:
        reader = csv.reader(f, delimiter=fmt.delimiter, quotechar=fmt.quotechar, strict=strict)
        last = 0
        for record in reader:
            yield last + 1, reader.line_num, record
            last = reader.line_num


def _parse_error(path: Path, sniffed: Sniffed, exc: Exception) -> TableError:
    fmt, width = sniffed.format, len(sniffed.header)
    if "straddl" in str(exc):  # a record longer than a block of the parser
        line = _long_line(path)
        return TableError(f"{path}: line {line:,} holds a record longer than {MAX_RECORD_BYTES >> 20} MiB (at most "
                          f"that much is read as one record: a table to release holds records, not documents). "
                          f"Remove the long text from that line, or check for a quote that is never closed.")
    last = 0
    try:
        for first, last, record in _located_records(path, sniffed):
            if record and len(record) != width:  # pyarrow reads a blank line as empty cells
                span = (f" (the record runs to line {last}: a quote opens a value that spans "
                        "lines)") if last > first else ""
                fields = f"{len(record)} field{'s' if len(record) != 1 else ''}"
                return TableError(
                    f"{path}: line {first} has {fields}, but the header (line 1) has "
                    f"{width}{span}. Look on that line for a missing or extra "
                    f"{_show(fmt.delimiter)}, or for a value holding {_show(fmt.delimiter)} that "
                    f"is not enclosed in quotes ({fmt.quotechar}); fix it and read the file "
                    "again.")
    except csv.Error:
        pass
    return TableError(f"{path} cannot be read as CSV with delimiter {_show(fmt.delimiter)} and "
                      f"quote {fmt.quotechar!r} (near line {last + 1}; the parser says: {exc}). "
                      "Check that every quoted value is closed and that the delimiter is right.")


def _long_line(path: Path) -> int:
    """The number of the first line longer than :data:`MAX_RECORD_BYTES` (1 when none):
    one pass over the file in blocks, whatever the length of its lines."""
    line, run = 1, 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            start = 0
            while True:
                end = block.find(b"\n", start)
                if run + ((end if end >= 0 else len(block)) - start) > MAX_RECORD_BYTES:
                    return line
                if end < 0:
                    run += len(block) - start
                    break
                line, run, start = line + 1, 0, end + 1
    return 1


def _unclosed_quote(path: Path, sniffed: Sniffed) -> TableError | None:
    last = 0
    try:
        for _, last, _ in _located_records(path, sniffed, strict=True):
            pass
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            q = sniffed.format.quotechar
            return TableError(
                f"{path}: the quote ({q}) opened on line {last + 1} is never closed, so "
                f"everything from there to the end of the file would be one value. Close the "
                f"quote, or double it ({q}{q}) if it is part of the value, and read the file "
                "again.")
    return None


def _has_line_break(value: str) -> bool:
    return "\n" in value or "\r" in value


def _undecodable(path: Path, encoding: str) -> TableError:
    """Name the first byte of ``path`` that ``encoding`` cannot decode, and what to pass."""
    offset = 0
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            try:
                raw.decode(encoding)
            except UnicodeError as exc:
                if not isinstance(exc, UnicodeDecodeError):  # (no position: UTF-16 without a byte-order mark)
                    break
                column = len(raw[:exc.start].decode(encoding, "replace")) + 1
                others = [e for e in ("utf-8", "cp1252", "latin-1")
                          if codecs.lookup(e).name != codecs.lookup(encoding).name
                          and _decodes(raw, e)]
                return TableError(
                    f"{path}: byte 0x{raw[exc.start]:02X} at line {number}, column {column} "
                    f"(byte offset {offset + exc.start}) is not valid {encoding}. The file is "
                    f"saved in another encoding: pass encoding: {others[0]} (or --encoding "
                    f"{others[0]}), or save the file again as UTF-8.")
            offset += len(raw)
    return TableError(f"{path} is not valid {encoding}; pass the encoding it is saved in "
                      "(e.g. encoding: cp1252), or save it again as UTF-8.")


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeError:
        return False
    return True
