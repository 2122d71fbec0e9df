"""Generalization hierarchies: read, check and write ARX hierarchy CSV files.

A hierarchy of a quasi-identifier is a table with one row per original value; column ``j``
holds the value's generalization at level ``j`` (level 0 = the value itself, the last level
usually ``*``).  ARX reads it with ``Hierarchy.create(file, charset, ';')``: no header, ``;``,
every row the same number of columns [1]_.  The files curators actually have (the EUCAIM
Wizard pack) also use ``,``, CRLF and a header row, so reading detects and notes those;
structural defects become :class:`~eucaim_wizard.errors.Finding` objects, not crashes.
Splitting the text into cells (quoting, delimiter and header detection) is :mod:`.csv_parsing`'s.

References
----------
.. [1] F. Prasser, F. Kohlmayer, "Putting Statistical Disclosure Control into Practice:
   The ARX Data Anonymization Tool", in *Medical Data Privacy Handbook*, Springer, 2015;
   ARX source ``org.deidentifier.arx.AttributeType.Hierarchy`` and ``io.CSVDataInput``.
.. [2] P. Samarati, "Protecting respondents' identities in microdata release", *IEEE TKDE*
   13(6):1010-1027, 2001 (value generalization hierarchies: each level a function of the
   level below).
.. [3] ARX issue #104 (F. Prasser, 2017): ARX stops with "hierarchy misses some values or
   contains duplicates" when a data value has no row or a label has two parents.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ..errors import Finding, HierarchyError
from .csv_parsing import _DELIMITERS, _detect_delimiter, _header_reasons, _records

__all__ = ["Hierarchy", "read_hierarchy", "parse_hierarchy_text", "has_errors"]

_EXAMPLES = 10


def has_errors(findings: Sequence[Finding]) -> bool:
    """True if any finding has severity ``"error"`` (the input cannot be used as it is)."""
    return any(finding.severity == "error" for finding in findings)


def _quote_list(values, limit: int = 5) -> str:
    shown = ", ".join(repr(str(v)) for v in list(values)[:limit])
    return shown + (", …" if len(values) > limit else "")


class Hierarchy:
    """A generalization hierarchy: an ``(n_values, n_levels)`` table of strings.

    Row ``i`` holds value ``i`` at levels ``0 .. n_levels-1`` (ARX calls ``n_levels`` the
    height).  The table is immutable; build a new hierarchy to change it.

    Parameters
    ----------
    rows
        Rectangular rows of strings (at least one row and one level).
    name
        The attribute it generalizes, used in messages.
    source
        Where it came from: a file path, ``"preset:x"`` or ``"builder:..."``.

    Raises
    ------
    HierarchyError
        If the rows are empty, not rectangular or hold ``None``.

    Examples
    --------
    >>> sex = Hierarchy([["F", "*"], ["M", "*"]], name="sex")
    >>> sex.n_values, sex.n_levels, list(sex.level(1))
    (2, 2, ['*', '*'])
    """

    def __init__(self, rows: Sequence[Sequence[str]] | np.ndarray, *,
                 name: str | None = None, source: str | None = None):
        self.name = name
        self.source = source
        self.notes: list[str] = []
        where = name or source or "hierarchy"
        if isinstance(rows, np.ndarray) and rows.ndim != 2:
            raise HierarchyError(f"{where}: expected a 2-D table (values x levels), got {rows.ndim}-D.")
        if isinstance(rows, str) or any(isinstance(row, str) for row in rows):
            raise HierarchyError(f"{where}: each row must be a sequence of labels, not one string; "
                                 f"split 'a;*' into ['a', '*'] or use parse_hierarchy_text.")
        rows = rows.tolist() if isinstance(rows, np.ndarray) else [list(row) for row in rows]
        if not rows or not rows[0]:
            raise HierarchyError(f"{where}: a hierarchy needs at least one row and one level (column); "
                                 f"give one row per original value.")
        width = len(rows[0])
        for i, row in enumerate(rows):
            if len(row) != width:
                raise HierarchyError(f"{where}: row {i} has {len(row)} level(s) but row 0 has {width}; "
                                     f"every row needs one cell per level.")
            if any(cell is None for cell in row):
                raise HierarchyError(f"{where}: row {i} holds None; use '' for an empty label.")
        table = np.empty((len(rows), width), dtype=object)
        table[:] = [[str(cell) for cell in row] for row in rows]
        table.flags.writeable = False
        self._table = table
        self._index: dict[str, int] | None = None
        # results derived from the (immutable) rows, kept so that repeated runs on the same
        # hierarchy object (a project anonymized again, benchmarks) do not recompute them
        self._derived: dict = {}

    def derived(self, key, compute):
        """``compute()``, remembered under ``key`` for this hierarchy (its rows never change)."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    # --- shape and access -------------------------------------------------------------
    @property
    def table(self) -> np.ndarray:
        """The ``(n_values, n_levels)`` object array (a read-only view)."""
        return self._table.view()

    @property
    def n_levels(self) -> int:
        """Number of levels including level 0 (ARX's height)."""
        return self._table.shape[1]

    @property
    def n_values(self) -> int:
        """Number of rows (original values)."""
        return self._table.shape[0]

    def level(self, j: int) -> np.ndarray:
        """The labels at level ``j``, aligned with the rows (negative ``j`` counts from the top)."""
        if not -self.n_levels <= j < self.n_levels:
            raise HierarchyError(f"{self._where()}: level {j} does not exist; "
                                 f"this hierarchy has levels 0–{self.n_levels - 1}.")
        return self._table[:, j]

    def values(self) -> np.ndarray:
        """The original values (level 0)."""
        return self.level(0)

    def index_of(self) -> dict[str, int]:
        """Map each level-0 value to its row (the first one if a value repeats)."""
        if self._index is None:
            index: dict[str, int] = {}
            for i, value in enumerate(self._table[:, 0].tolist()):
                index.setdefault(value, i)
            self._index = index
        return dict(self._index)

    def _where(self) -> str:
        return self.name or self.source or "hierarchy"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Hierarchy):
            return NotImplemented
        return self._table.shape == other._table.shape and bool((self._table == other._table).all())

    def __hash__(self) -> int:
        return hash(self.sha256())

    def __repr__(self) -> str:
        return (f"Hierarchy(name={self.name!r}, n_values={self.n_values}, "
                f"n_levels={self.n_levels}, source={self.source!r})")

    # --- validation -------------------------------------------------------------------
    def findings(self) -> list[Finding]:
        """Check the hierarchy on its own.

        Codes: ``duplicate-rows`` (warning), ``conflicting-rows`` (error: one value, several
        generalizations), ``not-a-tree`` (error: level ``j+1`` is not a function of level
        ``j`` for some ``j >= 1``), ``multiple-roots`` (warning), ``empty-value`` (warning: an
        empty label at level >= 1), ``star-below-top`` (error: ``*``, the mark of suppression,
        below the top level).  A hierarchy must be a tree [2]_: ARX's search assumes that
        generalizing one more level never splits a group (monotonicity [1]_), and it rejects a
        label with two parents [3]_.
        """
        return list(self.derived(("findings", self._where()), self._findings))

    def _findings(self) -> list[Finding]:
        where, found = self._where(), []
        rows = list(map(tuple, self._table.tolist()))
        repeats = {row: n for row, n in Counter(rows).items() if n > 1}
        if repeats:
            extra, repeated = sum(repeats.values()) - len(repeats), [row[0] for row in repeats]
            found.append(Finding(
                "warning", "duplicate-rows",
                f"{where}: {extra} row(s) repeat an identical row (values {_quote_list(repeated)}); "
                f"delete the copies.", where, tuple(repeated[:_EXAMPLES])))
        generalizations: dict[str, set[tuple[str, ...]]] = {}
        for row in dict.fromkeys(rows):
            generalizations.setdefault(row[0], set()).add(row[1:])
        conflicts = [value for value, gens in generalizations.items() if len(gens) > 1]
        if conflicts:
            found.append(Finding(
                "error", "conflicting-rows",
                f"{where}: {len(conflicts)} value(s) have rows with different generalizations "
                f"({_quote_list(conflicts)}); keep exactly one row per value.", where,
                tuple(conflicts[:_EXAMPLES])))
        for j in range(1, self.n_levels - 1):
            found.extend(self._tree_finding(j))
        if self.n_levels > 1:
            roots = list(dict.fromkeys(self._table[:, -1].tolist()))
            if len(roots) > 1:
                found.append(Finding(
                    "warning", "multiple-roots",
                    f"{where}: the top level {self.n_levels - 1} has {len(roots)} different values "
                    f"({_quote_list(roots)}), so even full generalization keeps groups apart; "
                    f"end every row in one root such as '*'.", where, tuple(roots[:_EXAMPLES])))
        blank = np.vectorize(lambda s: not s.strip(), otypes=[bool])(self._table[:, 1:])
        if blank.any():
            rows_hit = np.flatnonzero(blank.any(axis=1))
            found.append(Finding(
                "warning", "empty-value",
                f"{where}: {int(blank.sum())} empty label(s) at levels >= 1 (values "
                f"{_quote_list(self._table[rows_hit, 0].tolist())}); ARX would publish them as ''. "
                f"Fill in the generalization.", where, tuple(self._table[rows_hit[:_EXAMPLES], 0])))
        found.extend(self._star_finding(where))
        return found

    def _star_finding(self, where: str) -> list[Finding]:
        """``star-below-top`` (error): ``*`` below the top level.  In the output ``*`` in every
        quasi-identifier marks a suppressed record, so a record generalized to ``*`` before the
        top (``F;*;*`` beside ``M;M;*``) would read as suppressed: by the re-check of the
        export, by ``check`` and ``risk --data``, and by whoever uses the data."""
        if self.n_levels < 2:
            return []
        below = self._table[:, :-1] == "*"  # (engine.transform.SUPPRESSED: what a suppressed record shows)
        if not below.any():
            return []
        rows_hit = np.flatnonzero(below.any(axis=1))
        levels = sorted({int(j) for j in np.flatnonzero(below.any(axis=0))})
        return [Finding(
            "error", "star-below-top",
            f"{where}: '*' stands below the top level (level(s) {', '.join(map(str, levels))}) in {len(rows_hit)} "
            f"row(s) (values {_quote_list(self._table[rows_hit, 0].tolist())}); in the output '*' marks a suppressed "
            f"record, so a record generalized to it would read as suppressed. Use another label below the top (e.g. "
            f"'any'), and '*' only at the top level {self.n_levels - 1}.", where,
            tuple(self._table[rows_hit[:_EXAMPLES], 0]))]

    def _tree_finding(self, j: int) -> list[Finding]:
        # One pass with a dict (far faster than sorting strings for the hierarchies curators
        # write; linear for any size): the first parent of each child, and every parent of
        # the children that have more than one.
        first: dict[str, str] = {}
        more: dict[str, set[str]] = {}
        for child, parent in zip(self._table[:, j].tolist(), self._table[:, j + 1].tolist()):
            seen = first.setdefault(child, parent)
            if seen != parent:
                more.setdefault(child, {seen}).add(parent)
        if not more:
            return []
        children = sorted(more)
        examples = [f"{child!r} -> {_quote_list(sorted(more[child]), 4)}" for child in children[:5]]
        return [Finding(
            "error", "not-a-tree",
            f"{self._where()}: not a tree: {len(children)} value(s) at level {j} generalize to more than one "
            f"value at level {j + 1} ({'; '.join(examples)}{'; …' if len(children) > 5 else ''}). Records that "
            f"are equal at level {j} would be split again at level {j + 1}, and ARX rejects the hierarchy "
            f"(\"misses some values or contains duplicates\"); give each level-{j} label exactly "
            f"one parent.", self._where(), tuple(children[:_EXAMPLES]))]

    def check_values(self, values: Sequence[str], counts: Sequence[int] | None = None, *,
                     column: str = "") -> list[Finding]:
        """Check the hierarchy against the distinct values of its data column.

        ``missing-values`` (error): data values without a row (ARX stops with an error [3]_).
        ``unused-rows`` (info): rows for values absent from the data (allowed).

        Parameters
        ----------
        values
            The distinct values of the column (as strings).
        counts
            Number of records of each value, aligned with ``values``.
        column
            The column name, for messages.
        """
        if counts is not None and len(counts) != len(values):
            raise ValueError(f"counts has {len(counts)} entries but values has {len(values)}")
        where = column or self._where()
        records: dict[str, int] = {}
        for i, value in enumerate(values):
            key = value if isinstance(value, str) else str(value)
            records[key] = records.get(key, 0) + (int(counts[i]) if counts is not None else 0)
        known = self.index_of()
        missing = [value for value in records if value not in known]
        found = []
        if missing:
            affected = sum(records[v] for v in missing) if counts is not None else None
            of_records = f" ({affected} records)" if affected is not None else ""
            found.append(Finding(
                "error", "missing-values",
                f"{len(missing)} distinct value(s) of column {column or '?'!r}{of_records} have no row in "
                f"hierarchy {self._where()!r}: {_quote_list(missing, _EXAMPLES)}; ARX would stop with "
                f"\"hierarchy misses some values\". Add a row for each "
                f"(value;level 1;…;*), or build the hierarchy with a builder that covers the column.",
                where, tuple(missing[:_EXAMPLES]), affected))
        unused = [value for value in known if value not in records]
        if unused:
            found.append(Finding(
                "info", "unused-rows",
                f"{len(unused)} of {len(known)} hierarchy value(s) do not occur in column "
                f"{column or '?'!r} (allowed): {_quote_list(unused)}.", where, tuple(unused[:_EXAMPLES])))
        return found

    # --- writing ----------------------------------------------------------------------
    def to_csv_text(self, delimiter: str = ";") -> str:
        """The ARX CSV text: no header, ``\\n`` line ends, quotes only where needed.

        A cell is quoted if it holds the delimiter, ``"``, CR or LF, or leading/trailing
        whitespace (ARX's parser trims unquoted cells) or a leading byte-order mark; a lone
        empty cell is quoted so that the row is not read as a blank line.  In a single-level
        hierarchy every candidate delimiter is quoted, so that reading does not split the cells.
        """
        if len(delimiter) != 1 or delimiter in '"\r\n':
            raise HierarchyError(f"delimiter {delimiter!r} cannot be used: give one character "
                                 f"other than a quote or a line break, e.g. ';'.")
        return self.derived(("csv", delimiter), lambda: self._csv_text(delimiter))  # (sha256 and write reuse it)

    def _csv_text(self, delimiter: str) -> str:
        # One column has no delimiter to detect it by, so any candidate delimiter is quoted there.
        separators = "".join(_DELIMITERS) if self.n_levels == 1 else delimiter
        special = re.compile(f'[{re.escape(separators)}"\r\n]|^[\\s\ufeff]|\\s$')
        rows = self._table.tolist()
        # each distinct cell is checked once (the upper levels repeat a few labels)
        written = {text: '"' + text.replace('"', '""') + '"' for text in {c for row in rows for c in row}
                   if special.search(text)}
        lines = []
        for row in rows:
            line = delimiter.join([written.get(c, c) for c in row])
            lines.append('""' if line == "" else line)
        return "\n".join(lines) + "\n"

    def write(self, path: str | os.PathLike, *, delimiter: str = ";",
              inputs: Iterable[str | os.PathLike | None] = ()) -> None:
        """Write the ARX CSV file atomically (:mod:`eucaim_wizard.tables.output`).

        Raises
        ------
        OutputError
            If ``path`` is the file this hierarchy was read from, or one of ``inputs``.
        HierarchyError
            If it cannot be written.
        """
        from ..tables.output import atomic_output

        target = Path(path)
        data = self.to_csv_text(delimiter).encode("utf-8")
        try:
            with atomic_output(target, inputs=[self.source, *inputs]) as out:
                out.write(data)
        except OSError as error:
            raise HierarchyError(f"{target}: cannot write the hierarchy ({error.strerror}); "
                                 f"check the path and permissions.") from error

    def sha256(self) -> str:
        """SHA-256 of ``to_csv_text(';')`` in UTF-8: a stable identity for reports."""
        return self.derived("sha256", lambda: hashlib.sha256(self.to_csv_text(";").encode("utf-8")).hexdigest())


# --- reading --------------------------------------------------------------------------
#: the largest hierarchy file read (it is read whole)
MAX_HIERARCHY_BYTES = 256 << 20


def read_hierarchy(path: str | os.PathLike, *, delimiter: str | None = None, encoding: str | None = None,
                   name: str | None = None, has_header: bool | None = None) -> Hierarchy:
    """Read an ARX hierarchy CSV file, tolerating what curators' files really look like.

    UTF-8 (a byte-order mark is dropped) with a fallback to CP1252; LF or CRLF; blank lines
    skipped; delimiter and header row detected unless given (see
    :func:`parse_hierarchy_text`).  Every decision is recorded in :attr:`Hierarchy.notes`.

    Raises
    ------
    HierarchyError
        If the file is missing, empty, unreadable, or its rows have different lengths
        (``findings`` then lists the offending lines, code ``ragged-rows``).
    """
    path = Path(path)
    from ..tables.common import special_file

    kind = special_file(path)
    if kind is not None:
        raise HierarchyError(f"{path} is {kind}, not a hierarchy file; give the path of an ARX hierarchy CSV "
                             f"(relative paths start at the project file's folder).")
    try:
        size = path.stat().st_size
        if size > MAX_HIERARCHY_BYTES:
            raise HierarchyError(f"{path} holds {size / (1 << 20):,.0f} MiB; a hierarchy file holds at most "
                                 f"{MAX_HIERARCHY_BYTES >> 20} MiB: check "
                                 f"that the path names a hierarchy CSV.")
        raw = path.read_bytes()
    except OSError as error:
        raise HierarchyError(f"{path}: cannot read the hierarchy ({error.strerror}); check the path "
                             f"(relative paths start at the project file's folder).") from error
    notes = []
    try:
        try:
            text = raw.decode(encoding or "utf-8")
        except UnicodeDecodeError:
            if encoding:
                raise
            # Excel on Windows saves "CSV" as CP1252; ARX users meet that file first.
            text = raw.decode("cp1252")
            notes.append("not valid UTF-8: decoded as CP1252")
    except (UnicodeDecodeError, LookupError) as error:
        raise HierarchyError(f"{path}: cannot decode as {encoding or 'UTF-8 or CP1252'} ({error}); "
                             f"save the file as UTF-8 or pass its encoding=.") from error
    if text.startswith("\ufeff"):
        text = text[1:]
        notes.append("UTF-8 byte-order mark removed")
    hierarchy = parse_hierarchy_text(text, delimiter=delimiter, source=str(path), name=name,
                                     has_header=has_header)
    hierarchy.notes[:0] = notes
    return hierarchy


def parse_hierarchy_text(text: str, *, delimiter: str | None = None, source: str = "<text>",
                         name: str | None = None, has_header: bool | None = None) -> Hierarchy:
    """Parse ARX hierarchy CSV text (see :func:`read_hierarchy` for files).

    The delimiter, unless given, is the first of ``;`` ``,`` tab ``|`` that splits every row
    (the first one aside) into the same number (> 1) of cells; if none does, one column.
    Quoted cells may hold the delimiter, doubled quotes and line breaks.

    Header rule (``has_header=None``): the first row is skipped as a header when

    1. none of its cells at levels >= 1 occurs in the same column of another row (a real
       first row shares at least its root, e.g. ``*``, with the others),
    2. its non-empty cells are all different (``Male;Male;Male`` is a singleton branch), and
    3. at least one of: a cell looks like a column title (``Level_2``, or words such as
       level, interval, group, country, model, vendor); its last cell is empty while no other
       row's is; with two or more other rows, those all share one top value, or their level-0
       values are all numeric and its first cell is not.

    A header row longer than the data because of trailing empty cells is still recognised.
    ``has_header=True``/``False`` overrides the rule.

    Raises
    ------
    HierarchyError
        On empty text or ragged rows (lines, field counts and majority in the message).
    """
    notes = []
    if "\r\n" in text:
        notes.append("CRLF line ends")
    try:
        if delimiter is None:
            delimiter, records = _detect_delimiter(text)
            if delimiter != ";":
                notes.append(f"delimiter {delimiter!r} detected")
        else:
            records = _records(text, delimiter)
    except HierarchyError as error:
        raise HierarchyError(f"{source}, {error}", error.findings) from None
    if not records:
        raise HierarchyError(f"{source}: the hierarchy is empty (no non-blank line); it needs one row "
                             f"per original value, e.g. '34;30-39;*'.")
    rest = [cells for _, cells in records[1:]]
    width = Counter(map(len, rest or [records[0][1]])).most_common(1)[0][0]
    header = has_header
    if header is None:
        reasons = _header_reasons(records[0][1], rest, width)
        header = bool(reasons)
    if header:
        why = f" ({', '.join(reasons)})" if has_header is None else " (has_header=True)"
        notes.append(f"header row {delimiter.join(records[0][1])!r} skipped{why}; to keep it as values, set "
                     f"`hierarchy_header: false` for the attribute in the project file (--no-header for "
                     f"`hierarchies convert|repair`, has_header=False in Python)")
        records = records[1:]
        if not records:
            raise HierarchyError(f"{source}: only a header row, no values; add one row per original value.")
    width = Counter(len(cells) for _, cells in records).most_common(1)[0][0]
    ragged = [(line, cells) for line, cells in records if len(cells) != width]
    if ragged:
        findings = [Finding("error", "ragged-rows",
                            f"{source}, line {line}: {len(cells)} field(s), the other rows have {width}",
                            source, (cells[0],)) for line, cells in ragged[:20]]
        listed = ", ".join(f"line {line} ({len(cells)})" for line, cells in ragged[:5])
        raise HierarchyError(
            f"{source}: {len(ragged)} row(s) do not have the {width} fields ({delimiter!r}-separated) "
            f"of the other rows: {listed}{', …' if len(ragged) > 5 else ''}. ARX needs every row to "
            f"have one cell per level; fix those lines (a missing or extra {delimiter!r}, or an "
            f"unquoted {delimiter!r} inside a value).", findings)
    hierarchy = Hierarchy([cells for _, cells in records], name=name, source=source)
    hierarchy.notes.extend(notes)
    return hierarchy
