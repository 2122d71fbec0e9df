"""Evaluating a large lattice in two halves at the same time.

The lattice is split along one attribute's levels (:func:`halves`).  The compiled sweep runs
the upper half in a second thread (its kernels release the GIL); the numpy evaluation, which
holds the GIL, sends it to a forked child whose answer comes back pickled through a pipe
(:func:`in_two_processes`).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from .lattice import Lattice

T = TypeVar("T")
U = TypeVar("U")

#: from this many transformations, a lattice is split over two processes
PARALLEL_NODES = 4096


def halves(lattice: Lattice, workers: int | None = None, *, fork: bool = True) -> tuple[np.ndarray, np.ndarray] | None:
    """The lower and the upper half of the nodes, or None when one worker is better: one
    core, ``workers`` < 2, fewer than :data:`PARALLEL_NODES` nodes, or (with ``fork``: the
    halves go to two processes) no ``fork`` (Windows).

    The levels of one attribute are split in two: one with two levels halves the lattice
    (its lower half, with the bigger class tables, costs a little more than the upper one);
    else the one with the most levels.  Every node of the upper half has its direct
    predecessors in it, or none (then it starts from the base table).
    """
    if workers is None:
        workers = 2 if (os.cpu_count() or 1) >= 2 else 1
    spans = lattice.span
    if workers < 2 or lattice.size < PARALLEL_NODES or (fork and not hasattr(os, "fork")) or len(spans) == 0:
        return None
    two = np.flatnonzero(spans == 2)
    split = int(two[0]) if len(two) else int(np.argmax(spans))
    if spans[split] < 2:
        return None
    upper = lattice.levels[:, split] >= lattice.low[split] + spans[split] // 2
    nodes = np.arange(lattice.size)
    return nodes[~upper], nodes[upper]


def in_two_processes(here: Callable[[], T], there: Callable[[], U]) -> tuple[T, U]:
    """``(here(), there())``, ``there`` run in a forked child at the same time.

    Raises
    ------
    RuntimeError
        When the child fails (its exception is not carried over; run ``there`` in one
        process to see it).
    """
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the child: compute, send the answer, leave without cleanup
        code = 0
        try:
            os.close(read_end)
            answer = there()
            with os.fdopen(write_end, "wb") as stream:
                pickle.dump(answer, stream, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # the parent notices the missing answer and raises
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        mine = here()
        with os.fdopen(read_end, "rb") as stream:
            theirs = pickle.load(stream)
    except EOFError:
        theirs = None
    finally:
        _, status = os.waitpid(child, 0)
    if status != 0:
        raise RuntimeError("evaluating the lattice in a second process failed")
    return mine, theirs
