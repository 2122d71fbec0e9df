"""The one way from a project to what searches and evaluations work on.

table → encoding (each quasi-identifier's codes and lookups; each sensitive attribute's values
and domain) → frequency table (with the sensitive domains) → lattice → metric → evaluator.
Every command that searches, applies or evaluates transformations (``anonymize``, ``apply``,
``explore``, ``run``, ``utility``) starts from :func:`build_pipeline`, so they judge a
transformation alike.
"""

from __future__ import annotations

from typing import NamedTuple

from .engine.classes import FrequencyTable
from .engine.encoding import EncodedAttribute, encode_attribute, sensitive_domain
from .engine.evaluator import Evaluator
from .engine.lattice import Lattice
from .errors import HierarchyError, ProjectError
from .metrics import Metric, build_metric
from .project import Project
from .project_settings import OPTIMAL_UP_TO
from .tables import Table

#: the largest lattice searched optimally (its per-node arrays take about 100 bytes a node);
#: a larger one is searched best-effort (``search:``, :mod:`eucaim_wizard.engine.heuristic`)
MAX_LATTICE = OPTIMAL_UP_TO


def prepare(project: Project, table: Table | None = None) -> tuple[Table, FrequencyTable, Lattice]:
    """Encode the quasi-identifiers and build the frequency table and the lattice."""
    table = project.load_table() if table is None else table
    if table.n_rows == 0:
        raise ProjectError(f"{project.data_path or 'the table'} has a header but no records: there is nothing to "
                           f"anonymize (an empty release would 'hold' every model). Export the table again with "
                           f"its rows.")
    missing = [name for name in project.attributes if name not in table.columns]
    if missing:
        raise ProjectError(
            f"attribute(s) {', '.join(map(repr, missing))} of the project are not columns of "
            f"{project.data_path or 'the table'}; the table has: {', '.join(table.columns)}."
        )
    attributes: list[EncodedAttribute] = []
    for name in project.quasi_identifiers:
        hierarchy = project.load_hierarchy(name)
        errors = [f for f in hierarchy.findings() if f.severity == "error"]
        if errors:
            # the search relies on a tree: a label with two parents breaks monotonicity
            raise HierarchyError(
                f"the hierarchy of {name!r} cannot be used: {errors[0].message} "
                f"Run `eucaim-wizard validate` for every finding.", findings=errors)
        low, high = project.level_range(name, hierarchy)
        attributes.append(encode_attribute(table, name, hierarchy, low, high))
    size = 1
    for a in attributes:
        size *= a.max_level - a.min_level + 1
    ranges = ", ".join(f"{a.name} {a.max_level - a.min_level + 1}" for a in attributes)
    if size > MAX_LATTICE and project.search.resolve(size) == "optimal":
        raise ProjectError(
            f"the {len(attributes)} quasi-identifiers make {size:,} transformations to search (levels per "
            f"attribute: {ranges}), more than the {MAX_LATTICE:,} an optimal search can hold in memory. "
            f"Let a best-effort search run (`search: {{strategy: best-first, time_limit: 30s}}`, or `auto`, "
            f"the default), give fewer columns the role quasi-identifier (keep those an attacker may know), "
            f"or narrow their ranges with min_level / max_level.")
    if size >= 2**63:
        raise ProjectError(
            f"the {len(attributes)} quasi-identifiers make {size:,} transformations (levels per attribute: "
            f"{ranges}), more than even a best-effort search can number; give fewer columns the role "
            f"quasi-identifier, or narrow their ranges with min_level / max_level.")
    sensitive, domains = {}, {}
    for name in dict.fromkeys(m.sensitive_attribute for m in project.privacy if m.sensitive_attribute):
        codes, domains[name] = sensitive_domain(project, table, name)
        sensitive[name] = (codes, len(domains[name].labels))
    frequency = FrequencyTable(attributes, sensitive, domains)
    lattice = Lattice([a.min_level for a in attributes], [a.max_level for a in attributes])
    return table, frequency, lattice


class Pipeline(NamedTuple):
    """Everything a search or an evaluation of the project's table works on."""

    table: Table
    frequency: FrequencyTable
    lattice: Lattice
    metric: Metric
    evaluator: Evaluator


def build_pipeline(project: Project, table: Table | None = None) -> Pipeline:
    """The one way from a project to its evaluator: table → encoding → frequency table (with
    the sensitive attributes' domains) → lattice → metric → evaluator.  Every command that
    searches, applies or evaluates transformations (anonymize, apply, explore, run, utility)
    starts here, so they judge a transformation alike."""
    table, frequency, lattice = prepare(project, table)
    weights = [project.attributes[a.name].weight for a in frequency.attributes]
    metric = build_metric(project.metric, frequency, lattice, weights, project.suppression_limit)
    evaluator = Evaluator(frequency, lattice, project.privacy, metric, project.suppression_limit,
                          frequency.domains)
    return Pipeline(table, frequency, lattice, metric, evaluator)


__all__ = ["MAX_LATTICE", "Pipeline", "build_pipeline", "prepare"]
