"""The values of a sensitive attribute within each equivalence class.

l-diversity, t-closeness, δ-disclosure and β-likeness look at how a sensitive attribute's
values are distributed inside each class.  The distribution is kept sparse: one
``(class, value, count)`` triple per value present in a class, sorted by class and then
value, so that its size is bounded by the number of distinct (quasi-identifier row,
sensitive value) pairs of the data, never by classes × values.  Rolling classes up to a more
general transformation merges the triples of the classes that merge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .encoding import SensitiveDomain

# a dense bincount beats sorting while the key space is at most this many times the triples
_DENSE_FACTOR = 4
_DENSE_LIMIT = 1 << 24


class Distribution:
    """Counts of a sensitive attribute's values per class (sparse, sorted by class, value).

    Attributes
    ----------
    cls
        Class index of each triple (int64, non-decreasing).
    value
        Value code of each triple (int64; ``0 <= value < n_values``).
    count
        Records of that class with that value (int64, > 0).
    n_classes, n_values
        Number of classes and of possible values.
    """

    __slots__ = ("cls", "value", "count", "n_classes", "n_values", "_starts")

    def __init__(self, cls: np.ndarray, value: np.ndarray, count: np.ndarray, n_classes: int, n_values: int):
        self.cls = cls
        self.value = value
        self.count = count
        self.n_classes = int(n_classes)
        self.n_values = int(n_values)
        self._starts: np.ndarray | None = None

    @classmethod
    def from_rows(cls, row_class: np.ndarray, row_value: np.ndarray, n_classes: int, n_values: int,
                  weights: np.ndarray | None = None) -> Distribution:
        """From the class and value of every row (each row counting ``weights`` records, or one)."""
        return _grouped(np.asarray(row_class, dtype=np.int64), np.asarray(row_value, dtype=np.int64),
                        weights, n_classes, n_values)

    def rolled_up(self, inverse: np.ndarray, n_groups: int) -> Distribution:
        """The distribution after class ``i`` was merged into group ``inverse[i]``."""
        return _grouped(inverse[self.cls], self.value, self.count, n_groups, self.n_values)

    # -- per-class figures ------------------------------------------------------------------
    @property
    def starts(self) -> np.ndarray:
        """Index of the first triple of each class (``n_classes + 1`` entries)."""
        if self._starts is None:
            self._starts = np.searchsorted(self.cls, np.arange(self.n_classes + 1))
        return self._starts

    def sizes(self) -> np.ndarray:
        """Records per class."""
        return np.bincount(self.cls, weights=self.count, minlength=self.n_classes).astype(np.int64)

    def distinct(self) -> np.ndarray:
        """Number of distinct values per class."""
        return np.bincount(self.cls, minlength=self.n_classes)

    def per_class_sum(self, terms: np.ndarray) -> np.ndarray:
        """Sum of one term per triple, per class."""
        return np.bincount(self.cls, weights=terms, minlength=self.n_classes)

    def per_class_max(self, terms: np.ndarray, empty: float = -np.inf) -> np.ndarray:
        """Largest term per class (``empty`` for a class without triples)."""
        return self._reduce(np.maximum, terms, empty)

    def _reduce(self, ufunc, terms: np.ndarray, empty: float) -> np.ndarray:
        result = np.full(self.n_classes, empty, dtype=float)
        if len(terms):
            starts = self.starts
            nonempty = starts[1:] > starts[:-1]
            result[nonempty] = ufunc.reduceat(np.asarray(terms, dtype=float), starts[:-1][nonempty])
        return result

    def dense_blocks(self, max_cells: int = 1 << 22) -> Iterator[tuple[int, np.ndarray]]:
        """The counts as dense ``(classes × n_values)`` float blocks: ``(first class, block)``."""
        rows = max(1, max_cells // max(self.n_values, 1))
        starts = self.starts
        for first in range(0, self.n_classes, rows):
            last = min(first + rows, self.n_classes)
            lo, hi = starts[first], starts[last]
            block = np.zeros((last - first, self.n_values))
            block[self.cls[lo:hi] - first, self.value[lo:hi]] = self.count[lo:hi]
            yield first, block


def _grouped(row_class: np.ndarray, row_value: np.ndarray, weights: np.ndarray | None,
             n_classes: int, n_values: int) -> Distribution:
    n_values = max(int(n_values), 1)
    space = int(n_classes) * n_values
    if space <= _DENSE_LIMIT and space <= _DENSE_FACTOR * max(len(row_class), 1):
        dense = np.bincount(row_class * n_values + row_value, weights=weights, minlength=space)
        present = np.flatnonzero(dense > 0)  # (faster on booleans than on numbers)
        cls, value = np.divmod(present, n_values)
        return Distribution(cls, value, dense[present].astype(np.int64), n_classes, n_values)
    if n_classes <= 1 << 16 and n_values <= 1 << 16:
        # two stable radix sorts on 16-bit keys (value, then class): linear, unlike a sort of
        # the combined keys
        by_value = np.argsort(row_value.astype(np.uint16), kind="stable")
        order = by_value[np.argsort(row_class[by_value].astype(np.uint16), kind="stable")]
    else:
        order = np.argsort(row_class * n_values + row_value, kind="stable")
    cls, value = row_class[order], row_value[order]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = (cls[1:] != cls[:-1]) | (value[1:] != value[:-1])
    first = np.flatnonzero(starts)
    counts = np.add.reduceat(weights[order] if weights is not None else np.ones(len(order)), first) if len(order) else np.zeros(0)
    return Distribution(cls[first], value[first], counts.astype(np.int64), n_classes, n_values)


class ClassStatistics:
    """What a privacy model may look at: the equivalence classes of one transformation.

    Attributes
    ----------
    sizes
        Number of records in each equivalence class (int64, one entry per class).
    n_records
        Number of records in the table (all classes together).
    distributions
        Sensitive attribute → its values in each class (:class:`~eucaim_wizard.engine.distribution.Distribution`).
    domains
        Sensitive attribute → :class:`~eucaim_wizard.engine.encoding.SensitiveDomain`.
    tiebreak
        Keys ordering classes of equal size (see :mod:`.risk_based`).
    """

    __slots__ = ("sizes", "n_records", "distributions", "domains", "_tiebreak")

    def __init__(self, sizes: np.ndarray, n_records: int, distributions: dict | None = None,
                 domains: dict[str, SensitiveDomain] | None = None,
                 tiebreak: list[np.ndarray] | Callable[[], list[np.ndarray]] | None = None):
        self.sizes = sizes
        self.n_records = int(n_records)
        self.distributions = distributions if distributions is not None else {}  # (a lazy view: no len())
        self.domains = domains or {}
        self._tiebreak = tiebreak

    @property
    def tiebreak(self) -> list[np.ndarray]:
        """Keys that order classes of equal size for suppression by a dataset-level model,
        most significant first (ARX: the class's information loss, then its first record);
        computed on first use."""
        if callable(self._tiebreak):
            self._tiebreak = self._tiebreak()
        return self._tiebreak or []

    def distribution(self, name: str):
        """The distribution of sensitive attribute ``name`` (a bug if it was not prepared)."""
        try:
            return self.distributions[name], self.domains[name]
        except KeyError:
            raise RuntimeError(f"the class statistics hold no distribution of {name!r}") from None
