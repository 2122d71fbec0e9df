"""Utility of an anonymized table: what it is still good for, compared with the original.

:func:`analyze_utility` gathers, for one transformation of an ``anonymize`` result:

* ARX's attribute- and dataset-level quality models and every information-loss model of the
  engine (:mod:`.quality`);
* summary statistics of every released column in both tables, frequency tables and an
  optional contingency table (:mod:`.statistics`);
* classification performance on both tables, cross-validated, with the relative accuracy as
  the headline (:mod:`.classification`), when a target attribute is given.

Every result is a typed object with ``to_dict()`` for JSON.

>>> from eucaim_wizard import anonymize, load_project                     # doctest: +SKIP
>>> from eucaim_wizard.utility import analyze_utility                      # doctest: +SKIP
>>> report = analyze_utility(anonymize(load_project("p.yaml")), target="salary-class")  # doctest: +SKIP
>>> report.classification.relative_accuracy                                # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import ProjectError
from .classification import (MODELS, ClassificationReport, ModelComparison, ModelPerformance,
                             evaluate_classification)
from .quality import (AttributeQuality, DatasetQuality, QualityReport, information_losses,
                      measure_quality, quality_of)
from .statistics import (AttributeSummary, ContingencyTable, FrequencyTable, contingency, frequencies,
                         summarize)

if TYPE_CHECKING:
    import numpy as np

    from ..anonymizer import Result, Transformation
    from ..tables import Table

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class UtilityReport:
    """The utility analysis of one transformation (see :func:`analyze_utility`).

    ``statistics`` and ``frequencies`` hold one entry per attribute for ``"original"`` and
    ``"anonymized"``; ``contingency`` is a pair (original, anonymized) or None;
    ``classification`` is None when no target was given.
    """

    transformation: Transformation
    quality: QualityReport
    statistics: dict[str, list[AttributeSummary]]
    frequencies: dict[str, dict[str, FrequencyTable]]
    contingency: tuple[ContingencyTable, ContingencyTable] | None = None
    classification: ClassificationReport | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def levels(self) -> dict[str, int]:
        return dict(self.transformation.levels)

    def to_dict(self) -> dict[str, Any]:
        return {
            "transformation": self.transformation.to_dict(),
            "quality": self.quality.to_dict(),
            "statistics": {side: [s.to_dict() for s in summaries] for side, summaries in self.statistics.items()},
            "frequencies": {name: {side: table.to_dict() for side, table in pair.items()}
                            for name, pair in self.frequencies.items()},
            "contingency": None if self.contingency is None else {
                "original": self.contingency[0].to_dict(), "anonymized": self.contingency[1].to_dict()},
            "classification": None if self.classification is None else self.classification.to_dict(),
            "notes": list(self.notes),
        }


def default_features(result: Result, target: str) -> list[str]:
    """The quasi-identifiers and insensitive attributes (columns not listed are insensitive),
    in table order, without the target."""
    from ..project import Role

    attributes = result.project.attributes
    chosen = []
    for name in result.table.columns:
        role = attributes[name].role if name in attributes else Role.INSENSITIVE
        if role in (Role.QUASI_IDENTIFIER, Role.INSENSITIVE) and name != target:
            chosen.append(name)
    return chosen


def analyze_utility(
    result: Result,
    levels: Mapping[str, int] | None = None,
    *,
    target: str | None = None,
    features: Sequence[str] | None = None,
    frequency_attributes: Sequence[str] | None = None,
    contingency_attributes: tuple[str, str] | None = None,
    models: Sequence[str] = tuple(MODELS),
    folds: int = 10,
    seed: int = 0,
    n_jobs: int = 1,
    progress: Progress | None = None,
    withheld: Iterable[str] | None = None,
) -> UtilityReport:
    """The utility of a transformation of ``result`` (default: the optimum).

    Identifiers (pseudonymized or not) and the columns whose values the de-identification
    guard flags as identifying (``withheld``; default: :func:`~eucaim_wizard.guard.flagged_columns`
    of the table) are never analysed: no statistic, frequency table or classification shows
    their values.

    Parameters
    ----------
    result
        From :func:`eucaim_wizard.anonymize`.
    levels
        The transformation (one level per quasi-identifier); need not be the optimum, and a
        note says when it is not anonymous.
    target
        The attribute classifiers predict; no classification when None.
    features
        The attributes they predict from (default: quasi-identifiers and insensitive attributes).
    frequency_attributes
        Attributes whose frequency tables are included (default: the quasi-identifiers and
        the target).
    contingency_attributes
        Two attributes for a contingency table of both tables.
    models, folds, seed, n_jobs
        Classification settings (see :func:`.classification.evaluate_classification`).
    progress
        Called with (models trained, total) during classification.
    withheld
        The columns the guard flags, when the caller has them already.

    Raises
    ------
    ProjectError
        For levels outside the lattice, unknown attributes, an identifier as target or feature.
    """
    node = result.node_or_optimum(levels)
    transformation = result.evaluate(node)
    notes = []
    if not transformation.anonymous:
        notes.append("this transformation is not anonymous: it cannot be released as it is")
    quality = quality_of(result, transformation.levels)
    anonymized = result.anonymized_table(transformation.levels)
    suppressed = result.suppressed_records(node)
    # identifiers are never analysed: dropped, or released as pseudonyms that this table (the
    # analysis's, before the export) still holds raw
    if withheld is None:
        from .. import guard

        withheld = guard.flagged_columns(guard.check_table(result.table, result.project), result.table)
    withheld = set(withheld)
    released = [name for name in anonymized.columns if name not in result.project.identifiers and name not in withheld]
    anonymized = anonymized.select(released)
    original = result.table.select(released)
    statistics = {"original": summarize(original), "anonymized": summarize(anonymized)}
    if target is not None:
        _check_released(result, released, [target], "the target")  # before the frequency tables, which include it
    tables = _frequency_tables(result, released, original, anonymized, target, frequency_attributes)
    pair = None
    if contingency_attributes is not None:
        _check_released(result, released, list(contingency_attributes), "contingency attribute(s)")
        a, b = contingency_attributes
        pair = (contingency(original, a, b), contingency(anonymized, a, b))
    classification = None
    if target is not None:
        classification = _classify(
            result, transformation, released, original, anonymized, suppressed, target, features, notes,
            models=models, folds=folds, seed=seed, n_jobs=n_jobs, progress=progress)
    return UtilityReport(transformation, quality, statistics, tables, pair, classification, notes)


def _check_released(result: Result, released: Sequence[str], names: Sequence[str], what: str) -> None:
    """Raise a ProjectError naming those of ``names`` that are not released columns."""
    hidden = [n for n in names if n not in released]
    if hidden:
        reason = (" (identifiers are never released as they are, and never analysed, pseudonymized or not)"
                  if any(n in result.project.identifiers for n in hidden) else
                  " (the de-identification guard flags its values as identifying: they are never listed)"
                  if any(n in result.table.columns for n in hidden) else "")
        raise ProjectError(f"{what} {', '.join(map(repr, hidden))} {'is' if len(hidden) == 1 else 'are'} not "
                           f"a released column{reason}; the released columns are: {', '.join(released)}")


def _frequency_tables(result: Result, released: Sequence[str], original: Table, anonymized: Table,
                      target: str | None, frequency_attributes: Sequence[str] | None,
                      ) -> dict[str, dict[str, FrequencyTable]]:
    """The frequency tables of both tables for the wanted attributes (default: quasi-identifiers and target)."""
    wanted = list(frequency_attributes) if frequency_attributes is not None else [
        name for name in result.quasi_identifiers + ([target] if target and target not in result.quasi_identifiers
                                                     else []) if name in released]
    _check_released(result, released, wanted, "frequency attribute(s)")
    return {name: {"original": frequencies(original, name), "anonymized": frequencies(anonymized, name)}
            for name in wanted}


def _target_classes(result: Result, transformation: Transformation,
                    target: str) -> tuple[np.ndarray | None, str | None]:
    """The classes of a quasi-identifier target (its generalized values) and a note when generalized."""
    if target not in result.quasi_identifiers:
        return None, None
    # as ARX: the class is the generalized value (without suppression) for both tables
    attribute = result.frequency.attributes[result.quasi_identifiers.index(target)]
    level = transformation.levels[target]
    labels = attribute.labels[level][attribute.lookup[level][attribute.codes]]
    note = None
    if level > 0:
        note = (f"the target {target!r} is a quasi-identifier generalized to level {level}: "
                f"both tables are classified by its generalized values")
    return labels, note


def _classify(result: Result, transformation: Transformation, released: Sequence[str], original: Table,
              anonymized: Table, suppressed: np.ndarray, target: str, features: Sequence[str] | None, notes: list[str],
              **settings: Any) -> ClassificationReport:
    """Check the target and features (noting a generalized target), then cross-validate on both tables."""
    _check_released(result, released, [target], "the target")
    chosen = list(features) if features is not None else default_features(result, target)
    _check_released(result, released, chosen, "feature(s)")
    labels, note = _target_classes(result, transformation, target)
    if note is not None:
        notes.append(note)
    return evaluate_classification(original, anonymized, target, chosen, suppressed=suppressed, labels=labels,
                                   **settings)


__all__ = [
    "AttributeQuality", "AttributeSummary", "ClassificationReport", "ContingencyTable", "DatasetQuality",
    "FrequencyTable", "MODELS", "ModelComparison", "ModelPerformance", "QualityReport", "UtilityReport",
    "analyze_utility", "contingency", "default_features", "evaluate_classification", "frequencies",
    "information_losses", "measure_quality", "quality_of", "summarize",
]
