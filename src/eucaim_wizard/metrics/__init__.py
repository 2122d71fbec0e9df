"""Information-loss models, with ARX's definitions so that scores compare one to one.

Every model gives two things to the search:

* ``bound``: for every lattice node, a lower bound of its information loss that ignores
  suppression and never decreases under generalization;
* ``loss(classes, ok)``: the information loss of a node from its equivalence classes and the
  per-class verdicts (``ok[c]`` False: class ``c`` is suppressed).

The multi-dimensional models (Loss, Precision, Height, non-uniform entropy) score each
quasi-identifier separately and aggregate the per-attribute scores with the attribute weights
(ARX's aggregate functions).  Their bound is, per attribute, the cheaper of generalizing and
suppressing every record; where suppression never costs less, it is the exact loss of a node
that suppresses nothing, which lets the search settle such nodes without evaluating them.

All definitions, factors, normalisations and the rounding follow ARX 3.9
(``org.deidentifier.arx.metric.v2``), so that scores compare one to one with ARX's.
"""

from __future__ import annotations

from ..engine.classes import FrequencyTable
from ..engine.lattice import Lattice
from .aecs import AECS
from .base import (AGGREGATES, METRICS, Metric, MetricConfig, aggregate, aggregate_each, aggregate_levels, arx_round,
                   generalization_factor, normalised_weights, parse_metric, suppression_factor)
from .discernibility import Discernibility
from .entropy import NonUniformEntropy
from .height import Height
from .loss import Loss
from .precision import Precision


def build_metric(config: MetricConfig, frequency: FrequencyTable, lattice: Lattice, weights: list[float],
                 suppression_limit: float = 0.0) -> Metric:
    """The metric object of ``config`` for this frequency table and lattice."""
    args = (frequency, lattice, weights, config)
    if config.name == "loss":
        return Loss(*args, suppression_limit=suppression_limit)
    if config.name == "precision":
        return Precision(*args, suppression_limit=suppression_limit, monotonic_variant=config.monotonic)
    if config.name == "height":
        return Height(*args, suppression_limit=suppression_limit)
    if config.name == "entropy":
        return NonUniformEntropy(*args, suppression_limit=suppression_limit, monotonic_variant=config.monotonic)
    if config.name == "discernibility":
        return Discernibility(frequency, lattice, suppression_limit, config.monotonic)
    return AECS(frequency, lattice, config, suppression_limit)


__all__ = ["AECS", "AGGREGATES", "METRICS", "Discernibility", "Height", "Loss", "Metric", "MetricConfig",
           "NonUniformEntropy", "Precision", "aggregate", "aggregate_each", "aggregate_levels", "arx_round",
           "build_metric", "generalization_factor", "normalised_weights", "parse_metric", "suppression_factor"]
