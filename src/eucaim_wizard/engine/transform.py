"""Applying a transformation to every record (the second and last pass over all rows)."""

from __future__ import annotations

import numpy as np

from ..tables import Table
from .classes import FrequencyTable

#: the value every quasi-identifier of a suppressed record takes (as in ARX)
SUPPRESSED = "*"


def generalize(
    table: Table,
    frequency: FrequencyTable,
    levels: tuple[int, ...],
    suppressed: np.ndarray,
    *,
    drop: list[str],
    drop_suppressed: bool,
) -> Table:
    """The anonymized table.

    Parameters
    ----------
    table
        The input table.
    frequency
        Its frequency table (holds the encoded quasi-identifiers).
    levels
        The level of each quasi-identifier.
    suppressed
        Boolean per record: the record is suppressed (all its quasi-identifiers become ``*``).
    drop
        Columns removed from the output (the identifiers).
    drop_suppressed
        Remove suppressed records instead of writing ``*``.
    """
    encoded = {attribute.name: attribute for attribute in frequency.attributes}
    columns: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in table.columns:
        if name in drop:
            continue
        attribute = encoded.get(name)
        if attribute is None:
            columns[name] = (table.codes(name), table.categories(name))
            continue
        level = levels[frequency.attributes.index(attribute)]
        codes = attribute.lookup[level][attribute.codes]
        labels = attribute.labels[level]
        if suppressed.any():
            star = np.flatnonzero(labels == SUPPRESSED)
            if len(star):
                star_code = int(star[0])
            else:
                labels = np.append(labels, np.array([SUPPRESSED], dtype=object))
                star_code = len(labels) - 1
            codes = np.where(suppressed, star_code, codes).astype(np.int32)
        columns[name] = (codes.astype(np.int32, copy=False), labels)
    result = Table.from_encoded(columns, table.n_rows, format=table.format)
    if drop_suppressed and suppressed.any():
        result = result.take(np.flatnonzero(~suppressed))
    return result
