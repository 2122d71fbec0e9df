"""Discernibility (DM and DM*), ARX's definition."""

from __future__ import annotations

import numpy as np

from ..engine.classes import ClassTable, FrequencyTable
from ..engine.lattice import Lattice
from .base import Metric


class Discernibility(Metric):
    """Discernibility: every record costs the size of its class; a suppressed record costs n.

    ``Σ_kept c² + n·Σ_suppressed c``; the monotonic variant DM* is ``Σ c²`` over all classes.

    References
    ----------
    R. J. Bayardo, R. Agrawal, "Data privacy through optimal k-anonymization", ICDE 2005.
    ARX: ``MetricSDNMDiscernability``, ``MetricSDDiscernability``.
    """

    def __init__(self, frequency: FrequencyTable, lattice: Lattice, suppression_limit: float, monotonic_variant: bool):
        self.n = float(frequency.n_records)
        self.variant_monotonic = monotonic_variant
        self.monotonic = suppression_limit == 0 or monotonic_variant
        self.label = "Discernibility (DM*)" if monotonic_variant else "Discernibility"
        # DM ≥ DM* (n·c ≥ c²), and DM* only grows under generalization: the bottom's DM*
        # bounds every node.
        sizes = frequency.base.sizes.astype(float)
        self.bound = np.full(lattice.size, float(np.add.reduce(sizes * sizes)))

    def loss(self, classes: ClassTable, ok: np.ndarray) -> float:
        sizes = classes.sizes.astype(float)
        if self.variant_monotonic:
            return float(np.add.reduce(sizes * sizes))
        return float(np.add.reduce(sizes[ok] * sizes[ok])) + self.n * float(np.add.reduce(sizes[~ok]))
