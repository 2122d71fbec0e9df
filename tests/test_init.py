"""``init``: suggested roles, a file that loads and validates, and never overwriting."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from eucaim_wizard import Table, load_project, validate_project
from eucaim_wizard.errors import ProjectError
from eucaim_wizard.init import suggest_role, write_starting_project

ROWS = 12


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A small imaging table: identifiers by name and by value, and ordinary columns."""
    lines = ["PatientID;Patient_Name;AccessionNumber;ManufacturerModelName;PatientSex;Modality;note"]
    for i in range(ROWS):
        lines.append(f"P{i:03d};Name {i};A{i};Model {i % 2};{'FM'[i % 2]};{'CT' if i < 8 else 'MR'};{i % 3}")
    path = tmp_path / "studies.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def role(name: str, values: list[str]) -> str:
    return suggest_role(Table.from_columns({name: values}), name)[0]


@pytest.mark.parametrize("name", ["PatientID", "Patient_ID", "patient id", "SOPInstanceUID", "email",
                                  "e-mail", "PatientName", "name", "ReferringPhysicianName",
                                  "PatientAddress", "MRN", "phone_number"])
def test_identifier_like_names_are_suggested_as_identifiers(name):
    assert role(name, ["a", "a", "b"]) == "identifier"


@pytest.mark.parametrize("name", ["ManufacturerModelName", "InstitutionName", "Modality", "Age",
                                  "Diagnosis", "Width", "Idea", "Valid"])
def test_other_names_are_not_taken_for_identifiers(name):
    assert role(name, ["a", "a", "b"]) == "insensitive"


def test_column_with_every_value_distinct_is_suggested_as_identifier():
    table = Table.from_columns({"code": ["x1", "x2", "x3"]})
    chosen, reason = suggest_role(table, "code")
    assert chosen == "identifier" and "every one of the 3 values is distinct" in reason


def test_single_record_is_not_taken_for_a_key():
    assert role("code", ["x1"]) == "insensitive"


def test_quasi_identifier_like_names_stay_insensitive_with_a_hint():
    chosen, reason = suggest_role(Table.from_columns({"PatientAge": ["34", "34", "35"]}), "PatientAge")
    assert chosen == "insensitive" and "suggests a quasi-identifier" in reason


def test_written_project_lists_every_column_with_its_suggested_role(data, tmp_path):
    path = write_starting_project(data, tmp_path / "project.yaml")
    attributes = yaml.safe_load(path.read_text())["attributes"]
    assert {name: settings["role"] for name, settings in attributes.items()} == {
        "PatientID": "identifier", "Patient_Name": "identifier", "AccessionNumber": "identifier",
        "ManufacturerModelName": "insensitive", "PatientSex": "insensitive",
        "Modality": "insensitive", "note": "insensitive"}


def test_written_project_explains_each_role_in_a_comment(data, tmp_path):
    text = write_starting_project(data, tmp_path / "project.yaml").read_text()
    assert "# the name looks like a direct identifier" in text
    assert '# 2 distinct value(s) in 12 records, most frequent "CT" (8); make it a quasi-identifier' in text


def test_values_of_fewer_than_five_records_are_not_quoted(data, tmp_path):
    text = write_starting_project(data, tmp_path / "project.yaml").read_text()
    assert '"MR"' not in text  # 4 records


def test_identifier_values_never_reach_the_project_file(data, tmp_path):
    text = write_starting_project(data, tmp_path / "project.yaml").read_text()
    assert "P000" not in text and "Name 0" not in text and "A0" not in text


def test_written_project_loads_and_validates(data, tmp_path):
    path = write_starting_project(data, tmp_path / "project.yaml")
    project = load_project(path)
    assert project.data_path == data.resolve()
    assert project.identifiers == ["PatientID", "Patient_Name", "AccessionNumber"]
    report = validate_project(project)
    assert report.usable and [f.code for f in report.findings if f.severity != "info"] == ["no-quasi-identifiers"]


def test_written_project_records_the_detected_format(tmp_path):
    data = tmp_path / "semicolons.csv"
    data.write_text("a;b\n1;x\n1;y\n")
    text = write_starting_project(data, tmp_path / "project.yaml").read_text()
    assert 'format: {delimiter: ";", encoding: "utf-8"}' in text


def test_data_path_is_relative_to_the_project_folder(data, tmp_path):
    path = write_starting_project(data, tmp_path / "projects" / "project.yaml")
    assert yaml.safe_load(path.read_text())["data"] == "../studies.csv"
    assert load_project(path).load_table().n_rows == ROWS


def test_awkward_column_names_and_values_round_trip(tmp_path):
    data = tmp_path / "awkward.csv"
    names = ['no', '2019', 'a: b # c', 'quote " and \\', 'tab\there']
    header = ",".join(f'"{n.replace(chr(34), chr(34) * 2)}"' for n in names)
    row = ",".join(['"line\nbreak"', "1", "x", "y", "z"])
    data.write_text(header + "\n" + "\n".join([row] * 6) + "\n")
    project = load_project(write_starting_project(data, tmp_path / "project.yaml"))
    assert list(project.attributes) == names


def test_existing_project_file_is_not_overwritten(data, tmp_path):
    output = tmp_path / "project.yaml"
    output.write_text("mine\n")
    with pytest.raises(ProjectError, match="exists already; pass --force"):
        write_starting_project(data, output)
    assert output.read_text() == "mine\n"


def test_force_replaces_an_existing_project_file(data, tmp_path):
    output = tmp_path / "project.yaml"
    output.write_text("mine\n")
    write_starting_project(data, output, force=True)
    assert load_project(output).identifiers


def test_the_data_file_is_never_overwritten_even_with_force(data):
    before = data.read_bytes()
    with pytest.raises(ProjectError, match="is the data file itself"):
        write_starting_project(data, data, force=True)
    assert data.read_bytes() == before


def test_no_temporary_file_is_left_behind(data, tmp_path):
    write_starting_project(data, tmp_path / "project.yaml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project.yaml", "studies.csv"]


def test_a_folder_as_output_is_refused(data, tmp_path):
    with pytest.raises(ProjectError, match="is a folder"):
        write_starting_project(data, tmp_path, force=True)


def test_plain_names_are_written_without_quotes(data, tmp_path):
    text = write_starting_project(data, tmp_path / "project.yaml").read_text()
    assert "\n  PatientID: {role: identifier}\n" in text and "\ndata: studies.csv\n" in text


def test_excel_sheet_is_recorded_in_the_project(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "notes"
    sheet = book.create_sheet("patients")
    for row in (["sex", "age"], ["F", "34"], ["M", "35"], ["F", "35"]):
        sheet.append(row)
    book.save(tmp_path / "data.xlsx")
    path = write_starting_project(tmp_path / "data.xlsx", tmp_path / "project.yaml", sheet=1)
    assert 'format: {sheet: "patients"}' in path.read_text()
    assert load_project(path).load_table().columns == ["sex", "age"]


def test_all_distinct_column_named_like_a_quasi_identifier_is_not_taken_for_a_key():
    chosen, reason = suggest_role(Table.from_columns({"ZipCode": ["1001", "1002", "1003"]}), "ZipCode")
    assert chosen == "insensitive" and "suggests a quasi-identifier" in reason
