"""`eucaim-wizard risk`: end to end, the JSON it writes, and its user errors (exit code 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_cli import assert_user_error, run





@pytest.fixture
def folder(tmp_path: Path) -> Path:
    ages = ["34", "35", "36", "37", "34", "35", "36", "37", "38", "39"]
    sexes = ["F", "F", "M", "M", "F", "F", "M", "M", "F", "M"]
    lines = ["PatientID;age;sex;diagnosis"] + [f"p{i};{a};{s};C50" for i, (a, s) in enumerate(zip(ages, sexes))]
    (tmp_path / "data.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "age.csv").write_text("".join(f"{v};30-39;*\n" for v in range(34, 40)))
    (tmp_path / "sex.csv").write_text("F;*\nM;*\n")
    (tmp_path / "project.yaml").write_text(
        "data: data.csv\nattributes:\n  PatientID: {role: identifier}\n"
        "  age: {role: quasi-identifier, hierarchy: age.csv}\n"
        "  sex: {role: quasi-identifier, hierarchy: sex.csv}\n"
        "  diagnosis: {role: sensitive}\n"
        "privacy:\n  - k-anonymity: {k: 2}\nsuppression_limit: 0.2\n")
    return tmp_path


def test_risk_prints_every_figure_with_its_meaning_and_writes_the_json(folder):
    result = run("risk", folder / "project.yaml", "--population", "10000", "--json", folder / "risk.json")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Re-identification risk of data.csv: 10 records (0 suppressed); quasi-identifiers: age, sex" in out
    assert "population 10,000" in out
    assert "1 in 5 records is unique on age and sex" in out  # 38/F and 39/M
    assert "prosecutor: highest risk" in out and "what it means" in out
    data = json.loads((folder / "risk.json").read_text())
    assert {"prosecutor", "journalist", "marketer", "average_risk", "lowest_risk", "sample_uniques",
            "population_uniques", "classes", "distribution", "attributes"} <= set(data)
    for attacker in ("prosecutor", "journalist", "marketer"):
        assert set(data[attacker]) >= {"highest_risk", "records_at_highest_risk", "records_at_risk", "success_rate"}
    assert set(data["population_uniques"]) >= {"pitman", "zayatz", "snb", "dankar", "dankar_model",
                                               "population_size", "sampling_fraction"}
    assert set(data["classes"]) >= {"count", "average_size", "min_size"}
    assert data["classes"] == {"count": 6, "average_size": 10 / 6, "min_size": 1, "max_size": 2}
    assert data["prosecutor"]["highest_risk"] == 1.0 and data["prosecutor"]["records_at_highest_risk"] == 2
    assert data["sample_uniques"] == 0.2 and data["population_uniques"]["population_size"] == 10000
    assert {"qis": ["age", "sex"], "distinction": 0.6, "separation": 1 - 8 / 90} in data["attributes"]
    assert "wrote" in out


def test_risk_of_the_anonymized_output_leaves_suppressed_records_out(folder):
    done = run("anonymize", folder / "project.yaml", "-o", folder / "out")
    assert done.exit_code == 0, done.output
    result = run("risk", folder / "project.yaml", "--data", folder / "out" / "anonymized.csv",
                 "--json", folder / "after.json", "--population", "ES")
    assert result.exit_code == 0, result.output
    after = json.loads((folder / "after.json").read_text())
    assert after["records"] == 10 and after["prosecutor"]["highest_risk"] <= 0.5  # k = 2 holds
    assert after["population_uniques"]["region"] == "ES"
    result_json = json.loads((folder / "out" / "result.json").read_text())
    assert after["suppressed_records"] == result_json["optimum"]["suppressed_records"]


def test_no_attributes_and_a_cap(folder):
    data = folder / "r.json"
    assert run("risk", folder / "project.yaml", "--no-attributes", "--json", data).exit_code == 0
    assert json.loads(data.read_text())["attributes"] is None
    assert run("risk", folder / "project.yaml", "--max-combination", "1", "--json", data).exit_code == 0
    assert len(json.loads(data.read_text())["attributes"]) == 2


@pytest.mark.parametrize("population, phrase", [("Atlantis", "unknown population 'Atlantis'"),
                                                ("0", "at least 1 person"),
                                                ("5", "population (5) is smaller than the 10 records")])
def test_a_bad_population_exits_2_with_a_clear_message(folder, population, phrase):
    assert_user_error(run("risk", folder / "project.yaml", "--population", population), phrase)


@pytest.mark.parametrize("threshold", ["0", "1.5", "-0.2"])
def test_a_bad_threshold_exits_2_with_a_clear_message(folder, threshold):
    assert_user_error(run("risk", folder / "project.yaml", "--threshold", threshold),
                      "the risk threshold must be a number above 0 and at most 1")


def test_json_never_overwrites_an_input(folder):
    before = (folder / "data.csv").read_text()
    assert_user_error(run("risk", folder / "project.yaml", "--json", folder / "data.csv"), "it is an input")
    assert (folder / "data.csv").read_text() == before
    assert_user_error(run("risk", folder / "project.yaml", "--json", folder / "nowhere" / "r.json"),
                      "does not exist")


def test_data_without_a_quasi_identifier_column_is_named(folder):
    (folder / "other.csv").write_text("age;diagnosis\n34;C50\n")
    assert_user_error(run("risk", folder / "project.yaml", "--data", folder / "other.csv"),
                      "has no column 'sex'")


def test_bad_max_combination(folder):
    assert_user_error(run("risk", folder / "project.yaml", "--max-combination", "0"), "at least 1")


def test_help_shows_an_example_that_runs():
    result = run("risk", "--help")
    assert result.exit_code == 0
    assert "Example: eucaim-wizard risk examples/demo/project.yaml --population ES" in result.output
