"""Non-uniform entropy, ARX's definition."""

from __future__ import annotations

import numpy as np

from ..engine.classes import ClassTable
from ..engine.encoding import EncodedAttribute
from .base import _MultiDimensional, arx_round


class NonUniformEntropy(_MultiDimensional):
    """Non-uniform entropy: the information an attribute's generalization takes away.

    Per attribute ``−g·Σ_v a_v·log2(a_v/b_v)`` over the original values ``v`` (``a_v`` records
    with ``v``, ``b_v`` records with ``v``'s generalization); the non-monotonic variant adds
    ``−s·Σ_w c_w·log2(c_w/S)`` over the generalized values ``w`` of the ``S`` suppressed records.
    Rounded down to 10 decimals; summed over attributes.

    References
    ----------
    A. Gionis, T. Tassa, "k-anonymization with minimal loss of information", IEEE TKDE
    21(2):206–219, 2009.  ARX: ``MetricMDNUEntropyPrecomputed``, ``MetricMDNUNMEntropyPrecomputed``.
    """

    exact_bound = True

    def __init__(self, *args, monotonic_variant: bool = False, **kwargs):
        self.variant_monotonic = monotonic_variant
        self.monotonic_with_suppression = monotonic_variant
        self.raw: list[np.ndarray] = []  # per attribute and level: g·Σ a·log2(a/b)
        super().__init__(*args, **kwargs)

    @property
    def label(self) -> str:  # type: ignore[override]
        return "Non-uniform entropy" + (" (monotonic)" if self.variant_monotonic else "")

    def level_bounds(self, a: int, attribute: EncodedAttribute) -> np.ndarray:
        import math

        base = self.frequency.base
        counts = np.bincount(base.codes[a], weights=base.sizes, minlength=attribute.domain_size(0))
        # ARX sums in dictionary order: the order of first appearance in the data column
        _, first = np.unique(attribute.codes, return_index=True)
        order = np.unique(attribute.codes)[np.argsort(first)]
        log2 = math.log(2)
        raw = np.zeros(attribute.n_levels)
        for level in range(attribute.n_levels):
            up = attribute.up(0, level)
            general = np.bincount(up, weights=counts, minlength=attribute.domain_size(level))
            total = 0.0
            for value in order:
                a_v = counts[value]
                if a_v > 0:
                    total += a_v * (math.log(a_v / general[up[value]]) / log2)
            raw[level] = total * self.g
        self.raw.append(raw)
        return arx_round(-raw) + 0.0

    def scores(self, classes: ClassTable, ok: np.ndarray) -> np.ndarray:
        import math

        result = np.empty(len(classes.levels))
        bad = ~ok
        suppressed = int(classes.sizes[bad].sum())
        for a, (codes, level) in enumerate(zip(classes.codes, classes.levels)):
            raw = self.raw[a][level]
            if suppressed and not self.variant_monotonic:
                per_value = np.bincount(codes[bad], weights=classes.sizes[bad])
                log2 = math.log(2)
                for c in per_value[per_value > 0]:
                    raw += c * (math.log(c / suppressed) / log2) * self.s
            result[a] = float(arx_round(-raw)) + 0.0
        return result
