"""t-closeness: every class's sensitive distribution is close to the whole table's.

The distance is the earth mover's distance (EMD) between the distribution ``p`` of the
sensitive values in a class and their distribution ``q`` in the whole table, with one of the
three ground distances of Li, Li and Venkatasubramanian:

* ``equal``: every two values are at distance 1, ``EMD = ½·Σ|p_i − q_i|``;
* ``ordered``: values at distance ``|rank_i − rank_j|/(m−1)`` in their order,
  ``EMD = 1/(m−1)·Σ_i |Σ_(j≤i) (p_j − q_j)|``;
* ``hierarchical``: the distance is the height of the lowest common ancestor in the
  attribute's hierarchy divided by the hierarchy's height; ``EMD = Σ_N cost(N)`` over the
  inner nodes ``N``, ``cost(N) = height(N)/H · min(pos(N), neg(N))``, where ``pos``/``neg``
  sum the positive / negative ``extra`` of ``N``'s children and ``extra`` is ``p_i − q_i`` at
  a leaf and the sum of the children's extra at an inner node.

A class passes when its distance is at most ``t``.  Monotonic without suppression (the EMD is
convex, so a merged class is at most as far as its farthest part), not with suppression.

References
----------
N. Li, T. Li, S. Venkatasubramanian, "t-closeness: privacy beyond k-anonymity and
l-diversity", ICDE 2007, 106–115.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from .base import ClassStatistics, SensitiveDomain
from .l_diversity import _SensitiveModel


def class_distances(stats: ClassStatistics, attribute: str, distance: str) -> np.ndarray:
    """The EMD between each class's and the table's distribution of ``attribute``."""
    dist, domain = stats.distribution(attribute)
    q = domain.overall
    if distance == "equal":
        sizes = stats.sizes.astype(float)
        p = dist.count / sizes[dist.cls]
        qv = q[dist.value]
        # values absent from a class contribute q_i each: Σ_absent q = 1 − Σ_present q
        return 0.5 * (1.0 + dist.per_class_sum(np.abs(p - qv) - qv))
    result = np.zeros(dist.n_classes)
    if distance == "ordered":
        m = len(q)
        if m <= 1:
            return result
        order = np.argsort(domain.rank, kind="stable")
        q_sorted = q[order]
        for first, block in dist.dense_blocks():
            p = block / block.sum(axis=1, keepdims=True)
            cumulative = np.cumsum(p[:, order] - q_sorted, axis=1)
            result[first:first + len(block)] = np.add.reduce(np.abs(cumulative), axis=1) / (m - 1)
        return result
    return _hierarchical(dist, domain, result)


def _hierarchical(dist, domain: SensitiveDomain, result: np.ndarray) -> np.ndarray:
    levels = domain.levels
    if levels is None:
        raise RuntimeError(f"hierarchical t-closeness on {domain.name!r} needs its hierarchy")
    height = len(levels) - 1
    if height == 0:
        return result
    q = domain.overall
    steps = domain.tree_steps()
    for first, block in dist.dense_blocks():
        p = block / block.sum(axis=1, keepdims=True)
        extra = p - q
        cost = np.zeros(len(block))
        for j, (order, starts) in enumerate(steps, start=1):
            # the positive and the negative extra of the children, summed per parent
            positive = np.add.reduceat(np.maximum(extra, 0.0)[:, order], starts, axis=1)
            negative = np.add.reduceat(np.maximum(-extra, 0.0)[:, order], starts, axis=1)
            cost += (j / height) * np.add.reduce(np.minimum(positive, negative), axis=1)
            extra = positive - negative
        result[first:first + len(block)] = cost
    return result


class TCloseness(_SensitiveModel):
    """Every class's distribution of the sensitive attribute is within EMD ``t`` of the table's."""

    key: ClassVar[str] = "t-closeness"
    monotonic_with_suppression: ClassVar[bool] = False

    t: float = Field(ge=0.0, le=1.0, description="largest allowed earth mover's distance")
    distance: Literal["equal", "hierarchical", "ordered"] = "equal"

    def classes_ok(self, stats: ClassStatistics) -> np.ndarray:
        return class_distances(stats, self.attribute, self.distance) <= self.t + 1e-12

    @property
    def sweep_rule(self) -> tuple[str, float] | None:
        # (the compiled sweep compares with the same tolerance as classes_ok)
        return ("equal-distance", self.t + 1e-12) if self.distance == "equal" else None

    def achieved(self, stats: ClassStatistics, kept: np.ndarray) -> dict[str, Any]:
        return {"t": self._kept_max(class_distances(stats, self.attribute, self.distance), kept)}
