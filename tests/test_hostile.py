"""Hostile and broken input (issue 22): special files are refused, never read (a device such as
/dev/zero never ends; a pipe blocks), by every reader: data, hierarchy, project file, ARX
project; each with one paragraph and exit code 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eucaim_wizard.cli import app

DEVICES = [path for path in ("/dev/zero", "/dev/urandom") if Path(path).exists()]


def _special(tmp_path: Path, kind: str) -> Path:
    if kind == "pipe":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no named pipes on this system (os.mkfifo)")
        fifo = tmp_path / "pipe.csv"
        os.mkfifo(fifo)
        return fifo
    if not DEVICES:
        pytest.skip("no /dev/zero or /dev/urandom on this system")
    return Path(DEVICES[0])


@pytest.mark.parametrize("kind", ["device", "pipe"])
@pytest.mark.parametrize("place", ["data", "hierarchy", "project", "deid", "init", "risk --data"])
def test_a_special_file_is_refused_by_every_reader(tmp_path, kind, place):
    special = _special(tmp_path, kind)
    (tmp_path / "data.csv").write_text("sex\nF\nM\n")
    data = special if place == "data" else "data.csv"
    hierarchy = special if place == "hierarchy" else "preset:sex"
    (tmp_path / "project.yaml").write_text(
        f"data: {data}\nattributes:\n  sex: {{role: quasi-identifier, hierarchy: {hierarchy}}}\n"
        "privacy:\n  - k-anonymity: {k: 2}\n")
    project = str(special if place == "project" else tmp_path / "project.yaml")
    command = {"deid": ["import-arx", str(special), "-o", str(tmp_path / "imported")],
               "init": ["init", str(special), "-o", str(tmp_path / "new.yaml")],
               "risk --data": ["risk", project, "--data", str(special)]}.get(place, ["validate", project])
    result = CliRunner().invoke(app, command, env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert f"is a {'device' if kind == 'device' else 'pipe'}" in result.output.replace("\n", " ")
    assert "Traceback" not in result.output


# --- meaningless inputs (class 7) -----------------------------------------------------------
@pytest.mark.parametrize("entry, named", [
    ("privacy:\n  - k-anonymity: {k: true}\n", "k: Input should be a valid integer (got True)"),
    ("privacy:\n  - k-anonymity: {k: 2.0}\n", "k: Input should be a valid integer (got 2.0)"),
    ("privacy:\n  - k-anonymity: {k: '2'}\n", "k: Input should be a valid integer (got '2')"),
    ("privacy:\n  - k-anonymity: {k: 2}\nsuppression_limit: '0.1'\n",
     "`suppression_limit`: Input should be a valid number (got '0.1')"),
    ("privacy:\n  - k-anonymity: {k: 2}\nsuppression_limit: true\n",
     "`suppression_limit`: Input should be a valid number (got True)"),
])
def test_the_project_file_is_strictly_typed_with_the_key_and_value_named(tmp_path, entry, named):
    """`k: true` was read as k=1: no bool for a number, no float for a count, no number as text."""
    (tmp_path / "data.csv").write_text("sex\nF\nM\n")
    (tmp_path / "project.yaml").write_text(
        "data: data.csv\nattributes:\n  sex: {role: quasi-identifier, hierarchy: preset:sex}\n" + entry)
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "project.yaml")], env={"COLUMNS": "300"})
    assert result.exit_code == 2 and named in result.output.replace("\n", " "), result.output


def test_a_table_with_no_records_is_not_anonymized(tmp_path):
    """A header-only table was "anonymized": 0 records, every model "holds"."""
    (tmp_path / "data.csv").write_text("sex\n")
    (tmp_path / "project.yaml").write_text(
        "data: data.csv\nattributes:\n  sex: {role: quasi-identifier, hierarchy: preset:sex}\n"
        "privacy:\n  - k-anonymity: {k: 2}\n")
    for command in (["anonymize", str(tmp_path / "project.yaml"), "-o", str(tmp_path / "out")],
                    ["run", str(tmp_path / "project.yaml"), "-o", str(tmp_path / "out"), "--no-classification"]):
        result = CliRunner().invoke(app, command, env={"COLUMNS": "300"})
        assert result.exit_code == 2 and "has a header but no records" in result.output.replace("\n", " "), \
            result.output
        assert not (tmp_path / "out").exists()


# --- bad options and names (class 3) --------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8"])
def test_a_wrong_explicit_encoding_is_one_paragraph(tmp_path, encoding):
    """`init latin1.csv --encoding utf-16` ended in a traceback (a plain UnicodeError)."""
    (tmp_path / "latin1.csv").write_bytes("name;age\nJosé;3\n".encode("latin-1"))
    result = CliRunner().invoke(app, ["init", str(tmp_path / "latin1.csv"), "-o", str(tmp_path / "p.yaml"),
                                      "--encoding", encoding], env={"COLUMNS": "300"})
    assert result.exit_code == 2 and f"is not valid {encoding}" in result.output, result.output
    assert not (tmp_path / "p.yaml").exists()


@pytest.mark.parametrize("command", ["init", "validate"])
def test_a_path_too_long_for_the_system_is_one_paragraph(tmp_path, command):
    long = "a" * 5000 + ".csv"
    if command == "init":
        arguments = ["init", long, "-o", str(tmp_path / "p.yaml")]
    else:
        (tmp_path / "project.yaml").write_text(f"data: {long}\n")
        arguments = ["validate", str(tmp_path / "project.yaml")]
    result = CliRunner().invoke(app, arguments, env={"COLUMNS": "300"})
    assert result.exit_code == 2 and "the path is too long (5," in result.output, result.output
    assert len(result.output) < 600  # (the name is shortened, not echoed whole)


# --- archives and XML (class 3) ------------------------------------------------------------
def _deid(path: Path, parts: dict[str, bytes]) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_an_arx_project_whose_parts_inflate_is_refused_as_a_zip_bomb(tmp_path):
    """A `definition.xml` inflating to gigabytes ended in a traceback (MemoryError) or a hang."""
    bomb = _deid(tmp_path / "bomb.deid", {"project.xml": b"<project>" + b" " * (8 << 20) + b"</project>"})
    result = CliRunner().invoke(app, ["import-arx", str(bomb), "-o", str(tmp_path / "p.yaml")], env={"COLUMNS": "300"})
    assert result.exit_code == 2 and "zip bomb" in result.output, result.output
    assert not (tmp_path / "p.yaml").exists()


def test_xml_entity_expansion_is_refused(tmp_path):
    """The "billion laughs": entities that expand to gigabytes."""
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    lol = f'<?xml version="1.0"?><!DOCTYPE project [{"".join(entities)}]><project>&lol9;</project>'.encode()
    from xml.etree import ElementTree

    with pytest.raises(ElementTree.ParseError, match="amplification"):  # (the parser's own limit)
        ElementTree.fromstring(lol)
    deid = _deid(tmp_path / "lol.deid", {"project.xml": lol})
    result = CliRunner().invoke(app, ["import-arx", str(deid), "-o", str(tmp_path / "p.yaml")], env={"COLUMNS": "300"})
    assert result.exit_code == 2 and "not valid XML" in result.output, result.output


# --- no leak through findings (class 4) ---------------------------------------------------
@pytest.mark.parametrize("where", ["outside the project folder", "inside, sharing no value", "/etc/passwd"])
def test_a_file_that_is_not_the_columns_hierarchy_is_never_quoted(tmp_path, where):
    """A hierarchy path pointing at a system file made `validate` quote lines of it."""
    secret = "Name;Secret\nroot:x:0:0:root:/root:/bin/bash;s3cr3t\ndaemon:x:1:1;hunter2\n"
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    (project_dir / "data.csv").write_text("sex\nF\nM\nF\n")
    if where == "/etc/passwd":
        if not Path("/etc/passwd").is_file():
            pytest.skip("no /etc/passwd here")
        hierarchy = "/etc/passwd"
        secret = Path("/etc/passwd").read_text()
    elif where.startswith("outside"):
        (tmp_path / "elsewhere.csv").write_text(secret)
        hierarchy = str(tmp_path / "elsewhere.csv")
    else:
        (project_dir / "wrong.csv").write_text(secret)
        hierarchy = "wrong.csv"
    (project_dir / "project.yaml").write_text(
        f"data: data.csv\nattributes:\n  sex: {{role: quasi-identifier, hierarchy: {hierarchy}}}\n"
        "privacy:\n  - k-anonymity: {k: 2}\n")
    result = CliRunner().invoke(app, ["validate", str(project_dir / "project.yaml")], env={"COLUMNS": "400"})
    assert result.exit_code == 2, result.output
    words = {w for line in secret.splitlines() for w in line.replace(";", ":").split(":") if len(w) >= 4}
    shown = result.output.replace("\n", " ")
    assert not [w for w in words if w in shown and w not in str(project_dir)], shown
    assert "the file's content is not shown" in shown


# --- identified DICOM in free text (class 5) -----------------------------------------------
def test_free_text_columns_are_proposed_as_identifiers_and_never_quoted(tmp_path):
    """`init` proposed StudyDescription as insensitive, so `run` released the names in it."""
    from eucaim_wizard import load_project
    from eucaim_wizard.init import write_starting_project

    (tmp_path / "series.csv").write_text("StudyDescription,SeriesDescription,Modality\n"
                                         + "".join(f"CT THORAX Dr. Zqxgarcia,AX {i},CT\n" for i in range(20)))
    path = write_starting_project(tmp_path / "series.csv", tmp_path / "project.yaml")
    project = load_project(path)
    assert {project.attributes[n].role.value for n in ("StudyDescription", "SeriesDescription")} == {"identifier"}
    assert "Zqxgarcia" not in path.read_text()


def test_a_name_in_other_patient_ids_is_a_sign():
    from pydicom.dataset import Dataset

    from eucaim_wizard.guard import header_signs

    dataset = Dataset()
    dataset.PatientIdentityRemoved = "YES"
    dataset.OtherPatientIDs = "Zqxsmith"
    assert ("name-in-text", "OtherPatientIDs") in header_signs(dataset)
    dataset.OtherPatientIDs = "EUCAIM-3fa9"
    assert ("name-in-text", "OtherPatientIDs") not in header_signs(dataset)


# --- identified DICOM: names in free text and private tags stop `extract` (class 5) ---------
@pytest.mark.parametrize("where, value", [
    ("StudyDescription", "CT THORAX Dr. Garcia Lopez"),
    ("PatientComments", "Patient Maria Fernandez, call back"),
    ("OtherPatientIDs", "GARCIA^MARIA"),
    ("private", "Dr. Garcia Lopez"),
])
def test_a_name_in_free_text_or_a_private_tag_stops_extract_without_echoing_it(tmp_path, where, value):
    """The markers were set, so the tree was extracted with a warning (exit 0) and `run` then
    released the names."""
    from pydicom.dataset import Dataset

    from test_dicom import write_dicom

    tree = tmp_path / "tree"
    write_dicom(tree / "a.dcm", series="2.25.1")
    if where == "private":
        path = write_dicom(tree / "b.dcm", series="2.25.2")
        import pydicom

        dataset = pydicom.dcmread(path)
        block = dataset.private_block(0x0009, "HOSPITAL NOTES", create=True)
        block.add_new(0x10, "LO", value)
        dataset.save_as(path)
        assert isinstance(dataset, Dataset)
    else:
        write_dicom(tree / "b.dcm", series="2.25.2", **{where: value})
    out = tmp_path / "out"
    out.mkdir()
    result = CliRunner().invoke(app, ["extract", str(tree), "-o", str(out / "series.csv")], env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for part in ("Garcia", "GARCIA", "Maria", "MARIA", "Fernandez", "Lopez"):
        assert part not in result.output and part not in (out / "series.report.json").read_text()
    assert not (out / "series.csv").exists()  # only the side report, which names no value
    confirmed = CliRunner().invoke(app, ["extract", str(tree), "-o", str(out / "series.csv"),
                                         "--i-confirm-deidentified"], env={"COLUMNS": "200"})
    assert confirmed.exit_code == 0, confirmed.output
    assert (out / "series.csv").exists()


def test_burned_in_annotation_is_a_finding(tmp_path):
    """`BurnedInAnnotation = YES` (names may be burned into the pixels) was not flagged."""
    from eucaim_wizard.dicom import extract

    from test_dicom import write_dicom

    write_dicom(tmp_path / "a.dcm", series="2.25.1")
    write_dicom(tmp_path / "b.dcm", series="2.25.2", BurnedInAnnotation="YES")
    write_dicom(tmp_path / "c.dcm", series="2.25.3", BurnedInAnnotation="NO")
    found = [f for f in extract(tmp_path, workers=1).findings if f.code == "burned-in-annotation"]
    assert [(f.severity, f.where, f.records) for f in found] == [("warning", "BurnedInAnnotation", 1)]
    assert "pixels" in found[0].message and "row 2" in found[0].message
    out = tmp_path / "series.csv"
    result = CliRunner().invoke(app, ["extract", str(tmp_path), "-o", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "BurnedInAnnotation is YES" in " ".join(result.output.split())


# --- huge lines and cells: refused with a message, never worse than linear (class 2) ---------
def _init(path: Path):
    return CliRunner().invoke(app, ["init", str(path), "-o", str(path.with_suffix(".yaml"))], env={"COLUMNS": "200"})


@pytest.mark.parametrize("case, phrase", [
    ("header without a line break", "the first line is longer than 1 MiB"),
    ("a record of 2 MiB", "line 3 holds a record longer than 1 MiB"),
    ("20,000 columns", "has 20,000 columns; at most 16,384"),
    ("a 2,000-character column name", "the name of column 2 is 2,000 characters long"),
])
def test_huge_lines_columns_and_names_are_refused(tmp_path, case, phrase):
    """A CSV whose header line was 16/32/64 MB took 4x longer at each doubling; a 200 MB line hung."""
    path = tmp_path / "big.csv"
    if case == "header without a line break":
        path.write_bytes(b"a" * (2 << 20))
    elif case == "a record of 2 MiB":
        path.write_bytes(b"a,b\n1,2\n" + b"x" * (2 << 20) + b",3\n4,5\n")
    elif case == "20,000 columns":
        path.write_text(",".join(f"c{i}" for i in range(20_000)) + "\n" + ",".join("1" * 20_000) + "\n")
    else:
        path.write_text("a," + "n" * 2_000 + "\n1,2\n")
    result = _init(path)
    assert result.exit_code == 2, result.output
    assert phrase in " ".join(result.output.split()) and "Traceback" not in result.output
    assert not path.with_suffix(".yaml").exists()


def test_the_sample_is_bounded_and_read_once(tmp_path, monkeypatch):
    """The header and first record are sampled in growing blocks, each searched once; a first
    record longer than the sample's bound is cut (and left out), not read whole."""
    from eucaim_wizard.tables import csv_format

    reads = []
    real_open = open

    class Counting:
        def __init__(self, stream):
            self.stream = stream

        def read(self, n=-1):
            data = self.stream.read(n)
            reads.append(len(data))
            return data

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.stream.close()

    monkeypatch.setattr(csv_format, "open", lambda p, mode="r": Counting(real_open(p, mode)), raising=False)
    path = tmp_path / "long.csv"
    path.write_bytes(b"a,b\n" + b"x" * (40 << 20) + b",1\n")
    head, complete = csv_format._head(path)
    assert not complete and len(head) <= 2 * csv_format.MAX_SAMPLE_BYTES
    assert sum(reads) == len(head) + 1 and len(reads) <= 12


def test_a_parquet_cell_past_the_bound_is_refused_with_its_row(tmp_path, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from eucaim_wizard.tables import common

    monkeypatch.setattr(common, "MAX_CELL_CHARS", 100)
    pq.write_table(pa.table({"a": ["x", "y", "z" * 101], "b": ["1", "2", "3"]}), tmp_path / "t.parquet")
    result = _init(tmp_path / "t.parquet")
    assert result.exit_code == 2
    assert "column 'a', record 3 holds 101 characters in one cell (at most 100)" in " ".join(result.output.split())
    assert "zzz" not in result.output


@pytest.mark.parametrize("case", ["a 200,000-character cell", "a file past the bound"])
def test_a_huge_hierarchy_file_is_refused_in_one_finding(tmp_path, monkeypatch, case):
    from eucaim_wizard.hierarchies import hierarchy

    (tmp_path / "data.csv").write_text("sex\nF\nM\n")
    (tmp_path / "h.csv").write_text("F;*\nM;*\n" + "x" * 200_000 + ";*\n")
    if case == "a file past the bound":
        monkeypatch.setattr(hierarchy, "MAX_HIERARCHY_BYTES", 1000)
    (tmp_path / "project.yaml").write_text("data: data.csv\nattributes:\n  sex: {role: quasi-identifier, "
                                           "hierarchy: h.csv}\nprivacy:\n  - k-anonymity: {k: 2}\n")
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "project.yaml")], env={"COLUMNS": "300"})
    assert result.exit_code == 2 and "Traceback" not in result.output
    text = " ".join(result.output.replace("│", " ").split())
    phrase = "a cell is longer than 131,072 characters" if case.startswith("a 200") else "a hierarchy file holds at most 0 MiB"
    assert phrase in text, text
    assert "xxxxxxxx" not in result.output
