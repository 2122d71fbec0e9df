"""The per-class models the compiled sweep judges besides k-anonymity, as the codes the sweep
(:mod:`.sweep`) and its numba kernels (:mod:`._sweep_kernels`) share (kept apart so that the
kernels need not import the sweep, nor the sweep numba)."""

DISTINCT_L, EQUAL_T = 1, 2
