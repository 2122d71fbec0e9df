"""Discernibility (DM and DM*), ARX's definition."""

from __future__ import annotations

import numpy as np

from ..engine.classes import ClassTable, FrequencyTable
from ..engine.lattice import Lattice
from .base import Metric, most_classes


class Discernibility(Metric):
    """Discernibility: every record costs the size of its class; a suppressed record costs n.

    ``Σ_kept c² + n·Σ_suppressed c``; the monotonic variant DM* is ``Σ c²`` over all classes.

    References
    ----------
    R. J. Bayardo, R. Agrawal, "Data privacy through optimal k-anonymization", ICDE 2005.
    ARX: ``MetricSDNMDiscernability``, ``MetricSDDiscernability``.
    """

    weak_bound = True

    def __init__(self, frequency: FrequencyTable, lattice: Lattice, suppression_limit: float, monotonic_variant: bool):
        self.n = float(frequency.n_records)
        self.variant_monotonic = monotonic_variant
        self.from_counts = not monotonic_variant  # (DM* also squares the suppressed classes)
        self.monotonic = suppression_limit == 0 or monotonic_variant
        self.label = "Discernibility (DM*)" if monotonic_variant else "Discernibility"
        # DM ≥ DM* (n·c ≥ c²), and DM* only grows under generalization: the bottom's DM*
        # bounds every node; so does n²/m for a node of at most m classes (Σ c² over m
        # classes of n records is least when they are equal), which grows as classes merge.
        sizes = frequency.base.sizes.astype(float)
        bottom = float(np.add.reduce(sizes * sizes))
        self.bound = np.maximum(bottom, self.n * self.n / np.maximum(most_classes(frequency, lattice), 1.0))

    def loss(self, classes: ClassTable, ok: np.ndarray) -> float:
        sizes = classes.sizes.astype(float)
        if self.variant_monotonic:
            return float(np.add.reduce(sizes * sizes))
        return float(np.add.reduce(sizes[ok] * sizes[ok])) + self.n * float(np.add.reduce(sizes[~ok]))

    def loss_from_counts(self, levels: tuple[int, ...], suppressed: int, kept_classes: int,
                         classes: int, kept_squares: int) -> float | None:
        # (sizes are whole numbers, their squares' sums below 2**53: exact in either order)
        if not self.variant_monotonic:
            return float(kept_squares) + self.n * float(suppressed)
        return float(kept_squares) if suppressed == 0 else None  # DM* also squares the suppressed
