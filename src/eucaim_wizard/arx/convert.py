"""Converting an ARX project to a eucaim-wizard project mapping, noting everything that is, and
is not, carried over."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from ..hierarchies.hierarchy import Hierarchy
from .java import _JObject, _short, _unbox
from .model import ArxProject


# --- converting to a eucaim-wizard project ----------------------------------------------
@dataclass(frozen=True)
class ImportNote:
    """One line of the import report.

    ``kind`` is ``"carried"`` (what became which project key), ``"not-carried"`` (an ARX
    setting eucaim-wizard cannot express, with its value), ``"warning"`` (a defect or a
    difference to ARX's behaviour) or ``"result"`` (ARX's saved result).
    """

    kind: str
    topic: str
    message: str


_NUMBER = r"([0-9.Ee+-]+|NaN|Infinity)"
_FOR = r" for attribute '(.*)'"
_CRITERIA: list[tuple[re.Pattern, Any]] = [
    (re.compile(r"(\d+)-anonymity"), lambda m: ("k-anonymity", {"k": int(m[1])})),
    (re.compile(rf"distinct-{_NUMBER}-diversity{_FOR}"),
     lambda m: ("distinct-l-diversity", {"attribute": m[2], "l": _int(m[1])})),
    (re.compile(rf"(?:(shannon|grassberger)-)?entropy-{_NUMBER}-diversity{_FOR}"),
     lambda m: ("entropy-l-diversity", {"attribute": m[3], "l": _num(m[2]), "estimator": m[1] or "shannon"})),
    (re.compile(rf"recursive-\({_NUMBER},\s*{_NUMBER}\)-diversity{_FOR}"),
     lambda m: ("recursive-cl-diversity", {"attribute": m[3], "c": _num(m[1]), "l": _int(m[2])})),
    (re.compile(rf"{_NUMBER}-closeness with (equal|hierarchical|ordered) (?:ground-)?distance{_FOR}"),
     lambda m: ("t-closeness", {"attribute": m[3], "t": _num(m[1]), "distance": m[2]})),
    (re.compile(rf"{_NUMBER}-disclosure privacy{_FOR}"),
     lambda m: ("delta-disclosure", {"attribute": m[2], "delta": _num(m[1])})),
    (re.compile(rf"(basic|enhanced)-{_NUMBER}-likeness{_FOR}"),
     lambda m: ("beta-likeness", {"attribute": m[3], "beta": _num(m[2]), "variant": m[1]})),
    (re.compile(rf"\({_NUMBER}\)-avg-reidentification-risk"),
     lambda m: ("average-risk", {"threshold": _num(m[1])})),
    (re.compile(rf"\({_NUMBER}\)-sample-uniqueness"),
     lambda m: ("sample-uniqueness", {"threshold": _num(m[1])})),
    (re.compile(r"\((\d+)\)-map estimated as \((\d+)\)-anonymity \((.*)\)"),
     lambda m: ("k-map", {"k": int(m[1]), "estimator": _estimator(m[3])})),
]


def _num(text: str) -> float:
    return float(text)


def _int(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _estimator(label: str) -> str:
    return "zero-truncated-poisson" if "zero" in label.lower() else "poisson"


def parse_criterion(text: str) -> tuple[str, dict[str, Any]] | None:
    """The project-file entry of an ARX privacy model given as its ``toString()``, if supported.

    >>> parse_criterion("27-anonymity")
    ('k-anonymity', {'k': 27})
    >>> parse_criterion("0.2-closeness with hierarchical ground-distance for attribute 'diagnosis'")
    ('t-closeness', {'attribute': 'diagnosis', 't': 0.2, 'distance': 'hierarchical'})
    """
    for pattern, build in _CRITERIA:
        match = pattern.fullmatch(text.strip())
        if match:
            return build(match)
    return None


_METRIC_CLASSES = {  # ARX quality-model class -> (our metric, monotonic variant)
    "MetricMDNMLoss": ("loss", False), "MetricMDNMLossPrecomputed": ("loss", False),
    "MetricMDNMLossPotentiallyPrecomputed": ("loss", False),
    "MetricMDNMPrecision": ("precision", False), "MetricMDPrecision": ("precision", True),
    "MetricMDHeight": ("height", False),
    "MetricSDNMDiscernability": ("discernibility", False), "MetricSDDiscernability": ("discernibility", True),
    "MetricSDAECS": ("aecs", False),
    "MetricMDNUNMEntropy": ("entropy", False), "MetricMDNUNMEntropyPrecomputed": ("entropy", False),
    "MetricMDNUNMEntropyPotentiallyPrecomputed": ("entropy", False),
    "MetricMDNUEntropy": ("entropy", True), "MetricMDNUEntropyPrecomputed": ("entropy", True),
    "MetricMDNUEntropyPotentiallyPrecomputed": ("entropy", True),
}
_AGGREGATES = {"GEOMETRIC_MEAN": "geometric-mean", "ARITHMETIC_MEAN": "arithmetic-mean", "SUM": "sum",
               "MAXIMUM": "maximum"}


def _metric_from_label(label: str) -> tuple[str, bool, float | None] | None:
    """(metric, monotonic, gs-factor) from the ``<metric>`` label of config.xml."""
    text = label.lower()
    loss = re.fullmatch(rf"loss \({_NUMBER}/{_NUMBER}/{_NUMBER}\)", text)
    if loss:
        return "loss", False, float(loss[1])
    monotonic = "non-monotonic" not in text
    for word, name in (("precision", "precision"), ("height", "height"), ("discernab", "discernibility"),
                       ("equivalence class size", "aecs"), ("aecs", "aecs"), ("non-uniform entropy", "entropy")):
        if word in text:
            return name, monotonic and name in ("precision", "discernibility", "entropy"), None
    return None


@dataclass
class _Conversion:
    project: dict[str, Any]
    notes: list[ImportNote]


class _Notes(list):
    """The notes of one conversion, in order; called as ``note(kind, topic, message)``."""

    def __call__(self, kind: str, topic: str, message: str) -> None:
        self.append(ImportNote(kind, topic, message))


def _convert(arx: ArxProject, names: dict[str, str], data_file: str, table: Any) -> _Conversion:
    """The project-file mapping for ``arx`` and every note about what was (not) carried over."""
    note = _Notes()
    facts = arx.serialized
    attributes, by_role = _attributes(arx, names, table, note)
    _attribute_notes(arx, names, facts, attributes, by_role, note)
    _type_notes(arx, facts, note)
    privacy = _privacy(arx, facts, note)
    note("carried", "suppression", f"suppression limit {arx.suppression_limit:g} ({arx.suppression_limit:.1%})")
    blanked = [t for t in arx.suppressed_types if t != "QUASI_IDENTIFYING_ATTRIBUTE"]
    if blanked:
        note("not-carried", "suppression", f"ARX's option to blank also these attribute types in suppressed "
             f"records: {', '.join(blanked)}")
    metric = _metric(arx, note)
    _search_notes(arx, facts, note)
    _share_models(arx, metric, note)
    _hierarchy_notes(arx, attributes, note)
    _result_notes(arx, facts, note)
    project: dict[str, Any] = {"data": data_file, "format": {"delimiter": table.format.delimiter}}
    project["attributes"] = attributes
    project["privacy"] = privacy
    project["suppression_limit"] = arx.suppression_limit
    project["metric"] = metric
    return _Conversion(project, list(note))


def _attributes(arx: ArxProject, names: dict[str, str], table: Any,
                note: _Notes) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    """Each column's entry (role, hierarchy, levels, weight), and the columns of each role."""
    attributes: dict[str, dict[str, Any]] = {}
    by_role: dict[str, list[str]] = {}
    from ..init import suggest_role

    columns = table.columns
    for a in arx.attributes:
        if a.name not in columns:
            note("warning", "attributes", f"{a.name!r} is defined in input/definition.xml but is not a column "
                 f"of data/input.csv; it is left out.")
            continue
        role = a.role
        if role is None:
            note("not-carried", "attributes", f"{a.name!r} has the ARX type {a.type!r}, which eucaim-wizard does "
                 f"not know; it is imported as insensitive.")
            role = "insensitive"
        entry: dict[str, Any] = {"role": role}
        if a.name in names and role in ("quasi-identifier", "sensitive"):
            entry["hierarchy"] = names[a.name]
        if role == "quasi-identifier":
            if a.min_level is not None:
                entry["min_level"] = a.min_level
            if a.max_level is not None:
                entry["max_level"] = a.max_level
            weight = arx.weights.get(a.name, 0.5)
            if not 0.0 <= weight <= 1.0:
                note("not-carried", "weights", f"the weight of {a.name!r} is {weight}, outside 0–1; 0.5 is used.")
                weight = 0.5
            entry["weight"] = weight
        elif a.name in arx.hierarchies and "hierarchy" not in entry:
            note("not-carried", "hierarchies", f"{a.name!r} has a hierarchy in ARX but is {role}: the hierarchy "
                 f"is not used (by ARX either) and is not imported.")
        attributes[a.name] = entry
        by_role.setdefault(role, []).append(a.name)
        if role in ("insensitive", "sensitive"):
            suggested, reason = suggest_role(table, a.name)
            if suggested == "identifier":
                note("warning", "attributes", f"{a.name!r} is {role} in ARX, so it is kept unchanged in every "
                     f"output, but it looks like a direct identifier ({reason.split(';')[0]}); make it "
                     f"`role: identifier` unless it is not one")
    return attributes, by_role


def _attribute_notes(arx: ArxProject, names: dict[str, str], facts: dict[str, Any],
                     attributes: dict[str, dict[str, Any]], by_role: dict[str, list[str]], note: _Notes) -> None:
    """Roles, level limits, weights and hierarchies carried over (or not)."""
    note("carried", "roles", "; ".join(f"{role}: {', '.join(names_)}" for role, names_ in by_role.items()))
    qis = by_role.get("quasi-identifier", [])
    levels = [f"{n} {attributes[n].get('min_level', 0)}–{attributes[n].get('max_level', 'top')}" for n in qis
              if "min_level" in attributes[n] or "max_level" in attributes[n]]
    if levels:
        note("carried", "levels", "generalization level limits: " + ", ".join(levels))
    if qis:
        note("carried", "weights", "attribute weights (metric): " + ", ".join(
            f"{n} {attributes[n]['weight']:g}" for n in qis))
    unused = sorted(set(arx.weights) - set(qis))
    if unused:
        note("not-carried", "weights", f"weights of attributes that are not quasi-identifiers (no effect in "
             f"ARX either): {', '.join(f'{n} {arx.weights[n]:g}' for n in unused)}")
    for name in names:
        if name in attributes and "hierarchy" in attributes[name]:
            h = arx.hierarchies[name]
            note("carried", "hierarchies", f"{name}: {names[name]} ({h.n_values} values, levels 0–{h.n_levels - 1}, "
                 f"from {arx.hierarchy_source[name]})")
    stored_only = sorted(set(facts.get("stored_hierarchies", [])) - set(arx.hierarchies))
    if stored_only:
        note("not-carried", "hierarchies", f"hierarchies kept in input/config.dat for attributes that do not "
             f"use one: {', '.join(stored_only)}")


def _type_notes(arx: ArxProject, facts: dict[str, Any], note: _Notes) -> None:
    """Data types and other per-attribute settings eucaim-wizard does not carry over."""
    typed = [f"{a.name} {a.datatype}{f' ({a.format})' if a.format else ''}" for a in arx.attributes
             if a.datatype != "String"]
    if typed:
        note("not-carried", "data types", "ARX data types (eucaim-wizard keeps every value as text; they matter in "
             "ARX only for builders, ordered distances and microaggregation): " + ", ".join(typed))
    micro = [a.name for a in arx.attributes if a.microaggregation] + [
        name for name, mode in facts.get("modes", {}).items() if mode and mode != "GENERALIZATION"]
    if micro:
        note("not-carried", "microaggregation", f"microaggregation of {', '.join(dict.fromkeys(micro))} "
             f"(eucaim-wizard generalizes with the hierarchy instead)")
    responses = [a.name for a in arx.attributes if a.response_variable]
    if responses:
        note("not-carried", "response variables", f"response variables for classification analysis: "
             f"{', '.join(responses)}")


def _privacy(arx: ArxProject, facts: dict[str, Any], note: _Notes) -> list[dict[str, Any]]:
    """The privacy models, from ARX's criterion strings."""
    relaxed_risk = re.compile(rf"\({_NUMBER}, {_NUMBER}, {_NUMBER}\)-avg-reidentification-risk")
    privacy = []
    for text in arx.criteria:
        relaxed = relaxed_risk.fullmatch(text)
        parsed = ("average-risk", {"threshold": float(relaxed[1]), "highest_risk": float(relaxed[2]),
                                   "records_at_risk": float(relaxed[3])}) if relaxed else parse_criterion(text)
        if parsed is None:
            note("not-carried", "privacy", f"privacy model {text!r}: eucaim-wizard has no equivalent; it is "
                 f"not applied")
            continue
        key, params = parsed
        if key == "k-map":
            population, significance = _kmap_details(facts, params["k"])
            params = {"k": params["k"], **({"population": population} if population else {}),
                      "estimator": params["estimator"],
                      **({"significance": significance} if significance is not None else {})}
            if not population:
                note("warning", "privacy", f"{text!r}: ARX's population size is only in input/config.dat, which "
                     f"does not give it here; add `population:` to the k-map entry before anonymizing")
        privacy.append({key: params})
        note("carried", "privacy", f"{text!r} -> {key}: {_flow(params)}")
    if not arx.criteria:
        note("warning", "privacy", "the ARX project has no privacy model; add one under `privacy:`")
    return privacy


def _search_notes(arx: ArxProject, facts: dict[str, Any], note: _Notes) -> None:
    """The search and other ARX settings that are not carried over."""
    if arx.practical_monotonicity:
        note("not-carried", "search", "ARX's \"practical monotonicity\" (it assumes the metric is monotonic, which "
             "may skip the optimum); eucaim-wizard's search is exact")
    if facts.get("heuristic") or facts.get("search_type") not in (None, "OPTIMAL") or \
            facts.get("algorithm") not in (None, "OPTIMAL"):
        limits = ", ".join(f"{k} {v}" for k, v in facts.get("heuristic_limits", {}).items() if v is not None)
        note("not-carried", "search", f"ARX's heuristic search ({facts.get('algorithm') or facts.get('search_type')}; "
             f"{limits}); eucaim-wizard always finds the optimum, which may be better than ARX's result")
    if facts.get("transformation_type") not in (None, "GLOBAL"):
        note("not-carried", "search", f"ARX's {facts['transformation_type'].lower()} transformation (local "
             f"recoding); eucaim-wizard applies one global transformation")
    subset = facts.get("subset")
    if subset and subset[0] is not None and subset[1] and subset[0] < subset[1]:
        note("not-carried", "research subset", f"a research subset of {subset[0]:,} of {subset[1]:,} records "
             f"(used by ARX's d-presence / k-map); the whole table is anonymized")
    uses_costs = any("profit" in t.lower() or "stackelberg" in t.lower() for t in arx.criteria) or \
        "payout" in arx.metric_label.lower()
    if uses_costs and facts.get("costs"):
        note("not-carried", "costs", "ARX's cost/benefit settings: " + ", ".join(
            f"{k} {v:g}" for k, v in facts["costs"].items() if isinstance(v, float)))
    builders = {k: v for k, v in facts.get("builders", {}).items() if k in arx.hierarchies}
    if builders:
        note("not-carried", "hierarchy builders", "ARX builder settings (the hierarchies they generated are "
             "imported as tables): " + ", ".join(f"{k} ({_builder(v)})" for k, v in sorted(builders.items())))


def _hierarchy_notes(arx: ArxProject, attributes: dict[str, dict[str, Any]], note: _Notes) -> None:
    """Remarks on reading each imported hierarchy, and its findings."""
    for name, hierarchy in arx.hierarchies.items():
        if name not in attributes or "hierarchy" not in attributes[name]:
            continue
        for remark in arx.hierarchy_remarks.get(name, []):
            if remark == "CRLF line ends" or remark.startswith("delimiter "):
                continue  # how the copy was written; nothing to act on
            if remark.startswith("header row"):
                remark = remark.split("; to keep it as values")[0] + (
                    "; ARX itself treats that row as a value (one more row in the Loss shares), so scores "
                    "may differ from ARX's")
            note("warning", "hierarchies", f"{name}: {remark}")
        for finding in hierarchy.findings():
            message = finding.message if finding.message.startswith(f"{name}:") else f"{name}: {finding.message}"
            note("warning", "hierarchies", f"{finding.severity}: {message}")
        spaced = _space_twins(hierarchy)
        if spaced:
            note("warning", "hierarchies", f"{name}: labels that differ only by spaces are different groups in ARX "
                 f"(and here, to reproduce ARX's result): {'; '.join(spaced)}. Merge them in the hierarchy if "
                 f"that was not meant.")


def _result_notes(arx: ArxProject, facts: dict[str, Any], note: _Notes) -> None:
    """What ARX's saved result says, if the project holds one."""
    result = arx.result
    if result is not None:
        where = "project.dat" if facts.get("step_levels") else "lattice.xml"
        note("result", "ARX result", f"{result.describe()} (read from {where}, level order from "
             f"{result.order_source})")
        if result.output is not None:
            note("result", "ARX result", "ARX's selected output transformation: " + ", ".join(
                f"{k}={v}" for k, v in result.output.items()))
        if facts.get("stale_result"):
            note("warning", "ARX result", "the saved result was computed with another configuration (output/ "
                 "differs from input/), so it may not match the imported settings")


def _builder(cls: str) -> str:
    return {"HierarchyBuilderRedactionBased": "redaction", "HierarchyBuilderIntervalBased": "intervals",
            "HierarchyBuilderOrderBased": "ordering", "HierarchyBuilderDate": "dates"}.get(cls, cls)


def _kmap_details(facts: dict[str, Any], k: int) -> tuple[int | None, float | None]:
    """(population size, significance level) of ARX's k-map criterion with this k, from config.dat."""
    for criterion in facts.get("criteria_objects", []):
        if _short(criterion.cls) != "KMap" or _unbox(criterion.field("k")) != k:
            continue
        population = criterion.field("populationModel")
        size = _unbox(population.field("populationSize")) if isinstance(population, _JObject) else None
        significance = _unbox(criterion.field("significanceLevel"))
        return (int(size) if isinstance(size, (int, float)) and size > 0 else None,
                significance if isinstance(significance, float) else None)
    return None, None


def _metric(arx: ArxProject, note) -> dict[str, Any]:
    facts = arx.serialized
    cls = facts.get("metric_class")
    if cls is not None and cls in _METRIC_CLASSES:
        name, monotonic = _METRIC_CLASSES[cls]
        gs = facts.get("gs_factor")
        source = "input/config.dat"
    else:
        parsed = _metric_from_label(arx.metric_label)
        if parsed is None:
            note("not-carried", "metric", f"ARX's quality model {arx.metric_label or cls!r} has no equivalent; "
                 f"eucaim-wizard's default, Loss, is used instead")
            return {"loss": {"gs_factor": 0.5}}
        name, monotonic, gs = parsed
        source = "the label in input/config.xml"
    params: dict[str, Any] = {}
    if name in ("loss", "precision", "aecs", "entropy"):
        params["gs_factor"] = 0.5 if gs is None else gs
    aggregate = facts.get("aggregate")
    if name in ("loss", "precision", "height", "entropy"):
        if aggregate in _AGGREGATES:
            params["aggregate"] = _AGGREGATES[aggregate]
        elif aggregate is not None:
            note("not-carried", "metric", f"ARX's aggregate function {aggregate} (eucaim-wizard has geometric-mean, "
                 f"arithmetic-mean, sum and maximum); the default is used")
        elif not facts.get("config_dat"):
            note("warning", "metric", "the aggregate function is only in input/config.dat, which this project file "
                 "lacks; eucaim-wizard's default for this metric is used")
    if monotonic and name in ("precision", "discernibility", "entropy"):
        params["monotonic"] = True
    if gs is None and not facts.get("config_dat") and "gs_factor" in params:
        note("warning", "metric", "the gs-factor is only in input/config.dat, which this project file lacks; 0.5 "
             "(ARX's default) is used")
    metric = {name: params}
    note("carried", "metric", f"{arx.metric_label or cls} -> {_flow(metric)} "
         f"(from {source})")
    return metric


def _share_models(arx: ArxProject, metric: dict[str, Any], note) -> None:
    """Say where ARX scored an attribute from a builder's domain model rather than from rows."""
    if "loss" not in metric:
        return
    facts = arx.serialized
    shares = facts.get("share_models") or []
    order = arx.result.attributes if arx.result is not None else []
    if shares and len(shares) == len(order):  # what ARX's last run used
        special = {name: kind for name, kind in zip(order, shares) if kind and kind != "DomainShareMaterialized"}
    elif facts.get("functional_hierarchies") is not False:  # what ARX would use
        kinds = {"HierarchyBuilderRedactionBased": "DomainShareRedaction",
                 "HierarchyBuilderIntervalBased": "DomainShareInterval"}
        special = {name: kinds[builder] for name, builder in facts.get("builders", {}).items()
                   if builder in kinds and (a := arx.attribute(name)) is not None
                   and a.type == "QUASI_IDENTIFYING_ATTRIBUTE"}
    else:
        special = {}
    for name, kind in sorted(special.items()):
        builder = "redaction" if "Redaction" in kind else "interval" if "Interval" in kind else "generating"
        note("not-carried", "metric", f"ARX scores {name} in the Loss metric from the domain model of its "
             f"{builder} builder ({kind}) instead of from the hierarchy's rows, as eucaim-wizard does: the "
             f"information loss of transformations with {name} below its top level differs from ARX's")


def _space_twins(hierarchy: Hierarchy) -> list[str]:
    twins = []
    for level in range(1, hierarchy.n_levels):
        labels = list(dict.fromkeys(hierarchy.level(level).tolist()))
        groups: dict[str, list[str]] = {}
        for label in labels:
            groups.setdefault(label.strip(), []).append(label)
        twins += [f"level {level}: " + " / ".join(map(repr, g)) for g in groups.values() if len(g) > 1]
    return twins


def _flow(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=2**31 - 1, allow_unicode=True)
    return text.strip().removesuffix("...").strip()
