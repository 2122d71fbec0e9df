"""apply: the saved transformation on new data, re-checked; clear refusals; nothing half-written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eucaim_wizard import Hierarchy, Project, Table, anonymize, load_project, read_table
from eucaim_wizard.apply import (ApplyError, apply_to_folder, apply_transformation, load_saved, missing_values,
                                 saved_transformation)
from eucaim_wizard.errors import InfeasibleError, ProjectError
from eucaim_wizard.privacy import KAnonymity
from eucaim_wizard.tables.output import write_json
from eucaim_wizard.release import anonymize_to_folder
from test_cli import run as _cli

# at age=1, sex=0: (30-39, F) 4, (40-49, M) 4, and two records alone in their class
ROWS = [("p1", 31, "F"), ("p2", 32, "F"), ("p3", 35, "F"), ("p4", 36, "F"), ("p5", 33, "M"),
        ("p6", 41, "M"), ("p7", 42, "M"), ("p8", 44, "M"), ("p9", 46, "M"), ("p10", 43, "F")]
AGES = list(range(30, 50))


def _csv(path: Path, rows) -> Path:
    path.write_text("id;age;sex\n" + "".join(f"{i};{a};{s}\n" for i, a, s in rows))
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    _csv(tmp_path / "data.csv", ROWS)
    (tmp_path / "age.csv").write_text("".join(f"{a};{a // 10 * 10}-{a // 10 * 10 + 9};*\n" for a in AGES))
    (tmp_path / "sex.csv").write_text("F;*\nM;*\n")
    (tmp_path / "project.yaml").write_text(
        "data: data.csv\nattributes:\n  id: {role: identifier}\n"
        "  age: {role: quasi-identifier, hierarchy: age.csv}\n  sex: {role: quasi-identifier, hierarchy: sex.csv}\n"
        "privacy:\n  - k-anonymity: {k: 2}\nsuppression_limit: 0.2\n")
    return tmp_path


def _result_json(folder: Path, *, saved: bool = True) -> Path:
    """anonymize's result.json (which holds what apply needs); ``saved=False``: as an older
    version wrote it, without those fields."""
    outcome = anonymize_to_folder(load_project(folder / "project.yaml"), folder / "out")
    written = json.loads(outcome.result_path.read_text())
    assert set(saved_transformation(outcome.result)) <= set(written)
    if not saved:
        for key in saved_transformation(outcome.result):
            written.pop(key)
        write_json(written, outcome.result_path, inputs=[])
    return outcome.result_path


def test_saved_fields_are_json_with_absolute_paths_and_hashes(folder):
    result = anonymize(load_project(folder / "project.yaml"))
    fields = json.loads(json.dumps(saved_transformation(result)))
    assert fields["transformation"]["levels"] == result.optimum.levels == {"age": 1, "sex": 0}
    record = fields["project"]
    assert record["file"] == str((folder / "project.yaml").resolve())
    assert record["attributes"]["id"] == {"role": "identifier"}
    assert record["attributes"]["age"]["hierarchy"] == str((folder / "age.csv").resolve())
    assert record["privacy"] == [{"k-anonymity": {"k": 2}}] and record["suppression_limit"] == 0.2
    assert fields["hierarchies"]["sex"] == result.project.load_hierarchy("sex").sha256()
    chosen = saved_transformation(result, {"age": 2, "sex": 0})
    assert chosen["transformation"]["levels"] == {"age": 2, "sex": 0}


def test_applying_to_the_same_data_reproduces_the_anonymized_table(folder):
    saved_json = _result_json(folder)
    saved = load_saved(saved_json, folder / "data.csv")
    outcome = apply_to_folder(saved, folder / "again", protect=[saved_json])
    assert outcome.table_path.read_text() == (folder / "out" / "anonymized.csv").read_text()
    report = json.loads(outcome.report_path.read_text())
    assert report["anonymous"] and report["levels"] == {"age": 1, "sex": 0}
    assert report["suppressed_records"] == 2 and report["classes_too_small"] == 2  # (30-39, M) and (40-49, F)
    assert report["records_in_classes_too_small"] == 2 and report["max_suppressed"] == 2


def test_a_new_batch_is_generalized_checked_and_written(folder):
    saved_json = _result_json(folder)
    batch = _csv(folder / "batch.csv", [("q1", 35, "F"), ("q2", 36, "F"), ("q3", 47, "M"), ("q4", 48, "M"),
                                        ("q5", 30, "F"), ("q6", 49, "M"), ("q7", 39, "M")])
    outcome = apply_to_folder(load_saved(saved_json, batch), folder / "new")
    written = read_table(outcome.table_path)
    assert written.columns == ["age", "sex"]  # the identifier is gone
    assert list(written.column("age")) == ["30-39", "30-39", "40-49", "40-49", "30-39", "40-49", "*"]
    assert list(written.column("sex")) == ["F", "F", "M", "M", "F", "M", "*"]  # (30-39, M) alone: suppressed
    report = json.loads(outcome.report_path.read_text())
    assert (report["records"], report["suppressed_records"], report["max_suppressed"]) == (7, 1, 1)
    assert report["equivalence_classes"] == 2 and report["min_class_size"] == 3


def test_drop_suppressed(folder):
    saved_json = _result_json(folder)
    outcome = apply_to_folder(load_saved(saved_json, folder / "data.csv"), folder / "d", drop_suppressed=True)
    assert read_table(outcome.table_path).n_rows == len(ROWS) - 2


def test_values_missing_from_a_hierarchy_are_listed_and_nothing_is_written(folder):
    saved_json = _result_json(folder)
    batch = _csv(folder / "batch.csv", [("q1", 35, "F"), ("q2", 99, "F"), ("q3", 99, "X"), ("q4", 17, "M")])
    saved = load_saved(saved_json, batch)
    assert missing_values(saved.project, read_table(batch)) == [
        ("age", [("99", 2), ("17", 1)], 3), ("sex", [("X", 1)], 1)]
    with pytest.raises(ApplyError) as caught:
        apply_to_folder(saved, folder / "new")
    message = str(caught.value)
    assert "'age': 2 value(s) in 3 record(s) — '99' (2 records), '17' (1 record)" in message
    assert "'sex': 1 value(s) in 1 record(s) — 'X' (1 record)" in message
    assert "Nothing was written" in message
    assert not (folder / "new").exists()


def test_classes_now_too_small_beyond_the_limit_stop_with_exit_code_3(folder):
    saved_json = _result_json(folder)
    batch = _csv(folder / "batch.csv", [("q1", 35, "F"), ("q2", 45, "M"), ("q3", 46, "F"), ("q4", 37, "M"),
                                        ("q5", 38, "M")])
    with pytest.raises(InfeasibleError) as caught:
        apply_to_folder(load_saved(saved_json, batch), folder / "new")
    message = str(caught.value)
    assert "3 of 5 records (60.0%) are in 3 class(es) now too small for k-anonymity(k=2)" in message
    assert "over the limit of 1 suppressed records" in message
    assert caught.value.exit_code == 3
    assert not (folder / "new").exists()


def test_a_changed_hierarchy_is_noticed(folder):
    saved_json = _result_json(folder)
    (folder / "age.csv").write_text("".join(f"{a};{a // 5 * 5}-{a // 5 * 5 + 4};*\n" for a in AGES))
    with pytest.raises(ApplyError, match="hierarchy of 'age' .* has changed since"):
        load_saved(saved_json, folder / "data.csv")


def test_an_older_result_json_needs_the_project(folder):
    saved_json = _result_json(folder, saved=False)
    with pytest.raises(ApplyError, match="give the project file with --project"):
        load_saved(saved_json, folder / "data.csv")
    saved = load_saved(saved_json, folder / "data.csv", project=folder / "project.yaml")
    assert saved.levels == {"age": 1, "sex": 0}  # the optimum recorded in result.json
    assert saved.project.data_path == (folder / "data.csv").resolve()
    saved = load_saved(saved_json, folder / "data.csv", project=folder / "project.yaml", levels={"age": 2, "sex": 1})
    assert apply_transformation(saved.project, saved.levels).transformation.suppressed_records == 0


def test_hierarchies_built_in_code_need_the_project(folder):
    table = Table.from_columns({"age": ["31", "32"], "sex": ["F", "F"]})
    project = Project(data=table, privacy=[KAnonymity(k=2)], attributes={
        "age": {"role": "quasi-identifier", "hierarchy": Hierarchy([["31", "*"], ["32", "*"]])},
        "sex": {"role": "quasi-identifier", "hierarchy": Hierarchy([["F", "*"]])}})
    result = anonymize(project)
    fields = saved_transformation(result)
    assert fields["project"]["attributes"]["age"]["hierarchy"] is None and fields["project"]["file"] is None
    path = folder / "code.json"
    path.write_text(json.dumps({**result.to_dict(), **fields}))
    with pytest.raises(ApplyError, match="built in code"):
        load_saved(path, folder / "data.csv")


def test_bad_levels_and_missing_columns(folder):
    saved_json = _result_json(folder)
    saved = load_saved(saved_json, folder / "data.csv", levels={"age": 7, "sex": 0})
    with pytest.raises(ProjectError, match="allowed ranges"):
        apply_transformation(saved.project, saved.levels)
    (folder / "nosex.csv").write_text("id;age\nq1;35\n")
    saved = load_saved(saved_json, folder / "nosex.csv")
    with pytest.raises(ProjectError, match="lacks the column"):
        apply_transformation(saved.project, saved.levels)
    with pytest.raises(ApplyError, match="does not exist"):
        load_saved(folder / "nothing.json", folder / "data.csv")



def test_apply_command_exit_codes(folder):
    saved_json = _result_json(folder)
    done = _cli("apply", saved_json, folder / "data.csv", "-o", folder / "c")
    assert done.exit_code == 0, done.output
    assert "applied age=1, sex=0 to 10 records: anonymous; 2 suppressed (limit 2)" in done.output
    assert "2 class(es) of the new data were too small" in done.output
    assert (folder / "c" / "anonymized.csv").exists() and (folder / "c" / "apply.json").exists()
    _csv(folder / "unknown.csv", [("q1", 99, "F")])
    refused = _cli("apply", saved_json, folder / "unknown.csv", "-o", folder / "u")
    assert refused.exit_code == 2 and refused.output.startswith("error: ") and "'99'" in refused.output
    _csv(folder / "small.csv", [("q1", 35, "F"), ("q2", 45, "M")])
    infeasible = _cli("apply", saved_json, folder / "small.csv", "-o", folder / "s")
    assert infeasible.exit_code == 3 and "now too small" in infeasible.output
    old = _result_json(folder, saved=False)
    assert _cli("apply", old, folder / "data.csv", "-o", folder / "o").exit_code == 2
    done = _cli("apply", old, folder / "data.csv", "-o", folder / "o", "--project", folder / "project.yaml",
                "--levels", "age=2,sex=1")
    assert done.exit_code == 0 and "applied age=2, sex=1" in done.output


def test_a_project_file_with_levels_in_place_of_result_json(folder):
    saved = load_saved(folder / "project.yaml", folder / "data.csv", levels={"age": 2, "sex": 1})
    assert saved.levels == {"age": 2, "sex": 1} and saved.hierarchies == {}
    outcome = apply_to_folder(saved, folder / "p")
    assert set(read_table(outcome.table_path).column("age")) == {"*"}
    with pytest.raises(ApplyError, match="give the levels"):
        load_saved(folder / "project.yaml", folder / "data.csv")
    with pytest.raises(ApplyError, match="give one of them"):
        load_saved(folder / "project.yaml", folder / "data.csv", project=folder / "project.yaml", levels={"age": 1})


SENSITIVE_MODELS = [
    "distinct-l-diversity: {attribute: diagnosis, l: 2}",
    "entropy-l-diversity: {attribute: diagnosis, l: 1.5}",
    "recursive-cl-diversity: {attribute: diagnosis, c: 3, l: 2}",
    "t-closeness: {attribute: diagnosis, t: 0.6}",
    "t-closeness: {attribute: diagnosis, t: 0.6, distance: ordered}",
    "t-closeness: {attribute: diagnosis, t: 0.6, distance: hierarchical}",
    "delta-disclosure: {attribute: diagnosis, delta: 2.0}",
    "beta-likeness: {attribute: diagnosis, beta: 3.0}",
]


@pytest.mark.parametrize("model", SENSITIVE_MODELS)
def test_apply_works_with_every_sensitive_attribute_model(tmp_path, model):
    """apply builds its evaluator as anonymize does (with the sensitive attributes' domains):
    it once ended in "the class statistics hold no distribution" for every such model."""
    diagnoses = ["flu", "cold", "asthma", "flu", "cold", "asthma", "flu", "cold", "asthma", "flu"]
    (tmp_path / "data.csv").write_text("age;sex;diagnosis\n" + "".join(
        f"{a};{s};{d}\n" for (_, a, s), d in zip(ROWS, diagnoses)))
    (tmp_path / "age.csv").write_text("".join(f"{a};{a // 10 * 10}-{a // 10 * 10 + 9};*\n" for a in AGES))
    (tmp_path / "sex.csv").write_text("F;*\nM;*\n")
    (tmp_path / "diagnosis.csv").write_text("flu;respiratory;*\ncold;respiratory;*\nasthma;chronic;*\n")
    hierarchy = ", hierarchy: diagnosis.csv" if "hierarchical" in model else ""
    (tmp_path / "project.yaml").write_text(
        "data: data.csv\nattributes:\n  age: {role: quasi-identifier, hierarchy: age.csv}\n"
        f"  sex: {{role: quasi-identifier, hierarchy: sex.csv}}\n  diagnosis: {{role: sensitive{hierarchy}}}\n"
        f"privacy:\n  - {model}\nsuppression_limit: 0.5\n")
    outcome = anonymize_to_folder(load_project(tmp_path / "project.yaml"), tmp_path / "out")
    saved = load_saved(outcome.result_path, tmp_path / "data.csv")
    applied = apply_to_folder(saved, tmp_path / "again", protect=[outcome.result_path])
    assert applied.table_path.read_text() == outcome.table_path.read_text()
    assert json.loads(applied.report_path.read_text())["anonymous"]


def test_apply_never_writes_over_the_new_data(folder):
    saved_json = _result_json(folder)
    (folder / "c").mkdir()
    new = _csv(folder / "c" / "anonymized.csv", ROWS)
    before = new.read_bytes()
    done = _cli("apply", saved_json, new, "-o", folder / "c")
    assert done.exit_code == 2 and "never writes over its input" in done.output, done.output
    assert new.read_bytes() == before and not (folder / "c" / "apply.json").exists()
