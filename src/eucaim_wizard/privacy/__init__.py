"""Privacy models, one module each, behind the interface of :mod:`.base`.

In a project file the models are a list of one-key mappings::

    privacy:
      - k-anonymity: {k: 5}
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from .base import ClassStatistics, PrivacyModel, SensitiveDomain
from .disclosure import BetaLikeness, DeltaDisclosure
from .k_anonymity import KAnonymity
from .l_diversity import DistinctLDiversity, EntropyLDiversity, RecursiveCLDiversity
from .risk_based import AverageRisk, KMap, SampleUniqueness
from .t_closeness import TCloseness

#: project key → model class
MODELS: dict[str, type[PrivacyModel]] = {model.key: model for model in (
    KAnonymity, DistinctLDiversity, EntropyLDiversity, RecursiveCLDiversity, TCloseness, DeltaDisclosure,
    BetaLikeness, AverageRisk, SampleUniqueness, KMap,
)}

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
