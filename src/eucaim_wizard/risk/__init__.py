"""Re-identification risk: attacker models, population uniqueness, which attributes drive risk.

Risk depends on the data only through the sizes of its equivalence classes, so every
measure starts from them (suppressed records form no class, as in ARX):

>>> from eucaim_wizard.risk import risk_from_class_sizes
>>> risk = risk_from_class_sizes([1, 1, 2, 4], population=1000)
>>> risk.sample.prosecutor.highest_risk, risk.sample.sample_uniques
(1.0, 0.25)

| module | measures |
| --- | --- |
| :mod:`.sample` | prosecutor / journalist / marketer risk, uniques, risk distribution |
| :mod:`.population` | Pitman, Zayatz, SNB and Dankar's rule |
| :mod:`.attributes` | α-distinction and α-separation of every QI combination |
| :mod:`.regions` | population presets (EU-27, its member states, USA) |
| :mod:`.words` | one plain-words sentence per figure |
| :mod:`.analysis` | the entry points and the :class:`RiskAnalysis` result |
"""

from __future__ import annotations

from ._common import ClassHistogram, RiskError
from .analysis import (RiskAnalysis, analyze_risk, analyze_table, analyze_transformation,
                       risk_from_class_sizes)
from .attributes import AttributeRisk, attribute_risks, default_max_size
from .population import PopulationUniqueness, SolverSettings, population_uniqueness
from .regions import DEFAULT_REGION, REGIONS, Population, Region, parse_population
from .sample import DEFAULT_THRESHOLD, AttackerRisk, ClassSummary, RiskBand, SampleRisk, sample_risk
from .words import Explanation, explain

__all__ = [
    "AttackerRisk", "AttributeRisk", "ClassHistogram", "ClassSummary", "DEFAULT_REGION", "DEFAULT_THRESHOLD",
    "Explanation", "Population", "PopulationUniqueness", "REGIONS", "Region", "RiskAnalysis", "RiskBand",
    "RiskError", "SampleRisk", "SolverSettings", "analyze_risk", "analyze_table", "analyze_transformation",
    "attribute_risks", "default_max_size", "explain", "parse_population", "population_uniqueness",
    "risk_from_class_sizes", "sample_risk",
]
