"""What every risk model starts from: the histogram of equivalence-class sizes.

Re-identification risk depends on the data only through the sizes of the equivalence
classes (groups of records with the same quasi-identifier values).  As in ARX, suppressed
records form no class of their own: they are left out of the histogram and counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import WizardError


class RiskError(WizardError):
    """A risk analysis cannot run as asked (bad population, threshold or table)."""


@dataclass(frozen=True)
class ClassHistogram:
    """Equivalence-class sizes, grouped: ``counts[i]`` classes hold ``sizes[i]`` records each.

    Attributes
    ----------
    sizes
        The distinct class sizes, ascending (int64).
    counts
        How many classes have each size (int64).
    suppressed
        Records left out of every class because they are suppressed.
    """

    sizes: np.ndarray
    counts: np.ndarray
    suppressed: int = 0

    @classmethod
    def from_class_sizes(cls, class_sizes, suppressed: int = 0) -> ClassHistogram:
        """The histogram of an array holding one size per class (sizes of 0 are ignored).

        Raises
        ------
        RiskError
            If a size or ``suppressed`` is negative or not a whole number.
        """
        array = np.asarray(class_sizes)
        if array.size and (array.dtype.kind not in "iu" and not np.all(np.mod(array, 1) == 0)):
            raise RiskError(f"class sizes must be whole numbers of records, got {array[np.mod(array, 1) != 0][0]!r}")
        array = array.astype(np.int64, copy=False).ravel()
        if array.size and array.min() < 0:
            raise RiskError(f"class sizes cannot be negative, got {int(array.min())}")
        if int(suppressed) != suppressed or suppressed < 0:
            raise RiskError(f"the number of suppressed records must be a whole number >= 0, got {suppressed!r}")
        array = array[array > 0]
        sizes, counts = np.unique(array, return_counts=True)
        return cls(sizes.astype(np.int64), counts.astype(np.int64), int(suppressed))

    @property
    def records(self) -> int:
        """Records in classes (suppressed records excluded)."""
        return int(np.dot(self.sizes, self.counts))

    @property
    def classes(self) -> int:
        return int(self.counts.sum())

    @property
    def empty(self) -> bool:
        return len(self.sizes) == 0

    def classes_of_size(self, size: int) -> int:
        hit = np.flatnonzero(self.sizes == size)
        return int(self.counts[hit[0]]) if len(hit) else 0
