"""Compiled kernels of :mod:`eucaim_wizard.engine.sweep` (numba, compiled on first use and
cached beside this file).  Imported only by the sweep: numba costs ~0.4 s to import, which
the search and the command line's start-up must not pay."""

from __future__ import annotations

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: multiply, keep the top bits


@njit(cache=True, nogil=True)
def _insert(key, row, size, codes, sizes, keys, d0, table, mask, shift, groups):
    """Add ``size`` records of ``key`` to its group (made from ``row`` when new: its codes
    are then copied by the caller); returns the group's index, or −1 − index when new."""
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


@njit(cache=True, nogil=True)
def _roll_one(src_keys, src_codes, src_sizes, s0, n, a, up, place, keys, codes, sizes, d0, table, bits):
    """Group rows ``s0 … s0+n`` of the source with attribute ``a``'s codes mapped through
    ``up`` (the others unchanged); the groups go to ``keys``/``codes``/``sizes`` from row
    ``d0``, in order of first appearance.  Returns the number of groups.

    Open addressing with linear probing on the mixed-radix key of the codes (below 2**62,
    so a key is a group); a row's new key is its old one with one digit changed."""
    n_attributes = src_codes.shape[1]
    mask = np.uint64((1 << bits) - 1)
    shift = np.uint64(64 - bits)
    table[:] = -1
    groups = 0
    for i in range(s0, s0 + n):
        code = src_codes[i, a]
        mapped = up[code]
        key = src_keys[i] + (np.int64(mapped) - np.int64(code)) * place
        g = _insert(key, i, src_sizes[i], codes, sizes, keys, d0, table, mask, shift, groups)
        if g < 0:
            row = d0 + groups
            for b in range(n_attributes):
                codes[row, b] = src_codes[i, b]
            codes[row, a] = mapped
            groups += 1
    return groups


@njit(cache=True, nogil=True)
def _roll_all(src_codes, src_sizes, n, maps, up_flat, places, keys, codes, sizes, d0, table, bits):
    """:func:`_roll_one` of the first ``n`` rows of the base table (level-0 codes), every
    attribute mapped through its up-map (``maps[a]``: its offset in ``up_flat``, −1: none)."""
    n_attributes = src_codes.shape[1]
    mask = np.uint64((1 << bits) - 1)
    shift = np.uint64(64 - bits)
    table[:] = -1
    groups = 0
    for i in range(n):
        key = np.int64(0)
        for b in range(n_attributes):
            code = src_codes[i, b]
            if maps[b] >= 0:
                code = up_flat[maps[b] + code]
            key += np.int64(code) * places[b]
        g = _insert(key, i, src_sizes[i], codes, sizes, keys, d0, table, mask, shift, groups)
        if g < 0:
            row = d0 + groups
            for b in range(n_attributes):
                code = src_codes[i, b]
                codes[row, b] = up_flat[maps[b] + code] if maps[b] >= 0 else code
            groups += 1
    return groups


@njit(cache=True, nogil=True)
def _judge(codes, sizes, d0, n, k, levels, shares_flat, share_offsets, node, out_classes, out_suppressed,
           out_kept, out_smallest, out_use_kept, out_parts):
    """k-anonymity and the Loss metric's partial sums for the classes in rows ``d0 … d0+n``:
    classes below ``k`` records are suppressed; the kept classes are counted with their
    smallest size; per attribute, Σ size·share over the smaller of the kept and the
    suppressed classes (the rest follows from the whole table's totals)."""
    n_attributes = codes.shape[1]
    bad = 0
    suppressed = 0
    smallest = np.int64(0)
    for g in range(d0, d0 + n):
        size = sizes[g]
        if size < k:
            bad += 1
            suppressed += size
        elif smallest == 0 or size < smallest:
            smallest = size
    kept = n - bad
    use_kept = kept < bad
    out_classes[node] = n
    out_suppressed[node] = suppressed
    out_kept[node] = kept
    out_smallest[node] = smallest
    out_use_kept[node] = use_kept
    if share_offsets.shape[0] == 0 or (kept if use_kept else bad) == 0:
        return
    offsets = np.empty(n_attributes, dtype=np.int64)
    parts = np.zeros(n_attributes)
    for a in range(n_attributes):
        offsets[a] = share_offsets[a, levels[a]]
    for g in range(d0, d0 + n):
        size = sizes[g]
        if (size >= k) == use_kept:
            for a in range(n_attributes):
                parts[a] += size * shares_flat[offsets[a] + codes[g, a]]
    out_parts[node] = parts


@njit(cache=True, nogil=True)
def sweep_height(nodes, position, prev_start, prev_count, prev_keys, prev_codes, prev_sizes, base_codes, base_sizes,
                 strides, lows, spans, places, up_flat, up_from_zero, up_step, k, shares_flat, share_offsets,
                 keys, codes, sizes, out_classes, out_suppressed, out_kept, out_smallest, out_use_kept, out_parts):
    """Evaluate ``nodes`` (one height of the lattice, or of a sub-lattice), each rolled up
    from the smallest of its direct predecessors held from the height below (``position``:
    node → its index in ``prev_*``, −1 when not held), or from the base table when none is
    held.  This height's classes go to ``keys``, ``codes`` and ``sizes`` (reused from height
    to height: fresh memory for every height costs page faults).

    Returns ``(start, count, needed)``: where each node's classes are in those arrays, and
    how many rows they may take; when that is more than ``sizes`` holds, nothing is done
    (call again with larger arrays).  ``position`` then gives the index of each of ``nodes``
    in ``start`` and ``count``."""
    n_nodes = nodes.shape[0]
    n_attributes = strides.shape[0]
    source = np.empty(n_nodes, dtype=np.int64)  # index in prev_*, or −1: the base table
    changed = np.empty(n_nodes, dtype=np.int64)  # the attribute one level up from the source
    start = np.empty(n_nodes, dtype=np.int64)
    count = np.zeros(n_nodes, dtype=np.int64)
    levels = np.empty((n_nodes, n_attributes), dtype=np.int64)
    total = 0
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
        start[j] = total
        total += rows
        if rows > largest:
            largest = rows
    if total > sizes.shape[0]:
        return start, count, total
    bits = 1
    while (1 << bits) < 2 * largest:
        bits += 1
    table = np.empty(1 << bits, dtype=np.int32)
    maps = np.empty(n_attributes, dtype=np.int64)
    for j in range(n_nodes):
        best = source[j]
        n = prev_count[best] if best >= 0 else base_sizes.shape[0]
        bits = 1
        while (1 << bits) < 2 * n:
            bits += 1
        if best >= 0:
            a = changed[j]
            offset = up_step[a, levels[j, a]]
            groups = _roll_one(prev_keys, prev_codes, prev_sizes, prev_start[best], n, a,
                               up_flat[offset:], places[a], keys, codes, sizes, start[j], table[:1 << bits], bits)
        else:
            for a in range(n_attributes):
                maps[a] = up_from_zero[a, levels[j, a]]
            groups = _roll_all(base_codes, base_sizes, n, maps, up_flat, places, keys, codes, sizes, start[j],
                               table[:1 << bits], bits)
        count[j] = groups
        position[nodes[j]] = j
        if j + 1 < n_nodes:  # the next node's classes follow these (only rows used are touched)
            start[j + 1] = start[j] + groups
        _judge(codes, sizes, start[j], groups, k, levels[j], shares_flat, share_offsets, nodes[j], out_classes,
               out_suppressed, out_kept, out_smallest, out_use_kept, out_parts)
    return start, count, total
