"""Average equivalence class size (AECS), ARX's definition."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from ..engine.classes import ClassTable, FrequencyTable
from ..engine.lattice import Lattice
from .base import (Metric, MetricConfig, generalization_factor, most_classes, most_classes_levels, most_classes_of,
                   suppression_factor)


class AECS(Metric):
    """Average equivalence class size: ``n / (#classes kept + 1 if anything is suppressed)``.

    References
    ----------
    K. LeFevre, D. J. DeWitt, R. Ramakrishnan, "Mondrian multidimensional k-anonymity",
    ICDE 2006.  ARX: ``MetricSDAECS`` (whose factors are swapped on purpose, as here).
    """

    weak_bound = True
    from_counts = True

    def __init__(self, frequency: FrequencyTable, lattice: Lattice, config: MetricConfig, suppression_limit: float):
        self.n = float(frequency.n_records)
        self.label = "AECS"
        self.monotonic = suppression_limit == 0
        self.class_factor = suppression_factor(config.gs_factor)
        self.suppressed_factor = generalization_factor(config.gs_factor)
        # a node keeps at most all its classes (and counts the suppressed as one more group):
        # n / (most classes · class factor + suppressed factor), monotone as classes merge
        self._frequency, self._lattice = frequency, lattice

    @cached_property
    def bound(self) -> np.ndarray:  # type: ignore[override]
        """Every node's bound (made on first use: an array over the whole lattice)."""
        groups = most_classes(self._frequency, self._lattice) * self.class_factor + self.suppressed_factor
        with np.errstate(divide="ignore"):
            return np.where(groups > 0, self.n / np.maximum(groups, 1e-300), np.inf)

    def bound_of(self, node: int) -> float:
        if "bound" in self.__dict__:
            return float(self.bound[node])
        most = most_classes_of(self._frequency, self._levels, self._lattice.row(node))
        groups = most * self.class_factor + self.suppressed_factor
        return float(self.n / max(groups, 1e-300)) if groups > 0 else float("inf")

    @cached_property
    def _levels(self) -> list[np.ndarray]:
        return most_classes_levels(self._frequency)

    def loss(self, classes: ClassTable, ok: np.ndarray) -> float:
        return self.loss_from_counts(classes.levels, 0, int(ok.sum()), len(ok), 0)

    def loss_from_counts(self, levels: tuple[int, ...], suppressed: int, kept_classes: int,
                         classes: int, kept_squares: int) -> float:
        # (a failing class holds a record: some class fails exactly when not all are kept)
        groups = float(kept_classes) * self.class_factor + (self.suppressed_factor if kept_classes < classes else 0.0)
        return self.n / groups if groups else float("inf")
