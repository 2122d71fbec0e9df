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

    @property
    def min_class_size(self) -> int:
        return self.l  # l distinct values need l records

    @property
    def sweep_rule(self) -> tuple[str, float]:
        return ("distinct-values", float(self.l))

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
    (better for small classes).

    A class is judged with ARX's arithmetic (``EntropyLDiversity.isAnonymous``): it needs at
    least ⌈l⌉ distinct values and Σ c·ψ(c) ≤ n·(ψ(n) − ln l) in floating point (ψ = ln for
    Shannon, G for Grassberger), so that verdicts and suppressed records equal ARX's.  A class
    whose entropy is *exactly* ln l is decided by the rounding of both sides, as in ARX: three
    values twice each fail at l = 3 (Σ 2·ln 2 exceeds 6·(ln 6 − ln 3) by one unit in the last
    place), once each they pass.  That rounding makes the model non-monotonic (the two classes
    of three values once each pass, their union fails), so the search does not infer verdicts
    from it (ARX does, and may then miss such a node); its monotonic part, at least ⌈l⌉
    distinct values, still prunes.  Without rounding, Shannon's entropy of a merged class is at
    least the smallest entropy of its parts (concavity); Grassberger's estimate is not concave.
    """

    key: ClassVar[str] = "entropy-l-diversity"
    monotonic: ClassVar[bool] = False
    monotonic_with_suppression: ClassVar[bool] = False

    l: float = Field(ge=1.0, description="the entropy of each class must be at least log(l)")  # noqa: E741
    estimator: Literal["shannon", "grassberger"] = "shannon"

    def classes_ok(self, stats: ClassStatistics) -> np.ndarray:
        # ARX adds c·ψ(c) value by value and fails a class as soon as the sum exceeds the bound;
        # for Shannon every term is ≥ 0, so that is the whole sum against the bound (for
        # Grassberger, whose G(1) < 0, ARX's verdict also depends on its order of the values,
        # which is not reproduced: the whole sum is compared)
        distribution, _ = stats.distribution(self.attribute)
        counts = distribution.count.astype(float)
        sizes = stats.sizes.astype(float)
        psi = _grassberger if self.estimator == "grassberger" else np.log
        total = distribution.per_class_sum(counts * psi(counts))
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = sizes * (psi(sizes) - np.log(self.l))
        return (distribution.distinct() >= math.ceil(self.l)) & (total <= bound)

    def fails_within(self, groups: ClassStatistics) -> np.ndarray:
        # a class inside a group holds at most the group's values; fewer than ceil(l) fail
        distribution, _ = groups.distribution(self.attribute)
        return distribution.distinct() < math.ceil(self.l)

    def achieved(self, stats: ClassStatistics, kept: np.ndarray) -> dict[str, Any]:
        """The smallest entropy of a kept class (and its l); ``rounding_failures``: the classes
        whose entropy is ln l (to 12 digits) that fail by ARX's rounding alone, where a judgement
        in exact arithmetic would keep them (only when there are any)."""
        entropies = class_entropy(stats, self.attribute, self.estimator)
        entropy = self._kept_min(entropies, kept)
        figures: dict[str, Any] = {"l": None if entropy is None else float(np.exp(entropy)), "entropy": entropy}
        distribution, _ = stats.distribution(self.attribute)
        at_bound = np.isclose(entropies, math.log(self.l), rtol=1e-12, atol=1e-12)
        rounding = int((at_bound & (distribution.distinct() >= math.ceil(self.l)) & ~self.classes_ok(stats)).sum())
        if rounding:
            figures["rounding_failures"] = rounding
        return figures


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
