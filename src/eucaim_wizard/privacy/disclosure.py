"""δ-disclosure privacy and β-likeness: bounds on what a class reveals about a sensitive value.

Both compare, for each sensitive value ``s`` present in a class, its share ``p(s)`` in the
class with its share ``q(s)`` in the whole table.

References
----------
J. Brickell, V. Shmatikov, "The cost of privacy: destruction of data-mining utility in
anonymized data publishing", KDD 2008, 70–78 (δ-disclosure privacy).
J. Cao, P. Karras, "Publishing microdata with a robust privacy guarantee", PVLDB 5(11),
1388–1399, 2012 (β-likeness, basic and enhanced).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from .base import ClassStatistics
from .l_diversity import _SensitiveModel


def _shares(stats: ClassStatistics, attribute: str) -> tuple[Any, np.ndarray, np.ndarray]:
    dist, domain = stats.distribution(attribute)
    sizes = stats.sizes.astype(float)
    return dist, dist.count / sizes[dist.cls], domain.overall[dist.value]


class DeltaDisclosure(_SensitiveModel):
    """δ-disclosure privacy: ``|log2(p(s)/q(s))| < δ`` for every value ``s`` of every class.

    Not monotonic: merging classes can lower a value's share in the class.
    """

    key: ClassVar[str] = "delta-disclosure"
    monotonic: ClassVar[bool] = False
    monotonic_with_suppression: ClassVar[bool] = False

    delta: float = Field(gt=0.0, description="bound on the log-ratio of class and table shares")

    def _largest(self, stats: ClassStatistics) -> np.ndarray:
        dist, p, q = _shares(stats, self.attribute)
        return dist.per_class_max(np.abs(np.log2(p / q)), empty=0.0)

    def classes_ok(self, stats: ClassStatistics) -> np.ndarray:
        return self._largest(stats) < self.delta

    def achieved(self, stats: ClassStatistics, kept: np.ndarray) -> dict[str, Any]:
        return {"delta": self._kept_max(self._largest(stats), kept)}


class BetaLikeness(_SensitiveModel):
    """β-likeness: the relative gain ``(p(s) − q(s))/q(s)`` of every value with ``p(s) > q(s)``
    is at most ``β`` (basic), or at most ``min(β, −ln q(s))`` (enhanced, which also bounds
    the gain for frequent values).  Monotonic without suppression (a merged class's share
    is at most its parts' largest).
    """

    key: ClassVar[str] = "beta-likeness"
    monotonic_with_suppression: ClassVar[bool] = False

    beta: float = Field(gt=0.0, description="largest allowed relative gain in confidence")
    variant: Literal["basic", "enhanced"] = "basic"

    def _gains(self, stats: ClassStatistics) -> tuple[Any, np.ndarray, np.ndarray]:
        dist, p, q = _shares(stats, self.attribute)
        gain = np.where(p > q, (p - q) / q, 0.0)
        limit = np.full(len(q), self.beta) if self.variant == "basic" else np.minimum(self.beta, -np.log(q))
        return dist, gain, limit

    def classes_ok(self, stats: ClassStatistics) -> np.ndarray:
        dist, gain, limit = self._gains(stats)
        return dist.per_class_max((gain > limit).astype(float), empty=0.0) == 0.0

    def achieved(self, stats: ClassStatistics, kept: np.ndarray) -> dict[str, Any]:
        dist, gain, _ = self._gains(stats)
        return {"beta": self._kept_max(dist.per_class_max(gain, empty=0.0), kept)}
