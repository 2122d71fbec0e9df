"""Splitting a lattice over two processes."""

from __future__ import annotations

import os

import numpy as np
import pytest

from eucaim_wizard.engine import parallel
from eucaim_wizard.engine.lattice import Lattice

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


@needs_fork
def test_both_halves_are_computed_and_the_childs_answer_comes_back():
    here, there = parallel.in_two_processes(lambda: os.getpid(), lambda: (os.getpid(), np.arange(3)))
    assert here == os.getpid() and there[0] != here and there[1].tolist() == [0, 1, 2]


@needs_fork
def test_a_failing_child_is_an_error_in_the_parent():
    def fails():
        raise ValueError("boom")

    with pytest.raises(RuntimeError, match="second process failed"):
        parallel.in_two_processes(lambda: 1, fails)


def test_small_lattices_and_one_worker_stay_in_one_process(monkeypatch):
    assert parallel.halves(Lattice([0, 0], [1, 2])) is None  # 6 nodes
    monkeypatch.setattr(parallel, "PARALLEL_NODES", 1)
    assert parallel.halves(Lattice([0, 0], [1, 2]), workers=1) is None
    assert parallel.halves(Lattice([0, 0], [0, 0]), workers=2) is None  # nothing to split


@needs_fork
@pytest.mark.parametrize("low, high", [([0, 0, 1], [1, 3, 4]), ([0, 2], [5, 4]), ([1, 0, 0], [3, 2, 2])])
def test_the_halves_split_one_attribute_and_keep_predecessors_inside(monkeypatch, low, high):
    monkeypatch.setattr(parallel, "PARALLEL_NODES", 1)
    lattice = Lattice(low, high)
    lower, upper = parallel.halves(lattice, workers=2)
    assert sorted(np.concatenate([lower, upper]).tolist()) == list(range(lattice.size))
    assert len(lower) and len(upper)
    # one attribute separates them: two levels if one has two, else the one with most levels
    spans = lattice.span
    split = int(np.flatnonzero(spans == 2)[0]) if (spans == 2).any() else int(np.argmax(spans))
    assert lattice.levels[upper, split].min() > lattice.levels[lower, split].max()
    inside = set(upper.tolist())
    for node in upper.tolist():  # a direct predecessor is inside, or lies below the split
        for p in lattice.predecessors(node):
            assert p in inside or lattice.levels[p, split] < lattice.levels[upper, split].min()
