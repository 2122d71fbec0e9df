"""Independent re-check of an exported table, before it is renamed into place.

The file just written is parsed again and checked with :func:`~eucaim_wizard.check.check_table`,
which groups its quasi-identifier columns again from their text, sharing nothing with the
engine's encoding, frequency table or roll-ups, and evaluates every privacy model on it.
Any disagreement is a bug in the tool, never a user error: the export is aborted.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .check import check_table
from .errors import VerificationError
from .tables import Table, read_table
from .tables.formulas import is_formula, restore_formulas

if TYPE_CHECKING:
    from .anonymizer import Result, Transformation
    from .project import Project

def verify_export(path: Path, project: Project, result: Result, *, drop_suppressed: bool,
                  transformation: Transformation | None = None, neutralised: bool = False) -> None:
    """Re-read ``path`` and check that every privacy model holds on it.

    Checks: identifiers are absent; the row count is right; every class of records that are
    not suppressed satisfies every per-class model; the suppressed records (all
    quasi-identifiers ``*``) fit within the suppression limit; the other columns are unchanged
    (with ``neutralised``: no cell is formula-like, and the checks run on the cells with the
    ``'`` prefix taken off, :func:`~eucaim_wizard.tables.formulas.restore_formulas`).

    Raises
    ------
    VerificationError
        On any disagreement (a bug: the output must not be published).
    """
    written = read_table(path, **_read_options(result.table))
    problems: list[str] = []
    if neutralised:  # no cell a spreadsheet would run; the rest is checked without the prefixes
        problems += [f"column {name!r} holds a cell a spreadsheet would run as a formula" for name in written.columns
                     if any(is_formula(v) for v in written.categories(name).tolist())]
        written = restore_formulas(written)
    pseudonymized = {name for name in project.identifiers if project.attributes[name].pseudonymize}
    leaked = [name for name in project.identifiers if name in written.columns and name not in pseudonymized]
    if leaked:
        problems.append(f"identifier column(s) {leaked} present")
    for name in sorted(pseudonymized & set(written.columns)):
        original = set(result.table.categories(name).tolist()) - {""}
        if original & set(written.categories(name).tolist()):
            problems.append(f"the pseudonymized column {name!r} holds original identifier values")
    applied = transformation or result.optimum
    expected_rows = result.n_records - (applied.suppressed_records if drop_suppressed else 0)
    if written.n_rows != expected_rows:
        problems.append(f"{written.n_rows} rows written, {expected_rows} expected")
    report = check_table(project, written, reference=result.table)
    for check in report.models:
        if not check.holds:
            problems.append(f"{check.violating_records} records in {check.violating_classes} classes "
                            f"violate {check.model} and are not suppressed" if check.violating_classes
                            else f"{check.model} does not hold")
    if not report.suppression_ok:
        problems.append(f"{report.suppressed_records} suppressed records exceed the limit of {report.max_suppressed}")
    qis = list(result.quasi_identifiers)
    if not drop_suppressed:
        source = result.table
        for name in written.columns:
            if name not in qis and name not in pseudonymized and not _same_column(written, source, name):
                problems.append(f"column {name!r} differs from the input")
    if problems:
        raise VerificationError(
            f"the independent re-check of {path} failed ({'; '.join(problems)}); nothing was "
            f"written. This is a bug in eucaim-wizard: please report it with the project file."
        )


def _same_column(a: Table, b: Table, name: str) -> bool:
    """Do tables ``a`` and ``b`` hold the same text in every row of column ``name``?  Equal
    distinct values (in the same order) and equal codes say so without building the
    columns; else the texts are compared row by row."""
    if np.array_equal(a.codes(name), b.codes(name)) and a.categories(name).tolist() == b.categories(name).tolist():
        return True
    return bool(np.array_equal(a.column(name), b.column(name)))


def _read_options(table: Table) -> dict:
    fmt = table.format
    if fmt.kind == "csv":
        return {"kind": "csv", "delimiter": fmt.delimiter, "encoding": fmt.encoding, "quotechar": fmt.quotechar}
    return {"kind": fmt.kind}
