"""Role and preset suggestions: from DICOM keywords, clinical names and values, each with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eucaim_wizard import Role, Table, read_table
from eucaim_wizard.roles import MIN_SHARE, suggest, suggest_roles, value_kind

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def suggested(name: str, values: list[str]) -> tuple[str, str | None]:
    s = suggest(Table.from_columns({name: values}), name)
    return s.role.value, s.preset


# -- DICOM keywords --------------------------------------------------------------------------
@pytest.mark.parametrize("name, values, expected", [
    ("PatientID", ["EUCAIM-1", "EUCAIM-1"], ("identifier", None)),
    ("PatientName", ["EUCAIM-1^Anonymous"] * 2, ("identifier", None)),
    ("StudyInstanceUID", ["2.25.1", "2.25.1"], ("identifier", None)),
    ("AccessionNumber", ["A1", "A1"], ("identifier", None)),
    ("ReferringPhysicianName", ["", ""], ("identifier", None)),
    ("DeviceSerialNumber", ["123", "123"], ("identifier", None)),
    ("PatientComments", ["text", "text"], ("identifier", None)),
    ("PatientBirthDate", ["19780501", "19780501"], ("quasi-identifier", "date")),
    ("StudyDate", ["20230501", "20230601"], ("quasi-identifier", "date")),
    ("StudyTime", ["101523", "101523"], ("quasi-identifier", "time")),
    ("PatientSex", ["F", "M"], ("quasi-identifier", "sex")),
    ("PatientAge", ["045Y", "061Y"], ("quasi-identifier", "age-dicom")),
    ("PatientAge", ["45", "61"], ("quasi-identifier", "age")),
    ("PatientSize", ["1.68", "1.75"], ("quasi-identifier", "height-m")),
    ("PatientSize", ["168", "175"], ("quasi-identifier", "height-cm")),
    ("PatientWeight", ["68", "82"], ("quasi-identifier", "weight")),
    ("PatientBodyMassIndex", ["24.1", "31.0"], ("quasi-identifier", "bmi")),
    ("EthnicGroup", ["European", "European"], ("quasi-identifier", "ethnic-group")),
    ("SmokingStatus", ["YES", "NO"], ("quasi-identifier", "smoking")),
    ("Allergies", ["Latex", "none"], ("quasi-identifier", "allergies")),
    ("Manufacturer", ["SIEMENS", "GE MEDICAL SYSTEMS"], ("quasi-identifier", "manufacturer")),
    ("ManufacturerModelName", ["Skyra", "Aera"], ("quasi-identifier", "scanner-model")),
    ("MagneticFieldStrength", ["1.494", "3"], ("quasi-identifier", "field-strength")),
    ("SliceThickness", ["1", "5"], ("quasi-identifier", "slice-thickness")),
    ("BodyPartExamined", ["CHEST", "BREAST"], ("quasi-identifier", "body-part")),
    ("Modality", ["CT", "MR"], ("quasi-identifier", "modality")),
    ("InstitutionName", ["SITE-1", "SITE-2"], ("quasi-identifier", None)),
    ("PregnancyStatus", ["4", "4"], ("sensitive", None)),
    ("KVP", ["120", "100"], ("insensitive", None)),
    ("ConvolutionKernel", ["B30f", "B30f"], ("insensitive", None)),
    ("StudyDescription", ["CT THORAX", "CT THORAX"], ("identifier", None)),  # (free text: dropped by default)
    ("PatientIdentityRemoved", ["YES", "YES"], ("insensitive", None)),
])
def test_dicom_keywords(name, values, expected):
    assert suggested(name, values) == expected


@pytest.mark.parametrize("name", ["PatientBirthDate", "patient_birth_date", "PATIENTBIRTHDATE",
                                  "Patient Birth Date", "patient-birth-date"])
def test_keywords_are_matched_without_regard_to_case_and_separators(name):
    s = suggest(Table.from_columns({name: ["19780501", "19780501"]}), name)
    assert (s.role, s.preset) == (Role.QUASI_IDENTIFIER, "date")
    assert s.reason.startswith("DICOM keyword PatientBirthDate (the birth date, of which the EUCAIM profile")


def test_every_dicom_keyword_the_rules_name_is_a_real_keyword():
    from pydicom.datadict import tag_for_keyword

    from eucaim_wizard import roles

    names = [*roles._DICOM_IDENTIFIERS, *roles._DICOM_KEYWORDS, *roles._FREE_TEXT, *roles._TECHNICAL]
    assert [name for name in names if tag_for_keyword(name) is None] == []


def test_every_suggested_preset_exists_in_the_library():
    from eucaim_wizard import roles
    from eucaim_wizard.hierarchies.presets import load_library

    library = load_library()
    named = {preset for _, preset, _ in roles._DICOM_KEYWORDS.values() if preset}
    named |= {preset for _, _, preset, _ in roles._CLINICAL if preset and preset != "tnm"}
    named |= {preset for _, _, preset, _ in roles._VALUE_KINDS.values() if preset and preset != "tnm"}
    named |= {"tnm-t", "tnm-n", "tnm-m", "age", "height-cm", "country"}
    assert sorted(named - set(library.names())) == []


# -- clinical names --------------------------------------------------------------------------
@pytest.mark.parametrize("name, values, expected", [
    ("age_at_diagnosis", ["62.4", "70.1"], ("quasi-identifier", "age")),
    ("AgeAtDiagnosis", ["62", "70"], ("quasi-identifier", "age")),
    ("sex", ["female", "male"], ("quasi-identifier", "sex")),
    ("Gender", ["F", "M"], ("quasi-identifier", "sex")),
    ("weight_kg", ["68.5", "80.0"], ("quasi-identifier", "weight")),
    ("height_cm", ["168", "175"], ("quasi-identifier", "height-cm")),
    ("height", ["1.68", "1.75"], ("quasi-identifier", "height-m")),
    ("BMI", ["24.1", "31.0"], ("quasi-identifier", "bmi")),
    ("nationality", ["ES", "IT"], ("quasi-identifier", "country")),
    ("country_of_birth", ["Spain", "Italy"], ("quasi-identifier", "country")),
    ("ethnicity", ["European", "Asian"], ("quasi-identifier", "ethnic-group")),
    ("smoking_status", ["current", "never"], ("quasi-identifier", "smoking")),
    ("allergies", ["none", "Penicillin"], ("quasi-identifier", "allergies")),
    ("date_of_diagnosis", ["2019-03-14", "2020-11-02"], ("quasi-identifier", "date")),
    ("DateOfBirth", ["1950-03-14", "1961-11-02"], ("quasi-identifier", "date")),
    ("zip_code", ["28001", "28002"], ("quasi-identifier", None)),
    ("site", ["SITE-1", "SITE-2"], ("quasi-identifier", None)),
    ("site_id", ["S1", "S2"], ("quasi-identifier", None)),
    ("occupation", ["nurse", "teacher"], ("quasi-identifier", None)),
    ("imaging_modality", ["MRI", "PET"], ("quasi-identifier", "modality")),
    ("scanner_model", ["Skyra", "Aera"], ("quasi-identifier", "scanner-model")),
    ("icd10", ["C50.1", "C61"], ("sensitive", "icd10")),
    ("diagnosis", ["C50.1", "C61"], ("sensitive", "icd10")),
    ("cancer_type", ["breast", "lung"], ("sensitive", None)),
    ("primary_site", ["breast", "lung"], ("sensitive", None)),
    ("icdo3_morphology", ["8500/3", "8140/3"], ("sensitive", "icdo3-morphology")),
    ("tnm_t", ["cT2", "cT1c"], ("sensitive", "tnm-t")),
    ("N_stage", ["N0", "N1"], ("sensitive", "tnm-n")),
    ("stage", ["IIIA", "IV"], ("sensitive", "stage")),
    ("first_treatment", ["surgery", "chemotherapy"], ("sensitive", None)),
    ("survival_time", ["12", "30"], ("sensitive", None)),
    ("patient_id", ["p1", "p1"], ("identifier", None)),
    ("email", ["a@b", "a@b"], ("identifier", None)),
])
def test_clinical_names(name, values, expected):
    assert suggested(name, values) == expected


def test_values_correct_a_name_that_says_ethnicity_of_a_column_of_countries():
    s = suggest(Table.from_columns({"ethnicity": ["Greece", "Italy", "Italy"]}), "ethnicity")
    assert (s.role, s.preset) == (Role.QUASI_IDENTIFIER, "country")
    assert s.reason == ("the name suggests the ethnic group, also a GDPR special category: a quasi-identifier; "
                        "but the values are countries, not ethnic groups; all of the known values are country names")


def test_a_diagnosis_in_words_gets_no_code_preset():
    s = suggest(Table.from_columns({"diagnosis": ["breast", "lung", "lung"]}), "diagnosis")
    assert (s.role, s.preset, s.reason) == (Role.SENSITIVE, None, "the name suggests the diagnosis or the "
                                            "tumour site: sensitive")


# -- values ----------------------------------------------------------------------------------
@pytest.mark.parametrize("values, expected", [
    (["20230514", "19991231", "20200229"], ("quasi-identifier", "date")),
    (["2023-05-14", "1999-12-31"], ("quasi-identifier", "date")),
    (["20230514101523.5", "20230514"], ("quasi-identifier", "date")),
    (["101523", "235959", "000000.123"], ("quasi-identifier", "time")),
    (["10:15", "23:59:59"], ("quasi-identifier", "time")),
    (["045Y", "006M", "010W", "003D"], ("quasi-identifier", "age-dicom")),
    (["C50.1", "C61", "C34.1", "D05.1"], ("sensitive", "icd10")),
    (["8500/3", "8140/3", "8500/2"], ("sensitive", "icdo3-morphology")),
    (["cT2a", "pT1c", "T4b", "Tis", "TX"], ("sensitive", "tnm-t")),
    (["cN0", "N2a", "pN1mi"], ("sensitive", "tnm-n")),
    (["cM0", "M1c"], ("sensitive", "tnm-m")),
    (["cT2", "cN0", "cM0"], ("sensitive", None)),  # three axes in one column
    (["IIIA", "IV", "0", "IA1"], ("sensitive", "stage")),
    (["F", "M", "O"], ("quasi-identifier", "sex")),
    (["Female", "Male", "Unknown"], ("quasi-identifier", "sex")),
    (["CT", "MR", "PT", "US"], ("quasi-identifier", "modality")),
    (["ES", "IT", "EL", "UK"], ("quasi-identifier", "country")),
    (["PT", "ES", "IT"], ("quasi-identifier", "country")),  # PT is also a modality code
    (["Spain", "The Netherlands", "Greece"], ("quasi-identifier", "country")),
])
def test_values_decide_when_the_name_says_nothing(values, expected):
    assert suggested("column_7", values + values) == expected


def test_an_all_distinct_column_of_unknown_kind_is_a_record_key():
    s = suggest(Table.from_columns({"code": ["x1", "x2", "x3"]}), "code")
    assert (s.role, s.reason) == (Role.IDENTIFIER, "every one of the 3 values is distinct, like a record key; "
                                                   "it will be removed from every output")


def test_all_distinct_dates_are_a_quasi_identifier_not_a_key():
    s = suggest(Table.from_columns({"c": ["20230514", "20230515", "20230516"]}), "c")
    assert (s.role, s.preset) == (Role.QUASI_IDENTIFIER, "date")


def test_unknown_columns_stay_insensitive_with_advice():
    s = suggest(Table.from_columns({"note": ["a", "b", "a", "b"]}), "note")
    assert (s.role, s.preset) == (Role.INSENSITIVE, None)
    assert s.reason.startswith("make it a quasi-identifier (with a `hierarchy:`) if an attacker may know it")


def test_value_kind_needs_the_share_of_known_records():
    # 9 of 10 known records are dates: enough; 8 of 10: not; empty and "unknown" do not count
    assert value_kind(["20230514", "garbage"], [9, 1]) == ("date", 0.9)
    assert value_kind(["20230514", "garbage"], [8, 2]) is None
    assert value_kind(["20230514", "garbage", "", "unknown"], [9, 1, 50, 50]) == ("date", 0.9)
    assert MIN_SHARE == 0.9


def test_value_kind_rejects_impossible_dates_and_times():
    assert value_kind(["20231345", "20230231"], [1, 1]) == ("number", 1.0)
    assert value_kind(["256000", "996161"], [1, 1]) == ("number", 1.0)


def test_value_kind_of_an_empty_column_is_none():
    assert value_kind(["", "unknown"], [3, 2]) is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="abcdefgh0123456789-/.", min_size=3, max_size=12), min_size=2, max_size=30),
       st.sampled_from(["code", "PatientComments", "age", "diagnosis", "note", "c"]))
def test_a_reason_never_quotes_a_value_of_the_data(values, name):
    values = ["zq" + v for v in values]  # a marker no fixed text of the rules holds
    s = suggest(Table.from_columns({name: values}), name)
    assert "zq" not in s.reason


# -- the example data ------------------------------------------------------------------------
def roles_of(path: Path) -> dict[str, tuple[str, str | None]]:
    return {s.column: (s.role.value, s.preset) for s in suggest_roles(read_table(path))}


def test_suggestions_for_the_imaging_example():
    Q, I, N = "quasi-identifier", "identifier", "insensitive"
    assert roles_of(EXAMPLES / "imaging" / "imaging_metadata.csv") == {
        "PatientID": (I, None), "PatientName": (I, None), "PatientSex": (Q, "sex"),
        "PatientAge": (Q, "age-dicom"), "PatientBirthDate": (Q, "date"), "PatientWeight": (Q, "weight"),
        "PatientSize": (Q, "height-m"), "InstitutionName": (Q, None), "StudyInstanceUID": (I, None),
        "AccessionNumber": (I, None), "StudyDate": (Q, "date"), "StudyTime": (Q, "time"),
        "StudyDescription": (I, None), "SeriesInstanceUID": (I, None), "SeriesNumber": (N, None),
        "SeriesDescription": (I, None), "AcquisitionDate": (Q, "date"), "Modality": (Q, "modality"),
        "BodyPartExamined": (Q, "body-part"), "Manufacturer": (Q, "manufacturer"),
        "ManufacturerModelName": (Q, "scanner-model"), "MagneticFieldStrength": (Q, "field-strength"),
        "SliceThickness": (Q, "slice-thickness"), "KVP": (N, None), "XRayTubeCurrent": (N, None),
        "Exposure": (N, None), "ExposureTime": (N, None), "ConvolutionKernel": (N, None),
        "PixelSpacing": (N, None), "Rows": (N, None), "Columns": (N, None), "PatientIdentityRemoved": (N, None),
        "DeidentificationMethod": (N, None)}


def test_suggestions_for_the_clinical_example():
    Q, S = "quasi-identifier", "sensitive"
    assert roles_of(EXAMPLES / "clinical" / "clinical.csv") == {
        "patient_id": ("identifier", None), "sex": (Q, "sex"), "age_at_diagnosis": (Q, "age"),
        "date_of_detection": (Q, "date"), "date_of_diagnosis": (Q, "date"), "date_of_first_treatment": (Q, "date"),
        "icd10": (S, "icd10"), "icdo3_morphology": (S, "icdo3-morphology"), "tnm_t": (S, "tnm-t"),
        "tnm_n": (S, "tnm-n"), "tnm_m": (S, "tnm-m"), "stage": (S, "stage"), "first_treatment": (S, None),
        "smoking_status": (Q, "smoking"), "allergies": (Q, "allergies"), "weight_kg": (Q, "weight"),
        "height_cm": (Q, "height-cm"), "nationality": (Q, "country"), "site": (Q, None)}


def test_suggestions_for_the_eucaim_wizard_pack_example(seed_pack):
    Q = "quasi-identifier"
    assert roles_of(seed_pack / "examples" / "synthetic_patient_data_v2.csv") == {
        "Patient_ID": ("identifier", None), "Acquisition_Date": (Q, "date"), "Acquisition_Time": (Q, "time"),
        "Age": (Q, "age"), "Weight_kg": (Q, "weight"), "Sex": (Q, "sex"), "Ethnicity_Country": (Q, "country"),
        "Allergies": (Q, "allergies"), "Imaging_Modality": (Q, "modality"),
        "Manufacturer_Model": (Q, "scanner-model"), "Zip_Code": (Q, None)}


def test_an_empty_column_is_insensitive_unless_it_is_a_direct_identifier():
    table = Table.from_columns({"EthnicGroup": ["", ""], "age": ["", ""], "PatientName": ["", ""],
                                "email": ["", ""]})
    assert [(s.role.value, s.preset) for s in suggest_roles(table)] == [
        ("insensitive", None), ("insensitive", None), ("identifier", None), ("identifier", None)]
    assert suggest(table, "age").reason == ("every value is empty: nothing to protect (give it a role if it is "
                                            "filled in later)")
