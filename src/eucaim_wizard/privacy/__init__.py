"""Privacy models, one module each, behind the interface of :mod:`.base`.

In a project file the models are a list of one-key mappings::

    privacy:
      - k-anonymity: {k: 5}
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .base import ClassStatistics, PrivacyModel, SensitiveDomain
from .k_anonymity import KAnonymity

if TYPE_CHECKING:
    from .disclosure import BetaLikeness, DeltaDisclosure
    from .l_diversity import DistinctLDiversity, EntropyLDiversity, RecursiveCLDiversity
    from .risk_based import AverageRisk, KMap, SampleUniqueness
    from .t_closeness import TCloseness

# project key → (module, class); the modules of the models a project does not use are not
# imported (a few milliseconds of the command line's start-up: their pydantic classes)
_WHERE = {
    "k-anonymity": ("k_anonymity", "KAnonymity"),
    "distinct-l-diversity": ("l_diversity", "DistinctLDiversity"),
    "entropy-l-diversity": ("l_diversity", "EntropyLDiversity"),
    "recursive-cl-diversity": ("l_diversity", "RecursiveCLDiversity"),
    "t-closeness": ("t_closeness", "TCloseness"),
    "delta-disclosure": ("disclosure", "DeltaDisclosure"),
    "beta-likeness": ("disclosure", "BetaLikeness"),
    "average-risk": ("risk_based", "AverageRisk"),
    "sample-uniqueness": ("risk_based", "SampleUniqueness"),
    "k-map": ("risk_based", "KMap"),
}
_CLASSES = {name: module for module, name in _WHERE.values()}


def _load(module: str, name: str) -> type[PrivacyModel]:
    return getattr(importlib.import_module(f".{module}", __name__), name)


class _Models(Mapping):
    """Project key → model class, each module imported on first lookup."""

    def __getitem__(self, key: str) -> type[PrivacyModel]:
        return _load(*_WHERE[key])

    def __iter__(self) -> Iterator[str]:
        return iter(_WHERE)

    def __len__(self) -> int:
        return len(_WHERE)


#: project key → model class
MODELS: Mapping[str, type[PrivacyModel]] = _Models()


def __getattr__(name: str) -> Any:
    """The model classes, imported on first use (PEP 562)."""
    if name in _CLASSES:
        return _load(_CLASSES[name], name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["MODELS", "AverageRisk", "KMap", "SampleUniqueness", "BetaLikeness", "ClassStatistics", "DeltaDisclosure", "DistinctLDiversity",
           "EntropyLDiversity", "KAnonymity", "PrivacyModel", "RecursiveCLDiversity", "SensitiveDomain",
           "TCloseness", "parse_privacy_models"]


def parse_privacy_models(value: Any) -> list[PrivacyModel]:
    """Build the models from the project file's ``privacy:`` list (objects pass through).

    Raises ``ValueError`` with a message naming the entry, which pydantic reports with the
    location ``privacy``.
    """
    if value is None:
        return []
    if isinstance(value, (PrivacyModel, dict)):
        value = [value]
    if not isinstance(value, list):
        raise ValueError("must be a list such as `- k-anonymity: {k: 5}`")
    models: list[PrivacyModel] = []
    for position, entry in enumerate(value, start=1):
        if isinstance(entry, PrivacyModel):
            models.append(entry)
            continue
        if not isinstance(entry, dict) or len(entry) != 1:
            raise ValueError(
                f"entry {position} must be one model with its parameters, e.g. `- k-anonymity: {{k: 5}}`"
            )
        (key, params), = entry.items()
        model = MODELS.get(str(key))
        if model is None:
            raise ValueError(f"entry {position}: unknown privacy model {key!r}; known models: {', '.join(MODELS)}")
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise ValueError(f"entry {position} ({key}): parameters must be a mapping, e.g. {{k: 5}}")
        try:
            models.append(model(**params))
        except ValidationError as error:
            details = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or key}: {e['msg']}"
                + ("" if e.get("input") is None or isinstance(e.get("input"), dict) else f" (got {e['input']!r})")
                for e in error.errors()
            )
            raise ValueError(f"entry {position} ({key}): {details}") from None
    return models
