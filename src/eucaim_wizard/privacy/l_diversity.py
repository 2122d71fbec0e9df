"""l-diversity: enough different sensitive values in every class.

Three instances of Machanavajjhala et al.'s principle, decided per equivalence class on the
class's distribution of one sensitive attribute (records in failing classes are suppressed).

References
----------
A. Machanavajjhala, D. Kifer, J. Gehrke, M. Venkitasubramaniam, "l-diversity: privacy beyond
k-anonymity", ACM TKDD 1(1), 2007.
P. Grassberger, "Entropy estimates from insufficient samplings", arXiv:physics/0307138, 2003
(the bias-corrected entropy estimator ARX offers).
"""

from __future__ import annotations

import math

from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from .base import ClassStatistics, PrivacyModel


class _SensitiveModel(PrivacyModel):
    """A per-class model on the distribution of one sensitive attribute."""

    attribute: str = Field(min_length=1, description="the sensitive attribute")

    @property
    def sensitive_attribute(self) -> str:
        return self.attribute

    def _kept_min(self, values: np.ndarray, kept: np.ndarray) -> float | None:
        values = values[kept]
        return float(values.min()) if len(values) else None

    def _kept_max(self, values: np.ndarray, kept: np.ndarray) -> float | None:
        values = values[kept]
        return float(values.max()) if len(values) else None


class DistinctLDiversity(_SensitiveModel):
    """Every class holds at least ``l`` distinct values of the sensitive attribute.

    Monotonic also with suppression: a merged class holds every value of its parts.
    """

    key: ClassVar[str] = "distinct-l-diversity"

    l: int = Field(ge=1, description="smallest number of distinct sensitive values per class")  # noqa: E741

    def classes_ok(self, stats: ClassStatistics) -> np.ndarray:
        distribution, _ = stats.distribution(self.attribute)
        return distribution.distinct() >= self.l

    def fails_within(self, groups: ClassStatistics) -> np.ndarray:
        # a class inside a group holds at most the group's values
        return ~self.classes_ok(groups)

    def achieved(self, stats: ClassStatistics, kept: np.ndarray) -> dict[str, Any]:
        distribution, _ = stats.distribution(self.attribute)
        smallest = self._kept_min(distribution.distinct(), kept)
        return {"l": None if smallest is None else int(smallest)}


def class_entropy(stats: ClassStatistics, attribute: str, estimator: str = "shannon") -> np.ndarray:
    """Entropy (natural logarithm) of each class's sensitive values.

    Shannon: ``H = ln n − (1/n) Σ c·ln c`` over the counts ``c`` of the values present in a
    class of ``n`` records.  Grassberger (2003), as ARX computes it: ``H = G(n) − (1/n) Σ c·G(c)``
    with ``G(c) = ψ(c) + ½·(−1)^c·(ψ((c+1)/2) − ψ(c/2))`` (ψ the digamma function).
    """
    distribution, _ = stats.distribution(attribute)
    counts = distribution.count.astype(float)
    psi = _grassberger if estimator == "grassberger" else np.log
    sizes = stats.sizes.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = psi(sizes) - distribution.per_class_sum(counts * psi(counts)) / sizes
    return np.where(sizes > 0, entropy, 0.0)


def _grassberger(counts: np.ndarray) -> np.ndarray:
    """Grassberger's G(c) = ψ(c) + ½·(−1)^c·(ψ((c+1)/2) − ψ(c/2)), with G(n) standing in for
    ln n in ``H = G(n) − (1/n)·Σ c·G(c)`` (as ARX computes the estimate)."""
    from scipy.special import digamma  # only with this estimator: scipy takes 0.2 s to import

    counts = np.asarray(counts, dtype=float)
    sign = np.where(np.mod(counts, 2) == 0, 1.0, -1.0)
    return digamma(counts) + 0.5 * sign * (digamma((counts + 1) / 2) - digamma(counts / 2))


class EntropyLDiversity(_SensitiveModel):
    """The entropy of every class's sensitive values is at least ``log(l)``.

    With ``estimator: grassberger`` the entropy is Grassberger's bias-corrected estimate
    (better for small classes).  With Shannon's entropy the model is monotonic without
    suppression (the entropy of a merged class is at least the smallest entropy of its parts,
    by concavity); with Grassberger's estimate it is not; neither is monotonic with suppression.
    """

    key: ClassVar[str] = "entropy-l-diversity"
    monotonic_with_suppression: ClassVar[bool] = False

    l: float = Field(ge=1.0, description="the entropy of each class must be at least log(l)")  # noqa: E741
    estimator: Literal["shannon", "grassberger"] = "shannon"

    @property
    def monotonic(self) -> bool:  # type: ignore[override]
        # Grassberger's estimate is not concave in the counts: a merged class can score lower
        # than both of its parts (found by the exhaustive-equivalence test)
        return self.estimator == "shannon"

    def classes_ok(self, stats: ClassStatistics) -> np.ndarray:
        # as ARX decides it: at least ceil(l) distinct values, and Σ c·ψ(c) ≤ n·(ψ(n) − ln l)
        # (ψ = ln for Shannon, G for Grassberger), i.e. H >= ln l without a division
        distribution, _ = stats.distribution(self.attribute)
        counts = distribution.count.astype(float)
        sizes = stats.sizes.astype(float)
        psi = _grassberger if self.estimator == "grassberger" else np.log
        total = distribution.per_class_sum(counts * psi(counts))
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = sizes * (psi(sizes) - np.log(self.l))
            # an entropy of exactly log(l) passes: both sides carry rounding errors (three
            # values twice each, l=3: Σ c·ln c exceeds n·(ln n − ln 3) by one unit in the last
            # place), which would fail a merged class whose parts pass (not monotonic)
            slack = 1e-9 * np.maximum(np.abs(sizes * psi(sizes)), 1.0)
        return (distribution.distinct() >= math.ceil(self.l)) & (total <= bound + slack)

    def fails_within(self, groups: ClassStatistics) -> np.ndarray:
        # a class inside a group holds at most the group's values; fewer than ceil(l) fail
        distribution, _ = groups.distribution(self.attribute)
        return distribution.distinct() < math.ceil(self.l)

    def achieved(self, stats: ClassStatistics, kept: np.ndarray) -> dict[str, Any]:
        entropy = self._kept_min(class_entropy(stats, self.attribute, self.estimator), kept)
        return {"l": None if entropy is None else float(np.exp(entropy)), "entropy": entropy}


class RecursiveCLDiversity(_SensitiveModel):
    """Recursive (c, l)-diversity: ``r1 < c·(r_l + r_(l+1) + … + r_m)`` in every class.

    ``r1 ≥ r2 ≥ … ≥ r_m`` are the counts of the class's sensitive values, most frequent first:
    the most frequent value must not dominate the l−1 … m least frequent ones.  A class with
    fewer than ``l`` distinct values fails.  Monotonic without suppression.
    """

    key: ClassVar[str] = "recursive-cl-diversity"
    monotonic_with_suppression: ClassVar[bool] = False

    c: float = Field(gt=0.0, description="the factor c")
    l: int = Field(ge=2, description="the l of (c, l)")  # noqa: E741

    def _tail_and_top(self, stats: ClassStatistics) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        distribution, _ = stats.distribution(self.attribute)
        order = np.lexsort((-distribution.count, distribution.cls))  # by class, most frequent first
        counts = distribution.count[order].astype(float)
        starts = distribution.starts
        rank = np.arange(len(order)) - starts[distribution.cls[order]]
        top = distribution.per_class_max(counts, empty=0.0)
        tail = np.bincount(distribution.cls[order], weights=np.where(rank >= self.l - 1, counts, 0.0),
                           minlength=distribution.n_classes)
        return top, tail, distribution.distinct()

    def classes_ok(self, stats: ClassStatistics) -> np.ndarray:
        top, tail, distinct = self._tail_and_top(stats)
        return (distinct >= self.l) & (top < self.c * tail)

    def fails_within(self, groups: ClassStatistics) -> np.ndarray:
        distribution, _ = groups.distribution(self.attribute)
        return distribution.distinct() < self.l

    def achieved(self, stats: ClassStatistics, kept: np.ndarray) -> dict[str, Any]:
        top, tail, _ = self._tail_and_top(stats)
        with np.errstate(divide="ignore", invalid="ignore"):
            needed = np.where(tail > 0, top / tail, np.inf)  # the class needs c > r1 / tail
        largest = self._kept_max(needed, kept)
        return {"c": largest}
