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
