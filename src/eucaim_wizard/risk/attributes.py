"""Which quasi-identifiers drive the risk: α-distinction and α-separation of QI combinations.

For a set of attributes, α-distinction is #classes / #records (1: every record is unique on
them) and α-separation is the share of pairs of records that differ on at least one of them
(1 − Σ size·(size−1) / (n·(n−1))).  ARX 3.9 (``RiskModelAttributes``) reports both for every
non-empty subset of the quasi-identifiers, sorted by subset size, distinction, separation and
name; suppressed records are left out.

References
----------
R. Motwani, Y. Xu, "Efficient algorithms for masking and finding quasi-identifiers",
Proc. SDM workshop at VLDB, 2007.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from math import comb

import numpy as np

from ..engine.classes import group
from ._common import RiskError

#: when there are more quasi-identifiers, combinations are capped at what 10 of them give
ALL_COMBINATIONS_UP_TO = 10


@dataclass(frozen=True)
class AttributeRisk:
    """α-distinction and α-separation of one combination of quasi-identifiers."""

    qis: tuple[str, ...]
    distinction: float
    separation: float
    classes: int

    def to_dict(self) -> dict:
        return {"qis": list(self.qis), "distinction": self.distinction, "separation": self.separation}


def default_max_size(n_qis: int) -> int:
    """All combinations up to 10 QIs; beyond, the largest size keeping at most 1,023 of them."""
    if n_qis <= ALL_COMBINATIONS_UP_TO:
        return n_qis
    limit = 2 ** ALL_COMBINATIONS_UP_TO - 1
    size, total = 0, 0
    while size < n_qis and total + comb(n_qis, size + 1) <= limit:
        size += 1
        total += comb(n_qis, size)
    return size


def distinction_separation(sizes: np.ndarray) -> tuple[float, float]:
    """(α-distinction, α-separation) of one grouping; 0 where undefined (no record, one record)."""
    sizes = np.asarray(sizes, dtype=np.int64)
    n = int(sizes.sum())
    if n == 0:
        return 0.0, 0.0
    distinction = len(sizes) / n
    if n < 2:
        return distinction, 0.0
    same = int(np.dot(sizes, sizes))
    return distinction, (n * n - same) / (n * (n - 1))


def attribute_risks(codes: Sequence[np.ndarray], radices: Sequence[int], weights: np.ndarray,
                    names: Sequence[str], max_size: int | None = None,
                    progress: Callable[[int, int], None] | None = None) -> list[AttributeRisk]:
    """α-distinction and α-separation for every combination of up to ``max_size`` QIs.

    Parameters
    ----------
    codes
        One integer array per quasi-identifier, one entry per row of a table; rows may be
        the distinct rows of the data, each standing for ``weights[row]`` records.
    radices
        Number of possible codes of each quasi-identifier.
    weights
        Records per row.
    names
        The quasi-identifiers' names, in the order used inside each combination.
    max_size
        Largest combination; default :func:`default_max_size`.

    Returns
    -------
    list of AttributeRisk
        Sorted as ARX sorts them: by size, distinction, separation, then names.
    """
    m = len(codes)
    if len(radices) != m or len(names) != m:
        raise RiskError("attribute risk needs one code array, radix and name per quasi-identifier")
    max_size = default_max_size(m) if max_size is None else int(max_size)
    if m == 0:
        return []
    if not 1 <= max_size:
        raise RiskError(f"the largest combination of quasi-identifiers must be at least 1, not {max_size}")
    max_size = min(max_size, m)
    weights = np.asarray(weights, dtype=np.int64)
    total = sum(comb(m, k) for k in range(1, max_size + 1))
    found: list[tuple[tuple[int, ...], np.ndarray]] = []

    def report(members: tuple[int, ...], sizes: np.ndarray) -> None:
        found.append((members, sizes))
        if progress is not None:
            progress(len(found), total)

    columns = [np.asarray(c, dtype=np.int64) for c in codes]
    if max_size == m:
        # the rows may repeat: start from the classes of all quasi-identifiers
        weights, rows = _grouped(columns, list(radices), weights)
        _top_down([c[rows] for c in columns], list(radices), weights, tuple(range(m)), -1, report)
    else:
        # capped: every combination from the base rows (the top of the subset lattice is never needed)
        for k in range(1, max_size + 1):
            for members in combinations(range(m), k):
                report(members, _sizes([columns[i] for i in members], [radices[i] for i in members], weights))
    risks = []
    for members, sizes in found:
        distinction, separation = distinction_separation(sizes)
        risks.append(AttributeRisk(tuple(names[i] for i in members), distinction, separation, len(sizes)))
    risks.sort(key=lambda r: (len(r.qis), r.distinction, r.separation, "[" + ", ".join(r.qis) + "]"))
    return risks


def _top_down(columns: list[np.ndarray], radices: list[int], weights: np.ndarray, members: tuple[int, ...],
              last_removed: int, report) -> None:
    """Visit ``members`` and, removing attributes in increasing order, each of its subsets once.

    A subset's classes are rolled up from its parent's (a superset's) classes, which are far
    fewer than the records: dropping an attribute merges classes, never splits them.
    """
    report(members, weights)
    if len(members) == 1:
        return
    for position, removed in enumerate(members):
        if removed <= last_removed:
            continue
        child = members[:position] + members[position + 1:]
        child_columns = columns[:position] + columns[position + 1:]
        child_radices = radices[:position] + radices[position + 1:]
        # removing the last member leaves a subset whose own subsets are visited elsewhere
        leaf = len(child) == 1 or position == len(members) - 1
        sizes, rows = _grouped(child_columns, child_radices, weights, rows=not leaf)
        if leaf:
            report(child, sizes)
        else:
            _top_down([c[rows] for c in child_columns], child_radices, sizes, child, removed, report)


_DENSE_LIMIT = 1 << 22


def _grouped(columns: list[np.ndarray], radices: list[int], weights: np.ndarray,
             rows: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Weighted size of each group of equal code vectors, and (if ``rows``) one row of each."""
    n = len(weights)
    space = 1
    for radix in radices:
        space *= max(int(radix), 1)
    if space >= 2 ** 62:  # no mixed-radix key: the engine groups column by column
        _, sizes, inverse = group(columns, radices, weights)
        return sizes, (_representatives(inverse, len(sizes)) if rows else None)
    key = np.zeros(n, dtype=np.int64)
    for column, radix in zip(columns, radices):
        key *= int(radix)
        key += column
    if space <= _DENSE_LIMIT and space <= 8 * max(n, 1):
        dense = np.bincount(key, weights=weights, minlength=space)
        present = np.flatnonzero(dense)
        if not rows:
            return dense[present].astype(np.int64), None
        first = np.empty(space, dtype=np.int64)
        first[key] = np.arange(n)
        return dense[present].astype(np.int64), first[present]
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if space * n < 2 ** 62:
        # sorting (key, row) packed in one integer is faster than an argsort of the keys
        packed = np.sort(key * n + np.arange(n))
        ordered, order = np.divmod(packed, n)
    else:
        order = np.argsort(key)
        ordered = key[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    sizes = np.add.reduceat(weights[order], starts)
    return sizes.astype(np.int64), (order[starts] if rows else None)


def _representatives(inverse: np.ndarray, count: int) -> np.ndarray:
    """One row of each group (any: all rows of a group share the grouped codes)."""
    representative = np.empty(count, dtype=np.int64)
    representative[inverse] = np.arange(len(inverse))
    return representative


def _sizes(columns: list[np.ndarray], radices: list[int], weights: np.ndarray) -> np.ndarray:
    return _grouped(columns, radices, weights, rows=False)[0]


__all__ = ["AttributeRisk", "attribute_risks", "default_max_size", "distinction_separation"]
