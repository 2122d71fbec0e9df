"""Frequency tables: roll-ups from the base table give the classes grouping every record gives."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import eucaim_wizard.engine.classes as classes_module
from eucaim_wizard import Hierarchy, Table
from eucaim_wizard.engine.classes import FrequencyTable, _combine, _space
from eucaim_wizard.engine.encoding import encode_attribute


@st.composite
def frequency_tables(draw):
    """4–8 attributes (the base key is combined from groups of three), 1–300 records, each
    attribute with 2–400 values and 1–3 levels (wide ones push the key past 31 bits)."""
    n_attributes = draw(st.integers(4, 8))
    n_rows = draw(st.integers(1, 300))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    columns, hierarchies = {}, {}
    for a in range(n_attributes):
        n_values = draw(st.sampled_from([2, 3, 7, 40, 400]))
        n_levels = draw(st.integers(1, 3))
        values = [f"v{j}" for j in range(n_values)]
        rows = [[v] + [f"L{level}-{j // (4 ** level)}" for level in range(1, n_levels)] for j, v in enumerate(values)]
        hierarchies[f"a{a}"] = Hierarchy(rows, name=f"a{a}")
        columns[f"a{a}"] = [values[j] for j in rng.integers(0, n_values, n_rows)]
    table = Table.from_columns(columns)
    attributes = [encode_attribute(table, name, h, 0, h.n_levels - 1) for name, h in hierarchies.items()]
    return FrequencyTable(attributes)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frequency_tables(), st.data(), st.booleans())
def test_the_base_key_from_kept_partial_keys_is_the_combined_key(frequency, data, keep):
    if not keep:  # nothing kept: every partial key is made anew, with the same result
        classes_module._PARTIAL_CELLS, saved = 0, classes_module._PARTIAL_CELLS
    try:
        for _ in range(4):  # a few transformations, partly sharing levels (kept keys are reused)
            levels = tuple(data.draw(st.integers(0, a.n_levels - 1)) for a in frequency.attributes)
            radices = [a.domain_size(level) for a, level in zip(frequency.attributes, levels)]
            space = _space(radices)
            key = frequency._base_key(levels, radices)
            if space >= 2**62:
                assert key is None
                continue
            expected = _combine([frequency.base_codes(a, level) for a, level in enumerate(levels)], radices, space)
            assert key.dtype == expected.dtype and (key == expected).all()
            # and the roll-up with it groups as grouping the records does
            rolled = frequency.roll_up(frequency.base, levels)
            direct = {}
            for row in range(frequency.n_records):
                cell = tuple(int(frequency.base_codes(a, level)[frequency.record_row[row]])
                             for a, level in enumerate(levels))
                direct[cell] = direct.get(cell, 0) + 1
            got = {tuple(int(c) for c in rolled.codes[:, i]): int(rolled.sizes[i]) for i in range(rolled.n_classes)}
            assert got == direct
        if not keep:
            assert not frequency._partial_keys
    finally:
        if not keep:
            classes_module._PARTIAL_CELLS = saved


def test_few_attributes_are_combined_column_by_column():
    h = Hierarchy([["1", "*"], ["2", "*"]])
    table = Table.from_columns({"a": ["1", "2"], "b": ["2", "2"], "c": ["1", "1"]})
    frequency = FrequencyTable([encode_attribute(table, n, h, 0, 1) for n in "abc"])
    assert frequency._base_key((0, 1, 0), [2, 1, 2]) is None
