"""Does a table, as it is, satisfy the project's privacy models?

The question curators ask before any search, and the one the tool asks of its own output
before publishing it.  The table is taken as it is, with the project's roles: records whose
quasi-identifiers are all ``*`` are suppressed records (as ARX writes them) and form no
class (when every record is, they are one class if it passes the models, the top of the
lattice, else all suppressed); the other records are grouped by the text of their quasi-identifiers — no hierarchy
and none of the search engine's encoding is involved, so the verdict is independent of the
search.  Per-class models must hold in every class; the suppressed records must fit within
the suppression limit; dataset-level models are checked on the classes.

The whole-table distribution of a sensitive attribute (t-closeness, δ-disclosure,
β-likeness) is taken over every record of the checked table, suppressed ones included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .engine.encoding import domain_of
from .engine.distribution import Distribution
from .errors import ProjectError
from .privacy import ClassStatistics, PrivacyModel
from .privacy.base import SensitiveDomain
from .engine.classes import max_suppressed as suppression_allowed
from .engine.transform import SUPPRESSED  # the value of every quasi-identifier of a suppressed record
from .project import Project
from .tables import Table


@dataclass(frozen=True)
class ModelCheck:
    """The verdict of one privacy model on a table."""

    model: PrivacyModel
    holds: bool
    achieved: dict[str, Any]
    violating_classes: int  #: classes (not suppressed) that fail a per-class model
    violating_records: int  #: records in those classes
    example_rows: tuple[int, ...]  #: 0-based row numbers of records in failing classes (a few)

    def to_dict(self) -> dict[str, Any]:
        return {**self.model.to_config(), "holds": self.holds, "achieved": self.achieved,
                "violating_classes": self.violating_classes, "violating_records": self.violating_records,
                "example_rows": list(self.example_rows)}


@dataclass(frozen=True)
class CheckReport:
    """The verdict of every model, and the suppression."""

    records: int
    classes: int  #: equivalence classes of records that are not suppressed
    suppressed_records: int
    max_suppressed: int  #: floor(suppression_limit · records), as ARX counts it
    models: list[ModelCheck] = field(default_factory=list)

    @property
    def suppression_ok(self) -> bool:
        return self.suppressed_records <= self.max_suppressed

    @property
    def holds(self) -> bool:
        return self.suppression_ok and all(check.holds for check in self.models)

    def to_dict(self) -> dict[str, Any]:
        return {"holds": self.holds, "records": self.records, "classes": self.classes,
                "suppressed_records": self.suppressed_records, "max_suppressed": self.max_suppressed,
                "suppression_ok": self.suppression_ok, "privacy": [m.to_dict() for m in self.models]}


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
        ranks.append(np.take(rank, table.codes(name)))
        space *= max(len(categories), 1)
    if space < 2**62:
        key = np.zeros(n, dtype=np.int64)
        for name, rank in zip(names, ranks):
            key *= max(len(table.categories(name)), 1)
            key += rank
        del ranks
        order = np.argsort(key)  # (unstable: any row of a group stands for it; vectorised)
        sorted_key = np.take(key, order)
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
    first = np.compress(starts, order)  # a row of each group
    all_star = np.ones(len(first), dtype=bool)
    for name in names:
        all_star &= table.categories(name)[np.take(table.codes(name), first)] == SUPPRESSED
    return group, sizes, all_star


def _domain(project: Project, table: Table, reference: Table, name: str) -> tuple[np.ndarray, SensitiveDomain]:
    """The value of every row of sensitive column ``name`` (codes by text) and its domain,
    with the whole-table distribution taken from ``reference``."""
    labels, reference_codes = np.unique(reference.column(name).astype(str), return_inverse=True)
    overall = np.bincount(reference_codes, minlength=len(labels)) / max(reference.n_rows, 1)
    values = table.column(name).astype(str)
    codes = np.searchsorted(labels, values)
    if len(values) and (np.any(codes >= len(labels)) or np.any(labels[np.minimum(codes, len(labels) - 1)] != values)):
        raise ProjectError(f"the sensitive attribute {name!r} holds values that the reference table lacks")
    return codes, domain_of(project, name, labels.astype(object), overall)


def check_table(project: Project, table: Table | None = None, *, reference: Table | None = None) -> CheckReport:
    """Check every privacy model of ``project`` on ``table`` as it is (default: the project's data).

    ``reference`` is the table whose records define the whole-table distribution of the
    sensitive attributes and the number of records the suppression limit applies to
    (default: ``table`` itself; the original data when ``table`` is an export without its
    suppressed records).

    Raises
    ------
    ProjectError
        When a quasi-identifier or sensitive attribute of the project is not a column.
    """
    table = project.load_table() if table is None else table
    reference = table if reference is None else reference
    needed = list(project.quasi_identifiers) + [m.sensitive_attribute for m in project.privacy
                                                if m.sensitive_attribute]
    missing = [name for name in dict.fromkeys(needed) if name not in table.columns]
    if missing:
        raise ProjectError(
            f"{table.path or 'the table'} lacks the column(s) {', '.join(map(repr, missing))} that the "
            f"project's quasi-identifiers / privacy models need; it has: {', '.join(table.columns)}.")
    group, sizes, all_star = group_text_columns(table, project.quasi_identifiers)
    distributions, domains = {}, {}
    for model in project.privacy:
        name = model.sensitive_attribute
        if name and name not in distributions:
            codes, domains[name] = _domain(project, table, reference, name)
            distributions[name] = Distribution.from_rows(group, codes, len(sizes), len(domains[name].labels))
    stats = ClassStatistics(sizes.astype(np.int64), reference.n_rows, distributions, domains)
    verdicts = {id(model): model.classes_ok(stats) for model in project.privacy if model.per_class}
    passes = np.logical_and.reduce(list(verdicts.values())) if verdicts else np.ones(len(sizes), dtype=bool)
    # records with '*' in every quasi-identifier are suppressed records; when every record
    # is, they are one class if it passes (every quasi-identifier fully generalized), else
    # all suppressed: the two read the same
    if not project.quasi_identifiers:
        kept = np.ones(len(sizes), dtype=bool)
    elif all_star.all():
        kept = passes.copy()
    else:
        kept = ~all_star
    checks = []
    for model in project.privacy:
        if model.per_class:
            failing = kept & ~verdicts[id(model)]
            holds = not failing.any()
        else:
            failing = np.zeros(len(sizes), dtype=bool)
            holds = model.dataset_ok(stats, kept)
        rows = np.flatnonzero(failing[group])[:5] if failing.any() else np.zeros(0, dtype=np.int64)
        checks.append(ModelCheck(model, bool(holds), model.achieved(stats, kept), int(failing.sum()),
                                 int(sizes[failing].sum()), tuple(int(r) for r in rows)))
    suppressed = int(sizes[~kept].sum())
    if reference is not table:  # records missing from the checked table were suppressed
        suppressed += reference.n_rows - table.n_rows
    max_suppressed = suppression_allowed(project.suppression_limit, reference.n_rows)
    return CheckReport(table.n_rows, int(kept.sum()), suppressed, max_suppressed, checks)
