"""Precision: generalization intensity, ARX's definition."""

from __future__ import annotations

import numpy as np

from ..engine.classes import ClassTable
from ..engine.encoding import EncodedAttribute
from .base import _MultiDimensional, aggregate


class Precision(_MultiDimensional):
    """Precision (generalization intensity): the level relative to the hierarchy's height.

    Per attribute ``((U·l/h)·g + S·s)/n`` with ``U`` records kept, ``S`` suppressed, level
    ``l`` of a hierarchy of height ``h``; the monotonic variant ignores suppression,
    ``(l/h)·g``.  Arithmetic mean over attributes by default.

    References
    ----------
    L. Sweeney, "Achieving k-anonymity privacy protection using generalization and
    suppression", IJUFKS 10(5), 2002.  ARX: ``MetricMDNMPrecision``, ``MetricMDPrecision``.
    """

    from_counts = True

    def __init__(self, *args, monotonic_variant: bool = False, **kwargs):
        self.variant_monotonic = monotonic_variant
        self.monotonic_with_suppression = monotonic_variant
        super().__init__(*args, **kwargs)
        self.exact_bound = monotonic_variant or self.s >= self.g

    @property
    def label(self) -> str:  # type: ignore[override]
        return "Precision (monotonic)" if self.variant_monotonic else f"Precision ({self.gs_factor})"

    def _value(self, attribute: EncodedAttribute, level: int) -> float:
        height = attribute.hierarchy.n_levels - 1
        return 0.0 if height == 0 else level / height

    def level_bounds(self, a: int, attribute: EncodedAttribute) -> np.ndarray:
        values = np.array([self._value(attribute, level) for level in range(attribute.n_levels)]) * self.g
        return values if self.variant_monotonic else np.minimum(values, self.s)

    def scores(self, classes: ClassTable, ok: np.ndarray) -> np.ndarray:
        return self._scores(classes.levels, float(classes.sizes[ok].sum()))

    def loss_from_counts(self, levels: tuple[int, ...], suppressed: int, kept_classes: int,
                         classes: int, kept_squares: int) -> float:
        return aggregate(self._scores(levels, self.n - suppressed), self.weights, self.how)

    def _scores(self, levels, kept: float) -> np.ndarray:
        """Per attribute, from the levels and the records kept (a whole number as a float)."""
        result = np.empty(len(levels))
        suppressed = self.n - kept
        for a, (attribute, level) in enumerate(zip(self.frequency.attributes, levels)):
            value = self._value(attribute, level)
            if self.variant_monotonic:
                result[a] = value * self.g
            else:
                result[a] = ((kept * value) * self.g + suppressed * self.s) / self.n
        return result
