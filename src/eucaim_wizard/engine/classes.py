"""Frequency tables and equivalence classes.

The frequency table holds the distinct rows of quasi-identifier codes and how many records
have each.  It is built in the one pass over all records; every transformation is then
evaluated on it, or on the (smaller) class table of an already evaluated, more specific
transformation ("roll-up").  Grouping the arrays of codes themselves (mixed-radix keys,
dense counts, sorting) is :mod:`.grouping`'s.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..tables._packing import group_of_rows
from .distribution import Distribution
from .encoding import EncodedAttribute
# (group, _space, _combine, _split and _sorted_rows are imported from here too)
from .grouping import (_DENSE_FACTOR, _DENSE_LIMIT, _combine, _present, _sorted_rows, _space, _split,
                       _splitting, group)

# At most this many partial keys of base rows are kept (int32 or int64 each; see _base_key).
_PARTIAL_CELLS = 1 << 23
# (On the engine's arrays numpy's ``take`` is faster than indexing with an int32 array, and
# ``compress`` faster than indexing with a boolean mask whose pattern is irregular: see
# benchmarks/README.md.)


def max_suppressed(suppression_limit: float, records: int) -> int:
    """The records a suppression limit (a share, 0–1) allows: ``floor(limit · records)``, as ARX
    counts it (the 1e-9 keeps a product such as 0.05 · 20 = 1.0000000000000002 − rounding at 1).

    >>> max_suppressed(0.05, 30162), max_suppressed(0.05, 20), max_suppressed(0.0, 100)
    (1508, 1, 0)
    """
    return int(np.floor(suppression_limit * records + 1e-9))


def records_where(sizes: np.ndarray, mask: np.ndarray) -> int:
    """The records of the classes where ``mask`` holds: ``sizes[mask].sum()``, exact.

    int64 sizes: a dot product with the mask (numpy's own integer loop, no gather).  float64
    sizes (counts, weights): the kept ones compressed and summed, never a float dot product,
    which numpy hands to BLAS: its threads stall whenever another process holds a core
    (timings of one search swung 9x), and on one idle core it is no faster.  The sums are of
    whole numbers below 2⁵³, so any order of addition gives the same integer.
    """
    if sizes.dtype.kind == "f":
        return int(np.add.reduce(np.compress(mask, sizes)))
    return int(np.dot(sizes, mask))


class ClassTable:
    """The equivalence classes of one transformation.

    Attributes
    ----------
    levels
        The generalization level of each quasi-identifier.
    codes
        int32, one row per quasi-identifier (``codes[a]``: each class's code of attribute
        ``a`` at its level); decoded from the mixed-radix keys on first use: most tables are
        only counted, never rolled up.  One 2-D array, so that a roll-up or a metric touches
        all attributes in one numpy call instead of one per attribute.
    sizes
        Number of records in each class (int64).
    distributions
        Sensitive attribute name → :class:`Distribution` of its values in each class (empty
        when no privacy model looks at a sensitive attribute).  A rolled-up table computes
        them on first use, from its source's: most tables are judged on a few of their
        classes (:meth:`distribution_of`) and never need all of them.
    """

    __slots__ = ("levels", "sizes", "_distributions", "_pending", "representatives", "_codes", "_keys",
                 "_radices", "_weights")

    def __init__(self, levels: tuple[int, ...], codes: np.ndarray | None, sizes: np.ndarray,
                 keys: np.ndarray | None = None, radices: list[int] | None = None,
                 distributions: dict[str, Distribution] | None = None):
        self.levels = levels
        self.sizes = sizes
        self._distributions = distributions or {}
        #: (source table, class of each source class) while the distributions are not computed
        self._pending: tuple[ClassTable, np.ndarray] | None = None
        #: per class, the smallest index of its records (kept only when asked for: ARX's
        #: tie-break among classes of equal size)
        self.representatives: np.ndarray | None = None
        self._codes = codes
        self._keys = keys
        self._radices = radices
        self._weights: np.ndarray | None = None

    @property
    def weights(self) -> np.ndarray:
        """The sizes as float64, made once: the weights of a bincount over these classes
        (numpy converts int64 weights at every call, a quarter of a count over the base)."""
        if self._weights is None:
            self._weights = self.sizes.astype(np.float64)
        return self._weights

    @property
    def distributions(self) -> dict[str, Distribution]:
        if self._pending is not None:
            source, inverse = self._pending
            self._distributions = {name: d.rolled_up(inverse, self.n_classes)
                                   for name, d in source.distributions.items()}
            self._pending = None
        return self._distributions

    @property
    def distribution_view(self) -> Mapping[str, Distribution]:
        """The distributions, computed only when one is looked up."""
        return _DistributionView(self)

    @property
    def sensitive(self) -> bool:
        """Whether the table carries sensitive-value distributions (computed or not)."""
        return bool(self._distributions) or (self._pending is not None and self._pending[0].sensitive)

    def distribution_of(self, name: str, classes: np.ndarray) -> Distribution:
        """The distribution of ``name`` in the given classes only (renumbered 0, 1, … in the
        given order), computed without rolling up the distributions of the other classes."""
        position = np.full(self.n_classes, -1, dtype=np.int64)
        position[classes] = np.arange(len(classes))
        if self._pending is None:
            full = self.distributions[name]
            where = position[full.cls]
        else:
            source, inverse = self._pending
            full = source.distributions[name]
            where = position[inverse[full.cls]]
        chosen = where >= 0
        return Distribution.from_rows(where[chosen], full.value[chosen], len(classes), full.n_values,
                                      weights=full.count[chosen])

    @property
    def codes(self) -> np.ndarray:
        if self._codes is None:
            self._codes = _split(self._keys, self._radices)
            self._keys = None
        return self._codes

    @property
    def n_classes(self) -> int:
        return len(self.sizes)


class _DistributionView(Mapping):
    """A table's distributions as a mapping that computes them on the first lookup."""

    def __init__(self, table: ClassTable):
        self._table = table

    def __getitem__(self, name: str) -> Distribution:
        return self._table.distributions[name]

    def __iter__(self):
        return iter(self._table.distributions)

    def __len__(self) -> int:
        return len(self._table.distributions)


def _groups_of(levels: tuple[int, ...], codes, radices: list[int], source: ClassTable, *,
               dense_up_to: int) -> ClassTable:
    """The groups of ``source``'s rows by ``codes`` (a coarser partition than ``source``),
    with their sensitive distributions pending.  While the key space is at most
    ``dense_up_to`` every possible key is a group, empty ones included: no renumbering."""
    space = _space(radices)
    if space <= min(dense_up_to, _DENSE_LIMIT):
        inverse = _combine(codes, radices, space)
        sizes = np.bincount(inverse, weights=source.weights, minlength=space).astype(np.int64)
        table = ClassTable(levels, None, sizes, keys=np.arange(space, dtype=np.int64), radices=radices)
    else:
        grouped, sizes, inverse = group(codes, radices, source.weights)
        table = _table(levels, grouped, sizes, radices)
    if source.sensitive:
        table._pending = (source, inverse)
    return table


def _table(levels: tuple[int, ...], grouped, sizes: np.ndarray, radices: list[int]) -> ClassTable:
    keys, codes = grouped
    return ClassTable(levels, codes, sizes, keys=keys, radices=radices)


class FrequencyTable:
    """Distinct quasi-identifier rows of the data and their record counts.

    ``record_row`` maps each record to its distinct row, so that the chosen transformation
    can later be applied to every record without grouping again.
    """

    def __init__(self, attributes: list[EncodedAttribute],
                 sensitive: dict[str, tuple[np.ndarray, int]] | None = None, domains: dict | None = None):
        """``sensitive``: attribute name → (value code of every record, number of values);
        ``domains``: sensitive attribute → what the privacy models know of its values
        (:class:`~eucaim_wizard.privacy.base.SensitiveDomain`), one per sensitive attribute."""
        if set(domains or {}) != set(sensitive or {}):
            raise ValueError("give one domain per sensitive attribute (domains and sensitive name the same ones)")
        self.attributes = attributes
        n_records = len(attributes[0].codes) if attributes else (
            len(next(iter(sensitive.values()))[0]) if sensitive else 0)
        self.n_records = n_records
        levels = tuple(0 for _ in attributes)
        #: the sorted packed records (see _sorted_rows) until record_row is made
        self._sorted: tuple[np.ndarray, np.ndarray, int] | None = None
        inverse = None
        if attributes:
            codes = [a.codes for a in attributes]
            radices = [a.domain_size(0) for a in attributes]
            rows = _sorted_rows(codes, radices)
            if rows is None:
                grouped, sizes, inverse = group(codes, radices, None)
                self.base = _table(levels, grouped, sizes, radices)
            else:
                columns, sizes, self._sorted = rows
                self.base = ClassTable(levels, columns, sizes, radices=radices)
        else:
            inverse = np.zeros(n_records, dtype=np.int64)
            self.base = ClassTable(levels, np.zeros((0, 1), dtype=np.int32), np.array([n_records], dtype=np.int64))
        self._record_row = inverse
        #: sensitive attribute → the share of each of its values in the whole table
        self.overall: dict[str, np.ndarray] = {}
        #: sensitive attribute → what the privacy models know of its values
        self.domains: dict = dict(domains or {})
        for name, (values, n_values) in (sensitive or {}).items():
            self.base._distributions[name] = Distribution.from_rows(self.record_row, values, self.base.n_classes,
                                                                    n_values)
            self.overall[name] = np.bincount(values, minlength=n_values) / max(n_records, 1)
        # the base table's codes generalized to each level, made on first use: most checks
        # start from the base table, and then grouping needs no lookups at all
        self._base_at: dict[tuple[int, int], np.ndarray] = {}
        # attributes → the groups of their level-0 values (see projection)
        self._projections: dict[tuple[int, ...], ClassTable] = {}
        # (first attribute, levels of three) → their mixed-radix key on the base rows (see _base_key)
        self._partial_keys: dict[tuple[int, tuple[int, ...]], np.ndarray] = {}
        self._partial_cells = 0

    @property
    def record_row(self) -> np.ndarray:
        """The distinct row of every record (int64), made on first use: the search itself
        never needs it (it is for sensitive values, ARX's tie-break and the output)."""
        if self._record_row is None:
            self._record_row, self._sorted = group_of_rows(*self._sorted), None
        return self._record_row

    def base_codes(self, a: int, level: int) -> np.ndarray:
        """The base table's codes of attribute ``a`` generalized to ``level``."""
        codes = self._base_at.get((a, level))
        if codes is None:
            column = self.base.codes[a]
            codes = column if level == 0 else np.take(self.attributes[a].up(0, level), column)
            self._base_at[(a, level)] = codes
        return codes

    def value_counts(self, a: int) -> np.ndarray:
        """Records per level-0 value of attribute ``a`` (int64; every value of its hierarchy,
        those absent from the data with 0)."""
        start = self._projection_start((a,))
        return start.sizes

    def _projection_start(self, attributes: tuple[int, ...]) -> ClassTable:
        """The level-0 groups of ``attributes`` (kept: projections roll up from them)."""
        start = self._projections.get(attributes)
        if start is None and len(attributes) == 1 and not self.base.sensitive:
            # a group per level-0 value, counted on the records' codes: an integer count of
            # the records is cheaper than a weighted one of the base rows
            attribute = self.attributes[attributes[0]]
            radix = attribute.domain_size(0)
            sizes = np.bincount(attribute.codes, minlength=radix).astype(np.int64, copy=False)
            start = ClassTable((0,), None, sizes, keys=np.arange(radix, dtype=np.int64), radices=[radix])
            self._projections[attributes] = start
        elif start is None:
            radices = [self.attributes[a].domain_size(0) for a in attributes]
            # one attribute: a group per level-0 value (what value_counts promises); more:
            # every possible group only while they are not many more than the base rows
            dense_up_to = radices[0] if len(attributes) == 1 else max(self.base.n_classes // 4, 256)
            start = _groups_of(tuple(0 for _ in attributes), [self.base.codes[a] for a in attributes], radices,
                               self.base, dense_up_to=dense_up_to)
            self._projections[attributes] = start
        return start

    def projection(self, attributes: tuple[int, ...], levels: tuple[int, ...]) -> ClassTable:
        """The groups of records that share their values of some quasi-identifiers.

        ``attributes`` (indices) generalized to ``levels``: every class of a transformation
        with these levels lies inside one group (a group is a union of classes), so what
        certainly fails in a group fails in its classes.  Sensitive distributions are rolled
        up on first use.  The level-0 groups of each set of attributes are kept, and each
        projection is rolled up from them (they are usually far fewer than the base rows).
        Empty groups may be listed (they hold no record).
        """
        start, mapped = self._start_at(attributes, levels)
        radices = [self.attributes[a].domain_size(level) for a, level in zip(attributes, levels)]
        return _groups_of(tuple(levels), mapped, radices, start,
                          dense_up_to=max(_DENSE_FACTOR * start.n_classes, 256))

    def _start_at(self, attributes: tuple[int, ...], levels) -> tuple[ClassTable, list[np.ndarray]]:
        """The kept level-0 groups of ``attributes``, and their codes generalized to ``levels``
        (one per attribute)."""
        start = self._projection_start(attributes)
        return start, [np.take(self.attributes[a].up(0, level), column) if level else column
                       for a, column, level in zip(attributes, start.codes, levels)]

    def base_counts(self, levels: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray] | None:
        """Records per possible class of ``levels``, counted on the base rows: a float64
        array indexed by the classes' mixed-radix keys (0 where no record has the key), and
        the key of every base row (an index into the counts); while the key space is small
        enough to count densely (else None).  Use :meth:`from_counts` for the class table."""
        if not self.attributes:
            return None
        radices = [attribute.domain_size(level) for attribute, level in zip(self.attributes, levels)]
        space = _space(radices)
        if space > min(_DENSE_LIMIT, max(_DENSE_FACTOR * self.base.n_classes, 256)):
            return None
        active = _splitting(radices)
        if not active or (len(active) <= 2 and space <= self.base.n_classes):
            return self._few_counts(active, levels, radices, space), None
        key = self._base_key(levels, radices)
        if key is None:
            key = _combine([self.base_codes(a, levels[a]) for a in active], [radices[a] for a in active], space)
        return np.bincount(key, weights=self.base.weights, minlength=space), key

    def _few_counts(self, active: tuple[int, ...], levels: tuple[int, ...], radices: list[int],
                    space: int) -> np.ndarray:
        """:meth:`base_counts` where at most two attributes split the records (the others are
        generalized to one value, as near the top of the lattice): counted on the level-0
        groups of those attributes (kept, and far fewer than the base rows; the pairs' screen
        makes the same ones), not on the base rows.  A key over the attributes that split is
        the key over all of them (the others add a code 0 with radix 1)."""
        if not active:
            return np.array([float(self.n_records)])
        start, mapped = self._start_at(active, [levels[a] for a in active])
        key = _combine(mapped, [radices[a] for a in active], space)
        return np.bincount(key, weights=start.weights, minlength=space)

    def from_counts(self, levels: tuple[int, ...], counts: np.ndarray) -> ClassTable:
        """The class table of ``levels`` from its :meth:`base_counts` (without sensitive
        distributions or representatives: for a base table that has neither)."""
        radices = [attribute.domain_size(level) for attribute, level in zip(self.attributes, levels)]
        present, sizes = _present(counts)
        return ClassTable(levels, None, sizes, keys=present, radices=radices)

    def roll_up(self, source: ClassTable, levels: tuple[int, ...]) -> ClassTable:
        """The classes of ``levels``, computed from the classes of a more specific ``source``."""
        return self._roll_up(source, levels, inverse=False)[0]

    def roll_up_with_inverse(self, source: ClassTable, levels: tuple[int, ...]) -> tuple[ClassTable, np.ndarray]:
        """:meth:`roll_up`, and for every class of ``source`` the index of its class."""
        return self._roll_up(source, levels, inverse=True)  # type: ignore[return-value]

    def _roll_up(self, source: ClassTable, levels: tuple[int, ...], *,
                 inverse: bool) -> tuple[ClassTable, np.ndarray | None]:
        if not self.attributes:
            everything = np.zeros(source.n_classes, dtype=np.int64)
            return ClassTable(levels, np.zeros((0, source.n_classes), dtype=np.int32), source.sizes.copy(), distributions={
                name: d.rolled_up(everything, 1) for name, d in source.distributions.items()}), everything
        # the source's codes, those of the generalized attributes mapped to their new level
        # (from the base: its generalized columns, kept between checks, without copying the base)
        radices = [attribute.domain_size(level) for attribute, level in zip(self.attributes, levels)]
        key = None
        if source is self.base:
            mapped = [self.base_codes(a, want) for a, want in enumerate(levels)]
            key = self._base_key(levels, radices)
        else:
            codes = source.codes
            mapped = None
            for a, (have, want) in enumerate(zip(source.levels, levels)):
                if have != want:
                    if mapped is None:
                        mapped = codes.copy()
                    np.take(self.attributes[a].up(have, want), codes[a], out=mapped[a])
            if mapped is None:
                mapped = codes
        # each source class's class is needed for the sensitive values and the first records
        needed = inverse or source.sensitive or source.representatives is not None
        grouped, sizes, classes_of = group(mapped, radices, source.weights, key=key, inverse=needed)
        table = _table(levels, grouped, sizes, radices)
        if source.sensitive:
            table._pending = (source, classes_of)
        if source.representatives is not None:
            representatives = np.full(table.n_classes, np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(representatives, classes_of, source.representatives)
            table.representatives = representatives
        return table, classes_of

    def _base_key(self, levels: tuple[int, ...], radices: list[int]) -> np.ndarray | None:
        """The mixed-radix key of every base row at ``levels`` (as :func:`_combine` makes it),
        from the keys of groups of three consecutive attributes at their levels, kept between
        checks: four numpy operations where combining column by column takes two per
        attribute.  None for fewer than four
        attributes or keys past 62 bits (the caller combines the columns)."""
        n = len(levels)
        space = _space(radices)
        if n < 4 or space >= 2**62:
            return None
        dtype = np.int32 if space < 2**31 else np.int64
        key = None
        for first in range(0, n, 3):
            # (attributes generalized to one value add nothing to a key: no column is read)
            part = _splitting(radices[first:first + 3], first)
            sub_space = _space(radices[first:first + 3])
            if key is not None:
                key *= sub_space  # (no partial product exceeds the key: no overflow)
            if not part:
                continue
            sub_levels = tuple(levels[first:first + 3])
            partial = self._partial_keys.get((first, sub_levels))
            if partial is None:
                partial = _combine([self.base_codes(a, levels[a]) for a in part], [radices[a] for a in part], sub_space)
                if self._partial_cells + len(partial) <= _PARTIAL_CELLS:
                    self._partial_keys[(first, sub_levels)] = partial
                    self._partial_cells += len(partial)
            if key is None:
                key = partial.astype(dtype)  # (a copy)
            else:
                key += partial
        return key if key is not None else np.zeros(self.base.n_classes, dtype=dtype)

    def track_representatives(self) -> None:
        """Keep, for every class of every table from now on, the smallest index of its records."""
        if self.base.representatives is None:
            first = np.full(self.base.n_classes, np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(first, self.record_row, np.arange(self.n_records, dtype=np.int64))
            self.base.representatives = first

    def classes(self, levels: tuple[int, ...]) -> ClassTable:
        """The classes of ``levels`` computed from the base table."""
        return self.roll_up(self.base, levels)
