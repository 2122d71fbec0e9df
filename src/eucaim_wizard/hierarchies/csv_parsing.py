"""Splitting ARX hierarchy CSV text into rows of cells: quote-aware records (blank lines
skipped, each with its first line number), and the delimiter and header row detected.

The text-level half of :func:`.hierarchy.parse_hierarchy_text` (whose docstring states the
delimiter and header rules).  Apart from :mod:`.hierarchy` because these helpers see only text
and lists of cells, never a :class:`~.hierarchy.Hierarchy`; :mod:`.hierarchy` imports them
(and ``_DELIMITERS``, which its writer quotes).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

from ..errors import HierarchyError

_DELIMITERS = (";", ",", "\t", "|")  # ';' first: ARX's default wins ties (e.g. "29;[20,30[;*")
_TITLE_WORDS = {
    "level", "interval", "group", "category", "country", "continent", "region", "model",
    "vendor", "manufacturer", "modality", "device", "gender", "sex", "weight", "age",
    "hierarchy", "original", "generalization", "value",
}
_LEVEL_TITLE = re.compile(r"^(level|l)[ _-]?\d+$", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Parse quote-aware records as (first physical line, cells), skipping blank lines."""
    lines: list[str] = []

    def feed():
        for line in io.StringIO(text, newline=""):
            lines.append(line)
            yield line

    reader = csv.reader(feed(), delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
    records, start = [], 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return records
        except csv.Error as error:
            if "field limit" in str(error):
                raise HierarchyError(f"line {start}: a cell is longer than {csv.field_size_limit():,} characters, "
                                     f"which no hierarchy holds (its cells are values and their groups); check "
                                     f"that the path names a hierarchy CSV.") from None
            raise HierarchyError(f"line {start}: malformed quoting ({error}); a quoted cell must end "
                                 f"with '\"' and quotes inside it must be doubled.") from error
        end = reader.line_num
        # A physical line of only whitespace is blank; '""' (an empty value) is not.
        if not (end == start and not lines[start - 1].strip()):
            records.append((start, cells))
        start = end + 1


def _detect_delimiter(text: str) -> tuple[str, list[tuple[int, list[str]]]]:
    best = None
    for candidate in _DELIMITERS:
        try:
            records = _records(text, candidate)
        except HierarchyError:
            continue
        # The first row may be a header of another length: judge consistency on the rest.
        counts = [len(cells) for _, cells in (records[1:] or records)]
        if not counts:
            return candidate, records
        width, agree = Counter(counts).most_common(1)[0]
        if width > 1 and agree == len(counts):
            return candidate, records
        if width > 1 and (best is None or agree / len(counts) > best[0]):
            best = (agree / len(counts), candidate, records)
    if best is not None:  # no consistent candidate: the best one, to report ragged rows
        return best[1], best[2]
    return ";", _records(text, ";")  # one column everywhere: a single-level hierarchy


def _header_reasons(first: list[str], rest: list[list[str]], width: int) -> list[str]:
    """Why the first record looks like a header (empty list: it does not). See parse_hierarchy_text."""
    if len(first) > width and any(cell.strip() for cell in first[width:]):
        return []
    first = (first + [""] * width)[:width]
    if width < 2 or not rest:
        return []
    for j in range(1, width):
        if any(row[j] == first[j] for row in rest if len(row) == width):
            return []  # shares a generalization with real rows: it is a real row
    titles = [cell for cell in first if cell.strip()]
    if len(set(titles)) != len(titles):
        return []  # e.g. "Male;Male;Male": a singleton branch, not column titles
    tops = {row[-1] for row in rest if len(row) == width}
    reasons = []
    words = {w.lower() for cell in first for w in re.split(r"[^A-Za-z]+", cell) if w}
    if words & _TITLE_WORDS or any(_LEVEL_TITLE.match(cell.strip()) for cell in first):
        reasons.append("column titles")
    if not first[-1].strip() and all(row[-1].strip() for row in rest if len(row) == width):
        reasons.append("empty last cell")
    if len(rest) >= 2:
        if len(tops) == 1:
            reasons.append(f"the other rows all end in {next(iter(tops))!r}")
        if not _NUMBER.match(first[0].strip()) and all(_NUMBER.match(row[0].strip()) for row in rest):
            reasons.append("non-numeric first cell above numeric values")
    return reasons
