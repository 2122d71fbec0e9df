"""The de-identification guard: signs of identified data in tables and DICOM headers, direct
identifiers in unmarked columns, the decision and the error -- never showing a value."""

from __future__ import annotations

import doctest
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset

from eucaim_wizard import guard, pseudonym
from eucaim_wizard.dicom import reading as dicom_reading
from eucaim_wizard.errors import Finding, WizardError
from eucaim_wizard.guard import (HeaderChecks, IdentifiedDataError, acknowledged, check_datasets, check_table,
                                 header_signs, looks_identified, require_deidentified)
from eucaim_wizard.project import Project
from eucaim_wizard.tables import Table

UID = "2.25.329800735698586629295641978511506172918"


def codes(findings):
    return sorted((f.code, f.where, f.records) for f in findings)


def eucaim_table(**columns) -> Table:
    """Three series as the EUCAIM profile leaves them, with ``columns`` replaced or added."""
    data = {
        "PatientID": ["EUCAIM-7f3a", "EUCAIM-7f3a", "EUCAIM-91bc"],
        "PatientName": ["EUCAIM-7f3a^Anonymous"] * 2 + ["EUCAIM-91bc^Anonymous"],
        "SeriesInstanceUID": [UID + "1", UID + "2", "1.3.6.1.4.1.58108.1.77"],
        "StudyDate": ["20230501", "20230501", "20190301"],
        "PatientSex": ["F", "F", "M"], "PatientAge": ["062Y", "062Y", "071Y"],
        "Modality": ["MR", "MR", "CT"], "SliceThickness": ["2.5", "1.25", "5"],
        "SoftwareVersions": ["syngo MR E11", "syngo MR E11", "1.2.3"],
        "OperatorsName": ["", "", ""],
        "PatientIdentityRemoved": ["YES"] * 3,
        "DeidentificationMethod": ["EUCAIM Deidentification v5: CTP"] * 3,
    }
    data.update(columns)
    return Table.from_columns(data)


ROLES = {"PatientID": {"role": "identifier"}, "PatientName": {"role": "identifier"},
         "SeriesInstanceUID": {"role": "identifier"}, "OperatorsName": {"role": "identifier"}}


def project_for(table: Table, **roles) -> Project:
    return Project(data=table, attributes={**ROLES, **roles})


def test_a_de_identified_eucaim_table_with_its_roles_has_no_finding():
    table = eucaim_table()
    assert check_table(table, project_for(table)) == []
    assert not looks_identified(check_table(table, project_for(table)))


# --- signs of identified data, whatever the roles ----------------------------------------------
def test_patient_identity_removed_not_yes():
    table = eucaim_table(PatientIdentityRemoved=["YES", "NO", ""])
    [finding] = check_table(table, project_for(table))
    assert (finding.code, finding.where, finding.records, finding.severity) == (
        "identity-not-removed", "PatientIdentityRemoved", 2, "error")
    assert finding.message.endswith("2 record(s), e.g. row 2")


def test_a_real_looking_patient_name_even_in_an_identifier_column():
    table = eucaim_table(PatientName=["EUCAIM-7f3a^Anonymous", "ANONYMOUS", "Doe^Jane"])
    assert codes(check_table(table, project_for(table))) == [("real-person-name", "PatientName", 1)]
    assert "row 3" in check_table(table, project_for(table))[0].message


@pytest.mark.parametrize(("name", "real"), [
    ("DOE^JOHN", True), ("Smith", True), ("CompressedSamples^CT1", True), ("Müller^Jürgen", True),
    ("EUCAIM-91bc^Anonymous", False), ("ANONYMOUS", False), ("P001", False), ("ANON1234", False),
    ("", False), ("^", False), ("Anonymized^Patient", False), ("PHANTOM", False),
])
def test_what_counts_as_a_real_looking_person_name(name, real):
    dataset = Dataset()
    dataset.PatientName = name
    dataset.PatientIdentityRemoved = "YES"
    assert (("real-person-name", "PatientName") in header_signs(dataset)) is real


def test_filled_physician_and_address_fields():
    table = eucaim_table(OperatorsName=["", "----", "RT Smith"], InstitutionAddress=["", "", "Main St 1"])
    found = codes(check_table(table, project_for(table, InstitutionAddress={"role": "identifier"})))
    assert found == [("filled-identifying-field", "InstitutionAddress", 1),
                     ("filled-identifying-field", "OperatorsName", 1)]


def test_uids_under_a_vendor_root_even_in_an_identifier_column():
    table = eucaim_table(SeriesInstanceUID=[UID, "1.2.840.113619.2.55.3.604688119", "1.3.46.670589.11.1"])
    [finding] = check_table(table, project_for(table))
    assert (finding.code, finding.where, finding.records) == ("vendor-uid", "SeriesInstanceUID", 2)
    assert "1.2.840" not in finding.message and "e.g. row 2" in finding.message


def test_days_other_than_01_under_the_eucaim_profile_only():
    table = eucaim_table(StudyDate=["20230501", "20230514", "20190301"],
                         diagnosis=["2021-03-01", "2021-03-17", ""])
    assert codes(check_table(table, project_for(table))) == [("day-not-01", "StudyDate", 1),
                                                              ("day-not-01", "diagnosis", 1)]
    assert check_table(table, project_for(table), profile=None) == []


# --- direct identifiers in columns not marked identifier -------------------------------------
def test_a_column_named_like_an_identifier_must_be_marked():
    table = eucaim_table()
    found = codes(check_table(table))  # no project: nothing is marked
    assert found == [("identifier-column", "PatientID", 3), ("identifier-column", "PatientName", 3),
                     ("identifier-column", "SeriesInstanceUID", 3)]  # OperatorsName is empty
    assert check_table(table, identifiers=["PatientID", "PatientName", "SeriesInstanceUID"]) == []


@pytest.mark.parametrize(("values", "code", "records"), [
    (["", "jane.doe@example.org", "write to a.b@hospital.eu please"], "email-address", 2),
    (["+34 612 345 678", "06-12-34-56-78", "2023-05-14"], "phone-number", 2),
    (["(030) 1234 5678", "", "0049 30 1234567"], "phone-number", 2),
    (["Doe^John", "EUCAIM-1^Anonymous", ""], "person-name", 1),
    ([UID, "", "1.3.6.1.4.1.58108.1.7"], "dicom-uid", 2),
])
def test_direct_identifiers_in_an_unmarked_column(values, code, records):
    table = eucaim_table(contact=values)
    [finding] = check_table(table, project_for(table))
    assert (finding.code, finding.where, finding.records, finding.values) == (code, "contact", records, ())
    for value in values:
        if value:
            assert value not in finding.message


@pytest.mark.parametrize("values", [
    ["2023-05-01", "2021-03-01", "2019-11-01"], ["70.5", "81", "65.25"], ["1.2.3", "2.0.1", "10.4"],
    ["MR", "CT", "A^B"], ["612", "4", "77"], ["Left breast", "Prostate", "Lung"],
])
def test_ordinary_values_are_not_taken_for_identifiers(values):
    table = eucaim_table(other=values)
    assert check_table(table, project_for(table)) == []


def test_a_column_of_distinct_codes_is_a_record_id():
    n = 12
    table = Table.from_columns({"case": [f"C-{1000 + i}" for i in range(n)],
                                "weight": [str(60 + i) for i in range(n)],
                                "height_m": [f"1.{60 + i}" for i in range(n)],
                                "birth": [f"1950{i % 12 + 1:02d}01" for i in range(n)],
                                "number": [str(4_400_000 + 7 * i) for i in range(n)]})
    assert codes(check_table(table)) == [("record-id", "case", 12), ("record-id", "number", 12)]
    short = Table.from_columns({"case": [f"C-{1000 + i}" for i in range(5)]})
    assert check_table(short) == []  # too few records to tell


def test_free_text_is_a_warning_that_does_not_block():
    table = eucaim_table(StudyDescription=["MR pelvis", "", "CT chest"])
    [finding] = check_table(table, project_for(table))
    assert (finding.code, finding.severity, finding.records) == ("free-text", "warning", 2)
    assert not looks_identified([finding])


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.sampled_from(["F", "M", "jane@example.org", "x.y@z.eu"]), min_size=1, max_size=40))
def test_records_and_the_example_row_are_counted_exactly(rows):
    table = Table.from_columns({"sex": rows})
    found = check_table(table)
    emails = [i for i, v in enumerate(rows) if "@" in v]
    if not emails:
        assert found == []
        return
    [finding] = found
    assert finding.records == len(emails)
    assert finding.message.endswith(f"{len(emails):,} record(s), e.g. row {emails[0] + 1}")
    assert "@" not in finding.message


# --- DICOM headers -------------------------------------------------------------------------
def header(**attributes) -> Dataset:
    dataset = Dataset()
    dataset.file_meta = FileMetaDataset()
    dataset.file_meta.MediaStorageSOPInstanceUID = UID
    dataset.PatientName, dataset.PatientID = "EUCAIM-7f3a^Anonymous", "EUCAIM-7f3a"
    dataset.StudyInstanceUID, dataset.SeriesInstanceUID, dataset.SOPInstanceUID = UID, UID + "1", UID
    dataset.StudyDate = dataset.AcquisitionDate = dataset.PatientBirthDate = "20230501"
    dataset.PatientIdentityRemoved = "YES"
    for keyword, value in attributes.items():
        if value is None:
            delattr(dataset, keyword)
        else:
            setattr(dataset, keyword, value)
    return dataset


def test_a_de_identified_header_has_no_sign():
    assert header_signs(header()) == []


@pytest.mark.parametrize(("attributes", "sign"), [
    ({"PatientIdentityRemoved": None}, ("identity-not-removed", "PatientIdentityRemoved")),
    ({"PatientIdentityRemoved": "NO"}, ("identity-not-removed", "PatientIdentityRemoved")),
    ({"PatientName": "DOE^JOHN"}, ("real-person-name", "PatientName")),
    ({"PatientMotherBirthName": "Garcia"}, ("real-person-name", "PatientMotherBirthName")),
    ({"ReferringPhysicianName": "House^Gregory"}, ("filled-identifying-field", "ReferringPhysicianName")),
    ({"InstitutionAddress": "1 Main Street"}, ("filled-identifying-field", "InstitutionAddress")),
    ({"StudyInstanceUID": "1.3.12.2.1107.5.2.30.1"}, ("vendor-uid", "StudyInstanceUID")),
    ({"FrameOfReferenceUID": "1.2.840.113619.2.1"}, ("vendor-uid", "FrameOfReferenceUID")),
    ({"PatientBirthDate": "19780514"}, ("day-not-01", "PatientBirthDate")),
    ({"AcquisitionDate": "1997.04.30"}, ("day-not-01", "AcquisitionDate")),
])
@pytest.mark.filterwarnings("ignore:Invalid value for VR")
def test_each_sign_of_an_identified_header(attributes, sign):
    assert header_signs(header(**attributes)) == [sign]


def test_a_vendor_uid_in_the_file_meta_and_dates_without_the_profile():
    dataset = header(StudyDate="20230514")
    dataset.file_meta.MediaStorageSOPInstanceUID = "1.3.46.670589.11.0.1"
    assert header_signs(dataset) == [("vendor-uid", "MediaStorageSOPInstanceUID"), ("day-not-01", "StudyDate")]
    assert header_signs(dataset, profile=None) == [("vendor-uid", "MediaStorageSOPInstanceUID")]


def test_the_bundled_pydicom_files_look_identified():
    datasets = [dcmread(get_testdata_file(name), stop_before_pixels=True) for name in ("CT_small.dcm", "MR_small.dcm")]
    found = {(f.code, f.where): f.records for f in check_datasets(datasets)}
    assert found[("identity-not-removed", "PatientIdentityRemoved")] == 2
    assert found[("real-person-name", "PatientName")] == 2  # CompressedSamples^CT1, ...^MR1
    assert ("filled-identifying-field", "OperatorsName") not in found  # MR_small's '----'
    assert found[("day-not-01", "StudyDate")] == 2  # 20040119, 20040826


def test_header_checks_count_files_and_keep_the_first_example():
    checks = HeaderChecks()
    checks.add([("vendor-uid", "SeriesInstanceUID")], row=4, path="p/1.dcm")
    checks.add([], row=4, path="p/2.dcm")
    checks.add([("vendor-uid", "SeriesInstanceUID")], row=5, path="q/1.dcm")
    [finding] = checks.findings()
    assert finding.records == 2
    assert finding.message.endswith("in 2 of 3 file(s), e.g. row 4 (p/1.dcm)")


# --- the decision and the error -------------------------------------------------------------
def test_only_guard_errors_decide():
    assert not looks_identified([Finding("error", "missing-values", "not a guard finding")])
    assert not looks_identified([Finding("warning", "free-text", "a warning")])
    assert looks_identified([Finding("error", "vendor-uid", "a sign")])


def test_the_error_says_how_to_go_on_and_never_shows_a_value():
    table = eucaim_table(PatientName=["DOE^JOHN"] * 3)
    findings = check_table(table, project_for(table))
    with pytest.raises(IdentifiedDataError) as caught:
        require_deidentified(findings, "table.csv")
    error = caught.value
    assert isinstance(error, WizardError) and error.exit_code == 2
    assert str(error).startswith("table.csv: the data looks identified: column PatientName holds")
    assert "--i-confirm-deidentified" in str(error) and "DOE" not in str(error) and "\n" not in str(error)
    assert error.findings == findings
    require_deidentified(findings, "table.csv", confirmed=True)  # no error


def test_acknowledged_findings_are_warnings():
    findings = [Finding("error", "vendor-uid", "m", where="SeriesInstanceUID"), Finding("error", "other", "x")]
    turned = acknowledged(findings)
    assert [f.severity for f in turned] == ["warning", "error"]
    assert "confirmed" in turned[0].message and not looks_identified(turned)


@pytest.mark.parametrize("module", [guard, dicom_reading, pseudonym])
def test_the_examples_in_the_docstrings_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_python_and_re2_searches_give_the_same_findings(monkeypatch):
    # few distinct values are searched with Python's re, many with pyarrow's RE2: same verdicts
    from eucaim_wizard import Table

    rows = 60
    table = Table.from_columns({
        "PatientName": [f"Smith^John{i}" if i % 3 else f"EUCAIM-{i:04x}" for i in range(rows)],
        "contact": [f"someone{i}@hospital.org" if i % 2 else "" for i in range(rows)],
        "phone": [f"+34 91 555 {i:04d}" for i in range(rows)],
        "StudyDate": [f"2023{1 + i % 12:02d}{1 + i % 28:02d}" for i in range(rows)],
        "PatientIdentityRemoved": ["YES" if i % 5 else "no" for i in range(rows)],
        "record": [f"MRN-{55000 + i}" for i in range(rows)],
        "StudyInstanceUID": [f"1.2.840.113619.2.{i}" for i in range(rows)],
    })
    python = check_table(table)
    monkeypatch.setattr(guard, "_PYTHON_REGEX_VALUES", 0)
    assert check_table(table) == python and {f.code for f in python} >= {"day-not-01", "identity-not-removed"}


def _dated_project(tmp_path, min_level: int | None):
    """Exact study dates as a quasi-identifier (preset:date: day, month, year, ...)."""
    import numpy as np

    rng = np.random.default_rng(5)
    rows = ["StudyDate,PatientSex"] + [f"2023{m:02d}{d:02d},{s}" for m, d, s in zip(
        rng.integers(1, 4, 300), rng.integers(2, 5, 300), rng.choice(["F", "M"], 300))]
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n")
    level = "" if min_level is None else f", min_level: {min_level}"
    (tmp_path / "project.yaml").write_text(
        "data: data.csv\nattributes:\n"
        f"  StudyDate: {{role: quasi-identifier, hierarchy: preset:date{level}}}\n"
        "  PatientSex: {role: quasi-identifier, hierarchy: preset:sex}\n"
        "privacy:\n  - k-anonymity: {k: 2}\nsuppression_limit: 0.0\n")
    from eucaim_wizard import load_project

    return load_project(tmp_path / "project.yaml")


def test_a_date_quasi_identifier_released_with_its_day_is_stopped_with_the_level_to_use(tmp_path):
    """Exempt from the day check because it is generalized, a date released at level 0 kept
    `20230515` in the output: the released level is judged, with the exact fix."""
    from eucaim_wizard.release import anonymize_to_folder
    from eucaim_wizard.validation import validate_project

    project = _dated_project(tmp_path, None)
    warning = [f for f in validate_project(project).findings if f.code == "day-level"]
    assert warning and "set `min_level: 1`" in warning[0].message and warning[0].severity == "warning"
    with pytest.raises(IdentifiedDataError) as raised:
        anonymize_to_folder(project, tmp_path / "out")
    message = str(raised.value)
    assert "column StudyDate is released at level 0, which keeps the day" in message
    assert "set `min_level: 1`" in message and "20230" not in message  # (no value quoted)
    assert not (tmp_path / "out").exists()
    confirmed = anonymize_to_folder(project, tmp_path / "out", confirmed_deidentified=True)
    assert confirmed.transformation.levels["StudyDate"] == 0


def test_a_date_released_as_a_month_is_not_flagged(tmp_path):
    from eucaim_wizard.release import anonymize_to_folder
    from eucaim_wizard.validation import validate_project

    project = _dated_project(tmp_path, 1)
    assert not [f for f in validate_project(project).findings if f.code in ("day-level", "day-not-01")]
    outcome = anonymize_to_folder(project, tmp_path / "out")
    assert outcome.transformation.levels["StudyDate"] >= 1
    released = read_table_values(outcome.table_path, "StudyDate")
    assert released and not any(re.fullmatch(r"\d{8}", v) for v in released)  # (months: 202302**)


def read_table_values(path, column):
    from eucaim_wizard.tables import read_table

    return [str(v) for v in read_table(path).column(column).tolist()]


# --- identifying content inside values (issue 21) --------------------------------------------
@pytest.mark.parametrize("value, kind", [("12345678Z", "Spanish DNI"), ("12345678-z", "Spanish DNI"),
                                         ("X1234567L", "Spanish NIE"), ("Y 1234567 X", "Spanish NIE"),
                                         ("RSSMRA85T10A562S", "Italian codice fiscale"),
                                         ("12345678A", None), ("EUCAIM-7f3a", None), ("P0001234", None)])
def test_national_identity_numbers_with_their_check_letter(value, kind):
    from eucaim_wizard.identifying_text import national_id

    assert national_id(value) == kind


def test_a_national_identity_number_is_flagged_even_in_an_identifier_column():
    """A PatientID of DNIs means no pseudonym was made: the data is not de-identified."""
    table = eucaim_table(PatientID=["12345678Z", "12345678Z", "EUCAIM-91bc"])
    findings = check_table(table, project_for(table))
    assert codes(findings) == [("national-id", "PatientID", 2)]
    assert "12345678" not in findings[0].message and looks_identified(findings)
    fake = eucaim_table(PatientID=["12345678A", "12345678A", "EUCAIM-91bc"])  # (wrong check letter)
    assert check_table(fake, project_for(fake)) == []


def test_names_in_free_text_and_in_private_tags_are_flagged_without_the_value():
    table = eucaim_table(StudyDescription=["CT THORAX Dr. Garcia", "DR CHEST PA", "MR pelvis"],
                         SeriesDescription=["T2 FLAIR", "Lopez^Maria", "EUCAIM-7f3a^Anonymous"],
                         **{"(0009,1010)": ["", "Dra Ruiz", ""], "(0010,1010)": ["Dr Who", "", ""]})
    findings = [f for f in check_table(table, project_for(table)) if f.severity == "error"]
    assert sorted((f.code, f.where, f.records) for f in findings if f.code == "name-in-text") == [
        ("name-in-text", "(0009,1010)", 1), ("name-in-text", "SeriesDescription", 1),
        ("name-in-text", "StudyDescription", 1)]
    assert not any(word in f.message for f in findings for word in ("Garcia", "Lopez", "Ruiz"))


def test_an_institution_name_where_the_profile_writes_a_hashed_site_id():
    table = eucaim_table(InstitutionName=["Hospital Universitario La Fe", "9f2c41aa", "9f2c41aa"])
    assert [(f.code, f.records) for f in check_table(table, project_for(table))] == [("institution-name", 1)]
    hashed = eucaim_table(InstitutionName=["9f2c41aa", "9f2c41aa", "SITE-03"])
    assert check_table(hashed, project_for(hashed)) == []


def test_the_same_signs_in_a_dicom_header_and_in_its_private_tags():
    dataset = header(PatientID="12345678Z", StudyDescription="PET-CT Dr. Garcia",
                     InstitutionName="Hospital Universitario La Fe")
    dataset.add_new(0x00091010, "PN", "Smith^John")
    dataset.add_new(0x00091011, "LO", "protocol 7")
    assert sorted(header_signs(dataset)) == [("institution-name", "InstitutionName"),
                                             ("name-in-private-tag", "(0009,1010)"),
                                             ("name-in-text", "StudyDescription"), ("national-id", "PatientID")]
    assert header_signs(header(InstitutionName="9f2c41aa", StudyDescription="CT THORAX")) == []


@pytest.mark.parametrize("text, named", [
    ("Patient Maria Fernandez, call back", True), ("GIUSEPPE ROSSI", True), ("seen by Paul Smith", True),
    ("dolores abdominales", False), ("pilar amigdalino", False), ("AX T2 IRIS", False), ("T1 SAG Anna", False),
    ("Jan 2023 follow-up", False), ("CT THORAX W/O CONTRAST", False), ("MR BRAIN DWI", False)])
def test_a_frequent_given_name_followed_by_a_word_is_a_name_in_text(text, named):
    from eucaim_wizard.identifying_text import name_in_text

    assert name_in_text(text) is named
