"""`run_workflow` / `eucaim-wizard run`: every file of a run, written atomically and reproducibly."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from eucaim_wizard import load_project, read_table
from eucaim_wizard.cli import app
from eucaim_wizard.errors import InfeasibleError, ProjectError
from eucaim_wizard.guard import IdentifiedDataError
from eucaim_wizard.workflow import STEPS, hierarchy_file_name, report_date, run_workflow

DATE = "2025-03-31"
FAST = {"folds": 3, "models": ("naive-bayes",), "date": DATE}  # a test-sized classification
OUTPUTS = {"anonymized.csv", "result.json", "risk.json", "utility.json", "report.json", "report.pdf",
           "hierarchy_age.csv", "hierarchy_sex.csv", "hierarchy_zip.csv", "project.yaml"}


def write_project(folder: Path, *, rows: int = 90, k: int = 3, suppression: float = 0.1, extra: str = "",
                  sensitive: bool = True) -> Path:
    """A seeded synthetic table of patients (id, age, sex, zip, diagnosis) with its hierarchies."""
    rng = np.random.default_rng(7)
    ages = rng.integers(20, 80, rows)
    sexes = rng.choice(["F", "M"], rows)
    zips = rng.choice(["10115", "10117", "10243", "20095", "20097"], rows)
    diagnoses = rng.choice(["C18", "C34", "C50"], rows)
    lines = ["PatientID,age,sex,zip,diagnosis"] + [
        f"P{i:04d},{a},{s},{z},{d}" for i, (a, s, z, d) in enumerate(zip(ages, sexes, zips, diagnoses))]
    (folder / "patients.csv").write_text("\n".join(lines) + "\n")
    (folder / "age.csv").write_text("".join(f"{a};{a // 10 * 10}-{a // 10 * 10 + 9};{a // 20 * 20}-{a // 20 * 20 + 19};*\n"
                                            for a in range(20, 80)))
    (folder / "sex.csv").write_text("F;*\nM;*\n")
    (folder / "zip.csv").write_text("".join(f"{z};{z[:3]}**;{z[:1]}****;*\n"
                                            for z in ("10115", "10117", "10243", "20095", "20097")))
    role = "sensitive" if sensitive else "insensitive"
    (folder / "project.yaml").write_text(
        "data: patients.csv\nattributes:\n  PatientID: {role: identifier}\n"
        "  age: {role: quasi-identifier, hierarchy: age.csv}\n  sex: {role: quasi-identifier, hierarchy: sex.csv}\n"
        f"  zip: {{role: quasi-identifier, hierarchy: zip.csv}}\n  diagnosis: {{role: {role}}}\n{extra}"
        f"privacy:\n  - k-anonymity: {{k: {k}}}\nsuppression_limit: {suppression}\n")
    return folder / "project.yaml"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def without_dates(pdf: bytes) -> bytes:
    """The PDF without what may differ between two renderings: its dates and document ID."""
    pdf = re.sub(rb"/(CreationDate|ModDate) \(D:[^)]*\)", b"", pdf)
    return re.sub(rb"/ID\s*\[\s*<[0-9a-fA-F]*>\s*<[0-9a-fA-F]*>\s*\]", b"", pdf)


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    """The same project run twice into two folders."""
    folder = tmp_path_factory.mktemp("project")
    project = write_project(folder)
    first = run_workflow(project, folder / "out-a", **FAST)
    second = run_workflow(project, folder / "out-b", **FAST)
    return folder, first, second


def test_a_run_writes_every_output_and_nothing_else(twice):
    folder, first, _ = twice
    assert {p.name for p in (folder / "out-a").iterdir()} == OUTPUTS
    assert set(first.files) == {"table", "result", "risk", "utility", "report_json", "report_pdf",
                                "hierarchy:age", "hierarchy:sex", "hierarchy:zip", "project"}
    # the project file as it was, its digest on the report's first page
    assert (folder / "out-a" / "project.yaml").read_bytes() == (folder / "project.yaml").read_bytes()
    assert first.report["summary"]["project_sha256"] == digest(folder / "project.yaml")
    assert all(path.parent == folder / "out-a" and path.exists() for path in first.files.values())


def test_a_rerun_gives_the_same_bytes_in_every_file(twice):
    folder, _, _ = twice
    for name in sorted(OUTPUTS):
        a, b = (folder / "out-a" / name).read_bytes(), (folder / "out-b" / name).read_bytes()
        if name.endswith(".pdf"):
            assert without_dates(a) == without_dates(b), name
        assert a == b, name  # the creation date is the report's date, so even the PDF is identical


def test_the_pdf_creation_date_is_the_report_date(twice):
    pdf = (twice[0] / "out-a" / "report.pdf").read_bytes()
    assert b"/CreationDate (D:20250331000000+00'00')" in pdf


def test_result_json_has_no_timing_and_what_apply_needs(twice):
    folder, first, _ = twice
    saved = json.loads((folder / "out-a" / "result.json").read_text())
    assert "seconds" not in saved["search"]
    assert saved["transformation"]["levels"] == first.result.optimum.levels
    assert saved["guard"] == {"confirmed_deidentified": False, "findings": []}
    # the hierarchies are the copies beside it, with the SHA-256 of their content
    for name in ("age", "sex", "zip"):
        assert saved["project"]["attributes"][name]["hierarchy"] == f"hierarchy_{name}.csv"
        assert saved["hierarchies"][name] == digest(folder / "out-a" / f"hierarchy_{name}.csv")


def test_apply_with_the_saved_result_reproduces_the_anonymized_table(twice, tmp_path):
    from eucaim_wizard.apply import apply_to_folder, load_saved

    folder, _, _ = twice
    saved = load_saved(folder / "out-a" / "result.json", folder / "patients.csv")
    outcome = apply_to_folder(saved, tmp_path / "again")
    assert outcome.table_path.read_bytes() == (folder / "out-a" / "anonymized.csv").read_bytes()


def test_hierarchy_copies_are_the_project_hierarchies(twice):
    folder, _, _ = twice
    project = load_project(folder / "project.yaml")
    for name in ("age", "sex", "zip"):
        assert (folder / "out-a" / f"hierarchy_{name}.csv").read_text() == project.load_hierarchy(name).to_csv_text()


def test_risk_json_holds_the_input_and_the_output(twice):
    folder, first, _ = twice
    risk = json.loads((folder / "out-a" / "risk.json").read_text())
    optimum = first.result.optimum
    assert risk["input"]["records"] == risk["output"]["records"] == 90
    assert risk["output"]["suppressed_records"] == optimum.suppressed_records
    # in the output the smallest kept class is the optimum's, and it is at least k
    assert risk["output"]["classes"]["min_size"] == optimum.min_class_size >= 3
    assert risk["output"]["prosecutor"]["highest_risk"] == pytest.approx(1 / optimum.min_class_size)
    assert risk["output"]["classes"]["count"] == optimum.equivalence_classes
    # the input is recounted from the table: classes of (age, sex, zip) as they are
    table = read_table(folder / "patients.csv")
    keys = {tuple(row) for row in zip(table.column("age"), table.column("sex"), table.column("zip"))}
    assert risk["input"]["classes"]["count"] == len(keys)


def test_utility_json_is_the_utility_analysis_of_the_optimum(twice):
    folder, first, _ = twice
    utility = json.loads((folder / "out-a" / "utility.json").read_text())
    assert utility["transformation"]["levels"] == first.result.optimum.levels
    assert utility["classification"]["target"] == "diagnosis"
    assert utility["classification"]["folds"] == 3


def test_progress_runs_through_every_step_once_and_ends_at_the_total(tmp_path):
    project = write_project(tmp_path)
    calls, steps = [], []
    run_workflow(project, tmp_path / "out", classification=False, date=DATE,
                 progress=lambda done, total: calls.append((done, total)), step=steps.append)
    assert steps == [name for name, _ in STEPS]
    done = [d for d, _ in calls]
    assert done == sorted(done) and calls[-1] == (sum(w for _, w in STEPS),) * 2


def test_an_identified_table_stops_before_anything_is_written(tmp_path):
    project = write_project(tmp_path, extra="  contact: {role: insensitive}\n")
    table = (tmp_path / "patients.csv").read_text().splitlines()
    rows = [table[0] + ",contact"] + [f"{line},p{i}@example.org" for i, line in enumerate(table[1:])]
    (tmp_path / "patients.csv").write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    with pytest.raises(IdentifiedDataError, match="looks identified"):
        run_workflow(project, out, **FAST)
    assert not out.exists()


def test_a_confirmed_identified_table_runs_and_the_report_says_so(tmp_path):
    project = write_project(tmp_path, extra="  contact: {role: insensitive}\n")
    table = (tmp_path / "patients.csv").read_text().splitlines()
    rows = [table[0] + ",contact"] + [f"{line},p{i}@example.org" for i, line in enumerate(table[1:])]
    (tmp_path / "patients.csv").write_text("\n".join(rows) + "\n")
    outcome = run_workflow(project, tmp_path / "out", confirmed_deidentified=True, classification=False, date=DATE)
    guard = outcome.report["input"]["guard"]
    assert guard["confirmed_deidentified"] and [f["code"] for f in guard["findings"]] == ["email-address"]


def test_an_infeasible_project_leaves_an_existing_folder_as_it_was(tmp_path):
    project = write_project(tmp_path, rows=12, k=50, suppression=0.0)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(InfeasibleError):
        run_workflow(project, out, **FAST)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]  # no staging folder left behind


def test_never_writes_over_an_input_hierarchy(tmp_path):
    project = write_project(tmp_path)
    text = (tmp_path / "project.yaml").read_text().replace("hierarchy: age.csv", "hierarchy: hierarchy_age.csv")
    (tmp_path / "age.csv").rename(tmp_path / "hierarchy_age.csv")
    (tmp_path / "project.yaml").write_text(text)
    before = (tmp_path / "hierarchy_age.csv").read_bytes()
    from eucaim_wizard.tables.output import OutputError

    with pytest.raises(OutputError, match="never writes over its input"):
        run_workflow(project, tmp_path, classification=False, date=DATE)
    assert (tmp_path / "hierarchy_age.csv").read_bytes() == before
    assert not (tmp_path / "report.pdf").exists() and not (tmp_path / "anonymized.csv").exists()


def test_an_unknown_target_is_refused_before_the_search(tmp_path):
    project = write_project(tmp_path)
    with pytest.raises(ProjectError, match="'weight' is not a column"):
        run_workflow(project, tmp_path / "out", target="weight", **FAST)
    with pytest.raises(ProjectError, match="identifier"):
        run_workflow(project, tmp_path / "out", target="PatientID", **FAST)
    assert not (tmp_path / "out").exists()


def test_without_a_sensitive_attribute_classification_is_skipped_with_the_reason(tmp_path):
    project = write_project(tmp_path, sensitive=False)
    outcome = run_workflow(project, tmp_path / "out", **FAST)
    assert outcome.utility.classification is None
    assert "no sensitive attribute" in outcome.report["utility"]["classification_note"]
    assert outcome.report["summary"]["relative_accuracy"] is None


def test_xlsx_copy_has_the_same_rows_and_the_same_bytes_on_a_rerun(tmp_path):
    project = write_project(tmp_path)
    a = run_workflow(project, tmp_path / "a", xlsx=True, classification=False, date=DATE)
    b = run_workflow(project, tmp_path / "b", xlsx=True, classification=False, date=DATE)
    assert a.files["xlsx"].read_bytes() == b.files["xlsx"].read_bytes()
    csv, xlsx = read_table(a.files["table"]), read_table(a.files["xlsx"])
    assert xlsx.columns == csv.columns
    assert all(xlsx.column(c).tolist() == csv.column(c).tolist() for c in csv.columns)
    assert a.report["output"]["copies"] == [{"name": "anonymized.xlsx", "sha256": digest(a.files["xlsx"])}]


def test_a_large_lattice_charts_the_checked_transformations_and_the_optimums_nearest(tmp_path):
    import eucaim_wizard.explore as explore_module

    project = write_project(tmp_path)
    outcome = run_workflow(project, tmp_path / "out", classification=False, max_candidates=5, around=7, date=DATE)
    search = outcome.report["search"]
    result = outcome.result
    known = {node for node, e in result.outcome.evaluations.items() if e.suppressed is not None}
    near = set(explore_module.neighbourhood(result, 7))
    assert search["lattice_size"] > 5 and search["evaluated_for_chart"] == len(known | near) < search["lattice_size"]
    assert search["listing"] == "the transformations the search checked and the optimum's nearest"
    assert result.optimum.levels in [c["levels"] for c in search["pareto_front"]]


def test_a_chosen_candidate_makes_the_whole_run_about_it(tmp_path):
    """--pick / --levels: the table, result.json, risk, utility and the report are about the
    chosen candidate; the report names the choice and shows the optimum beside it."""
    from eucaim_wizard.explore import Choice, listed_candidates, pick

    project = write_project(tmp_path)
    outcome = run_workflow(project, tmp_path / "out", classification=False, date=DATE, choice=Choice(pick=2))
    result = outcome.result
    chosen = pick(listed_candidates(result), 2)
    assert chosen.levels != result.optimum.levels
    report = outcome.report
    assert report["summary"]["transformation"] == chosen.levels
    assert report["summary"]["chosen"] == {"how": "row 2 of the listing sorted by loss",
                                           "optimum": result.optimum.levels}
    assert report["summary"]["suppressed_records"] == chosen.suppressed_records
    search = report["search"]
    assert search["optimum"]["levels"] == chosen.levels  # (the released transformation)
    assert search["least_loss"]["levels"] == result.optimum.levels
    assert search["least_loss"]["information_loss"] == result.optimum.information_loss
    assert search["alternatives"] and all(a["anonymous"] for a in search["alternatives"])
    assert search["optimum"]["highest_risk"] == 1 / chosen.min_class_size
    saved = json.loads((tmp_path / "out" / "result.json").read_text())
    assert saved["applied"]["levels"] == chosen.levels and saved["transformation"]["levels"] == chosen.levels
    assert json.loads((tmp_path / "out" / "utility.json").read_text())["transformation"]["levels"] == chosen.levels
    risk = json.loads((tmp_path / "out" / "risk.json").read_text())
    assert risk["output"]["suppressed_records"] == chosen.suppressed_records
    expected = result.anonymized_table(chosen.levels)
    assert read_table(tmp_path / "out" / "anonymized.csv").column("age").tolist() == expected.column("age").tolist()
    # the same candidate by its levels, positional as explore prints them: the same files
    positional = ",".join(str(chosen.levels[q]) for q in result.quasi_identifiers)
    again = run_workflow(project, tmp_path / "again", classification=False, date=DATE, choice=Choice(levels=positional))
    assert digest(tmp_path / "again" / "anonymized.csv") == digest(tmp_path / "out" / "anonymized.csv")
    assert again.report["summary"]["chosen"]["how"] == f"the chosen levels {positional}"


def test_a_candidate_that_is_not_anonymous_is_refused_before_anything_is_written(tmp_path):
    from eucaim_wizard.explore import Choice, NotAnonymousError

    project = write_project(tmp_path)
    with pytest.raises(NotAnonymousError, match="is not anonymous"):
        run_workflow(project, tmp_path / "out", classification=False, date=DATE,
                     choice=Choice(levels="age=0,sex=0,zip=0"))
    assert not (tmp_path / "out").exists()


def test_report_date_takes_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert report_date() == "2023-11-14"
    assert report_date("2024-02-29") == "2024-02-29"
    with pytest.raises(ProjectError, match="YYYY-MM-DD"):
        report_date("31/03/2025")


def test_hierarchy_file_names_are_safe():
    assert hierarchy_file_name("age") == "hierarchy_age.csv"
    assert hierarchy_file_name("date of birth/exact") == "hierarchy_date_of_birth_exact.csv"


def test_cli_run_prints_where_the_files_are_and_the_headline_numbers(tmp_path):
    project = write_project(tmp_path)
    result = CliRunner().invoke(app, ["run", str(project), "-o", str(tmp_path / "out"), "--no-classification",
                                      "--date", DATE])
    assert result.exit_code == 0, result.output
    assert "k-anonymity (k=3): holds" in result.output
    assert str(tmp_path / "out" / "report.pdf") in result.output.replace("\n", "")
    assert "relative classification accuracy not measured" in result.output


def test_cli_run_exit_codes(tmp_path):
    project = write_project(tmp_path, rows=12, k=50, suppression=0.0)
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(project), "-o", str(tmp_path / "out")]).exit_code == 3
    assert runner.invoke(app, ["run", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "out")]).exit_code == 2
    help_text = runner.invoke(app, ["run", "--help"]).output
    assert "Example: eucaim-wizard run" in help_text


def test_the_project_file_chooses_the_candidate_and_signs_the_release(tmp_path):
    """`transformation:` releases a candidate without pinning min=max levels; `release:` is on
    the report's first page with the project file's SHA-256."""
    import pypdf

    project = write_project(tmp_path, extra="transformation: {levels: \"3,1,2\"}\n"
                                             "release: {curator: C. Urator, rationale: bands suffice, "
                                             "approved_by: the DPO}\n")
    outcome = run_workflow(project, tmp_path / "out", classification=False, date=DATE)
    summary = outcome.report["summary"]
    assert summary["transformation"] == {"age": 3, "sex": 1, "zip": 2}
    assert summary["chosen"]["how"] == "the chosen levels 3,1,2, in the project file"
    assert summary["release"] == {"curator": "C. Urator", "rationale": "bands suffice", "approved_by": "the DPO"}
    assert summary["project_sha256"] == digest(project)
    first_page = " ".join(pypdf.PdfReader(tmp_path / "out" / "report.pdf").pages[0].extract_text().split())
    for phrase in ("chosen by the curator", "C. Urator", "bands suffice", "the DPO", digest(project)[:16]):
        assert phrase in first_page
    # the command line's choice wins over the project file's
    from eucaim_wizard.explore import Choice

    again = run_workflow(project, tmp_path / "again", classification=False, date=DATE,
                         choice=Choice(levels={"age": 3, "sex": 1, "zip": 3}))
    assert again.report["summary"]["transformation"] == {"age": 3, "sex": 1, "zip": 3}


@pytest.mark.parametrize("entry, phrase", [
    ("transformation: {levels: {age: 1}, pick: 2}", "not both"),
    ("transformation: {sort: risk}", "give the levels"),
    ("transformation: {pick: 0}", "greater than or equal to 1"),
    ("release: {curator: x, signed: yes}", "signed"),
])
def test_a_wrong_choice_or_release_in_the_project_file_is_one_paragraph(tmp_path, entry, phrase):
    project = write_project(tmp_path, extra=entry + "\n")
    with pytest.raises(ProjectError, match=phrase):
        load_project(project)
