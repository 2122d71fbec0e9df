"""DICOM extraction: walking, reading headers, normalising values, rows per series or study,
damaged files, the guard during extraction, and the `extract` command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pydicom.data import get_testdata_file
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

from eucaim_wizard.dicom import (DEFAULT_TAGS, SERIES_ONLY, DicomError, extract, extract_to_file,
                                 resolve_tags, value_text, walk)
from eucaim_wizard.errors import TableError
from eucaim_wizard.guard import IdentifiedDataError
from eucaim_wizard.tables import read_table
from test_cli import run

SOP_CLASS = {"CT": "1.2.840.10008.5.1.4.1.1.2", "MR": "1.2.840.10008.5.1.4.1.1.4",
             "MG": "1.2.840.10008.5.1.4.1.1.1.2"}
_counter = iter(range(10**6))


def write_dicom(path: Path, *, modality: str = "CT", series: str = "2.25.100", study: str = "2.25.10",
                patient: str = "EUCAIM-7f3a", pixels: bool = True, implicit: bool = False, **attributes) -> Path:
    """A small de-identified file as the EUCAIM profile leaves it (8x8 image), with ``attributes``
    set on top (``None`` deletes one)."""
    sop = f"2.25.{next(_counter) + 1000}"
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SOP_CLASS[modality]
    meta.MediaStorageSOPInstanceUID = sop
    meta.TransferSyntaxUID = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = SOP_CLASS[modality], sop
    ds.PatientID, ds.PatientName = patient, f"{patient}^Anonymous"
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.Modality = study, series, modality
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = "20230501"
    ds.PatientSex, ds.PatientAge, ds.SliceThickness = "F", "062Y", "2.500"
    ds.Manufacturer, ds.ManufacturerModelName = "SIEMENS", "Skyra"
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = "EUCAIM Deidentification v5: CTP"
    for keyword, value in attributes.items():
        if value is None:
            if keyword in ds:
                delattr(ds, keyword)
        else:
            setattr(ds, keyword, value)
    if pixels:
        ds.Rows = ds.Columns = 8
        ds.BitsAllocated = ds.BitsStored = 8
        ds.HighBit, ds.PixelRepresentation, ds.SamplesPerPixel = 7, 0, 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.PixelData = bytes(range(64))
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """Two CT series (3 + 2 files) and an MR series in one study, an MG study of another
    patient; nested at different depths, with and without .dcm."""
    root = tmp_path / "scans"
    for i in range(3):
        write_dicom(root / "p1" / "ct1" / f"{i}.dcm", series="2.25.101", SeriesNumber="1",
                    Exposure=str(100 + i), PixelSpacing=["0.703125", "0.703125"])
    for i in range(2):
        write_dicom(root / "p1" / "ct2" / f"IM{i}", series="2.25.102", SeriesNumber="2",
                    KVP="120.000", SliceThickness="1.250")
    write_dicom(root / "p1" / "mr" / "deep" / "er" / "x.dcm", modality="MR", series="2.25.103",
                MagneticFieldStrength="1.494", SeriesNumber="3")
    write_dicom(root / "p2" / "mg.dcm", modality="MG", patient="EUCAIM-91bc", study="2.25.20",
                series="2.25.201", PatientAge="051Y", Manufacturer="HOLOGIC, Inc.", BodyPartExamined="BREAST")
    return root


def column(result, name):
    return result.table.column(name).tolist()


# --- values --------------------------------------------------------------------------------
@pytest.mark.parametrize(("vr", "value", "text"), [
    ("DS", "5.000000", "5"), ("DS", "1E+2", "100"), ("DS", "-0.0", "0"), ("DS", "0.000125", "0.000125"),
    ("DS", " 1.494", "1.494"), ("DS", ["0.661468", "0.661468"], "0.661468\\0.661468"),
    ("IS", " 007", "7"), ("IS", ["1", "2", "3"], "1\\2\\3"), ("AS", "045Y", "045Y"),
    ("DA", "20230514", "20230514"), ("DA", "1997.04.30", "19970430"), ("TM", "101523.123", "101523.123"),
    ("US", 512, "512"), ("FL", 0.1, "0.1"), ("FD", 2.5, "2.5"), ("FD", 3.0, "3"),
    ("PN", "EUCAIM-7f3a^Anonymous", "EUCAIM-7f3a^Anonymous"), ("CS", ["ORIGINAL", "PRIMARY"], "ORIGINAL\\PRIMARY"),
    ("LO", "", ""), ("OB", b"\x00\x01", ""),
])
@pytest.mark.filterwarnings("ignore:Invalid value for VR")
def test_values_are_normalised_for_a_table(vr, value, text):
    assert value_text(DataElement(0x00091001, vr, value)) == text


def test_a_32_bit_float_is_written_without_float_noise():
    import struct

    single = struct.unpack("<f", struct.pack("<f", 0.3))[0]  # 0.30000001192092896 as a double
    assert value_text(DataElement(0x00189087, "FL", single)) == "0.3"


def test_a_sequence_gives_no_text():
    assert value_text(DataElement(0x00101002, "SQ", Sequence([Dataset()]))) == ""


@pytest.mark.filterwarnings("ignore:Invalid value for VR")
def test_an_invalid_value_in_a_file_is_kept_as_written(tmp_path):
    path = write_dicom(tmp_path / "a.dcm", SliceThickness="2.500", StudyDate="1997.04.30")
    path.write_bytes(path.read_bytes().replace(b"2.500 ", b"abc.5 "))
    result = extract(tmp_path, workers=1)
    assert column(result, "SliceThickness") == ["abc.5"] and column(result, "StudyDate") == ["19970430"]


# --- tags ----------------------------------------------------------------------------------
def test_the_default_tags_are_the_etl_columns_quasi_identifiers_and_markers():
    tags = resolve_tags(None)
    assert tags[:3] == ["PatientID", "StudyInstanceUID", "SeriesInstanceUID"]
    for keyword in ("PixelSpacing", "PatientAge", "PatientBirthDate", "MagneticFieldStrength",
                    "PatientIdentityRemoved", "DeidentificationMethod"):
        assert keyword in tags
    assert len(tags) == len(set(tags)) == len(DEFAULT_TAGS)
    assert not set(SERIES_ONLY) & set(resolve_tags(None, "study"))


def test_tags_replace_or_add_to_the_defaults():
    assert resolve_tags(["Modality", " PatientAge"]) == ["Modality", "PatientAge"]
    assert resolve_tags(["+SeriesDescription"]) == list(DEFAULT_TAGS) + ["SeriesDescription"]


@pytest.mark.parametrize(("tags", "phrase"), [
    (["PatientAgee"], "Did you mean PatientAge?"), (["OtherPatientIDsSequence"], "is a sequence"),
    (["PixelData"], "binary data"), (["Modality", "+PatientAge"], "not both"), ([""], "at least one"),
])
def test_bad_tags_are_explained(tags, phrase):
    with pytest.raises(DicomError, match=phrase):
        resolve_tags(tags)


# --- walking -------------------------------------------------------------------------------
def test_files_are_walked_in_path_order_to_any_depth(tmp_path):
    for name in ("b/2", "a.dcm", "a/z/1", "a/y", "c"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    found = [p.relative_to(tmp_path).as_posix() for p in walk(tmp_path)]
    assert found == ["a/y", "a/z/1", "a.dcm", "b/2", "c"]
    assert found == [p.relative_to(tmp_path).as_posix() for p in sorted(walk(tmp_path))]


# --- rows per series / study -----------------------------------------------------------------
def test_one_row_per_series_with_normalised_values(tree):
    result = extract(tree, workers=1)
    assert (result.files_seen, result.files_read, result.non_dicom, result.skipped) == (7, 7, 0, [])
    assert column(result, "SeriesInstanceUID") == ["2.25.101", "2.25.102", "2.25.103", "2.25.201"]
    assert column(result, "Modality") == ["CT", "CT", "MR", "MG"]
    assert column(result, "PatientID") == ["EUCAIM-7f3a"] * 3 + ["EUCAIM-91bc"]
    assert column(result, "SliceThickness") == ["2.5", "1.25", "2.5", "2.5"]
    assert column(result, "KVP") == ["", "120", "", ""]
    assert column(result, "PixelSpacing") == ["0.703125\\0.703125", "", "", ""]
    assert column(result, "MagneticFieldStrength") == ["", "", "1.494", ""]
    assert column(result, "PatientAge") == ["062Y", "062Y", "062Y", "051Y"]
    assert column(result, "AcquisitionDate") == ["20230501"] * 4
    assert column(result, "Manufacturer")[3] == "HOLOGIC, Inc."
    assert column(result, "PatientIdentityRemoved") == ["YES"] * 4
    assert result.table.columns == list(DEFAULT_TAGS)
    assert result.findings == [] and not result.looks_identified


def test_files_of_a_series_that_disagree_keep_the_first_files_value(tree):
    result = extract(tree, workers=1)
    assert column(result, "Exposure")[0] == "100"  # 0.dcm, 1.dcm, 2.dcm: 100, 101, 102
    [conflict] = result.conflicts
    assert (conflict.keyword, conflict.rows, conflict.example_row) == ("Exposure", 1, 1)


def test_a_value_missing_in_the_first_file_is_taken_from_the_next(tmp_path):
    write_dicom(tmp_path / "a.dcm", BodyPartExamined=None)
    write_dicom(tmp_path / "b.dcm", BodyPartExamined="CHEST")
    result = extract(tmp_path, workers=1)
    assert column(result, "BodyPartExamined") == ["CHEST"] and result.conflicts == []


def test_one_row_per_study(tree):
    result = extract(tree, level="study", workers=1)
    assert column(result, "StudyInstanceUID") == ["2.25.10", "2.25.20"]
    assert column(result, "Modality") == ["CT", "MG"]  # the first file of study 2.25.10 is a CT
    assert "SeriesInstanceUID" not in result.table.columns
    conflicts = {c.keyword: (c.rows, c.example_row) for c in result.conflicts}
    assert conflicts["Modality"] == (1, 1)
    assert conflicts["SliceThickness"] == (1, 1)


def test_the_bundled_pydicom_files(tmp_path):
    shutil.copy(get_testdata_file("CT_small.dcm"), tmp_path / "ct")
    shutil.copy(get_testdata_file("MR_small.dcm"), tmp_path / "mr.dcm")
    result = extract(tmp_path, workers=1, tags=["Modality", "SliceThickness", "PixelSpacing", "KVP",
                                                 "XRayTubeCurrent", "AcquisitionDate", "PatientAge", "Rows"])
    assert result.table.to_pandas().values.tolist() == [
        ["CT", "5", "0.661468\\0.661468", "120", "170", "19970430", "000Y", "128"],
        ["MR", "0.8", "0.3125\\0.3125", "", "", "", "", "64"],
    ]
    codes = {(f.code, f.where) for f in result.findings}
    assert {("identity-not-removed", "PatientIdentityRemoved"), ("real-person-name", "PatientName"),
            ("day-not-01", "StudyDate")} <= codes
    assert result.looks_identified


def test_implicit_vr_and_a_dataset_without_preamble(tmp_path):
    write_dicom(tmp_path / "implicit.dcm", implicit=True, series="2.25.1")
    raw = tmp_path / "raw"
    write_dicom(tmp_path / "full", series="2.25.2")
    from pydicom import dcmread

    dataset = dcmread(tmp_path / "full")
    (tmp_path / "full").unlink()
    del dataset.file_meta
    dataset.preamble = None
    dataset.save_as(raw, enforce_file_format=False, implicit_vr=True, little_endian=True)
    assert raw.read_bytes()[128:132] != b"DICM"
    result = extract(tmp_path, workers=1)
    assert result.skipped == [] and column(result, "SeriesInstanceUID") == ["2.25.1", "2.25.2"]
    assert column(result, "SliceThickness") == ["2.5", "2.5"]


# --- damaged and foreign files ----------------------------------------------------------------
def test_damaged_files_are_listed_with_a_reason_and_foreign_files_counted(tmp_path):
    good = write_dicom(tmp_path / "good.dcm")
    data = good.read_bytes()
    (tmp_path / "pixels_cut.dcm").write_bytes(data[:-20])
    (tmp_path / "header_cut").write_bytes(data[:400])
    (tmp_path / "garbage.dcm").write_bytes(b"\x89PNG" + bytes(300))
    (tmp_path / "empty.dcm").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG" + bytes(300))
    write_dicom(tmp_path / "no_series.dcm", SeriesInstanceUID=None)
    write_dicom(tmp_path / "no_pixels.dcm", pixels=False, Rows=8, Columns=8)
    result = extract(tmp_path, workers=1)
    reasons = {s.path: s.reason for s in result.skipped}
    assert set(reasons) == {"pixels_cut.dcm", "header_cut", "garbage.dcm", "empty.dcm", "no_series.dcm",
                            "no_pixels.dcm"}
    assert reasons["pixels_cut.dcm"] == "truncated: the pixel data needs 64 bytes, the file holds 44"
    assert reasons["header_cut"].startswith("truncated: ")
    assert reasons["garbage.dcm"] == "not a DICOM file (no 'DICM' prefix at byte 128)"
    assert reasons["empty.dcm"] == "empty file"
    assert reasons["no_series.dcm"] == "no SeriesInstanceUID: its series cannot be told"
    assert "ends before its pixel data" in reasons["no_pixels.dcm"]
    assert (result.non_dicom, sorted(result.non_dicom_examples)) == (2, ["notes.txt", "photo.png"])
    assert (result.files_seen, result.files_read, result.table.n_rows) == (9, 1, 1)


def test_a_dicomdir_index_is_counted_with_the_files_that_are_not_images(tmp_path):
    write_dicom(tmp_path / "scan.dcm")
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.1.3.10"  # Media Storage Directory Storage
    meta.MediaStorageSOPInstanceUID, meta.TransferSyntaxUID = "2.25.77", ExplicitVRLittleEndian
    index = Dataset()
    index.file_meta, index.FileSetID = meta, "SCANS"
    index.save_as(tmp_path / "DICOMDIR", enforce_file_format=True)
    result = extract(tmp_path, workers=1)
    assert (result.files_read, result.non_dicom, result.non_dicom_examples, result.skipped) == (1, 1, ["DICOMDIR"], [])


def test_a_file_cut_anywhere_is_never_read_as_complete(tmp_path):
    data = write_dicom(tmp_path / "whole.dcm").read_bytes()
    (tmp_path / "whole.dcm").unlink()
    for cut in range(len(data)):
        (tmp_path / f"{cut:04d}.dcm").write_bytes(data[:cut])
    result = extract(tmp_path, workers=1)
    assert (result.files_read, len(result.skipped)) == (0, len(data))
    for skipped in result.skipped:
        assert skipped.reason.startswith(("empty file", "not a DICOM file", "no data elements", "truncated: ",
                                          "unreadable (damaged or truncated)")), skipped


def test_workers_give_the_same_result_as_one_process(tree):
    one = extract(tree, workers=1)
    two = extract(tree, workers=2)
    assert one.table == two.table
    assert (one.conflicts, one.findings, one.skipped) == (two.conflicts, two.findings, two.skipped)


def test_progress_is_reported_in_files(tree):
    calls = []
    extract(tree, workers=1, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (7, 7)


def test_a_missing_folder_is_explained(tmp_path):
    with pytest.raises(DicomError, match="no such folder"):
        extract(tmp_path / "nowhere")


# --- the guard during extraction -----------------------------------------------------------
def identified(root: Path) -> Path:
    write_dicom(root / "a" / "1.dcm", series="2.25.1")
    write_dicom(root / "b" / "1.dcm", series="1.3.12.2.1107.5.2.30.1", PatientName="DOE^JOHN",
                PatientIdentityRemoved=None, StudyDate="20230514", OperatorsName="SMITH^ANNA")
    return root


def test_identified_headers_are_found_with_row_and_file_but_never_the_value(tmp_path):
    result = extract(identified(tmp_path), workers=1)
    found = {f.code: f for f in result.findings}
    assert set(found) == {"identity-not-removed", "real-person-name", "vendor-uid", "day-not-01",
                          "filled-identifying-field"}
    assert found["real-person-name"].message == (
        "PatientName holds a real-looking name (not a pseudonym) in 1 of 2 file(s), e.g. row 2 (b/1.dcm)")
    assert found["vendor-uid"].where == "SeriesInstanceUID" and found["vendor-uid"].records == 1
    for finding in result.findings:
        text = f"{finding.message} {finding.where} {finding.values}"
        assert "DOE" not in text and "SMITH" not in text and "1.3.12.2.1107" not in text
    assert result.looks_identified


def test_free_text_in_the_table_is_checked_too(tmp_path):
    write_dicom(tmp_path / "a.dcm", StudyDescription="call +34 612 345 678")
    result = extract(tmp_path, workers=1, tags=["+SeriesDescription"])
    assert {f.code for f in result.findings} == {"free-text"}  # a warning only
    write_dicom(tmp_path / "b.dcm", series="2.25.9", StudyDescription="write to jane@example.org")
    result = extract(tmp_path, workers=1)
    assert {(f.code, f.severity) for f in result.findings} == {("free-text", "warning"),
                                                               ("email-address", "error")}


# --- writing -------------------------------------------------------------------------------
def test_the_table_and_the_side_report_are_written(tree, tmp_path):
    (tree / "bad.dcm").write_bytes(b"nonsense")
    outcome = extract_to_file(tree, tmp_path / "series.csv", workers=1)
    table = read_table(tmp_path / "series.csv")
    assert table == outcome.extraction.table and table.n_rows == 4
    report = json.loads((tmp_path / "series.report.json").read_text())
    assert report["skipped"] == [{"path": "bad.dcm", "reason": "not a DICOM file (no 'DICM' prefix at byte 128)"}]
    assert (report["files_read"], report["rows"], report["table"]) == (7, 4, str(tmp_path / "series.csv"))
    assert report["conflicts"][0]["keyword"] == "Exposure" and report["looks_identified"] is False


def test_identified_headers_stop_the_run_unless_confirmed(tmp_path):
    root = identified(tmp_path / "scans")
    with pytest.raises(IdentifiedDataError, match="--i-confirm-deidentified") as caught:
        extract_to_file(root, tmp_path / "out.csv", workers=1)
    assert caught.value.exit_code == 2 and "DOE" not in str(caught.value)
    assert not (tmp_path / "out.csv").exists()
    report = json.loads((tmp_path / "out.report.json").read_text())
    assert report["looks_identified"] is True and report["table"] is None
    extract_to_file(root, tmp_path / "out.csv", workers=1, confirmed=True)
    assert read_table(tmp_path / "out.csv").n_rows == 2
    assert json.loads((tmp_path / "out.report.json").read_text())["confirmed_deidentified"] is True


def test_nothing_readable_is_an_error_with_the_reasons_in_the_report(tmp_path):
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "a.dcm").write_bytes(b"nonsense")
    with pytest.raises(DicomError, match="No DICOM file could be read"):
        extract_to_file(tmp_path / "scans", tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()
    assert json.loads((tmp_path / "out.report.json").read_text())["skipped"][0]["path"] == "a.dcm"


def test_an_output_never_replaces_a_dicom_input(tree):
    target = tree / "p2" / "mg.dcm"
    before = target.read_bytes()
    with pytest.raises(TableError, match="Refusing to write"):
        extract_to_file(tree, target, report=tree / "r.json", workers=1)
    assert target.read_bytes() == before


# --- the command -----------------------------------------------------------------------------

def test_cli_extracts_and_warns_about_skipped_files(tree, tmp_path):
    (tree / "cut.dcm").write_bytes(write_dicom(tmp_path / "x.dcm").read_bytes()[:-10])
    result = run("extract", tree, "-o", tmp_path / "t.csv", "--level", "study")
    assert result.exit_code == 0, result.output
    assert "read 7 DICOM file(s) into 2 studies" in result.output
    assert "warning: 1 file(s) could not be read (e.g. cut.dcm: truncated" in result.output
    assert read_table(tmp_path / "t.csv").n_rows == 2


def test_cli_stops_on_identified_headers_and_goes_on_when_confirmed(tmp_path):
    root = identified(tmp_path / "scans")
    result = run("extract", root, "-o", tmp_path / "t.csv")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.startswith("error: ") and "--i-confirm-deidentified" in result.output
    result = run("extract", root, "-o", tmp_path / "t.csv", "--i-confirm-deidentified")
    assert result.exit_code == 0 and "headers look identified" in result.output


def test_cli_exits_2_when_nothing_can_be_read_or_an_input_would_be_replaced(tree, tmp_path):
    (tmp_path / "empty").mkdir()
    result = run("extract", tmp_path / "empty", "-o", tmp_path / "t.csv")
    assert result.exit_code == 2 and "No DICOM file could be read" in result.output
    result = run("extract", tree, "-o", tree / "p2" / "mg.dcm")
    assert result.exit_code == 2 and "Refusing to write" in result.output


def test_cli_help_has_an_example():
    result = run("extract", "--help")
    assert result.exit_code == 0 and "eucaim-wizard extract examples/dicom -o series.csv" in result.output
