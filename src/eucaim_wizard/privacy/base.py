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

# what the engine encodes of a sensitive attribute, and shows a model of the classes
from ..engine.distribution import ClassStatistics
from ..engine.encoding import SensitiveDomain


class PrivacyModel(BaseModel):
    """Base class of the privacy models (k-anonymity, l-diversity, t-closeness, …).

    Subclasses set the class variables and implement :meth:`classes_ok` (per-class models)
    or :meth:`dataset_ok` (dataset-level models, checked on the whole transformed table after
    suppression, as ARX does).
    """

    # defer_build: a model's validator is built when it is first used, not when the package
    # is imported (a project uses one or two of the dozen models)
    # strict: `k: true` is no k, `t: "0.2"` no t (a number written as text is a mistake to name)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, strict=True)

    #: the key of the model in the project file, e.g. ``"k-anonymity"``
    key: ClassVar[str] = ""
    #: without suppression, a transformation more general than one satisfying the model
    #: satisfies it too (a class made by merging classes that pass, passes)
    monotonic: ClassVar[bool] = True
    #: ... and this holds with record suppression too (a merged class fails only if all the
    #: classes it merges fail), so that anonymity is monotonic whatever the suppression limit
    monotonic_with_suppression: ClassVar[bool] = True
    #: decided per equivalence class (failing classes are suppressed) rather than per table
    per_class: ClassVar[bool] = True

    @property
    def sensitive_attribute(self) -> str | None:
        """The sensitive attribute this model protects, if any."""
        return None

    # -- what the engine may ask (declared, never found out by testing the model's type) --
    @property
    def min_class_size(self) -> int:
        """Classes smaller than this fail the model whatever they hold (k for k-anonymity)."""
        return 1

    @property
    def size_alone(self) -> bool:
        """The verdict of a class depends on its size alone (k-anonymity): the engine may then
        judge a transformation from counts of records per class, without their contents."""
        return False

    @property
    def sweep_rule(self) -> tuple[str, float] | None:
        """How the compiled sweep of the whole lattice (:mod:`eucaim_wizard.engine.sweep`) can
        judge the model: ``("min-size", k)``, ``("distinct-values", l)`` or
        ``("equal-distance", t)``; ``None`` when it cannot (the lattice is then evaluated node
        by node)."""
        return None

    def classes_ok(self, stats: ClassStatistics) -> np.ndarray:
        """Boolean per class: does the class satisfy the model on its own?"""
        return np.ones(len(stats.sizes), dtype=bool)

    @property
    def tells_failing_groups(self) -> bool:
        """:meth:`fails_within` can tell groups of classes that certainly fail (the engine then
        bounds the records every transformation must suppress)."""
        return type(self).fails_within is not PrivacyModel.fails_within

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

    def enforce(self, stats: ClassStatistics, kept: np.ndarray, max_suppressed: int) -> np.ndarray | None:
        """Dataset-level models: the classes kept once the model holds, suppressing more if
        it allows that (at most ``max_suppressed`` records in all), or ``None`` if it cannot hold."""
        return kept if self.dataset_ok(stats, kept) else None

    def achieved(self, stats: ClassStatistics, kept: np.ndarray) -> dict[str, Any]:
        """The value the table achieves for this model (e.g. the smallest class size)."""
        return {}

    def to_config(self) -> dict[str, dict[str, Any]]:
        """The project-file form, e.g. ``{"k-anonymity": {"k": 5}}``."""
        return {self.key: self.model_dump(mode="json")}

    def __str__(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in self.model_dump().items())
        return f"{self.key}({params})"


__all__ = ["ClassStatistics", "PrivacyModel", "SensitiveDomain"]
