"""Steps 7 and 8 of the wizard without Streamlit: the risk and the utility of the candidate to
release, as the tables and chart data the pages draw.

Everything is computed as ``eucaim-wizard run`` computes it (:mod:`eucaim_wizard.workflow`):
the risk of the input (:func:`~eucaim_wizard.risk.analyze_risk`) against the risk of the
generalized table with its suppressed records (:func:`~eucaim_wizard.risk.analyze_table`),
and the utility of the same transformation (:func:`~eucaim_wizard.utility.analyze_utility`)
without the columns the de-identification guard flags.  Each analysis is cached in the
:class:`~eucaim_wizard.ui.session.Session` by what it depends on; the slow one, the
classification, is computed only when asked (:func:`classification`) and otherwise only
looked up (:func:`computed_classification`).

The sentences are the library's (:mod:`eucaim_wizard.risk.words`); the figures cite their
published definitions where the library does (:mod:`eucaim_wizard.risk.sample`,
:mod:`eucaim_wizard.risk.population`, :mod:`eucaim_wizard.risk.attributes`,
:mod:`eucaim_wizard.utility.quality`, :mod:`eucaim_wizard.utility.classification`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..risk import REGIONS, RiskAnalysis, parse_population
from ..risk.words import attribute_highlights, explain_attribute, percent, precise_percent
from .session import Session

if TYPE_CHECKING:
    from ..utility import UtilityReport

Progress = Callable[[int, int], None]

#: the colours of the report's charts: the input, the anonymized output, suppressed records
INPUT_COLOUR, OUTPUT_COLOUR, SUPPRESSED_COLOUR = "#9bb3d4", "#1f4e8c", "#c0392b"
#: what the population selector offers besides the regions: a number of people
OTHER_SIZE = "size"


# -- risk -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RiskPair:
    """The risk of the input and of the released candidate (its ``levels``)."""

    before: RiskAnalysis
    after: RiskAnalysis
    levels: dict[str, int]


def risk_pair(session: Session, levels: dict[str, int]) -> RiskPair:
    """The risk before and after, as ``eucaim-wizard run`` measures them, cached by the
    project, the data, the levels, the population and the threshold.

    Raises
    ------
    WizardError
        For a population smaller than the table, a bad threshold or population.
    """
    from ..risk import analyze_risk, analyze_table

    settings = (str(session.population), float(session.threshold))
    before = session.cached("risk of the input", lambda: analyze_risk(
        session.project(), table=session.table, threshold=session.threshold,
        population=session.population), extra=settings)
    result = session.result()

    def output() -> RiskAnalysis:
        return analyze_table(result.anonymized_table(levels), result.quasi_identifiers,
                             threshold=session.threshold, population=session.population,
                             suppressed=result.suppressed_records(result.node_of(levels)),
                             source="the anonymized output")

    after = session.cached("risk of the output", output, levels=levels, extra=settings)
    return RiskPair(before, after, dict(levels))


@dataclass(frozen=True)
class RiskFigure:
    """One figure before and after: its values, as the library prints them, and its sentences."""

    key: str
    label: str
    before: float
    after: float
    shown_before: str
    shown_after: str
    sentence_before: str
    sentence_after: str
    share: bool  # a share of records (shown as a percentage), else a probability


#: the attacker models' figures (El Emam 2013; ARX 3.9): key of :func:`~eucaim_wizard.risk.explain`,
#: label, value of a :class:`~eucaim_wizard.risk.SampleRisk`, and whether it is a share of records
ATTACKER_FIGURES: tuple[tuple[str, str, Callable[[Any], float | None], bool], ...] = (
    ("prosecutor.highest_risk", "Prosecutor: highest risk", lambda s: s.prosecutor.highest_risk, False),
    ("journalist", "Journalist: highest risk", lambda s: s.journalist.highest_risk, False),
    ("marketer.success_rate", "Marketer: success rate", lambda s: s.marketer.success_rate, False),
    ("prosecutor.records_at_risk", "Records at risk", lambda s: s.prosecutor.records_at_risk, True),
    ("sample_uniques", "Sample uniques", lambda s: s.sample_uniques, True),
    ("prosecutor.success_rate", "Prosecutor: success rate", lambda s: s.prosecutor.success_rate, False),
    ("average_risk", "Average risk", lambda s: s.average_risk, False),
)


def shown(value: float | None, share: bool) -> str:
    """A figure as the page writes it: a share as a percentage, a probability with four digits.

    >>> shown(0.8168, True), shown(0.1, False), shown(None, False)
    ('81.7 %', '0.1', '–')
    """
    if value is None:
        return "–"
    return percent(value) if share else f"{value:.4g}"


def delta(figure: RiskFigure) -> str | None:
    """The change from the input as ``st.metric`` reads it (a leading ``-`` is a fall), or None
    when the figure did not change.

    >>> delta(RiskFigure("k", "risk", 1.0, 0.1, "1", "0.1", "", "", False))
    '-0.9'
    """
    change = figure.after - figure.before
    if abs(change) < 1e-12:
        return None
    return ("-" if change < 0 else "+") + shown(abs(change), figure.share)


def risk_figures(pair: RiskPair) -> list[RiskFigure]:
    """The attacker models' figures before and after, each with the library's sentences
    (:func:`eucaim_wizard.risk.explain`)."""
    said = [{item.key: item for item in analysis.explain()} for analysis in (pair.before, pair.after)]
    figures = []
    for key, label, value, share in ATTACKER_FIGURES:
        before, after = (value(analysis.sample) or 0.0 for analysis in (pair.before, pair.after))
        sentences = [item[key].sentence if key in item else item["classes"].sentence for item in said]
        figures.append(RiskFigure(key, label, before, after, shown(before, share), shown(after, share),
                                  sentences[0], sentences[1], share))
    return figures


def distribution_rows(pair: RiskPair) -> list[dict[str, Any]]:
    """The share of records per band of risk (ARX's bands), input and output, for a grouped bar
    chart: one row per band and table; bands holding no record in either are left out, as in
    the report's chart (:func:`eucaim_wizard.report.charts.risk_distribution_chart`)."""
    from ..report.charts import band_label

    rows = []
    bands = zip(pair.before.sample.distribution, pair.after.sample.distribution)
    for order, (before, after) in enumerate(bands):
        if before.records == 0 and after.records == 0:
            continue
        for table, band, analysis in (("input", before, pair.before), ("output", after, pair.after)):
            rows.append({"band": band_label(band.low, band.high), "order": order, "table": table,
                         "records (%)": 100.0 * band.records,
                         "records": round(band.records * analysis.sample.records),
                         "cumulative (%)": 100.0 * band.cumulative})
    return rows


def region_options() -> list[str]:
    """The population selector's choices: every region preset's code, then a number of people."""
    return [*REGIONS, OTHER_SIZE]


def region_label(option: str) -> str:
    """``Malta (563,000)``: a choice of :func:`region_options` as the selector shows it."""
    if option == OTHER_SIZE:
        return "Another population: a number of people"
    region = REGIONS[option]
    return f"{region.name} ({region.population:,})"


def region_of(population: str | int) -> tuple[str, int]:
    """The selector's choice for a session's ``population`` and the number of people it holds.

    Raises
    ------
    WizardError
        For a population that is neither a size nor a region.
    """
    chosen = parse_population(population)
    return (chosen.region if chosen.region is not None else OTHER_SIZE), chosen.size


def population_rows(pair: RiskPair) -> list[dict[str, str]]:
    """Population uniqueness before and after (Dankar et al. 2012's choice, then each model):
    the estimated share of the population unique on the quasi-identifiers, and its people."""
    from ..risk.population import PITMAN, SNB, ZAYATZ

    rows = []
    names = {PITMAN: "Pitman (Hoshino 2001)", ZAYATZ: "Zayatz (1991)", SNB: "SNB (Chen & Keller-McNulty 1998)"}
    for model, label in (("dankar", "Dankar et al.'s rule (2012)"), *names.items()):
        row = {"model": label}
        for side, analysis in (("input", pair.before), ("output", pair.after)):
            u = analysis.population
            value = None if u is None else getattr(u, model)
            if u is None or value is None:
                row[side] = "no estimate" if u is None else u.unavailable.get(model, "no estimate")
                continue
            chosen = f" ({names[u.dankar_model].split()[0]})" if model == "dankar" and u.dankar_model else ""
            row[side] = f"{precise_percent(value)}{chosen}, about {round(value * u.population_size):,} people"
        rows.append(row)
    return rows


def population_uniques(analysis: RiskAnalysis) -> str:
    """The share of the population estimated unique (Dankar et al.'s rule), as the library
    writes it (``"< 0.0001 %"`` below one in a million)."""
    u = analysis.population
    if u is None or u.dankar is None:
        return "no estimate"
    return precise_percent(u.dankar)


def population_sentences(analysis: RiskAnalysis) -> list[str]:
    """The library's sentences on the sampling fraction and population uniqueness."""
    return [item.sentence for item in analysis.explain() if item.key.startswith("population.")]


def attribute_rows(pair: RiskPair) -> list[dict[str, Any]]:
    """Which quasi-identifiers drive the risk: α-distinction and α-separation (Motwani & Xu
    2007, as ARX reports them) of each single attribute (most separating first) and of the
    most distinguishing combination of each size, before and after, with the sentence on the
    input (:func:`eucaim_wizard.risk.words.explain_attribute`)."""
    before = pair.before.attributes or ()
    after = {risk.qis: risk for risk in pair.after.attributes or ()}
    records = pair.before.sample.records
    rows = []
    for risk in attribute_highlights(before):
        out = after.get(risk.qis)
        rows.append({"quasi-identifiers": ", ".join(risk.qis), "size": len(risk.qis),
                     "distinction in": risk.distinction, "distinction out": None if out is None else out.distinction,
                     "separation in": risk.separation, "separation out": None if out is None else out.separation,
                     "meaning": explain_attribute(risk, records).sentence})
    return rows


def separation_rows(pair: RiskPair) -> list[dict[str, Any]]:
    """α-separation of each single quasi-identifier, input and output, for a bar chart: the
    closer to 1, the better the attribute alone tells records apart."""
    rows = []
    for table, analysis in (("input", pair.before), ("output", pair.after)):
        for risk in analysis.attributes or ():
            if len(risk.qis) == 1:
                rows.append({"attribute": risk.qis[0], "table": table, "separation": risk.separation,
                             "distinct values": risk.classes})
    order = {row["attribute"]: -row["separation"] for row in rows if row["table"] == "input"}
    return sorted(rows, key=lambda row: (order.get(row["attribute"], 0.0), row["attribute"], row["table"]))


def escaped(text: str) -> str:
    """``text`` for ``st.markdown`` as it is: column names and values may hold ``*``, ``_`` or ``$``,
    which Markdown and Streamlit's LaTeX would read as formatting.

    >>> print(escaped("Patient_Age *"))
    Patient\\_Age \\*
    """
    return "".join("\\" + c if c in "\\`*_[]$<>#~|" else c for c in str(text))


def levels_text(levels: dict[str, int]) -> str:
    """``PatientSex=0, PatientAge=4``: a transformation in one line."""
    return ", ".join(f"{name}={level}" for name, level in levels.items())


# -- utility ----------------------------------------------------------------------------------
#: ARX's quality models of one quasi-identifier (each 0–1, 1 is the input; :mod:`eucaim_wizard.utility.quality`)
ATTRIBUTE_QUALITY: tuple[tuple[str, str, str], ...] = (
    ("missings", "missings", "share of values still present: not suppressed, not '*' and not the hierarchy's root"),
    ("generalization_intensity", "generalization intensity",
     "1 − the mean of level / height of the values (Precision; Sweeney 2002)"),
    ("granularity", "granularity",
     "1 − the mean share of the hierarchy's values a released value stands for (Loss; Iyengar 2002)"),
    ("non_uniform_entropy", "non-uniform entropy",
     "the information kept, relative to the column's entropy (de Waal & Willenborg 1999; Prasser et al. 2016)"),
    ("squared_error", "squared error",
     "numbers only: how close the released ranges stay to the original numbers"),
)
#: ARX's quality models of the whole table (each 0–1, 1 is the input)
DATASET_QUALITY: tuple[tuple[str, str, str], ...] = (
    ("ambiguity", "ambiguity", "how many original records each released record could stand for "
                               "(Goldberger & Tassa 2010)"),
    ("average_class_size", "average class size", "records per group of identical released rows "
                                                 "(AECS; LeFevre et al. 2006)"),
    ("discernibility", "discernibility", "the sum of the squared group sizes, a suppressed record counting "
                                         "as the whole table (Bayardo & Agrawal 2005)"),
    ("record_level_squared_error", "record-level squared error",
     "the distance of each record's numbers to its released ranges, in standard deviations "
     "(Sánchez et al. 2016)"),
)


def withheld_columns(session: Session) -> set[str]:
    """The columns the de-identification guard flags as identifying (never analysed nor shown),
    as ``eucaim-wizard run`` finds them."""
    from .. import guard
    from ..validation import validate_project

    def flagged() -> set[str]:
        report = validate_project(session.project(), confirmed_deidentified=session.confirmed_deidentified,
                                  table=session.table)
        return set(guard.flagged_columns(report.findings, session.table))

    return session.cached("withheld columns", flagged)


def utility_report(session: Session, levels: dict[str, int]) -> UtilityReport:
    """Quality, statistics and frequencies of the candidate (no classification: it is fast)."""
    from ..utility import analyze_utility

    withheld = withheld_columns(session)
    return session.cached("utility", lambda: analyze_utility(session.result(), levels, withheld=withheld),
                          levels=levels)


def attribute_quality_rows(report: UtilityReport) -> list[dict[str, Any]]:
    """One row per quasi-identifier: its level and each attribute-level quality score."""
    return [{"quasi-identifier": q.attribute, "level": q.level,
             **{label: getattr(q, key) for key, label, _ in ATTRIBUTE_QUALITY}} for q in report.quality.attributes]


def dataset_quality_rows(report: UtilityReport) -> list[dict[str, Any]]:
    """The dataset-level quality scores (``kind`` quality, 0–1, higher is better) with their
    meaning, then the engine's information-loss values (``kind`` loss, lower is better), as the
    report lists them."""
    d = report.quality.dataset
    rows = [{"measure": label, "value": getattr(d, key), "kind": "quality", "meaning": meaning}
            for key, label, meaning in DATASET_QUALITY]
    rows += [{"measure": label, "value": value, "kind": "loss",
              "meaning": "the information loss of one of the search's models (lower is better)"}
             for label, value in report.quality.information_loss.items()]
    return rows


def _figure(value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def statistics_rows(report: UtilityReport) -> list[dict[str, str]]:
    """Summary statistics of every released column, input above output (every cell text: a
    column mixes numbers, ranges and dates)."""
    rows = []
    for before, after in zip(report.statistics["original"], report.statistics["anonymized"]):
        for table, s in (("input", before), ("output", after)):
            rows.append({"attribute": s.attribute, "table": table, "scale": s.scale, "count": f"{s.count:,}",
                         "missing": f"{s.missing:,}", "distinct": f"{s.distinct:,}", "mode": _figure(s.mode),
                         "minimum": _figure(s.minimum), "median": _figure(s.median), "maximum": _figure(s.maximum),
                         "mean": _figure(s.mean), "sd": _figure(s.sd)})
    return rows


@dataclass(frozen=True)
class Distribution:
    """One quasi-identifier's records per value in the input and the output, in the report's
    order and bars (:func:`eucaim_wizard.report.model.ordered_distributions`, at most 60 bars a
    side), each row ``{"value", "order", "records", "records (%)", "suppressed"}`` (the empty
    value, a missing one, written ``(empty)`` as the report writes it)."""

    attribute: str
    level: int
    input: list[dict[str, Any]]
    output: list[dict[str, Any]]
    input_title: str
    output_title: str


def distribution(session: Session, report: UtilityReport, attribute: str) -> Distribution:
    """The distribution of ``attribute`` (a quasi-identifier with frequency tables) before and after."""
    from ..engine.transform import SUPPRESSED
    from ..report.charts import binned
    from ..report.model import ordered_distributions

    hierarchy = session.project().load_hierarchy(attribute)
    level = int(report.transformation.levels[attribute])
    pair = report.frequencies[attribute]
    original = list(zip(pair["original"].values, pair["original"].counts))
    anonymized = list(zip(pair["anonymized"].values, pair["anonymized"].counts))
    ordered = ordered_distributions(hierarchy, level, original, anonymized)
    star_is_suppression = SUPPRESSED not in set(hierarchy.level(level).tolist())
    total = sum(count for _, count in original) or 1
    sides = []
    for pairs, side in zip(ordered, ("input", f"output (level {level})")):
        bars, note = binned([(str(v), int(c)) for v, c in pairs])
        rows = [{"value": value or "(empty)", "order": i, "records": count, "records (%)": 100.0 * count / total,
                 "suppressed": side != "input" and value == SUPPRESSED and star_is_suppression}
                for i, (value, count) in enumerate(bars)]
        title = note.replace("input:", f"{side}:") if note else f"{side}: {len(bars):,} value{'s' * (len(bars) != 1)}"
        sides.append((rows, title))
    return Distribution(attribute, level, sides[0][0], sides[1][0], sides[0][1], sides[1][1])


# -- classification ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TargetChoice:
    """What the classification may predict and from what: the released columns, the default
    target (:func:`eucaim_wizard.workflow.choose_target`) and why."""

    columns: list[str]
    default: str | None
    reason: str


def target_choice(session: Session) -> TargetChoice:
    """The released columns (no identifier, nothing the guard flags) and the default target."""
    from ..workflow import choose_target

    project = session.project()
    withheld = withheld_columns(session)
    columns = [name for name in session.table.columns if name not in project.identifiers and name not in withheld]
    target, reason = choose_target(project, columns, None, True)
    return TargetChoice(columns, target, reason)


def default_features(session: Session, target: str) -> list[str]:
    """The quasi-identifiers and insensitive attributes, without the target and what the guard flags
    (:func:`eucaim_wizard.utility.default_features`)."""
    from ..utility import default_features as library_default

    withheld = withheld_columns(session)
    return [name for name in library_default(session.result(), target) if name not in withheld]


def _classification_key(target: str, features: Sequence[str], models: Sequence[str], folds: int) -> tuple:
    return (target, tuple(features), tuple(models), int(folds))


def classification(session: Session, levels: dict[str, int], *, target: str, features: Sequence[str],
                   models: Sequence[str], folds: int, progress: Progress | None = None) -> UtilityReport:
    """Cross-validate the classifiers of ``target`` on the input and the candidate (slow: seconds
    to minutes), cached by the levels, target, features, models and folds; seed 0, as the CLI.

    Raises
    ------
    WizardError
        For a target with one class, no feature, fewer records than folds, an unknown model.
    """
    from ..errors import ProjectError
    from ..utility import analyze_utility

    if not models:
        raise ProjectError("choose at least one classifier to train")
    withheld = withheld_columns(session)
    return session.cached("classification", lambda: analyze_utility(
        session.result(), levels, target=target, features=list(features), models=tuple(models), folds=int(folds),
        seed=0, progress=progress, withheld=withheld), levels=levels,
        extra=_classification_key(target, features, models, folds))


def computed_classification(session: Session, levels: dict[str, int], *, target: str, features: Sequence[str],
                            models: Sequence[str], folds: int) -> UtilityReport | None:
    """The classification of these settings if it was computed already, else None (never computes)."""
    return session.peek("classification", levels=levels, extra=_classification_key(target, features, models, folds))


def classification_rows(report: UtilityReport) -> list[dict[str, Any]]:
    """One row per model on the input and the output, beside the majority-class baseline: the
    accuracy, the Brier skill score against the baseline (1 − BS / BS of the baseline; Brier
    1950), whether the model beats it, and the macro ROC AUC (Fawcett 2006)."""
    from ..utility import MODELS

    c = report.classification
    assert c is not None
    rows = [{"model": "Majority class (baseline)", "accuracy in": c.baseline.accuracy,
             "accuracy out": c.baseline.accuracy, "baseline accuracy": c.baseline.accuracy, "relative accuracy": None,
             "Brier skill in": 0.0, "Brier skill out": 0.0, "beats baseline (in / out)": "–",
             "AUC in": c.baseline.macro_auc, "AUC out": c.baseline.macro_auc}]
    for m in c.models:
        beats = [p.brier_skill_score is not None and p.brier_skill_score > 0 for p in (m.original, m.anonymized)]
        rows.append({"model": MODELS.get(m.model, m.model), "accuracy in": m.original.accuracy,
                     "accuracy out": m.anonymized.accuracy, "baseline accuracy": c.baseline.accuracy,
                     "relative accuracy": m.relative_accuracy, "Brier skill in": m.original.brier_skill_score,
                     "Brier skill out": m.anonymized.brier_skill_score,
                     "beats baseline (in / out)": " / ".join("yes" if b else "no" for b in beats),
                     "AUC in": m.original.macro_auc, "AUC out": m.anonymized.macro_auc})
    return rows


def classification_summary(report: UtilityReport) -> str:
    """The classification in one paragraph of Markdown: what was predicted from what, how, and
    the headline (with a warning when no model beats the majority-class baseline on the input)."""
    c = report.classification
    assert c is not None
    target = escaped(c.target)
    relative = "–" if c.relative_accuracy is None else f"{c.relative_accuracy:.4f}"
    summary = (f"Predicting **{target}** ({len(c.classes)} classes) from {len(c.features)} attributes: "
               f"{c.folds}-fold stratified cross-validation (seed {c.seed}) on the input and on the anonymized "
               f"table; its {c.suppressed_records:,} suppressed records are predicted from their '\\*' values. "
               f"Relative accuracy (output / input, mean of the models): **{relative}**.")
    if not any((m.original.brier_skill_score or 0.0) > 0 for m in c.models):
        summary += (f" **No model predicts {target} better than always guessing the most frequent class "
                    f"(accuracy {c.baseline.accuracy:.4f}) on the input**: the relative accuracy compares two "
                    f"guesses and says little; choose a target the other attributes can predict.")
    return summary


__all__ = [
    "ATTACKER_FIGURES", "ATTRIBUTE_QUALITY", "DATASET_QUALITY", "Distribution", "RiskFigure", "RiskPair",
    "TargetChoice", "attribute_quality_rows", "attribute_rows", "classification", "classification_rows",
    "classification_summary", "computed_classification", "dataset_quality_rows", "default_features", "delta",
    "distribution", "distribution_rows", "escaped", "levels_text", "population_rows", "population_sentences",
    "population_uniques", "region_label", "region_of", "region_options", "risk_figures", "risk_pair",
    "separation_rows", "shown", "statistics_rows", "target_choice", "utility_report", "withheld_columns",
]
