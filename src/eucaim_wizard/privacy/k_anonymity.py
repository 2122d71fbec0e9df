"""k-anonymity."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from .base import ClassStatistics, PrivacyModel


class KAnonymity(PrivacyModel):
    """Every equivalence class holds at least ``k`` records.

    A record is then indistinguishable from at least ``k − 1`` others on its
    quasi-identifiers, so an attacker who knows them re-identifies it with probability at
    most ``1/k``.  Records in smaller classes are suppressed.

    References
    ----------
    L. Sweeney, "k-anonymity: a model for protecting privacy", International Journal of
    Uncertainty, Fuzziness and Knowledge-Based Systems 10(5):557–570, 2002.
    P. Samarati, "Protecting respondents' identities in microdata release", IEEE TKDE
    13(6):1010–1027, 2001.
    """

    key: ClassVar[str] = "k-anonymity"

    k: int = Field(ge=1, description="smallest allowed equivalence class size")

    @property
    def min_class_size(self) -> int:
        return self.k

    @property
    def size_alone(self) -> bool:
        return True

    @property
    def sweep_rule(self) -> tuple[str, float]:
        return ("min-size", self.k)

    def classes_ok(self, stats: ClassStatistics) -> np.ndarray:
        return stats.sizes >= self.k

    def fails_within(self, groups: ClassStatistics) -> np.ndarray:
        # a class inside a group of fewer than k records is smaller than k
        return groups.sizes < self.k

    def achieved(self, stats: ClassStatistics, kept: np.ndarray) -> dict[str, Any]:
        sizes = stats.sizes[kept]
        return {"k": int(sizes.min()) if len(sizes) else None}
