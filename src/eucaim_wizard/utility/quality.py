"""Quality of an anonymized table: ARX's attribute- and dataset-level quality models.

Every model compares the original table with its transformation (a generalization level per
quasi-identifier, and the suppressed records, whose every quasi-identifier is ``*``).  Each
gives a raw value between a minimum (no information lost) and a maximum (everything lost);
the reported score is ARX's normalisation ``1 − (raw − min) / (max − min)`` clipped to
[0, 1]: **1 is the original data, 0 is nothing left, higher is better**.  When a model's
minimum equals its maximum (e.g. a column with one distinct value) the score is 1 when
nothing was lost and 0 otherwise.

Attribute level (per quasi-identifier):

* ``missings``: share of values that are present, i.e. not suppressed, not ``*``, ``NULL``
  or empty, and not the hierarchy's single root.  (ARX's ``getMissings().getValue()``
  returns the complementary share of missing values; here it is turned round so that all
  scores read the same way.)
* ``generalization_intensity`` (Precision, Sweeney 2002): mean of ``level / height`` per
  value, 1 for a suppressed value.
* ``granularity`` (Loss, Iyengar 2002): mean share of the hierarchy's values that a value's
  label covers, 1 for a suppressed value; minimum ``1/M`` for ``M`` hierarchy rows.
* ``non_uniform_entropy`` (de Waal & Willenborg 1999; Prasser, Bild & Kuhn 2016): the
  information in bits that generalization and suppression take away, relative to the
  entropy of the original column.
* ``squared_error`` (numeric attributes only): the sum over records of the largest squared
  distance between the original number and the range its output stands for, relative to the
  distance to the farthest end of the column's range.

Dataset level:

* ``ambiguity`` (Goldberger & Tassa 2010): per record, the number of combinations of
  original values its output could stand for (product of the hierarchy rows under each label).
* ``average_class_size`` (AECS, LeFevre et al. 2006): records per distinct output row,
  between the original's and the whole table's.
* ``discernibility`` (Bayardo & Agrawal 2005): ``Σ c²`` over classes, ``n`` for each
  suppressed record; between the original's and ``n²``.
* ``record_level_squared_error`` (Sánchez, Martínez & Domingo-Ferrer 2016): the mean over
  records of the Euclidean distance, in standard deviations, between the original numeric
  quasi-identifiers and the farthest ends of their output ranges.

Definitions follow ARX 3.9 (``org.deidentifier.arx.aggregates.quality``) with two deliberate
differences: the level of a value is known from the transformation rather than looked up by
its text (the same result unless a label repeats on two levels of a hierarchy), and a record
is suppressed when the transformation suppressed it (ARX also counts a record whose
quasi-identifiers are all equal as suppressed, which misreads tables with one quasi-identifier).

References
----------
L. Sweeney, "Achieving k-anonymity privacy protection using generalization and suppression",
IJUFKS 10(5):571–588, 2002.
V. S. Iyengar, "Transforming data to satisfy privacy constraints", KDD 2002, 279–288.
A. de Waal, L. Willenborg, "Information loss through global recoding and local suppression",
Netherlands Official Statistics 14:17–20, 1999.
F. Prasser, R. Bild, K. A. Kuhn, "A generic method for assessing the quality of
de-identified health data", MIE 2016, 312–316.
A. Goldberger, T. Tassa, "Efficient anonymizations with enhanced utility", Transactions on
Data Privacy 3(2):149–175, 2010.
K. LeFevre, D. J. DeWitt, R. Ramakrishnan, "Mondrian multidimensional k-anonymity", ICDE 2006.
R. J. Bayardo, R. Agrawal, "Data privacy through optimal k-anonymization", ICDE 2005, 217–228.
D. Sánchez, S. Martínez, J. Domingo-Ferrer, "Comment on 'Unique in the shopping mall'",
Science 351(6279):1274, 2016 (supplementary material).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.classes import group
from ..engine.encoding import EncodedAttribute, encode_attribute
from ..engine.transform import SUPPRESSED
from ..errors import ProjectError
from ..hierarchies.hierarchy import Hierarchy
from ..tables import Table
from .label_ranges import label_number, parse_ranges

if TYPE_CHECKING:
    from ..anonymizer import Result

#: output labels that stand for "no value" (ARX's ``*`` and ``NULL``, and an empty cell)
MISSING_LABELS = frozenset({"*", "NULL", ""})


def normalised_score(raw: float, minimum: float, maximum: float) -> float:
    """ARX's normalisation of a quality model: ``1 − (raw − min)/(max − min)`` clipped to [0, 1]."""
    if not maximum > minimum:
        return 1.0 if raw <= minimum else 0.0
    value = (raw - minimum) / (maximum - minimum)
    return 1.0 - min(max(value, 0.0), 1.0)


@dataclass(frozen=True)
class AttributeQuality:
    """ARX's attribute-level quality of one quasi-identifier (each 0–1, higher is better).

    ``squared_error`` is ``None`` for an attribute whose original values are not all numbers.
    """

    attribute: str
    level: int
    missings: float
    generalization_intensity: float
    granularity: float
    non_uniform_entropy: float
    squared_error: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "attribute": self.attribute, "level": self.level, "missings": self.missings,
            "generalization_intensity": self.generalization_intensity, "granularity": self.granularity,
            "non_uniform_entropy": self.non_uniform_entropy, "squared_error": self.squared_error,
        }


@dataclass(frozen=True)
class DatasetQuality:
    """ARX's dataset-level quality (each 0–1, higher is better) and the raw values behind it.

    ``record_level_squared_error`` is ``None`` when no quasi-identifier is numeric.
    ``raw`` holds the unnormalised values: ambiguity (sum over records), average class size
    (records per output class), discernibility and the record-level squared error.
    """

    ambiguity: float
    average_class_size: float
    discernibility: float
    record_level_squared_error: float | None
    raw: dict[str, float | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ambiguity": self.ambiguity, "average_class_size": self.average_class_size,
            "discernibility": self.discernibility,
            "record_level_squared_error": self.record_level_squared_error, "raw": dict(self.raw),
        }


@dataclass(frozen=True)
class QualityReport:
    """Attribute- and dataset-level quality of one transformation.

    ``information_loss`` maps each of the engine's information-loss models (its label, e.g.
    ``"Loss (0.5/1.0/1.0)"``) to its value for this transformation; it is filled by
    :func:`quality_of` (which knows the engine's result) and empty otherwise.
    """

    attributes: list[AttributeQuality]
    dataset: DatasetQuality
    records: int
    suppressed_records: int
    information_loss: dict[str, float] = field(default_factory=dict)

    def attribute(self, name: str) -> AttributeQuality:
        for quality in self.attributes:
            if quality.attribute == name:
                return quality
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records, "suppressed_records": self.suppressed_records,
            "attributes": {q.attribute: q.to_dict() for q in self.attributes},
            "dataset": self.dataset.to_dict(),
            "information_loss": dict(self.information_loss),
        }


# -- one quasi-identifier ---------------------------------------------------------------
class _Column:
    """One quasi-identifier, its transformation and what the models need of it."""

    def __init__(self, attribute: EncodedAttribute, level: int, suppressed: np.ndarray):
        self.name = attribute.name
        self.attribute = attribute
        self.level = level
        self.suppressed = suppressed
        rows = attribute.hierarchy.table
        self.domain = len(rows)  # ARX's domain size: the hierarchy's rows
        top = rows[:, -1]
        roots = set(top.tolist())
        self.root = next(iter(roots)) if len(roots) == 1 else None
        # ARX adds a level of '*' above a hierarchy without a single root
        self.height = rows.shape[1] - 1 if self.root is not None else rows.shape[1]
        self.codes0 = attribute.codes
        self.labels = attribute.labels[level]
        self.output = attribute.lookup[level][attribute.codes]  # per record, label code at `level`
        counts = Counter(rows[:, level].tolist())
        self.rows_under = np.array([counts.get(label, 0) for label in self.labels.tolist()], dtype=float)
        self.missing_label = np.array(
            [label in MISSING_LABELS or label == self.root for label in self.labels.tolist()], dtype=bool)

    # -- attribute-level models --
    def missings(self) -> float:
        missing = self.suppressed | self.missing_label[self.output]
        return 1.0 - float(missing.mean()) if len(missing) else 1.0

    def generalization_intensity(self) -> float:
        n = len(self.output)
        if n == 0:
            return 1.0
        value = self.level / self.height if self.height else 0.0
        suppressed = int(self.suppressed.sum())
        raw = ((n - suppressed) * value + suppressed) / n
        return normalised_score(raw, 0.0, 1.0)

    def rows_per_record(self) -> np.ndarray:
        """Per record, the number of hierarchy rows under its label (all rows if suppressed)."""
        rows = self.rows_under[self.output]
        rows[self.suppressed] = self.domain
        return rows

    def granularity(self) -> float:
        n = len(self.output)
        if n == 0:
            return 1.0
        # the mean share of the M rows, between 1/M and 1, on whole numbers of rows (exact)
        return normalised_score(float(self.rows_per_record().sum()), float(n), float(n) * self.domain)

    def non_uniform_entropy(self) -> float:
        n = len(self.codes0)
        if n == 0:
            return 1.0
        if self.suppressed.all():
            return 0.0  # the two sums below then add up to the maximum exactly (save rounding)
        log2 = np.log2
        counts = np.bincount(self.codes0, minlength=self.attribute.domain_size(0)).astype(float)
        present = counts > 0
        up = self.attribute.lookup[self.level]
        general = np.bincount(up, weights=counts, minlength=len(self.labels))
        # every record is at least at `level`: the loss of generalizing each original value
        lost = float(np.sum(counts[present] * log2(counts[present] / general[up[present]])))
        suppressed = int(self.suppressed.sum())
        if suppressed and self.level < self.height:
            # suppressed records go on from `level` to the root: the loss among them
            among = np.bincount(self.output[self.suppressed], minlength=len(self.labels)).astype(float)
            among = among[among > 0]
            lost += float(np.sum(among * log2(among / suppressed)))
        maximum = -float(np.sum(counts[present] * log2(counts[present] / n)))
        return normalised_score(-lost, 0.0, maximum)

    # -- numbers for the squared-error models --
    def numbers(self) -> np.ndarray | None:
        """The original value of every record as a number, or None if some value is not one."""
        values = np.full(self.attribute.domain_size(0), np.nan)
        used = np.flatnonzero(np.bincount(self.codes0, minlength=len(values)))
        for code in used:
            number = label_number(self.attribute.labels[0][code])
            if number is None:
                return None
            values[code] = number
        return values[self.codes0]

    def ranges(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per record, the [low, high] range of numbers its output stands for.

        As ARX's ``getColumnsAsNumbers``: output labels that are numbers stand for
        themselves; else labels are parsed as ranges (``[a, b[``, ``<=a``, masked digits
        ``12**``) when one of ARX's range parsers fits them, truncated to the column's range;
        else a label stands for the smallest to the largest original value of the records
        that carry it.  Suppressed records, ``*`` and the root stand for the whole range.
        """
        lowest, highest = float(x.min()), float(x.max())
        n_labels = len(self.labels)
        low = np.full(n_labels, lowest)
        high = np.full(n_labels, highest)
        kept = ~self.suppressed
        used = np.flatnonzero(np.bincount(self.output[kept], minlength=n_labels))
        informative = [int(c) for c in used if self.labels[c] not in (SUPPRESSED, self.root)]
        numbers = {c: label_number(self.labels[c]) for c in informative}
        if all(v is not None for v in numbers.values()):
            for c, v in numbers.items():
                low[c] = high[c] = v
        else:
            parsed = parse_ranges(self.labels, self.output[kept][:50], informative, lowest, highest)
            if parsed is not None:
                for c, (a, b) in parsed.items():
                    low[c], high[c] = a, b
            else:
                # the smallest and largest original value under each label
                records = np.flatnonzero(kept)
                labels = self.output[records]
                low_by = np.full(n_labels, np.inf)
                high_by = np.full(n_labels, -np.inf)
                np.minimum.at(low_by, labels, x[records])
                np.maximum.at(high_by, labels, x[records])
                for c in informative:
                    low[c], high[c] = low_by[c], high_by[c]
        record_low = low[self.output]
        record_high = high[self.output]
        record_low[self.suppressed] = lowest
        record_high[self.suppressed] = highest
        return record_low, record_high

    def squared_error(self, x: np.ndarray, low: np.ndarray, high: np.ndarray) -> float:
        lowest, highest = float(x.min()), float(x.max())
        farthest = np.maximum((x - lowest) ** 2, (x - highest) ** 2)
        error = np.minimum(np.maximum((x - low) ** 2, (x - high) ** 2), farthest)
        return normalised_score(float(error.sum()), 0.0, float(farthest.sum()))


# -- the report ----------------------------------------------------------------------------
def _output_classes(columns: list[_Column], suppressed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group records by their output text: class of each record, class sizes."""
    codes, radices = [], []
    for column in columns:
        star = np.flatnonzero(column.labels == SUPPRESSED)
        star_code = int(star[0]) if len(star) else len(column.labels)
        codes.append(np.where(suppressed, star_code, column.output).astype(np.int64))
        radices.append(len(column.labels) + 1)
    _, sizes, inverse = group(codes, radices, None)
    return inverse, sizes


def _dataset_quality(columns: list[_Column], suppressed: np.ndarray, n: int) -> DatasetQuality:
    if n == 0 or not columns:
        return DatasetQuality(1.0, 1.0, 1.0, None, {})
    # ambiguity: per record, the product of the hierarchy rows under each label
    product = np.ones(n)
    maximum = 1.0
    for column in columns:
        product *= column.rows_per_record()
        maximum *= column.domain
    ambiguity_raw = float(product.sum())
    ambiguity = normalised_score(ambiguity_raw, float(n), n * maximum)
    # classes of the input and of the output
    _, input_sizes, _ = group([c.codes0 for c in columns], [c.attribute.domain_size(0) for c in columns], None)
    _, output_sizes = _output_classes(columns, suppressed)
    aecs_raw = n / len(output_sizes)
    average_class_size = normalised_score(aecs_raw, n / len(input_sizes), float(n))
    kept_sizes = _kept_class_sizes(columns, ~suppressed)
    discernibility_raw = float(np.sum(kept_sizes.astype(float) ** 2)) + float(n) * float(suppressed.sum())
    minimum = float(np.sum(input_sizes.astype(float) ** 2))
    discernibility = normalised_score(discernibility_raw, minimum, float(n) * n)
    record_error, record_raw = _record_level_squared_error(columns, n)
    return DatasetQuality(ambiguity, average_class_size, discernibility, record_error, {
        "ambiguity": ambiguity_raw, "average_class_size": aecs_raw,
        "discernibility": discernibility_raw, "record_level_squared_error": record_raw})


def _kept_class_sizes(columns: list[_Column], kept: np.ndarray) -> np.ndarray:
    if not kept.any():
        return np.zeros(0, dtype=np.int64)
    _, sizes, _ = group([c.output[kept] for c in columns], [len(c.labels) for c in columns], None)
    return sizes


def _record_level_squared_error(columns: list[_Column], n: int) -> tuple[float | None, float | None]:
    distance = np.zeros(n)
    farthest = np.zeros(n)
    used = 0
    for column in columns:
        x = column.numbers()
        if x is None:
            continue
        used += 1
        low, high = column.ranges(x)
        sd = float(x.std())
        lowest, highest = min(float(x.min()), float(low.min())), max(float(x.max()), float(high.max()))
        for bound_low, bound_high, total in ((low, high, distance),
                                             (np.full(n, lowest), np.full(n, highest), farthest)):
            far = np.where((bound_high - x) > (x - bound_low), bound_high, bound_low)
            total += ((x - far) / sd) ** 2 if sd > 0 else 0.0
    if not used:
        return None, None
    raw = float(np.sqrt(distance).sum()) / used / n
    maximum = float(np.sqrt(farthest).sum()) / used / n
    return normalised_score(raw, 0.0, maximum), raw


def _report(attributes: list[EncodedAttribute], levels: Mapping[str, int],
            suppressed: np.ndarray | None) -> QualityReport:
    n = len(attributes[0].codes) if attributes else 0
    suppressed = np.zeros(n, dtype=bool) if suppressed is None else np.asarray(suppressed, dtype=bool)
    if suppressed.shape != (n,):
        raise ValueError(f"suppressed must hold one entry per record ({n}), not {suppressed.shape}")
    columns = []
    for attribute in attributes:
        level = int(levels[attribute.name])
        if not 0 <= level < attribute.n_levels:
            raise ProjectError(f"level {level} of {attribute.name!r} does not exist; its hierarchy has "
                               f"levels 0–{attribute.n_levels - 1}")
        columns.append(_Column(attribute, level, suppressed))
    results = []
    for column in columns:
        x = column.numbers()
        squared = None
        if x is not None and n:
            squared = column.squared_error(x, *column.ranges(x))
        results.append(AttributeQuality(
            column.name, column.level, column.missings(), column.generalization_intensity(),
            column.granularity(), column.non_uniform_entropy(), squared))
    return QualityReport(results, _dataset_quality(columns, suppressed, n), n, int(suppressed.sum()))


def measure_quality(table: Table, hierarchies: Mapping[str, Hierarchy], levels: Mapping[str, int],
                    suppressed: np.ndarray | None = None) -> QualityReport:
    """ARX's quality models for ``table`` generalized to ``levels`` with ``suppressed`` records.

    Parameters
    ----------
    table
        The original table.
    hierarchies
        The hierarchy of every quasi-identifier (the attributes scored).
    levels
        The generalization level of every quasi-identifier.
    suppressed
        Boolean per record: suppressed (all quasi-identifiers ``*``). Default: none.

    Returns
    -------
    QualityReport
        Without ``information_loss`` (use :func:`quality_of` for the engine's metrics).

    Examples
    --------
    >>> from eucaim_wizard import Hierarchy, Table
    >>> table = Table.from_columns({"sex": ["F", "F", "M", "M"]})
    >>> sex = Hierarchy([["F", "*"], ["M", "*"]])
    >>> report = measure_quality(table, {"sex": sex}, {"sex": 0})
    >>> report.attribute("sex").granularity, report.dataset.discernibility
    (1.0, 1.0)
    """
    missing = [name for name in hierarchies if name not in levels]
    if missing:
        raise ProjectError(f"no level given for {', '.join(missing)}; give one level per quasi-identifier")
    attributes = [encode_attribute(table, name, hierarchy, 0, hierarchy.n_levels - 1)
                  for name, hierarchy in hierarchies.items()]
    return _report(attributes, levels, suppressed)


def information_losses(result: Result, node: int) -> dict[str, float]:
    """The value of every information-loss model of the engine for lattice node ``node``.

    Each model is built as the search builds its metric (the project's gs-factor and
    attribute weights), with records in classes failing a per-class model suppressed.
    """
    from ..metrics import METRICS, MetricConfig, build_metric

    frequency, lattice = result.frequency, result.lattice
    weights = [result.project.attributes[a.name].weight for a in frequency.attributes]
    classes = result.evaluator.classes(node)
    ok, _ = result.evaluator.verdict(classes)
    losses = {}
    for name in METRICS:
        config = MetricConfig(name=name, gs_factor=result.project.metric.gs_factor)
        metric = build_metric(config, frequency, lattice, weights, result.project.suppression_limit)
        losses[metric.label] = float(metric.loss(classes, ok))
    return losses


def quality_of(result: Result, levels: Mapping[str, int] | None = None) -> QualityReport:
    """The quality of a transformation of ``result`` (default: the optimum), with the engine's
    information-loss values.

    Raises
    ------
    ProjectError
        If ``levels`` is not a transformation of the lattice, or there is no optimum.
    """
    node = result.node_or_optimum(levels)
    levels = dict(zip(result.quasi_identifiers, result.lattice.levels_of(node)))
    report = _report(result.frequency.attributes, levels, result.suppressed_records(node))
    return QualityReport(report.attributes, report.dataset, report.records, report.suppressed_records,
                         information_losses(result, node))


__all__ = ["AttributeQuality", "DatasetQuality", "QualityReport", "information_losses",
           "measure_quality", "normalised_score", "quality_of"]
