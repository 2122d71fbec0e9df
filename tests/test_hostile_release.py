"""Side doors (issue 24): every release path guarded, no identifying value echoed.

Part of the hostile suite: each class is tested through the commands that reach it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eucaim_wizard.cli import app


def _cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "300"})


def _text(result) -> str:
    return " ".join(result.output.replace("│", " ").split())


def _project(folder: Path, *, extra: str = "") -> Path:
    """300 records: sex and age as quasi-identifiers, a sensitive diagnosis."""
    rows = ["sex,age,diagnosis"] + [f"{'FM'[i % 2]},{20 + i % 50},{'ABC'[i % 3]}" for i in range(300)]
    (folder / "data.csv").write_text("\n".join(rows) + "\n")
    (folder / "project.yaml").write_text(
        "data: data.csv\nattributes:\n  sex: {role: quasi-identifier, hierarchy: 'preset:sex'}\n"
        "  age: {role: quasi-identifier, hierarchy: 'preset:age'}\n  diagnosis: {role: sensitive}\n" + extra +
        "privacy:\n  - k-anonymity: {k: 5}\nsuppression_limit: 0.05\n")
    return folder / "project.yaml"


def _batch(folder: Path, column: str | None, value=lambda i: f"p{i}.doe@mail.example") -> Path:
    """A next batch like the first, with one more column (None: none)."""
    head = "sex,age,diagnosis" + (f",{column}" if column else "")
    rows = [head] + [f"{'FM'[i % 2]},{20 + i % 50},{'ABC'[i % 3]}" + (f",{value(i)}" if column else "")
                     for i in range(300)]
    path = folder / "batch.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


# --- class 1: apply and export-arx release unlisted columns unguarded ------------------------
def test_apply_refuses_a_column_the_project_does_not_list(tmp_path):
    project = _project(tmp_path)
    assert _cli("anonymize", project, "-o", tmp_path / "first").exit_code == 0
    batch = _batch(tmp_path, "contact")
    result = _cli("apply", tmp_path / "first" / "result.json", batch, "-o", tmp_path / "next")
    assert result.exit_code == 2, result.output
    text = _text(result)
    assert "'contact'" in text and "not listed in the project" in text and "doe@mail" not in text
    assert not (tmp_path / "next").exists()


@pytest.mark.parametrize("value, code", [(lambda i: f"p{i}.doe@mail.example", "email-address"),
                                         (lambda i: f"Doe{i % 7}^Jane", "person-name")])
def test_apply_guards_the_new_batch_like_anonymize(tmp_path, value, code):
    """A listed insensitive column whose new values are e-mail addresses or person names."""
    project = _project(tmp_path, extra="  contact: {role: insensitive}\n")
    rows = (tmp_path / "data.csv").read_text().splitlines()
    (tmp_path / "data.csv").write_text("\n".join([rows[0] + ",contact"] + [r + ",none" for r in rows[1:]]) + "\n")
    assert _cli("anonymize", project, "-o", tmp_path / "first").exit_code == 0
    batch = _batch(tmp_path, "contact", value)
    result = _cli("apply", tmp_path / "first" / "result.json", batch, "-o", tmp_path / "next")
    assert result.exit_code == 2, result.output
    assert "looks identified" in _text(result) and "doe" not in result.output.lower()
    assert not (tmp_path / "next").exists()
    confirmed = _cli("apply", tmp_path / "first" / "result.json", batch, "-o", tmp_path / "next",
                     "--i-confirm-deidentified")
    assert confirmed.exit_code == 0, confirmed.output
    guard = json.loads((tmp_path / "next" / "apply.json").read_text())["guard"]
    assert guard["confirmed_deidentified"] is True and code in {f["code"] for f in guard["findings"]}


def test_export_arx_runs_the_guard(tmp_path):
    rows = ["sex,age,diagnosis,note"] + [f"{'FM'[i % 2]},{20 + i % 50},A,p{i}.doe@mail.example" for i in range(50)]
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "project.yaml").write_text(
        "data: data.csv\nattributes:\n  sex: {role: quasi-identifier, hierarchy: 'preset:sex'}\n"
        "  age: {role: quasi-identifier, hierarchy: 'preset:age'}\nprivacy:\n  - k-anonymity: {k: 5}\n")
    result = _cli("export-arx", tmp_path / "project.yaml", "-o", tmp_path / "arx")
    assert result.exit_code == 2, result.output
    assert "looks identified" in _text(result) and "doe@mail" not in result.output
    assert not (tmp_path / "arx").exists()
    confirmed = _cli("export-arx", tmp_path / "project.yaml", "-o", tmp_path / "arx", "--i-confirm-deidentified")
    assert confirmed.exit_code == 0, confirmed.output


def test_apply_gives_the_next_batch_the_same_pseudonyms(tmp_path):
    """apply dropped a pseudonymized identifier's column (result.json did not say how to
    pseudonymize it) or, from a project file, released it raw."""
    project = _project(tmp_path, extra="  pid: {role: identifier, pseudonymize: true, secret_env: TEST_SECRET}\n")
    rows = (tmp_path / "data.csv").read_text().splitlines()
    (tmp_path / "data.csv").write_text("\n".join([rows[0] + ",pid"] + [r + f",P{i:04d}" for i, r in
                                                                       enumerate(rows[1:])]) + "\n")
    env = {"COLUMNS": "300", "TEST_SECRET": "a long enough secret for the test, 32+ chars"}
    first = CliRunner().invoke(app, ["anonymize", str(project), "-o", str(tmp_path / "first")], env=env)
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(app, ["apply", str(tmp_path / "first" / "result.json"), str(tmp_path / "data.csv"),
                                     "-o", str(tmp_path / "next")], env=env)
    assert again.exit_code == 0, again.output
    from eucaim_wizard.tables import read_table

    released = read_table(tmp_path / "first" / "anonymized.csv").column("pid").tolist()
    assert read_table(tmp_path / "next" / "anonymized.csv").column("pid").tolist() == released
    assert not any(v.startswith("P0") for v in released)


# --- class 2: pseudonymized identifiers were shown raw by the utility analysis ---------------
@pytest.mark.parametrize("option", [["--frequencies", "pid"], ["--contingency", "pid,sex"], ["--target", "pid"]])
def test_identifiers_are_never_analysed(tmp_path, option):
    project = _project(tmp_path, extra="  pid: {role: identifier, pseudonymize: true, secret_env: TEST_SECRET}\n")
    rows = (tmp_path / "data.csv").read_text().splitlines()
    (tmp_path / "data.csv").write_text("\n".join([rows[0] + ",pid"] + [r + f",P{i:04d}" for i, r in
                                                                       enumerate(rows[1:])]) + "\n")
    result = CliRunner().invoke(app, ["utility", str(project), *option, "--json", str(tmp_path / "u.json")],
                                env={"COLUMNS": "300", "TEST_SECRET": "a long enough secret for the test, 32+ chars"})
    assert result.exit_code == 2, result.output
    assert "never analysed" in _text(result) and "P00" not in result.output
    assert not (tmp_path / "u.json").exists()


def test_the_utility_json_holds_no_identifier_value(tmp_path):
    project = _project(tmp_path, extra="  pid: {role: identifier, pseudonymize: true, secret_env: TEST_SECRET}\n")
    rows = (tmp_path / "data.csv").read_text().splitlines()
    (tmp_path / "data.csv").write_text("\n".join([rows[0] + ",pid"] + [r + f",P{i:04d}" for i, r in
                                                                       enumerate(rows[1:])]) + "\n")
    result = CliRunner().invoke(app, ["utility", str(project), "--frequencies", "sex", "--json",
                                      str(tmp_path / "u.json")], env={"COLUMNS": "300", "TEST_SECRET": "x" * 40})
    assert result.exit_code == 0, result.output
    assert "P00" not in (tmp_path / "u.json").read_text() and "P00" not in result.output


# --- class 3: values echoed although the guard flagged the column ----------------------------
IDENTIFYING = {"email": lambda i: f"zqx{i % 9}.doe@mail.example", "phone": lambda i: f"+34 612 345 6{i % 9}{i % 7}",
               "person": lambda i: f"Zqxsmith{i % 9}^Johanna"}


@pytest.mark.parametrize("kind", sorted(IDENTIFYING))
def test_validate_never_quotes_a_flagged_columns_values(tmp_path, kind):
    """The hierarchy check's missing-values finding printed them, beside the guard's finding."""
    rows = ["sex,contact"] + [f"{'FM'[i % 2]},{IDENTIFYING[kind](i)}" for i in range(60)]
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "h.csv").write_text("someone;*\nelse;*\n")
    (tmp_path / "project.yaml").write_text(
        "data: data.csv\nattributes:\n  sex: {role: quasi-identifier, hierarchy: 'preset:sex'}\n"
        "  contact: {role: quasi-identifier, hierarchy: h.csv}\nprivacy:\n  - k-anonymity: {k: 2}\n")
    result = _cli("validate", tmp_path / "project.yaml")
    assert result.exit_code == 2
    text = _text(result)
    assert "missing-values" in text and "not shown" in text
    for part in ("zqx", "doe@", "612 345", "Zqxsmith", "Johanna"):
        assert part not in result.output


@pytest.mark.parametrize("kind", sorted(IDENTIFYING))
def test_init_proposes_a_flagged_column_as_identifier_without_its_values(tmp_path, kind):
    """init copied the most frequent values into comments and proposed the e-mails as insensitive."""
    rows = ["sex,contact"] + [f"{'FM'[i % 2]},{IDENTIFYING[kind](i)}" for i in range(60)]
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n")
    result = _cli("init", tmp_path / "data.csv", "-o", tmp_path / "project.yaml")
    assert result.exit_code == 0, result.output
    written = (tmp_path / "project.yaml").read_text()
    assert "contact: {role: identifier}" in written
    for part in ("zqx", "doe@", "612 345", "Zqxsmith", "Johanna"):
        assert part not in written and part not in result.output


# --- class 4: a secret pasted into secret_env / secret_file was printed in full --------------
@pytest.mark.parametrize("key, pasted", [("secret_env", "S3cr3tK3y9f2Ab77Qz41"), ("secret_env", "xK9#fQ2!mZ7@pL0s"),
                                         ("secret_file", "xK9#fQ2!mZ7@pL0s"), ("secret_file", "S3cr3tK3y9f2Ab77Qz41")])
@pytest.mark.parametrize("command", ["validate", "anonymize", "run"])
def test_a_secret_pasted_where_its_place_belongs_is_never_printed(tmp_path, key, pasted, command):
    project = _project(tmp_path, extra=f"  pid: {{role: identifier, pseudonymize: true, {key}: '{pasted}'}}\n")
    rows = (tmp_path / "data.csv").read_text().splitlines()
    (tmp_path / "data.csv").write_text("\n".join([rows[0] + ",pid"] + [r + f",P{i:04d}" for i, r in
                                                                       enumerate(rows[1:])]) + "\n")
    args = [command, project] + ([] if command == "validate" else ["-o", tmp_path / "out"])
    result = _cli(*args)
    assert pasted not in result.output and pasted[:6] not in result.output
    if command != "validate":
        assert result.exit_code == 2 and "choose a new secret" in _text(result)
        assert not (tmp_path / "out").exists()


# --- class 5: '*' at an intermediate level read as suppression ------------------------------
def _star_project(folder: Path) -> Path:
    rows = ["sex,site"] + [f"{'FM'[i % 2]},{'AB'[i % 3 % 2]}" for i in range(60)]
    (folder / "data.csv").write_text("\n".join(rows) + "\n")
    (folder / "h.csv").write_text("F;*;*\nM;M;*\n")
    (folder / "h2.csv").write_text("A;*;*\nB;B;*\n")
    (folder / "project.yaml").write_text(
        "data: data.csv\nattributes:\n  sex: {role: quasi-identifier, hierarchy: h.csv}\n"
        "  site: {role: quasi-identifier, hierarchy: h2.csv}\nprivacy:\n  - k-anonymity: {k: 2}\n")
    return folder / "project.yaml"


@pytest.mark.parametrize("command", ["validate", "anonymize", "run"])
def test_a_star_below_the_top_level_is_refused(tmp_path, command):
    project = _star_project(tmp_path)
    args = [command, project] + ([] if command == "validate" else ["-o", tmp_path / "out", "--levels", "sex=1,site=1"])
    result = _cli(*args)
    assert result.exit_code == 2, result.output
    assert "'*' stands below the top level" in _text(result) and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_failed_re_check_is_one_paragraph_not_a_traceback(tmp_path, monkeypatch):
    import eucaim_wizard.release as release
    from eucaim_wizard.errors import VerificationError

    def failing(*args, **kwargs):
        raise VerificationError("the independent re-check of anonymized.csv failed (a test); nothing was written. "
                                "This is a bug in eucaim-wizard: please report it with the project file.")

    monkeypatch.setattr(release, "verify_export", failing)
    result = _cli("anonymize", _project(tmp_path), "-o", tmp_path / "out")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert _text(result).startswith("error: the independent re-check") and not (tmp_path / "out").exists()


# --- class 6: debris of killed runs, and two runs into one folder ----------------------------
def _dead_pid() -> int:
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_the_leftovers_of_a_killed_run_are_removed_and_said(tmp_path):
    """After `kill -9`, staging folders holding a complete anonymized table and `.partial`
    files stayed in the output folder, and no later run cleaned them."""
    import subprocess
    import sys

    out = tmp_path / "out"
    out.mkdir()
    dead = _dead_pid()
    (out / f".eucaim-{dead}-k3j9ab_x").mkdir()
    (out / f".eucaim-{dead}-k3j9ab_x" / "anonymized.csv").write_text("sex,age\nF,20\n")
    (out / f".anonymized.{dead}.ab12cd_e.partial.csv").write_text("sex,age\n")
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (out / f".eucaim-{live.pid}-zz99zz_z").mkdir()  # a live process's: left alone
        result = _cli("anonymize", _project(tmp_path), "-o", out)
        assert result.exit_code == 0, result.output
        assert "note: removed what an interrupted run left in" in _text(result)
        names = sorted(p.name for p in out.iterdir())
        assert names == sorted([f".eucaim-{live.pid}-zz99zz_z", "anonymized.csv", "hierarchy_age.csv",
                                "hierarchy_sex.csv", "result.json"]), names
    finally:
        live.kill()
        live.wait()


def test_a_second_run_into_a_folder_in_use_is_refused(tmp_path):
    """Two runs into one folder were last-writer-wins per file."""
    import fcntl
    import os

    out = tmp_path / "out"
    out.mkdir()
    held = os.open(out / ".eucaim.lock", os.O_RDWR | os.O_CREAT)
    os.write(held, b"424242")
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        result = _cli("anonymize", _project(tmp_path), "-o", out)
        assert result.exit_code == 2, result.output
        assert "Another eucaim-wizard run (process 424242) is writing into" in _text(result)
        assert sorted(p.name for p in out.iterdir()) == [".eucaim.lock"]
    finally:
        os.close(held)
    again = _cli("anonymize", _project(tmp_path), "-o", out)  # the lock released: the next run goes on
    assert again.exit_code == 0 and not (out / ".eucaim.lock").exists()


# --- class 7: terminal escapes in file names reached the terminal raw -----------------------
HOSTILE_NAME = "esc\x1b]0;PWNED\x07b\u202e"


@pytest.mark.parametrize("command", ["init", "validate", "anonymize", "risk", "explore"])
def test_file_and_column_names_reach_the_terminal_escaped(tmp_path, command):
    folder = tmp_path / HOSTILE_NAME
    folder.mkdir()
    rows = [f"sex,{HOSTILE_NAME}"] + [f"{'FM'[i % 2]},{i % 3}" for i in range(40)]
    data = folder / f"{HOSTILE_NAME}.csv"
    data.write_text("\n".join(rows) + "\n")
    (folder / "project.yaml").write_text(
        f"data: '{data.name}'\nattributes:\n  sex: {{role: quasi-identifier, hierarchy: 'preset:sex'}}\n"
        "privacy:\n  - k-anonymity: {k: 500}\n")  # (infeasible: anonymize says so, naming the file)
    args = {"init": ["init", data, "-o", folder / "new.yaml"], "validate": ["validate", folder / "project.yaml"],
            "anonymize": ["anonymize", folder / "project.yaml", "-o", folder / "out"],
            "risk": ["risk", folder / "project.yaml"], "explore": ["explore", folder / "project.yaml"]}[command]
    result = _cli(*args)
    assert "Traceback" not in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output and "\u202e" not in result.output
    assert "\\x1b]0;PWNED\\x07" in result.output  # shown, escaped


# --- class 8: Excel inputs: formulas without saved values, sheets that inflate ---------------
def _xlsx_with_formulas(path: Path, cached: bool) -> Path:
    """A workbook as a program that does not compute formulas writes it (openpyxl: no cached
    value), or, with ``cached``, with the values saved beside the formulas."""
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["sex", "age", "score"])
    for i in range(20):
        sheet.append(["FM"[i % 2], str(30 + i), f"=B{i + 2}*2"])
    book.save(path)
    if cached:  # put a <v> after each <f>, as Excel does on saving
        import re

        with zipfile.ZipFile(path) as source:
            parts = {name: source.read(name) for name in source.namelist()}
        parts["xl/worksheets/sheet1.xml"] = re.sub(rb"(<f>[^<]*</f>)(<v\s*/>|<v></v>)?", rb"\1<v>1</v>",
                                                   parts["xl/worksheets/sheet1.xml"])
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for name, data in parts.items():
                target.writestr(name, data)
    return path


@pytest.mark.parametrize("command", ["init", "risk --data"])
def test_formula_cells_without_saved_values_are_named_not_read_as_empty(tmp_path, command):
    book = _xlsx_with_formulas(tmp_path / "book.xlsx", cached=False)
    args = ["init", book, "-o", tmp_path / "p.yaml"] if command == "init" else \
        ["risk", _project(tmp_path), "--data", book]
    result = _cli(*args)
    assert result.exit_code == 2, result.output
    text = _text(result)
    assert "20 cell(s) hold formulas without a saved value" in text and "C2, C3, C4" in text


def test_formula_cells_with_saved_values_read_as_those_values(tmp_path):
    from eucaim_wizard.tables import read_table

    table = read_table(_xlsx_with_formulas(tmp_path / "book.xlsx", cached=True))
    assert set(table.column("score").tolist()) == {"1"}


def test_a_sheet_that_inflates_past_the_bound_is_refused_as_a_zip_bomb(tmp_path):
    import zipfile

    path = tmp_path / "bomb.xlsx"
    _xlsx_with_formulas(tmp_path / "ok.xlsx", cached=True)
    with zipfile.ZipFile(tmp_path / "ok.xlsx") as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":  # 300 MB of blanks before the end tag: 1,000:1
                data = data.replace(b"</worksheet>", b" " * (300 << 20) + b"</worksheet>")
            target.writestr(name, data)
    result = _cli("init", path, "-o", tmp_path / "p.yaml")
    assert result.exit_code == 2, result.output
    assert "refused as a zip bomb" in _text(result) and "xl/worksheets/sheet1.xml" in _text(result)


# --- class 9: outputs that grow with a column's distinct values ------------------------------
def _with_file_hierarchy(folder: Path, name: str, values: list[str], hierarchy: list[str], *, k: int) -> None:
    """A project: ``name`` (its values, a hierarchy file of ``hierarchy`` rows) and sex as
    quasi-identifiers, a sensitive diagnosis."""
    rows = [f"{name},sex,diagnosis"] + [f"{v},{'FM'[i % 2]},{'ABC'[i % 3]}" for i, v in enumerate(values)]
    (folder / "data.csv").write_text("\n".join(rows) + "\n")
    (folder / "h.csv").write_text("\n".join(hierarchy) + "\n")
    (folder / "project.yaml").write_text(
        f"data: data.csv\nattributes:\n  {name}: {{role: quasi-identifier, hierarchy: h.csv}}\n"
        "  sex: {role: quasi-identifier, hierarchy: 'preset:sex'}\n  diagnosis: {role: sensitive}\n"
        f"privacy:\n  - k-anonymity: {{k: {k}}}\nsuppression_limit: 0.05\n")


def test_the_json_outputs_do_not_list_every_distinct_value(tmp_path):
    """run was 7x slower than anonymize on a QI with a million distinct values: its JSON
    listed every value (report.json 61 MB, utility.json 107 MB).  Here 3,000 values."""
    _with_file_hierarchy(tmp_path, "code", [f"{i}" for i in range(3000)],
                         [f"{i};{i // 100 * 100}-{i // 100 * 100 + 99};*" for i in range(3000)], k=5)
    result = _cli("run", tmp_path / "project.yaml", "-o", tmp_path / "out", "--no-classification")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    for item in report["utility"]["distributions"]:
        assert len(item["original"]) <= 61 and len(item["anonymized"]) <= 61
    code = next(i for i in report["utility"]["distributions"] if i["attribute"] == "code")
    assert code["original_values"] == 3000 and "3,000 values" in code["original_note"]
    utility = json.loads((tmp_path / "out" / "utility.json").read_text())
    table = utility["frequencies"]["code"]["original"]
    assert len(table["values"]) == 1000 and table["distinct"] == 3000
    assert table["other"] == {"values": 2000, "records": 2000}


def test_the_report_of_a_confirmed_run_quotes_no_value_of_a_flagged_column(tmp_path):
    """With --i-confirm-deidentified a run goes on; its report still shows no value of a
    column the guard flagged (no hierarchy examples, no chart labelled with them)."""
    _with_file_hierarchy(tmp_path, "contact", [f"zqx{i % 4}.doe@mail.example" for i in range(80)],
                         [f"zqx{i}.doe@mail.example;mail;*" for i in range(4)], k=2)
    result = _cli("run", tmp_path / "project.yaml", "-o", tmp_path / "out", "--no-classification",
                  "--i-confirm-deidentified")
    assert result.exit_code == 0, result.output
    report = (tmp_path / "out" / "report.json").read_text()
    assert "zqx" not in report
    from pypdf import PdfReader

    assert "zqx" not in " ".join(p.extract_text() for p in PdfReader(tmp_path / "out" / "report.pdf").pages)


def test_utility_lists_no_value_of_a_flagged_column(tmp_path):
    """utility's statistics (the mode), frequency tables and --json listed them."""
    _with_file_hierarchy(tmp_path, "contact", [f"zqx{i % 4}.doe@mail.example" for i in range(80)],
                         [f"zqx{i}.doe@mail.example;mail;*" for i in range(4)], k=2)
    result = _cli("utility", tmp_path / "project.yaml", "--frequencies", "sex", "--json", tmp_path / "u.json")
    assert result.exit_code == 0, result.output
    assert "zqx" not in result.output and "zqx" not in (tmp_path / "u.json").read_text()
    asked = _cli("utility", tmp_path / "project.yaml", "--frequencies", "contact")
    assert asked.exit_code == 2 and "flags its values as identifying" in _text(asked) and "zqx" not in asked.output


def test_a_workbook_whose_sheet_is_cut_is_one_paragraph(tmp_path):
    """The sheet's XML cut in half: openpyxl failed while reading rows, a traceback."""
    import zipfile

    _xlsx_with_formulas(tmp_path / "ok.xlsx", cached=True)
    with zipfile.ZipFile(tmp_path / "ok.xlsx") as source, \
            zipfile.ZipFile(tmp_path / "cut.xlsx", "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, data[:len(data) // 2] if name == "xl/worksheets/sheet1.xml" else data)
    result = _cli("init", tmp_path / "cut.xlsx", "-o", tmp_path / "p.yaml")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "a sheet of the workbook cannot be read" in _text(result)
