"""The eight sections of the PDF, each drawn from its part of ``report.json``.

Every function takes the whole report (a dict, see :mod:`.model`) and the chart images (name
→ PNG bytes) and returns platypus flowables.  The numbers are formatted by :mod:`._format`,
so a test can find each one of ``report.json`` in the PDF's text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reportlab.platypus import PageBreak, Spacer

from ..utility.classification import MODELS
from . import _format as f
from ._layout import MONO, bullets, chart, grid, heading, key_values, para, text, verdict

SECTIONS = ("Summary", "Input", "Configuration", "Hierarchies", "Search", "Re-identification risk", "Utility",
            "Output")


def summary(report: Mapping[str, Any], charts: Mapping[str, bytes]) -> list:
    s = report["summary"]
    tool = report["tool"]
    story = [para(text(report["title"]), "title"),
             para(f"{text(tool['name'])} {text(tool['version'])} · {text(report['date'])}"
                  + (f" · project {text(report['project'])}" if report.get("project") else ""), "subtitle"),
             heading(f"1. {SECTIONS[0]}")]
    holds = s["all_models_hold"]
    story.append(para(
        f"The anonymized table {verdict(holds, 'satisfies', 'does NOT satisfy')} every privacy model of the project "
        f"with the transformation below, suppressing {f.count(s['suppressed_records'])} of "
        f"{f.count(s['records'])} records ({f.share(s['suppressed_share'])})."))
    models = []
    for model in s["privacy"]:
        achieved = f"; achieved {f.parameters(model['achieved'])}" if model["achieved"] else ""
        models.append(f"{text(model['model'])} ({text(f.parameters(model['parameters']))}): "
                      f"{verdict(model['holds'])}{text(achieved)}")
    risk = (lambda key: f"{f.decimal(s[key]['before'])} → {f.decimal(s[key]['after'])}")
    pairs = [
        ("Dataset", f"{s['dataset']} ({f.count(s['records'])} records)"),
        ("Date", report["date"]),
        ("Tool", f"{tool['name']} {tool['version']}"),
        ("Privacy models", para("<br/>".join(models), "cell")),
        ("Released transformation", f.levels(s["transformation"])),
        *_chosen_pairs(s),
        ("Suppressed records", f"{f.count(s['suppressed_records'])} ({f.share(s['suppressed_share'])})"),
        ("Highest risk (prosecutor), input → output", risk("highest_risk")),
        ("Average risk, input → output", risk("average_risk")),
        ("Information loss", f"{f.decimal(s['information_loss']['value'])} ({s['information_loss']['metric']}; "
                             "0 = none, 1 = everything)"),
        ("Relative classification accuracy", _accuracy_line(s, report)),
    ]
    story.append(key_values(pairs, key_width=0.36))
    story.extend(_sign_off(s))
    plain = {e["key"]: e["sentence"] for e in report["risk"]["explanations"]["before"]}
    plain_after = {e["key"]: e["sentence"] for e in report["risk"]["explanations"]["after"]}
    sentences = [f"In the input: {plain[key]}" for key in ("sample_uniques",) if key in plain]
    sentences += [f"In the output: {plain_after[key]}" for key in ("prosecutor.highest_risk",) if key in plain_after]
    if sentences:
        story.append(para("<b>In plain words</b>"))
        story.extend(bullets(sentences))
    if s.get("next_steps"):
        story.append(para("<b>What to do next</b>"))
        story.extend(bullets([a["text"] for a in s["next_steps"]]))
    story.append(Spacer(1, 6))
    story.append(para("<b>Contents</b>"))
    story.extend(bullets([f"{i}. {name}" for i, name in enumerate(SECTIONS, start=1)]))
    story.append(PageBreak())
    return story


def _accuracy_line(s: Mapping[str, Any], report: Mapping[str, Any]) -> object:
    """The headline accuracy, with the warning when no model beats the majority baseline."""
    accuracy = s["relative_accuracy"]
    if accuracy is None:
        return "not measured"
    line = (f"{f.decimal(accuracy)} (predicting {text(s['classification_target'])}: accuracy on the anonymized table / "
            f"on the original, mean of the models)")
    c = report["utility"]["classification"]
    if c is not None and not c.get("models_beating_baseline", 1):
        line += (f"; <b>but no model beats the majority-class baseline</b> ({f.decimal(c['baseline']['accuracy'])}) "
                 f"on the input, so this says little (section 7)")
    return para(line, "cell")


def _chosen_pairs(s: Mapping[str, Any]) -> list[tuple[str, object]]:
    """The lines that say the curator chose a transformation other than the optimum."""
    chosen = s.get("chosen")
    if not chosen:
        return [("How it was chosen", "the optimum: the least information loss of every anonymous transformation")]
    optimum = chosen.get("optimum")
    return [("How it was chosen", para(f"<b>chosen by the curator</b> ({text(chosen['how'])}), not the optimum; "
                                       "section 5 compares the two", "cell")),
            ("The optimum (least loss)", "none is anonymous" if optimum is None else f.levels(optimum))]


def _sign_off(s: Mapping[str, Any]) -> list:
    """The release's sign-off (curator, rationale, approval) and the project file's SHA-256."""
    release = s.get("release") or {}
    pairs: list[tuple[str, object]] = [
        (label, para(text(str(release.get(key))), "cell") if release.get(key) else "not given in the project")
        for key, label in (("curator", "Curator"), ("rationale", "Rationale"), ("approved_by", "Approved by"))]
    if s.get("project_sha256"):
        pairs.append(("Project file SHA-256", para(f"<font name=\"{MONO}\" size=\"6.8\">{text(s['project_sha256'])}</font>",
                                                   "cell")))
    return [Spacer(1, 4), para("<b>Release sign-off</b> (the project file's <i>release</i> section)"),
            key_values(pairs, key_width=0.36)]


def _formulas(formulas: Mapping[str, Any]) -> list:
    """A paragraph on the cells that began like a spreadsheet formula (none: nothing)."""
    cells = formulas.get("cells") or {}
    if not cells:
        return []
    total = sum(cells.values())
    where = ", ".join(f"{text(name)} ({f.count(n)})" for name, n in sorted(cells.items()))
    if formulas.get("neutralised"):
        return [para(f"{f.count(total)} cell(s) began with =, +, -, @, a tab or a carriage return and were not "
                     f"numbers: a spreadsheet opening the file could run them as formulas (CSV injection). "
                     f"They are written with a leading ' so that spreadsheets show them as text: {where}. "
                     f"<i>--keep-formulas</i> writes them as they were.")]
    why = "kept as they were (<i>--keep-formulas</i>)" if formulas.get("kept") else \
        "written as text cells, which a spreadsheet never runs"
    return [para(f"{f.count(total)} cell(s) begin like a spreadsheet formula (=, +, -, @): {where}; {why}.")]


def input_section(report: Mapping[str, Any], charts: Mapping[str, bytes]) -> list:
    data = report["input"]
    story = [heading(f"2. {SECTIONS[1]}"),
             key_values([("File", data["file"]), ("SHA-256", data["sha256"] or "– (a table built in code)"),
                         ("Rows (records)", f.count(data["rows"])), ("Columns", f.count(len(data["columns"])))],
                        mono=("SHA-256",), key_width=0.2),
             heading("Columns and roles", 2)]
    story.append(grid(["column", "role", "in the output"],
                      [[c["name"], c["role"], c["output"]] for c in data["columns"]], [0.36, 0.22, 0.42]))
    story += _formulas(data.get("formulas") or {})
    story.append(heading("De-identification guard", 2))
    guard = data["guard"]
    if guard["findings"]:
        if guard["confirmed_deidentified"]:
            story.append(para("The guard found signs of identified data; the curator confirmed that the data is "
                              "de-identified (<i>--i-confirm-deidentified</i>)."))
        story.append(_findings(guard["findings"]))
    else:
        story.append(para("No sign of identified data: no direct identifier outside the columns marked "
                          "<i>identifier</i>, and no value that looks like a name, an e-mail address, a phone "
                          "number, a DICOM UID or a record number."))
    story.append(heading("Validation", 2))
    if data["findings"]:
        story.append(_findings(data["findings"]))
    else:
        story.append(para("The data, the roles and every hierarchy fit together: no finding."))
    if data["notes"]:
        story.append(para("What reading the files decided:", "small"))
        story.extend(para(text(note), "small") for note in data["notes"])
    return story


def _findings(findings) -> Any:
    return grid(["severity", "where", "finding", "records"],
                [[x["severity"], x["where"], f"{x['code']}: {x['message']}", f.count(x["records"])]
                 for x in findings], [0.1, 0.2, 0.58, 0.12], right=(3,))


def configuration(report: Mapping[str, Any], charts: Mapping[str, bytes]) -> list:
    c = report["configuration"]
    metric = c["metric"]
    population = c["population"]
    classification = c["classification"]
    story = [heading(f"3. {SECTIONS[2]}"), heading("Privacy models", 2),
             grid(["model", "parameters"], [[m["model"], f.parameters(m["parameters"])] for m in c["privacy"]],
                  [0.4, 0.6])]
    story.append(heading("Limits, metric and risk settings", 2))
    pairs = [
        ("Suppression limit", f"{f.share(c['suppression_limit'])} of the records "
                              f"(at most {f.count(c['max_suppressed_records'])} records)"),
        ("Information-loss metric", f"{metric['label']} (generalization/suppression factor {metric['gs_factor']:g}"
                                    + (f", {metric['aggregate']}" if metric.get("aggregate") else "") + ")"),
        ("Population", "not estimated" if population is None else
         f"{population['region'] or 'given size'}: {f.count(population['size'])} people "
         f"(the table holds {f.small_share(population['sampling_fraction'])} of them)"),
        ("Risk threshold", f"{c['threshold']:g} (a record is at risk when its re-identification probability "
                           f"is above it)"),
        ("Classification", "not measured: " + classification["reason"] if classification["target"] is None else
         f"target {classification['target']} ({classification['reason']}); {classification['folds']}-fold "
         f"cross-validation, seed {classification['seed']}"),
        ("Data confirmed de-identified", "yes (--i-confirm-deidentified)" if c["confirmed_deidentified"] else "not needed"),
    ]
    story.append(key_values(pairs, key_width=0.28))
    story.append(heading("Quasi-identifiers: weights and level limits", 2))
    story.append(grid(["quasi-identifier", "weight", "lowest level", "highest level"],
                      [[a["attribute"], f"{a['weight']:g}", str(a["min_level"]), str(a["max_level"])]
                       for a in c["attributes"]], [0.46, 0.18, 0.18, 0.18], right=(1, 2, 3)))
    return story


def hierarchies(report: Mapping[str, Any], charts: Mapping[str, bytes]) -> list:
    story = [heading(f"4. {SECTIONS[3]}"),
             para("Each quasi-identifier is generalized along its hierarchy; level 0 is the value as it is, the "
                  "highest level usually '*'. The examples are the most frequent generalized values at the "
                  "chosen level, each with an original value that becomes it.")]
    rows = []
    for h in report["hierarchies"]:
        source = (h["source"] if h["kind"] == "preset" else f"{h['kind']}: {h['source']}") + (
            f" ({h['title']})" if h.get("title") else "")
        level = f"{h['level']} of {h['height'] - 1}" + (f": {h['level_description']}" if h.get("level_description") else "")
        if h.get("examples_hidden"):
            examples = "not shown: the guard flags this column's values"
        elif h["level"] == 0:
            examples = "kept as they are: " + ", ".join(f.value(e["value"]) for e in h["examples"])
        else:
            examples = "; ".join(f"{f.value(e['value'])} → {f.value(e['generalized'])}" for e in h["examples"])
        rows.append([h["attribute"], source, level, examples])
    story.append(grid(["quasi-identifier", "source", "chosen level (of highest)", "examples at that level"],
                      rows, [0.18, 0.32, 0.22, 0.28], bold_first=True))
    story.append(heading("Files written and their SHA-256", 2))
    story.append(grid(["quasi-identifier", "file (ARX CSV, in the output folder) and its SHA-256"],
                      [[h["attribute"], para(f"{text(h['file'] or '–')}<br/><font name=\"{MONO}\" size=\"6.8\">"
                                             f"{text(h['sha256'])}</font>", "cell")]
                       for h in report["hierarchies"]], [0.3, 0.7]))
    origins = [(h["attribute"], h["origin"]) for h in report["hierarchies"] if h.get("origin")]
    if origins:
        story.append(para("Where the presets' groupings come from:", "small"))
        story.extend(para(f"{text(name)}: {text(origin)}", "small") for name, origin in origins)
    return story


def _candidate_rows(c: Mapping[str, Any]) -> list[str]:
    return [f.decimal(c["information_loss"]), f.count(c["suppressed_records"]),
            f"{f.count(c['equivalence_classes'])}, {f.count(c['min_class_size'])}",
            f"{f.decimal(c['highest_risk'])} / {f.decimal(c['average_risk'])}"]


def search(report: Mapping[str, Any], charts: Mapping[str, bytes]) -> list:
    s = report["search"]
    o = s["optimum"]  # the released transformation
    least = s.get("least_loss")
    evaluated = f.count(s["evaluated_for_chart"]) + (
        "" if s["evaluated_for_chart"] == s["lattice_size"] else f" ({text(s.get('listing', 'a part of the lattice'))}: "
        "the lattice is too large to evaluate every one)")
    strategy = s.get("strategy") or {"strategy": "optimal"}
    if strategy["strategy"] == "optimal":
        searched = [("Checked by the optimal search", f.count(s["checked"]))]
    else:
        proof = ("finished: the answer is proven optimal" if strategy.get("proven_optimal") else
                 f"stopped at {strategy.get('stopped')}: the best found, not proven optimal"
                 + (f"; a better transformation could lower the loss by at most {f.decimal(strategy['gap'])}"
                    if strategy.get("gap") is not None else ""))
        searched = [("Checked by the best-first search", f.count(s["checked"])),
                    ("Best-first search (the lattice is larger than an optimal search holds)", para(text(proof), "cell"))]
    story = [heading(f"5. {SECTIONS[4]}"),
             key_values([
                 ("Lattice size (transformations)", f.count(s["lattice_size"])),
                 *searched,
                 ("Evaluated for the chart and the alternatives", para(evaluated, "cell")),
                 ("Anonymous candidates among them", f.count(s["anonymous_candidates"])),
             ], key_width=0.36)]
    names = list(o["levels"])
    labels = ["levels (" + ", ".join(names) + ")", "information loss", "suppressed records",
              "classes, smallest class", "highest / average risk"]
    proven = strategy["strategy"] == "optimal" or strategy.get("proven_optimal")
    if least is None and proven:
        story.append(para("The released transformation is the optimum: the least information loss among every "
                          "anonymous transformation.", "small"))
        columns = [["released: the optimum", *([",".join(str(o["levels"][n]) for n in names)] + _candidate_rows(o))]]
    elif least is None:
        story.append(para("The released transformation is the best anonymous one the best-first search found within "
                          "its limit; it is not proven to be the optimum (see the search above).", "small"))
        columns = [["released: the best found", *([",".join(str(o["levels"][n]) for n in names)] + _candidate_rows(o))]]
    else:
        story.append(para("The curator released a transformation other than the optimum; both side by side "
                          "(risk of each: 1 / smallest class and classes / kept records).", "small"))
        columns = [["released (chosen)", ",".join(str(o["levels"][n]) for n in names), *_candidate_rows(o)],
                   ["optimum (least loss)", ",".join(str(least["levels"][n]) for n in names), *_candidate_rows(least)]]
    story.append(grid(["", *[c[0] for c in columns]],
                      [[label, *[c[i + 1] for c in columns]] for i, label in enumerate(labels)],
                      [0.36, *([0.64 / len(columns)] * len(columns))], right=tuple(range(1, len(columns) + 1))))
    if s.get("alternatives"):
        story.append(heading("Nearby alternatives", 2))
        story.append(para("The anonymous transformations one level away from the released one (one attribute "
                          "more or less generalized), by information loss.", "small"))
        story.append(grid(["levels", "information loss", "suppressed", "highest risk", "average risk"],
                          [[",".join(str(c["levels"][n]) for n in names), f.decimal(c["information_loss"]),
                            f.count(c["suppressed_records"]), f.decimal(c["highest_risk"]), f.decimal(c["average_risk"])]
                           for c in s["alternatives"]], [0.28, 0.18, 0.18, 0.18, 0.18], right=(1, 2, 3, 4)))
    if "candidates" in charts:
        story.append(Spacer(1, 6))
        story.extend(chart(charts["candidates"],
                           "The anonymous transformations evaluated (grey), their Pareto front (blue: no other "
                           "candidate has both less risk and less loss), the optimum (red circle) and, when the "
                           "curator chose another, the released one (green square). Risk is the prosecutor's "
                           "highest risk, 1 / smallest class."))
    if s["pareto_front"]:
        story.append(heading("The Pareto front", 2))
        story.append(para("Levels in the order " + text(", ".join(names)) + "; by increasing information "
                          "loss.", "small"))
        front = sorted(s["pareto_front"], key=lambda c: (c["information_loss"], c["highest_risk"]))
        optimum_levels = (least or o)["levels"]

        def role(c) -> str:
            return "released" if c["levels"] == o["levels"] else "optimum" if c["levels"] == optimum_levels else ""

        story.append(grid(["levels", "which", "information loss", "highest risk", "average risk", "suppressed"],
                          [[",".join(str(c["levels"][n]) for n in names), role(c),
                            f.decimal(c["information_loss"]), f.decimal(c["highest_risk"]), f.decimal(c["average_risk"]),
                            f.count(c["suppressed_records"])]
                           for c in front], [0.26, 0.1, 0.16, 0.16, 0.16, 0.16], right=(2, 3, 4, 5)))
    return story


def risk(report: Mapping[str, Any], charts: Mapping[str, bytes]) -> list:
    r = report["risk"]
    story = [heading(f"6. {SECTIONS[5]}"),
             para("The risk that a record is re-identified by someone who knows its quasi-identifiers, in the input "
                  "and in the anonymized output (suppressed records form no class and carry no risk).",
                  keep_with_next=True),
             grid(["figure", "input", "output"],
                  [[row["figure"], f.figure(row["before"], row["kind"]), f.figure(row["after"], row["kind"])]
                   for row in r["attackers"]], [0.52, 0.24, 0.24], right=(1, 2), sections=(4, 8, 11, 12),
                  whole=True)]
    story.append(heading("What the figures mean for the anonymized output", 2))
    story.extend(bullets([e["sentence"] for e in r["explanations"]["after"]]))
    story.append(heading("And for the input", 2))
    story.extend(bullets([e["sentence"] for e in r["explanations"]["before"]]))
    if "risk_distribution" in charts:
        story.extend(chart(charts["risk_distribution"],
                           "Share of records per band of risk; a record in a class of c records has risk 1/c, so the "
                           "band (0.5, 1] holds the unique records."))
    story.append(heading("Population uniqueness", 2))
    before, after = r["population_uniques"]["before"], r["population_uniques"]["after"]
    if before is None:
        story.append(para("Not estimated."))
    else:
        def estimate(u, model):
            value = u[model]
            return f.precise_share(value) if value is not None else u.get("unavailable", {}).get(model, "–")
        rows = [[name, estimate(before, key), estimate(after, key)]
                for key, name in (("pitman", "Pitman"), ("zayatz", "Zayatz"), ("snb", "SNB"), ("dankar", "Dankar"))]
        names = {"pitman": "Pitman", "zayatz": "Zayatz", "snb": "SNB"}
        rows.append(["Dankar's rule picks", names.get(before["dankar_model"], before["dankar_model"] or "–"),
                     names.get(after["dankar_model"], after["dankar_model"] or "–")])
        story.append(grid(["estimated share of the population unique", "input", "output"], rows,
                          [0.52, 0.24, 0.24], right=(1, 2)))
        story.extend(bullets([e["sentence"] for e in r["explanations"]["population"]["after"]
                              if e["key"] in ("population.sampling_fraction", "population.dankar")]))
    if r["attributes"]:
        story.append(heading("Which quasi-identifiers drive the risk", 2))
        story.append(para("Distinction: distinct values (or combinations) / records; separation: share of record "
                          "pairs that differ. Each attribute alone, then per size the combination that separates "
                          "the records most, in the input and in the output.", "small"))
        rows = []
        for a in r["attributes"]:
            after_a = a["after"] or {}
            rows.append([", ".join(a["qis"]), f.decimal(a["before"]["distinction"]),
                         f.decimal(after_a.get("distinction")), f.decimal(a["before"]["separation"]),
                         f.decimal(after_a.get("separation"))])
        story.append(grid(["quasi-identifiers", "distinction in", "distinction out", "separation in", "separation out"],
                          rows, [0.44, 0.14, 0.14, 0.14, 0.14], right=(1, 2, 3, 4)))
        story.extend(bullets([e["sentence"] for e in r["explanations"]["attributes"]]))
    return story


def utility(report: Mapping[str, Any], charts: Mapping[str, bytes]) -> list:
    u = report["utility"]
    q = u["quality"]
    story = [heading(f"7. {SECTIONS[6]}"), heading("Attribute quality", 2),
             para("ARX's quality models, from 0 (nothing left) to 1 (as in the input), for each quasi-identifier.",
                  "small"),
             grid(["quasi-identifier", "level", "missings", "gen. intensity", "granularity", "NU entropy",
                   "squared error"],
                  [[a["attribute"], str(a["level"]), f.decimal(a["missings"]), f.decimal(a["generalization_intensity"]),
                    f.decimal(a["granularity"]), f.decimal(a["non_uniform_entropy"]), f.decimal(a["squared_error"])]
                   for a in q["attributes"]], [0.25, 0.07, 0.12, 0.14, 0.14, 0.14, 0.14],
                  right=(1, 2, 3, 4, 5, 6))]
    d = q["dataset"]
    rows = [[f"{name} (quality, 0–1)", f.decimal(d[key])] for key, name in (
        ("ambiguity", "ambiguity"), ("average_class_size", "average class size"), ("discernibility", "discernibility"),
        ("record_level_squared_error", "record-level squared error"))]
    rows += [[f"{label} (information loss)", f.general(value)] for label, value in q["information_loss"].items()]
    story += [heading("Dataset quality and information loss", 2),
              grid(["measure", "value"], rows, [0.7, 0.3], right=(1,), sections=(3,))]
    story.append(heading("Distributions of the quasi-identifiers, input and output", 2))
    for item in u["distributions"]:
        key = f"distribution:{item['attribute']}"
        if key in charts:
            caption = None
            if item["anonymized"] and any(v == "*" for v, _ in item["anonymized"]):
                caption = ("'*' (red) holds the suppressed records." if item["star_is_suppression"] else
                           "'*' holds the records generalized to the top of the hierarchy and the suppressed ones.")
            story.extend(chart(charts[key], caption))
    story.append(heading("Classification", 2))
    c = u["classification"]
    if c is None:
        story.append(para("Not measured: " + text(u["classification_note"]) + "."))
    else:
        story.append(para(
            f"Predicting <b>{text(c['target'])}</b> from {text(', '.join(c['features']))}: {c['folds']}-fold "
            f"cross-validation (seed {c['seed']}) of each model on the input and on the anonymized table "
            f"({f.count(c['suppressed_records'])} suppressed records are predicted from their '*' values). "
            f"Relative accuracy (anonymized / input, mean of the models): <b>{f.decimal(c['relative_accuracy'])}</b>."))
        b = c["baseline"]
        if not c.get("models_beating_baseline", 1):
            story.append(para(
                f"<b>No model predicts {text(c['target'])} better than the majority-class baseline on the input</b> "
                f"(accuracy {f.decimal(b['accuracy'])} by always guessing the most frequent class; every Brier skill "
                f"score at or below 0): the relative accuracy compares two guesses and says little about what the "
                f"anonymization costs. Choose a target the other attributes can predict (--target)."))
        rows = [["majority class (baseline)", f.decimal(b["accuracy"]), f.decimal(b["accuracy"]), "", "0", "0",
                 f.decimal(b["macro_auc"]), f.decimal(b["macro_auc"]), ""]]
        for m in c["models"]:
            o, a = m["original"], m["anonymized"]
            beats = " / ".join("yes" if side.get("beats_baseline") else "no" for side in (o, a))
            rows.append([MODELS.get(m["model"], m["model"]), f.decimal(o["accuracy"]), f.decimal(a["accuracy"]),
                         f.decimal(m["relative_accuracy"]), f.decimal(o["brier_skill_score"]),
                         f.decimal(a["brier_skill_score"]), f.decimal(o["macro_auc"]), f.decimal(a["macro_auc"]), beats])
        story.append(grid(["model", "accuracy in", "accuracy out", "relative", "Brier skill in", "Brier skill out",
                           "AUC in", "AUC out", "beats baseline in / out"], rows,
                          [0.2, 0.09, 0.09, 0.08, 0.1, 0.1, 0.08, 0.08, 0.18],
                          right=(1, 2, 3, 4, 5, 6, 7), sections=(0,)))
        story.append(para("Brier skill score: 1 − Brier score / the baseline's Brier score (the Brier score is the mean "
                          "squared error of the predicted class probabilities); above 0, the model beats always "
                          "predicting the class shares; its Brier scores are in report.json. AUC: macro-averaged ROC "
                          "AUC, one class against the rest (0.5 is chance).", "small"))
    if u["notes"]:
        story.extend(bullets(u["notes"]))
    return story


def output(report: Mapping[str, Any], charts: Mapping[str, bytes]) -> list:
    o = report["output"]
    suppressed = ("removed from the file" if o["drop_suppressed"] else
                  "kept, with '*' in every quasi-identifier")
    story = [heading(f"8. {SECTIONS[7]}"),
             key_values([("File", o["file"]), ("SHA-256", o["sha256"]), ("Format", o["format"]),
                         ("Rows (records)", f.count(o["rows"])), ("Columns", f.count(len(o["columns"]))),
                         ("Suppressed records", f"{f.count(o['suppressed_records'])}, {suppressed}")],
                        mono=("SHA-256",), key_width=0.2)]
    for copy in o["copies"]:
        story.append(key_values([("Also written", copy["name"]), ("SHA-256", copy["sha256"])], mono=("SHA-256",),
                                key_width=0.2))
    story.append(heading("Columns of the output", 2))
    story.append(grid(["column", "role", "content"], [[c["name"], c["role"], c["content"]] for c in o["columns"]],
                      [0.36, 0.22, 0.42]))
    story.append(para("Beside the table, the output folder holds result.json (the search and the chosen "
                      "transformation), risk.json, utility.json, report.json (this report's figures) and the "
                      "hierarchies as ARX CSV files.", "small"))
    return story


BUILDERS = (summary, input_section, configuration, hierarchies, search, risk, utility, output)

__all__ = ["SECTIONS", "BUILDERS"]
