"""ARX's Loss metric (Iyengar's generalized loss)."""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np

from ..engine.classes import ClassTable, FrequencyTable
from ..engine.encoding import EncodedAttribute
from .base import _MultiDimensional, aggregate, aggregate_each, aggregate_levels


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
        self._lattice = args[0]
        super().__init__(frequency, *args, **kwargs)

    @cached_property
    def suppressing_bound(self) -> np.ndarray:  # type: ignore[override]
        """(Made on first use: one more array over the lattice, which only a search whose
        models propagate suppression downwards reads.)"""
        per_level = [np.array([self._normalise_one(a, total * self.g + float(extra))
                               for total, extra in zip(self.totals[a], self._extra[a])])
                     for a in range(len(self.totals))]
        return aggregate_levels(per_level, self._lattice, self.weights, self.how)

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
        # (compress: the same arrays as indexing with the masks, and faster)
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
