"""What every information-loss model shares: the metric settings of the project file,
ARX's gs-factor and rounding, the attribute weights and aggregate functions, and the
:class:`Metric` interface the search uses."""

from __future__ import annotations

from functools import cached_property
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..engine.classes import ClassTable, FrequencyTable
from ..engine.encoding import EncodedAttribute
from ..engine.lattice import Lattice


METRICS = ("loss", "precision", "height", "discernibility", "aecs", "entropy")
AGGREGATES = ("geometric-mean", "arithmetic-mean", "sum", "maximum")


class MetricConfig(BaseModel):
    """The information-loss model the search minimises, with its parameters.

    ``gs_factor`` weighs suppression against generalization as ARX does: 0.5 counts both
    alike; towards 0 suppression costs less, towards 1 generalization costs less.
    ``aggregate`` combines the per-attribute scores of multi-dimensional models (default:
    geometric mean for Loss, arithmetic mean for Precision, sum for Height and entropy, as
    ARX).  ``monotonic`` selects the variants of Precision, Discernibility and non-uniform
    entropy that ignore suppression (ARX's monotonic metrics, DM* for Discernibility).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Literal["loss", "precision", "height", "discernibility", "aecs", "entropy"] = "loss"
    gs_factor: float = Field(default=0.5, ge=0.0, le=1.0, strict=True)
    aggregate: Literal["geometric-mean", "arithmetic-mean", "sum", "maximum"] | None = None
    monotonic: bool = False

    @property
    def aggregate_function(self) -> str:
        if self.aggregate is not None:
            return self.aggregate
        return {"loss": "geometric-mean", "precision": "arithmetic-mean"}.get(self.name, "sum")


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
    """ARX's weight of generalization for a gs-factor: 1 up to 0.5, then falling to 0."""
    return 1.0 if gs_factor <= 0.5 else 1.0 - 2.0 * (gs_factor - 0.5)


def suppression_factor(gs_factor: float) -> float:
    """ARX's weight of suppression for a gs-factor: rising from 0 to 1 below 0.5, then 1."""
    return 2.0 * gs_factor if gs_factor < 0.5 else 1.0


def arx_round(value):
    """ARX's rounding of per-attribute scores (Loss, entropy): down to 10 decimals."""
    return np.floor(np.asarray(value, dtype=float) * 1e10) / 1e10


def normalised_weights(weights: list[float]) -> np.ndarray:
    """ARX divides the attribute weights by the largest (all 1 when the largest is 0)."""
    w = np.asarray(weights, dtype=float)
    top = w.max() if len(w) else 0.0
    return w / top if top > 0 else np.ones_like(w)


def _geometric_base(values, weight):
    """One attribute's factor base in ARX's weighted geometric mean: ``v·w + 1`` (the weight
    scales the score, so a score in [0, 1] with a weight in [0, 1] keeps the mean in [0, 1])."""
    return values * weight + 1.0


def aggregate(values, weights: np.ndarray, how: str) -> float:
    """Combine per-attribute scores as ARX's aggregate functions do, in attribute order.

    ``sum``: Σ v·w; ``arithmetic-mean``: Σ (v/n)·w; ``geometric-mean``:
    Π (v·w + 1)^(1/n) − 1; ``maximum``: max v·w (``w``: the normalised attribute weights).

    References
    ----------
    ARX 3.9: ``ILMultiDimensionalSum``, ``ILMultiDimensionalArithmeticMean``,
    ``ILMultiDimensionalGeometricMean`` (the weighted form since ARX's 2015 fix of the
    geometric mean with weights), ``ILMultiDimensionalMax``.
    """
    if len(values) == 0:
        return 0.0
    return float(aggregate_each([np.array([float(v)]) for v in values], weights, how)[0])


def aggregate_each(values: list[np.ndarray], weights: np.ndarray, how: str) -> np.ndarray:
    """:func:`aggregate` of many items at once (``values[a]``: attribute ``a``'s score of each
    item), attribute after attribute in order, element by element (as ARX's loops add)."""
    n = len(values)
    if how == "maximum":
        return np.maximum.reduce([v * w for v, w in zip(values, weights)], axis=0)
    result = np.ones(len(values[0])) if how == "geometric-mean" else np.zeros(len(values[0]))
    for v, w in zip(values, weights):
        if how == "geometric-mean":
            result = result * _geometric_base(v, w) ** (1.0 / n)
        elif how == "arithmetic-mean":
            result = result + (v / n) * w
        else:
            result = result + v * w
    return result - 1.0 if how == "geometric-mean" else result


def aggregate_levels(per_level: list[np.ndarray], lattice: Lattice, weights: np.ndarray, how: str) -> np.ndarray:
    """:func:`aggregate` for every lattice node at once, from per-attribute scores per level
    (the geometric mean as a sum of logarithms)."""
    n = len(per_level)
    if n == 0:
        return np.zeros(lattice.size)
    if how == "maximum":
        return lattice.combine([np.asarray(scores) * weights[a] for a, scores in enumerate(per_level)], np.maximum)
    if how == "geometric-mean":
        terms = [np.log(_geometric_base(np.asarray(scores), weights[a])) / n for a, scores in enumerate(per_level)]
    elif how == "arithmetic-mean":
        terms = [(np.asarray(scores) / n) * weights[a] for a, scores in enumerate(per_level)]
    else:
        terms = [np.asarray(scores) * weights[a] for a, scores in enumerate(per_level)]
    result = lattice.combine(terms, np.add)
    return np.expm1(result) if how == "geometric-mean" else result


def aggregate_row(per_level: list[np.ndarray], levels: list[int], weights: np.ndarray, how: str) -> float:
    """:func:`aggregate_levels` for one node (its ``levels``), in the same order of operations,
    so that the value is the same to the last bit."""
    n = len(per_level)
    if n == 0:
        return 0.0
    if how == "maximum":
        values = [float(np.float64(per_level[a][level]) * weights[a]) for a, level in enumerate(levels)]
        result = values[0]
        for value in values[1:]:
            result = max(result, value)
        return float(result)
    if how == "geometric-mean":
        terms = [np.log(_geometric_base(np.float64(per_level[a][level]), weights[a])) / n for a, level in enumerate(levels)]
    elif how == "arithmetic-mean":
        terms = [(np.float64(per_level[a][level]) / n) * weights[a] for a, level in enumerate(levels)]
    else:
        terms = [np.float64(per_level[a][level]) * weights[a] for a, level in enumerate(levels)]
    result = terms[0]
    for term in terms[1:]:
        result = result + term
    return float(np.expm1(result)) if how == "geometric-mean" else float(result)


def most_classes_levels(frequency: FrequencyTable) -> list[np.ndarray]:
    """Per quasi-identifier and level, the number of distinct labels its values take (the
    factors of :func:`most_classes`)."""
    base = frequency.base
    per_level = []
    for a, attribute in enumerate(frequency.attributes):
        present = np.unique(base.codes[a]) if base.n_classes else np.zeros(0, dtype=np.int64)
        per_level.append(np.array([len(np.unique(attribute.up(0, level)[present])) if level else len(present)
                                   for level in range(attribute.n_levels)], dtype=float))
    return per_level


def most_classes_of(frequency: FrequencyTable, per_level: list[np.ndarray], levels: list[int]) -> float:
    """:func:`most_classes` for one node."""
    product = 1.0
    for a, level in enumerate(levels):
        product *= per_level[a][level]
    return min(product, float(frequency.base.n_classes))


def most_classes(frequency: FrequencyTable, lattice: Lattice) -> np.ndarray:
    """For every lattice node, at most how many equivalence classes it has: the product of
    the number of distinct labels each quasi-identifier's values of the table take at the
    node's level, and never more than the table's distinct rows (generalizing only merges
    classes).  Non-increasing under generalization, so a loss that falls with the number of
    classes has a lower bound that is monotone (AECS, Discernibility).
    """
    # products of whole numbers are exact below 2**53; above, they exceed the table's rows anyway
    return np.minimum(lattice.combine(most_classes_levels(frequency), np.multiply), float(frequency.base.n_classes))


class Metric:
    """Base class: a node's information loss and a lower bound for every node.

    Attributes
    ----------
    bound
        Lower bound of the loss of every lattice node, monotone under generalization.
    suppressing_bound
        Lower bound of the loss of every node that suppresses at least one record (or None):
        with Loss, suppressing a record always costs something, so where generalizing costs
        nothing (``gs_factor`` 1) the many transformations tied at loss 0 are told apart from
        those that must suppress without evaluating them.
    exact_bound
        The bound equals the loss of a node that suppresses nothing.
    monotonic
        Among anonymous nodes the loss never decreases under generalization, so nothing
        above an anonymous node can be better (ARX's ``isMonotonic(suppressionLimit)``).
    """

    label = ""
    exact_bound = False
    #: the bound depends on little but the number of classes and prunes few nodes that
    #: suppress records (AECS, Discernibility): a search that may suppress evaluates the
    #: whole lattice in compiled code early (:class:`~eucaim_wizard.engine.evaluator.Evaluator`)
    weak_bound = False
    #: :meth:`loss_from_counts` scores every node (a listing of the lattice may then be
    #: evaluated in compiled code)
    from_counts = False
    monotonic = False
    bound: np.ndarray
    #: for every node, a lower bound of the loss of the node if it suppresses at least one
    #: record (None: the metric gives none beyond ``bound``)
    suppressing_bound: np.ndarray | None = None

    def loss(self, classes: ClassTable, ok: np.ndarray) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def bound_of(self, node: int) -> float:
        """``bound[node]``, computed for this node alone where the metric can (a best-effort
        search of a lattice too large for per-node arrays reads only this)."""
        return float(self.bound[node])

    def loss_from_counts(self, levels: tuple[int, ...], suppressed: int, kept_classes: int,
                         classes: int, kept_squares: int) -> float | None:
        """The loss of a node from its levels and counts alone, where the metric needs no more
        (Precision, Height, AECS, Discernibility): the same value :meth:`loss` gives on the
        node's classes, so that a node judged by the compiled sweep is scored without grouping
        its classes.  The counts: records suppressed, classes kept, classes, and Σ size² over
        the kept classes.  ``None``: the metric needs the classes."""
        return None

    def flat_shares(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The per-label shares the compiled sweep sums for this metric (Loss), or None: the
        sweep then judges the nodes and the metric scores them itself."""
        return None

    def class_losses(self, classes: ClassTable) -> np.ndarray | None:
        """The information loss of each class on its own, for metrics that define one (ARX
        orders classes of equal size by it when a dataset-level model suppresses); else None."""
        return None


class _MultiDimensional(Metric):
    """A score per quasi-identifier, aggregated with the normalised attribute weights."""

    monotonic_with_suppression = False

    def __init__(self, frequency: FrequencyTable, lattice: Lattice, weights: list[float],
                 config: MetricConfig, suppression_limit: float):
        self.frequency = frequency
        self.n = float(frequency.n_records)
        self.weights = normalised_weights(weights)
        self.how = config.aggregate_function
        self.gs_factor = config.gs_factor
        self.g = generalization_factor(config.gs_factor)
        self.s = suppression_factor(config.gs_factor)
        self.monotonic = suppression_limit == 0 or self.monotonic_with_suppression
        self._per_level = [self.level_bounds(a, attribute) for a, attribute in enumerate(frequency.attributes)]
        self._bound_lattice = lattice

    @cached_property
    def bound(self) -> np.ndarray:  # type: ignore[override]
        """Every node's bound (made on first use: an array over the whole lattice)."""
        return aggregate_levels(self._per_level, self._bound_lattice, self.weights, self.how)

    def bound_of(self, node: int) -> float:
        if "bound" in self.__dict__:
            return float(self.bound[node])
        return aggregate_row(self._per_level, self._bound_lattice.row(node), self.weights, self.how)

    def level_bounds(self, a: int, attribute: EncodedAttribute) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def scores(self, classes: ClassTable, ok: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def loss(self, classes: ClassTable, ok: np.ndarray) -> float:
        return aggregate(self.scores(classes, ok), self.weights, self.how)
