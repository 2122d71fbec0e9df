"""Average equivalence class size (AECS), ARX's definition."""

from __future__ import annotations

import numpy as np

from ..engine.classes import ClassTable, FrequencyTable
from ..engine.lattice import Lattice
from .base import Metric, MetricConfig, generalization_factor, suppression_factor


class AECS(Metric):
    """Average equivalence class size: ``n / (#classes kept + 1 if anything is suppressed)``.

    References
    ----------
    K. LeFevre, D. J. DeWitt, R. Ramakrishnan, "Mondrian multidimensional k-anonymity",
    ICDE 2006.  ARX: ``MetricSDAECS`` (whose factors are swapped on purpose, as here).
    """

    def __init__(self, frequency: FrequencyTable, lattice: Lattice, config: MetricConfig, suppression_limit: float):
        self.n = float(frequency.n_records)
        self.label = "AECS"
        self.monotonic = suppression_limit == 0
        self.class_factor = suppression_factor(config.gs_factor)
        self.suppressed_factor = generalization_factor(config.gs_factor)
        # generalizing only merges classes, so no node has more classes than the bottom
        bottom = len(frequency.base.sizes) * max(self.class_factor, self.suppressed_factor, 1e-300)
        self.bound = np.full(lattice.size, self.n / bottom if bottom else 0.0)

    def loss(self, classes: ClassTable, ok: np.ndarray) -> float:
        return self.loss_from_counts(classes.levels, 0, int(ok.sum()), len(ok))

    def loss_from_counts(self, levels: tuple[int, ...], suppressed: int, kept_classes: int,
                         classes: int) -> float:
        # (a failing class holds a record: some class fails exactly when not all are kept)
        groups = float(kept_classes) * self.class_factor + (self.suppressed_factor if kept_classes < classes else 0.0)
        return self.n / groups if groups else float("inf")
