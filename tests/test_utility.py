"""analyze_utility and the `utility` command: everything gathered for one transformation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from eucaim_wizard import Hierarchy, Project, Table, anonymize
from eucaim_wizard.cli import app
from eucaim_wizard.errors import ProjectError
from eucaim_wizard.privacy import KAnonymity
from eucaim_wizard.utility import analyze_utility, default_features, quality_of


def _table(n=90, seed=2) -> Table:
    rng = np.random.default_rng(seed)
    age = rng.integers(20, 60, size=n)
    sex = rng.choice(["F", "M"], size=n)
    diagnosis = np.where(age < 40, "benign", "malignant")
    return Table.from_columns({"id": [f"p{i}" for i in range(n)], "age": [str(a) for a in age], "sex": list(sex),
                               "site": list(rng.choice(["A", "B", "C"], size=n)), "diagnosis": list(diagnosis),
                               "note": ["x"] * n})


AGE = Hierarchy([[str(a), f"{a // 10 * 10}-{a // 10 * 10 + 9}", "*"] for a in range(20, 60)])
SEX = Hierarchy([["F", "*"], ["M", "*"]])


def _project(**overrides) -> Project:
    config = dict(data=_table(), privacy=[KAnonymity(k=3)], suppression_limit=0.1, attributes={
        "id": {"role": "identifier"},
        "age": {"role": "quasi-identifier", "hierarchy": AGE},
        "sex": {"role": "quasi-identifier", "hierarchy": SEX},
        "diagnosis": {"role": "sensitive"}})
    config.update(overrides)
    return Project(**config)


@pytest.fixture(scope="module")
def result():
    return anonymize(_project())


def test_default_features_are_quasi_identifiers_and_insensitive_attributes(result):
    # 'site' and 'note' are not listed: insensitive; 'diagnosis' is sensitive; 'id' an identifier
    assert default_features(result, "diagnosis") == ["age", "sex", "site", "note"]
    assert default_features(result, "site") == ["age", "sex", "note"]


def test_the_analysis_of_the_optimum(result):
    report = analyze_utility(result, target="diagnosis", folds=3, contingency_attributes=("sex", "diagnosis"))
    assert report.levels == result.optimum.levels
    assert report.quality == quality_of(result)
    assert [s.attribute for s in report.statistics["original"]] == ["age", "sex", "site", "diagnosis", "note"]
    assert [s.attribute for s in report.statistics["anonymized"]] == ["age", "sex", "site", "diagnosis", "note"]
    assert set(report.frequencies) == {"age", "sex", "diagnosis"}
    original, anonymized = report.contingency
    assert sum(map(sum, original.counts)) == sum(map(sum, anonymized.counts)) == 90
    c = report.classification
    assert c.target == "diagnosis" and c.features == ["age", "sex", "site", "note"]
    assert c.suppressed_records == result.optimum.suppressed_records
    # the diagnosis follows age < 40 exactly; decades keep that boundary and pool the few records
    # per age, so every model does better on the anonymized table than on the original
    assert result.optimum.levels == {"age": 1, "sex": 0} and result.optimum.suppressed_records == 0
    for comparison in c.models:
        assert comparison.anonymized.accuracy == 1.0
        assert comparison.relative_accuracy > 1.0
    assert report.notes == []
    data = json.loads(json.dumps(report.to_dict()))
    assert data["transformation"]["levels"] == result.optimum.levels
    assert data["classification"]["relative_accuracy"] == pytest.approx(c.relative_accuracy)


def test_any_transformation_can_be_analysed_with_a_note_when_not_anonymous(result):
    report = analyze_utility(result, {"age": 0, "sex": 0})
    assert not report.transformation.anonymous
    assert report.notes == ["this transformation is not anonymous: it cannot be released as it is"]
    assert report.classification is None


def test_a_generalized_quasi_identifier_target_is_classified_by_its_generalized_values(result):
    report = analyze_utility(result, {"age": 1, "sex": 1}, target="age", features=["site", "sex"], folds=3,
                             models=["naive-bayes"])
    assert report.classification.classes == ["20-29", "30-39", "40-49", "50-59"]
    assert "generalized to level 1" in report.notes[0]


@pytest.mark.parametrize("kwargs, phrase", [
    ({"target": "id"}, "identifiers are never released"),
    ({"target": "diagnosis", "features": ["height"]}, "'height' is not a released column"),
    ({"frequency_attributes": ["id"]}, "never released"),
    ({"levels": {"age": 9, "sex": 0}}, "outside the lattice"),
])
def test_bad_requests_are_refused(result, kwargs, phrase):
    levels = kwargs.pop("levels", None)
    with pytest.raises(ProjectError, match=phrase):
        analyze_utility(result, levels, **kwargs)


def test_adult_quality_carries_arx_loss(arx_data):
    """The engine's Loss in the report is ARX's published score for Adult, k=5, 0 %."""
    from eucaim_wizard import read_table
    from eucaim_wizard.project import project_from_dict

    qis = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation",
           "salary-class"]
    project = project_from_dict({"data": str(arx_data / "adult.csv"), "privacy": [{"k-anonymity": {"k": 5}}],
                                 "attributes": {q: {"role": "quasi-identifier",
                                                    "hierarchy": str(arx_data / f"adult_hierarchy_{q}.csv")}
                                                for q in qis}})
    report = quality_of(anonymize(project, table=read_table(arx_data / "adult.csv")))
    assert report.information_loss["Loss (0.5/1.0/1.0)"] == pytest.approx(0.5731509655590044, abs=1e-12)
    age = report.attribute("age")
    assert age.level == 4 and age.granularity == 0.0 and age.missings == 0.0  # age fully generalized
    assert report.attribute("sex").granularity == 1.0


def _files(tmp_path):
    table = _table()
    lines = [";".join(table.columns)] + [";".join(table.column(c)[i] for c in table.columns) for i in range(table.n_rows)]
    (tmp_path / "data.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "age.csv").write_text(AGE.to_csv_text())
    (tmp_path / "sex.csv").write_text(SEX.to_csv_text())
    (tmp_path / "project.yaml").write_text(
        "data: data.csv\nattributes:\n  id: {role: identifier}\n  age: {role: quasi-identifier, hierarchy: age.csv}\n"
        "  sex: {role: quasi-identifier, hierarchy: sex.csv}\n  diagnosis: {role: sensitive}\n"
        "privacy:\n  - k-anonymity: {k: 3}\nsuppression_limit: 0.1\n")
    return tmp_path / "project.yaml"


def test_utility_command(tmp_path):
    project = _files(tmp_path)
    run = CliRunner().invoke(app, ["utility", str(project), "--target", "diagnosis", "--folds", "3",
                                   "--contingency", "sex,diagnosis", "--frequencies", "site",
                                   "--json", str(tmp_path / "u.json")], env={"COLUMNS": "200"})
    assert run.exit_code == 0, run.output
    for phrase in ("Attribute quality", "Dataset quality and information loss", "Loss (0.5/1.0/1.0)",
                   "Summary statistics", "Contingency (anonymized): sex × diagnosis", "Frequencies of site",
                   "Classification of diagnosis (3-fold CV, seed 0)", "relative accuracy (anonymized / original"):
        assert phrase in run.output
    data = json.loads((tmp_path / "u.json").read_text())
    assert set(data) == {"transformation", "quality", "statistics", "frequencies", "contingency",
                         "classification", "notes"}
    assert "site" in data["frequencies"]


def test_utility_command_user_errors(tmp_path):
    project = _files(tmp_path)
    for args, phrase in ((["--contingency", "sex"], "two attributes"), (["--target", "id"], "never released"),
                         (["--levels", "age=1"], "sex")):
        run = CliRunner().invoke(app, ["utility", str(project), *args], env={"COLUMNS": "200"})
        assert run.exit_code == 2 and run.output.startswith("error: "), run.output
        assert phrase in run.output


def test_an_unknown_target_is_named_as_the_target(tmp_path):
    from typer.testing import CliRunner

    from eucaim_wizard.cli import app

    repo = Path(__file__).resolve().parents[1]
    done = CliRunner().invoke(app, ["utility", str(repo / "examples/demo/project.yaml"), "--target", "nonexistent"])
    assert done.exit_code == 2 and "the target 'nonexistent' is not a released column" in done.output
