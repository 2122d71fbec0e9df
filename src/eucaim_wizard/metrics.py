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

import math

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from .engine.classes import ClassTable, FrequencyTable
from .engine.encoding import EncodedAttribute
from .engine.lattice import Lattice

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
    gs_factor: float = Field(default=0.5, ge=0.0, le=1.0)
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
    monotonic = False
    bound: np.ndarray
    #: for every node, a lower bound of the loss of the node if it suppresses at least one
    #: record (None: the metric gives none beyond ``bound``)
    suppressing_bound: np.ndarray | None = None

    def loss(self, classes: ClassTable, ok: np.ndarray) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

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
        per_level = [self.level_bounds(a, attribute) for a, attribute in enumerate(frequency.attributes)]
        self.bound = aggregate_levels(per_level, lattice, self.weights, self.how)

    def level_bounds(self, a: int, attribute: EncodedAttribute) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def scores(self, classes: ClassTable, ok: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def loss(self, classes: ClassTable, ok: np.ndarray) -> float:
        return aggregate(self.scores(classes, ok), self.weights, self.how)


def _label_shares(attribute: EncodedAttribute) -> list[np.ndarray]:
    """Per level, the share of the hierarchy's rows that carry each label (in code order)."""
    rows = attribute.hierarchy.table
    shares = []
    for level in range(attribute.n_levels):
        counts: dict[str, int] = {}
        for label in rows[:, level]:
            counts[label] = counts.get(label, 0) + 1
        share = np.array([counts[label] for label in attribute.labels[level]], dtype=float) / len(rows)
        share.flags.writeable = False
        shares.append(share)
    return shares


def _value_shares(attribute: EncodedAttribute, shares: list[np.ndarray]) -> np.ndarray:
    """Per level (rows) and level-0 value (columns): the share of the value's label."""
    by_value = np.array([shares[level][attribute.up(0, level)] for level in range(attribute.n_levels)])
    by_value.flags.writeable = False
    return by_value


class Loss(_MultiDimensional):
    """ARX's Loss: Iyengar's generalized loss metric, with ARX's gs-factor and rounding.

    A value generalized to a label that ``m`` of the hierarchy's ``M`` rows carry costs
    ``g·m/M`` (generalization factor ``g``); a suppressed value costs
    ``m/M + s·(1 − m/M)`` (suppression factor ``s``; 1 when ``s = 1``).  Per attribute the sum
    over records is normalised between ``g·n/M`` and ``n``, clipped at 0 and rounded down to
    10 decimals; attributes are aggregated by the geometric mean by default.

    References
    ----------
    V. S. Iyengar, "Transforming data to satisfy privacy constraints", KDD 2002, 279–288.
    ARX: ``MetricMDNMLoss``, ``DomainShareMaterialized``.
    """

    exact_bound = True

    def __init__(self, frequency: FrequencyTable, *args, **kwargs):
        self.shares: list[list[np.ndarray]] = []  # per attribute and level: share of each label
        self.domain = np.zeros(len(frequency.attributes))  # hierarchy rows per attribute
        self.totals: list[list[float]] = []  # per attribute and level: Σ size·share over all records
        self._flat: tuple[np.ndarray, np.ndarray] | None = None  # see flat_shares
        self._extra: list[np.ndarray] = []  # per attribute: least extra cost of one suppressed record, per level
        super().__init__(frequency, *args, **kwargs)
        lattice = args[0]
        per_level = [np.array([self._normalise_one(a, total * self.g + float(extra))
                               for total, extra in zip(self.totals[a], self._extra[a])])
                     for a in range(len(self.totals))]
        self.suppressing_bound = aggregate_levels(per_level, lattice, self.weights, self.how)

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"Loss ({self.gs_factor}/{self.g}/{self.s})"

    def level_bounds(self, a: int, attribute: EncodedAttribute) -> np.ndarray:
        rows = attribute.hierarchy.table
        self.domain[a] = len(rows)
        shares = attribute.hierarchy.derived("label-shares", lambda: _label_shares(attribute))
        self.shares.append(shares)
        # Σ records·share of each level-0 value's label, for every level at once
        by_value = attribute.hierarchy.derived("value-shares", lambda: _value_shares(attribute, shares))
        present = self.frequency.value_counts(a) > 0
        totals = np.add.reduce(self.frequency.value_counts(a).astype(float) * by_value, axis=1).tolist()
        self.totals.append(totals)
        # one record of value v suppressed instead of generalized adds 1 − g·share (s = 1) or
        # s + share·(1 − s − g): never negative; the least over the values of the data
        extra = 1.0 - self.g * by_value if self.s == 1.0 else self.s + by_value * (1.0 - self.s - self.g)
        self._extra.append(np.maximum(extra[:, present].min(axis=1), 0.0) if present.any() else np.zeros(len(totals)))
        # a suppressed value never costs less than the generalized one: the bound is exact
        return np.array([self._normalise_one(a, total * self.g) for total in totals])

    def scores(self, classes: ClassTable, ok: np.ndarray) -> np.ndarray:
        n_attributes = len(classes.levels)
        if n_attributes == 0:
            return np.empty(0)
        sizes = classes.sizes.astype(float)
        bad = ~ok
        any_bad = bool(bad.any())
        # one row per attribute (each row summed on its own, as the per-attribute sums were)
        share = np.empty((n_attributes, len(sizes)))
        for a, (codes, level) in enumerate(zip(classes.codes, classes.levels)):
            np.multiply(sizes, np.take(self.shares[a][level], codes), out=share[a])
        # (compress: the same arrays as indexing with the masks, 3-4x faster on many classes)
        totals = np.add.reduce(np.compress(ok, share, axis=1) if any_bad else share, axis=1) * self.g
        if any_bad:
            suppressed = np.compress(bad, sizes)
            if self.s == 1.0:
                totals = totals + float(np.add.reduce(suppressed))
            else:
                shared = np.compress(bad, share, axis=1)
                totals = totals + np.add.reduce(shared + self.s * (suppressed - shared), axis=1)
        result = np.empty(n_attributes)
        for a in range(n_attributes):
            result[a] = self._normalise_one(a, float(totals[a]))
        return result

    def loss_from_totals(self, classes: ClassTable, ok: np.ndarray, suppressed: int | None = None) -> float:
        """:meth:`loss` computed from the whole table's totals and the smaller of the kept and
        the suppressed classes (for listing every transformation): the same value up to
        rounding in the last place, which the rounding to 10 decimals may show as 1e-10 per attribute
        (added up by the ``sum`` aggregate).
        ``suppressed``: the records of the classes that are not ``ok``, when known."""
        n_attributes = len(classes.levels)
        if n_attributes == 0:
            return aggregate(np.empty(0), self.weights, self.how)
        bad = ~ok
        n_bad = int(bad.sum())
        use_kept = len(ok) - n_bad < n_bad
        rows = np.flatnonzero(ok if use_kept else bad)
        sizes = classes.sizes[rows].astype(float)
        if suppressed is None:
            suppressed = int(classes.sizes[bad].sum())
        # every attribute at once: the chosen classes' codes, offset into one table of shares
        flat, offsets = self.flat_shares()
        where = np.take(classes.codes, rows, axis=1) + offsets[np.arange(n_attributes), list(classes.levels)][:, None]
        partial = np.add.reduce(np.take(flat, where) * sizes, axis=1).tolist()
        return float(self.losses_from_parts(np.array([classes.levels]), np.array([partial]), np.array([use_kept]),
                                            np.array([suppressed]))[0])

    def losses_from_parts(self, levels: np.ndarray, parts: np.ndarray, use_kept: np.ndarray,
                          suppressed: np.ndarray) -> np.ndarray:
        """The loss of many transformations (rows) at once, from: their ``levels``; per
        attribute, Σ size·share over their kept classes (where ``use_kept``) or over their
        suppressed ones (else), ``parts``; and their ``suppressed`` records.  The other side
        is the whole table's total at the level minus that sum."""
        suppressed_records = np.asarray(suppressed, dtype=float)
        any_suppressed = suppressed_records > 0  # (a class that fails holds a record)
        values = []
        for a in range(levels.shape[1]):
            part = parts[:, a]
            rest = np.asarray(self.totals[a])[levels[:, a]] - part
            kept_share, bad_share = np.where(use_kept, part, rest), np.where(use_kept, rest, part)
            value = kept_share * self.g
            added = value + (suppressed_records if self.s == 1.0 else
                             bad_share + self.s * (suppressed_records - bad_share))
            values.append(self._normalise(a, np.where(any_suppressed, added, value)))
        return aggregate_each(values, self.weights, self.how)

    def flat_shares(self) -> tuple[np.ndarray, np.ndarray]:
        """Every attribute's shares per level in one array, and where each (attribute, level)
        starts in it."""
        if self._flat is None:
            n_levels = max((len(levels) for levels in self.shares), default=0)
            offsets = np.zeros((len(self.shares), max(n_levels, 1)), dtype=np.int64)
            parts, at = [], 0
            for a, levels in enumerate(self.shares):
                for level, share in enumerate(levels):
                    offsets[a, level] = at
                    parts.append(share)
                    at += len(share)
            self._flat = (np.concatenate(parts) if parts else np.zeros(0), offsets)
        return self._flat

    def class_losses(self, classes: ClassTable) -> np.ndarray:
        """Per class, ARX's aggregate of ``size · share`` over the attributes (not normalised)."""
        n = len(classes.levels)
        sizes = classes.sizes.astype(float)
        values = [sizes * np.take(self.shares[a][level], codes)
                  for a, (codes, level) in enumerate(zip(classes.codes, classes.levels))]
        return aggregate_each(values, self.weights, self.how) if n else np.zeros(len(sizes))

    def _normalise(self, a: int, totals: np.ndarray) -> np.ndarray:
        """:meth:`_normalise_one` of many sums: the same operations, element by element."""
        low, span = self._range(a)
        if span <= 0:
            return np.zeros(len(totals))
        return np.floor(np.maximum((totals - low) / span, 0.0) * 1e10) / 1e10

    def _normalise_one(self, a: int, total: float) -> float:
        """Attribute ``a``'s sum between its lowest ``g·n/M`` and ``n``, clipped at 0 and
        rounded down to 10 decimals as ARX does (0 when the attribute's span is empty)."""
        low, span = self._range(a)
        if span <= 0:
            return 0.0
        return math.floor(max((total - low) / span, 0.0) * 1e10) / 1e10

    def _range(self, a: int) -> tuple[float, float]:
        """Attribute ``a``'s lowest sum ``g·n/M`` and the span from it to ``n``."""
        low = self.g * self.n / self.domain[a]
        return low, self.n - low


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
        result = np.empty(len(classes.levels))
        kept = float(classes.sizes[ok].sum())
        suppressed = self.n - kept
        for a, (attribute, level) in enumerate(zip(self.frequency.attributes, classes.levels)):
            value = self._value(attribute, level)
            if self.variant_monotonic:
                result[a] = value * self.g
            else:
                result[a] = ((kept * value) * self.g + suppressed * self.s) / self.n
        return result


class Height(_MultiDimensional):
    """Height: the sum of the generalization levels (ARX ``MetricMDHeight``)."""

    exact_bound = True
    monotonic_with_suppression = True
    label = "Height"

    def level_bounds(self, a: int, attribute: EncodedAttribute) -> np.ndarray:
        return np.arange(attribute.n_levels, dtype=float)

    def scores(self, classes: ClassTable, ok: np.ndarray) -> np.ndarray:
        return np.asarray(classes.levels, dtype=float)


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
        groups = float(ok.sum()) * self.class_factor + (self.suppressed_factor if (~ok).any() else 0.0)
        return self.n / groups if groups else float("inf")


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
