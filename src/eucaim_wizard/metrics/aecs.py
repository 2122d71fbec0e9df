"""Average equivalence class size (AECS), ARX's definition."""

from __future__ import annotations

import numpy as np

from ..engine.classes import ClassTable, FrequencyTable
from ..engine.lattice import Lattice
from .base import Metric, MetricConfig, generalization_factor, most_classes, suppression_factor


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
        groups = most_classes(frequency, lattice) * self.class_factor + self.suppressed_factor
        with np.errstate(divide="ignore"):
            self.bound = np.where(groups > 0, self.n / np.maximum(groups, 1e-300), np.inf)

    def loss(self, classes: ClassTable, ok: np.ndarray) -> float:
        return self.loss_from_counts(classes.levels, 0, int(ok.sum()), len(ok), 0)

    def loss_from_counts(self, levels: tuple[int, ...], suppressed: int, kept_classes: int,
                         classes: int, kept_squares: int) -> float:
        # (a failing class holds a record: some class fails exactly when not all are kept)
        groups = float(kept_classes) * self.class_factor + (self.suppressed_factor if kept_classes < classes else 0.0)
        return self.n / groups if groups else float("inf")
