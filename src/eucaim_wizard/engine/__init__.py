"""The engine: from encoded quasi-identifiers to the optimal transformation.

* :mod:`.encoding` — each quasi-identifier as integer codes and one lookup per hierarchy
  level; a sensitive attribute as value codes and its :class:`~.encoding.SensitiveDomain`.
* :mod:`.classes` — the frequency table (the one pass over all records, sorted as packed
  integers by :mod:`eucaim_wizard.tables._packing`, which the CSV writer shares) and the
  equivalence classes of a transformation, rolled up from cached ones.
* :mod:`.distribution` — per-class counts of sensitive values.
* :mod:`.lattice` — the lattice of level vectors, numbered in mixed radix.
* :mod:`.search` — the optimal search (best-first by bound, predictive tagging).
* :mod:`.sweep` (+ :mod:`._sweep_kernels`, numba) — the whole lattice at once, compiled;
  :mod:`.parallel` runs it in two processes.
* :mod:`.transform` — applying the chosen transformation to every record (the second pass).

Nothing is imported here, so that importing one engine module costs only that module.
"""
