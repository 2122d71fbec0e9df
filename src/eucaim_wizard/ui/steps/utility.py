"""Step 8, Utility: what the candidate to release is still good for, compared with the input.

ARX's quality models (attribute and dataset level) with the engine's information loss, the
summary statistics and distributions of the columns before and after, and — on request, as
it takes seconds to minutes — the classification performance of the library's classifiers on
both tables beside the majority-class baseline.  The figures are computed by
:mod:`eucaim_wizard.ui.analysis_view`, which this page only draws.
"""

from __future__ import annotations

import altair as alt
import streamlit as st

from ...utility import MODELS
from .. import analysis_view as view
from ..session import Session
from . import ProgressBar
from .risk import mark_visited

#: the classifiers chosen at first: random forest is far slower (tens of seconds on 5,000 records)
FIRST_MODELS = ("logistic-regression", "naive-bayes")
TARGET_KEY, MODELS_KEY, FOLDS_KEY, RUN_KEY = "utility_target", "utility_models", "utility_folds", "utility_run"


def render(session: Session) -> None:
    """Draw the Utility page."""
    st.header("8. Utility")
    if not session.has_result():
        st.info("Run the search first (step 5, Run): the utility is measured on the candidate it finds.")
        return
    levels = session.chosen_levels()
    if levels is None:
        st.warning("No transformation is anonymous under these privacy models, so there is no candidate to "
                   "measure: relax the models or the suppression limit (step 4), or choose a candidate in Explore.")
        return
    st.caption(f"The input against the candidate to release ({view.levels_text(levels)}): the selected candidate "
               f"of step 6, Explore, else the optimum. Identifiers and the columns the de-identification guard "
               f"flags are never analysed.")
    report = view.utility_report(session, levels)
    mark_visited(session, "utility")
    for note in report.notes:
        st.warning(view.escaped(note[:1].upper() + note[1:] + "."))
    _quality(report)
    _statistics(session, report)
    _classification(session, levels, report.notes)


def _quality(report) -> None:
    """ARX's quality models, 1 for the input, and the information loss of the search's models."""
    st.subheader("Quality")
    q = report.quality
    st.caption(f"ARX's quality models, from 0 (nothing left) to 1 (as in the input), higher is better; "
               f"{q.suppressed_records:,} of {q.records:,} records are suppressed.")
    config = {label: st.column_config.ProgressColumn(label, min_value=0.0, max_value=1.0, format="%.3f",
                                                     help=meaning)
              for _, label, meaning in view.ATTRIBUTE_QUALITY}
    st.dataframe(view.attribute_quality_rows(report), hide_index=True, width="stretch", placeholder="–",
                 column_config={"level": st.column_config.NumberColumn(help="generalization level"), **config})
    dataset, losses = st.columns(2)
    dataset.markdown("**Dataset quality** (0–1, higher is better)")
    rows = view.dataset_quality_rows(report)
    number = st.column_config.NumberColumn(format="%.4g")
    dataset.dataframe([row for row in rows if row["kind"] == "quality"], hide_index=True, width="stretch",
                      placeholder="–", column_order=("measure", "value"), column_config={"value": number})
    losses.markdown("**Information loss** of the search's models (lower is better)")
    losses.dataframe([row for row in rows if row["kind"] == "loss"], hide_index=True, width="stretch",
                     placeholder="–", column_order=("measure", "value"), column_config={"value": number})
    with st.expander("What the quality models mean"):
        st.markdown("\n".join(f"- **{label}**: {view.escaped(meaning)}." for _, label, meaning in
                               (*view.ATTRIBUTE_QUALITY, *view.DATASET_QUALITY)))


def _statistics(session: Session, report) -> None:
    """Summary statistics of the released columns and the distribution of a quasi-identifier."""
    st.subheader("Statistics and distributions")
    with st.expander("Summary statistics of every released column, input and output", expanded=False):
        st.dataframe(view.statistics_rows(report), hide_index=True, width="stretch", placeholder="–")
        st.caption("Missing values ('\\*', which is also every suppressed value, NULL, empty) are counted apart; "
                   "for ranges, the mean and sd are those of their midpoints.")
    attributes = [name for name in report.frequencies if name in report.transformation.levels]
    if not attributes:
        return
    attribute = st.selectbox("Distribution of the quasi-identifier", attributes, key="utility_distribution")
    shown = view.distribution(session, report, attribute)
    left, right = st.columns(2)
    left.altair_chart(_bars(shown.input, shown.input_title, view.INPUT_COLOUR), width="stretch")
    right.altair_chart(_bars(shown.output, shown.output_title, view.OUTPUT_COLOUR), width="stretch")
    if any(row["suppressed"] for row in shown.output):
        st.caption("'\\*' (red) holds the suppressed records.")


def _bars(rows: list[dict], title: str, colour: str) -> alt.Chart:
    """Records (%) per value, in the report's order; suppressed records in red."""
    order = [row["value"] for row in rows]
    # upright when the labels fit side by side, as the report's charts
    upright = len(order) <= 8 and sum(len(value) + 1 for value in order) <= 6 * len(order)
    return alt.Chart(alt.Data(values=rows), title=title).mark_bar().encode(
        x=alt.X("value:N", sort=order, title=None, axis=alt.Axis(labelLimit=120, labelAngle=0 if upright else -45)),
        y=alt.Y("records (%):Q", title="records (%)"),
        color=alt.condition("datum.suppressed", alt.value(view.SUPPRESSED_COLOUR), alt.value(colour)),
        tooltip=[alt.Tooltip("value:N"), alt.Tooltip("records:Q", format=","),
                 alt.Tooltip("records (%):Q", format=".2f")],
    ).properties(height=260)


def _classification(session: Session, levels: dict[str, int], notes: list[str]) -> None:
    """The classification: its settings, the button that runs it and its results."""
    st.subheader("Classification")
    st.caption("What a data user can still learn: the same classifiers, cross-validated on the input and on the "
               "anonymized table (ARX's utility evaluation). Slow: it runs only when asked.")
    choice = view.target_choice(session)
    if choice.default is not None:
        st.session_state.setdefault(TARGET_KEY, choice.default)
    left, right = st.columns([1, 2])
    target = left.selectbox("Attribute to predict", choice.columns, key=TARGET_KEY, index=None,
                            placeholder="choose an attribute",
                            help="Default: the project's first sensitive attribute.")
    if target is None:
        st.info("Choose the attribute to predict: the project has no sensitive attribute, which is predicted by "
                "default.")
        return
    options = [name for name in choice.columns if name != target]
    features = right.multiselect("Predicted from", options, default=view.default_features(session, target),
                                 key=f"utility_features:{target}",
                                 help="Default: the quasi-identifiers and insensitive attributes.")
    left, right = st.columns([2, 1])
    models = left.multiselect("Classifiers", list(MODELS), default=list(FIRST_MODELS), key=MODELS_KEY,
                              format_func=MODELS.__getitem__,
                              help="Random forest is much slower than the others (100 trees per fold).")
    folds = int(right.number_input("Cross-validation folds", min_value=2, max_value=20, value=10, key=FOLDS_KEY))
    settings = dict(target=target, features=features, models=models, folds=folds)
    done = view.computed_classification(session, levels, **settings)
    if st.button("Run the classification", key=RUN_KEY, type="primary", disabled=not models or not features):
        bar = ProgressBar("folds trained (each classifier on each fold of both tables)")
        done = view.classification(session, levels, progress=bar, **settings)
        bar.bar.empty()
    if done is None:
        st.info("Press the button to train the classifiers with these settings.")
        return
    _classification_results(done, seen=set(notes))


def _classification_results(report, *, seen: set[str]) -> None:
    """The results per classifier, beside the majority-class baseline (and the notes not ``seen`` above)."""
    for note in report.notes:
        if note not in seen:
            st.info(view.escaped(note[:1].upper() + note[1:] + "."))
    st.markdown(view.classification_summary(report))
    number = st.column_config.NumberColumn(format="%.4f")
    st.dataframe(view.classification_rows(report), hide_index=True, width="stretch", placeholder="–", column_config={
        name: number for name in ("accuracy in", "accuracy out", "baseline accuracy", "relative accuracy",
                                  "Brier skill in", "Brier skill out", "AUC in", "AUC out")})
    st.caption("in: trained and tested on the input; out: on the anonymized table. Baseline: always predicting the "
               "most frequent class of the training folds. Brier skill score: 1 − the model's Brier score / the "
               "baseline's (Brier 1950); above 0, the model beats the baseline. AUC: macro-averaged ROC AUC, one "
               "class against the rest (0.5 is chance; Fawcett 2006). Relative accuracy: accuracy out / in.")
