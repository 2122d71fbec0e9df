"""Risk-based privacy models: average risk, sample uniqueness, k-map.

Average risk and sample uniqueness are decided on the whole transformed table, as ARX does
(its ``RiskBasedCriterion``): after the per-class models, the distribution of class sizes is
taken with the suppressed records as one class of their own, and when the threshold is not
met the smallest classes are suppressed (smallest first) until it is, as long as the
suppression limit allows.  k-map estimated from a population is a per-class model: every
class needs at least the sample size ``k'`` that, under the estimator, makes the matching
population cell hold ``k`` people with confidence ``1 − significance``.

References
----------
K. El Emam, F. K. Dankar, "Protecting privacy using k-anonymity", JAMIA 15(5):627–637, 2008
(average risk; the Poisson and zero-truncated Poisson cell-size estimators D3 and D4).
L. Sweeney, "Computational disclosure control: a primer on data privacy protection", PhD
thesis, MIT, 2001 (k-map).
J. Pannekoek, "Statistical methods for some simple disclosure limitation rules", Statistica
Neerlandica 53(1):55–67, 1999 (the Poisson estimator).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator
from scipy.stats import poisson

from .base import ClassStatistics, PrivacyModel


def _after_suppressing_smallest(sizes: np.ndarray, kept: np.ndarray):
    """Per number ``j`` of smallest kept classes suppressed (0 … m): the kept sizes in
    ascending order, the suppressed records, and the number of classes (the suppressed
    records count as one class when there are any)."""
    order = np.flatnonzero(kept)[np.argsort(sizes[kept], kind="stable")]
    ascending = sizes[order].astype(np.int64)
    base = int(sizes[~kept].sum())
    suppressed = base + np.concatenate([[0], np.cumsum(ascending)])
    classes = len(ascending) - np.arange(len(ascending) + 1) + (suppressed > 0)
    return order, ascending, suppressed, classes


class _DatasetModel(PrivacyModel):
    """A model on the distribution of class sizes of the whole table."""

    per_class: ClassVar[bool] = False

    def _fulfilled(self, ascending: np.ndarray, suppressed: np.ndarray, classes: np.ndarray,
                   n: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _state(self, stats: ClassStatistics, kept: np.ndarray):
        order, ascending, suppressed, classes = _after_suppressing_smallest(stats.sizes, kept)
        return order, ascending, suppressed, classes, self._fulfilled(ascending, suppressed, classes, stats.n_records)

    def dataset_ok(self, stats: ClassStatistics, kept: np.ndarray) -> bool:
        return bool(self._state(stats, kept)[4][0])

    def enforce(self, stats: ClassStatistics, kept: np.ndarray, max_suppressed: int) -> np.ndarray | None:
        """``kept`` with the fewest smallest classes suppressed so that the model holds, or
        ``None`` when that would suppress more than ``max_suppressed`` records."""
        order, _, suppressed, _, fulfilled = self._state(stats, kept)
        possible = np.flatnonzero(fulfilled & (suppressed <= max_suppressed))
        if len(possible) == 0:
            return None
        j = int(possible[0])
        if j == 0:
            return kept
        kept = kept.copy()
        kept[order[:j]] = False
        return kept


class AverageRisk(_DatasetModel):
    """The average re-identification risk (1 / average class size) is at most ``threshold``.

    With ``highest_risk`` and ``records_at_risk`` (ARX's relaxed variant), the share of
    records in classes of at most ``s`` records must also be at most ``records_at_risk``,
    where ``s`` is the class size of the highest risk (``1/highest_risk``, rounded as ARX
    does).  Suppressed records count as one class.
    """

    key: ClassVar[str] = "average-risk"

    threshold: float = Field(ge=0.0, le=1.0, description="largest allowed average risk")
    highest_risk: float | None = Field(default=None, gt=0.0, le=1.0)
    records_at_risk: float | None = Field(default=None, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _both(self) -> AverageRisk:
        if (self.records_at_risk is None) != (self.highest_risk is None):
            raise ValueError("give highest_risk and records_at_risk together (ARX's relaxed variant)")
        return self

    @property
    def smallest_size(self) -> int | None:
        """The class size of the highest risk, as ARX derives it (within 1 % of the risk)."""
        if self.highest_risk is None:
            return None
        size = 1.0 / self.highest_risk
        floor = np.floor(size)
        if (1.0 / floor) - (1.0 / size) >= 0.01 * self.highest_risk:
            floor += 1.0
        return int(floor)

    def _fulfilled(self, ascending, suppressed, classes, n):
        fulfilled = 1.0 / (n / np.maximum(classes, 1)) <= self.threshold if n else np.ones(len(classes), bool)
        if self.highest_risk is not None:
            small = self.smallest_size
            # records in kept classes of size <= small, after suppressing the j smallest
            at_most = np.searchsorted(ascending, small, side="right")
            in_small = np.concatenate([[0], np.cumsum(ascending)])
            remaining = in_small[at_most] - in_small[np.minimum(np.arange(len(ascending) + 1), at_most)]
            remaining = remaining + np.where((suppressed > 0) & (suppressed <= small), suppressed, 0)
            fulfilled &= remaining / max(n, 1) <= self.records_at_risk
        return fulfilled

    def achieved(self, stats: ClassStatistics, kept: np.ndarray) -> dict[str, Any]:
        _, _, suppressed, classes, _ = self._state(stats, kept)
        return {"average_risk": float(classes[0] / stats.n_records) if stats.n_records else 0.0}


class SampleUniqueness(_DatasetModel):
    """The share of records that are unique on their quasi-identifiers is at most ``threshold``.

    Suppressed records count as one class (unique only when a single record is suppressed).
    """

    key: ClassVar[str] = "sample-uniqueness"

    threshold: float = Field(ge=0.0, le=1.0, description="largest allowed share of sample uniques")

    def _fulfilled(self, ascending, suppressed, classes, n):
        ones = int(np.searchsorted(ascending, 1, side="right"))
        remaining = np.maximum(ones - np.arange(len(ascending) + 1), 0) + (suppressed == 1)
        return remaining / max(n, 1) <= self.threshold

    def achieved(self, stats: ClassStatistics, kept: np.ndarray) -> dict[str, Any]:
        uniques = int((stats.sizes[kept] == 1).sum()) + int(stats.sizes[~kept].sum() == 1)
        return {"sample_uniques": uniques / stats.n_records if stats.n_records else 0.0}


class KMap(PrivacyModel):
    """k-map estimated from the population: each class matches at least ``k`` people of it.

    The population's cell size is estimated from the class size with the Poisson (D3) or
    zero-truncated Poisson (D4) model at sampling fraction ``π = records / population``: a
    class needs at least ``k'`` records, the smallest count whose cumulative probability
    under ``λ = π·k`` reaches ``1 − significance`` (plus one for Poisson, as ARX counts it),
    and never more than ``k``.  Then k-map is k'-anonymity.
    """

    key: ClassVar[str] = "k-map"

    k: int = Field(ge=1, description="people of the population each class must match")
    population: int | str = Field(description="the population: a number of people or a region (e.g. EU-27)")
    estimator: Literal["poisson", "zero-truncated-poisson"] = "poisson"
    significance: float = Field(default=0.01, ge=0.0, le=1.0, description="accepted error of the estimate")

    @field_validator("population")
    @classmethod
    def _known(cls, value):
        from ..risk.regions import parse_population

        try:
            parse_population(value)
        except Exception as error:  # a RiskError with the list of regions
            raise ValueError(str(error)) from None
        return value

    def derived_k(self, n_records: int) -> int:
        """The class size that stands for k people of the population."""
        from ..risk.regions import parse_population

        size = parse_population(self.population).size
        fraction = n_records / size
        lam = fraction * self.k
        threshold = 1.0 - self.significance
        if self.estimator == "poisson":
            counter, value = 0, 0.0
            while value < threshold:
                value = float(poisson.cdf(counter, lam))
                counter += 1
            derived = counter + 1
        else:
            v2 = 1.0 - float(poisson.pmf(0, lam))
            counter, value = 1, 0.0
            while value < threshold and v2 > 0:
                value += float(poisson.pmf(counter, lam)) / v2
                counter += 1
            derived = counter
        return max(1, min(derived, n_records, self.k))

    def classes_ok(self, stats: ClassStatistics) -> np.ndarray:
        return stats.sizes >= self.derived_k(stats.n_records)

    def fails_within(self, groups: ClassStatistics) -> np.ndarray:
        return groups.sizes < self.derived_k(groups.n_records)

    def achieved(self, stats: ClassStatistics, kept: np.ndarray) -> dict[str, Any]:
        sizes = stats.sizes[kept]
        return {"derived_k": self.derived_k(stats.n_records), "k": int(sizes.min()) if len(sizes) else None}
