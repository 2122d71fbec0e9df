"""Generalization hierarchies: reading ARX and EUCAIM Wizard files, checks, writing."""

from __future__ import annotations

import csv
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eucaim_wizard.errors import HierarchyError
from eucaim_wizard.hierarchies.hierarchy import Hierarchy, has_errors, parse_hierarchy_text, read_hierarchy

# (folder fixture, file, n_values, n_levels, header row skipped or None)
SHARED_FILES = [
    ("seed_pack", "hierarchies/Allergies_F_H.csv", 46, 3, None),
    ("seed_pack", "hierarchies/Ethnicity_F_H.csv", 193, 3, "Country,Continent,"),
    ("seed_pack", "hierarchies/Manufacturer_F_H.csv", 113, 4, "Model,Vendor,Modality,Imaging Device"),
    ("seed_pack", "hierarchies/Sex_F_H.csv", 14, 4, "Gender,Level_2,Level_3,Level_4"),
    ("seed_pack", "hierarchies/Weight_F_H.csv", 151, 4, "Weight,5kg_interval,10kg_interval,"),
    ("seed_pack", "hierarchies/hierarchy_contenttime.csv", 2006, 4, None),
    ("seed_pack", "hierarchies/hierarchy_seriestime.csv", 1930, 4, None),
    ("seed_pack", "examples/age_hierarchy.csv", 53, 4, None),
    ("seed_pack", "examples/allergies_hierarchy.csv", 2, 3, None),
    ("seed_pack", "examples/ethnicity_hierarchy.csv", 16, 3, None),
    ("seed_pack", "examples/imaging_modality_hierarchy.csv", 6, 3, None),
    ("seed_pack", "examples/weight_hierarchy.csv", 77, 4, None),
    ("seed_pack", "examples/zip_code_hierarchy.csv", 990, 6, None),
    ("arx_data", "adult_hierarchy_age.csv", 100, 5, None),
    ("arx_data", "adult_hierarchy_education.csv", 16, 4, None),
    ("arx_data", "adult_hierarchy_marital-status.csv", 7, 3, None),
    ("arx_data", "adult_hierarchy_native-country.csv", 41, 3, None),
    ("arx_data", "adult_hierarchy_occupation.csv", 14, 3, None),
    ("arx_data", "adult_hierarchy_race.csv", 5, 2, None),
    ("arx_data", "adult_hierarchy_salary-class.csv", 2, 2, None),
    ("arx_data", "adult_hierarchy_sex.csv", 2, 2, None),
    ("arx_data", "adult_hierarchy_workclass.csv", 8, 3, None),
    ("arx_data", "test_hierarchy_age.csv", 100, 3, None),
    ("arx_data", "test_hierarchy_gender.csv", 2, 2, None),
    ("arx_data", "test_hierarchy_zipcode.csv", 10000, 6, None),
    ("arx_data", "test2_hierarchy_Age.csv", 9, 3, None),
    ("arx_data", "test2_hierarchy_Disease.csv", 6, 4, None),
    ("arx_data", "test2_hierarchy_ZIPCode.csv", 9, 6, None),
]
IDS = [name for _, name, *_ in SHARED_FILES]


def shared(request, folder: str, name: str):
    return request.getfixturevalue(folder) / name


def codes(findings) -> list[str]:
    return [finding.code for finding in findings]


def write(tmp_path, text: str, name: str = "h.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- the shared files -----------------------------------------------------------------
@pytest.mark.parametrize(("folder", "name", "n_values", "n_levels", "header"), SHARED_FILES, ids=IDS)
def test_shared_file_has_documented_shape(request, folder, name, n_values, n_levels, header):
    hierarchy = read_hierarchy(shared(request, folder, name))
    assert (hierarchy.n_values, hierarchy.n_levels) == (n_values, n_levels)


@pytest.mark.parametrize(("folder", "name", "n_values", "n_levels", "header"), SHARED_FILES, ids=IDS)
def test_header_row_is_skipped_exactly_in_the_four_wizard_files(request, folder, name, n_values,
                                                                 n_levels, header):
    notes = [note for note in read_hierarchy(shared(request, folder, name)).notes if "header" in note]
    if header is None:
        assert notes == []
    else:
        assert len(notes) == 1 and notes[0].startswith(f"header row {header!r} skipped")


def test_header_detection_can_be_overridden(seed_pack, arx_data):
    kept = read_hierarchy(seed_pack / "hierarchies/Ethnicity_F_H.csv", has_header=False)
    assert kept.n_values == 194 and list(kept.table[0]) == ["Country", "Continent", ""]
    dropped = read_hierarchy(arx_data / "adult_hierarchy_sex.csv", has_header=True)
    assert dropped.values().tolist() == ["Female"]


def test_legit_first_rows_are_not_headers():
    for text in ["1;0-4;0-9;0-19;*\n2;0-4;0-9;0-19;*\n", "Male;*\nFemale;*\n",
                 "Married-civ-spouse;spouse present;*\nDivorced;spouse not present;*\n",
                 "47677;4767*;476**;47***;4****;*****\n47602;4760*;476**;47***;4****;*****\n",
                 "Male;Male;Male;Person\nFemale;Female;Female;Person\nOther;Other;Other;Any\n"]:
        assert parse_hierarchy_text(text).notes == [], text


def test_header_longer_by_trailing_empty_cells_is_skipped():
    hierarchy = parse_hierarchy_text("Age;Interval;;\n1;0-9;*\n2;0-9;*\n")
    assert hierarchy.n_levels == 3 and hierarchy.values().tolist() == ["1", "2"]


def test_comma_files_and_crlf_are_noted(seed_pack):
    notes = read_hierarchy(seed_pack / "hierarchies/Allergies_F_H.csv").notes
    assert "delimiter ',' detected" in notes and "CRLF line ends" in notes


def test_semicolon_wins_when_values_hold_commas(arx_data):
    hierarchy = read_hierarchy(arx_data / "test2_hierarchy_Age.csv")
    assert hierarchy.table[0].tolist() == ["29", "[20,30[", "*"]


def test_shared_arx_hierarchies_have_no_findings(arx_data):
    for path in sorted(arx_data.glob("*hierarchy*.csv")):
        assert read_hierarchy(path).findings() == [], path.name


def test_manufacturer_is_not_a_tree(seed_pack):
    findings = read_hierarchy(seed_pack / "hierarchies/Manufacturer_F_H.csv").findings()
    assert codes(findings) == ["not-a-tree"]
    assert findings[0].severity == "error" and "GE" in findings[0].values
    assert "level 1" in findings[0].message and "level 2" in findings[0].message


def test_sex_has_two_roots(seed_pack):
    findings = read_hierarchy(seed_pack / "hierarchies/Sex_F_H.csv").findings()
    assert codes(findings) == ["multiple-roots"]
    assert findings[0].severity == "warning" and set(findings[0].values) == {"Person", "Any"}


def test_weight_wrong_ten_kg_labels_break_the_tree(seed_pack):
    findings = read_hierarchy(seed_pack / "hierarchies/Weight_F_H.csv").findings()
    assert codes(findings) == ["not-a-tree"]
    # 50 -> '<50' splits the 50-54 band; 151-179 -> '>131'...'>159' split every 5-kg band above 150.
    assert set(findings[0].values) == {"50-54", "150-154", "155-159", "160-164", "165-169",
                                       "170-174", "175-179"}


def test_ethnicity_typo_is_not_structural(seed_pack):
    hierarchy = read_hierarchy(seed_pack / "hierarchies/Ethnicity_F_H.csv")
    assert "Mon  Monaco" in hierarchy.index_of() and hierarchy.findings() == []


def test_adult_hierarchies_cover_adult_data(arx_data):
    with open(arx_data / "adult.csv", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header, records = rows[0], rows[1:]
    for j, column in enumerate(header):
        counts = Counter(record[j] for record in records)
        findings = read_hierarchy(arx_data / f"adult_hierarchy_{column}.csv").check_values(
            list(counts), list(counts.values()), column=column)
        assert not has_errors(findings), column
    age = Counter(record[1] for record in records)
    unused = read_hierarchy(arx_data / "adult_hierarchy_age.csv").check_values(list(age), column="age")
    assert codes(unused) == ["unused-rows"] and unused[0].message.startswith("28 of 100")


def test_dirty_ages_are_missing_values_with_record_counts(arx_data):
    with open(arx_data / "test_dirty.csv", newline="") as handle:
        ages = Counter(row["age"] for row in csv.DictReader(handle, delimiter=";"))
    findings = read_hierarchy(arx_data / "test_hierarchy_age.csv").check_values(
        list(ages), list(ages.values()), column="age")
    missing = [f for f in findings if f.code == "missing-values"][0]
    assert missing.severity == "error" and set(missing.values) == {"4e", "7f"}
    assert missing.records == ages["4e"] + ages["7f"] and "'age'" in missing.message


# --- errors, each with the file that triggers it --------------------------------------
def test_ragged_rows_name_file_lines_and_field_counts(tmp_path):
    path = write(tmp_path, "1;0-9;*\n2;0-9;*\n\n3;0-9\n4;0-9;*;x\n5;0-9;*\n")
    with pytest.raises(HierarchyError) as caught:
        read_hierarchy(path)
    message = str(caught.value)
    assert str(path) in message and "line 4 (2)" in message and "line 5 (4)" in message
    assert "3 fields" in message
    assert codes(caught.value.findings) == ["ragged-rows", "ragged-rows"]
    assert "line 4" in caught.value.findings[0].message


def test_short_rows_are_not_padded(tmp_path):
    with pytest.raises(HierarchyError, match="line 1"):
        read_hierarchy(write(tmp_path, "1;0-9\n2;0-9;*\n3;0-9;*\n"))


def test_empty_file_is_an_error(tmp_path):
    for text in ["", "\n \r\n\n"]:
        with pytest.raises(HierarchyError, match="empty") as caught:
            read_hierarchy(write(tmp_path, text))
        assert "h.csv" in str(caught.value)


def test_header_only_file_is_an_error(tmp_path):
    with pytest.raises(HierarchyError, match="only a header"):
        read_hierarchy(write(tmp_path, "Age;Level_1\n"), has_header=True)


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(HierarchyError, match="cannot read"):
        read_hierarchy(tmp_path / "absent.csv")


def test_unclosed_quote_is_an_error(tmp_path):
    with pytest.raises(HierarchyError, match="line 2"):
        read_hierarchy(write(tmp_path, 'a;*\n"b;*\n'), delimiter=";")


def test_conflicting_rows_are_an_error(tmp_path):
    findings = read_hierarchy(write(tmp_path, "1;0-9;*\n1;10-19;*\n2;0-9;*\n")).findings()
    assert codes(findings) == ["conflicting-rows"] and findings[0].values == ("1",)
    assert findings[0].severity == "error"


def test_duplicate_rows_are_a_warning(tmp_path):
    findings = read_hierarchy(write(tmp_path, "1;0-9;*\n1;0-9;*\n1;0-9;*\n2;0-9;*\n")).findings()
    assert codes(findings) == ["duplicate-rows"] and findings[0].severity == "warning"
    assert findings[0].message.split(": ")[1].startswith("2 row(s)")


def test_not_a_tree_names_value_and_parents(tmp_path):
    path = write(tmp_path, "a;x;P;*\nb;x;Q;*\nc;y;Q;*\n")
    [finding] = read_hierarchy(path).findings()
    assert finding.code == "not-a-tree" and finding.values == ("x",)
    assert "'x' -> 'P', 'Q'" in finding.message and str(path) in finding.message


def test_empty_label_is_a_warning(tmp_path):
    findings = read_hierarchy(write(tmp_path, "a;;*\nb;g;*\n")).findings()
    assert codes(findings) == ["empty-value"] and findings[0].values == ("a",)


def test_missing_values_count_values_and_records():
    hierarchy = Hierarchy([["1", "*"], ["2", "*"]], name="age")
    values = [str(v) for v in range(1, 15)]
    [missing] = hierarchy.check_values(values, [3] * 14, column="age")
    assert missing.code == "missing-values" and missing.records == 36
    assert len(missing.values) == 10 and missing.message.startswith("12 distinct value(s)")
    assert "builder" in missing.message


def test_has_errors_ignores_warnings_and_info(seed_pack):
    assert not has_errors(read_hierarchy(seed_pack / "hierarchies/Sex_F_H.csv").findings())
    assert has_errors(read_hierarchy(seed_pack / "hierarchies/Manufacturer_F_H.csv").findings())


# --- encodings and quoting ------------------------------------------------------------
def test_bom_is_removed(tmp_path):
    hierarchy = read_hierarchy(write(tmp_path, "\ufeffMale;*\nFemale;*\n"))
    assert hierarchy.values().tolist() == ["Male", "Female"]
    assert "UTF-8 byte-order mark removed" in hierarchy.notes


def test_cp1252_fallback_is_noted(tmp_path):
    path = write(tmp_path, "Curaçao;Americas;*\nMéxico;Americas;*\n", encoding="cp1252")
    hierarchy = read_hierarchy(path)
    assert hierarchy.values().tolist() == ["Curaçao", "México"]
    assert any("CP1252" in note for note in hierarchy.notes)


def test_quoted_delimiter_and_doubled_quotes_are_read():
    hierarchy = parse_hierarchy_text('"20;30";"say ""hi""";*\nx;y;*\n')
    assert hierarchy.table[0].tolist() == ["20;30", 'say "hi"', "*"]


def test_single_column_hierarchy_is_legal():
    hierarchy = parse_hierarchy_text("a\nb\n")
    assert (hierarchy.n_values, hierarchy.n_levels) == (2, 1) and hierarchy.findings() == []


# --- the object -----------------------------------------------------------------------
def test_constructor_rejects_ragged_or_empty_rows():
    for rows in [[], [[]], [["a", "*"], ["b"]], ["a;*"], np.array(["a", "b"])]:
        with pytest.raises(HierarchyError):
            Hierarchy(rows)


def test_table_is_read_only():
    hierarchy = Hierarchy([["a", "*"]])
    with pytest.raises(ValueError):
        hierarchy.table[0, 0] = "b"
    with pytest.raises(ValueError):
        hierarchy.level(0)[0] = "b"


def test_index_of_keeps_first_occurrence():
    hierarchy = Hierarchy([["a", "x"], ["b", "x"], ["a", "y"]])
    assert hierarchy.index_of() == {"a": 0, "b": 1}


def test_level_out_of_range_is_an_error():
    with pytest.raises(HierarchyError, match="levels 0–1"):
        Hierarchy([["a", "*"]]).level(2)


# --- writing --------------------------------------------------------------------------
def test_text_is_arx_format_with_minimal_quoting():
    hierarchy = Hierarchy([["a;b", 'q"', "*"], ["line\nbreak", " pad", "*"], ["plain", "x,y", "*"]])
    assert hierarchy.to_csv_text() == '"a;b";"q""";*\n"line\nbreak";" pad";*\nplain;x,y;*\n'


def test_write_refuses_to_overwrite_its_source(tmp_path):
    from eucaim_wizard.tables.output import OutputError

    path = write(tmp_path, "a;*\n")
    with pytest.raises(OutputError, match="never writes over its input"):
        read_hierarchy(path).write(path)
    assert path.read_text() == "a;*\n"


def test_write_is_atomic_and_leaves_no_temporary_file(tmp_path):
    Hierarchy([["a", "*"]]).write(tmp_path / "out.csv")
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    assert (tmp_path / "out.csv").read_bytes() == b"a;*\n"


def test_sha256_identifies_the_table_not_the_file(seed_pack, tmp_path):
    original = read_hierarchy(seed_pack / "hierarchies/Allergies_F_H.csv")
    original.write(tmp_path / "copy.csv")
    copy = read_hierarchy(tmp_path / "copy.csv")
    assert copy == original and copy.sha256() == original.sha256()
    assert len(original.sha256()) == 64


# Delimiters, quotes, CR/LF, padding, a BOM and any unicode (lone surrogates cannot be UTF-8).
AWKWARD = st.text(alphabet=st.sampled_from(list(';,"\r\n \t|*xyzé€😀-\ufeff'))
                  | st.characters(blacklist_categories=("Cs",)), max_size=8)


TABLES = st.integers(1, 4).flatmap(
    lambda n_levels: st.lists(st.lists(AWKWARD, min_size=n_levels, max_size=n_levels),
                              min_size=1, max_size=6))


@settings(max_examples=100, deadline=None)
@given(TABLES)
def test_write_then_read_round_trips(tmp_path_factory, rows):
    hierarchy = Hierarchy(rows)
    path = tmp_path_factory.mktemp("round") / "h.csv"
    hierarchy.write(path)
    assert read_hierarchy(path, has_header=False) == hierarchy


@settings(max_examples=50, deadline=None)
@given(TABLES)
def test_comma_written_file_reads_back_with_its_delimiter(tmp_path_factory, rows):
    hierarchy = Hierarchy(rows)
    path = tmp_path_factory.mktemp("round") / "h.csv"
    hierarchy.write(path, delimiter=",")
    assert read_hierarchy(path, has_header=False, delimiter=",") == hierarchy


def test_repair_makes_a_tree_with_one_root_and_says_every_change(tmp_path):
    from typer.testing import CliRunner

    from eucaim_wizard.cli import app
    from eucaim_wizard.hierarchies.repair import repair

    broken = Hierarchy([["a", "x", "EU"], ["b", "x", "US"], ["c", "y", "EU"], ["c", "z", "EU"], ["a", "x", "EU"],
                        ["d", "", "US"]], name="q")
    fixed, changes = repair(broken)
    assert [f for f in fixed.findings() if f.severity != "info"] == []
    assert fixed.values().tolist() == ["a", "b", "c", "d"]  # (one row per value: the first kept)
    assert fixed.level(1).tolist() == ["x (EU)", "x (US)", "y", "d"] and set(fixed.level(-1).tolist()) == {"*"}
    assert len(changes) == 5 and any("repeated identical" in c for c in changes)
    # the groups of the old top level stay whole (EU: a, c; US: b, d) below the new root
    assert fixed.level(2).tolist() == ["EU", "US", "EU", "US"]
    valid = Hierarchy([["a", "*"], ["b", "*"]], name="ok")
    assert repair(valid) == (valid, [])
    source = tmp_path / "levels.tsv"
    source.write_text("Value\tGroup\tTop\nF\tPerson\tPerson\nM\tAny\tAny\n")
    run = CliRunner().invoke(app, ["hierarchies", "repair", str(source), "-o", str(tmp_path / "fixed.csv")])
    assert run.exit_code == 0, run.output
    assert "added a top level" in run.output and "header row" in run.output
    assert (tmp_path / "fixed.csv").read_text() == "F;Person;Person;*\nM;Any;Any;*\n"
    again = CliRunner().invoke(app, ["hierarchies", "repair", str(source), "-o", str(tmp_path / "fixed.csv")])
    assert again.exit_code == 2 and "--force" in again.output  # never over an existing file unasked


def test_convert_rewrites_a_valid_hierarchy_and_refuses_a_broken_one(tmp_path):
    from typer.testing import CliRunner

    from eucaim_wizard.cli import app

    (tmp_path / "ok.csv").write_bytes(b"Sex,Level_1\r\nF,*\r\nM,*\r\n")
    run = CliRunner().invoke(app, ["hierarchies", "convert", str(tmp_path / "ok.csv"), "-o", str(tmp_path / "arx.csv")])
    assert run.exit_code == 0 and (tmp_path / "arx.csv").read_text() == "F;*\nM;*\n"
    (tmp_path / "bad.csv").write_text("a;x;1\nb;x;2\n")
    bad = CliRunner().invoke(app, ["hierarchies", "convert", str(tmp_path / "bad.csv"), "-o", str(tmp_path / "b.csv")])
    assert bad.exit_code == 2 and "hierarchies repair" in bad.output and not (tmp_path / "b.csv").exists()
    same = CliRunner().invoke(app, ["hierarchies", "convert", str(tmp_path / "ok.csv"), "-o", str(tmp_path / "ok.csv"),
                                    "--force"])
    assert same.exit_code == 2 and (tmp_path / "ok.csv").read_bytes() == b"Sex,Level_1\r\nF,*\r\nM,*\r\n"
