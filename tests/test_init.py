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


def comments(text: str) -> str:
    """The comment lines of a project file as one line (comments are wrapped at 92 columns)."""
    return " ".join(line.strip().removeprefix("# ") for line in text.splitlines() if line.strip().startswith("#"))


def role(name: str, values: list[str]) -> str:
    return suggest_role(Table.from_columns({name: values}), name)[0]


@pytest.mark.parametrize("name", ["PatientID", "Patient_ID", "patient id", "SOPInstanceUID", "email",
                                  "e-mail", "PatientName", "name", "ReferringPhysicianName",
                                  "PatientAddress", "MRN", "phone_number"])
def test_identifier_like_names_are_suggested_as_identifiers(name):
    assert role(name, ["a", "a", "b"]) == "identifier"


@pytest.mark.parametrize("name, expected", [
    ("ManufacturerModelName", "quasi-identifier"), ("InstitutionName", "quasi-identifier"),
    ("Modality", "quasi-identifier"), ("Age", "quasi-identifier"), ("Diagnosis", "sensitive"),
    ("Width", "insensitive"), ("Idea", "insensitive"), ("Valid", "insensitive")])
def test_other_names_are_not_taken_for_identifiers(name, expected):
    assert role(name, ["a", "a", "b"]) == expected


def test_column_with_every_value_distinct_is_suggested_as_identifier():
    table = Table.from_columns({"code": ["x1", "x2", "x3"]})
    chosen, reason = suggest_role(table, "code")
    assert chosen == "identifier" and "every one of the 3 values is distinct" in reason


def test_single_record_is_not_taken_for_a_key():
    assert role("code", ["x1"]) == "insensitive"


def test_quasi_identifier_names_are_suggested_as_quasi_identifiers_with_the_reason():
    chosen, reason = suggest_role(Table.from_columns({"PatientAge": ["34", "34", "35"]}), "PatientAge")
    assert chosen == "quasi-identifier"
    assert reason == ("DICOM keyword PatientAge (the age at the study): a quasi-identifier; the values "
                      "are plain numbers of years")


def test_written_project_lists_every_column_with_its_suggested_role(data, tmp_path):
    path = write_starting_project(data, tmp_path / "project.yaml")
    attributes = yaml.safe_load(path.read_text())["attributes"]
    assert attributes == {
        "PatientID": {"role": "identifier"}, "Patient_Name": {"role": "identifier"},
        "AccessionNumber": {"role": "identifier"},
        "ManufacturerModelName": {"role": "quasi-identifier", "hierarchy": "preset:scanner-model"},
        "PatientSex": {"role": "quasi-identifier", "hierarchy": "preset:sex"},
        "Modality": {"role": "quasi-identifier", "hierarchy": "preset:modality"},
        "note": {"role": "insensitive"}}


def test_written_project_explains_each_role_in_a_comment(data, tmp_path):
    text = write_starting_project(data, tmp_path / "project.yaml").read_text()
    flat = comments(text)
    assert ("DICOM keyword PatientName: a direct identifier (DICOM PS3.15 Annex E); it will be removed "
            "from every output") in flat  # Patient_Name
    assert ('2 distinct value(s) in 12 records, most frequent "CT" (8); DICOM keyword Modality (the '
            'modality, weakly identifying): a quasi-identifier; all of the known values are imaging '
            'modality codes; preset:modality: the preset knows every value') in flat
    assert "3 distinct value(s) in 12 records, values not shown (none is held by 5 or more records)" in flat


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
    assert project.quasi_identifiers == ["ManufacturerModelName", "PatientSex", "Modality"]
    report = validate_project(project)
    assert report.usable and [f.code for f in report.findings if f.severity != "info"] == []


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
    assert chosen == "quasi-identifier" and reason == "the name suggests a postal code: a quasi-identifier"


def test_preset_comment_counts_the_values_the_preset_does_not_know(data, tmp_path):
    text = write_starting_project(data, tmp_path / "project.yaml").read_text()
    # "Model 0" and "Model 1" are no scanner models: both go to the preset's Unknown branch
    assert ("preset:scanner-model: 2 value(s) of 12 record(s) are not in the preset and go to its "
            "Unknown branch") in comments(text)
    assert "preset:sex: the preset knows every value" in comments(text)


def test_quasi_identifier_without_a_preset_is_removed_until_it_has_a_hierarchy(tmp_path):
    data = tmp_path / "zip.csv"
    data.write_text("zip_code,sex\n" + "".join(f"{1000 + i % 4},F\n" for i in range(8)))
    text = write_starting_project(data, tmp_path / "project.yaml").read_text()
    assert "\n  zip_code: {role: identifier}\n" in text
    assert "no preset fits it, so it is removed until it has a hierarchy" in comments(text)
    assert "\n  sex: {role: quasi-identifier, hierarchy: preset:sex}\n" in text


def test_sensitive_column_is_written_sensitive_with_its_preset_as_a_hint(tmp_path):
    data = tmp_path / "diagnoses.csv"
    data.write_text("diagnosis\n" + "C50.1\nC61\n" * 4)
    text = write_starting_project(data, tmp_path / "project.yaml").read_text()
    assert "\n  diagnosis: {role: sensitive}\n" in text and "preset:icd10 fits its codes" in comments(text)
    assert load_project(tmp_path / "project.yaml").sensitive == ["diagnosis"]
    assert ("\n  # - distinct-l-diversity: {attribute: diagnosis, l: 2}   # at least 2 different values of it "
            "in every class (remove the # to use it)\n") in text


def test_a_search_larger_than_arx_s_optimal_limit_is_pointed_out(tmp_path):
    data = tmp_path / "many.csv"
    data.write_text("PatientSex,PatientAge,StudyDate,Modality,BodyPartExamined,Manufacturer,SliceThickness,"
                    "PatientBirthDate\n" + "F,045Y,20230501,CT,CHEST,SIEMENS,5,19780501\n"
                    "M,061Y,20220301,MR,PELVIS,Philips,3,19610301\n" * 3)
    flat = comments(write_starting_project(data, tmp_path / "project.yaml").read_text())
    # levels: sex 3, age-dicom 6, dates 6 and 6, modality 4, body part 4, manufacturer 4, slice thickness 4
    assert ("NOTE: 8 quasi-identifiers make 165,888 transformations to search, more than the 100,000 ARX "
            "searches optimally.") in flat


def test_a_small_search_gets_no_note(data, tmp_path):
    assert "NOTE" not in write_starting_project(data, tmp_path / "project.yaml").read_text()


def test_a_preset_that_does_not_validate_is_not_set(data, tmp_path, monkeypatch):
    from eucaim_wizard.errors import Finding
    from eucaim_wizard.project import Project

    original = Project.check_against

    def failing(self, table):  # as if the sex preset did not fit the column
        return original(self, table) + [Finding("error", "not-a-tree", "…", where="PatientSex")]

    monkeypatch.setattr(Project, "check_against", failing)
    text = write_starting_project(data, tmp_path / "project.yaml").read_text()
    assert "\n  PatientSex: {role: identifier}\n" in text
    assert ("preset:sex fits it but cannot be used here (`validate` reports not-a-tree); it is removed until "
            "then: set {role: quasi-identifier, hierarchy: preset:sex} once `validate` accepts it") in comments(text)
    assert "\n  Modality: {role: quasi-identifier, hierarchy: preset:modality}\n" in text
    monkeypatch.undo()
    assert validate_project(tmp_path / "project.yaml").usable


def test_what_init_writes_validates_as_it_is_with_times_and_exact_dates(tmp_path):
    """The seed pack's table: `init` recognised HHMMSS times as times, then `validate` flagged
    the column as a record identifier; and an exact-date quasi-identifier could release the
    day.  Now the time column is a quasi-identifier the guard accepts, and the date gets
    ``min_level`` above the day."""
    import numpy as np

    rng = np.random.default_rng(3)
    rows = 400
    times = rng.choice(24 * 3600, rows, replace=False)
    days = rng.integers(1, 28, rows)
    lines = ["Patient_ID,Acquisition_Date,Acquisition_Time,Sex"] + [
        f"P{i:04d},2023{m:02d}{d:02d},{t // 3600:02d}{t // 60 % 60:02d}{t % 60:02d},{s}"
        for i, (m, d, t, s) in enumerate(zip(rng.integers(1, 13, rows), days, times, rng.choice(["F", "M"], rows)))]
    (tmp_path / "data.csv").write_text("\n".join(lines) + "\n")
    path = write_starting_project(tmp_path / "data.csv", tmp_path / "project.yaml")
    project = load_project(path)
    assert "Acquisition_Time" in project.quasi_identifiers
    assert project.attributes["Acquisition_Date"].min_level == 1
    report = validate_project(project)
    assert report.usable, [f.message for f in report.findings]
    assert [f.code for f in report.findings if f.severity != "info"] == []


def test_the_seed_packs_table_gets_a_project_that_validates(tmp_path):
    import shutil
    from pathlib import Path

    source = Path(__file__).resolve().parents[2] / "shared" / "seed-pack" / "examples" / "synthetic_patient_data_v2.csv"
    if not source.exists():
        pytest.skip(f"{source} not found (../shared is not beside the checkout)")
    shutil.copy(source, tmp_path / "data.csv")
    report = validate_project(load_project(write_starting_project(tmp_path / "data.csv", tmp_path / "project.yaml")))
    assert report.usable and not [f for f in report.findings if f.severity == "error"]


def _series_table(folder, n=2000):
    """A table as extracted from DICOM series: 13 columns an attacker may know."""
    import csv

    import numpy as np

    rng = np.random.default_rng(4)
    months = lambda: [f"20{y:02d}{m:02d}01" for y, m in zip(rng.integers(15, 24, n), rng.integers(1, 13, n))]  # noqa: E731
    columns = {
        "PatientSex": rng.choice(["F", "M"], n), "PatientAge": [f"{a:03d}Y" for a in rng.integers(20, 90, n)],
        "StudyDate": months(), "SeriesDate": months(), "AcquisitionDate": months(),
        "StudyTime": [f"{h:02d}{m:02d}{s:02d}" for h, m, s in zip(rng.integers(7, 20, n), rng.integers(0, 60, n),
                                                                  rng.integers(0, 60, n))],
        "Modality": rng.choice(["CT", "MR", "PT", "MG"], n),
        "BodyPartExamined": rng.choice(["CHEST", "ABDOMEN", "BREAST", "PELVIS", "HEAD"], n),
        "Manufacturer": rng.choice(["SIEMENS", "GE MEDICAL SYSTEMS", "Philips", "TOSHIBA"], n),
        "ManufacturerModelName": rng.choice(["Aera", "Skyra", "Discovery MR750", "Ingenia", "Aquilion ONE"], n),
        "SliceThickness": rng.choice(["1", "1.25", "2.5", "3", "5"], n),
        "MagneticFieldStrength": rng.choice(["1.5", "3"], n),
        "PatientWeight": [f"{w:.1f}" for w in rng.normal(75, 12, n)],
    }
    with open(folder / "series.csv", "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        writer.writerows(zip(*columns.values()))
    return folder / "series.csv"


def test_init_proposes_a_project_the_optimal_search_holds(tmp_path):
    """A DICOM series table made 11 quasi-identifiers and 15.9 M transformations, which the
    search refused: init now starts levels above those that can never be released, then
    writes the least identifying non-facet columns insensitive, saying why, until it fits."""
    from eucaim_wizard import anonymize
    from eucaim_wizard.pipeline import MAX_LATTICE

    path = write_starting_project(_series_table(tmp_path), tmp_path / "project.yaml")
    text = " ".join(line.strip().lstrip("#").strip() for line in path.read_text().splitlines())
    project = load_project(path)
    size = 1
    for name in project.quasi_identifiers:
        low, high = project.level_range(name, project.load_hierarchy(name))
        size *= high - low + 1
    assert size <= MAX_LATTICE
    demoted = [n for n, a in project.attributes.items() if a.role.value == "insensitive"]
    assert demoted and "PatientSex" in project.quasi_identifiers and "Modality" in project.quasi_identifiers
    assert text.count("written insensitive so that the optimal search fits") == len(demoted)
    assert project.attributes["StudyTime"].min_level >= 1 and "no lower level can be released" in text
    assert validate_project(project).usable
    assert anonymize(project).lattice_size == size


def test_the_levels_init_skips_hold_no_anonymous_transformation(tmp_path):
    """Raising min_level where a level alone leaves more records in groups smaller than k than
    may be suppressed is exact: the optimum is the same with the levels below allowed."""
    from eucaim_wizard import anonymize

    rng = __import__("numpy").random.default_rng(9)
    n = 800
    rows = zip(rng.integers(1, 13, n), rng.integers(1, 29, n), rng.integers(7, 20, n), rng.integers(0, 60, n),
               rng.integers(20, 90, n), rng.normal(75, 12, n), rng.choice(["Female", "Male"], n),
               rng.choice(["CT", "MRI", "PET"], n), rng.choice(["Spain", "Italy", "Poland", "Ireland", "Greece"], n),
               rng.choice(["Siemens Skyra", "GE Discovery MR750", "Philips Ingenia"], n))
    (tmp_path / "data.csv").write_text(
        "Acquisition_Date,Acquisition_Time,Age,Weight_kg,Sex,Imaging_Modality,Ethnicity_Country,Manufacturer_Model\n"
        + "".join(f"2023{mo:02d}{d:02d},{h:02d}{mi:02d}00,{a},{w:.1f},{s},{m},{c},{model}\n"
                  for mo, d, h, mi, a, w, s, m, c, model in rows))
    project = load_project(write_starting_project(tmp_path / "data.csv", tmp_path / "project.yaml"))
    text = (tmp_path / "project.yaml").read_text()
    assert "no lower level" in " ".join(line.strip().lstrip("#").strip() for line in text.splitlines())
    days = {"Acquisition_Date": 1}  # (the day is never released: that min_level stays)
    full = project.model_copy(update={"attributes": {n: a.model_copy(update={"min_level": days.get(n)})
                                                      for n, a in project.attributes.items()}})
    assert anonymize(project).optimum.levels == anonymize(full).optimum.levels
