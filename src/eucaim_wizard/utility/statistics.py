"""Summary statistics, frequency tables and contingency tables of a table's columns.

Every cell of a table is text, so the scale of a column is read from its values:

* ``numeric``: every value present is a number;
* ``interval``: every value present is a number or a closed range — ``20-29``, ``[20, 30[``,
  ``[20;30]``, ``(20, 30]`` or masked digits ``53**`` (53 00–53 99) — as generalization
  produces from numbers;
* ``date``: every value present is a calendar date, ``YYYYMMDD`` or ``YYYY-MM-DD``: minimum,
  median and maximum are dates, with no mean (``2.024e+07`` is no statistic of a date);
* ``code``: every value present is a string of digits that names rather than measures — a
  column named like a code (zip, postal, code, ...) or digits of one length of 5 or more, or
  with leading zeros — counted like a category;
* ``nominal``: anything else.

Missing values (``*``, which is also every suppressed value, ``NULL`` and empty cells) are
counted but left out of the statistics.  All columns get counts, the number of distinct
values and the mode; numeric and interval columns also get minimum, maximum, median, mean
and standard deviation.  For ranges, minimum and maximum are the lowest lower and highest
upper bound, the median is the range holding the middle record (ranges ordered by their
bounds), and mean and standard deviation are those of the range midpoints — an
approximation, as for grouped data (ARX's summary statistics likewise treat generalized
values by their order, not their contents).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..errors import ProjectError
from ..tables import Table

MISSING = frozenset({"*", "NULL", ""})
Scale = Literal["numeric", "interval", "date", "code", "nominal"]

_DATE = re.compile(r"^(1[89]|20)\d{2}(-?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])$")
_CODE_NAME = re.compile(r"(zip|postal|post_?code|plz|cp|code|icd|id)$|^(zip|postal|plz)", re.IGNORECASE)

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_DASH = re.compile(rf"^\s*({_NUMBER})\s*-\s*({_NUMBER})\s*$")
_BRACKETED = re.compile(rf"^\s*[\[\(\{{]\s*({_NUMBER})\s*[,;]\s*({_NUMBER})\s*[\]\[\)\}}]\s*$")
_MASKED = re.compile(r"^\s*(\d+)(\*+)\s*$")


def as_number(text: str) -> float | None:
    """The finite number a cell holds, or None."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def as_range(text: str) -> tuple[float, float] | None:
    """The closed range ``(low, high)`` a cell stands for: a number, ``a-b``, ``[a, b[``, ``12**``."""
    number = as_number(text)
    if number is not None:
        return number, number
    match = _DASH.match(text) or _BRACKETED.match(text)
    if match:
        low, high = float(match.group(1)), float(match.group(2))
        return (low, high) if low <= high else None
    match = _MASKED.match(text)
    if match:
        digits, stars = match.group(1), len(match.group(2))
        return float(digits + "0" * stars), float(digits + "9" * stars)
    return None


@dataclass(frozen=True)
class AttributeSummary:
    """Summary statistics of one column (``None`` where a statistic does not apply).

    ``median`` is a number for a numeric column, the label of the middle range for an
    interval column, and minimum, median and maximum are dates for a date column; ``sd`` is
    the sample standard deviation (``n − 1``).
    """

    attribute: str
    scale: Scale
    count: int
    missing: int
    distinct: int
    mode: str | None
    mode_count: int
    minimum: float | str | None = None
    maximum: float | str | None = None
    median: float | str | None = None
    mean: float | None = None
    sd: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"attribute": self.attribute, "scale": self.scale, "count": self.count, "missing": self.missing,
                "distinct": self.distinct, "mode": self.mode, "mode_count": self.mode_count,
                "minimum": self.minimum, "maximum": self.maximum, "median": self.median,
                "mean": self.mean, "sd": self.sd}


#: a frequency table written as JSON lists at most this many values (the most frequent)
MAX_LISTED_VALUES = 1_000


@dataclass(frozen=True)
class FrequencyTable:
    """Each value of a column with its number of records, most frequent first (ties: by value)."""

    attribute: str
    values: list[str]
    counts: list[int]
    records: int

    def share(self, value: str) -> float:
        return self.counts[self.values.index(value)] / self.records if self.records else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The table for JSON: the :data:`MAX_LISTED_VALUES` most frequent values, and how
        many values and records the rest hold (a column of a million distinct values would
        make a JSON list of millions, which no reader of the file can use)."""
        shown = min(len(self.values), MAX_LISTED_VALUES)
        rest = sum(self.counts[shown:])
        return {"attribute": self.attribute, "records": self.records, "distinct": len(self.values),
                "values": [{"value": v, "count": c, "share": c / self.records if self.records else 0.0}
                           for v, c in zip(self.values[:shown], self.counts[:shown])],
                "other": {"values": len(self.values) - shown, "records": rest}}


@dataclass(frozen=True)
class ContingencyTable:
    """Records per pair of values of two columns: ``counts[i][j]`` for ``rows[i]``, ``columns[j]``."""

    row_attribute: str
    column_attribute: str
    rows: list[str]
    columns: list[str]
    counts: list[list[int]]

    def count(self, row: str, column: str) -> int:
        return self.counts[self.rows.index(row)][self.columns.index(column)]

    def to_dict(self) -> dict[str, Any]:
        return {"row_attribute": self.row_attribute, "column_attribute": self.column_attribute,
                "rows": list(self.rows), "columns": list(self.columns), "counts": [list(r) for r in self.counts]}


def _value_order(categories: np.ndarray) -> list[int]:
    """Category positions sorted as a curator reads them: by number/range when all are, else by
    text; missing values (``*``, ``NULL``, empty) last."""
    labels = categories.tolist()
    ranges = [None if label in MISSING else as_range(label) for label in labels]
    numeric = all(r is not None for r, label in zip(ranges, labels) if label not in MISSING)

    def key(i: int):
        if labels[i] in MISSING:
            return (1, (0.0, 0.0), labels[i])
        return (0, ranges[i] if numeric else (0.0, 0.0), labels[i])

    return sorted(range(len(labels)), key=key)


def summarize(table: Table, attributes: Sequence[str] | None = None) -> list[AttributeSummary]:
    """Summary statistics of ``attributes`` (default: every column) of ``table``."""
    return [_summary(table, name) for name in (table.columns if attributes is None else attributes)]


def _summary(table: Table, name: str) -> AttributeSummary:
    categories = table.categories(name)
    counts = np.bincount(table.codes(name), minlength=len(categories))
    labels = categories.tolist()
    present = np.array([c > 0 and label not in MISSING for c, label in zip(counts, labels)], dtype=bool)
    missing = int(counts[~present].sum())
    count = int(counts[present].sum())
    codes = np.flatnonzero(present)
    if len(codes) == 0:
        return AttributeSummary(name, "nominal", 0, missing, 0, None, 0)
    # mode: most records, ties by value order
    order = _value_order(categories[codes])
    ranked = codes[order]
    best = ranked[int(np.argmax(counts[ranked]))]
    base = dict(attribute=name, count=count, missing=missing, distinct=len(codes),
                mode=labels[best], mode_count=int(counts[best]))
    present_labels = [labels[c] for c in codes]
    if all(_DATE.match(label) for label in present_labels):  # a date: its order, not its digits' value
        weights = counts[codes].astype(float)
        order = sorted(range(len(codes)), key=lambda i: present_labels[i].replace("-", ""))
        cumulative = np.cumsum(weights[order])
        middle = order[int(np.searchsorted(cumulative, (count + 1) // 2))]
        return AttributeSummary(scale="date", minimum=present_labels[order[0]], maximum=present_labels[order[-1]],
                                median=present_labels[middle], **base)
    if is_code(name, present_labels):
        return AttributeSummary(scale="code", **base)
    numbers = [as_number(labels[c]) for c in codes]
    ranges = [as_range(labels[c]) for c in codes]
    if all(v is not None for v in numbers):
        values = np.array(numbers)
        weights = counts[codes].astype(float)
        return AttributeSummary(scale="numeric", minimum=float(values.min()), maximum=float(values.max()),
                                median=_weighted_median(values, weights), **_moments(values, weights), **base)
    if all(r is not None for r in ranges):
        low = np.array([r[0] for r in ranges])
        high = np.array([r[1] for r in ranges])
        weights = counts[codes].astype(float)
        order = np.lexsort((high, low))
        cumulative = np.cumsum(weights[order])
        middle = order[int(np.searchsorted(cumulative, (count + 1) // 2))]
        return AttributeSummary(scale="interval", minimum=float(low.min()), maximum=float(high.max()),
                                median=labels[codes[middle]], **_moments((low + high) / 2.0, weights), **base)
    return AttributeSummary(scale="nominal", **base)


def is_code(name: str, labels: Sequence[str]) -> bool:
    """Digits that name rather than measure: a column named like a code, or digit strings of
    one length of 5 or more, or any with a leading zero (``02134``)."""
    if not labels or not all(label.isdigit() for label in labels):
        return False
    if _CODE_NAME.search(name.replace(" ", "_")):
        return True
    lengths = {len(label) for label in labels}
    return (len(lengths) == 1 and min(lengths) >= 5) or any(len(label) > 1 and label[0] == "0" for label in labels)


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The median of the records (mean of the two middle ones for an even count)."""
    order = np.argsort(values, kind="stable")
    values, cumulative = values[order], np.cumsum(weights[order])
    total = int(round(cumulative[-1]))
    lower = values[int(np.searchsorted(cumulative, (total + 1) // 2))]
    upper = values[int(np.searchsorted(cumulative, total // 2 + 1))]
    return float((lower + upper) / 2.0)


def _moments(values: np.ndarray, weights: np.ndarray) -> dict[str, float | None]:
    total = float(weights.sum())
    mean = float(np.sum(values * weights) / total)
    if total < 2:
        return {"mean": mean, "sd": None}
    variance = float(np.sum(weights * (values - mean) ** 2) / (total - 1))
    return {"mean": mean, "sd": math.sqrt(variance)}


def frequencies(table: Table, attribute: str) -> FrequencyTable:
    """How many records hold each value of ``attribute`` (missing values included, as written)."""
    categories = table.categories(attribute)
    counts = np.bincount(table.codes(attribute), minlength=len(categories))
    used = np.flatnonzero(counts)
    order = sorted(used.tolist(), key=lambda c: (-int(counts[c]), categories[c]))
    return FrequencyTable(attribute, [categories[c] for c in order], [int(counts[c]) for c in order], table.n_rows)


def contingency(table: Table, row_attribute: str, column_attribute: str) -> ContingencyTable:
    """Records per pair of values of two columns, values in reading order (numbers and ranges
    by their bounds, other text alphabetically)."""
    if row_attribute == column_attribute:
        raise ProjectError(f"a contingency table needs two different attributes, not {row_attribute!r} twice")
    rows_cat, cols_cat = table.categories(row_attribute), table.categories(column_attribute)
    pairs = table.codes(row_attribute).astype(np.int64) * len(cols_cat) + table.codes(column_attribute)
    matrix = np.bincount(pairs, minlength=len(rows_cat) * len(cols_cat)).reshape(len(rows_cat), len(cols_cat))
    row_order = [i for i in _value_order(rows_cat) if matrix[i].sum()]
    col_order = [j for j in _value_order(cols_cat) if matrix[:, j].sum()]
    return ContingencyTable(row_attribute, column_attribute, [rows_cat[i] for i in row_order],
                            [cols_cat[j] for j in col_order],
                            [[int(matrix[i, j]) for j in col_order] for i in row_order])


__all__ = ["AttributeSummary", "ContingencyTable", "FrequencyTable", "MISSING", "as_number", "as_range",
           "contingency", "frequencies", "summarize"]
