"""Risk-based privacy models: average risk, sample uniqueness, k-map.

Average risk and sample uniqueness are decided on the whole transformed table, as ARX does
(its ``RiskBasedCriterion``): after the per-class models, on the classes that are kept (the
suppressed records are left out), and when the threshold is not met the smallest classes are
suppressed (smallest first) until it is, as long as the suppression limit allows.  Among
classes of equal size, those with the smaller information loss go first (for metrics that
score a class on its own, such as Loss), then those whose first record comes first: ARX's
order, so that the same records are suppressed.  k-map estimated from a population is a per-class model: every
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

from .base import ClassStatistics, PrivacyModel


def _after_suppressing_smallest(sizes: np.ndarray, kept: np.ndarray, tiebreak: list[np.ndarray]):
    """Per number ``j`` of smallest kept classes suppressed (0 … m): the kept sizes in
    ascending order (equal sizes ordered by the ``tiebreak`` keys), the suppressed records,
    and the kept records and classes."""
    candidates = np.flatnonzero(kept)
    keys = [t[candidates] for t in reversed(tiebreak)] + [sizes[candidates]]
    order = candidates[np.lexsort(keys)]
    ascending = sizes[order].astype(np.int64)
    removed = np.concatenate([[0], np.cumsum(ascending)])
    suppressed = int(sizes[~kept].sum()) + removed
    records = int(ascending.sum()) - removed
    classes = len(ascending) - np.arange(len(ascending) + 1)
    return order, ascending, suppressed, records, classes


class _DatasetModel(PrivacyModel):
    """A model on the distribution of class sizes of the whole table."""

    per_class: ClassVar[bool] = False

    def _fulfilled(self, ascending: np.ndarray, records: np.ndarray, classes: np.ndarray) -> np.ndarray:
        """Per number of smallest classes suppressed: does the model hold on the kept ones?"""
        raise NotImplementedError  # pragma: no cover

    def _state(self, stats: ClassStatistics, kept: np.ndarray):
        order, ascending, suppressed, records, classes = _after_suppressing_smallest(stats.sizes, kept, stats.tiebreak)
        return order, ascending, suppressed, classes, self._fulfilled(ascending, records, classes)

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
    kept records in classes of fewer than ``s`` records must also be at most
    ``records_at_risk``, where ``s`` is the class size of the highest risk
    (``1/highest_risk``, rounded as ARX does).  Computed on the kept classes.
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

    def _fulfilled(self, ascending, records, classes):
        # ARX: 1 / (average size of the kept classes) <= threshold; no kept record: not met
        with np.errstate(divide="ignore", invalid="ignore"):
            fulfilled = (records > 0) & (1.0 / (records / classes) <= self.threshold)
        if self.highest_risk is not None:
            small = self.smallest_size
            # records in kept classes smaller than the size of the highest risk, after the j
            # smallest classes are suppressed (ARX sums sizes 1 … smallest − 1)
            below = np.searchsorted(ascending, small, side="left")
            cumulative = np.concatenate([[0], np.cumsum(ascending)])
            at_risk = cumulative[below] - cumulative[np.minimum(np.arange(len(ascending) + 1), below)]
            with np.errstate(divide="ignore", invalid="ignore"):
                fulfilled &= at_risk / records <= self.records_at_risk
        return fulfilled

    def achieved(self, stats: ClassStatistics, kept: np.ndarray) -> dict[str, Any]:
        records = int(stats.sizes[kept].sum())
        return {"average_risk": float(kept.sum()) / records if records else None}


class SampleUniqueness(_DatasetModel):
    """The share of the kept records that are unique on their quasi-identifiers is at most
    ``threshold``."""

    key: ClassVar[str] = "sample-uniqueness"

    threshold: float = Field(ge=0.0, le=1.0, description="largest allowed share of sample uniques")

    def _fulfilled(self, ascending, records, classes):
        ones = int(np.searchsorted(ascending, 1, side="right"))
        remaining = np.maximum(ones - np.arange(len(ascending) + 1), 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (records > 0) & (remaining / records <= self.threshold)

    def achieved(self, stats: ClassStatistics, kept: np.ndarray) -> dict[str, Any]:
        records = int(stats.sizes[kept].sum())
        return {"sample_uniques": int((stats.sizes[kept] == 1).sum()) / records if records else None}


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
        from scipy.stats import poisson  # imported when used: scipy.stats takes 0.6 s

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
