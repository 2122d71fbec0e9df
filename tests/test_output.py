"""The one output writer: atomic, never over an input of the run — for every command."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eucaim_wizard.cli import app
from eucaim_wizard.tables.output import OutputError, atomic_output, refuse_inputs, write_json

ROWS = [("34", "F"), ("35", "F"), ("36", "M"), ("37", "M"), ("44", "F"), ("45", "F"), ("46", "M"), ("47", "M")]


@pytest.fixture()
def project(tmp_path) -> Path:
    """A small project: data.csv, two hierarchy files, project.yaml (k=2)."""
    (tmp_path / "data.csv").write_text("age;sex;note\n" + "".join(f"{a};{s};n{i}\n" for i, (a, s) in enumerate(ROWS)))
    (tmp_path / "age.csv").write_text("".join(f"{a};{a[0]}0-{a[0]}9;*\n" for a, _ in ROWS))
    (tmp_path / "sex.csv").write_text("F;*\nM;*\n")
    (tmp_path / "project.yaml").write_text(
        "data: data.csv\nattributes:\n  age: {role: quasi-identifier, hierarchy: age.csv}\n"
        "  sex: {role: quasi-identifier, hierarchy: sex.csv}\nprivacy:\n  - k-anonymity: {k: 2}\n")
    return tmp_path / "project.yaml"


def _invoke(arguments: list[str]):
    return CliRunner().invoke(app, [str(a) for a in arguments], env={"COLUMNS": "200"})


# command line -> the input it aims its output at (relative to the project's folder)
CASES = {
    "check --json on the data": (lambda d: ["check", d / "project.yaml", "--json", d / "data.csv"], "data.csv"),
    "check --json on the project": (lambda d: ["check", d / "project.yaml", "--json", d / "project.yaml"],
                                    "project.yaml"),
    "check --json on a hierarchy": (lambda d: ["check", d / "project.yaml", "--json", d / "age.csv"], "age.csv"),
    "check --json on --data": (lambda d: ["check", d / "project.yaml", "--data", d / "other.csv", "--json",
                                          d / "other.csv"], "other.csv"),
    "risk --json on a hierarchy": (lambda d: ["risk", d / "project.yaml", "--json", d / "sex.csv",
                                              "--no-attributes"], "sex.csv"),
    "risk --json through ./": (lambda d: ["risk", d / "project.yaml", "--json", d / "." / "data.csv"], "data.csv"),
    "explore --json on the project": (lambda d: ["explore", d / "project.yaml", "--json", d / "project.yaml"],
                                      "project.yaml"),
    "utility --json on a hierarchy": (lambda d: ["utility", d / "project.yaml", "--json", d / "age.csv"],
                                      "age.csv"),
    "anonymize -o into the data's folder, data named anonymized.csv": (
        lambda d: ["anonymize", d / "p2.yaml", "-o", d], "anonymized.csv"),
    "run -o into the data's folder, data named anonymized.csv": (
        lambda d: ["run", d / "p2.yaml", "-o", d, "--no-classification"], "anonymized.csv"),
    "init -o on the data": (lambda d: ["init", d / "data.csv", "-o", d / "data.csv", "--force"], "data.csv"),
    "hierarchies export on --data": (lambda d: ["hierarchies", "export", "sex", "--data", d / "other.csv",
                                                "--column", "sex", "-o", d / "other.csv", "--force"], "other.csv"),
    "export-arx into the data's folder, data named data.csv": (
        lambda d: ["export-arx", d / "project.yaml", "-o", d, "--force"], "data.csv"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_an_output_over_an_input_is_refused_and_the_input_is_untouched(project, case):
    folder = project.parent
    (folder / "other.csv").write_text((folder / "data.csv").read_text())
    (folder / "anonymized.csv").write_text((folder / "data.csv").read_text())
    (folder / "p2.yaml").write_text(project.read_text().replace("data: data.csv", "data: anonymized.csv"))
    arguments, target = CASES[case]
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    result = _invoke(arguments(folder))
    assert result.exit_code == 2, result.output
    assert "never writes over its input" in result.output or "is the data file itself" in result.output, \
        result.output
    assert "Traceback" not in result.output
    assert (folder / target).read_bytes() == before[target]
    after = {p.name for p in folder.iterdir()}
    assert not [name for name in after if ".partial" in name], after


@pytest.mark.parametrize("command", ["check", "risk", "explore", "utility"])
def test_json_outputs_are_written_where_they_are_no_input(project, command):
    folder = project.parent
    extra = {"risk": ["--no-attributes"]}.get(command, [])
    result = _invoke([command, project, "--json", folder / f"{command}.json", *extra])
    assert result.exit_code in (0, 1), result.output
    assert isinstance(json.loads((folder / f"{command}.json").read_text()), dict)


def test_refuse_inputs_sees_links_and_other_spellings(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("a\n")
    os.link(data, tmp_path / "hard.csv")
    (tmp_path / "soft.csv").symlink_to(data)
    for spelling in (data, tmp_path / "." / "data.csv", tmp_path / "hard.csv", tmp_path / "soft.csv"):
        with pytest.raises(OutputError, match="never writes over its input"):
            refuse_inputs(spelling, [data])
    refuse_inputs(tmp_path / "new.csv", [data, None])  # another file: fine


def test_a_failed_write_leaves_neither_output_nor_temporary_file(tmp_path):
    target = tmp_path / "out.json"
    with pytest.raises(RuntimeError):
        with atomic_output(target, inputs=[]) as out:
            out.write(b"half")
            raise RuntimeError("disk gone")
    assert list(tmp_path.iterdir()) == []
    write_json({"a": 1}, target, inputs=[])
    assert json.loads(target.read_text()) == {"a": 1} and list(tmp_path.iterdir()) == [target]


def test_the_temporary_file_keeps_the_target_suffix(tmp_path):
    seen = []
    with atomic_output(tmp_path / "anonymized.xlsx", inputs=[], verify=lambda p: seen.append(p.name)) as out:
        out.write(b"x")
    assert seen[0].endswith(".xlsx") and seen[0].startswith(".anonymized.") and ".partial" in seen[0]


# --- operating-system errors on output (issue 22, class 1) -----------------------------------
@pytest.mark.parametrize("code, words", [("ENOSPC", "the disk is full"), ("EROFS", "read-only"),
                                         ("EACCES", "permission denied"), ("ENAMETOOLONG", "too long")])
@pytest.mark.parametrize("command", ["anonymize", "run"])
def test_an_os_error_on_output_is_one_paragraph_and_leaves_no_output(project, monkeypatch, code, words, command):
    """A full disk (or a read-only folder...) when the last file is moved into place: one
    paragraph naming the folder and the reason, exit 2, and the folder as it was (no
    anonymized table left as if the run had succeeded)."""
    import errno

    real = os.replace

    def failing(source, target):
        if Path(target).name == "result.json":
            raise OSError(getattr(errno, code), os.strerror(getattr(errno, code)))
        return real(source, target)

    monkeypatch.setattr(os, "replace", failing)
    out = project.parent / "out"
    extra = ["--no-classification", "--date", "2025-03-31"] if command == "run" else []
    result = CliRunner().invoke(app, [command, str(project), "-o", str(out), *extra])
    assert result.exit_code == 2, result.output
    text = result.output.replace("\n", "")
    assert text.startswith("error: Cannot write the output") and words in text and ".eucaim-" not in text
    assert "Traceback" not in text and str(out) in text
    assert not out.exists() or not any(out.iterdir())


def test_an_os_error_while_writing_one_file_is_one_paragraph(tmp_path, monkeypatch):
    import errno

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("tempfile.mkstemp", full)
    with pytest.raises(OutputError, match=r"Cannot write the output .*a\.json: the disk is full \(ENOSPC\)"):
        write_json({"a": 1}, tmp_path / "a.json", inputs=[])
    assert list(tmp_path.iterdir()) == []
