"""Compiled kernels of :mod:`eucaim_wizard.engine.sweep` (numba, compiled on first use and
cached beside this file).  Imported only by the sweep: numba costs ~0.4 s to import, which
the search's usual path and the command line's start-up must not pay.

A table of classes is four arrays, row ``i`` one class: ``keys`` (the mixed-radix key of its
level codes, int64), ``codes`` (one column per quasi-identifier), ``hist`` (the counts of
each sensitive value, every sensitive attribute's values side by side; no column when no
model looks at one) and ``sizes`` (records).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._sweep_kinds import DISTINCT_L

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: multiply, keep the top bits


@njit(cache=True, nogil=True)
def _table_bits(rows):
    """log2 of the hash table's slots for ``rows`` rows: at least twice as many slots."""
    bits = 1
    while (1 << bits) < 2 * rows:
        bits += 1
    return bits


@njit(cache=True, nogil=True)
def _insert(key, size, sizes, keys, d0, table, mask, shift, groups):
    """Add ``size`` records of ``key`` to its group: returns the group's index, or
    −1 − index when the group is new (its codes and counts are then copied by the caller).

    Small on purpose: LLVM inlines it into the loops over rows.  The helpers that take the
    count arrays are inlined by numba itself (``inline="always"``): called, they cost ~40×
    per row (reference counting of their array arguments at every call)."""
    slot = (np.uint64(key) * _GOLDEN) >> shift
    while True:
        g = table[slot]
        if g < 0:
            table[slot] = groups
            keys[d0 + groups] = key
            sizes[d0 + groups] = size
            return -1 - groups
        if keys[d0 + g] == key:
            sizes[d0 + g] += size
            return g
        slot = (slot + np.uint64(1)) & mask


@njit(cache=True, nogil=True, inline="always")
def _copy_counts(hist, row, src_hist, i):
    """Row ``i``'s sensitive-value counts into the new group row ``row`` (inlined by numba
    into the loops over rows: no call, no reference counting per row)."""
    for v in range(src_hist.shape[1]):
        hist[row, v] = src_hist[i, v]


@njit(cache=True, nogil=True, inline="always")
def _add_counts(hist, row, src_hist, i):
    """Row ``i``'s sensitive-value counts added to group row ``row`` (inlined likewise)."""
    for v in range(src_hist.shape[1]):
        hist[row, v] += src_hist[i, v]


@njit(cache=True, nogil=True)
def _roll_one(src_keys, src_codes, src_hist, src_sizes, s0, n, a, up, place, keys, codes, hist, sizes, d0, table):
    """Group rows ``s0 … s0+n`` of the source with attribute ``a``'s codes mapped through
    ``up`` (the others unchanged); the groups go to the destination arrays from row ``d0``,
    in order of first appearance.  Returns the number of groups.

    Open addressing with linear probing (:func:`_table_bits` of ``table``'s slots) on the
    mixed-radix key of the codes (below 2**62, so a key is a group); a row's new key is its
    old one with one digit changed."""
    n_attributes = src_codes.shape[1]
    bits = _table_bits(n)
    mask, shift = np.uint64((1 << bits) - 1), np.uint64(64 - bits)
    table[:1 << bits] = -1
    groups = 0
    for i in range(s0, s0 + n):
        code = src_codes[i, a]
        mapped = up[code]
        key = src_keys[i] + (np.int64(mapped) - np.int64(code)) * place
        g = _insert(key, src_sizes[i], sizes, keys, d0, table, mask, shift, groups)
        if g < 0:
            row = d0 + groups
            for b in range(n_attributes):
                codes[row, b] = src_codes[i, b]
            codes[row, a] = mapped
            _copy_counts(hist, row, src_hist, i)
            groups += 1
        else:
            _add_counts(hist, d0 + g, src_hist, i)
    return groups


@njit(cache=True, nogil=True)
def _roll_all(src_codes, src_hist, src_sizes, n, maps, up_flat, places, keys, codes, hist, sizes, d0, table):
    """:func:`_roll_one` of the first ``n`` rows of the base table (level-0 codes), every
    attribute mapped through its up-map (``maps[a]``: its offset in ``up_flat``, −1: none)."""
    n_attributes = src_codes.shape[1]
    bits = _table_bits(n)
    mask, shift = np.uint64((1 << bits) - 1), np.uint64(64 - bits)
    table[:1 << bits] = -1
    mapped = np.empty(n_attributes, dtype=codes.dtype)
    groups = 0
    for i in range(n):
        key = np.int64(0)
        for b in range(n_attributes):
            code = src_codes[i, b]
            mapped[b] = up_flat[maps[b] + code] if maps[b] >= 0 else code
            key += np.int64(mapped[b]) * places[b]
        g = _insert(key, src_sizes[i], sizes, keys, d0, table, mask, shift, groups)
        if g < 0:
            row = d0 + groups
            for b in range(n_attributes):
                codes[row, b] = mapped[b]
            _copy_counts(hist, row, src_hist, i)
            groups += 1
        else:
            _add_counts(hist, d0 + g, src_hist, i)
    return groups


@njit(cache=True, nogil=True)
def _judge_sizes(sizes, d0, n, k, ok):
    """:func:`_judge_classes` for k-anonymity alone, without a branch on the sizes (random
    against ``k``, it would mispredict at every other class)."""
    bad = suppressed = squares = np.int64(0)
    big = np.int64(1) << 62
    least = big
    for g in range(d0, d0 + n):
        size = sizes[g]
        passes = size >= k
        ok[g - d0] = passes
        fail = np.int64(1 - passes)
        bad += fail
        suppressed += size * fail
        squares += size * size * (1 - fail)
        least = min(least, size + big * fail)
    return bad, suppressed, suppressed, squares, least if least < big else np.int64(0)


@njit(cache=True, nogil=True)
def _judge_classes(hist, sizes, d0, n, k, kinds, offsets, widths, limits, overall, monotonic, ok):
    """Judge the classes in rows ``d0 … d0+n`` (``ok``: whether each passes every model);
    returns ``(failing classes, their records, records failing the models monotonic with
    suppression, Σ size² of the kept, smallest kept)``."""
    bad = suppressed = failing = squares = smallest = np.int64(0)
    n_models = kinds.shape[0]
    for g in range(d0, d0 + n):
        size = sizes[g]
        passes = size >= k
        monotonic_ok = passes
        size_ = np.float64(size)
        # the same floating-point operations, in the same order, as the numpy models; the
        # models monotonic with suppression first (their failures also count on their own)
        for m in range(n_models):
            if not passes:
                break
            first = offsets[m]
            if kinds[m] == DISTINCT_L:
                distinct = 0
                for v in range(first, first + widths[m]):
                    distinct += hist[g, v] > 0
                passes = distinct >= limits[m]
            else:  # equal-distance t-closeness: ½·(1 + Σ_present (|p − q| − q))
                total = 0.0
                for v in range(widths[m]):
                    count = hist[g, first + v]
                    share = overall[first + v]
                    term = abs(count / size_ - share) - share
                    total += term if count > 0 else 0.0  # (adding 0.0 leaves the sum as it is)
                passes = 0.5 * (1.0 + total) <= limits[m]
            if m < monotonic:
                monotonic_ok = passes
        ok[g - d0] = passes
        if not monotonic_ok:
            failing += size
        if not passes:
            bad += 1
            suppressed += size
        else:
            squares += size * size
            if smallest == 0 or size < smallest:
                smallest = size
    return bad, suppressed, failing, squares, smallest


@njit(cache=True, nogil=True)
def _judge(hist, sizes, codes, d0, n, k, kinds, offsets, widths, limits, overall, monotonic, levels,
           shares_flat, share_offsets, node, ok, picked, out):
    """Judge the classes in rows ``d0 … d0+n`` and write the node's figures to ``out``
    (see :func:`sweep_height`); with ``shares_flat``, also the Loss metric's partial sums
    over the fewer of the kept and the suppressed classes (the rest follows from the whole
    table's totals; ``picked``: room for their row numbers)."""
    classes_, suppressed_, kept_, smallest_, use_kept_, failing_, squares_, parts_ = out
    if kinds.shape[0] == 0:
        bad, suppressed, failing, squares, smallest = _judge_sizes(sizes, d0, n, k, ok)
    else:
        bad, suppressed, failing, squares, smallest = _judge_classes(
            hist, sizes, d0, n, k, kinds, offsets, widths, limits, overall, monotonic, ok)
    kept = n - bad
    use_kept = kept < bad
    classes_[node] = n
    suppressed_[node] = suppressed
    kept_[node] = kept
    smallest_[node] = smallest
    use_kept_[node] = use_kept
    failing_[node] = failing
    squares_[node] = squares
    if share_offsets.shape[0] == 0 or (kept if use_kept else bad) == 0:
        return
    n_attributes = codes.shape[1]
    offsets_ = np.empty(n_attributes, dtype=np.int64)
    parts = np.zeros(n_attributes)
    for a in range(n_attributes):
        offsets_[a] = share_offsets[a, levels[a]]
    chosen = 0  # the rows to sum, in order, gathered without a branch (it would mispredict)
    for g in range(d0, d0 + n):
        picked[chosen] = g
        chosen += ok[g - d0] == use_kept
    for i in range(chosen):
        g = picked[i]
        size = sizes[g]
        for a in range(n_attributes):
            parts[a] += size * shares_flat[offsets_[a] + codes[g, a]]
    parts_[node] = parts


@njit(cache=True, nogil=True)
def sweep_height(nodes, position, prev, base, lattice, maps, models, shares, buffers, out):
    """Evaluate ``nodes`` (one height of the lattice, or of a sub-lattice), each rolled up
    from the smallest of its direct predecessors held from the height below (``position``:
    node → its index in ``prev``'s ``start``/``count``, −1 when not held), or from the base
    table when none is held.  This height's classes go to ``buffers`` (reused from height to
    height: fresh memory for every height costs page faults).

    Arguments (tuples of arrays)
    ----------------------------
    prev
        ``(start, count, keys, codes, hist, sizes)`` of the height below.
    base
        ``(codes, hist, sizes)`` of the base table (level-0 codes).
    lattice
        ``(strides, lows, spans, places)``: the node numbering and each attribute's place
        value in the keys.
    maps
        ``(up_flat, up_from_zero, up_step)``: every up-map in one array, and the offset of
        the map from level 0 to each level and from each level to the next.
    models
        ``(k, kinds, offsets, widths, limits, overall, monotonic)``: classes below ``k``
        records fail; each model of ``kinds`` looks at the counts ``offsets[m] …
        offsets[m] + widths[m]`` (distinct-l: at least ``limits[m]`` distinct values;
        equal-distance t-closeness: an EMD of at most ``limits[m]`` from the shares in
        ``overall``); the first ``monotonic`` of them are monotonic with suppression.
    shares
        ``(shares_flat, share_offsets)`` of the Loss metric (no row: no sums).
    buffers
        ``(keys, codes, hist, sizes)`` for this height's classes.
    out
        Per node: ``(classes, suppressed, kept, smallest, use_kept, failing, squares, parts)``.

    Returns ``(start, count, needed)``: where each node's classes are in ``buffers``, and how
    many rows the height may take; when that is more than ``buffers`` hold, nothing is done
    (call again with larger buffers).
    """
    prev_start, prev_count, prev_keys, prev_codes, prev_hist, prev_sizes = prev
    base_codes, base_hist, base_sizes = base
    strides, lows, spans, places = lattice
    up_flat, up_from_zero, up_step = maps
    k, kinds, offsets, widths, limits, overall, monotonic = models
    shares_flat, share_offsets = shares
    keys, codes, hist, sizes = buffers
    n_nodes = nodes.shape[0]
    n_attributes = strides.shape[0]
    source = np.empty(n_nodes, dtype=np.int64)  # index in prev, or −1: the base table
    changed = np.empty(n_nodes, dtype=np.int64)  # the attribute one level up from the source
    start = np.zeros(n_nodes, dtype=np.int64)
    count = np.zeros(n_nodes, dtype=np.int64)
    levels = np.empty((n_nodes, n_attributes), dtype=np.int64)
    total = 0  # at most this many classes: each node has at most its source's
    largest = 1
    for j in range(n_nodes):
        node = nodes[j]
        best = -1
        best_attribute = -1
        for a in range(n_attributes):
            level = node // strides[a] % spans[a] + lows[a]
            levels[j, a] = level
            if level > lows[a]:
                p = position[node - strides[a]]
                if p >= 0 and (best < 0 or prev_count[p] < prev_count[best]):
                    best = p
                    best_attribute = a
        source[j] = best
        changed[j] = best_attribute
        rows = prev_count[best] if best >= 0 else base_sizes.shape[0]
        total += rows
        largest = max(largest, rows)
    if total > sizes.shape[0]:
        return start, count, total
    table = np.empty(1 << _table_bits(largest), dtype=np.int32)
    ok = np.empty(largest, dtype=np.bool_)
    picked = np.empty(largest, dtype=np.int64)
    mapping = np.empty(n_attributes, dtype=np.int64)
    for j in range(n_nodes):
        best = source[j]
        if best >= 0:
            a = changed[j]
            offset = up_step[a, levels[j, a]]
            groups = _roll_one(prev_keys, prev_codes, prev_hist, prev_sizes, prev_start[best], prev_count[best], a,
                               up_flat[offset:], places[a], keys, codes, hist, sizes, start[j], table)
        else:
            for a in range(n_attributes):
                mapping[a] = up_from_zero[a, levels[j, a]]
            groups = _roll_all(base_codes, base_hist, base_sizes, base_sizes.shape[0], mapping, up_flat, places, keys,
                               codes, hist, sizes, start[j], table)
        count[j] = groups
        position[nodes[j]] = j
        if j + 1 < n_nodes:  # the next node's classes follow these (only the rows used are touched)
            start[j + 1] = start[j] + groups
        _judge(hist, sizes, codes, start[j], groups, k, kinds, offsets, widths, limits, overall, monotonic,
               levels[j], shares_flat, share_offsets, nodes[j], ok, picked, out)
    return start, count, total
