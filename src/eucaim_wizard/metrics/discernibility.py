"""Discernibility (DM and DM*), ARX's definition."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from ..engine.classes import ClassTable, FrequencyTable
from ..engine.lattice import Lattice
from .base import Metric, most_classes, most_classes_levels, most_classes_of


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
        self._bottom = float(np.add.reduce(sizes * sizes))
        self._frequency, self._lattice = frequency, lattice

    @cached_property
    def bound(self) -> np.ndarray:  # type: ignore[override]
        """Every node's bound (made on first use: an array over the whole lattice)."""
        return np.maximum(self._bottom, self.n * self.n / np.maximum(most_classes(self._frequency, self._lattice), 1.0))

    def bound_of(self, node: int) -> float:
        if "bound" in self.__dict__:
            return float(self.bound[node])
        most = most_classes_of(self._frequency, self._levels, self._lattice.row(node))
        return float(max(self._bottom, self.n * self.n / max(most, 1.0)))

    @cached_property
    def _levels(self) -> list[np.ndarray]:
        return most_classes_levels(self._frequency)

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
