"""The report: report.json and the PDF, read back with pypdf and compared with the JSON files."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eucaim_wizard import Hierarchy, read_table
from eucaim_wizard.report import SECTIONS, render_pdf, report_charts
from eucaim_wizard.report import _format as f
from eucaim_wizard.report.charts import binned
from eucaim_wizard.report.model import hierarchy_source, level_examples, natural_key, ordered_distributions
from eucaim_wizard.utility.classification import MODELS
from eucaim_wizard.workflow import run_workflow

DATE = "2025-03-31"
ZIPS = ("10115", "10117", "10243", "20095", "20097")


def write_project(folder: Path) -> Path:
    """A seeded synthetic table; the zip hierarchy's labels hold letters outside ASCII."""
    rng = np.random.default_rng(11)
    rows = 120
    lines = ["PatientID,age,sex,zip,diagnosis"] + [
        f"P{i:04d},{a},{s},{z},{d}" for i, (a, s, z, d) in enumerate(zip(
            rng.integers(20, 80, rows), rng.choice(["F", "M"], rows), rng.choice(ZIPS, rows),
            rng.choice(["C18", "C34", "C50"], rows, p=[0.5, 0.3, 0.2])))]
    (folder / "patients.csv").write_text("\n".join(lines) + "\n")
    (folder / "age.csv").write_text("".join(f"{a};{a // 10 * 10}-{a // 10 * 10 + 9};*\n" for a in range(20, 80)))
    (folder / "sex.csv").write_text("F;*\nM;*\n")
    (folder / "zip.csv").write_text("".join(f"{z};Bezirk {z[:3]} (Süd-Öst);Región {z[0]};*\n" for z in ZIPS),
                                    encoding="utf-8")
    (folder / "project.yaml").write_text(
        "data: patients.csv\nattributes:\n  PatientID: {role: identifier}\n"
        "  age: {role: quasi-identifier, hierarchy: age.csv, weight: 0.7}\n"
        "  sex: {role: quasi-identifier, hierarchy: sex.csv}\n"
        "  zip: {role: quasi-identifier, hierarchy: zip.csv, max_level: 2}\n  diagnosis: {role: sensitive}\n"
        "privacy:\n  - k-anonymity: {k: 3}\nsuppression_limit: 0.1\n")
    return folder / "project.yaml"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    outcome = run_workflow(write_project(folder), folder / "out", folds=3, date=DATE)
    out = folder / "out"
    reader = pypdf.PdfReader(out / "report.pdf")
    pages = [page.extract_text() for page in reader.pages]
    return {
        "folder": folder, "out": out, "outcome": outcome, "reader": reader, "pages": pages,
        "text": " ".join(" ".join(pages).split()),  # whitespace normalised: lines wrap anywhere
        **{name: json.loads((out / f"{name}.json").read_text()) for name in ("result", "risk", "utility", "report")},
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def flat(sentence: str) -> str:
    return " ".join(sentence.split())


# -- the PDF as a document -------------------------------------------------------------------
def test_the_outline_lists_the_eight_sections_in_page_order(run):
    reader = run["reader"]
    top = [item for item in reader.outline if not isinstance(item, list)]
    assert [item.title for item in top] == [f"{i}. {name}" for i, name in enumerate(SECTIONS, start=1)]
    pages = [reader.get_destination_page_number(item) for item in top]
    assert pages == sorted(pages) and pages[0] == 0 and pages[1] == 1  # the summary has a page of its own


def test_every_section_heading_is_in_the_contents_and_in_the_text(run):
    for i, name in enumerate(SECTIONS, start=1):
        assert run["text"].count(f"{i}. {name}") >= 2, name  # the contents, then the heading


def test_pages_are_a4_and_every_font_is_embedded(run):
    fonts = set()
    for page in run["reader"].pages:
        assert (round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1)) == (595.3, 841.9)
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]  # an embedded TrueType subset
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    assert fonts == {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono", "DejaVuSans-Oblique"}


def test_text_outside_ascii_is_printed(run):
    level = run["result"]["optimum"]["levels"]["zip"]
    assert level in (1, 2)  # the examples at that level hold non-ASCII letters
    example = next(e for e in run["report"]["hierarchies"] if e["attribute"] == "zip")["examples"][0]
    assert f"{example['value']} → {example['generalized']}" in run["text"]
    assert ("Süd-Öst" if level == 1 else "Región") in example["generalized"]


def test_metadata_says_what_and_when(run):
    info = run["reader"].metadata
    assert info.title == "De-identification report: patients.csv"
    assert info["/CreationDate"] == "D:20250331000000+00'00'"
    assert info.creator == "eucaim-wizard"


# -- the numbers of the PDF are those of the JSON files ------------------------------------------
def test_summary_numbers_equal_the_json_files(run):
    text, result, risk, utility = run["text"], run["result"], run["risk"], run["utility"]
    optimum = result["optimum"]
    assert f.levels(optimum["levels"]) in text
    assert f"Information loss {f.decimal(optimum['information_loss'])} ({result['metric_label']}" in text
    assert f"Suppressed records {optimum['suppressed_records']} ({f.share(optimum['suppressed_records'] / 120)})" in text
    before, after = risk["input"], risk["output"]
    assert (f"output {f.decimal(before['prosecutor']['highest_risk'])} → "
            f"{f.decimal(after['prosecutor']['highest_risk'])}") in text
    assert f"Average risk, input → output {f.decimal(before['average_risk'])} → {f.decimal(after['average_risk'])}" in text
    assert f"Relative classification accuracy {f.decimal(utility['classification']['relative_accuracy'])}" in text
    assert "k-anonymity (k=3): holds; achieved k=" in text


def test_risk_table_rows_equal_risk_json(run):
    text, risk = run["text"], run["risk"]
    before, after = risk["input"], risk["output"]
    rows = [("equivalence classes", "classes", "count", f.count), ("smallest class", "classes", "min_size", f.count),
            ("prosecutor: highest risk", "prosecutor", "highest_risk", f.decimal),
            ("prosecutor: records at highest risk", "prosecutor", "records_at_highest_risk", f.count),
            ("prosecutor: records at risk (> 0.2)", "prosecutor", "records_at_risk", f.share),
            ("marketer: success rate", "marketer", "success_rate", f.decimal)]
    for label, group, key, show in rows:
        assert f"{label} {show(before[group][key])} {show(after[group][key])}" in text, label
    for label, key, show in (("average risk", "average_risk", f.decimal), ("lowest risk", "lowest_risk", f.decimal),
                             ("sample uniques", "sample_uniques", f.share)):
        assert f"{label} {show(before[key])} {show(after[key])}" in text, label
    assert f"suppressed records 0 {after['suppressed_records']}" in text


def test_the_plain_words_are_the_risk_modules_sentences(run):
    text, explanations = run["text"], run["risk"]["output"]["explanations"]
    for key in ("classes", "sample_uniques", "prosecutor.highest_risk", "prosecutor.records_at_risk",
                "average_risk", "lowest_risk"):
        assert flat(explanations[key]) in text, key
    assert flat(run["risk"]["input"]["explanations"]["sample_uniques"]) in text


def test_population_and_attribute_risk_rows_equal_risk_json(run):
    text, risk = run["text"], run["risk"]
    population = risk["input"]["population_uniques"]
    value = population["dankar"]
    assert f"Dankar {f.precise_share(value) if value is not None else '–'}" in text
    combos = {tuple(a["qis"]): a for a in risk["output"]["attributes"]}
    for single in ("age", "sex", "zip"):
        entry_in = next(a for a in risk["input"]["attributes"] if a["qis"] == [single])
        entry_out = combos[(single,)]
        assert (f"{single} {f.decimal(entry_in['distinction'])} {f.decimal(entry_out['distinction'])} "
                f"{f.decimal(entry_in['separation'])} {f.decimal(entry_out['separation'])}") in text


def test_attribute_quality_rows_equal_utility_json(run):
    text, quality = run["text"], run["utility"]["quality"]
    for name, q in quality["attributes"].items():
        row = " ".join([name, str(q["level"])] + [f.decimal(q[key]) for key in (
            "missings", "generalization_intensity", "granularity", "non_uniform_entropy", "squared_error")])
        assert row in text, name
    for label, value in quality["information_loss"].items():
        assert f"{label} (information loss) {f.general(value)}" in text


def test_classification_rows_equal_utility_json(run):
    text, c = run["text"], run["utility"]["classification"]
    assert len(c["models"]) == 3
    for m in c["models"]:
        o, a = m["original"], m["anonymized"]
        beats = " / ".join("yes" if side["brier_skill_score"] > 0 else "no" for side in (o, a))
        row = " ".join([MODELS[m["model"]], f.decimal(o["accuracy"]), f.decimal(a["accuracy"]),
                        f.decimal(m["relative_accuracy"]), f.decimal(o["brier_skill_score"]),
                        f.decimal(a["brier_skill_score"]), f.decimal(o["macro_auc"]), f.decimal(a["macro_auc"]), beats])
        assert row in text, m["model"]
    assert f"{c['folds']}-fold cross-validation (seed {c['seed']})" in text


def test_search_figures_and_the_pareto_front(run):
    text, report, result = run["text"], run["report"], run["result"]
    assert f"Lattice size (transformations) {f.count(result['search']['lattice_size'])}" in text
    assert f"Checked by the optimal search {f.count(result['search']['checked'])}" in text
    # 3 age levels x 2 sex levels x 3 zip levels (max_level 2)
    assert report["search"]["lattice_size"] == 3 * 2 * 3 == report["search"]["evaluated_for_chart"]
    front = report["search"]["pareto_front"]
    assert front and any(c["levels"] == result["optimum"]["levels"] for c in front)
    best = min(front, key=lambda c: c["information_loss"])
    assert best["levels"] == result["optimum"]["levels"]
    assert f"{','.join(str(v) for v in best['levels'].values())} released {f.decimal(best['information_loss'])}" in text


def test_the_chosen_transformation_has_the_outputs_risk(run):
    optimum, search = run["result"]["optimum"], run["report"]["search"]["optimum"]
    assert search["highest_risk"] == pytest.approx(1 / optimum["min_class_size"])
    kept = 120 - optimum["suppressed_records"]
    assert search["average_risk"] == pytest.approx(optimum["equivalence_classes"] / kept)
    assert (f"highest / average risk {f.decimal(search['highest_risk'])} / "
            f"{f.decimal(search['average_risk'])}") in run["text"]
    assert "released: the optimum" in run["text"] and run["report"]["search"]["least_loss"] is None


def test_configuration_shows_weights_level_limits_and_population(run):
    text = run["text"]
    assert "age 0.7 0 2" in text and "zip 0.5 0 2" in text and "sex 0.5 0 1" in text
    assert "EU-27: 449,206,600 people" in text
    assert "10.00 % of the records (at most 12 records)" in text


def test_sha256_of_the_anonymized_file_and_the_inputs_are_in_the_pdf(run):
    text, out, report = run["text"], run["out"], run["report"]
    anonymized = sha256(out / "anonymized.csv")
    assert report["output"]["sha256"] == anonymized and f"SHA-256 {anonymized}" in text
    assert f"SHA-256 {sha256(run['folder'] / 'patients.csv')}" in text
    for name in ("age", "sex", "zip"):
        assert f"hierarchy_{name}.csv {sha256(out / f'hierarchy_{name}.csv')}" in text


def test_output_rows_and_columns_are_those_of_the_file(run):
    table = read_table(run["out"] / "anonymized.csv")
    output = run["report"]["output"]
    assert output["rows"] == table.n_rows == 120
    assert [c["name"] for c in output["columns"]] == table.columns == ["age", "sex", "zip", "diagnosis"]
    assert f"Rows (records) {table.n_rows:,} Columns {len(table.columns)}" in run["text"]


def test_hierarchy_rows_show_source_height_level_and_examples(run):
    entry = {h["attribute"]: h for h in run["report"]["hierarchies"]}["zip"]
    assert (entry["kind"], entry["source"], entry["height"]) == ("file", "zip.csv", 4)
    level = run["result"]["optimum"]["levels"]["zip"]
    assert entry["level"] == level
    assert f"zip file: zip.csv {level} of 3" in run["text"]


# -- rendering ---------------------------------------------------------------------------------
def test_rendering_the_same_report_again_gives_the_same_bytes(run):
    report = run["report"]
    charts = report_charts(report)
    assert report_charts(report) == charts
    first = render_pdf(report, charts)
    assert render_pdf(report, charts) == first
    later = render_pdf({**report, "date": "2026-01-02"}, charts)
    assert b"D:20260102000000+00'00'" in later and later != first


@pytest.mark.skipif(shutil.which("pdftoppm") is None,
                    reason="pdftoppm (Debian package poppler-utils) is not installed: pages not rendered to PNG")
def test_every_page_renders_to_png_with_pdftoppm(run, tmp_path):
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(run["out"] / "report.pdf"), str(tmp_path / "page")],
                   check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == len(run["reader"].pages)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)


# -- the parts of the model --------------------------------------------------------------------
def test_level_examples_are_the_most_frequent_generalized_values():
    hierarchy = Hierarchy([["34", "30-39", "*"], ["35", "30-39", "*"], ["41", "40-49", "*"], ["", "Missing", "*"]])
    counts = {"34": 2, "35": 5, "41": 3, "": 9}
    assert level_examples(hierarchy, 1, counts) == [
        {"value": "", "generalized": "Missing", "records": 9},
        {"value": "35", "generalized": "30-39", "records": 7},
        {"value": "41", "generalized": "40-49", "records": 3}]
    # at the root, the example is the most frequent value that is not empty
    assert level_examples(hierarchy, 2, counts) == [{"value": "35", "generalized": "*", "records": 19}]


def test_natural_order_puts_numbers_by_value_and_empty_and_star_last():
    labels = ["*", "100Y", "", "9", "10-19", "040Y", "b", "A"]
    assert sorted(labels, key=natural_key) == ["9", "10-19", "040Y", "100Y", "A", "b", "", "*"]


def test_input_values_are_grouped_under_the_output_value_they_become():
    hierarchy = Hierarchy([["41", "40-49"], ["34", "30-39"], ["45", "40-49"], ["38", "30-39"]])
    original, anonymized = ordered_distributions(hierarchy, 1, [("45", 1), ("34", 2), ("41", 3), ("38", 4)],
                                                 [("40-49", 4), ("*", 1), ("30-39", 5)])
    assert original == [["34", 2], ["38", 4], ["41", 3], ["45", 1]]
    assert anonymized == [["30-39", 5], ["40-49", 4], ["*", 1]]


def test_many_values_are_merged_into_bars_of_consecutive_values():
    pairs = [(f"v{i:03d}", 1) for i in range(130)] + [("", 7)]  # (numbers get bars of equal width)
    bars, title = binned(pairs, most=60)
    assert title == "input: 131 values, 3 consecutive values per bar"
    assert len(bars) == 45 and bars[0] == ("v000", 3) and bars[-2] == ("v129", 1) and bars[-1] == ("", 7)
    assert sum(c for _, c in bars) == 137
    assert binned(pairs[:10]) == (pairs[:10], None)


def test_hierarchy_sources_name_file_preset_and_builder(tmp_path):
    from eucaim_wizard import Table
    from eucaim_wizard.privacy import KAnonymity
    from eucaim_wizard.project import Project

    (tmp_path / "a.csv").write_text("1;*\n2;*\n")
    project = Project(data=Table.from_columns({"a": ["1", "2"], "s": ["F", "M"], "n": ["3", "4"]}),
                      privacy=[KAnonymity(k=1)], base_dir=tmp_path, attributes={
                          "a": {"role": "quasi-identifier", "hierarchy": "a.csv"},
                          "s": {"role": "quasi-identifier", "hierarchy": "preset:sex"},
                          "n": {"role": "quasi-identifier", "hierarchy": {"builder": "intervals", "widths": [10]}}})
    assert hierarchy_source(project, "a") == {"kind": "file", "source": "a.csv", "title": None, "origin": None}
    preset = hierarchy_source(project, "s")
    assert preset["kind"] == "preset" and preset["source"] == "preset:sex" and preset["origin"]
    assert hierarchy_source(project, "n")["kind"] == "builder"


def test_a_column_is_widened_so_that_no_word_is_split_inside():
    """"Manufacturer_Model" was printed "Manufacturer_Mo / del": a column gets the width of its
    widest word, taken from the columns with room to spare; widths stay as given when the
    words cannot all fit (a digest or a path may then wrap)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from eucaim_wizard.report._layout import BOLD, WIDTH, _widths_for_words, grid, register_fonts

    register_fonts()
    needed = stringWidth("Manufacturer_Model", BOLD, 8) + 7
    widths = _widths_for_words([0.1, 0.5, 0.4], [needed, 20.0, 20.0])
    assert widths[0] == needed > 0.1 * WIDTH and abs(sum(widths) - WIDTH) < 1e-6
    assert widths[1] > widths[2]  # (both gave in proportion to their room)
    assert _widths_for_words([0.5, 0.5], [0.9 * WIDTH, 0.9 * WIDTH]) == [0.5 * WIDTH, 0.5 * WIDTH]
    table = grid(["quasi-identifier", "source"], [["Manufacturer_Model", "a preset"]], [0.1, 0.9], bold_first=True)
    assert table._colWidths[0] >= needed


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab c", min_size=0, max_size=30), min_size=1, max_size=12, unique=True))
def test_chart_labels_of_different_values_are_never_the_same(labels):
    """Two manufacturers cut to one "Siemens Magnetom …" label could not be told apart."""
    from eucaim_wizard.report.charts import _MAX_LABEL, distinct_short

    shown = distinct_short(labels)
    assert len(set(shown)) == len(labels)
    assert all(len(label) <= _MAX_LABEL + 5 for label in shown)


def test_each_model_is_set_against_the_majority_baseline(run):
    """A relative accuracy of 1.09 while every model sits at the majority baseline misled: each
    model says whether it beats the baseline (Brier skill above 0) on each table, and when
    none does on the input, the headline says that the figure says little."""
    c = run["report"]["utility"]["classification"]
    for m in c["models"]:
        for side in ("original", "anonymized"):
            assert m[side]["beats_baseline"] == (m[side]["brier_skill_score"] > 0)
    assert c["models_beating_baseline"] == sum(m["original"]["beats_baseline"] for m in c["models"])
    warned = "no model beats the majority-class baseline" in run["text"]
    assert warned == (c["models_beating_baseline"] == 0)
    assert "Brier skill in" in run["text"] and "beats baseline in / out" in run["text"]


def test_the_warning_when_no_model_beats_the_baseline():
    from eucaim_wizard.report.model import _against_baseline

    performance = {"accuracy": 0.84, "brier_score": 0.27, "brier_skill_score": -0.01, "macro_auc": 0.55}
    c = _against_baseline({"models": [{"model": "naive-bayes", "original": dict(performance),
                                       "anonymized": dict(performance, brier_skill_score=0.02)}]})
    assert c["models_beating_baseline"] == 0
    assert c["models"][0]["original"]["beats_baseline"] is False and c["models"][0]["anonymized"]["beats_baseline"]
