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
def frequency_tables(draw, star: bool = False):
    """4–8 attributes (the base key is combined from groups of three), 1–300 records, each
    attribute with 2–400 values and 1–3 levels (wide ones push the key past 31 bits); with
    ``star``, each hierarchy has one more level, a single value ``*`` (ARX's usual top)."""
    n_attributes = draw(st.integers(4, 8))
    n_rows = draw(st.integers(1, 300))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    columns, hierarchies = {}, {}
    for a in range(n_attributes):
        n_values = draw(st.sampled_from([2, 3, 7, 40, 400]))
        n_levels = draw(st.integers(1, 3))
        values = [f"v{j}" for j in range(n_values)]
        rows = [[v] + [f"L{level}-{j // (4 ** level)}" for level in range(1, n_levels)] + (["*"] if star else [])
                for j, v in enumerate(values)]
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


def _classes_by_records(frequency, levels):
    """{class codes: records}, by grouping every record (the oracle)."""
    direct = {}
    for row in range(frequency.n_records):
        cell = tuple(int(frequency.base_codes(a, level)[frequency.record_row[row]]) for a, level in enumerate(levels))
        direct[cell] = direct.get(cell, 0) + 1
    return direct


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frequency_tables(), st.data())
def test_dense_base_counts_give_the_classes_of_grouping_the_records(frequency, data):
    for _ in range(3):
        levels = tuple(data.draw(st.integers(0, a.n_levels - 1)) for a in frequency.attributes)
        counted = frequency.base_counts(levels)
        radices = [a.domain_size(level) for a, level in zip(frequency.attributes, levels)]
        if _space(radices) > max(8 * frequency.base.n_classes, 256):
            assert counted is None  # too many possible keys to count densely
            continue
        counts, keys = counted
        assert counts.dtype == np.float64 and len(counts) == _space(radices)
        assert int(counts.sum()) == frequency.n_records
        table = frequency.from_counts(levels, counts)
        got = {tuple(int(c) for c in table.codes[:, i]): int(table.sizes[i]) for i in range(table.n_classes)}
        assert got == _classes_by_records(frequency, levels)
        rolled = frequency.roll_up(frequency.base, levels)  # the same table, key for key
        assert (rolled.codes == table.codes).all() and (rolled.sizes == table.sizes).all()
        splitting = [a for a, radix in enumerate(radices) if radix > 1]
        if len(splitting) <= 2 and _space(radices) <= frequency.base.n_classes:
            assert keys is None  # counted on the level-0 groups of those attributes, not the rows
            continue
        # each base row's key indexes its class: records in classes smaller than k, summed
        # over the rows, are those summed over the classes (the k-only screen's two ways)
        assert keys.shape == (frequency.base.n_classes,)
        for k in (2, 3, 10):
            assert int(np.dot(frequency.base.weights, np.take(counts, keys) < k)) == int(np.dot(counts, counts < k))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frequency_tables(star=True), st.data())
def test_counts_where_at_most_two_attributes_split_the_records(frequency, data):
    """Near the top of the lattice most attributes are generalized to one value: the counts
    then come from the level-0 groups of the (at most two) others, and equal grouping the
    records by every attribute."""
    for _ in range(3):
        splitting = data.draw(st.lists(st.sampled_from(range(len(frequency.attributes))), max_size=2, unique=True))
        levels = tuple(data.draw(st.integers(0, a.n_levels - 2)) if i in splitting else a.n_levels - 1
                       for i, a in enumerate(frequency.attributes))
        radices = [a.domain_size(level) for a, level in zip(frequency.attributes, levels)]
        space = _space(radices)
        if any(radices[i] > 1 for i in range(len(radices)) if i not in splitting) or space > frequency.base.n_classes:
            continue  # a hierarchy whose top has several values, or more keys than rows
        counts, keys = frequency.base_counts(levels)
        assert keys is None and counts.dtype == np.float64 and len(counts) == space
        table = frequency.from_counts(levels, counts)
        got = {tuple(int(c) for c in table.codes[:, i]): int(table.sizes[i]) for i in range(table.n_classes)}
        assert got == _classes_by_records(frequency, levels)
        # the base key (the other way to count, and the roll-up's) reads no column of an
        # attribute with one value, and is the same key
        key = frequency._base_key(levels, radices)
        expected = _combine([frequency.base_codes(a, level) for a, level in enumerate(levels)], radices, space)
        assert key is None or (key.dtype == expected.dtype and (key == expected).all())


def test_value_counts_count_every_value_of_the_hierarchy():
    h = Hierarchy([["1", "*"], ["2", "*"], ["3", "*"]])
    table = Table.from_columns({"a": ["1", "3", "3", "1", "3"], "b": ["2", "2", "1", "1", "2"],
                                "c": ["1", "1", "1", "2", "2"]})
    frequency = FrequencyTable([encode_attribute(table, n, h, 0, 1) for n in "abc"])
    assert frequency.value_counts(0).tolist() == [2, 0, 3]  # "2" is in the hierarchy, not the data
    assert frequency.value_counts(1).tolist() == [2, 3, 0]
    # the groups of one attribute generalized: from the same counts
    assert frequency.projection((0,), (1,)).sizes.tolist() == [5]


def test_records_where_sums_the_sizes_under_the_mask():
    sizes = np.array([3, 1, 4, 1, 5], dtype=np.int64)
    mask = np.array([True, False, True, False, True])
    assert classes_module.records_where(sizes, mask) == 12
    assert classes_module.records_where(sizes, ~mask) == 2
    assert classes_module.records_where(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)) == 0


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 9), st.integers(0, 400), st.lists(st.sampled_from([1, 2, 3, 7, 40, 400, 5000]), min_size=9,
                                                        max_size=9), st.integers(0, 2**32 - 1))
def test_sorting_packed_records_finds_the_rows_grouping_finds(n_columns, n_rows, radices, seed):
    """The base table from bit-packed, sorted records (the frequency table's path) has the rows,
    sizes and records' rows of :func:`group` (sorting the mixed-radix keys), in its order."""
    radices = radices[:n_columns]
    rng = np.random.default_rng(seed)
    # few distinct values per column, so that rows repeat
    codes = [rng.choice(rng.integers(0, r, 3), n_rows).astype(np.int32) for r in radices]
    rows = classes_module._sorted_rows(codes, radices)
    (keys, expected_codes), expected_sizes, expected_inverse = classes_module.group(codes, radices, None)
    if rows is None:  # a key space group counts densely, or more bits than an int64 holds
        bits = sum(max(r - 1, 0).bit_length() for r in radices) + max(n_rows - 1, 1).bit_length()
        assert _space(radices) <= max(8 * n_rows, 256) or bits > 63
        return
    columns, sizes, _ = rows
    if expected_codes is None:
        expected_codes = classes_module._split(keys, radices)
    assert columns.dtype == np.int32 and sizes.dtype == np.int64
    assert np.array_equal(columns, expected_codes) and np.array_equal(sizes, expected_sizes)
    frequency = FrequencyTable.__new__(FrequencyTable)
    frequency._record_row, frequency._sorted = None, rows[2]
    assert np.array_equal(frequency.record_row, expected_inverse)


def test_the_frequency_table_numbers_the_records_rows_when_asked():
    """Built by sorting packed records, the table makes ``record_row`` on first use only."""
    values = [f"v{j}" for j in range(300)]
    rng = np.random.default_rng(5)
    columns = {f"a{a}": [values[j] for j in rng.integers(0, 300, 200)] for a in range(4)}
    table = Table.from_columns(columns)
    attributes = [encode_attribute(table, name, Hierarchy([[v] for v in values], name=name), 0, 0)
                  for name in columns]
    frequency = FrequencyTable(attributes)
    assert frequency._sorted is not None and frequency._record_row is None
    rows = frequency.record_row
    assert frequency._sorted is None
    for record in range(200):
        assert [int(frequency.base.codes[a][rows[record]]) for a in range(4)] == \
            [int(attributes[a].codes[record]) for a in range(4)]
    assert np.array_equal(np.bincount(rows, minlength=frequency.base.n_classes), frequency.base.sizes)
