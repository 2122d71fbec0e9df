"""The numbers a generalized label stands for: ARX's range parsers, used by the squared-error
quality models (:mod:`.quality`).

A label is a number (``42``), a masked number (``12**`` stands for 1200–1299), an interval
(``[a, b[``, ``[a, b]``, ``{a, b}``, ``[a, b)``, also with ``;``) or a bound (``<=a``, ``>b``).
"""

from __future__ import annotations

import re

import numpy as np

from .statistics import as_number


label_number = as_number  # (the finite number a label holds, or None: one parser for both modules)


_BRACKETS = (("[", "["), ("[", "]"), ("{", "}"), ("[", ")"))


def _range_masked(label: str) -> tuple[str | None, str | None]:
    if "*" in label:
        return label.replace("*", "0"), label.replace("*", "9")
    return None, None


def _range_interval(label: str) -> tuple[str | None, str | None]:
    for opening, closing in _BRACKETS:
        if label.startswith(opening) and label.endswith(closing):
            index = label.find(",")
            if index == -1:
                index = label.find(";")
            if index != -1:
                return label[1:index], label[index + 1:-1]
    return None, None


def _range_bound(label: str) -> tuple[str | None, str | None]:
    if label.startswith("<"):
        return None, label[2:] if label.startswith("<=") else label[1:]
    if label.startswith(">"):
        return label[2:] if label.startswith(">=") else label[1:], None
    return None, None


_RANGE_PARSERS = (_range_masked, _range_interval, _range_bound)
_SPACE = re.compile(r"\s")


def parse_ranges(labels: np.ndarray, sample: np.ndarray, codes: list[int], lowest: float,
                 highest: float) -> dict[int, tuple[float, float]] | None:
    """ARX's range parsers: the one accepting most of a sample of labels, applied to all.

    Returns None when no parser accepts a sample label or some label does not parse.
    """
    best, matches = None, 0
    for parser in _RANGE_PARSERS:
        count = 0
        for code in sample.tolist():
            a, b = parser(_SPACE.sub("", labels[code]))
            if (a is not None and label_number(a) is not None) or (b is not None and label_number(b) is not None):
                count += 1
        if count > matches:
            best, matches = parser, count
    if best is None:
        return None
    result = {}
    for code in codes:
        a, b = best(_SPACE.sub("", labels[code]))
        low = lowest if a is None else label_number(a)
        high = highest if b is None else label_number(b)
        if low is None or high is None:
            return None
        result[code] = (max(low, lowest), min(high, highest))
    return result


__all__ = ["label_number", "parse_ranges"]
