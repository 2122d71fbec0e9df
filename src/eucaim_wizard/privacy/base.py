"""The interface every privacy model implements.

A privacy model is a small, validated, immutable object.  It declares its properties
(monotonic? per class or over the whole dataset? which sensitive attribute?) instead of
having the search discover them, and it answers one question per equivalence class, or one
for the whole table, from the class statistics the engine hands it.  The search never needs
to know which model it runs.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict


class ClassStatistics:
    """What a privacy model may look at: the equivalence classes of one transformation.

    Attributes
    ----------
    sizes
        Number of records in each equivalence class (int64, one entry per class).
    n_records
        Number of records in the table (all classes together).
    """

    __slots__ = ("sizes", "n_records")

    def __init__(self, sizes: np.ndarray, n_records: int):
        self.sizes = sizes
        self.n_records = int(n_records)


class PrivacyModel(BaseModel):
    """Base class of the privacy models (k-anonymity, l-diversity, t-closeness, …).

    Subclasses set the class variables and implement :meth:`classes_ok` (per-class models)
    or :meth:`dataset_ok` (dataset-level models, checked on the whole transformed table after
    suppression, as ARX does).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: the key of the model in the project file, e.g. ``"k-anonymity"``
    key: ClassVar[str] = ""
    #: anonymity under this model is monotonic under generalization, also with suppression:
    #: if a transformation satisfies it, so does every more general one.
    monotonic: ClassVar[bool] = True
    #: decided per equivalence class (failing classes are suppressed) rather than per table
    per_class: ClassVar[bool] = True

    @property
    def sensitive_attribute(self) -> str | None:
        """The sensitive attribute this model protects, if any."""
        return None

    def classes_ok(self, stats: ClassStatistics) -> np.ndarray:
        """Boolean per class: does the class satisfy the model on its own?"""
        return np.ones(len(stats.sizes), dtype=bool)

    def fails_within(self, groups: ClassStatistics) -> np.ndarray | None:
        """For groups that are unions of classes (a coarser partition): which groups hold
        only classes that certainly fail?  ``None``: the model cannot tell.

        The engine applies it to the groups of single quasi-identifiers, which gives a lower
        bound of the records every transformation must suppress, before any search.
        """
        return None

    def dataset_ok(self, stats: ClassStatistics, kept: np.ndarray) -> bool:
        """Does the whole table satisfy the model, given the classes ``kept`` (not suppressed)?"""
        return True

    def achieved(self, stats: ClassStatistics, kept: np.ndarray) -> dict[str, Any]:
        """The value the table achieves for this model (e.g. the smallest class size)."""
        return {}

    def to_config(self) -> dict[str, dict[str, Any]]:
        """The project-file form, e.g. ``{"k-anonymity": {"k": 5}}``."""
        return {self.key: self.model_dump(mode="json")}

    def __str__(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in self.model_dump().items())
        return f"{self.key}({params})"
