"""The risk analysis of a table, a project or a transformation: one typed result, one JSON.

Entry points, from the fastest to the most complete:

- :func:`risk_from_class_sizes` — class sizes and a number of suppressed records (what the
  engine has for every lattice node);
- :func:`analyze_table` — any table and the names of its quasi-identifiers (rows with ``*``
  in every quasi-identifier are suppressed records, as the anonymized output writes them);
- :func:`analyze_risk` — a project's data (or another table with the project's roles);
- :func:`analyze_transformation` — one transformation of an ``anonymize()`` result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..engine.classes import group
from ..engine.transform import SUPPRESSED  # every quasi-identifier of a suppressed record
from ..tables import Table
from ._common import ClassHistogram, RiskError
from .attributes import AttributeRisk, attribute_risks
from .population import PopulationUniqueness, SolverSettings, population_uniqueness
from .regions import Population, parse_population
from .sample import DEFAULT_THRESHOLD, SampleRisk, check_threshold, sample_risk

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RiskAnalysis:
    """Every risk figure of one table: sample-based, population-based, per attribute set.

    Attributes
    ----------
    quasi_identifiers
        The attributes an attacker is assumed to know.
    sample
        Class sizes, the three attacker models, uniques, distribution (:class:`SampleRisk`).
    population
        Population uniqueness (``None`` when not asked for).
    attributes
        α-distinction / α-separation per QI combination (``None`` when not asked for).
    source
        What was analysed (a file name, or a description).
    """

    quasi_identifiers: tuple[str, ...]
    sample: SampleRisk
    population: PopulationUniqueness | None = None
    attributes: tuple[AttributeRisk, ...] | None = None
    source: str = "the table"

    # the figures the explore view needs, by name
    @property
    def highest_risk(self) -> float:
        return self.sample.highest_risk

    @property
    def average_risk(self) -> float:
        return self.sample.average_risk

    def explain(self):
        """One plain-words sentence per figure (see :func:`eucaim_wizard.risk.words.explain`)."""
        from .words import explain

        return explain(self)

    def to_dict(self) -> dict:
        """The JSON written by ``eucaim-wizard risk --json``."""
        sample = self.sample
        return {
            "source": self.source,
            "quasi_identifiers": list(self.quasi_identifiers),
            "records": sample.records + sample.suppressed_records,
            "suppressed_records": sample.suppressed_records,
            "threshold": sample.threshold,
            "classes": sample.classes.to_dict(),
            "prosecutor": sample.prosecutor.to_dict(),
            "journalist": sample.journalist.to_dict(),
            "marketer": sample.marketer.to_dict(),
            "average_risk": sample.average_risk,
            "lowest_risk": sample.lowest_risk,
            "records_at_lowest_risk": sample.records_at_lowest_risk,
            "sample_uniques": sample.sample_uniques,
            "sample_unique_records": sample.sample_unique_records,
            "population_uniques": None if self.population is None else self.population.to_dict(),
            "distribution": [band.to_dict() for band in sample.distribution],
            "attributes": None if self.attributes is None else [a.to_dict() for a in self.attributes],
            "explanations": {item.key: item.sentence for item in self.explain()},
        }


def risk_from_class_sizes(class_sizes, suppressed: int = 0, *, threshold: float = DEFAULT_THRESHOLD,
                          population: str | int | Population | None = None, with_population: bool = False,
                          quasi_identifiers: Sequence[str] = (), solver: SolverSettings = SolverSettings(),
                          source: str = "the table") -> RiskAnalysis:
    """Risk from the sizes of the equivalence classes alone (fast: no table needed).

    Parameters
    ----------
    class_sizes
        One entry per equivalence class of kept (not suppressed) records.
    suppressed
        Records suppressed (they form no class and carry no risk, as in ARX).
    threshold
        Highest acceptable probability of re-identifying one record.
    population, with_population
        The population the records are a sample of (a size or a region, default EU-27);
        population uniqueness is estimated when ``population`` is given or
        ``with_population`` is true.

    Examples
    --------
    >>> from eucaim_wizard.risk import risk_from_class_sizes
    >>> risk = risk_from_class_sizes([1, 2, 3], suppressed=4)
    >>> risk.highest_risk, risk.average_risk, risk.sample.records
    (1.0, 0.5, 6)
    """
    histogram = ClassHistogram.from_class_sizes(class_sizes, suppressed)
    return _analysis(histogram, tuple(quasi_identifiers), threshold, population, with_population, solver, None,
                     source)


def analyze_table(table: Table, quasi_identifiers: Sequence[str], *, threshold: float = DEFAULT_THRESHOLD,
                  population: str | int | Population | None = None, with_population: bool = True,
                  attributes: bool = True, max_combination: int | None = None,
                  suppressed: np.ndarray | None = None, solver: SolverSettings = SolverSettings(),
                  progress: Progress | None = None, source: str | None = None) -> RiskAnalysis:
    """The risk of a table whose attacker knows ``quasi_identifiers``.

    Records are grouped on the text of their quasi-identifier cells: an empty cell (a missing
    value) is a value of its own.  Suppressed records — by default the rows with ``*`` in every
    quasi-identifier, as :func:`~eucaim_wizard.anonymize` writes them — form no class.

    Parameters
    ----------
    table
        Any table holding the quasi-identifier columns.
    quasi_identifiers
        Their names.
    threshold
        Highest acceptable probability of re-identifying one record (records above it are
        "at risk").
    population
        The population the table is a sample of: a size or a region preset (default EU-27).
    with_population, attributes
        Whether to estimate population uniqueness and the per-combination attribute risk.
    max_combination
        Largest QI combination for attribute risk (default: all when at most 10 QIs).
    suppressed
        Boolean per row: suppressed records (overrides the ``*`` rule).
    progress
        Called with (combinations done, combinations) during the attribute analysis.

    Raises
    ------
    RiskError
        A quasi-identifier is not a column, or a bad threshold or population.
    """
    names = list(dict.fromkeys(quasi_identifiers))
    missing = [name for name in names if name not in table.columns]
    where = source or (str(table.path) if table.path else "the table")
    if missing:
        raise RiskError(f"{where} has no column {', '.join(map(repr, missing))}: the risk analysis needs every "
                        f"quasi-identifier of the project ({', '.join(names)}); its columns are: "
                        f"{', '.join(table.columns)}")
    if not names:
        raise RiskError(f"no quasi-identifier is given for {where}: risk is measured on the attributes an attacker "
                        "knows; give at least one column the role quasi-identifier")
    check_threshold(threshold)
    if suppressed is None:
        suppressed = np.ones(table.n_rows, dtype=bool)
        for name in names:
            star = np.flatnonzero(table.categories(name) == SUPPRESSED)
            suppressed &= table.codes(name) == star[0] if len(star) else False
    else:
        suppressed = np.asarray(suppressed, dtype=bool)
        if suppressed.shape != (table.n_rows,):
            raise RiskError(f"the suppressed-records mask needs one entry per row ({table.n_rows}), not {suppressed.shape}")
    kept = ~suppressed
    codes = [table.codes(name)[kept] for name in names]
    radices = [len(table.categories(name)) for name in names]
    n_kept = int(kept.sum())
    if n_kept:
        _, sizes, inverse = group(codes, radices, None)
    else:
        sizes, inverse = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    histogram = ClassHistogram.from_class_sizes(sizes, int(suppressed.sum()))
    combos = None
    if attributes:
        representative = np.empty(len(sizes), dtype=np.int64)
        representative[inverse] = np.arange(len(inverse))
        combos = tuple(attribute_risks([c[representative] for c in codes], radices, sizes, names,
                                       max_combination, progress))
    return _analysis(histogram, tuple(names), threshold, population, with_population, solver, combos, where)


def analyze_risk(project, *, table: Table | None = None, threshold: float = DEFAULT_THRESHOLD,
                    population: str | int | Population | None = None, attributes: bool = True,
                    max_combination: int | None = None, solver: SolverSettings = SolverSettings(),
                    progress: Progress | None = None) -> RiskAnalysis:
    """The risk of a project's data, or of ``table`` read with the project's roles.

    ``table`` is typically the anonymized output (identifiers may be absent; suppressed
    records hold ``*`` in every quasi-identifier).  See :func:`analyze_table`.
    """
    qis = project.quasi_identifiers
    if not qis:
        raise RiskError(f"{project.source or 'the project'} has no quasi-identifier: risk is measured on the "
                        "attributes an attacker knows; give them `role: quasi-identifier`")
    if table is None:
        table = project.load_table()
    source = str(table.path.name) if table.path else "the table"
    return analyze_table(table, qis, threshold=threshold, population=population, attributes=attributes,
                         max_combination=max_combination, solver=solver, progress=progress, source=source)


def analyze_transformation(result, levels: dict[str, int] | int | None = None, *,
                           threshold: float = DEFAULT_THRESHOLD,
                           population: str | int | Population | None = None, with_population: bool = True,
                           attributes: bool = False, max_combination: int | None = None,
                           solver: SolverSettings = SolverSettings()) -> RiskAnalysis:
    """The risk of one transformation of an :func:`~eucaim_wizard.anonymize` result.

    ``levels`` names the transformation (a level per quasi-identifier, or the lattice node's
    number; default: the optimum).  Without ``attributes`` only
    the class sizes are used (the engine's class table and its suppression verdict); with
    them the generalized table is built (:meth:`Result.anonymized_table`).
    """
    if isinstance(levels, (int, np.integer)):
        node = int(levels)
    else:
        node = result.node_of(levels) if levels is not None else result.outcome.optimum
    if node is None:
        raise RiskError("no transformation is anonymous, so there is no optimum to analyse; give its levels")
    label = "transformation " + ", ".join(f"{q}={v}" for q, v in zip(result.quasi_identifiers,
                                                                     result.lattice.levels_of(node)))
    if attributes:
        chosen = dict(zip(result.quasi_identifiers, result.lattice.levels_of(node)))
        table = result.anonymized_table(chosen)
        return analyze_table(table, result.quasi_identifiers, threshold=threshold, population=population,
                             with_population=with_population, attributes=True, max_combination=max_combination,
                             suppressed=result.suppressed_records(node), solver=solver, source=label)
    classes = result.evaluator.classes(node)
    ok, _ = result.evaluator.verdict(classes)
    return risk_from_class_sizes(classes.sizes[ok], int(classes.sizes[~ok].sum()), threshold=threshold,
                                 population=population, with_population=with_population,
                                 quasi_identifiers=result.quasi_identifiers, solver=solver, source=label)


def _analysis(histogram: ClassHistogram, qis: tuple[str, ...], threshold: float, population, with_population: bool,
              solver: SolverSettings, combos, source: str) -> RiskAnalysis:
    sample = sample_risk(histogram, threshold)
    uniqueness = None
    if population is not None or with_population:
        chosen = parse_population(population)
        if chosen.size < histogram.records:
            raise RiskError(
                f"the population ({chosen.size:,}) is smaller than the {histogram.records:,} records of {source}: "
                f"give the number of people the table is a sample of (at least {histogram.records:,}), or a region "
                f"such as EU-27")
        uniqueness = population_uniqueness(histogram, chosen, solver)
    return RiskAnalysis(qis, sample, uniqueness, combos, source)


__all__ = ["RiskAnalysis", "risk_from_class_sizes", "analyze_table", "analyze_risk", "analyze_transformation",
           "SUPPRESSED"]
