"""What an ARX project holds, as read from its ``.deid`` file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..hierarchies.hierarchy import Hierarchy


# --- what an ARX project holds ---------------------------------------------------------
_ROLES = {
    "IDENTIFYING_ATTRIBUTE": "identifier",
    "QUASI_IDENTIFYING_ATTRIBUTE": "quasi-identifier",
    "SENSITIVE_ATTRIBUTE": "sensitive",
    "INSENSITIVE_ATTRIBUTE": "insensitive",
}


@dataclass(frozen=True)
class ArxAttribute:
    """One ``<assigment>`` of ``input/definition.xml``."""

    name: str
    type: str  #: ARX's attribute type, e.g. ``QUASI_IDENTIFYING_ATTRIBUTE``
    datatype: str = "String"
    format: str | None = None
    locale: str | None = None
    hierarchy_ref: str | None = None
    min_level: int | None = None  #: ``None``: ARX's "All" (no limit)
    max_level: int | None = None
    microaggregation: str | None = None
    response_variable: bool = False

    @property
    def role(self) -> str | None:
        """The eucaim-wizard role, or ``None`` for a type ARX does not define."""
        return _ROLES.get(self.type)


@dataclass(frozen=True)
class ArxNode:
    """One transformation of ARX's saved lattice (``lattice.xml``)."""

    levels: tuple[int, ...]
    anonymity: str  #: ``ANONYMOUS``, ``NOT_ANONYMOUS``, ``PROBABLY_ANONYMOUS``, ...
    checked: bool
    lowest_loss: float | None  #: for a checked anonymous node: its information loss
    highest_loss: float | None


@dataclass
class ArxResult:
    """ARX's own result of its last run, as saved in the project file (not recomputed)."""

    attributes: list[str]  #: the quasi-identifiers in the order of ARX's level vectors
    order_source: str  #: where that order was read
    optimum: dict[str, int] | None  #: the transformation ARX reported as optimal
    information_loss: float | None  #: its score in ARX's metric
    output: dict[str, int] | None  #: the transformation selected for output (may differ)
    checked: int | None  #: transformations ARX checked
    lattice_size: int | None
    nodes: list[ArxNode] = field(default_factory=list)

    def node(self, levels: dict[str, int]) -> ArxNode | None:
        """ARX's saved node with these levels, if it is in the saved lattice."""
        key = tuple(levels[name] for name in self.attributes)
        return next((node for node in self.nodes if node.levels == key), None)

    def describe(self) -> str:
        if self.optimum is None:
            return "ARX's saved lattice holds no anonymous transformation"
        levels = ", ".join(f"{name}={level}" for name, level in self.optimum.items())
        loss = "" if self.information_loss is None else f", information loss {self.information_loss!r}"
        checked = (f"; ARX checked {self.checked:,} of {self.lattice_size:,} transformations"
                   if self.checked is not None and self.lattice_size is not None else "")
        return f"ARX's optimum: {levels}{loss}{checked}"


@dataclass
class ArxProject:
    """The parts of an ARX project file that describe the anonymization, read as ARX reads them."""

    source: Path
    name: str
    arx_version: str | None
    separator: str
    quote: str
    attributes: list[ArxAttribute]
    criteria: list[str]  #: ``toString()`` of every privacy model, from ``config.xml``
    suppression_limit: float
    metric_label: str
    weights: dict[str, float]
    practical_monotonicity: bool | None
    suppressed_types: list[str]
    hierarchies: dict[str, Hierarchy]  #: what ARX uses (``config.dat``, else the CSV copies)
    hierarchy_source: dict[str, str]
    hierarchy_remarks: dict[str, list[str]]
    csv_hierarchies: dict[str, Hierarchy]  #: the CSV copies in the zip, when present
    serialized: dict[str, Any]  #: facts read from ``config.dat`` / ``project.dat``
    result: ArxResult | None
    data_entry: str = "data/input.csv"

    def attribute(self, name: str) -> ArxAttribute | None:
        return next((a for a in self.attributes if a.name == name), None)
