"""Attribute risk: α-distinction and α-separation of every QI combination (Motwani & Xu; ARX order)."""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eucaim_wizard import Table
from eucaim_wizard.risk import RiskError, analyze_table, attribute_risks, default_max_size
from eucaim_wizard.risk.attributes import distinction_separation


def test_two_attributes_by_hand():
    # rows (x,1) (x,1) (y,1) (y,2): a → classes 2,2; b → 3,1; a+b → 2,1,1; pairs: 6
    table = Table.from_columns({"a": ["x", "x", "y", "y"], "b": ["1", "1", "1", "2"]})
    risks = analyze_table(table, ["a", "b"], with_population=False).attributes
    assert [(r.qis, r.distinction, r.separation) for r in risks] == [
        (("b",), 0.5, 3 / 6),        # sorted as ARX: size, then distinction, then separation
        (("a",), 0.5, 4 / 6),
        (("a", "b"), 0.75, 5 / 6),
    ]
    assert [r.to_dict() for r in risks][2] == {"qis": ["a", "b"], "distinction": 0.75, "separation": 5 / 6}


def test_distinction_and_separation_of_edge_groupings():
    assert distinction_separation(np.array([], dtype=np.int64)) == (0.0, 0.0)
    assert distinction_separation(np.array([1])) == (1.0, 0.0)
    assert distinction_separation(np.array([1, 1, 1])) == (1.0, 1.0)
    assert distinction_separation(np.array([4])) == (0.25, 0.0)


def test_suppressed_rows_are_left_out_of_attribute_risk():
    table = Table.from_columns({"a": ["x", "y", "*"], "b": ["1", "1", "*"]})
    risks = {r.qis: r for r in analyze_table(table, ["a", "b"], with_population=False).attributes}
    assert risks[("a",)].distinction == 1.0 and risks[("b",)].distinction == 0.5


def test_the_default_cap_keeps_all_combinations_up_to_ten_attributes():
    assert [default_max_size(m) for m in (1, 9, 10)] == [1, 9, 10]
    assert default_max_size(11) == 5  # C(11,1..5) = 1,023 combinations
    assert default_max_size(20) == 2  # 20 + 190 = 210; with the 1,140 triples 1,350 > 1,023
    # never more combinations than ten attributes give, and as many sizes as fit
    for m in range(11, 30):
        size = default_max_size(m)
        assert sum(comb(m, k) for k in range(1, size + 1)) <= 1023 < sum(comb(m, k) for k in range(1, size + 2))


def test_a_cap_limits_the_combinations():
    table = Table.from_columns({q: [str(i % (j + 2)) for i in range(12)] for j, q in enumerate("abcd")})
    risks = analyze_table(table, list("abcd"), with_population=False, max_combination=2).attributes
    assert len(risks) == 4 + 6 and max(len(r.qis) for r in risks) == 2
    with pytest.raises(RiskError, match="at least 1"):
        analyze_table(table, list("abcd"), with_population=False, max_combination=0)


def _brute_force(columns: dict[str, list[str]], cap: int) -> dict[tuple[str, ...], tuple[float, float]]:
    names = list(columns)
    n = len(columns[names[0]])
    out = {}
    for k in range(1, cap + 1):
        for subset in combinations(names, k):
            counts = Counter(zip(*(columns[q] for q in subset)))
            same = sum(c * (c - 1) for c in counts.values())
            out[subset] = (len(counts) / n, (1 - same / (n * (n - 1))) if n > 1 else 0.0)
    return out


@settings(max_examples=50, deadline=None, derandomize=True)
@given(st.integers(1, 30), st.integers(1, 5), st.data())
def test_every_combination_equals_a_brute_force_count(rows, m, data):
    names = [f"q{i}" for i in range(m)]
    columns = {q: [str(data.draw(st.integers(0, 3))) for _ in range(rows)] for q in names}
    cap = data.draw(st.integers(1, m))
    risks = analyze_table(Table.from_columns(columns), names, with_population=False, max_combination=cap).attributes
    expected = _brute_force(columns, cap)
    assert {r.qis for r in risks} == set(expected)
    for r in risks:
        assert (r.distinction, r.separation) == pytest.approx(expected[r.qis], rel=1e-12, abs=1e-15)


def test_attribute_risks_accepts_weighted_rows():
    # the same table as rows with weights: (x,1)×2, (y,1), (y,2)
    codes = [np.array([0, 1, 1]), np.array([0, 0, 1])]
    risks = attribute_risks(codes, [2, 2], np.array([2, 1, 1]), ["a", "b"])
    assert [(r.qis, r.distinction, r.separation) for r in risks] == [
        (("b",), 0.5, 3 / 6), (("a",), 0.5, 4 / 6), (("a", "b"), 0.75, 5 / 6)]
