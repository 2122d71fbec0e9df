"""Hostile file systems (issue 22, class 1): every command that writes, on a real read-only
disk, a full one, and one with room for only part of its outputs (small tmpfs mounts; the
tests need to mount, as root does, and skip with one line where they cannot).

Each ends with one paragraph naming the path and exit code 2, and leaves nothing behind: the
outputs appear all together or not at all."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eucaim_wizard.cli import app

ROOT = Path(__file__).resolve().parents[1]
DEID = ROOT.parent / "shared" / "seed-pack" / "examples" / "synth_data_for_demo_project.deid"
DICOM = ROOT / "examples" / "dicom"
PAGE = 4096


@pytest.fixture
def disk(tmp_path):
    """A 1 MiB tmpfs at ``tmp_path/disk``, unmounted afterwards; ``remount(options)`` changes it."""
    point = tmp_path / "disk"
    point.mkdir()
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(point)],
                                 capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        mounted = None
    if mounted is None or mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root and mount): the full and read-only "
                    "disk cases are not run")
    yield point
    subprocess.run(["umount", "-l", str(point)], capture_output=True, timeout=30)


def _read_only(point: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True, capture_output=True, timeout=30)


def _fill(point: Path, leave: int = 0) -> None:
    """Fill the disk, then free ``leave`` bytes (whole pages)."""
    filler = point / "filler"
    with filler.open("wb") as stream:
        block = b"\0" * (64 * 1024)
        try:
            while True:
                stream.write(block)
                stream.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC
    size = filler.stat().st_size
    with filler.open("r+b") as stream:
        stream.truncate(max(size - leave, 0))


def _project(folder: Path) -> Path:
    """A small project: 300 records, two quasi-identifiers, one sensitive attribute."""
    folder.mkdir(exist_ok=True)
    rows = ["sex,age,diagnosis,note"] + [f"{'FM'[i % 2]},{20 + i % 50},{['A', 'B', 'C'][i % 3]},x{i}"
                                         for i in range(300)]
    (folder / "data.csv").write_text("\n".join(rows) + "\n")
    (folder / "project.yaml").write_text(
        "data: data.csv\nattributes:\n  sex: {role: quasi-identifier, hierarchy: 'preset:sex'}\n"
        "  age: {role: quasi-identifier, hierarchy: 'preset:age'}\n  diagnosis: {role: sensitive}\n"
        "  note: {role: insensitive}\nprivacy:\n  - k-anonymity: {k: 5}\nsuppression_limit: 0.05\n")
    return folder / "project.yaml"


def _command(name: str, tmp_path: Path, target: Path) -> list[str]:
    project = str(_project(tmp_path / "in"))
    if name == "extract":
        if not DICOM.is_dir():
            pytest.skip(f"{DICOM} is missing")
        target.mkdir(exist_ok=True)  # (extract writes into an existing folder)
        return ["extract", str(DICOM), "-o", str(target / "series.csv")]
    if name == "import-arx":
        if not DEID.is_file():
            pytest.skip(f"{DEID} is missing (../shared beside the checkout)")
        return ["import-arx", str(DEID), "-o", str(target / "project.yaml")]
    if name == "run":
        return ["run", project, "-o", str(target), "--no-classification"]
    if name == "apply":  # the first batch released to an ordinary folder, the next one to the disk
        first = tmp_path / "first"
        if not (first / "result.json").exists():
            assert _invoke(["anonymize", project, "-o", str(first)]).exit_code == 0
        return ["apply", str(first / "result.json"), str(tmp_path / "in" / "data.csv"), "-o", str(target)]
    return [name, project, "-o", str(target)]


COMMANDS = ["anonymize", "run", "apply", "extract", "import-arx", "export-arx"]


def _invoke(command: list[str]):
    return CliRunner().invoke(app, command, env={"COLUMNS": "200"})


def _left(point: Path) -> list[str]:
    """What the command left on the disk (the filler aside), hidden files included."""
    return sorted(str(p.relative_to(point)) for p in point.rglob("*") if p.name != "filler")


def _one_paragraph(result, point: Path) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    text = " ".join(result.output.split())
    assert str(point) in text and "Nothing was written" in text, text


def _outputs_size(name: str, tmp_path: Path) -> list[int]:
    """The sizes of the files the command writes, from a run on an ordinary folder."""
    target = tmp_path / "plain"
    result = _invoke(_command(name, tmp_path, target))
    assert result.exit_code == 0, result.output
    sizes = sorted(p.stat().st_size for p in target.rglob("*") if p.is_file())
    shutil.rmtree(target)
    return sizes


@pytest.mark.parametrize("state, words", [("read-only", "read-only"), ("full", "disk is full")])
@pytest.mark.parametrize("name", COMMANDS)
def test_a_read_only_or_full_disk_is_one_paragraph_and_nothing_is_left(tmp_path, disk, name, state, words):
    command = _command(name, tmp_path, disk / "out")
    before = _left(disk)
    _read_only(disk) if state == "read-only" else _fill(disk)
    result = _invoke(command)
    _one_paragraph(result, disk)
    assert words in " ".join(result.output.split())
    assert _left(disk) == before


@pytest.mark.parametrize("name", COMMANDS)
def test_room_for_only_some_outputs_leaves_none_of_them(tmp_path, disk, name):
    """``anonymized.csv`` fitted but ``result.json`` did not: the table was left behind as if
    the run had succeeded.  Here the disk has room for the smallest output only."""
    sizes = _outputs_size(name, tmp_path)
    assert len(sizes) >= 2, sizes
    room = -(-sizes[0] // PAGE) * PAGE  # the smallest file's pages
    if room >= sum(-(-s // PAGE) * PAGE for s in sizes):
        pytest.skip(f"the outputs ({sizes}) are too small to fill part of the disk")
    command = _command(name, tmp_path, disk / "out")
    before = _left(disk)
    _fill(disk, leave=room)
    result = _invoke(command)
    _one_paragraph(result, disk)
    assert _left(disk) == before, "outputs left behind after a failure"


def test_the_disk_fixture_is_really_full(disk):
    _fill(disk)
    with pytest.raises(OSError) as raised:
        (disk / "one").write_bytes(b"x" * 8192)
    assert raised.value.errno == errno.ENOSPC
    (disk / "one").unlink(missing_ok=True)
    assert os.statvfs(disk).f_bavail == 0
