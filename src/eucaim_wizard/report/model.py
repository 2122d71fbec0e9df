"""The report's data model: every figure the PDF shows, as one JSON-ready dict (``report.json``).

:func:`build_report` gathers the results of a run — validation and guard findings, the
search, the risk of the input and of the output, the utility analysis, the written output —
into eight sections, in the order of the PDF:

``summary``, ``input``, ``configuration``, ``hierarchies``, ``search``, ``risk``,
``utility``, ``output``.

Numbers are kept as numbers (the PDF formats them); nothing in the model depends on the
clock or on the machine except ``date``, the day of the report, which the caller gives, so
the same inputs on the same day give the same ``report.json``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..engine.transform import SUPPRESSED  # a suppressed record's quasi-identifiers

if TYPE_CHECKING:
    from ..anonymizer import Result, Transformation
    from ..explore import Candidate, Exploration
    from ..project import Project
    from ..risk import RiskAnalysis
    from ..utility import UtilityReport
    from ..validation import ValidationReport

#: version of the layout of report.json
REPORT_VERSION = 1
#: risk explanations shown for the input (the output shows every general one)
_INPUT_KEYS = ("classes", "sample_uniques", "prosecutor.highest_risk", "average_risk")


@dataclass(frozen=True)
class OutputFile:
    """The anonymized table as written: its file name, SHA-256, rows and columns."""

    name: str
    sha256: str
    rows: int
    columns: list[str]
    format: str
    extra: list[dict[str, str]]  # further copies, e.g. {"name": "anonymized.xlsx", "sha256": ...}


@dataclass(frozen=True)
class Settings:
    """What the run was asked for, beyond the project file."""

    population: str  # as given, or the default region
    threshold: float
    target: str | None
    target_reason: str  # why this target (or why none)
    folds: int
    seed: int
    drop_suppressed: bool
    confirmed_deidentified: bool


def build_report(*, project: Project, result: Result, validation: ValidationReport, guard: Mapping[str, Any],
                 input_sha256: str | None, risk_before: RiskAnalysis, risk_after: RiskAnalysis,
                 utility: UtilityReport, exploration: Exploration, candidates: Sequence[Candidate],
                 output: OutputFile, hierarchy_files: Mapping[str, str], settings: Settings, date: str,
                 version: str, applied: Transformation | None = None, choice: str | None = None,
                 release: Mapping[str, Any] | None = None, project_sha256: str | None = None,
                 advice: Sequence[Any] = (), formulas: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The report as a dict (see the module docstring for the sections).

    ``applied`` is the transformation released (default: the optimum), ``choice`` how the
    curator chose it when it is not the optimum (e.g. "row 3 of the listing sorted by risk"),
    ``release`` the project's sign-off (curator, rationale, approved by) and
    ``project_sha256`` the project file's digest, ``advice`` what to do next
    (:func:`eucaim_wizard.advice.next_steps`), ``formulas`` what the release did with cells a
    spreadsheet would run as formulas (``result.json``'s ``formulas``)."""
    optimum = applied if applied is not None else result.optimum
    before, after = risk_before.to_dict(), risk_after.to_dict()
    privacy = [_model_entry(entry) for entry in result.privacy_report(result.node_of(dict(optimum.levels)))]
    classification = utility.classification
    data_name = project.data_path.name if project.data_path else "in-memory table"
    return {
        "report_version": REPORT_VERSION,
        "title": f"De-identification report: {data_name}",
        "date": date,
        "tool": {"name": "eucaim-wizard", "version": version},
        "project": project.source.name if project.source else None,
        "summary": {
            "dataset": data_name,
            "records": result.n_records,
            "privacy": privacy,
            "all_models_hold": all(p["holds"] for p in privacy),
            "transformation": dict(optimum.levels),
            "suppressed_records": optimum.suppressed_records,
            "suppressed_share": optimum.suppressed_records / result.n_records if result.n_records else 0.0,
            "highest_risk": {"before": before["prosecutor"]["highest_risk"], "after": after["prosecutor"]["highest_risk"]},
            "average_risk": {"before": before["average_risk"], "after": after["average_risk"]},
            "information_loss": {"metric": result.metric_label, "value": optimum.information_loss},
            "relative_accuracy": None if classification is None else classification.relative_accuracy,
            "classification_target": None if classification is None else classification.target,
            "chosen": _chosen(result, optimum, choice),
            "release": None if release is None else {k: release.get(k) for k in ("curator", "rationale", "approved_by")},
            "project_sha256": project_sha256,
            "next_steps": [a.to_dict() for a in advice],
        },
        "input": _input(project, result, validation, guard, input_sha256, data_name, optimum.levels, formulas),
        "configuration": _configuration(project, result, settings, risk_after),
        "hierarchies": _hierarchies(project, result, utility, hierarchy_files, optimum.levels),
        "search": _search(result, exploration, candidates, after, optimum),
        "risk": _risk(risk_before, risk_after, before, after),
        "utility": _utility(project, result, utility, settings),
        "output": {"file": output.name, "sha256": output.sha256, "rows": output.rows, "format": output.format,
                   "columns": _output_columns(project, optimum.levels, output.columns), "copies": list(output.extra),
                   "suppressed_records": optimum.suppressed_records, "drop_suppressed": settings.drop_suppressed},
    }


# -- sections ---------------------------------------------------------------------------
def _model_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """``{"k-anonymity": {"k": 5}, "holds": ..., "achieved": ...}`` as named fields."""
    name = next(key for key in entry if key not in ("holds", "achieved"))
    return {"model": name, "parameters": dict(entry[name]), "holds": bool(entry["holds"]),
            "achieved": dict(entry.get("achieved") or {})}


def _role(project: Project, name: str) -> str:
    attribute = project.attributes.get(name)
    return attribute.role.value if attribute is not None else "insensitive"


def _chosen(result: Result, applied: Transformation, choice: str | None) -> dict[str, Any] | None:
    """How the released transformation was chosen when it is not the optimum (None: it is)."""
    optimum = result.optimum
    if optimum is not None and dict(applied.levels) == dict(optimum.levels):
        return None
    return {"how": choice or "the chosen levels", "optimum": None if optimum is None else dict(optimum.levels)}


def _treatment(project: Project, levels: Mapping[str, int], name: str) -> str:
    """What the output does with column ``name``."""
    attribute = project.attributes.get(name)
    role = _role(project, name)
    if role == "identifier":
        return "pseudonym (keyed hash)" if attribute.pseudonymize else "removed"
    if role == "quasi-identifier":
        return f"generalized to level {levels[name]}"
    if role == "sensitive":
        return "kept as it is (sensitive)"
    return "kept as it is" if attribute is not None else "kept as it is (not listed in the project)"


def _input(project, result, validation, guard, sha256, data_name, levels, formulas) -> dict[str, Any]:
    from ..guard import GUARD_CODES

    findings = [f.to_dict() for f in validation.findings if f.code not in GUARD_CODES]
    return {
        "file": data_name,
        "sha256": sha256,
        "rows": result.n_records,
        "columns": [{"name": name, "role": _role(project, name), "output": _treatment(project, levels, name)}
                    for name in result.table.columns],
        "findings": findings,
        "guard": {"confirmed_deidentified": bool(guard.get("confirmed_deidentified")),
                  "findings": list(guard.get("findings", []))},
        # cells a spreadsheet would run as formulas: prefixed with ' (or kept: --keep-formulas)
        "formulas": dict(formulas) if formulas else {"cells": {}, "neutralised": False, "kept": False},
        # the data file's name, not its path: the report does not depend on where the folder is
        "notes": [note.replace(str(project.data_path), data_name) if project.data_path else note
                  for note in validation.notes],
    }


def _configuration(project, result, settings: Settings, risk_after) -> dict[str, Any]:
    population = risk_after.population
    attributes = []
    for name in result.quasi_identifiers:
        i = result.quasi_identifiers.index(name)
        attribute = project.attributes[name]
        attributes.append({"attribute": name, "weight": attribute.weight,
                           "min_level": int(result.lattice.low[i]), "max_level": int(result.lattice.high[i])})
    return {
        "privacy": [{"model": key, "parameters": params} for model in project.privacy
                    for key, params in model.to_config().items()],
        "suppression_limit": project.suppression_limit,
        "max_suppressed_records": result.evaluator.max_suppressed,
        "metric": {"label": result.metric_label, **project.metric.model_dump(mode="json")},
        "attributes": attributes,
        "population": None if population is None else {
            "region": population.region, "size": population.population_size,
            "sampling_fraction": population.sampling_fraction, "given": settings.population},
        "threshold": settings.threshold,
        "classification": {"target": settings.target, "reason": settings.target_reason, "folds": settings.folds,
                           "seed": settings.seed},
        "confirmed_deidentified": settings.confirmed_deidentified,
    }


def hierarchy_source(project: Project, name: str) -> dict[str, Any]:
    """Where the hierarchy of ``name`` comes from: ``kind`` (file / preset / builder / code),
    ``source`` as written in the project, and for a preset its title and the origin of its
    grouping."""
    from ..hierarchies.builders import BuilderSpec
    from ..hierarchies.presets import PRESET_PREFIX, load_library

    given = project.attributes[name].hierarchy
    if isinstance(given, BuilderSpec):
        return {"kind": "builder", "source": ", ".join(f"{k}={v}" for k, v in given.to_dict().items()),
                "title": None, "origin": None}
    if isinstance(given, str) and given.startswith(PRESET_PREFIX):
        preset = load_library().get(given.removeprefix(PRESET_PREFIX))
        return {"kind": "preset", "source": given, "title": preset.title, "origin": preset.source,
                "levels": list(preset.levels)}
    if isinstance(given, str):
        return {"kind": "file", "source": given, "title": None, "origin": None}
    return {"kind": "code", "source": "built in code", "title": None, "origin": None}


def _hierarchies(project, result, utility, files: Mapping[str, str], released: Mapping[str, int]) -> list[dict[str, Any]]:
    """Each quasi-identifier's hierarchy, with examples of its values at the released level
    (none for a column the utility analysis withheld: the guard flags its values, see
    :func:`~eucaim_wizard.utility.analyze_utility`)."""
    entries = []
    for name in result.quasi_identifiers:
        hierarchy = project.load_hierarchy(name)
        level = int(released[name])
        source = hierarchy_source(project, name)
        levels = source.pop("levels", None)
        shown = name in utility.frequencies  # (a column the guard flags is not analysed)
        counts = dict(zip(utility.frequencies[name]["original"].values,
                          utility.frequencies[name]["original"].counts)) if shown else {}
        entries.append({
            "attribute": name, **source,
            "sha256": hierarchy.sha256(), "file": files.get(name),
            "height": hierarchy.n_levels, "level": level,
            "level_description": levels[level] if levels and level < len(levels) else None,
            "examples": level_examples(hierarchy, level, counts) if shown else [],
            "examples_hidden": not shown,
        })
    return entries


def level_examples(hierarchy, level: int, counts: Mapping[str, int], limit: int = 3) -> list[dict[str, Any]]:
    """Up to ``limit`` generalized values at ``level``, the most frequent in the data first,
    each with the most frequent non-empty original value that becomes it (ties: hierarchy order)."""
    groups: dict[str, list] = {}
    for value, general in zip(hierarchy.level(0).tolist(), hierarchy.level(level).tolist()):
        count = counts.get(value, 0)
        if count == 0:
            continue
        group = groups.setdefault(general, [0, value, count, len(groups)])
        group[0] += count
        # the example is the most frequent value that is not empty (an empty one says nothing)
        if (group[1] == "" and value != "") or (value != "" and count > group[2]):
            group[1], group[2] = value, count
    ranked = sorted(groups.items(), key=lambda item: (-item[1][0], item[1][3]))
    return [{"value": value, "generalized": general, "records": total}
            for general, (total, value, _, _) in ranked[:limit]]


def _search(result, exploration, candidates, after: dict, applied: Transformation) -> dict[str, Any]:
    """The search, the released transformation (``optimum`` — the name kept for readers of
    report.json — with the output's risks), the least-loss optimum beside it when the
    curator chose another, the nearby alternatives and the Pareto front."""
    from ..explore import candidate

    released = {"levels": dict(applied.levels), "information_loss": applied.information_loss,
                "suppressed_records": applied.suppressed_records,
                "equivalence_classes": applied.equivalence_classes, "min_class_size": applied.min_class_size,
                # the output's risk: 1 / smallest class, classes / kept records (as for every candidate)
                "highest_risk": after["prosecutor"]["highest_risk"], "average_risk": after["average_risk"]}
    best = result.optimum
    least_loss = None
    if best is not None and dict(best.levels) != dict(applied.levels):
        c = candidate(result.outcome.optimum, best, result.n_records, "checked")
        least_loss = {key: value for key, value in c.to_dict().items() if key not in ("anonymous", "search")}
    return {
        "lattice_size": result.lattice_size,
        "checked": result.checked,
        "strategy": result.search_summary(),
        "evaluated_for_chart": len(candidates),
        "listing": "every transformation" if len(candidates) == result.lattice_size else
                   "the transformations the search checked and the optimum's nearest",
        "anonymous_candidates": sum(1 for c in candidates if c.anonymous),
        "optimum": released,
        "least_loss": least_loss,
        "alternatives": _alternatives(result, candidates, applied),
        "pareto_front": [c.to_dict() for c in exploration.pareto],
    }


def _alternatives(result, candidates, applied: Transformation, limit: int = 6) -> list[dict[str, Any]]:
    """The anonymous candidates one level away from the released one (up or down in one
    attribute), by information loss: what the curator could release instead."""
    node = result.node_of(dict(applied.levels))
    near = set(result.lattice.predecessors(node)) | set(result.lattice.successors(node))
    found = sorted((c for c in candidates if c.node in near and c.anonymous),
                   key=lambda c: (c.information_loss, c.suppressed_records, c.node))
    return [c.to_dict() for c in found[:limit]]


def _risk(risk_before, risk_after, before: dict, after: dict) -> dict[str, Any]:
    from ..risk.words import attribute_highlights

    def figure(label: str, path: tuple[str, ...], kind: str) -> dict[str, Any]:
        def pick(data):
            for key in path:
                data = data[key]
            return data
        return {"figure": label, "kind": kind, "before": pick(before), "after": pick(after)}

    rows = [
        figure("records", ("records",), "count"),
        figure("suppressed records", ("suppressed_records",), "count"),
        figure("equivalence classes", ("classes", "count"), "count"),
        figure("average class size", ("classes", "average_size"), "size"),
        figure("smallest class", ("classes", "min_size"), "count"),
        figure("prosecutor: highest risk", ("prosecutor", "highest_risk"), "risk"),
        figure("prosecutor: records at highest risk", ("prosecutor", "records_at_highest_risk"), "count"),
        figure(f"prosecutor: records at risk (> {before['threshold']:g})", ("prosecutor", "records_at_risk"), "share"),
        figure("prosecutor: success rate", ("prosecutor", "success_rate"), "risk"),
        figure("journalist: highest risk", ("journalist", "highest_risk"), "risk"),
        figure(f"journalist: records at risk (> {before['threshold']:g})", ("journalist", "records_at_risk"), "share"),
        figure("journalist: success rate", ("journalist", "success_rate"), "risk"),
        figure("marketer: success rate", ("marketer", "success_rate"), "risk"),
        figure("average risk", ("average_risk",), "risk"),
        figure("lowest risk", ("lowest_risk",), "risk"),
        figure("sample uniques", ("sample_uniques",), "share"),
    ]
    sentences_after = [{"key": e.key, "label": e.label, "value": e.value, "sentence": e.sentence}
                       for e in risk_after.explain()]
    sentences_before = [{"key": e.key, "label": e.label, "value": e.value, "sentence": e.sentence}
                        for e in risk_before.explain()]
    combos_after = {tuple(a.qis): a for a in (risk_after.attributes or ())}
    top = [{"qis": list(a.qis),
            "before": {"distinction": a.distinction, "separation": a.separation},
            "after": None if tuple(a.qis) not in combos_after else {
                "distinction": combos_after[tuple(a.qis)].distinction,
                "separation": combos_after[tuple(a.qis)].separation}}
           for a in attribute_highlights(risk_before.attributes or ())]
    return {
        "threshold": before["threshold"],
        "attackers": rows,
        "explanations": {
            "before": [s for s in sentences_before if s["key"] in _INPUT_KEYS],
            "after": [s for s in sentences_after if s["key"].split(".")[0] not in
                      ("distribution", "population", "attributes")],
            "population": {"before": [s for s in sentences_before if s["key"].startswith("population.dankar")],
                           "after": [s for s in sentences_after if s["key"].startswith("population.")]},
            "attributes": [s for s in sentences_before if s["key"].startswith("attributes.")][:3],
        },
        "distribution": {"before": before["distribution"], "after": after["distribution"]},
        "population_uniques": {"before": before["population_uniques"], "after": after["population_uniques"]},
        "attributes": top,
    }


_NUMBER_PARTS = re.compile(r"(\d+(?:\.\d+)?)")


def natural_key(label: str) -> tuple:
    """Sort key that orders numbers inside labels by value (``9-10`` before ``10-19``, ``040Y``
    before ``100Y``), text case-insensitively, and the empty value and ``*`` last."""
    if label in ("", SUPPRESSED):
        return (1, label == SUPPRESSED, ())
    if label.isascii() and label.isdigit():  # (the same key, without splitting: a million codes)
        return (0, False, ((0, float(label), ""),))
    parts = _NUMBER_PARTS.split(label)
    return (0, False, tuple((0, float(p), "") if i % 2 else (1, 0.0, p.casefold()) for i, p in enumerate(parts) if p))


def ordered_distributions(hierarchy, level: int, original: Sequence[tuple[str, int]],
                          anonymized: Sequence[tuple[str, int]]) -> tuple[list[list], list[list]]:
    """The two frequency lists in the order to draw them: the output's values in natural order
    (:func:`natural_key`), the input's values grouped by the output value they become, each
    group in natural order -- so that the bars of a group stand where its output bar stands."""
    general = dict(zip(hierarchy.level(0).tolist(), hierarchy.level(level).tolist()))
    # each label's sort key computed once (a column of a million values has a million labels)
    keys = {label: natural_key(label) for label in {label for label, _ in anonymized} | set(general.values())
            | {label for label, _ in original}}
    labels = sorted({label for label, _ in anonymized} | set(general.values()), key=keys.__getitem__)
    rank = {label: i for i, label in enumerate(labels)}
    out = sorted(anonymized, key=lambda pair: keys[pair[0]])
    into = sorted(original, key=lambda pair: (rank.get(general.get(pair[0], SUPPRESSED), len(rank)), keys[pair[0]]))
    return [[v, c] for v, c in into], [[v, c] for v, c in out]


def _utility(project, result, utility, settings: Settings) -> dict[str, Any]:
    from .charts import binned

    quality = utility.quality.to_dict()
    distributions = []
    for name in result.quasi_identifiers:
        if name not in utility.frequencies:  # (withheld: the guard flags its values, which a chart would label)
            continue
        hierarchy = project.load_hierarchy(name)
        level = int(utility.transformation.levels[name])
        pair = utility.frequencies[name]
        original = list(zip(pair["original"].values, pair["original"].counts))
        anonymized = list(zip(pair["anonymized"].values, pair["anonymized"].counts))
        labels = set(hierarchy.level(level).tolist())
        ordered_original, ordered_anonymized = ordered_distributions(hierarchy, level, original, anonymized)
        # what the chart draws (at most 60 bars a side), not every value: a column of a
        # million values would make report.json a list of millions
        bars_original, note_original = binned(ordered_original)
        bars_anonymized, note_anonymized = binned(ordered_anonymized)
        distributions.append({
            "attribute": name, "level": level,
            "original": [list(pair) for pair in bars_original], "original_values": len(ordered_original),
            "original_note": note_original,
            "anonymized": [list(pair) for pair in bars_anonymized], "anonymized_values": len(ordered_anonymized),
            "anonymized_note": note_anonymized,
            # '*' is a generalized value when the hierarchy has it at this level
            "star_is_suppression": SUPPRESSED not in labels,
        })
    classification = utility.classification
    return {
        "quality": {"attributes": list(quality["attributes"].values()), "dataset": quality["dataset"],
                    "information_loss": quality["information_loss"]},
        "distributions": distributions,
        "classification": None if classification is None else _against_baseline(classification.to_dict()),
        "classification_note": settings.target_reason,
        "notes": list(utility.notes),
    }


def _against_baseline(c: dict[str, Any]) -> dict[str, Any]:
    """The classification with each model marked whether it beats the majority-class baseline
    on each table: a Brier skill score above 0, i.e. its class probabilities are closer to the
    truth than the class shares (Brier 1950; the skill score against a reference forecast), and
    how many models do so on the input: when none does, the relative accuracy compares two
    guesses and says little about the anonymization."""
    for model in c["models"]:
        for side in ("original", "anonymized"):
            skill = model[side].get("brier_skill_score")
            model[side]["beats_baseline"] = skill is not None and skill > 0
    c["models_beating_baseline"] = sum(model["original"]["beats_baseline"] for model in c["models"])
    return c


def _output_columns(project, levels, columns: Sequence[str]) -> list[dict[str, str]]:
    return [{"name": name, "role": _role(project, name), "content": _treatment(project, levels, name)}
            for name in columns]


__all__ = ["REPORT_VERSION", "OutputFile", "Settings", "build_report", "hierarchy_source", "level_examples",
           "natural_key", "ordered_distributions"]
