"""What every builder shares: the :class:`BuildResult`, the ``Unknown`` and ``Missing``
branches, and the assembly of per-value chains into a tree hierarchy."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..errors import Finding, HierarchyError
from .hierarchy import Hierarchy


UNKNOWN = "Unknown"  #: label of the branch of values a builder cannot read
MISSING = "Missing"  #: label of the branch of empty values
_SHOWN = 10


@dataclass(frozen=True)
class BuildResult:
    """A built hierarchy and what the builder could not read.

    Attributes
    ----------
    hierarchy
        Covers every value given to the builder.
    unknown
        The values put in the ``Unknown`` branch (not readable by the builder).
    missing
        True if an empty value was given (it has the ``Missing`` branch).
    """

    hierarchy: Hierarchy
    unknown: tuple[str, ...] = ()
    missing: bool = False

    def notes(self) -> list[str]:
        """Sentences for a curator: what went to the Unknown and Missing branches."""
        notes = []
        if self.unknown:
            shown = ", ".join(repr(v) for v in self.unknown[:_SHOWN])
            notes.append(f"{len(self.unknown)} value(s) could not be read by {self.hierarchy.source} and "
                         f"were put in the {UNKNOWN!r} branch: {shown}{', …' if len(self.unknown) > _SHOWN else ''}"
                         f"; fix them in the data or adapt the hierarchy if they mean something")
        if self.missing:
            notes.append(f"empty values have their own {MISSING!r} branch")
        return notes

    def findings(self) -> list[Finding]:
        """The unread values as a warning finding (code ``unknown-values``), if any."""
        if not self.unknown:
            return []
        where = self.hierarchy.name or self.hierarchy.source or "hierarchy"
        return [Finding("warning", "unknown-values", self.notes()[0], where, self.unknown[:_SHOWN])]


# --- assembling ---------------------------------------------------------------------------------
def _is_missing(value: str) -> bool:
    return not value.strip()


def _distinct(values: Iterable[str]) -> list[str]:
    out = dict.fromkeys(v if isinstance(v, str) else str(v) for v in values)
    return list(out)


def _assemble(values: Iterable[str], chain_of: Callable[[str], Sequence[str] | None], inner: int, *,
              root: str = "*", name: str | None, source: str,
              unknown_chain: Sequence[str] | None = None,
              missing_chain: Sequence[str] | None = None) -> BuildResult:
    """Rows ``value, chain…, root`` for each distinct value; ``chain_of`` returns ``inner`` labels
    or None (unreadable).  The result is checked to be a tree (a failure is a HierarchyError)."""
    unknown_chain = list(unknown_chain) if unknown_chain is not None else [UNKNOWN] * inner
    missing_chain = list(missing_chain) if missing_chain is not None else [MISSING] * inner
    rows, unknown, missing = [], [], False
    for value in _distinct(values):
        if _is_missing(value):
            chain, missing = missing_chain, True
        else:
            chain = chain_of(value)
            if chain is None:
                chain = unknown_chain
                unknown.append(value)
        rows.append([value, *chain, root])
    if not rows:  # an empty column still gets a usable hierarchy: the Missing branch
        rows.append(["", *missing_chain, root])
    hierarchy = Hierarchy(rows, name=name, source=source)
    errors = [f for f in hierarchy.findings() if f.severity == "error"]
    if errors:
        raise HierarchyError(f"{source}: the levels given do not form a tree: {errors[0].message}", errors)
    return BuildResult(hierarchy, tuple(unknown), missing)
