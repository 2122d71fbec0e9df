"""Steps 7 and 8 of the browser wizard, Risk and Utility: the figures of
:mod:`eucaim_wizard.ui.analysis_view` are the library's, as ``eucaim-wizard run`` computes
them, and the pages show them (Streamlit's AppTest, no browser)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("streamlit")

from streamlit.testing.v1 import AppTest  # noqa: E402

from eucaim_wizard.errors import WizardError  # noqa: E402
from eucaim_wizard.risk import REGIONS, analyze_risk, analyze_table  # noqa: E402
from eucaim_wizard.risk.words import explain_attribute, precise_percent  # noqa: E402
from eucaim_wizard.ui import analysis_view as view  # noqa: E402
from eucaim_wizard.ui.loading import open_path  # noqa: E402
from eucaim_wizard.ui.session import Session  # noqa: E402
from eucaim_wizard.utility import analyze_utility  # noqa: E402
from ui_pages import open_page  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
IMAGING = ROOT / "examples" / "imaging" / "project.yaml"

SMALL_PROJECT = """data: small.csv
attributes:
  id: {role: identifier}
  age: {role: quasi-identifier, hierarchy: preset:age}
  sex: {role: quasi-identifier, hierarchy: preset:sex}
  site: {role: insensitive}
  diagnosis: {role: sensitive}
privacy:
  - k-anonymity: {k: 3}
suppression_limit: 0.1
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """90 patients (age, sex, site, diagnosis), 3-anonymous, searched once for the module."""
    folder = tmp_path_factory.mktemp("small")
    rng = np.random.default_rng(2)
    age, sex, site = rng.integers(20, 60, 90), rng.choice(["F", "M"], 90), rng.choice(["A", "B", "C"], 90)
    rows = [f"p{i},{a},{s},{t},{'benign' if a < 40 else 'malignant'}" for i, (a, s, t) in enumerate(zip(age, sex, site))]
    (folder / "small.csv").write_text("id,age,sex,site,diagnosis\n" + "\n".join(rows) + "\n", encoding="utf-8")
    (folder / "project.yaml").write_text(SMALL_PROJECT, encoding="utf-8")
    session = Session.new(folder)
    open_path(session, folder / "project.yaml")
    session.result()
    yield session
    session.close()


@pytest.fixture
def levels(small):
    return small.chosen_levels()


# -- risk ---------------------------------------------------------------------------------------

def test_the_risk_before_and_after_is_what_the_workflow_measures(small, levels):
    pair = view.risk_pair(small, levels)
    result = small.result()
    before = analyze_risk(small.project(), table=small.table, threshold=small.threshold, population=small.population)
    after = analyze_table(result.anonymized_table(levels), result.quasi_identifiers, threshold=small.threshold,
                          population=small.population, suppressed=result.suppressed_records(result.node_of(levels)))
    assert pair.before.to_dict() == before.to_dict()
    assert {k: v for k, v in pair.after.to_dict().items() if k != "source"} == \
        {k: v for k, v in after.to_dict().items() if k != "source"}
    assert pair.after.sample.suppressed_records == int(result.suppressed_records(result.node_of(levels)).sum()) > 0


def test_the_risk_is_computed_once_per_population_and_threshold(small, levels):
    first = view.risk_pair(small, levels)
    assert view.risk_pair(small, levels).before is first.before
    small.population = "MT"
    try:
        malta = view.risk_pair(small, levels)
    finally:
        small.population = "EU-27"
    assert malta.before is not first.before
    assert malta.before.population.population_size == REGIONS["MT"].population
    assert first.before.population.population_size == REGIONS["EU-27"].population


def test_each_attacker_figure_is_the_librarys_with_its_sentence(small, levels):
    pair = view.risk_pair(small, levels)
    figures = {f.key: f for f in view.risk_figures(pair)}
    assert [f.label for f in figures.values()][:3] == ["Prosecutor: highest risk", "Journalist: highest risk",
                                                       "Marketer: success rate"]
    prosecutor = figures["prosecutor.highest_risk"]
    assert (prosecutor.before, prosecutor.after) == (pair.before.sample.prosecutor.highest_risk,
                                                     pair.after.sample.prosecutor.highest_risk)
    assert figures["marketer.success_rate"].after == pair.after.sample.marketer.success_rate
    assert figures["prosecutor.records_at_risk"].shown_before == "100 %"
    said = {item.key: item.sentence for item in pair.after.explain()}
    assert all(f.sentence_after == said[f.key] for f in figures.values())


def test_a_fall_is_a_negative_delta_and_no_change_none(small, levels):
    figures = {f.key: f for f in view.risk_figures(view.risk_pair(small, levels))}
    assert view.delta(figures["prosecutor.highest_risk"]) == "-0.6667"
    assert view.delta(figures["sample_uniques"]) == "-20.0 %"
    same = view.RiskFigure("k", "risk", 0.5, 0.5, "0.5", "0.5", "", "", False)
    assert view.delta(same) is None


def test_the_distribution_has_both_tables_in_every_band_holding_records(small, levels):
    pair = view.risk_pair(small, levels)
    rows = view.distribution_rows(pair)
    for table in ("input", "output"):
        shares = [row["records (%)"] for row in rows if row["table"] == table]
        assert sum(shares) == pytest.approx(100.0)
    bands = [row["band"] for row in rows if row["table"] == "input"]
    assert bands == [row["band"] for row in rows if row["table"] == "output"]
    assert "(0.5, 1]" in bands  # the input's unique records
    assert all(row["records (%)"] > 0 or any(o["band"] == row["band"] and o["records (%)"] > 0 for o in rows)
               for row in rows)


def test_a_population_is_a_region_or_a_number():
    assert view.region_of("EU-27") == ("EU-27", REGIONS["EU-27"].population)
    assert view.region_of("Spain") == ("ES", REGIONS["ES"].population)
    assert view.region_of(1_000_000) == (view.OTHER_SIZE, 1_000_000)
    assert view.region_options()[0] == "EU-27" and view.region_options()[-1] == view.OTHER_SIZE
    assert view.region_label("MT") == "Malta (563,000)"
    with pytest.raises(WizardError, match="unknown population"):
        view.region_of("Atlantis")


def test_population_uniqueness_names_dankars_choice(small, levels):
    pair = view.risk_pair(small, levels)
    rows = view.population_rows(pair)
    u = pair.before.population
    assert [row["model"].split()[0] for row in rows] == ["Dankar", "Pitman", "Zayatz", "SNB"]
    assert rows[0]["input"].startswith(precise_percent(u.dankar) + f" ({u.dankar_model.capitalize()})")
    assert view.population_uniques(pair.before) == precise_percent(u.dankar)
    assert view.population_uniques(pair.after) == "0 %"  # no unique record is left
    assert any("sampling" not in s and "unique" in s for s in view.population_sentences(pair.before))


def test_the_attributes_that_drive_the_risk_come_single_first_with_their_sentences(small, levels):
    pair = view.risk_pair(small, levels)
    rows = view.attribute_rows(pair)
    assert [row["quasi-identifiers"] for row in rows] == ["age", "sex", "age, sex"]
    age = next(r for r in pair.before.attributes if r.qis == ("age",))
    assert rows[0]["distinction in"] == age.distinction and rows[0]["separation in"] == age.separation
    assert rows[0]["meaning"] == explain_attribute(age, pair.before.sample.records).sentence
    assert rows[0]["separation out"] < rows[0]["separation in"]  # generalizing age tells records apart less
    separation = view.separation_rows(pair)
    assert [(row["attribute"], row["table"]) for row in separation] == [
        ("age", "input"), ("age", "output"), ("sex", "input"), ("sex", "output")]


def test_markdown_characters_of_the_data_are_escaped():
    assert view.escaped("Patient_Age * $5") == "Patient\\_Age \\* \\$5"


# -- utility ------------------------------------------------------------------------------------

def test_the_utility_is_the_librarys_analysis_without_classification(small, levels):
    report = view.utility_report(small, levels)
    assert report.to_dict() == analyze_utility(small.result(), levels, withheld=set()).to_dict()
    assert report.classification is None
    assert view.utility_report(small, levels) is report


def test_the_quality_tables_hold_every_model(small, levels):
    report = view.utility_report(small, levels)
    rows = view.attribute_quality_rows(report)
    assert [row["quasi-identifier"] for row in rows] == ["age", "sex"]
    assert rows[0]["granularity"] == report.quality.attribute("age").granularity
    assert rows[1]["squared error"] is None  # sex is no number
    dataset = view.dataset_quality_rows(report)
    assert [row["measure"] for row in dataset if row["kind"] == "quality"] == [
        label for _, label, _ in view.DATASET_QUALITY]
    assert {row["measure"]: row["value"] for row in dataset if row["kind"] == "loss"} == \
        report.quality.information_loss


def test_statistics_give_the_input_and_the_output_of_every_released_column(small, levels):
    rows = view.statistics_rows(view.utility_report(small, levels))
    assert [(row["attribute"], row["table"]) for row in rows[:2]] == [("age", "input"), ("age", "output")]
    assert {row["attribute"] for row in rows} == {"age", "sex", "site", "diagnosis"}  # never the identifier
    assert rows[0]["scale"] == "numeric" and rows[1]["scale"] == "interval"
    assert all(isinstance(value, str) for row in rows for value in row.values())


def test_a_distribution_is_in_the_hierarchys_order_with_suppression_marked(small, levels):
    report = view.utility_report(small, levels)
    shown = view.distribution(small, report, "age")
    assert sum(row["records"] for row in shown.input) == sum(row["records"] for row in shown.output) == 90
    values = [row["value"] for row in shown.output]
    assert values[-1] == "*" and shown.output[-1]["suppressed"] and not any(r["suppressed"] for r in shown.input)
    assert values[:-1] == sorted(values[:-1], key=lambda v: int(v.split("-")[0]))
    assert shown.output_title.startswith(f"output (level {levels['age']}): ")


def test_the_default_target_is_the_first_sensitive_attribute(small):
    choice = view.target_choice(small)
    assert choice.columns == ["age", "sex", "site", "diagnosis"]
    assert (choice.default, choice.reason) == ("diagnosis", "the first sensitive attribute of the project")
    assert view.default_features(small, "diagnosis") == ["age", "sex", "site"]


def test_the_classification_runs_once_and_is_then_looked_up(small, levels):
    settings = dict(target="diagnosis", features=["age", "sex", "site"], models=["naive-bayes"], folds=3)
    assert view.computed_classification(small, levels, **settings) is None
    seen = []
    report = view.classification(small, levels, progress=lambda done, total: seen.append((done, total)), **settings)
    assert seen[-1] == (3, 3)
    assert view.computed_classification(small, levels, **settings) is report
    expected = analyze_utility(small.result(), levels, target="diagnosis", features=["age", "sex", "site"],
                               models=("naive-bayes",), folds=3, seed=0, withheld=set()).classification
    assert report.classification.to_dict() == expected.to_dict()
    rows = view.classification_rows(report)
    assert rows[0]["model"] == "Majority class (baseline)"
    assert rows[1]["model"] == "Naive Bayes (categorical)"
    assert rows[1]["baseline accuracy"] == expected.baseline.accuracy
    assert rows[1]["accuracy out"] == expected.models[0].anonymized.accuracy
    assert rows[1]["beats baseline (in / out)"] == "yes / yes"
    assert "Predicting **diagnosis** (2 classes) from 3 attributes: 3-fold" in view.classification_summary(report)


def test_a_classification_without_a_classifier_is_refused(small, levels):
    with pytest.raises(WizardError, match="at least one classifier"):
        view.classification(small, levels, target="diagnosis", features=["age"], models=[], folds=3)


# -- the pages ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def imaging(tmp_path_factory):
    """The shipped imaging project, opened and searched once for the module."""
    session = Session.new(tmp_path_factory.mktemp("imaging"))
    open_path(session, IMAGING)
    session.result()
    yield session
    session.close()


def _page(session: Session, step: str) -> AppTest:
    return open_page(session, step, errors=False)


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_the_risk_page_shows_the_librarys_figures_and_marks_the_step(imaging):
    at = _page(imaging, "risk")
    assert "risk" in imaging.visited
    assert at.session_state["step"] == "risk"  # (still the current step, now with its mark)
    current = [b for b in at.sidebar.button if b.key == "nav-risk"][0]
    assert "check_circle" in current.label and current.proto.type == "primary"
    pair = view.risk_pair(imaging, imaging.chosen_levels())
    shown = _metrics(at)
    after = pair.after.sample
    assert shown["Prosecutor: highest risk"] == view.shown(after.prosecutor.highest_risk, False) == "0.1"
    assert shown["Journalist: highest risk"] == view.shown(after.journalist.highest_risk, False)
    assert shown["Marketer: success rate"] == view.shown(after.marketer.success_rate, False)
    assert shown["Records at risk"] == "0 %"
    assert shown["Population uniques, input"] == precise_percent(pair.before.population.dankar)
    prosecutor = next(m for m in at.metric if m.label == "Prosecutor: highest risk")
    assert prosecutor.proto.delta == "-0.9"
    texts = "\n".join(m.value for m in at.markdown)
    assert next(i.sentence for i in pair.after.explain() if i.key == "prosecutor.highest_risk") in texts
    assert len(at.get("vega_lite_chart")) == 2  # the risk distribution and the attributes' separation


def test_choosing_a_region_changes_the_population_figures(imaging):
    at = _page(imaging, "risk")
    before = _metrics(at)["Sampling fraction"]
    at.selectbox(key="risk_region").set_value("MT").run()
    assert not at.exception
    assert imaging.population == "MT"
    assert _metrics(at)["Sampling fraction"] == "0.89 %" != before
    imaging.population = "EU-27"


def test_the_pages_ask_for_the_search_first(tmp_path):
    session = Session.new(tmp_path)
    open_path(session, IMAGING)
    for step in ("risk", "utility"):
        at = _page(session, step)
        assert "Run the search first" in at.info[0].value
        assert step not in session.visited


def test_the_utility_page_classifies_on_the_button_beside_the_baseline(imaging):
    at = _page(imaging, "utility")
    assert "utility" in imaging.visited
    assert at.dataframe[0].value["quasi-identifier"].tolist() == imaging.result().quasi_identifiers
    # no sensitive attribute in this project: the curator chooses what to predict
    assert "Choose the attribute to predict" in at.info[0].value
    at.selectbox(key="utility_target").set_value("Modality").run()
    at.multiselect(key="utility_models").set_value(["naive-bayes"])
    at.number_input(key="utility_folds").set_value(2)
    at.run()
    assert "Press the button" in at.info[-1].value
    at.button(key="utility_run").click().run()
    assert not at.exception and not at.error
    results = at.dataframe[-1].value
    assert results["model"].tolist() == ["Majority class (baseline)", "Naive Bayes (categorical)"]
    assert results["baseline accuracy"].iloc[1] == results["accuracy in"].iloc[0]
    assert any("Predicting **Modality**" in m.value for m in at.markdown)
