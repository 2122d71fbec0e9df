"""Sample-based re-identification risk: the prosecutor, journalist and marketer attackers.

Every figure is a function of the equivalence-class sizes (a record in a class of size *s*
is re-identified with probability 1/*s* by an attacker who knows its quasi-identifiers).
Definitions and numbers follow ARX 3.9 (``RiskModelSampleSummary``,
``RiskModelSampleRisks``, ``RiskModelSampleUniqueness``, ``RiskModelSampleRiskDistribution``).

References
----------
K. El Emam, *Guide to the De-Identification of Personal Health Information*, CRC Press,
2013, ch. "Measuring the Probability of Re-Identification".
K. El Emam, F. K. Dankar, "Protecting privacy using k-anonymity", JAMIA 15(5), 2008.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._common import ClassHistogram, RiskError

#: ARX's risk bands: a record with risk *r* falls in the band ``(low, high]`` holding *r*.
BAND_LOW = (0.0, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07,
            0.08, 0.09, 0.1, 0.125, 0.143, 0.167, 0.2, 0.25, 0.334, 0.5)
BAND_HIGH = BAND_LOW[1:] + (1.0,)

DEFAULT_THRESHOLD = 0.2


@dataclass(frozen=True)
class AttackerRisk:
    """One attacker model's figures (El Emam's measures rA, rB, rC as ARX names them).

    Attributes
    ----------
    highest_risk
        rB: the largest probability that a record is re-identified (1 / smallest class).
        ``None`` for the marketer, who targets all records at once, not one person.
    records_at_highest_risk
        Number of records that carry the highest risk (``None`` for the marketer).
    records_at_risk
        rA: share of records whose risk is strictly above the threshold (``None`` for the
        marketer).
    success_rate
        rC: expected share of records an attacker re-identifies when trying all of them.
    """

    highest_risk: float | None
    records_at_highest_risk: int | None
    records_at_risk: float | None
    success_rate: float

    def to_dict(self) -> dict:
        return {"highest_risk": self.highest_risk, "records_at_highest_risk": self.records_at_highest_risk,
                "records_at_risk": self.records_at_risk, "success_rate": self.success_rate}


@dataclass(frozen=True)
class RiskBand:
    """Share of records whose risk lies in ``(low, high]``, and of those up to ``high``."""

    low: float
    high: float
    records: float
    cumulative: float
    min_class_size: int | None  # the class sizes present in the band (None: no record)
    max_class_size: int | None

    def to_dict(self) -> dict:
        return {"from": self.low, "to": self.high, "records": self.records, "cumulative": self.cumulative}


@dataclass(frozen=True)
class ClassSummary:
    """The class-size histogram in four numbers (suppressed records excluded)."""

    count: int
    average_size: float
    min_size: int
    max_size: int

    def to_dict(self) -> dict:
        return {"count": self.count, "average_size": self.average_size, "min_size": self.min_size,
                "max_size": self.max_size}


@dataclass(frozen=True)
class SampleRisk:
    """Every sample-based measure of one table (or one transformation).

    ``records`` counts the records in classes; ``suppressed_records`` those left out (as in
    ARX they form no class and carry no risk).  With no record in any class every figure is
    0, as ARX reports it.
    """

    threshold: float
    records: int
    suppressed_records: int
    classes: ClassSummary
    prosecutor: AttackerRisk
    journalist: AttackerRisk
    marketer: AttackerRisk
    average_risk: float
    lowest_risk: float
    records_at_lowest_risk: int
    sample_uniques: float
    sample_unique_records: int
    distribution: tuple[RiskBand, ...]

    @property
    def highest_risk(self) -> float:
        return self.prosecutor.highest_risk or 0.0


def check_threshold(threshold: float) -> float:
    """The risk threshold as a float in (0, 1], or a RiskError saying what to give."""
    try:
        value = float(threshold)
    except (TypeError, ValueError):
        value = math.nan
    if not 0.0 < value <= 1.0:
        raise RiskError(
            f"the risk threshold must be a number above 0 and at most 1, not {threshold!r}: it is the "
            f"highest acceptable probability of re-identifying one record, e.g. 0.2 (records in "
            f"classes of fewer than 5 are at risk) or 0.1 (fewer than 10)")
    return value


def largest_size_at_risk(threshold: float) -> int:
    """The largest class size whose records are at risk (1/size > threshold); 0 if none."""
    size = int(math.floor(1.0 / threshold))
    while size >= 1 and not 1.0 / size > threshold:
        size -= 1
    return size


def sample_risk(histogram: ClassHistogram, threshold: float = DEFAULT_THRESHOLD) -> SampleRisk:
    """All sample-based measures of a class-size histogram.

    Parameters
    ----------
    histogram
        Class sizes and suppressed records (:class:`ClassHistogram`).
    threshold
        Highest acceptable re-identification probability of one record: records with a
        larger risk are "at risk" (ARX compares ``1/size > threshold``).

    Returns
    -------
    SampleRisk
        Prosecutor: rA = share of records with 1/size > threshold, rB = 1/min size,
        rC = #classes / #records.  Journalist: with no population table the population
        classes are the sample classes, so ARX's journalist figures equal the prosecutor's
        (rC = max(#classes / Σ population sizes, Σ sample/population size / #records)).
        Marketer: rC = Σ sample size / population size / #records = #classes / #records.
        Average risk = 1 / average class size; lowest risk = 1 / largest class; sample
        uniques = share of records in classes of size 1.

    Examples
    --------
    >>> from eucaim_wizard.risk import ClassHistogram, sample_risk
    >>> risk = sample_risk(ClassHistogram.from_class_sizes([1, 1, 2, 4]))
    >>> risk.prosecutor.highest_risk, risk.prosecutor.records_at_highest_risk, risk.average_risk
    (1.0, 2, 0.5)
    """
    threshold = check_threshold(threshold)
    sizes, counts = histogram.sizes, histogram.counts
    n, u = histogram.records, histogram.classes
    if n == 0:
        zero = AttackerRisk(0.0, 0, 0.0, 0.0)
        bands = tuple(RiskBand(lo, hi, 0.0, 0.0, None, None) for lo, hi in zip(BAND_LOW, BAND_HIGH))
        return SampleRisk(threshold, 0, histogram.suppressed, ClassSummary(0, 0.0, 0, 0), zero, zero,
                          AttackerRisk(None, None, None, 0.0), 0.0, 0.0, 0, 0.0, 0, bands)
    records_per_size = sizes * counts
    at_risk = float(records_per_size[1.0 / sizes > threshold].sum()) / n
    highest = 1.0 / float(sizes[0])
    success = u / n
    prosecutor = AttackerRisk(highest, int(records_per_size[0]), at_risk, success)
    # no population table: ARX's journalist takes the sample classes as the population's, so
    # rA and rB are the prosecutor's and rC = max(u / Σ sizes, Σ size/size / n) = u / n
    journalist = AttackerRisk(highest, int(records_per_size[0]), at_risk, success)
    marketer = AttackerRisk(None, None, None, success)
    uniques = int(counts[0]) if sizes[0] == 1 else 0
    return SampleRisk(
        threshold=threshold, records=n, suppressed_records=histogram.suppressed,
        classes=ClassSummary(u, n / u, int(sizes[0]), int(sizes[-1])),
        prosecutor=prosecutor, journalist=journalist, marketer=marketer,
        average_risk=1.0 / (n / u), lowest_risk=1.0 / float(sizes[-1]),
        records_at_lowest_risk=int(records_per_size[-1]),
        sample_uniques=uniques / n, sample_unique_records=uniques,
        distribution=risk_distribution(histogram),
    )


def risk_distribution(histogram: ClassHistogram) -> tuple[RiskBand, ...]:
    """Share of records per ARX risk band, and cumulative (capped at 1 as in ARX)."""
    sizes, counts = histogram.sizes, histogram.counts
    n = histogram.records
    share = np.zeros(len(BAND_HIGH))
    band_of_size = np.searchsorted(np.asarray(BAND_HIGH), 1.0 / sizes, side="left") if n else np.zeros(0, int)
    if n:
        np.add.at(share, band_of_size, (counts * sizes) / n)
    bands, cumulative = [], 0.0
    for index, (low, high) in enumerate(zip(BAND_LOW, BAND_HIGH)):
        cumulative = min(cumulative + float(share[index]), 1.0)
        present = sizes[band_of_size == index]
        bands.append(RiskBand(low, high, float(share[index]), cumulative,
                              int(present.min()) if len(present) else None,
                              int(present.max()) if len(present) else None))
    return tuple(bands)


__all__ = ["AttackerRisk", "ClassSummary", "RiskBand", "SampleRisk", "sample_risk", "risk_distribution",
           "check_threshold", "largest_size_at_risk", "DEFAULT_THRESHOLD", "BAND_LOW", "BAND_HIGH"]
