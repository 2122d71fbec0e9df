"""Independent re-check of an exported table, before it is renamed into place.

The file just written is parsed again and its quasi-identifier columns are grouped again
from their text, sharing nothing with the engine's encoding, frequency table or roll-ups.
Any disagreement is a bug in the tool, never a user error: the export is aborted.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import VerificationError
from .privacy import ClassStatistics
from .table import Table, read_table

if TYPE_CHECKING:
    from .anonymizer import Result
    from .project import Project

SUPPRESSED = "*"


def group_text_columns(table: Table, names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group rows by the text of ``names``: (group of each row, group sizes, all-``*`` mask per group)."""
    n = table.n_rows
    if not names:
        return np.zeros(n, dtype=np.int64), np.array([n]), np.array([False])
    # rows are grouped by the ranks of their texts (by text, not by the reader's codes):
    # one mixed-radix key when it fits in int64 (little memory at millions of rows), else a
    # lexicographic sort on the per-column ranks
    ranks, space = [], 1
    for name in names:
        categories = table.categories(name)
        order = np.argsort(categories.astype(str), kind="stable")
        rank = np.empty(len(categories), dtype=np.int32)
        rank[order] = np.arange(len(categories))
        ranks.append(rank[table.codes(name)])
        space *= max(len(categories), 1)
    if space < 2**62:
        key = np.zeros(n, dtype=np.int64)
        for name, rank in zip(names, ranks):
            key *= max(len(table.categories(name)), 1)
            key += rank
        del ranks
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        del key
        starts = np.ones(n, dtype=bool)
        if n:
            starts[1:] = sorted_key[1:] != sorted_key[:-1]
        del sorted_key
        return _groups(table, names, order, starts)
    order = np.lexsort(ranks[::-1])
    sorted_ranks = np.stack([r[order] for r in ranks], axis=1)
    starts = np.ones(n, dtype=bool)
    if n:
        starts[1:] = np.any(sorted_ranks[1:] != sorted_ranks[:-1], axis=1)
    return _groups(table, names, order, starts)


def _groups(table: Table, names: list[str], order: np.ndarray, starts: np.ndarray):
    n = table.n_rows
    group_sorted = np.cumsum(starts) - 1
    group = np.empty(n, dtype=np.int64)
    group[order] = group_sorted
    sizes = np.bincount(group, minlength=int(group_sorted[-1]) + 1 if n else 0)
    first = order[starts]
    all_star = np.ones(len(first), dtype=bool)
    for name in names:
        all_star &= table.column(name)[first] == SUPPRESSED
    return group, sizes, all_star


def verify_export(path: Path, project: Project, result: Result, *, drop_suppressed: bool) -> None:
    """Re-read ``path`` and check that every privacy model holds on it.

    Checks: identifiers are absent; the row count is right; every class of records that are
    not suppressed satisfies every per-class model; the suppressed records (all
    quasi-identifiers ``*``) fit within the suppression limit; the other columns are unchanged.

    Raises
    ------
    VerificationError
        On any disagreement (a bug: the output must not be published).
    """
    written = read_table(path, **_read_options(result.table))
    problems: list[str] = []
    leaked = [name for name in project.identifiers if name in written.columns]
    if leaked:
        problems.append(f"identifier column(s) {leaked} present")
    optimum = result.optimum
    expected_rows = result.n_records - (optimum.suppressed_records if drop_suppressed else 0)
    if written.n_rows != expected_rows:
        problems.append(f"{written.n_rows} rows written, {expected_rows} expected")
    qis = [q for q in result.quasi_identifiers]
    group, sizes, all_star = group_text_columns(written, qis)
    ok = np.ones(len(sizes), dtype=bool)
    stats = ClassStatistics(sizes.astype(np.int64), result.n_records)
    for model in project.privacy:
        if model.per_class:
            ok &= model.classes_ok(stats)
    # classes failing a model are allowed only as suppressed records, within the limit
    failing_not_suppressed = ~ok & ~all_star
    if failing_not_suppressed.any():
        problems.append(f"{int(sizes[failing_not_suppressed].sum())} records in classes violating "
                        f"{', '.join(map(str, project.privacy))} are not suppressed")
    suppressed = int(sizes[~ok & all_star].sum())
    if suppressed > result.evaluator.max_suppressed:
        problems.append(f"{suppressed} suppressed records exceed the limit of {result.evaluator.max_suppressed}")
    if not drop_suppressed:
        source = result.table
        for name in written.columns:
            if name not in qis and not np.array_equal(written.column(name), source.column(name)):
                problems.append(f"column {name!r} differs from the input")
    if problems:
        raise VerificationError(
            f"the independent re-check of {path} failed ({'; '.join(problems)}); nothing was "
            f"written. This is a bug in eucaim-wizard: please report it with the project file."
        )


def _read_options(table: Table) -> dict:
    fmt = table.format
    if fmt.kind == "csv":
        return {"kind": "csv", "delimiter": fmt.delimiter, "encoding": fmt.encoding, "quotechar": fmt.quotechar}
    return {"kind": fmt.kind}
