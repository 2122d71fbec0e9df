"""Height: the sum of the levels, ARX's definition."""

from __future__ import annotations

import numpy as np

from ..engine.classes import ClassTable
from ..engine.encoding import EncodedAttribute
from .base import _MultiDimensional, aggregate


class Height(_MultiDimensional):
    """Height: the sum of the generalization levels (ARX ``MetricMDHeight``)."""

    exact_bound = True
    from_counts = True
    monotonic_with_suppression = True
    label = "Height"

    def level_bounds(self, a: int, attribute: EncodedAttribute) -> np.ndarray:
        return np.arange(attribute.n_levels, dtype=float)

    def scores(self, classes: ClassTable, ok: np.ndarray) -> np.ndarray:
        return np.asarray(classes.levels, dtype=float)

    def loss_from_counts(self, levels: tuple[int, ...], suppressed: int, kept_classes: int,
                         classes: int, kept_squares: int) -> float:
        return aggregate(np.asarray(levels, dtype=float), self.weights, self.how)
