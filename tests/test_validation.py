"""``validate_project``: usable or not, and the findings that say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from eucaim_wizard import load_project, validate_project
from eucaim_wizard.errors import TableError, WizardError

DATA = "age;sex\n34;F\n35;M\n36;F\n37;M\n38;F\n38;M\n"
AGE = "34;30-39;*\n35;30-39;*\n36;30-39;*\n37;30-39;*\n38;30-39;*\n39;30-39;*\n"
SEX = "F;*\nM;*\n"
PRIVACY = "privacy:\n  - k-anonymity: {k: 2}\n"


def make(tmp_path: Path, attributes: str, *, data: str = DATA, age: str = AGE, sex: str = SEX,
         privacy: str = PRIVACY) -> Path:
    """A project folder: the table, the age and sex hierarchies, and project.yaml."""
    (tmp_path / "data.csv").write_text(data)
    (tmp_path / "age.csv").write_text(age)
    (tmp_path / "sex.csv").write_text(sex)
    path = tmp_path / "project.yaml"
    path.write_text("data: data.csv\nattributes:\n" + attributes + privacy)
    return path


BOTH = ("  age: {role: quasi-identifier, hierarchy: age.csv}\n"
        "  sex: {role: quasi-identifier, hierarchy: sex.csv}\n")


def errors(report) -> list[str]:
    return [f.code for f in report.findings if f.severity == "error"]


def test_a_complete_project_is_usable(tmp_path):
    report = validate_project(make(tmp_path, BOTH))
    assert report.usable and errors(report) == []
    assert report.summary == "usable: 6 records, 2 quasi-identifier(s), 0 warning(s)."


def test_validate_accepts_a_path_or_a_loaded_project(tmp_path):
    path = make(tmp_path, BOTH)
    assert validate_project(str(path)).usable and validate_project(load_project(path)).usable


def test_data_values_missing_from_a_hierarchy_are_counted_in_records(tmp_path):
    report = validate_project(make(tmp_path, BOTH, age="34;30-39;*\n35;30-39;*\n36;30-39;*\n37;30-39;*\n"))
    missing = next(f for f in report.findings if f.code == "missing-values")
    assert not report.usable and missing.severity == "error"
    assert missing.where == "age" and missing.values == ("38",) and missing.records == 2
    assert "(2 records)" in missing.message and "'38'" in missing.message


def test_hierarchy_rows_absent_from_the_data_are_only_information(tmp_path):
    report = validate_project(make(tmp_path, BOTH))
    unused = next(f for f in report.findings if f.code == "unused-rows")
    assert report.usable and unused.severity == "info" and unused.values == ("39",)


def test_a_hierarchy_that_is_not_a_tree_makes_the_project_unusable(tmp_path):
    split = "34;30-34;30-39;*\n35;30-34;40-49;*\n36;35-39;30-39;*\n37;35-39;30-39;*\n38;35-39;30-39;*\n"
    report = validate_project(make(tmp_path, BOTH, age=split))
    tree = next(f for f in report.findings if f.code == "not-a-tree")
    assert not report.usable and errors(report) == ["not-a-tree"]
    assert tree.where == "age" and "'30-34' -> '30-39', '40-49'" in tree.message


def test_a_hierarchy_with_two_roots_is_a_warning_only(tmp_path):
    report = validate_project(make(tmp_path, BOTH, sex="F;female;person\nM;male;human\n"))
    assert report.usable and [f.code for f in report.findings if f.severity == "warning"] == ["multiple-roots"]
    assert report.summary.endswith("1 warning(s).")


def test_an_attribute_that_is_not_a_column_makes_the_project_unusable(tmp_path):
    report = validate_project(make(tmp_path, BOTH + "  Age: {role: sensitive}\n"))
    assert not report.usable and errors(report) == ["unknown-column"]
    assert report.summary.startswith("NOT usable: 1 error(s)")


def test_a_level_above_the_hierarchy_makes_the_project_unusable(tmp_path):
    report = validate_project(make(tmp_path, "  age: {role: quasi-identifier, hierarchy: age.csv, max_level: 3}\n"))
    assert not report.usable and errors(report) == ["bad-level-range"]


def test_a_missing_hierarchy_file_makes_the_project_unusable(tmp_path):
    report = validate_project(make(tmp_path, "  age: {role: quasi-identifier, hierarchy: ages.csv}\n"))
    assert not report.usable and errors(report) == ["hierarchy-unreadable"]


def test_a_project_without_privacy_model_is_not_usable(tmp_path):
    report = validate_project(make(tmp_path, BOTH, privacy=""))
    assert not report.usable and errors(report) == ["no-privacy-model"]


def test_a_project_without_quasi_identifiers_is_usable_with_a_warning(tmp_path):
    report = validate_project(make(tmp_path, "  sex: {role: sensitive}\n"))
    assert report.usable and [f.code for f in report.findings if f.severity == "warning"] == ["no-quasi-identifiers"]


def test_a_table_without_records_is_not_usable(tmp_path):
    report = validate_project(make(tmp_path, BOTH, data="age;sex\n"))
    assert not report.usable and "no-records" in errors(report)


def test_notes_say_what_reading_decided(tmp_path):
    report = validate_project(make(tmp_path, BOTH, sex="Sex,Level_1\nF,*\nM,*\n"))
    assert f"{tmp_path / 'data.csv'}: delimiter ';' detected" in report.notes
    assert any(note.startswith("hierarchy of sex: header row 'Sex,Level_1' skipped") for note in report.notes)
    assert "hierarchy of sex: delimiter ',' detected" in report.notes


def test_unreadable_data_is_an_error_not_a_finding(tmp_path):
    path = make(tmp_path, BOTH)
    (tmp_path / "data.csv").write_bytes(b"")
    with pytest.raises(TableError, match="is empty"):
        validate_project(path)


def test_a_missing_project_file_is_an_error(tmp_path):
    with pytest.raises(WizardError, match="does not exist"):
        validate_project(tmp_path / "project.yaml")


# --- the EUCAIM Wizard pack: what validate says about the files curators use today ----------
def seed_project(seed_pack: Path, tmp_path: Path, attributes: dict[str, str]) -> Path:
    lines = [f"data: {seed_pack / 'examples/synthetic_patient_data_v2.csv'}", "attributes:",
             "  Patient_ID: {role: identifier}"]
    lines += [f"  {name}: {{role: quasi-identifier, hierarchy: {seed_pack / file}}}"
              for name, file in attributes.items()]
    lines += ["privacy:", "  - k-anonymity: {k: 27}", "suppression_limit: 0.174"]
    path = tmp_path / "project.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


DEMO = {"Age": "examples/age_hierarchy.csv", "Weight_kg": "examples/weight_hierarchy.csv",
        "Ethnicity_Country": "examples/ethnicity_hierarchy.csv",
        "Allergies": "examples/allergies_hierarchy.csv",
        "Imaging_Modality": "examples/imaging_modality_hierarchy.csv",
        "Zip_Code": "examples/zip_code_hierarchy.csv"}


@pytest.fixture
def seed_demo_report(seed_pack, tmp_path):
    return validate_project(seed_project(seed_pack, tmp_path, DEMO))


def test_seed_demo_ages_83_and_87_are_missing_from_the_age_hierarchy(seed_demo_report):
    age = next(f for f in seed_demo_report.findings if f.code == "missing-values" and f.where == "Age")
    assert set(age.values) == {"83", "87"} and age.records == 5


def test_seed_demo_weights_with_decimals_miss_the_whole_kilogram_hierarchy(seed_demo_report):
    weight = next(f for f in seed_demo_report.findings if f.code == "missing-values" and f.where == "Weight_kg")
    assert weight.records == 1000 and "456 distinct value(s)" in weight.message and "'77.4'" in weight.message


def test_seed_demo_is_not_usable_for_age_and_weight_only(seed_demo_report):
    assert not seed_demo_report.usable
    guard = {"day-not-01", "identifier-column", "record-id"}  # the de-identification guard's signs
    assert sorted(f.where for f in seed_demo_report.findings if f.severity == "error" and f.code not in guard) \
        == ["Age", "Weight_kg"]
    # the pack's synthetic example is not in the EUCAIM profile's form: the guard says so (its
    # HHMMSS acquisition times are times of day, not record identifiers: issue 21)
    assert {(f.where, f.code) for f in seed_demo_report.findings if f.code in guard} == {
        ("Acquisition_Date", "day-not-01")}
    assert [f for f in seed_demo_report.findings if f.severity == "warning"] == []


def test_seed_demo_comma_and_crlf_hierarchies_are_noted(seed_demo_report):
    for name in DEMO:
        assert f"hierarchy of {name}: delimiter ',' detected" in seed_demo_report.notes
        assert f"hierarchy of {name}: CRLF line ends" in seed_demo_report.notes


def test_seed_pack_hierarchies_defects_are_reported(seed_pack, tmp_path):
    report = validate_project(seed_project(seed_pack, tmp_path, {
        "Sex": "hierarchies/Sex_F_H.csv", "Manufacturer_Model": "hierarchies/Manufacturer_F_H.csv",
        "Ethnicity_Country": "hierarchies/Ethnicity_F_H.csv", "Allergies": "hierarchies/Allergies_F_H.csv"}))
    guard = {"day-not-01", "identifier-column", "record-id"}  # tested above
    found = {(f.where, f.code): f for f in report.findings if f.severity != "info" and f.code not in guard}
    assert sorted(found) == [("Allergies", "missing-values"), ("Manufacturer_Model", "missing-values"),
                             ("Manufacturer_Model", "not-a-tree"), ("Sex", "multiple-roots")]
    assert found["Allergies", "missing-values"].values == ("none",)
    assert found["Allergies", "missing-values"].records == 840
    # the pack's scanner hierarchy lists models without the vendor; the data names both
    assert found["Manufacturer_Model", "missing-values"].records == 1000
    assert any("header row 'Gender,Level_2,Level_3,Level_4' skipped" in note for note in report.notes)


def test_a_search_space_too_large_is_an_error_before_any_search(tmp_path, monkeypatch):
    import eucaim_wizard.pipeline as anonymizer_module

    (tmp_path / "d.csv").write_text("a;b\n1;1\n2;2\n")
    (tmp_path / "h.csv").write_text("1;*\n2;*\n")
    (tmp_path / "p.yaml").write_text("data: d.csv\nattributes:\n  a: {role: quasi-identifier, hierarchy: h.csv}\n"
                                     "  b: {role: quasi-identifier, hierarchy: h.csv}\nprivacy:\n  - k-anonymity: {k: 2}\n")
    assert validate_project(tmp_path / "p.yaml").usable
    monkeypatch.setattr(anonymizer_module, "MAX_LATTICE", 3)
    report = validate_project(tmp_path / "p.yaml")
    (finding,) = [f for f in report.findings if f.code == "lattice-too-large"]
    assert not report.usable and "4 transformations to search (levels per attribute: a 2, b 2)" in finding.message


def test_a_broken_hierarchy_gets_the_preset_that_fits_and_the_repair_command(tmp_path):
    """`validate` said what is wrong with a hierarchy but not how to put it right."""
    rows = ["PatientSex,Manufacturer"] + [f"{s},{m}" for s, m in zip("FMFMFMFMFM" * 3, ["SIEMENS", "GE"] * 15)]
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "sex.csv").write_text("F;Person\nM;Any\n")  # two roots
    (tmp_path / "vendor.csv").write_text("SIEMENS;x;CT\nGE;x;MR\n")  # 'x' under two parents: not a tree
    (tmp_path / "project.yaml").write_text(
        "data: data.csv\nattributes:\n  PatientSex: {role: quasi-identifier, hierarchy: sex.csv}\n"
        "  Manufacturer: {role: quasi-identifier, hierarchy: vendor.csv}\nprivacy:\n  - k-anonymity: {k: 2}\n")
    report = validate_project(tmp_path / "project.yaml")
    fixes = {f.where: f.message for f in report.findings if f.code == "hierarchy-fix"}
    assert "`hierarchy: preset:sex` fits this column's values" in fixes["PatientSex"]
    assert "`eucaim-wizard hierarchies repair vendor.csv -o FIXED.csv`" in fixes["Manufacturer"]


def test_the_header_rule_can_be_set_from_the_project_file(tmp_path):
    (tmp_path / "data.csv").write_text("sex\nF\nM\n")
    (tmp_path / "sex.csv").write_text("Sex;Level_1\nF;*\nM;*\n")
    base = "data: data.csv\nattributes:\n  sex: {role: quasi-identifier, hierarchy: sex.csv%s}\n"
    (tmp_path / "project.yaml").write_text(base % "")
    detected = load_project(tmp_path / "project.yaml").load_hierarchy("sex")
    assert detected.n_values == 2 and "hierarchy_header: false" in detected.notes[-1]
    (tmp_path / "project.yaml").write_text(base % ", hierarchy_header: false")
    kept = load_project(tmp_path / "project.yaml").load_hierarchy("sex")
    assert kept.values().tolist() == ["Sex", "F", "M"]
