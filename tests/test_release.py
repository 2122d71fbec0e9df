"""The anonymize workflow around the search: the de-identification guard and pseudonyms."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eucaim_wizard import load_project, read_table
from eucaim_wizard.cli import app
from eucaim_wizard.guard import IdentifiedDataError
from eucaim_wizard.pseudonym import SecretError
from eucaim_wizard.release import anonymize_to_folder

SECRET = "a-long-enough-secret-for-tests-0123456789"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def write_project(folder: Path, *, pseudonymize: bool = True, ids=("P001", "P002", "P003", "P004")) -> Path:
    rows = [f"{pid};{age};{sex}" for pid, age, sex in zip(ids, ["34", "35", "36", "37"], ["F", "M", "F", "M"])]
    (folder / "data.csv").write_text("PatientID;age;sex\n" + "\n".join(rows) + "\n")
    (folder / "age.csv").write_text("34;30-39;*\n35;30-39;*\n36;30-39;*\n37;30-39;*\n")
    patient = ("{role: identifier, pseudonymize: true, pseudonym_prefix: EUCAIM-, secret_env: TEST_SECRET}"
               if pseudonymize else "{role: identifier}")
    (folder / "project.yaml").write_text(
        f"data: data.csv\nattributes:\n  PatientID: {patient}\n"
        "  age: {role: quasi-identifier, hierarchy: age.csv}\n  sex: {role: insensitive}\n"
        "privacy:\n  - k-anonymity: {k: 2}\n")
    return folder / "project.yaml"


def test_pseudonyms_replace_the_identifier_the_same_way_every_run(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_SECRET", SECRET)
    project = write_project(tmp_path)
    first = anonymize_to_folder(load_project(project), tmp_path / "a")
    second = anonymize_to_folder(load_project(project), tmp_path / "b")
    a, b = read_table(first.table_path), read_table(second.table_path)
    ids = a.column("PatientID").tolist()
    assert ids == b.column("PatientID").tolist()
    assert all(v.startswith("EUCAIM-") for v in ids) and len(set(ids)) == 4
    assert not {"P001", "P002", "P003", "P004"} & set(ids)


def test_another_secret_gives_other_pseudonyms(tmp_path, monkeypatch):
    project = write_project(tmp_path)
    monkeypatch.setenv("TEST_SECRET", SECRET)
    a = read_table(anonymize_to_folder(load_project(project), tmp_path / "a").table_path)
    monkeypatch.setenv("TEST_SECRET", SECRET + "-other")
    b = read_table(anonymize_to_folder(load_project(project), tmp_path / "b").table_path)
    assert set(a.column("PatientID")).isdisjoint(b.column("PatientID"))


def test_a_missing_secret_stops_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.delenv("TEST_SECRET", raising=False)
    project = write_project(tmp_path)
    with pytest.raises(SecretError, match="TEST_SECRET"):
        anonymize_to_folder(load_project(project), tmp_path / "out")
    assert not (tmp_path / "out" / "anonymized.csv").exists()


def test_an_identifier_without_pseudonyms_is_removed(tmp_path):
    project = write_project(tmp_path, pseudonymize=False)
    table = read_table(anonymize_to_folder(load_project(project), tmp_path / "out").table_path)
    assert "PatientID" not in table.columns


def test_data_that_looks_identified_stops_the_run_unless_confirmed(tmp_path):
    # a patient ID column not marked as an identifier
    project = write_project(tmp_path, pseudonymize=False)
    (tmp_path / "project.yaml").write_text((tmp_path / "project.yaml").read_text().replace(
        "PatientID: {role: identifier}", "PatientID: {role: insensitive}"))
    with pytest.raises(IdentifiedDataError, match="--i-confirm-deidentified"):
        anonymize_to_folder(load_project(project), tmp_path / "out")
    assert not (tmp_path / "out").exists()
    done = anonymize_to_folder(load_project(project), tmp_path / "out", confirmed_deidentified=True)
    guard = json.loads(done.result_path.read_text())["guard"]
    assert guard["confirmed_deidentified"] is True
    assert [f["where"] for f in guard["findings"] if f["code"] == "identifier-column"] == ["PatientID"]
    assert all(f["severity"] == "warning" for f in guard["findings"])


def test_the_cli_flag_confirms(tmp_path):
    project = write_project(tmp_path, pseudonymize=False)
    (tmp_path / "project.yaml").write_text((tmp_path / "project.yaml").read_text().replace(
        "PatientID: {role: identifier}", "PatientID: {role: insensitive}"))
    runner = CliRunner()
    refused = runner.invoke(app, ["validate", str(project)])
    assert refused.exit_code == 2 and "identifier-column" in refused.output
    assert runner.invoke(app, ["validate", str(project), "--i-confirm-deidentified"]).exit_code == 0
    refused = runner.invoke(app, ["anonymize", str(project), "-o", str(tmp_path / "out")])
    assert refused.exit_code == 2 and "--i-confirm-deidentified" in refused.output
    done = runner.invoke(app, ["anonymize", str(project), "-o", str(tmp_path / "out"), "--i-confirm-deidentified"])
    assert done.exit_code == 0, done.output


@pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet"])
def test_anonymize_and_run_release_every_table_format(tmp_path, kind):
    """The clinical example as CSV, XLSX and Parquet: the written table is re-checked before
    it is renamed into place (an XLSX re-check once failed on the temporary file's name)."""
    from eucaim_wizard.tables import TableFormat, write_table

    shutil.copytree(EXAMPLES / "clinical", tmp_path / "clinical")
    folder = tmp_path / "clinical"
    if kind != "csv":
        write_table(read_table(folder / "clinical.csv"), folder / f"clinical.{kind}", TableFormat(kind))
    project_file = folder / "project.yaml"
    project_file.write_text(project_file.read_text().replace("data: clinical.csv", f"data: clinical.{kind}"))
    outcome = anonymize_to_folder(load_project(project_file), tmp_path / "out", confirmed_deidentified=True)
    assert outcome.table_path.name == f"anonymized.{kind}"
    assert read_table(outcome.table_path).n_rows == read_table(folder / f"clinical.{kind}").n_rows
    assert not [p for p in (tmp_path / "out").iterdir() if ".partial" in p.name]
    done = CliRunner().invoke(app, ["run", str(project_file), "-o", str(tmp_path / "run"), "--no-classification",
                                    "--i-confirm-deidentified"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "run" / f"anonymized.{kind}").exists() and (tmp_path / "run" / "report.pdf").exists()
