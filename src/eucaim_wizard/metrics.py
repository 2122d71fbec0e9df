"""Information-loss models, with ARX's definitions so that scores compare one to one.

Every model gives two things to the search:

* ``bound``: for every lattice node, a lower bound of its information loss that ignores
  suppression and never decreases under generalization;
* ``loss(classes, ok)``: the information loss of a node from its equivalence classes and the
  per-class verdicts (``ok[c]`` False: class ``c`` is suppressed).

The multi-dimensional models (Loss, Precision, Height, non-uniform entropy) score each
quasi-identifier separately and aggregate the per-attribute scores with the attribute weights
(geometric mean by default, as ARX).  Their bound is the exact loss of a node that suppresses
nothing, which lets the search settle such nodes without evaluating them.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from .engine.classes import ClassTable, FrequencyTable
from .engine.lattice import Lattice

METRICS = ("loss", "precision", "height", "discernibility", "aecs", "entropy")
AGGREGATES = ("geometric-mean", "arithmetic-mean", "sum", "maximum")


class MetricConfig(BaseModel):
    """The information-loss model the search minimises, with its parameters.

    ``gs_factor`` weighs suppression against generalization as ARX does: 0.5 counts both
    alike; towards 0 suppression costs less, towards 1 generalization costs less.
    ``aggregate`` combines the per-attribute scores of multi-dimensional models.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Literal["loss", "precision", "height", "discernibility", "aecs", "entropy"] = "loss"
    gs_factor: float = Field(default=0.5, ge=0.0, le=1.0)
    aggregate: Literal["geometric-mean", "arithmetic-mean", "sum", "maximum"] = "geometric-mean"


def parse_metric(value: Any) -> MetricConfig:
    """The metric from the project file: ``loss`` or ``{loss: {gs_factor: 0.5}}``."""
    if isinstance(value, MetricConfig):
        return value
    if value is None:
        return MetricConfig()
    if isinstance(value, str):
        value = {value: {}}
    if isinstance(value, dict) and len(value) == 1:
        (name, params), = value.items()
        if name not in METRICS:
            raise ValueError(f"unknown metric {name!r}; known metrics: {', '.join(METRICS)}")
        if params is not None and not isinstance(params, dict):
            raise ValueError(f"parameters of {name} must be a mapping such as {{gs_factor: 0.5}}")
        return MetricConfig(name=name, **(params or {}))
    raise ValueError("must be a metric name such as `loss`, or `{loss: {gs_factor: 0.5}}`")


def generalization_factor(gs_factor: float) -> float:
    """ARX: weight of generalization given the gs-factor (1 up to 0.5, then falling to 0)."""
    return 1.0 if gs_factor <= 0.5 else 1.0 - 2.0 * (gs_factor - 0.5)


def suppression_factor(gs_factor: float) -> float:
    """ARX: weight of suppression given the gs-factor (rising to 1 at 0.5, then 1)."""
    return 2.0 * gs_factor if gs_factor <= 0.5 else 1.0


class Metric:
    """Base class: a node's information loss and a lower bound for every node."""

    label = ""
    #: the bound equals the loss of a node that suppresses nothing
    exact_bound = False
    bound: np.ndarray

    def loss(self, classes: ClassTable, ok: np.ndarray) -> float:  # pragma: no cover - abstract
        raise NotImplementedError


def aggregate(values: np.ndarray, weights: np.ndarray, how: str) -> np.ndarray:
    """Combine per-attribute scores (last axis) with attribute weights.

    ARX's aggregate functions: the geometric mean is taken of ``value + 1`` and 1 is
    subtracted again, so that one zero score does not make the whole product zero.
    """
    if how == "sum":
        return (values * weights).sum(axis=-1)
    if how == "maximum":
        return (values * weights).max(axis=-1)
    total = weights.sum()
    if how == "arithmetic-mean":
        return (values * weights).sum(axis=-1) / total
    return np.expm1((np.log1p(values) * weights).sum(axis=-1) / total)


def _weighted_sum(weights: np.ndarray, values: np.ndarray) -> float:
    """Σ weights·values without BLAS: a multi-threaded BLAS stalls on short vectors when the
    other core is busy (measured: 5× slower searches under load)."""
    return float(np.add.reduce(weights * values))


def aggregate_levels(per_level: list[np.ndarray], levels: np.ndarray, weights: np.ndarray, how: str) -> np.ndarray:
    """:func:`aggregate` for every lattice node at once, from per-attribute scores per level.

    The per-level scores are transformed once (``w·log1p(v)`` for the geometric mean), so
    each node costs one gather and one addition per attribute.
    """
    n = len(levels)
    if not per_level:
        return np.zeros(n)
    if how == "maximum":
        result = np.full(n, -np.inf)
        for a, scores in enumerate(per_level):
            np.maximum(result, (scores * weights[a])[levels[:, a]], out=result)
        return result
    total = weights.sum()
    result = np.zeros(n)
    for a, scores in enumerate(per_level):
        if how == "geometric-mean":
            term = np.log1p(scores) * (weights[a] / total)
        elif how == "arithmetic-mean":
            term = scores * (weights[a] / total)
        else:
            term = scores * weights[a]
        result += term[levels[:, a]]
    return np.expm1(result) if how == "geometric-mean" else result


class _PerAttribute(Metric):
    """Multi-dimensional models: a per-attribute score from per-cell costs, then aggregation.

    Subclasses set ``cell[a][j]``: the cost (before normalisation) of one record whose value
    of attribute ``a`` is generalized to level ``j``, per code at that level; and
    ``suppressed_cost[a]``: the cost of a suppressed cell.  The per-attribute score of a node is
    ``(Σ cost − floor[a]) / (ceiling[a] − floor[a])``.
    """

    def __init__(self, frequency: FrequencyTable, lattice: Lattice, weights: list[float], config: MetricConfig):
        self.frequency = frequency
        self.weights = np.asarray(weights, dtype=float)
        self.how = config.aggregate
        self.g_factor = generalization_factor(config.gs_factor)
        self.s_factor = suppression_factor(config.gs_factor)
        self.cell: list[list[np.ndarray]] = []
        self.floor = np.zeros(len(frequency.attributes))
        self.ceiling = np.ones(len(frequency.attributes))
        self.setup()
        # per attribute and level: the score when nothing is suppressed
        base = frequency.base
        sizes = base.sizes.astype(float)
        self.per_level = []
        for a, attribute in enumerate(frequency.attributes):
            sums = [
                _weighted_sum(sizes, self.cell[a][level][attribute.up(0, level)[base.codes[a]]]) * self.g_factor
                for level in range(attribute.n_levels)
            ]
            self.per_level.append(self.normalise(a, np.asarray(sums)))
        self.bound = aggregate_levels(self.per_level, lattice.levels, self.weights, self.how)

    def setup(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def normalise(self, a: int, value):
        span = self.ceiling[a] - self.floor[a]
        return np.maximum((value - self.floor[a]) / span, 0.0) if span > 0 else value * 0.0

    def suppressed_cells(self, a: int, level: int, codes: np.ndarray, sizes: np.ndarray) -> float:
        """Cost of the suppressed records of classes with ``codes`` and ``sizes``."""
        return float(sizes.sum()) * self.s_factor

    def loss(self, classes: ClassTable, ok: np.ndarray) -> float:
        scores = np.empty(len(classes.levels))
        bad = ~ok
        any_bad = bool(bad.any())
        sizes = classes.sizes.astype(float)
        kept = sizes[ok] if any_bad else sizes
        for a, (codes, level) in enumerate(zip(classes.codes, classes.levels)):
            cost = self.cell[a][level]
            total = _weighted_sum(kept, cost[codes[ok] if any_bad else codes]) * self.g_factor
            if any_bad:
                total += self.suppressed_cells(a, level, codes[bad], sizes[bad])
            scores[a] = self.normalise(a, total)
        return float(aggregate(scores, self.weights, self.how))


class Loss(_PerAttribute):
    """ARX's Loss: Iyengar's generalized loss metric.

    A value generalized to a node of the hierarchy that covers ``m`` of the ``M`` leaves
    (level-0 values of the hierarchy) costs ``m / M``; a suppressed value costs 1.  Per
    attribute, the sum over records is normalised between ``n / M`` (nothing generalized) and
    ``n`` (everything generalized to the root).

    References
    ----------
    V. S. Iyengar, "Transforming data to satisfy privacy constraints", KDD 2002, 279–288.
    ARX: ``org.deidentifier.arx.metric.v2.MetricMDNMLoss``.
    """

    exact_bound = True

    def setup(self) -> None:
        n = self.frequency.n_records
        for a, attribute in enumerate(self.frequency.attributes):
            leaves = attribute.domain_size(0)
            shares = []
            for level in range(attribute.n_levels):
                covered = np.bincount(attribute.lookup[level], minlength=attribute.domain_size(level))
                shares.append(covered / leaves)
            self.cell.append(shares)
            self.floor[a] = n / leaves
            self.ceiling[a] = n

    @property
    def label(self) -> str:  # type: ignore[override]
        return "Loss"


def build_metric(config: MetricConfig, frequency: FrequencyTable, lattice: Lattice, weights: list[float]) -> Metric:
    """The metric object of ``config`` for this frequency table and lattice."""
    if config.name == "loss":
        return Loss(frequency, lattice, weights, config)
    raise NotImplementedError(f"metric {config.name}")
